/* mc_stats.c: summary statistics of a column of samples.
 *
 * Quantiles are Hyndman and Fan's type 7 (numpy's default): with the
 * values sorted x(0) <= ... <= x(n-1) and h = (n-1)p, j = floor(h),
 * Q(p) = x(j) + (h-j)(x(j+1) - x(j)), and exactly x(j) when h = j.
 * Only the order statistics j and j+1 of each level are selected, by a
 * quickselect that serves several indices at once (each partition step
 * sends every wanted index to its side), so all nine levels of a summary
 * cost a few passes over the data instead of a sort.  Partitions are
 * branch-free Lomuto passes (a[lo..m) < pivot <= a[m..hi]), which run
 * about three times faster than Hoare's on random data because no jump
 * depends on the data; when the pivot is the smallest value a second pass
 * splits off its copies, so runs of equal values (many +inf) cost no more
 * than distinct ones.  Pivots are medians of three (Tukey's ninther on
 * large ranges), so results and timings are reproducible; a range that
 * partitions badly too often is heap-sorted (introselect), which bounds
 * the worst case by O(n log n).
 */
#include "mc_results.h"
#include "mc_results_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const double mc_summary_probs[MC_NQ] = {
    0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99,
};
const char *const mc_summary_qnames[MC_NQ] = {
    "p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99",
};

/* ---- selection ------------------------------------------------------ */

/* Ranges this short are finished by insertion sort. */
#define SMALL_RANGE 24
/* Wanted indices handled per multi-select call (two per level). */
#define BATCH 64

static void swap_d(double *a, size_t i, size_t j)
{
    double t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

static void sift_down(double *a, size_t root, size_t n)
{
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            return;
        if (c + 1 < n && a[c + 1] > a[c])
            c++;
        if (!(a[c] > a[root]))
            return;
        swap_d(a, root, c);
        root = c;
    }
}

static void heap_sort(double *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        swap_d(a, 0, end);
        sift_down(a, 0, end);
    }
}

/* Index of the median of a[i], a[j], a[k]. */
static size_t med3(const double *a, size_t i, size_t j, size_t k)
{
    if (a[i] < a[j]) {
        if (a[j] < a[k])
            return j;
        return a[i] < a[k] ? k : i;
    }
    if (a[i] < a[k])
        return i;
    return a[j] < a[k] ? k : j;
}

/* Moves the elements of a[lo..hi) that are below pivot (or, with
 * or_equal, not above it) to the front; returns where the rest begin.
 * Branch-free Lomuto: two stores per element, no mispredicted jumps. */
static size_t partition_below(double *a, size_t lo, size_t hi, double pivot,
                              int or_equal)
{
    size_t first = lo;
    if (or_equal) {
        for (size_t i = lo; i < hi; i++) {
            double v = a[i];
            size_t below = v <= pivot;
            a[i] = a[first];
            a[first] = v;
            first += below;
        }
    } else {
        for (size_t i = lo; i < hi; i++) {
            double v = a[i];
            size_t below = v < pivot;
            a[i] = a[first];
            a[first] = v;
            first += below;
        }
    }
    return first;
}

static double choose_pivot(const double *a, size_t lo, size_t hi)
{
    size_t n = hi - lo + 1, mid = lo + n / 2, pi;
    if (n >= 128) {
        size_t s = n / 8;
        pi = med3(a, med3(a, lo, lo + s, lo + 2 * s),
                  med3(a, mid - s, mid, mid + s),
                  med3(a, hi - 2 * s, hi - s, hi));
    } else {
        pi = med3(a, lo, mid, hi);
    }
    return a[pi];
}

/* Puts the order statistics ks[0..nk-1] (ascending, in [lo, hi]) of
 * a[lo..hi] in their sorted places. */
static void multi_select(double *a, size_t lo, size_t hi, const size_t *ks,
                         size_t nk, int depth)
{
    while (nk > 0) {
        if (hi - lo < SMALL_RANGE) {
            insertion_sort(a + lo, hi - lo + 1);
            return;
        }
        if (depth-- <= 0) {
            heap_sort(a + lo, hi - lo + 1);
            return;
        }
        /* a[lo..m) < pivot <= a[m..hi]; the pivot's own copy is on the
         * right, so the right part is never empty. */
        double pivot = choose_pivot(a, lo, hi);
        size_t m = partition_below(a, lo, hi + 1, pivot, 0);
        size_t e = m;
        if (m == lo) {
            /* The pivot is the smallest: split off its copies, which are
             * in their sorted places already. */
            e = partition_below(a, lo, hi + 1, pivot, 1);
        }
        size_t nl = 0;                    /* wanted indices left of m */
        while (nl < nk && ks[nl] < m)
            nl++;
        if (nl > 0)
            multi_select(a, lo, m - 1, ks, nl, depth);
        ks += nl;
        nk -= nl;
        while (nk > 0 && ks[0] < e) {     /* among the copies: done */
            ks++;
            nk--;
        }
        lo = e;
    }
}

