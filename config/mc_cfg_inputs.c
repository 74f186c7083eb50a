/* mc_cfg_inputs.c: the inputs of MODEL.md (their table is model/'s,
 * mc_input_infos): each entry of $.inputs read into an mc_input (a
 * number, a fixed value or a distribution; final_run_gpu_hours as one
 * input or named stages; an optional input left out takes the model's
 * fallback) whose every draw lies in the input's domain; and the checks
 * that need every input: the model's products and quotients stay finite
 * in double precision, and no two inputs share a random stream. */
#include "mc_config_impl.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_rng.h"

/* F is not an mc_input_id (it is the sum of the stages), but each stage
 * has its domain: the model's entry MC_IN_FINAL_RUN. */
static const mc_input_info *const stage_info =
    &mc_input_infos[MC_IN_FINAL_RUN];

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

/* The upper end of the domain, x < info->hi (exclusive; only inputs
 * with a finite hi): every draw of d below it.  A bound a parameter or a
 * truncation sets may be drawn, up to rounding, so a support reaching
 * hi fails.  what: the input's name for the message; v and value_key as
 * for check_domain. */
static int check_domain_hi(cfg_ctx *c, const cJSON *v, const mc_dist *d,
                           const mc_input_info *info, const char *what,
                           const char *value_key)
{
    double hi = info->hi, s = mc_dist_support_hi(d);
    char hi_s[32], s_s[32], p_s[64] = "";
    if (s < hi)
        return 0;
    cfg_fmt_num(hi_s, sizeof hi_s, hi);
    cfg_fmt_num(s_s, sizeof s_s, s);
    if (mc_dist_is_fixed(d)) {
        char msg[sizeof ((mc_err *)0)->msg];
        snprintf(msg, sizeof msg, "expected %s < %s (MODEL.md), found %s; "
                 "change the value", what, hi_s, s_s);
        return cfg_fail_param(c, value_key, msg);
    }
    if (!d->type->continuous) {
        const cJSON *e;
        size_t i = 0;
        cJSON_ArrayForEach(e, cfg_member(v, "values")) {
            if (!(e->valuedouble < hi)) {
                size_t old = cfg_path_push_key(c, "values");
                cfg_path_push_index(c, i);
                cfg_fmt_num(s_s, sizeof s_s, e->valuedouble);
                cfg_fail(c, "expected values of %s < %s (MODEL.md), found "
                         "%s; change this value", what, hi_s, s_s);
                cfg_path_pop(c, old);
                return -1;
            }
            i++;
        }
        return cfg_fail(c, "expected values of %s < %s (MODEL.md), found a "
                        "%s distribution with the value %s; change its values",
                        what, hi_s, d->type->name, s_s);
    }
    {
        double pr = 1.0 - mc_dist_cdf(d, hi);
        if (pr > 0 && pr <= 1)
            snprintf(p_s, sizeof p_s, " (P(x >= %s) = %.3g)", hi_s, pr);
    }
    return cfg_fail(c, "expected values of %s < %s (MODEL.md), found a %s "
                    "distribution reaching %s%s; truncate it: \"truncate\": "
                    "{\"hi\": x} with x < %s", what, hi_s, d->type->name,
                    s_s, p_s, hi_s);
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
                 cfg_shown(&b, stage, 64));
    }
    else
        snprintf(what, sizeof what, "%s", info->name);
    cfg_fmt_num(lo_s, sizeof lo_s, lo);
    if (cfg_check_spread(c, d, info, what))
        return -1;
    if (ok && isfinite(info->hi)
        && check_domain_hi(c, v, d, info, what, value_key))
        return -1;
    if (ok) {
        reach(d, &rlo, &rhi);
        if (!(rhi < HUGE_VAL))
            return cfg_fail(c, "expected finite values of %s, found a %s "
                            "distribution whose draws overflow to inf in "
                            "double precision (its upper %g quantile is %g); "
                            "narrow it, or truncate it: \"truncate\": "
                            "{\"hi\": x}", what, d->type->name, REACH_P, rhi);
        /* an open bound at 0 is reached by underflow: to 0, or to a
           subnormal number that the model's quotients turn into inf */
        if (info->lo_open ? !(rlo > lo) || (lo == 0 && rlo < DBL_MIN)
                          : !(rlo >= lo))
            return cfg_fail(c, "expected values of %s %s %s (MODEL.md), "
                            "found a %s distribution whose draws underflow in "
                            "double precision (its %g quantile is %g, below "
                            "the smallest normal double %g); narrow it, or "
                            "truncate it: \"truncate\": {\"lo\": x} with x "
                            "%s %s", what, op, lo_s, d->type->name, REACH_P,
                            rlo, DBL_MIN, op, lo_s);
        return 0;
    }
    cfg_fmt_num(s_s, sizeof s_s, s);
    if (mc_dist_is_fixed(d)) {
        char msg[sizeof ((mc_err *)0)->msg];
        snprintf(msg, sizeof msg, "expected %s %s %s (MODEL.md)%s, found %s;"
                 " change the value", what, op, lo_s, normal, s_s);
        return cfg_fail_param(c, value_key, msg);
    }
    if (!d->type->continuous) {
        /* blame the first value outside the domain, where it is written */
        const cJSON *e;
        size_t i = 0;
        cJSON_ArrayForEach(e, cfg_member(v, "values")) {
            double x = e->valuedouble;
            if (info->lo_open ? !(x > lo && x >= min_x) : !(x >= lo)) {
                size_t old = cfg_path_push_key(c, "values");
                cfg_path_push_index(c, i);
                cfg_fmt_num(s_s, sizeof s_s, x);
                cfg_fail(c, "expected values of %s %s %s (MODEL.md)%s, found "
                         "%s; change this value", what, op, lo_s, normal, s_s);
                cfg_path_pop(c, old);
                return -1;
            }
            i++;
        }
        return cfg_fail(c, "expected values of %s %s %s (MODEL.md), found a "
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
        return cfg_fail(c, "expected values of %s %s %s (MODEL.md), found a "
                        "%s distribution reaching %s%s; truncate it: "
                        "\"truncate\": {\"lo\": x} with x > %s", what, op,
                        lo_s, d->type->name, s_s, p_s, lo_s);
    return cfg_fail(c, "expected values of %s %s %s (MODEL.md), found a %s "
                    "distribution reaching %s%s; truncate it: \"truncate\": "
                    "{\"lo\": %s}", what, op, lo_s, d->type->name, s_s, p_s,
                    lo_s);
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
        if (cfg_read_number(c, v, &x))
            goto out;
        d = mc_dist_fixed(x);
        if (mc_dist_check(&d, msg, sizeof msg)) {
            cfg_fail(c, "%s", msg);
            goto out;
        }
    } else if (cJSON_IsObject(v)) {
        if (cfg_member(v, "dist") != NULL) {
            if (cfg_read_dist_object(c, v, is_stage, &d))
                goto out;
            if (mc_dist_is_fixed(&d))
                value_key = d.type->params[0];
        } else {
            static const char *const fixed_keys[] = {
                "dist", "value", "source", NULL};
            static const char *const stage_keys[] = {
                "dist", "value", "source", "name", NULL};
            const cJSON *k;
            double x;
            cJSON_ArrayForEach(k, v)
                if (cfg_is_param_key(k->string)) {
                    char list[256];
                    cfg_known_dists(list, sizeof list);
                    cfg_fail(c, "missing required key 'dist': expected a "
                             "distribution name (one of %s) beside the "
                             "parameter '%s', found no 'dist'", list,
                             k->string);
                    goto out;
                }
            if (cfg_member(v, "truncate") != NULL) {
                cfg_fail_at_key(c, "truncate", "expected a continuous "
                                "distribution to truncate, found a fixed "
                                "value (give \"dist\" and its parameters, or "
                                "remove \"truncate\")");
                goto out;
            }
            if (cfg_check_keys(c, v, is_stage ? stage_keys : fixed_keys))
                goto out;
            if (cfg_member(v, "value") == NULL) {
                cfg_fail(c, "missing required key 'value': expected a number "
                         "(or a distribution object with \"dist\"), found no "
                         "'value'");
                goto out;
            }
            if (cfg_read_number_at(c, v, "value", &x))
                goto out;
            d = mc_dist_fixed(x);
            value_key = "value";
            if (mc_dist_check(&d, msg, sizeof msg)) {
                cfg_fail_at_key(c, "value", "%s", msg);
                goto out;
            }
        }
        if (is_stage && cfg_read_string(c, v, "name", 1, 1, &name))
            goto out;
        if (cfg_read_string(c, v, "source", 0, 0, &source))
            goto out;
    } else {
        cfg_fail_type(c, is_stage ? "a stage object {\"name\": ..., "
                      "\"value\": ...} or {\"name\": ..., \"dist\": ...}"
                      : "a number or an object with \"value\" or \"dist\"", v);
        goto out;
    }
    if (check_domain(c, v, &d, info, name, value_key))
        goto out;
    if (name == NULL && (name = strdup(info->name)) == NULL) {
        cfg_fail(c, "expected memory for a name, found none (out of memory)");
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
            return cfg_fail(c, "expected memory for a stage, found none (out "
                            "of memory)");
        s->n_stages = 1;
        if (read_input(c, v, stage_info, 0, &s->stages[0]))
            return -1;
        s->stages[0].stream = mc_rng_stream_id(FINAL_RUN);
        return 0;
    }
    n = (size_t)cJSON_GetArraySize(v);
    if (n == 0)
        return cfg_fail(c, "expected at least one stage, found an empty "
                        "array");
    s->stages = calloc(n, sizeof *s->stages);
    if (s->stages == NULL)
        return cfg_fail(c, "expected memory for %zu stages, found none (out "
                        "of memory)", n);
    s->n_stages = n;      /* zeroed entries are safe to free */
    cJSON_ArrayForEach(e, v) {
        size_t old = cfg_path_push_index(c, i);
        mc_input *st = &s->stages[i];
        if (read_input(c, e, stage_info, 1, st)) {
            cfg_path_pop(c, old);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->stages[j].name, st->name) == 0) {
                shown_buf b;
                cfg_fail_at_key(c, "name", "expected a stage name unique "
                                "within %s, found \"%s\" again (also at "
                                "[%zu])", FINAL_RUN,
                                cfg_shown(&b, st->name, 64), j);
                cfg_path_pop(c, old);
                return -1;
            }
        len = strlen(FINAL_RUN) + 2 + strlen(st->name);
        if ((stream = malloc(len)) == NULL) {
            cfg_path_pop(c, old);
            return cfg_fail(c, "expected memory for a stream name, found none "
                            "(out of memory)");
        }
        snprintf(stream, len, "%s/%s", FINAL_RUN, st->name);
        st->stream = mc_rng_stream_id(stream);
        free(stream);
        cfg_path_pop(c, old);
        i++;
    }
    return 0;
}

