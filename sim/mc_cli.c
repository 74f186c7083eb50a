/* mc_cli.c: options, the run, the terminal summary.  The only code that
 * prints; libraries return errors and this file reports them as
 * "breakeven: ..." with the exit codes of mc_cli.h. */
#define _XOPEN_SOURCE 700        /* realpath */
#include "mc_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mc_comm.h"
#include "mc_count.h"
#include "mc_engine.h"
#include "mc_manifest.h"
#include "mc_saltelli.h"
#include "mc_stop.h"

static const char *const usage_text =
    "usage: breakeven [--config FILE] [--out DIR] [--samples N] [--seed S]\n"
    "                 [--threads T] [--until RULE] [--sampling D]\n"
    "                 [--replicates R] [--sensitivity M]\n"
    "                 [--no-samples] [--no-variants] [--quiet]\n"
    "       breakeven --help | --version\n"
    "\n"
    "Monte Carlo break-even of AI training against inference compute.\n"
    "Without --config, runs the built-in DeepSeek-V3/R1 scenario.\n"
    "\n"
    "  --config FILE   scenario file (JSON); default: built-in deepseek-v3-r1\n"
    "  --out DIR       run folder to write; default: runs/<scenario name>;\n"
    "                  replaced only if empty or an earlier run of breakeven's\n"
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

typedef struct options {
    const char *config;
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
} options;

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

/* Parses argv; returns -1 to go on, or an exit code. */
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

        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            fputs(usage_text, stdout);
            return MC_EXIT_OK;
        }
        if (strcmp(name, "--version") == 0) {
            printf("breakeven %s\n", BREAKEVEN_VERSION);
            return MC_EXIT_OK;
        }
        if (strcmp(name, "--no-samples") == 0 ||
            strcmp(name, "--no-variants") == 0 ||
            strcmp(name, "--quiet") == 0) {
            if (val != NULL)
                return usage_error("option '%s' takes no value%s", name, "");
            if (strcmp(name, "--no-samples") == 0)
                o->no_samples = 1;
            else if (strcmp(name, "--no-variants") == 0)
                o->no_variants = 1;
            else
                o->quiet = 1;
            continue;
        }
        static const char *const with_value[] = {
            "--config", "--out", "--samples", "--seed", "--threads",
            "--until", "--sampling", "--replicates", "--sensitivity", NULL};
        int known = 0;
        for (int k = 0; with_value[k] != NULL; k++)
            known |= strcmp(name, with_value[k]) == 0;
        if (!known)
            return usage_error("unknown option '%s'%s", a, "");
        if (val == NULL) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value%s", name, "");
            val = argv[++i];
        }
        unsigned long long v;
        if (strcmp(name, "--config") == 0) {
            o->config = val;
        } else if (strcmp(name, "--until") == 0) {
            o->until = val;
        } else if (strcmp(name, "--replicates") == 0) {
            if (parse_count(name, val, 2, 1000, &v) != 0)
                return MC_EXIT_USAGE;
            o->replicates = v;
            o->replicates_text = val;
        } else if (strcmp(name, "--sampling") == 0) {
            char names[64];
            mc_sampling_list(names, sizeof names, "", " or ");
            if ((o->sampling = mc_sampling_find(val)) < 0)
                return usage_error("--sampling expects %s, found '%s'", names,
                                   val);
        } else if (strcmp(name, "--sensitivity") == 0) {
            char names[64];
            mc_sensitivity_list(names, sizeof names, "", " or ");
            if ((o->sensitivity = mc_sensitivity_find(val)) < 0)
                return usage_error("--sensitivity expects %s, found '%s'",
                                   names, val);
        } else if (strcmp(name, "--out") == 0) {
            if (*val == '\0')
                return usage_error("--out expects a folder, found an empty "
                                   "value%s%s", "", "");
            o->out = val;
        } else if (strcmp(name, "--samples") == 0) {
            if (parse_count(name, val, 1, 1000000000, &v) != 0)
                return MC_EXIT_USAGE;
            o->has_samples = 1;
            o->samples = v;
        } else if (strcmp(name, "--seed") == 0) {
            if (parse_count(name, val, 0, UINT64_MAX, &v) != 0)
                return MC_EXIT_USAGE;
            o->has_seed = 1;
            o->seed = v;
        } else {
            if (parse_count(name, val, 1, MC_THREADS_MAX, &v) != 0)
                return MC_EXIT_USAGE;
            o->threads = (int)v;
        }
    }
    return -1;
}

