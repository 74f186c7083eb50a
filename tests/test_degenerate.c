/* test_degenerate.c: every distribution over its whole parameter space,
 * through the real loader and the engine's samplers (issue 13,
 * "Degenerate numbers"), and a growth too small for a normal double.
 *
 * Each case is one input of a small scenario (every other input fixed at
 * its reported value) replaced by a distribution whose parameters run,
 * log-spaced, from the smallest subnormal (4.9e-324) to 1e300, negative
 * too where a parameter may be: one parameter at a time around ordinary
 * values, then together; each without truncation and with five
 * truncation windows; each on one of four inputs whose domains differ
 * (representativeness > 0, overhead >= 1, monthly_growth > -1,
 * gpu_hour_usd >= 0).  A case passes when either
 *   - the loader refuses it, with a message "expected ..., found ..." at
 *     a JSON path inside the input, or at $.inputs for the model's
 *     products (check_derived: training over inference overflowing); or
 *   - the loader accepts it, and 1,000 random and 1,000 Latin hypercube
 *     draws made by mc_engine_samples, plus the quantiles at the extreme
 *     probabilities a design or the copula can use, are finite and inside
 *     the input's domain (> 0 also meaning a normal double, as the loader
 *     promises) and not all one value (unless fixed: one value is to be
 *     refused), no output of the model is NaN, and a continuous
 *     distribution's quantile inverts its cdf at seven probabilities (to
 *     1e-6 relative in the tails, 1e-11 absolute in the body, plus the
 *     resolution of a truncation's map; in x, to 4 ulps of the support,
 *     of x |log x| for a cdf through log x, anywhere in [0, 2x] for a
 *     subnormal x), and its mean and variance are numbers, the mean inside
 *     the support (but for the one gap mc_dist.h documents);
 * and either way the load took under a second.  Each case runs in a child
 * process under alarm(5): one that does not end fails by name (loads take
 * milliseconds; the alarm is there for endless loops, as GSL's beta
 * inverse had: with the shape limits lifted, 29 cases time out).  The
 * counts per distribution, refused and accepted, are printed.
 *
 * Then the growth: for |m| from 5e-324 to 1e-300, either sign, the
 * model's break-even days and multipliers and the engine's curve equal
 * growth 0's to 1e-12 relative. */
#define _DEFAULT_SOURCE         /* MAP_ANONYMOUS */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "mc_engine.h"
#include "mc_model.h"
#include "mc_rng.h"
#include "mc_scenario.h"

/* A version-1 scenario's curve: its four multipliers (mc_layout_v1), and
 * their break-even days. */
#define MC_NCURVE 4

#define CASE_SECONDS 5      /* a hang detector, not a speed test */
#define LOAD_SECONDS 1.0    /* the bound on any load decision */
#define DRAWS 1000          /* per design: random, then Latin hypercube */
#define MAX_CASES 32768

/* ------------------------------------------------------------------ */
/* The cases                                                           */
/* ------------------------------------------------------------------ */

static const char *const families[] = {
    "fixed", "uniform", "normal", "lognormal", "triangular", "pert",
    "beta", "gamma", "loguniform", "discrete"};
enum { FIXED, UNIFORM, NORMAL, LOGNORMAL, TRIANGULAR, PERT, BETA, GAMMA,
       LOGUNIFORM, DISCRETE, N_FAMILIES };

static const int targets[] = {MC_IN_REPRESENTATIVENESS, MC_IN_OVERHEAD,
                              MC_IN_MONTHLY_GROWTH, MC_IN_GPU_HOUR_USD};
enum { N_TARGETS = sizeof targets / sizeof targets[0] };

/* No truncation, the window, the default growth's, overhead's
 * one-sided one, a window over nearly every positive double, and one
 * below 1e-8. */
static const char *const windows[] = {
    NULL, "{\"lo\": 0.6, \"hi\": 1.4}", "{\"lo\": -0.2, \"hi\": 0.25}",
    "{\"lo\": 1}", "{\"lo\": 1e-300, \"hi\": 1e300}", "{\"hi\": 1e-8}"};
enum { N_WINDOWS = sizeof windows / sizeof windows[0] };

typedef struct dcase {
    int family, target;
    char label[512];
    char json[400];         /* the input's value */
} dcase;

static dcase *cases;
static size_t n_cases, n_params;

/* The magnitudes: log-spaced from the smallest subnormal to 1e300, denser
 * around 1 and at the shape limits, with DBL_MIN. */
