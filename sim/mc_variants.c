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

typedef struct lane {
    mc_sampler *base, *var;
    double *b[MC_NCOLS], *v[MC_NCOLS];
    double *d;                        /* MC_NOUTPUTS x MC_BLOCK */
    mc_sacc sacc[MC_NOUTPUTS];
    size_t joint[MC_NOUTPUTS];        /* V <= its median and B <= its */
    size_t le_b[MC_NOUTPUTS], le_v[MC_NOUTPUTS];
    mc_qs_acc *qa;
} lane;

typedef struct cmp {
    const mc_scenario *bs, *vs;
    const mc_layout *lay;             /* the outputs of both (the base's) */
    const mc_reducer *red;            /* the other processes, or NULL */
    size_t b0, b1;                    /* this process's blocks */
    double med_b[MC_NOUTPUTS], med_v[MC_NOUTPUTS];
    size_t n, nblocks;
    int nt;
    lane *lanes;
    mc_qs *qs;
    mc_mtree *tree;                   /* the blocks' summaries of D */
    int tree_failed;
    mc_sacc sacc[MC_NOUTPUTS];        /* their merge */
} cmp;

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

/* Draws samples lo .. lo+len-1 of both scenarios and their differences;
 * with counts, also the joint and marginal counts below the medians. */
static void block(cmp *c, lane *L, size_t lo, size_t len, int counts)
{
    mc_sampler_draw(L->base, lo, len, L->b);
    mc_sampler_draw(L->var, lo, len, L->v);
    for (int jo = 0; jo < c->lay->nout; jo++) {
        int k = c->lay->out[jo];
        const double *b = L->b[MC_COL_OUTPUT0 + k];
        const double *v = L->v[MC_COL_OUTPUT0 + k];
        double *d = L->d + (size_t)k * MC_BLOCK;
        for (size_t i = 0; i < len; i++)
            d[i] = diff(v[i], b[i]);
        if (counts) {
            double mb = c->med_b[k], mv = c->med_v[k];
            size_t j = 0, lb = 0, lv = 0;
            for (size_t i = 0; i < len; i++) {
                j += (b[i] <= mb) & (v[i] <= mv);
                lb += b[i] <= mb;
                lv += v[i] <= mv;
            }
            L->joint[k] += j;
            L->le_b[k] += lb;
            L->le_v[k] += lv;
            mc_sacc_block(d, len, (double)NAN, &L->sacc[k]);
        }
        if (L->qa != NULL)
            mc_qs_add(L->qa, (size_t)jo, d, len);
    }
}


static void pass(cmp *c, int first)
{
    #pragma omp parallel num_threads(c->nt)
    {
        lane *L = &c->lanes[omp_get_thread_num()];
        if (first) {
            #pragma omp for ordered schedule(static, 1)
            for (size_t b = c->b0; b < c->b1; b++) {
                block(c, L, b * MC_BLOCK, mc_block_len(c->n, b), 1);
                #pragma omp ordered
                if (mc_mtree_push(c->tree, 0, b, L->sacc) != 0)
                    c->tree_failed = 1;
            }
        } else {
            /* the same blocks per thread in every pass (Sobol' cursors
               only move forward) */
            #pragma omp for schedule(static, 1)
            for (size_t b = c->b0; b < c->b1; b++)
                block(c, L, b * MC_BLOCK, mc_block_len(c->n, b), 0);
        }
    }
}

static void free_cmp(cmp *c)
{
    for (int t = 0; c->lanes != NULL && t < c->nt; t++) {
        lane *L = &c->lanes[t];
        mc_sampler_free(L->base);
        mc_sampler_free(L->var);
        for (int k = 0; k < MC_NCOLS; k++) {
            free(L->b[k]);
            free(L->v[k]);
        }
        free(L->d);
        mc_qs_acc_free(L->qa);
    }
    free(c->lanes);
    mc_qs_free(c->qs);
    mc_mtree_free(c->tree);
}

