/* mc_rng.h: counter-based random streams for breakeven.
 *
 * Every random draw is a pure function of (seed, stream, sample index).
 * The generator is Random123's Philox4x32-10, exposed to GSL as a
 * gsl_rng_type through Random123's own gsl_microrng.h wrapper, so that any
 * gsl_ran_* sampler draws from it.
 *
 * Layout of one stream position:
 *   key     = { seed bits 0-31, stream id }
 *   counter = { sample bits 0-31, sample bits 32-63, seed bits 32-63, draw }
 * The last counter word is the draw number inside one (sample, stream):
 * the wrapper allows 4 x 2^32 uniforms there before it would wrap, far
 * more than any sampler uses.  The map (seed, stream, sample) -> (key,
 * counter) is injective, so no two samples and no two inputs ever share
 * a stream, however large the run (up to 2^64 samples).
 *
 * A stream id is the 32-bit FNV-1a hash of the input's name: adding,
 * removing or changing one input leaves every other input's draws as they
 * were (common random numbers across scenarios).  Two names of one
 * scenario with the same hash would share draws; config/ rejects that.
 *
 * Ownership: mc_rng_alloc returns a gsl_rng the caller frees with
 * gsl_rng_free.  One gsl_rng per thread; the functions here keep no
 * global state.
 */
#ifndef MC_RNG_H
#define MC_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* A generator whose position is set by mc_rng_seek before each use. */
gsl_rng *mc_rng_alloc(void);

/* Moves r to the start of the stream of (seed, stream, sample). */
void mc_rng_seek(const gsl_rng *r, uint64_t seed, uint32_t stream,
                 uint64_t sample);

/* A random permutation of [0, n) keyed by (seed, stream), evaluated at
 * i < n without storing it: a 6-round Feistel network on the smallest
 * even number of bits that holds n, its round function Philox4x32 of
 * (seed, stream) at counters no draw uses, walked until the image falls
 * below n (Black and Rogaway's cycle walking; under 4 steps on average).
 * Latin hypercube sampling gives sample i of input X the stratum
 * mc_rng_permute(seed, stream of X, n, i). */
uint64_t mc_rng_permute(uint64_t seed, uint32_t stream, uint64_t n,
                        uint64_t i);

/* 32 random bits keyed by (seed, stream), at a counter no draw uses: the
 * digital shift of an input's coordinate in randomized Sobol' sampling
 * (the coordinate's 32 leading bits are XORed with it). */
uint32_t mc_rng_shift(uint64_t seed, uint32_t stream);

/* The stream id of an input name (32-bit FNV-1a of its bytes). */
uint32_t mc_rng_stream_id(const char *name);

#endif
