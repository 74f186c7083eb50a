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
#include "mc_model_impl.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the tables ------------------------------------------------------ */

#define MC_IN_INFO_(ID, name, symbol, unit, lo, lo_open, hi, required,     \
                    fallback, follows, group, doc)                          \
    {name, symbol, unit, lo, lo_open, hi, required, fallback, follows,      \
     group, doc},
const mc_input_info mc_input_infos[MC_IN_COUNT + 1] = {
    MC_INPUT_TABLE(MC_IN_INFO_)
    {"final_run_gpu_hours", "F", "GPU-h", 0.0, 1, INFINITY, MC_ALWAYS,
     MC_REQUIRED, -1, MC_GROUP_CORE,
     "final-run training: the sum of the reported stages"},
};

const int mc_phase_growth_input[MC_MAX_PHASES] = {
    MC_IN_MONTHLY_GROWTH, MC_IN_TRAFFIC_2_MONTHLY_GROWTH,
    MC_IN_TRAFFIC_3_MONTHLY_GROWTH, MC_IN_TRAFFIC_4_MONTHLY_GROWTH,
    MC_IN_TRAFFIC_5_MONTHLY_GROWTH, MC_IN_TRAFFIC_6_MONTHLY_GROWTH};
const int mc_phase_days_input[MC_MAX_PHASES - 1] = {
    MC_IN_TRAFFIC_1_DAYS, MC_IN_TRAFFIC_2_DAYS, MC_IN_TRAFFIC_3_DAYS,
    MC_IN_TRAFFIC_4_DAYS, MC_IN_TRAFFIC_5_DAYS};

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

_Static_assert(MC_OUT_COUNT <= 64, "a curve mask has a bit per output");

unsigned mc_group_needs(unsigned g)
{
    return g == MC_GROUP_CARBON || g == MC_GROUP_WATER ? MC_GROUP_POWER : 0;
}

const char *mc_group_name(unsigned g)
{
    switch (g) {
    case MC_GROUP_CORE: return "core";
    case MC_GROUP_ENERGY: return "energy";
    case MC_GROUP_COST: return "cost";
    case MC_GROUP_POWER: return "power";
    case MC_GROUP_CARBON: return "carbon";
    case MC_GROUP_WATER: return "water";
    case MC_GROUP_USE: return "use";
    default: return NULL;
    }
}

/* The names of group g's MC_WITH_GROUP inputs, "a and b". */
static void group_inputs(unsigned g, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (mc_input_infos[i].group == g &&
            mc_input_infos[i].required == MC_WITH_GROUP && k < n)
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? " and " : "",
                                  mc_input_infos[i].name);
}

/* The first input given of group g. */
static int first_given(const unsigned char given[MC_IN_COUNT], unsigned g)
{
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (given[i] && mc_input_infos[i].group == g)
            return i;
    return -1;
}

static int layout_groups(const unsigned char given[MC_IN_COUNT],
                         mc_layout *lay, char *msg, size_t len)
{
    lay->groups = MC_GROUPS_ALWAYS;
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (given[i])
            lay->groups |= mc_input_infos[i].group;
    for (int i = 0; i < MC_IN_COUNT; i++) {
        const mc_input_info *in = &mc_input_infos[i];
        if (given[i] || in->required == MC_OPTIONAL ||
            (in->required == MC_WITH_GROUP && !(lay->groups & in->group)))
            continue;
        if (in->required == MC_ALWAYS) {
            snprintf(msg, len, "expected %s (every scenario gives it), "
                     "found none", in->name);
            return -1;
        }
        char names[256];
        group_inputs(in->group, names, sizeof names);
        snprintf(msg, len, "expected %s beside %s (the %s outputs need %s), "
                 "found no %s; give it, or leave the %s group out",
                 in->name, mc_input_infos[first_given(given, in->group)].name,
                 mc_group_name(in->group), names, in->name,
                 mc_group_name(in->group));
        return -1;
    }
    for (unsigned g = 1; g != 0 && g <= MC_GROUP_USE; g <<= 1) {
        unsigned need = mc_group_needs(g);
        if (!(lay->groups & g) || (lay->groups & need) == need)
            continue;
        char names[256];
        group_inputs(need, names, sizeof names);
        snprintf(msg, len, "expected %s beside %s (%s is per kWh of "
                 "energy, which needs %s), found no %s; give them, or "
                 "remove %s", names,
                 mc_input_infos[first_given(given, g)].name,
                 mc_group_name(g), names, names,
                 mc_input_infos[first_given(given, g)].name);
        return -1;
    }
    return 0;
}

