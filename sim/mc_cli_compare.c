/* mc_cli_compare.c: several scenarios in one command (--config and
 * --scenario repeated, --library): every scenario loaded and checked
 * before any work, then the runs into one comparison folder
 * (mc_drive_compare) and the summary of all.  A bad scenario among
 * several ends the command before anything is written, its message
 * naming its file (or built-in name); so does anything the runs could
 * only find at their end (two scenarios sharing a folder name, memory). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mc_cli.h"
#include "mc_cli_impl.h"
#include "mc_driver.h"
#include "mc_engine.h"
#include "mc_execute.h"
#include "mc_manifest.h"
#include "mc_stop.h"

/* What a comparison cannot take, before any scenario is read. */
static int check_options(const mc_cli_options *o)
{
    const char *what = o->until != NULL ? "--until" :
                       o->replicates >= 2 ? "--replicates" : NULL;
    if (what == NULL)
        return 0;
    fprintf(stderr, "breakeven: %s: expected one scenario with %s, found "
            "%zu (a comparison runs each scenario once at its samples: run "
            "them one at a time)\nTry 'breakeven --help' for more "
            "information.\n", what, what, o->n_src);
    return MC_EXIT_USAGE;
}

/* The label of source i in messages and its manifest: the file, or
 * "(built-in)" (the manifest of a built-in scenario run alone says so
 * too); into buf for messages, "(built-in NAME)". */
static const char *source_label(const mc_cli_source *src, char *buf,
                                size_t cap)
{
    if (!src->builtin)
        return src->text;
    snprintf(buf, cap, "(built-in %s)", src->text);
    return buf;
}

/* Scenario i loaded into *s, the options applied, its folder named in
 * items[i] and checked against the ones before it.  0 or an exit code. */
static int prepare_one(mc_cli_options *o, size_t i, mc_scenario *s,
                       mc_compare_item *items)
{
    mc_compare_item *c = &items[i];
    char label[512];
    const mc_cli_source *src = &o->src[i];
    const char *what = source_label(src, label, sizeof label);
    int rc = mc_cli_load_(src, what, s);
    if (rc != 0)
        return rc;
    /* the options applied as to a scenario run alone (a copy: a stopping
       rule of the file would become the options'), its "until" checked */
    mc_until until;
    memset(&until, 0, sizeof until);
    mc_cli_options each = *o;
    if ((rc = mc_cli_apply_(&each, what, s, &until)) != 0)
        return rc;
    if (s->until[0] != '\0') {
        fprintf(stderr, "breakeven: %s: $.until: expected no stopping rule "
                "in a comparison of several scenarios, found \"%s\" (run "
                "this scenario alone, or remove its \"until\")\n", what,
                s->until);
        return MC_EXIT_USAGE;
    }
    c->s = s;
    c->config = src->builtin ? "(built-in)" : src->text;
    if (mc_cli_folder_name_(s->name, c->folder, sizeof c->folder) != 0) {
        fprintf(stderr, "breakeven: %s: $.name: expected a name that fits in "
                "a folder name, found %zu bytes\n", what, strlen(s->name));
        return MC_EXIT_SCENARIO;
    }
    /* the comparison folder's own files */
    if (strcmp(c->folder, "manifest.json") == 0 ||
        strcmp(c->folder, "comparison.csv") == 0) {
        fprintf(stderr, "breakeven: %s: $.name: expected a scenario name "
                "other than the comparison folder's own files (manifest.json, "
                "comparison.csv) in a comparison, found '%s' (run it alone, "
                "or rename it)\nTry 'breakeven --help' for more "
                "information.\n", what, s->name);
        return MC_EXIT_USAGE;
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(items[j].folder, c->folder) == 0) {
            char other[512];
            fprintf(stderr, "breakeven: %s and %s: expected scenarios of "
                    "different names in one comparison (each has a folder "
                    "of its own), found '%s' twice\nTry 'breakeven --help' "
                    "for more information.\n",
                    source_label(&o->src[j], other, sizeof other), what,
                    s->name);
            return MC_EXIT_USAGE;
        }
    return mc_cli_check_memory_(s, o->threads, what);
}

/* The longest path the comparison writes, for the checks before it. */
static size_t longest_entry(const mc_compare_item *c, size_t n)
{
    size_t longest = sizeof "comparison.csv";
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(c[i].folder) + 1 + mc_engine_longest_entry(c[i].s);
        if (k > longest)
            longest = k;
    }
    return longest;
}

/* The comparison folder, locked; the runs; the summary. */
static int run_all(mc_cli_options *o, mc_compare_item *c, size_t n,
                   mc_drive *d)
{
    char outdir[4096];
    snprintf(outdir, sizeof outdir, "%s",
             o->out != NULL ? o->out
                            : o->library_only ? "runs/library"
                                              : "runs/comparison");
    mc_stop_set_outdir(outdir);
    const char *files[MC_CLI_SCENARIOS_MAX];
    for (size_t i = 0; i < n; i++)
        files[i] = o->src[i].builtin ? NULL : o->src[i].text;
    char *dirs = calloc(n, PATH_MAX);
    if (dirs == NULL) {
        fprintf(stderr, "breakeven: out of memory\n");
        return MC_EXIT_INTERNAL;
    }
    mc_outdir_guard guard = {.read_manifest = mc_cfg_read_manifest,
                             .longest_entry = longest_entry(c, n)};
    mc_cli_guard_folders_(&guard, files, n, dirs, PATH_MAX);
    d->outdir = outdir;
    d->info.guard = &guard;
    mc_cli_warn_threads_(o->threads, o->quiet);
    int rc = mc_cli_lock_and_prepare_(o, outdir, &guard);
    if (rc == 0)
        rc = mc_drive_compare(c, n, d);
    if (rc == 0 && !o->quiet)
        mc_cli_print_comparison_(c, n, outdir);
    if (rc == 0 && mc_stop_flush_stdout() != 0) {
        fprintf(stderr, "breakeven: expected to write the summary to standard "
                "output, found an error; the results in %s are complete\n",
                outdir);
        rc = MC_EXIT_IO;
    }
    if (d->previous[0] != '\0') {
        fprintf(stderr, "breakeven: %s\n", d->previous);
        rc = rc == 0 ? MC_EXIT_IO : rc;
    }
    mc_outdir_unlock();
    free(dirs);
    return rc;
}

int mc_cli_compare_(mc_cli_options *o, const char *started, double t_start)
{
    int rc = check_options(o);
    if (rc != 0)
        return rc;
    size_t n = o->n_src;
    mc_scenario *s = calloc(n, sizeof *s);
    mc_compare_item *c = calloc(n, sizeof *c);
    if (s == NULL || c == NULL) {
        fprintf(stderr, "breakeven: out of memory\n");
        rc = MC_EXIT_INTERNAL;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = prepare_one(o, i, &s[i], c);
    if (rc == 0) {
        mc_drive d = {
            .threads = o->threads, .quiet = o->quiet,
            .bar = !o->quiet && isatty(STDERR_FILENO),
            .info = {.config_path = "", .started_utc = started,
                     .t_start = t_start, .skip_variants = o->no_variants}};
        rc = run_all(o, c, n, &d);
    }
    for (size_t i = 0; c != NULL && i < n; i++)
        mc_run_free(&c[i].run);
    for (size_t i = 0; s != NULL && i < n; i++)
        mc_scenario_free(&s[i]);       /* a zeroed one (not loaded) too */
    free(c);
    free(s);
    return rc;
}
