/* mc_dist.h: the probability distributions of breakeven's inputs.
 *
 * A distribution is a tagged struct (mc_dist) whose type points into a
 * static table of functions (mc_dist_type), after gsl_rng_type.  Build one
 * with a constructor, check it with mc_dist_check (config/ does this once,
 * when a scenario is read), optionally truncate it, then sample it from
 * any thread: after construction an mc_dist is read-only.
 *
 * Samplers take the generator first, as gsl_ran_* do, allocate nothing and
 * print nothing.  Untruncated continuous distributions use GSL's direct
 * samplers; a truncated one draws u uniform on [F(lo), F(hi)] (on the
 * upper-tail side, 1 - F, when the range lies there) and returns
 * quantile(u), so no mass piles up at a bound (truncation, not clipping).
 *
 * Ownership: only mc_dist_discrete allocates (its value and weight
 * tables); mc_dist_free releases them and is a no-op for every other type
 * and for a zeroed struct.  mc_dist_copy makes an independent copy.
 *
 * Errors: functions returning int return 0 on success and -1 on failure,
 * with a message of the form "expected ..., found ..." in msg (which may
 * be NULL).  Parameter names in messages are the scenario file's keys.
 *
 * The type table is also what a scenario file may write: each type's
 * name, its parameter keys, whether it is a fixed value, and how it is
 * built from the numbers given (config/ reads scenarios with it and keeps
 * no list of its own).
 */
#ifndef MC_DIST_H
#define MC_DIST_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

typedef struct mc_dist mc_dist;

/* The numbers a scenario file gives for one distribution: v[i] is the
 * value of the type's params[i], has[i] whether the file gives it (0: v[i]
 * is 0).  MC_DIST_PARAMS_MAX bounds the keys of a type, with the NULL
 * that ends the list. */
#define MC_DIST_PARAMS_MAX 6
typedef struct mc_dist_params {
    double v[MC_DIST_PARAMS_MAX];
    int has[MC_DIST_PARAMS_MAX];
} mc_dist_params;

typedef struct mc_dist_type {
    const char *name;                                     /* "normal" */
    int    (*check)(const mc_dist *d, char *msg, size_t len);
    double (*sample)(const mc_dist *d, const gsl_rng *r); /* untruncated */
    double (*quantile)(const mc_dist *d, double u);       /* untruncated */
    double (*cdf)(const mc_dist *d, double x);            /* untruncated */
    double (*mean)(const mc_dist *d);                     /* untruncated */
    double (*variance)(const mc_dist *d);                 /* untruncated */
    double support_lo, support_hi;  /* unless support is set (+-INFINITY) */
    int continuous;                 /* truncation allowed */
    /* Continuous types only.  The upper tail is computed on its own side
     * (P(X > x) directly, never 1 - cdf) so that a truncation deep in the
     * upper tail keeps full relative precision. */
    double (*ccdf)(const mc_dist *d, double x);           /* P(X > x) */
    double (*quantile_q)(const mc_dist *d, double q);     /* P(X > x) = q */
    /* Optional: support set by the parameters (else the two fields). */
    void   (*support)(const mc_dist *d, double *lo, double *hi);
    /* Optional: closed-form mean and variance of the truncated d; returns
     * -1 where the formula would lose precision (the numerical route then
     * answers).  NULL: numerical integration. */
    int    (*trunc_moments)(const mc_dist *d, double *mean, double *var);
    /* As a scenario file writes it (docs/scenario-format.md): the
     * parameter keys, NULL-terminated, the first n_required of them
     * required (lognormal's three sets are all optional: from_params
     * sorts them out), and whether it is a fixed value (one value,
     * params[0], every draw). */
    const char *params[MC_DIST_PARAMS_MAX];
    size_t n_required;
    int fixed;
    /* Builds *d from the numbers given, unchecked (mc_dist_from_params
     * checks).  Returns 0, or -1 with a message when they are not a set
     * the type takes.  NULL for discrete: its parameters are arrays of
     * numbers, built by mc_dist_discrete. */
    int    (*from_params)(mc_dist *d, const mc_dist_params *p, char *msg,
                          size_t len);
    /* Optional (NULL: never one key): see mc_dist_param_blame. */
    const char *(*blame)(const mc_dist_params *p);
} mc_dist_type;