int mc_layout_make(const unsigned char given[MC_IN_COUNT], size_t n_phases,
                   double per, unsigned long long curve_mask,
                   mc_layout *lay, char *msg, size_t len)
{
    memset(lay, 0, sizeof *lay);
    memcpy(lay->given, given, sizeof lay->given);
    if (n_phases < 1 || n_phases > MC_MAX_PHASES) {
        snprintf(msg, len, "expected 1 to %d traffic phases, found %zu",
                 MC_MAX_PHASES, n_phases);
        return -1;
    }
    for (size_t j = 0; j + 1 < MC_MAX_PHASES; j++)
        if ((given[mc_phase_days_input[j]] != 0) != (j + 1 < n_phases) ||
            (given[mc_phase_growth_input[j + 1]] != 0) != (j + 1 < n_phases)) {
            snprintf(msg, len, "expected the inputs of %zu traffic phases, "
                     "found traffic_%zu's %s", n_phases, j + 1,
                     j + 1 < n_phases ? "missing" : "given");
            return -1;
        }
    if (layout_groups(given, lay, msg, len) != 0)
        return -1;
    lay->n_phases = n_phases;
    lay->efficiency = given[MC_IN_EFFICIENCY] != 0;
    lay->per = per;
    lay->col[lay->ncols++] = MC_COL_F;
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (given[i] || mc_input_infos[i].required == MC_ALWAYS)
            lay->col[lay->ncols++] = MC_COL_INPUT0 + i;
    for (int o = 0; o < MC_OUT_COUNT; o++) {
        const mc_output_info *info = &mc_output_infos[o];
        if ((info->group & ~lay->groups) != 0)
            continue;
        lay->has_out[o] = 1;
        lay->out[lay->nout++] = o;
        lay->col[lay->ncols++] = MC_COL_OUTPUT0 + o;
    }
    for (int o = 0; o < MC_OUT_COUNT; o++) {
        if (mc_output_infos[o].curve_break_even < 0 ||
            !(curve_mask >> o & 1u))
            continue;
        if (!lay->has_out[o]) {
            if (curve_mask == ~0ull)
                continue;
            snprintf(msg, len, "expected a multiplier of the scenario on "
                     "the curve, found %s, whose %s inputs the scenario "
                     "does not give", mc_output_infos[o].name,
                     mc_group_name(mc_output_infos[o].group &
                                   ~lay->groups & -(mc_output_infos[o].group &
                                                    ~lay->groups)));
            return -1;
        }
        lay->curve[lay->ncurve++] = o;
    }
    return 0;
}

void mc_layout_v1(mc_layout *lay)
{
    unsigned char given[MC_IN_COUNT] = {0};
    char msg[8];
    for (int i = 0; i < MC_IN_COUNT; i++)
        given[i] = mc_input_infos[i].required == MC_ALWAYS;
    mc_layout_make(given, 1, 1.0, ~0ull, lay, msg, sizeof msg);
}

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

/* mc_model_eval at the daily growth g of inference GPU-hours (one
 * phase: u - h with an efficiency gain). */
