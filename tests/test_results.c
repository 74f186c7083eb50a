/* test_results.c: statistics, number text and CSV.
 *
 * Known answers worked by hand on small arrays, exact agreement with a
 * full sort on large ones, exact bytes for CSV.  The run folder has its
 * own test, test_outdir.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_results.h"
#include "mc_results_impl.h"     /* mc_select_ */

/* INFINITY is a float constant; comparing with it promotes. */
#define INF ((double)INFINITY)

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* ---- helpers -------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/* xorshift64: a fixed, portable stream of test values. */
static uint64_t next_u64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (a == b);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The definition, computed from a full sort. */
static double reference_quantile(const double *sorted, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t j = (size_t)floor(h);
    if (j >= n - 1)
        return sorted[n - 1];
    double frac = h - (double)j, lo = sorted[j], hi = sorted[j + 1];
    if (frac == 0 || lo == hi)
        return lo;
    if (isinf(hi))
        return hi;
    return lo + frac * (hi - lo);
}

/* Reads a whole stream from its start into a malloc'd buffer. */
static char *slurp(FILE *f, size_t *len)
{
    assert_int_equal(fflush(f), 0);
    long end = ftell(f);
    assert_true(end >= 0);
    rewind(f);
    char *buf = malloc((size_t)end + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)end, f);
    assert_int_equal(*len, (size_t)end);
    buf[*len] = '\0';
    return buf;
}

/* ---- quantiles ------------------------------------------------------ */

static void quantiles_should_interpolate_between_order_statistics(void **st)
{
    (void)st;
    double x[] = {4, 1, 3, 2};
    const double p[] = {0.5, 0.25, 0.75, 0, 1, 0.1};
    double q[6];
    mc_quantiles(x, 4, p, 6, q);
    assert_true(q[0] == 2.5);
    assert_true(q[1] == 1.75);
    assert_true(q[2] == 3.25);
    assert_true(q[3] == 1);
    assert_true(q[4] == 4);
    assert_close(q[5], 1.3, 1e-15);
}

static void quantiles_should_be_inf_when_interpolating_toward_never(void **st)
{
    (void)st;
    double x[] = {INF, 2, INF, 1};
    const double p[] = {0.5, 0.25, 1, 2.0 / 3.0, 0.9};
    double q[5];
    mc_quantiles(x, 4, p, 5, q);
    assert_true(q[0] == INF);          /* between 2 and inf */
    assert_true(q[1] == 1.75);
    assert_true(q[2] == INF);
    assert_true(q[3] == INF);          /* h = 2: x(2) = inf */
    assert_true(q[4] == INF);          /* between inf and inf, not NaN */

    double all[] = {INF, INF, INF};
    const double half = 0.3;
    mc_quantiles(all, 3, &half, 1, q);
    assert_true(q[0] == INF);
}

static void quantiles_should_return_order_statistic_when_h_is_integer(void **st)
{
    (void)st;
    double x[] = {50, 10, 40, 20, 30};
    const double p[] = {0.25, 0.5, 0.75};
    double q[3];
    mc_quantiles(x, 5, p, 3, q);
    assert_true(q[0] == 20);
    assert_true(q[1] == 30);
    assert_true(q[2] == 40);

    /* x(j) exactly, even with +inf next to it. */
    double y[] = {INF, 2, 1};
    const double mid = 0.5;
    mc_quantiles(y, 3, &mid, 1, q);
    assert_true(q[0] == 2);

    double one = 7.5;
    mc_quantiles(&one, 1, p, 3, q);
    assert_true(q[0] == 7.5 && q[1] == 7.5 && q[2] == 7.5);
}

/* Agreement with a full sort, value for value, at 50 levels. */
static void check_against_sort(double *x, size_t n)
{
    double *sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, x, n * sizeof *x);
    qsort(sorted, n, sizeof *sorted, cmp_double);

    double p[50], q[50];
    p[0] = 0;
    p[1] = 1;
    p[2] = 0.5;
    for (int i = 3; i < 50; i++)
        p[i] = (double)(next_u64() >> 11) * 0x1p-53;
    mc_quantiles(x, n, p, 50, q);
    for (int i = 0; i < 50; i++) {
        double want = reference_quantile(sorted, n, p[i]);
        if (!same_double(q[i], want))
            fail_msg("p = %.17g: got %.17g, want %.17g", p[i], q[i], want);
    }
    free(sorted);
}

