/* mc_cfg_dist.c: a distribution object of a scenario, {"dist": name,
 * its parameters, "truncate": {...}}, into a checked mc_dist.  Names,
 * parameter keys and how a type is built come from the type table of
 * mc_dist.h; here are the paths and messages.  Also the check that a
 * distribution's draws are not one value in disguise. */
#include "mc_config_impl.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const truncate_keys[] = {"lo", "hi", NULL};

/* A discrete distribution from the arrays "values" and "weights" (equal
 * weights when absent) of obj; a negative weight is blamed where it is
 * written. */
static int build_discrete(cfg_ctx *c, const cJSON *obj, mc_dist *d)
{
    double *values = NULL, *weights = NULL;
    size_t n = 0, nw = 0;
    char msg[sizeof ((mc_err *)0)->msg];
    int rc = -1;
    if (cfg_read_number_array(c, obj, "values", &values, &n))
        goto out;
    if (cfg_member(obj, "weights") != NULL) {
        if (cfg_read_number_array(c, obj, "weights", &weights, &nw))
            goto out;
        if (nw != n) {
            cfg_fail_at_key(c, "weights", "expected %zu weights (one per "
                            "value), found %zu", n, nw);
            goto out;
        }
    } else {
        weights = malloc((n ? n : 1) * sizeof *weights);
        if (weights == NULL) {
            cfg_fail(c, "expected memory for %zu weights, found none (out of "
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
            cfg_fail_at_key(c, "values", "%s", msg);
        } else if (neg < n) {
            size_t o = cfg_path_push_key(c, "weights");
            size_t o2 = cfg_path_push_index(c, neg);
            cfg_fail(c, "%s", msg);
            cfg_path_pop(c, o2);
            cfg_path_pop(c, o);
        } else {
            cfg_fail_param(c, cfg_member(obj, "weights") ? "weights" : NULL,
                           msg);
        }
        goto out;
    }
    rc = 0;
out:
    free(values);
    free(weights);
    return rc;
}

/* Builds *d of type t from the numbers read (mc_dist_from_params, which
 * checks it); an error points at the parameter to blame, else at the
 * distribution object. */
static int build_dist(cfg_ctx *c, const mc_dist_type *t,
                      const mc_dist_params *p, mc_dist *d)
{
    char msg[sizeof ((mc_err *)0)->msg];
    msg[0] = '\0';
    if (mc_dist_from_params(d, t, p, msg, sizeof msg)) {
        if (msg[0] == '\0')
            snprintf(msg, sizeof msg, "expected valid %s parameters, found "
                     "parameters mc_dist rejects", t->name);
        return cfg_fail_param(c, mc_dist_param_blame(t, p), msg);
    }
    return 0;
}

/* Known distribution names for messages: "fixed, uniform, ...". */
void cfg_known_dists(char *buf, size_t n)
{
    const char *names[32];
    size_t k = 0;
    for (size_t i = 0; mc_dist_types[i] != NULL && k < 31; i++)
        names[k++] = mc_dist_types[i]->name;
    names[k] = NULL;
    cfg_join(buf, n, names);
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
    cfg_known_dists(list, sizeof list);
    if (cJSON_IsString(v))
        near = cfg_closest(v->valuestring, names);
    if (near != NULL)
        return cfg_fail(c, "expected a distribution name (one of %s), found "
                        "%s (did you mean '%s'?)", list, cfg_describe(&f, v),
                        near);
    return cfg_fail(c, "expected a distribution name (one of %s), found %s",
                    list, cfg_describe(&f, v));
}

/* "truncate": {"lo": x, "hi": y}, either optional. */
static int read_truncate(cfg_ctx *c, const cJSON *t, mc_dist *d)
{
    double lo = -HUGE_VAL, hi = HUGE_VAL;
    char msg[sizeof ((mc_err *)0)->msg];
    size_t old = cfg_path_push_key(c, "truncate");
    int rc = -1;
    msg[0] = '\0';
    if (!cJSON_IsObject(t)) {
        cfg_fail_type(c, "an object {\"lo\": x, \"hi\": y}", t);
        goto out;
    }
    if (cfg_check_keys(c, t, truncate_keys))
        goto out;
    if (cfg_member(t, "lo") != NULL && cfg_read_number_at(c, t, "lo", &lo))
        goto out;
    if (cfg_member(t, "hi") != NULL && cfg_read_number_at(c, t, "hi", &hi))
        goto out;
    if (mc_dist_truncate(d, lo, hi, msg, sizeof msg)) {
        if (msg[0] == '\0')
            snprintf(msg, sizeof msg, "expected a truncation with "
                     "probability mass, found one mc_dist rejects");
        if (d->type->continuous && lo < hi) {
            /* where the mass is, so that the user can move the bounds */
            double a = mc_dist_quantile(d, 0.001), b = mc_dist_quantile(d,
                                                                  0.999);
            cfg_fail(c, "%s; this %s has 99.8%% of its mass between %.4g and "
                     "%.4g", msg, d->type->name, a, b);
        } else {
            cfg_fail(c, "%s", msg);
        }
        goto out;
    }
    rc = 0;
out:
    cfg_path_pop(c, old);
    return rc;
}

/* A distribution whose every draw is one value (in double precision: its
 * quantiles REACH_P from either end are equal) is a fixed value in
 * disguise, and the value is what the run would use: say so, and name a
 * fixed value (inside the domain, or the domain to pick one from). */
int cfg_check_spread(cfg_ctx *c, const mc_dist *d,
                     const mc_input_info *info, const char *what)
{
    double a, b;
    char v[32], lo_s[32];
    if (mc_dist_is_fixed(d))
        return 0;
    mc_dist_reach(d, &a, &b);
    if (!(a == b))
        return 0;
    cfg_fmt_num(v, sizeof v, a);
    cfg_fmt_num(lo_s, sizeof lo_s, info->lo);
    if (info->lo_open ? a > info->lo && (info->lo != 0 || a >= DBL_MIN)
                      : a >= info->lo)
        return cfg_fail(c, "expected a distribution whose draws differ, found "
                        "a %s whose every draw is %s in double precision (its "
                        "quantiles %g from either end are equal); use a fixed "
                        "value instead: \"value\": %s, or widen it",
                        d->type->name, v, REACH_P, v);
    return cfg_fail(c, "expected a distribution whose draws differ, found a "
                    "%s whose every draw is %s in double precision (its "
                    "quantiles %g from either end are equal), outside %s %s "
                    "%s (MODEL.md); use a fixed value %s %s, or widen it",
                    d->type->name, v, REACH_P, what,
                    info->lo_open ? ">" : ">=", lo_s,
                    info->lo_open ? ">" : ">=", lo_s);
}

/* Is key a parameter of some distribution (other than a fixed value)? */
int cfg_is_param_key(const char *key)
{
    for (size_t i = 0; mc_dist_types[i] != NULL; i++)
        if (!mc_dist_types[i]->fixed
            && cfg_in_list(key, mc_dist_types[i]->params))
            return 1;
    return 0;
}

/* A distribution object (with "dist") at the current path into *d: the
 * keys its type takes (mc_dist_types), numbers, or the arrays of a
 * discrete one. */
int cfg_read_dist_object(cfg_ctx *c, const cJSON *v, int is_stage,
                         mc_dist *d)
{
    const cJSON *dv = cfg_member(v, "dist"), *t;
    const mc_dist_type *type = NULL;
    const char *allowed[MC_DIST_PARAMS_MAX + 6];
    mc_dist_params p;
    size_t k = 0, old;

    old = cfg_path_push_key(c, "dist");
    if (cJSON_IsString(dv))
        type = mc_dist_type_find(dv->valuestring);
    if (type == NULL) {
        fail_dist_name(c, dv);
        cfg_path_pop(c, old);
        return -1;
    }
    cfg_path_pop(c, old);

    allowed[k++] = "dist";
    for (size_t i = 0; type->params[i] != NULL; i++)
        allowed[k++] = type->params[i];
    allowed[k++] = "truncate";
    allowed[k++] = "source";
    if (is_stage)
        allowed[k++] = "name";
    allowed[k] = NULL;
    if (cfg_check_keys(c, v, allowed))
        return -1;

    memset(&p, 0, sizeof p);
    if (type->from_params != NULL) {
        for (size_t i = 0; type->params[i] != NULL; i++) {
            if (cfg_member(v, type->params[i]) != NULL) {
                if (cfg_read_number_at(c, v, type->params[i], &p.v[i]))
                    return -1;
                p.has[i] = 1;
            } else if (i < type->n_required) {
                char need[96], what[160];
                cfg_join(need, sizeof need, type->params);
                snprintf(what, sizeof what, "a number (%s takes %s)",
                         type->name, need);
                return cfg_fail_missing(c, type->params[i], what);
            }
        }
        if (build_dist(c, type, &p, d))
            return -1;
    } else {
        /* arrays: values, optional weights */
        if (cfg_member(v, type->params[0]) == NULL) {
            char what[160];
            snprintf(what, sizeof what, "an array of numbers (%s takes %s "
                     "and optional %s)", type->name, type->params[0],
                     type->params[1]);
            return cfg_fail_missing(c, type->params[0], what);
        }
        if (build_discrete(c, v, d))
            return -1;
    }
    t = cfg_member(v, "truncate");
    if (t != NULL && read_truncate(c, t, d))
        return -1;
    return 0;
}