int cfg_is_phase_input(int i)
{
    for (size_t j = 0; j + 1 < MC_MAX_PHASES; j++)
        if (mc_phase_days_input[j] == i || mc_phase_growth_input[j + 1] == i)
            return 1;
    return 0;
}

/* The keys of "inputs": final_run_gpu_hours, then MODEL.md's order
 * without the phase inputs, then "traffic" (which gives them). */
void cfg_input_keys(const char *keys[MC_IN_COUNT + 2])
{
    size_t k = 0;
    keys[k++] = FINAL_RUN;
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (!cfg_is_phase_input(i))
            keys[k++] = mc_input_infos[i].name;
    keys[k++] = TRAFFIC_KEY;
    keys[k] = NULL;
}

/* Input i left out of the scenario: the model's fallback, or (a group's
 * input, one that follows another, a phase the scenario does not have)
 * 0, which no output reads (mc_layout). */
static int set_absent(cfg_ctx *c, mc_scenario *s, int i)
{
    const mc_input_info *info = &mc_input_infos[i];
    s->inputs[i].stream = mc_rng_stream_id(info->name);
    s->inputs[i].dist = mc_dist_fixed(isnan(info->fallback) ? 0.0
                                                            : info->fallback);
    s->inputs[i].name = strdup(info->name);
    s->inputs[i].source = strdup("not in the scenario: the model's "
                                 "fallback value (MODEL.md)");
    if (s->inputs[i].name == NULL || s->inputs[i].source == NULL)
        return cfg_fail(c, "expected memory for a source, found none (out of "
                        "memory)");
    return 0;
}

