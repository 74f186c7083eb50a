/* mc_sobol.c: Sobol' indices from a Saltelli design, with percentile
 * bootstrap intervals (estimators and references in mc_sobol.h). */
#include "mc_sobol.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "mc_results.h"
#include "mc_rng.h"

/* The indices of every factor from the design's rows, row j counted w[j]
 * times (w NULL: once each, the point estimate; a resample's counts sum
 * to N), written to s1[i * stride] and st[i * stride].  Weights rather
 * than a list of drawn rows: every sum then runs over the arrays in
 * order, without gathers, whatever rows were drawn.  Returns 0, or -1
 * when the values of A and B in the rows counted are all equal: V is
 * then exactly 0, which the computed V would not always show (the mean
 * of 2N equal values can round away from them). */
static int estimate(const double *yA, const double *yB, const double *yAB,
                    size_t N, size_t d, const double *w, double *s1,
                    double *st, size_t stride)
{
    size_t j0 = 0;
    while (w != NULL && w[j0] == 0.0)
        j0++;
    double first = yA[j0], sum = 0.0;
    int varies = 0;
    for (size_t j = 0; j < N; j++) {
        double wj = w != NULL ? w[j] : 1.0;
        /* bitwise, not short-circuit: no branch in the loop */
        varies |= (wj != 0.0) & ((yA[j] != first) | (yB[j] != first));
        sum += wj * (yA[j] + yB[j]);
    }
    if (!varies)
        return -1;
    double mu = sum / (double)(2 * N);
    double ss = 0.0;
    for (size_t j = 0; j < N; j++) {
        double a = yA[j] - mu, b = yB[j] - mu;
        ss += (w != NULL ? w[j] : 1.0) * (a * a + b * b);
    }
    double V = ss / (double)(2 * N);
    for (size_t i = 0; i < d; i++) {
        const double *ab = yAB + i * N;
        double sf = 0.0, stt = 0.0;
        for (size_t j = 0; j < N; j++) {
            double wj = w != NULL ? w[j] : 1.0;
            double diff = ab[j] - yA[j];      /* centring cancels here */
            sf += wj * (yB[j] - mu) * diff;
            stt += wj * diff * diff;
        }
        s1[i * stride] = sf / (double)N / V;
        st[i * stride] = stt / (double)(2 * N) / V;
    }
    return 0;
}

/* The percentile interval of the resamples x[0..n) that have a value
 * (the others are NaN), at level; x is reordered. */
static void percentile(double *x, size_t n, double level, double *lo,
                       double *hi)
{
    size_t m = 0;
    for (size_t b = 0; b < n; b++)
        if (!isnan(x[b]))
            x[m++] = x[b];
    if (m == 0) {
        *lo = *hi = (double)NAN;
        return;
    }
    double probs[2] = {(1.0 - level) / 2.0, (1.0 + level) / 2.0};
    double q[2];
    mc_quantiles(x, m, probs, 2, q);
    *lo = q[0];
    *hi = q[1];
}

static void all_nan(mc_sobol_idx *out, size_t d)
{
    for (size_t i = 0; i < d; i++)
        out[i] = (mc_sobol_idx){NAN, NAN, NAN, NAN, NAN, NAN};
}

/* One output's values on the design. */
typedef struct design {
    const double *yA, *yB, *yAB;
} design;

static int all_finite(const design *y, size_t N, size_t d)
{
    for (size_t j = 0; j < N; j++)
        if (!isfinite(y->yA[j]) || !isfinite(y->yB[j]))
            return 0;
    for (size_t k = 0; k < d * N; k++)
        if (!isfinite(y->yAB[k]))
            return 0;
    return 1;
}

/* The indices of outputs y[0..n_out) into out[o * d + i], each resample's
 * rows drawn once for all outputs.  defined[o]: 1 if output o has
 * indices, else 0 and out[o * d ..] NaN.  Returns 0, or -2 (memory,
 * arguments; out untouched). */
