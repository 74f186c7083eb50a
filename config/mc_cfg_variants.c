/* mc_cfg_variants.c: variants and sweeps.
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
 */
#include "mc_config_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_VALUES_MAX 1000
#define VARIANT_NAME_MAX 64

static const char *const variant_keys[] = {"name", "description", "inputs",
                                           "sweep", NULL};
static const char *const sweep_keys[] = {"input", "parameter", "values",
                                         NULL};

/* "name" of entry v: letters, digits, '.', '_', '-' (it names a folder;
 * '=' and '+' are left to the names sweeps make), not starting with '.',
 * not "base". */
static int check_variant_name(cfg_ctx *c, const cJSON *v)
{
    const cJSON *n = cfg_member(v, "name");
    const char *p;
    shown_buf b;
    size_t old;
    int rc = 0;
    if (n == NULL)
        return cfg_fail_missing(c, "name", "a variant name (letters, digits, "
                                "'.', '_' and '-')");
    old = cfg_path_push_key(c, "name");
    if (!cJSON_IsString(n) || n->valuestring[0] == '\0') {
        rc = cfg_fail_type(c, "a non-empty string", n);
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
        rc = cfg_fail(c, "expected a variant name of letters, digits, '.', "
                      "'_' and '-' (it names a folder), found \"%s\" (with "
                      "%s)", cfg_shown(&b, n->valuestring, 64), ch);
    } else if (n->valuestring[0] == '.') {
        rc = cfg_fail(c, "expected a variant name not starting with '.' (it "
                      "names a folder), found \"%s\"",
                      cfg_shown(&b, n->valuestring, 64));
    } else if (strlen(n->valuestring) > VARIANT_NAME_MAX) {
        rc = cfg_fail(c, "expected a variant name of at most %d characters, "
                      "found %zu", VARIANT_NAME_MAX, strlen(n->valuestring));
    } else if (strcmp(n->valuestring, "base") == 0) {
        rc = cfg_fail(c, "expected a variant name other than \"base\" (the "
                      "name of the base scenario's results), found \"base\"");
    }
out:
    cfg_path_pop(c, old);
    return rc;
}

/* "inputs" of a variant: a non-empty object of input names.  Their
 * values are checked when the variant's document is read. */