static void eval_rate(const mc_draw *in, double g, mc_outcome *out)
{
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

void mc_model_eval(const mc_draw *in, mc_outcome *out)
{
    eval_rate(in, mc_growth_rate(in->m), out);
}

/* The fastest daily decay over the phases present: -u(m) at the lowest
 * growth of any phase, plus h (if with_h) at the largest e; 0 if none
 * decays. */
static double fastest_decay(const double *il, const double *ih,
                            const mc_layout *lay, int with_h)
{
    double a = 0.0;
    for (size_t j = 0; j < lay->n_phases; j++) {
        double m = il[mc_phase_growth_input[j]];
        double r = -mc_growth_rate(m) +
                   (with_h && lay->efficiency
                        ? mc_efficiency_rate(ih[MC_IN_EFFICIENCY]) : 0.0);
        a = r > a ? r : a;
    }
    return a;
}

/* min(x, 1 / a): with I(t) >= I0 e^(-a t), C(x) >= I0 min(x, 1/a) / 2. */
static double span_of(double x, double a)
{
    return a > 0 && 1.0 / a < x ? 1.0 / a : x;
}

/* The largest of the version-2 outputs, for checks that they stay
 * finite (mc_model_bounds). */
static void bounds_v2(const double *il, const double *ih,
                      const mc_layout *lay, const mc_model_bounds *b,
                      double e, double *out)
{
    unsigned gr = lay->groups;
    int ci = lay->given[MC_IN_INFERENCE_CI] ? MC_IN_INFERENCE_CI
                                            : MC_IN_TRAINING_CI;
    int wi = lay->given[MC_IN_INFERENCE_WATER] ? MC_IN_INFERENCE_WATER
                                               : MC_IN_TRAINING_WATER;
    double PQ = ih[MC_IN_KW_PER_GPU] * ih[MC_IN_TRAINING_PUE];
    double ET = b->T_hi * PQ;
    double eI = mc_energy_ratio(ih[MC_IN_POWER_RATIO], ih[MC_IN_PUE_RATIO])
                * PQ;
    for (int o = 0; o < MC_OUT_COUNT; o++)
        out[o] = 0.0;
    if (gr & MC_GROUP_POWER) {
        out[MC_OUT_TRAINING_MWH] = ET / 1000.0;
        out[MC_OUT_INFERENCE_MWH_PER_DAY] = b->I0_hi * eI / 1000.0;
    }
    if (gr & MC_GROUP_CARBON) {
        out[MC_OUT_TRAINING_TCO2E] = ET * ih[MC_IN_TRAINING_CI] / 1000.0;
        out[MC_OUT_INFERENCE_TCO2E_PER_DAY] = b->I0_hi * eI * ih[ci] / 1000.0;
        if (il[ci] > 0) {
            double rho = ih[MC_IN_TRAINING_CI] / il[ci];
            out[MC_OUT_BREAK_EVEN_CARBON] = b->T_hi * rho / e / b->I0_lo;
            out[MC_OUT_MULTIPLIER_CARBON] = b->T_hi * rho / e /
                                            (b->I0_lo * b->span / 2);
        }
    }
    if (gr & MC_GROUP_WATER) {
        out[MC_OUT_TRAINING_WATER_M3] = ET * ih[MC_IN_TRAINING_WATER] / 1000.0;
        out[MC_OUT_INFERENCE_WATER_M3_PER_DAY] = b->I0_hi * eI * ih[wi] /
                                                 1000.0;
        if (il[wi] > 0) {
            double rho = ih[MC_IN_TRAINING_WATER] / il[wi];
            out[MC_OUT_BREAK_EVEN_WATER] = b->T_hi * rho / e / b->I0_lo;
            out[MC_OUT_MULTIPLIER_WATER] = b->T_hi * rho / e /
                                           (b->I0_lo * b->span / 2);
        }
    }
    if (!(gr & MC_GROUP_USE))
        return;
    /* C(L) / N(L) <= I0 / U0: uses' level falls no faster than I's */
    double per = lay->per, u0lo = il[MC_IN_USES_PER_DAY];
    double x = span_of(il[MC_IN_LIFETIME_DAYS],
                       fastest_decay(il, ih, lay, 0));
    double gi = per * (b->I0_hi / u0lo), gt = per * (b->T_hi / (u0lo * x / 2));
    /* C(L) and N(L) themselves finite: inf / inf has no value.  Both grow
       at most at the fastest phase's rate of uses (e only slows C) */
    double uhi = 0.0;
    for (size_t j = 0; j < lay->n_phases; j++) {
        double u = mc_growth_rate(ih[mc_phase_growth_input[j]]);
        uhi = u > uhi ? u : uhi;
    }
    double days = mc_cumulative_days(uhi, ih[MC_IN_LIFETIME_DAYS]);
    if (!(ih[MC_IN_USES_PER_DAY] * days < HUGE_VAL &&
          b->I0_hi * days < HUGE_VAL))
        gi = INFINITY;
    out[MC_OUT_INFERENCE_GPU_HOURS_PER_USE] = gi;
    out[MC_OUT_TRAINING_GPU_HOURS_PER_USE] = gt;
    out[MC_OUT_REQUIRED_USES_PER_DAY] = ih[MC_IN_USES_PER_DAY] *
                                        b->excess_hi;
    if (!(gr & MC_GROUP_POWER))
        return;
    double wi_ = 1000.0 * gi * eI, wt = 1000.0 * gt * PQ;
    out[MC_OUT_INFERENCE_WH_PER_USE] = wi_;
    out[MC_OUT_TRAINING_WH_PER_USE] = wt;
    if (gr & MC_GROUP_CARBON) {
        out[MC_OUT_INFERENCE_GCO2E_PER_USE] = wi_ * ih[ci];
        out[MC_OUT_TRAINING_GCO2E_PER_USE] = wt * ih[MC_IN_TRAINING_CI];
    }
    if (gr & MC_GROUP_WATER) {
        out[MC_OUT_INFERENCE_ML_PER_USE] = wi_ * ih[wi];
        out[MC_OUT_TRAINING_ML_PER_USE] = wt * ih[MC_IN_TRAINING_WATER];
    }
}

void mc_model_bounds_of(const double lo[MC_COL_OUTPUT0],
                        const double hi[MC_COL_OUTPUT0],
                        double first_horizon, const mc_layout *lay,
                        mc_model_bounds *b)
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
    double x = il[MC_IN_LIFETIME_DAYS];
    if (first_horizon < x)
        x = first_horizon;
    x = span_of(x, fastest_decay(il, ih, lay, 1));
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
    bounds_v2(il, ih, lay, b, e, b->out_hi);
}

