/* mc_engine.h: runs a scenario in parallel and writes its run folder.
 *
 * Sampling: sample i's draw of input X is a pure function of (seed,
 * stream of X, i) (distributions/mc_rng.h), so a sample can be drawn
 * again at no cost but time, and every number below is identical
 * whatever the thread count: samples are processed in blocks of
 * MC_BLOCK, each block's sums are merged in block order, and everything
 * else is an integer count, a minimum or a maximum.  Allocation and
 * progress reports happen outside the parallel regions.
 *
 * Ownership: mc_engine_run fills *run only on success; the caller frees
 * it with mc_run_free (which accepts a zeroed struct).
 */
#ifndef MC_ENGINE_H
#define MC_ENGINE_H

#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "mc_model.h"
#include "mc_results.h"
#include "mc_scenario.h"

/* The columns of a sample (MC_COL_*, MC_NCOLS, mc_column_names), the
 * outputs (MC_NOUTPUTS) and the curve's metrics (MC_NCURVE,
 * mc_curve_metric_col, mc_curve_be_col) are the model's: mc_model.h. */
#define MC_NCURVE_Q 5        /* p05 p25 p50 p75 p95 */

typedef struct mc_curve_point {
    double mean;
    double q[MC_NCURVE_Q];
    double p_le_2;        /* P(multiplier at h <= 2) */
    double p_break_even;  /* P(break-even day <= h) */
    /* Monte Carlo error at MC_LEVEL, as in mc_stats */
    double mean_lo, mean_hi;
    double q_lo[MC_NCURVE_Q], q_hi[MC_NCURVE_Q];
    double p_le_2_lo, p_le_2_hi, p_break_even_lo, p_break_even_hi;
} mc_curve_point;

/* A variant against the base on common random numbers (mc_variants.c):
 * per output, the statistics of the per-sample difference D = V - B
 * (variant minus base; 0 where both never break even, +inf where only
 * the variant never does, -inf where only the base never does): diff's
 * `never` counts the +inf, base_only_never the -inf, mean, sd and mcse
 * are over the finite D, quantiles (with intervals) over all D.  And the
 * shift of the median, median(V) - median(B), with its standard error
 * from Bahadur's representation (sparsity from each median's interval,
 * the joint count below both medians from the paired samples), and what
 * that error and the mean's would be for two independent runs. */
typedef struct mc_variant_diff {
    size_t n;
    mc_stats diff[MC_NOUTPUTS];
    size_t base_only_never[MC_NOUTPUTS];
    double mean_se_independent[MC_NOUTPUTS];  /* sqrt(mcse_B^2 + mcse_V^2) */
    double median_shift[MC_NOUTPUTS];
    double median_se[MC_NOUTPUTS], median_lo[MC_NOUTPUTS],
           median_hi[MC_NOUTPUTS];            /* shift -+ z se */
    double median_se_independent[MC_NOUTPUTS];
} mc_variant_diff;

/* A variant's results: its own summary and curve, and the comparison. */
typedef struct mc_variant_result {
    const char *name;                /* the scenario's variant name */
    mc_stats stats[MC_NOUTPUTS];
    size_t n_horizons;
    mc_curve_point *curve;           /* as mc_run's */
    mc_variant_diff diff;
} mc_variant_result;

typedef struct mc_run {
    size_t n;                        /* samples */
    mc_stats stats[MC_NOUTPUTS];     /* summary, in column order */
    size_t n_horizons;
    double *horizons;
    mc_curve_point *curve;           /* [h * MC_NCURVE + metric] */
    /* Rank sensitivity (sensitivity.csv; none when sens_d == 0): the
       columns of the uncertain inputs (MC_COL_F if any stage is
       uncertain, then each uncertain scalar input), and
       sens[y * sens_d + a] for output MC_COL_T + y and input a. */
    size_t sens_d;
    int sens_col[MC_NCOLS];
    mc_rankcorr *sens;
    /* Sobol' indices (mc_saltelli.h), when mc_engine_execute ran them
       (the scenario's sensitivity is sobol), else NULL */
    struct mc_sobol_result *sobol;
    /* the scenario's variants, when mc_engine_execute ran them */
    size_t n_variants;
    mc_variant_result *variants;
    int threads;                     /* threads used (per process): the
                                        largest team OpenMP gave the
                                        passes, which OMP_THREAD_LIMIT or
                                        OMP_DYNAMIC may make smaller than
                                        the request */
    int processes;                   /* MPI ranks (1 without MPI) */
    double comm_sent, comm_received; /* the most bytes a rank sent to and
                                        received from the others */
    int passes;                      /* passes over the samples */
    double pass_seconds[8];          /* wall time of passes 1..8 */
    double seconds;                  /* wall time of mc_engine_run */
} mc_run;