/* ---- checks before the run ------------------------------------------- */

static int is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* What a path that could not be opened or searched turned out to be. */
static const char *found_for(int e)
{
    switch (e) {
    case ENOENT:
        return "no such file";
    case EACCES:
        return "no permission to read it";
    case ENOTDIR:
        return "a path through a file";
    case EISDIR:
        return "a folder";
    default:
        return "an error";
    }
}

/* The scenario file: present, a regular file, readable.  0 or an exit
 * code (message printed).  The loader reports what goes wrong later.
 * Nothing else is opened: opening a FIFO waits for a writer, forever if
 * none comes, and reading a device (/dev/zero) never ends or means
 * nothing. */
static int check_config(const char *path)
{
    struct stat st;
    int e = 0;
    if (stat(path, &st) != 0) {
        e = errno;
    } else if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "breakeven: %s: expected a scenario file, found a "
                "folder\n", path);
        return MC_EXIT_IO;
    } else if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "breakeven: %s: expected a regular scenario file, "
                "found %s\n", path,
                S_ISFIFO(st.st_mode) ? "a FIFO"
                : S_ISCHR(st.st_mode) ? "a character device"
                : S_ISBLK(st.st_mode) ? "a block device"
                : S_ISSOCK(st.st_mode) ? "a socket" : "a special file");
        return MC_EXIT_IO;
    } else {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            e = errno;
        else
            close(fd);
    }
    if (e == 0)
        return 0;
    fprintf(stderr, "breakeven: %s: expected a readable scenario file, "
            "found %s (%s)\n", path, found_for(e), strerror(e));
    return MC_EXIT_IO;
}

/* ---- progress bar (stderr, terminals only, runs over about 1 s) ---- */

typedef struct progress {
    double t0;
    int shown;
} progress;

static void show_progress(void *ctx, const char *phase, double fraction)
{
    progress *p = ctx;
    if (!p->shown && omp_get_wtime() - p->t0 < 1.0)
        return;
    p->shown = 1;
    mc_stop_progress_shown();
    int width = 30, done = (int)(fraction * width + 0.5);
    fprintf(stderr, "\r%-9s [%.*s%*s] %3d%%", phase, done,
            "##############################", width - done, "",
            (int)(fraction * 100.0 + 0.5));
    fflush(stderr);
}

/* ---- terminal summary ------------------------------------------------ */

/* The larger side of an interval around x. */
static double half_width(double x, double lo, double hi)
{
    double a = x - lo, b = hi - x;
    return a > b ? a : b;
}

/* The two largest of v[0..d) in size (SIZE_MAX where there is none). */
static void top_two(const double *v, size_t d, size_t best[2])
{
    best[0] = best[1] = SIZE_MAX;
    for (size_t a = 0; a < d; a++) {
        double x = fabs(v[a]);
        if (!(x > 0.0))
            continue;
        if (best[0] == SIZE_MAX || x > fabs(v[best[0]])) {
            best[1] = best[0];
            best[0] = a;
        } else if (best[1] == SIZE_MAX || x > fabs(v[best[1]])) {
            best[1] = a;
        }
    }
}

/* The two inputs that drive each headline output (issue 7): by total
 * Sobol' index when the run computed them, else by Spearman's rank
 * correlation in size. */
