/* mc_saltelli.c: the Saltelli design on any model (mc_saltelli_model),
 * and the breakeven scenario as such a model (see mc_saltelli.h). */
#include "mc_saltelli.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_model.h"
#include "mc_results.h"
#include "mc_rng.h"

double mc_saltelli_bytes(size_t N, size_t d, size_t n_out)
{
    return (double)N * ((double)d + 2.0) * (double)n_out * sizeof(double);
}

int mc_saltelli_sample(const mc_saltelli_model *m, size_t N, int threads,
                       double *y)
{
    return mc_saltelli_rows(m, N, 0, N, threads, y);
}

int mc_saltelli_rows(const mc_saltelli_model *m, size_t N, size_t j0,
                     size_t j1, int threads, double *y)
{
    size_t d = m->d, xl = m->x_len, no = m->n_out;
    if (N == 0 || d == 0 || j0 > j1 || j1 > N)
        return -1;
    if (j0 == j1)
        return 0;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)nt > j1 - j0)
        nt = (int)(j1 - j0);
    /* Per thread: the A row, the B row, the A_B^(i) row being built and
       the outputs of one point.  Zeroed, so that doubles of x no factor
       writes are 0 rather than undefined. */
    size_t per = 3 * xl + no;
    gsl_rng **rngs = calloc((size_t)nt, sizeof *rngs);
    double *work = calloc((size_t)nt * per, sizeof(double));
    int rc = -1;
    if (rngs == NULL || work == NULL)
        goto out;
    for (int t = 0; t < nt; t++)
        if ((rngs[t] = mc_rng_alloc()) == NULL)
            goto out;

#pragma omp parallel for schedule(static) num_threads(nt) default(none) \
    shared(m, N, j0, j1, d, xl, no, per, rngs, work, y)
    for (size_t j = j0; j < j1; j++) {
        int t = omp_get_thread_num();
        const gsl_rng *r = rngs[t];
        double *xa = work + (size_t)t * per, *xb = xa + xl, *x = xb + xl;
        double *v = x + xl;
        for (size_t f = 0; f < d; f++) {
            m->draw(m->ctx, r, f, j, xa);
            m->draw(m->ctx, r, f, N + j, xb);
        }
        m->eval(m->ctx, xa, v);
        for (size_t o = 0; o < no; o++)
            y[mc_sobol_at(N, d, o, 0, j)] = v[o];
        m->eval(m->ctx, xb, v);
        for (size_t o = 0; o < no; o++)
            y[mc_sobol_at(N, d, o, 1, j)] = v[o];
        /* Factor i's values at N + j are drawn again rather than copied
           from xb: the model's layout of x is its own business, and the
           draw, a pure function of (i, N + j), gives the same values. */
        for (size_t i = 0; i < d; i++) {
            memcpy(x, xa, xl * sizeof(double));
            m->draw(m->ctx, r, i, N + j, x);
            m->eval(m->ctx, x, v);
            for (size_t o = 0; o < no; o++)
                y[mc_sobol_at(N, d, o, 2 + i, j)] = v[o];
        }
    }
    rc = 0;
out:
    for (int t = 0; rngs != NULL && t < nt; t++)
        gsl_rng_free(rngs[t]);       /* NULL (calloc) where not allocated */
    free(rngs);
    free(work);
    return rc;
}

/* The design's values, allocated: NULL with msg if N is out of range or
 * memory runs out. */
static double *design_alloc(size_t N, size_t d, size_t n_out, char *msg,
                            size_t len)
{
    if (N < 2 || N > UINT32_MAX) {
        snprintf(msg, len, "expected 2 to %lu base rows, found %zu",
                 (unsigned long)UINT32_MAX, N);
        return NULL;
    }
    double bytes = mc_saltelli_bytes(N, d, n_out);
    double *y = bytes <= (double)SIZE_MAX ? malloc((size_t)bytes) : NULL;
    if (y == NULL)
        snprintf(msg, len, "out of memory: the Saltelli design of %zu rows "
                 "needs %.3g GiB", N, bytes / 1073741824.0);
    return y;
}

