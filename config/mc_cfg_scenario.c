/* mc_cfg_scenario.c: the top level of a scenario file
 * (docs/scenario-format.md): name, seed, samples, sampling, then the
 * inputs, use and curve (and from them the layout), correlations,
 * sensitivity, until, horizons and output, the checks of the whole, and
 * the variants last. */
#include "mc_config_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES_MAX UINT64_C(1000000000)
#define HORIZONS_MAX 100000
#define DEFAULT_H_START 10.0
#define DEFAULT_H_STOP 730.0
#define DEFAULT_H_STEP 10.0
#define SOBOL_SAMPLES_MAX 1e7
#define BOOTSTRAP_MAX 100000.0
#define USE_UNIT_MAX 64

static const char *const top_keys[] = {
    "name", "description", "assumed_usage", "seed", "samples", "sampling",
    "inputs", "use",
    "correlations", "sensitivity", "until", "horizons", "curve", "output",
    "variants", NULL};
static const char *const use_keys[] = {"unit", "per", NULL};
static const char *const curve_keys[] = {"metrics", NULL};
static const char *const until_keys[] = {"metric", "stat", "tolerance",
                                         NULL};
static const char *const horizon_keys[] = {"start", "stop", "step", NULL};
static const char *const output_keys[] = {"samples_csv", NULL};
static const char *const sensitivity_keys[] = {"method", "sobol_samples",
                                               "bootstrap", NULL};

/* ======================================================================
 * Horizons, output, until
 * ====================================================================== */

static int horizons_range(cfg_ctx *c, double start, double stop,
                          double step, mc_scenario *s)
{
    double q = (stop - start) / step + 1e-9;
    size_t n;
    if (!(q < HORIZONS_MAX))
        return cfg_fail(c, "expected at most %d horizons, found %.0f (from "
                        "start, stop and step)", HORIZONS_MAX, floor(q) + 1);
    n = (size_t)floor(q) + 1;
    s->horizons = malloc(n * sizeof *s->horizons);
    if (s->horizons == NULL)
        return cfg_fail(c, "expected memory for %zu horizons, found none (out "
                        "of memory)", n);
    s->n_horizons = n;
    for (size_t i = 0; i < n; i++) {
        double h = start + (double)i * step;
        if (i + 1 == n && fabs(h - stop) <= 1e-9 * step)
            h = stop;                   /* undo rounding at the end */
        s->horizons[i] = h;
    }
    for (size_t i = 1; i < n; i++)
        if (!(s->horizons[i] > s->horizons[i - 1])) {
            char st[32];
            cfg_fmt_num(st, sizeof st, step);
            return cfg_fail_at_key(c, "step", "expected a step that keeps the "
                                   "horizons strictly increasing in double "
                                   "precision, found %s", st);
        }
    return 0;
}

