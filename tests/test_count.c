/* test_count.c: counts read exactly from their decimal text
 * (config/mc_count.h), the rule shared by --samples, --seed, --threads,
 * --replicates and the scenario file's "seed" and "samples".
 *
 * A table of strings with the status and value expected, at the
 * boundaries that a double would blur (2^53 + 1, 2^64 - 1) and in every
 * form the rule allows or refuses; then long digit strings, and every
 * way of writing random 64-bit integers read back to the same value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mc_count.h"

#define U64MAX UINT64_C(18446744073709551615)
#define SAMPLES_HI UINT64_C(1000000000)

typedef struct count_case {
    const char *text;
    uint64_t lo, hi;
    mc_count_status want;
    uint64_t value;                  /* when want is MC_COUNT_OK */
} count_case;

#define OK(t, lo, hi, v) {t, lo, hi, MC_COUNT_OK, v}
#define NO(t, lo, hi, st) {t, lo, hi, st, 0}
#define SEED(t, v) OK(t, 0, U64MAX, v)
#define SEED_NO(t, st) NO(t, 0, U64MAX, st)

static const count_case cases[] = {
    /* boundaries of the seed's range, and of a double's exact integers */
    SEED("0", 0),
    SEED("1", 1),
    SEED("9007199254740992", UINT64_C(9007199254740992)),      /* 2^53 */
    SEED("9007199254740993", UINT64_C(9007199254740993)),      /* 2^53+1 */
    SEED("9.007199254740993e15", UINT64_C(9007199254740993)),
    SEED("9007199254740993e0", UINT64_C(9007199254740993)),
    SEED("90071992547409930e-1", UINT64_C(9007199254740993)),
    SEED("18446744073709551615", U64MAX),                      /* 2^64-1 */
    SEED("1.8446744073709551615e19", U64MAX),
    SEED("18446744073709551615.000", U64MAX),
    SEED("184467440737095516150e-1", U64MAX),
    SEED_NO("18446744073709551616", MC_COUNT_RANGE),           /* 2^64 */
    SEED_NO("1.8446744073709551616e19", MC_COUNT_RANGE),
    SEED_NO("18446744073709551615.5", MC_COUNT_FRACTION),
    SEED_NO("99999999999999999999", MC_COUNT_RANGE),           /* 20 digits */
    SEED_NO("100000000000000000000", MC_COUNT_RANGE),          /* 21 digits */
    SEED("10000000000000000000", UINT64_C(10000000000000000000)),
    SEED("1e19", UINT64_C(10000000000000000000)),
    SEED_NO("2e19", MC_COUNT_RANGE),
    SEED_NO("1e20", MC_COUNT_RANGE),
    SEED_NO("1e400", MC_COUNT_RANGE),
    SEED_NO("1e99999999999999999999999999", MC_COUNT_RANGE),
    /* exponents and fractions whose value is an integer */
    SEED("1e0", 1),
    SEED("1E0", 1),
    SEED("1e-0", 1),
    SEED("1e+0", 1),
    SEED("10e-1", 1),
    SEED("0.1e1", 1),
    SEED("1e6", 1000000),
    SEED("1E+6", 1000000),
    SEED("2.5e6", 2500000),
    SEED("2000.0000000000000", 2000),
    SEED("1000000000000000000000000e-24", 1),
    /* zero in every form, whatever the exponent */
    SEED("000", 0),
    SEED("0.0", 0),
    SEED("0e0", 0),
    SEED("0e-7", 0),
    SEED("0e99999999999999999999999999", 0),
    /* leading zeros are decimal, not octal */
    SEED("007", 7),
    SEED("010", 10),
    SEED("0018446744073709551615", U64MAX),
    /* not integers */
    SEED_NO("2000.0000000000001", MC_COUNT_FRACTION),
    SEED_NO("9007199254740993.5", MC_COUNT_FRACTION),
    SEED_NO("2.5", MC_COUNT_FRACTION),
    SEED_NO("0.5", MC_COUNT_FRACTION),
    SEED_NO("1e-1", MC_COUNT_FRACTION),
    SEED_NO("15e-1", MC_COUNT_FRACTION),
    SEED_NO("1e-400", MC_COUNT_FRACTION),
    SEED_NO("1e-99999999999999999999999999", MC_COUNT_FRACTION),
    /* the sign rule: none, even on zero */
    SEED_NO("+5", MC_COUNT_SIGN),
    SEED_NO("-0", MC_COUNT_SIGN),
    SEED_NO("-1", MC_COUNT_SIGN),
    SEED_NO("+0e0", MC_COUNT_SIGN),
    SEED_NO("-1.5", MC_COUNT_SIGN),
    SEED_NO("+", MC_COUNT_SYNTAX),
    SEED_NO("-", MC_COUNT_SYNTAX),
    SEED_NO("--1", MC_COUNT_SYNTAX),
    SEED_NO("+-1", MC_COUNT_SYNTAX),
    SEED_NO("-x", MC_COUNT_SYNTAX),
    /* not a decimal number of the rule */
    SEED_NO("", MC_COUNT_SYNTAX),
    SEED_NO("1.e3", MC_COUNT_SYNTAX),
    SEED_NO(".5e1", MC_COUNT_SYNTAX),
    SEED_NO("1.", MC_COUNT_SYNTAX),
    SEED_NO(".", MC_COUNT_SYNTAX),
    SEED_NO("1e", MC_COUNT_SYNTAX),
    SEED_NO("1e+", MC_COUNT_SYNTAX),
    SEED_NO("1e-", MC_COUNT_SYNTAX),
    SEED_NO("e5", MC_COUNT_SYNTAX),
    SEED_NO("1e5.5", MC_COUNT_SYNTAX),
    SEED_NO("1e5e5", MC_COUNT_SYNTAX),
    SEED_NO("1..2", MC_COUNT_SYNTAX),
    SEED_NO("1d6", MC_COUNT_SYNTAX),
    SEED_NO(" 5", MC_COUNT_SYNTAX),
    SEED_NO("5 ", MC_COUNT_SYNTAX),
    SEED_NO("5\n", MC_COUNT_SYNTAX),
    SEED_NO("\t5", MC_COUNT_SYNTAX),
    SEED_NO("1 000", MC_COUNT_SYNTAX),
    SEED_NO("1,000", MC_COUNT_SYNTAX),
    SEED_NO("1_000", MC_COUNT_SYNTAX),
    SEED_NO("0x10", MC_COUNT_SYNTAX),
    SEED_NO("0X1A", MC_COUNT_SYNTAX),
    SEED_NO("0b101", MC_COUNT_SYNTAX),
    SEED_NO("inf", MC_COUNT_SYNTAX),
    SEED_NO("Infinity", MC_COUNT_SYNTAX),
    SEED_NO("nan", MC_COUNT_SYNTAX),
    SEED_NO("NaN", MC_COUNT_SYNTAX),
    SEED_NO("5k", MC_COUNT_SYNTAX),
    SEED_NO("\xd9\xa1", MC_COUNT_SYNTAX),        /* an Arabic-Indic 1 */
    SEED_NO("\xef\xbc\x95", MC_COUNT_SYNTAX),    /* a full-width 5 */
    /* the other options' ranges, at both ends */
    NO("0", 1, SAMPLES_HI, MC_COUNT_RANGE),
    OK("1", 1, SAMPLES_HI, 1),
    OK("1e9", 1, SAMPLES_HI, SAMPLES_HI),
    OK("1000000000", 1, SAMPLES_HI, SAMPLES_HI),
    NO("1000000001", 1, SAMPLES_HI, MC_COUNT_RANGE),
    NO("1.000000001e9", 1, SAMPLES_HI, MC_COUNT_RANGE),
    NO("999999999.9e0", 1, SAMPLES_HI, MC_COUNT_FRACTION),
    NO("0e5", 1, SAMPLES_HI, MC_COUNT_RANGE),
    OK("1024", 1, 1024, 1024),
    OK("1.024e3", 1, 1024, 1024),
    NO("1025", 1, 1024, MC_COUNT_RANGE),
    NO("1", 2, 1000, MC_COUNT_RANGE),
    OK("2", 2, 1000, 2),
    OK("1e3", 2, 1000, 1000),
    NO("1001", 2, 1000, MC_COUNT_RANGE),
};

