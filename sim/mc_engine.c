/* mc_engine.c: parallel sampling, summary and curve of a scenario. */
#include "mc_engine.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_model.h"
#include "mc_rng.h"

const char *const mc_column_names[MC_NCOLS] = {
    "final_run_gpu_hours", "overhead", "nodes", "gpus_per_node",
    "representativeness", "monthly_growth", "power_ratio", "pue_ratio",
    "lifetime_days", "gpu_hour_usd",
    "training_gpu_hours", "inference_gpu_hours_per_day",
    "break_even_days", "break_even_days_energy",
    "multiplier", "multiplier_energy",
    "break_even_days_final_run", "break_even_days_energy_final_run",
    "multiplier_final_run", "multiplier_energy_final_run",
    "training_usd", "inference_usd_per_day",
};

const int mc_curve_metric_col[MC_NCURVE] = {
    MC_COL_M, MC_COL_M_ENERGY, MC_COL_M_FINAL, MC_COL_M_ENERGY_FINAL};
const int mc_curve_be_col[MC_NCURVE] = {
    MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_BE_FINAL, MC_COL_BE_ENERGY_FINAL};

static const double curve_probs[MC_NCURVE_Q] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* Samples per progress step: large enough that starting a parallel
 * region is negligible, small enough for a smooth progress bar. */
#define CHUNK ((size_t)1 << 18)
/* Samples per block of the curve's pass: its multipliers stay in L1. */
#define CURVE_BLOCK 512

static int resolve_threads(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
}

double mc_engine_memory_bytes(const mc_scenario *s, int threads)
{
    double n = (double)s->samples;
    int t = resolve_threads(threads);
    /* the columns, the growth rates and energy factors, and per thread
       one column of scratch and the curve's brackets */
    double bracket = (double)mc_bracket_bytes((size_t)s->samples, curve_probs,
                                              MC_NCURVE_Q);
    return 8.0 * n * (MC_NCOLS + 2 + (double)t) +
           (double)t * MC_NCURVE * bracket;
}

static void report(mc_progress_fn progress, void *ctx, const char *phase,
                   double fraction)
{
    if (progress != NULL)
        progress(ctx, phase, fraction);
}

static double draw(const mc_input *in, const gsl_rng *r, uint64_t seed,
                   uint64_t i)
{
    mc_rng_seek(r, seed, in->stream, i);
    return mc_dist_sample(&in->dist, r);
}

/* Draws and evaluates samples [lo, hi) with the generator r. */
static void sample_range(const mc_scenario *s, const gsl_rng *r, size_t lo,
                         size_t hi, double *const *col)
{
    for (size_t i = lo; i < hi; i++) {
        double F = 0.0;
        for (size_t k = 0; k < s->n_stages; k++)
            F += draw(&s->stages[k], r, s->seed, i);
        double v[MC_IN_COUNT];
        for (int j = 0; j < MC_IN_COUNT; j++)
            v[j] = draw(&s->inputs[j], r, s->seed, i);

        mc_draw d = {
            .F = F, .k = v[MC_IN_OVERHEAD], .n = v[MC_IN_NODES],
            .gn = v[MC_IN_GPUS_PER_NODE], .R = v[MC_IN_REPRESENTATIVENESS],
            .m = v[MC_IN_MONTHLY_GROWTH], .r = v[MC_IN_POWER_RATIO],
            .p = v[MC_IN_PUE_RATIO], .L = v[MC_IN_LIFETIME_DAYS],
            .c = v[MC_IN_GPU_HOUR_USD]};
        mc_outcome o;
        mc_model_eval(&d, &o);

        col[MC_COL_F][i] = F;
        for (int j = 0; j < MC_IN_COUNT; j++)
            col[MC_COL_INPUT0 + j][i] = v[j];
        col[MC_COL_T][i] = o.T;
        col[MC_COL_I0][i] = o.I0;
        col[MC_COL_BE][i] = o.break_even;
        col[MC_COL_BE_ENERGY][i] = o.break_even_energy;
        col[MC_COL_M][i] = o.multiplier;
        col[MC_COL_M_ENERGY][i] = o.multiplier_energy;
        col[MC_COL_BE_FINAL][i] = o.break_even_final;
        col[MC_COL_BE_ENERGY_FINAL][i] = o.break_even_energy_final;
        col[MC_COL_M_FINAL][i] = o.multiplier_final;
        col[MC_COL_M_ENERGY_FINAL][i] = o.multiplier_energy_final;
        col[MC_COL_TRAINING_USD][i] = o.training_usd;
        col[MC_COL_INFERENCE_USD][i] = o.inference_usd_per_day;
    }
}

