/* test_sobol.c: Sobol' indices of a Saltelli design (results/mc_sobol.c,
 * sim/mc_saltelli.c): the estimators on values worked out by hand. */
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
#include "mc_sobol.h"

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

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(estimators_should_match_hand_computed_values),
        cmocka_unit_test(estimators_should_refuse_constant_or_infinite_values),
        cmocka_unit_test(all_outputs_should_match_one_call_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