static const double mags[] = {
    4.9406564584124654e-324, 1e-320, 1e-310, 2.2250738585072014e-308,
    1e-300, 1e-250, 1e-200, 1e-150, 1e-100, 1e-50, 1e-24, 1e-16, 1e-8,
    1e-4, 1e-3, 0.05, 0.5, 1.0, 2.0, 10.0, 1e4, 1e5, 1e8, 1e16, 1e24,
    1e50, 1e100, 1e150, 1e200, 1e250, 1e300};
enum { N_MAGS = sizeof mags / sizeof mags[0] };

/* A JSON number that reads back as x. */
static const char *num(char *buf, double x)
{
    snprintf(buf, 32, "%.17g", x);
    return buf;
}

/* One parameter set of a continuous family, with every window; the
 * target turns with the parameter set and the window so that each set
 * meets several domains. */
static void add_continuous(int family, const char *params)
{
    for (int w = 0; w < N_WINDOWS; w++) {
        assert_true(n_cases < MAX_CASES);
        dcase *c = &cases[n_cases++];
        c->family = family;
        c->target = (int)((n_params + (size_t)w) % N_TARGETS);
        if (windows[w] == NULL)
            snprintf(c->json, sizeof c->json, "{\"dist\": \"%s\", %s}",
                     families[family], params);
        else
            snprintf(c->json, sizeof c->json,
                     "{\"dist\": \"%s\", %s, \"truncate\": %s}",
                     families[family], params, windows[w]);
        snprintf(c->label, sizeof c->label, "%s on %s", c->json,
                 mc_input_infos[targets[c->target]].name);
    }
    n_params++;
}

/* A fixed or discrete input (not truncatable): on every target. */
static void add_each_target(int family, const char *json)
{
    for (int t = 0; t < N_TARGETS; t++) {
        assert_true(n_cases < MAX_CASES);
        dcase *c = &cases[n_cases++];
        c->family = family;
        c->target = t;
        snprintf(c->json, sizeof c->json, "%s", json);
        snprintf(c->label, sizeof c->label, "%s on %s", json,
                 mc_input_infos[targets[t]].name);
    }
}

/* Two parameters (named a and b), each over +-mags one at a time around
 * (a0, b0) (negative only where signed), then together: (x, x), (x, 2x),
 * (-x, x), (x, the next double). */
static void add_pairs(int family, const char *a, const char *b, double a0,
                      double b0, int a_signed, int b_signed)
{
    char p[300], x1[32], x2[32];
    for (int i = 0; i < N_MAGS; i++)
        for (int s = 0; s <= 1; s++) {
            double x = s ? -mags[i] : mags[i];
            if (s && !a_signed && !b_signed)
                continue;
            if (!s || a_signed) {
                snprintf(p, sizeof p, "\"%s\": %s, \"%s\": %s", a,
                         num(x1, x), b, num(x2, b0));
                add_continuous(family, p);
            }
            if (!s || b_signed) {
                snprintf(p, sizeof p, "\"%s\": %s, \"%s\": %s", a,
                         num(x1, a0), b, num(x2, x));
                add_continuous(family, p);
            }
        }
    for (int i = 0; i < N_MAGS; i++) {
        double x = mags[i];
        const double pair[][2] = {{x, x}, {x, 2.0 * x},
                                  {-x, x}, {x, nextafter(x, INFINITY)}};
        for (size_t k = 0; k < 4; k++) {
            if ((k == 2 && !a_signed) || !isfinite(pair[k][1]))
                continue;
            snprintf(p, sizeof p, "\"%s\": %s, \"%s\": %s", a,
                     num(x1, pair[k][0]), b, num(x2, pair[k][1]));
            add_continuous(family, p);
        }
    }
}

/* lo, mode, hi: the three at x, x + w/2, x + w (and the mode at either
 * end) for x over +-mags and w over mags, one at a time, and the three
 * adjacent doubles. */
static void add_lo_mode_hi(int family)
{
    char p[300], a[32], b[32], c[32];
    for (int i = 0; i < N_MAGS; i++)
        for (int s = -1; s <= 1; s += 2) {
            double x = s * mags[i];
            const double w[] = {1.0, mags[i]};
            for (size_t k = 0; k < 2; k++) {
                double hi = x + w[k];
                if (!(hi > x) || !isfinite(hi))
                    continue;
                const double modes[] = {x, x + 0.5 * w[k], hi};
                for (size_t m = 0; m < 3; m++) {
                    snprintf(p, sizeof p,
                             "\"lo\": %s, \"mode\": %s, \"hi\": %s",
                             num(a, x), num(b, modes[m]), num(c, hi));
                    add_continuous(family, p);
                }
            }
            double n1 = nextafter(x, INFINITY), n2 = nextafter(n1, INFINITY);
            snprintf(p, sizeof p, "\"lo\": %s, \"mode\": %s, \"hi\": %s",
                     num(a, x), num(b, n1), num(c, n2));
            add_continuous(family, p);
        }
    for (int i = 0; i < N_MAGS; i++) {
        snprintf(p, sizeof p, "\"lo\": 0.5, \"mode\": 1, \"hi\": %s",
                 num(c, 1.0 + mags[i]));
        add_continuous(family, p);
    }
}

