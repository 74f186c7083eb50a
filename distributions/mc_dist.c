/* mc_dist.c: the table of distribution types, parameter messages,
 * truncation, and the public functions that dispatch on the type.
 *
 * Truncation to [lo, hi] conditions X on lo <= X <= hi.  Its cdf is
 * (F(x) - F(lo)) / (F(hi) - F(lo)) and a draw is quantile(U), U uniform on
 * (0, 1) mapped onto [F(lo), F(hi)].  When the range lies in the upper
 * tail (P(X > lo) < F(hi)) the same map is made on the side of
 * Q = 1 - F, computed directly by each type, so that a range such as
 * [4 sd, inf) keeps full relative precision instead of the ~1e-16 / Q
 * that F alone would leave. */
#include "mc_dist_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const mc_dist_type *const mc_dist_types[] = {
    &mc_dist_fixed_type,      &mc_dist_uniform_type,
    &mc_dist_normal_type,     &mc_dist_lognormal_type,
    &mc_dist_triangular_type, &mc_dist_pert_type,
    &mc_dist_beta_type,       &mc_dist_gamma_type,
    &mc_dist_loguniform_type, &mc_dist_discrete_type,
    NULL
};

const mc_dist_type *mc_dist_type_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; mc_dist_types[i] != NULL; i++)
        if (strcmp(mc_dist_types[i]->name, name) == 0)
            return mc_dist_types[i];
    return NULL;
}

