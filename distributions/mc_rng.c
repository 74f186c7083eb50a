/* mc_rng.c: Philox4x32 as a gsl_rng_type, positioned by (seed, stream,
 * sample).  See mc_rng.h for the layout of key and counter. */
#include "mc_rng.h"

#include <Random123/philox.h>

/* The macro expands to code that trips -Wconversion and -Wsign-conversion
 * in ways we cannot change (Random123's header): silence them for this one
 * expansion only, as docs/dependencies.md recommends. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include <Random123/gsl_microrng.h>
GSL_MICRORNG(mc_philox, philox4x32);
#pragma GCC diagnostic pop

gsl_rng *mc_rng_alloc(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mc_philox);
    if (r != NULL)
        mc_rng_seek(r, 0, 0, 0);
    return r;
}

void mc_rng_seek(const gsl_rng *r, uint64_t seed, uint32_t stream,
                 uint64_t sample)
{
    philox4x32_ctr_t c = {{(uint32_t)sample, (uint32_t)(sample >> 32),
                           (uint32_t)(seed >> 32), 0}};
    philox4x32_key_t k = {{(uint32_t)seed, stream}};
    mc_philox_reset(r, c, k);
}

uint32_t mc_rng_stream_id(const char *name)
{
    uint32_t h = 2166136261u;             /* FNV-1a, 32 bits */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h;
}

/* The Feistel round function: Philox of the half, in a part of the
 * counter space draws never reach (the draw word 0xFFFFFFF0 + round). */
static uint64_t round_fn(uint64_t seed, uint32_t stream, uint64_t half,
                         unsigned round)
{
    philox4x32_ctr_t c = {{(uint32_t)half, (uint32_t)(half >> 32),
                           (uint32_t)(seed >> 32), 0xFFFFFFF0u | round}};
    philox4x32_key_t k = {{(uint32_t)seed, stream}};
    philox4x32_ctr_t r = philox4x32(c, k);
    return (uint64_t)r.v[0] | (uint64_t)r.v[1] << 32;
}

uint64_t mc_rng_permute(uint64_t seed, uint32_t stream, uint64_t n,
                        uint64_t i)
{
    if (n <= 1)
        return 0;
    unsigned bits = 1;
    while (bits < 64 && (UINT64_C(1) << bits) < n)
        bits++;
    unsigned b = (bits + 1) / 2;             /* each half: b bits */
    uint64_t mask = (UINT64_C(1) << b) - 1;
    uint64_t x = i;
    do {                                     /* cycle-walk into [0, n) */
        uint64_t l = x >> b, r = x & mask;
        for (unsigned k = 0; k < 6; k++) {
            uint64_t t = l ^ (round_fn(seed, stream, r, k) & mask);
            l = r;
            r = t;
        }
        x = l << b | r;
    } while (x >= n);
    return x;
}

uint32_t mc_rng_shift(uint64_t seed, uint32_t stream)
{
    philox4x32_ctr_t c = {{0, 0, (uint32_t)(seed >> 32), 0xFFFFFFE0u}};
    philox4x32_key_t k = {{(uint32_t)seed, stream}};
    return philox4x32(c, k).v[0];
}
