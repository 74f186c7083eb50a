/* mc_variants.c: a variant against the base, sample by sample.
 *
 * A variant changes some inputs; every input it leaves alone draws the
 * same numbers as in the base, because a draw depends only on (seed,
 * input name, sample).  So the difference D_i = V_i - B_i of an output
 * carries only the variant's own effect, and its statistics have far
 * less Monte Carlo error than the difference of two independent runs.
 * This file streams D through the same machinery as the engine: block
 * summaries merged in block order, exact quantiles in bounded memory.
 */
#include "mc_variants.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "mc_engine.h"

/* The pilot is the first block's first samples. */
_Static_assert(MC_QS_PILOT <= MC_BLOCK, "the pilot fits in one block");

/* A sample whose side of a median the brackets could not tell. */
typedef struct unsure {
    double b, v;
    int k;                            /* its output */
} unsure;

/* Unsure samples a lane keeps at most (MC_PAIR_UNSURE_MAX); past them,
 * the counts are taken again in a pass of their own.  mc_pair_unsure_max
 * sets it (tests). */
_Static_assert(sizeof(unsure) <= MC_PAIR_UNSURE_BYTES, "as estimated");
static size_t unsure_max = MC_PAIR_UNSURE_MAX;

void mc_pair_unsure_max(size_t max)
{
    unsure_max = max;
}

/* A thread's share of the differences. */
typedef struct pair_lane {
    double *d;                        /* MC_NOUTPUTS x MC_BLOCK */
    mc_sacc sacc[MC_NOUTPUTS];        /* the block's summaries of D */
    size_t joint[MC_NOUTPUTS];        /* V <= its median and B <= its */
    size_t le_b[MC_NOUTPUTS], le_v[MC_NOUTPUTS];
    mc_qs_acc *qa;                    /* this pass's quantile counts */
    unsure *un;                       /* kept by the brackets */
    size_t nun, capun;
    int over;                         /* more than UNSURE_MAX, or no memory */
} pair_lane;

struct mc_pair {
    const mc_layout *lay;             /* the outputs of both (the base's) */
    const mc_reducer *red;            /* the other processes, or NULL */
    size_t n;
    double med_b[MC_NOUTPUTS], med_v[MC_NOUTPUTS];
    int bracketed;                    /* counting by brackets (below) */
    double blo[MC_NOUTPUTS], bhi[MC_NOUTPUTS];
    double vlo[MC_NOUTPUTS], vhi[MC_NOUTPUTS];
    int nt;
    pair_lane *lanes;
    mc_qs *qs;
    int nq;                           /* its streams */
    int qidx[MC_OUT_COUNT];           /* output j's stream, or -1: D = 0 */
    mc_mtree *tree;                   /* the blocks' summaries of D */
    int tree_failed;
    mc_sacc sacc[MC_NOUTPUTS];        /* their merge */
};

/* left = left followed by right, for every output */
static void merge_sacc(void *ctx, void *left, const void *right)
{
    (void)ctx;
    mc_sacc *a = left;
    const mc_sacc *b = right;
    for (int k = 0; k < MC_NOUTPUTS; k++)
        mc_sacc_merge(&a[k], &b[k]);
}

/* D = V - B, with "never" on both sides the same outcome (0) and never
 * on one side +-inf: +inf where only the variant never breaks even. */
static double diff(double v, double b)
{
    if (v == b)
        return 0.0;                   /* also inf - inf */
    return v - b;
}

void mc_pair_free(mc_pair *p)
{
    if (p == NULL)
        return;
    for (int t = 0; p->lanes != NULL && t < p->nt; t++) {
        free(p->lanes[t].d);
        free(p->lanes[t].un);
        mc_qs_acc_free(p->lanes[t].qa);
    }
    free(p->lanes);
    mc_qs_free(p->qs);
    mc_mtree_free(p->tree);
    free(p);
}

