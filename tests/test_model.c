/* test_model.c: the closed forms of MODEL.md against hand-computed values
 * and the checks of PARAMETERS.md. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "e2e.h"
#include "mc_model.h"

/* Relative closeness, for values printed to a given number of digits. */
static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want,
                 rel);
}

/* Every input at its reported value: k = R = r = p = 1, m = 0. */
static mc_draw reported(void)
{
    return (mc_draw){.F = 2935000, .k = 1, .n = 226.75, .gn = 8, .R = 1,
                     .m = 0, .r = 1, .p = 1, .L = 365, .c = 2};
}

static void reported_inputs_give_67_4155_days(void **state)
{
    (void)state;
    mc_draw d = reported();
    mc_outcome o;
    mc_model_eval(&d, &o);
    assert_true(o.I0 == 43536.0);                 /* 226.75 x 8 x 24 */
    assert_true(o.T == 2935000.0);
    assert_close(o.break_even, 2935000.0 / 43536.0, 1e-15);
    assert_close(o.break_even, 67.4155, 1e-6);     /* MODEL.md, 4 decimals */
    assert_true(o.break_even == o.break_even_energy);
    assert_true(o.break_even == o.break_even_final);
    assert_true(o.inference_usd_per_day == 87072.0);
    assert_true(o.training_usd == 5870000.0);
    assert_close(o.multiplier, 1.1846999239804061, 1e-14);  /* 1 + T/(I0 365) */
    assert_close(o.multiplier, 1.185, 1e-3);
}

static void parameters_md_checks_hold(void **state)
{
    (void)state;
    mc_draw d;
    mc_outcome o;

    d = reported(); d.F = 2788000;                       /* V3 only */
    mc_model_eval(&d, &o);
    assert_close(o.break_even, 64.0390, 1e-5);

    d = reported(); d.n = 278;                           /* peak all day */
    mc_model_eval(&d, &o);
    assert_true(o.I0 == 53376.0);
    assert_close(o.break_even, 54.99, 1e-4);

    d = reported(); d.n = 68;                            /* trough all day */
    mc_model_eval(&d, &o);
    assert_true(o.I0 == 13056.0);
    assert_close(o.break_even, 224.8, 1e-4);

    d = reported(); d.L = 175;
    mc_model_eval(&d, &o);
    assert_close(o.multiplier, 1.3852312700162757, 1e-14);
    assert_close(o.multiplier, 1.385, 1e-3);

    d = reported(); d.k = 2.2;
    mc_model_eval(&d, &o);
    assert_close(o.break_even, 148.3, 1e-3);
    assert_close(o.break_even_final, 67.4155, 1e-6);     /* k = 1 beside */
    d.k = 4.0;
    mc_model_eval(&d, &o);
    assert_close(o.break_even, 269.7, 1e-3);

    d = reported(); d.r = 0.8;
    mc_model_eval(&d, &o);
    assert_close(o.break_even_energy, 84.3, 1e-3);
    assert_close(o.break_even, 67.4155, 1e-6);
    d.r = 0.5;
    mc_model_eval(&d, &o);
    assert_close(o.break_even_energy, 134.8, 1e-3);
    assert_close(o.multiplier_energy, 1.0 + 2 * (o.multiplier - 1.0), 1e-14);
}

static void growth_and_decay_match_hand_computed_values(void **state)
{
    (void)state;
    /* g = ln(1.05) / 30.4375; t = ln(1 + g T / I0) / g */
    mc_draw d = reported();
    mc_outcome o;
    d.m = 0.05;
    mc_model_eval(&d, &o);
    assert_close(o.break_even, 64.01570643852449, 1e-13);
    d.m = -0.08;                       /* g T / I0 = -0.18468: still finite */
    mc_model_eval(&d, &o);
    assert_close(o.break_even, 74.53178956460694, 1e-13);
    assert_close(o.multiplier, 1.2921780852605134, 1e-13);
}

static void cumulative_uses_the_closed_form(void **state)
{
    (void)state;
    assert_true(mc_cumulative_days(0.0, 123.5) == 123.5);
    assert_close(mc_cumulative_days(0.01, 100.0), 171.82818284590452, 1e-14);
    assert_close(mc_cumulative_days(-0.01, 100.0), 63.212055882855767, 1e-14);
    assert_close(mc_growth_rate(0.05), 0.0016029622725070064, 1e-14);
    assert_close(MC_DAYS_PER_MONTH, 365.25 / 12.0, 0.0);
}

static void tiny_growth_joins_flat_traffic_continuously(void **state)
{
    (void)state;
    mc_draw d = reported();
    mc_outcome flat, tiny, tiny_neg;
    mc_model_eval(&d, &flat);
    d.m = 1e-12;
    mc_model_eval(&d, &tiny);
    d.m = -1e-12;
    mc_model_eval(&d, &tiny_neg);
    assert_close(tiny.break_even, flat.break_even, 1e-9);
    assert_close(tiny_neg.break_even, flat.break_even, 1e-9);
    assert_close(tiny.multiplier, flat.multiplier, 1e-9);
    assert_true(tiny.break_even < flat.break_even);      /* growth helps */
    assert_true(tiny_neg.break_even > flat.break_even);
    assert_close(mc_cumulative_days(1e-15, 50.0), 50.0, 1e-12);
}

static void never_is_infinite_beyond_the_boundary_and_finite_before(void **state)
{
    (void)state;
    /* 1 + g T / I0 <= 0 is never.  With T = I0 = 1 the boundary is g = -1. */
    assert_true(isinf(mc_break_even_days(1.0, 1.0, -1.0)));
    assert_true(isinf(mc_break_even_days(1.0, 1.0, -1.0000001)));
    double t = mc_break_even_days(1.0, 1.0, -(1.0 - 1e-12));
    assert_true(isfinite(t));
    assert_close(t, log(1e-12) / -(1.0 - 1e-12), 1e-3);  /* about 27.63 */
    /* DeepSeek's figures: the boundary is m = e^(-30.4375 I0 / T) - 1,
       about -0.3633 a month */
    mc_draw d = reported();
    mc_outcome o;
    d.m = -0.3633;
    mc_model_eval(&d, &o);
    assert_true(isfinite(o.break_even));
    assert_true(o.break_even > 300.0);
    d.m = -0.3634;
    mc_model_eval(&d, &o);
    assert_true(isinf(o.break_even));
    assert_true(o.break_even > 0);
    /* the multiplier stays finite: the lifetime's inference is positive */
    assert_true(isfinite(o.multiplier) && o.multiplier > 2.0);
}

static void multiplier_is_at_most_2_exactly_when_break_even_is_reached(void **state)
{
    (void)state;
    mc_draw d = reported();
    mc_outcome o;
    static const double growth[] = {-0.2, -0.05, 0.0, 0.03, 0.25};
    static const double life[] = {30, 60, 67, 68, 100, 200, 400};
    for (size_t i = 0; i < sizeof growth / sizeof growth[0]; i++)
        for (size_t j = 0; j < sizeof life / sizeof life[0]; j++) {
            d.m = growth[i];
            d.L = life[j];
            mc_model_eval(&d, &o);
            assert_int_equal(o.multiplier <= 2.0, o.break_even <= d.L);
        }
}

/* The curve's recurrence E' = E + d + E d (mc_expm1_add) against expm1
 * at each step: monthly growth from -90% to +100%, 10-day steps.  Each
 * step adds a few roundings, so the relative drift grows at most
 * linearly: measured 1.8e-15 after 73 steps (the default horizons) and
 * 1.9e-14 after 1,000; the test allows 5e-15 and 5e-14, the bounds the
 * README states. */
static void expm1_recurrence_drifts_by_rounding_only(void **state)
{
    (void)state;
    static const double months[] = {-0.9, -0.3, -0.05, -1e-6, -1e-12, 1e-12,
                                    1e-6, 0.01, 0.05, 0.2, 1.0};
    double worst73 = 0, worst1000 = 0;
    for (size_t k = 0; k < sizeof months / sizeof months[0]; k++) {
        double g = mc_growth_rate(months[k]), step = 10.0;
        double d = expm1(g * step), E = d;
        for (int j = 2; j <= 1000; j++) {
            E = mc_expm1_add(E, d);
            double want = expm1(g * step * j);
            double err = fabs(E - want) / fabs(want);
            if (j <= 73 && err > worst73)
                worst73 = err;
            if (err > worst1000)
                worst1000 = err;
        }
    }
    print_message("drift: %.3g after 73 steps, %.3g after 1000\n", worst73,
                  worst1000);
    assert_true(worst73 < 5e-15);
    assert_true(worst1000 < 5e-14);
    /* exact where it can be: E = 0 stays 0, and the step alone is d */
    assert_true(mc_expm1_add(0.0, 0.0) == 0.0);
    assert_true(mc_expm1_add(0.0, 0.25) == 0.25);
    assert_true(mc_expm1_add(1.0, 1.0) == 3.0);      /* e^2a-1, e^a = 2 */
}

/* ---- the tables (model/ owns MODEL.md) -------------------------------- */