static int read_horizons(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    if (cJSON_IsObject(v)) {
        double start, stop, step;
        char a[32];
        if (cfg_check_keys(c, v, horizon_keys))
            return -1;
        for (size_t i = 0; horizon_keys[i] != NULL; i++)
            if (cfg_member(v, horizon_keys[i]) == NULL)
                return cfg_fail_missing(c, horizon_keys[i], "a number (the "
                                        "range form takes start, stop and "
                                        "step)");
        if (cfg_read_number_at(c, v, "start", &start)
            || cfg_read_number_at(c, v, "stop", &stop)
            || cfg_read_number_at(c, v, "step", &step))
            return -1;
        if (!(start > 0))
            return cfg_fail_at_key(c, "start", "expected start > 0, found %s",
                                   (cfg_fmt_num(a, sizeof a, start), a));
        if (!(step > 0))
            return cfg_fail_at_key(c, "step", "expected step > 0, found %s",
                                   (cfg_fmt_num(a, sizeof a, step), a));
        if (!(stop >= start)) {
            char b[32];
            cfg_fmt_num(a, sizeof a, start);
            cfg_fmt_num(b, sizeof b, stop);
            return cfg_fail_at_key(c, "stop", "expected stop >= start (%s), "
                                   "found %s", a, b);
        }
        return horizons_range(c, start, stop, step, s);
    }
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        if (n == 0)
            return cfg_fail(c, "expected at least one horizon, found an empty "
                            "array");
        if (n > HORIZONS_MAX)
            return cfg_fail(c, "expected at most %d horizons, found %zu",
                            HORIZONS_MAX, n);
        s->horizons = malloc(n * sizeof *s->horizons);
        if (s->horizons == NULL)
            return cfg_fail(c, "expected memory for %zu horizons, found none "
                            "(out of memory)", n);
        s->n_horizons = n;
        cJSON_ArrayForEach(e, v) {
            size_t old = cfg_path_push_index(c, i);
            double x = 0;
            int bad = cfg_read_number(c, e, &x);
            if (!bad && !(x > 0)) {
                found_buf f;
                bad = cfg_fail(c, "expected a horizon > 0 (days), found %s",
                               cfg_describe(&f, e));
            } else if (!bad && i > 0 && !(x > s->horizons[i - 1])) {
                char a[32];
                found_buf f;
                cfg_fmt_num(a, sizeof a, s->horizons[i - 1]);
                bad = cfg_fail(c, "expected horizons strictly increasing (a "
                               "value > %s), found %s", a,
                               cfg_describe(&f, e));
            }
            cfg_path_pop(c, old);
            if (bad)
                return -1;
            s->horizons[i++] = x;
        }
        return 0;
    }
    return cfg_fail_type(c, "an object {\"start\": a, \"stop\": b, \"step\": "
                         "s} or an array of numbers", v);
}

static int read_output(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const cJSON *b;
    if (!cJSON_IsObject(v))
        return cfg_fail_type(c, "an object {\"samples_csv\": true/false}", v);
    if (cfg_check_keys(c, v, output_keys))
        return -1;
    b = cfg_member(v, "samples_csv");
    if (b != NULL) {
        size_t old = cfg_path_push_key(c, "samples_csv");
        int rc = 0;
        if (!cJSON_IsBool(b))
            rc = cfg_fail_type(c, "true or false", b);
        else
            s->write_samples = cJSON_IsTrue(b) ? 1 : 0;
        cfg_path_pop(c, old);
        return rc;
    }
    return 0;
}

/* "until": {"metric": M, "stat": S, "tolerance": T} -> "M:S:T" */
static int read_until(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    if (!cJSON_IsObject(v))
        return cfg_fail_type(c, "an object {\"metric\": ..., \"stat\": ..., "
                             "\"tolerance\": ...}", v);
    if (cfg_check_keys(c, v, until_keys))
        return -1;
    const char *txt[2] = {NULL, NULL};
    static const char *const keys[2] = {"metric", "stat"};
    for (int k = 0; k < 2; k++) {
        const cJSON *e = cfg_member(v, keys[k]);
        if (e == NULL)
            return cfg_fail_missing(c, keys[k], k == 0 ? "an output of "
                                    "summary.csv"
                                    : "mean, p01 .. p99 or p_le_2");
        size_t old = cfg_path_push_key(c, keys[k]);
        if (!cJSON_IsString(e) || strchr(e->valuestring, ':') != NULL ||
            e->valuestring[0] == '\0')
            return cfg_fail_type(c, k == 0 ? "an output of summary.csv (a "
                                 "name)" : "a statistic's name", e);
        txt[k] = e->valuestring;
        cfg_path_pop(c, old);
    }
    const cJSON *t = cfg_member(v, "tolerance");
    if (t == NULL)
        return cfg_fail_missing(c, "tolerance", "a number > 0");
    double tol = 0.0;
    size_t old = cfg_path_push_key(c, "tolerance");
    if (cfg_read_number(c, t, &tol))
        return -1;
    if (!(tol > 0))
        return cfg_fail(c, "expected a tolerance > 0, found %g", tol);
    cfg_path_pop(c, old);
    if (snprintf(s->until, sizeof s->until, "%s:%s:%.17g", txt[0], txt[1],
                 tol) >= (int)sizeof s->until)
        return cfg_fail(c, "expected shorter names, found %zu characters",
                        strlen(txt[0]) + strlen(txt[1]));
    return 0;
}

