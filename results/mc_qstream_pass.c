/* mc_qstream_pass.c: the end of a pass of mc_qs (mc_qs_end_pass).  The
 * counts name the bin or sub-bin of each wanted order statistic: a bin of
 * one key answers it, a target whose values fit in the budget keeps them
 * for the next pass and has them selected (mc_select_), a larger one is
 * cut into sub-bins (arm_all chooses, and shares the budget). */
#include "mc_results_impl.h"
#include "mc_qstream_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys ------------------------------------------------------------- */

double mc_qs_value_of_(uint64_t k)
{
    uint64_t u = (k & UINT64_C(0x8000000000000000))
                     ? k ^ UINT64_C(0x8000000000000000) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The keys of pass-1 bin c: [*lo, *hi]; returns 0 if it is empty. */
static int bin_keys(const qstream *st, size_t c, uint64_t *lo, uint64_t *hi)
{
    u128 a, b;
    if (c == 0) {
        if (st->base == 0)
            return 0;
        a = 0;
        b = (u128)st->base - 1;
    } else if (c <= MC_QS_BINS) {
        a = (u128)st->base + ((u128)(c - 1) << st->shift);
        b = a + ((u128)1 << st->shift) - 1;
    } else if (c == MC_QS_BINS + 1) {
        a = (u128)st->base + ((u128)MC_QS_BINS << st->shift);
        b = (u128)KEY_INF - 1;
    } else {
        a = KEY_INF;
        b = UINT64_MAX;
    }
    if (c <= MC_QS_BINS && b > st->end)
        b = st->end;
    if (c == MC_QS_BINS + 1 && a <= st->end)
        a = (u128)st->end + 1;
    if (c <= MC_QS_BINS + 1 && b >= KEY_INF)
        b = (u128)KEY_INF - 1;
    if (a > b)
        return 0;
    *lo = (uint64_t)a;
    *hi = (uint64_t)b;
    return 1;
}

/* ---- targets ---------------------------------------------------------- */

/* Room for the sub-bins or kept values of a target, the choice made: at
 * most maxbins sub-bins. */
static int arm(target *t, size_t maxbins)
{
    if (t->keep) {
        t->vals = malloc((t->count > 0 ? t->count : 1) * sizeof *t->vals);
        t->pos = 0;
        return t->vals != NULL ? 0 : -1;
    }
    int shift = 0;
    while (((t->hi - t->lo) >> shift) >= maxbins)
        shift++;
    t->shift = shift;
    t->nbins = (size_t)((t->hi - t->lo) >> shift) + 1;
    t->sub = calloc(t->nbins, sizeof *t->sub);
    return t->sub != NULL ? 0 : -1;
}

/* Collected while cutting targets: the new target list of a stream. */
typedef struct tlist {
    target *t;
    size_t n, cap;
} tlist;

static int push(tlist *l, const target *t)
{
    if (l->n > 0 && l->t[l->n - 1].lo == t->lo)
        return 0;                      /* the same bin, already there */
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        target *p = realloc(l->t, cap * sizeof *p);
        if (p == NULL)
            return -1;
        l->t = p;
        l->cap = cap;
    }
    l->t[l->n++] = *t;
    return 0;
}

/* Gives wanted statistic u (order statistic ks[u]) of stream st, which
 * lies in [lo, hi] with `below` values below it and `count` inside: the
 * value if the interval is one key, else a new target. */
static int place(qstream *st, size_t u, uint64_t lo, uint64_t hi,
                 size_t below, size_t count, uint32_t coarse, tlist *l)
{
    if (lo == hi || lo >= KEY_INF) {
        st->val[u] = mc_qs_value_of_(lo >= KEY_INF ? KEY_INF : lo);
        st->known[u] = 1;
        return 0;
    }
    target t;
    memset(&t, 0, sizeof t);
    t.lo = lo;
    t.hi = hi;
    t.below = below;
    t.count = count;
    t.coarse = coarse;
    return push(l, &t);
}

