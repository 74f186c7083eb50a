/* test_model.c: the closed forms of MODEL.md against hand-computed values
 * and the checks of PARAMETERS.md. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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
    for (int o = 0; o < MC_OUT_COUNT; o++) {
        const mc_output_info *info = &mc_output_infos[o];
        if (info->kind == MC_KIND_MULTIPLIER)
            assert_true(info->p_le == 2.0);
        else
            assert_true(isnan(info->p_le));
        assert_true(info->group & MC_GROUP_CORE);
        assert_non_null(info->unit);
        assert_non_null(info->doc);
        if (info->curve_break_even < 0)
            continue;
        assert_true(m < MC_NCURVE);
        assert_int_equal(mc_curve_metric_col[m], MC_COL_OUTPUT0 + o);
        assert_int_equal(mc_curve_be_col[m],
                         MC_COL_OUTPUT0 + info->curve_break_even);
        assert_int_equal(mc_output_infos[info->curve_break_even].kind,
                         MC_KIND_DAYS);
        m++;
    }
    assert_int_equal(m, MC_NCURVE);
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
            {MC_IN_FINAL_RUN, 0.0, 1, "F"}};
    assert_int_equal(sizeof want / sizeof want[0], MC_IN_COUNT + 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const mc_input_info *in = &mc_input_infos[want[i].id];
        assert_true(in->lo == want[i].lo);
        assert_int_equal(in->lo_open, want[i].open);
        assert_string_equal(in->symbol, want[i].sym);
        if (in->required) {
            assert_true(isnan(in->fallback));
        } else {
            assert_true(in->lo_open ? in->fallback > in->lo
                                    : in->fallback >= in->lo);
        }
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
    mc_model_eval_block(col, N);
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
            o.inference_usd_per_day};
        for (int k = 0; k < MC_OUT_COUNT; k++)
            assert_memory_equal(&col[MC_COL_OUTPUT0 + k][i], &want[k],
                                sizeof(double));
    }
    /* by hand: the reported inputs give 2,935,000 / 43,536 days */
    double x[MC_COL_OUTPUT0] = {2935000, 1, 226.75, 8, 1, 0, 1, 1, 365, 2};
    double y[MC_OUT_COUNT];
    mc_model_eval_one(x, y);
    assert_true(y[MC_OUT_BREAK_EVEN] == 2935000.0 / 43536.0);
    assert_true(y[MC_OUT_INFERENCE_USD_PER_DAY] == 87072.0);
}

/* The curve's multipliers at horizon h are the lifetime multipliers of a
 * sample whose L is h: 1 + T / (I0 h) for flat traffic exactly, and the
 * closed form within the recurrence's rounding for growth and decay. */
static double curve_got[3][MC_NCURVE][4];
static void curve_keep(void *ctx, size_t h, const double *const x[MC_NCURVE],
                       size_t len)
{
    (void)ctx;
    for (int m = 0; m < MC_NCURVE; m++)
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
    mc_model_eval_block(col, N);
    double *scratch = malloc(MC_CURVE_SCRATCH_PER * N * sizeof *scratch);
    assert_non_null(scratch);
    mc_model_curve((const double *const *)col, N, N, hs, 3, scratch,
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
            mc_model_eval_one(x, y);
            for (int m = 0; m < MC_NCURVE; m++)
                assert_close(curve_got[h][m][i],
                             y[mc_curve_metric_col[m] - MC_COL_OUTPUT0],
                             1e-13);
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
    mc_model_bounds_of(lo, hi, 10, &b);
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
    mc_model_bounds_of(lo, hi, HUGE_VAL, &b);
    assert_true(b.span == 25.0);
    lo[MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS] = 100;
    lo[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH] = -0.5;
    mc_model_bounds_of(lo, hi, HUGE_VAL, &b);
    assert_close(b.span, 43.912030307057826, 1e-14);
    /* an energy ratio above 1 does not lower the break-even bound */
    lo[MC_COL_INPUT0 + MC_IN_POWER_RATIO] = 3;
    mc_model_bounds_of(lo, hi, HUGE_VAL, &b);
    assert_true(b.E_lo == 3.0);
    assert_close(b.days_hi, 11740000.0 / 11750.4, 1e-15);
    /* a cost of 0 x inf is NaN, not a pass */
    hi[MC_COL_INPUT0 + MC_IN_GPU_HOUR_USD] = 0;
    hi[MC_COL_INPUT0 + MC_IN_NODES] = HUGE_VAL;
    mc_model_bounds_of(lo, hi, 10, &b);
    assert_true(isnan(b.usd_hi));
}

/* MODEL.md names every column of the table, and the P(<= x) columns'
 * threshold is the multipliers' (MC_P_LE, p_le_2). */
static void model_md_names_every_column(void **state)
{
    (void)state;
    FILE *f = fopen(DOCS_DIR "/MODEL.md", "rb");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