/* Called between chunks of work, outside parallel regions: phase is
 * "sampling" (the first pass) or "refining" (later passes, which only
 * narrow quantiles down), fraction in [0, 1] of that pass. */
typedef void (*mc_progress_fn)(void *ctx, const char *phase, double fraction);

/* The columns whose ranks sensitivity.csv correlates with the outputs':
 * final_run_gpu_hours if any stage is uncertain, then each uncertain
 * scalar input.  Returns how many (0: nothing is uncertain). */
size_t mc_engine_sens_inputs(const mc_scenario *s, int *cols);

/* The threads a run asked for `threads` (<= 0: OpenMP's default,
 * OMP_NUM_THREADS) will ask OpenMP for: at most OMP_THREAD_LIMIT.  The
 * run's mc_run.threads says how many it got. */
int mc_engine_threads(int threads);

/* Bytes of memory a run of this scenario needs at most (for the memory
 * check): it does not grow with the number of samples. */
double mc_engine_memory_bytes(const mc_scenario *s, int threads);

/* Room for the values kept to select quantiles exactly in one pass, for
 * the summary's and for the curve's: more would be counted into finer
 * bins in a further pass instead (mc_qs_new). */
#define MC_KEEP_BYTES ((size_t)256 << 20)

/* Samples per block: the unit of work, of merging and of samples.csv. */
#define MC_BLOCK 8192

/* Draws and evaluates samples first .. first+len-1 (len <= MC_BLOCK) of
 * the scenario into col[c][0..len), c < MC_NCOLS, with the generator r
 * (mc_rng_alloc).  The engine's passes and samples.csv are made of
 * exactly these numbers; tests regenerate any sample with it. */
void mc_engine_samples(const mc_scenario *s, const gsl_rng *r, size_t first,
                       size_t len, double *const col[MC_NCOLS]);

/* mc_engine_samples for a caller that walks through the samples block
 * after block: it keeps the generator and the Sobol' cursor between
 * calls (mc_engine_samples starts the cursor from 0 each time).  One per
 * thread; NULL if out of memory. */
typedef struct mc_sampler mc_sampler;
mc_sampler *mc_sampler_new(const mc_scenario *s);
void mc_sampler_draw(mc_sampler *p, size_t first, size_t len,
                     double *const col[MC_NCOLS]);
void mc_sampler_free(mc_sampler *p);

/* The curve's multipliers of samples whose columns are col[c][0..len),
 * len <= MC_BLOCK: for each horizon in turn, fn(ctx, h, x, len) with x[m]
 * the len values of metric m (mc_curve_metric_col order) at horizon index h:
 * mc_model_curve at the scenario's horizons. */
#define MC_CURVE_SCRATCH (MC_CURVE_SCRATCH_PER * MC_BLOCK)  /* doubles */
void mc_engine_curve(const mc_scenario *s, const double *const col[MC_NCOLS],
                     size_t len, double *scratch, mc_curve_fn fn, void *ctx);

/* Samples the scenario and computes the summary and the curve, streaming:
 * no sample is stored.  Pass 1 computes every statistic but the
 * quantiles' last digits and, if samples is not NULL, writes samples.csv
 * to it in order; further passes regenerate the samples to pin the
 * quantiles down exactly (usually one).  threads <= 0: OpenMP's default.
 * Returns 0; -1 with msg (out of memory, an internal check); or -2 with
 * msg set to the system's text of a failed write to samples. */
int mc_engine_run(const mc_scenario *s, int threads, mc_progress_fn progress,
                  void *ctx, FILE *samples, mc_run *run, char *msg,
                  size_t len);

/* mc_engine_run over several processes (red: mc_comm_reducer(); NULL is
 * one process): each runs the blocks mc_share gives it, writes
 * those blocks' rows to its own samples file (the caller joins the files
 * in process order), and every process ends with the same *run, bit for
 * bit what one process computes.  A failed write of any process's file
 * fails all of them together: -2 for the one whose file failed, -3 for
 * the others. -1 (out of memory) is one process's alone. */
