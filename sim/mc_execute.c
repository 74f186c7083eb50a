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
#include <unistd.h>

#include "mc_comm.h"
#include "mc_engine.h"
#include "mc_execute.h"
#include "mc_saltelli.h"
#include "mc_variants.h"
#include "mc_write.h"

const char *const mc_part_names[MC_PARTS] = {"passes", "sensitivity",
                                              "sobol", "variants",
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

/* The variants' files: each one's summary.csv and curve.csv in
 * variants/<name>/, then variants.csv.  0, or -2 with msg (a file could
 * not be written). */
static int write_variants(const mc_outdir *o, mc_run *run, char *msg,
                          size_t len)
{
    int rc = 0;
    if (lead() && mc_outdir_mkdir(o, "variants", msg, len) != 0) {
        mc_write_file_msg(o, "variants", "", msg, len);
        rc = -2;
    }
    for (size_t i = 0; lead() && rc == 0 && i < run->n_variants; i++)
        if (mc_write_variant(o, run, &run->variants[i], msg, len) != 0)
            rc = -2;
    if (lead() && rc == 0 && mc_write_variants(o, run, msg, len) != 0)
        rc = -2;
    else if (lead() && rc == 0 &&
             mc_outdir_sync_dir(o, "variants", msg, len) != 0) {
        mc_write_file_msg(o, "variants", "", msg, len);
        rc = -2;
    }
    return mc_comm_agree(rc, msg, len);
}

static long group_limit = -1;         /* mc_engine_group_limit */

/* Below this many samples the variants run one after another: a group
 * allocates every member's counts at once (about 60 MB each for the
 * default scenario at 2 threads), which costs about what the passes it
 * shares save (issue 17, on 2 cores, since variants take from the base
 * what they share with it: 2e4 samples 1.97 s one after another against
 * 1.90 s in one group; 5e4 3.25 s against 2.83 s; 1e5 4.08 s against
 * 3.15 s, at 0.62 GB peak against 0.12 GB). */
#define GROUP_MIN_SAMPLES 50000

void mc_engine_group_limit(long k)
{
    group_limit = k;
}

/* The variants one after another: each one's own run, then its
 * comparison with the base (both drawn again): the least memory. */
static int one_by_one(const mc_scenario *s, const mc_scenario *const *vp,
                      size_t nv, int threads, mc_progress_fn progress,
                      void *ctx, const mc_run *run, mc_run *vruns,
                      mc_variant_diff *diffs, char *msg, size_t len)
{
    const mc_reducer *red = mc_comm_reducer();
    for (size_t i = 0; i < nv; i++)
        if (mc_engine_run(vp[i], threads, progress, ctx, NULL, red, &vruns[i],
                          msg, len) != 0 ||
            mc_variant_compare(s, run, vp[i], &vruns[i], threads, red,
                               &diffs[i], msg, len) != 0)
            return -1;
    return 0;
}

/* This machine's memory in bytes (0 if unknown: one variant per group). */
static double machine_bytes(void)
{
    double b = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    return b > 0 ? b : 0.0;
}

/* The variants in each group: as many as fit in half this machine's
 * memory (shared by the processes, which may all be on it), else none
 * (one after another: what the memory check asked room for), none below
 * GROUP_MIN_SAMPLES, at most mc_engine_group_limit's; process 0's count
 * for every process, so that all run the same groups. */
static size_t per_group(const mc_scenario *s, size_t nv, int threads)
{
    size_t per = mc_engine_group_fit(s, nv, threads, 0.5 * machine_bytes() /
                                     (double)mc_comm_size());
    if (group_limit < 0 && s->samples < GROUP_MIN_SAMPLES)
        per = 0;
    if (group_limit >= 0 && per > (size_t)group_limit)
        per = (size_t)group_limit;
    if (mc_comm_bcast(&per, sizeof per) != 0)
        mc_comm_fail("could not share the variants' groups", 1);
    return per;
}

/* The passes of s and, unless skipped, every variant with it
 * (mc_engine_run_group): each variant on the base's streams (seed,
 * samples and sampling as the command line set them), without
 * samples.csv or sensitivity of its own; its results and comparison into
 * run->variants.  As mc_engine_run. */
static int run_group(const mc_scenario *s, int skip, int threads,
                     mc_progress_fn progress, void *ctx, FILE *f,
                     mc_run *run, char *msg, size_t len)
{
    size_t nv = skip ? 0 : s->n_variants;
    if (nv == 0)
        return mc_engine_run(s, threads, progress, ctx, f, mc_comm_reducer(),
                             run, msg, len);
    mc_scenario *vs = calloc(nv, sizeof *vs);
    const mc_scenario **vp = calloc(nv, sizeof *vp);
    mc_run *vruns = calloc(nv, sizeof *vruns);
    mc_variant_result *vr = calloc(nv, sizeof *vr);
    mc_variant_diff *diffs = calloc(nv, sizeof *diffs);
    int rc = -1;
    if (vs == NULL || vp == NULL || vruns == NULL || vr == NULL ||
        diffs == NULL) {
        snprintf(msg, len, "out of memory for the variants");
        goto done;
    }
    for (size_t i = 0; i < nv; i++) {
        vs[i] = *s->variants[i].s;    /* a shallow copy, not freed */
        vs[i].seed = s->seed;         /* as the command line set them */
        vs[i].samples = s->samples;
        vs[i].sampling = s->sampling;
        vs[i].write_samples = 0;
        vs[i].sensitivity = MC_SENS_NONE;
        vp[i] = &vs[i];
    }
    size_t per = per_group(s, nv, threads);
    rc = 0;
    double w0 = omp_get_wtime(), wbase = 0;   /* the base's share */
    double wsens = 0;                 /* the rank sensitivity's */
    if (per == 0) {
        rc = mc_engine_run(s, threads, progress, ctx, f, mc_comm_reducer(),
                           run, msg, len);
        wbase = omp_get_wtime() - w0;
        wsens = wbase * run->sens_share;
        if (rc == 0 && (rc = one_by_one(s, vp, nv, threads, progress, ctx,
                                        run, vruns, diffs, msg, len)) != 0)
            mc_run_free(run);
    }
    mc_scenario again = *s;           /* the base in later groups: only */
    again.write_samples = 0;          /* for the differences, its own */
    again.sensitivity = MC_SENS_NONE; /* results already known */
    for (size_t i = 0; per > 0 && rc == 0 && i < nv; i += per) {
        size_t k = nv - i < per ? nv - i : per;
        mc_run base;
        rc = mc_engine_run_group(i == 0 ? s : &again, vp + i, k, threads,
                                 progress, ctx, i == 0 ? f : NULL,
                                 mc_comm_reducer(), i == 0 ? run : &base,
                                 vruns + i, diffs + i, msg, len);
        if (rc == 0 && i == 0) {
            wsens = (omp_get_wtime() - w0) * run->sens_share;
            wbase = (omp_get_wtime() - w0) * (1.0 - run->variant_share);
        }
        if (rc == 0 && i > 0)
            mc_run_free(&base);
    }
    if (rc != 0)
        goto done;
    double w = omp_get_wtime() - w0;
    run->variant_share = w > 0 ? (w - wbase) / w : 0.0;
    run->sens_share = w > 0 ? wsens / w : 0.0;
    for (size_t i = 0; i < nv; i++) {
        vr[i].name = s->variants[i].name;
        memcpy(vr[i].stats, vruns[i].stats, sizeof vr[i].stats);
        vr[i].n_horizons = vruns[i].n_horizons;
        vr[i].curve = vruns[i].curve;
        vruns[i].curve = NULL;
        vr[i].diff = diffs[i];
    }
    run->variants = vr;
    run->n_variants = nv;
    vr = NULL;
done:
    for (size_t i = 0; vruns != NULL && i < nv; i++)
        mc_run_free(&vruns[i]);
    free(vruns);
    free(vr);
    free(diffs);
    free(vp);
    free(vs);
    return rc;
}

/* The engine's passes over the samples, every process writing its rows
 * of samples.csv into the run folder o: process 0 samples.csv itself,
 * the others parts that process 0 joins after.  0, or the failure every
 * process agreed on (-1, -2) with msg. */
static int run_samples(const mc_scenario *s, int skip_variants,
                       int threads, mc_progress_fn progress, void *ctx,
                       mc_outdir *o, mc_run *run, char *msg, size_t len)
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
    rc = run_group(s, skip_variants, threads, progress, ctx, f, run, msg,
                   len);
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
    if ((rc = run_samples(s, info->skip_variants, threads, progress, ctx,
                          &o, run, msg, len)) != 0)
        goto fail;
    /* the variants' share of the passes is theirs (their thread time
       in the passes of a group, applied to its wall time) */
    part[MC_PART_PASSES] = (t1 = omp_get_wtime()) - t;
    part[MC_PART_VARIANTS] = part[MC_PART_PASSES] * run->variant_share;
    part[MC_PART_SENSITIVITY] = part[MC_PART_PASSES] * run->sens_share;
    part[MC_PART_PASSES] -= part[MC_PART_VARIANTS] + part[MC_PART_SENSITIVITY];
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
    if (run->n_variants > 0 && (rc = write_variants(&o, run, msg, len)) != 0)
        goto fail;
    part[MC_PART_VARIANTS] += omp_get_wtime() - t1;
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
