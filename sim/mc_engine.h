/* mc_engine.h: runs a scenario in parallel and writes its run folder.
 *
 * Sampling: sample i's draw of input X is a pure function of (seed,
 * stream of X, i) (distributions/mc_rng.h), so every number below is
 * identical whatever the thread count.  The parallel regions only
 * compute into disjoint slices; allocation, printing and progress
 * reports happen outside them.
 *
 * Ownership: mc_engine_run fills *run only on success; the caller frees
 * it with mc_run_free (which accepts a zeroed struct).
 */
#ifndef MC_ENGINE_H
#define MC_ENGINE_H

#include <stddef.h>

#include "mc_results.h"
#include "mc_scenario.h"

/* Columns of samples.csv after `sample`: the inputs, then the outputs. */
enum {
    MC_COL_F,                       /* final_run_gpu_hours */
    MC_COL_INPUT0,                  /* then mc_input_id order */
    MC_COL_T = MC_COL_INPUT0 + MC_IN_COUNT,
    MC_COL_I0,
    MC_COL_BE,
    MC_COL_BE_ENERGY,
    MC_COL_M,
    MC_COL_M_ENERGY,
    MC_COL_BE_FINAL,
    MC_COL_BE_ENERGY_FINAL,
    MC_COL_M_FINAL,
    MC_COL_M_ENERGY_FINAL,
    MC_COL_TRAINING_USD,
    MC_COL_INFERENCE_USD,
    MC_NCOLS
};
#define MC_NOUTPUTS (MC_NCOLS - MC_COL_T)
extern const char *const mc_column_names[MC_NCOLS];

/* The curve: for each horizon, each of the four multipliers. */
#define MC_NCURVE 4
#define MC_NCURVE_Q 5        /* p05 p25 p50 p75 p95 */
extern const int mc_curve_metric_col[MC_NCURVE];  /* multiplier columns */
extern const int mc_curve_be_col[MC_NCURVE];      /* matching break-even */

typedef struct mc_curve_point {
    double mean;
    double q[MC_NCURVE_Q];
    double p_le_2;        /* P(multiplier at h <= 2) */
    double p_break_even;  /* P(break-even day <= h) */
} mc_curve_point;

typedef struct mc_run {
    size_t n;                        /* samples */
    double *col[MC_NCOLS];           /* column-major samples */
    mc_stats stats[MC_NOUTPUTS];     /* summary, in column order */
    size_t n_horizons;
    double *horizons;
    mc_curve_point *curve;           /* [h * MC_NCURVE + metric] */
    int threads;                     /* threads used */
    double seconds;                  /* wall time of mc_engine_run */
} mc_run;

/* Called between chunks of work, outside parallel regions: phase is
 * "sampling", "summary" or "curve", fraction in [0, 1]. */
typedef void (*mc_progress_fn)(void *ctx, const char *phase, double fraction);

/* Bytes of memory a run of this scenario needs (for the memory check). */
double mc_engine_memory_bytes(const mc_scenario *s, int threads);

/* Samples the scenario, computes the summary and the curve.  threads <= 0:
 * OpenMP's default.  Returns 0, or -1 with msg (out of memory). */
int mc_engine_run(const mc_scenario *s, int threads, mc_progress_fn progress,
                  void *ctx, mc_run *run, char *msg, size_t len);

/* What manifest.json records beside the scenario. */
typedef struct mc_run_info {
    const char *config_path;   /* file read, or "(built-in)" */
    const char *started_utc;   /* ISO 8601 */
    double t_start;            /* omp_get_wtime() at the start of the run:
                                  wall time is measured from it */
} mc_run_info;

/* Writes samples.csv (if the scenario asks), summary.csv, curve.csv and
 * manifest.json into a temporary folder beside outdir and swaps it into
 * place when all are complete.  Returns 0, or -1 with msg. */
int mc_engine_write(const mc_run *run, const mc_scenario *s,
                    const mc_run_info *info, const char *outdir,
                    char *msg, size_t len);

void mc_run_free(mc_run *run);

#endif