struct mc_dist {
    const mc_dist_type *type;
    double p[4];          /* parameters, meaning by type (constructors) */
    /* discrete only: n values with cumulative probabilities cum[0..n-1],
       cum[n-1] == 1; owned */
    size_t n;
    double *values;
    double *cum;
    /* truncation to [lo, hi]; lo may be -INFINITY, hi +INFINITY */
    int truncated;
    double lo, hi;
    double flo, fhi;      /* cdf at lo and at hi, cached by mc_dist_truncate */
    double qlo, qhi;      /* ccdf at lo and at hi, likewise */
    double mass;          /* P(lo <= X <= hi), from the more precise side */
    int upper;            /* invert on the ccdf side (qlo < fhi) */
};

/* Every type, NULL-terminated, for name lookup and "known: ..." lists. */
extern const mc_dist_type *const mc_dist_types[];
const mc_dist_type *mc_dist_type_find(const char *name);

/* Builds *d of type t from a scenario's numbers (t->from_params) and
 * checks it (mc_dist_check).  Fails for a type whose parameters are
 * arrays (discrete).  *d may be set even on failure; it then owns
 * nothing. */
int mc_dist_from_params(mc_dist *d, const mc_dist_type *t,
                        const mc_dist_params *p, char *msg, size_t len);
/* After mc_dist_from_params failed: the key of the one parameter out of
 * its own domain (normal's "sd" <= 0), or NULL when only the combination
 * is wrong (lo >= hi, p05 >= p95, not one lognormal set), so that a
 * scenario error can point at the key, else at the whole object. */
const char *mc_dist_param_blame(const mc_dist_type *t,
                                const mc_dist_params *p);

/* Constructors.  They store the parameters and never fail; call
 * mc_dist_check before use.  p[] meanings:
 *   fixed        value                      p = {v}
 *   uniform      [lo, hi)                   p = {lo, hi}
 *   normal       mean, sd                   p = {mean, sd}
 *   lognormal    log X ~ N(mu, sigma^2)     p = {mu, sigma}
 *   triangular   lo, mode, hi               p = {lo, mode, hi}
 *   pert         lo, mode, hi (lambda 4)    p = {lo, mode, hi}
 *   beta         shape a, b on [lo, hi]     p = {a, b, lo, hi}
 *   gamma        shape k, scale theta       p = {k, theta}
 *   loguniform   log X uniform, [lo, hi)    p = {lo, hi}
 *   discrete     values with weights        n, values, cum */
mc_dist mc_dist_fixed(double value);
mc_dist mc_dist_uniform(double lo, double hi);
mc_dist mc_dist_normal(double mean, double sd);
mc_dist mc_dist_lognormal(double mu, double sigma);
mc_dist mc_dist_triangular(double lo, double mode, double hi);
mc_dist mc_dist_pert(double lo, double mode, double hi);
mc_dist mc_dist_beta(double a, double b, double lo, double hi);
mc_dist mc_dist_gamma(double shape, double scale);
mc_dist mc_dist_loguniform(double lo, double hi);

/* Lognormal by its median and sigma: mu = log(median). */
int mc_dist_lognormal_median(mc_dist *d, double median, double sigma,
                             char *msg, size_t len);
/* Lognormal by its 5% and 95% points, as analysts write "a to b"
 * (Squiggle): mu = (log p05 + log p95) / 2,
 * sigma = (log p95 - log p05) / (2 z95) with z95 = Phi^-1(0.95). */
int mc_dist_lognormal_interval(mc_dist *d, double p05, double p95,
                               char *msg, size_t len);
/* Discrete: n >= 1 values, weights >= 0 with a positive finite sum
 * (weights NULL: equal).  The values are stored sorted, so that quantile
 * and cdf are those of the distribution; *d is set only on success. */
int mc_dist_discrete(mc_dist *d, size_t n, const double *values,
                     const double *weights, char *msg, size_t len);

/* Parameters inside their domain?  (sigma > 0, lo < hi, lo <= mode <= hi,
 * every parameter finite, shapes within the limits below, ...) */
int mc_dist_check(const mc_dist *d, char *msg, size_t len);

/* The shapes GSL computes correctly: beta's a and b and gamma's shape
 * from 1e-3 to 1e4.  Inside, GSL 2.7's incomplete beta and gamma
 * functions, behind the cdf, the truncation and the quantile, agree with
 * 40-digit references (mpmath; exact binomial sums for integer shapes)
 * to 1e-10 relative in both tails, and the quantile inverts the cdf to
 * 1e-11 (test_degenerate).  Below, the upper tail of a beta, which GSL
 * computes as 1 - P, loses digits (4e-11 at a = 1e-5, 5e-7 at 1e-8), and
 * a truncation's cdf with it; and more than half of either
 * distribution's mass lies within 1e-300 (x the width or the scale) of
 * one end, a point mass with a thin tail.  Above, GSL's series and
 * continued fractions stop before they converge (1.4e-7 relative error
 * for a gamma of shape 1e5; NaN for a beta of shapes 1e6, on which
 * gsl_cdf_beta_Pinv then bisects forever), and the distribution is a
 * normal to within its skewness (2 / sqrt(shape) for a gamma). */
