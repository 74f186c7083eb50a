/* loguniform.c: the log-uniform (reciprocal) distribution, ln X uniform
 * on [ln lo, ln hi), p = {lo, hi}, 0 < lo < hi, L = ln(hi / lo):
 *
 *   p(x) dx = dx / (x L)   for lo <= x < hi
 *
 *   F(x) = ln(x / lo) / L,  mean (hi - lo) / L,
 *   variance lo^2 (expm1(2L) / (2L) - (expm1(L) / L)^2).
 *
 * Sampled by inversion, x = lo exp(u L), from the nearer end.  The
 * variance formula cancels as L -> 0; there its Taylor series
 * lo^2 sum_{n>=2} (2^n (n - 2) + 2) L^n / (n + 2)!  (from the series of
 * E[e^{LU}] and E[e^{2LU}]) is used instead. */
#include "mc_dist_impl.h"

#include <float.h>
#include <math.h>

mc_dist mc_dist_loguniform(double lo, double hi)
{
    return mc_dist_make_(&mc_dist_loguniform_type, lo, hi, 0.0, 0.0);
}

static int loguniform_check(const mc_dist *d, char *msg, size_t len)
{
    if (mc_dist_check_positive_("lo", d->p[0], msg, len))
        return -1;
    return mc_dist_check_range_(d->p[0], d->p[1], msg, len);
}

/* L = ln(hi / lo): log1p keeps its precision when hi / lo is near 1,
 * the difference of logs its range when hi / lo overflows. */
static double span(const mc_dist *d)
{
    double r = (d->p[1] - d->p[0]) / d->p[0];
    return isfinite(r) ? log1p(r) : log(d->p[1]) - log(d->p[0]);
}

static double loguniform_quantile(const mc_dist *d, double u)
{
    double x = u <= 0.5 ? d->p[0] * exp(u * span(d))
                        : d->p[1] * exp(-(1.0 - u) * span(d));
    return mc_dist_clamp_(x, d->p[0], d->p[1]);
}

static double loguniform_quantile_q(const mc_dist *d, double q)
{
    double x = q <= 0.5 ? d->p[1] * exp(-q * span(d))
                        : d->p[0] * exp((1.0 - q) * span(d));
    return mc_dist_clamp_(x, d->p[0], d->p[1]);
}

static double loguniform_sample(const mc_dist *d, const gsl_rng *r)
{
    return loguniform_quantile(d, gsl_rng_uniform_pos(r));
}

static double loguniform_cdf(const mc_dist *d, double x)
{
    return (log(x) - log(d->p[0])) / span(d);
}

static double loguniform_ccdf(const mc_dist *d, double x)
{
    return (log(d->p[1]) - log(x)) / span(d);
}

static double loguniform_mean(const mc_dist *d)
{
    /* For hi a few ulps above lo the quotient rounds below lo. */
    return mc_dist_clamp_((d->p[1] - d->p[0]) / span(d), d->p[0], d->p[1]);
}

/* hi^2 ((1 - e^-2L) / 2L - ((1 - e^-L) / L)^2): the variance scaled by
 * hi, for where lo^2 is subnormal (it keeps few digits: lo = 1e-160) or
 * expm1(2L) overflows (from L = 355: inf - inf = NaN). */
static double variance_from_hi(double hi, double l)
{
    double e = -expm1(-l) / l;
    return hi * (hi * (-expm1(-2.0 * l) / (2.0 * l) - e * e));
}

static double loguniform_variance(const mc_dist *d)
{
    double l = span(d), lo2 = d->p[0] * d->p[0];
    if (l > 0.1) {
        double e = expm1(l) / l;
        double v = lo2 * (expm1(2.0 * l) / (2.0 * l) - e * e);
        return isfinite(v) && lo2 >= DBL_MIN ? v
                                             : variance_from_hi(d->p[1], l);
    }
    /* Terms fall by at least 2L / n: 30 terms reach 1e-16 relative. */
    double sum = 0.0, pow2 = 4.0, ln = l * l, fact = 24.0;  /* 2^n, L^n, (n+2)! */
    for (int n = 2; n < 32; n++) {
        sum += (pow2 * (n - 2) + 2.0) * ln / fact;
        pow2 *= 2.0;
        ln *= l;
        fact *= n + 3;
    }
    return lo2 >= DBL_MIN ? lo2 * sum : d->p[0] * (d->p[0] * sum);
}

static void loguniform_support(const mc_dist *d, double *lo, double *hi)
{
    *lo = d->p[0];
    *hi = d->p[1];
}

static int loguniform_from_params(mc_dist *d, const mc_dist_params *p,
                                  char *msg, size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_loguniform(p->v[0], p->v[1]);
    return 0;
}

static const char *loguniform_blame(const mc_dist_params *p)
{
    return !(p->v[0] > 0) ? "lo" : NULL;
}

const mc_dist_type mc_dist_loguniform_type = {
    .name = "loguniform",
    .check = loguniform_check,
    .sample = loguniform_sample,
    .quantile = loguniform_quantile,
    .cdf = loguniform_cdf,
    .mean = loguniform_mean,
    .variance = loguniform_variance,
    .continuous = 1,
    .ccdf = loguniform_ccdf,
    .quantile_q = loguniform_quantile_q,
    .support = loguniform_support,
    .params = {"lo", "hi", NULL},
    .n_required = 2,
    .from_params = loguniform_from_params,
    .blame = loguniform_blame,
};
