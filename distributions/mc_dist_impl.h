/* mc_dist_impl.h: what the files of distributions/ share; not installed,
 * not for other modules.  Names ending in '_' are internal. */
#ifndef MC_DIST_IMPL_H
#define MC_DIST_IMPL_H

#include <stddef.h>
#include "mc_dist.h"

extern const mc_dist_type mc_dist_fixed_type;
extern const mc_dist_type mc_dist_uniform_type;
extern const mc_dist_type mc_dist_normal_type;
extern const mc_dist_type mc_dist_lognormal_type;
extern const mc_dist_type mc_dist_triangular_type;
extern const mc_dist_type mc_dist_pert_type;
extern const mc_dist_type mc_dist_beta_type;
extern const mc_dist_type mc_dist_gamma_type;
extern const mc_dist_type mc_dist_loguniform_type;
extern const mc_dist_type mc_dist_discrete_type;

/* A zeroed mc_dist of the given type with parameters p0..p3. */
mc_dist mc_dist_make_(const mc_dist_type *type, double p0, double p1,
                      double p2, double p3);

/* Writes x to buf (at least MC_DIST_NUM_LEN bytes) as the shortest of
 * %.15g and %.17g that reads back as x: "-1", "0.1", "inf", "nan". */
#define MC_DIST_NUM_LEN 32
const char *mc_dist_num_(char *buf, double x);

/* snprintf into msg (if not NULL) and return -1. */
int mc_dist_fail_(char *msg, size_t len, const char *fmt, ...);

/* The shared parameter checks; each returns 0 or fails with the message
 * "expected <name> ..., found ...". */
int mc_dist_check_finite_(const char *name, double x, char *msg, size_t len);
int mc_dist_check_positive_(const char *name, double x, char *msg,
                            size_t len);
/* A shape parameter within [MC_DIST_SHAPE_MIN, MC_DIST_SHAPE_MAX] (and
 * finite, > 0); small and large end the message for a shape beyond each
 * limit: why it is refused, then what to use instead. */
int mc_dist_check_shape_(const char *name, double x, const char *small,
                         const char *large, char *msg, size_t len);
/* A shape mc_dist_check_shape_ accepts. */
static inline int mc_dist_shape_ok_(double x)
{
    return x >= MC_DIST_SHAPE_MIN && x <= MC_DIST_SHAPE_MAX;
}
/* lo and hi finite, lo < hi and hi - lo finite (parameters "lo", "hi"). */
int mc_dist_check_range_(double lo, double hi, char *msg, size_t len);
/* p = {lo, mode, hi}: a valid range with lo <= mode <= hi (triangular and
 * PERT share it). */
int mc_dist_check_lo_mode_hi_(const mc_dist *d, char *msg, size_t len);
/* Its blame (mc_dist_param_blame): "mode" outside a valid range. */
const char *mc_dist_blame_lo_mode_hi_(const mc_dist_params *p);

static inline double mc_dist_clamp_(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Inverts a continuous cdf given on [0, +inf) with full relative
 * precision: returns x >= 0 with P(x) = t (upper == 0) or Q(x) = t
 * (upper == 1), for 0 < t <= 1.  prob is P or Q, dens the density, par
 * their parameters; guess is a first estimate (e.g. GSL's _Pinv), used if
 * finite and >= 0 and polished, or ignored. */
typedef double (*mc_dist_fn_)(double x, const double *par);
double mc_dist_invert_(mc_dist_fn_ prob, mc_dist_fn_ dens, const double *par,
                       int upper, double t, double guess);

/* The standard normal's P(a < Z < b), computed on the side of the median
 * where the two probabilities are small, so that tails keep precision. */
double mc_dist_normal_mass_(double a, double b);

/* The standard beta's quantile (P(y; a, b) = t) by Halley's iteration
 * (beta.c); NaN where it does not converge.  Internal, and tested against
 * gsl_cdf_beta_Pinv in test_dist. */
double mc_dist_beta_inverse_(double a, double b, double t);

#endif
