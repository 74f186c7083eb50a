/* test_dist.c: the distributions of mc_dist.
 *
 * Statistical checks draw N = 200,000 values from the real streams, one
 * mc_rng_seek(r, SEED, stream, i) per sample i as the simulator does, at
 * a fixed seed, and fail beyond 4 standard errors (GSL's randist tests
 * use 3 at N = 100,000; with about 25 cases x 5 checks, 4 keeps a chance
 * failure near 1e-3 for a correct implementation):
 *   mean      |m - E X| <= 4 sqrt(Var X / N)
 *   variance  |s^2 - Var X| <= 4 sqrt((mu4 - Var X^2) / N), mu4 the exact
 *             4th central moment by quadrature of the quantile function
 *   quantile  the fraction of draws <= quantile(p) is p +- 4 sqrt(p (1-p) / N)
 *             for p = 0.05, 0.5, 0.95
 * Numerical identities are held to stated relative tolerances (1e-9 for
 * quantile(cdf(x)) == x, 1e-12 for closed-form known values). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "mc_dist.h"
#include "mc_dist_impl.h"   /* mc_dist_beta_inverse_ */
#include "mc_rng.h"

enum { N = 200000 };
static const uint64_t SEED = 20250227u;

#define assert_near(actual, expected, tol)                                  \
    do {                                                                    \
        double a_ = (actual), e_ = (expected), t_ = (tol);                  \
        if (!(fabs(a_ - e_) <= t_))                                         \
            fail_msg("%s = %.17g, expected %.17g +- %.3g", #actual, a_, e_, \
                     t_);                                                   \
    } while (0)

#define assert_rel(actual, expected, rel)                                   \
    assert_near(actual, expected, (rel) * fabs(expected))

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static mc_dist checked(mc_dist d)
{
    char msg[256] = "";
    if (mc_dist_check(&d, msg, sizeof msg))
        fail_msg("check: %s", msg);
    return d;
}

static mc_dist truncated(mc_dist d, double lo, double hi)
{
    char msg[256] = "";
    d = checked(d);
    if (mc_dist_truncate(&d, lo, hi, msg, sizeof msg))
        fail_msg("truncate: %s", msg);
    return d;
}

static mc_dist median_lognormal(double median, double sigma)
{
    mc_dist d;
    char msg[256] = "";
    if (mc_dist_lognormal_median(&d, median, sigma, msg, sizeof msg))
        fail_msg("%s", msg);
    return d;
}

static mc_dist interval_lognormal(double p05, double p95)
{
    mc_dist d;
    char msg[256] = "";
    if (mc_dist_lognormal_interval(&d, p05, p95, msg, sizeof msg))
        fail_msg("%s", msg);
    return d;
}

/* n draws of d, sample i from (SEED, stream, i). */
static double *draw(const mc_dist *d, uint32_t stream, size_t n)
{
    gsl_rng *r = mc_rng_alloc();
    double *x = malloc(n * sizeof *x);
    assert_non_null(r);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++) {
        mc_rng_seek(r, SEED, stream, i);
        x[i] = mc_dist_sample(d, r);
    }
    gsl_rng_free(r);
    return x;
}

struct moment_ctx {
    const mc_dist *d;
    double mean;
};

static double dev4(double t, void *vc)
{
    const struct moment_ctx *c = vc;
    double y = mc_dist_quantile(c->d, t) - c->mean;
    return y * y * y * y;
}

/* E (X - mean)^4 = int_0^1 (quantile(t) - mean)^4 dt. */
static double central_moment4(const mc_dist *d, double mean)
{
    struct moment_ctx c = {d, mean};
    gsl_function f = {dev4, &c};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    double r, err;
    gsl_integration_qags(&f, 0.0, 1.0, 0.0, 1e-8, 1000, w, &r, &err);
    gsl_integration_workspace_free(w);
    assert_true(isfinite(r) && r > 0.0);
    return r;
}

/* ------------------------------------------------------------------ */
/* The cases of the statistical and numerical tests                    */

struct dist_case {
    const char *label;
    mc_dist d;
};

static struct dist_case *case_of(void **state)
{
    return *state;
}

/* Mean, variance and three quantiles of N draws against the exact ones;
 * every draw inside the support, none on a finite bound. */
static void sample_should_match_moments_quantiles_and_support(void **state)
{
    const struct dist_case *c = case_of(state);
    const mc_dist *d = &c->d;
    double *x = draw(d, mc_rng_stream_id(c->label), N);

    double mean = mc_dist_mean(d), var = mc_dist_variance(d);
    double mu4 = central_moment4(d, mean);
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < N; i++)
        m += x[i];
    m /= N;
    for (size_t i = 0; i < N; i++)
        v += (x[i] - m) * (x[i] - m);
    v /= N - 1;
    assert_near(m, mean, 4.0 * sqrt(var / N));
    assert_near(v, var, 4.0 * sqrt((mu4 - var * var) / N));

    static const double ps[] = {0.05, 0.5, 0.95};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        double q = mc_dist_quantile(d, ps[k]);
        size_t below = 0;
        for (size_t i = 0; i < N; i++)
            below += x[i] <= q;
        double frac = (double)below / N;
        if (!(fabs(frac - ps[k]) <= 4.0 * sqrt(ps[k] * (1.0 - ps[k]) / N)))
            fail_msg("fraction of draws <= quantile(%g) = %g is %.5f", ps[k],
                     q, frac);
    }

    double lo = mc_dist_support_lo(d), hi = mc_dist_support_hi(d);
    size_t outside = 0, on_bound = 0;
    for (size_t i = 0; i < N; i++) {
        outside += !(x[i] >= lo && x[i] <= hi);
        on_bound += x[i] == lo || x[i] == hi;
    }
    if (outside != 0 || on_bound != 0)
        fail_msg("%zu draws outside [%g, %g], %zu on a bound", outside, lo,
                 hi, on_bound);
    free(x);
}

/* quantile(cdf(x)) == x within 1e-9 max(|x|, IQR) on 201 points evenly
 * spread over [quantile(1e-6), quantile(1 - 1e-6)] (IQR for x near 0). */
static void quantile_should_invert_cdf_over_a_grid(void **state)
{
    const mc_dist *d = &case_of(state)->d;
    double a = mc_dist_quantile(d, 1e-6), b = mc_dist_quantile(d, 1.0 - 1e-6);
    double iqr = mc_dist_quantile(d, 0.75) - mc_dist_quantile(d, 0.25);
    for (int j = 0; j <= 200; j++) {
        double x = a + (b - a) * j / 200.0;
        double u = mc_dist_cdf(d, x);
        assert_true(u >= 0.0 && u <= 1.0);
        assert_near(mc_dist_quantile(d, u), x, 1e-9 * fmax(fabs(x), iqr));
    }
}

/* The quadrature behind truncated means and variances, against the
 * closed forms, to 1e-9 relative. */
static void numeric_moments_should_match_closed_forms(void **state)
{
    const mc_dist *d = &case_of(state)->d;
    double m, v;
    assert_int_equal(mc_dist_moments_numeric(d, &m, &v), 0);
    assert_near(m, mc_dist_mean(d), 1e-9 * (fabs(mc_dist_mean(d)) + sqrt(v)));
    assert_rel(v, mc_dist_variance(d), 1e-9);
}