static void quantiles_should_equal_full_sort_on_100001_values(void **st)
{
    (void)st;
    size_t n = 100001;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_u64();
        if (r % 20 == 0)
            x[i] = INF;                 /* 5 % never */
        else
            x[i] = (double)(r % 3000) * 0.37 - 100;  /* many duplicates */
    }
    check_against_sort(x, n);
    free(x);
}

static void quantiles_should_equal_full_sort_on_ordered_and_constant_input(
    void **st)
{
    (void)st;
    size_t n = 100001;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)i;
    check_against_sort(x, n);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)(n - i);
    check_against_sort(x, n);
    for (size_t i = 0; i < n; i++)
        x[i] = 3.25;
    check_against_sort(x, n);
    for (size_t i = 0; i < n; i++)                 /* organ pipe */
        x[i] = (double)(i < n / 2 ? i : n - i);
    check_against_sort(x, n);
    free(x);
}

/* ---- summary statistics --------------------------------------------- */

static void stats_should_match_hand_computed_values(void **st)
{
    (void)st;
    const double x[] = {3, INF, 1, 6, 2};
    double scratch[5];
    mc_stats s;
    mc_stats_compute(x, 5, 2.0, scratch, &s);

    assert_int_equal(s.n, 5);
    assert_int_equal(s.never, 1);
    /* finite {1, 2, 3, 6}: mean 3, squared deviations 4 + 1 + 0 + 9 */
    assert_close(s.mean, 3, 1e-15);
    assert_close(s.sd, sqrt(14.0 / 3.0), 1e-15);
    assert_close(s.mcse, sqrt(14.0 / 3.0) / 2, 1e-15);
    assert_true(s.min == 1);
    assert_true(s.max == INF);
    assert_close(s.p_le, 0.4, 1e-15);   /* 1 and 2 of 5 */
    /* sorted {1, 2, 3, 6, inf}, h = 4p */
    assert_close(s.q[0], 1.04, 1e-14);    /* p01 */
    assert_true(s.q[3] == 2);                    /* p25: h = 1 */
    assert_true(s.q[4] == 3);                    /* p50: h = 2 */
    assert_true(s.q[5] == 6);                    /* p75: h = 3 */
    assert_true(s.q[6] == INF);             /* p90: 6 to inf */
    /* x itself is left as it was */
    assert_true(x[0] == 3 && x[1] == INF && x[4] == 2);
}

static void stats_should_give_nan_where_undefined(void **st)
{
    (void)st;
    const double never[] = {INF, INF};
    double scratch[2];
    mc_stats s;
    mc_stats_compute(never, 2, (double)NAN, scratch, &s);
    assert_int_equal(s.never, 2);
    assert_true(isnan(s.mean) && isnan(s.sd) && isnan(s.mcse));
    assert_true(isnan(s.p_le));                /* not requested */
    assert_true(s.min == INF && s.q[0] == INF);

    const double one[] = {INF, 1.5};
    mc_stats_compute(one, 2, 2.0, scratch, &s);
    assert_true(s.mean == 1.5);
    assert_true(isnan(s.sd) && isnan(s.mcse));   /* one finite value */
    assert_true(s.p_le == 0.5);
}

/* Squares of 1e200 overflow and squares of 1e-200 underflow: the mean and
 * sd must come out right at both ends of the double range. */
static void stats_should_not_overflow_or_underflow_at_extreme_scales(void **st)
{
    (void)st;
    double scratch[3];
    mc_stats s;
    const double big[3] = {1e200, 3e200, INFINITY};
    mc_stats_compute(big, 3, (double)NAN, scratch, &s);
    assert_true(fabs(s.mean - 2e200) <= 1e-15 * 2e200);
    assert_true(fabs(s.sd - sqrt(2.0) * 1e200) <= 1e-15 * 1.5e200);
    assert_int_equal(s.never, 1);
    const double tiny[2] = {1e-200, 3e-200};
    mc_stats_compute(tiny, 2, (double)NAN, scratch, &s);
    assert_true(fabs(s.mean - 2e-200) <= 1e-15 * 2e-200);
    assert_true(fabs(s.sd - sqrt(2.0) * 1e-200) <= 1e-15 * 1.5e-200);
    assert_true(fabs(s.mcse - 1e-200) <= 1e-15 * 1e-200);
}