static void constants_are_models(void **state)
{
    (void)state;
    assert_true(MC_DAYS_PER_MONTH == 365.25 / 12.0);
    assert_true(MC_HOURS_PER_DAY == 24.0);
    assert_true(mc_growth_rate(0.1) == log1p(0.1) / 30.4375);
    assert_true(mc_inference_gpu_hours_per_day(226.75, 8, 1) == 43536.0);
    assert_true(mc_training_gpu_hours(2.2, 2935000) == 2.2 * 2935000);
    assert_true(mc_energy_ratio(0.8, 1.1) == 0.8 * 1.1);
}

/* Column names: the final run, the inputs', the outputs', in that order,
 * all distinct, and found again by name. */
static void columns_are_named_from_the_tables(void **state)
{
    (void)state;
    assert_string_equal(mc_column_names[MC_COL_F], "final_run_gpu_hours");
    assert_string_equal(mc_input_infos[MC_IN_FINAL_RUN].name,
                        "final_run_gpu_hours");
    for (int i = 0; i < MC_IN_COUNT; i++)
        assert_string_equal(mc_column_names[MC_COL_INPUT0 + i],
                            mc_input_infos[i].name);
    for (int o = 0; o < MC_OUT_COUNT; o++) {
        assert_string_equal(mc_column_names[MC_COL_OUTPUT0 + o],
                            mc_output_infos[o].name);
        assert_ptr_equal(mc_column_output(MC_COL_OUTPUT0 + o),
                         &mc_output_infos[o]);
    }
    for (int a = 0; a < MC_NCOLS; a++) {
        const char *n = mc_column_names[a];
        assert_int_equal(mc_column_find(n, strlen(n)), a);
        for (int b = a + 1; b < MC_NCOLS; b++)
            assert_string_not_equal(n, mc_column_names[b]);
    }
    assert_int_equal(mc_column_find("multiplier_x", 10), MC_COL_M);
    assert_int_equal(mc_column_find("multiplie", 9), -1);
    assert_int_equal(mc_column_find("nope", 4), -1);
    assert_string_equal(mc_column_names[MC_COL_BE], "break_even_days");
    assert_string_equal(mc_column_names[MC_COL_INFERENCE_USD],
                        "inference_usd_per_day");
}

/* P(<= 2) exactly for the multipliers; the curve is every output that
 * names a break-even day, in table order, and that day is a DAYS output. */
static void thresholds_and_curve_come_from_the_output_table(void **state)
{
    (void)state;
    int m = 0;
    mc_layout all, v1;
    unsigned char given[MC_IN_COUNT];
    char msg[256];
    memset(given, 1, sizeof given);
    assert_int_equal(mc_layout_make(given, MC_MAX_PHASES, 1e6, ~0ull, &all,
                                    msg, sizeof msg), 0);
    mc_layout_v1(&v1);
    for (int o = 0; o < MC_OUT_COUNT; o++) {
        const mc_output_info *info = &mc_output_infos[o];
        if (info->kind == MC_KIND_MULTIPLIER)
            assert_true(info->p_le == 2.0);
        else
            assert_true(isnan(info->p_le));
        assert_true(info->group != 0);
        assert_non_null(info->unit);
        assert_non_null(info->doc);
        if (info->curve_break_even < 0)
            continue;
        assert_true(m < MC_NCURVE_MAX);
        assert_int_equal(all.curve[m], o);
        assert_int_equal(mc_output_infos[info->curve_break_even].kind,
                         MC_KIND_DAYS);
        m++;
    }
    assert_int_equal(m, all.ncurve);
    /* version 1's curve: its four multipliers, in the order of before */
    const int want[4] = {MC_OUT_MULTIPLIER, MC_OUT_MULTIPLIER_ENERGY,
                         MC_OUT_MULTIPLIER_FINAL,
                         MC_OUT_MULTIPLIER_ENERGY_FINAL};
    assert_int_equal(v1.ncurve, 4);
    assert_memory_equal(v1.curve, want, sizeof want);
}

/* Domains of MODEL.md's "Inputs"; required inputs have no fallback, the
 * others one inside their domain. */
static void input_table_holds_models_domains(void **state)
{
    (void)state;
    static const struct { int id; double lo; int open; const char *sym; }
        want[] = {
            {MC_IN_OVERHEAD, 1.0, 0, "k"}, {MC_IN_NODES, 0.0, 1, "n"},
            {MC_IN_GPUS_PER_NODE, 0.0, 1, "g_n"},
            {MC_IN_REPRESENTATIVENESS, 0.0, 1, "R"},
            {MC_IN_MONTHLY_GROWTH, -1.0, 1, "m"},
            {MC_IN_POWER_RATIO, 0.0, 1, "r"}, {MC_IN_PUE_RATIO, 0.0, 1, "p"},
            {MC_IN_LIFETIME_DAYS, 0.0, 1, "L"},
            {MC_IN_GPU_HOUR_USD, 0.0, 0, "c"},
            {MC_IN_KW_PER_GPU, 0.0, 1, "P"}, {MC_IN_TRAINING_PUE, 1.0, 0, "Q_t"},
            {MC_IN_TRAINING_CI, 0.0, 0, "CI_t"},
            {MC_IN_INFERENCE_CI, 0.0, 0, "CI_i"},
            {MC_IN_TRAINING_WATER, 0.0, 0, "W_t"},
            {MC_IN_INFERENCE_WATER, 0.0, 0, "W_i"},
            {MC_IN_USES_PER_DAY, 0.0, 1, "U0"},
            {MC_IN_EFFICIENCY, 0.0, 0, "e"},
            {MC_IN_TRAFFIC_1_DAYS, 0.0, 1, "d_1"},
            {MC_IN_TRAFFIC_2_MONTHLY_GROWTH, -1.0, 1, "m_2"},
            {MC_IN_TRAFFIC_2_DAYS, 0.0, 1, "d_2"},
            {MC_IN_TRAFFIC_3_MONTHLY_GROWTH, -1.0, 1, "m_3"},
            {MC_IN_TRAFFIC_3_DAYS, 0.0, 1, "d_3"},
            {MC_IN_TRAFFIC_4_MONTHLY_GROWTH, -1.0, 1, "m_4"},
            {MC_IN_TRAFFIC_4_DAYS, 0.0, 1, "d_4"},
            {MC_IN_TRAFFIC_5_MONTHLY_GROWTH, -1.0, 1, "m_5"},
            {MC_IN_TRAFFIC_5_DAYS, 0.0, 1, "d_5"},
            {MC_IN_TRAFFIC_6_MONTHLY_GROWTH, -1.0, 1, "m_6"},
            {MC_IN_FINAL_RUN, 0.0, 1, "F"}};
    assert_int_equal(sizeof want / sizeof want[0], MC_IN_COUNT + 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const mc_input_info *in = &mc_input_infos[want[i].id];
        assert_true(in->lo == want[i].lo);
        assert_int_equal(in->lo_open, want[i].open);
        assert_string_equal(in->symbol, want[i].sym);
        /* only e has an upper end: [0, 1) */
        assert_true(want[i].id == MC_IN_EFFICIENCY ? in->hi == 1.0
                                                   : isinf(in->hi));
        /* a phase's inputs come with their phase, CI_i and W_i follow
           the training site's, e falls back to 0 */
        int phase = strncmp(in->name, "traffic_", 8) == 0;
        if (in->required != MC_OPTIONAL || phase || in->follows >= 0) {
            assert_true(isnan(in->fallback));
        } else {
            assert_true(in->lo_open ? in->fallback > in->lo
                                    : in->fallback >= in->lo);
            assert_true(in->fallback < in->hi);
        }
        if (in->follows >= 0)
            assert_int_equal(mc_input_infos[in->follows].group, in->group);
    }
}

/* The column forms give mc_model_eval's numbers bit for bit. */
static void column_forms_match_the_struct_form(void **state)
{
    (void)state;
    enum { N = 5 };
    double store[MC_NCOLS][N], *col[MC_NCOLS];
    for (int c = 0; c < MC_NCOLS; c++)
        col[c] = store[c];
    for (size_t i = 0; i < N; i++) {
        mc_draw d = reported();
        d.k = 1.0 + 0.7 * (double)i;
        d.m = -0.09 + 0.05 * (double)i;
        d.r = 0.5 + 0.1 * (double)i;
        d.L = 30 + 100 * (double)i;
        const double x[MC_COL_OUTPUT0] = {d.F, d.k, d.n, d.gn, d.R,
                                          d.m, d.r, d.p, d.L, d.c};
        for (int c = 0; c < MC_COL_OUTPUT0; c++)
            col[c][i] = x[c];
    }
    mc_layout v1;
    mc_layout_v1(&v1);
    mc_model_eval_block(col, N, &v1);
    for (size_t i = 0; i < N; i++) {
        mc_draw d = {col[0][i], col[1][i], col[2][i], col[3][i], col[4][i],
                     col[5][i], col[6][i], col[7][i], col[8][i], col[9][i]};
        mc_outcome o;
        mc_model_eval(&d, &o);
        const double want[MC_OUT_COUNT] = {
            o.T, o.I0, o.break_even, o.break_even_energy, o.multiplier,
            o.multiplier_energy, o.break_even_final,
            o.break_even_energy_final, o.multiplier_final,
            o.multiplier_energy_final, o.training_usd,
            o.inference_usd_per_day, o.required, o.required_energy};
        /* the layout's outputs: version 1's, the first of the table */
        assert_int_equal(v1.nout, MC_OUT_REQUIRED_GPU_HOURS_PER_DAY_ENERGY + 1);
        for (int k = 0; k < v1.nout; k++) {
            assert_int_equal(v1.out[k], k);
            assert_memory_equal(&col[MC_COL_OUTPUT0 + k][i], &want[k],
                                sizeof(double));
        }
    }
    /* by hand: the reported inputs give 2,935,000 / 43,536 days */
    double x[MC_COL_OUTPUT0] = {2935000, 1, 226.75, 8, 1, 0, 1, 1, 365, 2};
    double y[MC_OUT_COUNT];
    mc_model_eval_one(x, y, &v1);
    assert_true(y[MC_OUT_BREAK_EVEN] == 2935000.0 / 43536.0);
    assert_true(y[MC_OUT_INFERENCE_USD_PER_DAY] == 87072.0);
}

