/* mc_model.h: the break-even model of MODEL.md, in one place.
 *
 * A leaf library: it includes nothing of breakeven's.  It owns
 *   - the table of inputs (name, symbol, unit, domain, documentation),
 *   - the table of outputs (name, unit, kind, the inputs each needs,
 *     whether it has P(<= 2) and whether it is on the curve),
 *   - the layout of a sample's columns (final run, inputs, outputs),
 *   - the constants (days per month, hours per day),
 *   - the evaluation of samples, one at a time or a block of columns at
 *     once, and the multipliers of the curve at a list of horizons,
 *   - the derived quantities config/ bounds before a run (T, I0, g),
 *   - traffic in phases (MODEL.md version 2, "Derived quantities"):
 *     C(t), I(t), N(t) and the break-even day over a list of phases
 *     and an efficiency gain; nothing else calls them yet.
 * Everything else reads these: config/ validates domains against the
 * input table, sim/ names columns from both tables and evaluates through
 * them, results/ is given thresholds and column lists as data.
 *
 * Pure functions of the drawn inputs: no allocation, no I/O, no state.
 * "Never" (traffic dies out before inference catches up) is +INFINITY,
 * a result rather than an error.
 */
#ifndef MC_MODEL_H
#define MC_MODEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Days per month, the Gregorian mean (365.25 / 12). */
#define MC_DAYS_PER_MONTH 30.4375
/* Hours per day: a day of GPUs is 24 GPU-hours each. */
#define MC_HOURS_PER_DAY 24.0

/* ---- inputs ---------------------------------------------------------- */

/* The fallback of a required input (it has none). */
#define MC_REQUIRED ((double)NAN)
/* The threshold of the P(<= x) that the multipliers report (training at
 * most doubles the cost), and its text in the column names of MODEL.md
 * (p_le_2, p_le_2_lo, p_le_2_hi). */
#define MC_P_LE 2.0
#define MC_P_LE_TEXT "2"
#define MC_P_LE_COLUMN "p_le_" MC_P_LE_TEXT
/* "No P(<= x)" in the output table. */
#define MC_NO_P_LE ((double)NAN)

/* Groups of outputs (MODEL.md version 2): an output needs every group
 * of its mask.  The core, energy and cost groups are always present (their
 * inputs are required); each optional group is present exactly where the
 * scenario gives one of its inputs, and then every input of the group
 * marked MC_WITH_GROUP must be given too, and the groups it builds on
 * (mc_group_needs).  USE also needs the scenario's `use` block (config/). */
enum {
    MC_GROUP_CORE = 1u << 0,     /* break-even days and multipliers */
    MC_GROUP_ENERGY = 1u << 1,   /* the energy break-even and multipliers */
    MC_GROUP_COST = 1u << 2,     /* the money columns */
    MC_GROUP_POWER = 1u << 3,    /* P and Q_t: energy in kWh */
    MC_GROUP_CARBON = 1u << 4,   /* CI_t (CI_i): carbon */
    MC_GROUP_WATER = 1u << 5,    /* W_t (W_i): water */
    MC_GROUP_USE = 1u << 6       /* U0: figures per use */
};
/* The groups every scenario has. */
#define MC_GROUPS_ALWAYS (MC_GROUP_CORE | MC_GROUP_ENERGY | MC_GROUP_COST)
/* The groups that group g builds on (carbon and water need P and Q_t). */
unsigned mc_group_needs(unsigned g);
/* Its name in messages and manifest.json ("power", "carbon", ...). */
const char *mc_group_name(unsigned g);

/* How much of a scenario needs an input (the `required` of the table). */
enum {
    MC_OPTIONAL = 0,     /* may be left out: then `fallback`, or `follows` */
    MC_ALWAYS = 1,       /* every scenario gives it */
    MC_WITH_GROUP = 2    /* given exactly where its group is present */
};

/* Traffic in phases: at most this many.  Phase 1's growth is the
 * monthly_growth input; phase j's length (j < the last) and phase j's
 * growth (j >= 2) are inputs of their own (traffic_<j>_days,
 * traffic_<j>_monthly_growth), given by the scenario's `traffic` list. */
#define MC_MAX_PHASES 6

/* The table of inputs, MODEL.md "Inputs" (and version 2's "New inputs"):
 * X(ID, name, symbol, unit, lo, lo_open, hi, required, fallback, follows,
 * group, doc), the domain being x > lo (lo_open 1) or x >= lo (0), and x <
 * hi (+INFINITY: no upper end); required is MC_ALWAYS, MC_WITH_GROUP or
 * MC_OPTIONAL; an optional input left out takes the value fallback, or,
 * where follows >= 0, input follows' value sample by sample (required
 * ones: NaN and -1).  group: the group whose outputs it enables.
 * The scalar inputs, in the order of samples.csv; the final run F is not
 * one (it is the sum of the training stages, each a
 * distribution of its own) and comes last, as MC_IN_FINAL_RUN.  The enum,
 * mc_input_infos and the column names are all made from this list. */
