/* test_sobol.c: Sobol' indices of a Saltelli design (results/mc_sobol.c,
 * sim/mc_saltelli.c): the estimators on values worked out by hand, the
 * Ishigami function's closed-form indices through the same code path as
 * breakeven's, the bootstrap intervals' coverage over independent seeds,
 * thread invariance, and the breakeven adapter (factors, censoring,
 * sobol.csv, refusal of correlated inputs). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <omp.h>

#include "mc_dist.h"
#include "mc_engine.h"
#include "mc_rng.h"
#include "mc_saltelli.h"
#include "mc_sobol.h"

/* A version-1 scenario's outputs: the first of the output table, with
 * the required-traffic ones (mc_layout_v1). */
#define V1_NOUTPUTS (MC_OUT_REQUIRED_GPU_HOURS_PER_DAY_ENERGY + 1)

static void assert_near(double x, double want, double tol, const char *what)
{
    if (!(fabs(x - want) <= tol)) {
        print_error("%s: %.17g is not within %g of %.17g\n", what, x, tol,
                    want);
        fail();
    }
}

/* ---- the estimators by hand ----------------------------------------- */

/* N = 4 rows, d = 2 factors:
 *
 *   yA  = 0 2 4 2        yB = 2 0 2 4
 *   yAB0 = 1 2 3 4       yAB1 = 2 0 4 4
 *
 * Mean of the 8 values of yA and yB: 16 / 8 = 2; centred yA = -2 0 2 0,
 * centred yB = 0 -2 0 2; V = (4 + 4 + 4 + 4) / 8 = 2.
 * Factor 0: yAB0 - yA = 1 0 -1 2; sum of centred yB times it
 *   = 0 + 0 + 0 + 4 = 4, S1 = 4 / 4 / 2 = 0.5; sum of squares 6,
 *   ST = 6 / 8 / 2 = 0.375.
 * Factor 1: yAB1 - yA = 2 -2 0 2; sum = 0 + 4 + 0 + 4 = 8, S1 = 8 / 4 / 2
 *   = 1; squares 12, ST = 12 / 8 / 2 = 0.75.
 * Without the centring factor 0's S1 would be (2 + 0 - 2 + 8) / 4 / 2 = 1,
 * and with V over 2N - 1 every index would be 7/8 of these. */
static const double hand_yA[4] = {0, 2, 4, 2}, hand_yB[4] = {2, 0, 2, 4};
static const double hand_yAB[8] = {1, 2, 3, 4, 2, 0, 4, 4};

static void estimators_should_match_hand_computed_values(void **state)
{
    (void)state;
    mc_sobol_idx out[2];
    assert_int_equal(mc_sobol_indices(hand_yA, hand_yB, hand_yAB, 4, 2, 0,
                                      0.95, 1, 1, out), 0);
    assert_near(out[0].S1, 0.5, 1e-12, "S1 of factor 0");
    assert_near(out[0].ST, 0.375, 1e-12, "ST of factor 0");
    assert_near(out[1].S1, 1.0, 1e-12, "S1 of factor 1");
    assert_near(out[1].ST, 0.75, 1e-12, "ST of factor 1");
    /* no resamples: no intervals */
    assert_true(isnan(out[0].S1_lo) && isnan(out[1].ST_hi));

    /* with resamples the point estimate stays, and the interval is a pair
       of ordered numbers */
    mc_sobol_idx boot[2];
    assert_int_equal(mc_sobol_indices(hand_yA, hand_yB, hand_yAB, 4, 2, 200,
                                      0.95, 1, 1, boot), 0);
    assert_near(boot[0].S1, 0.5, 1e-12, "S1 of factor 0, bootstrapped");
    assert_near(boot[1].ST, 0.75, 1e-12, "ST of factor 1, bootstrapped");
    assert_true(boot[0].S1_lo <= boot[0].S1_hi);
    assert_true(boot[1].ST_lo <= boot[1].ST_hi);
}