static void print_drivers(const mc_run *run)
{
    static const int headline[] = {MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_M,
                                   MC_COL_M_ENERGY};
    const mc_sobol_result *sob = run->sobol;
    if (run->sens_d == 0 && sob == NULL)
        return;
    if (sob != NULL)
        printf("\ndrivers (the two inputs of largest total Sobol' index ST "
               "for each output;\n all indices, with intervals, in "
               "sobol.csv)\n");
    else
        printf("\ndrivers (the two inputs of largest Spearman rank "
               "correlation with each output;\n all inputs, and partial "
               "rank correlations, in sensitivity.csv)\n");
    for (size_t i = 0; i < sizeof headline / sizeof headline[0]; i++) {
        size_t k = (size_t)(headline[i] - MC_COL_T), d, best[2];
        double v[MC_NCOLS];
        const char *name[MC_NCOLS];
        if (sob != NULL) {
            d = sob->d;
            for (size_t a = 0; a < d; a++) {
                v[a] = sob->idx[k][a].ST;
                name[a] = sob->factor[a];
            }
        } else {
            d = run->sens_d;
            for (size_t a = 0; a < d; a++) {
                v[a] = run->sens[k * d + a].spearman;
                name[a] = mc_column_names[run->sens_col[a]];
            }
        }
        top_two(v, d, best);
        printf("  %-24s", mc_column_names[headline[i]]);
        for (int j = 0; j < 2 && best[j] != SIZE_MAX; j++)
            printf(sob != NULL ? "%s%s %.2f" : "%s%s %+.2f", j > 0 ? ", " : "",
                   name[best[j]], v[best[j]]);
        if (sob != NULL && !isnan(sob->censored_at[k]))
            printf("  (censored at %g days)", sob->censored_at[k]);
        printf("\n");
    }
}

/* Each variant's median shift of two headline outputs, with the
 * half-width of its 95% interval (on common random numbers). */
static void print_variants(const mc_run *run)
{
    if (run->n_variants == 0)
        return;
    static const int shown[] = {MC_COL_BE, MC_COL_M_ENERGY};
    printf("\nvariants (median shift from the base on the same random "
           "numbers, with the half-width\n of its 95%% interval; every "
           "output in variants.csv)\n");
    printf("  %-28s %20s %20s\n", "variant", "break_even_days",
           "multiplier_energy");
    for (size_t v = 0; v < run->n_variants; v++) {
        const mc_variant_result *vr = &run->variants[v];
        printf("  %-28s", vr->name);
        for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
            size_t k = (size_t)(shown[i] - MC_COL_T);
            char buf[64];
            double shift = vr->diff.median_shift[k];
            double hw = vr->diff.median_hi[k] - shift;
            if (shift == 0.0 && hw == 0.0)
                snprintf(buf, sizeof buf, "0");
            else
                mc_fmt_justified(buf, sizeof buf, shift, hw, 1);
            printf(" %*s", (int)(20 + (strstr(buf, "±") != NULL)), buf);
        }
        printf("\n");
    }
}

/* Each figure to the digits its 95% interval justifies (issue 6): the
 * median and P(<= 2) with their error, the 5% and 95% points and the
 * share "never" rounded by theirs. */
static void print_summary(const mc_run *run, const mc_scenario *s,
                          const char *outdir)
{
    printf("%s: %zu samples, seed %llu, %d thread%s, %.2f s -> %s\n\n",
           s->name, run->n, (unsigned long long)s->seed, run->threads,
           run->threads == 1 ? "" : "s", run->seconds, outdir);
    printf("%-32s %17s %10s %10s %8s %15s\n", "output", "median", "5%",
           "95%", "never", "P(<=2)");
    static const int shown[] = {
        MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_BE_FINAL, MC_COL_BE_ENERGY_FINAL,
        MC_COL_M, MC_COL_M_ENERGY, MC_COL_M_FINAL, MC_COL_M_ENERGY_FINAL};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const mc_stats *st = &run->stats[shown[i] - MC_COL_T];
        char med[48], q05[48], q95[48], never[48], ple2[48] = "";
        /* q[1], q[4], q[7]: the 5%, 50% and 95% points */
        mc_fmt_justified(med, sizeof med, st->q[4],
                         half_width(st->q[4], st->q_lo[4], st->q_hi[4]), 1);
        mc_fmt_justified(q05, sizeof q05, st->q[1],
                         half_width(st->q[1], st->q_lo[1], st->q_hi[1]), 0);
        mc_fmt_justified(q95, sizeof q95, st->q[7],
                         half_width(st->q[7], st->q_lo[7], st->q_hi[7]), 0);
        double share = 100.0 * (double)st->never / (double)st->n, lo, hi;
        mc_wilson(st->never, st->n, MC_LEVEL, &lo, &hi);
        size_t w = (size_t)mc_fmt_justified(
            never, sizeof never - 1, share,
            half_width(share, 100.0 * lo, 100.0 * hi), 0);
        if (w < sizeof never - 1)
            snprintf(never + w, sizeof never - w, "%%");
        if (!isnan(st->p_le_2))
            mc_fmt_justified(ple2, sizeof ple2, st->p_le_2,
                             half_width(st->p_le_2, st->p_le_2_lo,
                                        st->p_le_2_hi), 1);
        /* "±" is two bytes in UTF-8: widen the fields that hold one */
        printf("%-32s %*s %10s %10s %8s", mc_column_names[shown[i]],
               (int)(17 + (strstr(med, "±") != NULL)), med, q05, q95, never);
        printf(*ple2 ? " %*s\n" : "\n", (int)(15 + (strstr(ple2, "±") != NULL)),
               ple2);
    }
    printf("\n(median and P(<=2) with the half-width of their 95%% interval; "
           "every figure\n rounded to the digits its interval justifies; "
           "all intervals in summary.csv)\n");
    print_drivers(run);
    print_variants(run);
}

