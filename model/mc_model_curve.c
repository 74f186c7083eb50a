/* mc_model_curve.c: the curve's multipliers of a block of evaluated
 * samples at the scenario's horizons (mc_model_curve, mc_model.h): one
 * phase by the expm1 recurrence, several by the phases' closed forms. */
#include "mc_model.h"
#include "mc_model_impl.h"

#include <float.h>
#include <math.h>
#include <stddef.h>

/* ---- the curve ------------------------------------------------------- */

/* The smallest step of the horizons (the first horizon counts as a step
 * from 0). */
static double smallest_step(const double *hs, size_t nh)
{
    double m = INFINITY;
    for (size_t h = 0; h < nh; h++) {
        double step = h == 0 ? hs[0] : hs[h] - hs[h - 1];
        m = step < m ? step : m;
    }
    return m;
}

/* Does the recurrence lose the digits of C(h) for growth g with q = g /
 * I0?  It divides q by e^(g h) - 1, built from expm1(g step): both keep
 * their digits while normal doubles; a subnormal one does not (m = 1e-320
 * made q 0 and every multiplier 1). */
static int curve_subnormal(double g, double q, double step_min)
{
    return g != 0.0 && !(fabs(q) >= DBL_MIN && fabs(g * step_min) >= DBL_MIN);
}

/* Those samples' multipliers at horizon hz from the closed form
 * (mc_cumulative_days, which is h where g h is subnormal: then exactly
 * the g = 0 values). */
static void curve_closed_form(const double *g, const double *q,
                              const double *I0, const double *const *num,
                              int nm, size_t len, double step_min, double hz,
                              double *const *x)
{
    for (size_t i = 0; i < len; i++) {
        if (!curve_subnormal(g[i], q[i], step_min))
            continue;
        double inv = (1.0 / I0[i]) / mc_cumulative_days(g[i], hz);
        for (int m = 0; m < nm; m++)
            x[m][i] = 1.0 + num[m][i] * inv;
    }
}

/* The numerator of curve metric o for sample i: its multiplier is 1 +
 * num / C(h). */
static double curve_numerator(int o, const double *const col[MC_NCOLS],
                              const mc_layout *lay, size_t i)
{
    const double *in[MC_IN_COUNT];
    double T = col[MC_COL_T][i], F = col[MC_COL_F][i];
    for (int k = 0; k < MC_IN_COUNT; k++)
        in[k] = col[MC_COL_INPUT0 + k];
    double energy = in[MC_IN_POWER_RATIO][i] * in[MC_IN_PUE_RATIO][i];
    int ci = MC_IN_INFERENCE_CI, wi = MC_IN_INFERENCE_WATER;
    switch (o) {
    case MC_OUT_MULTIPLIER:
        return T;
    case MC_OUT_MULTIPLIER_ENERGY:
        return T / energy;
    case MC_OUT_MULTIPLIER_FINAL:
        return F;
    case MC_OUT_MULTIPLIER_ENERGY_FINAL:
        return F / energy;
    case MC_OUT_MULTIPLIER_CARBON:
        return T * mc_intensity_ratio_(
                       in[MC_IN_TRAINING_CI][i],
                       in[lay->given[ci] ? ci : MC_IN_TRAINING_CI][i]) /
               energy;
    default:                          /* MC_OUT_MULTIPLIER_WATER */
        return T * mc_intensity_ratio_(
                       in[MC_IN_TRAINING_WATER][i],
                       in[lay->given[wi] ? wi : MC_IN_TRAINING_WATER][i]) /
               energy;
    }
}

/* With several phases, C(h) from the phases at each horizon (no
 * recurrence): each sample's phase starts s_j, traffic C(s_j) before them,
 * levels I(s_j) and rates g_j once (ph: 4 MC_MAX_PHASES x cap doubles),
 * then C(h) = C(s_j) + I(s_j) E(g_j, h - s_j) in the phase that holds h,
 * mc_phases_cumulative's expressions term for term. */
