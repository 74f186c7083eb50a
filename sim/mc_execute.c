/* mc_execute.c: one complete run into its run folder (mc_engine_execute):
 * the folder begun, the samples streamed through the engine while
 * samples.csv is written, the files of the results, Sobol' indices, the
 * variants, manifest.json, and the folder swapped into place.  The files
 * themselves are mc_write.c's.
 *
 * With several processes (mc_comm.h) every process computes and process
 * 0 writes.  A failure of one process alone, where the others may
 * already be waiting in a collective step, ends the run (mc_comm_fail);
 * a step that every process reaches ends with mc_comm_agree, so that all
 * stop together with the first failing process's message. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_comm.h"
#include "mc_engine.h"
#include "mc_execute.h"
#include "mc_saltelli.h"
#include "mc_variants.h"
#include "mc_write.h"

const char *const mc_part_names[MC_PARTS] = {"passes", "sobol", "variants",
                                             "writing"};

static int lead(void)
{
    return mc_comm_rank() == 0;
}

/* A computation's outcome: a failure is one process's alone, and ends the
 * run if there are others. */
static int computed(int rc, const char *msg)
{
    if (rc != 0 && mc_comm_size() > 1)
        mc_comm_fail(msg, 1);
    return rc;
}

/* sobol.csv: first-order and total Sobol' indices from a Saltelli design
 * of s->sobol_samples base rows (mc_saltelli.h).  0, -1 with msg (the
 * design could not run) or -2 with msg (the file could not be written). */
static int run_sobol(const mc_outdir *o, const mc_scenario *s, mc_run *run,
                     int threads, char *msg, size_t len)
{
    if ((run->sobol = malloc(sizeof *run->sobol)) == NULL) {
        snprintf(msg, len, "out of memory for Sobol' indices");
        return computed(-1, msg);
    }
    if (computed(mc_sobol_scenario(s, (size_t)s->sobol_samples,
                                   s->bootstrap, threads, mc_comm_reducer(),
                                   run->sobol, msg, len), msg) != 0)
        return -1;
    int rc = lead() && mc_write_sobol(o, run->sobol, msg, len) != 0 ? -2 : 0;
    return mc_comm_agree(rc, msg, len);
}

/* Runs each variant of s on the base's streams (no samples.csv, no
 * sensitivity of its own), writes its summary.csv and curve.csv into
 * variants/<name>/, and compares it with the base.  Returns 0, -1 with
 * msg (the run failed) or -2 with msg (a file could not be written). */
static int run_variants(const mc_outdir *o, const mc_scenario *s,
                        mc_run *run, int threads, mc_progress_fn progress,
                        void *ctx, char *msg, size_t len)
{
    const mc_reducer *red = mc_comm_reducer();
    run->variants = calloc(s->n_variants + 1, sizeof *run->variants);
    if (run->variants == NULL) {
        snprintf(msg, len, "out of memory for the variants");
        return computed(-1, msg);
    }
    int rc = 0;
    if (lead() && mc_outdir_mkdir(o, "variants", msg, len) != 0) {
        mc_write_file_msg(o, "variants", "", msg, len);
        rc = -2;
    }
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        return rc;
    for (size_t i = 0; i < s->n_variants; i++) {
        const mc_variant *var = &s->variants[i];
        mc_scenario vs = *var->s;     /* a shallow copy, not freed */
        vs.seed = s->seed;            /* as the command line set them */
        vs.samples = s->samples;
        vs.sampling = s->sampling;
        vs.write_samples = 0;
        vs.sensitivity = MC_SENS_NONE;
        mc_run vrun;
        if (computed(mc_engine_run(&vs, threads, progress, ctx, NULL, red,
                                   &vrun, msg, len), msg) != 0)
            return -1;
        mc_variant_result *vr = &run->variants[run->n_variants++];
        vr->name = var->name;
        memcpy(vr->stats, vrun.stats, sizeof vr->stats);
        vr->n_horizons = vrun.n_horizons;
        vr->curve = vrun.curve;
        vrun.curve = NULL;
        rc = computed(mc_variant_compare(s, run, &vs, &vrun, threads, red,
                                         &vr->diff, msg, len), msg);
        mc_run_free(&vrun);
        if (rc != 0)
            return -1;
        if (lead())
            rc = mc_write_variant(o, run, vr, msg, len) != 0 ? -2 : 0;
        if ((rc = mc_comm_agree(rc, msg, len)) != 0)
            return rc;
    }
    if (lead() && mc_write_variants(o, run, msg, len) != 0)
        rc = -2;
    else if (lead() && mc_outdir_sync_dir(o, "variants", msg, len) != 0) {
        mc_write_file_msg(o, "variants", "", msg, len);
        rc = -2;
    }
    return mc_comm_agree(rc, msg, len);
}

/* The engine's passes over the samples, every process writing its rows
 * of samples.csv into the run folder o: process 0 samples.csv itself,
 * the others parts that process 0 joins after.  0, or the failure every
 * process agreed on (-1, -2) with msg. */
