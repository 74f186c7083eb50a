/* mc_group.c: the passes over the samples (mc_engine_run, and
 * mc_engine_run_group for a scenario and its variants together): each
 * block of every member (mc_engine.c) and each variant's differences
 * from the base (mc_pair, mc_variants.c), in parallel and in block order
 * where sums are merged; the passes after the first until every quantile
 * is exact, the rank scores summed and the counts below the medians
 * taken; then the runs' results. */
#include "mc_engine_impl.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_variants.h"

/* Blocks per parallel region: a progress step (and the only barrier). */
#define CHUNK_BLOCKS 16

static void report(mc_progress_fn progress, void *ctx, const char *phase,
                   double fraction)
{
    if (progress != NULL)
        progress(ctx, phase, fraction);
}

/* A group: a scenario (the base) and its variants in the same passes
 * over the samples.  Thread t works on block b of every member with the
 * members' lane t, so that the base's block is still in cache when each
 * variant's differences from it are taken (mc_pair). */
typedef struct group {
    engine *e;                        /* ne members: [0] the base */
    int ne;
    mc_pair **pair;                   /* [v]: member v + 1 against the base */
    int *on;                          /* this pass: member k is drawn */
    int *pon;                         /* this pass: pair v adds its D */
    int *pcnt;                        /* this pass: pair v counts below
                                         the medians */
    int counts;                       /* this pass: by the medians */
    int bracket;                      /* this pass: by their brackets */
    int counted, bracketed;           /* done (or armed), tried */
    double *tbase, *tvar;             /* per thread: seconds in the base's
                                         blocks and in the variants' */
} group;

static size_t block_len(const engine *e, size_t b)
{
    return mc_block_len(e->n, b);
}

/* Inside a parallel region: OpenMP may give fewer threads than asked
 * (OMP_DYNAMIC, a region inside another), and the run reports the
 * threads that worked, not the request.  Thread 0 alone writes; the
 * region's end orders it before any read. */
static void note_team(engine *e)
{
    if (omp_get_thread_num() == 0 && omp_get_num_threads() > e->team)
        e->team = omp_get_num_threads();
}

/* The columns of member k's lane t. */
static const double *const *cols_of(const group *g, int k, int t)
{
    return (const double *const *)g->e[k].lanes[t].col;
}

/* Pass 1 on block b by thread t: every member's block, then each
 * variant's differences from the base. */
static void group_block1(group *g, int t, size_t b)
{
    size_t lo = b * MC_BLOCK, len = block_len(&g->e[0], b);
    double t0 = omp_get_wtime();
    engine_block1_(&g->e[0], &g->e[0].lanes[t], lo, len, NULL);
    double t1 = omp_get_wtime();
    for (int k = 1; k < g->ne; k++)
        engine_block1_(&g->e[k], &g->e[k].lanes[t], lo, len,
                       cols_of(g, 0, t));
    for (int v = 0; v + 1 < g->ne; v++) {
        mc_pair_block(g->pair[v], t, cols_of(g, 0, t), cols_of(g, v + 1, t),
                      len, 1);
        if (g->counts && g->pcnt[v])
            mc_pair_count(g->pair[v], t, cols_of(g, 0, t),
                          cols_of(g, v + 1, t), len);
    }
    g->tbase[t] += t1 - t0;
    g->tvar[t] += omp_get_wtime() - t1;
}

/* In block order: every member's summary of block b, and its rows. */
static void group_merge1(group *g, int t, size_t b)
{
    size_t len = block_len(&g->e[0], b);
    for (int k = 0; k < g->ne; k++)
        engine_merge1_(&g->e[k], &g->e[k].lanes[t], b, len);
    for (int v = 0; v + 1 < g->ne; v++)
        mc_pair_push(g->pair[v], t, b);
}

/* A later pass on block b: the members that are drawn, the pairs that
 * still count. */
static void group_refine(group *g, int t, size_t b)
{
    size_t lo = b * MC_BLOCK, len = block_len(&g->e[0], b);
    double t0 = omp_get_wtime();
    if (g->on[0])
        engine_refine_(&g->e[0], &g->e[0].lanes[t], lo, len, NULL);
    double t1 = omp_get_wtime();
    for (int k = 1; k < g->ne; k++)
        if (g->on[k])
            engine_refine_(&g->e[k], &g->e[k].lanes[t], lo, len,
                           g->on[0] ? cols_of(g, 0, t) : NULL);
    for (int v = 0; v + 1 < g->ne; v++) {
        if (g->pon[v])
            mc_pair_block(g->pair[v], t, cols_of(g, 0, t),
                          cols_of(g, v + 1, t), len, 0);
        if ((g->counts || g->bracket) && g->pcnt[v])
            mc_pair_count(g->pair[v], t, cols_of(g, 0, t),
                          cols_of(g, v + 1, t), len);
    }
    g->tbase[t] += t1 - t0;
    g->tvar[t] += omp_get_wtime() - t1;
}