/* Input id of a traffic phase at the current path: value v read into
 * s->inputs[id] under the table's name (and stream); the phase's
 * "source" (src, may be NULL) where the value has none. */
static int read_phase_input(cfg_ctx *c, const cJSON *v, int id,
                            const char *src, mc_scenario *s)
{
    const mc_input_info *info = &mc_input_infos[id];
    mc_input *in = &s->inputs[id];
    if (read_input(c, v, info, 0, in))
        return -1;
    in->stream = mc_rng_stream_id(info->name);
    if (in->source == NULL && src != NULL
        && (in->source = strdup(src)) == NULL)
        return cfg_fail(c, "expected memory for a source, found none (out of "
                        "memory)");
    return 0;
}

/* One phase e of $.inputs.traffic (index j of n, at the current path):
 * {"days": d (not on the last), "monthly_growth": m, "description",
 * "source"}. */
static int read_phase(cfg_ctx *c, const cJSON *e, size_t j, size_t n,
                      mc_scenario *s)
{
    static const char *const phase_keys[] = {
        "days", "monthly_growth", "description", "source", NULL};
    const cJSON *d, *m;
    char *desc = NULL, *src = NULL;
    size_t old;
    int rc = -1;
    if (!cJSON_IsObject(e))
        return cfg_fail_type(c, "a traffic phase {\"days\": ..., "
                             "\"monthly_growth\": ...} (the last without "
                             "\"days\")", e);
    if (cfg_check_keys(c, e, phase_keys)
        || cfg_read_string(c, e, "description", 0, 0, &desc)
        || cfg_read_string(c, e, "source", 0, 0, &src))
        goto out;
    d = cfg_member(e, "days");
    m = cfg_member(e, "monthly_growth");
    if (m == NULL) {
        cfg_fail_missing(c, "monthly_growth", "the monthly growth of uses in "
                         "this phase (a number or a distribution, > -1)");
        goto out;
    }
    if (d == NULL && j + 1 < n) {
        cfg_fail(c, "missing required key 'days': expected the length of "
                 "traffic phase %zu of %zu in days (every phase but the "
                 "last has one), found no 'days'", j + 1, n);
        goto out;
    }
    if (d != NULL && j + 1 == n) {
        found_buf f;
        cfg_fail_at_key(c, "days", "expected no 'days' on traffic phase %zu "
                        "of %zu (the last phase has no end), found %s; "
                        "remove it, or add a phase after it", j + 1, n,
                        cfg_describe(&f, d));
        goto out;
    }
    old = cfg_path_push_key(c, "monthly_growth");
    if (read_phase_input(c, m, mc_phase_growth_input[j], src, s))
        goto out;
    cfg_path_pop(c, old);
    if (d != NULL) {
        old = cfg_path_push_key(c, "days");
        if (read_phase_input(c, d, mc_phase_days_input[j], src, s))
            goto out;
        cfg_path_pop(c, old);
    }
    rc = 0;
out:
    free(desc);
    free(src);
    return rc;
}