int mc_engine_run_r(const mc_scenario *s, int threads,
                    mc_progress_fn progress, void *ctx, FILE *samples,
                    const mc_reducer *red, mc_run *run, char *msg,
                    size_t len);
/* Process `rank`'s share [*i0, *i1) of n blocks (or rows) among nprocs:
 * contiguous ranges in process order, sizes within one of each other. */
void mc_share(size_t n, int rank, int nprocs, size_t *i0, size_t *i1);

/* Samples in block b of a run of n samples. */
static inline size_t mc_block_len(size_t n, size_t b)
{
    size_t lo = b * MC_BLOCK;
    return n - lo < MC_BLOCK ? n - lo : MC_BLOCK;
}

/* A stopping rule on precision (--until METRIC:STAT:TOL): run batches of
 * 10,000, 20,000, 40,000, ... samples (each a fresh run with the same
 * seed, so each batch's first samples are the previous batch's) until
 * the 95% interval of STAT of output METRIC has a half-width (its larger
 * side) of at most TOL, or the sample count reaches the cap (the
 * scenario's samples).  The batches depend only on the rule and the
 * seed, never on the threads. */
#define MC_UNTIL_FIRST 10000
typedef struct mc_until {
    int col;                   /* an output column, MC_COL_T .. */
    int stat;                  /* -1 mean, 0 .. MC_NQ-1 a quantile, MC_NQ
                                  p_le_2 */
    double tol;
    char text[128];            /* the rule as given */
    size_t batches[64];        /* sample counts run so far, this one last */
    size_t n_batches;
} mc_until;

/* Parses "METRIC:STAT:TOL".  Returns 0, or -1 with msg ("expected ...,
 * found ..."). */
int mc_until_parse(const char *text, mc_until *u, char *msg, size_t len);
/* The statistic's value and its interval's half-width in run. */
double mc_until_half_width(const mc_run *run, const mc_until *u,
                           double *value);

/* Compares a variant (run as vrun) with its base (brun): both must have
 * the same seed and samples.  Streams both again, in parallel, with
 * results identical at any thread count and, over several processes (red
 * not NULL), on every process the one-process result.  Returns 0, or -1
 * with msg. */
int mc_variant_compare(const mc_scenario *base, const mc_run *brun,
                       const mc_scenario *variant, const mc_run *vrun,
                       int threads, const mc_reducer *red,
                       mc_variant_diff *out, char *msg, size_t len);

/* What manifest.json records beside the scenario. */
typedef struct mc_run_info {
    const char *config_path;   /* file read, or "(built-in)" */
    const char *started_utc;   /* ISO 8601 */
    double t_start;            /* omp_get_wtime() at the start of the run:
                                  wall time is measured from it */
    const mc_until *until;     /* the stopping rule, or NULL */
    /* Independent randomizations (--replicates): the statistics of
       replicates 2..n_rep (seeds seed+1, ...), this run being the first;
       n_rep >= 2 writes replicates.csv, else NULL / 0 */
    const mc_run *reps;
    size_t n_rep;
    int skip_variants;         /* 1: leave the scenario's variants out
                                  (--no-variants) */
    const mc_outdir_guard *guard;  /* what the run folder must respect */
} mc_run_info;

/* Runs the scenario into a temporary folder beside outdir: samples.csv
 * while sampling (if the scenario asks), then summary.csv, curve.csv,
 * sensitivity.csv, sobol.csv (a separate Saltelli design); then each
 * variant (run on the base's streams, its
 * summary.csv and curve.csv in variants/<name>/, its comparison with
 * the base in variants.csv); then manifest.json, and swaps the folder
 * into place when all are complete.
 * Returns 0 with *run filled; -1 with msg (the run failed: out of memory,
 * an internal check); -2 with msg (a file could not be written: msg
 * names it; no results were written); -4 with msg (the run folder is not
 * breakeven's to replace: nothing was changed); or -5 with msg and *run
 * filled (the results are complete and in place, but what remains of the
 * previous run could not be removed: msg names where it is). */
/* The longest path, relative to the run folder, that a run of s may
 * write ("variants/NAME/summary.csv"), for the checks before the run. */
size_t mc_engine_longest_entry(const mc_scenario *s);

int mc_engine_execute(const mc_scenario *s, int threads,
                      mc_progress_fn progress, void *ctx,
                      const mc_run_info *info, const char *outdir,
                      mc_run *run, char *msg, size_t len);

void mc_run_free(mc_run *run);

#endif