/* One pass over all samples: pass 1 (first) in block order, or a
 * refining pass in any order.  The base (member 0) has the blocks, the
 * threads, the progress and samples.csv. */
static void run_pass(group *g, int first, mc_progress_fn progress,
                     void *ctx)
{
    engine *e = &g->e[0];
    const char *phase = first ? "sampling" : "refining";
    size_t nb = e->b1 - e->b0;
    for (size_t b0 = e->b0; b0 < e->b1; b0 += CHUNK_BLOCKS) {
        int stop;
        #pragma omp atomic read
        stop = e->io_failed;
        if (stop && e->np == 1)       /* with several processes every pass
                                         runs to its collectives */
            break;
        report(progress, ctx, phase,
               nb > 0 ? (double)(b0 - e->b0) / (double)nb : 1.0);
        size_t b1 = e->b1 - b0 < CHUNK_BLOCKS ? e->b1 : b0 + CHUNK_BLOCKS;
        if (first) {
            #pragma omp parallel num_threads(e->nt)
            {
                int t = omp_get_thread_num();
                note_team(e);
                #pragma omp for ordered schedule(static, 1)
                for (size_t b = b0; b < b1; b++) {
                    group_block1(g, t, b);
                    #pragma omp ordered
                    group_merge1(g, t, b);
                }
            }
        } else {
            /* Sobol': the same blocks per thread in every pass, so that
               cursors only move forward; else whichever thread is free
               (set here, for the region's schedule(runtime), and the
               caller's setting restored after) */
            omp_sched_t kind;
            int chunk;
            omp_get_schedule(&kind, &chunk);
            omp_set_schedule(e->s->sampling == MC_SAMPLING_SOBOL
                                 ? omp_sched_static : omp_sched_dynamic, 1);
            #pragma omp parallel num_threads(e->nt)
            {
                int t = omp_get_thread_num();
                note_team(e);
                #pragma omp for schedule(runtime)
                for (size_t b = b0; b < b1; b++)
                    group_refine(g, t, b);
            }
            omp_set_schedule(kind, chunk);
        }
    }
    report(progress, ctx, phase, 1.0);
}

/* The medians of a member's outputs, by output id, once its summary's
 * quantiles are exact (mc_qs_passes 0). */
static void medians(const engine *e, double *med)
{
    for (int j = 0; j < e->nout; j++)
        med[e->lay->out[j]] = engine_median_(e, j);
}

/* Once every member's summary is exact (from the pilot alone when it is
 * every sample, else after the passes that pin it down), the medians to
 * each pair: the pairs that counted by brackets are done, the others
 * count in the coming pass. */
static void arm_counts(group *g)
{
    if (g->counted || g->ne < 2)
        return;
    for (int k = 0; k < g->ne; k++)
        if (engine_sum_pending_(&g->e[k]))
            return;
    double mb[MC_NOUTPUTS] = {0}, mv[MC_NOUTPUTS] = {0};
    medians(&g->e[0], mb);
    for (int v = 0; v + 1 < g->ne; v++) {
        medians(&g->e[v + 1], mv);
        g->pcnt[v] = !mc_pair_medians(g->pair[v], mb, mv);
        g->counts |= g->pcnt[v];
    }
    g->counted = 1;
}

/* The first pass after pass 1, if the medians are not exact yet: each
 * pair counts by the brackets of both medians (mc_qs_bracket), so that
 * no pass has to be run for the counts alone. */
static void arm_brackets(group *g)
{
    if (g->counted || g->bracketed || g->ne < 2)
        return;
    double blo[MC_NOUTPUTS] = {0}, bhi[MC_NOUTPUTS] = {0};
    double vlo[MC_NOUTPUTS] = {0}, vhi[MC_NOUTPUTS] = {0};
    const engine *b = &g->e[0];
    for (int j = 0; j < b->nout; j++)
        engine_bracket_(b, j, &blo[b->lay->out[j]], &bhi[b->lay->out[j]]);
    for (int v = 0; v + 1 < g->ne; v++) {
        const engine *e = &g->e[v + 1];
        for (int j = 0; j < e->nout; j++)
            engine_bracket_(e, j, &vlo[e->lay->out[j]],
                            &vhi[e->lay->out[j]]);
        mc_pair_brackets(g->pair[v], blo, bhi, vlo, vhi);
        g->pcnt[v] = 1;
    }
    g->bracket = 1;
}

