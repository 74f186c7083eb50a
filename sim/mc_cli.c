/* mc_cli.c: options, the run, the terminal summary.  The only code that
 * prints; libraries return errors and this file reports them as
 * "breakeven: ..." with the exit codes of mc_cli.h. */
#include "mc_cli.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mc_engine.h"

static const char *const usage_text =
    "usage: breakeven [--config FILE] [--out DIR] [--samples N] [--seed S]\n"
    "                 [--threads T] [--no-samples] [--quiet]\n"
    "       breakeven --help | --version\n"
    "\n"
    "Monte Carlo break-even of AI training against inference compute.\n"
    "Without --config, runs the built-in DeepSeek-V3/R1 scenario.\n"
    "\n"
    "  --config FILE   scenario file (JSON); default: built-in deepseek-v3-r1\n"
    "  --out DIR       run folder to write; default: runs/<scenario name>\n"
    "  --samples N     number of samples, 1 to 1000000000 (overrides the file);\n"
    "                  an integer, digits only or with an exponent (1e6)\n"
    "  --seed S        seed, 0 to 18446744073709551615 (overrides the file)\n"
    "  --threads T     threads, 1 to 1024; default: all cores (OMP_NUM_THREADS)\n"
    "  --no-samples    do not write samples.csv\n"
    "  --quiet         print nothing but errors\n"
    "  --help          this text;  --version: the program's version\n"
    "\n"
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 scenario error, 4 I/O error.\n";

typedef struct options {
    const char *config;
    const char *out;
    int has_samples, has_seed;
    unsigned long long samples, seed;
    int threads;
    int no_samples, quiet;
} options;

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "breakeven: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nTry 'breakeven --help' for more information.\n");
    return MC_EXIT_USAGE;
}

/* An unsigned integer in [lo, hi]: digits, or a number with a fraction or
 * exponent whose value is an exact integer (1e6, 2.5e6), below 2^53 in
 * that form.  Returns 0 on success. */
static int parse_count(const char *s, unsigned long long lo,
                       unsigned long long hi, unsigned long long *out)
{
    if (*s == '\0' || strspn(s, "0123456789") == strlen(s)) {
        if (*s == '\0')
            return -1;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0' || v < lo || v > hi)
            return -1;
        *out = v;
        return 0;
    }
    if (strspn(s, "0123456789.eE+") != strlen(s))
        return -1;                  /* no sign, hex, inf or nan */
    char *end;
    double d = strtod(s, &end);
    if (*end != '\0' || !(d >= (double)lo) || d > (double)hi ||
        d > 9007199254740992.0 || d != floor(d))
        return -1;
    *out = (unsigned long long)d;
    return 0;
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
        if (strcmp(name, "--no-samples") == 0 || strcmp(name, "--quiet") == 0) {
            if (val != NULL)
                return usage_error("option '%s' takes no value%s", name, "");
            if (name[2] == 'n')
                o->no_samples = 1;
            else
                o->quiet = 1;
            continue;
        }
        static const char *const with_value[] = {
            "--config", "--out", "--samples", "--seed", "--threads", NULL};
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
        } else if (strcmp(name, "--out") == 0) {
            if (*val == '\0')
                return usage_error("--out expects a folder, found an empty "
                                   "value%s%s", "", "");
            o->out = val;
        } else if (strcmp(name, "--samples") == 0) {
            if (parse_count(val, 1, 1000000000ULL, &v) != 0)
                return usage_error("--samples expects an integer from 1 to "
                                   "1000000000, found '%s'%s", val, "");
            o->has_samples = 1;
            o->samples = v;
        } else if (strcmp(name, "--seed") == 0) {
            if (parse_count(val, 0, ~0ULL, &v) != 0)
                return usage_error("--seed expects an integer from 0 to "
                                   "18446744073709551615, found '%s'%s", val, "");
            o->has_seed = 1;
            o->seed = v;
        } else {
            if (parse_count(val, 1, 1024, &v) != 0)
                return usage_error("--threads expects an integer from 1 to "
                                   "1024, found '%s'%s", val, "");
            o->threads = (int)v;
        }
    }
    return -1;
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
    int width = 30, done = (int)(fraction * width + 0.5);
    fprintf(stderr, "\r%-9s [%.*s%*s] %3d%%", phase, done,
            "##############################", width - done, "",
            (int)(fraction * 100.0 + 0.5));
    fflush(stderr);
}

