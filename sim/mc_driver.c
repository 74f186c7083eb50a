/* mc_driver.c: the replicates and the --until batches of one command
 * (mc_driver.h), with the progress bar. */
#include "mc_driver.h"

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_cli.h"
#include "mc_cli_impl.h"
#include "mc_comm.h"
#include "mc_engine.h"
#include "mc_stop.h"
#include "mc_write.h"

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

/* ---- the runs ---------------------------------------------------------- */

static int is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --replicates R: the randomizations with seeds seed+1 .. seed+R-1, no
 * files; the run with the seed itself comes after and writes the folder
 * with replicates.csv beside its files. */
static int run_replicates(mc_scenario *s, mc_drive *d, progress *p)
{
    char msg[2048];
    if (d->replicates < 2)
        return MC_EXIT_OK;
    d->reps = calloc(d->replicates - 1, sizeof *d->reps);
    if (d->reps == NULL) {
        fprintf(stderr, "breakeven: out of memory\n");
        return MC_EXIT_INTERNAL;
    }
    uint64_t seed0 = s->seed;
    for (size_t i = 1; i < d->replicates; i++) {
        s->seed = seed0 + i;
        if (mc_engine_run(s, d->threads, d->bar ? show_progress : NULL, p,
                          NULL, mc_comm_reducer(), &d->reps[i - 1], msg,
                          sizeof msg) != 0) {
            mc_comm_fail(msg, MC_EXIT_INTERNAL);
            fprintf(stderr, "%sbreakeven: %s\n", p->shown ? "\n" : "", msg);
            s->seed = seed0;
            return MC_EXIT_INTERNAL;
        }
        d->n_reps = i;
    }
    s->seed = seed0;
    d->info.reps = d->reps;
    d->info.n_rep = d->replicates;
    return MC_EXIT_OK;
}

/* What a failed or completed run's code erc (mc_engine_execute's) means
 * for the command: its message, and the exit code. */
static int outcome(int erc, const char *msg, mc_drive *d, progress *p)
{
    if (p->shown && erc != 0)
        fprintf(stderr, "\n");
    p->shown = p->shown && erc == 0;
    if (!d->quiet)
        mc_cli_print_outdir_warnings_();
    if (erc == -1 || erc == -4) {
        fprintf(stderr, "breakeven: %s\n", msg);
        return erc == -1 ? MC_EXIT_INTERNAL : MC_EXIT_REFUSED;
    }
    if (erc == -5) {                  /* in place; the old run was not */
        snprintf(d->previous, sizeof d->previous, "%s", msg);
        erc = 0;
    }
    if (erc != 0) {
        int old = is_folder(d->outdir);
        fprintf(stderr, "breakeven: %s; no results written%s%s%s\n", msg,
                old ? ", previous results in " : "", old ? d->outdir : "",
                old ? " are intact" : "");
        return MC_EXIT_IO;
    }
    if (p->shown)
        fprintf(stderr, "\r%60s\r", "");
    return MC_EXIT_OK;
}

/* One complete run into the run folder, and what its failure means. */
static int run_once(mc_scenario *s, mc_drive *d, progress *p)
{
    char msg[2048];
    int erc = mc_engine_execute(s, d->threads, d->bar ? show_progress : NULL,
                                p, &d->info, d->outdir, &d->run, msg,
                                sizeof msg);
    return outcome(erc, msg, d, p);
}

/* After a batch of n samples: its line, and whether it is the last (the
 * rule met, the cap reached, or no room for another batch). */
static int last_batch(const mc_drive *d, size_t n, size_t cap)
{
    const mc_until *u = d->until;
    double value, hw = mc_until_half_width(&d->run, u, &value);
    int met = hw <= u->tol;
    if (!d->quiet) {
        printf("until %s: %zu samples: %.6g, half-width %.3g%s\n", u->text,
               n, value, hw, met ? " (met)" : "");
        (void)mc_stop_flush_stdout();   /* a closed pipe stops here */
    }
    if (!met && n < cap &&
        u->n_batches < sizeof u->batches / sizeof u->batches[0])
        return 0;
    if (!met && !d->quiet)
        printf("until %s: not met at the cap of %zu samples (raise "
               "--samples or the scenario's samples)\n", u->text, n);
    if (!d->quiet)
        printf("\n");
    return 1;
}

