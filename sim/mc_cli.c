/* mc_cli.c: the breakeven command: its options, the scenario they
 * adjust, the checks before the run, then the driver (mc_driver.c) and
 * the terminal summary (mc_cli_print.c).  The command line is the only
 * code that prints; libraries return errors and these files report them
 * as "breakeven: ..." with the exit codes of mc_cli.h. */
#include "mc_cli.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mc_cli_impl.h"
#include "mc_comm.h"
#include "mc_count.h"
#include "mc_driver.h"
#include "mc_engine.h"
#include "mc_execute.h"
#include "mc_manifest.h"
#include "mc_stop.h"

static const char *const usage_text =
    "usage: breakeven [--config FILE | --scenario NAME | --library]...\n"
    "                 [--out DIR] [--samples N] [--seed S]\n"
    "                 [--threads T] [--until RULE] [--sampling D]\n"
    "                 [--replicates R] [--sensitivity M]\n"
    "                 [--no-samples] [--no-variants] [--quiet]\n"
    "       breakeven --list-scenarios | --help | --version\n"
    "\n"
    "Monte Carlo break-even of AI training against inference compute.\n"
    "Without --config or --scenario, runs the built-in DeepSeek-V3/R1 scenario.\n"
    "\n"
    "  --config FILE   scenario file (JSON); default: built-in deepseek-v3-r1\n"
    "  --scenario NAME a built-in scenario (see --list-scenarios)\n"
    "  --library       the built-in scenario of every model of the library\n"
    "                  (deepseek-v3-r1, bloom-176b, llama-3.1-405b, olmo-3-32b)\n"
    "  --list-scenarios  the built-in scenarios, and which assume their usage\n"
    "                  Several scenarios (--config, --scenario and --library\n"
    "                  repeated, up to 64) run into one comparison folder: a\n"
    "                  run folder each, as each runs alone, and comparison.csv;\n"
    "                  all are checked before any work (no --until, no\n"
    "                  --replicates)\n"
    "  --out DIR       run folder to write; default: runs/<scenario name>, and\n"
    "                  runs/comparison (runs/library for --library alone) for\n"
    "                  several; replaced only if empty or an earlier run of\n"
    "                  breakeven's\n"
    "  --samples N     number of samples, 1 to 1000000000 (overrides the file)\n"
    "  --seed S        seed, 0 to 18446744073709551615 (overrides the file)\n"
    "  --threads T     threads, 1 to 1024; default: all cores (OMP_NUM_THREADS);\n"
    "                  OMP_THREAD_LIMIT lowers it; over 4 per CPU: a warning\n"
    "  --until RULE    METRIC:STAT:TOL, e.g. break_even_days:p50:0.5: runs\n"
    "                  10000, 20000, 40000, ... samples until STAT's 95%\n"
    "                  interval has a half-width <= TOL (or the sample count\n"
    "                  reaches --samples or the file's samples)\n"
    "  --sampling D    random (independent draws), lhs (Latin hypercube) or\n"
    "                  sobol (Sobol' sequence, random digital shift);\n"
    "                  overrides the file's \"sampling\"\n"
    "  --replicates R  2 to 1000: also run seeds S+1 .. S+R-1 and write\n"
    "                  replicates.csv, each statistic's spread over the R\n"
    "                  randomizations (the honest error for lhs and sobol);\n"
    "                  S+R-1 must not pass 18446744073709551615\n"
    "  --sensitivity M rank (Spearman and partial rank correlations in\n"
    "                  sensitivity.csv, the default), sobol (also Sobol'\n"
    "                  indices in sobol.csv) or none; overrides the file's\n"
    "  --no-samples    do not write samples.csv\n"
    "  --no-variants   leave out the scenario's variants\n"
    "  --quiet         print nothing but errors (no warnings)\n"
    "  --help          this text;  --version: the program's version\n"
    "\n"
    "N, S, T and R (and the file's seed and samples) are written in decimal\n"
    "without a sign, as digits (1000000) or with a fraction and exponent (1e6,\n"
    "2.5e6), and must be an exact integer in range: +5, -0, 2.5, 0x10 are\n"
    "refused.\n"
    "\n"
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 scenario error, 4 I/O error,\n"
    "5 interrupted by a signal (no results written unless complete), 6 output\n"
    "folder refused (it holds files breakeven did not write, or is the current,\n"
    "home or scenario folder, or above one, or a mount point; nothing changed).\n"
    "Memory does not grow with the samples; a --threads count too large for\n"
    "memory is refused (2).\n";