mc_dist mc_dist_make_(const mc_dist_type *type, double p0, double p1,
                      double p2, double p3)
{
    mc_dist d;
    memset(&d, 0, sizeof d);
    d.type = type;
    d.p[0] = p0;
    d.p[1] = p1;
    d.p[2] = p2;
    d.p[3] = p3;
    return d;
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

const char *mc_dist_num_(char *buf, double x)
{
    if (isnan(x))
        snprintf(buf, MC_DIST_NUM_LEN, "nan");
    else if (isinf(x))
        snprintf(buf, MC_DIST_NUM_LEN, "%s", x > 0 ? "inf" : "-inf");
    else {
        /* %.15g shows what the user typed; %.17g only when it would hide
           a difference (lo = 1.0000000000000002 against hi = 1). */
        snprintf(buf, MC_DIST_NUM_LEN, "%.15g", x);
        if (strtod(buf, NULL) != x)
            snprintf(buf, MC_DIST_NUM_LEN, "%.17g", x);
    }
    return buf;
}

int mc_dist_fail_(char *msg, size_t len, const char *fmt, ...)
{
    if (msg != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int mc_dist_check_finite_(const char *name, double x, char *msg, size_t len)
{
    char b[MC_DIST_NUM_LEN];
    if (!isfinite(x))
        return mc_dist_fail_(msg, len, "expected a finite %s, found %s",
                             name, mc_dist_num_(b, x));
    return 0;
}

int mc_dist_check_positive_(const char *name, double x, char *msg,
                            size_t len)
{
    char b[MC_DIST_NUM_LEN];
    if (mc_dist_check_finite_(name, x, msg, len))
        return -1;
    if (!(x > 0.0))
        return mc_dist_fail_(msg, len, "expected %s > 0, found %s", name,
                             mc_dist_num_(b, x));
    return 0;
}

int mc_dist_check_shape_(const char *name, double x, const char *small,
                         const char *large, char *msg, size_t len)
{
    char b[MC_DIST_NUM_LEN];
    if (mc_dist_check_positive_(name, x, msg, len))
        return -1;
    if (x < MC_DIST_SHAPE_MIN)
        return mc_dist_fail_(msg, len, "expected %s >= %g, found %s: %s",
                             name, MC_DIST_SHAPE_MIN, mc_dist_num_(b, x),
                             small);
    if (x > MC_DIST_SHAPE_MAX)
        return mc_dist_fail_(msg, len, "expected %s <= %g, found %s: %s",
                             name, MC_DIST_SHAPE_MAX, mc_dist_num_(b, x),
                             large);
    return 0;
}

int mc_dist_check_range_(double lo, double hi, char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN], b[MC_DIST_NUM_LEN];
    if (mc_dist_check_finite_("lo", lo, msg, len)
        || mc_dist_check_finite_("hi", hi, msg, len))
        return -1;
    if (!(lo < hi))
        return mc_dist_fail_(msg, len, "expected lo < hi, found lo = %s, hi = %s",
                             mc_dist_num_(a, lo), mc_dist_num_(b, hi));
    if (!isfinite(hi - lo))
        return mc_dist_fail_(msg, len,
                             "expected hi - lo finite, found lo = %s, hi = %s",
                             mc_dist_num_(a, lo), mc_dist_num_(b, hi));
    return 0;
}

int mc_dist_check_lo_mode_hi_(const mc_dist *d, char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN], b[MC_DIST_NUM_LEN], c[MC_DIST_NUM_LEN];
    double lo = d->p[0], mode = d->p[1], hi = d->p[2];
    if (mc_dist_check_range_(lo, hi, msg, len)
        || mc_dist_check_finite_("mode", mode, msg, len))
        return -1;
    if (!(lo <= mode && mode <= hi))
        return mc_dist_fail_(msg, len,
                             "expected lo <= mode <= hi, found mode = %s (lo = %s, hi = %s)",
                             mc_dist_num_(a, mode), mc_dist_num_(b, lo),
                             mc_dist_num_(c, hi));
    return 0;
}

/* ------------------------------------------------------------------ */
/* Untruncated support and tails, with the bounds settled here once so
 * that no type function sees x outside its support or an infinity. */

static void base_support(const mc_dist *d, double *lo, double *hi)
{
    if (d->type->support != NULL)
        d->type->support(d, lo, hi);
    else {
        *lo = d->type->support_lo;
        *hi = d->type->support_hi;
    }
}

static double base_cdf(const mc_dist *d, double x)
{
    double lo, hi;
    base_support(d, &lo, &hi);
    if (x < lo)
        return 0.0;
    if (x >= hi)
        return 1.0;
    return d->type->cdf(d, x);
}

static double base_ccdf(const mc_dist *d, double x)
{
    double lo, hi;
    base_support(d, &lo, &hi);
    if (x < lo)
        return 1.0;
    if (x >= hi)
        return 0.0;
    return d->type->ccdf(d, x);
}

/* ------------------------------------------------------------------ */
/* Checks and truncation                                               */

const char *mc_dist_blame_lo_mode_hi_(const mc_dist_params *p)
{
    double lo = p->v[0], mode = p->v[1], hi = p->v[2];
    return lo < hi && (mode < lo || mode > hi) ? "mode" : NULL;
}

int mc_dist_check(const mc_dist *d, char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN], b[MC_DIST_NUM_LEN];
    if (d == NULL || d->type == NULL)
        return mc_dist_fail_(msg, len, "expected a distribution, found none");
    if (d->type->check(d, msg, len))
        return -1;
    if (d->truncated && !(d->lo < d->hi && d->mass >= MC_DIST_MIN_MASS))
        return mc_dist_fail_(msg, len,
                             "truncation to [%s, %s] leaves no probability mass",
                             mc_dist_num_(a, d->lo), mc_dist_num_(b, d->hi));
    return 0;
}

