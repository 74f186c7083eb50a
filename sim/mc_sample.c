/* mc_sample.c: the samples of a scenario (mc_sample.h): each input drawn
 * under the scenario's design (random, Latin hypercube, Sobol'), the
 * correlated ones through a Gaussian copula, then the model evaluated on
 * the block (mc_model_eval_block) and, for the curve, at the horizons. */
#include "mc_sample.h"
#include "mc_sample_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>

#include "mc_rng.h"

static int is_fixed(const mc_input *in)
{
    return mc_dist_is_fixed(&in->dist);
}

static unsigned sobol_dims(const mc_scenario *s)
{
    unsigned d = 0;
    for (size_t k = 0; k < s->n_stages; k++)
        d += !is_fixed(&s->stages[k]);
    for (int j = 0; j < MC_IN_COUNT; j++)
        d += !is_fixed(&s->inputs[j]);
    return d;
}

static int sobol_open(const mc_scenario *s, mc_sobol_cursor *c)
{
    memset(c, 0, sizeof *c);
    if (s->sampling != MC_SAMPLING_SOBOL)
        return 0;
    c->dims = sobol_dims(s);
    if (c->dims == 0)
        return 0;
    c->q = gsl_qrng_alloc(gsl_qrng_sobol, c->dims);
    c->pts = malloc(MC_BLOCK * c->dims * sizeof(double));
    return c->q != NULL && c->pts != NULL ? 0 : -1;
}

static void sobol_close(mc_sobol_cursor *c)
{
    if (c->q != NULL)
        gsl_qrng_free(c->q);
    free(c->pts);
    memset(c, 0, sizeof *c);
}

/* Point i of the Sobol' sequence is the origin for i = 0 and GSL's i-th
 * output after that (GSL starts after the origin): so the first 2^k
 * samples are a complete (0, k, s)-net. */
static void sobol_fill(mc_sobol_cursor *c, uint64_t first, size_t len)
{
    double skip[MC_SOBOL_MAX_DIMS];
    if (c->next == 0 || c->next > (first > 0 ? first : 1)) {
        gsl_qrng_init(c->q);
        c->next = 1;
    }
    for (; c->next < first; c->next++)
        gsl_qrng_get(c->q, skip);
    for (size_t i = 0; i < len; i++) {
        double *p = c->pts + i * c->dims;
        if (first + i == 0) {
            for (unsigned d = 0; d < c->dims; d++)
                p[d] = 0.0;
            continue;
        }
        gsl_qrng_get(c->q, p);
        c->next++;
    }
}

/* Input in's draws of samples first .. first+len-1 into v, or added to v
 * (stages, summed into F in stage order).  Random sampling: the
 * distribution's own sampler on the sample's stream.  Latin hypercube:
 * stratum k = mc_rng_permute(seed, stream, n, i) of n equal ones, and
 * the point (k + U) / n in it, U the stream's first uniform, through the
 * quantile function. */
/* The design's probability for input `in` (Sobol' coordinate dim, its
 * digital shift mc_rng_shift(seed, stream), computed once by the caller)
 * of sample first + i, LHS or Sobol' only: LHS stratum k's point
 * (k + U) / n, U the stream's first uniform; Sobol' the coordinate's 32
 * leading bits XORed with the shift, the middle of that 2^-32 cell.
 * Always in (0, 1). */
static double design_u(const mc_scenario *s, const mc_input *in,
                       const gsl_rng *r, const mc_sobol_cursor *sc,
                       unsigned dim, uint32_t shift, size_t first, size_t i)
{
    if (s->sampling == MC_SAMPLING_SOBOL) {
        double p = sc->pts[i * sc->dims + dim];
        uint32_t b = (uint32_t)(p * 4294967296.0) ^ shift;
        return ((double)b + 0.5) / 4294967296.0;
    }
    uint64_t n = s->samples;
    mc_rng_seek(r, s->seed, in->stream, first + i);
    uint64_t k = mc_rng_permute(s->seed, in->stream, n, first + i);
    double u = ((double)k + gsl_rng_uniform_pos(r)) / (double)n;
    /* k + U rounds up to n when n is near 2^53 / 2^32: stay inside */
    return u < 1.0 ? u : 0x1.fffffffffffffp-1;
}