static int indices(const design *y, size_t n_out, size_t N, size_t d,
                   size_t n_boot, double level, uint64_t seed, int threads,
                   mc_sobol_idx *out, int *defined)
{
    if (N < 2 || N > UINT32_MAX || d == 0 || !(level > 0.0 && level < 1.0))
        return -2;
    /* boot[((o * 2 + k) * d + i) * n_boot + b]: index k (0: S1, 1: ST)
       of factor i for output o in resample b */
    size_t nb = n_boot > 0 ? n_boot : 1;
    double *pt = malloc(n_out * 2 * d * sizeof(double));
    double *boot = malloc(n_out * 2 * d * nb * sizeof(double));
    int *ok = malloc(n_out * sizeof *ok);
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if (n_boot < (size_t)nt)
        nt = n_boot > 0 ? (int)n_boot : 1;
    gsl_rng **rngs = calloc((size_t)nt, sizeof *rngs);
    double *weights = malloc((size_t)nt * N * sizeof *weights);
    int rc = -2;
    if (pt == NULL || boot == NULL || ok == NULL || rngs == NULL ||
        weights == NULL)
        goto out;
    for (int t = 0; t < nt; t++)
        if ((rngs[t] = mc_rng_alloc()) == NULL)
            goto out;

    for (size_t o = 0; o < n_out; o++) {
        double *p = pt + o * 2 * d;
        ok[o] = all_finite(&y[o], N, d) &&
                estimate(y[o].yA, y[o].yB, y[o].yAB, N, d, NULL, p, p + d,
                         1) == 0;
    }

    /* Each resample is one thread's, start to end, and writes only its
       own slots. */
    uint32_t stream = mc_rng_stream_id(MC_SOBOL_BOOT_NAME);
#pragma omp parallel for schedule(static) num_threads(nt) default(none) \
    shared(y, n_out, N, d, n_boot, seed, rngs, weights, boot, ok, stream)
    for (size_t b = 0; b < n_boot; b++) {
        int t = omp_get_thread_num();
        const gsl_rng *r = rngs[t];
        double *w = weights + (size_t)t * N;
        mc_rng_seek(r, seed, stream, b);
        for (size_t j = 0; j < N; j++)
            w[j] = 0.0;
        for (size_t j = 0; j < N; j++)      /* N rows with replacement */
            w[gsl_rng_uniform_int(r, (unsigned long)N)] += 1.0;
        for (size_t o = 0; o < n_out; o++) {
            double *s1 = boot + o * 2 * d * n_boot + b;
            double *st = s1 + d * n_boot;
            if (ok[o] && estimate(y[o].yA, y[o].yB, y[o].yAB, N, d, w, s1,
                                  st, n_boot) != 0)
                for (size_t i = 0; i < d; i++)
                    s1[i * n_boot] = st[i * n_boot] = (double)NAN;
        }
    }

    for (size_t o = 0; o < n_out; o++) {
        mc_sobol_idx *x = out + o * d;
        defined[o] = ok[o];
        if (!ok[o]) {
            all_nan(x, d);
            continue;
        }
        const double *p = pt + o * 2 * d;
        double *s1 = boot + o * 2 * d * n_boot, *st = s1 + d * n_boot;
        for (size_t i = 0; i < d; i++) {
            x[i].S1 = p[i];
            x[i].ST = p[d + i];
            percentile(s1 + i * n_boot, n_boot, level, &x[i].S1_lo,
                       &x[i].S1_hi);
            percentile(st + i * n_boot, n_boot, level, &x[i].ST_lo,
                       &x[i].ST_hi);
        }
    }
    rc = 0;
out:
    for (int t = 0; rngs != NULL && t < nt; t++)
        gsl_rng_free(rngs[t]);       /* NULL (calloc) where not allocated */
    free(rngs);
    free(weights);
    free(ok);
    free(boot);
    free(pt);
    return rc;
}

int mc_sobol_indices(const double *yA, const double *yB, const double *yAB,
                     size_t N, size_t d, size_t n_boot, double level,
                     uint64_t seed, int threads, mc_sobol_idx *out)
{
    design y = {yA, yB, yAB};
    int defined;
    if (indices(&y, 1, N, d, n_boot, level, seed, threads, out, &defined) !=
        0)
        return -2;
    return defined ? 0 : -1;
}

int mc_sobol_indices_all(const double *y, size_t n_out, size_t N, size_t d,
                         size_t n_boot, double level, uint64_t seed,
                         int threads, mc_sobol_idx *out)
{
    if (n_out == 0)
        return 0;
    design *ys = malloc(n_out * sizeof *ys);
    int *defined = malloc(n_out * sizeof *defined);
    int rc = -2;
    if (ys != NULL && defined != NULL) {
        for (size_t o = 0; o < n_out; o++) {
            const double *yA = y + mc_sobol_at(N, d, o, 0, 0);
            ys[o] = (design){yA, yA + N, yA + 2 * N};
        }
        rc = indices(ys, n_out, N, d, n_boot, level, seed, threads, out,
                     defined);
    }
    free(defined);
    free(ys);
    return rc;
}
