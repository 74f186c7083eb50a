/* mc_config.c: a scenario file (docs/scenario-format.md) -> mc_scenario.
 *
 * The only file of the program that sees cJSON.  cJSON is lenient where we
 * must not be (docs/dependencies.md): its getter is case-insensitive, it keeps
 * duplicate keys silently, it reads 1e999 as infinity and it reports a
 * syntax error as a bare pointer.  So the text is checked here first
 * (UTF-8, strict RFC 8259 syntax: every syntax error with its line,
 * column and what was expected), and every object is walked here:
 * unknown keys (with the closest valid key suggested), duplicate keys and
 * non-finite numbers are errors.  Every input's draws must stay finite
 * and in the domain in double precision, and so must the model's
 * products (check_domain, check_derived).
 *
 * Every error names the JSON path of the offending value and says what was
 * expected and what was found.  Parsing builds into a local scenario that
 * one cleanup path frees on failure; *out is written only on success.
 * cJSON's error pointer is a process global: call the loaders from one
 * thread at a time (they keep no other state).
 */
#include "mc_scenario.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>

#include "mc_count.h"
#include "mc_rng.h"

/* ======================================================================
 * Tables
 * ====================================================================== */

/* MODEL.md, "Inputs": name, domain lower bound, open (>) or closed (>=),
 * unit.  In the order of mc_input_id. */
const mc_input_info mc_input_infos[MC_IN_COUNT] = {
    {"overhead",           1.0, 0, "ratio"},
    {"nodes",              0.0, 1, "nodes"},
    {"gpus_per_node",      0.0, 1, "GPUs"},
    {"representativeness", 0.0, 1, "ratio"},
    {"monthly_growth",    -1.0, 1, "ratio/month"},
    {"power_ratio",        0.0, 1, "ratio"},
    {"pue_ratio",          0.0, 1, "ratio"},
    {"lifetime_days",      0.0, 1, "days"},
    {"gpu_hour_usd",       0.0, 0, "USD"},
};

/* F is not an mc_input_id (it is the sum of the stages), but each stage
 * has this domain. */
#define FINAL_RUN "final_run_gpu_hours"
static const mc_input_info stage_info = {FINAL_RUN, 0.0, 1, "GPU-h"};

#define SAMPLES_MAX UINT64_C(1000000000)
#define HORIZONS_MAX 100000
#define FILE_MAX ((size_t)64 << 20)   /* bytes; guards against /dev/zero */
#define DEFAULT_H_START 10.0
#define DEFAULT_H_STOP 730.0
#define DEFAULT_H_STEP 10.0
#define SOBOL_SAMPLES_MAX 1e7
#define BOOTSTRAP_MAX 100000.0
#define SWEEP_VALUES_MAX 1000
#define VARIANT_NAME_MAX 64

static const char *const top_keys[] = {
    "name", "description", "seed", "samples", "sampling", "inputs",
    "correlations", "sensitivity", "until", "horizons", "output",
    "variants", NULL};
static const char *const until_keys[] = {"metric", "stat", "tolerance",
                                         NULL};
static const char *const correlation_keys[] = {"inputs", "spearman", NULL};
static const char *const horizon_keys[] = {"start", "stop", "step", NULL};
static const char *const output_keys[] = {"samples_csv", NULL};
static const char *const truncate_keys[] = {"lo", "hi", NULL};
static const char *const sensitivity_keys[] = {"method", "sobol_samples",
                                               "bootstrap", NULL};
/* indexed by MC_SENS_* */
static const char *const sensitivity_methods[] = {"rank", "sobol", "none",
                                                  NULL};
static const char *const variant_keys[] = {"name", "description", "inputs",
                                           "sweep", NULL};
static const char *const sweep_keys[] = {"input", "parameter", "values",
                                         NULL};

/* The parameters of each distribution, as scenario files name them
 * (docs/scenario-format.md).  Required keys first, then optional ones;
 * the values read are indexed in this order.  lognormal takes one of
 * three sets, all listed as optional and sorted out in build_dist. */
#define SPEC_MAX_KEYS 6
typedef struct dist_spec {
    const char *name;
    const char *keys[SPEC_MAX_KEYS];   /* NULL-terminated */
    size_t n_req;                      /* keys[0 .. n_req-1] required */
} dist_spec;

static const dist_spec dist_specs[] = {
    {"fixed",      {"value", NULL},                               1},
    {"uniform",    {"lo", "hi", NULL},                            2},
    {"normal",     {"mean", "sd", NULL},                          2},
    {"lognormal",  {"mu", "median", "sigma", "p05", "p95", NULL}, 0},
    {"triangular", {"lo", "mode", "hi", NULL},                    3},
    {"pert",       {"lo", "mode", "hi", NULL},                    3},
    {"beta",       {"a", "b", "lo", "hi", NULL},                  2},
    {"gamma",      {"shape", "scale", NULL},                      2},
    {"loguniform", {"lo", "hi", NULL},                            2},
    {"discrete",   {"values", "weights", NULL},                   1},
    {NULL, {NULL}, 0},
};

/* ======================================================================
 * Context: the JSON path being read, and error reporting
 * ====================================================================== */

/* A number's text as the file wrote it (cJSON keeps only a double). */
typedef struct num_text {
    const char *s;                    /* NULL: unknown */
    size_t len;
} num_text;

typedef struct cfg_ctx {
    mc_err *err;
    char path[sizeof ((mc_err *)0)->path];
    size_t len;
    num_text seed, samples;           /* the top-level members' text */
} cfg_ctx;

static void ctx_init(cfg_ctx *c, mc_err *err)
{
    c->err = err;
    strcpy(c->path, "$");
    c->len = 1;
    c->seed.s = c->samples.s = NULL;
    c->seed.len = c->samples.len = 0;
}

static void path_append(cfg_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void path_append(cfg_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->path + c->len, sizeof c->path - c->len, fmt, ap);
    va_end(ap);
    c->len = strlen(c->path);   /* truncated paths stay terminated */
}

/* Text from the file, made safe to show in a message: at most max
 * characters, control characters, quotes and backslashes escaped, "..."
 * when shortened; UTF-8 sequences are kept whole. */
typedef struct shown_buf { char s[160]; } shown_buf;