static void draw_input(const mc_scenario *s, const mc_input *in,
                       const gsl_rng *r, const mc_sobol_cursor *sc,
                       unsigned dim, size_t first, size_t len, double *v,
                       int add)
{
    if (is_fixed(in)) {               /* no random numbers needed */
        double x = mc_dist_sample(&in->dist, r);
        for (size_t i = 0; i < len; i++)
            v[i] = add ? v[i] + x : x;
        return;
    }
    if (s->sampling == MC_SAMPLING_RANDOM) {
        for (size_t i = 0; i < len; i++) {
            mc_rng_seek(r, s->seed, in->stream, first + i);
            double x = mc_dist_sample(&in->dist, r);
            v[i] = add ? v[i] + x : x;
        }
        return;
    }
    uint32_t shift = mc_rng_shift(s->seed, in->stream);
    for (size_t i = 0; i < len; i++) {
        double x = mc_dist_quantile(
            &in->dist, design_u(s, in, r, sc, dim, shift, first, i));
        v[i] = add ? v[i] + x : x;
    }
}

/* The correlated inputs (a Gaussian copula): for each sample, a standard
 * normal for each input (random sampling: from its own stream; LHS and
 * Sobol': the normal score of the design's probability, so the first
 * correlated input keeps its stratification and the others keep their
 * distribution but not their strata), mixed by the
 * Cholesky factor of the normal correlations, back to a probability with
 * Phi and through each input's quantile function.  The marginals are
 * exactly the inputs' distributions; the rank correlations are the
 * scenario's Spearman values (2 sin(pi rho_s / 6) is the normal
 * correlation with that rank correlation). */
static void draw_correlated(const mc_scenario *s, const gsl_rng *r,
                            const mc_sobol_cursor *sc, const unsigned *dims,
                            size_t first, size_t len,
                            double *const col[MC_NCOLS])
{
    size_t k = s->n_corr;
    uint32_t shift[MC_IN_COUNT];
    for (size_t a = 0; a < k; a++)
        shift[a] = mc_rng_shift(s->seed, s->inputs[s->corr_input[a]].stream);
    for (size_t i = 0; i < len; i++) {
        double eps[MC_IN_COUNT];
        for (size_t a = 0; a < k; a++) {
            const mc_input *in = &s->inputs[s->corr_input[a]];
            if (s->sampling == MC_SAMPLING_RANDOM) {
                mc_rng_seek(r, s->seed, in->stream, first + i);
                eps[a] = gsl_ran_gaussian_ziggurat(r, 1.0);
            } else {                  /* the design's normal scores */
                eps[a] = gsl_cdf_ugaussian_Pinv(
                    design_u(s, in, r, sc, dims[a], shift[a], first, i));
            }
        }
        for (size_t a = 0; a < k; a++) {
            double z = 0.0;
            for (size_t b = 0; b <= a; b++)
                z += s->corr_chol[a * k + b] * eps[b];
            double u = gsl_cdf_ugaussian_P(z);
            /* z mixes up to MC_IN_COUNT normals of 10 sigma each: held
               to the reach the inputs were checked at (mc_dist.h), so
               that no draw lands beyond what config/ let through */
            if (!(u >= MC_DIST_REACH_P))
                u = MC_DIST_REACH_P;
            if (!(u < 1.0))
                u = 0x1.fffffffffffffp-1;
            col[MC_COL_INPUT0 + s->corr_input[a]][i] =
                mc_dist_quantile(&s->inputs[s->corr_input[a]].dist, u);
        }
    }
}

/* Samples first .. first+len-1 into col: the stages summed into F, the
 * inputs (the correlated ones last, together), then the outputs.  The
 * columns marked in same are copied from from[] instead (from NULL:
 * none); the correlated inputs are marked all or none (mc_sample_same). */
