/* mc_results_impl.h: what the files of results/ share and nobody else
 * sees (Lua's convention: internal names end in '_'). */
#ifndef MC_RESULTS_IMPL_H
#define MC_RESULTS_IMPL_H

#include <stdint.h>

/* Ryu's power-of-5 tables (mc_fmt_pow5.c, generated). */
extern const uint64_t mc_pow5_inv_split_[342][2];
extern const uint64_t mc_pow5_split_[326][2];

/* The text of mc_fmt_double without the terminating NUL: at most
 * MC_FMT_MAX_ (24) bytes are written at p.  Returns the length. */
#define MC_FMT_MAX_ 24
int mc_fmt_raw_(char *p, double x);

#endif