/* ======================================================================
 * Use and curve (MODEL.md version 2)
 * ====================================================================== */

/* "use": {"unit": "output token", "per": 1000000}, both required: the
 * unit of a use (printable, at most USE_UNIT_MAX characters) and the
 * count a per-use figure is for (> 0). */
static int read_use(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const cJSON *u, *p;
    const unsigned char *q;
    size_t old, chars = 0;
    double per;
    char x[32];
    if (!cJSON_IsObject(v))
        return cfg_fail_type(c, "an object {\"unit\": \"output token\", "
                             "\"per\": 1000000}", v);
    if (cfg_check_keys(c, v, use_keys))
        return -1;
    if ((u = cfg_member(v, "unit")) == NULL)
        return cfg_fail_missing(c, "unit", "the unit of one use, a non-empty "
                                "string (\"output token\")");
    if ((p = cfg_member(v, "per")) == NULL)
        return cfg_fail_missing(c, "per", "the count of uses a per-use "
                                "figure is for, a number > 0 (1000000)");
    old = cfg_path_push_key(c, "unit");
    if (!cJSON_IsString(u) || u->valuestring[0] == '\0')
        return cfg_fail_type(c, "a non-empty string naming one use "
                             "(\"output token\")", u);
    for (q = (const unsigned char *)u->valuestring; *q != '\0'; q++) {
        if (*q < 0x20 || *q == 0x7F)
            return cfg_fail(c, "expected a unit of printable characters (it "
                            "names the per-use columns' unit), found the "
                            "control character 0x%02x at character %zu; "
                            "remove it", *q, chars + 1);
        chars += (*q & 0xC0) != 0x80;
    }
    if (chars > USE_UNIT_MAX) {
        shown_buf b;
        return cfg_fail(c, "expected a unit of at most %d characters, found "
                        "%zu (\"%s\"); shorten it", USE_UNIT_MAX, chars,
                        cfg_shown(&b, u->valuestring, 40));
    }
    cfg_path_pop(c, old);
    if (cfg_read_number_at(c, v, "per", &per))
        return -1;
    if (!(per > 0))
        return cfg_fail_at_key(c, "per", "expected per > 0 (the count of uses "
                               "a per-use figure is for), found %s",
                               (cfg_fmt_num(x, sizeof x, per), x));
    if ((s->use_unit = strdup(u->valuestring)) == NULL)
        return cfg_fail(c, "expected memory for a string, found none (out of "
                        "memory)");
    s->use_per = per;
    return 0;
}

/* The multipliers of the output table ("multiplier, multiplier_energy,
 * ..."), NULL-terminated in names. */
static void multiplier_names(const char *names[MC_OUT_COUNT + 1])
{
    size_t k = 0;
    for (int o = 0; o < MC_OUT_COUNT; o++)
        if (mc_output_infos[o].curve_break_even >= 0)
            names[k++] = mc_output_infos[o].name;
    names[k] = NULL;
}

/* "curve": {"metrics": [names]}: a non-empty list of distinct
 * multipliers into *mask (bit o: output o).  Whether the scenario has
 * them is cfg_make_layout's check. */
