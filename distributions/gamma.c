/* gamma.c: the gamma distribution with shape k and scale theta,
 * p = {k, theta}:
 *
 *   p(x) dx = 1 / (Gamma(k) theta^k) x^(k-1) exp(-x / theta) dx   for x > 0
 *
 *   mean k theta, variance k theta^2.
 *
 * Sampled by gsl_ran_gamma (Marsaglia & Tsang, ACM TOMS 26(3), 2000, with
 * the U^(1/k) boost for k < 1).  cdf and quantile are GSL's incomplete
 * gamma P, Q, Pinv, Qinv, each tail on its own side.  The inverses
 * return NaN below k ~ 0.1 and lose accuracy for k in the hundreds (GSL
 * 2.7), so each answer is checked and, where it fails, replaced by
 * mc_dist_invert_.  The shape is held to MC_DIST_SHAPE_MIN ..
 * MC_DIST_SHAPE_MAX (mc_dist.h), where GSL's incomplete gamma is correct
 * and its inverses end (a sweep of 1.8 million random shapes and
 * probabilities down to 1e-323 inside took at most 23 ms a call; their
 * Lagrange iteration has no bound of its own). */
#include "mc_dist_impl.h"

#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

mc_dist mc_dist_gamma(double shape, double scale)
{
    return mc_dist_make_(&mc_dist_gamma_type, shape, scale, 0.0, 0.0);
}

/* The shape within MC_DIST_SHAPE_MIN .. MC_DIST_SHAPE_MAX (mc_dist.h:
 * where GSL's incomplete gamma, and so the cdf and the quantile, are
 * correct). */
static int gamma_check(const mc_dist *d, char *msg, size_t len)
{
    static const char *const small =
        "below it more than half the draws lie under 1e-300 x scale, a "
        "point mass at 0 with a thin tail; use a fixed value (\"value\") or "
        "a larger shape";
    static const char *const large =
        "above it GSL's incomplete gamma loses digits (1.4e-7 at 1e5), and a "
        "gamma this narrow is a normal to within its skewness 2 / "
        "sqrt(shape); use a normal with mean shape x scale and sd "
        "sqrt(shape) x scale";
    if (mc_dist_check_shape_("shape", d->p[0], small, large, msg, len))
        return -1;
    return mc_dist_check_positive_("scale", d->p[1], msg, len);
}

static double gamma_sample(const mc_dist *d, const gsl_rng *r)
{
    return gsl_ran_gamma(r, d->p[0], d->p[1]);
}

/* Unit scale, for the inverter: par = {k}. */
static double std_P(double x, const double *k)
{
    return gsl_cdf_gamma_P(x, k[0], 1.0);
}

static double std_Q(double x, const double *k)
{
    return gsl_cdf_gamma_Q(x, k[0], 1.0);
}

static double std_pdf(double x, const double *k)
{
    return gsl_ran_gamma_pdf(x, k[0], 1.0);
}

/* x >= 0 with P(x) = t (upper == 0) or Q(x) = t (upper == 1), unit scale. */
static double std_inverse(double k, int upper, double t)
{
    double x = upper ? gsl_cdf_gamma_Qinv(t, k, 1.0)
                     : gsl_cdf_gamma_Pinv(t, k, 1.0);
    if (x >= 0.0 && isfinite(x)
        && fabs((upper ? std_Q(x, &k) : std_P(x, &k)) - t) <= 1e-12 * t)
        return x;
    return mc_dist_invert_(upper ? std_Q : std_P, std_pdf, &k, upper, t, x);
}

static double gamma_quantile(const mc_dist *d, double u)
{
    return d->p[1] * (u <= 0.5 ? std_inverse(d->p[0], 0, u)
                               : std_inverse(d->p[0], 1, 1.0 - u));
}

static double gamma_quantile_q(const mc_dist *d, double q)
{
    return d->p[1] * (q <= 0.5 ? std_inverse(d->p[0], 1, q)
                               : std_inverse(d->p[0], 0, 1.0 - q));
}

static double gamma_cdf(const mc_dist *d, double x)
{
    return gsl_cdf_gamma_P(x, d->p[0], d->p[1]);
}

static double gamma_ccdf(const mc_dist *d, double x)
{
    return gsl_cdf_gamma_Q(x, d->p[0], d->p[1]);
}

static double gamma_mean(const mc_dist *d)
{
    return d->p[0] * d->p[1];
}

static double gamma_variance(const mc_dist *d)
{
    return d->p[0] * d->p[1] * d->p[1];
}

static int gamma_from_params(mc_dist *d, const mc_dist_params *p,
                             char *msg, size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_gamma(p->v[0], p->v[1]);
    return 0;
}

static const char *gamma_blame(const mc_dist_params *p)
{
    if (!mc_dist_shape_ok_(p->v[0]))
        return "shape";
    return !(p->v[1] > 0) ? "scale" : NULL;
}

const mc_dist_type mc_dist_gamma_type = {
    .name = "gamma",
    .check = gamma_check,
    .sample = gamma_sample,
    .quantile = gamma_quantile,
    .cdf = gamma_cdf,
    .mean = gamma_mean,
    .variance = gamma_variance,
    .support_lo = 0.0,
    .support_hi = INFINITY,
    .continuous = 1,
    .ccdf = gamma_ccdf,
    .quantile_q = gamma_quantile_q,
    .params = {"shape", "scale", NULL},
    .n_required = 2,
    .from_params = gamma_from_params,
    .blame = gamma_blame,
};