static void estimators_should_refuse_constant_or_infinite_values(void **state)
{
    (void)state;
    double c[4] = {0.1, 0.1, 0.1, 0.1}, cab[8];
    for (size_t k = 0; k < 8; k++)
        cab[k] = 0.1 + (double)k;     /* only A and B count for V */
    mc_sobol_idx out[2];
    assert_int_equal(mc_sobol_indices(c, c, cab, 4, 2, 10, 0.95, 1, 1, out),
                     -1);
    assert_true(isnan(out[0].S1) && isnan(out[1].ST) && isnan(out[1].ST_hi));

    double yab[8];
    memcpy(yab, hand_yAB, sizeof yab);
    yab[5] = INFINITY;
    assert_int_equal(mc_sobol_indices(hand_yA, hand_yB, yab, 4, 2, 10, 0.95,
                                      1, 1, out), -1);
    assert_true(isnan(out[0].S1) && isnan(out[1].ST));
    assert_int_equal(mc_sobol_indices(hand_yA, hand_yB, hand_yAB, 1, 2, 10,
                                      0.95, 1, 1, out), -2);
}

/* The outputs of one design together: the same numbers as one call per
 * output (the same resamples), and an output without indices does not
 * spoil the others. */
static void all_outputs_should_match_one_call_each(void **state)
{
    (void)state;
    double y[3 * 16];            /* 3 outputs, (d + 2) N = 16 values each */
    for (size_t k = 0; k < 4; k++) {
        y[k] = hand_yA[k];
        y[4 + k] = hand_yB[k];
        y[8 + k] = hand_yAB[k];
        y[12 + k] = hand_yAB[4 + k];
    }
    for (size_t k = 0; k < 16; k++) {
        y[16 + k] = 3.0;                              /* constant */
        y[32 + k] = (double)((k * 7) % 5) - 1.5 * (double)(k % 3);
    }
    mc_sobol_idx all[6], one[2];
    assert_int_equal(mc_sobol_indices_all(y, 3, 4, 2, 50, 0.9, 5, 2, all),
                     0);
    assert_int_equal(mc_sobol_indices(y, y + 4, y + 8, 4, 2, 50, 0.9, 5, 1,
                                      one), 0);
    assert_memory_equal(all, one, sizeof one);
    assert_true(isnan(all[2].S1) && isnan(all[3].ST_hi));
    assert_int_equal(mc_sobol_indices(y + 32, y + 36, y + 40, 4, 2, 50, 0.9,
                                      5, 3, one), 0);
    assert_memory_equal(all + 4, one, sizeof one);
    assert_int_equal(mc_sobol_at(4, 2, 2, 3, 1), 32 + 12 + 1);
}

/* ---- Ishigami --------------------------------------------------------- */

static void assert_inside(double x, double lo, double hi, const char *what)
{
    if (!(lo <= x && x <= hi)) {
        print_error("%s: %.17g is not inside [%.17g, %.17g]\n", what, x, lo,
                    hi);
        fail();
    }
}

/* f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on (-pi, pi),
 * a = 7, b = 0.1 (Ishigami and Homma 1990): the usual test of Sobol'
 * estimators, with an interaction (x1, x3) and a factor (x3) whose first
 * order index is 0. */
#define ISHI_A 7.0
#define ISHI_B 0.1

typedef struct ishigami {
    uint64_t seed;
    uint32_t stream[3];
    mc_dist u;
} ishigami;

static void ishigami_init(ishigami *m, uint64_t seed)
{
    static const char *const names[3] = {"x1", "x2", "x3"};
    m->seed = seed;
    for (int i = 0; i < 3; i++)
        m->stream[i] = mc_rng_stream_id(names[i]);
    m->u = mc_dist_uniform(-M_PI, M_PI);
}

static void ishigami_draw(void *ctx, const gsl_rng *r, size_t f,
                          uint64_t idx, double *x)
{
    const ishigami *m = ctx;
    mc_rng_seek(r, m->seed, m->stream[f], idx);
    x[f] = mc_dist_sample(&m->u, r);
}

static void ishigami_eval(void *ctx, const double *x, double *y)
{
    (void)ctx;
    double s2 = sin(x[1]);
    y[0] = sin(x[0]) + ISHI_A * s2 * s2 +
           ISHI_B * pow(x[2], 4) * sin(x[0]);
}

