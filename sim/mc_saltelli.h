/* mc_saltelli.h: the Saltelli design for Sobol' indices, for any model,
 * and its use on a breakeven scenario (sobol.csv).
 *
 * Design (Saltelli et al. 2010, Comput. Phys. Commun. 181, 259-270): N
 * base rows of two independent sample matrices A and B, and for each
 * factor i the matrix A_B^(i), A with factor i's column from B; the model
 * is evaluated on all of them, N (d + 2) times.  A factor is an
 * independent input or an independent group of inputs (indices of a group
 * are those of the group as a whole).
 *
 * Rows are plain Monte Carlo: a model draws factor f at a sample index idx
 * (a pure function of (f, idx), e.g. the Philox stream (seed, stream of f,
 * idx)), and row j of A takes every factor at index j, row j of B every
 * factor at index N + j, row j of A_B^(i) every factor at j but factor i
 * at N + j.  So A and B are independent iid rows, which the bootstrap
 * intervals of results/mc_sobol.h assume (they resample rows).  A
 * quasi-Monte Carlo design (Sobol' points, as Saltelli 2010 uses) would
 * converge faster but make the rows dependent and those intervals wrong;
 * we keep iid rows and honest intervals.
 *
 * Results do not depend on the thread count: each row is a pure function
 * of its index, computed by one thread into its own slots.
 */
#ifndef MC_SALTELLI_H
#define MC_SALTELLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "mc_results.h"
#include "mc_sample.h"
#include "mc_scenario.h"
#include "mc_sobol.h"

typedef struct mc_saltelli_model {
    size_t d;      /* factors (independent groups of inputs) */
    size_t n_out;  /* outputs */
    size_t x_len;  /* doubles in the vector eval reads */
    /* Writes factor f's value(s) at sample index idx into x (the model's
       own layout), with the generator r (mc_rng_alloc); a pure function
       of (f, idx).  Called from several threads at once. */
    void (*draw)(void *ctx, const gsl_rng *r, size_t f, uint64_t idx,
                 double *x);
    /* y[0..n_out) of the point x; called from several threads at once. */
    void (*eval)(void *ctx, const double *x, double *y);
    void *ctx;     /* read-only while sampling */
} mc_saltelli_model;

/* Bytes of y that mc_saltelli_sample fills: N (d + 2) n_out doubles (for
 * a memory check; the working memory besides is a few rows per thread). */
double mc_saltelli_bytes(size_t N, size_t d, size_t n_out);

/* Evaluates the model on the design of N base rows into y[N (d + 2)
 * n_out], laid out as results/mc_sobol.h's mc_sobol_at says: for each
 * output its A values, its B values, then A_B^(0), ..., so that y is what
 * mc_sobol_indices_all reads.  Rows in parallel on `threads` threads
 * (<= 0: OpenMP's default).  Returns 0, or -1 when memory for the rows
 * runs out or N or d is 0.
 *
 * Callers that must transform an output before its indices (censor it,
 * take its logarithm) change its values in y, then call
 * mc_sobol_indices_all (or mc_sobol_indices for one output); callers
 * that need not use mc_saltelli_run. */
int mc_saltelli_sample(const mc_saltelli_model *m, size_t N, int threads,
                       double *y);
/* Rows j0 .. j1-1 only (the others of y untouched). */
int mc_saltelli_rows(const mc_saltelli_model *m, size_t N, size_t j0,
                     size_t j1, int threads, double *y);

/* mc_saltelli_sample, then mc_sobol_indices_all at MC_LEVEL with n_boot
 * resamples keyed by seed: out[o * d + i] for output o and factor i, NaN
 * for an output whose indices do not exist (variance 0, a value not
 * finite).  Returns 0, or -1 with msg (N out of range, out of memory). */
int mc_saltelli_run(const mc_saltelli_model *m, size_t N, size_t n_boot,
                    uint64_t seed, int threads, mc_sobol_idx *out, char *msg,
                    size_t len);

/* ---- a breakeven scenario ------------------------------------------- */

/* Factors of a scenario: final_run_gpu_hours as one factor (the group of
 * all its stages, present if some stage is not fixed), then every scalar
 * input that is not fixed, in mc_input_id order. */
#define MC_SOBOL_MAX_FACTORS (1 + MC_IN_COUNT)

/* Outputs that can be "never" (+inf, the break-even days): Sobol' indices
 * are variances, undefined with infinite values.  When any of an output's
 * N (d + 2) values is +inf, every value of that output is censored at
 * cap, min(y, cap), before its indices, cap being the scenario's last
 * horizon (the last day curve.csv looks at; 730 without horizons).  The
 * indices then say what drives the break-even day "as seen up to cap":
 * "never" and "after cap" count alike.  censored_at records it. */
#define MC_SOBOL_CAP_DEFAULT 730.0

typedef struct mc_sobol_result {
    size_t d;                                   /* factors */
    const char *factor[MC_SOBOL_MAX_FACTORS];   /* their names (static
                                                   strings) */
    size_t n_out;                               /* the layout's outputs */
    int out[MC_NOUTPUTS];                       /* their output ids */
    /* idx[o][i]: output out[o], factor i < d */
    mc_sobol_idx idx[MC_NOUTPUTS][MC_SOBOL_MAX_FACTORS];
    double censored_at[MC_NOUTPUTS];            /* the cap, NaN if the
                                                   output was not censored */
    size_t N;                                   /* base rows */
    size_t evaluations;                         /* N (d + 2) */
    size_t n_boot;                              /* bootstrap resamples */
    uint64_t boot_seed;                         /* their seed: s->seed (on
                                                   their own stream) */
} mc_sobol_result;

/* First-order and total Sobol' indices of every output of s from a
 * Saltelli design of N base rows (each input drawn exactly as random
 * sampling draws it, on its stream with s->seed: row j of A holds sample
 * j's inputs, row j of B sample N + j's; random sampling whatever
 * s->sampling says, since the bootstrap needs iid rows), with n_boot
 * bootstrap resamples at MC_LEVEL, censoring as above.  Over several
 * processes (red: mc_comm_reducer(); NULL is one process) each evaluates
 * the rows mc_share gives it, every process gets all rows and computes
 * the same indices, bit for bit.  Fills *res only on success (no
 * allocation: nothing to free).  Returns 0; -1 with msg when s has
 * correlations ("expected independent inputs for Sobol' indices, found 2
 * correlations": these estimators need independent factors), when no
 * input is uncertain, when N is not in [2, 2^32 - 1] or when memory runs
 * out.  The results do not depend on threads. */
int mc_sobol_scenario(const mc_scenario *s, size_t N, size_t n_boot,
                      int threads, const mc_reducer *red,
                      mc_sobol_result *res, char *msg, size_t len);

/* Writes sobol.csv: header
 * metric,input,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,n_base,censored_at
 * and one row per output (MC_COL_T order) and factor; numbers as
 * mc_fmt_double writes them, NaN as an empty cell, censored_at empty when
 * the output was not censored.  Returns 0, or -1 on a write error (errno
 * as the failing call left it). */
int mc_sobol_write_csv(FILE *f, const mc_sobol_result *res);

#endif