#define MC_DIST_SHAPE_MIN 1e-3
#define MC_DIST_SHAPE_MAX 1e4

/* The smallest tail probability any draw maps through a quantile
 * function, from either end: inverse-CDF draws use 32-bit uniforms
 * (2.3e-10 from an end), Latin hypercube strata reach 2.3e-19 at 1e9
 * samples, Sobol' cells 2^-33, the copula is held inside it (sim/), and
 * GSL's direct samplers stop near 10 sigma (2.6e-23).  So the quantiles
 * at MC_DIST_REACH_P from either end bound every draw. */
#define MC_DIST_REACH_P 1e-24

/* The smallest and largest values a draw of d can take: untruncated, its
 * quantiles at MC_DIST_REACH_P from the lower and from the upper end, each
 * computed on its own side; truncated, mc_dist_quantile at MC_DIST_REACH_P
 * and at 1 - 2^-53, the largest u a design uses, as the draws compute
 * them.  Equal: every draw is that one value (a point mass in double
 * precision).  Discrete: the extreme values of positive weight; fixed:
 * the value. */
void mc_dist_reach(const mc_dist *d, double *lo, double *hi);

/* Truncates a checked continuous distribution to [lo, hi] (either may be
 * infinite).  Fails for a discrete or fixed distribution, lo >= hi, or a
 * range that holds no probability mass (less than MC_DIST_MIN_MASS).
 * Truncating a truncated distribution intersects the two ranges; the
 * stored bounds are the intersection with the support. */
#define MC_DIST_MIN_MASS 1e-12
int mc_dist_truncate(mc_dist *d, double lo, double hi, char *msg, size_t len);

/* A truncated draw is mc_dist_quantile(d, U) with U = gsl_rng_uniform_pos
 * (32 bits: the truncated law is resolved to a probability of 2^-32). */
double mc_dist_sample(const mc_dist *d, const gsl_rng *r);
/* The smallest x with cdf(x) >= u, for u in [0, 1]: quantile(0) and
 * quantile(1) are the support bounds; NaN for u outside [0, 1]. */
double mc_dist_quantile(const mc_dist *d, double u);
double mc_dist_cdf(const mc_dist *d, double x);
/* Exact for untruncated types and for truncated uniform, normal and
 * lognormal (closed forms); otherwise by mc_dist_moments_numeric (0.1 to
 * 10 ms, a temporary GSL workspace), NaN if the quadrature fails: only
 * for a truncated lognormal with 8 eps (|mu| + sigma^2) > 1e-9 (sigma
 * beyond about 700) over hundreds of orders of magnitude (test_degenerate
 * finds no other).  Runs never use them. */
double mc_dist_mean(const mc_dist *d);
double mc_dist_variance(const mc_dist *d);
/* Mean and variance by numerical integration of the quantile function
 * over (0, 1) (GSL QAGS): the route mc_dist_mean and mc_dist_variance take
 * for a truncated distribution without closed forms.  Public so that tests
 * can hold it against the closed forms.  Continuous types only. */
int mc_dist_moments_numeric(const mc_dist *d, double *mean, double *var);
/* The smallest and largest values a draw can take (may be infinite):
 * config/ compares them with each input's domain. */
double mc_dist_support_lo(const mc_dist *d);
double mc_dist_support_hi(const mc_dist *d);
const char *mc_dist_name(const mc_dist *d);
/* Is d a fixed value (its type's `fixed`): every draw the one value? */
int mc_dist_is_fixed(const mc_dist *d);
/* Do a and b draw the same value from the same random numbers, bit for
 * bit: the same type, parameters and truncation (every stored number
 * equal bit for bit; a discrete one's values and probabilities too)?  A
 * sufficient test: 0 may be answered for two that happen to agree. */
int mc_dist_same(const mc_dist *a, const mc_dist *b);

/* dst is overwritten as if uninitialized (free it first if it owns
 * tables); it is set only on success. */
int mc_dist_copy(mc_dist *dst, const mc_dist *src);
void mc_dist_free(mc_dist *d);

#endif