/* $.inputs.traffic (v, at the current path): 1 to MC_MAX_PHASES phases
 * into the phase inputs (phase 0's growth is monthly_growth). */
static int read_traffic(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const cJSON *e;
    size_t n, j = 0;
    if (!cJSON_IsArray(v))
        return cfg_fail_type(c, "an array of traffic phases {\"days\": ..., "
                             "\"monthly_growth\": ...} (the last without "
                             "\"days\")", v);
    n = (size_t)cJSON_GetArraySize(v);
    if (n == 0)
        return cfg_fail(c, "expected at least one traffic phase, found an "
                        "empty array; give one {\"monthly_growth\": ...}, or "
                        "give monthly_growth instead of traffic");
    if (n > MC_MAX_PHASES)
        return cfg_fail(c, "expected at most %d traffic phases, found %zu; "
                        "merge some", MC_MAX_PHASES, n);
    cJSON_ArrayForEach(e, v) {
        size_t old = cfg_path_push_index(c, j);
        if (read_phase(c, e, j, n, s))
            return -1;
        cfg_path_pop(c, old);
        j++;
    }
    return 0;
}

int cfg_read_inputs(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    const char *keys[MC_IN_COUNT + 2];
    const cJSON *e, *traffic;
    size_t old;
    cfg_input_keys(keys);

    if (!cJSON_IsObject(v))
        return cfg_fail_type(c, "an object with one entry per input of "
                             "MODEL.md", v);
    if (cfg_check_keys(c, v, keys))
        return -1;
    traffic = cfg_member(v, TRAFFIC_KEY);
    if (traffic != NULL
        && cfg_member(v, mc_input_infos[MC_IN_MONTHLY_GROWTH].name) != NULL)
        return cfg_fail(c, "expected monthly_growth or traffic, found both; "
                        "remove monthly_growth (traffic's first phase gives "
                        "it)");
    for (size_t i = 0; keys[i] != NULL; i++) {
        int id = i == 0 ? -1 : cfg_input_id(keys[i]);
        if (cfg_member(v, keys[i]) == NULL
            && (i == 0 || (id >= 0 && mc_input_infos[id].required == MC_ALWAYS
                           && !(id == MC_IN_MONTHLY_GROWTH
                                && traffic != NULL))))
            return cfg_fail(c, "missing required key '%s': expected every "
                            "input of MODEL.md (%s, %s, %s, ...), found no "
                            "'%s'", keys[i], keys[0], keys[1], keys[2],
                            keys[i]);
    }
    e = cfg_member(v, FINAL_RUN);
    old = cfg_path_push_key(c, FINAL_RUN);
    if (read_stages(c, e, s)) {
        cfg_path_pop(c, old);
        return -1;
    }
    cfg_path_pop(c, old);
    for (int i = 0; i < MC_IN_COUNT; i++) {
        const mc_input_info *info = &mc_input_infos[i];
        if (cfg_is_phase_input(i)
            || (i == MC_IN_MONTHLY_GROWTH && traffic != NULL))
            continue;                       /* read_traffic's */
        if (cfg_member(v, info->name) == NULL) {   /* optional: the model's */
            if (set_absent(c, s, i))
                return -1;
            continue;
        }
        old = cfg_path_push_key(c, info->name);
        if (read_input(c, cfg_member(v, info->name), info, 0, &s->inputs[i])) {
            cfg_path_pop(c, old);
            return -1;
        }
        s->inputs[i].stream = mc_rng_stream_id(info->name);
        cfg_path_pop(c, old);
    }
    if (traffic != NULL) {
        old = cfg_path_push_key(c, TRAFFIC_KEY);
        if (read_traffic(c, traffic, s)) {
            cfg_path_pop(c, old);
            return -1;
        }
        cfg_path_pop(c, old);
    }
    for (int i = 0; i < MC_IN_COUNT; i++)   /* the phases it does not have */
        if (s->inputs[i].name == NULL && set_absent(c, s, i))
            return -1;
    return 0;
}