static int cut_pass1(mc_qs *q, qstream *st, tlist *l)
{
    size_t u = 0, below = 0;
    for (size_t c = 0; c < NB && u < q->nks; c++) {
        size_t cnt = (size_t)st->hist[c];
        while (u < q->nks && q->ks[u] < below + cnt) {
            uint64_t lo = 0, hi = 0;
            if (!bin_keys(st, c, &lo, &hi))
                return -2;             /* counts in an empty bin */
            if (place(st, u, lo, hi, below, cnt, (uint32_t)c, l) != 0)
                return -1;
            u++;
        }
        below += cnt;
    }
    return u == q->nks ? 0 : -2;
}

static int cut_target(mc_qs *q, qstream *st, target *t, tlist *l)
{
    size_t u = 0;
    while (u < q->nks && (st->known[u] || q->ks[u] < t->below))
        u++;
    size_t below = t->below, total = 0;
    for (size_t b = 0; b < t->nbins; b++)
        total += (size_t)t->sub[b];
    if (total != t->count)
        return -2;
    for (size_t b = 0; b < t->nbins && u < q->nks; b++) {
        size_t cnt = (size_t)t->sub[b];
        while (u < q->nks && q->ks[u] < below + cnt) {
            if (!st->known[u]) {
                uint64_t lo = t->lo + ((uint64_t)b << t->shift);
                u128 hi = (u128)lo + ((u128)1 << t->shift) - 1;
                if (hi > t->hi)
                    hi = t->hi;
                if (place(st, u, lo, (uint64_t)hi, below, cnt, t->coarse,
                          l) != 0)
                    return -1;
            }
            u++;
        }
        below += cnt;
    }
    return 0;
}

/* The wanted order statistics inside a kept target are the contiguous
 * run ks[u0 .. u1) (ks ascending): select them all at once. */
static int select_kept(mc_qs *q, qstream *st, target *t)
{
    if (t->done)
        return 0;
    if (t->pos != t->count)
        return -2;
    size_t u0 = 0;
    while (u0 < q->nks && q->ks[u0] < t->below)
        u0++;
    size_t u1 = u0;
    while (u1 < q->nks && q->ks[u1] < t->below + t->count)
        u1++;
    if (u1 == u0)
        return 0;
    size_t *ks = malloc((u1 - u0) * sizeof *ks);
    if (ks == NULL)
        return -1;
    for (size_t u = u0; u < u1; u++)
        ks[u - u0] = q->ks[u] - t->below;
    mc_select_(t->vals, t->count, ks, u1 - u0);
    for (size_t u = u0; u < u1; u++) {
        st->val[u] = t->vals[ks[u - u0]];
        st->known[u] = 1;
    }
    free(ks);
    return 0;
}

typedef struct order {
    size_t count, stream, index;
} order;

static int cmp_order(const void *pa, const void *pb)
{
    const order *a = pa, *b = pb;
    if (a->count != b->count)
        return (a->count > b->count) - (a->count < b->count);
    if (a->stream != b->stream)
        return (a->stream > b->stream) - (a->stream < b->stream);
    return (a->index > b->index) - (a->index < b->index);
}

/* Chooses, for the next pass, which targets keep their values (the
 * smallest first, while the budget lasts) and which are cut, allocates
 * their room and the marks.  The cut targets share a budget of the same
 * size for their sub-bins: MC_QS_BINS each while it lasts, fewer (down to
 * MIN_SUB_BINS) when many are cut, so that a pass's memory does not grow
 * with the values (thousands of curve streams whose values pile into a
 * few bins cut tens of thousands of targets, at 64 KiB of sub-bins
 * each).  Fewer sub-bins narrow a target less per pass: a pass more
 * at worst, the answer unchanged. */
