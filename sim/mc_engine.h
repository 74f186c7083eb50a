/* mc_engine.h: the engine: runs a scenario's samples (mc_sample.h) in
 * parallel and streams them into the summary, the curve and the rank
 * sensitivity (mc_run.h), over threads and, with a reducer, processes.
 *
 * Every number is identical whatever the thread or process count:
 * samples are processed in blocks of MC_BLOCK, each block's sums are
 * merged in block order, and everything else is an integer count, a
 * minimum or a maximum.  Allocation and progress reports happen outside
 * the parallel regions.
 *
 * Ownership: mc_engine_run fills *run only on success; the caller frees
 * it with mc_run_free (which accepts a zeroed struct).
 */
#ifndef MC_ENGINE_H
#define MC_ENGINE_H

#include <stddef.h>
#include <stdio.h>

#include "mc_results.h"
#include "mc_run.h"
#include "mc_sample.h"
#include "mc_scenario.h"

/* The threads a run asked for `threads` (<= 0: OpenMP's default,
 * OMP_NUM_THREADS) will ask OpenMP for: at most OMP_THREAD_LIMIT.  The
 * run's mc_run.threads says how many it got. */
int mc_engine_threads(int threads);

/* Bytes of memory a run of this scenario needs at most (for the memory
 * check): it does not grow with the number of samples. */
double mc_engine_memory_bytes(const mc_scenario *s, int threads);

/* Bytes a group of s and nv of its variants needs at most
 * (mc_engine_run_group).  mc_engine_memory_bytes is what a run needs at
 * the least: s alone, then each variant on its own and its comparison
 * (the fallback when no group fits).  mc_engine_group_fit: the most
 * variants, up to nv, whose group needs at most room bytes (0 if not
 * even one's does). */
double mc_engine_group_bytes(const mc_scenario *s, size_t nv, int threads);
size_t mc_engine_group_fit(const mc_scenario *s, size_t nv, int threads,
                           double room);

/* Room for the values kept to select quantiles exactly in one pass, for
 * the summary's and for the curve's: more would be counted into finer
 * bins in a further pass instead (mc_qs_new). */
#define MC_KEEP_BYTES ((size_t)256 << 20)

/* Samples the scenario and computes the summary and the curve, streaming:
 * no sample is stored.  Pass 1 computes every statistic but the
 * quantiles' last digits and, if samples is not NULL, writes samples.csv
 * to it in order; further passes regenerate the samples to pin the
 * quantiles down exactly (usually one).  threads <= 0: OpenMP's default.
 *
 * Over several processes (red: mc_comm_reducer(); NULL is one process)
 * each runs the blocks mc_share gives it and writes those blocks' rows
 * to its own samples file (the caller joins the files in process
 * order), and every process ends with the same *run, bit for bit what
 * one process computes.
 *
 * Returns 0; -1 with msg (out of memory, an internal check; one
 * process's alone); or -2 with msg set to the system's text of a failed
 * write to samples.  A failed write of any process's file fails all of
 * them together: -2 for the one whose file failed, -3 with msg for the
 * others. */
int mc_engine_run(const mc_scenario *s, int threads, mc_progress_fn progress,
                  void *ctx, FILE *samples, const mc_reducer *red,
                  mc_run *run, char *msg, size_t len);

/* mc_engine_run for a scenario s and its variants vars[0..nv) in the
 * same passes over the samples: every block of s, then of each variant,
 * then each variant's differences from s (mc_pair), so that each pass
 * draws every sample of every scenario once.  s alone writes samples;
 * the variants' own runs (summary, curve, and rank sensitivity if their
 * scenarios ask for it: mc_engine_execute turns it off, and
 * mc_engine_group_bytes does not count it) go to vout[0..nv), their
 * comparisons
 * with s, as mc_variant_compare makes them, to diffs[0..nv).  Each
 * variant needs s's seed, samples, sampling, horizons and outputs (else
 * -1 with msg).  The numbers are those of mc_engine_run on each scenario
 * and mc_variant_compare on each pair, bit for bit; the returns are
 * mc_engine_run's. */
int mc_engine_run_group(const mc_scenario *s, const mc_scenario *const *vars,
                        size_t nv, int threads, mc_progress_fn progress,
                        void *ctx, FILE *samples, const mc_reducer *red,
                        mc_run *run, mc_run *vruns, mc_variant_diff *diffs,
                        char *msg, size_t len);

#endif
