/* mc_saltelli.c: the Saltelli design on any model (mc_saltelli_model),
 * see mc_saltelli.h. */
#include "mc_saltelli.h"

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_results.h"
#include "mc_rng.h"

double mc_saltelli_bytes(size_t N, size_t d, size_t n_out)
{
    return (double)N * ((double)d + 2.0) * (double)n_out * sizeof(double);
}

int mc_saltelli_sample(const mc_saltelli_model *m, size_t N, int threads,
                       double *y)
{
    size_t d = m->d, xl = m->x_len, no = m->n_out;
    if (N == 0 || d == 0)
        return -1;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)nt > N)
        nt = (int)N;
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
    shared(m, N, d, xl, no, per, rngs, work, y)
    for (size_t j = 0; j < N; j++) {
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