/* Sample x's traffic phases under lay (arrays of MC_MAX_PHASES). */
void mc_phases_of_(const double *in, const mc_layout *lay, double *days,
                   double *growth, mc_phases *ph)
{
    for (size_t j = 0; j < lay->n_phases; j++) {
        growth[j] = in[mc_phase_growth_input[j]];
        if (j + 1 < lay->n_phases)
            days[j] = in[mc_phase_days_input[j]];
    }
    ph->n = lay->n_phases;
    ph->days = days;
    ph->growth = growth;
    ph->efficiency = lay->efficiency ? in[MC_IN_EFFICIENCY] : 0.0;
}

/* The core outputs over phases: mc_model_eval's, C(t) and the break-even
 * days by mc_phases_*. */
static void eval_phases(const mc_draw *d, const mc_phases *ph, mc_outcome *o)
{
    double T = mc_training_gpu_hours(d->k, d->F);
    double I0 = mc_inference_gpu_hours_per_day(d->n, d->gn, d->R);
    double energy = mc_energy_ratio(d->r, d->p);
    double CL = mc_phases_cumulative(ph, I0, d->L, 0);
    o->T = T;
    o->I0 = I0;
    o->break_even = mc_phases_break_even(ph, T, I0);
    o->break_even_energy = mc_phases_break_even(ph, T / energy, I0);
    o->multiplier = 1.0 + T / CL;
    o->multiplier_energy = 1.0 + T / (energy * CL);
    o->break_even_final = mc_phases_break_even(ph, d->F, I0);
    o->break_even_energy_final = mc_phases_break_even(ph, d->F / energy, I0);
    o->multiplier_final = 1.0 + d->F / CL;
    o->multiplier_energy_final = 1.0 + d->F / (energy * CL);
    o->training_usd = d->c * T;
    o->inference_usd_per_day = d->c * I0;
    o->required = I0 * (T / CL);
    o->required_energy = I0 * (T / (energy * CL));
}

/* A footprint's training intensity over the inference site's, CI_t /
 * CI_i (or W): 0 where training's is 0 (whatever the inference site's),
 * +inf where only the inference site's is 0 (its break-even "never"). */
double mc_intensity_ratio_(double t, double i)
{
    if (t == 0.0)
        return 0.0;
    return i == 0.0 ? (double)INFINITY : t / i;
}

/* The break-even day of a footprint: training's over the inference
 * site's per GPU-hour is a T of T rho / (r p). */
static double footprint_break_even(const mc_phases *ph, int phased, double T,
                                   double rho, double energy, double I0,
                                   double g)
{
    double Tf = T * rho / energy;
    if (isinf(rho))
        return INFINITY;
    return phased ? mc_phases_break_even(ph, Tf, I0)
                  : mc_break_even_days(Tf, I0, g);
}

