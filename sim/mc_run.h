/* mc_run.h: what a run of the engine gives (mc_run: the summary, the
 * curve, the sensitivity, and, from mc_engine_execute, Sobol' indices and
 * the variants) and how it reports its progress.
 *
 * Ownership: a run's arrays are its own; mc_run_free frees them (it
 * accepts a zeroed struct) and zeroes the struct.
 */
#ifndef MC_RUN_H
#define MC_RUN_H

#include <stddef.h>

#include "mc_model.h"
#include "mc_results.h"

/* The columns of a sample (MC_COL_*, MC_NCOLS, mc_column_names) and the
 * outputs (MC_NOUTPUTS) are the model's (mc_model.h); which of them a run
 * has, and the curve's metrics, are its scenario's layout (mc_layout):
 * per-output arrays are indexed by output id, and hold the layout's
 * outputs only. */
#define MC_NCURVE_Q 5        /* p05 p25 p50 p75 p95 */

typedef struct mc_curve_point {
    double mean;
    double q[MC_NCURVE_Q];
    double p_le;          /* P(multiplier at h <= 2) */
    double p_break_even;  /* P(break-even day <= h) */
    /* Monte Carlo error at MC_LEVEL, as in mc_stats */
    double mean_lo, mean_hi;
    double q_lo[MC_NCURVE_Q], q_hi[MC_NCURVE_Q];
    double p_le_lo, p_le_hi, p_break_even_lo, p_break_even_hi;
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

/* The parts of a run's wall time (mc_run.part_seconds), and their names
 * in the terminal and manifest.json. */
enum { MC_PART_PASSES, MC_PART_SENSITIVITY, MC_PART_SOBOL, MC_PART_VARIANTS,
       MC_PART_WRITING, MC_PARTS };
extern const char *const mc_part_names[MC_PARTS];

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
    mc_layout layout;                /* the scenario's (a copy) */
    mc_stats stats[MC_NOUTPUTS];     /* summary, by output id: the
                                        layout's outputs */
    size_t n_horizons;
    double *horizons;
    int ncurve;                      /* layout.ncurve */
    mc_curve_point *curve;           /* [h * ncurve + metric] */
    /* Rank sensitivity (sensitivity.csv; none when sens_d == 0): the
       columns of the uncertain inputs (MC_COL_F if any stage is
       uncertain, then each uncertain scalar input), and
       sens[j * sens_d + a] for the layout's output j (output id
       layout.out[j]) and input a. */
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
    double variant_share;            /* of the passes' thread time, the
                                        part the variants and their
                                        differences took (a group's,
                                        mc_engine_run_group; else 0) */
    double sens_share;               /* and the part the base's rank
                                        sensitivity took (its rank counts
                                        and scores) */
    /* From mc_engine_execute (issue 17): the whole run's wall time, from
       the command's start (or a comparison's scenario's) to its manifest,
       and its parts: the passes over the samples (with samples.csv;
       without the variants' share of them, nor the rank sensitivity's),
       the rank sensitivity (its share of the passes, by sens_share),
       Sobol' indices, the
       variants (their share of the passes, by variant_share, or their
       runs and comparisons one after another, and their files), the
       other files; what is left of the whole is reading the scenario,
       the checks before the run, replicates and --until's earlier
       batches. */
    double wall_seconds;
    double part_seconds[MC_PARTS];
} mc_run;

/* Called between chunks of work, outside parallel regions: phase is
 * "sampling" (the first pass) or "refining" (later passes, which only
 * narrow quantiles down), fraction in [0, 1] of that pass. */
typedef void (*mc_progress_fn)(void *ctx, const char *phase, double fraction);

/* Frees what the run holds (mc_engine.c). */
void mc_run_free(mc_run *run);

#endif
