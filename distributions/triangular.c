/* triangular.c: the triangular distribution on [lo, hi] with mode m,
 * p = {lo, m, hi}, w = hi - lo:
 *
 *   p(x) dx = 2 (x - lo) / (w (m - lo)) dx    for lo <= x <= m
 *   p(x) dx = 2 (hi - x) / (w (hi - m)) dx    for m <= x <= hi
 *
 *   F(x) = (x - lo)^2 / (w (m - lo)) below m,  Q(x) = (hi - x)^2 / (w (hi - m))
 *   above; mean (lo + m + hi) / 3, variance
 *   (lo^2 + m^2 + hi^2 - lo m - lo hi - m hi) / 18.
 *
 * Sampled by inversion of the closed-form cdf (Devroye, Non-Uniform
 * Random Variate Generation, 1986, II.2), each tail from its own end;
 * sqrt(u w) sqrt(m - lo) rather than sqrt(u w (m - lo)) avoids overflow. */
#include "mc_dist_impl.h"

#include <math.h>

mc_dist mc_dist_triangular(double lo, double mode, double hi)
{
    return mc_dist_make_(&mc_dist_triangular_type, lo, mode, hi, 0.0);
}

/* The products below are of order w^2: they underflow for a width under
 * 2^-511 (w = 1e-300 put every quantile at the mode) and overflow over
 * 2^511.  Such widths take them in units of w instead, exact in real
 * arithmetic; the others keep the expressions (and the bits) they had. */
static int tri_scaled(double w)
{
    return !(w >= 0x1p-500 && w <= 0x1p500);
}

/* F(x) = u for u <= 1/2.  Beyond the mode, x = m + d with
 * d (2h - d) = (u w - g) h, g = m - lo, h = hi - m, solved as
 * d = (u w - g) h / (h + sqrt(h w (1 - u))): the textbook
 * hi - sqrt((1 - u) w h) cancels when the mode is near lo. */
static double tri_lower(const mc_dist *d, double u)
{
    double lo = d->p[0], mode = d->p[1], hi = d->p[2];
    double w = hi - lo, g = mode - lo, h = hi - mode;
    if (tri_scaled(w)) {
        double gs = g / w, hs = h / w;
        if (u < gs)
            return lo + w * (sqrt(u) * sqrt(gs));
        return mode + w * ((u - gs) * hs / (hs + sqrt(hs) * sqrt(1.0 - u)));
    }
    if (u * w < g)
        return lo + sqrt(u * w) * sqrt(g);
    return mode + (u * w - g) * h / (h + sqrt(h) * sqrt(w * (1.0 - u)));
}

/* Q(x) = q for q <= 1/2, the mirror image of tri_lower. */
static double tri_upper(const mc_dist *d, double q)
{
    double lo = d->p[0], mode = d->p[1], hi = d->p[2];
    double w = hi - lo, g = mode - lo, h = hi - mode;
    if (tri_scaled(w)) {
        double gs = g / w, hs = h / w;
        if (q < hs)
            return hi - w * (sqrt(q) * sqrt(hs));
        return mode - w * ((q - hs) * gs / (gs + sqrt(gs) * sqrt(1.0 - q)));
    }
    if (q * w < h)
        return hi - sqrt(q * w) * sqrt(h);
    return mode - (q * w - h) * g / (g + sqrt(g) * sqrt(w * (1.0 - q)));
}

static double triangular_quantile(const mc_dist *d, double u)
{
    return u <= 0.5 ? tri_lower(d, u) : tri_upper(d, 1.0 - u);
}

static double triangular_quantile_q(const mc_dist *d, double q)
{
    return q <= 0.5 ? tri_upper(d, q) : tri_lower(d, 1.0 - q);
}

static double triangular_sample(const mc_dist *d, const gsl_rng *r)
{
    return mc_dist_clamp_(triangular_quantile(d, gsl_rng_uniform_pos(r)),
                          d->p[0], d->p[2]);
}

/* Only called for lo <= x < hi (mc_dist.c settles the rest).  Across
 * the mode, F = g / w + e (2h - e) / (w h) with e = x - m, the expanded
 * 1 - (hi - x)^2 / (w h), which would cancel for x near lo when m = lo;
 * the ccdf mirrors it. */
static double triangular_cdf(const mc_dist *d, double x)
{
    double lo = d->p[0], mode = d->p[1], hi = d->p[2];
    double w = hi - lo, g = mode - lo, h = hi - mode;
    if (x < mode)
        return (x - lo) / w * ((x - lo) / g);
    double e = x - mode;
    return g / w + e / w * ((2.0 * h - e) / h);
}

static double triangular_ccdf(const mc_dist *d, double x)
{
    double lo = d->p[0], mode = d->p[1], hi = d->p[2];
    double w = hi - lo, g = mode - lo, h = hi - mode;
    if (x >= mode)
        return (hi - x) / w * ((hi - x) / h);
    double e = mode - x;
    return h / w + e / w * ((2.0 * g - e) / g);
}

static double triangular_mean(const mc_dist *d)
{
    double m = (d->p[0] + d->p[1] + d->p[2]) / 3.0;
    /* The sum overflows for points near the largest double; from lo it
       does not. */
    if (isfinite(m))
        return m;
    return d->p[0] + ((d->p[1] - d->p[0]) / 3.0 + (d->p[2] - d->p[0]) / 3.0);
}

static double triangular_variance(const mc_dist *d)
{
    /* The same polynomial written in differences, free of cancellation
       when the three points are large and close. */
    double a = d->p[1] - d->p[0], b = d->p[2] - d->p[0];
    double v = (a * a + b * b - a * b) / 18.0;
    if (isfinite(v))
        return v;
    /* b^2 overflows from b = 1.3e154, the variance only from 5.7e154:
       in units of b, 0 <= a <= b. */
    double r = a / b;
    return b * (b * ((r * r + 1.0 - r) / 18.0));
}

static void triangular_support(const mc_dist *d, double *lo, double *hi)
{
    *lo = d->p[0];
    *hi = d->p[2];
}

static int triangular_from_params(mc_dist *d, const mc_dist_params *p,
                                  char *msg, size_t len)
{
    (void)msg;
    (void)len;
    *d = mc_dist_triangular(p->v[0], p->v[1], p->v[2]);
    return 0;
}

const mc_dist_type mc_dist_triangular_type = {
    .name = "triangular",
    .check = mc_dist_check_lo_mode_hi_,
    .sample = triangular_sample,
    .quantile = triangular_quantile,
    .cdf = triangular_cdf,
    .mean = triangular_mean,
    .variance = triangular_variance,
    .continuous = 1,
    .ccdf = triangular_ccdf,
    .quantile_q = triangular_quantile_q,
    .support = triangular_support,
    .params = {"lo", "mode", "hi", NULL},
    .n_required = 3,
    .from_params = triangular_from_params,
    .blame = mc_dist_blame_lo_mode_hi_,
};
