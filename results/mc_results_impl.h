/* mc_results_impl.h: what the files of results/ share and nobody else
 * sees (Lua's convention: internal names end in '_'). */
#ifndef MC_RESULTS_IMPL_H
#define MC_RESULTS_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* Type 7 quantiles (mc_stats.c), shared by mc_quantiles and the streamed
 * quantiles of mc_qstream.c so that both give the same bits.
 *
 * Position of level p among n >= 1 values: returns j = floor((n-1)p),
 * clamped to [0, n-1], and sets *frac to (n-1)p - j (0 when clamped). */
size_t mc_q_pos_(size_t n, double p, double *frac);
/* x(j) + frac (x(j+1) - x(j)), with "never" (+inf) absorbing. */
double mc_interpolate_(double lo, double hi, double frac);
/* Puts the order statistics ks[0..nk-1] (ascending, distinct, < n) of
 * x[0..n-1] in their sorted places. */
void mc_select_(double *x, size_t n, const size_t *ks, size_t nk);

/* Ryu's power-of-5 tables (mc_fmt_pow5.c, generated). */
extern const uint64_t mc_pow5_inv_split_[342][2];
extern const uint64_t mc_pow5_split_[326][2];

/* The text of mc_fmt_double without the terminating NUL: at most
 * MC_FMT_MAX_ (24) bytes are written at p.  Returns the length. */
#define MC_FMT_MAX_ 24
int mc_fmt_raw_(char *p, double x);

#endif
