/* mc_model_needs.c: what each output and curve metric is computed from
 * (mc_output_needs, mc_curve_needs), and the outputs two layouts share
 * given the inputs they draw alike (mc_model_same; mc_model.h). */
#include "mc_model.h"

#include <string.h>

/* ---- what the outputs depend on --------------------------------------- */

#define IN_(id) ((mc_col_mask)1 << (MC_COL_INPUT0 + MC_IN_##id))

/* The inputs of the formulas' terms (MODEL.md): the final run F, the
 * overhead k, day-0 inference I0 = n g_n 24 R, the traffic (its phases'
 * growths and lengths and the efficiency gain: C(t) and N(t)), the
 * lifetime L, the energy ratio r p, the price c, training's power P Q_t,
 * each footprint's intensities (CI_i and W_i follow CI_t and W_t where
 * absent) and the uses U0. */
static mc_col_mask traffic_inputs(void)
{
    mc_col_mask m = IN_(EFFICIENCY);
    for (int j = 0; j < MC_MAX_PHASES; j++) {
        m |= (mc_col_mask)1 << (MC_COL_INPUT0 + mc_phase_growth_input[j]);
        if (j + 1 < MC_MAX_PHASES)
            m |= (mc_col_mask)1 << (MC_COL_INPUT0 + mc_phase_days_input[j]);
    }
    return m;
}

mc_col_mask mc_output_needs(int o)
{
    const mc_col_mask F = (mc_col_mask)1 << MC_COL_F, K = IN_(OVERHEAD);
    const mc_col_mask I0 = IN_(NODES) | IN_(GPUS_PER_NODE) |
                           IN_(REPRESENTATIVENESS);
    const mc_col_mask C = I0 | traffic_inputs(), L = IN_(LIFETIME_DAYS);
    const mc_col_mask EN = IN_(POWER_RATIO) | IN_(PUE_RATIO);
    const mc_col_mask PW = IN_(KW_PER_GPU) | IN_(TRAINING_PUE);
    const mc_col_mask CI = IN_(TRAINING_CI) | IN_(INFERENCE_CI);
    const mc_col_mask WA = IN_(TRAINING_WATER) | IN_(INFERENCE_WATER);
    const mc_col_mask T = F | K, N = traffic_inputs() | IN_(USES_PER_DAY) | L;
    switch ((mc_output_id)o) {
    case MC_OUT_TRAINING_GPU_HOURS:
        return T;
    case MC_OUT_INFERENCE_GPU_HOURS_PER_DAY:
        return I0;
    case MC_OUT_BREAK_EVEN:
        return T | C;
    case MC_OUT_BREAK_EVEN_ENERGY:
        return T | C | EN;
    case MC_OUT_MULTIPLIER:
    case MC_OUT_REQUIRED_GPU_HOURS_PER_DAY:
        return T | C | L;
    case MC_OUT_MULTIPLIER_ENERGY:
    case MC_OUT_REQUIRED_GPU_HOURS_PER_DAY_ENERGY:
        return T | C | L | EN;
    case MC_OUT_BREAK_EVEN_FINAL:
        return F | C;
    case MC_OUT_BREAK_EVEN_ENERGY_FINAL:
        return F | C | EN;
    case MC_OUT_MULTIPLIER_FINAL:
        return F | C | L;
    case MC_OUT_MULTIPLIER_ENERGY_FINAL:
        return F | C | L | EN;
    case MC_OUT_TRAINING_USD:
        return T | IN_(GPU_HOUR_USD);
    case MC_OUT_INFERENCE_USD_PER_DAY:
        return I0 | IN_(GPU_HOUR_USD);
    case MC_OUT_TRAINING_MWH:
        return T | PW;
    case MC_OUT_INFERENCE_MWH_PER_DAY:
        return I0 | EN | PW;
    case MC_OUT_TRAINING_TCO2E:
        return T | PW | CI;
    case MC_OUT_INFERENCE_TCO2E_PER_DAY:
        return I0 | EN | PW | CI;
    case MC_OUT_BREAK_EVEN_CARBON:
        return T | C | EN | CI;
    case MC_OUT_MULTIPLIER_CARBON:
        return T | C | L | EN | CI;
    case MC_OUT_TRAINING_WATER_M3:
        return T | PW | WA;
    case MC_OUT_INFERENCE_WATER_M3_PER_DAY:
        return I0 | EN | PW | WA;
    case MC_OUT_BREAK_EVEN_WATER:
        return T | C | EN | WA;
    case MC_OUT_MULTIPLIER_WATER:
        return T | C | L | EN | WA;
    case MC_OUT_INFERENCE_GPU_HOURS_PER_USE:
        return C | N;
    case MC_OUT_TRAINING_GPU_HOURS_PER_USE:
        return T | N;
    case MC_OUT_INFERENCE_WH_PER_USE:
        return C | N | EN | PW;
    case MC_OUT_TRAINING_WH_PER_USE:
        return T | N | PW;
    case MC_OUT_INFERENCE_GCO2E_PER_USE:
        return C | N | EN | PW | CI;
    case MC_OUT_TRAINING_GCO2E_PER_USE:
        return T | N | PW | CI;
    case MC_OUT_INFERENCE_ML_PER_USE:
        return C | N | EN | PW | WA;
    case MC_OUT_TRAINING_ML_PER_USE:
        return T | N | PW | WA;
    case MC_OUT_REQUIRED_USES_PER_DAY:
        return T | C | N;
    case MC_OUT_COUNT:
        break;
    }
    return ~(mc_col_mask)0;           /* not an output: everything */
}

mc_col_mask mc_curve_needs(int o)
{
    /* a metric at horizon h is its multiplier with L = h */
    return mc_output_needs(o) & ~IN_(LIFETIME_DAYS);
}

#undef IN_

static int same_layout(const mc_layout *a, const mc_layout *b)
{
    if (a->groups != b->groups || a->n_phases != b->n_phases ||
        a->efficiency != b->efficiency ||
        memcmp(&a->per, &b->per, sizeof a->per) != 0 ||
        memcmp(a->given, b->given, sizeof a->given) != 0 ||
        a->ncurve != b->ncurve)
        return 0;
    for (int m = 0; m < a->ncurve; m++)
        if (a->curve[m] != b->curve[m])
            return 0;
    return 1;
}

void mc_model_same(const mc_layout *a, const mc_layout *b,
                   const unsigned char same_in[MC_COL_OUTPUT0],
                   unsigned char same_out[MC_OUT_COUNT],
                   unsigned char same_curve[MC_NCURVE_MAX])
{
    mc_col_mask eq = 0;
    for (int c = 0; c < MC_COL_OUTPUT0; c++)
        if (same_in[c])
            eq |= (mc_col_mask)1 << c;
    int lay = same_layout(a, b);
    for (int o = 0; o < MC_OUT_COUNT; o++)
        same_out[o] = lay && (mc_output_needs(o) & ~eq) == 0;
    for (int m = 0; m < MC_NCURVE_MAX; m++)
        same_curve[m] = lay && m < a->ncurve &&
                        (mc_curve_needs(a->curve[m]) & ~eq) == 0;
}
