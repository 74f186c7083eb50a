/* mc_qstream.c: exact quantiles of streams that are replayed, not stored.
 *
 * The plan (mc_results.h) follows each wanted order statistic j (type 7
 * wants j = floor((n-1)p) and j+1) through key intervals that hold it:
 *
 *  - key(x) maps a double to a 64-bit integer with the same order (+0 for
 *    -0), so any interval of keys can be cut into equal parts by shifts;
 *  - pass 1 counts every value into MC_QS_BINS equal bins laid over the
 *    range the pilot puts the wanted levels in, plus a bin below, one
 *    above and one for +inf.  Running sums of the counts name the bin of
 *    each j and the number of values below it;
 *  - each later pass takes those bins (targets): a target whose values
 *    fit in the budget keeps them, and the order statistics are selected
 *    among them (mc_select_, exact); a larger one is cut again into
 *    MC_QS_BINS parts and counted.  A target of one key (a run of equal
 *    values, +inf) is answered at once.
 *
 * Every count is an integer, so the answer does not depend on how the
 * values were split between threads or in what order they came.  Pass 1
 * writes into a per-thread histogram (every value lands in one); later
 * passes touch only the few values inside a target and update shared
 * counters and buffers atomically.
 *
 * The files: this one holds the plan (mc_qs_new, the pilot, the pass-1
 * grid) and the answers (mc_qs_get); mc_qstream_add.c the values added
 * (bins, with AVX2 and AVX-512, and the accumulators); mc_qstream_pass.c
 * the end of a pass (targets cut or kept, order statistics selected
 * within them, the next pass armed); mc_qstream_dist.c the same across
 * processes (mc_reducer); mc_qstream_bytes.c the memory estimate;
 * mc_qstream_impl.h what they share.
 */
#include "mc_results.h"
#include "mc_results_impl.h"
#include "mc_qstream_impl.h"
#include "mc_cpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- plan ------------------------------------------------------------- */

static int cmp_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

mc_qs *mc_qs_new(size_t n, size_t streams, const double *probs, size_t k,
                 size_t keep_bytes)
{
    return mc_qs_new_ranks(n, streams, probs, k, NULL, 0, keep_bytes);
}

mc_qs *mc_qs_new_ranks(size_t n, size_t streams, const double *probs,
                       size_t k, const size_t *ranks, size_t nr,
                       size_t keep_bytes)
{
    if (n == 0 || streams == 0 || k == 0)
        return NULL;
    for (size_t i = 0; i < nr; i++)
        if (ranks[i] >= n)
            return NULL;
    mc_qs *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->n = n;
    q->ns = streams;
    q->k = k;
    q->m = n < MC_QS_PILOT ? n : MC_QS_PILOT;
    q->keep_bytes = keep_bytes;
#if DISPATCH
    /* mc_cpu_limit may keep it to AVX2 or the portable loops: tests run
       every path */
    mc_cpu simd = mc_cpu_level();
    q->avx2 = simd >= MC_CPU_AVX2;
    q->avx512 = simd >= MC_CPU_AVX512;
#endif
    q->probs = malloc(k * sizeof *q->probs);
    q->ks = malloc((2 * k + nr) * sizeof *q->ks);
    q->pilot = calloc(streams * q->m, sizeof *q->pilot);
    q->s = calloc(streams, sizeof *q->s);
    if (q->probs == NULL || q->ks == NULL || q->pilot == NULL ||
        q->s == NULL) {
        mc_qs_free(q);
        return NULL;
    }
    memcpy(q->probs, probs, k * sizeof *probs);
    for (size_t i = 0; i < k; i++) {
        double frac;
        size_t j = mc_q_pos_(n, probs[i], &frac);
        q->ks[q->nks++] = j;
        if (frac > 0)
            q->ks[q->nks++] = j + 1;
    }
    for (size_t i = 0; i < nr; i++)
        q->ks[q->nks++] = ranks[i];
    qsort(q->ks, q->nks, sizeof *q->ks, cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < q->nks; i++)
        if (u == 0 || q->ks[i] != q->ks[u - 1])
            q->ks[u++] = q->ks[i];
    q->nks = u;
    for (size_t i = 0; i < streams; i++) {
        qstream *st = &q->s[i];
        st->val = malloc(q->nks * sizeof *st->val);
        st->known = calloc(q->nks, 1);
        if (st->val == NULL || st->known == NULL) {
            mc_qs_free(q);
            return NULL;
        }
    }
    return q;
}

