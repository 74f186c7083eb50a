/* beta.c: the beta distribution on [lo, hi] and beta-PERT.
 *
 * beta, p = {a, b, lo, hi}, w = hi - lo, y = (x - lo) / w:
 *
 *   p(x) dx = Gamma(a + b) / (Gamma(a) Gamma(b)) y^(a-1) (1 - y)^(b-1) dy
 *
 *   mean lo + w a / (a + b),  variance w^2 a b / ((a + b)^2 (a + b + 1)).
 *
 * pert, p = {lo, m, hi}: beta-PERT with lambda = 4 (Malcolm et al., Oper.
 * Res. 7, 1959; Vose, Risk Analysis, 3rd ed., 2008), the beta on [lo, hi]
 * with a = 1 + 4 (m - lo) / w, b = 1 + 4 (hi - m) / w: mean
 * (lo + 4 m + hi) / 6.
 *
 * Sampled by gsl_ran_beta (Johnk's method for a, b <= 1, else a ratio of
 * gammas).  The cdf is GSL's incomplete beta; the upper tail uses
 * Q(y; a, b) = P(1 - y; b, a) with 1 - y = (hi - x) / w, which keeps its
 * precision near hi, and the quantile inverts P on the side of the
 * smaller probability the same way, by Halley's iteration (mc_dist_beta_inverse_,
 * 1.3 us against gsl_cdf_beta_Pinv's 2.8 us on this machine, test_dist
 * prints both), checked, with GSL's inverse and then mc_dist_invert_
 * behind it.  The shapes are held to MC_DIST_SHAPE_MIN .. MC_DIST_SHAPE_MAX
 * (mc_dist.h): beyond, GSL's incomplete beta loses its digits or returns
 * NaN, and gsl_cdf_beta_Pinv's bisection, which only moves on a number,
 * never ends (a truncated beta of shape 1e300 hung the loader).  PERT's
 * shapes are 1 to 5. */
#include "mc_dist_impl.h"

#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

mc_dist mc_dist_beta(double a, double b, double lo, double hi)
{
    return mc_dist_make_(&mc_dist_beta_type, a, b, lo, hi);
}

mc_dist mc_dist_pert(double lo, double mode, double hi)
{
    return mc_dist_make_(&mc_dist_pert_type, lo, mode, hi, 0.0);
}

/* The beta parameters {a, b, lo, hi} of either type. */
static void beta_par(const mc_dist *d, double s[4])
{
    if (d->type == &mc_dist_pert_type) {
        double lo = d->p[0], mode = d->p[1], hi = d->p[2];
        s[0] = 1.0 + 4.0 * (mode - lo) / (hi - lo);
        s[1] = 1.0 + 4.0 * (hi - mode) / (hi - lo);
        /* 4 (hi - mode) overflows for a range near DBL_MAX (hi - lo itself
           is finite, mc_dist_check_range_): the ratio first then, which
           is in [0, 1]; elsewhere the expression of before, bit for bit */
        if (!isfinite(s[0]) || !isfinite(s[1])) {
            s[0] = 1.0 + 4.0 * ((mode - lo) / (hi - lo));
            s[1] = 1.0 + 4.0 * ((hi - mode) / (hi - lo));
        }
        s[2] = lo;
        s[3] = hi;
    } else {
        s[0] = d->p[0];
        s[1] = d->p[1];
        s[2] = d->p[2];
        s[3] = d->p[3];
    }
}

/* Shapes within MC_DIST_SHAPE_MIN .. MC_DIST_SHAPE_MAX (mc_dist.h: where
 * GSL's incomplete beta, and so the cdf and the quantile, are correct);
 * the messages say what lies beyond: nearly all the mass at one end, or
 * a normal. */
static int beta_check(const mc_dist *d, char *msg, size_t len)
{
    static const char *const small_a =
        "below it GSL's incomplete beta loses the upper tail's digits, and "
        "more than half the draws lie within 1e-300 x (hi - lo) of lo; use "
        "a fixed value (\"value\") or a larger a";
    static const char *const small_b =
        "below it GSL's incomplete beta loses the lower tail's digits, and "
        "more than half the draws lie within 1e-300 x (hi - lo) of hi; use "
        "a fixed value (\"value\") or a larger b";
    static const char *const large =
        "above it GSL's incomplete beta stops before it converges, and a "
        "beta this narrow is a normal to within its skewness; use a normal "
        "with the same mean and sd (truncated to [lo, hi]), or a fixed value";
    if (mc_dist_check_shape_("a", d->p[0], small_a, large, msg, len)
        || mc_dist_check_shape_("b", d->p[1], small_b, large, msg, len))
        return -1;
    return mc_dist_check_range_(d->p[2], d->p[3], msg, len);
}

