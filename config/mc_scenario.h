/* mc_scenario.h: a breakeven scenario as plain structs.
 *
 * config/ reads a JSON scenario file into an mc_scenario; the rest of the
 * program sees only these structs, never cJSON.  Every distribution in a
 * loaded scenario has passed mc_dist_check and lies inside its input's
 * domain (MODEL.md), so the simulator may assume valid inputs.
 *
 * Ownership: mc_cfg_load_* fill *out only on success; the caller releases
 * it with mc_scenario_free (which also accepts a zeroed struct).
 */
#ifndef MC_SCENARIO_H
#define MC_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "mc_dist.h"
#include "mc_model.h"

/* The inputs (mc_input_id, MC_IN_COUNT) and their names and domains
 * (mc_input_infos) are the model's: mc_model.h. */

/* One uncertain quantity: its distribution, its random stream, and the
 * source text the scenario cites for it (may be NULL). */
typedef struct mc_input {
    char *name;        /* "overhead", or the stage's name */
    mc_dist dist;
    uint32_t stream;   /* mc_rng_stream_id of the stream name */
    char *source;
} mc_input;

typedef struct mc_scenario {
    char *name;
    char *description;
    /* "assumed_usage": 1 where the scenario's inference traffic is an
       assumption, not a measurement (no lab or provider reports it): its
       break-even dates are then conditional on that assumption, and the
       terminal, manifest.json and comparison.csv say so.  Default 0. */
    int assumed_usage;
    uint64_t seed;
    uint64_t samples;
    /* F = sum of the stages; each stage's stream name is
       "final_run_gpu_hours/<stage name>" */
    size_t n_stages;
    mc_input *stages;
    mc_input inputs[MC_IN_COUNT];
    /* The `use` block (MODEL.md version 2): the unit of a use ("output
       token") and the count a per-use figure is for (1e6); NULL and 1
       without one. */
    char *use_unit;
    double use_per;
    /* What the scenario has of the model (mc_layout_make): the groups
       its inputs give, its traffic phases, the columns of samples.csv,
       the outputs of summary.csv, the curve's metrics.  An input that
       layout.given does not list holds its fallback (or a placeholder
       no output reads). */
    mc_layout layout;
    /* horizons (days since the measured day) for curve.csv, increasing,
       each > 0 */
    size_t n_horizons;
    double *horizons;
    int write_samples;  /* samples.csv on (1) or off (0) */
    int sampling;       /* MC_SAMPLING_RANDOM (default), _LHS or _SOBOL */
    /* Correlated inputs ("correlations"): Spearman rank correlations
       imposed by a Gaussian copula.  n_corr inputs take part, ids
       corr_input[0..n_corr) ascending; corr_chol is the lower Cholesky
       factor (n_corr x n_corr, row-major) of their normal correlations
       2 sin(pi rho_s / 6).  n_corr == 0: all independent. */
    size_t n_corr;
    int corr_input[MC_IN_COUNT];
    double corr_chol[MC_IN_COUNT * MC_IN_COUNT];
    /* "until": {"metric": M, "stat": S, "tolerance": T}, kept as the
       text "M:S:T" of --until (sim/ checks the names; "" when absent) */
    char until[128];
    /* "sensitivity": what sensitivity analysis the run adds.  Rank
       (default): Spearman and partial rank correlations of every output
       with every uncertain input, from the run's own samples
       (sensitivity.csv).  Sobol': that, and first-order and total Sobol'
       indices from a separate Saltelli design of sobol_samples base rows
       (sobol.csv), with bootstrap intervals from `bootstrap` resamples.
       None: neither. */
    int sensitivity;            /* MC_SENS_RANK (default), _SOBOL, _NONE */
    uint64_t sobol_samples;     /* base rows N of the Saltelli design */
    uint32_t bootstrap;         /* bootstrap resamples of the indices */
    /* "variants": named overrides of some inputs, each evaluated on the
       base's random streams (common random numbers).  A sweep in the
       file becomes one variant per value.  Each variant's scenario is
       complete: the base with its overrides, the same seed, samples,
       sampling, horizons and correlations, and no variants of its own. */
    size_t n_variants;
    struct mc_variant *variants;
} mc_scenario;