static void add_fixed(void)
{
    char j[100], x[32];
    add_each_target(FIXED, "0");
    for (int i = 0; i < N_MAGS; i++)
        for (int s = -1; s <= 1; s += 2) {
            snprintf(j, sizeof j, "{\"value\": %s}", num(x, s * mags[i]));
            add_each_target(FIXED, j);
        }
    add_each_target(FIXED, "{\"dist\": \"fixed\", \"value\": 1, "
                       "\"truncate\": {\"lo\": 0.5}}");
}

static void add_lognormal(void)
{
    char p[300], a[32], b[32];
    add_pairs(LOGNORMAL, "mu", "sigma", 0.0, 1.0, 1, 0);
    for (int i = 0; i < N_MAGS; i++) {
        snprintf(p, sizeof p, "\"median\": %s, \"sigma\": 0.5",
                 num(a, mags[i]));
        add_continuous(LOGNORMAL, p);
        snprintf(p, sizeof p, "\"median\": 1, \"sigma\": %s",
                 num(a, mags[i]));
        add_continuous(LOGNORMAL, p);
        const double p95[] = {2.0 * mags[i], nextafter(mags[i], INFINITY),
                              1e300};
        for (size_t k = 0; k < 3; k++) {
            if (!isfinite(p95[k]) || !(p95[k] > mags[i]))
                continue;
            snprintf(p, sizeof p, "\"p05\": %s, \"p95\": %s",
                     num(a, mags[i]), num(b, p95[k]));
            add_continuous(LOGNORMAL, p);
        }
    }
}

static void add_beta(void)
{
    char p[300], a[32], b[32];
    /* shapes on the issue's [0.5, 1.5], then the range with shapes 2 */
    for (int i = 0; i < N_MAGS; i++) {
        const double ab[][2] = {{mags[i], 2.0}, {2.0, mags[i]},
                                {mags[i], mags[i]}, {mags[i], 0.5}};
        for (size_t k = 0; k < 4; k++) {
            snprintf(p, sizeof p, "\"a\": %s, \"b\": %s, \"lo\": 0.5, "
                     "\"hi\": 1.5", num(a, ab[k][0]), num(b, ab[k][1]));
            add_continuous(BETA, p);
        }
    }
    for (int i = 0; i < N_MAGS; i++)
        for (int s = -1; s <= 1; s += 2) {
            double x = s * mags[i], hi[] = {x + 1.0, x + mags[i]};
            for (size_t k = 0; k < 2; k++) {
                if (!(hi[k] > x) || !isfinite(hi[k]))
                    continue;
                snprintf(p, sizeof p, "\"a\": 2, \"b\": 2, \"lo\": %s, "
                         "\"hi\": %s", num(a, x), num(b, hi[k]));
                add_continuous(BETA, p);
            }
        }
}

static void add_discrete(void)
{
    char j[300], a[32], b[32];
    for (int i = 0; i < N_MAGS; i++) {
        double x = mags[i];
        snprintf(j, sizeof j, "{\"dist\": \"discrete\", \"values\": [%s, %s]}",
                 num(a, x), num(b, 2.0 * x));
        add_each_target(DISCRETE, j);
        snprintf(j, sizeof j, "{\"dist\": \"discrete\", \"values\": [%s, %s]}",
                 num(a, -x), num(b, x));
        add_each_target(DISCRETE, j);
        snprintf(j, sizeof j, "{\"dist\": \"discrete\", \"values\": [%s, %s]}",
                 num(a, x), num(b, nextafter(x, INFINITY)));
        add_each_target(DISCRETE, j);
        snprintf(j, sizeof j, "{\"dist\": \"discrete\", \"values\": [%s]}",
                 num(a, x));
        add_each_target(DISCRETE, j);
        snprintf(j, sizeof j, "{\"dist\": \"discrete\", \"values\": [1, 2], "
                 "\"weights\": [%s, 1]}", num(a, x));
        add_each_target(DISCRETE, j);
    }
    add_each_target(DISCRETE, "{\"dist\": \"discrete\", \"values\": [1, 2], "
                       "\"weights\": [0, 1]}");
    add_each_target(DISCRETE, "{\"dist\": \"discrete\", \"values\": [1, 2], "
                       "\"weights\": [1e308, 1e308]}");
    add_each_target(DISCRETE, "{\"dist\": \"discrete\", \"values\": [1, 2], "
                       "\"truncate\": {\"lo\": 1}}");
}