static double beta_sample(const mc_dist *d, const gsl_rng *r)
{
    double s[4];
    beta_par(d, s);
    double y = gsl_ran_beta(r, s[0], s[1]);
    return mc_dist_clamp_(s[2] + (s[3] - s[2]) * y, s[2], s[3]);
}

static double std_P(double y, const double *ab)
{
    return gsl_cdf_beta_P(y, ab[0], ab[1]);
}

static double std_pdf(double y, const double *ab)
{
    return gsl_ran_beta_pdf(y, ab[0], ab[1]);
}

/* y with P(y; a, b) = t by Halley's iteration on GSL's incomplete beta
 * (gsl_sf_beta_inc), from the starting points of Numerical Recipes'
 * invbetai (Press et al., 3rd ed., section 6.14.2): for a, b >= 1 an
 * approximation through the normal quantile (Abramowitz and Stegun
 * 26.5.22), else the two power-law tails.  Each step costs one
 * incomplete beta and one density; a few steps reach the incomplete
 * beta's own noise (1e-14 relative), within 1e-10 of GSL's inverse (at
 * most 2.5e-15 on test_dist's grid) in half its time.  Returns NaN if
 * it does not converge in 40 steps (the caller then uses GSL's). */
double mc_dist_beta_inverse_(double a, double b, double t)
{
    double x;
    if (a >= 1.0 && b >= 1.0) {
        double pp = t < 0.5 ? t : 1.0 - t;
        double tt = sqrt(-2.0 * log(pp));
        double z = (2.30753 + tt * 0.27061) /
                   (1.0 + tt * (0.99229 + tt * 0.04481)) - tt;
        if (t < 0.5)
            z = -z;
        double al = (z * z - 3.0) / 6.0;
        double h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        double w = z * sqrt(al + h) / h -
                   (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) *
                   (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
        x = a / (a + b * exp(2.0 * w));
    } else {
        double lna = log(a / (a + b)), lnb = log(b / (a + b));
        double t1 = exp(a * lna) / a, t2 = exp(b * lnb) / b, w = t1 + t2;
        x = t < t1 / w ? pow(a * w * t, 1.0 / a)
                       : 1.0 - pow(b * w * (1.0 - t), 1.0 / b);
    }
    double afac = gsl_sf_lngamma(a + b) - gsl_sf_lngamma(a) -
                  gsl_sf_lngamma(b);
    for (int j = 0; j < 40; j++) {
        if (!(x > 0.0 && x < 1.0))
            return (double)NAN;
        double err = gsl_sf_beta_inc(a, b, x) - t;
        double pdf = exp((a - 1.0) * log(x) + (b - 1.0) * log1p(-x) + afac);
        double u = err / pdf;
        double corr = u * ((a - 1.0) / x - (b - 1.0) / (1.0 - x));
        double step = u / (1.0 - 0.5 * (corr < 1.0 ? corr : 1.0));
        double nx = x - step;
        if (nx <= 0.0)
            nx = 0.5 * x;
        if (nx >= 1.0)
            nx = 0.5 * (x + 1.0);
        if (fabs(nx - x) <= 1e-14 * nx && j > 0)   /* the incomplete
                                                  beta's own noise */
            return nx;
        x = nx;
    }
    return (double)NAN;
}

/* y in [0, 1] with P(y; a, b) = t: mc_dist_beta_inverse_ where it converges to
 * GSL's precision (|P(y) - t| <= 1e-12 t), else gsl_cdf_beta_Pinv, else
 * mc_dist_invert_. */
static double std_inverse(double a, double b, double t)
{
    double ab[2] = {a, b};
    /* GSL's inverse bisects forever on a shape that is not finite */
    if (!(isfinite(a) && isfinite(b) && a > 0.0 && b > 0.0))
        return (double)NAN;
    double y = mc_dist_beta_inverse_(a, b, t);
    if (y > 0.0 && y < 1.0 && fabs(std_P(y, ab) - t) <= 1e-12 * t)
        return y;
    y = gsl_cdf_beta_Pinv(t, a, b);
    if (y >= 0.0 && y <= 1.0 && fabs(std_P(y, ab) - t) <= 1e-12 * t)
        return y;
    y = mc_dist_invert_(std_P, std_pdf, ab, 0, t, y);
    return y < 1.0 ? y : 1.0;
}

static double beta_quantile(const mc_dist *d, double u)
{
    double s[4];
    beta_par(d, s);
    if (u <= 0.5)
        return s[2] + (s[3] - s[2]) * std_inverse(s[0], s[1], u);
    return s[3] - (s[3] - s[2]) * std_inverse(s[1], s[0], 1.0 - u);
}

static double beta_quantile_q(const mc_dist *d, double q)
{
    double s[4];
    beta_par(d, s);
    if (q <= 0.5)
        return s[3] - (s[3] - s[2]) * std_inverse(s[1], s[0], q);
    return s[2] + (s[3] - s[2]) * std_inverse(s[0], s[1], 1.0 - q);
}

static double beta_cdf(const mc_dist *d, double x)
{
    double s[4];
    beta_par(d, s);
    return gsl_cdf_beta_P(mc_dist_clamp_((x - s[2]) / (s[3] - s[2]), 0.0, 1.0),
                          s[0], s[1]);
}

static double beta_ccdf(const mc_dist *d, double x)
{
    double s[4];
    beta_par(d, s);
    return gsl_cdf_beta_P(mc_dist_clamp_((s[3] - x) / (s[3] - s[2]), 0.0, 1.0),
                          s[1], s[0]);
}

static double beta_mean(const mc_dist *d)
{
    double s[4];
    beta_par(d, s);
    return s[2] + (s[3] - s[2]) * (s[0] / (s[0] + s[1]));
}

static double beta_variance(const mc_dist *d)
{
    double s[4];
    beta_par(d, s);
    double w = s[3] - s[2], ab = s[0] + s[1];
    double v = w * w * (s[0] / ab) * (s[1] / ab) / (ab + 1.0);
    /* w^2 overflows from w = 1.3e154, where the variance may not. */
    return isfinite(v) ? v : w * (w * (s[0] / ab) * (s[1] / ab) / (ab + 1.0));
}

static void beta_support(const mc_dist *d, double *lo, double *hi)
{
    double s[4];
    beta_par(d, s);
    *lo = s[2];
    *hi = s[3];
}

/* lo and hi are optional: the unit interval. */
static int beta_from_params(mc_dist *d, const mc_dist_params *p, char *msg,
                            size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_beta(p->v[0], p->v[1], p->has[2] ? p->v[2] : 0.0,
                      p->has[3] ? p->v[3] : 1.0);
    return 0;
}

static int pert_from_params(mc_dist *d, const mc_dist_params *p, char *msg,
                            size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_pert(p->v[0], p->v[1], p->v[2]);
    return 0;
}

/* A shape outside what beta_check accepts. */
static const char *beta_blame(const mc_dist_params *p)
{
    if (!mc_dist_shape_ok_(p->v[0]))
        return "a";
    return !mc_dist_shape_ok_(p->v[1]) ? "b" : NULL;
}

const mc_dist_type mc_dist_beta_type = {
    .name = "beta",
    .check = beta_check,
    .sample = beta_sample,
    .quantile = beta_quantile,
    .cdf = beta_cdf,
    .mean = beta_mean,
    .variance = beta_variance,
    .continuous = 1,
    .ccdf = beta_ccdf,
    .quantile_q = beta_quantile_q,
    .support = beta_support,
    .params = {"a", "b", "lo", "hi", NULL},
    .n_required = 2,
    .from_params = beta_from_params,
    .blame = beta_blame,
};

const mc_dist_type mc_dist_pert_type = {
    .name = "pert",
    .check = mc_dist_check_lo_mode_hi_,
    .sample = beta_sample,
    .quantile = beta_quantile,
    .cdf = beta_cdf,
    .mean = beta_mean,
    .variance = beta_variance,
    .continuous = 1,
    .ccdf = beta_ccdf,
    .quantile_q = beta_quantile_q,
    .support = beta_support,
    .params = {"lo", "mode", "hi", NULL},
    .n_required = 3,
    .from_params = pert_from_params,
    .blame = mc_dist_blame_lo_mode_hi_,
};
