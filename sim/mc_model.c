/* mc_model.c: closed forms of MODEL.md.
 *
 * Growth is continuous: I(t) = I0 e^(g t), so C(t) = I0 (e^(g t) - 1) / g.
 * expm1 and log1p keep full precision when g is tiny, so the formulas
 * join the g = 0 case continuously (tests check m = 1e-12 against 0). */
#include "mc_model.h"

#include <math.h>

double mc_growth_rate(double m)
{
    return log1p(m) / MC_DAYS_PER_MONTH;
}

double mc_cumulative_days(double g, double t)
{
    return g == 0.0 ? t : expm1(g * t) / g;
}

double mc_break_even_days(double T, double I0, double g)
{
    if (g == 0.0)
        return T / I0;
    double x = g * T / I0;
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
