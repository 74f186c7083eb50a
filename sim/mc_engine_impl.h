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

/* Set up member e for scenario s at nt lanes, writing samples.csv to
 * samples if not NULL: 0, or -1 (out of memory; engine_free_ either
 * way, which accepts a zeroed one). */
int engine_setup_(engine *e, const mc_scenario *s, int nt, FILE *samples,
                  const mc_reducer *red);
void engine_free_(engine *e);
/* The pilots (the first samples, lane 0), then the header of samples.csv
 * and the plans they make: 0, or -1 (out of memory). */
void engine_pilots_(engine *e);
int engine_plan_(engine *e);
/* A block lo .. lo+len-1 by lane L: pass 1 (every statistic, and its
 * rows), its merge in block order, or a later pass (what the quantiles
 * and rank scores still need).  Each draws the block into L->col. */
void engine_block1_(engine *e, lane *L, size_t lo, size_t len);
void engine_merge1_(engine *e, lane *L, size_t block, size_t len);
void engine_refine_(engine *e, lane *L, size_t lo, size_t len);
/* A pass's accumulators (0 or -1), and its end (0 or -1 with msg);
 * engine_end_pass1_ after pass 1 (0, -1 or -3 with msg: see there). */
int engine_new_accs_(engine *e);
int engine_end_accs_(engine *e, char *msg, size_t len);
int engine_end_pass1_(engine *e, char *msg, size_t len);
/* After the last pass: the counts of every lane and process (0 or -1),
 * the results into run, the rank sensitivity (0 or -1). */
int engine_reduce_counts_(engine *e);
void engine_results_(engine *e, mc_run *run);
int engine_sens_results_(engine *e, mc_run *run);

#endif