static int check_variant_inputs(cfg_ctx *c, const cJSON *in)
{
    const char *keys[MC_IN_COUNT + 2];
    cfg_input_keys(keys);
    if (!cJSON_IsObject(in))
        return cfg_fail_type(c, "an object of the inputs this variant "
                             "replaces (as in $.inputs)", in);
    if (cfg_check_keys(c, in, keys))
        return -1;
    if (in->child == NULL)
        return cfg_fail(c, "expected at least one input to replace, found an "
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
    cfg_join(list, n, keys);
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
        return cfg_fail_type(c, "an object {\"input\": ..., "
                             "\"parameter\": ..., \"values\": [...]}", sw);
    if (cfg_check_keys(c, sw, sweep_keys))
        return -1;
    for (size_t k = 0; sweep_keys[k] != NULL; k++)
        if (cfg_member(sw, sweep_keys[k]) == NULL)
            return cfg_fail_missing(c, sweep_keys[k], k == 0 ? "an input name"
                                    : k == 1 ? "a parameter of that input"
                                    : "an array of numbers");
    in = cfg_member(sw, "input");
    par = cfg_member(sw, "parameter");
    vals = cfg_member(sw, "values");

    old = cfg_path_push_key(c, "input");
    if (!cJSON_IsString(in))
        return cfg_fail_type(c, "an input name", in);
    if (strcmp(in->valuestring, FINAL_RUN) == 0)
        return cfg_fail(c, "expected an input other than %s (replace its "
                        "stages with \"inputs\"), found '%s'", FINAL_RUN,
                        FINAL_RUN);
    if (strcmp(in->valuestring, TRAFFIC_KEY) == 0)
        return cfg_fail(c, "expected an input other than %s (a sweep sets "
                        "one number; give each traffic list as a variant's "
                        "\"inputs\"), found '%s'", TRAFFIC_KEY, TRAFFIC_KEY);
    if (cfg_input_id(in->valuestring) < 0) {
        const char *names[MC_IN_COUNT + 1], *near;
        for (int k = 0; k < MC_IN_COUNT; k++)
            names[k] = mc_input_infos[k].name;
        names[MC_IN_COUNT] = NULL;
        near = cfg_closest(in->valuestring, names);
        return cfg_fail(c, "expected an input of MODEL.md%s%s%s, found '%s'",
                        near ? " (did you mean '" : "", near ? near : "",
                        near ? "'?)" : "", cfg_shown(&b, in->valuestring, 64));
    }
    if (cfg_member(base_inputs, in->valuestring) == NULL)
        return cfg_fail(c, "expected an input that $.inputs gives, found "
                        "'%s', which %s", cfg_shown(&b, in->valuestring, 64),
                        cfg_is_phase_input(cfg_input_id(in->valuestring))
                        || cfg_member(base_inputs, TRAFFIC_KEY) != NULL
                        ? "comes from $.inputs.traffic (a sweep sets a key "
                          "of $.inputs); give each traffic list as a "
                          "variant's \"inputs\" instead"
                        : "the base leaves out; give it in $.inputs first");
    cfg_path_pop(c, old);

    base = cfg_member(base_inputs, in->valuestring);
    old = cfg_path_push_key(c, "parameter");
    if (!cJSON_IsString(par))
        return cfg_fail_type(c, "a parameter name", par);
    if (cJSON_IsNumber(base)) {
        if (strcmp(par->valuestring, "value") != 0)
            return cfg_fail(c, "expected \"value\" (%s is a bare number in "
                            "$.inputs), found '%s'", in->valuestring,
                            cfg_shown(&b, par->valuestring, 64));
    } else if (!cJSON_IsNumber(cfg_member(base, par->valuestring))) {
        const char *keys[MC_DIST_PARAMS_MAX + 2], *near;
        char list[128];
        numeric_keys(base, keys, MC_DIST_PARAMS_MAX + 2, list, sizeof list);
        if (keys[0] == NULL)     /* a discrete: its values are arrays */
            return cfg_fail(c, "expected a numeric parameter of $.inputs.%s, "
                            "found '%s' (that input has none to sweep)",
                            in->valuestring,
                            cfg_shown(&b, par->valuestring, 64));
        near = cfg_closest(par->valuestring, keys);
        return cfg_fail(c, "expected a numeric parameter of $.inputs.%s (one "
                        "of %s), found '%s'%s%s%s", in->valuestring, list,
                        cfg_shown(&b, par->valuestring, 64),
                        near ? " (did you mean '" : "", near ? near : "",
                        near ? "'?)" : "");
    }
    cfg_path_pop(c, old);

    old = cfg_path_push_key(c, "values");
    if (!cJSON_IsArray(vals))
        return cfg_fail_type(c, "an array of numbers", vals);
    *n = (size_t)cJSON_GetArraySize(vals);
    if (*n == 0)
        return cfg_fail(c, "expected at least one value, found an empty "
                        "array");
    if (*n > SWEEP_VALUES_MAX)
        return cfg_fail(c, "expected at most %d values, found %zu",
                        SWEEP_VALUES_MAX, *n);
    cJSON_ArrayForEach(e, vals) {
        double x;
        size_t o = cfg_path_push_index(c, i++);
        if (cfg_read_number(c, e, &x))
            return -1;
        cfg_path_pop(c, o);
    }
    cfg_path_pop(c, old);
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
        return cfg_fail_type(c, "a variant {\"name\": ..., \"inputs\": {...}} "
                             "or {\"name\": ..., \"sweep\": {...}}", v);
    if (cfg_check_keys(c, v, variant_keys) || check_variant_name(c, v))
        return -1;
    d = cfg_member(v, "description");
    if (d != NULL && !cJSON_IsString(d))
        return cfg_fail_at_key(c, "description", "expected a string, found %s",
                               cfg_describe(&(found_buf){{0}}, d));
    in = cfg_member(v, "inputs");
    sw = cfg_member(v, "sweep");
    if (in != NULL && sw != NULL)
        return cfg_fail(c, "expected exactly one of \"inputs\" and \"sweep\", "
                        "found both");
    if (in == NULL && sw == NULL)
        return cfg_fail(c, "missing required key 'inputs' or 'sweep': "
                        "expected the inputs the variant replaces or a "
                        "sweep of one parameter, found neither");
    *n = 1;
    old = cfg_path_push_key(c, in != NULL ? "inputs" : "sweep");
    rc = in != NULL ? check_variant_inputs(c, in)
                    : check_sweep(c, sw, base_inputs, n);
    cfg_path_pop(c, old);
    return rc;
}

/* The document of one variant: the base without "variants", with the
 * entries of the variant's "inputs" replaced, or the swept number set to
 * x.  NULL when out of memory. */
static cJSON *variant_document(const cJSON *root, const cJSON *v, double x)
{
    cJSON *doc = cJSON_Duplicate(root, 1), *inputs, *e;
    const cJSON *in = cfg_member(v, "inputs"), *sw = cfg_member(v, "sweep");
    if (doc == NULL)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "variants");
    inputs = cJSON_GetObjectItemCaseSensitive(doc, "inputs");
    if (in != NULL) {
        /* traffic and monthly_growth each take the other's place */
        if (cfg_member(in, TRAFFIC_KEY) != NULL)
            cJSON_DeleteItemFromObjectCaseSensitive(
                inputs, mc_input_infos[MC_IN_MONTHLY_GROWTH].name);
        if (cfg_member(in, mc_input_infos[MC_IN_MONTHLY_GROWTH].name) != NULL)
            cJSON_DeleteItemFromObjectCaseSensitive(inputs, TRAFFIC_KEY);
        cJSON_ArrayForEach(e, in) {
            cJSON *copy = cJSON_Duplicate(e, 1);
            int ok;
            if (copy != NULL && cfg_member(inputs, e->string) == NULL)
                ok = cJSON_AddItemToObject(inputs, e->string, copy);
            else
                ok = copy != NULL && cJSON_ReplaceItemInObjectCaseSensitive(
                                         inputs, e->string, copy);
            if (!ok) {
                cJSON_Delete(copy);
                cJSON_Delete(doc);
                return NULL;
            }
            /* cJSON 1.7.15 does not check the copy of the key it makes: a
               NULL key is that allocation failing (copy is doc's now) */
            if (copy->string == NULL) {
                cJSON_Delete(doc);
                return NULL;
            }
        }
    } else {
        cJSON *target = cJSON_GetObjectItemCaseSensitive(
            inputs, cfg_member(sw, "input")->valuestring);
        if (!cJSON_IsNumber(target))
            target = cJSON_GetObjectItemCaseSensitive(
                target, cfg_member(sw, "parameter")->valuestring);
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
    const cJSON *in = cfg_member(v, "inputs"), *e;
    if (in != NULL) {
        cJSON_ArrayForEach(e, in)
            if (path_in_input(sub->path, e->string)) {
                cfg_path_append(c, "%s", sub->path + 1);
                return cfg_fail(c, "%s", sub->msg);
            }
        cfg_path_push_key(c, "inputs");
        if (in->child->next == NULL)
            cfg_path_push_key(c, in->child->string);
    }
    return cfg_fail(c, "%s (at %s in variant '%s')", sub->msg, sub->path,
                    name);
}

/* The name of entry v's variant k: its name, and for a sweep "=" and
 * the value k in the shortest form that reads back ("median=3.1"; -0 as
 * 0, so that 0 and -0 collide).  *x: the swept value (else 0). */
static void variant_name(const cJSON *v, size_t k, char *buf, size_t n,
                         double *x)
{
    const cJSON *sw = cfg_member(v, "sweep");
    char num[32];
    *x = 0;
    snprintf(buf, n, "%s", cfg_member(v, "name")->valuestring);
    if (sw != NULL) {
        size_t len = strlen(buf);
        *x = cJSON_GetArrayItem(cfg_member(sw, "values"), (int)k)->valuedouble;
        cfg_fmt_num(num, sizeof num, *x == 0 ? 0.0 : *x);
        snprintf(buf + len, n - len, "=%s", num);
    }
}

/* The groups of outputs (MC_GROUP_*) in g, "power and carbon". */
static void group_names(unsigned g, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (unsigned b = 1; b != 0 && b <= g && k < n; b <<= 1)
        if ((g & b) && mc_group_name(b) != NULL)
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? " and " : "",
                                  mc_group_name(b));
}