typedef mc_cli_options options;

#define MC_THREADS_MAX 1024

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "breakeven: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nTry 'breakeven --help' for more information.\n");
    return MC_EXIT_USAGE;
}

/* The integer value of option `name` in [lo, hi], by the rule of every
 * count (mc_count.h: exact, no sign).  0, or the usage error's exit code
 * with the message printed; a long value is shown cut. */
static int parse_count(const char *name, const char *val, uint64_t lo,
                       uint64_t hi, unsigned long long *out)
{
    uint64_t v;
    mc_count_status st = mc_count_parse(val, strlen(val), lo, hi, &v);
    if (st == MC_COUNT_OK) {
        *out = v;
        return 0;
    }
    char msg[256];
    snprintf(msg, sizeof msg, "%s expects an integer from %llu to %llu, "
             "found '%.64s%s'%s", name, (unsigned long long)lo,
             (unsigned long long)hi, val, strlen(val) > 64 ? "..." : "",
             st == MC_COUNT_SIGN ? " (a sign is not allowed)" : "");
    return usage_error("%s%s", msg, "");
}

/* ---- the options ------------------------------------------------------ */

/* Each option's handler: -1 to go on, or the exit code to end with (its
 * message printed). */
typedef int (*option_fn)(options *o, const char *name, const char *val);

/* The end of an option that only prints: 0, or 4 where standard output
 * could not take it (a full disk, a closed pipe). */
static int printed(const char *what)
{
    if (mc_stop_flush_stdout() == 0)
        return MC_EXIT_OK;
    fprintf(stderr, "breakeven: expected to write the %s to standard "
            "output, found an error (%s)\n", what, strerror(errno));
    return MC_EXIT_IO;
}

static int opt_help(options *o, const char *name, const char *val)
{
    (void)o, (void)name, (void)val;
    fputs(usage_text, stdout);
    return printed("help");
}

static int opt_version(options *o, const char *name, const char *val)
{
    (void)o, (void)name, (void)val;
    printf("breakeven %s\n", BREAKEVEN_VERSION);
    return printed("version");
}

static int opt_no_samples(options *o, const char *name, const char *val)
{
    (void)name, (void)val;
    o->no_samples = 1;
    return -1;
}

static int opt_no_variants(options *o, const char *name, const char *val)
{
    (void)name, (void)val;
    o->no_variants = 1;
    return -1;
}

static int opt_quiet(options *o, const char *name, const char *val)
{
    (void)name, (void)val;
    o->quiet = 1;
    return -1;
}

/* Another scenario for the command, or the usage error of too many. */
static int add_source(options *o, const char *text, int builtin)
{
    if (o->n_src >= MC_CLI_SCENARIOS_MAX) {
        char max[16];
        snprintf(max, sizeof max, "%d", MC_CLI_SCENARIOS_MAX);
        return usage_error("expected at most %s scenarios in one command "
                           "(--config, --scenario, --library), found more "
                           "at '%s'", max, text);
    }
    o->src[o->n_src++] = (mc_cli_source){text, builtin};
    return -1;
}

static int opt_config(options *o, const char *name, const char *val)
{
    (void)name;
    o->library_only = 0;
    return add_source(o, val, 0);
}

static int opt_scenario(options *o, const char *name, const char *val)
{
    (void)name;
    if (mc_cfg_builtin_find(val) == NULL)
        return usage_error("--scenario expects the name of a built-in "
                           "scenario (breakeven --list-scenarios), found "
                           "'%.64s'%s", val, strlen(val) > 64 ? "..." : "");
    o->library_only = 0;
    return add_source(o, val, 1);
}

static int opt_library(options *o, const char *name, const char *val)
{
    (void)name, (void)val;
    int only = o->n_src == 0 || o->library_only;
    for (const mc_cfg_builtin *b = mc_cfg_builtins; b->name != NULL; b++) {
        int rc = b->library ? add_source(o, b->name, 1) : -1;
        if (rc >= 0)
            return rc;
    }
    o->library_only = only;
    return -1;
}