void mc_qs_free_targets_(qstream *st)
{
    for (size_t i = 0; i < st->nt; i++) {
        free(st->t[i].sub);
        free(st->t[i].vals);
    }
    free(st->t);
    st->t = NULL;
    st->nt = 0;
}

void mc_qs_free(mc_qs *q)
{
    if (q == NULL)
        return;
    if (q->s != NULL)
        for (size_t i = 0; i < q->ns; i++) {
            mc_qs_free_targets_(&q->s[i]);
            free(q->s[i].hist);
            free(q->s[i].mark);
            free(q->s[i].val);
            free(q->s[i].known);
        }
    free(q->s);
    free(q->probs);
    free(q->ks);
    free(q->pilot);
    free(q);
}

size_t mc_qs_pilot_len(const mc_qs *q)
{
    return q->m;
}

double *mc_qs_pilot(mc_qs *q, size_t stream)
{
    return q->pilot + stream * q->m;
}

int mc_qs_passes(const mc_qs *q)
{
    return q->pending;
}

int mc_qs_passes_done(const mc_qs *q)
{
    return q->pass;
}

/* Pilot rank of the value at level p among n, widened by 6 standard
 * deviations of that rank and 3 ranks, clamped to the pilot. */
static size_t pilot_rank(size_t m, double p, double dir)
{
    double r = p * (double)(m - 1) +
               dir * (6.0 * sqrt(p * (1.0 - p) * (double)m) + 3.0);
    if (r < 0)
        return 0;
    if (r > (double)(m - 1))
        return m - 1;
    return (size_t)r;
}

int mc_qs_plan(mc_qs *q)
{
    q->pass = 0;
    if (q->m == q->n) {             /* the pilot is everything */
        for (size_t i = 0; i < q->ns; i++) {
            qstream *st = &q->s[i];
            double *x = mc_qs_pilot(q, i);
            for (size_t j = 0; j < q->m; j++)
                x[j] += 0.0;
            mc_select_(x, q->m, q->ks, q->nks);
            for (size_t u = 0; u < q->nks; u++) {
                st->val[u] = x[q->ks[u]];
                st->known[u] = 1;
            }
        }
        q->pending = 0;
        return 0;
    }
    double plo = 1, phi = 0;
    for (size_t i = 0; i < q->k; i++) {
        if (q->probs[i] < plo)
            plo = q->probs[i];
        if (q->probs[i] > phi)
            phi = q->probs[i];
    }
    for (size_t i = 0; i < q->ns; i++) {
        qstream *st = &q->s[i];
        double *x = mc_qs_pilot(q, i);
        /* The grid spans the pilot's range of the levels, widened; its
         * ends are finite where the pilot has finite values (+inf has a
         * bin of its own). */
        size_t rlo = pilot_rank(q->m, plo, -1.0);
        size_t rhi = pilot_rank(q->m, phi, +1.0);
        size_t ends[2] = {rlo, rhi};
        mc_select_(x, q->m, ends, rlo < rhi ? 2 : 1);
        double vlo = x[rlo], vhi = x[rhi];
        if (!isfinite(vlo) || !isfinite(vhi)) {
            double flo = (double)INFINITY, fhi = -(double)INFINITY;
            for (size_t j = 0; j < q->m; j++)
                if (isfinite(x[j])) {
                    flo = x[j] < flo ? x[j] : flo;
                    fhi = x[j] > fhi ? x[j] : fhi;
                }
            if (flo <= fhi) {
                vlo = isfinite(vlo) ? vlo : vlo > 0 ? fhi : flo;
                vhi = isfinite(vhi) ? vhi : vhi > 0 ? fhi : flo;
            }
        }
        uint64_t lo = key_of(vlo), hi = key_of(vhi);
        if (hi < lo)
            hi = lo;
        int shift = 0;
        while (((hi - lo) >> shift) >= MC_QS_BINS)
            shift++;
        st->base = lo;
        st->shift = shift;
        u128 end = (u128)lo + ((u128)MC_QS_BINS << shift) - 1;
        st->end = end >= KEY_INF ? KEY_INF - 1 : (uint64_t)end;
        if (st->end < st->base)        /* base is +inf: an empty grid */
            st->end = st->base;
        st->hist = calloc(NB, sizeof *st->hist);
        if (st->hist == NULL)
            return -1;
    }
    q->pending = 1;
    return 0;
}

