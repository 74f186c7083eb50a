/* mc_cli_impl.h: what the files of the command line share and nobody
 * else sees (names end in '_', as in results/mc_results_impl.h).  Each
 * prints its own messages ("breakeven: ...") and returns an exit code of
 * mc_cli.h, 0 to go on. */
#ifndef MC_CLI_IMPL_H
#define MC_CLI_IMPL_H

#include <stddef.h>

#include "mc_results.h"
#include "mc_run.h"
#include "mc_scenario.h"

/* ---- the checks before a run (mc_cli_check.c) ---- */

/* The scenario file: present, a regular file, readable.  0 or an exit
 * code (message printed).  The loader reports what goes wrong later.
 * Nothing else is opened: opening a FIFO waits for a writer, forever if
 * none comes, and reading a device (/dev/zero) never ends or means
 * nothing. */
int mc_cli_check_config_(const char *path);

/* "runs/<name>", the default run folder of scenario `name` (one folder
 * name per scenario, one to one) into buf.  -1 if it does not fit in
 * len. */
int mc_cli_default_outdir_(const char *name, char *buf, size_t len);

/* The folders --out may be neither equal to nor above, into g->protect:
 * the current one, the home folder ($HOME and the account's), and the
 * scenario file's (config, or NULL for the built-in scenario), whose
 * path goes into scenario_dir (PATH_MAX bytes). */
void mc_cli_guard_folders_(mc_outdir_guard *g, const char *config,
                           char *scenario_dir, size_t cap);

/* The run at `threads` (--threads, or 0), and the Saltelli design beside
 * it, must fit in 90% of this machine's memory: 0, or MC_EXIT_USAGE
 * (the run does not fit: what would is printed) or MC_EXIT_SCENARIO
 * (sobol_samples too large). */
int mc_cli_check_memory_(const mc_scenario *s, int threads,
                         const char *config);

/* A warning when the threads asked for (--threads, or 0 for
 * OMP_NUM_THREADS) are far more than the CPUs; none when quiet. */
void mc_cli_warn_threads_(int threads, int quiet);

/* ---- the terminal (mc_cli_print.c) ---- */

/* The summary of a complete run on stdout: the headline outputs, each
 * figure to the digits its interval justifies, the inputs that drive
 * them, the variants' shifts. */
void mc_cli_print_summary_(const mc_run *run, const mc_scenario *s,
                           const char *outdir);

/* The run folder's warnings (leftovers of killed runs it could not
 * remove), one "breakeven: warning: ..." line each on stderr. */
void mc_cli_print_outdir_warnings_(void);

#endif
