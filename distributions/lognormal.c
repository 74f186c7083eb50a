/* lognormal.c: the lognormal distribution, log X ~ N(mu, sigma^2),
 * p = {mu, sigma}:
 *
 *   p(x) dx = 1 / (x sqrt(2 pi sigma^2)) exp(-(ln x - mu)^2 / (2 sigma^2)) dx
 *
 * for x > 0.  Sampled as exp(mu + sigma Z) with Z from GSL's ziggurat
 * (gsl_ran_lognormal uses the slower Box-Muller); cdf and quantile go
 * through the unit normal's, each tail on its own side.
 *
 * Given by median and sigma, mu = ln median.  Given by its 5% and 95%
 * points (Squiggle's "a to b"), mu = (ln p05 + ln p95) / 2 and
 * sigma = (ln p95 - ln p05) / (2 z95), z95 = Phi^-1(0.95).
 *
 * Truncated to [lo, hi], with a = (ln lo - mu)/sigma, b = (ln hi - mu)/sigma
 * (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions 1,
 * 2nd ed., 14.3):
 *
 *   E X^k = exp(k mu + k^2 sigma^2 / 2)
 *           (Phi(b - k sigma) - Phi(a - k sigma)) / (Phi(b) - Phi(a))
 *
 * and Var X = E X^2 - (E X)^2, which cancels for narrow ranges: there the
 * numerical route answers instead. */
#include "mc_dist_impl.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>

mc_dist mc_dist_lognormal(double mu, double sigma)
{
    return mc_dist_make_(&mc_dist_lognormal_type, mu, sigma, 0.0, 0.0);
}

int mc_dist_lognormal_median(mc_dist *d, double median, double sigma,
                             char *msg, size_t len)
{
    if (mc_dist_check_positive_("median", median, msg, len)
        || mc_dist_check_positive_("sigma", sigma, msg, len))
        return -1;
    *d = mc_dist_lognormal(log(median), sigma);
    return 0;
}

int mc_dist_lognormal_interval(mc_dist *d, double p05, double p95,
                               char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN], b[MC_DIST_NUM_LEN];
    if (mc_dist_check_positive_("p05", p05, msg, len)
        || mc_dist_check_positive_("p95", p95, msg, len))
        return -1;
    double l05 = log(p05), l95 = log(p95);
    double sigma = (l95 - l05) / (2.0 * gsl_cdf_ugaussian_Pinv(0.95));
    /* p95 a few ulps above p05 can leave ln p95 == ln p05. */
    if (!(p05 < p95) || !(sigma > 0.0))
        return mc_dist_fail_(msg, len, "expected p05 < p95, found p05 = %s, p95 = %s",
                             mc_dist_num_(a, p05), mc_dist_num_(b, p95));
    *d = mc_dist_lognormal(0.5 * (l05 + l95), sigma);
    return 0;
}

static int lognormal_check(const mc_dist *d, char *msg, size_t len)
{
    if (mc_dist_check_finite_("mu", d->p[0], msg, len))
        return -1;
    return mc_dist_check_positive_("sigma", d->p[1], msg, len);
}

static double lognormal_sample(const mc_dist *d, const gsl_rng *r)
{
    return exp(d->p[0] + gsl_ran_gaussian_ziggurat(r, d->p[1]));
}

static double lognormal_quantile(const mc_dist *d, double u)
{
    return exp(d->p[0] + d->p[1] * gsl_cdf_ugaussian_Pinv(u));
}

static double lognormal_quantile_q(const mc_dist *d, double q)
{
    return exp(d->p[0] + d->p[1] * gsl_cdf_ugaussian_Qinv(q));
}

static double lognormal_cdf(const mc_dist *d, double x)
{
    return x <= 0.0 ? 0.0 : gsl_cdf_ugaussian_P((log(x) - d->p[0]) / d->p[1]);
}