/* ---- terminal summary ------------------------------------------------ */

static void print_summary(const mc_run *run, const mc_scenario *s,
                          const char *outdir)
{
    printf("%s: %zu samples, seed %llu, %d thread%s, %.2f s -> %s\n\n",
           s->name, run->n, (unsigned long long)s->seed, run->threads,
           run->threads == 1 ? "" : "s", run->seconds, outdir);
    printf("%-34s %11s %11s %11s %8s %8s\n", "output", "median", "5%", "95%",
           "never", "P(<=2)");
    static const int shown[] = {
        MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_BE_FINAL, MC_COL_BE_ENERGY_FINAL,
        MC_COL_M, MC_COL_M_ENERGY, MC_COL_M_FINAL, MC_COL_M_ENERGY_FINAL};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const mc_stats *st = &run->stats[shown[i] - MC_COL_T];
        char ple2[16] = "";
        if (!isnan(st->p_le_2))
            snprintf(ple2, sizeof ple2, "%.4f", st->p_le_2);
        /* q[1], q[4], q[7]: the 5%, 50% and 95% points */
        printf("%-34s %11.5g %11.5g %11.5g %7.2f%%", mc_column_names[shown[i]],
               st->q[4], st->q[1], st->q[7],
               100.0 * (double)st->never / (double)st->n);
        printf(*ple2 ? " %8s\n" : "\n", ple2);
    }
}

/* "runs/<name>", with characters other than [A-Za-z0-9._-] as '_'. */
static void default_outdir(const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "runs/%s", name);
    for (size_t i = 5; i < len && n > 0 && buf[i] != '\0'; i++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789._-", buf[i]) == NULL)
            buf[i] = '_';
    if (strcmp(buf, "runs/.") == 0 || strcmp(buf, "runs/..") == 0)
        snprintf(buf, len, "runs/_");
}

int mc_cli_main(int argc, char **argv)
{
    options o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;

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
    if ((o.config != NULL ? mc_cfg_load_file(o.config, &s, &err)
                          : mc_cfg_load_default(&s, &err)) != 0) {
        if (err.io)
            fprintf(stderr, "breakeven: %s: %s\n", config, err.msg);
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

    char outdir[4096];
    if (o.out != NULL)
        snprintf(outdir, sizeof outdir, "%s", o.out);
    else
        default_outdir(s.name, outdir, sizeof outdir);

    double need = mc_engine_memory_bytes(&s, o.threads);
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    char msg[1024];
    mc_run run;
    memset(&run, 0, sizeof run);
    if (have > 0 && need > 0.9 * have) {
        fprintf(stderr, "breakeven: %llu samples need %.1f GiB of memory, "
                "this machine has %.1f GiB; use fewer samples\n",
                (unsigned long long)s.samples, need / 1073741824.0,
                have / 1073741824.0);
        rc = MC_EXIT_USAGE;
        goto out;
    }

    progress p = {omp_get_wtime(), 0};
    int bar = !o.quiet && isatty(STDERR_FILENO);
    if (mc_engine_run(&s, o.threads, bar ? show_progress : NULL, &p, &run,
                      msg, sizeof msg) != 0) {
        fprintf(stderr, "%sbreakeven: %s\n", p.shown ? "\n" : "", msg);
        rc = MC_EXIT_INTERNAL;
        goto out;
    }
    if (p.shown)
        fprintf(stderr, "\r%60s\r", "");

    mc_run_info info = {config, started, t_start};
    if (mc_engine_write(&run, &s, &info, outdir, msg, sizeof msg) != 0) {
        fprintf(stderr, "breakeven: %s\n", msg);
        rc = MC_EXIT_IO;
        goto out;
    }
    if (!o.quiet)
        print_summary(&run, &s, outdir);
    rc = MC_EXIT_OK;
out:
    mc_run_free(&run);
    mc_scenario_free(&s);
    return rc;
}
