/* mc_dist_numeric.c: the numerical routes shared by several types:
 * inversion of a cdf where GSL's inverse fails, the normal mass between
 * two points with tail precision, and the moments of a truncated
 * distribution by quadrature of its quantile function. */
#include "mc_dist_impl.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

double mc_dist_normal_mass_(double a, double b)
{
    if (!(a < b))
        return 0.0;
    if (a >= 0.0)
        return gsl_cdf_ugaussian_Q(a) - (isinf(b) ? 0.0 : gsl_cdf_ugaussian_Q(b));
    if (b <= 0.0)
        return gsl_cdf_ugaussian_P(b) - (isinf(a) ? 0.0 : gsl_cdf_ugaussian_P(a));
    return 1.0 - (isinf(a) ? 0.0 : gsl_cdf_ugaussian_P(a))
               - (isinf(b) ? 0.0 : gsl_cdf_ugaussian_Q(b));
}

/* ------------------------------------------------------------------ */
/* Inversion.  gsl_cdf_gamma_Pinv returns NaN for shapes below ~0.1 and
 * gsl_cdf_beta_Pinv for a parameter near 0.05 at some points; both lose
 * accuracy for shapes in the hundreds (measured on GSL 2.7).  This is
 * their safety net: safeguarded Newton on log P against log x, where the
 * power-law tail P ~ c x^k near 0 and the exponential upper tail are
 * nearly straight lines, inside a bracket halved on the bit pattern of
 * the double (bisection in log x over the whole positive range, ~64 steps
 * at worst), after Numerical Recipes' rtsafe. */

static double bits_mid(double lo, double hi)
{
    uint64_t a, b, m;
    double x;
    memcpy(&a, &lo, sizeof a);
    memcpy(&b, &hi, sizeof b);
    m = a + (b - a) / 2;
    memcpy(&x, &m, sizeof x);
    return x;
}

double mc_dist_invert_(mc_dist_fn_ prob, mc_dist_fn_ dens, const double *par,
                       int upper, double t, double guess)
{
    const double logt = log(t);
    double lo = 0.0, hi = DBL_MAX;  /* g(lo) < 0 <= g(hi) */
    double x = isfinite(guess) && guess > 0.0 ? guess : 1.0;
    double gprev = INFINITY, best = x, gbest = INFINITY;
    int newton = 0;  /* was the last step Newton's? */

    for (int i = 0; i < 300; i++) {
        double p = prob(x, par);
        if (isnan(p))
            return NAN;
        /* g increases with x on both sides: log P - log t, or its negative
           for Q.  p == 0 gives -inf (or +inf): a bracket move, no Newton. */
        double g = upper ? logt - log(p) : log(p) - logt;
        if (fabs(g) < gbest) {
            gbest = fabs(g);
            best = x;
        }
        if (g == 0.0)
            return x;
        if (g < 0.0)
            lo = x;
        else
            hi = x;
        if (nextafter(lo, INFINITY) >= hi)
            break;

        /* dg / d(log x) = x f(x) / P (or / Q), positive on both sides. */
        double slope = x * dens(x, par) / p;
        double xn = NAN;
        /* A Newton step that did not halve |g| hands over to bisection. */
        if (p > 0.0 && slope > 0.0 && isfinite(slope)
            && (!newton || fabs(g) < 0.5 * gprev))
            xn = x * exp(-g / slope);
        newton = xn > lo && xn < hi;
        if (!newton)
            xn = bits_mid(lo, hi);
        else if (fabs(xn - x) <= 2.0 * DBL_EPSILON * x)
            return xn;
        gprev = fabs(g);
        x = xn;
    }
    return best;
}

/* ------------------------------------------------------------------ */
/* Moments by quadrature of the quantile function: for the (truncated)
 * distribution, E[X] = int_0^1 Q(t) dt and Var X = int_0^1 (Q(t) - E X)^2 dt.
 * The integrands are bounded for bounded supports and have integrable
 * end-point singularities (log-like for gamma tails) otherwise, which
 * QAGS extrapolates away (GSL manual, "QAGS adaptive integration with
 * singularities").  Integrating over t rather than x needs no density and
 * no splitting of infinite ranges, and follows the scale of the
 * distribution whatever its parameters. */

