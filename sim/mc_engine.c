/* mc_engine.c: the summary, curve and rank sensitivity of a scenario's
 * samples (mc_sample.c), streamed.
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
#include "mc_engine.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_model.h"
#include "mc_sample_impl.h"
#include "mc_variants.h"

static const double curve_probs[MC_NCURVE_Q] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* Blocks per parallel region: a progress step (and the only barrier). */
#define CHUNK_BLOCKS 16

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

static void report(mc_progress_fn progress, void *ctx, const char *phase,
                   double fraction)
{
    if (progress != NULL)
        progress(ctx, phase, fraction);
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

/* One thread's working set. */
typedef struct lane {
    mc_sampler smp;                   /* its generator and Sobol' cursor */
    double *col[MC_NCOLS];            /* a block of samples */
    double *scratch;                  /* MC_CURVE_SCRATCH */
    unsigned char *pay;               /* the block's summary (a tree node:
                                         pay_head, csum, cm2) */
    mc_sacc *sacc;                    /* its outputs' summaries */
    double *csum;                     /* its curve sums */
    double *cm2;                      /* and squared deviations */
    size_t *cle2;                     /* curve values <= 2, this pass */
    size_t *first;                    /* ncurve x (nh + 1) counts */
    int ncurve;                       /* the curve's metrics */
    mc_qs_acc *qa_sum, *qa_cur;       /* this pass's quantile counts */
    mc_rankmap_acc *ra;               /* pass 1's rank counts */
    int32_t *score;                   /* rank scores: sens columns x block */
    mc_rsums *rs;                     /* the lane's sums of scores */
    mc_column cols[MC_NCOLS + 1];     /* samples.csv over col: the
                                         layout's columns */
    int ncols;                        /* sample and them */
    char *text;                       /* the block's rows */
    size_t text_len;
} lane;

typedef struct engine {
    const mc_scenario *s;
    const mc_reducer *red;            /* the other processes, or NULL */
    int np;                           /* processes */
    size_t b0, b1;                    /* this process's blocks */
    const mc_layout *lay;             /* the scenario's columns */
    size_t n, nh, ncs, nblocks;
    int ncurve, nout;
    int nt;                           /* lanes (the most threads asked) */
    int team;                         /* the largest team OpenMP gave */
    lane *lanes;
    mc_qs *qs_sum, *qs_cur;
    int sum_on, cur_on;               /* quantile work in this pass */
    /* rank sensitivity: ranks counted in pass 1, scores summed in the
       pass after it (which is run for them if the quantiles need none) */
    size_t sd, sncol;                 /* inputs; inputs and outputs */
    int scol[MC_NCOLS];               /* their columns */
    mc_rankmap *rm;
    int rank_pass;                    /* 1: scores are summed this pass */
    int rank_done;
    mc_mtree *tree;                   /* pass 1's block summaries, merged
                                         along the fixed tree */
    unsigned char *pay, *pay_tmp;     /* the merged summary, and scratch */
    mc_sacc *sacc;                    /* its outputs' summaries */
    double *csum, *cm2;               /* curve sums and squared deviations,
                                         merged in block order */
    size_t ncs_ctx;                   /* ncs, for merge_pay */
    int tree_failed;                  /* an internal check */
    FILE *out;                        /* samples.csv or NULL */
    int io_failed, io_errno;
} engine;

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

static void curve_pass1(void *ctx, size_t h,
                        const double *const x[MC_NCURVE_MAX], size_t len)
{
    lane *L = ((void **)ctx)[0];
    const engine *e = ((void **)ctx)[1];
    size_t nc = (size_t)e->ncurve;
    for (size_t m = 0; m < nc; m++) {
        size_t k = h * nc + m;
        L->csum[k] = sum_le(x[m], len,
                            mc_output_infos[e->lay->curve[m]].p_le,
                            &L->cle2[k]);
        L->cm2[k] = sq_dev(x[m], len, L->csum[k] / (double)len);
        if (e->cur_on)
            mc_qs_add(L->qa_cur, k, x[m], len);
    }
}

static void curve_refine(void *ctx, size_t h,
                         const double *const x[MC_NCURVE_MAX], size_t len)
{
    lane *L = ctx;
    size_t nc = (size_t)L->ncurve;
    for (size_t m = 0; m < nc; m++)
        mc_qs_add(L->qa_cur, h * nc + m, x[m], len);
}

static void curve_pilot(void *ctx, size_t h,
                        const double *const x[MC_NCURVE_MAX], size_t len)
{
    void **c = ctx;
    mc_qs *q = c[0];
    size_t lo = *(const size_t *)c[1];
    size_t nc = (size_t)*(const int *)c[2];
    for (size_t m = 0; m < nc; m++)
        memcpy(mc_qs_pilot(q, h * nc + m) + lo, x[m], len * sizeof(double));
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

static void pass1_block(engine *e, lane *L, size_t lo, size_t len)
{
    const mc_scenario *s = e->s;
    mc_sampler_draw(&L->smp, lo, len, L->col);
    for (int j = 0; j < e->nout; j++) {
        int k = e->lay->out[j];
        const double *x = L->col[MC_COL_OUTPUT0 + k];
        mc_sacc_block(x, len, mc_output_infos[k].p_le, &L->sacc[k]);
        if (e->sum_on)
            mc_qs_add(L->qa_sum, (size_t)j, x, len);
    }
    if (e->rank_pass)                 /* the pilot was every sample */
        rank_scores(e, L, len);
    else
        for (size_t c = 0; e->rm != NULL && c < e->sncol; c++)
            mc_rankmap_count(L->ra, c, L->col[e->scol[c]], len);
    for (int m = 0; m < e->ncurve; m++) {
        const double *be = L->col[MC_COL_OUTPUT0 + mc_output_infos[
                                      e->lay->curve[m]].curve_break_even];
        size_t *first = L->first + (size_t)m * (e->nh + 1);
        for (size_t i = 0; i < len; i++)
            first[first_reached(s->horizons, e->nh, be[i])]++;
    }
    void *ctx[2] = {L, e};
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
static void pass1_merge(engine *e, lane *L, size_t block, size_t len)
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

static void refine_block(engine *e, lane *L, size_t lo, size_t len)
{
    mc_sampler_draw(&L->smp, lo, len, L->col);
    if (e->sum_on)
        for (int j = 0; j < e->nout; j++)
            mc_qs_add(L->qa_sum, (size_t)j,
                      L->col[MC_COL_OUTPUT0 + e->lay->out[j]], len);
    if (e->cur_on)
        mc_engine_curve(e->s, (const double *const *)L->col, len, L->scratch,
                        curve_refine, L);
    if (e->rank_pass)
        rank_scores(e, L, len);
}

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
    pass1_block(&g->e[0], &g->e[0].lanes[t], lo, len);
    double t1 = omp_get_wtime();
    for (int k = 1; k < g->ne; k++)
        pass1_block(&g->e[k], &g->e[k].lanes[t], lo, len);
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
        pass1_merge(&g->e[k], &g->e[k].lanes[t], b, len);
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
        refine_block(&g->e[0], &g->e[0].lanes[t], lo, len);
    double t1 = omp_get_wtime();
    for (int k = 1; k < g->ne; k++)
        if (g->on[k])
            refine_block(&g->e[k], &g->e[k].lanes[t], lo, len);
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

/* The pilot: the first samples' outputs and multipliers. */
static void fill_pilots(engine *e)
{
    lane *L = &e->lanes[0];
    size_t m = mc_qs_pilot_len(e->qs_sum);
    for (size_t lo = 0; lo < m; lo += MC_BLOCK) {
        size_t len = m - lo < MC_BLOCK ? m - lo : MC_BLOCK;
        mc_sampler_draw(&L->smp, lo, len, L->col);
        for (int j = 0; j < e->nout; j++)
            memcpy(mc_qs_pilot(e->qs_sum, (size_t)j) + lo,
                   L->col[MC_COL_OUTPUT0 + e->lay->out[j]],
                   len * sizeof(double));
        void *ctx[3] = {e->qs_cur, &lo, &e->ncurve};
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
static int new_accs(engine *e)
{
    e->sum_on = mc_qs_passes(e->qs_sum) > 0;
    e->cur_on = e->ncs > 0 && mc_qs_passes(e->qs_cur) > 0;
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
static int end_accs(engine *e, char *msg, size_t len)
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

static void free_engine(engine *e)
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

static int setup(engine *e, const mc_scenario *s, int nt, FILE *samples,
                 const mc_reducer *red)
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
    e->qs_sum = mc_qs_new_ci(e->n, (size_t)e->nout, mc_summary_probs, MC_NQ,
                             MC_KEEP_BYTES);
    e->qs_cur = mc_qs_new_ci(e->n, e->ncs > 0 ? e->ncs : 1, curve_probs,
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
static int reduce_counts(engine *e)
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
static int sens_results(engine *e, mc_run *run)
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

static void results(engine *e, mc_run *run)
{
    size_t n = e->n, nh = e->nh;
    for (int j = 0; j < e->nout; j++) {
        int k = e->lay->out[j];
        mc_sacc_stats(&e->sacc[k], has_p_le(MC_COL_OUTPUT0 + k),
                      &run->stats[k]);
        mc_qs_get_ci(e->qs_sum, (size_t)j, run->stats[k].q,
                     run->stats[k].q_lo, run->stats[k].q_hi);
    }
    /* every lane's and process's counts are in lane 0's (reduce_counts) */
    const lane *L0 = &e->lanes[0];
    for (size_t k = 0; k < e->ncs; k++) {
        mc_curve_point *pt = &run->curve[k];
        size_t le2 = L0->cle2[k];
        pt->mean = e->csum[k] / (double)n;
        pt->p_le = (double)le2 / (double)n;
        mc_qs_get_ci(e->qs_cur, k, pt->q, pt->q_lo, pt->q_hi);
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
    size_t nc = (size_t)e->ncurve;
    for (size_t m = 0; m < nc; m++) {
        size_t reached = 0;
        for (size_t h = 0; h < nh; h++) {
            reached += L0->first[m * (nh + 1) + h];
            mc_curve_point *pt = &run->curve[h * nc + m];
            pt->p_break_even = (double)reached / (double)n;
            mc_wilson(reached, n, MC_LEVEL, &pt->p_break_even_lo,
                      &pt->p_break_even_hi);
        }
    }
}

/* Before pass 1, once the pilots are drawn (fill_pilots): samples.csv's
 * header (process 0) and the plans the pilots make.  0, or -1 (out of
 * memory). */
static int prepare_pass1(engine *e)
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
        new_accs(e) != 0)
        return -1;
    return 0;
}

/* The medians of a member's outputs, by output id, once its summary's
 * quantiles are exact (mc_qs_passes 0). */
static void medians(const engine *e, double *med)
{
    for (int j = 0; j < e->nout; j++) {
        double q[MC_NQ], lo[MC_NQ], hi[MC_NQ];
        mc_qs_get_ci(e->qs_sum, (size_t)j, q, lo, hi);
        med[e->lay->out[j]] = q[4];
    }
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
        if (mc_qs_passes(g->e[k].qs_sum) > 0)
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
        mc_qs_bracket(b->qs_sum, (size_t)j, 0.5, &blo[b->lay->out[j]],
                      &bhi[b->lay->out[j]]);
    for (int v = 0; v + 1 < g->ne; v++) {
        const engine *e = &g->e[v + 1];
        for (int j = 0; j < e->nout; j++)
            mc_qs_bracket(e->qs_sum, (size_t)j, 0.5, &vlo[e->lay->out[j]],
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
    /* the members' pilots are independent: one member per thread (only
       drawn there; the plans allocate on this thread, whose freed memory
       the passes reuse) */
    #pragma omp parallel for schedule(dynamic, 1) num_threads(g->e[0].nt) \
        if (g->ne > 1)
    for (int k = 0; k < g->ne; k++)
        fill_pilots(&g->e[k]);
    for (int k = 0; k < g->ne; k++)
        if (prepare_pass1(&g->e[k]) != 0)
            return -1;
    for (int v = 0; v + 1 < g->ne; v++) {
        /* fill_pilots left each member's first samples in lane 0 */
        size_t m = mc_pair_pilot_len(g->pair[v]);
        mc_pair_pilot(g->pair[v], cols_of(g, 0, 0), cols_of(g, v + 1, 0), m);
        if (mc_pair_plan(g->pair[v]) != 0 || mc_pair_begin(g->pair[v]) != 0)
            return -1;
    }
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

/* After pass 1: every process's failures agreed before the next
 * collective (a part of samples.csv that could not be written fails them
 * all), the block summaries merged along the tree, the quantiles' pass
 * closed.  0; -3 with msg (another process could not write); or -1, with
 * msg unless out of memory or a write failed (e->io_failed). */
static int merge_pass1(engine *e, char *msg, size_t len)
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
    return end_accs(e, msg, len);
}

/* Does member e need another pass of its own? */
static int needs_pass(const engine *e)
{
    return mc_qs_passes(e->qs_sum) > 0 ||
           (e->ncs > 0 && mc_qs_passes(e->qs_cur) > 0) ||
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
            if (new_accs(e) != 0)
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
            if (end_accs(e, msg, len) != 0)
                return -1;
        }
        for (int v = 0; v + 1 < g->ne; v++)
            if (mc_pair_end(g->pair[v], 0, msg, len) != 0)
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
        free_engine(&g->e[k]);
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
        if (setup(&g->e[k], k == 0 ? s : vars[k - 1], nt,
                  k == 0 ? samples : NULL, red) != 0)
            return -1;
        if (k > 0 && (g->pair[k - 1] = mc_pair_new(&s->layout, g->e[0].n, nt,
                                                   red)) == NULL)
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
    int nt = resolve_threads(threads);
    group g;
    mc_run *runs = calloc(nv + 1, sizeof *runs);
    int rc = -1, io_agreed = 0;
    msg[0] = '\0';
    memset(&g, 0, sizeof g);
    for (size_t v = 0; v < nv; v++)
        if (mc_pair_check(s, vars[v], msg, len) != 0 ||
            vars[v]->samples != s->samples ||
            vars[v]->sampling != s->sampling ||
            vars[v]->n_horizons != s->n_horizons) {
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
    /* from here a failed write of samples.csv is agreed (merge_pass1 of
       the base): before, a process's own failure is one process's */
    io_agreed = 1;
    for (int k = 0; k < g.ne; k++)
        if ((rc = merge_pass1(&g.e[k], msg, len)) != 0)
            goto fail;
    for (int v = 0; v + 1 < g.ne; v++)
        if ((rc = mc_pair_end(g.pair[v], 1, msg, len)) != 0)
            goto fail;
    if ((rc = refine_passes(&g, &runs[0], progress, ctx, msg, len)) != 0)
        goto fail;
    for (int k = 0; k < g.ne; k++) {
        engine *e = &g.e[k];
        if ((rc = reduce_counts(e)) != 0)
            goto fail;
        runs[k].passes = runs[0].passes;
        memcpy(runs[k].pass_seconds, runs[0].pass_seconds,
               sizeof runs[k].pass_seconds);
        if (g.e[0].team > 0)          /* else this process had no blocks */
            runs[k].threads = g.e[0].team;
        results(e, &runs[k]);
        if ((rc = sens_results(e, &runs[k])) != 0)
            goto fail;
    }
    for (int v = 0; v + 1 < g.ne; v++)
        if ((rc = mc_pair_finish(g.pair[v], runs[0].stats, runs[v + 1].stats,
                                 &diffs[v])) != 0)
            goto fail;
    double tb = 0, tv = 0;
    for (int t = 0; t < nt; t++) {
        tb += g.tbase[t];
        tv += g.tvar[t];
    }
    runs[0].variant_share = nv > 0 && tb + tv > 0 ? tv / (tb + tv) : 0.0;
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