static int read_curve(cfg_ctx *c, const cJSON *v, unsigned long long *mask)
{
    const char *names[MC_OUT_COUNT + 1];
    const cJSON *m, *e;
    char list[256];
    size_t old, i = 0;
    multiplier_names(names);
    cfg_join(list, sizeof list, names);
    if (!cJSON_IsObject(v))
        return cfg_fail_type(c, "an object {\"metrics\": [...]} (the "
                             "multipliers curve.csv covers)", v);
    if (cfg_check_keys(c, v, curve_keys))
        return -1;
    if ((m = cfg_member(v, "metrics")) == NULL)
        return cfg_fail_missing(c, "metrics", "a non-empty array of "
                                "multipliers (multiplier, multiplier_energy, "
                                "...)");
    old = cfg_path_push_key(c, "metrics");
    if (!cJSON_IsArray(m))
        return cfg_fail_type(c, "an array of multipliers' names", m);
    if (m->child == NULL)
        return cfg_fail(c, "expected at least one multiplier, found an empty "
                        "array; list some, or remove \"curve\" for every "
                        "multiplier of the scenario");
    *mask = 0;
    cJSON_ArrayForEach(e, m) {
        int o;
        shown_buf b;
        size_t o2 = cfg_path_push_index(c, i);
        if (!cJSON_IsString(e))
            return cfg_fail_type(c, "a multiplier's name", e);
        for (o = 0; o < MC_OUT_COUNT; o++)
            if (strcmp(mc_output_infos[o].name, e->valuestring) == 0)
                break;
        if (o == MC_OUT_COUNT) {
            const char *near = cfg_closest(e->valuestring, names);
            return cfg_fail(c, "expected a multiplier of MODEL.md (one of "
                            "%s)%s%s%s, found '%s'", list,
                            near ? " (did you mean '" : "", near ? near : "",
                            near ? "'?)" : "",
                            cfg_shown(&b, e->valuestring, 64));
        }
        if (mc_output_infos[o].curve_break_even < 0)
            return cfg_fail(c, "expected a multiplier (the curve covers one "
                            "of %s), found '%s', which is not one (%s)", list,
                            e->valuestring, mc_output_infos[o].doc);
        if (*mask >> o & 1u) {
            size_t j = 0;
            const cJSON *f = m->child;
            while (f != e && strcmp(f->valuestring, e->valuestring) != 0) {
                f = f->next;
                j++;
            }
            return cfg_fail(c, "expected each metric once, found '%s' again "
                            "(also at [%zu])", e->valuestring, j);
        }
        *mask |= 1ull << o;
        cfg_path_pop(c, o2);
        i++;
    }
    cfg_path_pop(c, old);
    return 0;
}

/* "curve" if the document has it (else every multiplier), then the
 * layout of the inputs read, at "$". */
static int read_curve_and_layout(cfg_ctx *c, const cJSON *root,
                                 mc_scenario *s)
{
    const cJSON *v = cfg_member(root, "curve");
    unsigned long long mask = ~0ull;
    if (v != NULL) {
        size_t old = cfg_path_push_key(c, "curve");
        int rc = read_curve(c, v, &mask);
        cfg_path_pop(c, old);
        if (rc)
            return -1;
    }
    return cfg_make_layout(c, root, mask, s);
}

/* ======================================================================
 * Sensitivity
 * ====================================================================== */

/* A method name at the current path into *out (MC_SENS_*).  Sobol'
 * indices split the variance by input, which needs independent inputs:
 * with `pairs` correlated pairs, "sobol" is an error here. */
static int read_sensitivity_method(cfg_ctx *c, const cJSON *v, size_t pairs,
                                   int *out)
{
    int m = cJSON_IsString(v) ? mc_sensitivity_find(v->valuestring) : -1;
    if (m < 0) {
        const char *names[MC_SENS_COUNT + 1], *near = NULL;
        char list[64];
        found_buf f;
        for (int i = 0; i < MC_SENS_COUNT; i++)
            names[i] = mc_sensitivity_name(i);
        names[MC_SENS_COUNT] = NULL;
        if (cJSON_IsString(v))
            near = cfg_closest(v->valuestring, names);
        mc_sensitivity_list(list, sizeof list, "\"", " or ");
        return cfg_fail(c, "expected %s, found %s%s%s%s", list,
                        cfg_describe(&f, v), near ? " (did you mean '" : "",
                        near ? near : "", near ? "'?)" : "");
    }
    if (m == MC_SENS_SOBOL && pairs > 0)
        return cfg_fail(c, "expected independent inputs for Sobol' indices "
                        "(remove \"correlations\" or use \"rank\"), found %zu "
                        "correlated pair%s", pairs, pairs == 1 ? "" : "s");
    *out = m;
    return 0;
}

/* "sensitivity": "rank" | "sobol" | "none", or {"method": ...,
 * "sobol_samples": N, "bootstrap": B}, every key optional. */