/* The first sentence of a description, at most max bytes, into buf. */
static void first_sentence(const char *d, char *buf, size_t cap,
                           size_t max)
{
    size_t n = 0;
    while (d != NULL && d[n] != '\0' && n < max &&
           !(d[n] == '.' && (d[n + 1] == ' ' || d[n + 1] == '\0')) &&
           !(d[n] == ':' && d[n + 1] == ' '))
        n++;
    snprintf(buf, cap, "%.*s%s", (int)n, d != NULL ? d : "",
             d != NULL && n == max && d[n] != '\0' ? "..." : "");
}

static int opt_list(options *o, const char *name, const char *val)
{
    (void)o, (void)name, (void)val;
    printf("built-in scenarios (--scenario NAME; * the library, --library):"
           "\n");
    for (const mc_cfg_builtin *b = mc_cfg_builtins; b->name != NULL; b++) {
        mc_scenario s;
        mc_err err;
        memset(&err, 0, sizeof err);
        if (mc_cfg_load_string(b->json, strlen(b->json), &s, &err) != 0) {
            fprintf(stderr, "breakeven: (built-in) %s: %s: %s\n", b->name,
                    err.path, err.msg);
            return MC_EXIT_INTERNAL;
        }
        char what[128];
        first_sentence(s.description, what, sizeof what, 100);
        printf("%c %-30s %s%s\n", b->library ? '*' : ' ', b->name,
               s.assumed_usage ? "[assumed usage] " : "", what);
        mc_scenario_free(&s);
    }
    return printed("list");
}

static int opt_until(options *o, const char *name, const char *val)
{
    (void)name;
    o->until = val;
    return -1;
}

static int opt_out(options *o, const char *name, const char *val)
{
    (void)name;
    if (*val == '\0')
        return usage_error("--out expects a folder, found an empty "
                           "value%s%s", "", "");
    o->out = val;
    return -1;
}

static int opt_replicates(options *o, const char *name, const char *val)
{
    unsigned long long v;
    if (parse_count(name, val, 2, 1000, &v) != 0)
        return MC_EXIT_USAGE;
    o->replicates = v;
    o->replicates_text = val;
    return -1;
}

static int opt_samples(options *o, const char *name, const char *val)
{
    if (parse_count(name, val, 1, 1000000000, &o->samples) != 0)
        return MC_EXIT_USAGE;
    o->has_samples = 1;
    return -1;
}

static int opt_seed(options *o, const char *name, const char *val)
{
    if (parse_count(name, val, 0, UINT64_MAX, &o->seed) != 0)
        return MC_EXIT_USAGE;
    o->has_seed = 1;
    return -1;
}

static int opt_threads(options *o, const char *name, const char *val)
{
    unsigned long long v;
    if (parse_count(name, val, 1, MC_THREADS_MAX, &v) != 0)
        return MC_EXIT_USAGE;
    o->threads = (int)v;
    return -1;
}

static int opt_sampling(options *o, const char *name, const char *val)
{
    (void)name;
    char names[64];
    mc_sampling_list(names, sizeof names, "", " or ");
    if ((o->sampling = mc_sampling_find(val)) < 0)
        return usage_error("--sampling expects %s, found '%s'", names, val);
    return -1;
}

static int opt_sensitivity(options *o, const char *name, const char *val)
{
    (void)name;
    char names[64];
    mc_sensitivity_list(names, sizeof names, "", " or ");
    if ((o->sensitivity = mc_sensitivity_find(val)) < 0)
        return usage_error("--sensitivity expects %s, found '%s'", names,
                           val);
    return -1;
}

/* How an option takes a value: "--name VALUE" or "--name=VALUE". */
enum {
    OPT_EXIT,                         /* acts and ends the command; a
                                         "=VALUE" is ignored */
    OPT_FLAG,                         /* no value */
    OPT_VALUE                         /* a value, always */
};

static const struct option_def {
    const char *name;
    int kind;
    option_fn set;
} option_defs[] = {
    {"--help", OPT_EXIT, opt_help},
    {"-h", OPT_EXIT, opt_help},
    {"--version", OPT_EXIT, opt_version},
    {"--list-scenarios", OPT_EXIT, opt_list},
    {"--library", OPT_FLAG, opt_library},
    {"--scenario", OPT_VALUE, opt_scenario},
    {"--no-samples", OPT_FLAG, opt_no_samples},
    {"--no-variants", OPT_FLAG, opt_no_variants},
    {"--quiet", OPT_FLAG, opt_quiet},
    {"--config", OPT_VALUE, opt_config},
    {"--out", OPT_VALUE, opt_out},
    {"--samples", OPT_VALUE, opt_samples},
    {"--seed", OPT_VALUE, opt_seed},
    {"--threads", OPT_VALUE, opt_threads},
    {"--until", OPT_VALUE, opt_until},
    {"--sampling", OPT_VALUE, opt_sampling},
    {"--replicates", OPT_VALUE, opt_replicates},
    {"--sensitivity", OPT_VALUE, opt_sensitivity},
    {NULL, 0, NULL}};