/* The curve's multipliers at horizon h are the lifetime multipliers of a
 * sample whose L is h: 1 + T / (I0 h) for flat traffic exactly, and the
 * closed form within the recurrence's rounding for growth and decay. */
static double curve_got[3][MC_NCURVE_MAX][4];
static void curve_keep(void *ctx, size_t h,
                       const double *const x[MC_NCURVE_MAX], size_t len)
{
    (void)ctx;
    for (int m = 0; m < 4; m++)
        for (size_t i = 0; i < len; i++)
            curve_got[h][m][i] = x[m][i];
}

static void curve_matches_the_lifetime_multipliers(void **state)
{
    (void)state;
    enum { N = 4 };
    const double hs[3] = {10, 20, 365};
    const double m_of[N] = {0, 0.05, -0.08, 1e-320};
    double store[MC_NCOLS][N], *col[MC_NCOLS];
    for (int c = 0; c < MC_NCOLS; c++)
        col[c] = store[c];
    for (size_t i = 0; i < N; i++) {
        double x[MC_COL_OUTPUT0] = {2935000, 2.2, 226.75, 8, 1, m_of[i],
                                    0.8, 1.1, 365, 2};
        for (int c = 0; c < MC_COL_OUTPUT0; c++)
            col[c][i] = x[c];
    }
    mc_layout v1;
    mc_layout_v1(&v1);
    mc_model_eval_block(col, N, &v1);
    double *scratch = malloc(MC_CURVE_SCRATCH_PER * N * sizeof *scratch);
    assert_non_null(scratch);
    mc_model_curve((const double *const *)col, N, N, hs, 3, &v1, scratch,
                   curve_keep, NULL);
    free(scratch);
    /* flat traffic, by hand at h = 10: 1 + 6,457,000 / 435,360 (the curve
       computes 1 + T (1 / I0) / h: within a few roundings) */
    assert_close(curve_got[0][0][0], 1.0 + 6457000.0 / 435360.0, 1e-15);
    for (size_t i = 0; i < N; i++)
        for (int h = 0; h < 3; h++) {
            double x[MC_COL_OUTPUT0] = {2935000, 2.2, 226.75, 8, 1, m_of[i],
                                        0.8, 1.1, hs[h], 2};
            double y[MC_OUT_COUNT];
            mc_model_eval_one(x, y, &v1);
            for (int m = 0; m < v1.ncurve; m++)
                assert_close(curve_got[h][m][i], y[v1.curve[m]], 1e-13);
        }
}

/* The bounds config/ checks before a run, by hand: k in [1, 4], n in
 * [68, 278], g_n 8, R in [0.9, 1.1], m down to -0.2 (or -0.5), r in
 * [0.5, 1], p 1, L from 25, c up to 2, first horizon 10 (or none). */
static void bounds_match_hand_computed_values(void **state)
{
    (void)state;
    double lo[MC_COL_OUTPUT0] = {2935000, 1, 68, 8, 0.9, -0.2, 0.5, 1, 25, 0};
    double hi[MC_COL_OUTPUT0] = {2935000, 4, 278, 8, 1.1, 0.25, 1, 1, 421, 2};
    mc_model_bounds b;
    mc_layout v1;
    mc_layout_v1(&v1);
    mc_model_bounds_of(lo, hi, 10, &v1, &b);
    assert_true(b.T_hi == 11740000.0);
    assert_close(b.I0_lo, 11750.4, 1e-15);
    assert_close(b.I0_hi, 58713.6, 1e-15);
    assert_true(b.E_lo == 0.5);
    assert_true(b.span == 10.0);                 /* the first horizon */
    assert_true(b.usd_hi == 23480000.0);         /* c T, above c I0 */
    assert_close(b.days_hi, 11740000.0 / 0.5 / 11750.4, 1e-15);  /* 1998.23 */
    assert_close(b.excess_hi, 399.6459694989107, 1e-14);
    /* no horizons: the lifetime, 25 days, unless decay is faster: 1 / a
       with a = -ln(1 - 0.5) / 30.4375, 43.91 days */
    mc_model_bounds_of(lo, hi, HUGE_VAL, &v1, &b);
    assert_true(b.span == 25.0);
    lo[MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS] = 100;
    lo[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH] = -0.5;
    mc_model_bounds_of(lo, hi, HUGE_VAL, &v1, &b);
    assert_close(b.span, 43.912030307057826, 1e-14);
    /* an energy ratio above 1 does not lower the break-even bound */
    lo[MC_COL_INPUT0 + MC_IN_POWER_RATIO] = 3;
    mc_model_bounds_of(lo, hi, HUGE_VAL, &v1, &b);
    assert_true(b.E_lo == 3.0);
    assert_close(b.days_hi, 11740000.0 / 11750.4, 1e-15);
    /* a cost of 0 x inf is NaN, not a pass */
    hi[MC_COL_INPUT0 + MC_IN_GPU_HOUR_USD] = 0;
    hi[MC_COL_INPUT0 + MC_IN_NODES] = HUGE_VAL;
    mc_model_bounds_of(lo, hi, 10, &v1, &b);
    assert_true(isnan(b.usd_hi));
}

/* MODEL.md names every column of the table, and the P(<= x) columns'
 * threshold is the multipliers' (MC_P_LE, p_le_2). */
static void model_md_names_every_column(void **state)
{
    (void)state;
    char *text = e2e_slurp(DOCS_DIR "/MODEL.md", NULL);
    assert_non_null(text);
    for (int c = 0; c < MC_NCOLS; c++) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "`%s`", mc_column_names[c]);
        if (strstr(text, quoted) == NULL)
            fail_msg("docs/MODEL.md does not name the column %s", quoted);
    }
    assert_non_null(strstr(text, "`" MC_P_LE_COLUMN "`"));
    assert_true(strtod(MC_P_LE_TEXT, NULL) == MC_P_LE);
    for (int o = 0; o < MC_OUT_COUNT; o++)
        assert_true(isnan(mc_output_infos[o].p_le)
                    || mc_output_infos[o].p_le == MC_P_LE);
    free(text);
}

/* ---- traffic in phases (MODEL.md version 2) -------------------------- */

/* DeepSeek's reported figures: T = k F with k = 1, I0 = 226.75 x 8 x 24. */
#define DS_T 2935000.0
#define DS_I0 43536.0

/* |got - want| <= ulps x DBL_EPSILON x |want|. */
static void assert_ulps(double got, double want, double ulps)
{
    if (!(fabs(got - want) <= ulps * DBL_EPSILON * fabs(want)))
        fail_msg("got %.17g, want %.17g (%g ulps)", got, want, ulps);
}

/* MODEL.md's check: 30 days at m = -0.10, then m = 0.  By hand (40
 * digits): g = ln 0.9 / 30.4375, C(30) = I0 expm1(30 g) / g =
 * 1,240,552.111106, I(30) = I0 0.9^(30 / 30.4375) = 39,241.783651, and
 * the break-even day 30 + (T - C(30)) / I(30) = 73.179685815748. */
static void phases_two_phase_check_of_model_md(void **state)
{
    (void)state;
    const double days[] = {30}, growth[] = {-0.10, 0};
    mc_phases p = {2, days, growth, 0};
    double c30 = mc_phases_cumulative(&p, DS_I0, 30, 0);
    double i30 = mc_phases_level(&p, DS_I0, 30, 0);
    double be = mc_phases_break_even(&p, DS_T, DS_I0);
    printf("two phases: C(30) = %.6f GPU-h, I(30) = %.6f GPU-h/day, "
           "break-even %.10f days\n", c30, i30, be);
    assert_true(fabs(c30 - 1240552.1) <= 0.1);           /* MODEL.md */
    assert_true(fabs(i30 - 39241.78) <= 0.01);
    assert_true(fabs(be - 73.1797) <= 1e-4);
    assert_close(c30, 1240552.11110568013, 1e-14);       /* 40 digits */
    assert_close(i30, 39241.7836508747603, 1e-14);
    assert_close(be, 73.1796858157477762, 1e-14);
    assert_true(be > mc_phases_start(&p, 1));            /* second phase */
    /* on the flat second phase C grows by I(30) a day */
    assert_close(mc_phases_cumulative(&p, DS_I0, 40, 0), c30 + 10 * i30,
                 1e-14);
    assert_true(mc_phases_level(&p, DS_I0, 1000, 0) == i30);
}

/* Four phases of growth and decay with an efficiency gain: C and I are
 * continuous at every boundary, the left limit (the day an ulp before)
 * within 4 ulps of the value on the day (the day's own ulp moves C by
 * I ulp(s) <= C ulp, and each side has a few roundings). */
