/* test_rng.c: the counter-based streams of mc_rng against Random123's
 * Philox4x32-10 called directly, with the key/counter layout that
 * mc_rng.h documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <Random123/philox.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "mc_rng.h"

/* The first n raw 32-bit outputs at (seed, stream, sample). */
static void draws(uint64_t seed, uint32_t stream, uint64_t sample,
                  uint32_t *out, int n)
{
    gsl_rng *r = mc_rng_alloc();
    assert_non_null(r);
    mc_rng_seek(r, seed, stream, sample);
    for (int i = 0; i < n; i++)
        out[i] = (uint32_t)gsl_rng_get(r);
    gsl_rng_free(r);
}

/* Random123's published known answer (kat_vectors, philox4x32 10, zero
 * counter and key) is 6627e8d5 e169c58d bc57ac4c 9b00dbd8; the GSL
 * wrapper hands the four words out last first. */
static void stream_zero_should_give_random123_known_answer(void **state)
{
    (void)state;
    uint32_t x[4];
    draws(0, 0, 0, x, 4);
    assert_int_equal(x[0], 0x9b00dbd8u);
    assert_int_equal(x[1], 0xbc57ac4cu);
    assert_int_equal(x[2], 0xe169c58du);
    assert_int_equal(x[3], 0x6627e8d5u);
}

/* key = {seed bits 0-31, stream}, counter = {sample bits 0-31,
 * sample bits 32-63, seed bits 32-63, draw}: the first 12 outputs are
 * the words of draws 0, 1 and 2, each last word first. */
static void stream_should_equal_direct_philox4x32_with_documented_layout(void **state)
{
    (void)state;
    const uint64_t seed = 0x0123456789abcdefu, sample = 0xfedcba9876543210u;
    const uint32_t stream = 0x9e3779b9u;
    uint32_t x[12];
    draws(seed, stream, sample, x, 12);

    philox4x32_key_t k = {{(uint32_t)seed, stream}};
    for (uint32_t draw = 0; draw < 3; draw++) {
        philox4x32_ctr_t c = {{(uint32_t)sample, (uint32_t)(sample >> 32),
                               (uint32_t)(seed >> 32), draw}};
        philox4x32_ctr_t y = philox4x32(c, k);
        for (int j = 0; j < 4; j++)
            assert_int_equal(x[4 * draw + (uint32_t)j], y.v[3 - j]);
    }

    /* gsl_rng_uniform is the same word over 2^32. */
    gsl_rng *r = mc_rng_alloc();
    mc_rng_seek(r, seed, stream, sample);
    for (int j = 0; j < 4; j++)
        assert_true(gsl_rng_uniform(r) == x[j] / 4294967296.0);
    gsl_rng_free(r);
}

static void reseek_should_reproduce_the_same_draws(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc();
    double a[10], b[10];
    mc_rng_seek(r, 42, 7, 1000);
    for (int i = 0; i < 10; i++)
        a[i] = gsl_rng_uniform(r);
    mc_rng_seek(r, 43, 8, 5);
    (void)gsl_rng_uniform(r);
    mc_rng_seek(r, 42, 7, 1000);
    for (int i = 0; i < 10; i++)
        b[i] = gsl_rng_uniform(r);
    for (int i = 0; i < 10; i++)
        assert_true(a[i] == b[i]);
    gsl_rng_free(r);
}

/* Two positions differ if their first four words differ (a chance
 * coincidence has probability 2^-128). */
static int differ(uint64_t s1, uint32_t t1, uint64_t i1,
                  uint64_t s2, uint32_t t2, uint64_t i2)
{
    uint32_t a[4], b[4];
    draws(s1, t1, i1, a, 4);
    draws(s2, t2, i2, b, 4);
    for (int j = 0; j < 4; j++)
        if (a[j] != b[j])
            return 1;
    return 0;
}

static void different_samples_streams_and_seeds_should_differ(void **state)
{
    (void)state;
    assert_true(differ(42, 7, 0, 42, 7, 1));
    assert_true(differ(42, 7, 0, 42, 8, 0));
    assert_true(differ(42, 7, 0, 43, 7, 0));
    /* Swapping the roles of two words must not collide either. */
    assert_true(differ(7, 42, 0, 42, 7, 0));
    assert_true(differ(0, 0, 1, 1, 0, 0));
}

static void sample_i_and_i_plus_2_to_32_should_differ(void **state)
{
    (void)state;
    const uint64_t two32 = UINT64_C(1) << 32;
    assert_true(differ(42, 7, 5, 42, 7, 5 + two32));
    assert_true(differ(42, 7, 0, 42, 7, two32));
}

