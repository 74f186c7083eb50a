/* floor.c: the generator floor of breakeven's sampling loop.
 *
 * Draws exactly the random variates the default scenario needs per sample,
 * with the engine's generator and samplers (mc_rng_seek + mc_dist_sample
 * for every non-fixed input, as sim/mc_sample.c's draw_input() does), into
 * a volatile sink, on one thread.  No model, no columns, no statistics: the
 * fastest breakeven's sampling could be with these samplers.
 *
 *   bench_floor N [DRAWS]   N samples for the floor, DRAWS per distribution
 *
 * Prints key=value lines (bench/bench.py reads them). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mc_dist.h"
#include "mc_rng.h"
#include "mc_scenario.h"

static volatile double sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int is_fixed(const mc_input *in)
{
    return strcmp(mc_dist_name(&in->dist), "fixed") == 0;
}

/* Seconds for n samples drawing the inputs ins[0..k). */
static double run_loop(const mc_input *const *ins, size_t k, uint64_t seed,
                       const gsl_rng *r, uint64_t n)
{
    double t0 = now(), acc = 0.0;
    for (uint64_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            mc_rng_seek(r, seed, ins[j]->stream, i);
            acc += mc_dist_sample(&ins[j]->dist, r);
        }
    sink = acc;
    return now() - t0;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? (uint64_t)strtod(argv[1], NULL) : 2000000u;
    uint64_t draws = argc > 2 ? (uint64_t)strtod(argv[2], NULL) : 2000000u;
    mc_scenario s;
    mc_err err;
    if (mc_cfg_load_default(&s, &err) != 0) {
        fprintf(stderr, "bench_floor: %s: %s\n", err.path, err.msg);
        return 1;
    }
    gsl_rng *r = mc_rng_alloc();
    if (r == NULL || n == 0 || draws == 0)
        return 1;

    const mc_input *all[64], *rand_in[64];
    size_t n_all = 0, n_rand = 0;
    for (size_t k = 0; k < s.n_stages && n_all < 32; k++)
        all[n_all++] = &s.stages[k];
    for (int j = 0; j < MC_IN_COUNT; j++)
        all[n_all++] = &s.inputs[j];
    for (size_t j = 0; j < n_all; j++)
        if (!is_fixed(all[j]))
            rand_in[n_rand++] = all[j];

    /* warm-up, then the floor: non-fixed inputs only */
    (void)run_loop(rand_in, n_rand, s.seed, r, n / 20 + 1);
    double t = run_loop(rand_in, n_rand, s.seed, r, n);
    printf("samples=%" PRIu64 "\n", n);
    printf("draws_per_sample=%zu\n", n_rand);
    printf("floor_seconds=%.6f\n", t);
    printf("floor_samples_per_s=%.6g\n", (double)n / t);
    /* as the engine does it: fixed inputs too go through seek + sample */
    t = run_loop(all, n_all, s.seed, r, n);
    printf("floor_all_inputs_samples_per_s=%.6g\n", (double)n / t);

    /* per distribution: ns per seek + draw, one input at a time */
    for (size_t j = 0; j < n_all; j++) {
        if (is_fixed(all[j]) && j != 0)
            continue;   /* one fixed input stands for all */
        const mc_input *one[1] = {all[j]};
        (void)run_loop(one, 1, s.seed, r, draws / 20 + 1);
        t = run_loop(one, 1, s.seed, r, draws);
        printf("dist=%s%s|%s|%.2f\n", mc_dist_name(&all[j]->dist),
               all[j]->dist.truncated ? " (truncated)" : "", all[j]->name,
               1e9 * t / (double)draws);
    }
    /* the seek alone, and seek + one uniform, for reference */
    double t0 = now(), acc = 0.0;
    for (uint64_t i = 0; i < draws; i++) {
        mc_rng_seek(r, s.seed, rand_in[0]->stream, i);
        acc += (double)i;
    }
    t = now() - t0;
    sink = acc;
    printf("dist=mc_rng_seek only|-|%.2f\n", 1e9 * t / (double)draws);
    t0 = now();
    acc = 0.0;
    for (uint64_t i = 0; i < draws; i++) {
        mc_rng_seek(r, s.seed, rand_in[0]->stream, i);
        acc += gsl_rng_uniform_pos(r);
    }
    t = now() - t0;
    sink = acc;
    printf("dist=seek + gsl_rng_uniform_pos|-|%.2f\n",
           1e9 * t / (double)draws);

    gsl_rng_free(r);
    mc_scenario_free(&s);
    return 0;
}