static void phases_cumulative_is_continuous_at_boundaries(void **state)
{
    (void)state;
    const double days[] = {45, 120.5, 200};
    const double growth[] = {0.15, -0.2, 0.05, -0.1};
    mc_phases p = {4, days, growth, 0.03};
    for (size_t j = 1; j < p.n; j++) {
        double s = mc_phases_start(&p, j);
        double before = nextafter(s, 0), after = nextafter(s, INFINITY);
        double c = mc_phases_cumulative(&p, DS_I0, s, 0);
        assert_ulps(mc_phases_cumulative(&p, DS_I0, before, 0), c, 4);
        assert_ulps(mc_phases_cumulative(&p, DS_I0, after, 0), c, 4);
        double i = mc_phases_level(&p, DS_I0, s, 0);
        assert_ulps(mc_phases_level(&p, DS_I0, before, 0), i, 4);
        assert_ulps(mc_phases_level(&p, DS_I0, after, 0), i, 4);
        /* and increasing through it */
        assert_true(mc_phases_cumulative(&p, DS_I0, before, 0) <= c);
        assert_true(c <= mc_phases_cumulative(&p, DS_I0, after, 0));
    }
    assert_true(mc_phases_start(&p, 3) == 365.5);
}

/* T equal to C(s_j) as the functions compute it: the break-even day is
 * s_j exactly (not to an ulp), and the neighbouring T fall on either
 * side of it. */
static void phases_break_even_on_a_boundary_is_the_boundary(void **state)
{
    (void)state;
    const double days[] = {30, 61.25}, growth[] = {0.2, -0.15, 0.1};
    mc_phases p = {3, days, growth, 0.02};
    for (size_t j = 1; j < p.n; j++) {
        double s = mc_phases_start(&p, j);
        double T = mc_phases_cumulative(&p, DS_I0, s, 0);
        assert_true(mc_phases_break_even(&p, T, DS_I0) == s);
        assert_true(mc_phases_break_even(&p, nextafter(T, 0), DS_I0) <= s);
        assert_true(mc_phases_break_even(&p, nextafter(T, INFINITY), DS_I0)
                    >= s);
    }
}

/* One phase with e = 0 is version 1 to the last bit: the rate, C(L), the
 * break-even day and the multiplier, against mc_model_eval's. */
static void phases_one_phase_is_version_1_bit_for_bit(void **state)
{
    (void)state;
    const double ms[] = {0, 1e-12, -1e-12, -0.99, 0.25, -0.3634, 5, 1e-320};
    const double Ls[] = {0, 0.5, 1, 30, 67.4155, 365, 1e4};
    const double Ts[] = {DS_T, 1, 1e12};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        mc_phases p = {1, NULL, &ms[i], 0};
        double g = mc_growth_rate(ms[i]), gp = mc_phases_rate(&p, 0, 0);
        assert_memory_equal(&gp, &g, sizeof g);
        for (size_t l = 0; l < sizeof Ls / sizeof *Ls; l++) {
            double v1 = DS_I0 * mc_cumulative_days(g, Ls[l]);
            double v2 = mc_phases_cumulative(&p, DS_I0, Ls[l], 0);
            assert_memory_equal(&v2, &v1, sizeof v1);
            mc_draw d = reported();
            mc_outcome o;
            d.m = ms[i];
            d.L = Ls[l];
            mc_model_eval(&d, &o);
            double m2 = 1.0 + o.T / v2;
            assert_memory_equal(&m2, &o.multiplier, sizeof m2);
            double b2 = mc_phases_break_even(&p, o.T, o.I0);
            assert_memory_equal(&b2, &o.break_even, sizeof b2);
        }
        for (size_t t = 0; t < sizeof Ts / sizeof *Ts; t++) {
            double b1 = mc_break_even_days(Ts[t], DS_I0, g);
            double b2 = mc_phases_break_even(&p, Ts[t], DS_I0);
            assert_memory_equal(&b2, &b1, sizeof b1);
        }
    }
}

/* e = 0.05 at m = 0 is m = -0.05 at e = 0: g = -ln(1 - 0.05) negated,
 * the same number in real arithmetic; by hand 71.562197952137775 days. */
static void phases_efficiency_is_negative_growth(void **state)
{
    (void)state;
    const double flat = 0, fall = -0.05;
    mc_phases pe = {1, NULL, &flat, 0.05}, pm = {1, NULL, &fall, 0};
    double be = mc_phases_break_even(&pe, DS_T, DS_I0);
    double bm = mc_phases_break_even(&pm, DS_T, DS_I0);
    assert_close(be, bm, 1e-12);
    assert_close(be, 71.562197952137775, 1e-13);
    assert_close(mc_phases_cumulative(&pe, DS_I0, 365, 0),
                 mc_phases_cumulative(&pm, DS_I0, 365, 0), 1e-12);
    assert_close(mc_efficiency_rate(0.05), -mc_growth_rate(-0.05), 1e-15);
    double zero = mc_efficiency_rate(0);
    assert_true(zero == 0.0 && !signbit(zero));
}

/* A reference in long double, built apart from the library: rates from
 * log1pl, each phase's level by expl, and C by composite Simpson on I(t)
 * (steps of at most half a day: the error is below (g / 2)^4 / 180 <
 * 1e-10 relative for the rates drawn here, |g| < 0.02 a day) or by the
 * closed form per phase in long double. */
typedef struct ref_phases {
    size_t n;
    long double s[6], g[6], I[6];    /* start, rate, level at the start */
} ref_phases;

static void ref_build(ref_phases *r, const mc_phases *p, double x0,
                      int uses)
{
    const long double dpm = 30.4375L;
    long double h = uses ? 0.0L : -log1pl(-(long double)p->efficiency) / dpm;
    r->n = p->n;
    r->s[0] = 0;
    r->I[0] = x0;
    for (size_t j = 0; j < p->n; j++) {
        r->g[j] = log1pl((long double)p->growth[j]) / dpm - h;
        if (j + 1 < p->n) {
            r->s[j + 1] = r->s[j] + p->days[j];
            r->I[j + 1] = r->I[j] * expl(r->g[j] * p->days[j]);
        }
    }
}

static long double ref_level(const ref_phases *r, size_t j, long double t)
{
    return r->I[j] * expl(r->g[j] * (t - r->s[j]));
}

static long double ref_cumulative(const ref_phases *r, long double t)
{
    long double C = 0;
    for (size_t j = 0; j < r->n && t > r->s[j]; j++) {
        long double b = j + 1 < r->n && r->s[j + 1] < t ? r->s[j + 1] : t;
        long double a = r->s[j], len = b - a;
        size_t k = 2 * (size_t)ceill(len) + 64;          /* even */
        long double step = len / k, sum = ref_level(r, j, a)
                                          + ref_level(r, j, b);
        for (size_t i = 1; i < k; i++)
            sum += (i % 2 ? 4 : 2) * ref_level(r, j, a + i * step);
        C += sum * step / 3;
    }
    return C;
}

static long double ref_closed(const ref_phases *r, long double t)
{
    long double C = 0;
    for (size_t j = 0; j < r->n && t > r->s[j]; j++) {
        long double b = j + 1 < r->n && r->s[j + 1] < t ? r->s[j + 1] : t;
        long double x = b - r->s[j], g = r->g[j];
        C += r->I[j] * (g == 0 ? x : expm1l(g * x) / g);
    }
    return C;
}

static double ref_level_at(const ref_phases *r, long double t)
{
    size_t j = 0;
    while (j + 1 < r->n && t >= r->s[j + 1])
        j++;
    return (double)ref_level(r, j, t);
}

/* xorshift64*, fixed seed: the same lists on every run. */
static double test_uniform(unsigned long long *x, double lo, double hi)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    unsigned long long v = *x * 2685821657736338717ULL;
    return lo + (hi - lo) * ((double)(v >> 11) * 0x1p-53);
}

/* 200 random lists: 1 to 5 phases, d in [1, 400], m in [-0.3, 0.3], e in
 * [0, 0.2].  C(t) and N(t) within 1e-9 of the Simpson reference, C(t)
 * within 1e-13 of the long double closed form and I(t) within 1e-12 of
 * the long double level, at the boundaries and 6 random days; a finite
 * break-even day has C(t) = T within 1e-9 (Simpson) and 1e-13 (closed
 * form), and "never" a last phase that decays to a bound at most T (to
 * 1e-9). */
