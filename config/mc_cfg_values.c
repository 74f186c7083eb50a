/* mc_cfg_values.c: the members of a JSON object, checked and read at
 * their paths: unknown keys (with the closest valid key suggested),
 * duplicate and missing keys; numbers, counts (exact from their text),
 * strings and arrays of numbers. */
#include "mc_config_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_count.h"

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
const char *cfg_closest(const char *word, const char *const *cands)
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

void cfg_join(char *buf, size_t n, const char *const *words)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; words[i] != NULL && len < n; i++) {
        snprintf(buf + len, n - len, "%s%s", i ? ", " : "", words[i]);
        len = strlen(buf);
    }
}

int cfg_in_list(const char *key, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

/* Every key of obj in allowed (NULL-terminated) and none twice.  Stops at
 * the first unknown or repeated key, so it looks at no more than
 * |allowed| + 1 children. */
int cfg_check_keys(cfg_ctx *c, const cJSON *obj,
                   const char *const *allowed)
{
    for (const cJSON *k = obj->child; k != NULL; k = k->next) {
        const char *key = k->string != NULL ? k->string : "";
        if (!cfg_in_list(key, allowed)) {
            const char *near = cfg_closest(key, allowed);
            char list[400], hint[96] = "";
            shown_buf b;
            cfg_join(list, sizeof list, allowed);
            if (near != NULL)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            return cfg_fail_at_key(c, key, "unknown key '%s'%s: expected one "
                                   "of %s, found '%s'", cfg_shown(&b, key, 64),
                                   hint, list, b.s);
        }
        for (const cJSON *e = obj->child; e != k; e = e->next)
            if (strcmp(e->string, key) == 0)
                return cfg_fail_at_key(c, key, "duplicate key '%s': expected "
                                       "each key at most once per object, "
                                       "found it twice", key);
    }
    return 0;
}

const cJSON *cfg_member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

int cfg_fail_missing(cfg_ctx *c, const char *key, const char *what)
{
    return cfg_fail(c, "missing required key '%s': expected %s, found no '%s'",
                    key, what, key);
}

/* ======================================================================
 * Scalars
 * ====================================================================== */

/* A finite number at the current path. */
int cfg_read_number(cfg_ctx *c, const cJSON *v, double *out)
{
    if (!cJSON_IsNumber(v))
        return cfg_fail_type(c, "a number", v);
    if (!isfinite(v->valuedouble))
        return cfg_fail_type(c, "a finite number", v);
    *out = v->valuedouble;
    return 0;
}

int cfg_read_number_at(cfg_ctx *c, const cJSON *obj, const char *key,
                       double *out)
{
    size_t old = cfg_path_push_key(c, key);
    int rc = cfg_read_number(c, cfg_member(obj, key), out);
    cfg_path_pop(c, old);
    return rc;
}

/* An integral number in [lo, hi] (both exact in a double). */
static int read_count(cfg_ctx *c, const cJSON *v, double lo, double hi,
                      const char *expected, uint64_t *out)
{
    double x;
    if (!cJSON_IsNumber(v))
        return cfg_fail_type(c, expected, v);
    x = v->valuedouble;
    if (!isfinite(x) || x != floor(x) || x < lo || x > hi)
        return cfg_fail_type(c, expected, v);
    *out = (uint64_t)x;
    return 0;
}

/* read_count at the path of a member. */
int cfg_read_count_at(cfg_ctx *c, const cJSON *obj, const char *key,
                      double lo, double hi, const char *expected,
                      uint64_t *out)
{
    size_t old = cfg_path_push_key(c, key);
    int rc = read_count(c, cfg_member(obj, key), lo, hi, expected, out);
    cfg_path_pop(c, old);
    return rc;
}

/* A count read from its text (mc_count.h; the scanner keeps it in
 * valuestring), not from cJSON's double, which rounds above 2^53: member
 * key of obj, at its path. */
int cfg_read_exact_count_at(cfg_ctx *c, const cJSON *obj, const char *key,
                            uint64_t lo, uint64_t hi, uint64_t *out)
{
    char expected[96];
    size_t old = cfg_path_push_key(c, key);
    const cJSON *v = cfg_member(obj, key);
    int rc = 0;
    snprintf(expected, sizeof expected, "an integer from %llu to %llu",
             (unsigned long long)lo, (unsigned long long)hi);
    if (!cJSON_IsNumber(v)) {
        rc = cfg_fail_type(c, expected, v);
    } else if (v->valuestring == NULL) {
        rc = cfg_fail(c, "expected %s, found a number whose text was not kept "
                      "(an internal error)", expected);
    } else {
        const char *t = v->valuestring;
        size_t len = strlen(t);
        mc_count_status st = mc_count_parse(t, len, lo, hi, out);
        if (st != MC_COUNT_OK)
            rc = cfg_fail(c, "expected %s, found %.*s%s", expected,
                          (int)len, t, st == MC_COUNT_SIGN
                          ? " (a sign is not allowed)" : "");
    }
    cfg_path_pop(c, old);
    return rc;
}

/* A copy of a string member; *out stays NULL if absent and optional. */
int cfg_read_string(cfg_ctx *c, const cJSON *obj, const char *key,
                    int required, int nonempty, char **out)
{
    const cJSON *v = cfg_member(obj, key);
    size_t old;
    int rc = 0;
    if (v == NULL)
        return required ? cfg_fail_missing(c, key, nonempty
                                           ? "a non-empty string" : "a string")
                        : 0;
    old = cfg_path_push_key(c, key);
    if (!cJSON_IsString(v) || (nonempty && v->valuestring[0] == '\0'))
        rc = cfg_fail_type(c, nonempty ? "a non-empty string" : "a string", v);
    else if ((*out = strdup(v->valuestring)) == NULL)
        rc = cfg_fail(c, "expected memory for a string, found none (out of "
                      "memory)");
    cfg_path_pop(c, old);
    return rc;
}

/* An array member of numbers: *out is malloc'ed (n may be 0). */
int cfg_read_number_array(cfg_ctx *c, const cJSON *obj, const char *key,
                          double **out, size_t *n)
{
    const cJSON *arr = cfg_member(obj, key), *e;
    size_t old = cfg_path_push_key(c, key), i = 0;
    double *v = NULL;
    int rc = -1;
    if (!cJSON_IsArray(arr)) {
        cfg_fail_type(c, "an array of numbers", arr);
        goto out;
    }
    *n = (size_t)cJSON_GetArraySize(arr);
    v = malloc((*n ? *n : 1) * sizeof *v);
    if (v == NULL) {
        cfg_fail(c, "expected memory for %zu numbers, found none (out of "
                 "memory)", *n);
        goto out;
    }
    cJSON_ArrayForEach(e, arr) {
        size_t o = cfg_path_push_index(c, i);
        int bad = cfg_read_number(c, e, &v[i]);
        cfg_path_pop(c, o);
        if (bad)
            goto out;
        i++;
    }
    *out = v;
    v = NULL;
    rc = 0;
out:
    free(v);
    cfg_path_pop(c, old);
    return rc;
}
