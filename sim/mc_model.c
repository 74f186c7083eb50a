/* mc_model.c: closed forms of MODEL.md.
 *
 * Growth is continuous: I(t) = I0 e^(g t), so C(t) = I0 (e^(g t) - 1) / g.
 * expm1 and log1p keep full precision when g is tiny, so the formulas
 * join the g = 0 case continuously (tests check m = 1e-12 against 0) --
 * while g t and g T / I0 are normal doubles.  Below DBL_MIN a double
 * keeps fewer digits the smaller it is (1e-320 has 11 bits), and
 * expm1(g t) / g or log1p(y) / g divides two such numbers: m = 1e-320 gave
 * 67.4091 days for 67.4155.  There the quotients are taken as
 * t expm1(x) / x and (T / I0) log1p(y) / y, whose ratios are 1 to double
 * precision (or computed from a normal y), so nothing divides by g. */
#include "mc_model.h"

#include <float.h>
#include <math.h>

double mc_growth_rate(double m)
{
    return log1p(m) / MC_DAYS_PER_MONTH;
}

double mc_cumulative_days(double g, double t)
{
    double x = g * t;
    /* expm1(x) / x = 1 + x / 2 + ..., 1 to double precision for a
       subnormal x (and for g = 0) */
    if (!(fabs(x) >= DBL_MIN))
        return t;
    return expm1(x) / g;
}

/* The break-even day as r log1p(y) / y, r = T / I0, y = g r: for g whose
 * products with T or with T / I0 are not normal doubles, or overflow. */
static double break_even_scaled(double T, double I0, double g)
{
    double r = T / I0, y = g * r;
    if (y <= -1.0)                 /* traffic dies out first: never */
        return INFINITY;
    if (!(fabs(y) >= DBL_MIN))     /* log1p(y) / y = 1 - y / 2 + ... = 1 */
        return r;
    if (isinf(y))                  /* log1p(y) = log y beyond DBL_MAX */
        return (log(g) + log(T) - log(I0)) / g;
    return r * (log1p(y) / y);
}

double mc_break_even_days(double T, double I0, double g)
{
    if (g == 0.0)
        return T / I0;
    double gT = g * T, x = gT / I0;
    if (!(fabs(gT) >= DBL_MIN && fabs(x) >= DBL_MIN && !isinf(x)))
        return break_even_scaled(T, I0, g);
    if (x <= -1.0)                 /* traffic dies out first: never */
        return INFINITY;
    return log1p(x) / g;
}

void mc_model_eval(const mc_draw *in, mc_outcome *out)
{
    double g = mc_growth_rate(in->m);
    double T = in->k * in->F;
    double I0 = in->n * in->gn * 24.0 * in->R;
    double energy = in->r * in->p;          /* inference energy per GPU-h,
                                               relative to training's */
    double CL = I0 * mc_cumulative_days(g, in->L);

    out->T = T;
    out->I0 = I0;
    out->break_even = mc_break_even_days(T, I0, g);
    out->break_even_energy = mc_break_even_days(T / energy, I0, g);
    out->multiplier = 1.0 + T / CL;
    out->multiplier_energy = 1.0 + T / (energy * CL);
    out->break_even_final = mc_break_even_days(in->F, I0, g);
    out->break_even_energy_final = mc_break_even_days(in->F / energy, I0, g);
    out->multiplier_final = 1.0 + in->F / CL;
    out->multiplier_energy_final = 1.0 + in->F / (energy * CL);
    out->training_usd = in->c * T;
    out->inference_usd_per_day = in->c * I0;
}
