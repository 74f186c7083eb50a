/* mc_config_impl.h: what the files of config/ share to read a scenario
 * file (docs/scenario-format.md) into an mc_scenario; nobody else
 * includes it.
 *
 * config/ is the only code of the program that sees cJSON.  cJSON is
 * lenient where we must not be (docs/dependencies.md): its parser accepts
 * what JSON forbids and reports a syntax error as a bare pointer, its
 * object getter is case-insensitive, it keeps duplicate keys silently
 * and it reads 1e999 as infinity.  So the text is read once, by a strict scanner that
 * builds the cJSON tree itself (mc_cfg_json.c: UTF-8, RFC 8259, every
 * syntax error with its line, column and what was expected), and every
 * object is walked here: unknown keys (with the closest valid key
 * suggested), duplicate keys and non-finite numbers are errors.  Every
 * input's draws must stay finite and in the domain in double precision,
 * and so must the model's products (mc_cfg_inputs.c).
 *
 * A reader walks the tree with a cfg_ctx: the JSON path of the value it
 * reads ("$.inputs.overhead.sigma") and the error to fill.  Every reader
 * returns 0, or -1 with the error filled by fail or its kin: the path,
 * and a message "expected ..., found ...".  A reader that pushes onto the
 * path pops it again on the way out, on success; on an error the path
 * no longer matters.
 *
 * The files: mc_cfg_json.c (the text into a tree), mc_cfg_context.c (the
 * path and the errors), mc_cfg_values.c (keys, numbers, strings),
 * mc_cfg_dist.c (distribution objects), mc_cfg_inputs.c (the inputs of
 * MODEL.md and their checks), mc_cfg_correlations.c, mc_cfg_variants.c
 * (variants and sweeps), mc_cfg_scenario.c (the top level) and
 * mc_cfg_load.c (the loaders of mc_scenario.h).
 *
 * The names below are the readers' short vocabulary (fail, member,
 * read_number): external only so that these files share them, inside
 * libmc_config; no other library of the program defines them.
 */
#ifndef MC_CONFIG_IMPL_H
#define MC_CONFIG_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "mc_scenario.h"

/* The name of the input F of MODEL.md, the sum of the stages: a key of
 * $.inputs and the stages' stream prefix (the model's last entry, after
 * the mc_input_id ones). */
#define FINAL_RUN (mc_input_infos[MC_IN_FINAL_RUN].name)
/* The key of $.inputs that lists the traffic phases (MODEL.md version
 * 2): it gives the phase inputs (traffic_<j>_days,
 * traffic_<k>_monthly_growth), which are not keys of their own, and
 * monthly_growth (phase 1's growth) in place of that key. */
#define TRAFFIC_KEY "traffic"

/* Draws are computed in double precision: a distribution inside its
 * domain on paper may still overflow to inf (lognormal with a large
 * sigma) or underflow onto an open bound (exp(mu + sigma z) = 0, or a
 * gamma of small shape), and either makes the model's outputs NaN or a
 * false "never".  The reach of the samplers is bounded: inverse-CDF draws
 * use 32-bit uniforms (quantiles 2.3e-10 from either end) and GSL's
 * ziggurat stops near 10 sigma; the quantiles at REACH_P
 * (MC_DIST_REACH_P) lie beyond both, so if they are finite and inside the
 * domain, every draw is. */
#define REACH_P MC_DIST_REACH_P

/* ---- The path and the errors (mc_cfg_context.c) ---------------------- */

typedef struct cfg_ctx {
    mc_err *err;
    char path[sizeof ((mc_err *)0)->path];
    size_t len;
} cfg_ctx;