static struct dist_case cases[] = {
    {"uniform", {0}},
    {"normal", {0}},
    {"lognormal", {0}},
    {"lognormal_median", {0}},
    {"triangular", {0}},
    {"triangular_mode_at_lo", {0}},
    {"pert", {0}},
    {"beta", {0}},
    {"beta_u_shaped", {0}},
    {"gamma", {0}},
    {"gamma_shape_below_1", {0}},
    {"loguniform", {0}},
    {"truncated_uniform", {0}},
    {"truncated_normal", {0}},
    {"truncated_normal_upper_tail", {0}},
    {"truncated_normal_deep_tail", {0}},
    {"truncated_lognormal", {0}},
    {"truncated_lognormal_both_sides", {0}},
    {"truncated_triangular", {0}},
    {"truncated_pert", {0}},
    {"truncated_beta", {0}},
    {"truncated_gamma", {0}},
    {"truncated_gamma_upper_tail", {0}},
    {"truncated_loguniform", {0}},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static int setup_cases(void **state)
{
    (void)state;
    struct dist_case *c = cases;
    (c++)->d = checked(mc_dist_uniform(-1.0, 3.0));
    (c++)->d = checked(mc_dist_normal(3.0, 2.0));
    (c++)->d = checked(mc_dist_lognormal(0.7, 0.4));
    (c++)->d = checked(median_lognormal(2.2, 0.366));
    (c++)->d = checked(mc_dist_triangular(25.0, 175.0, 421.0));
    (c++)->d = checked(mc_dist_triangular(0.0, 0.0, 2.0));
    (c++)->d = checked(mc_dist_pert(0.45, 0.8, 1.05));
    (c++)->d = checked(mc_dist_beta(2.0, 3.0, 1.0, 4.0));
    (c++)->d = checked(mc_dist_beta(0.5, 0.5, 0.0, 1.0));
    (c++)->d = checked(mc_dist_gamma(2.5, 2.0));
    (c++)->d = checked(mc_dist_gamma(0.5, 1.0));
    (c++)->d = checked(mc_dist_loguniform(1.0, 1000.0));
    (c++)->d = truncated(mc_dist_uniform(0.0, 10.0), 2.0, 3.0);
    (c++)->d = truncated(mc_dist_normal(-0.02, 0.06), -0.20, 0.25);
    (c++)->d = truncated(mc_dist_normal(0.0, 1.0), 1.5, INFINITY);
    (c++)->d = truncated(mc_dist_normal(0.0, 1.0), 4.0, 5.0);
    (c++)->d = truncated(median_lognormal(2.2, 0.366), 1.0, INFINITY);
    (c++)->d = truncated(mc_dist_lognormal(0.0, 1.0), 0.5, 3.0);
    (c++)->d = truncated(mc_dist_triangular(25.0, 175.0, 421.0), 50.0, 300.0);
    (c++)->d = truncated(mc_dist_pert(0.45, 0.8, 1.05), 0.6, 1.0);
    (c++)->d = truncated(mc_dist_beta(2.0, 3.0, 0.0, 1.0), 0.1, 0.9);
    (c++)->d = truncated(mc_dist_gamma(2.5, 2.0), 1.0, 8.0);
    (c++)->d = truncated(mc_dist_gamma(2.5, 2.0), 15.0, INFINITY);
    (c++)->d = truncated(mc_dist_loguniform(1.0, 1000.0), 10.0, 100.0);
    assert_int_equal(c - cases, NCASES);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Known values                                                        */

static void every_type_should_be_found_by_name(void **state)
{
    (void)state;
    static const char *names[] = {"fixed", "uniform", "normal", "lognormal",
                                  "triangular", "pert", "beta", "gamma",
                                  "loguniform", "discrete"};
    size_t n = 0;
    while (mc_dist_types[n] != NULL)
        n++;
    assert_int_equal(n, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < n; i++) {
        const mc_dist_type *t = mc_dist_type_find(names[i]);
        assert_non_null(t);
        assert_string_equal(t->name, names[i]);
    }
    assert_null(mc_dist_type_find("normel"));
    assert_null(mc_dist_type_find("Normal"));
    assert_null(mc_dist_type_find(NULL));
    mc_dist d = mc_dist_gamma(2.0, 1.0);
    assert_string_equal(mc_dist_name(&d), "gamma");
}

/* The table also says how a scenario writes each type: its keys (the
 * required ones first), whether it is a fixed value, and how it is built
 * from the numbers given, with the key to blame when they are refused. */
static void type_table_should_describe_scenario_keys(void **state)
{
    (void)state;
    for (size_t i = 0; mc_dist_types[i] != NULL; i++) {
        const mc_dist_type *t = mc_dist_types[i];
        size_t k = 0;
        while (t->params[k] != NULL)
            k++;
        assert_true(k >= 1 && k < MC_DIST_PARAMS_MAX);
        assert_true(t->n_required <= k);
        assert_int_equal(t->fixed, strcmp(t->name, "fixed") == 0);
        /* only discrete takes arrays */
        assert_int_equal(t->from_params == NULL,
                         strcmp(t->name, "discrete") == 0);
    }
    mc_dist_params p;
    mc_dist d;
    char msg[256];
    memset(&p, 0, sizeof p);
    p.v[0] = 1.0, p.v[1] = 2.0, p.has[0] = p.has[1] = 1;
    assert_int_equal(mc_dist_from_params(&d, mc_dist_type_find("normal"),
                                         &p, msg, sizeof msg), 0);
    assert_string_equal(mc_dist_name(&d), "normal");
    assert_true(d.p[0] == 1.0 && d.p[1] == 2.0);
    assert_false(mc_dist_is_fixed(&d));
    p.v[1] = -2.0;                                   /* sd */
    assert_int_equal(mc_dist_from_params(&d, mc_dist_type_find("normal"),
                                         &p, msg, sizeof msg), -1);
    assert_string_equal(mc_dist_param_blame(mc_dist_type_find("normal"),
                                            &p), "sd");
    /* lognormal: {mu, median} is none of its sets, so no key is blamed */
    const mc_dist_type *ln = mc_dist_type_find("lognormal");
    assert_int_equal(mc_dist_from_params(&d, ln, &p, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected exactly one of the lognormal parameter "
                        "sets {mu, sigma}, {median, sigma} or {p05, p95}, "
                        "found {mu, median}");
    assert_null(mc_dist_param_blame(ln, &p));
    memset(&p, 0, sizeof p);
    p.v[0] = 3.0, p.has[0] = 1;
    assert_int_equal(mc_dist_from_params(&d, mc_dist_type_find("fixed"), &p,
                                         msg, sizeof msg), 0);
    assert_true(mc_dist_is_fixed(&d));
    assert_false(mc_dist_is_fixed(NULL));
    assert_int_equal(mc_dist_from_params(&d, mc_dist_type_find("discrete"),
                                         &p, msg, sizeof msg), -1);
}

static void triangular_0_1_2_should_have_mean_1_and_variance_one_sixth(void **state)
{
    (void)state;
    mc_dist d = checked(mc_dist_triangular(0.0, 1.0, 2.0));
    assert_rel(mc_dist_mean(&d), 1.0, 1e-15);
    assert_rel(mc_dist_variance(&d), 1.0 / 6.0, 1e-15);
    assert_rel(mc_dist_cdf(&d, 0.5), 0.125, 1e-15);
    assert_rel(mc_dist_cdf(&d, 1.5), 0.875, 1e-15);
    assert_rel(mc_dist_quantile(&d, 0.125), 0.5, 1e-15);
    assert_rel(mc_dist_quantile(&d, 0.875), 1.5, 1e-15);
    assert_true(mc_dist_support_lo(&d) == 0.0 && mc_dist_support_hi(&d) == 2.0);
}

/* PERT(0.45, 0.8, 1.05): alpha = 1 + 4 (0.35 / 0.6) = 10/3, beta = 8/3,
 * mean (0.45 + 4 * 0.8 + 1.05) / 6 = 0.78333..., variance
 * (mean - lo)(hi - mean) / 7. */
static void pert_should_be_the_lambda_4_beta_with_the_classic_mean(void **state)
{
    (void)state;
    mc_dist d = checked(mc_dist_pert(0.45, 0.8, 1.05));
    mc_dist b = checked(mc_dist_beta(10.0 / 3.0, 8.0 / 3.0, 0.45, 1.05));
    double mean = (0.45 + 4.0 * 0.8 + 1.05) / 6.0;
    assert_rel(mc_dist_mean(&d), 0.78333333333333333, 1e-12);
    assert_rel(mc_dist_variance(&d), (mean - 0.45) * (1.05 - mean) / 7.0, 1e-12);
    for (int j = 1; j < 10; j++)
        assert_rel(mc_dist_quantile(&d, j / 10.0), mc_dist_quantile(&b, j / 10.0), 1e-12);
    assert_rel(mc_dist_cdf(&d, 0.8), mc_dist_cdf(&b, 0.8), 1e-12);
}

/* sigma = (ln 4 - ln 1.2) / (2 * 1.6448536269514722) = 0.3659817459129624 */
static void lognormal_interval_should_hit_its_5_and_95_points(void **state)
{
    (void)state;
    mc_dist d = checked(interval_lognormal(1.2, 4.0));
    assert_rel(d.p[1], 0.3659817459129624, 1e-12);
    assert_rel(d.p[0], 0.5 * log(1.2 * 4.0), 1e-12);
    assert_rel(mc_dist_quantile(&d, 0.05), 1.2, 1e-12);
    assert_rel(mc_dist_quantile(&d, 0.95), 4.0, 1e-12);
    assert_rel(mc_dist_quantile(&d, 0.5), sqrt(1.2 * 4.0), 1e-12);
    assert_rel(mc_dist_cdf(&d, 1.2), 0.05, 1e-12);
    assert_rel(mc_dist_cdf(&d, 4.0), 0.95, 1e-12);

    double *x = draw(&d, mc_rng_stream_id("overhead"), N);
    size_t below = 0, above = 0;
    for (size_t i = 0; i < N; i++) {
        below += x[i] <= 1.2;
        above += x[i] > 4.0;
    }
    free(x);
    assert_near((double)below / N, 0.05, 4.0 * sqrt(0.05 * 0.95 / N));
    assert_near((double)above / N, 0.05, 4.0 * sqrt(0.05 * 0.95 / N));
}

static void lognormal_median_should_hit_its_median(void **state)
{
    (void)state;
    mc_dist d = checked(median_lognormal(2.2, 0.366));
    assert_rel(d.p[0], log(2.2), 1e-15);
    assert_rel(mc_dist_quantile(&d, 0.5), 2.2, 1e-12);
    assert_rel(mc_dist_cdf(&d, 2.2), 0.5, 1e-12);
    assert_rel(mc_dist_mean(&d), 2.2 * exp(0.5 * 0.366 * 0.366), 1e-12);

    double *x = draw(&d, mc_rng_stream_id("representativeness"), N);
    size_t below = 0;
    for (size_t i = 0; i < N; i++)
        below += x[i] <= 2.2;
    free(x);
    assert_near((double)below / N, 0.5, 4.0 * sqrt(0.25 / N));
}

/* Textbook values: Phi^-1(0.975) = 1.959963984540054, Phi(1.96) =
 * 0.9750021048517795; gamma(2, 1) cdf 1 - e^-x (1 + x); gamma(1, s) is
 * exponential (median s ln 2); beta(1, 1) on [lo, hi] is uniform;
 * loguniform(1, 100) has median 10 and mean 99 / ln 100. */
static void closed_form_values_should_be_reproduced(void **state)
{
    (void)state;
    mc_dist n = checked(mc_dist_normal(0.0, 1.0));
    assert_rel(mc_dist_quantile(&n, 0.975), 1.959963984540054, 1e-12);
    assert_rel(mc_dist_cdf(&n, 1.96), 0.9750021048517795, 1e-12);
    assert_true(mc_dist_quantile(&n, 0.0) == -(double)INFINITY);
    assert_true(mc_dist_quantile(&n, 1.0) == (double)INFINITY);
    assert_true(isnan(mc_dist_quantile(&n, 1.5)));
    assert_true(isnan(mc_dist_quantile(&n, NAN)));

    mc_dist g = checked(mc_dist_gamma(2.0, 1.0));
    assert_rel(mc_dist_cdf(&g, 1.0), 1.0 - 2.0 * exp(-1.0), 1e-12);
    assert_rel(mc_dist_cdf(&g, 3.0), 1.0 - 4.0 * exp(-3.0), 1e-12);
    mc_dist e = checked(mc_dist_gamma(1.0, 3.0));
    assert_rel(mc_dist_quantile(&e, 0.5), 3.0 * log(2.0), 1e-12);
    /* 1 - 2^-33 is exact: the upper tail is inverted on its own side. */
    assert_rel(mc_dist_quantile(&e, 1.0 - 0x1p-33), 3.0 * 33.0 * log(2.0), 1e-12);

    mc_dist b = checked(mc_dist_beta(1.0, 1.0, 2.0, 7.0));
    assert_rel(mc_dist_quantile(&b, 0.3), 3.5, 1e-12);
    assert_rel(mc_dist_cdf(&b, 6.0), 0.8, 1e-12);

    mc_dist l = checked(mc_dist_loguniform(1.0, 100.0));
    assert_rel(mc_dist_quantile(&l, 0.5), 10.0, 1e-12);
    assert_rel(mc_dist_mean(&l), 99.0 / log(100.0), 1e-12);
    assert_rel(mc_dist_variance(&l), (100.0 * 100.0 - 1.0) / (2.0 * log(100.0))
                                         - pow(99.0 / log(100.0), 2.0), 1e-12);
    /* A narrow loguniform, where the variance needs its series:
       close to the uniform's w^2 / 12. */
    mc_dist ln = checked(mc_dist_loguniform(1.0, 1.0 + 1e-6));
    assert_rel(mc_dist_variance(&ln), 1e-12 / 12.0, 1e-5);

    mc_dist u = checked(mc_dist_uniform(-1.0, 3.0));
    assert_rel(mc_dist_mean(&u), 1.0, 1e-15);
    assert_rel(mc_dist_variance(&u), 16.0 / 12.0, 1e-15);
    assert_near(mc_dist_quantile(&u, 0.25), 0.0, 1e-15);
}

/* GSL 2.7's gamma Pinv returns NaN below shape ~0.1 and is inaccurate in
 * the hundreds; its beta Pinv fails near a = 0.05: the fallback
 * inversion must cover them. */
static void quantile_should_survive_shapes_where_gsl_inverse_fails(void **state)
{
    (void)state;
    /* tail: a lower-tail probability whose quantile is a normal double
       (gamma(0.01)'s smallest double already has P = 6e-4). */
    const struct { mc_dist d; double tail; } cs[] = {
        {mc_dist_gamma(0.01, 1.0), 1e-3},
        {mc_dist_gamma(0.05, 2.0), 1e-12},
        {mc_dist_gamma(1000.0, 1.0), 1e-12},
        {mc_dist_beta(0.05, 4.0, 0.0, 1.0), 1e-12},
    };
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        mc_dist d = checked(cs[k].d);
        for (int j = 1; j < 100; j++) {
            double u = j / 100.0;
            double x = mc_dist_quantile(&d, u);
            assert_true(isfinite(x));
            assert_rel(mc_dist_cdf(&d, x), u, 1e-9);
        }
        assert_rel(mc_dist_cdf(&d, mc_dist_quantile(&d, cs[k].tail)), cs[k].tail, 1e-6);
        assert_true(isfinite(mc_dist_quantile(&d, 1.0 - 1e-12)));
    }
}

static void discrete_should_sort_values_and_sum_weights(void **state)
{
    (void)state;
    static const double v[] = {3.0, 1.0, 2.0}, w[] = {0.2, 0.5, 0.3};
    mc_dist d;
    char msg[256];
    assert_int_equal(mc_dist_discrete(&d, 3, v, w, msg, sizeof msg), 0);
    assert_int_equal(mc_dist_check(&d, msg, sizeof msg), 0);
    assert_rel(mc_dist_cdf(&d, 1.0), 0.5, 1e-15);
    assert_rel(mc_dist_cdf(&d, 2.5), 0.8, 1e-15);
    assert_true(mc_dist_cdf(&d, 0.99) == 0.0 && mc_dist_cdf(&d, 3.0) == 1.0);
    assert_true(mc_dist_quantile(&d, 0.0) == 1.0);
    assert_true(mc_dist_quantile(&d, 0.5) == 1.0);
    assert_true(mc_dist_quantile(&d, 0.51) == 2.0);
    assert_true(mc_dist_quantile(&d, 1.0) == 3.0);
    assert_rel(mc_dist_mean(&d), 1.7, 1e-15);
    assert_rel(mc_dist_variance(&d), 0.61, 1e-14);
    assert_true(mc_dist_support_lo(&d) == 1.0 && mc_dist_support_hi(&d) == 3.0);
    mc_dist_free(&d);
}

/* Each value's frequency p_i +- 4 sqrt(p_i (1 - p_i) / N); mean and
 * variance within 4 SE as for the continuous cases. */
static void discrete_frequencies_should_match_weights(void **state)
{
    (void)state;
    static const double v[] = {10.0, -1.0, 2.5, 7.0, 100.0}, w[] = {1, 2, 3, 4, 0.5};
    mc_dist d;
    char msg[256];
    assert_int_equal(mc_dist_discrete(&d, 5, v, w, msg, sizeof msg), 0);
    double *x = draw(&d, mc_rng_stream_id("discrete"), N);
    double m = 0.0, s2 = 0.0, mean = mc_dist_mean(&d), var = mc_dist_variance(&d);
    double mu4 = 0.0;
    for (size_t k = 0; k < 5; k++) {
        double p = w[k] / 10.5;
        mu4 += p * pow(v[k] - mean, 4.0);
        size_t hits = 0;
        for (size_t i = 0; i < N; i++)
            hits += x[i] == v[k];
        assert_near((double)hits / N, p, 4.0 * sqrt(p * (1.0 - p) / N));
    }
    for (size_t i = 0; i < N; i++)
        m += x[i];
    m /= N;
    for (size_t i = 0; i < N; i++)
        s2 += (x[i] - m) * (x[i] - m);
    s2 /= N - 1;
    assert_near(m, mean, 4.0 * sqrt(var / N));
    assert_near(s2, var, 4.0 * sqrt((mu4 - var * var) / N));
    free(x);
    mc_dist_free(&d);
}

static void discrete_values_of_weight_zero_should_never_be_drawn(void **state)
{
    (void)state;
    static const double v[] = {1.0, 2.0, 3.0}, w[] = {0.0, 1.0, 0.0};
    mc_dist d;
    assert_int_equal(mc_dist_discrete(&d, 3, v, w, NULL, 0), 0);
    double *x = draw(&d, 1, 10000);
    for (size_t i = 0; i < 10000; i++)
        assert_true(x[i] == 2.0);
    free(x);
    assert_true(mc_dist_quantile(&d, 0.0) == 2.0 && mc_dist_quantile(&d, 1.0) == 2.0);
    assert_true(mc_dist_support_lo(&d) == 2.0 && mc_dist_support_hi(&d) == 2.0);
    assert_rel(mc_dist_mean(&d), 2.0, 0.0);
    mc_dist_free(&d);
}

static void fixed_should_always_draw_its_value(void **state)
{
    (void)state;
    mc_dist d = checked(mc_dist_fixed(43536.0));
    double *x = draw(&d, 1, 1000);
    for (size_t i = 0; i < 1000; i++)
        assert_true(x[i] == 43536.0);
    free(x);
    assert_true(mc_dist_mean(&d) == 43536.0 && mc_dist_variance(&d) == 0.0);
    assert_true(mc_dist_quantile(&d, 0.3) == 43536.0);
    assert_true(mc_dist_cdf(&d, 43535.9) == 0.0 && mc_dist_cdf(&d, 43536.0) == 1.0);
    assert_true(mc_dist_support_lo(&d) == 43536.0 && mc_dist_support_hi(&d) == 43536.0);
}

/* ------------------------------------------------------------------ */
/* Truncation                                                          */

static void truncation_support_should_be_the_intersection(void **state)
{
    (void)state;
    mc_dist g = truncated(mc_dist_gamma(2.0, 1.0), -5.0, 3.0);
    assert_true(mc_dist_support_lo(&g) == 0.0 && mc_dist_support_hi(&g) == 3.0);
    mc_dist n = truncated(mc_dist_normal(0.0, 1.0), -INFINITY, 2.0);
    assert_true(mc_dist_support_lo(&n) == -(double)INFINITY && mc_dist_support_hi(&n) == 2.0);
    char msg[256];
    assert_int_equal(mc_dist_truncate(&n, 0.0, 10.0, msg, sizeof msg), 0);
    assert_true(mc_dist_support_lo(&n) == 0.0 && mc_dist_support_hi(&n) == 2.0);
    /* Truncating twice is truncating once to the intersection. */
    mc_dist once = truncated(mc_dist_normal(0.0, 1.0), 0.0, 2.0);
    for (int j = 1; j < 10; j++)
        assert_rel(mc_dist_quantile(&n, j / 10.0), mc_dist_quantile(&once, j / 10.0), 1e-15);
    assert_true(mc_dist_cdf(&n, 0.0) == 0.0 && mc_dist_cdf(&n, 2.0) == 1.0);
    assert_true(mc_dist_quantile(&n, 0.0) == 0.0 && mc_dist_quantile(&n, 1.0) == 2.0);
}

static void truncate_should_refuse_fixed_discrete_and_empty_ranges(void **state)
{
    (void)state;
    char msg[256];
    mc_dist f = checked(mc_dist_fixed(1.0));
    assert_int_equal(mc_dist_truncate(&f, 0.0, 2.0, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected a continuous distribution to truncate, found fixed");
    static const double v[] = {1.0, 2.0};
    mc_dist d;
    assert_int_equal(mc_dist_discrete(&d, 2, v, NULL, msg, sizeof msg), 0);
    assert_int_equal(mc_dist_truncate(&d, 0.0, 2.0, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected a continuous distribution to truncate, found discrete");
    mc_dist_free(&d);

    mc_dist n = checked(mc_dist_normal(0.0, 1.0));
    assert_int_equal(mc_dist_truncate(&n, 2.0, 1.0, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected truncate lo < hi, found lo = 2, hi = 1");
    assert_int_equal(mc_dist_truncate(&n, 1.0, 1.0, msg, sizeof msg), -1);
    assert_int_equal(mc_dist_truncate(&n, NAN, 1.0, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected truncate lo < hi, found lo = nan, hi = 1");
    assert_int_equal(mc_dist_truncate(&n, 40.0, 50.0, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "truncation to [40, 50] leaves no probability mass"));
    mc_dist g = checked(mc_dist_gamma(2.0, 1.0));
    assert_int_equal(mc_dist_truncate(&g, -5.0, -1.0, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "truncation to [-5, -1] leaves no probability mass"));
    assert_int_equal(mc_dist_truncate(&g, -5.0, 0.0, msg, sizeof msg), -1);
    /* A refused truncation leaves the distribution as it was. */
    assert_int_equal(n.truncated, 0);
    assert_int_equal(g.truncated, 0);
    mc_dist bad = mc_dist_normal(0.0, -1.0);
    assert_int_equal(mc_dist_truncate(&bad, 0.0, 1.0, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected sd > 0, found -1");
}

/* [6 sd, inf) holds 1e-9 of the normal: F(lo) = 1 - 1e-9 would leave ~7
 * significant digits, the upper-tail side keeps all of them.  Reference
 * values from mpmath at 40 digits: mean 6.158482604544598917, variance
 * 0.023987636789166770948, median (Q(x) = Q(6) / 2) 6.1115650618134393. */
static void truncation_deep_in_the_upper_tail_should_keep_precision(void **state)
{
    (void)state;
    mc_dist d = truncated(mc_dist_normal(0.0, 1.0), 6.0, INFINITY);
    assert_rel(mc_dist_quantile(&d, 0.5), 6.1115650618134393, 1e-13);
    assert_rel(mc_dist_cdf(&d, 6.1115650618134393), 0.5, 1e-12);
    assert_rel(mc_dist_mean(&d), 6.158482604544598917, 1e-13);
    assert_rel(mc_dist_variance(&d), 0.023987636789166770948, 1e-10);
    double m, v;
    assert_int_equal(mc_dist_moments_numeric(&d, &m, &v), 0);
    assert_rel(m, 6.158482604544598917, 1e-12);
    assert_rel(v, 0.023987636789166770948, 1e-9);

    double *x = draw(&d, 3, N);
    double s = 0.0;
    size_t distinct = 0;
    for (size_t i = 0; i < N; i++) {
        s += x[i];
        assert_true(x[i] > 6.0);
        distinct += i == 0 || x[i] != x[i - 1];
    }
    free(x);
    assert_near(s / N, mc_dist_mean(&d), 4.0 * sqrt(mc_dist_variance(&d) / N));
    assert_int_equal(distinct, N);
}

/* ------------------------------------------------------------------ */
/* Parameter checks                                                    */

struct bad_case {
    mc_dist d;
    const char *msg;
};

static void check_should_reject_each_bad_parameter_by_its_key(void **state)
{
    (void)state;
    mc_dist zero;
    memset(&zero, 0, sizeof zero);
    const struct bad_case bad[] = {
        {mc_dist_fixed(NAN), "expected a finite value, found nan"},
        {mc_dist_uniform(2.0, 1.0), "expected lo < hi, found lo = 2, hi = 1"},
        {mc_dist_uniform(-1e308, 1e308),
         "expected hi - lo finite, found lo = -1e+308, hi = 1e+308"},
        {mc_dist_uniform(-INFINITY, 1.0), "expected a finite lo, found -inf"},
        {mc_dist_normal(0.0, -1.0), "expected sd > 0, found -1"},
        {mc_dist_normal(0.0, 0.0), "expected sd > 0, found 0"},
        {mc_dist_normal(NAN, 1.0), "expected a finite mean, found nan"},
        {mc_dist_normal(0.0, INFINITY), "expected a finite sd, found inf"},
        {mc_dist_lognormal(0.0, -0.1), "expected sigma > 0, found -0.1"},
        {mc_dist_lognormal(INFINITY, 1.0), "expected a finite mu, found inf"},
        {mc_dist_triangular(0.0, 3.0, 2.0),
         "expected lo <= mode <= hi, found mode = 3 (lo = 0, hi = 2)"},
        {mc_dist_triangular(0.0, NAN, 2.0), "expected a finite mode, found nan"},
        {mc_dist_triangular(2.0, 2.0, 2.0), "expected lo < hi, found lo = 2, hi = 2"},
        {mc_dist_pert(1.0, 0.5, 2.0),
         "expected lo <= mode <= hi, found mode = 0.5 (lo = 1, hi = 2)"},
        {mc_dist_pert(1.0, 1.5, NAN), "expected a finite hi, found nan"},
        {mc_dist_beta(0.0, 1.0, 0.0, 1.0), "expected a > 0, found 0"},
        {mc_dist_beta(1.0, -2.0, 0.0, 1.0), "expected b > 0, found -2"},
        {mc_dist_beta(1.0, 1.0, 1.0, 0.0), "expected lo < hi, found lo = 1, hi = 0"},
        {mc_dist_gamma(-1.0, 1.0), "expected shape > 0, found -1"},
        {mc_dist_gamma(1.0, 0.0), "expected scale > 0, found 0"},
        {mc_dist_gamma(1.0, INFINITY), "expected a finite scale, found inf"},
        {mc_dist_loguniform(0.0, 1.0), "expected lo > 0, found 0"},
        {mc_dist_loguniform(2.0, 1.0), "expected lo < hi, found lo = 2, hi = 1"},
        {zero, "expected a distribution, found none"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char msg[256] = "";
        if (mc_dist_check(&bad[i].d, msg, sizeof msg) != -1)
            fail_msg("case %zu (%s) accepted", i, bad[i].msg);
        assert_string_equal(msg, bad[i].msg);
    }
    /* A null message buffer is allowed. */
    assert_int_equal(mc_dist_check(&bad[0].d, NULL, 0), -1);
    /* Close numbers are told apart in messages. */
    mc_dist close = mc_dist_uniform(1.0000000000000002, 1.0);
    char msg[256];
    assert_int_equal(mc_dist_check(&close, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected lo < hi, found lo = 1.0000000000000002, hi = 1");
}

static void constructors_should_reject_bad_parameters_and_leave_output_alone(void **state)
{
    (void)state;
    const mc_dist before = mc_dist_normal(5.0, 1.0);
    mc_dist d = before;
    char msg[256];
#define EXPECT_FAIL(call, text)                                             \
    do {                                                                    \
        assert_int_equal((call), -1);                                       \
        assert_string_equal(msg, (text));                                   \
        assert_true(d.type == before.type && d.p[0] == before.p[0]          \
                    && d.values == NULL);                                   \
    } while (0)
    EXPECT_FAIL(mc_dist_lognormal_median(&d, -1.0, 0.5, msg, sizeof msg),
                "expected median > 0, found -1");
    EXPECT_FAIL(mc_dist_lognormal_median(&d, 2.0, -0.1, msg, sizeof msg),
                "expected sigma > 0, found -0.1");
    EXPECT_FAIL(mc_dist_lognormal_median(&d, NAN, 0.5, msg, sizeof msg),
                "expected a finite median, found nan");
    EXPECT_FAIL(mc_dist_lognormal_interval(&d, 4.0, 1.2, msg, sizeof msg),
                "expected p05 < p95, found p05 = 4, p95 = 1.2");
    EXPECT_FAIL(mc_dist_lognormal_interval(&d, 2.0, 2.0, msg, sizeof msg),
                "expected p05 < p95, found p05 = 2, p95 = 2");
    EXPECT_FAIL(mc_dist_lognormal_interval(&d, 0.0, 4.0, msg, sizeof msg),
                "expected p05 > 0, found 0");
    EXPECT_FAIL(mc_dist_lognormal_interval(&d, 1.0, INFINITY, msg, sizeof msg),
                "expected a finite p95, found inf");

    static const double v[] = {1.0, 2.0, 3.0}, vnan[] = {NAN, 1.0};
    static const double wneg[] = {1.0, -1.0, 1.0}, wzero[] = {0.0, 0.0, 0.0};
    static const double winf[] = {INFINITY, 1.0, 1.0};
    EXPECT_FAIL(mc_dist_discrete(&d, 0, v, NULL, msg, sizeof msg),
                "expected at least one value in values, found 0");
    EXPECT_FAIL(mc_dist_discrete(&d, 2, vnan, NULL, msg, sizeof msg),
                "expected finite values, found values[0] = nan");
    EXPECT_FAIL(mc_dist_discrete(&d, 3, v, wneg, msg, sizeof msg),
                "expected weights >= 0, found weights[1] = -1");
    EXPECT_FAIL(mc_dist_discrete(&d, 3, v, wzero, msg, sizeof msg),
                "expected weights with a positive finite sum, found 0");
    EXPECT_FAIL(mc_dist_discrete(&d, 3, v, winf, msg, sizeof msg),
                "expected finite weights, found weights[0] = inf");
#undef EXPECT_FAIL
}

/* ------------------------------------------------------------------ */
/* Ownership and reproducibility                                       */

static void copy_should_be_independent_and_free_should_be_repeatable(void **state)
{
    (void)state;
    static const double v[] = {1.0, 2.0, 3.0};
    mc_dist d, c;
    assert_int_equal(mc_dist_discrete(&d, 3, v, NULL, NULL, 0), 0);
    assert_int_equal(mc_dist_copy(&c, &d), 0);
    assert_true(c.values != d.values && c.cum != d.cum);
    mc_dist_free(&d);
    mc_dist_free(&d);
    assert_null(d.values);
    assert_rel(mc_dist_mean(&c), 2.0, 1e-15);
    assert_true(mc_dist_quantile(&c, 0.9) == 3.0);
    mc_dist_free(&c);

    mc_dist zero;
    memset(&zero, 0, sizeof zero);
    mc_dist_free(&zero);
    mc_dist n = truncated(mc_dist_normal(0.0, 1.0), 0.0, 1.0), nc;
    assert_int_equal(mc_dist_copy(&nc, &n), 0);
    assert_true(mc_dist_quantile(&nc, 0.3) == mc_dist_quantile(&n, 0.3));
    mc_dist_free(&n);
}

/* A generator whose first output is 0, then 1/2 ever after: the
 * inversion samplers must skip the 0 (gsl_rng_uniform_pos), which would
 * give exactly the lower bound, or -inf. */
static unsigned long zero_first_get(void *vs)
{
    unsigned long *n = vs;
    return (*n)++ == 0 ? 0ul : 0x80000000ul;
}

static double zero_first_get_double(void *vs)
{
    return (double)zero_first_get(vs) / 4294967296.0;
}

static void zero_first_set(void *vs, unsigned long s)
{
    (void)s;
    *(unsigned long *)vs = 0;
}

static const gsl_rng_type zero_first_type = {
    "zero_first", 0xfffffffful, 0, sizeof(unsigned long),
    zero_first_set, zero_first_get, zero_first_get_double
};

static void inversion_draws_should_skip_a_zero_uniform(void **state)
{
    (void)state;
    const mc_dist ds[] = {
        truncated(mc_dist_normal(0.0, 1.0), -INFINITY, 0.0),
        truncated(mc_dist_gamma(2.5, 2.0), 1.0, 8.0),
        checked(mc_dist_triangular(0.0, 1.0, 2.0)),
        checked(mc_dist_loguniform(1.0, 10.0)),
    };
    gsl_rng *r = gsl_rng_alloc(&zero_first_type);
    assert_non_null(r);
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
        gsl_rng_set(r, 0);
        double x = mc_dist_sample(&ds[k], r);
        assert_true(isfinite(x));
        assert_true(x > mc_dist_support_lo(&ds[k]));
        assert_rel(x, mc_dist_quantile(&ds[k], 0.5), 1e-15);
    }
    gsl_rng_free(r);
}

/* A draw is a function of (seed, stream, sample) only: the same index
 * gives the same value whatever was drawn before. */
static void draws_should_depend_only_on_seed_stream_and_sample(void **state)
{
    (void)state;
    mc_dist d = checked(mc_dist_gamma(2.5, 2.0));
    mc_dist t = truncated(mc_dist_pert(0.45, 0.8, 1.05), 0.6, 1.0);
    gsl_rng *r = mc_rng_alloc();
    mc_rng_seek(r, SEED, 9, 123);
    double a = mc_dist_sample(&d, r), at = mc_dist_sample(&t, r);
    for (int i = 0; i < 50; i++)
        (void)mc_dist_sample(&d, r);
    mc_rng_seek(r, SEED, 9, 123);
    assert_true(mc_dist_sample(&d, r) == a);
    assert_true(mc_dist_sample(&t, r) == at);
    mc_rng_seek(r, SEED, 9, 124);
    assert_true(mc_dist_sample(&d, r) != a);
    gsl_rng_free(r);
}

/* ------------------------------------------------------------------ */

#define CASE_TEST(prefix, fn, i)                                            \
    { prefix, fn, NULL, NULL, &cases[i] }

static double clock_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The beta quantile by Halley's iteration (mc_dist_beta_inverse_)
 * against gsl_cdf_beta_Pinv: within 1e-10 over shapes from 0.5 to 20
 * (PERT's included) and probabilities from 1e-10 to 0.5, converging
 * everywhere there (no NaN: GSL's slower inverse is only a fall-back);
 * and how much faster it is, printed. */
static void beta_quantile_should_match_gsl_to_1e_10(void **state)
{
    (void)state;
    static const double shapes[] = {0.5, 0.9, 1.0, 1.5, 2.2, 2.6, 3.4, 5.0,
                                     20.0};
    static const double ts[] = {1e-10, 1e-6, 1e-3, 0.01, 0.05, 0.1, 0.25,
                                0.4, 0.5};
    double worst = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (size_t j = 0; j < sizeof shapes / sizeof shapes[0]; j++)
            for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++) {
                double a = shapes[i], b = shapes[j], t = ts[k];
                double got = mc_dist_beta_inverse_(a, b, t);
                double want = gsl_cdf_beta_Pinv(t, a, b);
                if (isnan(got) || fabs(got - want) > 1e-10)
                    fail_msg("a %g, b %g, t %g: %.17g, GSL %.17g", a, b, t,
                             got, want);
                worst = fmax(worst, fabs(got - want));
            }
    double n = 20000, sum = 0, t0 = clock_s();
    for (int i = 0; i < (int)n; i++)
        sum += mc_dist_beta_inverse_(2.2, 3.4, (i + 0.5) / n);
    double t1 = clock_s();
    for (int i = 0; i < (int)n; i++)
        sum += gsl_cdf_beta_Pinv((i + 0.5) / n, 2.2, 3.4);
    double t2 = clock_s();
    print_message("beta quantile: largest difference from GSL %.2g; %.0f ns "
                  "a call against GSL's %.0f ns (%g)\n", worst,
                  (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9, sum);
}

/* ------------------------------------------------------------------ */
/* Extreme parameters (issue 13): the limits, and the closed forms    */
/* where the usual expressions overflow or underflow.  Expected       */
/* values by hand, or by mpmath at 40 digits where noted.             */

static void check_message(mc_dist d, const char *start)
{
    char msg[512] = "";
    if (mc_dist_check(&d, msg, sizeof msg) != -1)
        fail_msg("accepted, expected '%s...'", start);
    if (strncmp(msg, start, strlen(start)) != 0)
        fail_msg("message '%s', expected it to start '%s'", msg, start);
}

static void shapes_should_be_held_to_1e_3_to_1e4(void **state)
{
    (void)state;
    check_message(mc_dist_beta(1e-4, 2.0, 0.0, 1.0),
                  "expected a >= 0.001, found 0.0001: below it GSL's "
                  "incomplete beta loses");
    check_message(mc_dist_beta(2.0, 2e4, 0.0, 1.0),
                  "expected b <= 10000, found 20000: above it GSL's "
                  "incomplete beta stops");
    check_message(mc_dist_gamma(9e-4, 1.0),
                  "expected shape >= 0.001, found 0.0009: below it more than "
                  "half the draws");
    check_message(mc_dist_gamma(1e300, 1.0),
                  "expected shape <= 10000, found 1e+300: above it GSL's "
                  "incomplete gamma loses digits");
    check_message(mc_dist_gamma(1.0, 0.0), "expected scale > 0, found 0");
    (void)checked(mc_dist_beta(1e-3, 1e4, 0.0, 1.0));
    (void)checked(mc_dist_gamma(1e4, 1e-300));
    (void)checked(mc_dist_gamma(1e-3, 1e300));
}

static void reach_should_be_where_the_draws_end(void **state)
{
    (void)state;
    double lo, hi;
    mc_dist n = checked(mc_dist_normal(0.0, 1.0));
    mc_dist_reach(&n, &lo, &hi);
    /* Phi^-1(1e-24), mpmath */
    assert_rel(lo, -10.199157424513418817, 1e-12);
    assert_rel(hi, 10.199157424513418817, 1e-12);
    /* 1 +- 10.2 x 1e-300 is 1: every draw is 1 */
    mc_dist point = checked(mc_dist_normal(1.0, 1e-300));
    mc_dist_reach(&point, &lo, &hi);
    assert_true(lo == 1.0 && hi == 1.0);
    /* sigma 1e24 below 1e-8: all the mass but 1e-21 under 1e-300, and
       the draws (u up to 1 - 2^-53) never reach the rest */
    mc_dist wide = truncated(mc_dist_lognormal(0.0, 1e24), 0.0, 1e-8);
    mc_dist_reach(&wide, &lo, &hi);
    assert_true(lo == 0.0 && hi == 0.0);
    static const double v[] = {2.0, 1.0};
    mc_dist d;
    assert_int_equal(mc_dist_discrete(&d, 2, v, NULL, NULL, 0), 0);
    mc_dist_reach(&d, &lo, &hi);
    assert_true(lo == 1.0 && hi == 2.0);
    mc_dist_free(&d);
}

static void discrete_weights_below_2_32_of_the_sum_should_be_refused(void **state)
{
    (void)state;
    static const double v[] = {1.0, 2.0}, tiny[] = {1.0, 1e-12};
    static const double small[] = {1.0, 0x1p-31}, zero[] = {0.0, 1.0};
    mc_dist d;
    char msg[512];
    assert_int_equal(mc_dist_discrete(&d, 2, v, tiny, msg, sizeof msg), -1);
    assert_string_equal(msg, "expected each weight 0 or at least 2^-32 = "
                        "2.3e-10 of their sum (the 32-bit uniforms that draw "
                        "a value resolve no finer), found weights[1] = "
                        "1e-12, a share of 9.99999999999e-13; make it 0 or "
                        "larger");
    assert_int_equal(mc_dist_discrete(&d, 2, v, small, msg, sizeof msg), 0);
    mc_dist_free(&d);
    assert_int_equal(mc_dist_discrete(&d, 2, v, zero, msg, sizeof msg), 0);
    mc_dist_free(&d);
}

static void moments_should_stay_finite_where_they_are(void **state)
{
    (void)state;
    /* e^(2 mu + 2 s^2) (1 - e^-s^2) = e^0 (1 - e^-900) = 1; expm1(900)
       overflows */
    mc_dist ln = checked(mc_dist_lognormal(-900.0, 30.0));
    assert_rel(mc_dist_variance(&ln), 1.0, 1e-12);
    assert_rel(mc_dist_mean(&ln), 3.6938830684872562188e-196, 1e-12);
    /* lo^2 = 1e-320 is subnormal: mpmath */
    mc_dist lu = checked(mc_dist_loguniform(1e-160, 1e-10));
    assert_rel(mc_dist_variance(&lu), 1.439265530921434362e-23, 1e-12);
    assert_rel(mc_dist_mean(&lu), 2.895296546021678851e-13, 1e-12);
    /* a width whose square overflows: (2e154)^2 / 12 */
    mc_dist u = checked(mc_dist_uniform(-1e154, 1e154));
    assert_rel(mc_dist_variance(&u), 4e307 / 1.2, 1e-15);
    mc_dist b = checked(mc_dist_beta(2.0, 2.0, -1e154, 1e154));
    assert_rel(mc_dist_variance(&b), 2e307, 1e-14);    /* w^2 4 / (16 5) */
    /* (a^2 + b^2 - a b) / 18 with a = 1e154, b = 2e154 */
    mc_dist t = checked(mc_dist_triangular(0.0, 1e154, 2e154));
    assert_rel(mc_dist_variance(&t), 3e307 / 1.8, 1e-14);
    /* three points whose sum overflows: (1 + 1.2 + 1.5) e308 / 3 */
    mc_dist big = checked(mc_dist_triangular(1e308, 1.2e308, 1.5e308));
    assert_rel(mc_dist_mean(&big), 3.7e307 / 0.3, 1e-15);
    /* a PERT whose range nears DBL_MAX: 4 (hi - mode) overflows, the
       shapes (1 and 5 here) must not (the fuzzer found GSL's inverse
       looping on an infinite shape); quantile and mean by hand: the
       beta(1, 5) quantile of u is 1 - (1 - u)^(1/5) */
    mc_dist wide = checked(mc_dist_pert(0.45, 0.8, 1.051e308));
    double q = mc_dist_quantile(&wide, 0.5);
    assert_rel(q, 1.051e308 * (1.0 - pow(0.5, 0.2)), 1e-12);
    assert_rel(mc_dist_mean(&wide), 1.051e308 / 6.0, 1e-12);
    /* a loguniform three ulps wide: the mean inside */
    mc_dist nar = checked(mc_dist_loguniform(1e5, 100000.00000000004));
    assert_true(mc_dist_mean(&nar) >= 1e5
                && mc_dist_mean(&nar) <= 100000.00000000004);
}

static void truncated_moments_should_survive_underflow_and_overflow(void **state)
{
    (void)state;
    /* [1, inf) of lognormal(0, 20): 2 e^200 Phi(20) (mpmath); E X^2 =
       2 e^800 overflows, and so does the variance */
    mc_dist a = truncated(mc_dist_lognormal(0.0, 20.0), 1.0, INFINITY);
    assert_rel(mc_dist_mean(&a), 1.4451947536251498516e87, 1e-12);
    assert_true(isinf(mc_dist_variance(&a)));
    /* (0, 1e-8] of lognormal(0, 100): Phi(b - s) underflows (mpmath) */
    mc_dist c = truncated(mc_dist_lognormal(0.0, 100.0), 0.0, 1e-8);
    assert_rel(mc_dist_mean(&c), 9.1695297325396754344e-11, 1e-9);
    assert_rel(mc_dist_variance(&c), 4.5052460344911663999e-19, 1e-9);
    /* truncated uniform: the uniform on the range */
    mc_dist u = truncated(mc_dist_uniform(0.0, 1e300), 1.0, 1e300);
    assert_rel(mc_dist_mean(&u), 5e299, 1e-15);
    assert_true(isinf(mc_dist_variance(&u)));
    /* one ulp of 1e5 wide (a mass of 5.8e-12): the quartiles round to
       one double, the mean lies in the range, the variance within the
       resolution there, the range's width squared (the exact ulp^2 / 12
       is below what the two values the quantile takes can tell) */
    double hi = nextafter(1e5, INFINITY);
    mc_dist n = truncated(mc_dist_normal(1e5, 1.0), 1e5, hi);
    double m = mc_dist_mean(&n), v = mc_dist_variance(&n);
    assert_true(m >= 1e5 && m <= hi);
    assert_true(v >= 0.0 && v <= (hi - 1e5) * (hi - 1e5));
}

static void triangular_quantiles_should_hold_at_extreme_widths(void **state)
{
    (void)state;
    /* lo + sqrt(u w (m - lo)) = sqrt(0.125 x 2e154 x 1e154) = 5e153 */
    mc_dist wide = checked(mc_dist_triangular(0.0, 1e154, 2e154));
    assert_rel(mc_dist_quantile(&wide, 0.125), 5e153, 1e-14);
    assert_rel(mc_dist_quantile(&wide, 0.875), 1.5e154, 1e-14);
    assert_rel(mc_dist_quantile(&wide, 0.5), 1e154, 1e-14);
    /* hi - sqrt((1 - u) w (hi - m)) = 2e-300 - 0.9e-300, mode at lo */
    mc_dist narrow = checked(mc_dist_triangular(1e-300, 1e-300, 2e-300));
    assert_rel(mc_dist_quantile(&narrow, 0.19), 1.1e-300, 1e-14);
    assert_rel(mc_dist_quantile(&narrow, 0.64), 1.4e-300, 1e-14);
}

/* mc_dist_same: the same type, parameters and truncation draw alike; a
 * copy is the same; any parameter, the truncation, a discrete value or
 * weight, or the type apart is not. */
static void same_should_mean_same_draws(void **state)
{
    (void)state;
    char msg[256];
    mc_dist a = mc_dist_normal(1.0, 2.0), b = mc_dist_normal(1.0, 2.0);
    assert_true(mc_dist_same(&a, &b));
    b = mc_dist_normal(1.0, 2.5);
    assert_false(mc_dist_same(&a, &b));
    b = mc_dist_lognormal(1.0, 2.0);
    assert_false(mc_dist_same(&a, &b));
    b = mc_dist_normal(1.0, 2.0);
    assert_int_equal(mc_dist_truncate(&b, 0.0, 5.0, msg, sizeof msg), 0);
    assert_false(mc_dist_same(&a, &b));
    assert_int_equal(mc_dist_truncate(&a, 0.0, 5.0, msg, sizeof msg), 0);
    assert_true(mc_dist_same(&a, &b));
    b = mc_dist_normal(1.0, 2.0);
    assert_int_equal(mc_dist_truncate(&b, 0.0, 6.0, msg, sizeof msg), 0);
    assert_false(mc_dist_same(&a, &b));
    mc_dist f = mc_dist_fixed(1.057), g = mc_dist_fixed(0.55);
    assert_false(mc_dist_same(&f, &g));
    g = mc_dist_fixed(1.057);
    assert_true(mc_dist_same(&f, &g));
    const double v[3] = {1, 2, 3}, w[3] = {1, 1, 2}, w2[3] = {1, 2, 1};
    mc_dist d, e, c;
    assert_int_equal(mc_dist_discrete(&d, 3, v, w, msg, sizeof msg), 0);
    assert_int_equal(mc_dist_discrete(&e, 3, v, w2, msg, sizeof msg), 0);
    assert_int_equal(mc_dist_copy(&c, &d), 0);
    assert_true(mc_dist_same(&d, &c));
    assert_false(mc_dist_same(&d, &e));
    mc_dist_free(&d);
    mc_dist_free(&e);
    mc_dist_free(&c);
}

int main(void)
{
    gsl_set_error_handler_off();
    setup_cases(NULL);

    /* One statistical test and one inversion test per case, named after
       the case; the quadrature against closed forms for the cases that
       have one. */
    static char names[3][NCASES][128];
    struct CMUnitTest tests[3 * NCASES + 32];
    size_t nt = 0;
    for (size_t i = 0; i < NCASES; i++) {
        snprintf(names[0][i], sizeof names[0][i],
                 "%s_sample_should_match_moments_quantiles_and_support",
                 cases[i].label);
        tests[nt++] = (struct CMUnitTest)CASE_TEST(names[0][i],
            sample_should_match_moments_quantiles_and_support, i);
        snprintf(names[1][i], sizeof names[1][i],
                 "%s_quantile_should_invert_cdf_to_1e-9", cases[i].label);
        tests[nt++] = (struct CMUnitTest)CASE_TEST(names[1][i],
            quantile_should_invert_cdf_over_a_grid, i);
        /* Closed forms: every untruncated type, and truncated uniform,
           normal and lognormal. */
        const mc_dist *d = &cases[i].d;
        if (!d->truncated || d->type == mc_dist_type_find("normal")
            || d->type == mc_dist_type_find("lognormal")
            || d->type == mc_dist_type_find("uniform")) {
            snprintf(names[2][i], sizeof names[2][i],
                     "%s_numeric_moments_should_match_closed_forms",
                     cases[i].label);
            tests[nt++] = (struct CMUnitTest)CASE_TEST(names[2][i],
                numeric_moments_should_match_closed_forms, i);
        }
    }
    const struct CMUnitTest fixed_tests[] = {
        cmocka_unit_test(every_type_should_be_found_by_name),
        cmocka_unit_test(type_table_should_describe_scenario_keys),
        cmocka_unit_test(triangular_0_1_2_should_have_mean_1_and_variance_one_sixth),
        cmocka_unit_test(pert_should_be_the_lambda_4_beta_with_the_classic_mean),
        cmocka_unit_test(lognormal_interval_should_hit_its_5_and_95_points),
        cmocka_unit_test(lognormal_median_should_hit_its_median),
        cmocka_unit_test(closed_form_values_should_be_reproduced),
        cmocka_unit_test(quantile_should_survive_shapes_where_gsl_inverse_fails),
        cmocka_unit_test(discrete_should_sort_values_and_sum_weights),
        cmocka_unit_test(discrete_frequencies_should_match_weights),
        cmocka_unit_test(discrete_values_of_weight_zero_should_never_be_drawn),
        cmocka_unit_test(fixed_should_always_draw_its_value),
        cmocka_unit_test(truncation_support_should_be_the_intersection),
        cmocka_unit_test(truncate_should_refuse_fixed_discrete_and_empty_ranges),
        cmocka_unit_test(truncation_deep_in_the_upper_tail_should_keep_precision),
        cmocka_unit_test(check_should_reject_each_bad_parameter_by_its_key),
        cmocka_unit_test(constructors_should_reject_bad_parameters_and_leave_output_alone),
        cmocka_unit_test(copy_should_be_independent_and_free_should_be_repeatable),
        cmocka_unit_test(draws_should_depend_only_on_seed_stream_and_sample),
        cmocka_unit_test(inversion_draws_should_skip_a_zero_uniform),
        cmocka_unit_test(beta_quantile_should_match_gsl_to_1e_10),
        cmocka_unit_test(shapes_should_be_held_to_1e_3_to_1e4),
        cmocka_unit_test(reach_should_be_where_the_draws_end),
        cmocka_unit_test(discrete_weights_below_2_32_of_the_sum_should_be_refused),
        cmocka_unit_test(moments_should_stay_finite_where_they_are),
        cmocka_unit_test(truncated_moments_should_survive_underflow_and_overflow),
        cmocka_unit_test(triangular_quantiles_should_hold_at_extreme_widths),
        cmocka_unit_test(same_should_mean_same_draws),
    };
    for (size_t i = 0; i < sizeof fixed_tests / sizeof fixed_tests[0]; i++)
        tests[nt++] = fixed_tests[i];
    return _cmocka_run_group_tests("test_dist", tests, nt, NULL, NULL);
}