/* After a pass: what it counted is done. */
static void counts_done(group *g)
{
    g->bracketed |= g->bracket;
    g->counts = g->bracket = 0;
    for (int v = 0; v + 1 < g->ne; v++)
        g->pcnt[v] = 0;
}

/* Pass 1 of every member and pair: the pilots and plans, then every
 * sample once.  0, or -1 (out of memory). */
static int pass1(group *g, mc_run *run, mc_progress_fn progress, void *ctx)
{
    /* the members' pilots and plans are independent: one member per
       thread (no collective: each process plans from its own pilot) */
    #pragma omp parallel for schedule(dynamic, 1) num_threads(g->e[0].nt) \
        if (g->ne > 1)
    for (int k = 0; k < g->ne; k++)
        engine_pilots_(&g->e[k]);
    int failed = 0;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(g->e[0].nt) \
        if (g->ne > 1) reduction(|:failed)
    for (int k = 0; k < g->ne; k++) {
        failed |= engine_plan_(&g->e[k]) != 0;
        if (k > 0) {
            /* engine_pilots_ left each member's first samples in lane 0 */
            mc_pair *p = g->pair[k - 1];
            size_t m = mc_pair_pilot_len(p);
            mc_pair_pilot(p, cols_of(g, 0, 0), cols_of(g, k, 0), m);
            failed |= mc_pair_plan(p) != 0 || mc_pair_begin(p) != 0;
        }
    }
    if (failed)
        return -1;
    arm_counts(g);
    double tp = omp_get_wtime();
    run_pass(g, 1, progress, ctx);
    run->passes = 1;
    run->pass_seconds[0] = omp_get_wtime() - tp;
    counts_done(g);
    for (int k = 0; k < g->ne; k++) {
        engine *e = &g->e[k];
        e->rank_done = e->rank_pass;
        e->rank_pass = 0;
    }
    return 0;
}

/* Member k's end of a pass (pass 1: first), then its pair's. */
static int end_member(group *g, int k, int first, char *msg, size_t len)
{
    int rc = first ? engine_end_pass1_(&g->e[k], msg, len)
                   : engine_end_accs_(&g->e[k], msg, len);
    if (rc == 0 && k > 0 && mc_pair_end(g->pair[k - 1], first, msg, len) != 0)
        rc = -1;
    return rc;
}

/* After a pass (pass 1: first): each member's end of it and its pair's
 * (0, or the first failure's return and msg).  With one process they are
 * independent, one member per thread; with several, in order on this
 * thread: their collectives. */