static int is_multiplier(int c)
{
    for (int m = 0; m < MC_NCURVE; m++)
        if (mc_curve_metric_col[m] == c)
            return 1;
    return 0;
}

/* What the curve reads of each sample. */
typedef struct curve_in {
    size_t n;
    const double *I0, *g, *energy, *T, *F;
} curve_in;

/* The four multipliers at horizon h of the samples first .. first+len-1,
 * len <= CURVE_BLOCK, into x[m][0..len), m in mc_curve_metric_col order.
 * The operations are mc_model_eval's, so are the bits (test_engine
 * compares them): C(h) = I0 mc_cumulative_days(g, h) is common to all
 * four, only the numerator and the energy factor change.  expm1, a call,
 * gets a loop of its own so that the rest vectorizes, mc_cumulative_days'
 * division too (for g = 0 it divides h by 1). */
static void multipliers(const curve_in *in, double h, size_t first,
                        size_t len, double x[restrict MC_NCURVE][CURVE_BLOCK])
{
    double num[CURVE_BLOCK], den[CURVE_BLOCK];
    const double *g = in->g + first, *I0 = in->I0 + first;
    const double *T = in->T + first, *F = in->F + first;
    const double *energy = in->energy + first;
    for (size_t j = 0; j < len; j++) {
        num[j] = g[j] == 0.0 ? h : expm1(g[j] * h);
        den[j] = g[j] == 0.0 ? 1.0 : g[j];
    }
    for (size_t j = 0; j < len; j++) {
        double C = I0[j] * (num[j] / den[j]), eC = energy[j] * C;
        x[0][j] = 1.0 + T[j] / C;
        x[1][j] = 1.0 + T[j] / eC;
        x[2][j] = 1.0 + F[j] / C;
        x[3][j] = 1.0 + F[j] / eC;
    }
}

/* Adds x[m][0..len) to sum[m] one by one in index order, as a plain loop
 * over one column would, so that the means keep their bits, and counts
 * the values <= 2 into le2[m].  The four sums advance together, in
 * registers, with the counts in the time each addition waits for the one
 * before: not inlined, because in curve_at's loop (which calls functions)
 * GCC keeps the sums in memory and the additions also wait on stores. */
__attribute__((noinline))
static void sum_and_count(double sum[MC_NCURVE], size_t le2[MC_NCURVE],
                          const double x[MC_NCURVE][CURVE_BLOCK], size_t len)
{
    double s0 = sum[0], s1 = sum[1], s2 = sum[2], s3 = sum[3];
    size_t c0 = le2[0], c1 = le2[1], c2 = le2[2], c3 = le2[3];
    for (size_t j = 0; j < len; j++) {
        s0 += x[0][j];
        s1 += x[1][j];
        s2 += x[2][j];
        s3 += x[3][j];
        c0 += x[0][j] <= 2.0;
        c1 += x[1][j] <= 2.0;
        c2 += x[2][j] <= 2.0;
        c3 += x[3][j] <= 2.0;
    }
    sum[0] = s0;
    sum[1] = s1;
    sum[2] = s2;
    sum[3] = s3;
    le2[0] = c0;
    le2[1] = c1;
    le2[2] = c2;
    le2[3] = c3;
}

/* The curve at horizon h but P(break-even <= h), in one pass over the
 * samples: the brackets br (mc_bracket_new) stand in for selecting among
 * all n multipliers, which are never stored.  full: n doubles, used only
 * where a bracket misses. */