static mc_saltelli_model ishigami_model(ishigami *m)
{
    return (mc_saltelli_model){.d = 3, .n_out = 1, .x_len = 3,
                               .draw = ishigami_draw, .eval = ishigami_eval,
                               .ctx = m};
}

/* The closed forms: V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V3 = 0,
 * V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225, and
 * V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 (= V1 + V2 + V13). */
static void ishigami_truth(double S1[3], double ST[3])
{
    double a = ISHI_A, b = ISHI_B, pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
    double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
    double V1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5);
    double V2 = a * a / 8, V13 = 8 * b * b * pi8 / 225;
    S1[0] = V1 / V;
    S1[1] = V2 / V;
    S1[2] = 0.0;
    ST[0] = (V1 + V13) / V;
    ST[1] = V2 / V;
    ST[2] = V13 / V;
}

/* The model's values and their indices, as mc_saltelli_run computes them
 * but keeping y. */
static void ishigami_indices(uint64_t seed, size_t N, size_t n_boot,
                             int threads, double *y, mc_sobol_idx out[3])
{
    ishigami m;
    ishigami_init(&m, seed);
    mc_saltelli_model sm = ishigami_model(&m);
    assert_int_equal(mc_saltelli_sample(&sm, N, threads, y), 0);
    assert_int_equal(mc_sobol_indices(y, y + N, y + 2 * N, N, 3, n_boot,
                                      0.95, seed, threads, out), 0);
}

/* Tolerance 0.03: at N = 2^14 the standard errors of these estimators on
 * Ishigami are at most about 0.01 (the bootstrap intervals below are about
 * 0.04 wide), so 0.03 is 3 standard errors. */
static void ishigami_indices_should_match_closed_forms(void **state)
{
    (void)state;
    const size_t N = 16384;
    double S1[3], ST[3];
    ishigami_truth(S1, ST);
    /* the closed forms against the literature's rounded values */
    assert_near(S1[0], 0.3139, 5e-5, "true S1");
    assert_near(S1[1], 0.4424, 5e-5, "true S2");
    assert_near(ST[0], 0.5576, 5e-5, "true ST1");
    assert_near(ST[2], 0.2437, 5e-5, "true ST3");

    double *y = malloc(5 * N * sizeof(double));
    assert_non_null(y);
    mc_sobol_idx out[3];
    double t0 = omp_get_wtime();
    ishigami_indices(20250227, N, 1000, 0, y, out);
    double t1 = omp_get_wtime();
    for (int i = 0; i < 3; i++) {
        char what[64];
        print_message("x%d: S1 %.4f [%.4f, %.4f] (true %.4f), "
                      "ST %.4f [%.4f, %.4f] (true %.4f)\n", i + 1,
                      out[i].S1, out[i].S1_lo, out[i].S1_hi, S1[i],
                      out[i].ST, out[i].ST_lo, out[i].ST_hi, ST[i]);
        snprintf(what, sizeof what, "S1 of x%d", i + 1);
        assert_inside(S1[i], out[i].S1_lo, out[i].S1_hi, what);
        assert_near(out[i].S1, S1[i], 0.03, what);
        snprintf(what, sizeof what, "ST of x%d", i + 1);
        assert_inside(ST[i], out[i].ST_lo, out[i].ST_hi, what);
        assert_near(out[i].ST, ST[i], 0.03, what);
    }
    print_message("N = %zu, 1000 resamples: %.2f s\n", N, t1 - t0);

    /* mc_saltelli_run gives the same numbers as the two steps */
    ishigami m;
    ishigami_init(&m, 20250227);
    mc_saltelli_model sm = ishigami_model(&m);
    mc_sobol_idx run[3];
    char msg[256];
    assert_int_equal(mc_saltelli_run(&sm, N, 1000, 20250227, 0, run, msg,
                                     sizeof msg), 0);
    assert_memory_equal(run, out, sizeof run);
    free(y);
}

/* Coverage of the 95% percentile intervals over independent seeds, at a
 * small N.  With 400 seeds and a true coverage of 0.95 the fraction
 * covering is binomial, sd 0.011; the percentile bootstrap with 200
 * resamples also undercovers by a point or two at this N (its 2.5% and
 * 97.5% points rest on a few resamples each, and the ratio estimators
 * are skewed), so the accepted range is [0.90, 0.985]: 0.95 minus that
 * shortfall and 3 sd, and 0.95 plus 3 sd.  Intervals at 90% instead of
 * 95% (a wrong level) cover about 0.87 and fail.  One thread: 400 small
 * runs, whose parallel regions would cost more than they save (thread
 * invariance is tested below). */