static int read_sensitivity(cfg_ctx *c, const cJSON *v, size_t pairs,
                            mc_scenario *s)
{
    uint64_t n;
    size_t old;
    int rc;
    if (cJSON_IsString(v))
        return read_sensitivity_method(c, v, pairs, &s->sensitivity);
    if (!cJSON_IsObject(v)) {
        char list[64], what[160];
        mc_sensitivity_list(list, sizeof list, "\"", ", ");
        snprintf(what, sizeof what, "%s or an object {\"method\": ..., "
                 "\"sobol_samples\": N, \"bootstrap\": B}", list);
        return cfg_fail_type(c, what, v);
    }
    if (cfg_check_keys(c, v, sensitivity_keys))
        return -1;
    if (cfg_member(v, "method") != NULL) {
        old = cfg_path_push_key(c, "method");
        rc = read_sensitivity_method(c, cfg_member(v, "method"), pairs,
                                     &s->sensitivity);
        cfg_path_pop(c, old);
        if (rc)
            return -1;
    }
    if (cfg_member(v, "sobol_samples") != NULL) {
        if (cfg_read_count_at(c, v, "sobol_samples", 2, SOBOL_SAMPLES_MAX,
                              "an integer from 2 to 10000000", &n))
            return -1;
        s->sobol_samples = n;
    }
    if (cfg_member(v, "bootstrap") != NULL) {
        if (cfg_read_count_at(c, v, "bootstrap", 0, BOOTSTRAP_MAX,
                              "an integer from 0 to 100000 (0: no intervals)",
                              &n))
            return -1;
        s->bootstrap = (uint32_t)n;
    }
    return 0;
}

/* ======================================================================
 * The scenario
 * ====================================================================== */

/* Member key of root, if the document has it, read by read at its
 * path. */
static int read_optional(cfg_ctx *c, const cJSON *root, const char *key,
                         int (*read)(cfg_ctx *, const cJSON *, mc_scenario *),
                         mc_scenario *s)
{
    const cJSON *v = cfg_member(root, key);
    size_t old;
    int rc;
    if (v == NULL)
        return 0;
    old = cfg_path_push_key(c, key);
    rc = read(c, v, s);
    cfg_path_pop(c, old);
    return rc;
}

/* What a scenario that says nothing more gets (docs/scenario-format.md). */
static void set_defaults(mc_scenario *s)
{
    s->sampling = MC_SAMPLING_RANDOM;
    s->n_corr = 0;
    s->sensitivity = MC_SENS_RANK;
    s->sobol_samples = MC_SOBOL_SAMPLES_DEFAULT;
    s->bootstrap = MC_BOOTSTRAP_DEFAULT;
    s->until[0] = '\0';
    s->write_samples = 1;
    s->use_per = 1.0;
}

/* The document is an object of known keys; its name, description,
 * assumed_usage, seed and samples. */
static int read_head(cfg_ctx *c, const cJSON *root, mc_scenario *s)
{
    if (!cJSON_IsObject(root))
        return cfg_fail_type(c, "a JSON object (the scenario)", root);
    if (cfg_check_keys(c, root, top_keys))
        return -1;
    if (cfg_read_string(c, root, "name", 1, 1, &s->name)
        || cfg_read_string(c, root, "description", 0, 0, &s->description))
        return -1;
    const cJSON *a = cfg_member(root, "assumed_usage");
    if (a != NULL) {
        size_t old = cfg_path_push_key(c, "assumed_usage");
        int rc = cJSON_IsBool(a) ? 0 : cfg_fail_type(c, "true or false", a);
        s->assumed_usage = cJSON_IsTrue(a) ? 1 : 0;
        cfg_path_pop(c, old);
        if (rc != 0)
            return rc;
    }
    if (cfg_member(root, "seed") == NULL)
        return cfg_fail_missing(c, "seed", "an integer from 0 to "
                                "18446744073709551615");
    if (cfg_read_exact_count_at(c, root, "seed", 0, UINT64_MAX, &s->seed))
        return -1;
    if (cfg_member(root, "samples") == NULL)
        return cfg_fail_missing(c, "samples", "an integer from 1 to "
                                "1000000000");
    return cfg_read_exact_count_at(c, root, "samples", 1, SAMPLES_MAX,
                                   &s->samples);
}