static void curve_at(const curve_in *in, double h, mc_bracket *const *br,
                     double *full, mc_curve_point *pt)
{
    size_t n = in->n, m_pilot = mc_bracket_pilot_len(br[0]);
    double x[MC_NCURVE][CURVE_BLOCK];

    /* The samples are independent draws: the first ones make as good a
       pilot as every stride'th, and are faster to read. */
    for (size_t lo = 0; lo < m_pilot; lo += CURVE_BLOCK) {
        size_t len = m_pilot - lo < CURVE_BLOCK ? m_pilot - lo : CURVE_BLOCK;
        multipliers(in, h, lo, len, x);
        for (int m = 0; m < MC_NCURVE; m++)
            memcpy(mc_bracket_pilot(br[m]) + lo, x[m], len * sizeof(double));
    }
    for (int m = 0; m < MC_NCURVE; m++)
        mc_bracket_begin(br[m]);

    double sum[MC_NCURVE] = {0.0, 0.0, 0.0, 0.0};
    size_t le2[MC_NCURVE] = {0, 0, 0, 0};
    for (size_t lo = 0; lo < n; lo += CURVE_BLOCK) {
        size_t len = n - lo < CURVE_BLOCK ? n - lo : CURVE_BLOCK;
        multipliers(in, h, lo, len, x);
        sum_and_count(sum, le2, x, len);
        for (int m = 0; m < MC_NCURVE; m++)
            mc_bracket_add(br[m], x[m], len);
    }

    for (int m = 0; m < MC_NCURVE; m++) {
        pt[m].mean = sum[m] / (double)n;
        pt[m].p_le_2 = (double)le2[m] / (double)n;
        if (mc_bracket_finish(br[m], pt[m].q) == 0)
            continue;
        for (size_t lo = 0; lo < n; lo += CURVE_BLOCK) {
            size_t len = n - lo < CURVE_BLOCK ? n - lo : CURVE_BLOCK;
            multipliers(in, h, lo, len, x);
            memcpy(full + lo, x[m], len * sizeof(double));
        }
        mc_quantiles(full, n, curve_probs, MC_NCURVE_Q, pt[m].q);
    }
}

/* Index of the first of the increasing horizons hs[0..nh) that be
 * reaches (be <= hs[k]), or nh if none (also for NaN).  A binary search
 * that moves by conditional moves: be is as good as random, jumps on it
 * would mostly be mispredicted. */
static size_t first_reached(const double *hs, size_t nh, double be)
{
    if (nh == 0)
        return 0;
    const double *base = hs;             /* the answer is in base[0..len] */
    for (size_t len = nh; len > 1; len -= len / 2)
        base = be <= base[len / 2 - 1] ? base : base + len / 2;
    return (size_t)(base - hs) + !(be <= *base);
}

/* P(break-even <= h) of every horizon, from one pass over the break-even
 * columns rather than one per horizon: each sample adds to the count of
 * the first horizon it reaches (horizons increase, mc_scenario.h), and
 * running sums of those counts give the share reached by each horizon.
 * first: nt * MC_NCURVE * (nh + 1) zeroed counts, a slice per thread. */
static void break_even_shares(mc_run *run, int nt, size_t *first)
{
    size_t n = run->n, nh = run->n_horizons;
    #pragma omp parallel num_threads(nt)
    {
        size_t *mine = first + (size_t)omp_get_thread_num() * MC_NCURVE *
                                   (nh + 1);
        #pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++)
            for (int m = 0; m < MC_NCURVE; m++)
                mine[(size_t)m * (nh + 1) +
                     first_reached(run->horizons, nh,
                                   run->col[mc_curve_be_col[m]][i])]++;
    }
    for (int m = 0; m < MC_NCURVE; m++) {
        size_t reached = 0;
        for (size_t h = 0; h < nh; h++) {
            for (int t = 0; t < nt; t++)
                reached += first[((size_t)t * MC_NCURVE + (size_t)m) *
                                 (nh + 1) + h];
            run->curve[h * MC_NCURVE + (size_t)m].p_break_even =
                (double)reached / (double)n;
        }
    }
}

void mc_run_free(mc_run *run)
{
    for (int c = 0; c < MC_NCOLS; c++)
        free(run->col[c]);
    free(run->horizons);
    free(run->curve);
    memset(run, 0, sizeof *run);
}