static void ishigami_intervals_should_cover_at_their_level(void **state)
{
    (void)state;
    const size_t N = 1024, n_seeds = 400;
    double S1[3], ST[3];
    ishigami_truth(S1, ST);
    double *y = malloc(5 * N * sizeof(double));
    assert_non_null(y);
    size_t cov_st1 = 0, cov_s2 = 0, cov_all = 0;
    double t0 = omp_get_wtime();
    for (size_t k = 0; k < n_seeds; k++) {
        mc_sobol_idx out[3];
        ishigami_indices(1000 + k, N, 200, 1, y, out);
        cov_st1 += out[0].ST_lo <= ST[0] && ST[0] <= out[0].ST_hi;
        cov_s2 += out[1].S1_lo <= S1[1] && S1[1] <= out[1].S1_hi;
        for (int i = 0; i < 3; i++)
            cov_all += (size_t)(out[i].S1_lo <= S1[i] && S1[i] <= out[i].S1_hi)
                       + (size_t)(out[i].ST_lo <= ST[i] && ST[i] <= out[i].ST_hi);
    }
    double t1 = omp_get_wtime();
    double f_st1 = (double)cov_st1 / (double)n_seeds;
    double f_s2 = (double)cov_s2 / (double)n_seeds;
    print_message("coverage over %zu seeds at N = %zu, 200 resamples: "
                  "ST1 %.3f, S2 %.3f, all six %.3f (%.2f s)\n", n_seeds, N,
                  f_st1, f_s2, (double)cov_all / (6.0 * (double)n_seeds),
                  t1 - t0);
    assert_inside(f_st1, 0.90, 0.985, "coverage of ST1");
    assert_inside(f_s2, 0.90, 0.985, "coverage of S2");
    free(y);
}

static void ishigami_should_not_depend_on_threads(void **state)
{
    (void)state;
    const size_t N = 4096;
    double *y1 = malloc(5 * N * sizeof(double));
    double *y = malloc(5 * N * sizeof(double));
    assert_non_null(y1);
    assert_non_null(y);
    mc_sobol_idx o1[3], o[3];
    ishigami_indices(7, N, 300, 1, y1, o1);
    for (int t = 2; t <= 3; t++) {
        ishigami_indices(7, N, 300, t, y, o);
        assert_memory_equal(y, y1, 5 * N * sizeof(double));
        assert_memory_equal(o, o1, sizeof o);
    }
    free(y1);
    free(y);
}

/* ---- breakeven scenarios ----------------------------------------------- */

/* Only the overhead k is uncertain: every output is a function of k alone,
 * so each output that varies has S1 = ST = 1. */
static const char overhead_only[] =
    "{\"name\": \"overhead-only\", \"seed\": 42, \"samples\": 1000,"
    " \"inputs\": {"
    "  \"final_run_gpu_hours\": [{\"name\": \"all\", \"value\": 2935000}],"
    "  \"overhead\": {\"dist\": \"lognormal\", \"median\": 2.2,"
    "                \"sigma\": 0.366, \"truncate\": {\"lo\": 1}},"
    "  \"nodes\": {\"value\": 226.75}, \"gpus_per_node\": {\"value\": 8},"
    "  \"representativeness\": {\"value\": 1},"
    "  \"monthly_growth\": {\"value\": 0.01},"
    "  \"power_ratio\": {\"value\": 0.8}, \"pue_ratio\": {\"value\": 1},"
    "  \"lifetime_days\": {\"value\": 175}, \"gpu_hour_usd\": {\"value\": 2}"
    " }}";

static void load_text(const char *text, mc_scenario *s)
{
    mc_err err;
    if (mc_cfg_load_string(text, strlen(text), s, &err) != 0)
        fail_msg("%s: %s", err.path, err.msg);
}