/* Variant `name` of entry v (at the current path $.variants[i]) has
 * other groups of outputs than the base: an error at the first input
 * the variant gives of a group it adds (else at the variant). */
static int fail_groups(cfg_ctx *c, const cJSON *v, const char *name,
                       unsigned base, unsigned mine)
{
    const cJSON *in = cfg_member(v, "inputs"), *e;
    char add[96], lack[96];
    group_names(mine & ~base, add, sizeof add);
    group_names(base & ~mine, lack, sizeof lack);
    cJSON_ArrayForEach(e, in) {
        int id = cfg_input_id(e->string);
        if (id >= 0 && (mc_input_infos[id].group & mine & ~base)) {
            cfg_path_push_key(c, "inputs");
            cfg_path_push_key(c, e->string);
            break;
        }
    }
    return cfg_fail(c, "expected the base's groups of outputs in variant "
                    "'%s' (variants compare outputs one for one), found it "
                    "%s%s%s%s%s; give the base the same inputs, or drop them "
                    "from the variant", name, add[0] ? "adding " : "", add,
                    add[0] && lack[0] ? " and " : "",
                    lack[0] ? "lacking " : "", lack);
}

/* Variant `name` of entry v (at the current path $.variants[i]), with
 * the swept value x if any, into *out (zeroed). */
