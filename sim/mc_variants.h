/* mc_variants.h: a variant of the scenario against its base, on common
 * random numbers (mc_variants.c). */
#ifndef MC_VARIANTS_H
#define MC_VARIANTS_H

#include <stddef.h>

#include "mc_run.h"
#include "mc_scenario.h"

/* Compares a variant (run as vrun) with its base (brun): both must have
 * the same seed and samples.  Streams both again, in parallel, with
 * results identical at any thread count and, over several processes (red
 * not NULL), on every process the one-process result.  Returns 0, or -1
 * with msg. */
int mc_variant_compare(const mc_scenario *base, const mc_run *brun,
                       const mc_scenario *variant, const mc_run *vrun,
                       int threads, const mc_reducer *red,
                       mc_variant_diff *out, char *msg, size_t len);

#endif