static void sobol_or_fail(const mc_scenario *s, size_t N, size_t n_boot,
                          int threads, mc_sobol_result *res)
{
    char msg[512];
    if (mc_sobol_scenario(s, N, n_boot, threads, NULL, res, msg,
                          sizeof msg) != 0)
        fail_msg("%s", msg);
}

static void one_uncertain_input_should_explain_everything(void **state)
{
    (void)state;
    mc_scenario s;
    load_text(overhead_only, &s);
    mc_sobol_result res;
    sobol_or_fail(&s, 4096, 500, 0, &res);
    assert_int_equal(res.d, 1);
    assert_string_equal(res.factor[0], "overhead");
    assert_int_equal(res.n_out, V1_NOUTPUTS);
    assert_int_equal(res.evaluations, 4096 * 3);
    const int cols[2] = {MC_COL_T, MC_COL_BE};
    for (int c = 0; c < 2; c++) {
        const mc_sobol_idx *x = &res.idx[cols[c] - MC_COL_T][0];
        print_message("%s: S1 %.4f [%.4f, %.4f], ST %.4f [%.4f, %.4f]\n",
                      mc_column_names[cols[c]], x->S1, x->S1_lo, x->S1_hi,
                      x->ST, x->ST_lo, x->ST_hi);
        assert_inside(1.0, x->S1_lo, x->S1_hi, "S1 = 1");
        assert_inside(1.0, x->ST_lo, x->ST_hi, "ST = 1");
        assert_near(x->S1, 1.0, 0.05, "S1 = 1");
        assert_near(x->ST, 1.0, 0.05, "ST = 1");
        assert_true(isnan(res.censored_at[cols[c] - MC_COL_T]));
    }
    /* the inference per day does not depend on k: no variance, no
       indices */
    assert_true(isnan(res.idx[MC_COL_I0 - MC_COL_T][0].S1));
    assert_true(isnan(res.idx[MC_COL_BE_FINAL - MC_COL_T][0].ST));
    mc_scenario_free(&s);
}

/* Only one stage of the final run is uncertain: F is the one factor. */
static const char stage_only[] =
    "{\"name\": \"stage-only\", \"seed\": 7, \"samples\": 1000,"
    " \"inputs\": {"
    "  \"final_run_gpu_hours\": ["
    "    {\"name\": \"pre\", \"dist\": \"triangular\", \"lo\": 2000000,"
    "     \"mode\": 2600000, \"hi\": 3000000},"
    "    {\"name\": \"post\", \"value\": 271000}],"
    "  \"overhead\": {\"value\": 2.2},"
    "  \"nodes\": {\"value\": 226.75}, \"gpus_per_node\": {\"value\": 8},"
    "  \"representativeness\": {\"value\": 1},"
    "  \"monthly_growth\": {\"value\": -0.01},"
    "  \"power_ratio\": {\"value\": 0.8}, \"pue_ratio\": {\"value\": 1},"
    "  \"lifetime_days\": {\"value\": 175}, \"gpu_hour_usd\": {\"value\": 2}"
    " }}";

/* With one factor, A_B^(0) is B: so the design's values are samples 0 ..
 * 2N-1 of the engine (random sampling, same seed), A the first N and B
 * the next N, and each output's indices must be mc_sobol_indices of
 * those, bit for bit.  This holds the adapter's draws (streams, indices,
 * the stages summed in order), its layout and its bootstrap seed to the
 * engine's. */