/* What a footprint's outputs share: the traffic, training's and one
 * inference day's energy (kWh). */
typedef struct footprint_base {
    const mc_phases *ph;
    int phased;
    double T, energy, I0, g, CL;
    double ET, EI_day;
    double be_energy;                 /* break_even_days_energy */
} footprint_base;

/* One footprint kind (carbon or water) at intensities t (training site)
 * and i (inference site): its total, per day, break-even day and
 * multiplier, into y[0..3] (the output table's order of each kind). */
_Static_assert(MC_OUT_MULTIPLIER_CARBON == MC_OUT_TRAINING_TCO2E + 3 &&
                   MC_OUT_MULTIPLIER_WATER == MC_OUT_TRAINING_WATER_M3 + 3,
               "a footprint's four outputs are consecutive");
static void footprint_kind(const footprint_base *b, double t, double i,
                           double *y)
{
    double rho = mc_intensity_ratio_(t, i);
    y[0] = b->ET * t / 1000.0;
    y[1] = b->EI_day * i / 1000.0;
    /* both sites alike (an inference site that follows training's):
       T rho / (r p) is T / (r p) to the bit, the energy break-even's
       argument, so its day is that one, not solved again */
    y[2] = rho == 1.0 ? b->be_energy
                      : footprint_break_even(b->ph, b->phased, b->T, rho,
                                             b->energy, b->I0, b->g);
    y[3] = 1.0 + b->T * rho / (b->energy * b->CL);
}

void mc_model_eval_one(const double x[MC_COL_OUTPUT0], double y[MC_OUT_COUNT],
                       const mc_layout *lay)
{
    const double *in = x + MC_COL_INPUT0;
    mc_draw d = {
        .F = x[MC_COL_F], .k = in[MC_IN_OVERHEAD], .n = in[MC_IN_NODES],
        .gn = in[MC_IN_GPUS_PER_NODE], .R = in[MC_IN_REPRESENTATIVENESS],
        .m = in[MC_IN_MONTHLY_GROWTH], .r = in[MC_IN_POWER_RATIO],
        .p = in[MC_IN_PUE_RATIO], .L = in[MC_IN_LIFETIME_DAYS],
        .c = in[MC_IN_GPU_HOUR_USD]};
    double days[MC_MAX_PHASES], growth[MC_MAX_PHASES];
    mc_phases ph;
    mc_outcome o;
    /* several phases: across them; one phase: the closed forms at g = u -
       h, exactly the phases' (their first phase is these expressions) */
    int phased = lay->n_phases > 1;
    mc_phases_of_(in, lay, days, growth, &ph);
    double u = mc_growth_rate(d.m);
    double g = lay->efficiency ? mc_phases_rate(&ph, 0, 0) : u;
    if (phased)
        eval_phases(&d, &ph, &o);
    else
        eval_rate(&d, g, &o);
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
    if (lay->groups == MC_GROUPS_ALWAYS)
        return;

    unsigned gr = lay->groups;
    double T = o.T, I0 = o.I0, energy = mc_energy_ratio(d.r, d.p);
    double CL = phased ? mc_phases_cumulative(&ph, I0, d.L, 0)
                       : I0 * mc_cumulative_days(g, d.L);
    double ci_t = in[MC_IN_TRAINING_CI], w_t = in[MC_IN_TRAINING_WATER];
    double ci_i = lay->given[MC_IN_INFERENCE_CI] ? in[MC_IN_INFERENCE_CI]
                                                 : ci_t;
    double w_i = lay->given[MC_IN_INFERENCE_WATER] ? in[MC_IN_INFERENCE_WATER]
                                                   : w_t;
    /* kWh: of training, and of one inference GPU-hour */
    double PQ = in[MC_IN_KW_PER_GPU] * in[MC_IN_TRAINING_PUE];
    double ET = T * PQ, eI = energy * PQ;
    if (gr & MC_GROUP_POWER) {
        y[MC_OUT_TRAINING_MWH] = ET / 1000.0;
        y[MC_OUT_INFERENCE_MWH_PER_DAY] = I0 * eI / 1000.0;
    }
    /* carbon and water: the energy times each site's intensity */
    const footprint_base fb = {&ph, phased, T, energy, I0, g, CL, ET,
                               I0 * eI, o.break_even_energy};
    if (gr & MC_GROUP_CARBON)
        footprint_kind(&fb, ci_t, ci_i, y + MC_OUT_TRAINING_TCO2E);
    if (gr & MC_GROUP_WATER)
        footprint_kind(&fb, w_t, w_i, y + MC_OUT_TRAINING_WATER_M3);
    if (gr & MC_GROUP_USE) {
        double U0 = in[MC_IN_USES_PER_DAY], per = lay->per;
        double NL = phased ? mc_phases_cumulative(&ph, U0, d.L, 1)
                           : U0 * mc_cumulative_days(u, d.L);
        double gpu_i = per * (CL / NL), gpu_t = per * (T / NL);
        y[MC_OUT_INFERENCE_GPU_HOURS_PER_USE] = gpu_i;
        y[MC_OUT_TRAINING_GPU_HOURS_PER_USE] = gpu_t;
        y[MC_OUT_REQUIRED_USES_PER_DAY] = U0 * (T / CL);
        if (gr & MC_GROUP_POWER) {
            double wh_i = 1000.0 * gpu_i * eI, wh_t = 1000.0 * gpu_t * PQ;
            y[MC_OUT_INFERENCE_WH_PER_USE] = wh_i;
            y[MC_OUT_TRAINING_WH_PER_USE] = wh_t;
            if (gr & MC_GROUP_CARBON) {
                y[MC_OUT_INFERENCE_GCO2E_PER_USE] = wh_i * ci_i;
                y[MC_OUT_TRAINING_GCO2E_PER_USE] = wh_t * ci_t;
            }
            if (gr & MC_GROUP_WATER) {
                y[MC_OUT_INFERENCE_ML_PER_USE] = wh_i * w_i;
                y[MC_OUT_TRAINING_ML_PER_USE] = wh_t * w_t;
            }
        }
    }
}