static void make_cases(void)
{
    cases = calloc(MAX_CASES, sizeof *cases);
    assert_non_null(cases);
    n_cases = n_params = 0;
    add_fixed();
    add_pairs(UNIFORM, "lo", "hi", 0.5, 1.5, 1, 1);
    add_pairs(NORMAL, "mean", "sd", 1.0, 0.1, 1, 0);
    add_lognormal();
    add_lo_mode_hi(TRIANGULAR);
    add_lo_mode_hi(PERT);
    add_beta();
    add_pairs(GAMMA, "shape", "scale", 2.0, 100.0, 0, 0);
    add_pairs(LOGUNIFORM, "lo", "hi", 0.5, 1.5, 0, 0);
    add_discrete();
}

/* ------------------------------------------------------------------ */
/* One case                                                            */
/* ------------------------------------------------------------------ */

enum { ACCEPTED, REFUSED, FAILED };

typedef struct result {
    int status;
    double load_seconds, seconds;
    char detail[1024];
} result;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int failf(result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int failf(result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    r->status = FAILED;
    return -1;
}

/* The scenario: reported values, with the target input replaced; an
 * input without a reported value here is left out (the model's fallback
 * if it is optional, a refused scenario if not). */
static void scenario_text(const dcase *c, char *buf, size_t n)
{
    static const char *const values[MC_IN_COUNT] = {
        [MC_IN_OVERHEAD] = "1", [MC_IN_NODES] = "226.75",
        [MC_IN_GPUS_PER_NODE] = "8", [MC_IN_REPRESENTATIVENESS] = "1",
        [MC_IN_MONTHLY_GROWTH] = "0", [MC_IN_POWER_RATIO] = "1",
        [MC_IN_PUE_RATIO] = "1", [MC_IN_LIFETIME_DAYS] = "365",
        [MC_IN_GPU_HOUR_USD] = "2"};
    int len = snprintf(buf, n, "{\"name\": \"d\", \"seed\": 7, \"samples\": "
                       "%d, \"output\": {\"samples_csv\": false}, "
                       "\"inputs\": {\"final_run_gpu_hours\": 2935000",
                       DRAWS);
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (i == targets[c->target] || values[i] != NULL)
            len += snprintf(buf + len, n - (size_t)len, ", \"%s\": %s",
                            mc_input_infos[i].name,
                            i == targets[c->target] ? c->json : values[i]);
    snprintf(buf + len, n - (size_t)len, "}}");
}

static int in_domain(double x, int input)
{
    const mc_input_info *in = &mc_input_infos[input];
    if (!isfinite(x))
        return 0;
    if (!in->lo_open)
        return x >= in->lo;
    return x > in->lo && (in->lo != 0.0 || x >= DBL_MIN);
}

static int check_refusal(const dcase *c, const mc_err *e, result *r)
{
    const char *name = mc_input_infos[targets[c->target]].name;
    char own[64];
    snprintf(own, sizeof own, "$.inputs.%s", name);
    size_t k = strlen(own);
    int at_input = strncmp(e->path, own, k) == 0
                   && (e->path[k] == '\0' || e->path[k] == '.'
                       || e->path[k] == '[');
    int at_inputs = strcmp(e->path, "$.inputs") == 0;  /* the products */
    const char *ex = strstr(e->msg, "expected ");
    if (!(at_input || at_inputs))
        return failf(r, "refused at %s, not at %s: %s", e->path, own,
                     e->msg);
    if (ex == NULL || strstr(ex, ", found ") == NULL)
        return failf(r, "refused with a message not of the form "
                     "'expected ..., found ...': %s", e->msg);
    r->status = REFUSED;
    snprintf(r->detail, sizeof r->detail, "%s: %s", e->path, e->msg);
    return 0;
}

/* The extreme probabilities a draw can use: the copula's floor and a
 * random draw's 32-bit ends, a Latin hypercube stratum at 1e9 samples
 * and Sobol' cells (2^-33), and the engine's largest u below 1. */
static const double extreme_u[] = {
    1e-24, 0x1p-32 / 1e9, 0x1p-33, 0x1p-32, 0.5, 1.0 - 0x1p-33,
    1.0 - 0x1p-32, 0x1.fffffffffffffp-1};

static int check_draws(const dcase *c, mc_scenario *s, result *r)
{
    const int input = targets[c->target];
    const mc_dist *d = &s->inputs[input].dist;
    double *col[MC_NCOLS];
    double *mem = malloc((size_t)MC_NCOLS * DRAWS * sizeof *mem);
    double least = INFINITY, most = -INFINITY;
    gsl_rng *g = mc_rng_alloc();
    int rc = 0;
    assert_non_null(mem);
    assert_non_null(g);
    for (int k = 0; k < MC_NCOLS; k++)
        col[k] = mem + (size_t)k * DRAWS;
    for (int design = MC_SAMPLING_RANDOM; design <= MC_SAMPLING_LHS && !rc;
         design++) {
        s->sampling = design;
        mc_engine_samples(s, g, 0, DRAWS, col);
        for (size_t i = 0; i < DRAWS && !rc; i++) {
            double x = col[MC_COL_INPUT0 + input][i];
            least = fmin(least, x);
            most = fmax(most, x);
            if (!in_domain(x, input))
                rc = failf(r, "%s draw %zu = %.17g outside the domain",
                           design ? "LHS" : "random", i, x);
            for (int k = MC_COL_T; k < MC_NCOLS && !rc; k++)
                if (isnan(col[k][i]))
                    rc = failf(r, "%s sample %zu: %s is NaN (the input "
                               "drew %.17g)", design ? "LHS" : "random", i,
                               mc_column_names[k], x);
        }
    }
    for (size_t k = 0; k < sizeof extreme_u / sizeof extreme_u[0] && !rc;
         k++) {
        double x = mc_dist_quantile(d, extreme_u[k]);
        least = fmin(least, x);
        most = fmax(most, x);
        if (!in_domain(x, input))
            rc = failf(r, "quantile(%.17g) = %.17g outside the domain",
                       extreme_u[k], x);
    }
    /* every value one double: a fixed value in disguise, to be refused */
    if (!rc && least == most && strcmp(d->type->name, "fixed") != 0)
        rc = failf(r, "accepted, yet every draw and extreme quantile is "
                   "%.17g", least);
    gsl_rng_free(g);
    free(mem);
    return rc;
}

/* Is x the quantile at u up to rounding?  cdf just below x at most u and
 * just above it at least u, to the tolerances of the header.  A cdf
 * through log x (lognormal, loguniform) cannot tell x from x (1 + e) for
 * e below an ulp of log x, |log x| 2.2e-16; a subnormal x has few digits,
 * so it may be anywhere from 0 to twice itself. */
static int inverts(const mc_dist *d, double u, double x)
{
    double lo = mc_dist_support_lo(d), hi = mc_dist_support_hi(d);
    double scale = isfinite(lo) && isfinite(hi) ? fmax(fabs(lo), fabs(hi))
                                                : fabs(x);
    const char *n = d->type->name;
    if (x > 0.0 && (strcmp(n, "lognormal") == 0
                    || strcmp(n, "loguniform") == 0))
        scale = fmax(scale, fabs(x) * fabs(log(x)));
    double dx = 4.0 * DBL_EPSILON * scale + 4.0 * DBL_TRUE_MIN;
    if (fabs(x) < DBL_MIN)
        dx = fmax(dx, fabs(x) + 4.0 * DBL_TRUE_MIN);
    double tol = 1e-6 * fmin(u, 1.0 - u) + 1e-11;
    if (d->truncated)     /* the map's step: an ulp of F or Q at its end */
        tol += 4.0 * DBL_EPSILON * (d->upper ? d->qlo : d->fhi) / d->mass;
    return mc_dist_cdf(d, x - dx) <= u + tol
           && mc_dist_cdf(d, x + dx) >= u - tol;
}

static int check_functions(const mc_dist *d, result *r)
{
    static const double us[] = {1e-24, 1e-12, 0x1p-32, 0.01, 0.5, 0.99,
                                1.0 - 0x1p-32};
    if (!d->type->continuous)
        return 0;
    for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
        double x = mc_dist_quantile(d, us[k]);
        if (!inverts(d, us[k], x))
            return failf(r, "quantile(%.17g) = %.17g does not invert the "
                         "cdf (%.17g there)", us[k], x, mc_dist_cdf(d, x));
    }
    /* Numerical moments of a truncated beta, PERT or gamma take 10^4
       quantiles of up to 50 us: left to test_dist's cases. */
    const char *n = d->type->name;
    if (d->truncated && (strcmp(n, "beta") == 0 || strcmp(n, "pert") == 0
                         || strcmp(n, "gamma") == 0))
        return 0;
    double m = mc_dist_mean(d), v = mc_dist_variance(d);
    /* mc_dist.h: the one documented gap, a truncated lognormal whose
       closed form in logs cancels terms of 2 sigma^2 past 1e-9 (sigma
       beyond about 700), where the quadrature over hundreds of orders of
       magnitude fails too */
    if (isnan(m) && isnan(v) && d->truncated && strcmp(n, "lognormal") == 0
        && 8.0 * DBL_EPSILON * (fabs(d->p[0]) + d->p[1] * d->p[1]) > 1e-9)
        return 0;
    if (!(m >= mc_dist_support_lo(d) && m <= mc_dist_support_hi(d)))
        return failf(r, "mean %.17g outside the support", m);
    if (!(v >= 0.0))
        return failf(r, "variance %.17g", v);
    return 0;
}