mc_pair *mc_pair_new(const mc_layout *lay, size_t n, int lanes,
                     const mc_reducer *red, const unsigned char *same)
{
    mc_pair *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->lay = lay;
    p->red = red;
    p->n = n;
    p->nt = lanes;
    p->lanes = calloc((size_t)lanes, sizeof *p->lanes);
    for (int j = 0; j < lay->nout; j++)
        p->qidx[j] = same != NULL && same[lay->out[j]] ? -1 : p->nq++;
    p->qs = mc_qs_new_ci(n, p->nq > 0 ? (size_t)p->nq : 1, mc_summary_probs,
                         MC_NQ, MC_KEEP_BYTES);
    p->tree = mc_mtree_new(sizeof p->sacc, merge_sacc, NULL);
    if (p->lanes == NULL || p->qs == NULL || p->tree == NULL) {
        mc_pair_free(p);
        return NULL;
    }
    for (int t = 0; t < lanes; t++) {
        pair_lane *L = &p->lanes[t];
        if ((L->d = malloc(MC_NOUTPUTS * MC_BLOCK * sizeof *L->d)) == NULL) {
            mc_pair_free(p);
            return NULL;
        }
        for (int k = 0; k < MC_NOUTPUTS; k++)
            mc_sacc_init(&L->sacc[k]);
    }
    for (int k = 0; k < MC_NOUTPUTS; k++)
        mc_sacc_init(&p->sacc[k]);
    return p;
}

void mc_pair_block(mc_pair *p, int lane, const double *const b[MC_NCOLS],
                   const double *const v[MC_NCOLS], size_t len, int first)
{
    pair_lane *L = &p->lanes[lane];
    for (int jo = 0; jo < p->lay->nout; jo++) {
        int k = p->lay->out[jo];
        const double *bk = b[MC_COL_OUTPUT0 + k];
        const double *vk = v[MC_COL_OUTPUT0 + k];
        double *d = L->d + (size_t)k * MC_BLOCK;
        for (size_t i = 0; i < len; i++)
            d[i] = diff(vk[i], bk[i]);
        if (first)
            mc_sacc_block(d, len, (double)NAN, &L->sacc[k]);
        if (L->qa != NULL && p->qidx[jo] >= 0)
            mc_qs_add(L->qa, (size_t)p->qidx[jo], d, len);
    }
}

void mc_pair_brackets(mc_pair *p, const double *blo, const double *bhi,
                      const double *vlo, const double *vhi)
{
    memcpy(p->blo, blo, sizeof p->blo);
    memcpy(p->bhi, bhi, sizeof p->bhi);
    memcpy(p->vlo, vlo, sizeof p->vlo);
    memcpy(p->vhi, vhi, sizeof p->vhi);
    p->bracketed = 1;
}

/* Is every median inside its brackets (NaN is not)? */
static int inside(const mc_pair *p)
{
    for (int j = 0; j < p->lay->nout; j++) {
        int k = p->lay->out[j];
        if (!(p->blo[k] <= p->med_b[k] && p->med_b[k] <= p->bhi[k] &&
              p->vlo[k] <= p->med_v[k] && p->med_v[k] <= p->vhi[k]))
            return 0;
    }
    return 1;
}

int mc_pair_medians(mc_pair *p, const double *med_b, const double *med_v)
{
    memcpy(p->med_b, med_b, sizeof p->med_b);
    memcpy(p->med_v, med_v, sizeof p->med_v);
    int done = p->bracketed && inside(p);
    for (int t = 0; done && t < p->nt; t++)
        done = !p->lanes[t].over;
    if (p->bracketed && p->red != NULL && p->red->nprocs > 1) {
        /* a lane of one process that ran out of room: all count again
           (the same passes on every process) */
        uint64_t missed = (uint64_t)!done;
        if (p->red->sum_u64(p->red->ctx, &missed, 1) != 0 || missed != 0)
            done = 0;
    }
    for (int t = 0; t < p->nt; t++) {
        pair_lane *L = &p->lanes[t];
        if (done)                     /* the unsure ones, now sure */
            for (size_t i = 0; i < L->nun; i++) {
                const unsure *u = &L->un[i];
                int lb = u->b <= p->med_b[u->k], lv = u->v <= p->med_v[u->k];
                L->joint[u->k] += (size_t)(lb & lv);
                L->le_b[u->k] += (size_t)lb;
                L->le_v[u->k] += (size_t)lv;
            }
        else
            for (int k = 0; k < MC_NOUTPUTS; k++)
                L->joint[k] = L->le_b[k] = L->le_v[k] = 0;
        free(L->un);
        L->un = NULL;
        L->nun = L->capun = 0;
        L->over = 0;
    }
    p->bracketed = 0;
    return done;
}