static void samples_at(const mc_scenario *s, const gsl_rng *r,
                       mc_sobol_cursor *sc, size_t first, size_t len,
                       double *const col[MC_NCOLS],
                       const double *const *from, const unsigned char *same)
{
    double *F = col[MC_COL_F];
    unsigned dim = 0;
    if (sc != NULL && sc->q != NULL)
        sobol_fill(sc, first, len);
    if (from != NULL && same[MC_COL_F]) {
        memcpy(F, from[MC_COL_F], len * sizeof *F);
        for (size_t k = 0; k < s->n_stages; k++)
            dim += !is_fixed(&s->stages[k]);
    } else {
        for (size_t i = 0; i < len; i++)
            F[i] = 0.0;
        for (size_t k = 0; k < s->n_stages; k++) {
            draw_input(s, &s->stages[k], r, sc, dim, first, len, F, 1);
            dim += !is_fixed(&s->stages[k]);
        }
    }
    int correlated[MC_IN_COUNT] = {0};
    unsigned in_dim[MC_IN_COUNT] = {0}, corr_dim[MC_IN_COUNT] = {0};
    for (size_t a = 0; a < s->n_corr; a++)
        correlated[s->corr_input[a]] = 1;
    for (int j = 0; j < MC_IN_COUNT; j++) {
        int c = MC_COL_INPUT0 + j;
        in_dim[j] = dim;
        if (from != NULL && same[c])
            memcpy(col[c], from[c], len * sizeof *col[c]);
        else if (!correlated[j])
            draw_input(s, &s->inputs[j], r, sc, dim, first, len, col[c], 0);
        dim += !is_fixed(&s->inputs[j]);
    }
    for (size_t a = 0; a < s->n_corr; a++)
        corr_dim[a] = in_dim[s->corr_input[a]];
    if (s->n_corr > 0 &&
        !(from != NULL && same[MC_COL_INPUT0 + s->corr_input[0]]))
        draw_correlated(s, r, sc, corr_dim, first, len, col);

    mc_model_eval_block(col, len, &s->layout);
}

/* Each column's Sobol' coordinate (F: its first stage's), as samples_at
 * counts them; a fixed one has none (its entry is unused). */
static void sobol_coords(const mc_scenario *s, unsigned dim[MC_COL_OUTPUT0])
{
    unsigned d = 0;
    dim[MC_COL_F] = 0;
    for (size_t k = 0; k < s->n_stages; k++)
        d += !is_fixed(&s->stages[k]);
    for (int j = 0; j < MC_IN_COUNT; j++) {
        dim[MC_COL_INPUT0 + j] = d;
        d += !is_fixed(&s->inputs[j]);
    }
}

static int same_input(const mc_input *x, const mc_input *y)
{
    return x->stream == y->stream && mc_dist_same(&x->dist, &y->dist);
}

void mc_sample_same(const mc_scenario *a, const mc_scenario *b,
                    unsigned char same[MC_COL_OUTPUT0])
{
    memset(same, 0, MC_COL_OUTPUT0);
    int sobol = a->sampling == MC_SAMPLING_SOBOL;
    if (a->seed != b->seed || a->samples != b->samples ||
        a->sampling != b->sampling ||
        (sobol && sobol_dims(a) != sobol_dims(b)))
        return;
    unsigned da[MC_COL_OUTPUT0], db[MC_COL_OUTPUT0];
    sobol_coords(a, da);
    sobol_coords(b, db);
    /* F: every stage, from coordinate 0 on */
    int f = a->n_stages == b->n_stages;
    for (size_t k = 0; f && k < a->n_stages; k++)
        f = same_input(&a->stages[k], &b->stages[k]);
    same[MC_COL_F] = (unsigned char)f;
    /* the correlated inputs: drawn together, so the same all or none */
    int corr = a->n_corr == b->n_corr &&
               memcmp(a->corr_input, b->corr_input,
                      a->n_corr * sizeof *a->corr_input) == 0 &&
               memcmp(a->corr_chol, b->corr_chol,
                      a->n_corr * a->n_corr * sizeof *a->corr_chol) == 0;
    for (size_t k = 0; corr && k < a->n_corr; k++) {
        int c = MC_COL_INPUT0 + a->corr_input[k];
        corr = same_input(&a->inputs[a->corr_input[k]],
                          &b->inputs[a->corr_input[k]]) &&
               (!sobol || da[c] == db[c]);
    }
    int correlated[MC_IN_COUNT] = {0};
    for (size_t k = 0; k < a->n_corr; k++)
        correlated[a->corr_input[k]] = 1;
    for (size_t k = 0; k < b->n_corr; k++)
        correlated[b->corr_input[k]] = 1;
    for (int j = 0; j < MC_IN_COUNT; j++) {
        int c = MC_COL_INPUT0 + j;
        const mc_input *x = &a->inputs[j], *y = &b->inputs[j];
        same[c] = (unsigned char)(correlated[j]
            ? corr
            : same_input(x, y) &&
                  (!sobol || is_fixed(x) || da[c] == db[c]));
    }
}