static int run_samples(const mc_scenario *s, int threads,
                       mc_progress_fn progress, void *ctx, mc_outdir *o,
                       mc_run *run, char *msg, size_t len)
{
    int rc = 0;
    FILE *f = NULL;
    /* the other processes' parts of samples.csv, so that an abort
       removes them */
    for (int p = 1; lead() && rc == 0 && s->write_samples &&
                    p < mc_comm_size(); p++) {
        char name[64];
        snprintf(name, sizeof name, "samples.csv.part%d", p);
        if (mc_outdir_note(o, name, msg, len) != 0)
            rc = -2;
    }
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        return rc;
    if (mc_comm_bcast(o, sizeof *o) != 0)
        mc_comm_fail("could not share the run folder's name", 1);
    char part[64] = "samples.csv";
    if (!lead())
        snprintf(part, sizeof part, "samples.csv.part%d", mc_comm_rank());
    if (s->write_samples && (f = mc_outdir_open(o, part, msg, len)) == NULL) {
        mc_write_file_msg(o, part, "", msg, len);
        rc = -2;
    }
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        return rc;
    rc = mc_engine_run(s, threads, progress, ctx, f, mc_comm_reducer(), run,
                       msg, len);
    if (rc == -1)
        computed(rc, msg);
    /* -2: this process's file failed; -3: another's (all know, agreed) */
    if (rc == -2)
        mc_write_file_msg(o, part, "cannot write: ", msg, len);
    if (f != NULL && rc != 0)
        fclose(f);                /* already failed: its result adds nothing */
    else if (f != NULL && mc_outdir_close(f, msg, len) != 0) {
        mc_write_file_msg(o, part, "", msg, len);
        rc = -2;
    }
    int agreed = mc_comm_agree(rc == -3 ? 0 : rc, msg, len);
    if (agreed != 0 || rc != 0)
        return agreed != 0 ? agreed : -2;
    return 0;
}

int mc_engine_commit_code(int c)
{
    switch (c) {
    case 0:
        return 0;
    case MC_OUTDIR_EREFUSED:
        return -4;
    case MC_OUTDIR_EPREVIOUS:
        return -5;
    case MC_OUTDIR_EINTERNAL:
        return -1;
    default:
        return -2;
    }
}

size_t mc_engine_longest_entry(const mc_scenario *s)
{
    size_t longest = sizeof "samples.csv.part" + 10;   /* any rank number */
    for (size_t i = 0; i < s->n_variants; i++) {
        size_t n = sizeof "variants//summary.csv" + strlen(s->variants[i].name);
        if (n > longest)
            longest = n;
    }
    return longest;
}

int mc_engine_execute_in(const mc_scenario *s, int threads,
                         mc_progress_fn progress, void *ctx,
                         const mc_run_info *info, const mc_outdir *od,
                         mc_run *run, char *msg, size_t len)
{
    mc_outdir o = *od;                /* run_samples shares it with ranks */
    memset(run, 0, sizeof *run);
    double part[MC_PARTS] = {0}, t = omp_get_wtime(), t1;
    int rc;
    if ((rc = run_samples(s, threads, progress, ctx, &o, run, msg, len)) != 0)
        goto fail;
    part[MC_PART_PASSES] = (t1 = omp_get_wtime()) - t;
    if (lead() && s->write_samples && mc_comm_size() > 1)
        rc = mc_write_samples_join(&o, msg, len) != 0 ? -2 : 0;
    if (lead() && rc == 0 &&
        (mc_write_summary(&o, &run->layout, run->stats, "summary.csv", msg, len) != 0 ||
         mc_write_curve(&o, run, run->curve, "curve.csv", msg, len) != 0 ||
         (info->n_rep >= 2 &&
          mc_write_replicates(&o, run, info, msg, len) != 0) ||
         (run->sens_d > 0 && mc_write_sensitivity(&o, run, msg, len) != 0)))
        rc = -2;
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        goto fail;
    part[MC_PART_WRITING] = (t = omp_get_wtime()) - t1;
    if (s->sensitivity == MC_SENS_SOBOL &&
        (rc = run_sobol(&o, s, run, threads, msg, len)) != 0)
        goto fail;
    part[MC_PART_SOBOL] = (t1 = omp_get_wtime()) - t;
    if (s->n_variants > 0 && !info->skip_variants &&
        (rc = run_variants(&o, s, run, threads, progress, ctx, msg, len)) != 0)
        goto fail;
    part[MC_PART_VARIANTS] = omp_get_wtime() - t1;
    if (mc_comm_traffic(&run->comm_sent, &run->comm_received) != 0)
        mc_comm_fail("could not count the traffic between ranks", 1);
    run->processes = mc_comm_size();
    memcpy(run->part_seconds, part, sizeof part);
    run->wall_seconds = omp_get_wtime() - info->t_start;
    if (lead() && mc_write_manifest(&o, run, s, info, msg, len) != 0)
        rc = -2;
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        goto fail;
    return 0;
fail:
    mc_run_free(run);
    return rc;
}

int mc_engine_execute(const mc_scenario *s, int threads,
                      mc_progress_fn progress, void *ctx,
                      const mc_run_info *info, const char *outdir,
                      mc_run *run, char *msg, size_t len)
{
    mc_outdir o;
    memset(&o, 0, sizeof o);
    memset(run, 0, sizeof *run);
    int rc = 0;
    if (lead()) {
        int b = mc_outdir_begin(&o, outdir, info->guard, msg, len);
        rc = b == MC_OUTDIR_EREFUSED ? -4 : b != 0 ? -2 : 0;
    }
    if ((rc = mc_comm_agree(rc, msg, len)) != 0)
        return rc;                    /* nothing was created */
    if ((rc = mc_engine_execute_in(s, threads, progress, ctx, info, &o, run,
                                   msg, len)) != 0)
        goto fail;
    if (lead())
        rc = mc_engine_commit_code(mc_outdir_commit(&o, msg, len));
    if ((rc = mc_comm_agree(rc, msg, len)) != 0 && rc != -5)
        goto fail;
    return rc;
fail:
    mc_engine_abort(&o, msg, len);
    mc_run_free(run);
    return rc;
}

void mc_engine_abort(mc_outdir *o, char *msg, size_t len)
{
    if (!lead())
        return;
    char left[1200];
    if (mc_outdir_abort(o, left, sizeof left) != 0) {
        size_t used = strlen(msg);
        snprintf(msg + used, len > used ? len - used : 0, "; %s", left);
    }
}