/* "runs/<name>": the scenario's name made into one folder name, one to
 * one, so that two scenarios never share a default folder.  Letters,
 * digits, '_', '-' and '.' stay (but a leading '.', which would hide the
 * folder and makes "." and ".."); every other byte, '%' included, becomes
 * %XX (hexadecimal, as in a URL): "a/b" -> "a%2Fb", "a_b" -> "a_b",
 * "." -> "%2E", ".." -> "%2E.", "~" -> "%7E", "my run" -> "my%20run".
 * -1 if it does not fit in len. */
static int default_outdir(const char *name, char *buf, size_t len)
{
    static const char keep[] = "abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
    size_t n = (size_t)snprintf(buf, len, "runs/");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int plain = *p != '\0' && strchr(keep, *p) != NULL &&
                    !(p == (const unsigned char *)name && *p == '.');
        int w = plain ? snprintf(buf + n, len - n, "%c", *p)
                      : snprintf(buf + n, len - n, "%%%02X", *p);
        if (w < 0 || (size_t)w >= len - n)
            return -1;
        n += (size_t)w;
    }
    return 0;
}

/* The folders --out may be neither equal to nor above: the current one,
 * the home folder ($HOME and the account's), and the scenario file's. */
static void guard_folders(mc_outdir_guard *g, const char *config,
                          char *scenario_dir, size_t cap)
{
    size_t k = 0;
    g->protect[k++] = (mc_outdir_protect){".", "the current folder"};
    const char *home = getenv("HOME");
    if (home != NULL && *home != '\0')
        g->protect[k++] = (mc_outdir_protect){home, "the home folder"};
    struct passwd *pw = getpwuid(geteuid());
    if (pw != NULL && pw->pw_dir != NULL && *pw->pw_dir != '\0')
        g->protect[k++] = (mc_outdir_protect){pw->pw_dir, "the home folder"};
    if (config != NULL && realpath(config, scenario_dir) != NULL) {
        char *slash = strrchr(scenario_dir, '/');
        if (slash != NULL)
            slash[slash == scenario_dir] = '\0';
        g->protect[k++] = (mc_outdir_protect){scenario_dir,
                                              "the scenario file's folder"};
    }
    (void)cap;
    g->protect[k].path = NULL;
}

/* Prints the run folder's warnings (leftovers of killed runs it could not
 * remove), one "breakeven: warning: ..." line each. */
static void print_outdir_warnings(void)
{
    char w[16384];
    if (mc_outdir_warnings(w, sizeof w) == 0)
        return;
    for (char *line = strtok(w, "\n"); line != NULL; line = strtok(NULL, "\n"))
        fprintf(stderr, "breakeven: warning: %s\n", line);
}

/* The memory a run needs at 1 thread with x horizons or x samples, or
 * at x threads (a shallow copy: mc_engine_memory_bytes reads counts). */
typedef double (*need_fn)(const mc_scenario *s, size_t x);

static double need_threads(const mc_scenario *s, size_t x)
{
    return mc_engine_memory_bytes(s, (int)x);
}