/* The path "$", errors into *err. */
void cfg_ctx_init(cfg_ctx *c, mc_err *err);
void cfg_path_append(cfg_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append a key (.key, or ["key"] when it is not a plain identifier) or
 * an index ([i]); each returns the length before, for path_pop. */
size_t cfg_path_push_key(cfg_ctx *c, const char *key);
size_t cfg_path_push_index(cfg_ctx *c, size_t i);
void cfg_path_pop(cfg_ctx *c, size_t old);

/* Text from the file made safe to show (at most max characters,
 * escaped), in b. */
typedef struct shown_buf { char s[160]; } shown_buf;
const char *cfg_shown(shown_buf *b, const char *text, size_t max);
/* The shortest "%g" form of x that reads back as x. */
void cfg_fmt_num(char *buf, size_t n, double x);
/* A JSON value described for "found ..." ("a string \"x\"", "nothing"),
 * in b. */
typedef struct found_buf { char s[192]; } found_buf;
const char *cfg_describe(found_buf *b, const cJSON *v);

/* The error at the current path; each returns -1. */
int cfg_fail(cfg_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ... at the path of the child key of the current path */
int cfg_fail_at_key(cfg_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "expected <expected>, found <v described>" */
int cfg_fail_type(cfg_ctx *c, const char *expected, const cJSON *v);
/* msg at key, or at the current path when key is NULL */
int cfg_fail_param(cfg_ctx *c, const char *key, const char *msg);

/* ---- Keys and values (mc_cfg_values.c) ------------------------------- */

/* The candidate (NULL-terminated) closest to word, or NULL if none is a
 * plausible misspelling of it. */
const char *cfg_closest(const char *word, const char *const *cands);
/* words (NULL-terminated) as "a, b, c" */
void cfg_join(char *buf, size_t n, const char *const *words);
int cfg_in_list(const char *key, const char *const *list);
/* Every key of obj in allowed (NULL-terminated), none twice. */
int cfg_check_keys(cfg_ctx *c, const cJSON *obj, const char *const *allowed);
/* The member key of obj (case-sensitive), or NULL. */
const cJSON *cfg_member(const cJSON *obj, const char *key);
/* "missing required key '<key>': expected <what>, found no '<key>'" */
int cfg_fail_missing(cfg_ctx *c, const char *key, const char *what);
/* A finite number v, at the current path; _at: member key of obj, at
 * its path. */
int cfg_read_number(cfg_ctx *c, const cJSON *v, double *out);
int cfg_read_number_at(cfg_ctx *c, const cJSON *obj, const char *key,
                       double *out);
/* An integral number in [lo, hi] (both exact in a double), member key
 * of obj; expected is the message's "expected ...". */
int cfg_read_count_at(cfg_ctx *c, const cJSON *obj, const char *key, double lo,
                      double hi, const char *expected, uint64_t *out);
/* An integer in [lo, hi] read exactly from its text (mc_count.h). */
int cfg_read_exact_count_at(cfg_ctx *c, const cJSON *obj, const char *key,
                            uint64_t lo, uint64_t hi, uint64_t *out);
/* A copy of a string member into *out (left NULL if absent and not
 * required). */
int cfg_read_string(cfg_ctx *c, const cJSON *obj, const char *key,
                    int required, int nonempty, char **out);
/* An array member of numbers: *out is malloc'ed, *n numbers (may be 0). */
int cfg_read_number_array(cfg_ctx *c, const cJSON *obj, const char *key,
                          double **out, size_t *n);

/* ---- Distributions (mc_cfg_dist.c) ----------------------------------- */

/* The distribution names for messages: "fixed, uniform, ...". */
void cfg_known_dists(char *buf, size_t n);
/* Is key a parameter of some distribution other than a fixed value? */
int cfg_is_param_key(const char *key);
/* A distribution object v (with "dist"), at the current path, into *d;
 * a stage's object may also have "name". */
int cfg_read_dist_object(cfg_ctx *c, const cJSON *v, int is_stage, mc_dist *d);
/* An error if every draw of d is one value in double precision; info is
 * the input's, what its name for the message. */
int cfg_check_spread(cfg_ctx *c, const mc_dist *d, const mc_input_info *info,
                     const char *what);

/* ---- Inputs (mc_cfg_inputs.c) ---------------------------------------- */

/* The keys of "inputs": FINAL_RUN, then mc_input_infos' names but the
 * phase inputs, then TRAFFIC_KEY, NULL. */
void cfg_input_keys(const char *keys[MC_IN_COUNT + 2]);
/* Is input i a traffic phase's (given by TRAFFIC_KEY, not a key)? */
int cfg_is_phase_input(int i);
/* Appends the path of input i in document root to the path ("$"):
 * $.inputs.<name>, or where TRAFFIC_KEY gives it,
 * $.inputs.traffic[j].monthly_growth or .days. */
void cfg_path_push_input(cfg_ctx *c, const cJSON *root, int i);
/* s->layout from document root (at the path "$"), whose inputs and
 * `use` block are read into s, with the curve's metrics curve (a bit per
 * output; ~0ull: every multiplier).  The errors: uses_per_day and `use`
 * apart, a group given in part (at the given input that needs the
 * missing one), a metric the scenario lacks (at $.curve.metrics[i]). */
int cfg_make_layout(cfg_ctx *c, const cJSON *root, unsigned long long curve,
                    mc_scenario *s);
/* The mc_input_id named name, or -1. */
int cfg_input_id(const char *name);
/* $.inputs (v, at the current path) into s->stages and s->inputs. */
int cfg_read_inputs(cfg_ctx *c, const cJSON *v, mc_scenario *s);
/* The checks of the inputs that need the whole scenario s, read from
 * root (mc_cfg_inputs.c says which). */
int cfg_check_inputs(cfg_ctx *c, const cJSON *root, const mc_scenario *s);

/* ---- The rest of a scenario ------------------------------------------ */

/* $.correlations (v, at the current path) into s->n_corr, corr_input and
 * corr_chol (mc_cfg_correlations.c). */
int cfg_read_correlations(cfg_ctx *c, const cJSON *v, mc_scenario *s);
/* $.variants (vs, at the current path) of the base s read from root
 * (mc_cfg_variants.c). */
int cfg_read_variants(cfg_ctx *c, const cJSON *root, const cJSON *vs,
                      mc_scenario *s);
/* A whole document root into *s (mc_cfg_scenario.c); on failure *s holds
 * what was read, for mc_scenario_free. */
int cfg_read_scenario(cfg_ctx *c, const cJSON *root, mc_scenario *s);
/* The text (len bytes) into *root, to be freed with cJSON_Delete
 * (mc_cfg_json.c). */
int cfg_read_json(cfg_ctx *c, const char *text, size_t len, cJSON **root);

#endif