/* Keeps a sample the brackets could not place; 0, or -1 when the lane
 * is full (its counts will be taken again). */
static int keep_unsure(pair_lane *L, int k, double b, double v)
{
    if (L->nun == L->capun) {
        size_t cap = L->capun == 0 ? 1024 : 2 * L->capun;
        if (cap > unsure_max)
            cap = unsure_max;
        unsure *un = cap > L->capun ? realloc(L->un, cap * sizeof *un) : NULL;
        if (un == NULL) {
            L->over = 1;
            return -1;
        }
        L->un = un;
        L->capun = cap;
    }
    L->un[L->nun++] = (unsure){b, v, k};
    return 0;
}

/* mc_pair_count before the medians are known: a value below its
 * median's bracket is below the median, one above it is above; the
 * samples with a value inside are kept for mc_pair_medians. */
static void count_bracketed(mc_pair *p, pair_lane *L, int k,
                            const double *bk, const double *vk, size_t len)
{
    double blo = p->blo[k], bhi = p->bhi[k], vlo = p->vlo[k],
           vhi = p->vhi[k];
    size_t j = 0, lb = 0, lv = 0;
    /* a bracket of one value (a known median, +inf where most never
       break even): a value equal to it is at the median, so below or at
       it, once mc_pair_medians finds the median inside */
    int bpt = blo == bhi, vpt = vlo == vhi;
    for (size_t i = 0; i < len && !L->over; i++) {
        int sb = bk[i] < blo ? 1 : bk[i] > bhi ? 0
               : bpt && bk[i] == blo ? 1 : -1;
        int sv = vk[i] < vlo ? 1 : vk[i] > vhi ? 0
               : vpt && vk[i] == vlo ? 1 : -1;
        if (sb < 0 || sv < 0) {
            keep_unsure(L, k, bk[i], vk[i]);
            continue;
        }
        j += (size_t)(sb & sv);
        lb += (size_t)sb;
        lv += (size_t)sv;
    }
    L->joint[k] += j;
    L->le_b[k] += lb;
    L->le_v[k] += lv;
}

void mc_pair_count(mc_pair *p, int lane, const double *const b[MC_NCOLS],
                   const double *const v[MC_NCOLS], size_t len)
{
    pair_lane *L = &p->lanes[lane];
    if (p->bracketed) {
        for (int jo = 0; jo < p->lay->nout; jo++) {
            int k = p->lay->out[jo];
            count_bracketed(p, L, k, b[MC_COL_OUTPUT0 + k],
                            v[MC_COL_OUTPUT0 + k], len);
        }
        return;
    }
    for (int jo = 0; jo < p->lay->nout; jo++) {
        int k = p->lay->out[jo];
        const double *bk = b[MC_COL_OUTPUT0 + k];
        const double *vk = v[MC_COL_OUTPUT0 + k];
        double mb = p->med_b[k], mv = p->med_v[k];
        size_t j = 0, lb = 0, lv = 0;
        for (size_t i = 0; i < len; i++) {
            j += (bk[i] <= mb) & (vk[i] <= mv);
            lb += bk[i] <= mb;
            lv += vk[i] <= mv;
        }
        L->joint[k] += j;
        L->le_b[k] += lb;
        L->le_v[k] += lv;
    }
}

int mc_pair_push(mc_pair *p, int lane, size_t block)
{
    int rc = mc_mtree_push(p->tree, 0, block, p->lanes[lane].sacc);
    if (rc != 0)
        p->tree_failed = 1;
    return rc;
}

void mc_pair_pilot(mc_pair *p, const double *const b[MC_NCOLS],
                   const double *const v[MC_NCOLS], size_t len)
{
    pair_lane *L = &p->lanes[0];
    mc_pair_block(p, 0, b, v, len, 0);
    for (int j = 0; j < p->lay->nout; j++)
        if (p->qidx[j] >= 0)
            memcpy(mc_qs_pilot(p->qs, (size_t)p->qidx[j]), L->d +
                   (size_t)p->lay->out[j] * MC_BLOCK, len * sizeof(double));
}

size_t mc_pair_pilot_len(const mc_pair *p)
{
    return mc_qs_pilot_len(p->qs);
}

int mc_pair_plan(mc_pair *p)
{
    return mc_qs_plan(p->qs);
}

