/* normal.c: the normal distribution, p = {mean, sd}:
 *
 *   p(x) dx = 1 / sqrt(2 pi sd^2) exp(-(x - mean)^2 / (2 sd^2)) dx
 *
 * Sampled by GSL's ziggurat (Marsaglia & Tsang, J. Stat. Softw. 5(8),
 * 2000); cdf and quantile are GSL's unit-normal P, Q, Pinv, Qinv (AS 241),
 * each tail on its own side.
 *
 * Truncated to [lo, hi], with a = (lo - mean)/sd, b = (hi - mean)/sd,
 * Z = Phi(b) - Phi(a) and lambda = (phi(a) - phi(b)) / Z (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions 1, 2nd ed., 10.1):
 *
 *   E X   = mean + sd lambda
 *   Var X = sd^2 (1 + (a phi(a) - b phi(b)) / Z - lambda^2)
 *
 * The variance cancels for narrow ranges; there the numerical route
 * answers instead. */
#include "mc_dist_impl.h"

#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

mc_dist mc_dist_normal(double mean, double sd)
{
    return mc_dist_make_(&mc_dist_normal_type, mean, sd, 0.0, 0.0);
}

static int normal_check(const mc_dist *d, char *msg, size_t len)
{
    if (mc_dist_check_finite_("mean", d->p[0], msg, len))
        return -1;
    return mc_dist_check_positive_("sd", d->p[1], msg, len);
}

static double normal_sample(const mc_dist *d, const gsl_rng *r)
{
    return d->p[0] + gsl_ran_gaussian_ziggurat(r, d->p[1]);
}

static double normal_quantile(const mc_dist *d, double u)
{
    return d->p[0] + d->p[1] * gsl_cdf_ugaussian_Pinv(u);
}

static double normal_quantile_q(const mc_dist *d, double q)
{
    return d->p[0] + d->p[1] * gsl_cdf_ugaussian_Qinv(q);
}

static double normal_cdf(const mc_dist *d, double x)
{
    return gsl_cdf_ugaussian_P((x - d->p[0]) / d->p[1]);
}

static double normal_ccdf(const mc_dist *d, double x)
{
    return gsl_cdf_ugaussian_Q((x - d->p[0]) / d->p[1]);
}

static double normal_mean(const mc_dist *d)
{
    return d->p[0];
}

static double normal_variance(const mc_dist *d)
{
    return d->p[1] * d->p[1];
}

/* phi(z) and z phi(z), both 0 at an infinite bound. */
static void phi_terms(double z, double *phi, double *zphi)
{
    *phi = isinf(z) ? 0.0 : gsl_ran_ugaussian_pdf(z);
    *zphi = isinf(z) ? 0.0 : z * *phi;
}

static int normal_trunc_moments(const mc_dist *d, double *mean, double *var)
{
    double mu = d->p[0], sd = d->p[1];
    double a = (d->lo - mu) / sd, b = (d->hi - mu) / sd;
    double z = mc_dist_normal_mass_(a, b);
    double pa, apa, pb, bpb;
    if (!(z > 0.0))
        return -1;
    phi_terms(a, &pa, &apa);
    phi_terms(b, &pb, &bpb);
    double lambda = (pa - pb) / z;
    double t = (apa - bpb) / z;
    double v = 1.0 + t - lambda * lambda;
    /* More than 4 digits lost to cancellation: leave it to quadrature. */
    if (!(v > 1e-4 * (1.0 + fabs(t) + lambda * lambda)))
        return -1;
    *mean = mu + sd * lambda;
    *var = sd * sd * v;
    return 0;
}

static int normal_from_params(mc_dist *d, const mc_dist_params *p,
                              char *msg, size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_normal(p->v[0], p->v[1]);
    return 0;
}

static const char *normal_blame(const mc_dist_params *p)
{
    return !(p->v[1] > 0) ? "sd" : NULL;
}

const mc_dist_type mc_dist_normal_type = {
    .name = "normal",
    .check = normal_check,
    .sample = normal_sample,
    .quantile = normal_quantile,
    .cdf = normal_cdf,
    .mean = normal_mean,
    .variance = normal_variance,
    .support_lo = -INFINITY,
    .support_hi = INFINITY,
    .continuous = 1,
    .ccdf = normal_ccdf,
    .quantile_q = normal_quantile_q,
    .trunc_moments = normal_trunc_moments,
    .params = {"mean", "sd", NULL},
    .n_required = 2,
    .from_params = normal_from_params,
    .blame = normal_blame,
};
