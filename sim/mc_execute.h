/* mc_execute.h: one complete run into its run folder (mc_execute.c):
 * the engine's passes while samples.csv is written, the files of the
 * results, Sobol' indices, the variants, manifest.json, and the folder
 * swapped into place only when all are complete. */
#ifndef MC_EXECUTE_H
#define MC_EXECUTE_H

#include <stddef.h>

#include "mc_results.h"
#include "mc_run.h"
#include "mc_scenario.h"
#include "mc_until.h"

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

/* The longest path, relative to the run folder, that a run of s may
 * write ("variants/NAME/summary.csv"), for the checks before the run. */
size_t mc_engine_longest_entry(const mc_scenario *s);

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
int mc_engine_execute(const mc_scenario *s, int threads,
                      mc_progress_fn progress, void *ctx,
                      const mc_run_info *info, const char *outdir,
                      mc_run *run, char *msg, size_t len);

/* The run's files written into o, a folder already begun (mc_outdir_begin,
 * or mc_outdir_sub of one: a comparison's scenario), without the commit:
 * 0 with *run filled, or -1 / -2 with msg as above (*run freed; what was
 * written stays in o for its abort). */
int mc_engine_execute_in(const mc_scenario *s, int threads,
                         mc_progress_fn progress, void *ctx,
                         const mc_run_info *info, const mc_outdir *o,
                         mc_run *run, char *msg, size_t len);

/* mc_engine_execute's code (0, -1, -2, -4, -5) for what mc_outdir_commit
 * returned. */
int mc_engine_commit_code(int c);

/* Process 0: removes the folder o being written after a failure, adding
 * to msg what could not be removed. */
void mc_engine_abort(mc_outdir *o, char *msg, size_t len);

/* At most k variants in the passes of each group (mc_engine_run_group;
 * 0: one after another, each run on its own and then compared with the
 * base, as mc_engine_memory_bytes counts them; < 0, the default: one
 * after another below 50,000 samples, else as many as fit in half the
 * machine's memory, or 0 if one does not).  The same
 * results by another path: main.c sets it from
 * BREAKEVEN_VARIANTS_PER_GROUP, for tests and benchmarks. */
void mc_engine_group_limit(long k);

#endif