/* Parses argv; returns -1 to go on, or an exit code.  Options are exact
 * names (no abbreviations, no bundling), in any order, the last of a
 * repeated one winning; "=" splits a value off only after "--". */
static int parse_args(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char name[32];
        const char *eq = strchr(a, '=');
        size_t nlen = eq != NULL && strncmp(a, "--", 2) == 0
                          ? (size_t)(eq - a) : strlen(a);
        if (nlen >= sizeof name)
            return usage_error("unknown option '%s'%s", a, "");
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        if (eq != NULL && nlen < strlen(a))
            val = eq + 1;
        const struct option_def *d = option_defs;
        while (d->name != NULL && strcmp(d->name, name) != 0)
            d++;
        if (d->name == NULL)
            return usage_error("unknown option '%s'%s", a, "");
        if (d->kind == OPT_FLAG && val != NULL)
            return usage_error("option '%s' takes no value%s", name, "");
        if (d->kind == OPT_VALUE && val == NULL) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value%s", name, "");
            val = argv[++i];
        }
        int rc = d->set(o, name, val);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

/* ---- the scenario ----------------------------------------------------- */

int mc_cli_load_(const mc_cli_source *src, const char *label,
                 mc_scenario *s)
{
    mc_err err;
    memset(&err, 0, sizeof err);
    int loaded;
    if (src != NULL && !src->builtin) {
        int rc = mc_cli_check_config_(src->text);
        if (rc != 0)
            return rc;
        loaded = mc_cfg_load_file(src->text, s, &err);
    } else {
        /* --scenario checked the name when it was given */
        const char *json = src != NULL ? mc_cfg_builtin_find(src->text)->json
                                       : mc_cfg_default_json;
        loaded = mc_cfg_load_string(json, strlen(json), s, &err);
    }
    if (loaded == 0)
        return 0;
    if (err.io)
        fprintf(stderr, "breakeven: %s: expected a readable scenario "
                "file, found a read error (%s)\n", label, err.msg);
    else
        fprintf(stderr, "breakeven: %s: %s: %s\n", label, err.path,
                err.msg);
    return err.io ? MC_EXIT_IO : MC_EXIT_SCENARIO;
}

/* The options over the scenario's settings, and the scenario's "until"
 * unless --until gave one (into *until, o->until then its text).  0 or
 * an exit code. */
int mc_cli_apply_(options *o, const char *config, mc_scenario *s,
                  mc_until *until)
{
    if (o->has_samples)
        s->samples = o->samples;
    if (o->has_seed)
        s->seed = o->seed;
    if (o->no_samples)
        s->write_samples = 0;
    if (o->sampling >= 0)
        s->sampling = o->sampling;
    if (o->sensitivity >= 0)
        s->sensitivity = o->sensitivity;
    if (s->sensitivity == MC_SENS_SOBOL && s->n_corr > 0) {
        fprintf(stderr, "breakeven: --sensitivity sobol: expected independent "
                "inputs for Sobol' indices, found %zu correlated inputs in %s "
                "(use --sensitivity rank)\nTry 'breakeven --help' for more "
                "information.\n", s->n_corr, config);
        return MC_EXIT_USAGE;
    }
    int from_file = 0;
    if (o->until == NULL && s->until[0] != '\0') {
        char why[512];
        if (mc_until_parse(s->until, until, why, sizeof why) != 0) {
            fprintf(stderr, "breakeven: %s: $.until: %s\n", config, why);
            return MC_EXIT_SCENARIO;
        }
        o->until = until->text;
        from_file = 1;
    }
    /* the metric is an output of this scenario (MODEL.md version 2: the
       optional groups' outputs exist only with their inputs) */
    if (o->until != NULL &&
        !s->layout.has_out[until->col - MC_COL_OUTPUT0]) {
        const char *name = mc_column_names[until->col];
        if (from_file) {
            fprintf(stderr, "breakeven: %s: $.until.metric: expected an "
                    "output of this scenario, found '%s', which needs "
                    "inputs the scenario does not give\n", config, name);
            return MC_EXIT_SCENARIO;
        }
        fprintf(stderr, "breakeven: --until: expected an output of %s, "
                "found '%s', which needs inputs the scenario does not give\n"
                "Try 'breakeven --help' for more information.\n", config,
                name);
        return MC_EXIT_USAGE;
    }
    return 0;
}