/* One variant: its name ("traffic-growth"; a sweep's value is appended,
 * "overhead-median=3.1"), made of [A-Za-z0-9._=+-] so that it names a
 * folder, and its scenario.  Names are unique within a scenario, never
 * "base", never start with '.', and only a sweep's names hold '=' (and
 * '+', from an exponent: "x=1e+20"), so a named variant never takes a
 * swept one's name.  s->name is "<base name>/<variant name>";
 * s->description is the variant's description, else the base's. */
typedef struct mc_variant {
    char *name;
    char *description;          /* may be NULL */
    mc_scenario *s;             /* owned; s->n_variants == 0 */
} mc_variant;

/* At most this many variants per scenario, after sweeps expand. */
#define MC_VARIANTS_MAX 100

/* Sensitivity methods ("sensitivity" in the file, --sensitivity): their
 * names are mc_sensitivity_name's. */
enum { MC_SENS_RANK, MC_SENS_SOBOL, MC_SENS_NONE, MC_SENS_COUNT };
#define MC_SOBOL_SAMPLES_DEFAULT 16384
#define MC_BOOTSTRAP_DEFAULT 1000

/* Sampling designs ("sampling" in the file, --sampling): independent
 * draws; a Latin hypercube (each input's probability range cut into
 * `samples` equal strata, one draw in each, strata paired at random); or
 * GSL's Sobol' sequence with a random digital shift per input. */
enum { MC_SAMPLING_RANDOM, MC_SAMPLING_LHS, MC_SAMPLING_SOBOL,
       MC_SAMPLING_COUNT };
/* Sobol' points have one coordinate per uncertain input and stage; GSL's
 * generator stops at 40. */
#define MC_SOBOL_MAX_DIMS 40

/* The names of the sampling designs ("random", "lhs", "sobol") and of
 * the sensitivity methods ("rank", "sobol", "none"), declared once for
 * the scenario file, the command line and manifest.json.  _name: the
 * name of MC_SAMPLING_* or MC_SENS_* i (NULL outside the enum); _find:
 * the value named name, or -1.  _list writes every name for a message,
 * each between quote and quote, joined by ", " and by `last` before the
 * last one: ("", " or ") gives "random, lhs or sobol". */
const char *mc_sampling_name(int sampling);
int mc_sampling_find(const char *name);
void mc_sampling_list(char *buf, size_t n, const char *quote,
                      const char *last);
const char *mc_sensitivity_name(int method);
int mc_sensitivity_find(const char *name);
void mc_sensitivity_list(char *buf, size_t n, const char *quote,
                         const char *last);

/* Error report: JSON path ("$.inputs.overhead.sigma") and a message of
 * the form "expected ..., found ...". */
typedef struct mc_err {
    char path[256];
    char msg[512];
    int line, column;   /* for syntax errors, else 0 */
    int io;             /* 1: the file could not be read (I/O; path is
                           empty and msg is strerror's text), 0: its
                           content is wrong (scenario error) */
} mc_err;

/* Reads a scenario from a file.  Returns 0, or -1 with *err filled.
 * The loaders turn GSL's error handler off for a moment (a process-global
 * setting): call them from one thread at a time, and not during a run
 * (they keep no other state). */
int mc_cfg_load_file(const char *path, mc_scenario *out, mc_err *err);
/* Reads a scenario from text (len bytes, need not be NUL-terminated). */
int mc_cfg_load_string(const char *text, size_t len, mc_scenario *out,
                       mc_err *err);
/* The built-in default scenario (config/deepseek-v3-r1.json, embedded at
 * build time), as text. */
extern const char *const mc_cfg_default_json;
int mc_cfg_load_default(mc_scenario *out, mc_err *err);

/* Every shipped scenario, config/NAME.json embedded at build time: the
 * library first (library = 1: one scenario per model, the order of
 * `--library`), then the others by name; ended by {NULL, NULL, 0}. */
typedef struct mc_cfg_builtin {
    const char *name;   /* the file's name without .json */
    const char *json;   /* its text */
    int library;
} mc_cfg_builtin;
extern const mc_cfg_builtin mc_cfg_builtins[];
extern const size_t mc_cfg_n_builtins;
/* The built-in scenario called name, or NULL. */
const mc_cfg_builtin *mc_cfg_builtin_find(const char *name);

void mc_scenario_free(mc_scenario *s);

#endif