/* "sampling": a design's name (mc_sampling_name). */
static int read_sampling(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    int d = cJSON_IsString(v) ? mc_sampling_find(v->valuestring) : -1;
    if (d < 0) {
        char list[64];
        mc_sampling_list(list, sizeof list, "\"", " or ");
        return cfg_fail_type(c, list, v);
    }
    s->sampling = d;
    return 0;
}

/* Sobol' points have a coordinate per uncertain input and stage, up to
 * GSL's limit: the error is at $.sampling. */
static int check_sobol_dims(cfg_ctx *c, const mc_scenario *s)
{
    size_t dims = 0, old;
    if (s->sampling != MC_SAMPLING_SOBOL)
        return 0;
    for (size_t k = 0; k < s->n_stages; k++)
        dims += !mc_dist_is_fixed(&s->stages[k].dist);
    for (int j = 0; j < MC_IN_COUNT; j++)
        dims += !mc_dist_is_fixed(&s->inputs[j].dist);
    if (dims <= MC_SOBOL_MAX_DIMS)
        return 0;
    old = cfg_path_push_key(c, "sampling");
    cfg_fail(c, "expected at most %d uncertain inputs and stages for Sobol' "
             "sampling (GSL's limit), found %zu", MC_SOBOL_MAX_DIMS, dims);
    cfg_path_pop(c, old);
    return -1;
}

/* "sensitivity", after "correlations": Sobol' indices need independent
 * inputs, and each entry of a valid "correlations" is one pair. */
static int read_sensitivity_at(cfg_ctx *c, const cJSON *root, mc_scenario *s)
{
    const cJSON *v = cfg_member(root, "sensitivity");
    size_t pairs, old;
    int rc;
    if (v == NULL)
        return 0;
    pairs = s->n_corr > 0 ? (size_t)cJSON_GetArraySize(
                cfg_member(root, "correlations")) : 0;
    old = cfg_path_push_key(c, "sensitivity");
    rc = read_sensitivity(c, v, pairs, s);
    cfg_path_pop(c, old);
    return rc;
}

/* "horizons", or the default range (whose errors are at $.horizons
 * too). */
static int read_horizons_at(cfg_ctx *c, const cJSON *root, mc_scenario *s)
{
    const cJSON *v = cfg_member(root, "horizons");
    size_t old = cfg_path_push_key(c, "horizons");
    int rc = v != NULL ? read_horizons(c, v, s)
                       : horizons_range(c, DEFAULT_H_START, DEFAULT_H_STOP,
                                        DEFAULT_H_STEP, s);
    cfg_path_pop(c, old);
    return rc;
}

/* Member after member, in the order of docs/scenario-format.md, so that
 * the first error is reported; then the checks of the whole. */
int cfg_read_scenario(cfg_ctx *c, const cJSON *root, mc_scenario *s)
{
    const cJSON *v;
    size_t old;
    int rc;

    set_defaults(s);
    if (read_head(c, root, s)
        || read_optional(c, root, "sampling", read_sampling, s))
        return -1;
    if (cfg_member(root, "inputs") == NULL)
        return cfg_fail_missing(c, "inputs", "an object with one entry per "
                                "input of MODEL.md");
    if (read_optional(c, root, "inputs", cfg_read_inputs, s)
        || read_optional(c, root, "use", read_use, s)
        || read_curve_and_layout(c, root, s)
        || check_sobol_dims(c, s)
        || read_optional(c, root, "correlations", cfg_read_correlations, s)
        || read_sensitivity_at(c, root, s)
        || read_optional(c, root, "until", read_until, s)
        || read_horizons_at(c, root, s)
        || read_optional(c, root, "output", read_output, s)
        || cfg_check_inputs(c, root, s))
        return -1;
    /* last, so that the base's own errors come first; a variant's
       document has no "variants" (the recursion stops there) */
    if ((v = cfg_member(root, "variants")) == NULL)
        return 0;
    old = cfg_path_push_key(c, "variants");
    rc = cfg_read_variants(c, root, v, s);
    cfg_path_pop(c, old);
    return rc;
}
