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

static int resolve_threads(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
}

double mc_engine_memory_bytes(const mc_scenario *s, int threads)
{
    double n = (double)s->samples;
    int t = resolve_threads(threads);
    /* the columns, the growth rates, and per thread the larger of the
       summary scratch (1 column) and the curve buffers (MC_NCURVE) */
    return 8.0 * n * (MC_NCOLS + 1 + (double)t * MC_NCURVE);
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

/* The four multipliers of every sample at horizon h, into buf[m * n + i].
 * C(h) is the same for all four: only the numerator and the energy factor
 * change, as in mc_model_eval. */
static void multipliers_at(const mc_run *run, const double *g, double h,
                           double *buf)
{
    size_t n = run->n;
    double *const *col = run->col;
    for (size_t i = 0; i < n; i++) {
        double C = col[MC_COL_I0][i] * mc_cumulative_days(g[i], h);
        double energy = col[MC_COL_INPUT0 + MC_IN_POWER_RATIO][i] *
                        col[MC_COL_INPUT0 + MC_IN_PUE_RATIO][i];
        double T = col[MC_COL_T][i], F = col[MC_COL_F][i];
        buf[i] = 1.0 + T / C;
        buf[n + i] = 1.0 + T / (energy * C);
        buf[2 * n + i] = 1.0 + F / C;
        buf[3 * n + i] = 1.0 + F / (energy * C);
    }
}

static void curve_point(const double *be, double h, double *x, size_t n,
                        mc_curve_point *pt)
{
    double sum = 0.0;
    size_t le2 = 0, reached = 0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        le2 += x[i] <= 2.0;
        reached += be[i] <= h;
    }
    pt->mean = sum / (double)n;
    pt->p_le_2 = (double)le2 / (double)n;
    pt->p_break_even = (double)reached / (double)n;
    mc_quantiles(x, n, curve_probs, MC_NCURVE_Q, pt->q);   /* reorders x */
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
    double *g = NULL;
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
    if (rngs == NULL || work == NULL || run.horizons == NULL ||
        run.curve == NULL || g == NULL)
        goto fail;
    memcpy(run.horizons, s->horizons, nh * sizeof(double));
    for (int t = 0; t < nt; t++) {
        rngs[t] = mc_rng_alloc();
        work[t] = malloc(MC_NCURVE * n * sizeof(double));
        if (rngs[t] == NULL || work[t] == NULL)
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
    for (size_t i = 0; i < n; i++)
        g[i] = mc_growth_rate(run.col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH][i]);
    size_t step = (size_t)nt * 4;
    for (size_t h0 = 0; h0 < nh; h0 += step) {
        size_t h1 = nh - h0 < step ? nh : h0 + step;
        report(progress, ctx, "curve", (double)h0 / (double)nh);
        #pragma omp parallel for schedule(dynamic) num_threads(nt)
        for (size_t h = h0; h < h1; h++) {
            double *buf = work[omp_get_thread_num()];
            multipliers_at(&run, g, run.horizons[h], buf);
            for (int m = 0; m < MC_NCURVE; m++)
                curve_point(run.col[mc_curve_be_col[m]], run.horizons[h],
                            buf + (size_t)m * n, n,
                            &run.curve[h * MC_NCURVE + (size_t)m]);
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
    free(rngs);
    free(work);
    free(g);
    mc_run_free(&run);
    return rc;
}