static double need_horizons(const mc_scenario *s, size_t x)
{
    mc_scenario t = *s;
    t.n_horizons = x;
    return mc_engine_memory_bytes(&t, 1);
}

static double need_samples(const mc_scenario *s, size_t x)
{
    mc_scenario t = *s;
    t.samples = x;
    return mc_engine_memory_bytes(&t, 1);
}

/* The largest x in [1, hi] whose run needs at most room bytes, or 0 if
 * even 1 does not fit (the need grows with x). */
static size_t largest_fit(const mc_scenario *s, need_fn need, size_t hi,
                          double room)
{
    size_t lo = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (need(s, mid) <= room)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The run does not fit in 90% of the memory: what does not, and what
 * would.  The per-thread buffers grow with the horizons (four curve
 * points each, every one with its quantile counts), so a run whose
 * threads are the trouble gets the most threads that fit; a run too
 * large even at one thread gets the horizons and the samples that would
 * fit (up to MC_QS_PILOT samples a run keeps them all and needs no
 * counts, so fewer samples can be the way out). */
static void refuse_memory(const mc_scenario *s, const options *o,
                          const char *config, double need, double have)
{
    const double gib = 1073741824.0, room = 0.9 * have;
    int threads = mc_engine_threads(o->threads);
    size_t most = largest_fit(s, need_threads, (size_t)threads, room);
    if (most >= 1) {
        fprintf(stderr, "breakeven: %s: expected a run that fits in 90%% of "
                "this machine's %.1f GiB of memory (at most about %zu "
                "thread%s), found %d threads, which need %.1f GiB\n",
                o->threads > 0 ? "--threads" : "OMP_NUM_THREADS",
                have / gib, most, most == 1 ? "" : "s", threads, need / gib);
        return;
    }
    size_t h = largest_fit(s, need_horizons, s->n_horizons, room);
    size_t n = largest_fit(s, need_samples, (size_t)s->samples, room);
    char what[160];
    if (h > 0 && n > 0)
        snprintf(what, sizeof what, "at most about %zu horizons at these "
                 "samples, or %zu samples at these horizons", h, n);
    else if (h > 0 || n > 0)
        snprintf(what, sizeof what, "at most about %zu %s", h > 0 ? h : n,
                 h > 0 ? "horizons at these samples"
                       : "samples at these horizons");
    else
        snprintf(what, sizeof what, "fewer horizons and fewer samples");
    fprintf(stderr, "breakeven: %s: expected a run that fits in 90%% of this "
            "machine's %.1f GiB of memory, found %zu horizons and %llu "
            "samples, which need %.1f GiB even at 1 thread (lower them: %s)"
            "\n", config, have / gib, s->n_horizons,
            (unsigned long long)s->samples, need_threads(s, 1) / gib, what);
}

/* Threads per CPU above which a request is worth a warning.  The
 * results are the same at any count, and the tests run 7 threads on 2
 * CPUs on purpose (3.5 per CPU) to show it; a few threads per CPU only
 * cost a little time-slicing.  Far beyond that the extra threads add
 * their buffers (megabytes each) and no speed: more likely a slip
 * (--threads 64 for 6, an OMP_NUM_THREADS meant for another machine)
 * than a wish, so the run goes on with one line to say so. */
#define THREADS_PER_CPU_WARN 4

/* One warning line when the threads the run will ask for are more than
 * THREADS_PER_CPU_WARN per CPU this process may run on (its affinity
 * mask, which libgomp's omp_get_num_procs counts: taskset, cgroups'
 * cpusets, Slurm).  Not with --quiet. */
static void warn_threads(const options *o)
{
    int cpus = omp_get_num_procs(), t = mc_engine_threads(o->threads);
    if (o->quiet || cpus < 1 || t <= THREADS_PER_CPU_WARN * cpus)
        return;
    fprintf(stderr, "breakeven: warning: %d threads (%s) are more than %d "
            "per CPU for the %d CPU%s this process may use; the run goes on, "
            "no faster than with %d thread%s and with more memory\n", t,
            o->threads > 0 ? "--threads" : "OMP_NUM_THREADS",
            THREADS_PER_CPU_WARN, cpus, cpus == 1 ? "" : "s", cpus,
            cpus == 1 ? "" : "s");
}

static int cli_main(int argc, char **argv);

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
    int rc = cli_main(argc, argv);
    mc_comm_finalize();
    mc_stop_finished();
    return rc;
}