#define MC_PHASE_INPUTS_(X, j, k)                                            \
    X(TRAFFIC_##j##_DAYS, "traffic_" #j "_days", "d_" #j, "days", 0.0, 1,    \
      INFINITY, MC_OPTIONAL, MC_REQUIRED, -1, MC_GROUP_CORE,                 \
      "length of traffic phase " #j)                                         \
    X(TRAFFIC_##k##_MONTHLY_GROWTH, "traffic_" #k "_monthly_growth",         \
      "m_" #k, "ratio/month", -1.0, 1, INFINITY, MC_OPTIONAL, MC_REQUIRED,   \
      -1, MC_GROUP_CORE, "monthly growth of uses in traffic phase " #k)
#define MC_INPUT_TABLE(X)                                                    \
    X(OVERHEAD, "overhead", "k", "ratio", 1.0, 0, INFINITY, MC_ALWAYS,       \
      MC_REQUIRED, -1, MC_GROUP_CORE,                                        \
      "all development compute over the final run's")                        \
    X(NODES, "nodes", "n", "nodes", 0.0, 1, INFINITY, MC_ALWAYS,             \
      MC_REQUIRED, -1, MC_GROUP_CORE,                                        \
      "average inference nodes over the measured day")                       \
    X(GPUS_PER_NODE, "gpus_per_node", "g_n", "GPUs", 0.0, 1, INFINITY,       \
      MC_ALWAYS, MC_REQUIRED, -1, MC_GROUP_CORE,                             \
      "GPUs per node")                                                       \
    X(REPRESENTATIVENESS, "representativeness", "R", "ratio", 0.0, 1,        \
      INFINITY, MC_ALWAYS, MC_REQUIRED, -1, MC_GROUP_CORE,                   \
      "representativeness of the measured day (1 = typical)")                \
    X(MONTHLY_GROWTH, "monthly_growth", "m", "ratio/month", -1.0, 1,         \
      INFINITY, MC_ALWAYS, MC_REQUIRED, -1, MC_GROUP_CORE,                   \
      "monthly growth of daily inference GPU-hours (of uses: traffic "       \
      "phase 1's)")                                                          \
    X(POWER_RATIO, "power_ratio", "r", "ratio", 0.0, 1, INFINITY, MC_ALWAYS, \
      MC_REQUIRED, -1, MC_GROUP_ENERGY,                                      \
      "mean power per GPU-hour, inference over training")                    \
    X(PUE_RATIO, "pue_ratio", "p", "ratio", 0.0, 1, INFINITY, MC_ALWAYS,     \
      MC_REQUIRED, -1, MC_GROUP_ENERGY,                                      \
      "PUE of the inference site over the training site's")                  \
    X(LIFETIME_DAYS, "lifetime_days", "L", "days", 0.0, 1, INFINITY,         \
      MC_ALWAYS, MC_REQUIRED, -1, MC_GROUP_CORE,                             \
      "serving lifetime counted from the measured day")                      \
    X(GPU_HOUR_USD, "gpu_hour_usd", "c", "USD", 0.0, 0, INFINITY, MC_ALWAYS, \
      MC_REQUIRED, -1, MC_GROUP_COST,                                        \
      "rental price of one GPU-hour")                                        \
    X(KW_PER_GPU, "training_kw_per_gpu", "P", "kW", 0.0, 1, INFINITY,        \
      MC_WITH_GROUP, MC_REQUIRED, -1, MC_GROUP_POWER,                        \
      "mean node-level power per training GPU-hour, before the PUE")         \
    X(TRAINING_PUE, "training_pue", "Q_t", "ratio", 1.0, 0, INFINITY,        \
      MC_WITH_GROUP, MC_REQUIRED, -1, MC_GROUP_POWER,                        \
      "power usage effectiveness of the training site")                      \
    X(TRAINING_CI, "training_kgco2e_per_kwh", "CI_t", "kg CO2e/kWh", 0.0, 0, \
      INFINITY, MC_WITH_GROUP, MC_REQUIRED, -1, MC_GROUP_CARBON,             \
      "carbon intensity of the training site's electricity")                 \
    X(INFERENCE_CI, "inference_kgco2e_per_kwh", "CI_i", "kg CO2e/kWh", 0.0,  \
      0, INFINITY, MC_OPTIONAL, MC_REQUIRED, MC_IN_TRAINING_CI,              \
      MC_GROUP_CARBON,                                                       \
      "carbon intensity at the inference site (absent: CI_t)")               \
    X(TRAINING_WATER, "training_l_per_kwh", "W_t", "L/kWh", 0.0, 0,          \
      INFINITY, MC_WITH_GROUP, MC_REQUIRED, -1, MC_GROUP_WATER,              \
      "water per facility kWh at the training site, on-site and off-site")   \
    X(INFERENCE_WATER, "inference_l_per_kwh", "W_i", "L/kWh", 0.0, 0,        \
      INFINITY, MC_OPTIONAL, MC_REQUIRED, MC_IN_TRAINING_WATER,              \
      MC_GROUP_WATER,                                                        \
      "water per facility kWh at the inference site (absent: W_t)")          \
    X(USES_PER_DAY, "uses_per_day", "U0", "uses/day", 0.0, 1, INFINITY,      \
      MC_WITH_GROUP, MC_REQUIRED, -1, MC_GROUP_USE,                          \
      "uses served on the measured day, in the scenario's use unit")         \
    X(EFFICIENCY, "efficiency_gain_monthly", "e", "ratio/month", 0.0, 0,     \
      1.0, MC_OPTIONAL, 0.0, -1, MC_GROUP_CORE,                              \
      "monthly fall of the inference GPU-hours one use needs")               \
    MC_PHASE_INPUTS_(X, 1, 2)                                                \
    MC_PHASE_INPUTS_(X, 2, 3)                                                \
    MC_PHASE_INPUTS_(X, 3, 4)                                                \
    MC_PHASE_INPUTS_(X, 4, 5)                                                \
    MC_PHASE_INPUTS_(X, 5, 6)

#define MC_IN_ENUM_(ID, ...) MC_IN_##ID,
typedef enum mc_input_id {
    MC_INPUT_TABLE(MC_IN_ENUM_)
    MC_IN_COUNT
} mc_input_id;
#undef MC_IN_ENUM_
/* The final run's entry in mc_input_infos (each stage has its domain). */
#define MC_IN_FINAL_RUN MC_IN_COUNT

typedef struct mc_input_info {
    const char *name;     /* in scenario files and CSV columns */
    const char *symbol;   /* MODEL.md's */
    const char *unit;
    double lo;            /* domain lower bound */
    int lo_open;          /* 1: x > lo, 0: x >= lo */
    double hi;            /* x < hi; +INFINITY: no upper end */
    int required;         /* MC_ALWAYS, MC_WITH_GROUP or MC_OPTIONAL */
    double fallback;      /* the value where a scenario leaves it out
                             (MC_OPTIONAL, follows < 0); else NaN */
    int follows;          /* the input whose value it takes where left
                             out, or -1 */
    unsigned group;       /* the outputs it enables (MC_GROUP_*) */
    const char *doc;      /* one line */
} mc_input_info;
/* In the order of mc_input_id, then the final run. */
extern const mc_input_info mc_input_infos[MC_IN_COUNT + 1];

/* The inputs of phase j (0-based) of the traffic: its growth (phase 0's
 * is MC_IN_MONTHLY_GROWTH) and, for j < MC_MAX_PHASES - 1, its length. */
extern const int mc_phase_growth_input[MC_MAX_PHASES];
extern const int mc_phase_days_input[MC_MAX_PHASES - 1];

/* ---- outputs --------------------------------------------------------- */

typedef enum mc_output_kind {
    MC_KIND_GPU_HOURS,
    MC_KIND_GPU_HOURS_PER_DAY,
    MC_KIND_DAYS,          /* a break-even day: +inf is "never" */
    MC_KIND_MULTIPLIER,
    MC_KIND_USD,
    MC_KIND_USD_PER_DAY,
    MC_KIND_FOOTPRINT,     /* energy, carbon or water in total */
    MC_KIND_FOOTPRINT_PER_DAY,
    MC_KIND_PER_USE,       /* per the `use` block's count of uses */
    MC_KIND_USES_PER_DAY
} mc_output_kind;

/* The table of outputs, MODEL.md "Outputs": X(ID, name, unit, kind,
 * group, p_le, curve_break_even, doc).  p_le: P(value <= p_le) is
 * reported (2 for the multipliers: training at most doubles the cost), or
 * NaN.  curve_break_even: an output on the curve names the break-even day
 * that matches it (P(M(h) <= 2) is P(break-even <= h)); -1 for the others.
 * In the order of samples.csv. */
#define MC_OUTPUT_TABLE(X)                                                   \
    X(TRAINING_GPU_HOURS, "training_gpu_hours", "GPU-h", MC_KIND_GPU_HOURS,  \
      MC_GROUP_CORE, MC_NO_P_LE, -1, "T = k F")                              \
    X(INFERENCE_GPU_HOURS_PER_DAY, "inference_gpu_hours_per_day",            \
      "GPU-h/day", MC_KIND_GPU_HOURS_PER_DAY, MC_GROUP_CORE, MC_NO_P_LE, -1, \
      "I0 = n g_n 24 R")                                                     \
    X(BREAK_EVEN, "break_even_days", "days", MC_KIND_DAYS, MC_GROUP_CORE,    \
      MC_NO_P_LE, -1, "the t with C(t) = T")                                 \
    X(BREAK_EVEN_ENERGY, "break_even_days_energy", "days", MC_KIND_DAYS,     \
      MC_GROUP_CORE | MC_GROUP_ENERGY, MC_NO_P_LE, -1,                       \
      "the t with r p C(t) = T")                                             \
    X(MULTIPLIER, "multiplier", "ratio", MC_KIND_MULTIPLIER, MC_GROUP_CORE,  \
      MC_P_LE, MC_OUT_BREAK_EVEN, "1 + T / C(L)")                            \
    X(MULTIPLIER_ENERGY, "multiplier_energy", "ratio", MC_KIND_MULTIPLIER,   \
      MC_GROUP_CORE | MC_GROUP_ENERGY, MC_P_LE, MC_OUT_BREAK_EVEN_ENERGY,    \
      "1 + T / (r p C(L))")                                                  \
    X(BREAK_EVEN_FINAL, "break_even_days_final_run", "days", MC_KIND_DAYS,   \
      MC_GROUP_CORE, MC_NO_P_LE, -1, "the t with C(t) = F (k = 1)")          \
    X(BREAK_EVEN_ENERGY_FINAL, "break_even_days_energy_final_run", "days",   \
      MC_KIND_DAYS, MC_GROUP_CORE | MC_GROUP_ENERGY, MC_NO_P_LE, -1,         \
      "the t with r p C(t) = F")                                             \
    X(MULTIPLIER_FINAL, "multiplier_final_run", "ratio", MC_KIND_MULTIPLIER, \
      MC_GROUP_CORE, MC_P_LE, MC_OUT_BREAK_EVEN_FINAL, "1 + F / C(L)")       \
    X(MULTIPLIER_ENERGY_FINAL, "multiplier_energy_final_run", "ratio",       \
      MC_KIND_MULTIPLIER, MC_GROUP_CORE | MC_GROUP_ENERGY, MC_P_LE,          \
      MC_OUT_BREAK_EVEN_ENERGY_FINAL, "1 + F / (r p C(L))")                  \
    X(TRAINING_USD, "training_usd", "USD", MC_KIND_USD,                      \
      MC_GROUP_CORE | MC_GROUP_COST, MC_NO_P_LE, -1, "c T")                  \
    X(INFERENCE_USD_PER_DAY, "inference_usd_per_day", "USD/day",             \
      MC_KIND_USD_PER_DAY, MC_GROUP_CORE | MC_GROUP_COST, MC_NO_P_LE, -1,    \
      "c I0")                                                                \
    X(REQUIRED_GPU_HOURS_PER_DAY, "required_gpu_hours_per_day", "GPU-h/day", \
      MC_KIND_GPU_HOURS_PER_DAY, MC_GROUP_CORE, MC_NO_P_LE, -1,              \
      "I0 T / C(L): day-0 traffic that amortises training to 2x")            \
    X(REQUIRED_GPU_HOURS_PER_DAY_ENERGY,                                     \
      "required_gpu_hours_per_day_energy", "GPU-h/day",                      \
      MC_KIND_GPU_HOURS_PER_DAY, MC_GROUP_CORE | MC_GROUP_ENERGY,            \
      MC_NO_P_LE, -1, "I0 T / (r p C(L)): the same in energy")           \
    X(TRAINING_MWH, "training_mwh", "MWh", MC_KIND_FOOTPRINT,                \
      MC_GROUP_POWER, MC_NO_P_LE, -1, "E_T / 1000, E_T = T P Q_t kWh")       \
    X(INFERENCE_MWH_PER_DAY, "inference_mwh_per_day", "MWh/day",             \
      MC_KIND_FOOTPRINT_PER_DAY, MC_GROUP_POWER, MC_NO_P_LE, -1,             \
      "I0 r P p Q_t / 1000 on the measured day")                             \
    X(TRAINING_TCO2E, "training_tco2e", "t CO2e", MC_KIND_FOOTPRINT,         \
      MC_GROUP_POWER | MC_GROUP_CARBON, MC_NO_P_LE, -1, "E_T CI_t / 1000")   \
    X(INFERENCE_TCO2E_PER_DAY, "inference_tco2e_per_day", "t CO2e/day",      \
      MC_KIND_FOOTPRINT_PER_DAY, MC_GROUP_POWER | MC_GROUP_CARBON,           \
      MC_NO_P_LE, -1, "I0 r P p Q_t CI_i / 1000")                            \
    X(BREAK_EVEN_CARBON, "break_even_days_carbon", "days", MC_KIND_DAYS,     \
      MC_GROUP_POWER | MC_GROUP_CARBON, MC_NO_P_LE, -1,                      \
      "the t with r p CI_i C(t) = CI_t T")                                   \
    X(MULTIPLIER_CARBON, "multiplier_carbon", "ratio", MC_KIND_MULTIPLIER,   \
      MC_GROUP_POWER | MC_GROUP_CARBON, MC_P_LE, MC_OUT_BREAK_EVEN_CARBON,   \
      "1 + T CI_t / (r p CI_i C(L))")                                        \
    X(TRAINING_WATER_M3, "training_water_m3", "m3", MC_KIND_FOOTPRINT,       \
      MC_GROUP_POWER | MC_GROUP_WATER, MC_NO_P_LE, -1, "E_T W_t / 1000")     \
    X(INFERENCE_WATER_M3_PER_DAY, "inference_water_m3_per_day", "m3/day",    \
      MC_KIND_FOOTPRINT_PER_DAY, MC_GROUP_POWER | MC_GROUP_WATER,            \
      MC_NO_P_LE, -1, "I0 r P p Q_t W_i / 1000")                             \
    X(BREAK_EVEN_WATER, "break_even_days_water", "days", MC_KIND_DAYS,       \
      MC_GROUP_POWER | MC_GROUP_WATER, MC_NO_P_LE, -1,                       \
      "the t with r p W_i C(t) = W_t T")                                     \
    X(MULTIPLIER_WATER, "multiplier_water", "ratio", MC_KIND_MULTIPLIER,     \
      MC_GROUP_POWER | MC_GROUP_WATER, MC_P_LE, MC_OUT_BREAK_EVEN_WATER,     \
      "1 + T W_t / (r p W_i C(L))")                                          \
    X(INFERENCE_GPU_HOURS_PER_USE, "inference_gpu_hours_per_use",            \
      "GPU-h/use", MC_KIND_PER_USE, MC_GROUP_USE, MC_NO_P_LE, -1,            \
      "per C(L) / N(L)")                                                     \
    X(TRAINING_GPU_HOURS_PER_USE, "training_gpu_hours_per_use", "GPU-h/use", \
      MC_KIND_PER_USE, MC_GROUP_USE, MC_NO_P_LE, -1, "per T / N(L)")         \
    X(INFERENCE_WH_PER_USE, "inference_wh_per_use", "Wh/use",                \
      MC_KIND_PER_USE, MC_GROUP_USE | MC_GROUP_POWER, MC_NO_P_LE, -1,        \
      "1000 per r P p Q_t C(L) / N(L)")                                      \
    X(TRAINING_WH_PER_USE, "training_wh_per_use", "Wh/use",                  \
      MC_KIND_PER_USE, MC_GROUP_USE | MC_GROUP_POWER, MC_NO_P_LE, -1,        \
      "1000 per E_T / N(L)")                                                 \
    X(INFERENCE_GCO2E_PER_USE, "inference_gco2e_per_use", "g CO2e/use",      \
      MC_KIND_PER_USE, MC_GROUP_USE | MC_GROUP_POWER | MC_GROUP_CARBON,      \
      MC_NO_P_LE, -1, "inference_wh_per_use CI_i")                           \
    X(TRAINING_GCO2E_PER_USE, "training_gco2e_per_use", "g CO2e/use",        \
      MC_KIND_PER_USE, MC_GROUP_USE | MC_GROUP_POWER | MC_GROUP_CARBON,      \
      MC_NO_P_LE, -1, "training_wh_per_use CI_t")                            \
    X(INFERENCE_ML_PER_USE, "inference_ml_per_use", "mL/use",                \
      MC_KIND_PER_USE, MC_GROUP_USE | MC_GROUP_POWER | MC_GROUP_WATER,       \
      MC_NO_P_LE, -1, "inference_wh_per_use W_i")                            \
    X(TRAINING_ML_PER_USE, "training_ml_per_use", "mL/use",                  \
      MC_KIND_PER_USE, MC_GROUP_USE | MC_GROUP_POWER | MC_GROUP_WATER,       \
      MC_NO_P_LE, -1, "training_wh_per_use W_t")                             \
    X(REQUIRED_USES_PER_DAY, "required_uses_per_day", "uses/day",            \
      MC_KIND_USES_PER_DAY, MC_GROUP_USE, MC_NO_P_LE, -1,                    \
      "U0 T / C(L): day-0 uses that amortise training to 2x")

#define MC_OUT_ENUM_(ID, ...) MC_OUT_##ID,
typedef enum mc_output_id {
    MC_OUTPUT_TABLE(MC_OUT_ENUM_)
    MC_OUT_COUNT
} mc_output_id;
#undef MC_OUT_ENUM_

typedef struct mc_output_info {
    const char *name;      /* the CSV column and the row of summary.csv */
    const char *unit;
    mc_output_kind kind;
    unsigned group;        /* MC_GROUP_*: the inputs it needs */
    double p_le;           /* the threshold of its P(<= x), or NaN */
    int curve_break_even;  /* mc_output_id, or -1: not on the curve */
    const char *doc;       /* one line */
} mc_output_info;
extern const mc_output_info mc_output_infos[MC_OUT_COUNT];

/* ---- the columns of a sample ----------------------------------------- */

/* samples.csv after `sample`: the final run, the scalar inputs, then the
 * outputs.  A block of samples is col[c][0..len) for each column c. */
enum {
    MC_COL_F,                                   /* final_run_gpu_hours */
    MC_COL_INPUT0,                              /* then mc_input_id order */
    MC_COL_OUTPUT0 = MC_COL_INPUT0 + MC_IN_COUNT,
    MC_COL_T = MC_COL_OUTPUT0 + MC_OUT_TRAINING_GPU_HOURS,
    MC_COL_I0 = MC_COL_OUTPUT0 + MC_OUT_INFERENCE_GPU_HOURS_PER_DAY,
    MC_COL_BE = MC_COL_OUTPUT0 + MC_OUT_BREAK_EVEN,
    MC_COL_BE_ENERGY = MC_COL_OUTPUT0 + MC_OUT_BREAK_EVEN_ENERGY,
    MC_COL_M = MC_COL_OUTPUT0 + MC_OUT_MULTIPLIER,
    MC_COL_M_ENERGY = MC_COL_OUTPUT0 + MC_OUT_MULTIPLIER_ENERGY,
    MC_COL_BE_FINAL = MC_COL_OUTPUT0 + MC_OUT_BREAK_EVEN_FINAL,
    MC_COL_BE_ENERGY_FINAL = MC_COL_OUTPUT0 + MC_OUT_BREAK_EVEN_ENERGY_FINAL,
    MC_COL_M_FINAL = MC_COL_OUTPUT0 + MC_OUT_MULTIPLIER_FINAL,
    MC_COL_M_ENERGY_FINAL = MC_COL_OUTPUT0 + MC_OUT_MULTIPLIER_ENERGY_FINAL,
    MC_COL_TRAINING_USD = MC_COL_OUTPUT0 + MC_OUT_TRAINING_USD,
    MC_COL_INFERENCE_USD = MC_COL_OUTPUT0 + MC_OUT_INFERENCE_USD_PER_DAY,
    MC_NCOLS = MC_COL_OUTPUT0 + MC_OUT_COUNT
};
#define MC_NOUTPUTS MC_OUT_COUNT

/* Each column's name: final_run_gpu_hours, the inputs', the outputs'. */
extern const char *const mc_column_names[MC_NCOLS];
/* The column named `name` (len bytes, need not be NUL-terminated), or -1. */
int mc_column_find(const char *name, size_t len);
/* The output table's entry of column c >= MC_COL_OUTPUT0. */
static inline const mc_output_info *mc_column_output(int c)
{
    return &mc_output_infos[c - MC_COL_OUTPUT0];
}

/* The curve's metrics: every multiplier of the output table (an output
 * with a curve_break_even), at most this many. */
#define MC_NCURVE_MAX 6

/* ---- a scenario's layout --------------------------------------------- */

/* What a scenario has of the model: the groups present (every group of
 * MC_GROUPS_ALWAYS, and the optional groups whose inputs it gives), its
 * traffic phases and efficiency gain, the `use` block's count, and from
 * them the columns of samples.csv (the required inputs, the optional ones
 * it gives, the outputs of its groups; in column order), the outputs of
 * summary.csv and the curve's metrics (its multipliers, or the ones
 * asked).  Every table is indexed by column or output id; the lists say
 * which exist.  A version-1 scenario has version 1's columns, the
 * required-traffic outputs added. */
typedef struct mc_layout {
    unsigned groups;                /* MC_GROUP_* present */
    unsigned char given[MC_IN_COUNT]; /* 1: the scenario gives input i */
    size_t n_phases;                /* 1..MC_MAX_PHASES */
    int efficiency;                 /* 1: e is given (else e = 0) */
    double per;                     /* the `use` block's count (1 without) */
    int ncols;                      /* columns of samples.csv */
    int col[MC_NCOLS];
    int nout;                       /* outputs present, in table order */
    int out[MC_OUT_COUNT];
    int has_out[MC_OUT_COUNT];      /* 1: output o is present */
    int ncurve;                     /* the curve's metrics, output ids */
    int curve[MC_NCURVE_MAX];
} mc_layout;

/* The layout of a scenario giving the inputs given[i] != 0 (the required
 * ones must be among them), n_phases traffic phases (the phase inputs
 * given are those of the phases), per uses, and the curve over the
 * multipliers in curve_mask (bit o: output o; ~0u: every multiplier of
 * the scenario).  Returns 0, or -1 with msg for a group given in part:
 * "training_pue" (the missing partner's name), or a group whose groups it
 * builds on are missing, or a metric asked that the scenario lacks; msg
 * names what is missing and who needs it.  `use` is not known here: the
 * caller checks U0 against its `use` block. */
int mc_layout_make(const unsigned char given[MC_IN_COUNT], size_t n_phases,
                   double per, unsigned long long curve_mask,
                   mc_layout *lay, char *msg, size_t len);

/* The version-1 layout: the required inputs, one phase, per 1, every
 * multiplier on the curve. */
void mc_layout_v1(mc_layout *lay);

/* ---- the formulas ---------------------------------------------------- */

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
    double I0;                    /* inference_gpu_hours_per_day, n g_n 24 R */
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
    double required;              /* required_gpu_hours_per_day, I0 T / C(L) */
    double required_energy;       /* ..._energy, I0 T / (r p C(L)) */
} mc_outcome;

/* Training compute T = k F. */
double mc_training_gpu_hours(double k, double F);
/* Day-0 inference I0 = n g_n 24 R. */
double mc_inference_gpu_hours_per_day(double n, double gn, double R);
/* Inference energy per GPU-hour relative to training's, r p. */
double mc_energy_ratio(double r, double p);

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

/* ---- traffic in phases (MODEL.md version 2) ------------------------- */

/* Uses grow in phases: phase j (0-based here, 1-based in MODEL.md) starts
 * on day s_j (s_0 = 0, s_(j+1) = s_j + d_j, summed in that order) and uses
 * grow at u_j = mc_growth_rate(m_j) in it; the last phase has no end.  The
 * GPU-hours one use needs fall at h = mc_efficiency_rate(e), so inference
 * GPU-hours grow at g_j = u_j - h.  With one phase and e = 0 every
 * function below is version 1's to the last bit: g_0 = u_0 - 0 = u_0,
 * C(t) = I0 mc_cumulative_days(g_0, t) and the break-even day
 * mc_break_even_days(T, I0, g_0), the same calls with the same arguments.
 *
 * Extremes give a result, never NaN.  The level I(s_j) goes from phase
 * to phase as a double: past the largest double it stays +INFINITY, and
 * C(t) with it (an extreme scenario, not an error); below the smallest it
 * stays 0 and adds no traffic, whatever the later phases' growth.  Both
 * need scenarios far past any physical one (10^5 days at m = 1). */
typedef struct mc_phases {
    size_t n;               /* phases, >= 1 */
    const double *days;     /* d_0..d_(n-2), each > 0 (none for n = 1) */
    const double *growth;   /* m_0..m_(n-1), each > -1 */
    double efficiency;      /* e in [0, 1): efficiency_gain_monthly */
} mc_phases;

/* The daily fall of the GPU-hours one use needs, h = -ln(1 - e) /
 * 30.4375, for e in [0, 1): +0 for e = 0; at most 36.74 / 30.4375 = 1.21
 * for the largest double below 1. */
double mc_efficiency_rate(double e);

/* Phase j's daily growth: of inference GPU-hours, g_j = u_j - h, or of
 * uses (uses != 0), u_j, which e does not enter. */
double mc_phases_rate(const mc_phases *p, size_t j, int uses);

/* The first day s_j of phase j < n, by the sum the functions below use
 * (+INFINITY if it overflows). */
double mc_phases_start(const mc_phases *p, size_t j);

/* The level on day t >= 0: I(t) from I0 = x0, or the daily uses U(t)
 * from U0 = x0 (uses != 0).  Continuous and piecewise exponential; day
 * s_j counts in phase j. */
double mc_phases_level(const mc_phases *p, double x0, double t, int uses);

/* The cumulative traffic to day t >= 0: C(t) from I0 = x0 (GPU-hours),
 * or N(t) from U0 = x0 (uses != 0).  Within phase j, C(t) = C(s_j) +
 * I(s_j) E(g_j, t - s_j), E(g, x) = mc_cumulative_days(g, x); phase 0 is
 * x0 mc_cumulative_days(g_0, t).  Day s_j counts in phase j, where C(t)
 * is C(s_j), the sum of the earlier phases: continuous to a few ulps. */
double mc_phases_cumulative(const mc_phases *p, double x0, double t,
                            int uses);

/* The break-even day, the t with C(t) = T (T >= 0, I0 > 0): in the first
 * phase j with C(s_(j+1)) >= T (or the last), s_j + mc_break_even_days(T -
 * C(s_j), I(s_j), g_j).  Where C(s_(j+1)) == T, exactly s_(j+1); where
 * rounding puts the day past s_(j+1), s_(j+1): so the day is monotone in
 * T across the boundaries.  +INFINITY ("never") where no phase gets there:
 * a last phase with g < 0 bounds C at C(s_J) + I(s_J) / (-g), and a level
 * that underflowed to 0 adds nothing.  A level past the largest double
 * reaches any T at once: the phase's first day. */
double mc_phases_break_even(const mc_phases *p, double T, double I0);

/* Bounds of the derived quantities over every sample whose inputs lie in
 * the boxes [lo[c], hi[c]] of the input columns c < MC_COL_OUTPUT0 (F's
 * box being the stages' sum), for checks before a run that no product or
 * quotient of the model can overflow where MODEL.md does not say "never":
 *   T <= k_hi F_hi, I0 in [n_lo g_lo 24 R_lo, n_hi g_hi 24 R_hi],
 *   E = r p >= r_lo p_lo,
 *   C(x) >= I0 min(x, 1/a) / 2 for x >= the shortest lifetime or first
 *   horizon, where a = -g(m_lo) is the fastest decay (0 if none); so a
 *   finite break-even day is at most T / (min(E, 1) I0) and a multiplier
 *   at most 1 + T / (min(E, 1) C). */
typedef struct mc_model_bounds {
    double T_hi;          /* the most training */
    double I0_lo, I0_hi;  /* the least and most day-0 inference */
    double E_lo;          /* the least energy ratio r p */
    double span;          /* x above: the days C is bounded over */
    double usd_hi;        /* the larger of c_hi T_hi and c_hi I0_hi (NaN
                             if either is) */
    double days_hi;       /* T_hi / (min(E_lo, 1) I0_lo) */
    double excess_hi;     /* T_hi / (min(E_lo, 1) I0_lo span / 2): the
                             most a multiplier exceeds 1 */
    double required_hi;   /* T_hi / (min(E_lo, 1) span / 2): the most
                             required traffic, I0 times that excess */
    /* version 2: the largest value of each output of the optional groups
       present (lay), to be finite; +INFINITY where it may overflow, 0 for
       the others.  An inference intensity that reaches 0 makes its
       break-even "never": the carbon and water break-even days and
       multipliers are bounded only where CI_i and W_i stay above 0. */
    double out_hi[MC_OUT_COUNT];
} mc_model_bounds;
void mc_model_bounds_of(const double lo[MC_COL_OUTPUT0],
                        const double hi[MC_COL_OUTPUT0],
                        double first_horizon, const mc_layout *lay,
                        mc_model_bounds *b);

/* What an output's values depend on, for a caller that evaluates two
 * scenarios on the same draws (the variants of a group) and takes the
 * statistics of an output both compute from equal draws only once.
 *
 * mc_output_needs(o): a superset of the input columns (bit c for column
 * c < MC_COL_OUTPUT0: F and every input) whose values output o is
 * computed from, under any layout; mc_curve_needs(o) the same for the
 * curve's metric o (a multiplier) at any horizon, which the lifetime
 * does not enter.  test_model checks both by changing each input alone.
 *
 * mc_model_same: the outputs (same_out[o]) and curve metrics
 * (same_curve[m], m < a->ncurve) that take the same value, bit for bit,
 * in two scenarios of layouts a and b wherever the input columns marked
 * in same_in (c < MC_COL_OUTPUT0) are equal: every output whose needs
 * are all marked, if the layouts have the same groups, inputs given,
 * phases, efficiency gain, count of uses and curve; else none. */
typedef uint64_t mc_col_mask;
_Static_assert(MC_COL_OUTPUT0 <= 64, "an input column mask fits 64 bits");
mc_col_mask mc_output_needs(int o);
mc_col_mask mc_curve_needs(int o);
void mc_model_same(const mc_layout *a, const mc_layout *b,
                   const unsigned char same_in[MC_COL_OUTPUT0],
                   unsigned char same_out[MC_OUT_COUNT],
                   unsigned char same_curve[MC_NCURVE_MAX]);

/* Evaluates every output of one sample. */
void mc_model_eval(const mc_draw *in, mc_outcome *out);

/* The same for one sample given as columns: x[c] for the input columns
 * c < MC_COL_OUTPUT0 (every input, given or not: one left out holds its
 * fallback); writes y[o] for every output o of lay (the others are left
 * as they are).  The core outputs take lay's phases and efficiency gain:
 * with one phase and e = 0 they are mc_model_eval's to the last bit. */
void mc_model_eval_one(const double x[MC_COL_OUTPUT0], double y[MC_OUT_COUNT],
                       const mc_layout *lay);

/* Evaluates samples 0..len-1 of a block: reads the input columns
 * col[c][0..len), c < MC_COL_OUTPUT0, writes lay's output columns. */
void mc_model_eval_block(double *const col[MC_NCOLS], size_t len,
                         const mc_layout *lay);

/* The multipliers of the curve for a block of evaluated samples
 * (col[c][0..len), len <= cap) at each of the increasing horizons
 * hs[0..nh), each > 0: for each horizon in turn, fn(ctx, h, x, len) with
 * x[m] the len values of lay's curve metric m (m < lay->ncurve) at
 * horizon index h.  With several phases, C(h) is mc_phases_cumulative's
 * at each horizon.  C(h) comes
 * from a recurrence over the horizons: with E = e^(g h) - 1 and d =
 * e^(g (h' - h)) - 1, e^(g h') - 1 = E + d + E d, one expm1 per sample
 * while the step between horizons stays the same; samples whose growth is
 * too small for the recurrence's digits take the closed form.  scratch:
 * MC_CURVE_SCRATCH_PER * cap doubles. */
typedef void (*mc_curve_fn)(void *ctx, size_t h,
                            const double *const x[MC_NCURVE_MAX],
                            size_t len);
#define MC_CURVE_SCRATCH_PER (5 + 2 * MC_NCURVE_MAX + 4 * MC_MAX_PHASES)
void mc_model_curve(const double *const col[MC_NCOLS], size_t len,
                    size_t cap, const double *hs, size_t nh,
                    const mc_layout *lay, double *scratch, mc_curve_fn fn,
                    void *ctx);

#endif
