/* discrete.c: a discrete distribution on n values v_i with weights w_i,
 * P(X = v_i) = w_i / sum w.  The values are sorted at construction and
 * cum[i] = P(X <= v_i) (cum[n-1] = 1), so that
 *
 *   F(x) = cum[i] for the last i with v_i <= x,
 *   quantile(u) = v_i for the first i with cum[i] >= u (u > 0),
 *
 * and a draw is v_i for the first i with cum[i] > U, U = gsl_rng_uniform:
 * inversion by binary search (Devroye, Non-Uniform Random Variate
 * Generation, 1986, III.2), O(log n) per draw, no allocation, and monotone
 * in U as Latin hypercube or quasi-random inputs need (an alias table, as
 * in gsl_ran_discrete, is not).  Values of weight 0 are never drawn. */
#include "mc_dist_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

struct pair {
    double v, w;
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* A random draw finds its value with a 32-bit uniform U (cum[i] > U): a
 * value whose share of the weight is under 2^-32 is drawn with
 * probability 2^-32 (the first one, at U = 0) or never, not with its
 * share; 1e-300 of the weight came out 2^-32, 1e290 times too often. */
static int check_shares(size_t n, const double *weights, double sum,
                        char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN], b[MC_DIST_NUM_LEN];
    for (size_t i = 0; weights != NULL && i < n; i++)
        if (weights[i] > 0.0 && weights[i] / sum < 0x1p-32)
            return mc_dist_fail_(msg, len,
                                 "expected each weight 0 or at least 2^-32 "
                                 "= 2.3e-10 of their sum (the 32-bit "
                                 "uniforms that draw a value resolve no "
                                 "finer), found weights[%zu] = %s, a share "
                                 "of %s; make it 0 or larger", i,
                                 mc_dist_num_(a, weights[i]),
                                 mc_dist_num_(b, weights[i] / sum));
    return 0;
}

int mc_dist_discrete(mc_dist *d, size_t n, const double *values,
                     const double *weights, char *msg, size_t len)
{
    char a[MC_DIST_NUM_LEN];
    if (n == 0 || values == NULL)
        return mc_dist_fail_(msg, len, "expected at least one value in values, found 0");
    if (n > SIZE_MAX / sizeof(struct pair))
        return mc_dist_fail_(msg, len, "expected fewer values, found %zu", n);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return mc_dist_fail_(msg, len, "expected finite values, found values[%zu] = %s",
                                 i, mc_dist_num_(a, values[i]));
        double w = weights != NULL ? weights[i] : 1.0;
        if (!isfinite(w))
            return mc_dist_fail_(msg, len, "expected finite weights, found weights[%zu] = %s",
                                 i, mc_dist_num_(a, w));
        if (w < 0.0)
            return mc_dist_fail_(msg, len, "expected weights >= 0, found weights[%zu] = %s",
                                 i, mc_dist_num_(a, w));
        sum += w;
    }
    if (!(sum > 0.0) || !isfinite(sum))
        return mc_dist_fail_(msg, len,
                             "expected weights with a positive finite sum, found %s",
                             mc_dist_num_(a, sum));
    if (check_shares(n, weights, sum, msg, len))
        return -1;

    struct pair *t = malloc(n * sizeof *t);
    double *v = malloc(n * sizeof *v), *cum = malloc(n * sizeof *cum);
    if (t == NULL || v == NULL || cum == NULL) {
        free(t);
        free(v);
        free(cum);
        return mc_dist_fail_(msg, len, "out of memory for %zu values", n);
    }
    for (size_t i = 0; i < n; i++) {
        t[i].v = values[i];
        t[i].w = weights != NULL ? weights[i] : 1.0;
    }
    qsort(t, n, sizeof *t, pair_cmp);
    /* Summed in sorted order, so that cum follows the values; from the
       last positive weight on, exactly 1, so that rounding cannot let a
       draw reach a trailing zero weight. */
    double acc = 0.0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = t[i].v;
        acc += t[i].w;
        cum[i] = acc / sum;
        if (t[i].w > 0.0)
            last = i;
    }
    for (size_t i = last; i < n; i++)
        cum[i] = 1.0;
    free(t);

    mc_dist r = mc_dist_make_(&mc_dist_discrete_type, 0.0, 0.0, 0.0, 0.0);
    r.n = n;
    r.values = v;
    r.cum = cum;
    *d = r;
    return 0;
}

static int discrete_check(const mc_dist *d, char *msg, size_t len)
{
    if (d->n == 0 || d->values == NULL || d->cum == NULL)
        return mc_dist_fail_(msg, len, "expected at least one value in values, found 0");
    return 0;
}

/* The first i with cum[i] > u (strict) or >= u; cum[n-1] = 1 bounds it. */
static size_t search(const mc_dist *d, double u, int strict)
{
    size_t lo = 0, hi = d->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? d->cum[mid] > u : d->cum[mid] >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static double discrete_sample(const mc_dist *d, const gsl_rng *r)
{
    return d->values[search(d, gsl_rng_uniform(r), 1)];
}

static double discrete_quantile(const mc_dist *d, double u)
{
    /* u = 0 would find a leading value of weight 0. */
    return d->values[u > 0.0 ? search(d, u, 0) : search(d, 0.0, 1)];
}

static double discrete_cdf(const mc_dist *d, double x)
{
    if (x < d->values[0])
        return 0.0;
    size_t lo = 0, hi = d->n - 1;   /* the last i with values[i] <= x */
    while (lo < hi) {
        size_t mid = hi - (hi - lo) / 2;
        if (d->values[mid] <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    return d->cum[lo];
}

static double prob(const mc_dist *d, size_t i)
{
    return i == 0 ? d->cum[0] : d->cum[i] - d->cum[i - 1];
}

static double discrete_mean(const mc_dist *d)
{
    double m = 0.0;
    for (size_t i = 0; i < d->n; i++)
        m += prob(d, i) * d->values[i];
    return m;
}

static double discrete_variance(const mc_dist *d)
{
    double m = discrete_mean(d), v = 0.0;
    for (size_t i = 0; i < d->n; i++)
        v += prob(d, i) * (d->values[i] - m) * (d->values[i] - m);
    return v;
}

/* The extreme values of positive weight. */
static void discrete_support(const mc_dist *d, double *lo, double *hi)
{
    *lo = d->values[search(d, 0.0, 1)];
    *hi = d->values[search(d, 1.0, 0)];
}

const mc_dist_type mc_dist_discrete_type = {
    .name = "discrete",
    .check = discrete_check,
    .sample = discrete_sample,
    .quantile = discrete_quantile,
    .cdf = discrete_cdf,
    .mean = discrete_mean,
    .variance = discrete_variance,
    .continuous = 0,
    .support = discrete_support,
    .params = {"values", "weights", NULL},   /* arrays: mc_dist_discrete */
    .n_required = 1,
};
