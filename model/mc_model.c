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
#include <string.h>

/* ---- the tables ------------------------------------------------------ */

#define MC_IN_INFO_(ID, name, symbol, unit, lo, lo_open, required,         \
                    fallback, group, doc)                                   \
    {name, symbol, unit, lo, lo_open, required, fallback, group, doc},
const mc_input_info mc_input_infos[MC_IN_COUNT + 1] = {
    MC_INPUT_TABLE(MC_IN_INFO_)
    {"final_run_gpu_hours", "F", "GPU-h", 0.0, 1, 1, MC_REQUIRED,
     MC_GROUP_CORE,
     "final-run training: the sum of the reported stages"},
};

#define MC_OUT_INFO_(ID, name, unit, kind, group, p_le, curve_be, doc)      \
    {name, unit, kind, group, p_le, curve_be, doc},
const mc_output_info mc_output_infos[MC_OUT_COUNT] = {
    MC_OUTPUT_TABLE(MC_OUT_INFO_)
};

#define MC_NAME_(ID, name, ...) name,
const char *const mc_column_names[MC_NCOLS] = {
    "final_run_gpu_hours",
    MC_INPUT_TABLE(MC_NAME_)
    MC_OUTPUT_TABLE(MC_NAME_)
};

const int mc_curve_metric_col[MC_NCURVE] = {
    MC_COL_M, MC_COL_M_ENERGY, MC_COL_M_FINAL, MC_COL_M_ENERGY_FINAL};
const int mc_curve_be_col[MC_NCURVE] = {
    MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_BE_FINAL, MC_COL_BE_ENERGY_FINAL};

int mc_column_find(const char *name, size_t len)
{
    for (int c = 0; c < MC_NCOLS; c++)
        if (strlen(mc_column_names[c]) == len
            && strncmp(mc_column_names[c], name, len) == 0)
            return c;
    return -1;
}

/* ---- the formulas ---------------------------------------------------- */

double mc_training_gpu_hours(double k, double F)
{
    return k * F;
}

double mc_inference_gpu_hours_per_day(double n, double gn, double R)
{
    return n * gn * MC_HOURS_PER_DAY * R;
}

double mc_energy_ratio(double r, double p)
{
    return r * p;
}

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
    double T = mc_training_gpu_hours(in->k, in->F);
    double I0 = mc_inference_gpu_hours_per_day(in->n, in->gn, in->R);
    double energy = mc_energy_ratio(in->r, in->p);  /* inference energy
                                               per GPU-h, relative to
                                               training's */
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
    /* I0 times the multipliers' T / C(L): at most I0 exactly when the
       multiplier is at most 2 (rounding is monotone, I0 x 1 is I0) */
    out->required = I0 * (T / CL);
    out->required_energy = I0 * (T / (energy * CL));
}

void mc_model_bounds_of(const double lo[MC_COL_OUTPUT0],
                        const double hi[MC_COL_OUTPUT0],
                        double first_horizon, mc_model_bounds *b)
{
    const double *il = lo + MC_COL_INPUT0, *ih = hi + MC_COL_INPUT0;
    double t = mc_training_gpu_hours(ih[MC_IN_OVERHEAD], hi[MC_COL_F]);
    double i0lo = mc_inference_gpu_hours_per_day(
        il[MC_IN_NODES], il[MC_IN_GPUS_PER_NODE],
        il[MC_IN_REPRESENTATIVENESS]);
    double i0hi = mc_inference_gpu_hours_per_day(
        ih[MC_IN_NODES], ih[MC_IN_GPUS_PER_NODE],
        ih[MC_IN_REPRESENTATIVENESS]);
    double e = mc_energy_ratio(il[MC_IN_POWER_RATIO], il[MC_IN_PUE_RATIO]);
    double a = il[MC_IN_MONTHLY_GROWTH] < 0
                   ? -mc_growth_rate(il[MC_IN_MONTHLY_GROWTH]) : 0.0;
    double x = il[MC_IN_LIFETIME_DAYS];
    if (first_horizon < x)
        x = first_horizon;
    if (a > 0 && 1.0 / a < x)
        x = 1.0 / a;
    double c = ih[MC_IN_GPU_HOUR_USD];
    b->T_hi = t;
    b->I0_lo = i0lo;
    b->I0_hi = i0hi;
    b->E_lo = e;
    b->span = x;
    double u1 = c * t, u2 = c * i0hi;     /* NaN (0 x inf) stays NaN */
    b->usd_hi = u1 < u2 || isnan(u2) ? u2 : u1;
    /* the GPU-hour break-even divides by inference alone, the energy one
       by r p inference: the smaller of the two */
    if (e > 1.0)
        e = 1.0;
    b->days_hi = t / e / i0lo;
    b->excess_hi = t / e / (i0lo * x / 2);
    b->required_hi = t / e / (x / 2);
}