int mc_pair_more(const mc_pair *p)
{
    return p->nq > 0 && mc_qs_passes(p->qs) > 0;
}

int mc_pair_begin(mc_pair *p)
{
    int on = mc_pair_more(p);
    for (int t = 0; t < p->nt; t++) {
        p->lanes[t].qa = on ? mc_qs_acc_new(p->qs) : NULL;
        if (on && p->lanes[t].qa == NULL)
            return -1;
    }
    return 0;
}

int mc_pair_end(mc_pair *p, int first, char *msg, size_t len)
{
    int rc = 0, on = p->lanes[0].qa != NULL;
    if (first) {
        mc_sacc scratch[MC_NOUTPUTS];
        rc = p->tree_failed ? -1 : 0;
        if (rc == 0)
            rc = mc_mtree_reduce(p->tree, p->red) != 0 ? -1 : 0;
        mc_mtree_fold(p->tree, p->sacc, scratch);
    }
    mc_qs_acc **a = malloc((size_t)p->nt * sizeof *a);
    if (a == NULL)
        rc = -1;
    for (int t = 0; a != NULL && t < p->nt; t++)
        a[t] = p->lanes[t].qa;
    if (rc == 0 && on)
        rc = mc_qs_end_pass(p->qs, a, (size_t)p->nt, p->red, msg, len);
    for (int t = 0; t < p->nt; t++) {
        mc_qs_acc_free(p->lanes[t].qa);
        p->lanes[t].qa = NULL;
    }
    free(a);
    return rc;
}

/* Draws samples lo .. lo+len-1 of both scenarios into L's columns and
 * adds their differences (mc_variant_compare). */
typedef struct cmp_lane {
    mc_sampler *base, *var;
    double *b[MC_NCOLS], *v[MC_NCOLS];
} cmp_lane;

static void cmp_block(mc_pair *p, cmp_lane *C, int lane, size_t lo,
                      size_t len, int first)
{
    mc_sampler_draw(C->base, lo, len, C->b);
    mc_sampler_draw(C->var, lo, len, C->v);
    const double *const *b = (const double *const *)C->b;
    const double *const *v = (const double *const *)C->v;
    mc_pair_block(p, lane, b, v, len, first);
    if (first)
        mc_pair_count(p, lane, b, v, len);
}

static void cmp_pass(mc_pair *p, cmp_lane *lanes, size_t b0, size_t b1,
                     int first)
{
    #pragma omp parallel num_threads(p->nt)
    {
        int t = omp_get_thread_num();
        cmp_lane *C = &lanes[t];
        if (first) {
            #pragma omp for ordered schedule(static, 1)
            for (size_t b = b0; b < b1; b++) {
                cmp_block(p, C, t, b * MC_BLOCK, mc_block_len(p->n, b), 1);
                #pragma omp ordered
                mc_pair_push(p, t, b);
            }
        } else {
            /* the same blocks per thread in every pass (Sobol' cursors
               only move forward) */
            #pragma omp for schedule(static, 1)
            for (size_t b = b0; b < b1; b++)
                cmp_block(p, C, t, b * MC_BLOCK, mc_block_len(p->n, b), 0);
        }
    }
}

static void free_cmp_lanes(cmp_lane *lanes, int nt)
{
    for (int t = 0; lanes != NULL && t < nt; t++) {
        mc_sampler_free(lanes[t].base);
        mc_sampler_free(lanes[t].var);
        for (int k = 0; k < MC_NCOLS; k++) {
            free(lanes[t].b[k]);
            free(lanes[t].v[k]);
        }
    }
    free(lanes);
}

static cmp_lane *new_cmp_lanes(const mc_scenario *bs, const mc_scenario *vs,
                               int nt)
{
    cmp_lane *lanes = calloc((size_t)nt, sizeof *lanes);
    for (int t = 0; lanes != NULL && t < nt; t++) {
        cmp_lane *C = &lanes[t];
        if ((C->base = mc_sampler_new(bs)) == NULL ||
            (C->var = mc_sampler_new(vs)) == NULL) {
            free_cmp_lanes(lanes, nt);
            return NULL;
        }
        for (int k = 0; k < MC_NCOLS; k++)
            if ((C->b[k] = malloc(MC_BLOCK * sizeof(double))) == NULL ||
                (C->v[k] = malloc(MC_BLOCK * sizeof(double))) == NULL) {
                free_cmp_lanes(lanes, nt);
                return NULL;
            }
    }
    return lanes;
}

