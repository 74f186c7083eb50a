/* mc_write.h: the files of the run folder, for mc_execute.c (internal to
 * sim/).  Process 0 writes each into the temporary folder o (mc_outdir);
 * every write, flush, fsync and close is checked.  Each returns 0, or -1
 * with msg naming the file as it will be once in place: "<run
 * folder>/<name>: ...". */
#ifndef MC_WRITE_H
#define MC_WRITE_H

#include <stddef.h>

#include "mc_execute.h"
#include "mc_results.h"
#include "mc_run.h"
#include "mc_saltelli.h"

/* msg, the cause of a failure, prefixed with "<run folder>/<name>: " and
 * what (e.g. "cannot write: "). */
void mc_write_file_msg(const mc_outdir *o, const char *name,
                       const char *what, char *msg, size_t len);

/* summary.csv (or a variant's, at name) of the outputs' stats. */
int mc_write_summary(const mc_outdir *o, const mc_layout *lay,
                     const mc_stats *stats,
                     const char *name, char *msg, size_t len);
/* curve.csv (or a variant's, at name): run's horizons, curve's points. */
int mc_write_curve(const mc_outdir *o, const mc_run *run,
                   const mc_curve_point *curve, const char *name, char *msg,
                   size_t len);
/* replicates.csv: each statistic over run and info's replicates. */
int mc_write_replicates(const mc_outdir *o, const mc_run *run,
                        const mc_run_info *info, char *msg, size_t len);
/* sensitivity.csv: run's rank correlations. */
int mc_write_sensitivity(const mc_outdir *o, const mc_run *run, char *msg,
                         size_t len);
/* sobol.csv: the Sobol' indices r. */
int mc_write_sobol(const mc_outdir *o, const mc_sobol_result *r, char *msg,
                   size_t len);
/* variants/<name>/ with its summary.csv and curve.csv, for variant vr. */
int mc_write_variant(const mc_outdir *o, const mc_run *run,
                     const mc_variant_result *vr, char *msg, size_t len);
/* variants.csv: every variant of run against the base. */
int mc_write_variants(const mc_outdir *o, const mc_run *run, char *msg,
                      size_t len);
/* samples.csv: the other processes' parts appended to process 0's. */
int mc_write_samples_join(const mc_outdir *o, char *msg, size_t len);
/* A comparison's scenario: its folder's name in the comparison folder,
 * the scenario, its complete run and what its manifest records. */
typedef struct mc_compared {
    const char *folder;
    const mc_scenario *s;
    const mc_run *run;
    const mc_run_info *info;
} mc_compared;

/* comparison.csv: one row per scenario and output, the scenario's
 * folder name, assumed_usage, use_unit, use_per, then the columns and
 * cells of its summary.csv. */
int mc_write_comparison(const mc_outdir *o, const mc_compared *c, size_t n,
                        char *msg, size_t len);
/* The comparison folder's manifest.json: the scenarios, and every file
 * (comparison.csv and each scenario folder's, their manifests too). */
int mc_write_comparison_manifest(const mc_outdir *o, const mc_compared *c,
                                 size_t n, char *msg, size_t len);
/* manifest.json: what ran, how, and every file of the folder. */
int mc_write_manifest(const mc_outdir *o, const mc_run *run,
                      const mc_scenario *s, const mc_run_info *info,
                      char *msg, size_t len);

#endif