/* The first input given of group g (table order), or -1. */
static int first_given(const unsigned char given[MC_IN_COUNT], unsigned g)
{
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (given[i] && mc_input_infos[i].group == g)
            return i;
    return -1;
}

/* The given input that mc_layout_make's group error is about: the first
 * given input of the group that lacks a partner (the first one missing,
 * in table order) or of the group whose groups it builds on are missing;
 * -1 if none (its message says why). */
static int layout_blame(const unsigned char given[MC_IN_COUNT])
{
    unsigned groups = MC_GROUPS_ALWAYS;
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (given[i])
            groups |= mc_input_infos[i].group;
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (!given[i] && mc_input_infos[i].required == MC_WITH_GROUP
            && (groups & mc_input_infos[i].group))
            return first_given(given, mc_input_infos[i].group);
    for (unsigned g = 1; g != 0 && g <= MC_GROUP_USE; g <<= 1) {
        unsigned need = mc_group_needs(g);
        if ((groups & g) && (groups & need) != need)
            return first_given(given, g);
    }
    return -1;
}

/* The path of input i (at the current path $): $.inputs.<name>, or for
 * a phase input $.inputs.traffic[j].days or .monthly_growth. */
void cfg_path_push_input(cfg_ctx *c, const cJSON *root, int i)
{
    const cJSON *traffic = cfg_member(cfg_member(root, "inputs"), TRAFFIC_KEY);
    cfg_path_push_key(c, "inputs");
    for (size_t j = 0; traffic != NULL && j < MC_MAX_PHASES; j++) {
        if (mc_phase_growth_input[j] == i
            || (j + 1 < MC_MAX_PHASES && mc_phase_days_input[j] == i)) {
            cfg_path_push_key(c, TRAFFIC_KEY);
            cfg_path_push_index(c, j);
            cfg_path_push_key(c, mc_phase_growth_input[j] == i
                                 ? "monthly_growth" : "days");
            return;
        }
    }
    cfg_path_push_key(c, mc_input_infos[i].name);
}

