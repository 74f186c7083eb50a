/* mc_engine.c: the summary, curve and rank sensitivity of a scenario's
 * samples (mc_sample.c), streamed: one member's statistics and the steps
 * of its passes, which mc_group.c runs (for a scenario alone, or with its
 * variants), and the memory they take.
 *
 * Nothing is stored per sample.  Pass 1 draws the samples block by block
 * (MC_BLOCK), evaluates the model and the curve on each block while it is
 * in cache, writes its rows of samples.csv, and adds the block to every
 * statistic: sums and summaries per block, merged in block order inside
 * an OpenMP ordered region (so the bits do not depend on the threads),
 * and integer counts.  The quantiles are exact order statistics
 * (results/mc_qstream.c): pass 1 counts every value into fine bins laid
 * out by a pilot (the first samples), and a second pass, which draws the
 * same samples again, keeps the few values in the bins that hold the
 * wanted order statistics and selects among them.  Memory is a few
 * blocks per thread and the bins, whatever the number of samples.
 */
#include "mc_engine_impl.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_model.h"
#include "mc_variants.h"                /* MC_PAIR_UNSURE_*: the memory */

static const double curve_probs[MC_NCURVE_Q] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* The request (OpenMP's default when none), at most OMP_THREAD_LIMIT:
 * no team can be larger, so no more lanes are allocated. */
static int resolve_threads(int threads)
{
    int t = threads > 0 ? threads : omp_get_max_threads();
    int limit = omp_get_thread_limit();
    return limit > 0 && t > limit ? limit : t;
}

int mc_engine_threads(int threads)
{
    return resolve_threads(threads);
}

/* Does column c's summary report P(<= the output's p_le)? */
static int has_p_le(int c)
{
    return !isnan(mc_column_output(c)->p_le);
}

/* Index of the first of the increasing horizons hs[0..nh) that be
 * reaches (be <= hs[k]), or nh if none (also for NaN).  A binary search
 * that moves by conditional moves: be is as good as random, jumps on it
 * would mostly be mispredicted. */
static size_t first_reached(const double *hs, size_t nh, double be)
{
    if (nh == 0)
        return 0;
    const double *base = hs;             /* the answer is in base[0..len] */
    for (size_t len = nh; len > 1; len -= len / 2)
        base = be <= base[len / 2 - 1] ? base : base + len / 2;
    return (size_t)(base - hs) + !(be <= *base);
}

/* The sum of x[0..len) in a fixed order (eight running sums, then added
 * pairwise), and how many are <= le (the output's p_le, 2 for the
 * multipliers).  x86-64 always has SSE2; elsewhere the same sums in plain
 * C. */
#if defined(__SSE2__)
#include <emmintrin.h>

static double sum_le(const double *x, size_t len, double le, size_t *nle)
{
    __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    __m128i c = _mm_setzero_si128();
    const __m128d lev = _mm_set1_pd(le);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        __m128d v0 = _mm_loadu_pd(x + i), v1 = _mm_loadu_pd(x + i + 2);
        __m128d v2 = _mm_loadu_pd(x + i + 4), v3 = _mm_loadu_pd(x + i + 6);
        a0 = _mm_add_pd(a0, v0);
        a1 = _mm_add_pd(a1, v1);
        a2 = _mm_add_pd(a2, v2);
        a3 = _mm_add_pd(a3, v3);
        /* each comparison is all ones (-1) or 0 per lane */
        c = _mm_sub_epi64(c, _mm_castpd_si128(_mm_cmple_pd(v0, lev)));
        c = _mm_sub_epi64(c, _mm_castpd_si128(_mm_cmple_pd(v1, lev)));
        c = _mm_sub_epi64(c, _mm_castpd_si128(_mm_cmple_pd(v2, lev)));
        c = _mm_sub_epi64(c, _mm_castpd_si128(_mm_cmple_pd(v3, lev)));
    }
    double a[8];
    uint64_t n[2];
    _mm_storeu_pd(a, a0);
    _mm_storeu_pd(a + 2, a1);
    _mm_storeu_pd(a + 4, a2);
    _mm_storeu_pd(a + 6, a3);
    _mm_storeu_si128((__m128i *)n, c);
    size_t count = (size_t)(n[0] + n[1]);
#else
static double sum_le(const double *x, size_t len, double le, size_t *nle)
{
    double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0, count = 0;
    for (; i + 8 <= len; i += 8)
        for (int k = 0; k < 8; k++) {
            a[k] += x[i + (size_t)k];
            count += x[i + (size_t)k] <= le;
        }
#endif
    /* lanes: a[0], a[1] hold x[8j], x[8j+1], and so on */
    for (int k = 0; i < len; i++, k++) {
        a[k] += x[i];
        count += x[i] <= le;
    }
    *nle += count;
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* The sum of (x[i] - mean)^2 over x[0..len), in a fixed order. */
static double sq_dev(const double *x, size_t len, double mean)
{
    double a[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        for (int k = 0; k < 4; k++) {
            double d = x[i + (size_t)k] - mean;
            a[k] += d * d;
        }
    for (int k = 0; i < len; i++, k++) {
        double d = x[i] - mean;
        a[k] += d * d;
    }
    return (a[0] + a[1]) + (a[2] + a[3]);
}

static void curve_pass1(void *ctx, size_t h,
                        const double *const x[MC_NCURVE_MAX], size_t len)
{
    lane *L = ((void **)ctx)[0];
    const engine *e = ((void **)ctx)[1];
    size_t nc = (size_t)e->ncurve, nq = (size_t)e->nqc;
    for (size_t m = 0; m < nc; m++) {
        if (e->qcur[m] < 0)           /* the base's */
            continue;
        size_t k = h * nc + m;
        L->csum[k] = sum_le(x[m], len,
                            mc_output_infos[e->lay->curve[m]].p_le,
                            &L->cle2[k]);
        L->cm2[k] = sq_dev(x[m], len, L->csum[k] / (double)len);
        if (e->cur_on)
            mc_qs_add(L->qa_cur, h * nq + (size_t)e->qcur[m], x[m], len);
    }
}

static void curve_refine(void *ctx, size_t h,
                         const double *const x[MC_NCURVE_MAX], size_t len)
{
    lane *L = ((void **)ctx)[0];
    const engine *e = ((void **)ctx)[1];
    size_t nq = (size_t)e->nqc;
    for (int m = 0; m < e->ncurve; m++)
        if (e->qcur[m] >= 0)
            mc_qs_add(L->qa_cur, h * nq + (size_t)e->qcur[m], x[m], len);
}

static void curve_pilot(void *ctx, size_t h,
                        const double *const x[MC_NCURVE_MAX], size_t len)
{
    const engine *e = ((void **)ctx)[0];
    size_t lo = *(const size_t *)((void **)ctx)[1];
    size_t nq = (size_t)e->nqc;
    for (int m = 0; m < e->ncurve; m++)
        if (e->qcur[m] >= 0)
            memcpy(mc_qs_pilot(e->qs_cur, h * nq + (size_t)e->qcur[m]) + lo,
                   x[m], len * sizeof(double));
}

/* The block's rank scores into the lane's sums. */
static void rank_scores(const engine *e, lane *L, size_t len)
{
    const int32_t *q[MC_NCOLS];
    for (size_t c = 0; c < e->sncol; c++) {
        q[c] = L->score + c * MC_BLOCK;
        mc_rankmap_scores(e->rm, c, L->col[e->scol[c]], len,
                          L->score + c * MC_BLOCK);
    }
    mc_rsums_add(L->rs, q, len);
}

void engine_block1_(engine *e, lane *L, size_t lo, size_t len,
                    const double *const *from)
{
    const mc_scenario *s = e->s;
    mc_sampler_draw_from(&L->smp, lo, len, L->col, from, e->same_in);
    for (int j = 0; j < e->nout; j++) {
        int k = e->lay->out[j];
        const double *x = L->col[MC_COL_OUTPUT0 + k];
        if (e->qsum[j] < 0)           /* the base's */
            continue;
        mc_sacc_block(x, len, mc_output_infos[k].p_le, &L->sacc[k]);
        if (e->sum_on)
            mc_qs_add(L->qa_sum, (size_t)e->qsum[j], x, len);
    }
    double t0 = e->rm != NULL ? omp_get_wtime() : 0.0;
    if (e->rank_pass)                 /* the pilot was every sample */
        rank_scores(e, L, len);
    else
        for (size_t c = 0; e->rm != NULL && c < e->sncol; c++)
            mc_rankmap_count(L->ra, c, L->col[e->scol[c]], len);
    if (e->rm != NULL)
        L->trank += omp_get_wtime() - t0;
    for (int m = 0; m < e->ncurve; m++) {
        const double *be = L->col[MC_COL_OUTPUT0 + mc_output_infos[
                                      e->lay->curve[m]].curve_break_even];
        size_t *first = L->first + (size_t)m * (e->nh + 1);
        if (e->qcur[m] < 0)
            continue;
        for (size_t i = 0; i < len; i++)
            first[first_reached(s->horizons, e->nh, be[i])]++;
    }
    void *ctx[2] = {L, e};
    if (e->nqc > 0)
        mc_engine_curve(s, (const double *const *)L->col, len, L->scratch,
                        curve_pass1, ctx);
    if (e->out != NULL)
        L->text_len = mc_csv_format(L->text, L->cols, (size_t)L->ncols, len,
                                    lo);
}

/* A block's (or a tree node's) summary: the head, then the curve's sums
 * and squared deviations, ncs each. */
typedef struct pay_head {
    size_t n;                         /* samples */
    mc_sacc sacc[MC_NOUTPUTS];
} pay_head;

static size_t pay_bytes(size_t ncs)
{
    return sizeof(pay_head) + 2 * ncs * sizeof(double);
}

/* left = left followed by right: the outputs' summaries, and the curve's
 * sums with their squared deviations by Chan, Golub and LeVeque. */
static void merge_pay(void *ctx, void *left, const void *right)
{
    size_t ncs = *(const size_t *)ctx;
    pay_head *a = left;
    const pay_head *b = right;
    double *as = (double *)(a + 1), *am = as + ncs;
    const double *bs = (const double *)(b + 1), *bm = bs + ncs;
    for (int k = 0; k < MC_NOUTPUTS; k++)
        mc_sacc_merge(&a->sacc[k], &b->sacc[k]);
    double na = (double)a->n, nb = (double)b->n;
    for (size_t k = 0; k < ncs; k++) {
        double d = bs[k] / nb - as[k] / na;
        am[k] += bm[k] + d * d * (na * nb / (na + nb));
        as[k] += bs[k];
    }
    a->n += b->n;
}

/* In block order: the block's summary onto the tree, its rows to the
 * file. */
void engine_merge1_(engine *e, lane *L, size_t block, size_t len)
{
    ((pay_head *)L->pay)->n = len;
    int rc = mc_mtree_push(e->tree, 0, block, L->pay);
    if (rc != 0)
        e->tree_failed = rc;
    if (e->out != NULL && !e->io_failed) {
        errno = 0;
        if (fwrite(L->text, 1, L->text_len, e->out) != L->text_len) {
            e->io_errno = errno != 0 ? errno : EIO;
            #pragma omp atomic write
            e->io_failed = 1;
        }
    }
}

void engine_refine_(engine *e, lane *L, size_t lo, size_t len,
                    const double *const *from)
{
    mc_sampler_draw_from(&L->smp, lo, len, L->col, from, e->same_in);
    if (e->sum_on)
        for (int j = 0; j < e->nout; j++)
            if (e->qsum[j] >= 0)
                mc_qs_add(L->qa_sum, (size_t)e->qsum[j],
                          L->col[MC_COL_OUTPUT0 + e->lay->out[j]], len);
    void *ctx[2] = {L, e};
    if (e->cur_on)
        mc_engine_curve(e->s, (const double *const *)L->col, len, L->scratch,
                        curve_refine, ctx);
    if (e->rank_pass) {
        double t0 = omp_get_wtime();
        rank_scores(e, L, len);
        L->trank += omp_get_wtime() - t0;
    }
}

/* The pilot: the first samples' outputs and multipliers. */
void engine_pilots_(engine *e)
{
    lane *L = &e->lanes[0];
    size_t m = mc_qs_pilot_len(e->qs_sum);
    for (size_t lo = 0; lo < m; lo += MC_BLOCK) {
        size_t len = m - lo < MC_BLOCK ? m - lo : MC_BLOCK;
        mc_sampler_draw(&L->smp, lo, len, L->col);
        for (int j = 0; j < e->nout; j++)
            if (e->qsum[j] >= 0)
                memcpy(mc_qs_pilot(e->qs_sum, (size_t)e->qsum[j]) + lo,
                       L->col[MC_COL_OUTPUT0 + e->lay->out[j]],
                       len * sizeof(double));
        void *ctx[2] = {e, &lo};
        if (e->nqc > 0)
            mc_engine_curve(e->s, (const double *const *)L->col, len,
                            L->scratch, curve_pilot, ctx);
        /* both pilots are the first min(n, 4096) samples */
        for (size_t c = 0; e->rm != NULL && c < e->sncol; c++)
            memcpy(mc_rankmap_pilot(e->rm, c) + lo, L->col[e->scol[c]],
                   len * sizeof(double));
    }
}

/* The sample column and the layout's columns over col (each NULL for
 * text_cap's bound); returns how many. */
static int layout_cols(const mc_layout *lay, double *const *col,
                       mc_column *cols)
{
    static const double zero = 0;
    cols[0] = (mc_column){.name = "sample", .index = 1};
    for (int k = 0; k < lay->ncols; k++) {
        int c = lay->col[k];
        cols[k + 1] = (mc_column){.name = mc_column_names[c],
                                  .num = col != NULL ? col[c] : &zero};
    }
    return lay->ncols + 1;
}

static size_t text_cap(const mc_layout *lay)
{
    mc_column cols[MC_NCOLS + 1];
    int n = layout_cols(lay, NULL, cols);
    return mc_csv_bound(cols, (size_t)n, MC_BLOCK);
}

/* The blocks of a run of n samples merged along the tree: payloads the
 * stack grows to (mc_mtree: 8 at first, doubling; about two per level). */
static double tree_nodes(size_t n)
{
    size_t blocks = (n + MC_BLOCK - 1) / MC_BLOCK, depth = 2, cap = 8;
    for (; blocks > 1; blocks = (blocks + 1) / 2)
        depth++;
    while (cap < depth)
        cap *= 2;
    return (double)cap;
}

/* What setup, the passes and the results allocate at their peak, by the
 * same counts (a malloc with 16 bytes of glibc's bookkeeping), plus the
 * program itself; mc_qs_bytes models the part that depends on the data.
 * The check refuses what does not fit, so it must neither miss a
 * buffer nor count one that is never made (README, "Command line": the
 * estimate against measured peaks). */
/* What one member of a group allocates at its peak in the passes: the
 * base (with samples.csv and sensitivity as s says) or a variant
 * (neither), at t threads. */
static double member_bytes(const mc_scenario *s, double t, int base)
{
    const double over = 16.0;
    const size_t n = (size_t)s->samples, nh = s->n_horizons;
    const mc_layout *lay = &s->layout;
    const size_t nout = (size_t)lay->nout, ncur = (size_t)lay->ncurve;
    const size_t ncs = nh * ncur;
    const double pay = (double)pay_bytes(ncs) + over;
    /* the engine: the merged summary and its scratch, the tree */
    double b = (2.0 + tree_nodes(n)) * pay;
    /* each lane */
    double per = (double)MC_NCOLS * (MC_BLOCK * sizeof(double) + over) +
                  MC_CURVE_SCRATCH * sizeof(double) + pay +
                  (double)(ncs + 1) * sizeof(size_t) +
                  (double)ncur * (double)(nh + 1) * sizeof(size_t) +
                  6.0 * over + 4096.0;           /* the generator */
    if (base && s->write_samples)
        per += (double)text_cap(lay) + over;
    if (s->sampling == MC_SAMPLING_SOBOL)
        per += (double)MC_BLOCK * MC_SOBOL_MAX_DIMS * sizeof(double);
    int cols[MC_NCOLS];
    size_t sd = base && s->sensitivity != MC_SENS_NONE
                    ? mc_engine_sens_inputs(s, cols) : 0;
    if (sd > 0) {
        /* rank maps: pilot, edges and cells of every column, each
           thread's cells in pass 1, its scores and sums */
        double c = (double)(sd + nout);
        double cells = 2.0 * MC_RANK_PILOT + 1.0;
        b += c * (8.0 * (MC_RANK_PILOT + 1) + 8.0 * MC_RANK_PILOT +
                  16.0 * cells + 64.0 * 8.0);
        per += c * (8.0 * cells + 4.0 * MC_BLOCK) +
                16.0 * (c * c + 2.0 * c) + over;
    }
    b += t * per;
    /* the quantiles of summary.csv and curve.csv */
    b += mc_qs_bytes(n, nout, 4 * MC_NQ, MC_KEEP_BYTES, (int)t) +
         mc_qs_bytes(n, ncs > 0 ? ncs : 1, 4 * MC_NCURVE_Q, MC_KEEP_BYTES,
                     (int)t);
    if (!base)   /* its differences from the base (mc_pair): per thread,
                    with the samples its medians' brackets keep, and
                    their quantiles */
        b += t * (8.0 * MC_BLOCK * MC_NOUTPUTS + over +
                  (double)MC_PAIR_UNSURE_MAX * MC_PAIR_UNSURE_BYTES) +
             mc_qs_bytes(n, nout, 4 * MC_NQ, MC_KEEP_BYTES, (int)t);
    return b;
}

double mc_engine_group_bytes(const mc_scenario *s, size_t nv, int threads)
{
    const double over = 16.0, t = resolve_threads(threads);
    const size_t ncs = s->n_horizons * (size_t)s->layout.ncurve;
    /* the program, its libraries and the threads' stacks; the run's
       results, every variant's kept until the files are written */
    double held = 16.0 * 1048576.0 +
                  (double)(1 + s->n_variants) *
                  ((double)(ncs + 1) * sizeof(mc_curve_point) +
                   (double)(s->n_horizons + 1) * sizeof(double) + 2.0 * over);
    return held + member_bytes(s, t, 1) + (double)nv * member_bytes(s, t, 0);
}

double mc_engine_memory_bytes(const mc_scenario *s, int threads)
{
    const double t = resolve_threads(threads);
    const size_t n = (size_t)s->samples, nout = (size_t)s->layout.nout;
    /* the base, then one variant after another: its own run (no more
       than the base's), then its comparison with the base (mc_variants.c),
       once that run is freed: both scenarios' blocks and the differences
       per thread, and the differences' quantiles */
    double passes = mc_engine_group_bytes(s, 0, threads);
    double cmp = s->n_variants == 0 ? 0.0
        : mc_engine_group_bytes(s, 0, threads) - member_bytes(s, t, 1) +
          t * 8.0 * MC_BLOCK * (2 * MC_NCOLS + MC_NOUTPUTS) +
          mc_qs_bytes(n, nout, 4 * MC_NQ, MC_KEEP_BYTES, (int)t);
    return passes > cmp ? passes : cmp;
}

size_t mc_engine_group_fit(const mc_scenario *s, size_t nv, int threads,
                           double room)
{
    size_t k = 0;
    while (k < nv && mc_engine_group_bytes(s, k + 1, threads) <= room)
        k++;
    return k;
}

void mc_run_free(mc_run *run)
{
    for (size_t v = 0; v < run->n_variants; v++)
        free(run->variants[v].curve);
    free(run->variants);
    free(run->sobol);
    free(run->sens);
    free(run->horizons);
    free(run->curve);
    memset(run, 0, sizeof *run);
}

static void free_accs(engine *e)
{
    if (e->lanes == NULL)
        return;
    for (int t = 0; t < e->nt; t++) {
        mc_qs_acc_free(e->lanes[t].qa_sum);
        mc_qs_acc_free(e->lanes[t].qa_cur);
        e->lanes[t].qa_sum = e->lanes[t].qa_cur = NULL;
        mc_rankmap_acc_free(e->lanes[t].ra);
        e->lanes[t].ra = NULL;
    }
}

/* Accumulators for the coming pass; 0 or -1 (out of memory). */
int engine_new_accs_(engine *e)
{
    e->sum_on = engine_sum_pending_(e);
    e->cur_on = engine_cur_pending_(e);
    for (int t = 0; t < e->nt; t++) {
        lane *L = &e->lanes[t];
        if ((e->sum_on && (L->qa_sum = mc_qs_acc_new(e->qs_sum)) == NULL) ||
            (e->cur_on && (L->qa_cur = mc_qs_acc_new(e->qs_cur)) == NULL) ||
            (e->rm != NULL && !mc_rankmap_ready(e->rm) &&
             (L->ra = mc_rankmap_acc_new(e->rm)) == NULL))
            return -1;
    }
    return 0;
}

/* Closes a pass of the quantiles; 0 or -1 with msg. */
int engine_end_accs_(engine *e, char *msg, size_t len)
{
    mc_qs_acc **a = malloc((size_t)e->nt * sizeof *a);
    int rc = a == NULL ? -1 : 0;
    if (rc == 0 && e->sum_on) {
        for (int t = 0; t < e->nt; t++)
            a[t] = e->lanes[t].qa_sum;
        rc = mc_qs_end_pass(e->qs_sum, a, (size_t)e->nt, e->red, msg, len);
    }
    if (rc == 0 && e->cur_on) {
        for (int t = 0; t < e->nt; t++)
            a[t] = e->lanes[t].qa_cur;
        rc = mc_qs_end_pass(e->qs_cur, a, (size_t)e->nt, e->red, msg, len);
    }
    if (rc == 0 && e->lanes[0].ra != NULL) {       /* after pass 1 */
        mc_rankmap_acc **ra = malloc((size_t)e->nt * sizeof *ra);
        rc = ra == NULL ? -1 : 0;
        for (int t = 0; ra != NULL && t < e->nt; t++)
            ra[t] = e->lanes[t].ra;
        if (ra != NULL)
            rc = mc_rankmap_end(e->rm, ra, (size_t)e->nt, e->red, msg,
                                len);
        free(ra);
    }
    if (a == NULL)
        snprintf(msg, len, "out of memory");
    free(a);
    free_accs(e);
    return rc;
}

void engine_free_(engine *e)
{
    if (e->lanes != NULL)
        for (int t = 0; t < e->nt; t++) {
            lane *L = &e->lanes[t];
            mc_sampler_fini_(&L->smp);
            for (int c = 0; c < MC_NCOLS; c++)
                free(L->col[c]);
            free(L->scratch);
            free(L->pay);
            free(L->cle2);
            free(L->first);
            free(L->text);
            free(L->score);
            mc_rsums_free(L->rs);
        }
    free_accs(e);
    free(e->lanes);
    mc_qs_free(e->qs_sum);
    mc_qs_free(e->qs_cur);
    mc_rankmap_free(e->rm);
    mc_mtree_free(e->tree);
    free(e->pay);
    free(e->pay_tmp);
}

/* What variant e takes from the base: the columns drawn equal, the
 * outputs and curve metrics computed from them alone (no stream of their
 * own); the base, or a member without one, takes nothing. */
static void borrow(engine *e, const engine *base)
{
    unsigned char same_cur[MC_NCURVE_MAX] = {0};
    e->base = base;                   /* same_in, same_out: zeroed */
    if (base != NULL) {
        mc_sample_same(base->s, e->s, e->same_in);
        mc_model_same(base->lay, e->lay, e->same_in, e->same_out, same_cur);
    }
    e->nqs = e->nqc = 0;
    for (int j = 0; j < e->nout; j++)
        e->qsum[j] = e->same_out[e->lay->out[j]] ? -1 : e->nqs++;
    for (int m = 0; m < e->ncurve; m++)
        e->qcur[m] = same_cur[m] ? -1 : e->nqc++;
}

int engine_setup_(engine *e, const mc_scenario *s, int nt, FILE *samples,
                  const mc_reducer *red, const engine *base)
{
    memset(e, 0, sizeof *e);
    e->s = s;
    e->red = red;
    e->np = red != NULL ? red->nprocs : 1;
    e->n = (size_t)s->samples;
    e->nh = s->n_horizons;
    e->lay = &s->layout;
    e->ncurve = e->lay->ncurve;
    e->nout = e->lay->nout;
    e->ncs = e->nh * (size_t)e->ncurve;
    borrow(e, base);
    e->nblocks = (e->n + MC_BLOCK - 1) / MC_BLOCK;
    mc_share(e->nblocks, red != NULL ? red->rank : 0, e->np, &e->b0,
             &e->b1);
    e->nt = nt;
    e->out = samples;
    e->ncs_ctx = e->ncs;
    size_t pb = pay_bytes(e->ncs);
    e->tree = mc_mtree_new(pb, merge_pay, &e->ncs_ctx);
    e->pay = calloc(1, pb);
    e->pay_tmp = malloc(pb);
    if (e->pay != NULL) {
        e->sacc = ((pay_head *)e->pay)->sacc;
        e->csum = (double *)((pay_head *)e->pay + 1);
        e->cm2 = e->csum + e->ncs;
        for (int k = 0; k < MC_NOUTPUTS; k++)
            mc_sacc_init(&e->sacc[k]);
    }
    e->lanes = calloc((size_t)nt, sizeof *e->lanes);
    /* the quantiles of summary.csv and curve.csv, with their intervals */
    size_t ncq = e->nh * (size_t)e->nqc;
    e->qs_sum = mc_qs_new_ci(e->n, e->nqs > 0 ? (size_t)e->nqs : 1,
                             mc_summary_probs, MC_NQ, MC_KEEP_BYTES);
    e->qs_cur = mc_qs_new_ci(e->n, ncq > 0 ? ncq : 1, curve_probs,
                             MC_NCURVE_Q, MC_KEEP_BYTES);
    if (e->lanes == NULL || e->tree == NULL || e->pay == NULL ||
        e->pay_tmp == NULL ||
        e->qs_sum == NULL ||
        e->qs_cur == NULL)
        return -1;
    if (s->sensitivity != MC_SENS_NONE &&
        (e->sd = mc_engine_sens_inputs(s, e->scol)) > 0) {
        for (int j = 0; j < e->nout; j++)
            e->scol[e->sd + (size_t)j] = MC_COL_OUTPUT0 + e->lay->out[j];
        e->sncol = e->sd + (size_t)e->nout;
        if ((e->rm = mc_rankmap_new(e->n, e->sncol)) == NULL)
            return -1;
    }
    size_t cap = text_cap(e->lay);
    for (int t = 0; t < nt; t++) {
        lane *L = &e->lanes[t];
        if (mc_sampler_init_(&L->smp, s) != 0)
            return -1;
        L->scratch = malloc(MC_CURVE_SCRATCH * sizeof(double));
        if ((L->pay = calloc(1, pb)) != NULL) {
            L->sacc = ((pay_head *)L->pay)->sacc;
            L->csum = (double *)((pay_head *)L->pay + 1);
            L->cm2 = L->csum + e->ncs;
        }
        L->cle2 = calloc(e->ncs + 1, sizeof *L->cle2);
        L->first = calloc((size_t)e->ncurve * (e->nh + 1) + 1,
                          sizeof *L->first);
        L->ncurve = e->ncurve;
        if (L->scratch == NULL || L->pay == NULL ||
            L->cle2 == NULL || L->first == NULL)
            return -1;
        for (int c = 0; c < MC_NCOLS; c++)
            if ((L->col[c] = malloc(MC_BLOCK * sizeof(double))) == NULL)
                return -1;
        L->ncols = layout_cols(e->lay, L->col, L->cols);
        if (samples != NULL && (L->text = malloc(cap)) == NULL)
            return -1;
        if (e->rm != NULL &&
            ((L->score = malloc(e->sncol * MC_BLOCK * sizeof *L->score)) ==
                 NULL ||
             (L->rs = mc_rsums_new(e->sd, (size_t)e->nout)) == NULL))
            return -1;
    }
    return 0;
}

/* The curve's counts of every lane and process into lane 0's (integers:
 * any order).  0 or -1. */
_Static_assert(sizeof(size_t) == sizeof(uint64_t), "counts are 64-bit");
int engine_reduce_counts_(engine *e)
{
    lane *L0 = &e->lanes[0];
    size_t nf = (size_t)e->ncurve * (e->nh + 1);
    for (int t = 1; t < e->nt; t++) {
        lane *L = &e->lanes[t];
        for (size_t k = 0; k < e->ncs; k++) {
            L0->cle2[k] += L->cle2[k];
            L->cle2[k] = 0;
        }
        for (size_t k = 0; k < nf; k++) {
            L0->first[k] += L->first[k];
            L->first[k] = 0;
        }
    }
    if (e->red == NULL || e->np <= 1)
        return 0;
    if (e->red->sum_u64(e->red->ctx, (uint64_t *)L0->cle2, e->ncs) != 0 ||
        e->red->sum_u64(e->red->ctx, (uint64_t *)L0->first, nf) != 0)
        return -1;
    return 0;
}

/* The lanes' sums of scores (integers: any order) into correlations. */
int engine_sens_results_(engine *e, mc_run *run)
{
    if (e->rm == NULL)
        return 0;
    for (int t = 1; t < e->nt; t++)
        mc_rsums_merge(e->lanes[0].rs, e->lanes[t].rs);
    if (mc_rsums_reduce(e->lanes[0].rs, e->red) != 0)
        return -1;
    run->sens = malloc(e->sd * (size_t)e->nout * sizeof *run->sens);
    if (run->sens == NULL ||
        mc_rsums_result(e->lanes[0].rs, MC_LEVEL, run->sens) != 0)
        return -1;
    run->sens_d = e->sd;
    memcpy(run->sens_col, e->scol, e->sd * sizeof *e->scol);
    return 0;
}

double engine_median_(const engine *e, int j)
{
    double q[MC_NQ], lo[MC_NQ], hi[MC_NQ];
    if (e->qsum[j] < 0)               /* the same output as the base's */
        return engine_median_(e->base, j);
    mc_qs_get_ci(e->qs_sum, (size_t)e->qsum[j], q, lo, hi);
    return q[4];
}

void engine_bracket_(const engine *e, int j, double *lo, double *hi)
{
    if (e->qsum[j] < 0)
        engine_bracket_(e->base, j, lo, hi);
    else
        mc_qs_bracket(e->qs_sum, (size_t)e->qsum[j], 0.5, lo, hi);
}

void engine_results_(engine *e, mc_run *run, const mc_run *base_run)
{
    size_t n = e->n, nh = e->nh, nc = (size_t)e->ncurve;
    /* a variant's outputs and curve metrics that are the base's: the
       base's statistics, which are those of the same values */
    for (int j = 0; j < e->nout; j++) {
        int k = e->lay->out[j];
        if (e->qsum[j] < 0) {
            run->stats[k] = base_run->stats[k];
            continue;
        }
        mc_sacc_stats(&e->sacc[k], has_p_le(MC_COL_OUTPUT0 + k),
                      &run->stats[k]);
        mc_qs_get_ci(e->qs_sum, (size_t)e->qsum[j], run->stats[k].q,
                     run->stats[k].q_lo, run->stats[k].q_hi);
    }
    /* every lane's and process's counts are in lane 0's (engine_reduce_counts_) */
    const lane *L0 = &e->lanes[0];
    for (size_t k = 0; k < e->ncs; k++) {
        mc_curve_point *pt = &run->curve[k];
        int qm = e->qcur[k % nc];
        if (qm < 0) {
            *pt = base_run->curve[k];
            continue;
        }
        size_t le2 = L0->cle2[k];
        pt->mean = e->csum[k] / (double)n;
        pt->p_le = (double)le2 / (double)n;
        mc_qs_get_ci(e->qs_cur, k / nc * (size_t)e->nqc + (size_t)qm,
                     pt->q, pt->q_lo, pt->q_hi);
        pt->mean_lo = pt->mean_hi = (double)NAN;
        if (n > 1) {
            double z = mc_z(MC_LEVEL);
            double mcse = sqrt(e->cm2[k] / (double)(n - 1) / (double)n);
            pt->mean_lo = pt->mean - z * mcse;
            pt->mean_hi = pt->mean + z * mcse;
        }
        /* a multiplier that reaches +inf in some samples (an inference
           site of zero intensity) has an infinite mean, and its interval
           is that point */
        if (isinf(pt->mean))
            pt->mean_lo = pt->mean_hi = pt->mean;
        mc_wilson(le2, n, MC_LEVEL, &pt->p_le_lo, &pt->p_le_hi);
    }
    for (size_t m = 0; m < nc; m++) {
        size_t reached = 0;
        if (e->qcur[m] < 0)
            continue;
        for (size_t h = 0; h < nh; h++) {
            reached += L0->first[m * (nh + 1) + h];
            mc_curve_point *pt = &run->curve[h * nc + m];
            pt->p_break_even = (double)reached / (double)n;
            mc_wilson(reached, n, MC_LEVEL, &pt->p_break_even_lo,
                      &pt->p_break_even_hi);
        }
    }
}

/* Before pass 1, once the pilots are drawn (engine_pilots_): samples.csv's
 * header (process 0) and the plans the pilots make.  0, or -1 (out of
 * memory). */
int engine_plan_(engine *e)
{
    /* the header once: process 0's file is the start of samples.csv */
    if (e->out != NULL && (e->red == NULL || e->red->rank == 0) &&
        mc_csv_header(e->out, e->lanes[0].cols,
                      (size_t)e->lanes[0].ncols) != 0) {
        /* not at once: the other processes would wait for this one; the
           first pass stops at its first chunk (alone) or writes nothing,
           and the failure is agreed after it */
        e->io_failed = 1;
        e->io_errno = errno != 0 ? errno : EIO;
    }
    if (e->rm != NULL) {
        mc_rankmap_plan(e->rm);
        e->rank_pass = mc_rankmap_ready(e->rm);
    }
    if (mc_qs_plan(e->qs_sum) != 0 || mc_qs_plan(e->qs_cur) != 0 ||
        engine_new_accs_(e) != 0)
        return -1;
    return 0;
}

/* After pass 1: every process's failures agreed before the next
 * collective (a part of samples.csv that could not be written fails them
 * all), the block summaries merged along the tree, the quantiles' pass
 * closed.  0; -3 with msg (another process could not write); or -1, with
 * msg unless out of memory or a write failed (e->io_failed). */
int engine_end_pass1_(engine *e, char *msg, size_t len)
{
    if (e->np > 1) {
        uint64_t bad[2] = {(uint64_t)e->io_failed, e->tree_failed != 0};
        if (e->red->sum_u64(e->red->ctx, bad, 2) != 0)
            return -1;
        if (bad[0] != 0 && !e->io_failed) {
            snprintf(msg, len, "another process could not write its part of "
                     "samples.csv");
            return -3;
        }
        if (bad[1] != 0 && e->tree_failed == 0)
            e->tree_failed = -1;
    }
    if (e->io_failed)
        return -1;
    if (e->tree_failed == 0 && mc_mtree_reduce(e->tree, e->red) != 0)
        e->tree_failed = -1;
    if (e->tree_failed == -1)
        snprintf(msg, len, "internal error: blocks merged out of order");
    if (e->tree_failed != 0)
        return -1;
    mc_mtree_fold(e->tree, e->pay, e->pay_tmp);
    if (e->io_failed)
        return -1;
    return engine_end_accs_(e, msg, len);
}