static void rows_should_be_the_engine_samples(void **state)
{
    (void)state;
    const char *const texts[2] = {overhead_only, stage_only};
    const char *const factor[2] = {"overhead", "final_run_gpu_hours"};
    const size_t N = 1024;
    for (int k = 0; k < 2; k++) {
        mc_scenario s;
        load_text(texts[k], &s);
        mc_sobol_result res;
        sobol_or_fail(&s, N, 100, 0, &res);
        assert_int_equal(res.d, 1);
        assert_string_equal(res.factor[0], factor[k]);

        double *col[MC_NCOLS];
        for (int c = 0; c < MC_NCOLS; c++) {
            col[c] = malloc(2 * N * sizeof(double));
            assert_non_null(col[c]);
        }
        gsl_rng *r = mc_rng_alloc();
        assert_non_null(r);
        mc_engine_samples(&s, r, 0, 2 * N, col);
        gsl_rng_free(r);
        size_t defined = 0;
        for (int o = 0; o < V1_NOUTPUTS; o++) {
            const double *y = col[MC_COL_T + o];
            mc_sobol_idx want;
            int rc = mc_sobol_indices(y, y + N, y + N, N, 1, 100, MC_LEVEL,
                                      s.seed, 1, &want);
            assert_true(rc == 0 || rc == -1);
            assert_true(isnan(res.censored_at[o]));
            assert_memory_equal(&res.idx[o][0], &want, sizeof want);
            defined += rc == 0;
        }
        /* the checks above compared numbers, not only NaN: with k alone
           T, the break-even days, the multipliers, the training cost and
           the required traffic vary, but not I0, its cost or the
           final-run (k = 1) outputs; with F, these too, but not I0 and
           its cost */
        assert_int_equal(defined, k == 0 ? 8 : 12);
        for (int c = 0; c < MC_NCOLS; c++)
            free(col[c]);
        mc_scenario_free(&s);
    }
}

/* Rows of sobol.csv, the header included; and the number of fields of
 * the first data row into *fields. */
static size_t csv_rows(const char *text, size_t *fields)
{
    size_t rows = 0;
    *fields = 0;
    for (const char *p = text; *p; p++) {
        if (rows == 1 && *p == ',')
            (*fields)++;
        rows += *p == '\n';
    }
    (*fields)++;
    return rows;
}

static void default_scenario_should_give_nine_factors_and_censor_never(
    void **state)
{
    (void)state;
    mc_scenario s;
    mc_err err;
    assert_int_equal(mc_cfg_load_default(&s, &err), 0);
    mc_sobol_result res;
    sobol_or_fail(&s, 2048, 200, 0, &res);
    static const char *const want[9] = {
        "overhead", "representativeness", "monthly_growth", "power_ratio",
        "lifetime_days", "training_kw_per_gpu", "training_pue",
        "training_kgco2e_per_kwh", "training_l_per_kwh"};
    assert_int_equal(res.d, 9);
    for (int i = 0; i < 9; i++)
        assert_string_equal(res.factor[i], want[i]);
    /* every output of the scenario, in the table's order: here all */
    assert_int_equal(res.n_out, MC_OUT_COUNT);
    for (int o = 0; o < MC_OUT_COUNT; o++)
        assert_int_equal(res.out[o], o);
    /* the break-even days have "never" at this N (1.6% and 4% of samples;
       carbon and water as energy, the sites' intensities being equal):
       censored at the last horizon, 730 */
    assert_true(res.censored_at[MC_COL_BE - MC_COL_T] == 730.0);
    assert_true(res.censored_at[MC_COL_BE_ENERGY - MC_COL_T] == 730.0);
    assert_true(res.censored_at[MC_OUT_BREAK_EVEN_CARBON] == 730.0);
    assert_true(res.censored_at[MC_OUT_BREAK_EVEN_WATER] == 730.0);
    for (int o = 0; o < MC_OUT_COUNT; o++) {
        if (mc_output_infos[o].kind == MC_KIND_DAYS)
            continue;
        assert_true(isnan(res.censored_at[o]));
        assert_true(isfinite(res.idx[o][0].ST));  /* all exist */
    }
    print_message("censored: final run %g, energy final run %g\n",
                  res.censored_at[MC_COL_BE_FINAL - MC_COL_T],
                  res.censored_at[MC_COL_BE_ENERGY_FINAL - MC_COL_T]);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(mc_sobol_write_csv(f, &res), 0);
    assert_int_equal(fclose(f), 0);
    size_t fields;
    assert_int_equal(csv_rows(buf, &fields), 1 + MC_OUT_COUNT * 9);
    assert_int_equal(fields, 10);
    assert_true(strncmp(buf, "metric,input,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,"
                        "n_base,censored_at\ntraining_gpu_hours,overhead,",
                        strlen("metric,input,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,"
                               "n_base,censored_at\ntraining_gpu_hours,"
                               "overhead,")) == 0);
    /* training = k F: only the overhead, the others exactly 0 in S1's
       numerator, and their rows end without a censoring cap */
    assert_non_null(strstr(buf, "\nbreak_even_days,lifetime_days,"));
    assert_non_null(strstr(buf, ",2048,730\n"));
    assert_non_null(strstr(buf, "\ntraining_gpu_hours,representativeness,0,"
                                "0,0,0,0,0,2048,\n"));
    free(buf);
    mc_scenario_free(&s);
}