static double lognormal_ccdf(const mc_dist *d, double x)
{
    return x <= 0.0 ? 1.0 : gsl_cdf_ugaussian_Q((log(x) - d->p[0]) / d->p[1]);
}

static double lognormal_mean(const mc_dist *d)
{
    return exp(d->p[0] + 0.5 * d->p[1] * d->p[1]);
}

static double lognormal_variance(const mc_dist *d)
{
    double s2 = d->p[1] * d->p[1], e = expm1(s2);
    /* Past s2 = 709 expm1(s2) overflows even where the variance does not
       (it would give inf, or inf x 0 = NaN for a very negative mu):
       then e^(2 mu + 2 s2) (1 - e^-s2), in logs. */
    if (isinf(e))
        return exp(2.0 * d->p[0] + 2.0 * s2 + log(-expm1(-s2)));
    return e * exp(2.0 * d->p[0] + s2);
}

/* log Phi(x), far below where Phi itself underflows (GSL's log erfc). */
static double log_phi(double x)
{
    if (isinf(x))
        return x < 0.0 ? -(double)INFINITY : 0.0;
    return gsl_sf_log_erfc(-x / M_SQRT2) - M_LN2;
}

/* log P(a < Z < b), for masses below the smallest double too: from the
 * tail the range lies in. */
static double log_mass(double a, double b)
{
    if (!(a < b))
        return -(double)INFINITY;
    if (b <= 0.0) {
        double lb = log_phi(b);
        return lb + log(-expm1(log_phi(a) - lb));
    }
    if (a >= 0.0) {
        double la = log_phi(-a);
        return la + log(-expm1(log_phi(-b) - la));
    }
    return log(mc_dist_normal_mass_(a, b));
}

/* The moments below in logs throughout: for masses that underflow (sigma
 * in the hundreds) and E X^2 beyond DBL_MAX (then Var = inf when it is
 * more than e times (E X)^2, so that it cannot come back below).  The
 * logs are sums of terms up to 2 sigma^2 that cancel: their rounding must
 * leave E X to 1e-9 (8 eps (|mu| + sigma^2) <= 1e-9: sigma up to about
 * 700), and Var = (E X)^2
 * expm1(log E X^2 - 2 log E X) needs that difference to 1e-10 of itself;
 * else -1 (mc_dist_moments_numeric tries). */
static int trunc_moments_in_logs(double mu, double s, double a, double b,
                                 double *mean, double *var)
{
    double lz = log_mass(a, b), lm1 = log_mass(a - s, b - s);
    double lm2 = log_mass(a - 2.0 * s, b - 2.0 * s);
    double l1 = mu + 0.5 * s * s + lm1 - lz;
    double l2 = 2.0 * mu + 2.0 * s * s + lm2 - lz;
    double dl = l2 - 2.0 * l1;
    if (!isfinite(lz) || !isfinite(l1) || !(exp(l1) < HUGE_VAL)
        || !(8.0 * DBL_EPSILON * (fabs(mu) + s * s) <= 1e-9))
        return -1;
    if (l2 > log(DBL_MAX) && dl > 1.0) {
        *mean = exp(l1);
        *var = INFINITY;
        return 0;
    }
    if (!(dl > 1e10 * DBL_EPSILON * (fabs(l2) + 2.0 * fabs(l1) + 1.0)))
        return -1;
    *mean = exp(l1);
    *var = exp(2.0 * l1 + log(expm1(dl)));
    return 0;
}