int mc_saltelli_run(const mc_saltelli_model *m, size_t N, size_t n_boot,
                    uint64_t seed, int threads, mc_sobol_idx *out, char *msg,
                    size_t len)
{
    double *y = design_alloc(N, m->d, m->n_out, msg, len);
    if (y == NULL)
        return -1;
    int rc = -1;
    if (mc_saltelli_sample(m, N, threads, y) != 0 ||
        mc_sobol_indices_all(y, m->n_out, N, m->d, n_boot, MC_LEVEL, seed,
                             threads, out) != 0)
        snprintf(msg, len, "out of memory");
    else
        rc = 0;
    free(y);
    return rc;
}

/* ---- a breakeven scenario ------------------------------------------- */

static int is_fixed(const mc_input *in)
{
    return mc_dist_is_fixed(&in->dist);
}

#define FACTOR_F (-1)   /* the final run, the group of its stages */

/* The scenario as a model: x[f] is factor f's value; everything fixed is
 * in base, drawn once. */
typedef struct scen_model {
    const mc_scenario *s;
    size_t d;
    int input[MC_SOBOL_MAX_FACTORS];   /* FACTOR_F or an mc_input_id */
    double base[MC_COL_OUTPUT0];       /* a sample's input columns */
} scen_model;

/* The input column of a factor. */
static int factor_col(int id)
{
    return id == FACTOR_F ? MC_COL_F : MC_COL_INPUT0 + id;
}

/* One input's draw at sample idx, as mc_sample.c's random sampling makes
 * it (a fixed input needs no random numbers). */
static double draw_one(const mc_scenario *s, const mc_input *in,
                       const gsl_rng *r, uint64_t idx)
{
    if (!is_fixed(in))
        mc_rng_seek(r, s->seed, in->stream, idx);
    return mc_dist_sample(&in->dist, r);
}

/* F at sample idx: the stages summed in order, as the engine sums them. */
static double draw_F(const mc_scenario *s, const gsl_rng *r, uint64_t idx)
{
    double F = 0.0;
    for (size_t k = 0; k < s->n_stages; k++)
        F += draw_one(s, &s->stages[k], r, idx);
    return F;
}

static void scen_draw(void *ctx, const gsl_rng *r, size_t f, uint64_t idx,
                      double *x)
{
    const scen_model *sm = ctx;
    x[f] = sm->input[f] == FACTOR_F
               ? draw_F(sm->s, r, idx)
               : draw_one(sm->s, &sm->s->inputs[sm->input[f]], r, idx);
}

static void scen_eval(void *ctx, const double *x, double *y)
{
    const scen_model *sm = ctx;
    double in[MC_COL_OUTPUT0];
    memcpy(in, sm->base, sizeof in);
    for (size_t f = 0; f < sm->d; f++)
        in[factor_col(sm->input[f])] = x[f];
    double all[MC_OUT_COUNT];
    const mc_layout *lay = &sm->s->layout;
    mc_model_eval_one(in, all, lay);
    for (int j = 0; j < lay->nout; j++)
        y[j] = all[lay->out[j]];
}

/* Pairs of correlated inputs (nonzero normal correlations, from the
 * Cholesky factor L: the correlation of a and b is row a of L dotted
 * with row b). */
static size_t corr_pairs(const mc_scenario *s)
{
    size_t k = s->n_corr, n = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) {
            double c = 0.0;
            for (size_t e = 0; e <= a; e++)
                c += s->corr_chol[a * k + e] * s->corr_chol[b * k + e];
            n += fabs(c) > 1e-12;
        }
    return n;
}

/* The factors of s and the fixed values: 0, or -1 with msg when no input
 * is uncertain or memory runs out. */