static void seed_and_seed_plus_2_to_32_should_differ(void **state)
{
    (void)state;
    const uint64_t two32 = UINT64_C(1) << 32;
    assert_true(differ(42, 7, 5, 42 + two32, 7, 5));
    assert_true(differ(0, 0, 0, two32, 0, 0));
}

/* FNV-1a, 32 bits: h = 2166136261; for each byte h = (h ^ byte) * 16777619
 * mod 2^32.  Over "overhead" (6f 76 65 72 68 65 61 64) that gives
 * 0xf55e5735 (4116600629), worked out with Python's arbitrary integers. */
static void stream_id_of_overhead_should_be_its_fnv1a_hash(void **state)
{
    (void)state;
    assert_int_equal(mc_rng_stream_id("overhead"), 0xf55e5735u);
    assert_int_equal(mc_rng_stream_id(""), 2166136261u);
    assert_int_equal(mc_rng_stream_id("a"), 0xe40c292cu);
}

/* Mean 1/2 within 4 standard errors, SE = sqrt(1/12 / n), n = 10^6:
 * across samples (the first draw of each, as the simulator uses them)
 * and along one stream. */
static void uniforms_should_average_one_half_within_4_se(void **state)
{
    (void)state;
    const int n = 1000000;
    const double tol = 4.0 * sqrt(1.0 / 12.0 / n);
    gsl_rng *r = mc_rng_alloc();
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        mc_rng_seek(r, 2025, mc_rng_stream_id("overhead"), (uint64_t)i);
        s += gsl_rng_uniform(r);
    }
    double m1 = s / n;
    mc_rng_seek(r, 2025, mc_rng_stream_id("nodes"), 0);
    s = 0.0;
    for (int i = 0; i < n; i++)
        s += gsl_rng_uniform(r);
    double m2 = s / n;
    gsl_rng_free(r);
    if (!(fabs(m1 - 0.5) <= tol) || !(fabs(m2 - 0.5) <= tol))
        fail_msg("means %.6f (across samples) and %.6f (one stream), "
                 "expected 0.5 +- %.6f", m1, m2, tol);
}

/* mc_rng_permute: a bijection of [0, n) for small, odd, power-of-two
 * and awkward n; different for another seed or stream; not the identity;
 * and every position equally likely to receive a given item (over
 * streams), as a random permutation's would. */
static void permute_should_be_a_random_bijection(void **state)
{
    (void)state;
    static const uint64_t ns[] = {1, 2, 3, 7, 64, 1000, 4097};
    static unsigned char seen[4097];
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        uint64_t n = ns[t];
        memset(seen, 0, sizeof seen);
        size_t fixed_points = 0, same_other_seed = 0, same_other_stream = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t k = mc_rng_permute(42, 7, n, i);
            assert_true(k < n);
            seen[k]++;
            fixed_points += k == i;
            same_other_seed += k == mc_rng_permute(43, 7, n, i);
            same_other_stream += k == mc_rng_permute(42, 8, n, i);
        }
        for (uint64_t k = 0; k < n; k++)
            assert_int_equal(seen[k], 1);
        if (n >= 64) {          /* about one of each, by chance */
            assert_true(fixed_points < 8);
            assert_true(same_other_seed < 8);
            assert_true(same_other_stream < 8);
        }
    }
    /* where item 0 goes, over 10,000 streams: uniform on 0..9 (chi-square
       with 9 degrees of freedom below its 0.1% point, 27.88) */
    double count[10] = {0};
    for (uint32_t st = 0; st < 10000; st++)
        count[mc_rng_permute(1, st, 10, 0)] += 1;
    double chi2 = 0;
    for (int k = 0; k < 10; k++)
        chi2 += (count[k] - 1000.0) * (count[k] - 1000.0) / 1000.0;
    assert_true(chi2 < 27.88);
    /* large n: in range, and a bijection on a sample of images */
    uint64_t big = 1000000007;
    assert_true(mc_rng_permute(5, 5, big, big - 1) < big);
    assert_true(mc_rng_permute(5, 5, big, 0) != mc_rng_permute(5, 5, big, 1));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_zero_should_give_random123_known_answer),
        cmocka_unit_test(stream_should_equal_direct_philox4x32_with_documented_layout),
        cmocka_unit_test(reseek_should_reproduce_the_same_draws),
        cmocka_unit_test(different_samples_streams_and_seeds_should_differ),
        cmocka_unit_test(sample_i_and_i_plus_2_to_32_should_differ),
        cmocka_unit_test(seed_and_seed_plus_2_to_32_should_differ),
        cmocka_unit_test(stream_id_of_overhead_should_be_its_fnv1a_hash),
        cmocka_unit_test(uniforms_should_average_one_half_within_4_se),
        cmocka_unit_test(permute_should_be_a_random_bijection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