static void phases_match_numerical_integration(void **state)
{
    (void)state;
    unsigned long long seed = 0x9E3779B97F4A7C15ULL;
    int finite = 0, never = 0;
    double worst_c = 0, worst_be = 0;
    for (int c = 0; c < 200; c++) {
        double days[4], growth[5];
        mc_phases p = {1 + (size_t)test_uniform(&seed, 0, 5), days, growth,
                       test_uniform(&seed, 0, 0.2)};
        for (size_t j = 0; j < p.n; j++) {
            growth[j] = test_uniform(&seed, -0.3, 0.3);
            if (j + 1 < p.n)
                days[j] = test_uniform(&seed, 1, 400);
        }
        double I0 = test_uniform(&seed, 1e3, 1e6);
        double U0 = test_uniform(&seed, 1e6, 1e12);
        ref_phases r, ru;
        ref_build(&r, &p, I0, 0);
        ref_build(&ru, &p, U0, 1);
        double end = mc_phases_start(&p, p.n - 1);
        double ts[6 + 4];
        size_t nt = 0;
        for (; nt < 6; nt++)
            ts[nt] = test_uniform(&seed, 0, end + 400);
        for (size_t j = 1; j < p.n; j++)
            ts[nt++] = mc_phases_start(&p, j);
        for (size_t i = 0; i < nt; i++) {
            double want = (double)ref_cumulative(&r, ts[i]);
            double got = mc_phases_cumulative(&p, I0, ts[i], 0);
            assert_close(got, want, 1e-9);
            assert_close(got, (double)ref_closed(&r, ts[i]), 1e-13);
            worst_c = fmax(worst_c, fabs(got / want - 1));
            assert_close(mc_phases_cumulative(&p, U0, ts[i], 1),
                         (double)ref_cumulative(&ru, ts[i]), 1e-9);
            assert_close(mc_phases_level(&p, I0, ts[i], 0),
                         ref_level_at(&r, ts[i]), 1e-12);
        }
        double T = I0 * test_uniform(&seed, 1, 1500);
        double be = mc_phases_break_even(&p, T, I0);
        if (isfinite(be)) {
            finite++;
            assert_true(be >= 0);
            double at = (double)ref_cumulative(&r, be);
            assert_close(at, T, 1e-9);
            assert_close((double)ref_closed(&r, be), T, 1e-13);
            worst_be = fmax(worst_be, fabs(at / T - 1));
        } else {
            never++;
            size_t J = p.n - 1;
            assert_true(be > 0 && r.g[J] < 0);
            long double bound = ref_cumulative(&r, r.s[J])
                                + r.I[J] / -r.g[J];
            assert_true(bound <= T * (1 + 1e-9L));
        }
    }
    printf("200 lists: %d finite break-even days, %d never; worst "
           "|C / ref - 1| %.2g, |C(be) / T - 1| %.2g\n", finite, never,
           worst_c, worst_be);
    assert_true(finite >= 20 && never >= 20);
}

/* A decaying last phase bounds C at C(s_J) + I(s_J) / (-g_J): T just
 * above the bound is never, T just below it a finite day where C = T.
 * The bound by hand: 60 days at m = 0.1 (g = ln 1.1 / 30.4375), then
 * m = -0.2. */
static void phases_never_beyond_the_decaying_bound(void **state)
{
    (void)state;
    const double days[] = {60}, growth[] = {0.1, -0.2};
    mc_phases p = {2, days, growth, 0};
    long double g0 = log1pl(0.1L) / 30.4375L, g1 = log1pl(-0.2L) / 30.4375L;
    long double I60 = DS_I0 * expl(60 * g0);
    double bound = (double)(DS_I0 * expm1l(60 * g0) / g0 + I60 / -g1);
    assert_close(mc_phases_cumulative(&p, DS_I0, 1e6, 0), bound, 1e-14);
    assert_close(mc_phases_cumulative(&p, DS_I0, INFINITY, 0), bound, 1e-14);
    assert_true(isinf(mc_phases_break_even(&p, bound * (1 + 1e-9), DS_I0)));
    assert_true(isinf(mc_phases_break_even(&p, bound * 2, DS_I0)));
    double T = bound * (1 - 1e-9);
    double be = mc_phases_break_even(&p, T, DS_I0);
    assert_true(isfinite(be) && be > 60);
    assert_close(mc_phases_cumulative(&p, DS_I0, be, 0), T, 1e-12);
    /* an efficiency gain turns slow growth into decay: never */
    const double slow = 0.02;
    mc_phases grow = {1, NULL, &slow, 0}, gain = {1, NULL, &slow, 0.1};
    assert_true(isfinite(mc_phases_break_even(&grow, 1e9, DS_I0)));
    assert_true(mc_phases_rate(&gain, 0, 0) < 0);
    assert_true(isinf(mc_phases_break_even(&gain, 1e9, DS_I0)));
}

/* N(t), the cumulative uses: e does not enter u_j.  By hand, one phase
 * at m = 0.05 with U0 = 168e9: N(365) = U0 expm1(365 u) / u =
 * 8.3335e13 and U(365) = U0 e^(365 u) = 3.0158e11, u = ln 1.05 /
 * 30.4375. */
static void phases_uses_ignore_efficiency(void **state)
{
    (void)state;
    const double days[] = {90}, growth[] = {0.05, 0.01};
    mc_phases pe = {2, days, growth, 0.1}, p0 = {2, days, growth, 0};
    const double U0 = 168e9;
    for (double t = 0; t <= 730; t += 36.5) {
        double ne = mc_phases_cumulative(&pe, U0, t, 1);
        double n0 = mc_phases_cumulative(&p0, U0, t, 1);
        assert_memory_equal(&ne, &n0, sizeof ne);
        /* the GPU-hours of the same traffic fall behind the uses */
        if (t > 0)
            assert_true(mc_phases_cumulative(&pe, U0, t, 0) < ne);
    }
    assert_true(mc_phases_rate(&pe, 1, 1) == mc_growth_rate(0.01));
    assert_true(mc_phases_rate(&pe, 1, 0) < mc_phases_rate(&pe, 1, 1));
    mc_phases one = {1, NULL, growth, 0.1};
    double u = log1p(0.05) / 30.4375;
    assert_close(mc_phases_cumulative(&one, U0, 365, 1),
                 U0 * expm1(365 * u) / u, 1e-15);
    assert_close(mc_phases_cumulative(&one, U0, 365, 1),
                 83335075508640.5561, 1e-14);            /* 30 digits */
    assert_close(mc_phases_level(&one, U0, 365, 1), 301582982016.873427,
                 1e-14);
}

/* Extremes give numbers, never NaN: e at the largest double below 1,
 * a phase of 1e300 days, a level past the doubles (1e5 days at m = 1)
 * and one below them (1e5 days at m = -0.5). */
static void phases_extremes_are_never_nan(void **state)
{
    (void)state;
    const double e_max = nextafter(1.0, 0);
    assert_close(mc_efficiency_rate(e_max), 53 * log(2.0) / 30.4375, 1e-15);
    const double d300[] = {1e300}, d5[] = {1e5};
    const double up_down[] = {1, -0.5}, down_up[] = {-0.5, 1};
    const double flat_up[] = {0, 0.3}, up_flat[] = {0.3, 0};
    const mc_phases ps[] = {
        {1, NULL, up_down, e_max}, {2, d300, up_down, 0},
        {2, d300, down_up, 0}, {2, d300, flat_up, 0}, {2, d300, up_flat, 0},
        {2, d5, up_down, 0}, {2, d5, down_up, 0}, {2, d5, up_down, e_max},
    };
    const double ts[] = {0, 1, 1e5, 2e5, 1e300, 2e300, INFINITY};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        for (size_t k = 0; k < sizeof ts / sizeof *ts; k++) {
            double c = mc_phases_cumulative(&ps[i], DS_I0, ts[k], 0);
            double l = mc_phases_level(&ps[i], DS_I0, ts[k], 0);
            if (isnan(c) || isnan(l) || c < 0 || l < 0)
                fail_msg("list %zu, day %g: C %g, I %g", i, ts[k], c, l);
        }
        double be = mc_phases_break_even(&ps[i], DS_T, DS_I0);
        assert_true(!isnan(be) && be > 0);
    }
    /* e near 1: traffic gone within days, C bounded near I0 / 1.2 */
    assert_true(isinf(mc_phases_break_even(&ps[0], DS_T, DS_I0)));
    /* past the doubles (ps[5] at day 1e5): C is +inf from there on, and
       T is reached in the first phase as if the second did not exist */
    assert_true(isinf(mc_phases_cumulative(&ps[5], DS_I0, 2e5, 0)));
    double be1 = mc_break_even_days(DS_T, DS_I0, mc_growth_rate(1));
    assert_true(mc_phases_break_even(&ps[5], DS_T, DS_I0) == be1);
    /* below them (ps[6]): the level is 0 after 1e5 days of halving, and
       the doubling that follows adds nothing: never */
    assert_true(mc_phases_level(&ps[6], DS_I0, 1e5, 0) == 0);
    assert_true(isinf(mc_phases_break_even(&ps[6], DS_T, DS_I0)));
    /* flat for ever: I0 on every day, even at t = inf */
    const double flat = 0;
    mc_phases ever = {1, NULL, &flat, 0};
    assert_true(mc_phases_level(&ever, DS_I0, INFINITY, 0) == DS_I0);
    assert_true(isinf(mc_phases_cumulative(&ever, DS_I0, INFINITY, 0)));
    /* 1e300 flat days: C(t) = I0 t, and T at T / I0 */
    assert_close(mc_phases_cumulative(&ps[3], DS_I0, 1e300, 0),
                 DS_I0 * 1e300, 1e-15);
    assert_close(mc_phases_break_even(&ps[3], DS_T, DS_I0), DS_T / DS_I0,
                 1e-15);
}

/* Required traffic (MODEL.md version 2, in every scenario): by hand for
 * the reported inputs, I0 T / C(365) = 2,935,000 / 365 GPU-h a day; and
 * at most the measured day's exactly when the multiplier is at most 2,
 * sample by sample, over a grid that crosses 2 both ways. */
