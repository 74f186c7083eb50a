/* uniform.c: the uniform distribution on [lo, hi), p = {lo, hi}:
 *
 *   p(x) dx = dx / (hi - lo)   for lo <= x < hi
 *
 * Sampled by gsl_ran_flat; the quantile is lo + u (hi - lo) computed
 * from the nearer end, so that both tails keep their precision. */
#include "mc_dist_impl.h"

#include <math.h>
#include <gsl/gsl_randist.h>

mc_dist mc_dist_uniform(double lo, double hi)
{
    return mc_dist_make_(&mc_dist_uniform_type, lo, hi, 0.0, 0.0);
}

static int uniform_check(const mc_dist *d, char *msg, size_t len)
{
    return mc_dist_check_range_(d->p[0], d->p[1], msg, len);
}

static double uniform_sample(const mc_dist *d, const gsl_rng *r)
{
    return mc_dist_clamp_(gsl_ran_flat(r, d->p[0], d->p[1]), d->p[0], d->p[1]);
}

static double uniform_quantile(const mc_dist *d, double u)
{
    double w = d->p[1] - d->p[0];
    return u <= 0.5 ? d->p[0] + u * w : d->p[1] - (1.0 - u) * w;
}

static double uniform_quantile_q(const mc_dist *d, double q)
{
    double w = d->p[1] - d->p[0];
    return q <= 0.5 ? d->p[1] - q * w : d->p[0] + (1.0 - q) * w;
}

static double uniform_cdf(const mc_dist *d, double x)
{
    return (x - d->p[0]) / (d->p[1] - d->p[0]);
}

static double uniform_ccdf(const mc_dist *d, double x)
{
    return (d->p[1] - x) / (d->p[1] - d->p[0]);
}

static double uniform_mean(const mc_dist *d)
{
    return d->p[0] + 0.5 * (d->p[1] - d->p[0]);
}

static double uniform_variance(const mc_dist *d)
{
    double w = d->p[1] - d->p[0], v = w * w / 12.0;
    /* w^2 overflows from w = 1.3e154, the variance only from 4.6e154. */
    return isfinite(v) ? v : w * (w / 12.0);
}

/* Truncated, a uniform is the uniform on the truncation's range. */
static int uniform_trunc_moments(const mc_dist *d, double *mean, double *var)
{
    mc_dist t = mc_dist_uniform(d->lo, d->hi);
    *mean = uniform_mean(&t);
    *var = uniform_variance(&t);
    return 0;
}

static void uniform_support(const mc_dist *d, double *lo, double *hi)
{
    *lo = d->p[0];
    *hi = d->p[1];
}

static int uniform_from_params(mc_dist *d, const mc_dist_params *p,
                               char *msg, size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_uniform(p->v[0], p->v[1]);
    return 0;
}

const mc_dist_type mc_dist_uniform_type = {
    .name = "uniform",
    .check = uniform_check,
    .sample = uniform_sample,
    .quantile = uniform_quantile,
    .cdf = uniform_cdf,
    .mean = uniform_mean,
    .variance = uniform_variance,
    .continuous = 1,
    .ccdf = uniform_ccdf,
    .quantile_q = uniform_quantile_q,
    .support = uniform_support,
    .trunc_moments = uniform_trunc_moments,
    .params = {"lo", "hi", NULL},
    .n_required = 2,
    .from_params = uniform_from_params,
};
