/* fixed.c: a fixed value, the point mass P(X = v) = 1.  p = {v}.
 * Not continuous: it cannot be truncated. */
#include "mc_dist_impl.h"

mc_dist mc_dist_fixed(double value)
{
    return mc_dist_make_(&mc_dist_fixed_type, value, 0.0, 0.0, 0.0);
}

static int fixed_check(const mc_dist *d, char *msg, size_t len)
{
    return mc_dist_check_finite_("value", d->p[0], msg, len);
}

static double fixed_sample(const mc_dist *d, const gsl_rng *r)
{
    (void)r;
    return d->p[0];
}

static double fixed_quantile(const mc_dist *d, double u)
{
    (void)u;
    return d->p[0];
}

static double fixed_cdf(const mc_dist *d, double x)
{
    return x < d->p[0] ? 0.0 : 1.0;
}

static double fixed_mean(const mc_dist *d)
{
    return d->p[0];
}

static double fixed_variance(const mc_dist *d)
{
    (void)d;
    return 0.0;
}

static void fixed_support(const mc_dist *d, double *lo, double *hi)
{
    *lo = *hi = d->p[0];
}

static int fixed_from_params(mc_dist *d, const mc_dist_params *p,
                             char *msg, size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_fixed(p->v[0]);
    return 0;
}

static const char *fixed_blame(const mc_dist_params *p)
{
    (void)p;
    return "value";             /* its only parameter */
}

const mc_dist_type mc_dist_fixed_type = {
    .name = "fixed",
    .check = fixed_check,
    .sample = fixed_sample,
    .quantile = fixed_quantile,
    .cdf = fixed_cdf,
    .mean = fixed_mean,
    .variance = fixed_variance,
    .continuous = 0,
    .support = fixed_support,
    .params = {"value", NULL},
    .n_required = 1,
    .fixed = 1,
    .from_params = fixed_from_params,
    .blame = fixed_blame,
};