void mc_engine_samples(const mc_scenario *s, const gsl_rng *r, size_t first,
                       size_t len, double *const col[MC_NCOLS])
{
    mc_sobol_cursor sc;
    if (sobol_open(s, &sc) != 0) {   /* out of memory: no numbers */
        for (int c = 0; c < MC_NCOLS; c++)
            for (size_t i = 0; i < len; i++)
                col[c][i] = (double)NAN;
    } else {
        samples_at(s, r, &sc, first, len, col, NULL, NULL);
    }
    sobol_close(&sc);
}

int mc_sampler_init_(mc_sampler *p, const mc_scenario *s)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->r = mc_rng_alloc();
    int rc = sobol_open(s, &p->sc);
    return p->r != NULL && rc == 0 ? 0 : -1;
}

void mc_sampler_fini_(mc_sampler *p)
{
    gsl_rng_free(p->r);
    sobol_close(&p->sc);
    memset(p, 0, sizeof *p);
}

mc_sampler *mc_sampler_new(const mc_scenario *s)
{
    mc_sampler *p = malloc(sizeof *p);
    if (p == NULL)
        return NULL;
    if (mc_sampler_init_(p, s) != 0) {
        mc_sampler_free(p);
        return NULL;
    }
    return p;
}

void mc_sampler_draw(mc_sampler *p, size_t first, size_t len,
                     double *const col[MC_NCOLS])
{
    samples_at(p->s, p->r, &p->sc, first, len, col, NULL, NULL);
}

void mc_sampler_draw_from(mc_sampler *p, size_t first, size_t len,
                          double *const col[MC_NCOLS],
                          const double *const from[MC_NCOLS],
                          const unsigned char same[MC_COL_OUTPUT0])
{
    samples_at(p->s, p->r, &p->sc, first, len, col, from, same);
}

void mc_sampler_free(mc_sampler *p)
{
    if (p == NULL)
        return;
    mc_sampler_fini_(p);
    free(p);
}

void mc_engine_curve(const mc_scenario *s, const double *const col[MC_NCOLS],
                     size_t len, double *scratch, mc_curve_fn fn, void *ctx)
{
    mc_model_curve(col, len, MC_BLOCK, s->horizons, s->n_horizons,
                   &s->layout, scratch, fn, ctx);
}

size_t mc_engine_sens_inputs(const mc_scenario *s, int *cols)
{
    size_t d = 0;
    for (size_t k = 0; k < s->n_stages; k++)
        if (!is_fixed(&s->stages[k])) {
            cols[d++] = MC_COL_F;
            break;
        }
    for (int j = 0; j < MC_IN_COUNT; j++)
        if (!is_fixed(&s->inputs[j]))
            cols[d++] = MC_COL_INPUT0 + j;
    return d;
}

void mc_share(size_t n, int rank, int nprocs, size_t *i0, size_t *i1)
{
    size_t np = (size_t)nprocs, r = (size_t)rank;
    /* n r / np without overflow */
    *i0 = n / np * r + n % np * r / np;
    *i1 = n / np * (r + 1) + n % np * (r + 1) / np;
}