void mc_model_eval_one(const double x[MC_COL_OUTPUT0], double y[MC_OUT_COUNT])
{
    const double *in = x + MC_COL_INPUT0;
    mc_draw d = {
        .F = x[MC_COL_F], .k = in[MC_IN_OVERHEAD], .n = in[MC_IN_NODES],
        .gn = in[MC_IN_GPUS_PER_NODE], .R = in[MC_IN_REPRESENTATIVENESS],
        .m = in[MC_IN_MONTHLY_GROWTH], .r = in[MC_IN_POWER_RATIO],
        .p = in[MC_IN_PUE_RATIO], .L = in[MC_IN_LIFETIME_DAYS],
        .c = in[MC_IN_GPU_HOUR_USD]};
    mc_outcome o;
    mc_model_eval(&d, &o);
    y[MC_OUT_TRAINING_GPU_HOURS] = o.T;
    y[MC_OUT_INFERENCE_GPU_HOURS_PER_DAY] = o.I0;
    y[MC_OUT_BREAK_EVEN] = o.break_even;
    y[MC_OUT_BREAK_EVEN_ENERGY] = o.break_even_energy;
    y[MC_OUT_MULTIPLIER] = o.multiplier;
    y[MC_OUT_MULTIPLIER_ENERGY] = o.multiplier_energy;
    y[MC_OUT_BREAK_EVEN_FINAL] = o.break_even_final;
    y[MC_OUT_BREAK_EVEN_ENERGY_FINAL] = o.break_even_energy_final;
    y[MC_OUT_MULTIPLIER_FINAL] = o.multiplier_final;
    y[MC_OUT_MULTIPLIER_ENERGY_FINAL] = o.multiplier_energy_final;
    y[MC_OUT_TRAINING_USD] = o.training_usd;
    y[MC_OUT_INFERENCE_USD_PER_DAY] = o.inference_usd_per_day;
    y[MC_OUT_REQUIRED_GPU_HOURS_PER_DAY] = o.required;
    y[MC_OUT_REQUIRED_GPU_HOURS_PER_DAY_ENERGY] = o.required_energy;
}

void mc_model_eval_block(double *const col[MC_NCOLS], size_t len)
{
    for (size_t i = 0; i < len; i++) {
        double x[MC_COL_OUTPUT0], y[MC_OUT_COUNT];
        for (int c = 0; c < MC_COL_OUTPUT0; c++)
            x[c] = col[c][i];
        mc_model_eval_one(x, y);
        for (int o = 0; o < MC_OUT_COUNT; o++)
            col[MC_COL_OUTPUT0 + o][i] = y[o];
    }
}

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
                              const double *T, const double *F,
                              const double *I0, const double *te,
                              const double *fe, size_t len, double step_min,
                              double hz, double *const x[MC_NCURVE])
{
    for (size_t i = 0; i < len; i++) {
        if (!curve_subnormal(g[i], q[i], step_min))
            continue;
        double inv = (1.0 / I0[i]) / mc_cumulative_days(g[i], hz);
        x[0][i] = 1.0 + T[i] * inv;
        x[1][i] = 1.0 + te[i] * inv;
        x[2][i] = 1.0 + F[i] * inv;
        x[3][i] = 1.0 + fe[i] * inv;
    }
}

/* The multipliers M = 1 + T / C(h) with C(h) = I0 (e^(g h) - 1) / g (I0 h
 * for g = 0), written as 1 + T inv with inv = (g / I0) / (e^(g h) - 1):
 * one division per sample and horizon serves all four multipliers. */
void mc_model_curve(const double *const col[MC_NCOLS], size_t len,
                    size_t cap, const double *hs, size_t nh, double *scratch,
                    mc_curve_fn fn, void *ctx)
{
    double *restrict g = scratch, *restrict q = g + cap;
    double *restrict te = q + cap, *restrict fe = te + cap;
    double *restrict d = fe + cap, *restrict E = d + cap;
    double *restrict x0 = E + cap, *restrict x1 = x0 + cap;
    double *restrict x2 = x1 + cap, *restrict x3 = x2 + cap;
    double *restrict flat = x3 + cap;
    const double *T = col[MC_COL_T], *F = col[MC_COL_F], *I0 = col[MC_COL_I0];
    const double *mg = col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH];
    const double *pr = col[MC_COL_INPUT0 + MC_IN_POWER_RATIO];
    const double *pu = col[MC_COL_INPUT0 + MC_IN_PUE_RATIO];
    const double *const x[MC_NCURVE] = {x0, x1, x2, x3};
    double *const xw[MC_NCURVE] = {x0, x1, x2, x3};
    const double step_min = smallest_step(hs, nh);
    size_t n_subnormal = 0;

    for (size_t i = 0; i < len; i++) {
        g[i] = mc_growth_rate(mg[i]);
        flat[i] = g[i] == 0.0 ? 1.0 : 0.0;
        q[i] = (g[i] == 0.0 ? 1.0 : g[i]) / I0[i];
        double energy = pr[i] * pu[i];
        te[i] = T[i] / energy;
        fe[i] = F[i] / energy;
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
        for (size_t i = 0; i < len; i++) {
            /* E stays 0 where g = 0: the divisor is then h, else E,
               exactly, with no branch to keep the loop from vectorizing */
            double inv = q[i] / (E[i] + hz * flat[i]);
            x0[i] = 1.0 + T[i] * inv;
            x1[i] = 1.0 + te[i] * inv;
            x2[i] = 1.0 + F[i] * inv;
            x3[i] = 1.0 + fe[i] * inv;
        }
        if (n_subnormal > 0)
            curve_closed_form(g, q, T, F, I0, te, fe, len, step_min, hz, xw);
        fn(ctx, h, x, len);
    }
}