/* The pilot, then passes until every quantile of D is exact, with the
 * counts below the medians in pass 1. */
static int quantiles(mc_pair *p, cmp_lane *lanes, size_t b0, size_t b1,
                     char *msg, size_t len)
{
    size_t m = mc_pair_pilot_len(p);
    mc_sampler_draw(lanes[0].base, 0, m, lanes[0].b);
    mc_sampler_draw(lanes[0].var, 0, m, lanes[0].v);
    mc_pair_pilot(p, (const double *const *)lanes[0].b,
                  (const double *const *)lanes[0].v, m);
    if (mc_pair_plan(p) != 0)
        return -1;
    int first = 1, rc = 0;
    while (rc == 0 && (first || mc_pair_more(p))) {
        if ((rc = mc_pair_begin(p)) == 0) {
            cmp_pass(p, lanes, b0, b1, first);
            rc = mc_pair_end(p, first, msg, len);
        }
        first = 0;
    }
    return rc;
}

/* The sparsity 1 / f(median) from the median's interval: its order
 * statistics lo and hi are (hi - lo) / n apart in probability (Siddiqui's
 * estimator, with the interval's bandwidth).  NaN where the interval is
 * not finite. */
static double sparsity(const mc_stats *st, size_t n)
{
    size_t lo, hi;
    mc_quantile_ci_ranks(n, 0.5, MC_LEVEL, &lo, &hi);
    double w = st->q_hi[4] - st->q_lo[4];
    if (!isfinite(w) || hi <= lo)
        return (double)NAN;
    return w / ((double)(hi - lo) / (double)n);
}

/* The lanes' counts below the medians into lane 0's, and the other
 * processes' (integers: any order).  0 or -1. */
static int reduce_counts(mc_pair *p)
{
    pair_lane *L0 = &p->lanes[0];
    for (int t = 1; t < p->nt; t++)
        for (int k = 0; k < MC_NOUTPUTS; k++) {
            L0->joint[k] += p->lanes[t].joint[k];
            L0->le_b[k] += p->lanes[t].le_b[k];
            L0->le_v[k] += p->lanes[t].le_v[k];
            p->lanes[t].joint[k] = p->lanes[t].le_b[k] =
                p->lanes[t].le_v[k] = 0;
        }
    if (p->red == NULL || p->red->nprocs <= 1)
        return 0;
    uint64_t v[3 * MC_NOUTPUTS];
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        v[k] = L0->joint[k];
        v[MC_NOUTPUTS + k] = L0->le_b[k];
        v[2 * MC_NOUTPUTS + k] = L0->le_v[k];
    }
    if (p->red->sum_u64(p->red->ctx, v, 3 * MC_NOUTPUTS) != 0)
        return -1;
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        L0->joint[k] = (size_t)v[k];
        L0->le_b[k] = (size_t)v[MC_NOUTPUTS + k];
        L0->le_v[k] = (size_t)v[2 * MC_NOUTPUTS + k];
    }
    return 0;
}

