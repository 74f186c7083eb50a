/* mc_sobol.h: first-order and total Sobol' indices of one output from its
 * values on a Saltelli design, with bootstrap intervals.
 *
 * Pure statistics on arrays: results/ knows neither the model nor how the
 * design was drawn (sim/mc_saltelli.h draws it).  The design has d factors
 * (independent inputs or groups of inputs) and N base rows: two independent
 * sample matrices A and B, and for each factor i the matrix A_B^(i), A with
 * column i taken from B.  The caller passes one output's values on them:
 *
 *     yA[j]          f(A_j)             j < N
 *     yB[j]          f(B_j)
 *     yAB[i*N + j]   f(A_B^(i)_j)       i < d
 *
 * Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis
 * of model output. Design and estimator for the total sensitivity index",
 * Comput. Phys. Commun. 181, 259-270, Table 2):
 *
 *   V    = the variance (1/(2N) sum, not 1/(2N-1)) of the 2N values of yA
 *          and yB together;
 *   S1_i = (1/N) sum_j yB_j (yAB_ij - yA_j) / V     (Table 2 (b), Saltelli
 *          2010: first order, the share of V that factor i explains alone);
 *   ST_i = (1/(2N)) sum_j (yA_j - yAB_ij)^2 / V     (Jansen 1999,
 *          "Analysis of variance designs for model output", Comput. Phys.
 *          Commun. 117, 35-43, the total-effect estimator Saltelli et al.
 *          2010 recommend in the same table: factor i with all its
 *          interactions).
 *
 * Every value is first centred by the mean of the 2N values of yA and yB:
 * the indices are unchanged in exact arithmetic (ST is a difference; in
 * S1, sum_j (yAB_ij - yA_j) times a constant has expectation 0), but the
 * sums no longer carry the mean's square, which lowers both the round-off
 * and the variance of S1's estimator (the yB_j factor is then small where
 * the output is typical).
 *
 * Intervals: a nonparametric bootstrap over the N rows.  Resample b draws
 * N row numbers with replacement (gsl_rng_uniform_int, unbiased) from the
 * Philox stream (seed, mc_rng_stream_id(MC_SOBOL_BOOT_NAME), b): a pure
 * function of (seed, b), so the result does not depend on the threads.
 * The same resampled rows serve every factor (and, in
 * mc_sobol_indices_all, every output); each resample recomputes the mean,
 * V and the indices.  The interval at `level` is the percentile interval: the type-7
 * quantiles (mc_quantiles) at (1 - level)/2 and (1 + level)/2 of the
 * resamples' indices.  A resample whose V is 0 (all its rows alike; only
 * for tiny N) has no indices and is left out of the quantiles.  The
 * bootstrap treats rows as independent draws: the design's rows must be
 * iid (plain Monte Carlo, not quasi-Monte Carlo).
 */
#ifndef MC_SOBOL_H
#define MC_SOBOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct mc_sobol_idx {
    double S1, S1_lo, S1_hi;   /* first order, Saltelli et al. 2010 */
    double ST, ST_lo, ST_hi;   /* total effect, Jansen 1999 */
} mc_sobol_idx;

/* The name whose stream (mc_rng_stream_id) draws the bootstrap's rows:
 * no input or stage of a scenario has it (stages are
 * "final_run_gpu_hours/<stage>").  Were its 32-bit hash an input's, the
 * rows of resample b would be drawn from that input's numbers of sample
 * b: still uniform, and independent of the design's other rows. */
#define MC_SOBOL_BOOT_NAME "mc_sobol/bootstrap"

/* One output's values on the Saltelli design: yA[N], yB[N], yAB[i*N + j]
 * (A with column i from B), i < d, N >= 2, d >= 1, N <= 2^32 - 1 (the
 * row draws are 32-bit).  n_boot resamples (0: the intervals are NaN) at
 * level in (0, 1); threads <= 0: OpenMP's default.  Returns 0 with
 * out[0..d) filled; -1 if the variance is 0 or a value is not finite
 * (then all of out[0..d) is NaN: the indices do not exist); -2 if memory
 * runs out or an argument is out of range (out untouched).  The bits do
 * not depend on threads. */
int mc_sobol_indices(const double *yA, const double *yB, const double *yAB,
                     size_t N, size_t d, size_t n_boot, double level,
                     uint64_t seed, int threads, mc_sobol_idx *out);

/* Where output o's value on row j of block b is, in the values of a whole
 * design: for each output its A values (block 0), then its B values
 * (block 1), then A_B^(0) .. A_B^(d-1) (blocks 2 ..), N each:
 * y[(o (d + 2) + b) N + j]. */
static inline size_t mc_sobol_at(size_t N, size_t d, size_t o, size_t b,
                                 size_t j)
{
    return (o * (d + 2) + b) * N + j;
}

/* mc_sobol_indices of each output o < n_out of the design's values y
 * (laid out as mc_sobol_at says) into out[o * d + i], the same resamples
 * for every output (drawn once: this is n_out times cheaper in draws than
 * n_out calls, with the same numbers).  An output without indices gets
 * NaN.  Returns 0, or -2 as mc_sobol_indices. */
int mc_sobol_indices_all(const double *y, size_t n_out, size_t N, size_t d,
                         size_t n_boot, double level, uint64_t seed,
                         int threads, mc_sobol_idx *out);

#endif