/* --replicates R: no stopping rule beside it, and seeds S .. S+R-1 that
 * do not wrap past 2^64 - 1 (the seed may come from the file, so this
 * waits for it).  0 or an exit code. */
static int check_replicates(const options *o, const char *config,
                            const mc_scenario *s)
{
    if (o->replicates < 2)
        return 0;
    if (o->until != NULL) {
        fprintf(stderr, "breakeven: --replicates: expected no stopping rule "
                "with replicates (--until or the scenario's \"until\"), found "
                "'%s'\nTry 'breakeven --help' for more information.\n",
                o->until);
        return MC_EXIT_USAGE;
    }
    if (s->seed <= UINT64_MAX - (o->replicates - 1))
        return 0;
    char from[4200];
    snprintf(from, sizeof from, o->has_seed ? "--seed" : "the seed of %s",
             config);
    if (s->seed == UINT64_MAX)
        fprintf(stderr, "breakeven: --replicates: expected a seed of at "
                "most 18446744073709551614 (seeds S .. S+R-1 stop at "
                "2^64 - 1 = 18446744073709551615), found "
                "18446744073709551615 (%s): lower the seed\n", from);
    else
        fprintf(stderr, "breakeven: --replicates expects an integer from "
                "2 to %llu with seed %llu (%s; seeds S .. S+R-1 stop at "
                "2^64 - 1 = 18446744073709551615), found '%s'\n",
                (unsigned long long)(UINT64_MAX - s->seed) + 1,
                (unsigned long long)s->seed, from, o->replicates_text);
    fprintf(stderr, "Try 'breakeven --help' for more information.\n");
    return MC_EXIT_USAGE;
}

/* ---- the run ---------------------------------------------------------- */

/* The run folder is checked and locked before any work, and stays locked
 * for the whole command (replicates, --until batches), so that no other
 * run starts in between.  With MPI, process 0 alone judges and locks the
 * folder it will write, and every process goes on or stops together
 * (mc_comm_agree).  Then the threads the run asks for are started once.
 * 0 or an exit code. */
int mc_cli_lock_and_prepare_(const options *o, const char *outdir,
                             const mc_outdir_guard *guard)
{
    char msg[2048], label[4096 + 32];
    snprintf(label, sizeof label, "%s %s",
             o->out != NULL ? "--out" : "output folder", outdir);
    int c = mc_comm_rank() == 0
                ? mc_outdir_lock(outdir, label, guard, msg, sizeof msg)
                : 0;
    if (!o->quiet)
        mc_cli_print_outdir_warnings_();
    if ((c = mc_comm_agree(c, msg, sizeof msg)) != 0) {
        fprintf(stderr, "breakeven: %s\n", msg);
        return c == MC_OUTDIR_EREFUSED ? MC_EXIT_REFUSED : MC_EXIT_IO;
    }
    int t = mc_stop_prepare_threads(mc_engine_threads(o->threads), msg,
                                    sizeof msg);
    if ((t = mc_comm_agree(t, msg, sizeof msg)) != 0) {
        fprintf(stderr, "breakeven: %s: %s; no results written\n",
                o->threads > 0 ? "--threads" : "threads", msg);
        return MC_EXIT_INTERNAL;
    }
    return 0;
}

/* After a complete run: the summary, and what went wrong on the way out
 * (stdout, the previous run's remains). */
static int report(const options *o, const mc_scenario *s,
                  const mc_drive *d)
{
    if (!o->quiet)
        mc_cli_print_summary_(&d->run, s, d->outdir);
    if (d->reps != NULL && !o->quiet)
        printf("replicates.csv: every statistic over %llu randomizations "
               "(seeds %llu .. %llu)\n", o->replicates,
               (unsigned long long)s->seed,
               (unsigned long long)s->seed + o->replicates - 1);
    int rc = MC_EXIT_OK;
    if (mc_stop_flush_stdout() != 0) {
        fprintf(stderr, "breakeven: expected to write the summary to standard "
                "output, found an error (%s); the results in %s are complete\n",
                strerror(errno), d->outdir);
        rc = MC_EXIT_IO;
    }
    if (d->previous[0] != '\0') {
        fprintf(stderr, "breakeven: %s\n", d->previous);
        rc = MC_EXIT_IO;
    }
    return rc;
}

