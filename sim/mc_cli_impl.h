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
#include "mc_until.h"

/* ---- the options (mc_cli.c) ---- */

/* At most this many scenarios in one command (--config, --scenario,
 * --library). */
#define MC_CLI_SCENARIOS_MAX 64

/* A scenario named on the command line: a file (--config), or a
 * built-in one by name (--scenario, --library). */
typedef struct mc_cli_source {
    const char *text;
    int builtin;
} mc_cli_source;

typedef struct mc_cli_options {
    mc_cli_source src[MC_CLI_SCENARIOS_MAX];
    size_t n_src;
    int library_only;                 /* every source came from --library */
    const char *out;
    int has_samples, has_seed;
    unsigned long long samples, seed;
    int threads;
    int no_samples, no_variants, quiet;
    int sensitivity;                  /* -1: the scenario's */
    const char *until;
    int sampling;                     /* -1: the scenario's */
    unsigned long long replicates;    /* 0: one run */
    const char *replicates_text;      /* as given */
} mc_cli_options;

/* Source src into *s (a file is checked first), "label" naming it in
 * messages (the file, or "(built-in)").  0 or an exit code (message
 * printed). */
int mc_cli_load_(const mc_cli_source *src, const char *label,
                 mc_scenario *s);

/* The options over the scenario's settings (samples, seed, sampling,
 * sensitivity, samples.csv); the scenario's "until" into *until unless
 * --until gave one.  0 or an exit code. */
int mc_cli_apply_(mc_cli_options *o, const char *config, mc_scenario *s,
                  mc_until *until);

/* The run folder locked and the threads started, before any work.  0
 * or an exit code. */
int mc_cli_lock_and_prepare_(const mc_cli_options *o, const char *outdir,
                             const mc_outdir_guard *guard);

/* ---- several scenarios in one command (mc_cli_compare.c) ---- */

/* Runs o's scenarios (two or more) into one comparison folder: all are
 * loaded and checked before any work, and a bad one ends the command
 * naming its file.  started/t_start: the command's start.  Returns the
 * exit code. */
int mc_cli_compare_(mc_cli_options *o, const char *started, double t_start);

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
/* The folder name alone ("<name>" made into one folder name, as above):
 * a scenario's folder in a comparison.  -1 if it does not fit. */
int mc_cli_folder_name_(const char *name, char *buf, size_t len);

/* The folders --out may be neither equal to nor above, into g->protect:
 * the current one, the home folder ($HOME and the account's), and the
 * folder of each scenario file configs[0..n) (NULL: a built-in
 * scenario), whose paths go into dirs (n strings of cap bytes each). */
void mc_cli_guard_folders_(mc_outdir_guard *g, const char *const *configs,
                           size_t n, char *dirs, size_t cap);

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

/* Several scenarios' summary on stdout: one row each (break-even days
 * and multipliers with their 90% intervals, energy per use with
 * training's share, required against measured traffic), assumed usage
 * marked; then where the folders and comparison.csv are. */
struct mc_compare_item;
void mc_cli_print_comparison_(const struct mc_compare_item *c, size_t n,
                              const char *outdir);

/* The run folder's warnings (leftovers of killed runs it could not
 * remove), one "breakeven: warning: ..." line each on stderr. */
void mc_cli_print_outdir_warnings_(void);

#endif