void mc_model_eval_block(double *const col[MC_NCOLS], size_t len,
                         const mc_layout *lay)
{
    for (size_t i = 0; i < len; i++) {
        double x[MC_COL_OUTPUT0], y[MC_OUT_COUNT];
        for (int c = 0; c < MC_COL_OUTPUT0; c++)
            x[c] = col[c][i];
        mc_model_eval_one(x, y, lay);
        for (int k = 0; k < lay->nout; k++)
            col[MC_COL_OUTPUT0 + lay->out[k]][i] = y[lay->out[k]];
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
double mc_level_after_(double I, double g, double x)
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
double mc_flow_(double I, double g, double x)
{
    if (I == 0.0 || !(x > 0.0))
        return 0.0;
    double E = mc_cumulative_days(g, x);
    if (isinf(E) && !isinf(I))
        return (mc_level_after_(I, g, x) - I) / g;
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
        a.C += mc_flow_(a.I, g, d);
        a.I = mc_level_after_(a.I, g, d);
        a.s = next;
    }
    return a;
}

double mc_phases_level(const mc_phases *p, double x0, double t, int uses)
{
    phase_at a = phase_of(p, x0, t, uses);
    return mc_level_after_(a.I, mc_phases_rate(p, a.j, uses), t - a.s);
}

double mc_phases_cumulative(const mc_phases *p, double x0, double t,
                            int uses)
{
    phase_at a = phase_of(p, x0, t, uses);
    double g = mc_phases_rate(p, a.j, uses);
    if (a.j == 0)                  /* version 1's expression */
        return x0 * mc_cumulative_days(g, t);
    return a.C + mc_flow_(a.I, g, t - a.s);
}

double mc_phases_break_even(const mc_phases *p, double T, double I0)
{
    double s = 0.0, C = 0.0, I = I0;
    for (size_t j = 0;; j++) {
        double g = mc_phases_rate(p, j, 0);
        /* phase 0: T - 0 = T and 0 + t = t, version 1's day exactly */
        if (j + 1 == p->n)
            return s + mc_break_even_days(T - C, I, g);
        double d = p->days[j], next = s + d, Cn = C + mc_flow_(I, g, d);
        if (Cn >= T) {
            if (Cn == T)
                return next;
            /* the day is in [s, next]: log1p(expm1()) may round past */
            double t = s + mc_break_even_days(T - C, I, g);
            return t < next ? t : next;
        }
        C = Cn;
        I = mc_level_after_(I, g, d);
        s = next;
    }
}