static int read_variant(cfg_ctx *c, const cJSON *root, const cJSON *v,
                        const char *name, double x, const mc_scenario *base,
                        mc_variant *out)
{
    const cJSON *d = cfg_member(v, "description");
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
        cfg_fail(c, "expected memory for a variant, found none (out of "
                 "memory)");
        goto out;
    }
    memset(&sub, 0, sizeof sub);
    cfg_ctx_init(&sc, &sub);
    if (cfg_read_scenario(&sc, doc, out->s)) {
        fail_variant(c, &sub, v, name);
        goto out;
    }
    if (out->s->layout.groups != base->layout.groups) {
        fail_groups(c, v, name, base->layout.groups,
                    out->s->layout.groups);
        goto out;
    }
    /* "<base>/<variant>", and the variant's own description if any */
    len = strlen(base->name) + 1 + strlen(name) + 1;
    free(out->s->name);
    if ((out->s->name = malloc(len)) == NULL) {
        cfg_fail(c, "expected memory for a name, found none (out of memory)");
        goto out;
    }
    snprintf(out->s->name, len, "%s/%s", base->name, name);
    if (d != NULL) {
        free(out->s->description);
        if ((out->s->description = strdup(d->valuestring)) == NULL) {
            cfg_fail(c, "expected memory for a description, found none (out "
                     "of memory)");
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

/* "variants" (at the current path) of the base *s, read from root. */
int cfg_read_variants(cfg_ctx *c, const cJSON *root, const cJSON *vs,
                      mc_scenario *s)
{
    const cJSON *base_inputs = cfg_member(root, "inputs"), *v;
    size_t total = 0, i = 0, j = 0;
    /* where each variant came from: entry, sweep value (or SIZE_MAX) */
    size_t from[MC_VARIANTS_MAX][2];
    if (!cJSON_IsArray(vs))
        return cfg_fail_type(c, "an array of variants {\"name\": ..., "
                             "\"inputs\": {...}} or {\"name\": ..., "
                             "\"sweep\": {...}}", vs);
    cJSON_ArrayForEach(v, vs) {
        size_t n = 0, old = cfg_path_push_index(c, i++);
        if (check_variant(c, v, base_inputs, &n))
            return -1;
        cfg_path_pop(c, old);
        total += n;
    }
    if (total > MC_VARIANTS_MAX)
        return cfg_fail(c, "expected at most %d variants (a sweep makes one "
                        "per value), found %zu", MC_VARIANTS_MAX, total);
    if (total == 0)
        return 0;
    if ((s->variants = calloc(total, sizeof *s->variants)) == NULL)
        return cfg_fail(c, "expected memory for %zu variants, found none (out "
                        "of memory)", total);
    s->n_variants = total;       /* zeroed entries are safe to free */
    i = 0;
    cJSON_ArrayForEach(v, vs) {
        const cJSON *sw = cfg_member(v, "sweep");
        size_t n = sw != NULL ? (size_t)cJSON_GetArraySize(
                                    cfg_member(sw, "values")) : 1;
        size_t old = cfg_path_push_index(c, i);
        for (size_t k = 0; k < n; k++, j++) {
            char name[VARIANT_NAME_MAX + 40];
            double x;
            size_t o2 = c->len;
            variant_name(v, k, name, sizeof name, &x);
            if (sw != NULL) {
                cfg_path_push_key(c, "sweep");
                cfg_path_push_key(c, "values");
                cfg_path_push_index(c, k);
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
                        cfg_path_push_key(c, "name");
                    return cfg_fail(c, "expected variant names unique (a "
                                    "sweep adds \"=value\"), found \"%s\" "
                                    "again (also %s)", name, also);
                }
            if (read_variant(c, root, v, name, x, s, &s->variants[j]))
                return -1;
            from[j][0] = i;
            from[j][1] = sw != NULL ? k : SIZE_MAX;
            cfg_path_pop(c, o2);
        }
        cfg_path_pop(c, old);
        i++;
    }
    return 0;
}