static int cmp_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

size_t mc_q_pos_(size_t n, double p, double *frac)
{
    double h = (double)(n - 1) * p;
    if (!(h > 0)) {                       /* p <= 0 (or NaN) */
        *frac = 0;
        return 0;
    }
    if (h >= (double)(n - 1)) {
        *frac = 0;
        return n - 1;
    }
    double fj = floor(h);
    *frac = h - fj;
    return (size_t)fj;
}

double mc_interpolate_(double lo, double hi, double frac)
{
    if (frac == 0 || lo == hi)
        return lo;                        /* also inf, inf: never NaN */
    if (isinf(lo))
        return lo;
    if (isinf(hi))
        return hi;
    double d = hi - lo;
    if (isinf(d))                         /* the difference overflows */
        return (1 - frac) * lo + frac * hi;
    return lo + frac * d;
}

/* 2 log2(n) partition levels, then heap sort. */
static int depth_limit(size_t n)
{
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    return depth + 4;
}

void mc_select_(double *x, size_t n, const size_t *ks, size_t nk)
{
    if (n > 0)
        multi_select(x, 0, n - 1, ks, nk, depth_limit(n));
}

void mc_quantiles(double *x, size_t n, const double *probs, size_t k,
                  double *out)
{
    if (n == 0) {
        for (size_t i = 0; i < k; i++)
            out[i] = (double)NAN;
        return;
    }
    int depth = depth_limit(n);

    for (size_t b = 0; b < k; b += BATCH / 2) {
        size_t nb = k - b < BATCH / 2 ? k - b : BATCH / 2;
        size_t ks[BATCH], nk = 0;
        for (size_t i = 0; i < nb; i++) {
            double frac;
            size_t j = mc_q_pos_(n, probs[b + i], &frac);
            ks[nk++] = j;
            if (frac > 0)
                ks[nk++] = j + 1;
        }
        qsort(ks, nk, sizeof ks[0], cmp_size);
        size_t u = 0;                     /* drop repeats */
        for (size_t i = 0; i < nk; i++)
            if (u == 0 || ks[i] != ks[u - 1])
                ks[u++] = ks[i];
        multi_select(x, 0, n - 1, ks, u, depth);
        for (size_t i = 0; i < nb; i++) {
            double frac;
            size_t j = mc_q_pos_(n, probs[b + i], &frac);
            out[b + i] = frac > 0 ? mc_interpolate_(x[j], x[j + 1], frac)
                                  : x[j];
        }
    }
}

/* ---- summary -------------------------------------------------------- */

void mc_stats_compute(const double *x, size_t n, double p_le,
                      double *scratch, mc_stats *out)
{
    /* One block of all n values: mc_sacc_block's corrected two-pass sums
     * on scaled values, then the quantiles on a copy. */
    mc_sacc a;
    mc_sacc_block(x, n, p_le, &a);
    mc_sacc_stats(&a, !isnan(p_le), out);
    for (int i = 0; i < MC_NQ; i++)
        out->q[i] = out->q_lo[i] = out->q_hi[i] = (double)NAN;
    if (n > 0) {
        for (size_t i = 0; i < n; i++)
            scratch[i] = x[i];
        mc_quantiles(scratch, n, mc_summary_probs, MC_NQ, out->q);
        /* the intervals' order statistics, selected in the same array */
        for (int i = 0; i < MC_NQ; i++) {
            size_t r[2];
            mc_quantile_ci_ranks(n, mc_summary_probs[i], MC_LEVEL, &r[0],
                                 &r[1]);
            mc_select_(scratch, n, r, r[0] < r[1] ? 2 : 1);
            out->q_lo[i] = scratch[r[0]];
            out->q_hi[i] = scratch[r[1]];
        }
    }
}

/* ---- summaries merged block by block -------------------------------- */