static void run_case(const dcase *c, result *r)
{
    char text[2048];
    mc_scenario s;
    mc_err e;
    memset(&s, 0, sizeof s);
    memset(&e, 0, sizeof e);
    memset(r, 0, sizeof *r);
    scenario_text(c, text, sizeof text);
    double t0 = now();
    int rc = mc_cfg_load_string(text, strlen(text), &s, &e);
    r->load_seconds = now() - t0;
    if (rc != 0) {
        check_refusal(c, &e, r);
    } else {
        r->status = ACCEPTED;
        if (check_draws(c, &s, r) == 0)
            check_functions(&s.inputs[targets[c->target]].dist, r);
    }
    if (r->status != FAILED && r->load_seconds > LOAD_SECONDS)
        failf(r, "the load took %.3f s", r->load_seconds);
    mc_scenario_free(&s);
    r->seconds = now() - t0;
}

/* ------------------------------------------------------------------ */
/* Children under alarm                                                */
/* ------------------------------------------------------------------ */

/* The cases run in WORKERS children at once (the machine's cores), each
 * writing its results into memory shared with the parent and, before
 * each case, the case's index into progress[worker]: a child that dies
 * (SIGALRM after CASE_SECONDS, or a crash) leaves there the case that
 * killed it, and a new child takes the rest of its range. */
