/* mc_qstream_bytes.c: the memory of mc_qs estimated before a run
 * (mc_qs_bytes), from the sizes of its state and a model of its
 * targets. */
#include "mc_qstream_impl.h"

#include <math.h>

/* What mc_qs_new_ranks, mc_qs_plan, the accumulators and arm_all
 * allocate, stream by stream (each malloc counted with 16 bytes of
 * glibc's bookkeeping).  Only the values kept and the cut targets'
 * sub-bins depend on the data; they follow a model: each wanted order
 * statistic has a target of its own (measured: 15.5 targets for 20
 * wanted in curve.csv's streams, 27.7 for 36 in summary.csv's) holding
 * n / 4096 values (the pass-1 grid spreads the middle of the pilot over
 * MC_QS_BINS bins, and the wanted levels sit where values are dense:
 * measured n / 5000 to n / 4065 in the default scenario's streams),
 * kept while the budget lasts, the rest cut into MC_QS_BINS sub-bins
 * while their own budget lasts (arm_all).  Values piled into a few bins
 * (curves far beyond the traffic's life) cut more targets than this, but
 * their sub-bins stay within that budget (or MIN_SUB_BINS each). */
double mc_qs_bytes(size_t n, size_t streams, size_t wanted,
                   size_t keep_bytes, int threads)
{
    const double S = (double)streams, K = (double)wanted, over = 16.0;
    const double m = (double)(n < MC_QS_PILOT ? n : MC_QS_PILOT);
    const double t = threads > 0 ? threads : 1;
    double b = sizeof(mc_qs) + (2.0 * K + 1.0) * sizeof(size_t) +
               S * (sizeof(qstream) + K * (sizeof(double) + 1.0) +
                    2.0 * over) +
               S * m * sizeof(double) + over;        /* the pilot */
    if (n <= MC_QS_PILOT)
        return b;                                    /* no pass */
    /* pass 1: every stream's counts, and each thread's */
    double acc = t * (S * (NB * sizeof(uint32_t) + 2.0 * sizeof(size_t)) +
                      4.0 * over);
    double pass1 = S * (NB * sizeof(uint64_t) + over);
    /* from the end of pass 1 (the threads' counts still held): the marks,
       the targets, the values kept and the sub-bins of the cut ones */
    double targets = S * K, per = (double)n / 4096.0;
    double budget = (double)(keep_bytes / sizeof(double));
    double kept = targets * per, cut = 0;
    if (kept > budget) {
        cut = targets - floor(budget / per);
        kept = budget;
    }
    double tcap = 8;                                 /* push's growth */
    while (tcap < K)
        tcap *= 2;
    double sub = cut * (MC_QS_BINS * sizeof(uint64_t) + over);
    double floor_sub = cut * (MIN_SUB_BINS * sizeof(uint64_t) + over);
    double sub_budget = (double)keep_bytes + cut * over;
    if (sub > sub_budget)
        sub = sub_budget > floor_sub ? sub_budget : floor_sub;
    double later = S * (NB * sizeof(uint32_t) + over) +
                   S * (tcap * sizeof(target) + over) +
                   kept * sizeof(double) + (targets - cut) * over + sub;
    return b + acc + (pass1 > later ? pass1 : later);
}