int mc_dist_truncate(mc_dist *d, double lo, double hi, char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN], b[MC_DIST_NUM_LEN], c[MC_DIST_NUM_LEN];
    if (mc_dist_check(d, msg, len))
        return -1;
    if (!d->type->continuous)
        return mc_dist_fail_(msg, len,
                             "expected a continuous distribution to truncate, found %s",
                             d->type->name);
    if (isnan(lo) || isnan(hi) || !(lo < hi))
        return mc_dist_fail_(msg, len,
                             "expected truncate lo < hi, found lo = %s, hi = %s",
                             mc_dist_num_(a, lo), mc_dist_num_(b, hi));

    double slo, shi;
    if (d->truncated) {
        slo = d->lo;
        shi = d->hi;
    } else
        base_support(d, &slo, &shi);
    double tlo = lo > slo ? lo : slo, thi = hi < shi ? hi : shi;

    double flo = base_cdf(d, tlo), fhi = base_cdf(d, thi);
    double qlo = base_ccdf(d, tlo), qhi = base_ccdf(d, thi);
    int upper = qlo < fhi;
    double mass = upper ? qlo - qhi : fhi - flo;
    if (!(tlo < thi) || !(mass >= MC_DIST_MIN_MASS))
        return mc_dist_fail_(msg, len,
                             "truncation to [%s, %s] leaves no probability mass "
                             "(expected at least %g, found %s)",
                             mc_dist_num_(a, lo), mc_dist_num_(b, hi),
                             MC_DIST_MIN_MASS,
                             mc_dist_num_(c, tlo < thi ? mass : 0.0));
    d->truncated = 1;
    d->lo = tlo;
    d->hi = thi;
    d->flo = flo;
    d->fhi = fhi;
    d->qlo = qlo;
    d->qhi = qhi;
    d->mass = mass;
    d->upper = upper;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Sampling and the distribution functions                            */

double mc_dist_sample(const mc_dist *d, const gsl_rng *r)
{
    if (!d->truncated)
        return d->type->sample(d, r);
    /* _pos: U = 0 would give exactly lo, or -inf for an unbounded side. */
    return mc_dist_quantile(d, gsl_rng_uniform_pos(r));
}

double mc_dist_quantile(const mc_dist *d, double u)
{
    if (!(u >= 0.0 && u <= 1.0))
        return NAN;
    double lo = mc_dist_support_lo(d), hi = mc_dist_support_hi(d);
    if (u == 0.0)
        return lo;
    if (u == 1.0)
        return hi;
    double x;
    if (!d->truncated)
        x = d->type->quantile(d, u);
    else if (d->upper)
        x = d->type->quantile_q(d, d->qhi + (1.0 - u) * d->mass);
    else
        x = d->type->quantile(d, d->flo + u * d->mass);
    /* Rounding in the map or in the type's inverse may step over a bound. */
    return mc_dist_clamp_(x, lo, hi);
}

double mc_dist_cdf(const mc_dist *d, double x)
{
    if (isnan(x))
        return NAN;
    if (!d->truncated)
        return base_cdf(d, x);
    if (x < d->lo)
        return 0.0;
    if (x >= d->hi)
        return 1.0;
    double f = d->upper ? (d->qlo - base_ccdf(d, x)) / d->mass
                        : (base_cdf(d, x) - d->flo) / d->mass;
    return mc_dist_clamp_(f, 0.0, 1.0);
}

static int trunc_moments(const mc_dist *d, double *mean, double *var)
{
    if (d->type->trunc_moments != NULL && d->type->trunc_moments(d, mean, var) == 0)
        return 0;
    return mc_dist_moments_numeric(d, mean, var);
}

double mc_dist_mean(const mc_dist *d)
{
    double m, v;
    if (!d->truncated)
        return d->type->mean(d);
    return trunc_moments(d, &m, &v) == 0 ? m : (double)NAN;
}

double mc_dist_variance(const mc_dist *d)
{
    double m, v;
    if (!d->truncated)
        return d->type->variance(d);
    return trunc_moments(d, &m, &v) == 0 ? v : (double)NAN;
}