enum { WORKERS = 2 };

static result *res;
static size_t *progress;

static pid_t spawn(int worker, size_t from, size_t to)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (size_t i = from; i < to; i++) {
            progress[worker] = i;
            alarm(CASE_SECONDS);
            run_case(&cases[i], &res[i]);
            alarm(0);
        }
        progress[worker] = to;
        _exit(0);
    }
    return pid;
}

static void run_all(void)
{
    size_t bytes = n_cases * sizeof *res + WORKERS * sizeof *progress;
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(mem != MAP_FAILED);
    res = mem;
    progress = (size_t *)(res + n_cases);
    pid_t pid[WORKERS];
    size_t end[WORKERS];
    int running = 0;
    for (int w = 0; w < WORKERS; w++) {
        size_t from = n_cases * (size_t)w / WORKERS;
        end[w] = n_cases * (size_t)(w + 1) / WORKERS;
        progress[w] = from;
        pid[w] = spawn(w, from, end[w]);
        running++;
    }
    while (running > 0) {
        int st;
        pid_t p = wait(&st);
        assert_true(p > 0);
        int w = 0;
        while (w < WORKERS && pid[w] != p)
            w++;
        assert_true(w < WORKERS);
        running--;
        size_t i = progress[w];
        if (!WIFSIGNALED(st) || i >= end[w])
            continue;
        result *r = &res[i];
        snprintf(r->detail, sizeof r->detail,
                 "did not end: killed by signal %d (%s)", WTERMSIG(st),
                 WTERMSIG(st) == SIGALRM ? "over the time limit" : "a crash");
        r->status = FAILED;
        if (i + 1 < end[w]) {
            pid[w] = spawn(w, i + 1, end[w]);
            running++;
        }
    }
}

