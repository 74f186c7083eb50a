/* mc_config.c: the readers of a scenario's correlations, variants and
 * top level (mc_config_impl.h); the text, the path and the errors, keys
 * and values, distributions, inputs and the loaders have their own
 * files. */
#include "mc_config_impl.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>

#include "mc_rng.h"

/* ======================================================================
 * Tables
 * ====================================================================== */

#define SAMPLES_MAX UINT64_C(1000000000)
#define HORIZONS_MAX 100000
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
static const char *const sensitivity_keys[] = {"method", "sobol_samples",
                                               "bootstrap", NULL};
static const char *const variant_keys[] = {"name", "description", "inputs",
                                           "sweep", NULL};
static const char *const sweep_keys[] = {"input", "parameter", "values",
                                         NULL};

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
            if (mc_dist_is_fixed(&s->inputs[ab[k]].dist))
                return fail(c, "expected an uncertain input (a fixed value "
                            "cannot be correlated), found '%s', which is "
                            "fixed", mc_input_infos[ab[k]].name);
            if (!s->inputs[ab[k]].dist.type->continuous)
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
    int m = cJSON_IsString(v) ? mc_sensitivity_find(v->valuestring) : -1;
    if (m < 0) {
        const char *names[MC_SENS_COUNT + 1], *near = NULL;
        char list[64];
        found_buf f;
        for (int i = 0; i < MC_SENS_COUNT; i++)
            names[i] = mc_sensitivity_name(i);
        names[MC_SENS_COUNT] = NULL;
        if (cJSON_IsString(v))
            near = closest(v->valuestring, names);
        mc_sensitivity_list(list, sizeof list, "\"", " or ");
        return fail(c, "expected %s, found %s%s%s%s", list, describe(&f, v),
                    near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "");
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
    if (!cJSON_IsObject(v)) {
        char list[64], what[160];
        mc_sensitivity_list(list, sizeof list, "\"", ", ");
        snprintf(what, sizeof what, "%s or an object {\"method\": ..., "
                 "\"sobol_samples\": N, \"bootstrap\": B}", list);
        return fail_type(c, what, v);
    }
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
        const char *keys[MC_DIST_PARAMS_MAX + 2], *near;
        char list[128];
        numeric_keys(base, keys, MC_DIST_PARAMS_MAX + 2, list, sizeof list);
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
        cJSON_free(target->valuestring);   /* the base's number's text */
        target->valuestring = NULL;
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

int read_scenario(cfg_ctx *c, const cJSON *root, mc_scenario *s)
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
    if (read_exact_count_at(c, root, "seed", 0, UINT64_MAX, &s->seed))
        return -1;

    if (member(root, "samples") == NULL)
        return fail_missing(c, "samples", "an integer from 1 to 1000000000");
    if (read_exact_count_at(c, root, "samples", 1, SAMPLES_MAX, &s->samples))
        return -1;

    s->sampling = MC_SAMPLING_RANDOM;
    if ((v = member(root, "sampling")) != NULL) {
        int d = cJSON_IsString(v) ? mc_sampling_find(v->valuestring) : -1;
        old = path_push_key(c, "sampling");
        if (d < 0) {
            char list[64];
            mc_sampling_list(list, sizeof list, "\"", " or ");
            rc = fail_type(c, list, v);
        } else {
            s->sampling = d;
        }
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
            dims += !mc_dist_is_fixed(&s->stages[k].dist);
        for (int j = 0; j < MC_IN_COUNT; j++)
            dims += !mc_dist_is_fixed(&s->inputs[j].dist);
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
    if (check_inputs(c, root, s))
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
