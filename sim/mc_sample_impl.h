/* mc_sample_impl.h: the sampler's insides, internal to sim/: mc_sample.c
 * and the engine, whose lanes each hold one without an allocation of its
 * own (mc_sampler_init_ instead of mc_sampler_new). */
#ifndef MC_SAMPLE_IMPL_H
#define MC_SAMPLE_IMPL_H

#include <stdint.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#include "mc_sample.h"

/* Sobol' points of samples first .. first+len-1: GSL's generator gives
 * them in order only, so a cursor remembers where it is and moves forward
 * (or starts again) to `first`.  Each thread keeps one; moving forward
 * over the blocks of the other threads costs about a draw per sample. */
typedef struct mc_sobol_cursor {
    gsl_qrng *q;
    uint64_t next;                    /* the point q gives next (0: not
                                         started) */
    unsigned dims;
    double *pts;                      /* MC_BLOCK x dims */
} mc_sobol_cursor;

struct mc_sampler {
    const mc_scenario *s;
    gsl_rng *r;
    mc_sobol_cursor sc;
};

/* Sets up *p in place for scenario s (which must outlive it): 0, or -1
 * if out of memory.  mc_sampler_fini_ frees what it holds either way,
 * and accepts a zeroed one. */
int mc_sampler_init_(mc_sampler *p, const mc_scenario *s);
void mc_sampler_fini_(mc_sampler *p);

#endif