static void every_distribution_is_refused_or_sampled_inside_its_domain(
    void **state)
{
    (void)state;
    make_cases();
    size_t count[N_FAMILIES][3] = {{0}};
    double fam_seconds[N_FAMILIES] = {0};
    double t0 = now(), slowest = 0.0;
    size_t slowest_case = 0, failures = 0;
    run_all();
    for (size_t i = 0; i < n_cases; i++) {
        count[cases[i].family][res[i].status]++;
        fam_seconds[cases[i].family] += res[i].seconds;
        if (res[i].load_seconds > slowest) {
            slowest = res[i].load_seconds;
            slowest_case = i;
        }
        if (res[i].status == FAILED && failures++ < 40)
            print_error("FAILED %s\n  %s\n", cases[i].label, res[i].detail);
    }
    print_message("%-12s %6s %8s %8s %6s %8s\n", "distribution", "cases",
                  "refused", "accepted", "failed", "seconds");
    for (int f = 0; f < N_FAMILIES; f++)
        print_message("%-12s %6zu %8zu %8zu %6zu %8.2f\n", families[f],
                      count[f][0] + count[f][1] + count[f][2],
                      count[f][REFUSED], count[f][ACCEPTED],
                      count[f][FAILED], fam_seconds[f]);
    print_message("%zu cases in %.2f s (%d at once); slowest load %.1f ms: "
                  "%s\n", n_cases, now() - t0, WORKERS, 1e3 * slowest,
                  cases[slowest_case].label);
    for (int f = 0; f < N_FAMILIES; f++)     /* both answers occur */
        assert_true(count[f][REFUSED] > 0 && count[f][ACCEPTED] > 0);
    munmap(res, n_cases * sizeof *res + WORKERS * sizeof *progress);
    free(cases);
    if (failures != 0)
        fail_msg("%zu of %zu cases failed", failures, n_cases);
}

/* ------------------------------------------------------------------ */
/* The growth                                                          */
/* ------------------------------------------------------------------ */

/* The magnitudes of m below 1e-300, where g = log1p(m) / 30.4375 is
 * subnormal or nearly so. */
static const double tiny_m[] = {4.9406564584124654e-324, 1e-323, 1e-320,
                                1e-315, 1e-310, 2.2250738585072014e-308,
                                1e-307, 1e-305, 1e-302, 1e-300};

static void assert_rel(double got, double want, double rel, const char *what,
                       double m)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("%s at m = %g: %.17g, growth 0 gives %.17g", what, m, got,
                 want);
}

static mc_draw reported(double m)
{
    return (mc_draw){.F = 2935000, .k = 2.2, .n = 226.75, .gn = 8,
                     .R = 1, .m = m, .r = 0.8, .p = 1.1, .L = 365,
                     .c = 2};
}

static void model_with_tiny_growth_is_growth_0s(void **state)
{
    (void)state;
    mc_draw d0 = reported(0.0);
    mc_outcome o0, o;
    mc_model_eval(&d0, &o0);
    /* growth 0, by hand: T / I0 = 2.2 x 2935000 / 43536 days */
    assert_rel(o0.break_even, 6457000.0 / 43536.0, 1e-15, "T / I0", 0.0);
    for (size_t k = 0; k < sizeof tiny_m / sizeof tiny_m[0]; k++)
        for (int s = -1; s <= 1; s += 2) {
            double m = s * tiny_m[k];
            mc_draw d = reported(m);
            mc_model_eval(&d, &o);
            assert_rel(o.break_even, o0.break_even, 1e-12, "break-even", m);
            assert_rel(o.break_even_energy, o0.break_even_energy, 1e-12,
                       "energy break-even", m);
            assert_rel(o.break_even_final, o0.break_even_final, 1e-12,
                       "final-run break-even", m);
            assert_rel(o.break_even_energy_final, o0.break_even_energy_final,
                       1e-12, "final-run energy break-even", m);
            assert_rel(o.multiplier, o0.multiplier, 1e-12, "multiplier", m);
            assert_rel(o.multiplier_energy, o0.multiplier_energy, 1e-12,
                       "energy multiplier", m);
            assert_rel(o.multiplier_final, o0.multiplier_final, 1e-12,
                       "final-run multiplier", m);
            assert_rel(o.multiplier_energy_final,
                       o0.multiplier_energy_final, 1e-12,
                       "final-run energy multiplier", m);
            double g = mc_growth_rate(m);
            assert_rel(mc_cumulative_days(g, 10.0), 10.0, 1e-12, "C(10)", m);
            assert_rel(mc_cumulative_days(g, 1e6), 1e6, 1e-12, "C(1e6)", m);
        }
}

/* A growth that the old quotient got wrong only through a subnormal g T:
 * T tiny against I0 (the break-even at 1e-300 days) still gives T / I0. */
static void break_even_without_a_normal_product_is_t_over_i0(void **state)
{
    (void)state;
    double g = mc_growth_rate(1e-300);   /* 3.3e-302, normal */
    assert_rel(mc_break_even_days(1e-10, 1e290, g), 1e-300, 1e-12,
               "break-even of T = 1e-10 over I0 = 1e290", 1e-300);
    /* g T / I0 beyond DBL_MAX: log(g T / I0) / g, not a false never */
    double big = mc_growth_rate(1e300);  /* 22.7 a day */
    double t = mc_break_even_days(1e300, 1e-10, big);
    assert_rel(t, (log(big) + log(1e300) - log(1e-10)) / big, 1e-12,
               "break-even with g T / I0 = inf", 1e300);
}