int mc_pair_finish(mc_pair *p, const mc_stats *bstats, const mc_stats *vstats,
                   mc_variant_diff *out)
{
    if (reduce_counts(p) != 0)
        return -1;
    size_t n = p->n;
    double z = mc_z(MC_LEVEL);
    memset(out, 0, sizeof *out);
    out->n = n;
    for (int j = 0; j < p->lay->nout; j++) {
        int k = p->lay->out[j];
        mc_stats *st = &out->diff[k];
        mc_sacc_stats(&p->sacc[k], 0, st);
        if (p->qidx[j] >= 0) {
            mc_qs_get_ci(p->qs, (size_t)p->qidx[j], st->q, st->q_lo,
                         st->q_hi);
        } else {
            /* the same output on both sides: D is +0 at every sample
               (diff), which its summary confirms, and so is each of its
               order statistics */
            if (!(st->min == 0.0 && st->max == 0.0 && st->never == 0))
                return -1;
            for (int i = 0; i < MC_NQ; i++)
                st->q[i] = st->q_lo[i] = st->q_hi[i] = 0.0;
        }
        out->base_only_never[k] = p->sacc[k].n - p->sacc[k].finite -
                                  p->sacc[k].never;
        const mc_stats *b = &bstats[k], *v = &vstats[k];
        out->mean_se_independent[k] = sqrt(b->mcse * b->mcse +
                                           v->mcse * v->mcse);
        /* The median shift and its error.  By Bahadur's representation
           a sample median is m + (1/2 - F_n(m)) s, s = 1 / f(m), so the
           shift's variance is (s_V^2 P_V(1 - P_V) + s_B^2 P_B(1 - P_B)
           - 2 s_V s_B (P_VB - P_V P_B)) / n with P_V = P(V <= m_V),
           P_VB = P(V <= m_V and B <= m_B), counted by mc_pair_count.
           Common random numbers make P_VB large and the last term
           cancel most of the first two; independent runs have P_VB =
           P_V P_B. */
        /* "never" on both sides is no shift; on one side +-inf */
        out->median_shift[k] = diff(v->q[4], b->q[4]);
        /* every lane's and process's counts are in lane 0's */
        size_t joint = p->lanes[0].joint[k], lb = p->lanes[0].le_b[k],
               lv = p->lanes[0].le_v[k];
        double sb = sparsity(b, n), sv = sparsity(v, n);
        double pb = (double)lb / (double)n, pv = (double)lv / (double)n,
               pj = (double)joint / (double)n;
        double vb = sb * sb * pb * (1 - pb), vv = sv * sv * pv * (1 - pv);
        double var = (vb + vv - 2 * sb * sv * (pj - pb * pv)) / (double)n;
        out->median_se[k] = sqrt(var > 0 ? var : 0);
        out->median_se_independent[k] = sqrt((vb + vv) / (double)n);
        out->median_lo[k] = out->median_shift[k] - z * out->median_se[k];
        out->median_hi[k] = out->median_shift[k] + z * out->median_se[k];
        if (!isfinite(out->median_shift[k]) || isnan(var)) {
            out->median_se[k] = out->median_se_independent[k] =
                out->median_lo[k] = out->median_hi[k] = (double)NAN;
        }
    }
    return 0;
}

int mc_pair_check(const mc_scenario *base, const mc_scenario *variant,
                  char *msg, size_t len)
{
    if (variant->layout.nout != base->layout.nout ||
        memcmp(variant->layout.out, base->layout.out,
               sizeof base->layout.out) != 0) {
        snprintf(msg, len, "expected a variant with the base's outputs, "
                 "found other groups");
        return -1;
    }
    if (variant->seed != base->seed) {
        snprintf(msg, len, "expected a variant with the base's seed and "
                 "samples");
        return -1;
    }
    return 0;
}

int mc_variant_compare(const mc_scenario *base, const mc_run *brun,
                       const mc_scenario *variant, const mc_run *vrun,
                       int threads, const mc_reducer *red,
                       mc_variant_diff *out, char *msg, size_t len)
{
    msg[0] = '\0';
    if (mc_pair_check(base, variant, msg, len) != 0)
        return -1;
    if (vrun->n != brun->n) {
        snprintf(msg, len, "expected a variant with the base's seed and "
                 "samples");
        return -1;
    }
    size_t n = brun->n, b0, b1;
    mc_share((n + MC_BLOCK - 1) / MC_BLOCK, red != NULL ? red->rank : 0,
             red != NULL ? red->nprocs : 1, &b0, &b1);
    int nt = threads > 0 ? threads : omp_get_max_threads();
    double med_b[MC_NOUTPUTS], med_v[MC_NOUTPUTS];
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        med_b[k] = brun->stats[k].q[4];
        med_v[k] = vrun->stats[k].q[4];
    }
    mc_pair *p = mc_pair_new(&base->layout, n, nt, red, NULL);
    cmp_lane *lanes = new_cmp_lanes(base, variant, nt);
    int rc = -1;
    if (p != NULL && lanes != NULL) {
        mc_pair_medians(p, med_b, med_v);
        rc = quantiles(p, lanes, b0, b1, msg, len);
        if (rc == 0)
            rc = mc_pair_finish(p, brun->stats, vrun->stats, out);
    }
    if (rc != 0 && msg[0] == '\0')
        snprintf(msg, len, "out of memory comparing a variant");
    free_cmp_lanes(lanes, nt);
    mc_pair_free(p);
    return rc;
}