static int end_pass(group *g, int first, char *msg, size_t len)
{
    if (g->e[0].np > 1 || g->ne == 1) {
        for (int k = 0; k < g->ne; k++) {
            int rc = end_member(g, k, first, msg, len);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    const size_t cap = len > 0 ? len : 1;     /* each member's message */
    int *rc = calloc((size_t)g->ne, sizeof *rc);
    char *m = calloc((size_t)g->ne, cap);
    if (rc == NULL || m == NULL) {
        free(rc);
        free(m);
        return -1;
    }
    #pragma omp parallel for schedule(dynamic, 1) num_threads(g->e[0].nt)
    for (int k = 0; k < g->ne; k++)
        rc[k] = end_member(g, k, first, m + (size_t)k * cap, cap);
    int r = 0;
    for (int k = 0; k < g->ne && r == 0; k++)
        if ((r = rc[k]) != 0)
            snprintf(msg, len, "%s", m + (size_t)k * cap);
    free(rc);
    free(m);
    return r;
}

/* Does member e need another pass of its own? */
static int needs_pass(const engine *e)
{
    return engine_sum_pending_(e) || engine_cur_pending_(e) ||
           (e->rm != NULL && !e->rank_done);
}

/* The passes after the first, until every quantile is exact, the rank
 * scores are summed and the pairs have counted below the medians; each
 * one's wall time in run.  0, or -1 (with msg unless out of memory). */
static int refine_passes(group *g, mc_run *run, mc_progress_fn progress,
                         void *ctx, char *msg, size_t len)
{
    for (;;) {
        int any = 0, pairs = 0;
        for (int v = 0; v + 1 < g->ne; v++)
            pairs |= g->pon[v] = mc_pair_more(g->pair[v]);
        any = pairs;
        for (int k = 0; k < g->ne; k++)
            any |= g->on[k] = needs_pass(&g->e[k]);
        arm_counts(g);
        if (!any && !g->counts)
            break;
        if (any)                      /* a pass that runs anyway */
            arm_brackets(g);
        for (int k = 0; k < g->ne; k++) {
            engine *e = &g->e[k];
            /* drawn for its own statistics, or for a pair's */
            g->on[k] |= g->counts || g->bracket ||
                        (k == 0 ? pairs : g->pon[k - 1]);
            if (engine_new_accs_(e) != 0)
                return -1;
            e->rank_pass = e->rm != NULL && !e->rank_done;
        }
        for (int v = 0; v + 1 < g->ne; v++)
            if (mc_pair_begin(g->pair[v]) != 0)
                return -1;
        double tp = omp_get_wtime();
        run_pass(g, 0, progress, ctx);
        if (run->passes < 8)
            run->pass_seconds[run->passes] = omp_get_wtime() - tp;
        run->passes++;
        counts_done(g);
        for (int k = 0; k < g->ne; k++) {
            engine *e = &g->e[k];
            e->rank_done |= e->rank_pass;
            e->rank_pass = 0;
        }
        if (end_pass(g, 0, msg, len) != 0)
            return -1;
    }
    return 0;
}

/* A member's run before its passes: horizons, layout, curve. */
static int begin_run(const mc_scenario *s, int nt, mc_run *run)
{
    memset(run, 0, sizeof *run);
    run->n = (size_t)s->samples;
    run->threads = nt;
    run->n_horizons = s->n_horizons;
    run->horizons = malloc((s->n_horizons + 1) * sizeof(double));
    run->layout = s->layout;
    run->ncurve = s->layout.ncurve;
    run->curve = malloc((s->n_horizons * (size_t)s->layout.ncurve + 1) *
                        sizeof(mc_curve_point));
    if (run->horizons == NULL || run->curve == NULL)
        return -1;
    if (s->n_horizons > 0)
        memcpy(run->horizons, s->horizons, s->n_horizons * sizeof(double));
    return 0;
}

static void free_group(group *g)
{
    for (int k = 0; g->e != NULL && k < g->ne; k++)
        engine_free_(&g->e[k]);
    for (int v = 0; g->pair != NULL && v + 1 < g->ne; v++)
        mc_pair_free(g->pair[v]);
    free(g->e);
    free(g->pair);
    free(g->on);
    free(g->pon);
    free(g->pcnt);
    free(g->tbase);
    free(g->tvar);
}

/* The group's members and pairs; 0, or -1 (out of memory; *g freed by
 * free_group either way). */
static int setup_group(group *g, const mc_scenario *s,
                       const mc_scenario *const *vars, size_t nv, int nt,
                       FILE *samples, const mc_reducer *red)
{
    memset(g, 0, sizeof *g);
    g->e = calloc(nv + 1, sizeof *g->e);
    g->pair = calloc(nv + 1, sizeof *g->pair);
    g->on = calloc(nv + 1, sizeof *g->on);
    g->pon = calloc(nv + 1, sizeof *g->pon);
    g->pcnt = calloc(nv + 1, sizeof *g->pcnt);
    g->tbase = calloc((size_t)nt, sizeof *g->tbase);
    g->tvar = calloc((size_t)nt, sizeof *g->tvar);
    if (g->e == NULL || g->pair == NULL || g->on == NULL || g->pon == NULL ||
        g->pcnt == NULL || g->tbase == NULL || g->tvar == NULL)
        return -1;
    for (size_t k = 0; k <= nv; k++) {
        g->ne = (int)k + 1;           /* set up so far, for free_group */
        if (engine_setup_(&g->e[k], k == 0 ? s : vars[k - 1], nt,
                          k == 0 ? samples : NULL, red,
                          k == 0 ? NULL : &g->e[0]) != 0)
            return -1;
        if (k > 0 && (g->pair[k - 1] = mc_pair_new(
                          &s->layout, g->e[0].n, nt, red,
                          g->e[k].same_out)) == NULL)
            return -1;
    }
    return 0;
}

int mc_engine_run_group(const mc_scenario *s, const mc_scenario *const *vars,
                        size_t nv, int threads, mc_progress_fn progress,
                        void *ctx, FILE *samples, const mc_reducer *red,
                        mc_run *out, mc_run *vout, mc_variant_diff *diffs,
                        char *msg, size_t len)
{
    double t0 = omp_get_wtime();
    int nt = mc_engine_threads(threads);
    group g;
    mc_run *runs = calloc(nv + 1, sizeof *runs);
    int rc = -1, io_agreed = 0;
    msg[0] = '\0';
    memset(&g, 0, sizeof g);
    for (size_t v = 0; v < nv; v++)
        if (mc_pair_check(s, vars[v], msg, len) != 0 ||
            vars[v]->samples != s->samples ||
            vars[v]->sampling != s->sampling ||
            vars[v]->n_horizons != s->n_horizons ||
            (s->n_horizons > 0 &&
             memcmp(vars[v]->horizons, s->horizons,
                    s->n_horizons * sizeof *s->horizons) != 0)) {
            if (msg[0] == '\0')
                snprintf(msg, len, "expected a variant with the base's "
                         "samples, sampling and horizons");
            free(runs);
            return -1;
        }
    if (runs == NULL)
        goto fail;
    for (size_t k = 0; k <= nv; k++)
        if (begin_run(k == 0 ? s : vars[k - 1], nt, &runs[k]) != 0)
            goto fail;
    if (setup_group(&g, s, vars, nv, nt, samples, red) != 0 ||
        pass1(&g, &runs[0], progress, ctx) != 0)
        goto fail;
    /* from here a failed write of samples.csv is agreed (engine_end_pass1_ of
       the base): before, a process's own failure is one process's */
    io_agreed = 1;
    if ((rc = end_pass(&g, 1, msg, len)) != 0)
        goto fail;
    if ((rc = refine_passes(&g, &runs[0], progress, ctx, msg, len)) != 0)
        goto fail;
    for (int k = 0; k < g.ne; k++) {
        engine *e = &g.e[k];
        if ((rc = engine_reduce_counts_(e)) != 0)
            goto fail;
        runs[k].passes = runs[0].passes;
        memcpy(runs[k].pass_seconds, runs[0].pass_seconds,
               sizeof runs[k].pass_seconds);
        if (g.e[0].team > 0)          /* else this process had no blocks */
            runs[k].threads = g.e[0].team;
        engine_results_(e, &runs[k], &runs[0]);
        if ((rc = engine_sens_results_(e, &runs[k])) != 0)
            goto fail;
    }
    for (int v = 0; v + 1 < g.ne; v++)
        if ((rc = mc_pair_finish(g.pair[v], runs[0].stats, runs[v + 1].stats,
                                 &diffs[v])) != 0) {
            snprintf(msg, len, "internal error: the differences of variant "
                     "%s could not be finished (its counts across "
                     "processes, or an output taken as the base's that "
                     "differs from it)", vars[v]->name);
            goto fail;
        }
    double tb = 0, tv = 0, ts = 0;
    for (int t = 0; t < nt; t++) {
        tb += g.tbase[t];
        tv += g.tvar[t];
        ts += g.e[0].lanes[t].trank;  /* inside the base's */
    }
    runs[0].variant_share = nv > 0 && tb + tv > 0 ? tv / (tb + tv) : 0.0;
    runs[0].sens_share = tb + tv > 0 ? ts / (tb + tv) : 0.0;
    for (size_t k = 0; k <= nv; k++) {
        runs[k].seconds = omp_get_wtime() - t0;
        if (k == 0)
            *out = runs[0];
        else
            vout[k - 1] = runs[k];
        memset(&runs[k], 0, sizeof runs[k]);
    }
    rc = 0;
fail:
    if (rc != 0 && io_agreed && g.e != NULL && g.e[0].io_failed) {
        snprintf(msg, len, "%s", strerror(g.e[0].io_errno));
        rc = -2;
    } else if (rc != 0 && msg[0] == '\0') {
        snprintf(msg, len, "out of memory for %zu samples (%.1f GiB needed)",
                 (size_t)s->samples,
                 mc_engine_memory_bytes(s, nt) / 1073741824.0);
    }
    if (rc != 0)
        rc = rc == -3 || rc == -2 ? rc : -1;
    free_group(&g);
    for (size_t k = 0; runs != NULL && k <= nv; k++)
        mc_run_free(&runs[k]);
    free(runs);
    return rc;
}

int mc_engine_run(const mc_scenario *s, int threads, mc_progress_fn progress,
                  void *ctx, FILE *samples, const mc_reducer *red,
                  mc_run *out, char *msg, size_t len)
{
    return mc_engine_run_group(s, NULL, 0, threads, progress, ctx, samples,
                               red, out, NULL, NULL, msg, len);
}