/* ---- answers ---------------------------------------------------------- */

size_t mc_qs_sub_bins(const mc_qs *q, size_t *cut)
{
    size_t bins = 0, c = 0;
    for (size_t i = 0; i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (!q->s[i].t[j].keep) {
                bins += q->s[i].t[j].nbins;
                c++;
            }
    if (cut != NULL)
        *cut = c;
    return bins;
}

/* The index of rank among the wanted ones, or nks. */
static size_t rank_index(const mc_qs *q, size_t rank)
{
    size_t lo = 0, hi = q->nks;         /* ks is ascending: bisect */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q->ks[mid] < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < q->nks && q->ks[lo] == rank ? lo : q->nks;
}

/* Bounds of order statistic `rank` of a stream: its value when known,
 * else its target's keys, else all doubles. */
static void rank_bounds(const mc_qs *q, size_t stream, size_t rank,
                        double *lo, double *hi)
{
    const qstream *st = &q->s[stream];
    size_t u = rank_index(q, rank);
    *lo = -(double)INFINITY;
    *hi = (double)INFINITY;
    if (u < q->nks && st->known[u]) {
        *lo = *hi = st->val[u];
        return;
    }
    for (size_t i = 0; q->pass > 0 && i < st->nt; i++)
        if (rank >= st->t[i].below && rank - st->t[i].below < st->t[i].count) {
            *lo = mc_qs_value_of_(st->t[i].lo);
            *hi = mc_qs_value_of_(st->t[i].hi);
            return;
        }
}

void mc_qs_bracket(const mc_qs *q, size_t stream, double p, double *lo,
                   double *hi)
{
    double frac, below_next;
    size_t j = mc_q_pos_(q->n, p, &frac);
    rank_bounds(q, stream, j, lo, hi);
    if (frac > 0 && j + 1 < q->n)
        rank_bounds(q, stream, j + 1, &below_next, hi);
}

double mc_qs_rank(const mc_qs *q, size_t stream, size_t rank)
{
    size_t u = rank_index(q, rank);
    if (u == q->nks || !q->s[stream].known[u])
        return (double)NAN;
    return q->s[stream].val[u];
}

void mc_qs_get(const mc_qs *q, size_t stream, double *out)
{
    const qstream *st = &q->s[stream];
    for (size_t i = 0; i < q->k; i++) {
        double frac;
        size_t j = mc_q_pos_(q->n, q->probs[i], &frac);
        size_t u = 0;
        while (q->ks[u] != j)
            u++;
        if (!st->known[u]) {
            out[i] = (double)NAN;
            continue;
        }
        out[i] = frac > 0 ? (st->known[u + 1]
                                 ? mc_interpolate_(st->val[u], st->val[u + 1],
                                                   frac)
                                 : (double)NAN)
                          : st->val[u];
    }
}

mc_qs *mc_qs_new_ci(size_t n, size_t streams, const double *probs, size_t k,
                    size_t keep_bytes)
{
    size_t *ranks = malloc((2 * k + 1) * sizeof *ranks);
    if (ranks == NULL)
        return NULL;
    for (size_t i = 0; i < k; i++)
        mc_quantile_ci_ranks(n, probs[i], MC_LEVEL, &ranks[2 * i],
                             &ranks[2 * i + 1]);
    mc_qs *q = mc_qs_new_ranks(n, streams, probs, k, ranks, 2 * k,
                               keep_bytes);
    free(ranks);
    return q;
}

void mc_qs_get_ci(const mc_qs *q, size_t stream, double *out, double *lo,
                  double *hi)
{
    mc_qs_get(q, stream, out);
    for (size_t i = 0; i < q->k; i++) {
        size_t a, b;
        mc_quantile_ci_ranks(q->n, q->probs[i], MC_LEVEL, &a, &b);
        lo[i] = mc_qs_rank(q, stream, a);
        hi[i] = mc_qs_rank(q, stream, b);
    }
}