/* ---- traffic in phases ----------------------------------------------- */

double mc_efficiency_rate(double e)
{
    return -log1p(-e) / MC_DAYS_PER_MONTH;
}

double mc_phases_rate(const mc_phases *p, size_t j, int uses)
{
    double u = mc_growth_rate(p->growth[j]);
    /* u - (+0) is u for every u: e = 0 keeps version 1's g */
    return uses ? u : u - mc_efficiency_rate(p->efficiency);
}

double mc_phases_start(const mc_phases *p, size_t j)
{
    double s = 0.0;
    for (size_t i = 0; i < j; i++)
        s += p->days[i];
    return s;
}

/* I e^(g x), the level x days into a phase from level I: e^(g x) alone
 * may overflow or underflow where the product does not, and then the
 * exponent takes ln I in.  A level of 0 or +inf (an earlier phase's, past
 * the doubles) stays as it is, rather than meet e^(g x) = inf or 0, and
 * so does any level at g = 0 (even for x = inf). */
static double level_after(double I, double g, double x)
{
    if (I == 0.0 || isinf(I) || g == 0.0)
        return I;
    double f = exp(g * x);
    if (f >= DBL_MIN && f <= DBL_MAX)
        return I * f;
    return exp(g * x + log(I));
}

/* I E(g, x): the traffic of x > 0 days from level I; 0 for a level of 0
 * (or no days).  Where E passes the doubles (g > 0) and I is small, the
 * same as (I e^(g x) - I) / g, which has no cancellation there. */
static double flow(double I, double g, double x)
{
    if (I == 0.0 || !(x > 0.0))
        return 0.0;
    double E = mc_cumulative_days(g, x);
    if (isinf(E) && !isinf(I))
        return (level_after(I, g, x) - I) / g;
    return I * E;
}

/* The phase that holds day t: the last one whose start is at most t, or
 * phase 0 (for t < 0 and NaN too); its start s, the traffic C before it
 * and its level I, from x0. */
typedef struct phase_at {
    size_t j;
    double s, C, I;
} phase_at;

static phase_at phase_of(const mc_phases *p, double x0, double t, int uses)
{
    phase_at a = {0, 0.0, 0.0, x0};
    for (; a.j + 1 < p->n; a.j++) {
        double d = p->days[a.j], next = a.s + d;
        if (!(t >= next))
            break;
        double g = mc_phases_rate(p, a.j, uses);
        a.C += flow(a.I, g, d);
        a.I = level_after(a.I, g, d);
        a.s = next;
    }
    return a;
}

double mc_phases_level(const mc_phases *p, double x0, double t, int uses)
{
    phase_at a = phase_of(p, x0, t, uses);
    return level_after(a.I, mc_phases_rate(p, a.j, uses), t - a.s);
}

double mc_phases_cumulative(const mc_phases *p, double x0, double t,
                            int uses)
{
    phase_at a = phase_of(p, x0, t, uses);
    double g = mc_phases_rate(p, a.j, uses);
    if (a.j == 0)                  /* version 1's expression */
        return x0 * mc_cumulative_days(g, t);
    return a.C + flow(a.I, g, t - a.s);
}

double mc_phases_break_even(const mc_phases *p, double T, double I0)
{
    double s = 0.0, C = 0.0, I = I0;
    for (size_t j = 0;; j++) {
        double g = mc_phases_rate(p, j, 0);
        /* phase 0: T - 0 = T and 0 + t = t, version 1's day exactly */
        if (j + 1 == p->n)
            return s + mc_break_even_days(T - C, I, g);
        double d = p->days[j], next = s + d, Cn = C + flow(I, g, d);
        if (Cn >= T) {
            if (Cn == T)
                return next;
            /* the day is in [s, next]: log1p(expm1()) may round past */
            double t = s + mc_break_even_days(T - C, I, g);
            return t < next ? t : next;
        }
        C = Cn;
        I = level_after(I, g, d);
        s = next;
    }
}