static void stats_mean_should_be_exact_for_large_offset(void **st)
{
    (void)st;
    /* 1e9 + {0.1, 0.2, ..}: naive sums of squares lose all digits. */
    size_t n = 1000;
    double *x = malloc(n * sizeof *x), *scratch = malloc(n * sizeof *x);
    assert_non_null(x);
    assert_non_null(scratch);
    for (size_t i = 0; i < n; i++)
        x[i] = 1e9 + (double)(i % 2);
    mc_stats s;
    mc_stats_compute(x, n, 2.0, scratch, &s);
    assert_close(s.mean, 1e9 + 0.5, 1e-6);
    assert_close(s.sd, sqrt(0.25 * (double)n / (double)(n - 1)), 1e-9);
    assert_true(s.p_le == 0);
    free(x);
    free(scratch);
}

/* ---- numbers as text ------------------------------------------------ */

static void fmt_should_give_shortest_text_for_known_values(void **st)
{
    (void)st;
    static const struct {
        double x;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},
        {67.4155, "67.4155"},
        {2935000, "2935000"},
        {5.0, "5"},
        {1e-300, "1e-300"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {-0.0, "-0"},
        {0.0, "0"},
        {-1.5, "-1.5"},
        {1.0 / 3.0, "0.3333333333333333"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1e15, "1000000000000000"},
        {1e16, "1e+16"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {9007199254740993.0, "9007199254740992"},
        {1e23, "1e+23"},
        /* exact ties between two shortest texts: the even digit wins */
        {0x1p-25, "2.9802322387695312e-08"},
        {0x5p-23, "5.960464477539062e-07"},
        {INF, "inf"},
        {-INF, "-inf"},
        {(double)NAN, "nan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        int n = mc_fmt_double(buf, cases[i].x);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(n, (int)strlen(cases[i].text));
    }
}

/* Random bit patterns cover every exponent, subnormals included; every
 * eighth has a short mantissa, so short texts are exercised too. */
static double random_double(void)
{
    uint64_t bits = next_u64();
    if (bits % 8 == 0)
        bits &= ~((UINT64_C(1) << (next_u64() % 53)) - 1);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static void fmt_should_round_trip_1e6_random_doubles(void **st)
{
    (void)st;
    for (int i = 0; i < 1000000; i++) {
        double x = random_double();
        if (isnan(x))
            continue;
        char buf[32];
        int n = mc_fmt_double(buf, x);
        double y = strtod(buf, NULL);
        if (n < 1 || n > 24 || !same_double(x, y))
            fail_msg("%a: wrote \"%s\", read back %a", x, buf, y);
    }
}

/* Significant digits of a text: drop sign, point, leading zeros, the
 * exponent and (in plain integers) trailing zeros. */
static int digits_of(const char *s)
{
    char m[40];
    size_t k = 0;
    int has_point = strchr(s, '.') != NULL;
    for (; *s && *s != 'e' && k < sizeof m - 1; s++)
        if (*s >= '0' && *s <= '9' && (k > 0 || *s != '0'))
            m[k++] = *s;
    if (!has_point)
        while (k > 1 && m[k - 1] == '0')
            k--;
    return (int)k;
}

static void fmt_should_be_no_longer_than_any_printf_precision(void **st)
{
    (void)st;
    for (int i = 0; i < 20000; i++) {
        double x = random_double();
        if (!isfinite(x) || x == 0)
            continue;
        char ours[32], ref[40];
        mc_fmt_double(ours, x);
        int p = 1;
        for (; p <= 17; p++) {
            snprintf(ref, sizeof ref, "%.*e", p - 1, x);
            if (strtod(ref, NULL) == x)
                break;
        }
        if (digits_of(ours) > p)
            fail_msg("%a: \"%s\" is longer than \"%s\"", x, ours, ref);
    }
}

/* ---- CSV ------------------------------------------------------------ */

static void csv_should_write_exact_bytes_for_small_table(void **st)
{
    (void)st;
    const double x[] = {1.5, (double)NAN, INF};
    const double y[] = {0.1, -0.0, 2935000};
    const char *const names[] = {"a", "b", "c"};
    const mc_column cols[] = {
        {.name = "sample", .index = 1},
        {.name = "x", .num = x},
        {.name = "name", .str = names},
        {.name = "y", .num = y},
    };
    FILE *f = tmpfile();
    assert_non_null(f);
    char msg[256] = "";
    assert_int_equal(mc_csv_write(f, cols, 4, 3, 2, msg, sizeof msg), 0);
    size_t len;
    char *text = slurp(f, &len);
    assert_string_equal(text, "sample,x,name,y\n"
                              "0,1.5,a,0.1\n"
                              "1,,b,-0\n"
                              "2,inf,c,2935000\n");
    free(text);
    fclose(f);

    f = tmpfile();
    assert_non_null(f);
    assert_int_equal(mc_csv_write(f, cols, 4, 0, 1, msg, sizeof msg), 0);
    text = slurp(f, &len);
    assert_string_equal(text, "sample,x,name,y\n");
    free(text);
    fclose(f);
}

static char *csv_bytes(const mc_column *cols, size_t ncols, size_t nrows,
                       int nthreads, size_t *len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    char msg[256] = "";
    assert_int_equal(mc_csv_write(f, cols, ncols, nrows, nthreads, msg,
                                  sizeof msg), 0);
    char *text = slurp(f, len);
    fclose(f);
    return text;
}

static void csv_should_write_identical_bytes_for_1_2_7_threads(void **st)
{
    (void)st;
    size_t n = 100003;              /* not a multiple of the chunk size */
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    const char **s = malloc(n * sizeof *s);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(s);
    static const char *const words[] = {"gpu", "energy", "", "final_run"};
    for (size_t i = 0; i < n; i++) {
        a[i] = random_double();
        b[i] = i % 13 == 0 ? INF : (double)(next_u64() % 1000) / 8;
        s[i] = words[i % 4];
    }
    const mc_column cols[] = {
        {.name = "sample", .index = 1},
        {.name = "a", .num = a},
        {.name = "label", .str = s},
        {.name = "b", .num = b},
    };
    size_t len1, len2, len7;
    char *t1 = csv_bytes(cols, 4, n, 1, &len1);
    char *t2 = csv_bytes(cols, 4, n, 2, &len2);
    char *t7 = csv_bytes(cols, 4, n, 7, &len7);
    assert_int_equal(len1, len2);
    assert_int_equal(len1, len7);
    assert_memory_equal(t1, t2, len1);
    assert_memory_equal(t1, t7, len1);
    /* one header and n rows */
    size_t lines = 0;
    for (size_t i = 0; i < len1; i++)
        lines += t1[i] == '\n';
    assert_int_equal(lines, n + 1);
    free(t1);
    free(t2);
    free(t7);
    free(a);
    free(b);
    free(s);
}

static void csv_should_fail_with_message_on_full_device(void **st)
{
    (void)st;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    const double x[] = {1, 2, 3};
    const mc_column cols[] = {{.name = "x", .num = x}};
    char msg[256] = "";
    assert_int_equal(mc_csv_write(f, cols, 1, 3, 1, msg, sizeof msg), -1);
    assert_string_equal(msg, strerror(ENOSPC));
    fclose(f);
}

/* ---- Monte Carlo error ------------------------------------------------ */

/* The textbook case: the median of 100 values lies between the 40th and
 * 61st smallest with probability 0.9648 >= 0.95 (binomial (100, 1/2):
 * P(B <= 39) = 0.0176 <= 0.025 < P(B <= 40) = 0.0284, and
 * P(B <= 59) = 0.9716 < 0.975 <= P(B <= 60) = 0.9824). */
static void ci_ranks_should_match_the_binomial_textbook_case(void **st)
{
    (void)st;
    size_t lo, hi;
    mc_quantile_ci_ranks(100, 0.5, 0.95, &lo, &hi);
    assert_int_equal(lo, 39);                 /* 0-based */
    assert_int_equal(hi, 60);
    /* symmetric levels give mirrored ranks */
    size_t lo2, hi2;
    mc_quantile_ci_ranks(1001, 0.1, 0.95, &lo, &hi);
    mc_quantile_ci_ranks(1001, 0.9, 0.95, &lo2, &hi2);
    assert_int_equal(lo + hi2, 1000);
    assert_int_equal(hi + lo2, 1000);
    /* few values: clamped to the sample */
    mc_quantile_ci_ranks(5, 0.01, 0.95, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_true(hi <= 4);
    /* 1e9 values, the median: about +-1.96 * sqrt(n)/2 ranks */
    mc_quantile_ci_ranks(1000000000, 0.5, 0.95, &lo, &hi);
    double half = 1.959964 * sqrt(1e9) / 2.0;
    assert_true(fabs((double)lo - (5e8 - half)) < 3.0);
    assert_true(fabs((double)hi - (5e8 + half)) < 3.0);
}

/* Coverage: 4000 samples of 500 uniforms; the interval of each level must
 * hold the true quantile (p itself) in at least 95% of them, within 3
 * binomial standard errors, and not in more than 99%. */
static void ci_ranks_should_cover_the_true_quantile(void **st)
{
    (void)st;
    static const double ps[] = {0.05, 0.5, 0.95};
    enum { N = 500, REPS = 4000 };
    double x[N];
    for (size_t k = 0; k < 3; k++) {
        size_t lo, hi, covered = 0;
        mc_quantile_ci_ranks(N, ps[k], 0.95, &lo, &hi);
        for (int rep = 0; rep < REPS; rep++) {
            for (int i = 0; i < N; i++)
                x[i] = (double)(next_u64() >> 11) * 0x1.0p-53;
            size_t r[2] = {lo, hi};
            mc_select_(x, N, r, 2);
            covered += x[lo] <= ps[k] && ps[k] <= x[hi];
        }
        double share = (double)covered / REPS;
        double se = sqrt(0.95 * 0.05 / REPS);
        print_message("p = %.2f: ranks %zu..%zu cover %.4f\n", ps[k], lo, hi,
                      share);
        assert_true(share >= 0.95 - 3.0 * se);
        assert_true(share <= 0.99);
    }
}

/* Wilson's interval by hand: 5/10 gives 0.5 -+ 0.2634 and 0/10 gives
 * [0, z^2 / (n + z^2)] = [0, 0.2775]. */
static void wilson_should_match_hand_computed_values(void **st)
{
    (void)st;
    double lo, hi;
    mc_wilson(5, 10, 0.95, &lo, &hi);
    assert_true(fabs(lo - 0.236593) < 1e-6 && fabs(hi - 0.763407) < 1e-6);
    mc_wilson(0, 10, 0.95, &lo, &hi);
    assert_true(lo == 0.0);
    assert_true(fabs(hi - 3.841459 / 13.841459) < 1e-6);
    mc_wilson(10, 10, 0.95, &lo, &hi);
    assert_true(hi == 1.0 && fabs(lo - 10.0 / 13.841459) < 1e-6);
    assert_true(fabs(mc_z(0.95) - 1.959964) < 1e-6);
}

/* A figure to the digits its error justifies. */
static void justified_should_round_to_the_error(void **st)
{
    (void)st;
    static const struct {
        double x, err;
        int show;
        const char *want;
    } cases[] = {
        {157.4034, 0.163, 1, "157.40 ±0.16"},   /* error 1x: two digits */
        {157.4034, 0.46, 1, "157.4 ±0.5"},      /* else one */
        {157.4034, 3.2, 1, "157 ±3"},
        {157.4034, 32.0, 1, "160 ±30"},         /* rounded to tens */
        {0.61944, 0.00123, 1, "0.6194 ±0.0012"},
        {2.5, 0.0997, 1, "2.50 ±0.10"},         /* 9.97 rounds up to 10 */
        {84.948, 0.61, 0, "84.9"},
        {1.5, (double)NAN, 1, "1.5"},           /* no error: 6 digits */
        {67.41547225284822, 0.0, 1, "67.4155"},
        /* from 1e9 on, scientific with the same digits */
        {140912345678.0, 1.6e9, 1, "1.409e+11 ±1.6e+09"},
        {140912345678.0, 6e9, 0, "1.41e+11"},
        {2.9e154, 3e152, 1, "2.90e+154 ±3e+152"},
        {999999999.0, 3.0, 1, "999999999 ±3"},   /* below 1e9: fixed */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        mc_fmt_justified(buf, sizeof buf, cases[i].x, cases[i].err,
                         cases[i].show);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%g with error %g: '%s', want '%s'", cases[i].x,
                     cases[i].err, buf, cases[i].want);
    }
}

/* ---- the fixed merge tree ------------------------------------------- */

static void add_double(void *ctx, void *left, const void *right)
{
    (void)ctx;
    *(double *)left += *(const double *)right;
}

/* The sum of x[0..n) merged along the tree, pushed as the ranges
 * [cut[k], cut[k+1]) each reduced on its own first (as an MPI rank
 * would) and their stacks then pushed in order. */
static double tree_sum(const double *x, size_t n, const size_t *cut,
                       size_t ncut)
{
    mc_mtree *all = mc_mtree_new(sizeof(double), add_double, NULL);
    assert_non_null(all);
    for (size_t k = 0; k + 1 < ncut; k++) {
        mc_mtree *part = mc_mtree_new(sizeof(double), add_double, NULL);
        assert_non_null(part);
        for (size_t i = cut[k]; i < cut[k + 1]; i++)
            assert_int_equal(mc_mtree_push(part, 0, i, &x[i]), 0);
        for (size_t j = 0; j < mc_mtree_nodes(part); j++) {
            int level;
            uint64_t index;
            const void *p = mc_mtree_node(part, j, &level, &index);
            assert_int_equal(mc_mtree_push(all, level, index, p), 0);
        }
        mc_mtree_free(part);
    }
    assert_int_equal(cut[ncut - 1], n);
    double sum = 0, scratch;
    mc_mtree_fold(all, &sum, &scratch);
    mc_mtree_free(all);
    return sum;
}

/* By hand: 5 blocks merge as ((x0 + x1) + (x2 + x3)) + x4.  With x =
 * 1, 1e16, -1e16, 1, 0 (doubles near 1e16 are 2 apart, so 1e16 + 1 rounds
 * back to 1e16) the tree gives (1e16 - 1e16) + 0 = 0, and left to right
 * gives 1: the order matters, and the tree fixes it whatever the ranges
 * (one, three of sizes 1, 3, 1, five of one block). */
static void tree_merge_does_not_depend_on_the_ranges(void **state)
{
    (void)state;
    const double x[5] = {1, 1e16, -1e16, 1, 0};
    double want = ((x[0] + x[1]) + (x[2] + x[3])) + x[4];
    const size_t one[2] = {0, 5}, two[3] = {0, 3, 5}, three[4] = {0, 1, 4, 5},
                 five[6] = {0, 1, 2, 3, 4, 5};
    assert_true(tree_sum(x, 5, one, 2) == want);
    assert_true(tree_sum(x, 5, two, 3) == want);
    assert_true(tree_sum(x, 5, three, 4) == want);
    assert_true(tree_sum(x, 5, five, 6) == want);
    /* and the left-to-right sum is another number: the test can fail */
    assert_true(want == 0.0);
    assert_true((((x[0] + x[1]) + x[2]) + x[3]) + x[4] == 1.0);
    /* many blocks of random magnitudes, cut at random places */
    enum { N = 1000 };
    double y[N];
    uint64_t u = 88172645463325252ULL;
    for (size_t i = 0; i < N; i++) {
        u ^= u << 13, u ^= u >> 7, u ^= u << 17;        /* xorshift64 */
        y[i] = ldexp((double)(u >> 11), (int)(u % 60) - 80) *
               ((u >> 3) % 2 ? 1 : -1);
    }
    size_t c1[2] = {0, N}, c7[8] = {0, 1, 130, 131, 500, 777, 998, N};
    double a = tree_sum(y, N, c1, 2), b = tree_sum(y, N, c7, 8);
    assert_memory_equal(&a, &b, sizeof a);
    /* nodes out of order are refused */
    mc_mtree *t = mc_mtree_new(sizeof(double), add_double, NULL);
    for (int i = 0; i < 200; i++)
        if (mc_mtree_push(t, 0, (uint64_t)(2 * i + 1), &x[0]) != 0)
            break;
    assert_int_equal(mc_mtree_push(t, 0, 5, &x[0]), -1);
    mc_mtree_free(t);
}

/* ---- rank sensitivity ---------------------------------------------- */

/* Spearman and PRCC of columns given whole (n <= MC_RANK_PILOT: the pilot
 * is every value, and the ranks are exact). */
static void rank_corr(const double *const *x, size_t d, const double *y,
                      size_t n, mc_rankcorr *out)
{
    mc_rankmap *m = mc_rankmap_new(n, d + 1);
    mc_rsums *s = mc_rsums_new(d, 1);
    int32_t *q = malloc((d + 1) * n * sizeof *q);
    assert_true(m != NULL && s != NULL && q != NULL);
    assert_int_equal(mc_rankmap_pilot_len(m), n);
    for (size_t c = 0; c <= d; c++)
        memcpy(mc_rankmap_pilot(m, c), c < d ? x[c] : y, n * sizeof(double));
    mc_rankmap_plan(m);
    assert_true(mc_rankmap_ready(m));
    const int32_t *qc[8];
    for (size_t c = 0; c <= d; c++) {
        mc_rankmap_scores(m, c, c < d ? x[c] : y, n, q + c * n);
        qc[c] = q + c * n;
    }
    mc_rsums_add(s, qc, n);
    assert_int_equal(mc_rsums_result(s, 0.95, out), 0);
    free(q);
    mc_rsums_free(s);
    mc_rankmap_free(m);
}

/* By hand: x = 1 2 2 3 has midranks 1 2.5 2.5 4, y = 1 3 2 4 ranks
 * 1 3 2 4; deviations from 2.5: (-1.5 0 0 1.5) and (-1.5 .5 -.5 1.5), so
 * rho = 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10).  Scores are multiples of 1/8
 * here: exact. */
static void spearman_gives_ties_their_midrank(void **state)
{
    (void)state;
    const double x[4] = {1, 2, 2, 3}, y[4] = {1, 3, 2, 4};
    const double *xs[1] = {x};
    mc_rankcorr r;
    rank_corr(xs, 1, y, 4, &r);
    assert_true(fabs(r.spearman - 3.0 / sqrt(10.0)) < 1e-15);
    /* with one input the partial correlation is the correlation */
    assert_true(fabs(r.prcc - r.spearman) < 1e-12);
    /* Fisher's z: atanh(rho) -+ 1.96 sqrt(1.06 / (n - 3)) */
    double se = sqrt(1.06 / 1.0), z = atanh(3.0 / sqrt(10.0));
    assert_true(fabs(r.spearman_lo - tanh(z - mc_z(0.95) * se)) < 1e-12);
    assert_true(fabs(r.spearman_hi - tanh(z + mc_z(0.95) * se)) < 1e-12);
}

static double pearson8(const double *a, const double *b)
{
    double sab = 0, saa = 0, sbb = 0;      /* ranks 0..7: mean 3.5 */
    for (int i = 0; i < 8; i++) {
        sab += (a[i] - 3.5) * (b[i] - 3.5);
        saa += (a[i] - 3.5) * (a[i] - 3.5);
        sbb += (b[i] - 3.5) * (b[i] - 3.5);
    }
    return sab / sqrt(saa * sbb);
}

/* With two inputs the partial correlation has a closed form:
 * r_1y.2 = (r_1y - r_12 r_2y) / sqrt((1 - r_12^2)(1 - r_2y^2)); the
 * engine's comes from the inverse of the correlation matrix. */
static void prcc_of_two_inputs_has_the_closed_form(void **state)
{
    (void)state;
    const double x1[8] = {0, 1, 2, 3, 4, 5, 6, 7},
                 x2[8] = {3, 7, 0, 5, 1, 6, 2, 4},
                 y[8] = {0, 2, 1, 4, 3, 6, 7, 5};
    const double *xs[2] = {x1, x2};
    mc_rankcorr r[2];
    rank_corr(xs, 2, y, 8, r);
    double r1y = pearson8(x1, y), r2y = pearson8(x2, y),
           r12 = pearson8(x1, x2);
    assert_true(fabs(r[0].spearman - r1y) < 1e-12);
    assert_true(fabs(r[1].spearman - r2y) < 1e-12);
    double p1 = (r1y - r12 * r2y) / sqrt((1 - r12 * r12) * (1 - r2y * r2y));
    double p2 = (r2y - r12 * r1y) / sqrt((1 - r12 * r12) * (1 - r1y * r1y));
    assert_true(fabs(r[0].prcc - p1) < 1e-12);
    assert_true(fabs(r[1].prcc - p2) < 1e-12);
    /* z interval with 1 / sqrt(n - 2 - d) = 1 / 2 */
    assert_true(fabs(r[0].prcc_hi - tanh(atanh(p1) + mc_z(0.95) / 2)) < 1e-12);
}

/* Beyond the pilot a value's rank is interpolated inside its cell.  On
 * the values 0 .. n-1 (in a shuffled order, so the pilot is spread out)
 * a value x between edges lo < x < hi gets the rank position
 * lo + 1 + (x - lo)(hi - lo - 1)/(hi - lo), within 1/2 of its own x + 1/2:
 * every score within 0.5/n (plus the 2^-21 of rounding) of the exact. */
static void ranks_beyond_the_pilot_are_interpolated(void **state)
{
    (void)state;
    size_t n = 50000;
    double *x = malloc(n * sizeof *x);
    int32_t *q = malloc(n * sizeof *q);
    assert_true(x != NULL && q != NULL);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)((i * 7919) % n);      /* 7919 is prime to n */
    mc_rankmap *m = mc_rankmap_new(n, 1);
    assert_non_null(m);
    memcpy(mc_rankmap_pilot(m, 0), x, mc_rankmap_pilot_len(m) * sizeof *x);
    mc_rankmap_plan(m);
    assert_false(mc_rankmap_ready(m));
    mc_rankmap_acc *a[2] = {mc_rankmap_acc_new(m), mc_rankmap_acc_new(m)};
    mc_rankmap_count(a[0], 0, x, n / 3);          /* two threads' shares */
    mc_rankmap_count(a[1], 0, x + n / 3, n - n / 3);
    char msg[128];
    assert_int_equal(mc_rankmap_end(m, a, 2, NULL, msg, sizeof msg), 0);
    assert_true(mc_rankmap_ready(m));
    mc_rankmap_scores(m, 0, x, n, q);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double want = (x[i] + 0.5) / (double)n - 0.5;
        worst = fmax(worst, fabs(q[i] / 1048576.0 - want));
    }
    assert_true(worst <= 0.5 / (double)n + 0x1p-21);
    /* a pass that misses values is an error, not a result */
    mc_rankmap_count(a[0], 0, x, 10);
    assert_int_equal(mc_rankmap_end(m, a, 1, NULL, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "expected 50000 values"));
    mc_rankmap_acc_free(a[0]);
    mc_rankmap_acc_free(a[1]);
    mc_rankmap_free(m);
    free(x);
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantiles_should_interpolate_between_order_statistics),
        cmocka_unit_test(tree_merge_does_not_depend_on_the_ranges),
        cmocka_unit_test(spearman_gives_ties_their_midrank),
        cmocka_unit_test(prcc_of_two_inputs_has_the_closed_form),
        cmocka_unit_test(ranks_beyond_the_pilot_are_interpolated),
        cmocka_unit_test(
            quantiles_should_be_inf_when_interpolating_toward_never),
        cmocka_unit_test(
            quantiles_should_return_order_statistic_when_h_is_integer),
        cmocka_unit_test(quantiles_should_equal_full_sort_on_100001_values),
        cmocka_unit_test(
            quantiles_should_equal_full_sort_on_ordered_and_constant_input),
        cmocka_unit_test(stats_should_match_hand_computed_values),
        cmocka_unit_test(stats_should_give_nan_where_undefined),
        cmocka_unit_test(stats_mean_should_be_exact_for_large_offset),
        cmocka_unit_test(stats_should_not_overflow_or_underflow_at_extreme_scales),
        cmocka_unit_test(fmt_should_give_shortest_text_for_known_values),
        cmocka_unit_test(fmt_should_round_trip_1e6_random_doubles),
        cmocka_unit_test(fmt_should_be_no_longer_than_any_printf_precision),
        cmocka_unit_test(csv_should_write_exact_bytes_for_small_table),
        cmocka_unit_test(csv_should_write_identical_bytes_for_1_2_7_threads),
        cmocka_unit_test(csv_should_fail_with_message_on_full_device),
        cmocka_unit_test(ci_ranks_should_match_the_binomial_textbook_case),
        cmocka_unit_test(ci_ranks_should_cover_the_true_quantile),
        cmocka_unit_test(wilson_should_match_hand_computed_values),
        cmocka_unit_test(justified_should_round_to_the_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