static int cli_main(int argc, char **argv)
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

    mc_scenario s;
    mc_err err;
    memset(&err, 0, sizeof err);
    const char *config = o.config != NULL ? o.config : "(built-in)";
    if (o.config != NULL && (rc = check_config(o.config)) != 0)
        return rc;
    if ((o.config != NULL ? mc_cfg_load_file(o.config, &s, &err)
                          : mc_cfg_load_default(&s, &err)) != 0) {
        if (err.io)
            fprintf(stderr, "breakeven: %s: expected a readable scenario "
                    "file, found a read error (%s)\n", config, err.msg);
        else
            fprintf(stderr, "breakeven: %s: %s: %s\n", config, err.path,
                    err.msg);
        return err.io ? MC_EXIT_IO : MC_EXIT_SCENARIO;
    }
    if (o.has_samples)
        s.samples = o.samples;
    if (o.has_seed)
        s.seed = o.seed;
    if (o.no_samples)
        s.write_samples = 0;
    if (o.sampling >= 0)
        s.sampling = o.sampling;
    if (o.sensitivity >= 0)
        s.sensitivity = o.sensitivity;
    if (s.sensitivity == MC_SENS_SOBOL && s.n_corr > 0) {
        fprintf(stderr, "breakeven: --sensitivity sobol: expected independent "
                "inputs for Sobol' indices, found %zu correlated inputs in %s "
                "(use --sensitivity rank)\nTry 'breakeven --help' for more "
                "information.\n", s.n_corr, config);
        mc_scenario_free(&s);
        return MC_EXIT_USAGE;
    }
    /* the scenario's "until", unless --until gave one */
    if (o.until == NULL && s.until[0] != '\0') {
        char why[512];
        if (mc_until_parse(s.until, &until, why, sizeof why) != 0) {
            fprintf(stderr, "breakeven: %s: $.until: %s\n", config, why);
            mc_scenario_free(&s);
            return MC_EXIT_SCENARIO;
        }
        o.until = until.text;
    }
    if (o.replicates >= 2 && o.until != NULL) {
        fprintf(stderr, "breakeven: --replicates: expected no stopping rule "
                "with replicates (--until or the scenario's \"until\"), found "
                "'%s'\nTry 'breakeven --help' for more information.\n",
                o.until);
        mc_scenario_free(&s);
        return MC_EXIT_USAGE;
    }
    /* Seeds S .. S+R-1 must not wrap past 2^64 - 1 (the seed may come
       from the file, so this waits for it). */
    if (o.replicates >= 2 && s.seed > UINT64_MAX - (o.replicates - 1)) {
        char from[4200];
        snprintf(from, sizeof from, o.has_seed ? "--seed" : "the seed of %s",
                 config);
        if (s.seed == UINT64_MAX)
            fprintf(stderr, "breakeven: --replicates: expected a seed of at "
                    "most 18446744073709551614 (seeds S .. S+R-1 stop at "
                    "2^64 - 1 = 18446744073709551615), found "
                    "18446744073709551615 (%s): lower the seed\n", from);
        else
            fprintf(stderr, "breakeven: --replicates expects an integer from "
                    "2 to %llu with seed %llu (%s; seeds S .. S+R-1 stop at "
                    "2^64 - 1 = 18446744073709551615), found '%s'\n",
                    (unsigned long long)(UINT64_MAX - s.seed) + 1,
                    (unsigned long long)s.seed, from, o.replicates_text);
        fprintf(stderr, "Try 'breakeven --help' for more information.\n");
        mc_scenario_free(&s);
        return MC_EXIT_USAGE;
    }

    char outdir[4096];
    if (o.out != NULL)
        snprintf(outdir, sizeof outdir, "%s", o.out);
    else if (default_outdir(s.name, outdir, sizeof outdir) != 0) {
        fprintf(stderr, "breakeven: %s: $.name: expected a name that fits in "
                "a folder name, found %zu bytes (use --out)\n", config,
                strlen(s.name));
        mc_scenario_free(&s);
        return MC_EXIT_SCENARIO;
    }
    mc_stop_set_outdir(outdir);
    char scenario_dir[PATH_MAX];
    mc_outdir_guard guard = {.read_manifest = mc_cfg_read_manifest,
                             .longest_entry = mc_engine_longest_entry(&s)};
    guard_folders(&guard, o.config, scenario_dir, sizeof scenario_dir);
    char label[4096 + 32];
    snprintf(label, sizeof label, "%s %s",
             o.out != NULL ? "--out" : "output folder", outdir);

    /* Memory: refused before anything starts (refuse_memory), a usage
     * error, exit 2. */
    double need = mc_engine_memory_bytes(&s, o.threads);
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    char msg[2048], previous[2048] = "";
    mc_run run;
    mc_run *reps = NULL;              /* --replicates: seeds seed+1, ... */
    size_t n_reps = 0;                /* of them computed */
    memset(&run, 0, sizeof run);
    if (have > 0 && need > 0.9 * have) {
        refuse_memory(&s, &o, config, need, have);
        rc = MC_EXIT_USAGE;
        goto out;
    }
    /* The Saltelli design keeps its N (d + 2) evaluations of every output
     * (for the bootstrap): the scenario's sobol_samples must fit beside
     * the run, else a scenario error, exit 3. */
    if (s.sensitivity == MC_SENS_SOBOL) {
        int cols[MC_NCOLS];
        double sb = mc_saltelli_bytes((size_t)s.sobol_samples,
                                      mc_engine_sens_inputs(&s, cols),
                                      MC_NOUTPUTS);
        if (have > 0 && need + sb > 0.9 * have) {
            fprintf(stderr, "breakeven: %s: $.sensitivity.sobol_samples: "
                    "expected a Saltelli design that fits in 90%% of this "
                    "machine's %.1f GiB of memory, found %llu rows, which "
                    "need %.1f GiB\n", config, have / 1073741824.0,
                    (unsigned long long)s.sobol_samples, sb / 1073741824.0);
            rc = MC_EXIT_SCENARIO;
            goto out;
        }
    }
    warn_threads(&o);
    /* The run folder is checked and locked before any work, and stays
     * locked for the whole command (replicates, --until batches), so that
     * no other run starts in between.  With MPI, process 0 alone judges
     * and locks the folder it will write, and every process goes on or
     * stops together (mc_comm_agree). */
    {
        int c = mc_comm_rank() == 0
                    ? mc_outdir_lock(outdir, label, &guard, msg, sizeof msg)
                    : 0;
        if (!o.quiet)
            print_outdir_warnings();
        if ((c = mc_comm_agree(c, msg, sizeof msg)) != 0) {
            fprintf(stderr, "breakeven: %s\n", msg);
            rc = c == MC_OUTDIR_EREFUSED ? MC_EXIT_REFUSED : MC_EXIT_IO;
            goto out;
        }
    }
    {
        int t = mc_stop_prepare_threads(mc_engine_threads(o.threads), msg,
                                        sizeof msg);
        if ((t = mc_comm_agree(t, msg, sizeof msg)) != 0) {
            fprintf(stderr, "breakeven: %s: %s; no results written\n",
                    o.threads > 0 ? "--threads" : "threads", msg);
            rc = MC_EXIT_INTERNAL;
            goto out;
        }
    }

    progress p = {omp_get_wtime(), 0};
    int bar = !o.quiet && isatty(STDERR_FILENO);
    mc_run_info info = {config, started, t_start, o.until ? &until : NULL,
                        NULL, 0, o.no_variants, &guard};
    /* --replicates R: the randomizations with seeds seed+1 .. seed+R-1
     * first (no files), then the run with the seed itself writes the
     * folder with replicates.csv beside its files. */
    if (o.replicates >= 2) {
        reps = calloc((size_t)o.replicates - 1, sizeof *reps);
        if (reps == NULL) {
            fprintf(stderr, "breakeven: out of memory\n");
            rc = MC_EXIT_INTERNAL;
            goto out;
        }
        uint64_t seed0 = s.seed;
        for (size_t i = 1; i < (size_t)o.replicates; i++) {
            s.seed = seed0 + i;
            if (mc_engine_run_r(&s, o.threads, bar ? show_progress : NULL,
                                &p, NULL, mc_comm_reducer(), &reps[i - 1],
                                msg, sizeof msg) != 0) {
                mc_comm_fail(msg, MC_EXIT_INTERNAL);
                fprintf(stderr, "%sbreakeven: %s\n", p.shown ? "\n" : "",
                        msg);
                rc = MC_EXIT_INTERNAL;
                goto out;
            }
            n_reps = i;
        }
        s.seed = seed0;
        info.reps = reps;
        info.n_rep = (size_t)o.replicates;
    }
    /* One run, or batches of 10,000, 20,000, ... samples up to the cap
     * until the rule is met (mc_until): each batch is a complete run
     * that replaces the previous one's folder. */
    size_t cap = (size_t)s.samples;
    if (o.until)
        s.samples = cap < MC_UNTIL_FIRST ? cap : MC_UNTIL_FIRST;
    for (;;) {
        if (o.until)
            until.batches[until.n_batches++] = (size_t)s.samples;
        int erc = mc_engine_execute(&s, o.threads, bar ? show_progress : NULL,
                                    &p, &info, outdir, &run, msg, sizeof msg);
        if (p.shown && erc != 0)
            fprintf(stderr, "\n");
        p.shown = p.shown && erc == 0;
        if (!o.quiet)
            print_outdir_warnings();
        if (erc == -1 || erc == -4) {
            fprintf(stderr, "breakeven: %s\n", msg);
            rc = erc == -1 ? MC_EXIT_INTERNAL : MC_EXIT_REFUSED;
            goto out;
        }
        if (erc == -5) {              /* in place; the old run was not */
            snprintf(previous, sizeof previous, "%s", msg);
            erc = 0;
        }
        if (erc != 0) {
            int old = is_folder(outdir);
            fprintf(stderr, "breakeven: %s; no results written%s%s%s\n", msg,
                    old ? ", previous results in " : "", old ? outdir : "",
                    old ? " are intact" : "");
            rc = MC_EXIT_IO;
            goto out;
        }
        if (p.shown)
            fprintf(stderr, "\r%60s\r", "");
        if (!o.until)
            break;
        double value, hw = mc_until_half_width(&run, &until, &value);
        int met = hw <= until.tol;
        if (!o.quiet) {
            printf("until %s: %zu samples: %.6g, half-width %.3g%s\n",
                   until.text, (size_t)s.samples, value, hw,
                   met ? " (met)" : "");
            (void)mc_stop_flush_stdout();   /* a closed pipe stops here */
        }
        if (met || (size_t)s.samples >= cap ||
            until.n_batches == sizeof until.batches / sizeof until.batches[0])
        {
            if (!met && !o.quiet)
                printf("until %s: not met at the cap of %zu samples (raise "
                       "--samples or the scenario's samples)\n", until.text,
                       (size_t)s.samples);
            if (!o.quiet)
                printf("\n");
            break;
        }
        mc_run_free(&run);
        s.samples = 2 * s.samples < cap ? 2 * s.samples : cap;
    }
    if (!o.quiet)
        print_summary(&run, &s, outdir);
    if (reps != NULL && !o.quiet)
        printf("replicates.csv: every statistic over %llu randomizations "
               "(seeds %llu .. %llu)\n", o.replicates,
               (unsigned long long)s.seed,
               (unsigned long long)s.seed + o.replicates - 1);
    rc = MC_EXIT_OK;
    if (mc_stop_flush_stdout() != 0) {
        fprintf(stderr, "breakeven: expected to write the summary to standard "
                "output, found an error (%s); the results in %s are complete\n",
                strerror(errno), outdir);
        rc = MC_EXIT_IO;
    }
    if (previous[0] != '\0') {
        fprintf(stderr, "breakeven: %s\n", previous);
        rc = MC_EXIT_IO;
    }
out:
    mc_outdir_unlock();
    for (size_t j = 0; j < n_reps; j++)
        mc_run_free(&reps[j]);
    free(reps);
    mc_run_free(&run);
    mc_scenario_free(&s);
    return rc;
}
