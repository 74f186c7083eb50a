/* test_model.c: the closed forms of MODEL.md against hand-computed values
 * and the checks of PARAMETERS.md. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