int mc_engine_run(const mc_scenario *s, int threads, mc_progress_fn progress,
                  void *ctx, mc_run *out, char *msg, size_t len)
{
    double t0 = omp_get_wtime();
    int nt = resolve_threads(threads);
    size_t n = (size_t)s->samples, nh = s->n_horizons;
    mc_run run;
    memset(&run, 0, sizeof run);
    gsl_rng **rngs = calloc((size_t)nt, sizeof *rngs);
    double **work = calloc((size_t)nt, sizeof *work);
    mc_bracket **br = calloc((size_t)nt * MC_NCURVE, sizeof *br);
    /* per thread and break-even column: how many samples first reach
       each horizon (the last slot: none) */
    size_t *first = calloc((size_t)nt * MC_NCURVE * (nh + 1), sizeof *first);
    double *g = NULL, *energy = NULL;
    int rc = -1;

    run.n = n;
    run.threads = nt;
    run.n_horizons = nh;
    for (int c = 0; c < MC_NCOLS; c++)
        if ((run.col[c] = malloc(n * sizeof(double))) == NULL)
            goto fail;
    run.horizons = malloc(nh * sizeof(double));
    run.curve = malloc(nh * MC_NCURVE * sizeof(mc_curve_point));
    g = malloc(n * sizeof(double));
    energy = malloc(n * sizeof(double));
    if (rngs == NULL || work == NULL || br == NULL || first == NULL ||
        run.horizons == NULL || run.curve == NULL || g == NULL ||
        energy == NULL)
        goto fail;
    memcpy(run.horizons, s->horizons, nh * sizeof(double));
    for (int t = 0; t < nt; t++) {
        rngs[t] = mc_rng_alloc();
        work[t] = malloc(n * sizeof(double));
        if (rngs[t] == NULL || work[t] == NULL)
            goto fail;
        for (int m = 0; m < MC_NCURVE; m++)
            if ((br[t * MC_NCURVE + m] = mc_bracket_new(n, curve_probs,
                                                        MC_NCURVE_Q)) == NULL)
                goto fail;
    }

    /* 1. Sampling, in chunks so that progress is reported between
          parallel regions. */
    for (size_t lo = 0; lo < n; lo += CHUNK) {
        size_t hi = n - lo < CHUNK ? n : lo + CHUNK;
        report(progress, ctx, "sampling", (double)lo / (double)n);
        #pragma omp parallel num_threads(nt)
        {
            const gsl_rng *r = rngs[omp_get_thread_num()];
            #pragma omp for schedule(static)
            for (size_t b = lo; b < hi; b += 1024)
                sample_range(s, r, b, hi - b < 1024 ? hi : b + 1024,
                             run.col);
        }
    }
    report(progress, ctx, "sampling", 1.0);

    /* 2. Summary of every output, one output per task. */
    #pragma omp parallel for schedule(dynamic) num_threads(nt)
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        int c = MC_COL_T + k;
        mc_stats_compute(run.col[c], n, is_multiplier(c),
                         work[omp_get_thread_num()], &run.stats[k]);
    }

    /* 3. The curve, one horizon per task. */
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (size_t i = 0; i < n; i++) {
        g[i] = mc_growth_rate(run.col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH][i]);
        energy[i] = run.col[MC_COL_INPUT0 + MC_IN_POWER_RATIO][i] *
                    run.col[MC_COL_INPUT0 + MC_IN_PUE_RATIO][i];
    }
    curve_in in = {.n = n, .I0 = run.col[MC_COL_I0], .g = g, .energy = energy,
                   .T = run.col[MC_COL_T], .F = run.col[MC_COL_F]};
    break_even_shares(&run, nt, first);
    size_t step = (size_t)nt * 4;
    for (size_t h0 = 0; h0 < nh; h0 += step) {
        size_t h1 = nh - h0 < step ? nh : h0 + step;
        report(progress, ctx, "curve", (double)h0 / (double)nh);
        #pragma omp parallel for schedule(dynamic) num_threads(nt)
        for (size_t h = h0; h < h1; h++) {
            int t = omp_get_thread_num();
            curve_at(&in, run.horizons[h], br + t * MC_NCURVE, work[t],
                     run.curve + h * MC_NCURVE);
        }
    }
    report(progress, ctx, "curve", 1.0);

    run.seconds = omp_get_wtime() - t0;
    *out = run;
    memset(&run, 0, sizeof run);
    rc = 0;
fail:
    if (rc != 0)
        snprintf(msg, len, "out of memory for %zu samples (%.1f GiB needed)",
                 n, mc_engine_memory_bytes(s, nt) / 1073741824.0);
    if (rngs != NULL)
        for (int t = 0; t < nt; t++)
            gsl_rng_free(rngs[t]);
    if (work != NULL)
        for (int t = 0; t < nt; t++)
            free(work[t]);
    if (br != NULL)
        for (int t = 0; t < nt * MC_NCURVE; t++)
            mc_bracket_free(br[t]);
    free(rngs);
    free(work);
    free(br);
    free(first);
    free(g);
    free(energy);
    mc_run_free(&run);
    return rc;
}
