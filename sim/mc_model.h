/* mc_model.h: the break-even model of MODEL.md, one sample at a time.
 *
 * Pure functions of the drawn inputs: no allocation, no I/O, no state.
 * "Never" (traffic dies out before inference catches up) is +INFINITY,
 * a result rather than an error.
 */
#ifndef MC_MODEL_H
#define MC_MODEL_H

/* Days per month, the Gregorian mean (365.25 / 12). */
#define MC_DAYS_PER_MONTH 30.4375

/* The drawn inputs of one sample (symbols of MODEL.md). */
typedef struct mc_draw {
    double F;   /* final_run_gpu_hours: sum of the stages */
    double k;   /* overhead */
    double n;   /* nodes */
    double gn;  /* gpus_per_node */
    double R;   /* representativeness */
    double m;   /* monthly_growth */
    double r;   /* power_ratio */
    double p;   /* pue_ratio */
    double L;   /* lifetime_days */
    double c;   /* gpu_hour_usd */
} mc_draw;

/* The outputs of one sample. */
typedef struct mc_outcome {
    double T;                     /* training_gpu_hours = k F */
    double I0;                    /* inference_gpu_hours_per_day = n g_n 24 R */
    double break_even;            /* break_even_days */
    double break_even_energy;     /* break_even_days_energy */
    double multiplier;            /* 1 + T / C(L) */
    double multiplier_energy;     /* 1 + T / (r p C(L)) */
    double break_even_final;      /* break_even_days_final_run (k = 1) */
    double break_even_energy_final; /* break_even_days_energy_final_run */
    double multiplier_final;      /* multiplier_final_run */
    double multiplier_energy_final; /* multiplier_energy_final_run */
    double training_usd;          /* c T */
    double inference_usd_per_day; /* c I0 */
} mc_outcome;

/* Continuous daily growth rate g = ln(1 + m) / 30.4375, for m > -1. */
double mc_growth_rate(double m);

/* Cumulative inference up to day t, per unit of day-0 inference:
 * t for g = 0, else (e^(g t) - 1) / g, computed with expm1; t where g t
 * is subnormal (then (e^(g t) - 1) / g = t to double precision). */
double mc_cumulative_days(double g, double t);

/* The t with I0 * mc_cumulative_days(g, t) = T: T / I0 for g = 0, else
 * log1p(g T / I0) / g, and +INFINITY where 1 + g T / I0 <= 0.  Where
 * g T or g T / I0 is subnormal or overflows, the same t as (T / I0)
 * log1p(y) / y with y = g T / I0, which does not divide by g. */
double mc_break_even_days(double T, double I0, double g);

/* e^(a + b) - 1 from E = e^a - 1 and d = e^b - 1: E + d + E d, exact in
 * real arithmetic and free of cancellation for a, b of either sign.  The
 * curve steps C(h) along the horizons with it, one expm1 per step size
 * instead of one per horizon; each step adds a few roundings (test_model
 * bounds the drift over 1,000 steps). */
static inline double mc_expm1_add(double E, double d)
{
    return E + d + E * d;
}

/* Evaluates every output of one sample. */
void mc_model_eval(const mc_draw *in, mc_outcome *out);

#endif