static void curve_phased(const double *const col[MC_NCOLS], size_t len,
                         size_t cap, const double *hs, size_t nh,
                         const mc_layout *lay, double *ph_tab,
                         double *const *num, double *const *xw,
                         mc_curve_fn fn, void *ctx)
{
    const double *I0 = col[MC_COL_I0];
    const double *const *x = (const double *const *)xw;
    const size_t np = lay->n_phases, M = MC_MAX_PHASES;
    double *S = ph_tab, *Cs = S + M * cap, *Is = Cs + M * cap;
    double *G = Is + M * cap;
    for (size_t i = 0; i < len; i++) {
        double in[MC_IN_COUNT], days[MC_MAX_PHASES], growth[MC_MAX_PHASES];
        mc_phases ph;
        for (size_t j = 0; j < np; j++) {
            in[mc_phase_growth_input[j]] =
                col[MC_COL_INPUT0 + mc_phase_growth_input[j]][i];
            if (j + 1 < np)
                in[mc_phase_days_input[j]] =
                    col[MC_COL_INPUT0 + mc_phase_days_input[j]][i];
        }
        in[MC_IN_EFFICIENCY] = col[MC_COL_INPUT0 + MC_IN_EFFICIENCY][i];
        mc_phases_of_(in, lay, days, growth, &ph);
        double st = 0.0, C = 0.0, I = I0[i];
        for (size_t j = 0; j < np; j++) {
            double gj = mc_phases_rate(&ph, j, 0);
            S[j * cap + i] = st;
            Cs[j * cap + i] = C;
            Is[j * cap + i] = I;
            G[j * cap + i] = gj;
            if (j + 1 < np) {
                C += mc_flow_(I, gj, days[j]);
                I = mc_level_after_(I, gj, days[j]);
                st += days[j];
            }
        }
    }
    for (size_t h = 0; h < nh; h++) {
        double hz = hs[h];
        for (size_t i = 0; i < len; i++) {
            size_t j = 0;
            while (j + 1 < np && hz >= S[(j + 1) * cap + i])
                j++;
            double C = j == 0
                ? I0[i] * mc_cumulative_days(G[i], hz)
                : Cs[j * cap + i] + mc_flow_(Is[j * cap + i],
                                             G[j * cap + i],
                                             hz - S[j * cap + i]);
            double inv = 1.0 / C;
            for (int m = 0; m < lay->ncurve; m++)
                xw[m][i] = 1.0 + num[m][i] * inv;
        }
        fn(ctx, h, x, len);
    }
}

/* The multipliers M = 1 + num / C(h) with C(h) = I0 (e^(g h) - 1) / g (I0
 * h for g = 0), written as 1 + num inv with inv = (g / I0) / (e^(g h) -
 * 1): one division per sample and horizon serves every metric. */
void mc_model_curve(const double *const col[MC_NCOLS], size_t len,
                    size_t cap, const double *hs, size_t nh,
                    const mc_layout *lay, double *scratch, mc_curve_fn fn,
                    void *ctx)
{
    double *restrict g = scratch, *restrict q = g + cap;
    double *restrict d = q + cap, *restrict E = d + cap;
    double *restrict flat = E + cap;
    double *num[MC_NCURVE_MAX], *xw[MC_NCURVE_MAX];
    const double *x[MC_NCURVE_MAX];
    const int nm = lay->ncurve;
    for (int m = 0; m < MC_NCURVE_MAX; m++) {
        num[m] = flat + cap * (size_t)(1 + m);
        xw[m] = flat + cap * (size_t)(1 + MC_NCURVE_MAX + m);
        x[m] = xw[m];
    }
    const double *I0 = col[MC_COL_I0];
    const double *mg = col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH];
    const double step_min = smallest_step(hs, nh);
    size_t n_subnormal = 0;

    for (int m = 0; m < nm; m++)
        for (size_t i = 0; i < len; i++)
            num[m][i] = curve_numerator(lay->curve[m], col, lay, i);
    if (lay->n_phases > 1) {
        curve_phased(col, len, cap, hs, nh, lay,
                     flat + cap * (size_t)(1 + 2 * MC_NCURVE_MAX), num, xw,
                     fn, ctx);
        return;
    }
    /* one phase: the recurrence at g = u - h (h = 0 without a gain);
       the phases' part of the scratch holds the divisions */
    double *restrict inv = flat + cap * (size_t)(1 + 2 * MC_NCURVE_MAX);
    const double *eff = col[MC_COL_INPUT0 + MC_IN_EFFICIENCY];
    for (size_t i = 0; i < len; i++) {
        g[i] = mc_growth_rate(mg[i]);
        if (lay->efficiency)
            g[i] -= mc_efficiency_rate(eff[i]);
        flat[i] = g[i] == 0.0 ? 1.0 : 0.0;
        q[i] = (g[i] == 0.0 ? 1.0 : g[i]) / I0[i];
        n_subnormal += (size_t)curve_subnormal(g[i], q[i], step_min);
    }
    double step_d = -1.0;             /* the step d holds, none yet */
    for (size_t h = 0; h < nh; h++) {
        double hz = hs[h];
        double step = h == 0 ? hz : hz - hs[h - 1];
        if (step != step_d) {
            for (size_t i = 0; i < len; i++)
                d[i] = expm1(g[i] * step);
            step_d = step;
        }
        if (h == 0)
            for (size_t i = 0; i < len; i++)
                E[i] = d[i];
        else
            for (size_t i = 0; i < len; i++)
                E[i] = mc_expm1_add(E[i], d[i]);
        /* E stays 0 where g = 0: the divisor is then h, else E,
           exactly, with no branch to keep the loop from vectorizing; one
           division per sample and horizon, whatever the metrics */
        for (size_t i = 0; i < len; i++)
            inv[i] = q[i] / (E[i] + hz * flat[i]);
        for (int m = 0; m < nm; m++) {
            double *restrict xm = xw[m];
            const double *restrict nu = num[m];
            for (size_t i = 0; i < len; i++)
                xm[i] = 1.0 + nu[i] * inv[i];
        }
        if (n_subnormal > 0)
            curve_closed_form(g, q, I0, (const double *const *)num, nm, len,
                              step_min, hz, xw);
        fn(ctx, h, x, len);
    }
}