void mc_dist_reach(const mc_dist *d, double *lo, double *hi)
{
    const double p = MC_DIST_REACH_P;
    double slo = mc_dist_support_lo(d), shi = mc_dist_support_hi(d), a, b;
    if (!d->type->continuous) {
        *lo = slo;
        *hi = shi;
        return;
    }
    if (!d->truncated) {
        /* GSL's direct samplers reach the tails on their own side */
        a = d->type->quantile(d, p);
        b = d->type->quantile_q(d, p);
    } else {
        /* every truncated draw is mc_dist_quantile(u), u from p (the
           copula's floor) to 1 - 2^-53 (the designs' ceiling): through
           the truncation's map, whose steps may hide a tail (a range
           whose top 1e-21 of mass holds every value above 0) */
        a = mc_dist_quantile(d, p);
        b = mc_dist_quantile(d, 0x1.fffffffffffffp-1);
    }
    *lo = mc_dist_clamp_(a, slo, shi);
    *hi = mc_dist_clamp_(b, slo, shi);
}

double mc_dist_support_lo(const mc_dist *d)
{
    double lo, hi;
    if (d->truncated)
        return d->lo;
    base_support(d, &lo, &hi);
    return lo;
}

double mc_dist_support_hi(const mc_dist *d)
{
    double lo, hi;
    if (d->truncated)
        return d->hi;
    base_support(d, &lo, &hi);
    return hi;
}

const char *mc_dist_name(const mc_dist *d)
{
    return d != NULL && d->type != NULL ? d->type->name : "none";
}

int mc_dist_is_fixed(const mc_dist *d)
{
    return d != NULL && d->type != NULL && d->type->fixed;
}

int mc_dist_same(const mc_dist *a, const mc_dist *b)
{
    if (a->type != b->type || memcmp(a->p, b->p, sizeof a->p) != 0 ||
        a->truncated != b->truncated || a->n != b->n)
        return 0;
    if (a->truncated && (memcmp(&a->lo, &b->lo, sizeof a->lo) != 0 ||
                         memcmp(&a->hi, &b->hi, sizeof a->hi) != 0))
        return 0;
    if ((a->values == NULL) != (b->values == NULL) ||
        (a->cum == NULL) != (b->cum == NULL))
        return 0;
    return (a->values == NULL ||
            memcmp(a->values, b->values, a->n * sizeof *a->values) == 0) &&
           (a->cum == NULL ||
            memcmp(a->cum, b->cum, a->n * sizeof *a->cum) == 0);
}

/* ------------------------------------------------------------------ */
/* From a scenario's numbers                                           */

int mc_dist_from_params(mc_dist *d, const mc_dist_type *t,
                        const mc_dist_params *p, char *msg, size_t len)
{
    if (t->from_params == NULL)
        return mc_dist_fail_(msg, len, "expected numbers for the parameters "
                             "of %s, found a type whose parameters are "
                             "arrays", t->name);
    if (t->from_params(d, p, msg, len))
        return -1;
    return mc_dist_check(d, msg, len);
}

const char *mc_dist_param_blame(const mc_dist_type *t,
                                const mc_dist_params *p)
{
    return t->blame != NULL ? t->blame(p) : NULL;
}

/* ------------------------------------------------------------------ */
/* Ownership                                                           */

int mc_dist_copy(mc_dist *dst, const mc_dist *src)
{
    mc_dist c = *src;
    if (src->values != NULL || src->cum != NULL) {
        c.values = malloc(src->n * sizeof *c.values);
        c.cum = malloc(src->n * sizeof *c.cum);
        if (c.values == NULL || c.cum == NULL) {
            free(c.values);
            free(c.cum);
            return -1;
        }
        memcpy(c.values, src->values, src->n * sizeof *c.values);
        memcpy(c.cum, src->cum, src->n * sizeof *c.cum);
    }
    *dst = c;
    return 0;
}

void mc_dist_free(mc_dist *d)
{
    if (d == NULL)
        return;
    free(d->values);
    free(d->cum);
    d->values = NULL;
    d->cum = NULL;
    d->n = 0;
}