static int scen_open(const mc_scenario *s, scen_model *sm, char *msg,
                     size_t len)
{
    memset(sm, 0, sizeof *sm);
    sm->s = s;
    gsl_rng *r = mc_rng_alloc();
    if (r == NULL) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    int grouped = 0;
    for (size_t k = 0; k < s->n_stages; k++)
        grouped |= !is_fixed(&s->stages[k]);
    if (grouped)
        sm->input[sm->d++] = FACTOR_F;
    else
        sm->base[MC_COL_F] = draw_F(s, r, 0);
    for (int id = 0; id < MC_IN_COUNT; id++) {
        if (is_fixed(&s->inputs[id]))
            sm->base[factor_col(id)] = draw_one(s, &s->inputs[id], r, 0);
        else
            sm->input[sm->d++] = id;
    }
    gsl_rng_free(r);
    if (sm->d == 0) {
        snprintf(msg, len, "expected at least one uncertain input for "
                 "Sobol' indices, found none");
        return -1;
    }
    return 0;
}

/* Over several processes: each computes its share of the rows, and every
 * process gets all of them (segment by segment: output o, matrix b). */
static int rows_shared(const mc_saltelli_model *m, size_t N, int threads,
                       const mc_reducer *red, double *y)
{
    if (red == NULL || red->nprocs <= 1)
        return mc_saltelli_rows(m, N, 0, N, threads, y);
    size_t j0, j1, segs = m->n_out * (m->d + 2);
    mc_share(N, red->rank, red->nprocs, &j0, &j1);
    if (mc_saltelli_rows(m, N, j0, j1, threads, y) != 0)
        return -1;
    double *mine = malloc((segs * (j1 - j0) + 1) * sizeof *mine);
    if (mine == NULL)
        return -1;
    for (size_t g = 0; g < segs; g++)
        memcpy(mine + g * (j1 - j0), y + g * N + j0,
               (j1 - j0) * sizeof *mine);
    void *all = NULL;
    size_t *lens = NULL;
    int rc = red->gather(red->ctx, mine, segs * (j1 - j0) * sizeof *mine,
                         &all, &lens);
    free(mine);
    const double *p = all;
    for (int q = 0; rc == 0 && q < red->nprocs; q++) {
        size_t q0, q1;
        mc_share(N, q, red->nprocs, &q0, &q1);
        if (lens[q] != segs * (q1 - q0) * sizeof *p) {
            rc = -1;
            break;
        }
        for (size_t g = 0; g < segs; g++)
            memcpy(y + g * N + q0, p + g * (q1 - q0),
                   (q1 - q0) * sizeof *p);
        p += segs * (q1 - q0);
    }
    free(all);
    free(lens);
    return rc;
}