static void required_traffic_is_at_most_today_exactly_below_2x(void **state)
{
    (void)state;
    mc_draw d = reported();
    mc_outcome o;
    mc_model_eval(&d, &o);
    assert_close(o.required, 2935000.0 / 365.0, 1e-15);      /* 8,041.1 */
    assert_true(o.required == o.required_energy);            /* r = p = 1 */
    d.r = 0.5;
    mc_model_eval(&d, &o);
    assert_close(o.required_energy, 2.0 * 2935000.0 / 365.0, 1e-15);
    size_t below = 0, above = 0;
    for (int i = 0; i < 4000; i++) {
        d = reported();
        d.k = 1.0 + 0.002 * (double)(i % 1000);
        d.m = -0.2 + 0.1 * (double)(i / 1000);
        d.L = 20.0 + 0.37 * (double)(i % 997);
        d.r = 0.4 + 0.0003 * (double)i;
        mc_model_eval(&d, &o);
        assert_int_equal(o.required <= o.I0, o.multiplier <= 2.0);
        assert_int_equal(o.required_energy <= o.I0,
                         o.multiplier_energy <= 2.0);
        below += o.multiplier <= 2.0;
        above += o.multiplier > 2.0;
    }
    assert_true(below > 100 && above > 100);
}

/* ---- version 2: layouts, footprints, per use -------------------------- */

/* given[] of version 1's inputs and the ones listed (-1 ends). */
static void given_v1_and(unsigned char given[MC_IN_COUNT], ...)
{
    va_list ap;
    for (int i = 0; i < MC_IN_COUNT; i++)
        given[i] = mc_input_infos[i].required == MC_ALWAYS;
    va_start(ap, given);
    for (int i = va_arg(ap, int); i >= 0; i = va_arg(ap, int))
        given[i] = 1;
    va_end(ap);
}

/* Groups present with their inputs, absent without; a group given in
 * part names the partner it lacks; carbon and water need power; a curve
 * metric the scenario lacks is refused; columns in table order. */
static void layouts_follow_the_inputs_given(void **state)
{
    (void)state;
    unsigned char g[MC_IN_COUNT];
    mc_layout lay;
    char msg[512];
    given_v1_and(g, -1);
    assert_int_equal(mc_layout_make(g, 1, 1.0, ~0ull, &lay, msg, sizeof msg),
                     0);
    assert_int_equal(lay.groups, MC_GROUPS_ALWAYS);
    assert_int_equal(lay.ncols, 1 + 9 + 14);
    given_v1_and(g, MC_IN_KW_PER_GPU, -1);
    assert_int_equal(mc_layout_make(g, 1, 1.0, ~0ull, &lay, msg, sizeof msg),
                     -1);
    assert_non_null(strstr(msg, "expected training_pue beside "
                                "training_kw_per_gpu"));
    given_v1_and(g, MC_IN_TRAINING_CI, -1);
    assert_int_equal(mc_layout_make(g, 1, 1.0, ~0ull, &lay, msg, sizeof msg),
                     -1);
    assert_non_null(strstr(msg, "training_kw_per_gpu and training_pue"));
    assert_non_null(strstr(msg, "training_kgco2e_per_kwh"));
    /* CI_i alone: its group's required input is CI_t */
    given_v1_and(g, MC_IN_KW_PER_GPU, MC_IN_TRAINING_PUE, MC_IN_INFERENCE_CI,
                 -1);
    assert_int_equal(mc_layout_make(g, 1, 1.0, ~0ull, &lay, msg, sizeof msg),
                     -1);
    assert_non_null(strstr(msg, "expected training_kgco2e_per_kwh beside "
                                "inference_kgco2e_per_kwh"));
    /* power and carbon: their outputs, carbon's multiplier on the curve */
    given_v1_and(g, MC_IN_KW_PER_GPU, MC_IN_TRAINING_PUE, MC_IN_TRAINING_CI,
                 -1);
    assert_int_equal(mc_layout_make(g, 1, 1.0, ~0ull, &lay, msg, sizeof msg),
                     0);
    assert_int_equal(lay.groups, MC_GROUPS_ALWAYS | MC_GROUP_POWER |
                                     MC_GROUP_CARBON);
    assert_true(lay.has_out[MC_OUT_TRAINING_TCO2E]);
    assert_true(lay.has_out[MC_OUT_MULTIPLIER_CARBON]);
    assert_false(lay.has_out[MC_OUT_MULTIPLIER_WATER]);
    assert_false(lay.has_out[MC_OUT_INFERENCE_WH_PER_USE]);
    assert_int_equal(lay.ncurve, 5);
    assert_int_equal(lay.curve[4], MC_OUT_MULTIPLIER_CARBON);
    for (int k = 1; k < lay.ncols; k++)
        assert_true(lay.col[k] > lay.col[k - 1]);
    /* a curve of the multiplier and the carbon one alone */
    assert_int_equal(mc_layout_make(g, 1, 1.0,
                                    1ull << MC_OUT_MULTIPLIER |
                                        1ull << MC_OUT_MULTIPLIER_CARBON,
                                    &lay, msg, sizeof msg), 0);
    assert_int_equal(lay.ncurve, 2);
    assert_int_equal(lay.curve[1], MC_OUT_MULTIPLIER_CARBON);
    assert_int_equal(mc_layout_make(g, 1, 1.0, 1ull << MC_OUT_MULTIPLIER_WATER,
                                    &lay, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "multiplier_water"));
    /* phases: their inputs, and only theirs */
    given_v1_and(g, MC_IN_TRAFFIC_1_DAYS, MC_IN_TRAFFIC_2_MONTHLY_GROWTH, -1);
    assert_int_equal(mc_layout_make(g, 2, 1.0, ~0ull, &lay, msg, sizeof msg),
                     0);
    assert_int_equal(lay.n_phases, 2);
    assert_int_equal(mc_layout_make(g, 3, 1.0, ~0ull, &lay, msg, sizeof msg),
                     -1);
}

/* A sample of the footprint check (MODEL.md version 2): DeepSeek's
 * reported figures, P 0.9, Q_t 1.3, r = p = 1, CI 0.55, W 2, U0 168e9,
 * L 365, m 0, k 1 (per 1e6), with CI_i and W_i given as ci_i, w_i (< 0:
 * not given). */
static void footprint_sample(double ci_t, double ci_i, double w_t, double w_i,
                             double y[MC_OUT_COUNT], mc_layout *lay)
{
    unsigned char g[MC_IN_COUNT];
    char msg[256];
    double x[MC_COL_OUTPUT0] = {0};
    double *in = x + MC_COL_INPUT0;
    given_v1_and(g, MC_IN_KW_PER_GPU, MC_IN_TRAINING_PUE, MC_IN_TRAINING_CI,
                 MC_IN_TRAINING_WATER, MC_IN_USES_PER_DAY, -1);
    g[MC_IN_INFERENCE_CI] = ci_i >= 0;
    g[MC_IN_INFERENCE_WATER] = w_i >= 0;
    assert_int_equal(mc_layout_make(g, 1, 1e6, ~0ull, lay, msg, sizeof msg),
                     0);
    x[MC_COL_F] = DS_T;
    in[MC_IN_OVERHEAD] = 1;
    in[MC_IN_NODES] = 226.75;
    in[MC_IN_GPUS_PER_NODE] = 8;
    in[MC_IN_REPRESENTATIVENESS] = 1;
    in[MC_IN_POWER_RATIO] = in[MC_IN_PUE_RATIO] = 1;
    in[MC_IN_LIFETIME_DAYS] = 365;
    in[MC_IN_GPU_HOUR_USD] = 2;
    in[MC_IN_KW_PER_GPU] = 0.9;
    in[MC_IN_TRAINING_PUE] = 1.3;
    in[MC_IN_TRAINING_CI] = ci_t;
    in[MC_IN_INFERENCE_CI] = ci_i >= 0 ? ci_i : 99;   /* 99: never read */
    in[MC_IN_TRAINING_WATER] = w_t;
    in[MC_IN_INFERENCE_WATER] = w_i >= 0 ? w_i : 99;
    in[MC_IN_USES_PER_DAY] = 168e9;
    mc_model_eval_one(x, y, lay);
}

/* The footprint check by hand; the inference site's intensities follow
 * the training site's where absent; a training intensity of 0 adds
 * nothing (day 0, multiplier 1) even where the inference site's is 0
 * too; an inference intensity of 0 alone is "never". */