static int arm_all(mc_qs *q)
{
    size_t total = 0;
    for (size_t i = 0; i < q->ns; i++)
        total += q->s[i].nt;
    if (total == 0) {
        q->pending = 0;
        return 0;
    }
    order *o = malloc(total * sizeof *o);
    if (o == NULL)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            o[k++] = (order){q->s[i].t[j].count, i, j};
    qsort(o, total, sizeof *o, cmp_order);
    size_t budget = q->keep_bytes / sizeof(double), cut = 0;
    for (size_t r = 0; r < total; r++) {
        target *t = &q->s[o[r].stream].t[o[r].index];
        t->keep = t->count <= budget;
        if (t->keep)
            budget -= t->count;
        else
            budget = 0;                 /* larger ones do not fit either */
        cut += !t->keep;
    }
    free(o);
    size_t maxbins = cut > 0 ? q->keep_bytes / sizeof(uint64_t) / cut
                             : MC_QS_BINS;
    maxbins = maxbins > MC_QS_BINS ? MC_QS_BINS
              : maxbins < MIN_SUB_BINS ? MIN_SUB_BINS : maxbins;
    for (size_t i = 0; i < q->ns; i++) {
        qstream *st = &q->s[i];
        if (st->mark == NULL &&
            (st->mark = malloc(NB * sizeof *st->mark)) == NULL)
            return -1;
        memset(st->mark, 0, NB * sizeof *st->mark);
        for (size_t j = st->nt; j-- > 0;) {
            if (arm(&st->t[j], maxbins) != 0)
                return -1;
            st->mark[st->t[j].coarse] = (uint32_t)(j + 1);
        }
    }
    q->pending = 1;
    return 0;
}

int mc_qs_end_pass(mc_qs *q, mc_qs_acc *const *accs, size_t nacc,
                   const mc_reducer *red, char *msg, size_t len)
{
    size_t nan = 0;
    for (size_t i = 0; i < q->ns; i++)
        q->s[i].seen = 0;
    for (size_t a = 0; a < nacc; a++) {
        nan += accs[a]->nan;
        for (size_t i = 0; i < q->ns; i++) {
            if (q->pass == 0)
                mc_qs_flush_(accs[a], i, 1);
            q->s[i].seen += accs[a]->added[i];
        }
    }
    if (red != NULL && red->nprocs > 1) {
        int rc = mc_qs_reduce_pass_(q, red, &nan);
        if (rc != 0) {
            snprintf(msg, len, rc == -2 ? "quantiles: more values kept than "
                     "counted across processes" : "quantiles: combining the "
                     "processes' counts failed");
            return -1;
        }
    }
    if (nan > 0) {
        snprintf(msg, len, "quantiles: expected numbers, found %zu NaN", nan);
        return -1;
    }
    for (size_t i = 0; i < q->ns; i++)
        if (q->s[i].seen != q->n) {
            snprintf(msg, len, "quantiles: expected %zu values of stream %zu "
                     "in pass %d, found %zu", q->n, i, q->pass + 1,
                     q->s[i].seen);
            return -1;
        }

    for (size_t i = 0; i < q->ns; i++) {
        qstream *st = &q->s[i];
        tlist l = {NULL, 0, 0};
        int rc = 0;
        if (q->pass == 0) {
            rc = cut_pass1(q, st, &l);
        } else {
            for (size_t j = 0; j < st->nt && rc == 0; j++)
                rc = st->t[j].keep ? select_kept(q, st, &st->t[j])
                                   : cut_target(q, st, &st->t[j], &l);
        }
        if (rc != 0) {
            free(l.t);
            if (rc == -1)
                snprintf(msg, len, "quantiles: out of memory");
            else
                snprintf(msg, len, "quantiles: counts of stream %zu do not "
                         "add up in pass %d", i, q->pass + 1);
            return -1;
        }
        mc_qs_free_targets_(st);
        st->t = l.t;
        st->nt = l.n;
        if (q->pass == 0) {
            free(st->hist);
            st->hist = NULL;
        }
    }
    q->pass++;
    if (arm_all(q) != 0) {
        snprintf(msg, len, "quantiles: out of memory");
        return -1;
    }
    return 0;
}