static const char *status_name(mc_count_status st)
{
    switch (st) {
    case MC_COUNT_OK: return "OK";
    case MC_COUNT_SIGN: return "SIGN";
    case MC_COUNT_SYNTAX: return "SYNTAX";
    case MC_COUNT_FRACTION: return "FRACTION";
    case MC_COUNT_RANGE: return "RANGE";
    }
    return "?";
}

/* Parses text[0..len) and checks status and value; *out must be left
 * alone on failure. */
static int check(const char *text, size_t len, uint64_t lo, uint64_t hi,
                 mc_count_status want, uint64_t value)
{
    uint64_t got = UINT64_C(0xDEADBEEF);
    mc_count_status st = mc_count_parse(text, len, lo, hi, &got);
    if (st != want) {
        print_error("'%.60s' in [%llu, %llu]: %s, expected %s\n", text,
                    (unsigned long long)lo, (unsigned long long)hi,
                    status_name(st), status_name(want));
        return 1;
    }
    if (want == MC_COUNT_OK ? got != value : got != UINT64_C(0xDEADBEEF)) {
        print_error("'%.60s': value %llu, expected %llu\n", text,
                    (unsigned long long)got,
                    (unsigned long long)(want == MC_COUNT_OK
                                         ? value : UINT64_C(0xDEADBEEF)));
        return 1;
    }
    return 0;
}

