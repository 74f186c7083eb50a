/* mc_qstream_dist.c: mc_qs over several processes (mc_reducer): the
 * counts of a pass summed, and the order statistics of the kept targets
 * found by halving their key intervals, each process counting its own
 * values, so that no value moves between processes. */
#include "mc_qstream_impl.h"

#include <stdlib.h>

/* One wanted order statistic inside a kept target, found across
 * processes. */
typedef struct dsel {
    qstream *st;
    size_t u;                /* ks[u] */
    size_t k;                /* its 0-based rank among the target's values */
    const uint64_t *keys;    /* this process's values of the target, as
                                sorted keys */
    size_t nkeys;
    uint64_t lo, hi;         /* keys between which it lies */
} dsel;

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* Keys <= k among keys[0..n), sorted. */
static size_t count_le(const uint64_t *keys, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The order statistics of the kept targets over several processes,
 * without moving the values (their number grows with n): each one's key
 * interval is halved, all of them at once, with every process counting
 * its own values at or below the middle and one sum of those counts per
 * round; 64-bit keys take at most 64 rounds, and the traffic is a count
 * per wanted order statistic per round, whatever n.  The key found is
 * exactly the order statistic's (keys are the doubles' bits in order). */
static int select_distributed(mc_qs *q, const mc_reducer *red)
{
    size_t n = 0, nt = 0;
    for (size_t i = 0; i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (q->s[i].t[j].keep) {
                nt++;
                for (size_t u = 0; u < q->nks; u++)
                    n += q->ks[u] >= q->s[i].t[j].below &&
                         q->ks[u] < q->s[i].t[j].below + q->s[i].t[j].count;
            }
    dsel *d = malloc((n + 1) * sizeof *d);
    uint64_t **keys = calloc(nt + 1, sizeof *keys);
    uint64_t *cnt = malloc((n + 1) * sizeof *cnt);
    int rc = d != NULL && keys != NULL && cnt != NULL ? 0 : -1;
    size_t m = 0, kt = 0;
    for (size_t i = 0; rc == 0 && i < q->ns; i++)
        for (size_t j = 0; rc == 0 && j < q->s[i].nt; j++) {
            target *t = &q->s[i].t[j];
            if (!t->keep)
                continue;
            uint64_t *k = keys[kt++] = malloc((t->pos + 1) * sizeof *k);
            if (k == NULL) {
                rc = -1;
                break;
            }
            for (size_t v = 0; v < t->pos; v++)
                k[v] = key_of(t->vals[v]);
            qsort(k, t->pos, sizeof *k, cmp_u64);
            for (size_t u = 0; u < q->nks; u++)
                if (q->ks[u] >= t->below && q->ks[u] < t->below + t->count)
                    d[m++] = (dsel){&q->s[i], u, q->ks[u] - t->below, k,
                                    t->pos, t->lo, t->hi};
            t->done = 1;
        }
    /* the targets' values, counted by all processes, are all there */
    uint64_t *pos = rc == 0 ? malloc((nt + 1) * sizeof *pos) : NULL;
    if (rc == 0 && pos == NULL)
        rc = -1;
    kt = 0;
    for (size_t i = 0; rc == 0 && i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (q->s[i].t[j].keep)
                pos[kt++] = q->s[i].t[j].pos;
    if (rc == 0)
        rc = red->sum_u64(red->ctx, pos, nt);
    kt = 0;
    for (size_t i = 0; rc == 0 && i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (q->s[i].t[j].keep && pos[kt++] != q->s[i].t[j].count)
                rc = -2;
    free(pos);
    /* every process has the same items in the same order, and the same
       intervals after every round: they stop together */
    for (int round = 0; rc == 0 && round < 65; round++) {
        int open = 0;
        for (size_t a = 0; a < m; a++) {
            cnt[a] = 0;
            if (d[a].lo < d[a].hi) {
                open = 1;
                cnt[a] = count_le(d[a].keys, d[a].nkeys,
                                  d[a].lo + (d[a].hi - d[a].lo) / 2);
            }
        }
        if (!open)
            break;
        rc = red->sum_u64(red->ctx, cnt, m);
        for (size_t a = 0; rc == 0 && a < m; a++) {
            if (d[a].lo >= d[a].hi)
                continue;
            uint64_t mid = d[a].lo + (d[a].hi - d[a].lo) / 2;
            if (cnt[a] >= d[a].k + 1)
                d[a].hi = mid;
            else
                d[a].lo = mid + 1;
        }
    }
    for (size_t a = 0; rc == 0 && a < m; a++) {
        d[a].st->val[d[a].u] = mc_qs_value_of_(d[a].lo);
        d[a].st->known[d[a].u] = 1;
    }
    for (size_t k = 0; keys != NULL && k < nt; k++)
        free(keys[k]);
    free(keys);
    free(d);
    free(cnt);
    return rc;
}

/* The other processes' counts added to this one's (every process ends
 * with the same): pass 1's histograms, each target's sub-bin counts, and
 * the order statistics of the kept targets (select_distributed).  0, -1
 * (out of memory or the reducer failed) or -2 (the processes together
 * kept other than the values a target holds). */
int mc_qs_reduce_pass_(mc_qs *q, const mc_reducer *red, size_t *nan)
{
    uint64_t *v = malloc((q->ns + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < q->ns; i++)
        v[i] = q->s[i].seen;
    v[q->ns] = *nan;
    int rc = red->sum_u64(red->ctx, v, q->ns + 1);
    for (size_t i = 0; i < q->ns && rc == 0; i++)
        q->s[i].seen = (size_t)v[i];
    *nan = (size_t)v[q->ns];
    free(v);
    for (size_t i = 0; i < q->ns && rc == 0; i++) {
        qstream *st = &q->s[i];
        if (q->pass == 0) {
            rc = red->sum_u64(red->ctx, st->hist, NB);
            continue;
        }
        for (size_t j = 0; j < st->nt && rc == 0; j++)
            if (!st->t[j].keep)       /* kept ones: select_distributed */
                rc = red->sum_u64(red->ctx, st->t[j].sub, st->t[j].nbins);
    }
    if (rc == 0 && q->pass > 0)
        rc = select_distributed(q, red);
    return rc;
}