int cfg_make_layout(cfg_ctx *c, const cJSON *root, unsigned long long curve,
                    mc_scenario *s)
{
    const cJSON *in = cfg_member(root, "inputs");
    const cJSON *traffic = cfg_member(in, TRAFFIC_KEY);
    size_t n = traffic != NULL ? (size_t)cJSON_GetArraySize(traffic) : 1;
    unsigned char given[MC_IN_COUNT];
    char msg[sizeof ((mc_err *)0)->msg];
    size_t old = c->len;
    mc_layout lay;
    for (int i = 0; i < MC_IN_COUNT; i++)
        given[i] = !cfg_is_phase_input(i)
                   && cfg_member(in, mc_input_infos[i].name) != NULL;
    given[MC_IN_MONTHLY_GROWTH] = 1;        /* the key, or traffic's */
    for (size_t j = 0; j + 1 < n; j++)
        given[mc_phase_days_input[j]] = given[mc_phase_growth_input[j + 1]]
            = 1;
    /* U0 and the use block go together */
    if (given[MC_IN_USES_PER_DAY] && s->use_unit == NULL) {
        cfg_path_push_input(c, root, MC_IN_USES_PER_DAY);
        cfg_fail(c, "expected a \"use\" block beside uses_per_day (a "
                 "top-level {\"unit\": ..., \"per\": ...} naming what one "
                 "use is), found no \"use\"; add one, or remove "
                 "uses_per_day");
        cfg_path_pop(c, old);
        return -1;
    }
    if (!given[MC_IN_USES_PER_DAY] && s->use_unit != NULL) {
        cfg_path_push_key(c, "use");
        cfg_fail(c, "expected uses_per_day in $.inputs beside the \"use\" "
                 "block (the per-use outputs need both), found no "
                 "uses_per_day; give it, or remove \"use\"");
        cfg_path_pop(c, old);
        return -1;
    }
    if (mc_layout_make(given, n, s->use_per, ~0ull, &lay, msg,
                       sizeof msg) != 0) {
        int blame = layout_blame(given);
        if (blame >= 0)
            cfg_path_push_input(c, root, blame);
        else
            cfg_path_push_key(c, "inputs");
        cfg_fail(c, "%s", msg);
        cfg_path_pop(c, old);
        return -1;
    }
    if (mc_layout_make(given, n, s->use_per, curve, &s->layout, msg,
                       sizeof msg) != 0) {
        /* a metric the scenario lacks: the first in table order, which
           mc_layout_make names, where the file lists it */
        const cJSON *metrics = cfg_member(cfg_member(root, "curve"),
                                          "metrics"), *e;
        size_t k = 0;
        int o;
        for (o = 0; o < MC_OUT_COUNT; o++)
            if ((curve >> o & 1u) && mc_output_infos[o].curve_break_even >= 0
                && !lay.has_out[o])
                break;
        cfg_path_push_key(c, "curve");
        cfg_path_push_key(c, "metrics");
        cJSON_ArrayForEach(e, metrics) {
            if (o < MC_OUT_COUNT && cJSON_IsString(e)
                && strcmp(e->valuestring, mc_output_infos[o].name) == 0) {
                cfg_path_push_index(c, k);
                break;
            }
            k++;
        }
        cfg_fail(c, "%s; give its inputs, or remove it from curve.metrics",
                 msg);
        cfg_path_pop(c, old);
        return -1;
    }
    return 0;
}

