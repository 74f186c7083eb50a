/* mc_driver.h: the runs of one command, between the command line
 * (mc_cli.c) and the engine (mc_execute.c).  With --replicates R, the
 * randomizations with seeds S+1 .. S+R-1 first (no files); then one run
 * into the run folder, or with a stopping rule (--until, or the
 * scenario's "until") batches of 10,000, 20,000, ... samples, each a
 * complete run that replaces the previous one's folder, until the rule
 * is met or the samples reach the cap.  Part of the command line: it
 * prints its progress bar, the batches and its errors, and returns the
 * exit code (mc_cli.h).
 *
 * Ownership: mc_drive_free frees what mc_drive_runs left in *d (the run,
 * the replicates), whether it succeeded or not.
 */
#ifndef MC_DRIVER_H
#define MC_DRIVER_H

#include <stddef.h>

#include "mc_execute.h"
#include "mc_scenario.h"
#include "mc_until.h"

typedef struct mc_drive {
    /* set by the caller */
    int threads;                  /* --threads, or 0: OpenMP's default */
    int quiet;                    /* --quiet: no batch lines, no warnings */
    int bar;                      /* a progress bar on stderr */
    size_t replicates;            /* --replicates R, or 0: one run */
    mc_until *until;              /* the stopping rule, or NULL; its
                                     batches are filled in */
    const char *outdir;           /* the run folder */
    mc_run_info info;             /* for manifest.json (reps: set here) */
    /* set by mc_drive_runs */
    mc_run run;                   /* the run in the folder (the last
                                     batch) */
    mc_run *reps;                 /* replicates 2 .. R, n_reps of them */
    size_t n_reps;
    char previous[2048];          /* not "": the results are in place but
                                     what remains of the run before could
                                     not be removed (why, and where) */
} mc_drive;

/* Runs the replicates and the batches of s as d says; s's seed is s's
 * again at the end, its samples those of the last batch.  Returns
 * MC_EXIT_OK (d->previous may still hold an error to report), or the
 * exit code of a failure, with its message printed. */
int mc_drive_runs(mc_scenario *s, mc_drive *d);

void mc_drive_free(mc_drive *d);

/* One scenario of a comparison (several scenarios in one command). */
typedef struct mc_compare_item {
    /* set by the caller */
    mc_scenario *s;
    const char *config;           /* its file, or "(built-in)" */
    char folder[256];             /* its run folder's name in the
                                     comparison folder */
    /* set by mc_drive_compare */
    mc_run_info info;             /* d->info, with its config and start */
    mc_run run;                   /* its complete run (mc_run_free) */
} mc_compare_item;

/* The scenarios c[0..n) into one comparison folder d->outdir, written as
 * one folder and swapped into place when every scenario's folder,
 * comparison.csv and manifest.json are complete (all or none): each
 * scenario as mc_engine_execute runs it alone (its own seed and
 * streams), into a folder c[i].folder of its own.  d's threads, quiet,
 * bar, outdir and info are used (no replicates, no stopping rule).
 * Returns an exit code as mc_drive_runs; the caller frees each
 * c[i].run. */
int mc_drive_compare(mc_compare_item *c, size_t n, mc_drive *d);

#endif