static void footprint_outputs_match_hand_computed_values(void **state)
{
    (void)state;
    double y[MC_OUT_COUNT];
    mc_layout lay;
    footprint_sample(0.55, -1, 2, -1, y, &lay);
    const double be = DS_T / DS_I0;
    assert_close(y[MC_OUT_TRAINING_MWH], 3433.95, 1e-15);
    assert_close(y[MC_OUT_INFERENCE_MWH_PER_DAY], 50.93712, 1e-15);
    assert_close(y[MC_OUT_TRAINING_TCO2E], 1888.6725, 1e-15);
    assert_close(y[MC_OUT_TRAINING_WATER_M3], 6867.9, 1e-15);
    assert_close(y[MC_OUT_INFERENCE_GPU_HOURS_PER_USE],
                 0.259142857142857142857, 1e-15);
    assert_close(y[MC_OUT_INFERENCE_WH_PER_USE], 303.197142857142857, 1e-15);
    /* training over 365 days of uses: 2,935,000 / (168e9 x 365) per 1e6 */
    assert_close(y[MC_OUT_TRAINING_GPU_HOURS_PER_USE],
                 0.04786366601435094585, 1e-15);
    assert_close(y[MC_OUT_TRAINING_WH_PER_USE], 56.00048923679060665, 1e-15);
    assert_close(y[MC_OUT_TRAINING_GCO2E_PER_USE], 30.80026908023483366,
                 1e-15);
    assert_close(y[MC_OUT_INFERENCE_ML_PER_USE], 2 * 303.197142857142857,
                 1e-15);
    /* the training share 1 - 1/M from the per-use figures */
    assert_close(y[MC_OUT_TRAINING_WH_PER_USE] /
                     (y[MC_OUT_TRAINING_WH_PER_USE] +
                      y[MC_OUT_INFERENCE_WH_PER_USE]),
                 1.0 - 1.0 / y[MC_OUT_MULTIPLIER_ENERGY], 1e-14);
    assert_true(y[MC_OUT_BREAK_EVEN_CARBON] == y[MC_OUT_BREAK_EVEN_ENERGY]);
    assert_true(y[MC_OUT_MULTIPLIER_WATER] == y[MC_OUT_MULTIPLIER_ENERGY]);
    assert_close(y[MC_OUT_BREAK_EVEN_CARBON], be, 1e-15);
    /* required uses: U0 T / C(L), at most U0 exactly below 2x */
    assert_close(y[MC_OUT_REQUIRED_USES_PER_DAY],
                 168e9 * DS_T / (DS_I0 * 365), 1e-15);
    /* half as intense a grid at the inference site: twice the days */
    footprint_sample(0.55, 0.275, 2, -1, y, &lay);
    assert_close(y[MC_OUT_BREAK_EVEN_CARBON], 134.830944505696435, 1e-15);
    assert_close(y[MC_OUT_INFERENCE_GCO2E_PER_USE],
                 303.197142857142857 * 0.275, 1e-15);
    /* no water at the inference site: never, and an infinite multiplier */
    footprint_sample(0.55, -1, 2, 0, y, &lay);
    assert_true(isinf(y[MC_OUT_BREAK_EVEN_WATER]));
    assert_true(isinf(y[MC_OUT_MULTIPLIER_WATER]));
    assert_true(y[MC_OUT_INFERENCE_ML_PER_USE] == 0);
    /* none at either site: training adds nothing */
    footprint_sample(0.55, -1, 0, 0, y, &lay);
    assert_true(y[MC_OUT_BREAK_EVEN_WATER] == 0);
    assert_true(y[MC_OUT_MULTIPLIER_WATER] == 1);
    footprint_sample(0, 0, 2, -1, y, &lay);
    assert_true(y[MC_OUT_BREAK_EVEN_CARBON] == 0);
    assert_true(y[MC_OUT_MULTIPLIER_CARBON] == 1);
    for (int o = 0; o < lay.nout; o++)
        if (isnan(y[lay.out[o]]))
            fail_msg("%s is NaN", mc_output_infos[lay.out[o]].name);
}

static double phased_curve_got[2][MC_NCURVE_MAX][3];
static void phased_curve_keep(void *ctx, size_t h,
                              const double *const x[MC_NCURVE_MAX],
                              size_t len)
{
    const mc_layout *lay = ctx;
    for (int m = 0; m < lay->ncurve; m++)
        for (size_t i = 0; i < len; i++)
            phased_curve_got[h][m][i] = x[m][i];
}

/* With phases and an efficiency gain, the curve's multipliers at horizon
 * h are the lifetime multipliers of a sample whose L is h, carbon's and
 * water's among them. */
static void phased_curve_matches_the_lifetime_multipliers(void **state)
{
    (void)state;
    enum { N = 3 };
    const double hs[2] = {20, 400};
    unsigned char g[MC_IN_COUNT];
    char msg[256];
    mc_layout lay;
    given_v1_and(g, MC_IN_KW_PER_GPU, MC_IN_TRAINING_PUE, MC_IN_TRAINING_CI,
                 MC_IN_INFERENCE_CI, MC_IN_TRAINING_WATER, MC_IN_EFFICIENCY,
                 MC_IN_TRAFFIC_1_DAYS, MC_IN_TRAFFIC_2_MONTHLY_GROWTH, -1);
    assert_int_equal(mc_layout_make(g, 2, 1.0, ~0ull, &lay, msg, sizeof msg),
                     0);
    assert_int_equal(lay.ncurve, 6);
    double store[MC_NCOLS][N], *col[MC_NCOLS];
    for (int c = 0; c < MC_NCOLS; c++)
        col[c] = store[c];
    double x[N][MC_COL_OUTPUT0];
    for (size_t i = 0; i < N; i++) {
        double *in = x[i] + MC_COL_INPUT0;
        memset(x[i], 0, sizeof x[i]);
        x[i][MC_COL_F] = DS_T;
        in[MC_IN_OVERHEAD] = 2.2;
        in[MC_IN_NODES] = 226.75;
        in[MC_IN_GPUS_PER_NODE] = 8;
        in[MC_IN_REPRESENTATIVENESS] = 1;
        in[MC_IN_MONTHLY_GROWTH] = -0.1 + 0.1 * (double)i;
        in[MC_IN_POWER_RATIO] = 0.8;
        in[MC_IN_PUE_RATIO] = 1.1;
        in[MC_IN_LIFETIME_DAYS] = 365;
        in[MC_IN_GPU_HOUR_USD] = 2;
        in[MC_IN_KW_PER_GPU] = 0.9;
        in[MC_IN_TRAINING_PUE] = 1.3;
        in[MC_IN_TRAINING_CI] = 0.55;
        in[MC_IN_INFERENCE_CI] = 0.2 + 0.1 * (double)i;
        in[MC_IN_TRAINING_WATER] = 2;
        in[MC_IN_EFFICIENCY] = 0.03 * (double)i;
        in[MC_IN_TRAFFIC_1_DAYS] = 30 + 100 * (double)i;
        in[MC_IN_TRAFFIC_2_MONTHLY_GROWTH] = 0.05 - 0.1 * (double)i;
        for (int c = 0; c < MC_COL_OUTPUT0; c++)
            col[c][i] = x[i][c];
    }
    mc_model_eval_block(col, N, &lay);
    double *scratch = malloc(MC_CURVE_SCRATCH_PER * N * sizeof *scratch);
    assert_non_null(scratch);
    mc_model_curve((const double *const *)col, N, N, hs, 2, &lay, scratch,
                   phased_curve_keep, &lay);
    free(scratch);
    for (size_t i = 0; i < N; i++)
        for (int h = 0; h < 2; h++) {
            double y[MC_OUT_COUNT];
            x[i][MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS] = hs[h];
            mc_model_eval_one(x[i], y, &lay);
            for (int m = 0; m < lay.ncurve; m++)
                assert_close(phased_curve_got[h][m][i], y[lay.curve[m]],
                             1e-14);
        }
}

/* ---- what the outputs depend on --------------------------------------- */

/* A value inside input column c's domain, from u in [0, 1). */
static double dep_value(int c, double u)
{
    if (c == MC_COL_F)
        return 1e6 + 9e6 * u;
    switch (c - MC_COL_INPUT0) {
    case MC_IN_OVERHEAD:
    case MC_IN_TRAINING_PUE:
        return 1.0 + 2.0 * u;
    case MC_IN_MONTHLY_GROWTH:
    case MC_IN_TRAFFIC_2_MONTHLY_GROWTH:
    case MC_IN_TRAFFIC_3_MONTHLY_GROWTH:
    case MC_IN_TRAFFIC_4_MONTHLY_GROWTH:
    case MC_IN_TRAFFIC_5_MONTHLY_GROWTH:
    case MC_IN_TRAFFIC_6_MONTHLY_GROWTH:
        return -0.2 + 0.45 * u;
    case MC_IN_EFFICIENCY:
        return 0.1 * u;
    case MC_IN_USES_PER_DAY:
        return 1e8 + 1e10 * u;
    case MC_IN_NODES:
    case MC_IN_LIFETIME_DAYS:
    case MC_IN_TRAFFIC_1_DAYS:
    case MC_IN_TRAFFIC_2_DAYS:
    case MC_IN_TRAFFIC_3_DAYS:
    case MC_IN_TRAFFIC_4_DAYS:
    case MC_IN_TRAFFIC_5_DAYS:
        return 10.0 + 300.0 * u;
    default:                          /* ratios, prices, intensities */
        return 0.2 + 2.0 * u;
    }
}

static double dep_curve_got[3][MC_NCURVE_MAX];
static void dep_curve_keep(void *ctx, size_t h,
                           const double *const x[MC_NCURVE_MAX], size_t len)
{
    const mc_layout *lay = ctx;
    (void)len;
    for (int m = 0; m < lay->ncurve; m++)
        dep_curve_got[h][m] = x[m][0];
}

/* One sample's outputs y and curve (3 horizons) at input columns x. */
static void dep_eval(const mc_layout *lay, const double x[MC_COL_OUTPUT0],
                     double y[MC_OUT_COUNT],
                     double cur[3][MC_NCURVE_MAX])
{
    static const double hs[3] = {20, 150, 700};
    double store[MC_NCOLS], *col[MC_NCOLS];
    double scratch[MC_CURVE_SCRATCH_PER];
    for (int c = 0; c < MC_NCOLS; c++) {
        col[c] = &store[c];
        store[c] = c < MC_COL_OUTPUT0 ? x[c] : 0.0;
    }
    mc_model_eval_one(x, y, lay);
    mc_model_eval_block(col, 1, lay);
    mc_model_curve((const double *const *)col, 1, 1, hs, 3, lay, scratch,
                   dep_curve_keep, (void *)lay);
    memcpy(cur, dep_curve_got, sizeof dep_curve_got);
}