static const char *shown(shown_buf *b, const char *text, size_t max)
{
    size_t o = 0, chars = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p != '\0' && o + 8 < sizeof b->s) {
        if ((*p & 0xC0) != 0x80 && chars++ == max)
            break;
        if (*p < 0x20 || *p == 0x7F)
            o += (size_t)snprintf(b->s + o, sizeof b->s - o, "\\x%02x", *p);
        else if (*p == '"' || *p == '\\') {
            b->s[o++] = '\\';
            b->s[o++] = (char)*p;
        } else
            b->s[o++] = (char)*p;
        p++;
    }
    if (*p != '\0') {
        if ((*p & 0xC0) == 0x80) {   /* stopped inside a UTF-8 sequence */
            while (o > 0 && ((unsigned char)b->s[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 0)
                o--;                 /* its lead byte */
        }
        memcpy(b->s + o, "...", 4);
    } else {
        b->s[o] = '\0';
    }
    return b->s;
}

/* A key that is a plain identifier is appended as .key, any other as
 * ["key"] (escaped, shortened), so that a path stays readable and
 * unambiguous. */
static size_t path_push_key(cfg_ctx *c, const char *key)
{
    size_t old = c->len;
    int plain = key[0] != '\0';
    for (const char *p = key; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            plain = 0;
    if (plain) {
        path_append(c, ".%.64s", key);
    } else {
        shown_buf b;
        path_append(c, "[\"%s\"]", shown(&b, key, 32));
    }
    return old;
}

static size_t path_push_index(cfg_ctx *c, size_t i)
{
    size_t old = c->len;
    path_append(c, "[%zu]", i);
    return old;
}

static void path_pop(cfg_ctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

/* Fills the error with the current path and a message; returns -1. */
static int fail(cfg_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(cfg_ctx *c, const char *fmt, ...)
{
    va_list ap;
    snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* The same, at the path of a child key of the current path. */
static int fail_at_key(cfg_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at_key(cfg_ctx *c, const char *key, const char *fmt, ...)
{
    size_t old = path_push_key(c, key);
    va_list ap;
    snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
    va_end(ap);
    path_pop(c, old);
    return -1;
}

/* Shortest "%g" form that reads back as x: a decimal of at most 15
 * digits is exact in "%.15g" (DBL_DIG), so only 16 and 17 need a try.
 * Sweeps name their variants with it ("overhead-median=3.1"). */
static void fmt_num(char *buf, size_t n, double x)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* A short description of a JSON value for "found ...". */
typedef struct found_buf { char s[192]; } found_buf;

static const char *describe(found_buf *b, const cJSON *v)
{
    if (v == NULL) {
        snprintf(b->s, sizeof b->s, "nothing");
    } else if (cJSON_IsNull(v)) {
        snprintf(b->s, sizeof b->s, "null");
    } else if (cJSON_IsTrue(v)) {
        snprintf(b->s, sizeof b->s, "true");
    } else if (cJSON_IsFalse(v)) {
        snprintf(b->s, sizeof b->s, "false");
    } else if (cJSON_IsNumber(v)) {
        if (isfinite(v->valuedouble))
            fmt_num(b->s, sizeof b->s, v->valuedouble);
        else
            snprintf(b->s, sizeof b->s, "%s (a number too large for a "
                     "double)", v->valuedouble > 0 ? "inf" : "-inf");
    } else if (cJSON_IsString(v)) {
        shown_buf t;
        snprintf(b->s, sizeof b->s, "a string \"%s\"",
                 shown(&t, v->valuestring, 40));
    } else if (cJSON_IsArray(v)) {
        snprintf(b->s, sizeof b->s, "an array");
    } else if (cJSON_IsObject(v)) {
        snprintf(b->s, sizeof b->s, "an object");
    } else {
        snprintf(b->s, sizeof b->s, "an unknown JSON value");
    }
    return b->s;
}

static int fail_type(cfg_ctx *c, const char *expected, const cJSON *v)
{
    found_buf f;
    return fail(c, "expected %s, found %s", expected, describe(&f, v));
}

/* ======================================================================
 * Keys: unknown, duplicate, missing
 * ====================================================================== */

static int same_letter(char x, char y)
{
    return tolower((unsigned char)x) == tolower((unsigned char)y);
}

/* Edit distance with adjacent transpositions (optimal string alignment:
 * "stpe" is 1 from "step", not 2, so it is not taken for "stop"),
 * case-insensitive; large for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    size_t d[65][65];
    if (na > 64 || nb > 64)
        return (size_t)-1;
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t best = d[i - 1][j - 1]
                          + !same_letter(a[i - 1], b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2])
                && same_letter(a[i - 2], b[j - 1])
                && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

/* The candidate closest to word, or NULL if none is close enough to be a
 * plausible misspelling. */
static const char *closest(const char *word, const char *const *cands)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; cands[i] != NULL; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    if (best == NULL)
        return NULL;
    size_t n = strlen(best), limit = n / 3 > 2 ? n / 3 : 2;
    return bestd <= limit && bestd < n ? best : NULL;
}

static void join(char *buf, size_t n, const char *const *words)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; words[i] != NULL && len < n; i++) {
        snprintf(buf + len, n - len, "%s%s", i ? ", " : "", words[i]);
        len = strlen(buf);
    }
}

static int in_list(const char *key, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

/* Every key of obj in allowed (NULL-terminated) and none twice.  Stops at
 * the first unknown or repeated key, so it looks at no more than
 * |allowed| + 1 children. */
static int check_keys(cfg_ctx *c, const cJSON *obj,
                      const char *const *allowed)
{
    for (const cJSON *k = obj->child; k != NULL; k = k->next) {
        const char *key = k->string != NULL ? k->string : "";
        if (!in_list(key, allowed)) {
            const char *near = closest(key, allowed);
            char list[256], hint[96] = "";
            shown_buf b;
            join(list, sizeof list, allowed);
            if (near != NULL)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            return fail_at_key(c, key, "unknown key '%s'%s: expected one "
                               "of %s, found '%s'", shown(&b, key, 64), hint,
                               list, b.s);
        }
        for (const cJSON *e = obj->child; e != k; e = e->next)
            if (strcmp(e->string, key) == 0)
                return fail_at_key(c, key, "duplicate key '%s': expected "
                                   "each key at most once per object, "
                                   "found it twice", key);
    }
    return 0;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int fail_missing(cfg_ctx *c, const char *key, const char *what)
{
    return fail(c, "missing required key '%s': expected %s, found no '%s'",
                key, what, key);
}

/* ======================================================================
 * Scalars
 * ====================================================================== */

/* A finite number at the current path. */
static int read_number(cfg_ctx *c, const cJSON *v, double *out)
{
    if (!cJSON_IsNumber(v))
        return fail_type(c, "a number", v);
    if (!isfinite(v->valuedouble))
        return fail_type(c, "a finite number", v);
    *out = v->valuedouble;
    return 0;
}

static int read_number_at(cfg_ctx *c, const cJSON *obj, const char *key,
                          double *out)
{
    size_t old = path_push_key(c, key);
    int rc = read_number(c, member(obj, key), out);
    path_pop(c, old);
    return rc;
}

/* An integral number in [lo, hi] (both exact in a double). */
static int read_count(cfg_ctx *c, const cJSON *v, double lo, double hi,
                      const char *expected, uint64_t *out)
{
    double x;
    if (!cJSON_IsNumber(v))
        return fail_type(c, expected, v);
    x = v->valuedouble;
    if (!isfinite(x) || x != floor(x) || x < lo || x > hi)
        return fail_type(c, expected, v);
    *out = (uint64_t)x;
    return 0;
}

/* read_count at the path of a member. */
static int read_count_at(cfg_ctx *c, const cJSON *obj, const char *key,
                         double lo, double hi, const char *expected,
                         uint64_t *out)
{
    size_t old = path_push_key(c, key);
    int rc = read_count(c, member(obj, key), lo, hi, expected, out);
    path_pop(c, old);
    return rc;
}

/* A count read from its text (mc_count.h), not from cJSON's double,
 * which rounds above 2^53: member key of obj, at its path. */
static int read_exact_count_at(cfg_ctx *c, const cJSON *obj, const char *key,
                               const num_text *t, uint64_t lo, uint64_t hi,
                               uint64_t *out)
{
    char expected[96];
    size_t old = path_push_key(c, key);
    const cJSON *v = member(obj, key);
    int rc = 0;
    snprintf(expected, sizeof expected, "an integer from %llu to %llu",
             (unsigned long long)lo, (unsigned long long)hi);
    if (!cJSON_IsNumber(v)) {
        rc = fail_type(c, expected, v);
    } else if (t->s == NULL) {
        rc = fail(c, "expected %s, found a number whose text was not kept "
                  "(an internal error)", expected);
    } else {
        mc_count_status st = mc_count_parse(t->s, t->len, lo, hi, out);
        if (st != MC_COUNT_OK)
            rc = fail(c, "expected %s, found %.*s%s", expected, (int)t->len,
                      t->s, st == MC_COUNT_SIGN ? " (a sign is not allowed)"
                                                : "");
    }
    path_pop(c, old);
    return rc;
}

/* A copy of a string member; *out stays NULL if absent and optional. */
static int read_string(cfg_ctx *c, const cJSON *obj, const char *key,
                       int required, int nonempty, char **out)
{
    const cJSON *v = member(obj, key);
    size_t old;
    int rc = 0;
    if (v == NULL)
        return required ? fail_missing(c, key, nonempty
                                       ? "a non-empty string" : "a string")
                        : 0;
    old = path_push_key(c, key);
    if (!cJSON_IsString(v) || (nonempty && v->valuestring[0] == '\0'))
        rc = fail_type(c, nonempty ? "a non-empty string" : "a string", v);
    else if ((*out = strdup(v->valuestring)) == NULL)
        rc = fail(c, "expected memory for a string, found none (out of "
                  "memory)");
    path_pop(c, old);
    return rc;
}

/* ======================================================================
 * Distributions
 * ====================================================================== */

static const dist_spec *spec_find(const char *name)
{
    for (const dist_spec *s = dist_specs; s->name != NULL; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static size_t spec_index(const dist_spec *s, const char *key)
{
    size_t i = 0;
    while (s->keys[i] != NULL && strcmp(s->keys[i], key) != 0)
        i++;
    return i;
}

/* The numeric parameters read from one distribution object. */
typedef struct dist_params {
    const dist_spec *spec;
    double v[SPEC_MAX_KEYS];
    int has[SPEC_MAX_KEYS];
} dist_params;

static double pv(const dist_params *p, const char *key)
{
    return p->v[spec_index(p->spec, key)];
}

static int ph(const dist_params *p, const char *key)
{
    size_t i = spec_index(p->spec, key);
    return i < SPEC_MAX_KEYS && p->spec->keys[i] != NULL && p->has[i];
}

/* A beta or gamma shape mc_dist_check accepts (mc_dist.h). */
static int shape_ok(double x)
{
    return x >= MC_DIST_SHAPE_MIN && x <= MC_DIST_SHAPE_MAX;
}

/* After mc_dist_check (or a constructor) rejected the parameters: the key
 * to blame when one parameter alone is out of its domain, or NULL when
 * only the combination is wrong (lo >= hi, p05 >= p95): then the error
 * points at the distribution object.  Mirrors the rules of
 * docs/scenario-format.md; the message itself is mc_dist's. */
static const char *blame(const dist_params *p)
{
    const char *n = p->spec->name;
    if (strcmp(n, "normal") == 0)
        return !(pv(p, "sd") > 0) ? "sd" : NULL;
    if (strcmp(n, "lognormal") == 0) {
        if (ph(p, "sigma") && !(pv(p, "sigma") > 0))
            return "sigma";
        if (ph(p, "median") && !(pv(p, "median") > 0))
            return "median";
        if (ph(p, "p05") && !(pv(p, "p05") > 0))
            return "p05";
        if (ph(p, "p95") && !(pv(p, "p95") > 0))
            return "p95";
        return NULL;
    }
    if (strcmp(n, "triangular") == 0 || strcmp(n, "pert") == 0) {
        double lo = pv(p, "lo"), mode = pv(p, "mode"), hi = pv(p, "hi");
        return lo < hi && (mode < lo || mode > hi) ? "mode" : NULL;
    }
    if (strcmp(n, "beta") == 0) {
        if (!shape_ok(pv(p, "a")))
            return "a";
        return !shape_ok(pv(p, "b")) ? "b" : NULL;
    }
    if (strcmp(n, "gamma") == 0) {
        if (!shape_ok(pv(p, "shape")))
            return "shape";
        return !(pv(p, "scale") > 0) ? "scale" : NULL;
    }
    if (strcmp(n, "loguniform") == 0)
        return !(pv(p, "lo") > 0) ? "lo" : NULL;
    if (strcmp(n, "fixed") == 0)
        return "value";
    return NULL;
}

static int fail_param(cfg_ctx *c, const char *key, const char *msg)
{
    return key != NULL ? fail_at_key(c, key, "%s", msg) : fail(c, "%s", msg);
}

/* An array member of numbers: *out is malloc'ed (n may be 0). */
static int read_number_array(cfg_ctx *c, const cJSON *obj, const char *key,
                             double **out, size_t *n)
{
    const cJSON *arr = member(obj, key), *e;
    size_t old = path_push_key(c, key), i = 0;
    double *v = NULL;
    int rc = -1;
    if (!cJSON_IsArray(arr)) {
        fail_type(c, "an array of numbers", arr);
        goto out;
    }
    *n = (size_t)cJSON_GetArraySize(arr);
    v = malloc((*n ? *n : 1) * sizeof *v);
    if (v == NULL) {
        fail(c, "expected memory for %zu numbers, found none (out of "
             "memory)", *n);
        goto out;
    }
    cJSON_ArrayForEach(e, arr) {
        size_t o = path_push_index(c, i);
        int bad = read_number(c, e, &v[i]);
        path_pop(c, o);
        if (bad)
            goto out;
        i++;
    }
    *out = v;
    v = NULL;
    rc = 0;
out:
    free(v);
    path_pop(c, old);
    return rc;
}

static int build_discrete(cfg_ctx *c, const cJSON *obj, mc_dist *d)
{
    double *values = NULL, *weights = NULL;
    size_t n = 0, nw = 0;
    char msg[sizeof ((mc_err *)0)->msg];
    int rc = -1;
    if (read_number_array(c, obj, "values", &values, &n))
        goto out;
    if (member(obj, "weights") != NULL) {
        if (read_number_array(c, obj, "weights", &weights, &nw))
            goto out;
        if (nw != n) {
            fail_at_key(c, "weights", "expected %zu weights (one per value),"
                        " found %zu", n, nw);
            goto out;
        }
    } else {
        weights = malloc((n ? n : 1) * sizeof *weights);
        if (weights == NULL) {
            fail(c, "expected memory for %zu weights, found none (out of "
                 "memory)", n);
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            weights[i] = 1.0;
    }
    if (mc_dist_discrete(d, n, values, weights, msg, sizeof msg)) {
        size_t neg = 0;
        while (neg < n && weights[neg] >= 0)
            neg++;
        if (n == 0) {
            fail_at_key(c, "values", "%s", msg);
        } else if (neg < n) {
            size_t o = path_push_key(c, "weights");
            size_t o2 = path_push_index(c, neg);
            fail(c, "%s", msg);
            path_pop(c, o2);
            path_pop(c, o);
        } else {
            fail_param(c, member(obj, "weights") ? "weights" : NULL, msg);
        }
        goto out;
    }
    rc = 0;
out:
    free(values);
    free(weights);
    return rc;
}

/* Builds *d from the parameters read; checks it with mc_dist_check. */
static int build_dist(cfg_ctx *c, const cJSON *obj, const dist_params *p,
                      mc_dist *d)
{
    const char *n = p->spec->name;
    char msg[sizeof ((mc_err *)0)->msg];
    int rc = 0;
    msg[0] = '\0';
    if (strcmp(n, "discrete") == 0) {
        if (build_discrete(c, obj, d))
            return -1;
    } else if (strcmp(n, "fixed") == 0) {
        *d = mc_dist_fixed(pv(p, "value"));
    } else if (strcmp(n, "uniform") == 0) {
        *d = mc_dist_uniform(pv(p, "lo"), pv(p, "hi"));
    } else if (strcmp(n, "normal") == 0) {
        *d = mc_dist_normal(pv(p, "mean"), pv(p, "sd"));
    } else if (strcmp(n, "lognormal") == 0) {
        int mu = ph(p, "mu"), med = ph(p, "median"), sg = ph(p, "sigma");
        int p05 = ph(p, "p05"), p95 = ph(p, "p95");
        if (mu && sg && !med && !p05 && !p95) {
            *d = mc_dist_lognormal(pv(p, "mu"), pv(p, "sigma"));
        } else if (med && sg && !mu && !p05 && !p95) {
            rc = mc_dist_lognormal_median(d, pv(p, "median"),
                                          pv(p, "sigma"), msg, sizeof msg);
        } else if (p05 && p95 && !mu && !med && !sg) {
            rc = mc_dist_lognormal_interval(d, pv(p, "p05"), pv(p, "p95"),
                                            msg, sizeof msg);
        } else {
            char found[64] = "";
            for (size_t i = 0; p->spec->keys[i] != NULL; i++)
                if (p->has[i]) {
                    size_t l = strlen(found);
                    snprintf(found + l, sizeof found - l, "%s%s",
                             l ? ", " : "", p->spec->keys[i]);
                }
            return fail(c, "expected exactly one of the lognormal parameter "
                        "sets {mu, sigma}, {median, sigma} or {p05, p95}, "
                        "found {%s}", found);
        }
    } else if (strcmp(n, "triangular") == 0) {
        *d = mc_dist_triangular(pv(p, "lo"), pv(p, "mode"), pv(p, "hi"));
    } else if (strcmp(n, "pert") == 0) {
        *d = mc_dist_pert(pv(p, "lo"), pv(p, "mode"), pv(p, "hi"));
    } else if (strcmp(n, "beta") == 0) {
        *d = mc_dist_beta(pv(p, "a"), pv(p, "b"),
                          ph(p, "lo") ? pv(p, "lo") : 0.0,
                          ph(p, "hi") ? pv(p, "hi") : 1.0);
    } else if (strcmp(n, "gamma") == 0) {
        *d = mc_dist_gamma(pv(p, "shape"), pv(p, "scale"));
    } else if (strcmp(n, "loguniform") == 0) {
        *d = mc_dist_loguniform(pv(p, "lo"), pv(p, "hi"));
    } else {
        return fail(c, "expected a distribution the scenario reader knows, "
                    "found \"%s\" (known to mc_dist only)", n);
    }
    if (rc == 0)
        rc = mc_dist_check(d, msg, sizeof msg);
    if (rc != 0) {
        if (msg[0] == '\0')
            snprintf(msg, sizeof msg, "expected valid %s parameters, found "
                     "parameters mc_dist rejects", n);
        return fail_param(c, blame(p), msg);
    }
    return 0;
}

/* Known distribution names for messages: "fixed, uniform, ...". */
static void known_dists(char *buf, size_t n)
{
    const char *names[32];
    size_t k = 0;
    for (size_t i = 0; mc_dist_types[i] != NULL && k < 31; i++)
        names[k++] = mc_dist_types[i]->name;
    names[k] = NULL;
    join(buf, n, names);
}

static int fail_dist_name(cfg_ctx *c, const cJSON *v)
{
    char list[256];
    found_buf f;
    const char *names[32], *near = NULL;
    size_t k = 0;
    for (size_t i = 0; mc_dist_types[i] != NULL && k < 31; i++)
        names[k++] = mc_dist_types[i]->name;
    names[k] = NULL;
    known_dists(list, sizeof list);
    if (cJSON_IsString(v))
        near = closest(v->valuestring, names);
    if (near != NULL)
        return fail(c, "expected a distribution name (one of %s), found %s "
                    "(did you mean '%s'?)", list, describe(&f, v), near);
    return fail(c, "expected a distribution name (one of %s), found %s",
                list, describe(&f, v));
}

/* "truncate": {"lo": x, "hi": y}, either optional. */
static int read_truncate(cfg_ctx *c, const cJSON *t, mc_dist *d)
{
    double lo = -HUGE_VAL, hi = HUGE_VAL;
    char msg[sizeof ((mc_err *)0)->msg];
    size_t old = path_push_key(c, "truncate");
    int rc = -1;
    msg[0] = '\0';
    if (!cJSON_IsObject(t)) {
        fail_type(c, "an object {\"lo\": x, \"hi\": y}", t);
        goto out;
    }
    if (check_keys(c, t, truncate_keys))
        goto out;
    if (member(t, "lo") != NULL && read_number_at(c, t, "lo", &lo))
        goto out;
    if (member(t, "hi") != NULL && read_number_at(c, t, "hi", &hi))
        goto out;
    if (mc_dist_truncate(d, lo, hi, msg, sizeof msg)) {
        if (msg[0] == '\0')
            snprintf(msg, sizeof msg, "expected a truncation with "
                     "probability mass, found one mc_dist rejects");
        if (d->type->continuous && lo < hi) {
            /* where the mass is, so that the user can move the bounds */
            double a = mc_dist_quantile(d, 0.001), b = mc_dist_quantile(d,
                                                                  0.999);
            fail(c, "%s; this %s has 99.8%% of its mass between %.4g and "
                 "%.4g", msg, d->type->name, a, b);
        } else {
            fail(c, "%s", msg);
        }
        goto out;
    }
    rc = 0;
out:
    path_pop(c, old);
    return rc;
}

/* ======================================================================
 * Inputs
 * ====================================================================== */

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

/* The largest value d can draw (at most its upper REACH_P quantile), and
 * the smallest one when its support starts at an open end of the family
 * (lognormal and gamma at 0); else *lo is the support's lower end. */
static void reach(const mc_dist *d, double *lo, double *hi)
{
    const mc_dist_type *t = d->type;
    double mass = d->truncated ? d->mass : 1.0;
    *lo = mc_dist_support_lo(d);
    *hi = mc_dist_support_hi(d);
    if (!t->continuous)
        return;
    if (!isfinite(*hi))      /* the base's upper tail (hi not truncated) */
        *hi = t->quantile_q(d, REACH_P * mass);
    if (t->support == NULL && *lo == t->support_lo && isfinite(*lo))
        *lo = t->quantile(d, (d->truncated ? d->flo : 0.0)
                             + REACH_P * mass);
}

/* A distribution whose every draw is one value (in double precision: its
 * quantiles REACH_P from either end are equal) is a fixed value in
 * disguise, and the value is what the run would use: say so, and name a
 * fixed value (inside the domain, or the domain to pick one from). */
static int check_spread(cfg_ctx *c, const mc_dist *d,
                        const mc_input_info *info, const char *what)
{
    double a, b;
    char v[32], lo_s[32];
    if (strcmp(d->type->name, "fixed") == 0)
        return 0;
    mc_dist_reach(d, &a, &b);
    if (!(a == b))
        return 0;
    fmt_num(v, sizeof v, a);
    fmt_num(lo_s, sizeof lo_s, info->lo);
    if (info->lo_open ? a > info->lo && (info->lo != 0 || a >= DBL_MIN)
                      : a >= info->lo)
        return fail(c, "expected a distribution whose draws differ, found "
                    "a %s whose every draw is %s in double precision (its "
                    "quantiles %g from either end are equal); use a fixed "
                    "value instead: \"value\": %s, or widen it", d->type->name,
                    v, REACH_P, v);
    return fail(c, "expected a distribution whose draws differ, found a %s "
                "whose every draw is %s in double precision (its quantiles "
                "%g from either end are equal), outside %s %s %s "
                "(MODEL.md); use a fixed value %s %s, or widen it",
                d->type->name, v, REACH_P, what, info->lo_open ? ">" : ">=",
                lo_s, info->lo_open ? ">" : ">=", lo_s);
}

/* Does every draw of d lie in the input's domain?  For an open bound
 * (x > lo), a support that starts exactly at lo passes only when it is
 * the distribution family's own open end (lognormal and gamma at 0, not
 * set by a parameter, truncated or not), which no draw reaches unless it
 * underflows (checked by reach); a parameter bound (uniform from 0) or a
 * truncation bound above it may be drawn, up to rounding.  v is the
 * input's JSON value, to point at a discrete value out of the domain. */
static int check_domain(cfg_ctx *c, const cJSON *v, const mc_dist *d,
                        const mc_input_info *info, const char *stage,
                        const char *value_key)
{
    double s = mc_dist_support_lo(d), lo = info->lo, rlo, rhi;
    const char *op = info->lo_open ? ">" : ">=";
    char what[256], lo_s[32], s_s[32], p_s[64] = "";
    /* a value of a "> 0" input also has to be a normal double: a
       subnormal one is 0 for the model's quotients (see reach) */
    const double min_x = info->lo_open && lo == 0 ? DBL_MIN : lo;
    const char *normal = min_x > lo ? " and a normal double (>= 2.2e-308)"
                                    : "";
    int ok;
    if (info->lo_open)      /* the family's own open end is never drawn */
        ok = (s > lo && (d->type->continuous || s >= min_x))
             || (s == lo && d->type->continuous
                 && d->type->support == NULL
                 && d->type->support_lo == lo);
    else
        ok = s >= lo;
    if (stage != NULL) {
        shown_buf b;
        snprintf(what, sizeof what, "%s (stage '%s')", info->name,
                 shown(&b, stage, 64));
    }
    else
        snprintf(what, sizeof what, "%s", info->name);
    fmt_num(lo_s, sizeof lo_s, lo);
    if (check_spread(c, d, info, what))
        return -1;
    if (ok) {
        reach(d, &rlo, &rhi);
        if (!(rhi < HUGE_VAL))
            return fail(c, "expected finite values of %s, found a %s "
                        "distribution whose draws overflow to inf in double "
                        "precision (its upper %g quantile is %g); narrow it, "
                        "or truncate it: \"truncate\": {\"hi\": x}", what,
                        d->type->name, REACH_P, rhi);
        /* an open bound at 0 is reached by underflow: to 0, or to a
           subnormal number that the model's quotients turn into inf */
        if (info->lo_open ? !(rlo > lo) || (lo == 0 && rlo < DBL_MIN)
                          : !(rlo >= lo))
            return fail(c, "expected values of %s %s %s (MODEL.md), found a "
                        "%s distribution whose draws underflow in double "
                        "precision (its %g quantile is %g, below the "
                        "smallest normal double %g); narrow it, or truncate "
                        "it: \"truncate\": {\"lo\": x} with x %s %s", what,
                        op, lo_s, d->type->name, REACH_P, rlo, DBL_MIN, op,
                        lo_s);
        return 0;
    }
    fmt_num(s_s, sizeof s_s, s);
    if (strcmp(d->type->name, "fixed") == 0) {
        char msg[sizeof ((mc_err *)0)->msg];
        snprintf(msg, sizeof msg, "expected %s %s %s (MODEL.md)%s, found %s;"
                 " change the value", what, op, lo_s, normal, s_s);
        return fail_param(c, value_key, msg);
    }
    if (!d->type->continuous) {
        /* blame the first value outside the domain, where it is written */
        const cJSON *e;
        size_t i = 0;
        cJSON_ArrayForEach(e, member(v, "values")) {
            double x = e->valuedouble;
            if (info->lo_open ? !(x > lo && x >= min_x) : !(x >= lo)) {
                size_t old = path_push_key(c, "values");
                path_push_index(c, i);
                fmt_num(s_s, sizeof s_s, x);
                fail(c, "expected values of %s %s %s (MODEL.md)%s, found %s;"
                     " change this value", what, op, lo_s, normal, s_s);
                path_pop(c, old);
                return -1;
            }
            i++;
        }
        return fail(c, "expected values of %s %s %s (MODEL.md), found a "
                    "%s distribution with the value %s; change its values",
                    what, op, lo_s, d->type->name, s_s);
    }
    {
        double pr = mc_dist_cdf(d, lo);
        if (pr > 0 && pr <= 1)
            snprintf(p_s, sizeof p_s, " (P(x %s %s) = %.3g)",
                     info->lo_open ? "<=" : "<", lo_s, pr);
    }
    if (info->lo_open)
        return fail(c, "expected values of %s %s %s (MODEL.md), found a %s "
                    "distribution reaching %s%s; truncate it: \"truncate\": "
                    "{\"lo\": x} with x > %s", what, op, lo_s,
                    d->type->name, s_s, p_s, lo_s);
    return fail(c, "expected values of %s %s %s (MODEL.md), found a %s "
                "distribution reaching %s%s; truncate it: \"truncate\": "
                "{\"lo\": %s}", what, op, lo_s, d->type->name, s_s, p_s,
                lo_s);
}

/* Is key a parameter of some distribution (other than a fixed value)? */
static int is_param_key(const char *key)
{
    for (const dist_spec *s = dist_specs; s->name != NULL; s++)
        if (strcmp(s->name, "fixed") != 0 && in_list(key, s->keys))
            return 1;
    return 0;
}

/* A distribution object (with "dist") at the current path into *d. */
static int read_dist_object(cfg_ctx *c, const cJSON *v, int is_stage,
                            mc_dist *d)
{
    const cJSON *dv = member(v, "dist"), *t;
    const mc_dist_type *type = NULL;
    const dist_spec *spec;
    const char *allowed[SPEC_MAX_KEYS + 6];
    dist_params p;
    size_t k = 0, old;

    old = path_push_key(c, "dist");
    if (cJSON_IsString(dv))
        type = mc_dist_type_find(dv->valuestring);
    if (type == NULL) {
        fail_dist_name(c, dv);
        path_pop(c, old);
        return -1;
    }
    path_pop(c, old);
    spec = spec_find(type->name);
    if (spec == NULL)
        return fail_at_key(c, "dist", "expected a distribution the scenario"
                           " reader knows, found \"%s\" (known to mc_dist "
                           "only)", type->name);

    allowed[k++] = "dist";
    for (size_t i = 0; spec->keys[i] != NULL; i++)
        allowed[k++] = spec->keys[i];
    allowed[k++] = "truncate";
    allowed[k++] = "source";
    if (is_stage)
        allowed[k++] = "name";
    allowed[k] = NULL;
    if (check_keys(c, v, allowed))
        return -1;

    memset(&p, 0, sizeof p);
    p.spec = spec;
    if (strcmp(spec->name, "discrete") != 0) {
        for (size_t i = 0; spec->keys[i] != NULL; i++) {
            if (member(v, spec->keys[i]) != NULL) {
                if (read_number_at(c, v, spec->keys[i], &p.v[i]))
                    return -1;
                p.has[i] = 1;
            } else if (i < spec->n_req) {
                char need[96], what[160];
                join(need, sizeof need, spec->keys);
                snprintf(what, sizeof what, "a number (%s takes %s)",
                         spec->name, need);
                return fail_missing(c, spec->keys[i], what);
            }
        }
    } else if (member(v, "values") == NULL) {
        return fail_missing(c, "values", "an array of numbers (discrete "
                            "takes values and optional weights)");
    }
    if (build_dist(c, v, &p, d))
        return -1;
    t = member(v, "truncate");
    if (t != NULL && read_truncate(c, t, d))
        return -1;
    return 0;
}

/* One input at the current path: a number, {"value": v, "source": ...}
 * or a distribution object.  A stage (is_stage) is an object with a
 * required, non-empty "name".  Fills *out only on success. */
static int read_input(cfg_ctx *c, const cJSON *v, const mc_input_info *info,
                      int is_stage, mc_input *out)
{
    mc_dist d;
    char *name = NULL, *source = NULL;
    const char *value_key = NULL;
    char msg[sizeof ((mc_err *)0)->msg];
    int rc = -1;
    memset(&d, 0, sizeof d);

    if (cJSON_IsNumber(v) && !is_stage) {
        double x = 0;
        if (read_number(c, v, &x))
            goto out;
        d = mc_dist_fixed(x);
        if (mc_dist_check(&d, msg, sizeof msg)) {
            fail(c, "%s", msg);
            goto out;
        }
    } else if (cJSON_IsObject(v)) {
        if (member(v, "dist") != NULL) {
            if (read_dist_object(c, v, is_stage, &d))
                goto out;
            if (strcmp(d.type->name, "fixed") == 0)
                value_key = "value";
        } else {
            static const char *const fixed_keys[] = {
                "dist", "value", "source", NULL};
            static const char *const stage_keys[] = {
                "dist", "value", "source", "name", NULL};
            const cJSON *k;
            double x;
            cJSON_ArrayForEach(k, v)
                if (is_param_key(k->string)) {
                    char list[256];
                    known_dists(list, sizeof list);
                    fail(c, "missing required key 'dist': expected a "
                         "distribution name (one of %s) beside the "
                         "parameter '%s', found no 'dist'", list,
                         k->string);
                    goto out;
                }
            if (member(v, "truncate") != NULL) {
                fail_at_key(c, "truncate", "expected a continuous "
                            "distribution to truncate, found a fixed value "
                            "(give \"dist\" and its parameters, or remove "
                            "\"truncate\")");
                goto out;
            }
            if (check_keys(c, v, is_stage ? stage_keys : fixed_keys))
                goto out;
            if (member(v, "value") == NULL) {
                fail(c, "missing required key 'value': expected a number "
                     "(or a distribution object with \"dist\"), found no "
                     "'value'");
                goto out;
            }
            if (read_number_at(c, v, "value", &x))
                goto out;
            d = mc_dist_fixed(x);
            value_key = "value";
            if (mc_dist_check(&d, msg, sizeof msg)) {
                fail_at_key(c, "value", "%s", msg);
                goto out;
            }
        }
        if (is_stage && read_string(c, v, "name", 1, 1, &name))
            goto out;
        if (read_string(c, v, "source", 0, 0, &source))
            goto out;
    } else {
        fail_type(c, is_stage ? "a stage object {\"name\": ..., \"value\": "
                  "...} or {\"name\": ..., \"dist\": ...}"
                  : "a number or an object with \"value\" or \"dist\"", v);
        goto out;
    }
    if (check_domain(c, v, &d, info, name, value_key))
        goto out;
    if (name == NULL && (name = strdup(info->name)) == NULL) {
        fail(c, "expected memory for a name, found none (out of memory)");
        goto out;
    }
    out->name = name;
    out->source = source;
    out->dist = d;
    out->stream = 0;
    name = source = NULL;
    memset(&d, 0, sizeof d);
    rc = 0;
out:
    free(name);
    free(source);
    mc_dist_free(&d);
    return rc;
}

/* final_run_gpu_hours: one input (a single stage with the input's name)
 * or an array of named stages. */
static int read_stages(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const cJSON *e;
    size_t n, i = 0, len;
    char *stream;

    if (!cJSON_IsArray(v)) {
        s->stages = calloc(1, sizeof *s->stages);
        if (s->stages == NULL)
            return fail(c, "expected memory for a stage, found none (out "
                        "of memory)");
        s->n_stages = 1;
        if (read_input(c, v, &stage_info, 0, &s->stages[0]))
            return -1;
        s->stages[0].stream = mc_rng_stream_id(FINAL_RUN);
        return 0;
    }
    n = (size_t)cJSON_GetArraySize(v);
    if (n == 0)
        return fail(c, "expected at least one stage, found an empty array");
    s->stages = calloc(n, sizeof *s->stages);
    if (s->stages == NULL)
        return fail(c, "expected memory for %zu stages, found none (out of "
                    "memory)", n);
    s->n_stages = n;      /* zeroed entries are safe to free */
    cJSON_ArrayForEach(e, v) {
        size_t old = path_push_index(c, i);
        mc_input *st = &s->stages[i];
        if (read_input(c, e, &stage_info, 1, st)) {
            path_pop(c, old);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->stages[j].name, st->name) == 0) {
                shown_buf b;
                fail_at_key(c, "name", "expected a stage name unique within"
                            " %s, found \"%s\" again (also at [%zu])",
                            FINAL_RUN, shown(&b, st->name, 64), j);
                path_pop(c, old);
                return -1;
            }
        len = sizeof FINAL_RUN + 1 + strlen(st->name);
        if ((stream = malloc(len)) == NULL) {
            path_pop(c, old);
            return fail(c, "expected memory for a stream name, found none "
                        "(out of memory)");
        }
        snprintf(stream, len, "%s/%s", FINAL_RUN, st->name);
        st->stream = mc_rng_stream_id(stream);
        free(stream);
        path_pop(c, old);
        i++;
    }
    return 0;
}

/* The keys of "inputs": final_run_gpu_hours, then MODEL.md's order. */
static void input_keys(const char *keys[MC_IN_COUNT + 2])
{
    keys[0] = FINAL_RUN;
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        keys[i + 1] = mc_input_infos[i].name;
    keys[MC_IN_COUNT + 1] = NULL;
}

static int read_inputs(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const char *keys[MC_IN_COUNT + 2];
    const cJSON *e;
    size_t old;
    input_keys(keys);

    if (!cJSON_IsObject(v))
        return fail_type(c, "an object with one entry per input of "
                         "MODEL.md", v);
    if (check_keys(c, v, keys))
        return -1;
    for (size_t i = 0; keys[i] != NULL; i++)
        if (member(v, keys[i]) == NULL)
            return fail(c, "missing required key '%s': expected every input"
                        " of MODEL.md (%s, %s, %s, ...), found no '%s'",
                        keys[i], keys[0], keys[1], keys[2], keys[i]);
    e = member(v, FINAL_RUN);
    old = path_push_key(c, FINAL_RUN);
    if (read_stages(c, e, s)) {
        path_pop(c, old);
        return -1;
    }
    path_pop(c, old);
    for (size_t i = 0; i < MC_IN_COUNT; i++) {
        const mc_input_info *info = &mc_input_infos[i];
        old = path_push_key(c, info->name);
        if (read_input(c, member(v, info->name), info, 0, &s->inputs[i])) {
            path_pop(c, old);
            return -1;
        }
        s->inputs[i].stream = mc_rng_stream_id(info->name);
        path_pop(c, old);
    }
    return 0;
}

/* ======================================================================
 * Horizons, output, streams
 * ====================================================================== */

static int horizons_range(cfg_ctx *c, double start, double stop,
                          double step, mc_scenario *s)
{
    double q = (stop - start) / step + 1e-9;
    size_t n;
    if (!(q < HORIZONS_MAX))
        return fail(c, "expected at most %d horizons, found %.0f (from "
                    "start, stop and step)", HORIZONS_MAX, floor(q) + 1);
    n = (size_t)floor(q) + 1;
    s->horizons = malloc(n * sizeof *s->horizons);
    if (s->horizons == NULL)
        return fail(c, "expected memory for %zu horizons, found none (out "
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
            fmt_num(st, sizeof st, step);
            return fail_at_key(c, "step", "expected a step that keeps the "
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
        if (check_keys(c, v, horizon_keys))
            return -1;
        for (size_t i = 0; horizon_keys[i] != NULL; i++)
            if (member(v, horizon_keys[i]) == NULL)
                return fail_missing(c, horizon_keys[i], "a number (the "
                                    "range form takes start, stop and step)");
        if (read_number_at(c, v, "start", &start)
            || read_number_at(c, v, "stop", &stop)
            || read_number_at(c, v, "step", &step))
            return -1;
        if (!(start > 0))
            return fail_at_key(c, "start", "expected start > 0, found %s",
                               (fmt_num(a, sizeof a, start), a));
        if (!(step > 0))
            return fail_at_key(c, "step", "expected step > 0, found %s",
                               (fmt_num(a, sizeof a, step), a));
        if (!(stop >= start)) {
            char b[32];
            fmt_num(a, sizeof a, start);
            fmt_num(b, sizeof b, stop);
            return fail_at_key(c, "stop", "expected stop >= start (%s), "
                               "found %s", a, b);
        }
        return horizons_range(c, start, stop, step, s);
    }
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        if (n == 0)
            return fail(c, "expected at least one horizon, found an empty "
                        "array");
        if (n > HORIZONS_MAX)
            return fail(c, "expected at most %d horizons, found %zu",
                        HORIZONS_MAX, n);
        s->horizons = malloc(n * sizeof *s->horizons);
        if (s->horizons == NULL)
            return fail(c, "expected memory for %zu horizons, found none "
                        "(out of memory)", n);
        s->n_horizons = n;
        cJSON_ArrayForEach(e, v) {
            size_t old = path_push_index(c, i);
            double x = 0;
            int bad = read_number(c, e, &x);
            if (!bad && !(x > 0)) {
                found_buf f;
                bad = fail(c, "expected a horizon > 0 (days), found %s",
                           describe(&f, e));
            } else if (!bad && i > 0 && !(x > s->horizons[i - 1])) {
                char a[32];
                found_buf f;
                fmt_num(a, sizeof a, s->horizons[i - 1]);
                bad = fail(c, "expected horizons strictly increasing (a "
                           "value > %s), found %s", a, describe(&f, e));
            }
            path_pop(c, old);
            if (bad)
                return -1;
            s->horizons[i++] = x;
        }
        return 0;
    }
    return fail_type(c, "an object {\"start\": a, \"stop\": b, \"step\": s} "
                     "or an array of numbers", v);
}

static int read_output(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const cJSON *b;
    if (!cJSON_IsObject(v))
        return fail_type(c, "an object {\"samples_csv\": true/false}", v);
    if (check_keys(c, v, output_keys))
        return -1;
    b = member(v, "samples_csv");
    if (b != NULL) {
        size_t old = path_push_key(c, "samples_csv");
        int rc = 0;
        if (!cJSON_IsBool(b))
            rc = fail_type(c, "true or false", b);
        else
            s->write_samples = cJSON_IsTrue(b) ? 1 : 0;
        path_pop(c, old);
        return rc;
    }
    return 0;
}

/* The stream name of entry i: inputs first, then stages. */
static void stream_name(const mc_scenario *s, size_t i, int single,
                        char *buf, size_t n)
{
    if (i < MC_IN_COUNT)
        snprintf(buf, n, "%s", mc_input_infos[i].name);
    else if (single)
        snprintf(buf, n, "%s", FINAL_RUN);
    else {
        shown_buf b;
        snprintf(buf, n, "%s/%s", FINAL_RUN,
                 shown(&b, s->stages[i - MC_IN_COUNT].name, 64));
    }
}

typedef struct stream_ref { uint32_t id; size_t i; } stream_ref;

static int cmp_stream(const void *a, const void *b)
{
    const stream_ref *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* No two inputs may share a random stream (FNV-1a ids can collide). */
static int check_streams(cfg_ctx *c, const mc_scenario *s, int single)
{
    size_t n = MC_IN_COUNT + s->n_stages;
    stream_ref *r = malloc(n * sizeof *r);
    size_t old = c->len;
    int rc = 0;
    if (r == NULL)
        return fail(c, "expected memory for %zu streams, found none (out of "
                    "memory)", n);
    for (size_t i = 0; i < n; i++) {
        r[i].i = i;
        r[i].id = i < MC_IN_COUNT ? s->inputs[i].stream
                                  : s->stages[i - MC_IN_COUNT].stream;
    }
    qsort(r, n, sizeof *r, cmp_stream);
    for (size_t k = 1; k < n && rc == 0; k++) {
        if (r[k].id != r[k - 1].id)
            continue;
        char a[128], b[128];
        size_t later = r[k].i;
        stream_name(s, r[k - 1].i, single, a, sizeof a);
        stream_name(s, later, single, b, sizeof b);
        path_push_key(c, "inputs");
        if (later < MC_IN_COUNT) {
            path_push_key(c, mc_input_infos[later].name);
        } else {
            path_push_key(c, FINAL_RUN);
            if (!single) {
                path_push_index(c, later - MC_IN_COUNT);
                path_push_key(c, "name");
            }
        }
        rc = fail(c, "expected a distinct random stream for every input, "
                  "found '%s' and '%s' sharing stream id 0x%08x (FNV-1a of "
                  "the names); rename one", a, b, (unsigned)r[k].id);
        path_pop(c, old);
    }
    free(r);
    return rc;
}

/* The model's products and quotients (MODEL.md) stay finite in double
 * precision for every combination of draws: else inputs that are each in
 * their domain would give inf where MODEL.md does not say "never" (a
 * multiplier of inf, training of inf GPU-hours).  Bounds from each
 * input's reach, at the current path ($.inputs):
 *   F = sum of the stages, T = k F, I0 = n g_n 24 R, E = r p,
 *   C(x) >= I0 min(x, 1/a) / 2 for x >= the shortest lifetime or horizon,
 *   where a = -ln(1 + m) / 30.4375 is the fastest decay (0 if none), so
 *   t <= T / (E I0) when finite and M <= 1 + T / (E C). */
static int check_derived(cfg_ctx *c, const mc_scenario *s)
{
    double lo[MC_IN_COUNT], hi[MC_IN_COUNT], f = 0, t, i0lo, i0hi, e, a, x;
    char v[32];
    for (size_t i = 0; i < s->n_stages; i++) {
        double l, h;
        reach(&s->stages[i].dist, &l, &h);
        f += h;
    }
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        reach(&s->inputs[i].dist, &lo[i], &hi[i]);
    t = hi[MC_IN_OVERHEAD] * f;
    i0hi = hi[MC_IN_NODES] * hi[MC_IN_GPUS_PER_NODE] * 24.0
           * hi[MC_IN_REPRESENTATIVENESS];
    i0lo = lo[MC_IN_NODES] * lo[MC_IN_GPUS_PER_NODE] * 24.0
           * lo[MC_IN_REPRESENTATIVENESS];
    e = lo[MC_IN_POWER_RATIO] * lo[MC_IN_PUE_RATIO];
    a = lo[MC_IN_MONTHLY_GROWTH] < 0
        ? -log1p(lo[MC_IN_MONTHLY_GROWTH]) / 30.4375 : 0.0;
    x = lo[MC_IN_LIFETIME_DAYS];
    if (s->n_horizons > 0 && s->horizons[0] < x)
        x = s->horizons[0];
    if (a > 0 && 1.0 / a < x)
        x = 1.0 / a;
    if (!(f < HUGE_VAL))
        return fail(c, "expected final_run_gpu_hours (the sum of the "
                    "stages) finite in double precision, found stages "
                    "summing to inf; make them smaller");
    if (!(t < HUGE_VAL))
        return fail(c, "expected training_gpu_hours = overhead x "
                    "final_run_gpu_hours finite in double precision, found "
                    "it reaching inf (overhead up to %s); narrow overhead "
                    "or the stages", (fmt_num(v, sizeof v, hi[0]), v));
    if (!(i0hi < HUGE_VAL))
        return fail(c, "expected inference_gpu_hours_per_day = nodes x "
                    "gpus_per_node x 24 x representativeness finite in "
                    "double precision, found it reaching inf; narrow those "
                    "inputs");
    if (!(i0lo >= DBL_MIN))
        return fail(c, "expected inference_gpu_hours_per_day = nodes x "
                    "gpus_per_node x 24 x representativeness of at least "
                    "%g (the smallest normal double), found it as low as "
                    "%g; narrow those inputs", DBL_MIN, i0lo);
    if (!(e >= DBL_MIN))
        return fail(c, "expected power_ratio x pue_ratio of at least %g "
                    "(the smallest normal double), found it as low as %g; "
                    "narrow those inputs", DBL_MIN, e);
    if (!(hi[MC_IN_GPU_HOUR_USD] * t < HUGE_VAL
          && hi[MC_IN_GPU_HOUR_USD] * i0hi < HUGE_VAL))
        return fail(c, "expected training_usd and inference_usd_per_day "
                    "finite in double precision, found them reaching inf "
                    "(gpu_hour_usd up to %s); narrow gpu_hour_usd",
                    (fmt_num(v, sizeof v, hi[MC_IN_GPU_HOUR_USD]), v));
    /* the GPU-hour break-even divides by inference alone, the energy one
       by power_ratio x pue_ratio x inference: the smaller of the two */
    if (e > 1.0)
        e = 1.0;
    if (!(t / e / i0lo < HUGE_VAL && t / e / (i0lo * x / 2) < HUGE_VAL))
        return fail(c, "expected break-even days and multipliers finite in "
                    "double precision where break-even happens, found "
                    "training / inference (or over power_ratio x pue_ratio "
                    "x inference, where that product is below 1) reaching "
                    "inf (training up to %g GPU-h, inference as "
                    "low as %g GPU-h per day over %g days); narrow the "
                    "extreme inputs", t, i0lo, x);
    return 0;
}

/* ======================================================================
 * The scenario
 * ====================================================================== */

/* ======================================================================
 * Correlations
 * ====================================================================== */

/* Is the k x k matrix a (row-major) positive definite?  GSL's Cholesky
 * decides, with its error handler off for the call (a loader runs on one
 * thread: the handler's global state is not shared with a run). */
static int positive_definite(const double *a, size_t k, double *chol)
{
    gsl_matrix *m = gsl_matrix_alloc(k, k);
    if (m == NULL)
        return -1;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(m, i, j, a[i * k + j]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(m);
    gsl_set_error_handler(old);
    if (rc == 0 && chol != NULL)
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                chol[i * k + j] = j <= i ? gsl_matrix_get(m, i, j) : 0.0;
    gsl_matrix_free(m);
    return rc == 0 ? 1 : 0;
}

static int input_id(const char *name)
{
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (strcmp(mc_input_infos[i].name, name) == 0)
            return i;
    return -1;
}

/* "correlations": [{"inputs": [A, B], "spearman": r}, ...] */
static int read_correlations(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    double rho[MC_IN_COUNT][MC_IN_COUNT];   /* Spearman, NaN: not given */
    int given = 0;
    for (int i = 0; i < MC_IN_COUNT; i++)
        for (int j = 0; j < MC_IN_COUNT; j++)
            rho[i][j] = (double)NAN;
    if (!cJSON_IsArray(v))
        return fail_type(c, "an array of {\"inputs\": [A, B], "
                         "\"spearman\": r}", v);
    size_t idx = 0;
    for (const cJSON *e = v->child; e != NULL; e = e->next, idx++) {
        size_t old = path_push_index(c, idx), o2;
        int ab[2] = {-1, -1};
        double r = 0.0;
        if (!cJSON_IsObject(e))
            return fail_type(c, "an object {\"inputs\": [A, B], "
                             "\"spearman\": r}", e);
        if (check_keys(c, e, correlation_keys))
            return -1;
        const cJSON *in = member(e, "inputs");
        if (in == NULL)
            return fail_missing(c, "inputs", "two input names");
        o2 = path_push_key(c, "inputs");
        if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) != 2)
            return fail_type(c, "an array of two input names", in);
        for (int k = 0; k < 2; k++) {
            const cJSON *nm = cJSON_GetArrayItem(in, k);
            size_t o3 = path_push_index(c, (size_t)k);
            if (!cJSON_IsString(nm))
                return fail_type(c, "an input name", nm);
            ab[k] = input_id(nm->valuestring);
            if (ab[k] < 0) {
                const char *names[MC_IN_COUNT + 1];
                for (int i = 0; i < MC_IN_COUNT; i++)
                    names[i] = mc_input_infos[i].name;
                names[MC_IN_COUNT] = NULL;
                const char *near = closest(nm->valuestring, names);
                shown_buf b;
                return fail(c, "expected an input of MODEL.md%s%s%s, found "
                            "'%s'", near ? " (did you mean '" : "",
                            near ? near : "", near ? "'?)" : "",
                            shown(&b, nm->valuestring, 64));
            }
            if (strcmp(mc_dist_name(&s->inputs[ab[k]].dist), "fixed") == 0)
                return fail(c, "expected an uncertain input (a fixed value "
                            "cannot be correlated), found '%s', which is "
                            "fixed", mc_input_infos[ab[k]].name);
            if (strcmp(mc_dist_name(&s->inputs[ab[k]].dist), "discrete") == 0)
                return fail(c, "expected a continuous input (ranks of a "
                            "discrete one have ties), found '%s', which is "
                            "discrete", mc_input_infos[ab[k]].name);
            path_pop(c, o3);
        }
        if (ab[0] == ab[1])
            return fail(c, "expected two different inputs, found '%s' twice",
                        mc_input_infos[ab[0]].name);
        path_pop(c, o2);
        const cJSON *sp = member(e, "spearman");
        if (sp == NULL)
            return fail_missing(c, "spearman", "a number in (-1, 1)");
        o2 = path_push_key(c, "spearman");
        if (read_number(c, sp, &r))
            return -1;
        if (!(r > -1.0 && r < 1.0))
            return fail(c, "expected a rank correlation in (-1, 1), found %g",
                        r);
        path_pop(c, o2);
        if (!isnan(rho[ab[0]][ab[1]]))
            return fail(c, "expected each pair of inputs once, found '%s' "
                        "and '%s' again", mc_input_infos[ab[0]].name,
                        mc_input_infos[ab[1]].name);
        rho[ab[0]][ab[1]] = rho[ab[1]][ab[0]] = r;
        given++;
        path_pop(c, old);
    }
    if (given == 0)
        return 0;
    /* the inputs taking part, and their normal correlations */
    size_t k = 0;
    for (int i = 0; i < MC_IN_COUNT; i++) {
        int any = 0;
        for (int j = 0; j < MC_IN_COUNT; j++)
            any |= !isnan(rho[i][j]);
        if (any)
            s->corr_input[k++] = i;
    }
    double a[MC_IN_COUNT * MC_IN_COUNT];
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double r = rho[s->corr_input[i]][s->corr_input[j]];
            a[i * k + j] = i == j ? 1.0
                         : isnan(r) ? 0.0 : 2.0 * sin(M_PI * r / 6.0);
        }
    int pd = positive_definite(a, k, s->corr_chol);
    if (pd < 0)
        return fail(c, "out of memory");
    if (pd == 0) {
        /* name the smallest conflict: a triple of inputs whose three
           correlations cannot hold together, else all of them */
        for (size_t x = 0; x < k; x++)
            for (size_t y = x + 1; y < k; y++)
                for (size_t z = y + 1; z < k; z++) {
                    size_t t[3] = {x, y, z};
                    double b[9];
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++)
                            b[i * 3 + j] = a[t[i] * k + t[j]];
                    if (positive_definite(b, 3, NULL) != 0)
                        continue;
                    const char *nx = mc_input_infos[s->corr_input[x]].name;
                    const char *ny = mc_input_infos[s->corr_input[y]].name;
                    const char *nz = mc_input_infos[s->corr_input[z]].name;
                    return fail(c, "expected correlations that can hold "
                                "together (a positive definite matrix), "
                                "found a conflict between (%s, %s) = %g, "
                                "(%s, %s) = %g and (%s, %s) = %g", nx, ny,
                                rho[s->corr_input[x]][s->corr_input[y]],
                                nx, nz,
                                rho[s->corr_input[x]][s->corr_input[z]],
                                ny, nz,
                                rho[s->corr_input[y]][s->corr_input[z]]);
                }
        return fail(c, "expected correlations that can hold together (a "
                    "positive definite matrix), found %d pairs that cannot, "
                    "though every three of them can", given);
    }
    s->n_corr = k;
    return 0;
}

/* "until": {"metric": M, "stat": S, "tolerance": T} -> "M:S:T" */
static int read_until(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    if (!cJSON_IsObject(v))
        return fail_type(c, "an object {\"metric\": ..., \"stat\": ..., "
                         "\"tolerance\": ...}", v);
    if (check_keys(c, v, until_keys))
        return -1;
    const char *txt[2] = {NULL, NULL};
    static const char *const keys[2] = {"metric", "stat"};
    for (int k = 0; k < 2; k++) {
        const cJSON *e = member(v, keys[k]);
        if (e == NULL)
            return fail_missing(c, keys[k], k == 0 ? "an output of "
                                "summary.csv" : "mean, p01 .. p99 or p_le_2");
        size_t old = path_push_key(c, keys[k]);
        if (!cJSON_IsString(e) || strchr(e->valuestring, ':') != NULL ||
            e->valuestring[0] == '\0')
            return fail_type(c, k == 0 ? "an output of summary.csv (a "
                             "name)" : "a statistic's name", e);
        txt[k] = e->valuestring;
        path_pop(c, old);
    }
    const cJSON *t = member(v, "tolerance");
    if (t == NULL)
        return fail_missing(c, "tolerance", "a number > 0");
    double tol = 0.0;
    size_t old = path_push_key(c, "tolerance");
    if (read_number(c, t, &tol))
        return -1;
    if (!(tol > 0))
        return fail(c, "expected a tolerance > 0, found %g", tol);
    path_pop(c, old);
    if (snprintf(s->until, sizeof s->until, "%s:%s:%.17g", txt[0], txt[1],
                 tol) >= (int)sizeof s->until)
        return fail(c, "expected shorter names, found %zu characters",
                    strlen(txt[0]) + strlen(txt[1]));
    return 0;
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
    int m = 0;
    if (cJSON_IsString(v))
        while (sensitivity_methods[m] != NULL
               && strcmp(sensitivity_methods[m], v->valuestring) != 0)
            m++;
    if (!cJSON_IsString(v) || sensitivity_methods[m] == NULL) {
        const char *near = cJSON_IsString(v)
                           ? closest(v->valuestring, sensitivity_methods)
                           : NULL;
        found_buf f;
        return fail(c, "expected \"rank\", \"sobol\" or \"none\", found "
                    "%s%s%s%s", describe(&f, v), near ? " (did you mean '"
                    : "", near ? near : "", near ? "'?)" : "");
    }
    if (m == MC_SENS_SOBOL && pairs > 0)
        return fail(c, "expected independent inputs for Sobol' indices "
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
    if (!cJSON_IsObject(v))
        return fail_type(c, "\"rank\", \"sobol\", \"none\" or an object "
                         "{\"method\": ..., \"sobol_samples\": N, "
                         "\"bootstrap\": B}", v);
    if (check_keys(c, v, sensitivity_keys))
        return -1;
    if (member(v, "method") != NULL) {
        old = path_push_key(c, "method");
        rc = read_sensitivity_method(c, member(v, "method"), pairs,
                                     &s->sensitivity);
        path_pop(c, old);
        if (rc)
            return -1;
    }
    if (member(v, "sobol_samples") != NULL) {
        if (read_count_at(c, v, "sobol_samples", 2, SOBOL_SAMPLES_MAX,
                          "an integer from 2 to 10000000", &n))
            return -1;
        s->sobol_samples = n;
    }
    if (member(v, "bootstrap") != NULL) {
        if (read_count_at(c, v, "bootstrap", 0, BOOTSTRAP_MAX, "an integer "
                          "from 0 to 100000 (0: no intervals)", &n))
            return -1;
        s->bootstrap = (uint32_t)n;
    }
    return 0;
}

/* ======================================================================
 * Variants
 *
 * "variants": [{"name": N, "description": D, "inputs": {...}} or
 *              {"name": N, "sweep": {"input": I, "parameter": P,
 *                                    "values": [x, ...]}}, ...]
 * Each variant is the base document with some entries of "inputs"
 * replaced (a sweep: one number of one input, once per value), read by
 * read_scenario like the base, so that every check applies.  Streams
 * are keyed by input name, so the inputs a variant leaves alone draw the
 * base's numbers (common random numbers).  First every entry's shape is
 * checked and the variants counted (a sweep of 1000 values is refused
 * before 1000 documents are built); then each is built and read.
 * ====================================================================== */

static int read_scenario(cfg_ctx *c, const cJSON *root, mc_scenario *s);

/* "name" of entry v: letters, digits, '.', '_', '-' (it names a folder;
 * '=' and '+' are left to the names sweeps make), not starting with '.',
 * not "base". */
static int check_variant_name(cfg_ctx *c, const cJSON *v)
{
    const cJSON *n = member(v, "name");
    const char *p;
    shown_buf b;
    size_t old;
    int rc = 0;
    if (n == NULL)
        return fail_missing(c, "name", "a variant name (letters, digits, "
                            "'.', '_' and '-')");
    old = path_push_key(c, "name");
    if (!cJSON_IsString(n) || n->valuestring[0] == '\0') {
        rc = fail_type(c, "a non-empty string", n);
        goto out;
    }
    for (p = n->valuestring; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && strchr("._-", *p) == NULL)
            break;
    if (*p != '\0') {
        char ch[16];
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F)
            snprintf(ch, sizeof ch, "0x%02x", (unsigned char)*p);
        else
            snprintf(ch, sizeof ch, "'%c'", *p);
        rc = fail(c, "expected a variant name of letters, digits, '.', '_' "
                  "and '-' (it names a folder), found \"%s\" (with %s)",
                  shown(&b, n->valuestring, 64), ch);
    } else if (n->valuestring[0] == '.') {
        rc = fail(c, "expected a variant name not starting with '.' (it "
                  "names a folder), found \"%s\"",
                  shown(&b, n->valuestring, 64));
    } else if (strlen(n->valuestring) > VARIANT_NAME_MAX) {
        rc = fail(c, "expected a variant name of at most %d characters, "
                  "found %zu", VARIANT_NAME_MAX, strlen(n->valuestring));
    } else if (strcmp(n->valuestring, "base") == 0) {
        rc = fail(c, "expected a variant name other than \"base\" (the name "
                  "of the base scenario's results), found \"base\"");
    }
out:
    path_pop(c, old);
    return rc;
}

/* "inputs" of a variant: a non-empty object of input names.  Their
 * values are checked when the variant's document is read. */
static int check_variant_inputs(cfg_ctx *c, const cJSON *in)
{
    const char *keys[MC_IN_COUNT + 2];
    input_keys(keys);
    if (!cJSON_IsObject(in))
        return fail_type(c, "an object of the inputs this variant replaces "
                         "(as in $.inputs)", in);
    if (check_keys(c, in, keys))
        return -1;
    if (in->child == NULL)
        return fail(c, "expected at least one input to replace, found an "
                    "empty object (a variant equal to the base)");
    return 0;
}

/* The numeric members of an input's object ("median, sigma"). */
static void numeric_keys(const cJSON *obj, const char **keys, size_t max,
                         char *list, size_t n)
{
    size_t k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, obj)
        if (cJSON_IsNumber(e) && k + 1 < max)
            keys[k++] = e->string;
    keys[k] = NULL;
    join(list, n, keys);
}

/* "sweep" of a variant: {"input": I, "parameter": P, "values": [...]},
 * I an input of the base other than final_run_gpu_hours, P a number in
 * its entry ("value" for a bare number), 1 to SWEEP_VALUES_MAX finite
 * numbers.  *n: how many variants it makes. */
static int check_sweep(cfg_ctx *c, const cJSON *sw,
                       const cJSON *base_inputs, size_t *n)
{
    const cJSON *in, *par, *vals, *base, *e;
    size_t old, i = 0;
    shown_buf b;
    if (!cJSON_IsObject(sw))
        return fail_type(c, "an object {\"input\": ..., \"parameter\": ..., "
                         "\"values\": [...]}", sw);
    if (check_keys(c, sw, sweep_keys))
        return -1;
    for (size_t k = 0; sweep_keys[k] != NULL; k++)
        if (member(sw, sweep_keys[k]) == NULL)
            return fail_missing(c, sweep_keys[k], k == 0 ? "an input name"
                                : k == 1 ? "a parameter of that input"
                                : "an array of numbers");
    in = member(sw, "input");
    par = member(sw, "parameter");
    vals = member(sw, "values");

    old = path_push_key(c, "input");
    if (!cJSON_IsString(in))
        return fail_type(c, "an input name", in);
    if (strcmp(in->valuestring, FINAL_RUN) == 0)
        return fail(c, "expected an input other than %s (replace its stages "
                    "with \"inputs\"), found '%s'", FINAL_RUN, FINAL_RUN);
    if (input_id(in->valuestring) < 0) {
        const char *names[MC_IN_COUNT + 1], *near;
        for (int k = 0; k < MC_IN_COUNT; k++)
            names[k] = mc_input_infos[k].name;
        names[MC_IN_COUNT] = NULL;
        near = closest(in->valuestring, names);
        return fail(c, "expected an input of MODEL.md%s%s%s, found '%s'",
                    near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "", shown(&b, in->valuestring, 64));
    }
    path_pop(c, old);

    base = member(base_inputs, in->valuestring);
    old = path_push_key(c, "parameter");
    if (!cJSON_IsString(par))
        return fail_type(c, "a parameter name", par);
    if (cJSON_IsNumber(base)) {
        if (strcmp(par->valuestring, "value") != 0)
            return fail(c, "expected \"value\" (%s is a bare number in "
                        "$.inputs), found '%s'", in->valuestring,
                        shown(&b, par->valuestring, 64));
    } else if (!cJSON_IsNumber(member(base, par->valuestring))) {
        const char *keys[SPEC_MAX_KEYS + 2], *near;
        char list[128];
        numeric_keys(base, keys, SPEC_MAX_KEYS + 2, list, sizeof list);
        if (keys[0] == NULL)     /* a discrete: its values are arrays */
            return fail(c, "expected a numeric parameter of $.inputs.%s, "
                        "found '%s' (that input has none to sweep)",
                        in->valuestring, shown(&b, par->valuestring, 64));
        near = closest(par->valuestring, keys);
        return fail(c, "expected a numeric parameter of $.inputs.%s (one "
                    "of %s), found '%s'%s%s%s", in->valuestring, list,
                    shown(&b, par->valuestring, 64), near ? " (did you mean '"
                    : "", near ? near : "", near ? "'?)" : "");
    }
    path_pop(c, old);

    old = path_push_key(c, "values");
    if (!cJSON_IsArray(vals))
        return fail_type(c, "an array of numbers", vals);
    *n = (size_t)cJSON_GetArraySize(vals);
    if (*n == 0)
        return fail(c, "expected at least one value, found an empty array");
    if (*n > SWEEP_VALUES_MAX)
        return fail(c, "expected at most %d values, found %zu",
                    SWEEP_VALUES_MAX, *n);
    cJSON_ArrayForEach(e, vals) {
        double x;
        size_t o = path_push_index(c, i++);
        if (read_number(c, e, &x))
            return -1;
        path_pop(c, o);
    }
    path_pop(c, old);
    return 0;
}

/* Entry v of "variants" (at the current path): its keys, name and
 * override; *n: the variants it makes (1, or a sweep's values). */
static int check_variant(cfg_ctx *c, const cJSON *v, const cJSON *base_inputs,
                         size_t *n)
{
    const cJSON *in, *sw, *d;
    size_t old;
    int rc;
    if (!cJSON_IsObject(v))
        return fail_type(c, "a variant {\"name\": ..., \"inputs\": {...}} or "
                         "{\"name\": ..., \"sweep\": {...}}", v);
    if (check_keys(c, v, variant_keys) || check_variant_name(c, v))
        return -1;
    d = member(v, "description");
    if (d != NULL && !cJSON_IsString(d))
        return fail_at_key(c, "description", "expected a string, found %s",
                           describe(&(found_buf){{0}}, d));
    in = member(v, "inputs");
    sw = member(v, "sweep");
    if (in != NULL && sw != NULL)
        return fail(c, "expected exactly one of \"inputs\" and \"sweep\", "
                    "found both");
    if (in == NULL && sw == NULL)
        return fail(c, "missing required key 'inputs' or 'sweep': expected "
                    "the inputs the variant replaces or a sweep of one "
                    "parameter, found neither");
    *n = 1;
    old = path_push_key(c, in != NULL ? "inputs" : "sweep");
    rc = in != NULL ? check_variant_inputs(c, in)
                    : check_sweep(c, sw, base_inputs, n);
    path_pop(c, old);
    return rc;
}

/* The document of one variant: the base without "variants", with the
 * entries of the variant's "inputs" replaced, or the swept number set to
 * x.  NULL when out of memory. */
static cJSON *variant_document(const cJSON *root, const cJSON *v, double x)
{
    cJSON *doc = cJSON_Duplicate(root, 1), *inputs, *e;
    const cJSON *in = member(v, "inputs"), *sw = member(v, "sweep");
    if (doc == NULL)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "variants");
    inputs = cJSON_GetObjectItemCaseSensitive(doc, "inputs");
    if (in != NULL) {
        cJSON_ArrayForEach(e, in) {
            cJSON *copy = cJSON_Duplicate(e, 1);
            if (copy == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(
                                    inputs, e->string, copy)) {
                cJSON_Delete(copy);
                cJSON_Delete(doc);
                return NULL;
            }
        }
    } else {
        cJSON *target = cJSON_GetObjectItemCaseSensitive(
            inputs, member(sw, "input")->valuestring);
        if (!cJSON_IsNumber(target))
            target = cJSON_GetObjectItemCaseSensitive(
                target, member(sw, "parameter")->valuestring);
        cJSON_SetNumberValue(target, x);
    }
    return doc;
}

/* Is path inside $.inputs.<key>? */
static int path_in_input(const char *path, const char *key)
{
    size_t n = strlen(key);
    return strncmp(path, "$.inputs.", 9) == 0
           && strncmp(path + 9, key, n) == 0
           && (path[9 + n] == '\0' || path[9 + n] == '.'
               || path[9 + n] == '[');
}

/* An error *sub of variant `name`'s document (whose paths are those of
 * the base document) reported at the current path, $.variants[i] (or,
 * for a sweep, the value: $.variants[i].sweep.values[k]): inside an
 * input the variant replaces, at that place of the variant; else at
 * what the variant changes (its one input, its inputs, the swept value),
 * the message saying where the document failed. */
static int fail_variant(cfg_ctx *c, const mc_err *sub, const cJSON *v,
                        const char *name)
{
    const cJSON *in = member(v, "inputs"), *e;
    if (in != NULL) {
        cJSON_ArrayForEach(e, in)
            if (path_in_input(sub->path, e->string)) {
                path_append(c, "%s", sub->path + 1);
                return fail(c, "%s", sub->msg);
            }
        path_push_key(c, "inputs");
        if (in->child->next == NULL)
            path_push_key(c, in->child->string);
    }
    return fail(c, "%s (at %s in variant '%s')", sub->msg, sub->path, name);
}

/* The name of entry v's variant k: its name, and for a sweep "=" and
 * the value k in the shortest form that reads back ("median=3.1"; -0 as
 * 0, so that 0 and -0 collide).  *x: the swept value (else 0). */
static void variant_name(const cJSON *v, size_t k, char *buf, size_t n,
                         double *x)
{
    const cJSON *sw = member(v, "sweep");
    char num[32];
    *x = 0;
    snprintf(buf, n, "%s", member(v, "name")->valuestring);
    if (sw != NULL) {
        size_t len = strlen(buf);
        *x = cJSON_GetArrayItem(member(sw, "values"), (int)k)->valuedouble;
        fmt_num(num, sizeof num, *x == 0 ? 0.0 : *x);
        snprintf(buf + len, n - len, "=%s", num);
    }
}

/* Variant `name` of entry v (at the current path $.variants[i]), with
 * the swept value x if any, into *out (zeroed). */
static int read_variant(cfg_ctx *c, const cJSON *root, const cJSON *v,
                        const char *name, double x, const mc_scenario *base,
                        mc_variant *out)
{
    const cJSON *d = member(v, "description");
    cJSON *doc = NULL;
    cfg_ctx sc;
    mc_err sub;
    int rc = -1;
    size_t len;

    out->name = strdup(name);
    out->description = d != NULL ? strdup(d->valuestring) : NULL;
    out->s = calloc(1, sizeof *out->s);
    doc = variant_document(root, v, x);
    if (out->name == NULL || (d != NULL && out->description == NULL)
        || out->s == NULL || doc == NULL) {
        fail(c, "expected memory for a variant, found none (out of memory)");
        goto out;
    }
    memset(&sub, 0, sizeof sub);
    ctx_init(&sc, &sub);
    sc.seed = c->seed;                /* the document is the base's copy */
    sc.samples = c->samples;
    if (read_scenario(&sc, doc, out->s)) {
        fail_variant(c, &sub, v, name);
        goto out;
    }
    /* "<base>/<variant>", and the variant's own description if any */
    len = strlen(base->name) + 1 + strlen(name) + 1;
    free(out->s->name);
    if ((out->s->name = malloc(len)) == NULL) {
        fail(c, "expected memory for a name, found none (out of memory)");
        goto out;
    }
    snprintf(out->s->name, len, "%s/%s", base->name, name);
    if (d != NULL) {
        free(out->s->description);
        if ((out->s->description = strdup(d->valuestring)) == NULL) {
            fail(c, "expected memory for a description, found none (out of "
                 "memory)");
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

/* "variants" (at the current path) of the base *s, read from root. */
static int read_variants(cfg_ctx *c, const cJSON *root, const cJSON *vs,
                         mc_scenario *s)
{
    const cJSON *base_inputs = member(root, "inputs"), *v;
    size_t total = 0, i = 0, j = 0;
    /* where each variant came from: entry, sweep value (or SIZE_MAX) */
    size_t from[MC_VARIANTS_MAX][2];
    if (!cJSON_IsArray(vs))
        return fail_type(c, "an array of variants {\"name\": ..., "
                         "\"inputs\": {...}} or {\"name\": ..., \"sweep\": "
                         "{...}}", vs);
    cJSON_ArrayForEach(v, vs) {
        size_t n = 0, old = path_push_index(c, i++);
        if (check_variant(c, v, base_inputs, &n))
            return -1;
        path_pop(c, old);
        total += n;
    }
    if (total > MC_VARIANTS_MAX)
        return fail(c, "expected at most %d variants (a sweep makes one per "
                    "value), found %zu", MC_VARIANTS_MAX, total);
    if (total == 0)
        return 0;
    if ((s->variants = calloc(total, sizeof *s->variants)) == NULL)
        return fail(c, "expected memory for %zu variants, found none (out of"
                    " memory)", total);
    s->n_variants = total;       /* zeroed entries are safe to free */
    i = 0;
    cJSON_ArrayForEach(v, vs) {
        const cJSON *sw = member(v, "sweep");
        size_t n = sw != NULL ? (size_t)cJSON_GetArraySize(
                                    member(sw, "values")) : 1;
        size_t old = path_push_index(c, i);
        for (size_t k = 0; k < n; k++, j++) {
            char name[VARIANT_NAME_MAX + 40];
            double x;
            size_t o2 = c->len;
            variant_name(v, k, name, sizeof name, &x);
            if (sw != NULL) {
                path_push_key(c, "sweep");
                path_push_key(c, "values");
                path_push_index(c, k);
            }
            for (size_t p = 0; p < j; p++)
                if (strcmp(s->variants[p].name, name) == 0) {
                    char also[80];
                    snprintf(also, sizeof also, "$.variants[%zu]", from[p][0]);
                    if (from[p][1] != SIZE_MAX)
                        snprintf(also + strlen(also), sizeof also
                                 - strlen(also), ".sweep.values[%zu]",
                                 from[p][1]);
                    if (sw == NULL)
                        path_push_key(c, "name");
                    return fail(c, "expected variant names unique (a sweep "
                                "adds \"=value\"), found \"%s\" again (also "
                                "%s)", name, also);
                }
            if (read_variant(c, root, v, name, x, s, &s->variants[j]))
                return -1;
            from[j][0] = i;
            from[j][1] = sw != NULL ? k : SIZE_MAX;
            path_pop(c, o2);
        }
        path_pop(c, old);
        i++;
    }
    return 0;
}

static int read_scenario(cfg_ctx *c, const cJSON *root, mc_scenario *s)
{
    const cJSON *v;
    size_t old;
    int rc = 0;

    if (!cJSON_IsObject(root))
        return fail_type(c, "a JSON object (the scenario)", root);
    if (check_keys(c, root, top_keys))
        return -1;
    if (read_string(c, root, "name", 1, 1, &s->name)
        || read_string(c, root, "description", 0, 0, &s->description))
        return -1;

    if (member(root, "seed") == NULL)
        return fail_missing(c, "seed", "an integer from 0 to "
                            "18446744073709551615");
    if (read_exact_count_at(c, root, "seed", &c->seed, 0, UINT64_MAX,
                            &s->seed))
        return -1;

    if (member(root, "samples") == NULL)
        return fail_missing(c, "samples", "an integer from 1 to 1000000000");
    if (read_exact_count_at(c, root, "samples", &c->samples, 1, SAMPLES_MAX,
                            &s->samples))
        return -1;

    s->sampling = MC_SAMPLING_RANDOM;
    if ((v = member(root, "sampling")) != NULL) {
        old = path_push_key(c, "sampling");
        if (!cJSON_IsString(v))
            rc = fail_type(c, "\"random\", \"lhs\" or \"sobol\"", v);
        else if (strcmp(v->valuestring, "random") == 0)
            s->sampling = MC_SAMPLING_RANDOM;
        else if (strcmp(v->valuestring, "lhs") == 0)
            s->sampling = MC_SAMPLING_LHS;
        else if (strcmp(v->valuestring, "sobol") == 0)
            s->sampling = MC_SAMPLING_SOBOL;
        else
            rc = fail_type(c, "\"random\", \"lhs\" or \"sobol\"", v);
        path_pop(c, old);
        if (rc)
            return -1;
    }

    if ((v = member(root, "inputs")) == NULL)
        return fail_missing(c, "inputs", "an object with one entry per "
                            "input of MODEL.md");
    old = path_push_key(c, "inputs");
    rc = read_inputs(c, v, s);
    path_pop(c, old);
    if (rc)
        return -1;

    if (s->sampling == MC_SAMPLING_SOBOL) {
        size_t dims = 0;
        for (size_t k = 0; k < s->n_stages; k++)
            dims += strcmp(mc_dist_name(&s->stages[k].dist), "fixed") != 0;
        for (int j = 0; j < MC_IN_COUNT; j++)
            dims += strcmp(mc_dist_name(&s->inputs[j].dist), "fixed") != 0;
        if (dims > MC_SOBOL_MAX_DIMS) {
            old = path_push_key(c, "sampling");
            fail(c, "expected at most %d uncertain inputs and stages for "
                 "Sobol' sampling (GSL's limit), found %zu", MC_SOBOL_MAX_DIMS,
                 dims);
            path_pop(c, old);
            return -1;
        }
    }

    s->n_corr = 0;
    if ((v = member(root, "correlations")) != NULL) {
        old = path_push_key(c, "correlations");
        rc = read_correlations(c, v, s);
        path_pop(c, old);
        if (rc)
            return -1;
    }

    s->sensitivity = MC_SENS_RANK;
    s->sobol_samples = MC_SOBOL_SAMPLES_DEFAULT;
    s->bootstrap = MC_BOOTSTRAP_DEFAULT;
    if ((v = member(root, "sensitivity")) != NULL) {
        /* each entry of a valid "correlations" is one pair */
        size_t pairs = s->n_corr > 0 ? (size_t)cJSON_GetArraySize(
                           member(root, "correlations")) : 0;
        old = path_push_key(c, "sensitivity");
        rc = read_sensitivity(c, v, pairs, s);
        path_pop(c, old);
        if (rc)
            return -1;
    }

    s->until[0] = '\0';
    if ((v = member(root, "until")) != NULL) {
        old = path_push_key(c, "until");
        rc = read_until(c, v, s);
        path_pop(c, old);
        if (rc)
            return -1;
    }

    old = path_push_key(c, "horizons");
    if ((v = member(root, "horizons")) != NULL)
        rc = read_horizons(c, v, s);
    else
        rc = horizons_range(c, DEFAULT_H_START, DEFAULT_H_STOP,
                            DEFAULT_H_STEP, s);
    path_pop(c, old);
    if (rc)
        return -1;

    s->write_samples = 1;
    if ((v = member(root, "output")) != NULL) {
        old = path_push_key(c, "output");
        rc = read_output(c, v, s);
        path_pop(c, old);
        if (rc)
            return -1;
    }
    old = path_push_key(c, "inputs");
    rc = check_derived(c, s);
    path_pop(c, old);
    if (rc)
        return -1;
    if (check_streams(c, s, !cJSON_IsArray(member(member(root, "inputs"),
                                                  FINAL_RUN))))
        return -1;
    /* last, so that the base's own errors come first; a variant's
       document has no "variants" (the recursion stops there) */
    if ((v = member(root, "variants")) != NULL) {
        old = path_push_key(c, "variants");
        rc = read_variants(c, root, v, s);
        path_pop(c, old);
        if (rc)
            return -1;
    }
    return 0;
}

/* ======================================================================
 * Text and JSON syntax
 *
 * Checked here before cJSON parses, so that every error in the text has
 * a line, a column and what JSON expects there.  cJSON alone accepts what
 * JSON (RFC 8259) forbids, and reads some of it wrongly: leading zeros
 * ("01"), "1.", raw control characters in strings, bad \u escapes (read
 * as a NUL that cuts the string), numbers over 63 characters (cut); and
 * it reports only where it stopped.
 * ====================================================================== */

#define JSON_DEPTH_MAX 64
#define JSON_NUMBER_MAX 63   /* cJSON reads at most 63 characters */

typedef struct jscan {
    const unsigned char *s;
    size_t n, i;
    /* the error: byte offset, what JSON expects there, and how many
       bytes to show as found (0: up to 12 characters of the line), or
       a description instead of the text */
    size_t at, show;
    const char *expected;
    char found[160];
    /* where the values of the top-level object's first members start, in
       order (a valid scenario has at most one member per top-level key) */
    size_t top_at[16];
    size_t n_top;
} jscan;

static int js_fail(jscan *j, size_t at, size_t show, const char *expected)
{
    j->at = at;
    j->show = show;
    j->expected = expected;
    return -1;
}

static int is_json_ws(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void js_ws(jscan *j)
{
    while (j->i < j->n && is_json_ws(j->s[j->i]))
        j->i++;
}

/* Bytes of the word at i: letters, digits and _ . + - (a number, a
 * literal or a key as the user wrote it, "0x8", "NaN", "True"). */
static size_t js_word(const jscan *j, size_t i)
{
    size_t k = i;
    while (k < j->n && (isalnum(j->s[k]) || j->s[k] == '_'
                        || j->s[k] == '.' || j->s[k] == '+'
                        || j->s[k] == '-'))
        k++;
    return k - i;
}

/* The text is UTF-8 without NUL bytes (RFC 8259, 8.1). */
static int js_check_text(jscan *j)
{
    const unsigned char *s = j->s;
    for (size_t i = 0; i < j->n;) {
        unsigned char ch = s[i];
        size_t k = 0;
        unsigned lo = 0x80, hi = 0xBF;
        int ok;
        if (ch == 0) {
            snprintf(j->found, sizeof j->found, "a NUL byte (a binary "
                     "file?)");
            return js_fail(j, i, 0, "UTF-8 text");
        }
        if (ch < 0x80) {
            i++;
            continue;
        }
        if (ch >= 0xC2 && ch <= 0xDF) {
            k = 1;
        } else if (ch >= 0xE0 && ch <= 0xEF) {
            k = 2;
            lo = ch == 0xE0 ? 0xA0 : 0x80;   /* no overlong forms */
            hi = ch == 0xED ? 0x9F : 0xBF;   /* no surrogates */
        } else if (ch >= 0xF0 && ch <= 0xF4) {
            k = 3;
            lo = ch == 0xF0 ? 0x90 : 0x80;
            hi = ch == 0xF4 ? 0x8F : 0xBF;   /* up to U+10FFFF */
        }
        ok = k > 0 && i + k < j->n;
        for (size_t m = 1; ok && m <= k; m++) {
            unsigned char b = s[i + m];
            ok = b >= (m == 1 ? lo : 0x80) && b <= (m == 1 ? hi : 0xBF);
        }
        if (!ok) {
            snprintf(j->found, sizeof j->found, "the byte 0x%02x, which is "
                     "not UTF-8 (a binary file, or text in another "
                     "encoding: save it as UTF-8)", ch);
            return js_fail(j, i, 0, "UTF-8 text");
        }
        i += k + 1;
    }
    return 0;
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int d = isdigit(p[k]) ? p[k] - '0'
                : p[k] >= 'a' && p[k] <= 'f' ? p[k] - 'a' + 10
                : p[k] >= 'A' && p[k] <= 'F' ? p[k] - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

static int js_string(jscan *j)
{
    j->i++;                                   /* the opening quote */
    for (;;) {
        unsigned char ch;
        if (j->i >= j->n)
            return js_fail(j, j->i, 0, "'\"' closing the string");
        ch = j->s[j->i];
        if (ch == '"') {
            j->i++;
            return 0;
        }
        if (ch < 0x20)
            return js_fail(j, j->i, 0, "'\"' closing the string (a string "
                           "holds no raw control characters: write \\n, "
                           "\\t)");
        if (ch != '\\') {
            j->i++;
            continue;
        }
        if (j->i + 1 >= j->n)
            return js_fail(j, j->i, 1, "an escape \\\" \\\\ \\/ \\b \\f \\n "
                           "\\r \\t or \\u and 4 hex digits");
        ch = j->s[j->i + 1];
        if (strchr("\"\\/bfnrt", ch) != NULL) {
            j->i += 2;
        } else if (ch == 'u') {
            unsigned u, u2;
            size_t at = j->i;
            if (j->i + 6 > j->n || hex4(j->s + j->i + 2, &u))
                return js_fail(j, at, j->i + 6 > j->n ? j->n - at : 6,
                               "4 hex digits after \\u");
            j->i += 6;
            if (u == 0)
                return js_fail(j, at, 6, "a string without \\u0000 (a NUL "
                               "character)");
            if (u >= 0xDC00 && u <= 0xDFFF)
                return js_fail(j, at, 6, "a UTF-16 surrogate pair "
                               "(\\uD800-\\uDBFF then \\uDC00-\\uDFFF)");
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (j->i + 6 > j->n || j->s[j->i] != '\\'
                    || j->s[j->i + 1] != 'u' || hex4(j->s + j->i + 2, &u2)
                    || u2 < 0xDC00 || u2 > 0xDFFF)
                    return js_fail(j, at, 6, "a UTF-16 surrogate pair "
                                   "(\\uD800-\\uDBFF then \\uDC00-\\uDFFF)");
                j->i += 6;
            }
        } else {
            return js_fail(j, j->i, 2, "an escape \\\" \\\\ \\/ \\b \\f \\n "
                           "\\r \\t or \\u and 4 hex digits");
        }
    }
}

static int js_number(jscan *j)
{
    const unsigned char *s = j->s;
    size_t start = j->i, i = j->i, n = j->n, word = js_word(j, start);
    if (s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
        if (i < n && isdigit(s[i]))
            return js_fail(j, start, word, "a number without leading "
                           "zeros");
    } else if (i < n && isdigit(s[i])) {
        while (i < n && isdigit(s[i]))
            i++;
    } else {
        return js_fail(j, start, word, "a digit after '-'");
    }
    if (i < n && s[i] == '.') {
        i++;
        if (!(i < n && isdigit(s[i])))
            return js_fail(j, start, word, "a digit after the decimal "
                           "point");
        while (i < n && isdigit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!(i < n && isdigit(s[i])))
            return js_fail(j, start, word, "a digit in the exponent");
        while (i < n && isdigit(s[i]))
            i++;
    }
    if (i - start < word)
        return js_fail(j, start, word, "a JSON number (decimal digits, an "
                       "optional fraction and exponent: no hex, no NaN, "
                       "no Infinity)");
    if (i - start > JSON_NUMBER_MAX)
        return js_fail(j, start, 0, "a number of at most 63 characters");
    j->i = i;
    return 0;
}

static const char *const js_value_expected =
    "a value (an object, an array, a string in double quotes, a number, "
    "true, false or null)";

static int js_value(jscan *j, int depth);

static int js_object(jscan *j, int depth)
{
    j->i++;                                   /* '{' */
    js_ws(j);
    if (j->i < j->n && j->s[j->i] == '}') {
        j->i++;
        return 0;
    }
    for (int first = 1;; first = 0) {
        js_ws(j);
        if (j->i >= j->n || j->s[j->i] != '"') {
            size_t word = j->i < j->n && isalpha(j->s[j->i])
                          ? js_word(j, j->i) : 0;   /* an unquoted key */
            if (first)
                return js_fail(j, j->i, word, "a key in double quotes or "
                               "'}'");
            if (j->i < j->n && j->s[j->i] == '}')
                return js_fail(j, j->i, 1, "another key in double quotes "
                               "after ',' (JSON allows no trailing comma)");
            return js_fail(j, j->i, word, "another key in double quotes "
                           "after ','");
        }
        if (js_string(j))
            return -1;
        js_ws(j);
        if (j->i >= j->n || j->s[j->i] != ':')
            return js_fail(j, j->i, 0, "':' after the key");
        j->i++;
        js_ws(j);
        if (depth == 1 && j->n_top < sizeof j->top_at / sizeof j->top_at[0])
            j->top_at[j->n_top++] = j->i;
        if (js_value(j, depth))
            return -1;
        js_ws(j);
        if (j->i < j->n && j->s[j->i] == ',') {
            j->i++;
            continue;
        }
        if (j->i < j->n && j->s[j->i] == '}') {
            j->i++;
            return 0;
        }
        return js_fail(j, j->i, 0, "',' or '}' after a member of an "
                       "object");
    }
}

static int js_array(jscan *j, int depth)
{
    j->i++;                                   /* '[' */
    js_ws(j);
    if (j->i < j->n && j->s[j->i] == ']') {
        j->i++;
        return 0;
    }
    for (int first = 1;; first = 0) {
        js_ws(j);
        if (!first && j->i < j->n && j->s[j->i] == ']')
            return js_fail(j, j->i, 1, "another value after ',' (JSON "
                           "allows no trailing comma)");
        if (js_value(j, depth))
            return -1;
        js_ws(j);
        if (j->i < j->n && j->s[j->i] == ',') {
            j->i++;
            continue;
        }
        if (j->i < j->n && j->s[j->i] == ']') {
            j->i++;
            return 0;
        }
        return js_fail(j, j->i, 0, "',' or ']' after an element of an "
                       "array");
    }
}

static int js_value(jscan *j, int depth)
{
    static const char *const literals[] = {"true", "false", "null", NULL};
    unsigned char ch;
    js_ws(j);
    if (j->i >= j->n)
        return js_fail(j, j->i, 0, js_value_expected);
    ch = j->s[j->i];
    if (ch == '{' || ch == '[') {
        if (depth >= JSON_DEPTH_MAX)
            return js_fail(j, j->i, 1, "at most 64 levels of nesting");
        return ch == '{' ? js_object(j, depth + 1) : js_array(j, depth + 1);
    }
    if (ch == '"')
        return js_string(j);
    if (ch == '-' || isdigit(ch))
        return js_number(j);
    for (size_t k = 0; literals[k] != NULL; k++) {
        size_t len = strlen(literals[k]);
        if (js_word(j, j->i) == len
            && memcmp(j->s + j->i, literals[k], len) == 0) {
            j->i += len;
            return 0;
        }
    }
    return js_fail(j, j->i, isalpha(ch) ? js_word(j, j->i) : 0,
                   js_value_expected);
}

/* The text after the byte-order mark: UTF-8, then one JSON value. */
static int js_check(jscan *j)
{
    if (js_check_text(j) || js_value(j, 0))
        return -1;
    js_ws(j);
    if (j->i < j->n)
        return js_fail(j, j->i, 0, "the end of the text after the "
                       "top-level value");
    return 0;
}

/* "found ..." of a syntax error: a description, the end of the text, a
 * control character, or the text there (valid UTF-8 by then). */
static void js_found(const jscan *j, char *buf, size_t n)
{
    const unsigned char *p = j->s + j->at;
    size_t k = 0, max = j->show ? j->show : 16;
    char tmp[48];
    if (j->found[0] != '\0') {
        snprintf(buf, n, "%s", j->found);
        return;
    }
    if (j->at >= j->n) {
        snprintf(buf, n, "the end of the text");
        return;
    }
    if (*p == '\n' || *p == '\r') {
        snprintf(buf, n, "the end of the line");
        return;
    }
    if (*p < 0x20 || *p == 0x7F) {
        snprintf(buf, n, "the control character 0x%02x", *p);
        return;
    }
    if (max > 40)
        max = 40;
    while (j->at + k < j->n && k < max && p[k] != '\n' && p[k] != '\r')
        k++;
    while (k > 0 && j->at + k < j->n && (p[k] & 0xC0) == 0x80)
        k--;                          /* do not cut a UTF-8 sequence */
    for (size_t m = 0; m < k; m++)
        tmp[m] = p[m] < 0x20 || p[m] == 0x7F ? ' ' : (char)p[m];
    tmp[k] = '\0';
    snprintf(buf, n, "'%s'%s%s", tmp,
             j->show == 0 && j->at + k < j->n && p[k] != '\n'
             && p[k] != '\r' ? "..." : "",
             *p == '/' || *p == '#' ? " (JSON has no comments)" : "");
}

/* Line and column (1-based; columns count UTF-8 characters) of byte
 * offset off in text. */
static void position(const char *text, size_t off, int *line, int *col)
{
    int l = 1, k = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            k = 1;
        } else if ((ch & 0xC0) != 0x80) {
            k++;
        }
    }
    *line = l;
    *col = k;
}

static int fail_syntax(cfg_ctx *c, const jscan *j)
{
    char found[256];
    js_found(j, found, sizeof found);
    position((const char *)j->s, j->at, &c->err->line, &c->err->column);
    return fail(c, "invalid JSON at line %d, column %d: expected %s, found "
                "%s", c->err->line, c->err->column, j->expected, found);
}

/* The text of the top-level "seed" and "samples" when they are numbers:
 * cJSON keeps an object's members in the file's order, which is the
 * order the scanner met them in. */
static void number_texts(cfg_ctx *c, const jscan *j, const cJSON *root)
{
    const cJSON *m;
    size_t k = 0;
    if (!cJSON_IsObject(root))
        return;
    for (m = root->child; m != NULL && k < j->n_top; m = m->next, k++) {
        num_text *t = strcmp(m->string, "seed") == 0 ? &c->seed
                      : strcmp(m->string, "samples") == 0 ? &c->samples
                      : NULL;
        size_t at = j->top_at[k], e = at;
        if (t == NULL || t->s != NULL || !cJSON_IsNumber(m))
            continue;                  /* member() finds the first */
        while (e < j->n && strchr("+-.eE0123456789", j->s[e]) != NULL &&
               j->s[e] != '\0')
            e++;
        t->s = (const char *)j->s + at;
        t->len = e - at;
    }
}

int mc_cfg_load_string(const char *text, size_t len, mc_scenario *out,
                       mc_err *err)
{
    cfg_ctx c;
    mc_scenario s;
    jscan j;
    cJSON *root = NULL;
    char *buf = NULL;
    const char *end = NULL;
    size_t i = 0;
    int rc = -1;

    memset(err, 0, sizeof *err);
    memset(&s, 0, sizeof s);
    memset(&j, 0, sizeof j);
    ctx_init(&c, err);
    if (text == NULL)
        len = 0;
    /* A UTF-8 byte-order mark (Windows editors write one) is ignored:
       lines and columns count from the character after it. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    while (i < len && is_json_ws((unsigned char)text[i]))
        i++;
    if (i == len) {
        fail(&c, "expected a JSON object (the scenario), found %s",
             len ? "only white space" : "an empty text");
        goto fail;
    }
    j.s = (const unsigned char *)text;
    j.n = len;
    if (js_check(&j)) {
        fail_syntax(&c, &j);
        goto fail;
    }
    buf = malloc(len + 1);
    if (buf == NULL) {
        fail(&c, "expected memory for %zu bytes of text, found none (out of"
             " memory)", len + 1);
        goto fail;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* With the NUL counted in the length, require_null_terminated rejects
     * anything after the top-level value. */
    root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (root == NULL) {
        /* the text passed js_check: out of memory inside cJSON, or a
           construct it reads differently */
        const char *at = cJSON_GetErrorPtr();
        j.at = at >= buf && at <= buf + len ? (size_t)(at - buf) : len;
        j.show = 0;
        j.expected = "JSON that cJSON can read (or memory to read it)";
        fail_syntax(&c, &j);
        goto fail;
    }
    number_texts(&c, &j, root);
    if (read_scenario(&c, root, &s))
        goto fail;
    *out = s;
    rc = 0;
fail:
    cJSON_Delete(root);
    free(buf);
    if (rc != 0)
        mc_scenario_free(&s);
    return rc;
}

static int fail_io(mc_err *err, int errnum)
{
    memset(err, 0, sizeof *err);
    err->io = 1;
    if (errnum == 0 || strerror_r(errnum, err->msg, sizeof err->msg) != 0)
        snprintf(err->msg, sizeof err->msg, "read error");
    return -1;
}

/* Only a regular file is read.  O_NONBLOCK: opening a FIFO without a
 * writer would otherwise wait forever, before fstat could refuse it (the
 * command line checks the path first; this closes the window where it
 * changes in between).  It changes nothing for a regular file. */
static FILE *open_regular(const char *path, mc_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f;
    if (fd < 0) {
        fail_io(err, errno);
        return NULL;
    }
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = -1;
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        e = errno;
    if (e != 0) {
        close(fd);
        fail_io(err, e > 0 ? e : 0);
        if (e < 0)
            snprintf(err->msg, sizeof err->msg, "not a regular file");
        return NULL;
    }
    if ((f = fdopen(fd, "rb")) == NULL) {
        fail_io(err, errno);
        close(fd);
    }
    return f;
}

int mc_cfg_load_file(const char *path, mc_scenario *out, mc_err *err)
{
    FILE *f = open_regular(path, err);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    if (f == NULL)
        return -1;
    for (;;) {
        size_t got;
        if (len > FILE_MAX) {
            memset(err, 0, sizeof *err);
            snprintf(err->path, sizeof err->path, "$");
            snprintf(err->msg, sizeof err->msg, "expected a scenario file "
                     "of at most %zu MiB, found a larger one", FILE_MAX >> 20);
            goto out;
        }
        if (cap - len < 4096) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                fail_io(err, ENOMEM);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        errno = 0;
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                fail_io(err, errno);
                goto out;
            }
            break;
        }
    }
    rc = mc_cfg_load_string(buf, len, out, err);
out:
    fclose(f);
    free(buf);
    return rc;
}

int mc_cfg_load_default(mc_scenario *out, mc_err *err)
{
    return mc_cfg_load_string(mc_cfg_default_json,
                              strlen(mc_cfg_default_json), out, err);
}

static void input_free(mc_input *in)
{
    free(in->name);
    free(in->source);
    mc_dist_free(&in->dist);
}

void mc_scenario_free(mc_scenario *s)
{
    if (s == NULL)
        return;
    free(s->name);
    free(s->description);
    for (size_t i = 0; i < s->n_stages; i++)
        input_free(&s->stages[i]);
    free(s->stages);
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        input_free(&s->inputs[i]);
    free(s->horizons);
    for (size_t i = 0; i < s->n_variants; i++) {
        free(s->variants[i].name);
        free(s->variants[i].description);
        mc_scenario_free(s->variants[i].s);
        free(s->variants[i].s);
    }
    free(s->variants);
    memset(s, 0, sizeof *s);
}