int mc_sobol_scenario(const mc_scenario *s, size_t N, size_t n_boot,
                      int threads, const mc_reducer *red,
                      mc_sobol_result *res, char *msg, size_t len)
{
    if (s->n_corr > 0) {
        /* pairs given a correlation of 0 still go through the copula */
        size_t pairs = corr_pairs(s);
        if (pairs > 0)
            snprintf(msg, len, "expected independent inputs for Sobol' "
                     "indices, found %zu correlations", pairs);
        else
            snprintf(msg, len, "expected independent inputs for Sobol' "
                     "indices, found %zu inputs in correlations", s->n_corr);
        return -1;
    }
    scen_model sm;
    if (scen_open(s, &sm, msg, len) != 0)
        return -1;
    size_t d = sm.d;
    const size_t nout = (size_t)s->layout.nout;
    double *y = design_alloc(N, d, nout, msg, len);
    if (y == NULL)
        return -1;

    mc_sobol_result r;
    memset(&r, 0, sizeof r);           /* unused slots compare equal */
    r.d = d;
    r.n_out = nout;
    for (size_t o = 0; o < nout; o++)
        r.out[o] = s->layout.out[o];
    r.N = N;
    r.evaluations = N * (d + 2);
    r.n_boot = n_boot;
    r.boot_seed = s->seed;
    for (size_t f = 0; f < d; f++)
        r.factor[f] = sm.input[f] == FACTOR_F
                          ? mc_column_names[MC_COL_F]
                          : mc_input_infos[sm.input[f]].name;

    mc_saltelli_model m = {.d = d, .n_out = nout, .x_len = d,
                           .draw = scen_draw, .eval = scen_eval, .ctx = &sm};
    mc_sobol_idx idx[MC_NOUTPUTS * MC_SOBOL_MAX_FACTORS];
    int rc = -1;
    if (rows_shared(&m, N, threads, red, y) != 0) {
        snprintf(msg, len, "out of memory");
        goto out;
    }
    double cap = s->n_horizons > 0 ? s->horizons[s->n_horizons - 1]
                                   : MC_SOBOL_CAP_DEFAULT;
    size_t per = N * (d + 2);
    unsigned char infinite[MC_NOUTPUTS] = {0};
    for (size_t o = 0; o < nout; o++) {
        double *v = y + o * per;
        int never = 0;
        for (size_t k = 0; k < per && !never; k++)
            never = isinf(v[k]) && v[k] > 0.0;
        /* a break-even day is censored at the last horizon; another
           output that reaches +inf (a multiplier over an inference site
           of zero intensity) has no such cap: its indices are undefined
           (empty), its values set to 0 so that they compute at all */
        int days = mc_output_infos[r.out[o]].kind == MC_KIND_DAYS;
        r.censored_at[o] = never && days ? cap : (double)NAN;
        infinite[o] = (unsigned char)(never && !days);
        if (never)
            for (size_t k = 0; k < per; k++)
                v[k] = !days ? 0.0 : v[k] < cap ? v[k] : cap;
    }
    if (mc_sobol_indices_all(y, nout, N, d, n_boot, MC_LEVEL,
                             r.boot_seed, threads, idx) != 0) {
        snprintf(msg, len, "out of memory");
        goto out;
    }
    for (size_t o = 0; o < nout; o++)
        for (size_t f = 0; f < d; f++) {
            r.idx[o][f] = idx[o * d + f];
            if (infinite[o]) {
                const double nan = (double)NAN;
                r.idx[o][f] = (mc_sobol_idx){nan, nan, nan, nan, nan, nan};
            }
        }
    *res = r;
    rc = 0;
out:
    free(y);
    return rc;
}

/* ",x" with x as mc_fmt_double writes it, or "," for NaN. */
static char *cell(char *p, double x)
{
    *p++ = ',';
    if (!isnan(x))
        p += mc_fmt_double(p, x);
    return p;
}

int mc_sobol_write_csv(FILE *f, const mc_sobol_result *res)
{
    if (fputs("metric,input,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,n_base,"
              "censored_at\n", f) == EOF)
        return -1;
    for (size_t o = 0; o < res->n_out; o++)
        for (size_t i = 0; i < res->d; i++) {
            const mc_sobol_idx *x = &res->idx[o][i];
            char line[512];
            /* the names are the program's own, far shorter than 128 */
            int n = snprintf(line, 128, "%s,%s",
                             mc_column_names[MC_COL_OUTPUT0 + res->out[o]],
                             res->factor[i]);
            char *p = line + (n > 0 && n < 128 ? n : 0);
            p = cell(p, x->S1);
            p = cell(p, x->S1_lo);
            p = cell(p, x->S1_hi);
            p = cell(p, x->ST);
            p = cell(p, x->ST_lo);
            p = cell(p, x->ST_hi);
            p += snprintf(p, 32, ",%zu", res->N);
            p = cell(p, res->censored_at[o]);
            *p++ = '\n';
            *p = '\0';
            if (fputs(line, f) == EOF)
                return -1;
        }
    return 0;
}