/* Changing one input column alone changes only the outputs and curve
 * metrics whose needs (mc_output_needs, mc_curve_needs) name it: at 300
 * random samples of three layouts (every group with three phases, an
 * efficiency gain and uses; one phase with an efficiency gain and CI_i
 * following CI_t; version 1's inputs), each column moved within its
 * domain.  And the needs are not everything: a few by hand. */
static void outputs_depend_only_on_what_they_need(void **state)
{
    (void)state;
    unsigned char g[3][MC_IN_COUNT];
    size_t phases[3] = {3, 1, 1};
    given_v1_and(g[0], MC_IN_KW_PER_GPU, MC_IN_TRAINING_PUE,
                 MC_IN_TRAINING_CI, MC_IN_INFERENCE_CI, MC_IN_TRAINING_WATER,
                 MC_IN_INFERENCE_WATER, MC_IN_USES_PER_DAY, MC_IN_EFFICIENCY,
                 MC_IN_TRAFFIC_1_DAYS, MC_IN_TRAFFIC_2_MONTHLY_GROWTH,
                 MC_IN_TRAFFIC_2_DAYS, MC_IN_TRAFFIC_3_MONTHLY_GROWTH, -1);
    given_v1_and(g[1], MC_IN_KW_PER_GPU, MC_IN_TRAINING_PUE,
                 MC_IN_TRAINING_CI, MC_IN_TRAINING_WATER, MC_IN_USES_PER_DAY,
                 MC_IN_EFFICIENCY, -1);
    given_v1_and(g[2], -1);
    unsigned long long seen_out = 0;
    int seen_curve = 0;
    srand(17);
    for (int l = 0; l < 3; l++) {
        mc_layout lay;
        char msg[256];
        assert_int_equal(mc_layout_make(g[l], phases[l], 1e6, ~0ull, &lay,
                                        msg, sizeof msg), 0);
        for (int rep = 0; rep < 100; rep++) {
            double x[MC_COL_OUTPUT0], y[MC_OUT_COUNT];
            double cur[3][MC_NCURVE_MAX];
            for (int c = 0; c < MC_COL_OUTPUT0; c++)
                x[c] = dep_value(c, rand() / (RAND_MAX + 1.0));
            dep_eval(&lay, x, y, cur);
            for (int c = 0; c < MC_COL_OUTPUT0; c++) {
                double x2[MC_COL_OUTPUT0], y2[MC_OUT_COUNT];
                double cur2[3][MC_NCURVE_MAX];
                memcpy(x2, x, sizeof x);
                x2[c] = dep_value(c, rand() / (RAND_MAX + 1.0));
                dep_eval(&lay, x2, y2, cur2);
                for (int k = 0; k < lay.nout; k++) {
                    int o = lay.out[k];
                    if (memcmp(&y[o], &y2[o], sizeof y[o]) == 0)
                        continue;
                    seen_out |= 1ull << o;
                    if (!(mc_output_needs(o) >> c & 1))
                        fail_msg("%s moved with %s, which it does not need",
                                 mc_output_infos[o].name,
                                 mc_column_names[c]);
                }
                for (int h = 0; h < 3; h++)
                    for (int m = 0; m < lay.ncurve; m++) {
                        if (memcmp(&cur[h][m], &cur2[h][m],
                                   sizeof cur[h][m]) == 0)
                            continue;
                        seen_curve++;
                        if (!(mc_curve_needs(lay.curve[m]) >> c & 1))
                            fail_msg("the curve of %s moved with %s",
                                     mc_output_infos[lay.curve[m]].name,
                                     mc_column_names[c]);
                    }
            }
        }
    }
    /* every output moved with something: the check saw each */
    assert_true(seen_out == (1ull << MC_OUT_COUNT) - 1);
    assert_true(seen_curve > 0);
    const mc_col_mask F = 1ull << MC_COL_F;
    const mc_col_mask k = 1ull << (MC_COL_INPUT0 + MC_IN_OVERHEAD);
    const mc_col_mask L = 1ull << (MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS);
    assert_true(mc_output_needs(MC_OUT_TRAINING_GPU_HOURS) == (F | k));
    assert_true(mc_output_needs(MC_OUT_INFERENCE_GPU_HOURS_PER_DAY) ==
                (1ull << (MC_COL_INPUT0 + MC_IN_NODES) |
                 1ull << (MC_COL_INPUT0 + MC_IN_GPUS_PER_NODE) |
                 1ull << (MC_COL_INPUT0 + MC_IN_REPRESENTATIVENESS)));
    assert_false(mc_output_needs(MC_OUT_MULTIPLIER_FINAL) & k);
    assert_true(mc_output_needs(MC_OUT_MULTIPLIER) & L);
    assert_false(mc_curve_needs(MC_OUT_MULTIPLIER) & L);
}

/* Two layouts alike and the power ratio drawn differently: the outputs
 * and curve metrics without r are the same, the energy ones are not; a
 * layout with another count of uses shares nothing. */
static void the_same_outputs_follow_the_same_inputs(void **state)
{
    (void)state;
    unsigned char g[MC_IN_COUNT], same_in[MC_COL_OUTPUT0];
    unsigned char out[MC_OUT_COUNT], cur[MC_NCURVE_MAX];
    mc_layout a, b;
    char msg[256];
    given_v1_and(g, MC_IN_USES_PER_DAY, -1);
    assert_int_equal(mc_layout_make(g, 1, 1e6, ~0ull, &a, msg, sizeof msg),
                     0);
    b = a;
    memset(same_in, 1, sizeof same_in);
    same_in[MC_COL_INPUT0 + MC_IN_POWER_RATIO] = 0;
    mc_model_same(&a, &b, same_in, out, cur);
    assert_true(out[MC_OUT_TRAINING_GPU_HOURS]);
    assert_true(out[MC_OUT_MULTIPLIER]);
    assert_true(out[MC_OUT_REQUIRED_USES_PER_DAY]);
    assert_false(out[MC_OUT_MULTIPLIER_ENERGY]);
    assert_false(out[MC_OUT_BREAK_EVEN_ENERGY_FINAL]);
    assert_int_equal(a.curve[0], MC_OUT_MULTIPLIER);
    assert_int_equal(a.curve[1], MC_OUT_MULTIPLIER_ENERGY);
    assert_true(cur[0]);
    assert_false(cur[1]);
    assert_int_equal(mc_layout_make(g, 1, 1e3, ~0ull, &b, msg, sizeof msg),
                     0);
    mc_model_same(&a, &b, same_in, out, cur);
    for (int o = 0; o < MC_OUT_COUNT; o++)
        assert_false(out[o]);
    for (int m = 0; m < MC_NCURVE_MAX; m++)
        assert_false(cur[m]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reported_inputs_give_67_4155_days),
        cmocka_unit_test(parameters_md_checks_hold),
        cmocka_unit_test(growth_and_decay_match_hand_computed_values),
        cmocka_unit_test(cumulative_uses_the_closed_form),
        cmocka_unit_test(tiny_growth_joins_flat_traffic_continuously),
        cmocka_unit_test(never_is_infinite_beyond_the_boundary_and_finite_before),
        cmocka_unit_test(multiplier_is_at_most_2_exactly_when_break_even_is_reached),
        cmocka_unit_test(expm1_recurrence_drifts_by_rounding_only),
        cmocka_unit_test(constants_are_models),
        cmocka_unit_test(columns_are_named_from_the_tables),
        cmocka_unit_test(thresholds_and_curve_come_from_the_output_table),
        cmocka_unit_test(input_table_holds_models_domains),
        cmocka_unit_test(column_forms_match_the_struct_form),
        cmocka_unit_test(curve_matches_the_lifetime_multipliers),
        cmocka_unit_test(bounds_match_hand_computed_values),
        cmocka_unit_test(model_md_names_every_column),
        cmocka_unit_test(required_traffic_is_at_most_today_exactly_below_2x),
        cmocka_unit_test(phases_two_phase_check_of_model_md),
        cmocka_unit_test(phases_cumulative_is_continuous_at_boundaries),
        cmocka_unit_test(phases_break_even_on_a_boundary_is_the_boundary),
        cmocka_unit_test(phases_one_phase_is_version_1_bit_for_bit),
        cmocka_unit_test(phases_efficiency_is_negative_growth),
        cmocka_unit_test(phases_match_numerical_integration),
        cmocka_unit_test(phases_never_beyond_the_decaying_bound),
        cmocka_unit_test(phases_uses_ignore_efficiency),
        cmocka_unit_test(phases_extremes_are_never_nan),
        cmocka_unit_test(layouts_follow_the_inputs_given),
        cmocka_unit_test(footprint_outputs_match_hand_computed_values),
        cmocka_unit_test(phased_curve_matches_the_lifetime_multipliers),
        cmocka_unit_test(outputs_depend_only_on_what_they_need),
        cmocka_unit_test(the_same_outputs_follow_the_same_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