void mc_sacc_init(mc_sacc *a)
{
    memset(a, 0, sizeof *a);
    a->mean = a->m2 = 0;
    a->min = a->max = (double)NAN;
}

void mc_sacc_block(const double *x, size_t len, double p_le, mc_sacc *out)
{
    mc_sacc a;
    mc_sacc_init(&a);
    if (len == 0) {
        *out = a;
        return;
    }
    /* Pass 1, in index order: counts, extremes, the largest finite
     * magnitude.  Passes 2 and 3 work on x * 2^-e with 2^e >= amax, so
     * neither the sum nor the sum of squares can overflow however large
     * the values (1e200 squared is past the double range).  A power of two
     * scales exactly: in ordinary ranges the result is bit for bit what
     * the unscaled sums give.  The variance is the corrected two-pass
     * algorithm of Chan, Golub and LeVeque: the deviations' own sum
     * corrects the first mean. */
    size_t nf = 0, n_le = 0, never = 0;
    double lo = x[0], hi = x[0], amax = 0;
    for (size_t i = 0; i < len; i++) {
        double v = x[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        n_le += v <= p_le;
        int fin = v < (double)INFINITY && v > -(double)INFINITY;
        nf += (size_t)fin;
        never += v == (double)INFINITY;
        double m = fin ? fabs(v) : 0;
        amax = m > amax ? m : amax;
    }
    a.n = len;
    a.never = never;
    a.finite = nf;
    a.min = lo;
    a.max = hi;
    a.n_le = n_le;
    if (nf > 0) {
        int e = 0;
        if (amax > 0)
            (void)frexp(amax, &e);
        double scale = ldexp(1.0, -e), sum = 0;
        for (size_t i = 0; i < len; i++)
            if (isfinite(x[i]))
                sum += x[i] * scale;
        double m = sum / (double)nf, dsum = 0, ss = 0;
        for (size_t i = 0; i < len; i++)
            if (isfinite(x[i])) {
                double d = x[i] * scale - m;
                dsum += d;
                ss += d * d;
            }
        double m2 = ss - dsum * dsum / (double)nf;
        a.mean = (m + dsum / (double)nf) / scale;
        a.m2 = m2 > 0 ? m2 : 0;
        a.e = e;
    }
    *out = a;
}

void mc_sacc_merge(mc_sacc *a, const mc_sacc *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    a->min = b->min < a->min ? b->min : a->min;
    a->max = b->max > a->max ? b->max : a->max;
    a->n_le += b->n_le;
    a->never += b->never;
    a->n += b->n;
    if (b->finite == 0)
        return;
    if (a->finite == 0) {
        a->finite = b->finite;
        a->mean = b->mean;
        a->m2 = b->m2;
        a->e = b->e;
        return;
    }
    /* Chan, Golub and LeVeque's update, at the larger of the two scales. */
    int e = a->e > b->e ? a->e : b->e;
    double na = (double)a->finite, nb = (double)b->finite, nn = na + nb;
    double ma = ldexp(a->mean, -e), mb = ldexp(b->mean, -e), d = mb - ma;
    a->m2 = ldexp(a->m2, 2 * (a->e - e)) + ldexp(b->m2, 2 * (b->e - e)) +
            d * d * (na * nb / nn);
    a->mean = ldexp(ma + d * (nb / nn), e);
    a->e = e;
    a->finite += b->finite;
}

void mc_sacc_stats(const mc_sacc *a, int with_p_le, mc_stats *out)
{
    out->n = a->n;
    out->never = a->never;
    out->mean = out->sd = out->mcse = (double)NAN;
    out->min = a->min;
    out->max = a->max;
    out->p_le = with_p_le && a->n > 0
                      ? (double)a->n_le / (double)a->n : (double)NAN;
    out->p_le_lo = out->p_le_hi = (double)NAN;
    if (with_p_le && a->n > 0)
        mc_wilson(a->n_le, a->n, MC_LEVEL, &out->p_le_lo, &out->p_le_hi);
    if (a->finite > 0)
        out->mean = a->mean;
    out->mean_lo = out->mean_hi = (double)NAN;
    if (a->finite > 1) {
        double var = a->m2 / (double)(a->finite - 1);
        out->sd = ldexp(sqrt(var), a->e);
        out->mcse = out->sd / sqrt((double)a->finite);
        double z = mc_z(MC_LEVEL);
        out->mean_lo = out->mean - z * out->mcse;
        out->mean_hi = out->mean + z * out->mcse;
    }
}