enum { QUAD_LIMIT = 1000 };

struct quad_ctx {
    const mc_dist *d;
    double center;
    double unit;      /* the squares are taken in this unit */
};

static double quad_x(double t, void *vc)
{
    const struct quad_ctx *c = vc;
    return (mc_dist_quantile(c->d, t) - c->center) / c->unit;
}

static double quad_x2(double t, void *vc)
{
    double y = quad_x(t, vc);
    return y * y;
}

/* QAGS, accepting a result that missed the tolerance on rounding (the
 * answer is then as good as doubles allow) but not a gross failure;
 * slack is what the integrand's own resolution adds to that. */
static int quad(double (*f)(double, void *), struct quad_ctx *c,
                double epsabs, double slack, gsl_integration_workspace *w,
                double *out)
{
    gsl_function fn = {f, c};
    double r, err;
    int st = gsl_integration_qags(&fn, 0.0, 1.0, epsabs, 1e-11, QUAD_LIMIT,
                                  w, &r, &err);
    if (!isfinite(r))
        return -1;
    if (st != GSL_SUCCESS && !(err <= 1e-7 * fabs(r) + 1e6 * epsabs + slack))
        return -1;
    *out = r;
    return 0;
}

/* The resolution of the quantile function in probability: a truncated
 * one maps u to F(lo) + u mass (or Q's), which moves in steps of an ulp
 * of F or Q at the range's end: u is resolved to that over the mass
 * (1e-4 for a mass of 1e-12 in mid-distribution). */
static double u_resolution(const mc_dist *d)
{
    if (!d->truncated)
        return DBL_EPSILON;
    return 2.0 * DBL_EPSILON * (d->upper ? d->qlo : d->fhi) / d->mass;
}

int mc_dist_moments_numeric(const mc_dist *d, double *mean, double *var)
{
    if (d == NULL || d->type == NULL || !d->type->continuous)
        return -1;
    /* Centring on the median keeps the first integral from cancelling
       when the mean is large against the spread. */
    double center = mc_dist_quantile(d, 0.5);
    double scale = mc_dist_quantile(d, 0.75) - mc_dist_quantile(d, 0.25);
    /* Quartiles that round to one double: the spread is below the
       resolution there, which then sets the tolerance. */
    if (scale == 0.0)
        scale = 4.0 * DBL_EPSILON * fabs(center) + DBL_TRUE_MIN;
    if (!isfinite(center) || !(scale > 0.0) || !isfinite(scale))
        return -1;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (w == NULL)
        return -1;
    int rc = -1;
    struct quad_ctx c = {d, center, 1.0};
    /* In units of the spread: the quantiles' steps in u, and their
       rounding (subnormal ones are coarse), bound what QAGS can reach. */
    double res = 10.0 * u_resolution(d)
                 + 4.0 * (DBL_TRUE_MIN + DBL_EPSILON * fabs(center)) / scale;
    double m, v;
    /* A subnormal spread leaves 1e-14 of it 0, a tolerance QAGS cannot
       meet: then in units of the spread. */
    if (quad(quad_x, &c, 1e-14 * scale, res * scale, w, &m)) {
        c.unit = scale;
        if (quad(quad_x, &c, 1e-14, res, w, &m))
            goto out;
        m *= scale;
        c.unit = 1.0;
    }
    c.center = center + m;
    /* Squares of spreads near 1e154 overflow where the variance need not
       (or the tails' squares do), and squares below 1e-154 lose their
       digits: then in units of the spread, scaled back (inf where the
       variance exceeds DBL_MAX). */
    if (!(scale >= 0x1p-450 && scale <= 0x1p450)
        || quad(quad_x2, &c, 1e-14 * scale * scale, res * scale * scale, w,
                &v)) {
        c.unit = scale;
        if (quad(quad_x2, &c, 1e-14, res, w, &v))
            goto out;
        v = scale * (scale * v);
    }
    *mean = center + m;
    *var = v;
    rc = 0;
out:
    gsl_integration_workspace_free(w);
    return rc;
}
