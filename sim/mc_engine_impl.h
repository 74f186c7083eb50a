/* mc_engine_impl.h: what the engine's two files share and nobody else
 * sees: a member's state (one scenario's statistics: its lanes, sums,
 * trees and exact quantiles, mc_engine.c) and the steps of its passes,
 * which mc_group.c runs for a base and its variants together
 * (mc_sample_impl.h's convention: internal functions end in '_'). */
#ifndef MC_ENGINE_IMPL_H
#define MC_ENGINE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mc_engine.h"
#include "mc_sample_impl.h"

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
    double trank;                     /* seconds in rank sensitivity */
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
    /* A variant in a group: the columns it draws equal to the base's
       (mc_sample_same), copied from the base's block when the base drew
       it, and the outputs and curve metrics computed from them alone
       (mc_model_same), whose statistics are the base's: no quantile
       stream of their own (qsum, qcur -1), no sums, copied at the end */
    const struct engine *base;        /* NULL: the base, or no group */
    unsigned char same_in[MC_COL_OUTPUT0];
    unsigned char same_out[MC_OUT_COUNT];   /* by output id */
    int nqs;                          /* streams of qs_sum */
    int qsum[MC_OUT_COUNT];           /* output j's, or -1 */
    int nqc;                          /* curve metrics with streams */
    int qcur[MC_NCURVE_MAX];          /* metric m's place, or -1 */
} engine;

/* Are quantiles of e's summary (or curve) still to pin down? */
static inline int engine_sum_pending_(const engine *e)
{
    return e->nqs > 0 && mc_qs_passes(e->qs_sum) > 0;
}
static inline int engine_cur_pending_(const engine *e)
{
    return e->nqc > 0 && e->ncs > 0 && mc_qs_passes(e->qs_cur) > 0;
}

/* Set up member e for scenario s at nt lanes, writing samples.csv to
 * samples if not NULL, a variant of base (set up before it) or not
 * (NULL): 0, or -1 (out of memory; engine_free_ either way, which accepts
 * a zeroed one). */
int engine_setup_(engine *e, const mc_scenario *s, int nt, FILE *samples,
                  const mc_reducer *red, const engine *base);
/* Output j's exact median, or the keys' bracket of it (mc_qs_bracket),
 * once known: the base's where e's output j is the base's. */
double engine_median_(const engine *e, int j);
void engine_bracket_(const engine *e, int j, double *lo, double *hi);
void engine_free_(engine *e);
/* The pilots (the first samples, lane 0), then the header of samples.csv
 * and the plans they make: 0, or -1 (out of memory). */
void engine_pilots_(engine *e);
int engine_plan_(engine *e);
/* A block lo .. lo+len-1 by lane L: pass 1 (every statistic, and its
 * rows), its merge in block order, or a later pass (what the quantiles
 * and rank scores still need).  Each draws the block into L->col, a
 * variant's copying its same_in columns from the base's block in from
 * (NULL: the base has not drawn this block). */
void engine_block1_(engine *e, lane *L, size_t lo, size_t len,
                    const double *const *from);
void engine_merge1_(engine *e, lane *L, size_t block, size_t len);
void engine_refine_(engine *e, lane *L, size_t lo, size_t len,
                    const double *const *from);
/* A pass's accumulators (0 or -1), and its end (0 or -1 with msg);
 * engine_end_pass1_ after pass 1 (0, -1 or -3 with msg: see there). */
int engine_new_accs_(engine *e);
int engine_end_accs_(engine *e, char *msg, size_t len);
int engine_end_pass1_(engine *e, char *msg, size_t len);
/* After the last pass: the counts of every lane and process (0 or -1),
 * the results into run (a variant's borrowed ones from base_run, the
 * base's), the rank sensitivity (0 or -1). */
int engine_reduce_counts_(engine *e);
void engine_results_(engine *e, mc_run *run, const mc_run *base_run);
int engine_sens_results_(engine *e, mc_run *run);

#endif