static void every_case_of_the_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const count_case *c = &cases[i];
        bad += check(c->text, strlen(c->text), c->lo, c->hi, c->want,
                     c->value);
    }
    if (bad)
        fail_msg("%d of %zu cases wrong", bad,
                 sizeof cases / sizeof cases[0]);
}

/* The length given is what is read: JSON numbers are spans of a larger
 * text, and a NUL inside the span is not the end of it. */
static void only_the_given_length_is_read(void **state)
{
    (void)state;
    assert_int_equal(check("12345", 3, 0, U64MAX, MC_COUNT_OK, 123), 0);
    assert_int_equal(check("2e3,", 3, 0, U64MAX, MC_COUNT_OK, 2000), 0);
    assert_int_equal(check("5\0" "5", 3, 0, U64MAX, MC_COUNT_SYNTAX, 0), 0);
    assert_int_equal(check("7", 0, 0, U64MAX, MC_COUNT_SYNTAX, 0), 0);
}

/* Digit strings far longer than any double or integer holds: the zeros
 * at either end cost nothing, and the exponent brings the point back. */
static void very_long_digit_strings(void **state)
{
    (void)state;
    enum { N = 100000 };
    char *s = malloc(3 * N);
    assert_non_null(s);
    /* N zeros, then 1: one */
    memset(s, '0', N);
    strcpy(s + N, "1");
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_OK, 1), 0);
    /* 1 and N zeros: far above 2^64 */
    s[0] = '1';
    memset(s + 1, '0', N);
    s[N + 1] = '\0';
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_RANGE, 0), 0);
    /* the same times 10^-N: one */
    sprintf(s + N + 1, "e-%d", N);
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_OK, 1), 0);
    /* times 10^-(N+1): a tenth */
    sprintf(s + N + 1, "e-%d", N + 1);
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_FRACTION, 0),
                     0);
    /* 0.000...01e(N+1): ten */
    strcpy(s, "0.");
    memset(s + 2, '0', N);
    sprintf(s + 2 + N, "1e%d", N + 2);
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_OK, 10), 0);
    /* 2000.000...001: not an integer, however far out the 1 is */
    strcpy(s, "2000.");
    memset(s + 5, '0', N);
    strcpy(s + 5 + N, "1");
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_FRACTION, 0),
                     0);
    /* 2000.000...000 is 2000 */
    s[5 + N] = '0';
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_OK, 2000), 0);
    /* an exponent of N digits */
    strcpy(s, "1e");
    memset(s + 2, '9', N);
    s[2 + N] = '\0';
    assert_int_equal(check(s, strlen(s), 0, U64MAX, MC_COUNT_RANGE, 0), 0);
    free(s);
}

/* splitmix64: random 64-bit integers, every bit pattern likely. */
static uint64_t next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Random integers of every size, written as digits, with zeros added
 * and taken back by the exponent, in scientific form, and with a digit
 * after the point: the first three read back as the integer, the last
 * is not an integer. */
static void random_integers_in_every_form(void **state)
{
    (void)state;
    uint64_t x = 20250227;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t v = next(&x) >> (next(&x) % 64);
        char d[32], t[64];
        snprintf(d, sizeof d, "%llu", (unsigned long long)v);
        size_t n = strlen(d);
        bad += check(d, n, 0, U64MAX, MC_COUNT_OK, v);
        snprintf(t, sizeof t, "%s000e-3", d);
        bad += check(t, strlen(t), 0, U64MAX, MC_COUNT_OK, v);
        /* d[0].d[1..]e(n-1) */
        snprintf(t, sizeof t, "%c%s%se%zu", d[0], n > 1 ? "." : "",
                 d + 1, n - 1);
        bad += check(t, strlen(t), 0, U64MAX, MC_COUNT_OK, v);
        snprintf(t, sizeof t, "%s.%d", d, 1 + (int)(next(&x) % 9));
        bad += check(t, strlen(t), 0, U64MAX, MC_COUNT_FRACTION, 0);
        /* one above or below the range's end */
        if (v > 0)
            bad += check(d, n, 0, v - 1, MC_COUNT_RANGE, 0);
        if (v < U64MAX)
            bad += check(d, n, v + 1, U64MAX, MC_COUNT_RANGE, 0);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case_of_the_table),
        cmocka_unit_test(only_the_given_length_is_read),
        cmocka_unit_test(very_long_digit_strings),
        cmocka_unit_test(random_integers_in_every_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