int cfg_input_id(const char *name)
{
    for (int i = 0; i < MC_IN_COUNT; i++)
        if (strcmp(mc_input_infos[i].name, name) == 0)
            return i;
    return -1;
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
                 cfg_shown(&b, s->stages[i - MC_IN_COUNT].name, 64));
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
static int check_streams(cfg_ctx *c, const cJSON *root,
                         const mc_scenario *s, int single)
{
    size_t n = MC_IN_COUNT + s->n_stages;
    stream_ref *r = malloc(n * sizeof *r);
    size_t old = c->len;
    int rc = 0;
    if (r == NULL)
        return cfg_fail(c, "expected memory for %zu streams, found none (out "
                        "of memory)", n);
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
        if (later < MC_IN_COUNT) {
            cfg_path_push_input(c, root, (int)later);
        } else {
            cfg_path_push_key(c, "inputs");
            cfg_path_push_key(c, FINAL_RUN);
            if (!single) {
                cfg_path_push_index(c, later - MC_IN_COUNT);
                cfg_path_push_key(c, "name");
            }
        }
        rc = cfg_fail(c, "expected a distinct random stream for every input, "
                      "found '%s' and '%s' sharing stream id 0x%08x (FNV-1a "
                      "of the names); rename one", a, b, (unsigned)r[k].id);
        cfg_path_pop(c, old);
    }
    free(r);
    return rc;
}

/* The model's products and quotients (MODEL.md) stay finite in double
 * precision for every combination of draws: else inputs that are each in
 * their domain would give inf where MODEL.md does not say "never" (a
 * multiplier of inf, training of inf GPU-hours).  Bounds from each
 * input's reach, at the current path ($.inputs), through model/'s
 * mc_model_bounds_of (F = the sum of the stages' largest values). */