/* The run folder, the checks before the run, the runs, the summary. */
static int run(const options *o, const char *config, mc_scenario *s,
               mc_drive *d)
{
    char outdir[4096];
    if (o->out != NULL)
        snprintf(outdir, sizeof outdir, "%s", o->out);
    else if (mc_cli_default_outdir_(s->name, outdir, sizeof outdir) != 0) {
        fprintf(stderr, "breakeven: %s: $.name: expected a name that fits in "
                "a folder name, found %zu bytes (use --out)\n", config,
                strlen(s->name));
        return MC_EXIT_SCENARIO;
    }
    mc_stop_set_outdir(outdir);
    char scenario_dir[PATH_MAX];
    mc_outdir_guard guard = {.read_manifest = mc_cfg_read_manifest,
                             .longest_entry = mc_engine_longest_entry(s)};
    const char *file = o->n_src == 1 && !o->src[0].builtin ? o->src[0].text
                                                          : NULL;
    mc_cli_guard_folders_(&guard, &file, 1, scenario_dir,
                          sizeof scenario_dir);
    d->outdir = outdir;
    d->info.guard = &guard;
    int rc = mc_cli_check_memory_(s, o->threads, config);
    if (rc == 0) {
        mc_cli_warn_threads_(o->threads, o->quiet);
        rc = mc_cli_lock_and_prepare_(o, outdir, &guard);
    }
    if (rc == 0)
        rc = mc_drive_runs(s, d);
    if (rc == 0)
        rc = report(o, s, d);
    mc_outdir_unlock();
    mc_drive_free(d);
    return rc;
}

static int command(int argc, char **argv)
{
    options o = {0};
    o.sampling = -1;
    o.sensitivity = -1;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    mc_until until;
    memset(&until, 0, sizeof until);
    if (o.until != NULL) {
        char why[512];
        if (mc_until_parse(o.until, &until, why, sizeof why) != 0)
            return usage_error("--until: %s%s", why, "");
    }

    gsl_set_error_handler_off();    /* once, before any thread */
    double t_start = omp_get_wtime();
    char started[32];
    time_t now = time(NULL);
    struct tm tm_utc;
    gmtime_r(&now, &tm_utc);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);

    if (o.n_src > 1)
        return mc_cli_compare_(&o, started, t_start);
    mc_scenario s;
    const mc_cli_source *src = o.n_src == 1 ? &o.src[0] : NULL;
    const char *config = src != NULL && !src->builtin ? src->text
                                                      : "(built-in)";
    if ((rc = mc_cli_load_(src, config, &s)) != 0)
        return rc;
    if ((rc = mc_cli_apply_(&o, config, &s, &until)) == 0 &&
        (rc = check_replicates(&o, config, &s)) == 0) {
        mc_drive d = {
            .threads = o.threads, .quiet = o.quiet,
            .bar = !o.quiet && isatty(STDERR_FILENO),
            .replicates = (size_t)o.replicates,
            .until = o.until != NULL ? &until : NULL,
            .info = {.config_path = config, .started_utc = started,
                     .t_start = t_start,
                     .until = o.until != NULL ? &until : NULL,
                     .skip_variants = o.no_variants}};
        rc = run(&o, config, &s, &d);
    }
    mc_scenario_free(&s);
    return rc;
}

/* With MPI (mc_comm.h) every rank runs this same program on the same
 * arguments and reaches the same decisions; only rank 0 prints (the
 * others' stdout and stderr go to /dev/null, mc_comm_init), so a bad
 * scenario is reported once.  The stop thread comes first, so that MPI's
 * own threads, started by mc_comm_init, also block SIGINT and SIGTERM. */
int mc_cli_main(int argc, char **argv)
{
    mc_stop_start();                /* before any other thread */
    if (mc_comm_init(&argc, &argv) != 0) {
        fprintf(stderr, "breakeven: expected MPI to start, found an error "
                "from MPI_Init_thread\n");
        mc_stop_finished();
        return MC_EXIT_INTERNAL;
    }
    int rc = command(argc, argv);
    mc_comm_finalize();
    mc_stop_finished();
    return rc;
}
