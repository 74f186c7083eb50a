/* mc_error.c: the Monte Carlo error of the statistics breakeven writes.
 *
 * A quantile's interval comes from order statistics, with no assumption
 * on the distribution: the number B of values below the true p-quantile
 * is binomial (n, p), and the 1-based order statistics r < s enclose it
 * with probability P(r <= B <= s - 1) = F(s - 1) - F(r - 1), F the
 * binomial distribution function (David and Nagaraja, Order Statistics,
 * 3rd ed., section 7.1).  GSL gives F exactly; the normal approximation
 * only seeds the search.  A proportion's interval is Wilson's score
 * interval, which stays inside [0, 1] and behaves near 0 and 1 where the
 * Wald interval collapses.
 */
#include "mc_results.h"

#include <limits.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

double mc_z(double level)
{
    return gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
}

/* F(k) = P(B <= k) for B binomial (n, p); k may be -1 (0). */
static double binom_cdf(long long k, double p, size_t n)
{
    if (k < 0)
        return 0.0;
    if ((size_t)k >= n)
        return 1.0;
    return gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n);
}

void mc_quantile_ci_ranks(size_t n, double p, double level, size_t *lo,
                          size_t *hi)
{
    double tail = (1.0 - level) / 2.0;
    double z = mc_z(level), mu = (double)n * p;
    double sd = sqrt((double)n * p * (1.0 - p));
    if (n > UINT_MAX) {                 /* beyond GSL's unsigned: normal */
        double a = floor(mu - z * sd), b = ceil(mu + z * sd) + 1.0;
        *lo = a < 1.0 ? 0 : (size_t)a - 1;
        *hi = b > (double)n ? n - 1 : (size_t)b - 1;
        return;
    }
    /* r: the largest with F(r - 1) <= tail (1-based) */
    long long r = (long long)floor(mu - z * sd);
    if (r < 1)
        r = 1;
    while (r > 1 && binom_cdf(r - 1, p, n) > tail)
        r--;
    while (r < (long long)n && binom_cdf(r, p, n) <= tail)
        r++;
    /* s: the smallest with F(s - 1) >= 1 - tail */
    long long s = (long long)ceil(mu + z * sd) + 1;
    if (s > (long long)n)
        s = (long long)n;
    if (s < r)
        s = r;
    while (s < (long long)n && binom_cdf(s - 1, p, n) < 1.0 - tail)
        s++;
    while (s > r && binom_cdf(s - 2, p, n) >= 1.0 - tail)
        s--;
    *lo = (size_t)(r - 1);
    *hi = (size_t)(s - 1);
}

void mc_wilson(size_t k, size_t n, double level, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = (double)NAN;
        return;
    }
    double z = mc_z(level), nn = (double)n, ph = (double)k / nn;
    double z2 = z * z, den = 1.0 + z2 / nn;
    double mid = (ph + z2 / (2.0 * nn)) / den;
    double half = z / den * sqrt(ph * (1.0 - ph) / nn + z2 / (4.0 * nn * nn));
    /* exactly 0 and 1 at the ends, where rounding would leave a crumb */
    *lo = k == 0 || mid - half < 0.0 ? 0.0 : mid - half;
    *hi = k == n || mid + half > 1.0 ? 1.0 : mid + half;
}