static int check_derived(cfg_ctx *c, const mc_scenario *s)
{
    double lo[MC_COL_OUTPUT0], hi[MC_COL_OUTPUT0], f = 0, l, h;
    mc_model_bounds b;
    char v[32];
    for (size_t i = 0; i < s->n_stages; i++) {
        reach(&s->stages[i].dist, &l, &h);
        f += h;
    }
    lo[MC_COL_F] = hi[MC_COL_F] = f;   /* only F's largest value counts */
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        reach(&s->inputs[i].dist, &lo[MC_COL_INPUT0 + i],
              &hi[MC_COL_INPUT0 + i]);
    mc_model_bounds_of(lo, hi,
                       s->n_horizons > 0 ? s->horizons[0] : HUGE_VAL,
                       &s->layout, &b);
    if (!(f < HUGE_VAL))
        return cfg_fail(c, "expected final_run_gpu_hours (the sum of the "
                        "stages) finite in double precision, found stages "
                        "summing to inf; make them smaller");
    if (!(b.T_hi < HUGE_VAL))
        return cfg_fail(c, "expected training_gpu_hours = overhead x "
                        "final_run_gpu_hours finite in double precision, "
                        "found it reaching inf (overhead up to %s); narrow "
                        "overhead or the stages",
                        (cfg_fmt_num(v, sizeof v,
                                     hi[MC_COL_INPUT0 + MC_IN_OVERHEAD]), v));
    if (!(b.I0_hi < HUGE_VAL))
        return cfg_fail(c, "expected inference_gpu_hours_per_day = nodes x "
                        "gpus_per_node x 24 x representativeness finite in "
                        "double precision, found it reaching inf; narrow "
                        "those inputs");
    if (!(b.I0_lo >= DBL_MIN))
        return cfg_fail(c, "expected inference_gpu_hours_per_day = nodes x "
                        "gpus_per_node x 24 x representativeness of at least "
                        "%g (the smallest normal double), found it as low as "
                        "%g; narrow those inputs", DBL_MIN, b.I0_lo);
    if (!(b.E_lo >= DBL_MIN))
        return cfg_fail(c, "expected power_ratio x pue_ratio of at least %g "
                        "(the smallest normal double), found it as low as %g; "
                        "narrow those inputs", DBL_MIN, b.E_lo);
    if (!(b.usd_hi < HUGE_VAL))
        return cfg_fail(c, "expected training_usd and inference_usd_per_day "
                        "finite in double precision, found them reaching inf "
                        "(gpu_hour_usd up to %s); narrow gpu_hour_usd",
                        (cfg_fmt_num(v, sizeof v,
                                     hi[MC_COL_INPUT0 + MC_IN_GPU_HOUR_USD]),
                         v));
    if (!(b.days_hi < HUGE_VAL && b.excess_hi < HUGE_VAL))
        return cfg_fail(c, "expected break-even days and multipliers finite "
                        "in double precision where break-even happens, found "
                        "training / inference (or over power_ratio x "
                        "pue_ratio x inference, where that product is below "
                        "1) reaching inf (training up to %g GPU-h, inference "
                        "as low as %g GPU-h per day over %g days); narrow the "
                        "extreme inputs", b.T_hi, b.I0_lo, b.span);
    if (!(b.required_hi < HUGE_VAL))
        return cfg_fail(c, "expected required_gpu_hours_per_day = "
                        "inference x training / C(lifetime) finite in double "
                        "precision, found it reaching inf (training up to %g "
                        "GPU-h over %g days); narrow the extreme inputs",
                        b.T_hi, b.span);
    for (int k = 0; k < s->layout.nout; k++) {
        const mc_output_info *o = &mc_output_infos[s->layout.out[k]];
        if (!(b.out_hi[s->layout.out[k]] < HUGE_VAL))
            return cfg_fail(c, "expected %s (%s) finite in double precision, "
                            "found it reaching inf; narrow the extreme inputs",
                            o->name, o->doc);
    }
    return 0;
}

/* The checks of $.inputs that need the whole scenario (the horizons
 * among it): the model's derived quantities, then a random stream of its
 * own for every input.  root: the document read. */
int cfg_check_inputs(cfg_ctx *c, const cJSON *root, const mc_scenario *s)
{
    size_t old = cfg_path_push_key(c, "inputs");
    int rc = check_derived(c, s);
    cfg_path_pop(c, old);
    if (rc)
        return -1;
    return check_streams(c, root, s,
                         !cJSON_IsArray(cfg_member(cfg_member(root, "inputs"),
                                                   FINAL_RUN)));
}