struct curve_ctx {
    double *x;               /* horizons x metrics x len */
    size_t len;
};

static void keep_curve(void *vc, size_t h, const double *const x[MC_NCURVE],
                       size_t len)
{
    struct curve_ctx *c = vc;
    for (int m = 0; m < MC_NCURVE; m++)
        memcpy(c->x + (h * MC_NCURVE + (size_t)m) * c->len, x[m],
               len * sizeof *c->x);
}

/* The engine's samples and curve of a scenario with monthly_growth fixed
 * at m (text), n samples. */
static double *engine_curve(const char *m, size_t n, mc_scenario *s,
                            double **samples)
{
    char text[1024];
    mc_err e;
    snprintf(text, sizeof text,
             "{\"name\": \"g\", \"seed\": 7, \"samples\": %zu, \"inputs\": "
             "{\"final_run_gpu_hours\": 2935000, \"overhead\": {\"dist\": "
             "\"lognormal\", \"median\": 2.2, \"sigma\": 0.366, "
             "\"truncate\": {\"lo\": 1}}, \"nodes\": 226.75, "
             "\"gpus_per_node\": 8, \"representativeness\": 1, "
             "\"monthly_growth\": %s, \"power_ratio\": {\"dist\": \"pert\", "
             "\"lo\": 0.45, \"mode\": 0.8, \"hi\": 1.05}, \"pue_ratio\": 1, "
             "\"lifetime_days\": 365, \"gpu_hour_usd\": 2}}", n, m);
    memset(s, 0, sizeof *s);
    if (mc_cfg_load_string(text, strlen(text), s, &e) != 0)
        fail_msg("%s: %s", e.path, e.msg);
    double *mem = malloc(MC_NCOLS * n * sizeof *mem);
    double *scratch = malloc(MC_CURVE_SCRATCH * sizeof *scratch);
    struct curve_ctx c = {malloc(s->n_horizons * MC_NCURVE * n
                                 * sizeof(double)), n};
    double *col[MC_NCOLS];
    gsl_rng *r = mc_rng_alloc();
    assert_true(mem && scratch && c.x && r);
    for (int k = 0; k < MC_NCOLS; k++)
        col[k] = mem + (size_t)k * n;
    mc_engine_samples(s, r, 0, n, col);
    mc_engine_curve(s, (const double *const *)col, n, scratch, keep_curve,
                    &c);
    gsl_rng_free(r);
    free(scratch);
    *samples = mem;
    return c.x;
}

static void engine_curve_with_tiny_growth_is_growth_0s(void **state)
{
    (void)state;
    enum { N = 256 };
    mc_scenario s0, s;
    double *col0, *col;
    double *c0 = engine_curve("0", N, &s0, &col0);
    for (size_t k = 0; k < sizeof tiny_m / sizeof tiny_m[0]; k++)
        for (int sg = -1; sg <= 1; sg += 2) {
            char m[40];
            double mv = sg * tiny_m[k];
            snprintf(m, sizeof m, "%.17g", mv);
            double *c = engine_curve(m, N, &s, &col);
            size_t n = s.n_horizons * MC_NCURVE * N;
            for (size_t i = 0; i < n; i++)
                assert_rel(c[i], c0[i], 1e-12, "curve multiplier", mv);
            assert_int_equal(s.layout.ncurve, MC_NCURVE);
            for (int o = 0; o < s.layout.nout; o++)       /* its outputs */
                for (size_t i = 0, j = (size_t)(MC_COL_OUTPUT0 +
                                                s.layout.out[o]);
                     i < N; i++)
                    assert_rel(col[j * N + i], col0[j * N + i], 1e-12,
                               mc_column_names[j], mv);
            free(c);
            free(col);
            mc_scenario_free(&s);
        }
    /* and growth 0's curve is the closed form 1 + T / (I0 h) */
    for (size_t i = 0; i < N; i++) {
        double T = col0[MC_COL_T * N + i], I0 = col0[MC_COL_I0 * N + i];
        assert_rel(c0[i], 1.0 + T / (I0 * s0.horizons[0]), 1e-15,
                   "growth 0's first horizon", 0.0);
    }
    free(c0);
    free(col0);
    mc_scenario_free(&s0);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_with_tiny_growth_is_growth_0s),
        cmocka_unit_test(break_even_without_a_normal_product_is_t_over_i0),
        cmocka_unit_test(engine_curve_with_tiny_growth_is_growth_0s),
        cmocka_unit_test(
            every_distribution_is_refused_or_sampled_inside_its_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
