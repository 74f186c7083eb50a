/* mc_sample.h: the samples of a scenario, in blocks, and their curve.
 *
 * Sample i's draw of input X is a pure function of (seed, stream of X,
 * i) (distributions/mc_rng.h), under random sampling, a Latin hypercube
 * or a Sobol' sequence (the scenario's sampling), with the copula of its
 * correlations: so any sample can be drawn again at no cost but time,
 * and by any thread or process.  The engine's passes, samples.csv, the
 * variants' comparisons and the tests are all made of these numbers.
 */
#ifndef MC_SAMPLE_H
#define MC_SAMPLE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "mc_model.h"
#include "mc_scenario.h"

/* Samples per block: the unit of work, of merging and of samples.csv. */
#define MC_BLOCK 8192

/* Samples in block b of a run of n samples. */
static inline size_t mc_block_len(size_t n, size_t b)
{
    size_t lo = b * MC_BLOCK;
    return n - lo < MC_BLOCK ? n - lo : MC_BLOCK;
}

/* Process `rank`'s share [*i0, *i1) of n blocks (or rows) among nprocs:
 * contiguous ranges in process order, sizes within one of each other. */
void mc_share(size_t n, int rank, int nprocs, size_t *i0, size_t *i1);

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

/* The columns (F and every input, c < MC_COL_OUTPUT0) that scenarios a
 * and b draw equal, bit for bit, at every sample: the same seed, samples
 * and design, and for the column the same distributions on the same
 * streams (every stage, for F), the same Sobol' coordinate, and, for a
 * correlated input, the same correlations of the same inputs.  A
 * sufficient test (mc_dist_same): a column may be drawn equal without
 * being marked. */
void mc_sample_same(const mc_scenario *a, const mc_scenario *b,
                    unsigned char same[MC_COL_OUTPUT0]);

/* mc_sampler_draw that copies the columns marked in same from from[]
 * (the same samples of a scenario mc_sample_same compared with this
 * one's) instead of drawing them, then evaluates the model: the same
 * numbers, bit for bit.  from NULL: mc_sampler_draw. */
void mc_sampler_draw_from(mc_sampler *p, size_t first, size_t len,
                          double *const col[MC_NCOLS],
                          const double *const from[MC_NCOLS],
                          const unsigned char same[MC_COL_OUTPUT0]);

/* The curve's multipliers of samples whose columns are col[c][0..len),
 * len <= MC_BLOCK: for each horizon in turn, fn(ctx, h, x, len) with x[m]
 * the len values of metric m (s->layout.curve order) at horizon index h:
 * mc_model_curve at the scenario's horizons. */
#define MC_CURVE_SCRATCH (MC_CURVE_SCRATCH_PER * MC_BLOCK)  /* doubles */
void mc_engine_curve(const mc_scenario *s, const double *const col[MC_NCOLS],
                     size_t len, double *scratch, mc_curve_fn fn, void *ctx);

/* The columns whose ranks sensitivity.csv correlates with the outputs':
 * final_run_gpu_hours if any stage is uncertain, then each uncertain
 * scalar input.  Returns how many (0: nothing is uncertain). */
size_t mc_engine_sens_inputs(const mc_scenario *s, int *cols);

#endif