/* Failures of the file are reported with errno: a stream that cannot be
 * written. */
static void csv_should_report_write_errors(void **state)
{
    (void)state;
    mc_sobol_result res;
    memset(&res, 0, sizeof res);
    res.d = 1;
    res.n_out = V1_NOUTPUTS;
    res.factor[0] = "overhead";
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL)
        skip();
    setvbuf(f, NULL, _IONBF, 0);
    errno = 0;
    assert_int_equal(mc_sobol_write_csv(f, &res), -1);
    assert_int_equal(errno, ENOSPC);
    fclose(f);
}

static void scenario_should_not_depend_on_threads(void **state)
{
    (void)state;
    mc_scenario s;
    mc_err err;
    assert_int_equal(mc_cfg_load_default(&s, &err), 0);
    mc_sobol_result r1, r;
    sobol_or_fail(&s, 1024, 100, 1, &r1);
    for (int t = 2; t <= 3; t++) {
        sobol_or_fail(&s, 1024, 100, t, &r);
        assert_memory_equal(&r, &r1, sizeof r);
    }
    mc_scenario_free(&s);
}

static void correlated_inputs_should_be_refused(void **state)
{
    (void)state;
    char path[1024];
    mc_scenario s;
    mc_err err;
    snprintf(path, sizeof path, "%s/checks/correlated.json", TEST_DATA_DIR);
    if (mc_cfg_load_file(path, &s, &err) != 0)
        fail_msg("%s: %s: %s", path, err.path, err.msg);
    mc_sobol_result res;
    char msg[512] = "";
    assert_int_equal(mc_sobol_scenario(&s, 1024, 100, 0, NULL, &res, msg,
                                       sizeof msg), -1);
    assert_string_equal(msg, "expected independent inputs for Sobol' "
                             "indices, found 2 correlations");
    mc_scenario_free(&s);

    /* and a scenario with nothing uncertain */
    mc_scenario fixed;
    const char *all_fixed =
        "{\"name\": \"fixed\", \"seed\": 1, \"samples\": 10, \"inputs\": {"
        " \"final_run_gpu_hours\": [{\"name\": \"all\", \"value\": 1000}],"
        " \"overhead\": {\"value\": 2}, \"nodes\": {\"value\": 1},"
        " \"gpus_per_node\": {\"value\": 8},"
        " \"representativeness\": {\"value\": 1},"
        " \"monthly_growth\": {\"value\": 0}, \"power_ratio\": {\"value\": 1},"
        " \"pue_ratio\": {\"value\": 1}, \"lifetime_days\": {\"value\": 100},"
        " \"gpu_hour_usd\": {\"value\": 2}}}";
    load_text(all_fixed, &fixed);
    assert_int_equal(mc_sobol_scenario(&fixed, 1024, 100, 0, NULL, &res, msg,
                                       sizeof msg), -1);
    assert_string_equal(msg, "expected at least one uncertain input for "
                             "Sobol' indices, found none");
    mc_scenario_free(&fixed);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(estimators_should_match_hand_computed_values),
        cmocka_unit_test(estimators_should_refuse_constant_or_infinite_values),
        cmocka_unit_test(all_outputs_should_match_one_call_each),
        cmocka_unit_test(ishigami_indices_should_match_closed_forms),
        cmocka_unit_test(ishigami_intervals_should_cover_at_their_level),
        cmocka_unit_test(ishigami_should_not_depend_on_threads),
        cmocka_unit_test(one_uncertain_input_should_explain_everything),
        cmocka_unit_test(rows_should_be_the_engine_samples),
        cmocka_unit_test(
            default_scenario_should_give_nine_factors_and_censor_never),
        cmocka_unit_test(csv_should_report_write_errors),
        cmocka_unit_test(scenario_should_not_depend_on_threads),
        cmocka_unit_test(correlated_inputs_should_be_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