static int setup(cmp *c)
{
    c->lanes = calloc((size_t)c->nt, sizeof *c->lanes);
    c->qs = mc_qs_new_ci(c->n, (size_t)c->lay->nout, mc_summary_probs, MC_NQ,
                         MC_KEEP_BYTES);
    c->tree = mc_mtree_new(sizeof c->sacc, merge_sacc, NULL);
    if (c->lanes == NULL || c->qs == NULL || c->tree == NULL)
        return -1;
    for (int t = 0; t < c->nt; t++) {
        lane *L = &c->lanes[t];
        if ((L->base = mc_sampler_new(c->bs)) == NULL ||
            (L->var = mc_sampler_new(c->vs)) == NULL ||
            (L->d = malloc(MC_NOUTPUTS * MC_BLOCK * sizeof *L->d)) == NULL)
            return -1;
        for (int k = 0; k < MC_NCOLS; k++)
            if ((L->b[k] = malloc(MC_BLOCK * sizeof(double))) == NULL ||
                (L->v[k] = malloc(MC_BLOCK * sizeof(double))) == NULL)
                return -1;
        for (int k = 0; k < MC_NOUTPUTS; k++)
            mc_sacc_init(&L->sacc[k]);
    }
    for (int k = 0; k < MC_NOUTPUTS; k++)
        mc_sacc_init(&c->sacc[k]);
    return 0;
}

/* Quantile passes until every quantile of D is exact. */
static int quantiles(cmp *c, char *msg, size_t len)
{
    lane *L = &c->lanes[0];
    size_t m = mc_qs_pilot_len(c->qs);
    for (size_t lo = 0; lo < m; lo += MC_BLOCK) {
        size_t n = m - lo < MC_BLOCK ? m - lo : MC_BLOCK;
        block(c, L, lo, n, 0);
        for (int j = 0; j < c->lay->nout; j++)
            memcpy(mc_qs_pilot(c->qs, (size_t)j) + lo,
                   L->d + (size_t)c->lay->out[j] * MC_BLOCK,
                   n * sizeof(double));
    }
    if (mc_qs_plan(c->qs) != 0)
        return -1;
    mc_qs_acc **a = malloc((size_t)c->nt * sizeof *a);
    if (a == NULL)
        return -1;
    int first = 1, rc = 0;
    while (rc == 0 && (first || mc_qs_passes(c->qs) > 0)) {
        int on = mc_qs_passes(c->qs) > 0;
        for (int t = 0; t < c->nt; t++) {
            c->lanes[t].qa = on ? mc_qs_acc_new(c->qs) : NULL;
            if (on && c->lanes[t].qa == NULL)
                rc = -1;
        }
        if (rc == 0)
            pass(c, first);
        if (rc == 0 && first) {
            mc_sacc scratch[MC_NOUTPUTS];
            rc = c->tree_failed ? -1 : 0;
            if (rc == 0)
                rc = mc_mtree_reduce(c->tree, c->red) != 0 ? -1 : 0;
            mc_mtree_fold(c->tree, c->sacc, scratch);
        }
        for (int t = 0; t < c->nt; t++)
            a[t] = c->lanes[t].qa;
        if (rc == 0 && on)
            rc = mc_qs_end_pass(c->qs, a, (size_t)c->nt, c->red, msg, len);
        for (int t = 0; t < c->nt; t++) {
            mc_qs_acc_free(c->lanes[t].qa);
            c->lanes[t].qa = NULL;
        }
        first = 0;
    }
    free(a);
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
static int reduce_counts(cmp *c)
{
    lane *L0 = &c->lanes[0];
    for (int t = 1; t < c->nt; t++)
        for (int k = 0; k < MC_NOUTPUTS; k++) {
            L0->joint[k] += c->lanes[t].joint[k];
            L0->le_b[k] += c->lanes[t].le_b[k];
            L0->le_v[k] += c->lanes[t].le_v[k];
            c->lanes[t].joint[k] = c->lanes[t].le_b[k] =
                c->lanes[t].le_v[k] = 0;
        }
    if (c->red == NULL || c->red->nprocs <= 1)
        return 0;
    uint64_t v[3 * MC_NOUTPUTS];
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        v[k] = L0->joint[k];
        v[MC_NOUTPUTS + k] = L0->le_b[k];
        v[2 * MC_NOUTPUTS + k] = L0->le_v[k];
    }
    if (c->red->sum_u64(c->red->ctx, v, 3 * MC_NOUTPUTS) != 0)
        return -1;
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        L0->joint[k] = (size_t)v[k];
        L0->le_b[k] = (size_t)v[MC_NOUTPUTS + k];
        L0->le_v[k] = (size_t)v[2 * MC_NOUTPUTS + k];
    }
    return 0;
}