int mc_drive_runs(mc_scenario *s, mc_drive *d)
{
    progress p = {omp_get_wtime(), 0};
    int rc = run_replicates(s, d, &p);
    if (rc != MC_EXIT_OK)
        return rc;
    /* one run, or batches up to the cap until the rule is met (mc_until) */
    mc_until *u = d->until;
    size_t cap = (size_t)s->samples;
    if (u != NULL)
        s->samples = cap < MC_UNTIL_FIRST ? cap : MC_UNTIL_FIRST;
    for (;;) {
        if (u != NULL)
            u->batches[u->n_batches++] = (size_t)s->samples;
        if ((rc = run_once(s, d, &p)) != MC_EXIT_OK)
            return rc;
        if (u == NULL || last_batch(d, (size_t)s->samples, cap))
            return MC_EXIT_OK;
        mc_run_free(&d->run);
        s->samples = 2 * s->samples < cap ? 2 * s->samples : cap;
    }
}

void mc_drive_free(mc_drive *d)
{
    for (size_t j = 0; j < d->n_reps; j++)
        mc_run_free(&d->reps[j]);
    free(d->reps);
    d->reps = NULL;
    d->n_reps = 0;
    mc_run_free(&d->run);
}

/* ---- a comparison ------------------------------------------------------ */

static int lead(void)
{
    return mc_comm_rank() == 0;
}

/* What a comparison keeps of a scenario's complete run once its files are
 * written: its statistics and counts (comparison.csv, the manifest, the
 * terminal), not its curves, horizons or correlations, so that the
 * comparison holds no more than the largest of its runs alone. */
static void keep_summary(mc_run *r)
{
    for (size_t v = 0; v < r->n_variants; v++) {
        free(r->variants[v].curve);
        r->variants[v].curve = NULL;
    }
    free(r->curve);
    free(r->horizons);
    free(r->sens);
    r->curve = NULL;
    r->horizons = NULL;
    r->sens = NULL;
}

/* Scenario c's run into its folder inside o.  0, -1 or -2 with msg. */
static int compare_one(mc_outdir *o, mc_compare_item *c, mc_drive *d,
                       progress *p, char *msg, size_t len)
{
    mc_outdir sub;
    int rc = 0;
    if (lead() && (mc_outdir_mkdir(o, c->folder, msg, len) != 0 ||
                   mc_outdir_sub(o, c->folder, &sub, msg, len) != 0)) {
        mc_write_file_msg(o, c->folder, "", msg, len);
        rc = -2;
    }
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        return rc;
    if (!lead())
        memset(&sub, 0, sizeof sub);  /* process 0's comes with the run */
    c->info = d->info;
    c->info.config_path = c->config;
    c->info.t_start = omp_get_wtime();
    if ((rc = mc_engine_execute_in(c->s, d->threads,
                                   d->bar ? show_progress : NULL, p,
                                   &c->info, &sub, &c->run, msg, len)) != 0)
        return rc;
    keep_summary(&c->run);
    if (lead() && mc_outdir_sync_dir(o, c->folder, msg, len) != 0) {
        mc_write_file_msg(o, c->folder, "", msg, len);
        rc = -2;
    }
    return mc_comm_agree(rc, msg, len);
}

int mc_drive_compare(mc_compare_item *c, size_t n, mc_drive *d)
{
    char msg[2048];
    progress p = {omp_get_wtime(), 0};
    mc_outdir o;
    memset(&o, 0, sizeof o);
    int rc = 0;
    if (lead()) {
        int b = mc_outdir_begin(&o, d->outdir, d->info.guard, msg,
                                sizeof msg);
        rc = b == MC_OUTDIR_EREFUSED ? -4 : b != 0 ? -2 : 0;
    }
    if ((rc = mc_comm_agree(rc, msg, sizeof msg)) != 0)
        return outcome(rc, msg, d, &p);      /* nothing was created */
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = compare_one(&o, &c[i], d, &p, msg, sizeof msg);
    /* process 0 writes comparison.csv and the manifest; every process
       then agrees (a failure of process 0 alone is everyone's) */
    mc_compared *w = rc == 0 && lead() ? calloc(n, sizeof *w) : NULL;
    if (rc == 0 && lead() && w == NULL) {
        snprintf(msg, sizeof msg, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; w != NULL && i < n; i++)
        w[i] = (mc_compared){c[i].folder, c[i].s, &c[i].run, &c[i].info};
    if (w != NULL &&
        (mc_write_comparison(&o, w, n, msg, sizeof msg) != 0 ||
         mc_write_comparison_manifest(&o, w, n, msg, sizeof msg) != 0))
        rc = -2;
    free(w);
    rc = mc_comm_agree(rc, msg, sizeof msg);
    if (rc == 0 && lead())
        rc = mc_engine_commit_code(mc_outdir_commit(&o, msg, sizeof msg));
    rc = mc_comm_agree(rc, msg, sizeof msg);
    if (rc != 0 && rc != -5)
        mc_engine_abort(&o, msg, sizeof msg);
    return outcome(rc, msg, d, &p);
}