static int lognormal_trunc_moments(const mc_dist *d, double *mean, double *var)
{
    double mu = d->p[0], s = d->p[1];
    double a = d->lo > 0.0 ? (log(d->lo) - mu) / s : -(double)INFINITY;
    double b = (log(d->hi) - mu) / s;
    double z = mc_dist_normal_mass_(a, b);
    double z1 = mc_dist_normal_mass_(a - s, b - s);
    double z2 = mc_dist_normal_mass_(a - 2.0 * s, b - 2.0 * s);
    if (!(z > 0.0 && z1 > 0.0 && z2 > 0.0))
        return trunc_moments_in_logs(mu, s, a, b, mean, var);
    /* In logs: exp(2 mu + 2 sigma^2) may overflow where E X^2 does not. */
    double m1 = exp(mu + 0.5 * s * s + log(z1) - log(z));
    double m2 = exp(2.0 * mu + 2.0 * s * s + log(z2) - log(z));
    double v = m2 - m1 * m1;
    if (!isfinite(m2))
        return trunc_moments_in_logs(mu, s, a, b, mean, var);
    if (!(v > 1e-4 * m2))
        return -1;
    *mean = m1;
    *var = v;
    return 0;
}


/* The parameter keys, in the order of the type's params. */
enum { LN_MU, LN_MEDIAN, LN_SIGMA, LN_P05, LN_P95 };

/* Which set p gives, {mu, sigma} (0), {median, sigma} (1) or {p05, p95}
 * (2); -1 for none or a mix. */
static int lognormal_set(const mc_dist_params *p)
{
    const int *h = p->has;
    if (h[LN_MU] && h[LN_SIGMA] && !h[LN_MEDIAN] && !h[LN_P05] && !h[LN_P95])
        return 0;
    if (h[LN_MEDIAN] && h[LN_SIGMA] && !h[LN_MU] && !h[LN_P05] && !h[LN_P95])
        return 1;
    if (h[LN_P05] && h[LN_P95] && !h[LN_MU] && !h[LN_MEDIAN] && !h[LN_SIGMA])
        return 2;
    return -1;
}

static int lognormal_from_params(mc_dist *d, const mc_dist_params *p,
                                 char *msg, size_t len)
{
    const double *v = p->v;
    char found[64] = "";
    switch (lognormal_set(p)) {
    case 0:
        *d = mc_dist_lognormal(v[LN_MU], v[LN_SIGMA]);
        return 0;
    case 1:
        return mc_dist_lognormal_median(d, v[LN_MEDIAN], v[LN_SIGMA], msg,
                                        len);
    case 2:
        return mc_dist_lognormal_interval(d, v[LN_P05], v[LN_P95], msg, len);
    default:
        break;
    }
    for (size_t i = 0; mc_dist_lognormal_type.params[i] != NULL; i++)
        if (p->has[i]) {
            size_t l = strlen(found);
            snprintf(found + l, sizeof found - l, "%s%s", l ? ", " : "",
                     mc_dist_lognormal_type.params[i]);
        }
    return mc_dist_fail_(msg, len, "expected exactly one of the lognormal "
                         "parameter sets {mu, sigma}, {median, sigma} or "
                         "{p05, p95}, found {%s}", found);
}

/* In a valid set, the first parameter that must be > 0 and is not. */
static const char *lognormal_blame(const mc_dist_params *p)
{
    static const int positive[] = {LN_SIGMA, LN_MEDIAN, LN_P05, LN_P95};
    if (lognormal_set(p) < 0)
        return NULL;
    for (size_t k = 0; k < sizeof positive / sizeof positive[0]; k++)
        if (p->has[positive[k]] && !(p->v[positive[k]] > 0))
            return mc_dist_lognormal_type.params[positive[k]];
    return NULL;
}

const mc_dist_type mc_dist_lognormal_type = {
    .name = "lognormal",
    .check = lognormal_check,
    .sample = lognormal_sample,
    .quantile = lognormal_quantile,
    .cdf = lognormal_cdf,
    .mean = lognormal_mean,
    .variance = lognormal_variance,
    .support_lo = 0.0,
    .support_hi = INFINITY,
    .continuous = 1,
    .ccdf = lognormal_ccdf,
    .quantile_q = lognormal_quantile_q,
    .trunc_moments = lognormal_trunc_moments,
    .params = {"mu", "median", "sigma", "p05", "p95", NULL},
    .n_required = 0,
    .from_params = lognormal_from_params,
    .blame = lognormal_blame,
};