static void finish(cmp *c, const mc_run *brun, const mc_run *vrun,
                   mc_variant_diff *out)
{
    size_t n = c->n;
    double z = mc_z(MC_LEVEL);
    memset(out, 0, sizeof *out);
    out->n = n;
    for (int j = 0; j < c->lay->nout; j++) {
        int k = c->lay->out[j];
        mc_stats *st = &out->diff[k];
        mc_sacc_stats(&c->sacc[k], 0, st);
        mc_qs_get_ci(c->qs, (size_t)j, st->q, st->q_lo, st->q_hi);
        out->base_only_never[k] = c->sacc[k].n - c->sacc[k].finite -
                                  c->sacc[k].never;
        const mc_stats *b = &brun->stats[k], *v = &vrun->stats[k];
        out->mean_se_independent[k] = sqrt(b->mcse * b->mcse +
                                           v->mcse * v->mcse);
        /* The median shift and its error.  By Bahadur's representation
           a sample median is m + (1/2 - F_n(m)) s, s = 1 / f(m), so the
           shift's variance is (s_V^2 P_V(1 - P_V) + s_B^2 P_B(1 - P_B)
           - 2 s_V s_B (P_VB - P_V P_B)) / n with P_V = P(V <= m_V),
           P_VB = P(V <= m_V and B <= m_B), counted in pass 1.  Common
           random numbers make P_VB large and the last term cancel most
           of the first two; independent runs have P_VB = P_V P_B. */
        /* "never" on both sides is no shift; on one side +-inf */
        out->median_shift[k] = diff(v->q[4], b->q[4]);
        /* every lane's and process's counts are in lane 0's */
        size_t joint = c->lanes[0].joint[k], lb = c->lanes[0].le_b[k],
               lv = c->lanes[0].le_v[k];
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
}

int mc_variant_compare(const mc_scenario *base, const mc_run *brun,
                       const mc_scenario *variant, const mc_run *vrun,
                       int threads, const mc_reducer *red,
                       mc_variant_diff *out, char *msg, size_t len)
{
    cmp c;
    memset(&c, 0, sizeof c);
    c.bs = base;
    c.vs = variant;
    c.lay = &base->layout;
    c.red = red;
    c.n = brun->n;
    c.nblocks = (c.n + MC_BLOCK - 1) / MC_BLOCK;
    mc_share(c.nblocks, red != NULL ? red->rank : 0,
             red != NULL ? red->nprocs : 1, &c.b0, &c.b1);
    c.nt = threads > 0 ? threads : omp_get_max_threads();
    for (int k = 0; k < MC_NOUTPUTS; k++) {
        c.med_b[k] = brun->stats[k].q[4];
        c.med_v[k] = vrun->stats[k].q[4];
    }
    msg[0] = '\0';
    int rc = -1;
    if (variant->layout.nout != base->layout.nout ||
        memcmp(variant->layout.out, base->layout.out,
               sizeof base->layout.out) != 0) {
        snprintf(msg, len, "expected a variant with the base's outputs, "
                 "found other groups");
        return -1;
    }
    if (vrun->n == c.n && variant->seed == base->seed &&
        setup(&c) == 0 && quantiles(&c, msg, len) == 0 &&
        reduce_counts(&c) == 0) {
        finish(&c, brun, vrun, out);
        rc = 0;
    }
    if (rc != 0 && msg[0] == '\0')
        snprintf(msg, len, vrun->n != c.n || variant->seed != base->seed
                               ? "expected a variant with the base's seed "
                                 "and samples"
                               : "out of memory comparing a variant");
    free_cmp(&c);
    return rc;
}
