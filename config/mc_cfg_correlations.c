/* mc_cfg_correlations.c: "correlations", Spearman rank correlations
 * between inputs, into the lower Cholesky factor of their Gaussian
 * copula (mc_scenario.h); when they cannot hold together, the smallest
 * conflict is named. */
#include "mc_config_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>

static const char *const correlation_keys[] = {"inputs", "spearman", NULL};

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

/* Spearman correlations by input id; NaN: not given. */
typedef double rho_table[MC_IN_COUNT][MC_IN_COUNT];

/* Input name nm (at the current path) into *id: an input of MODEL.md
 * (a phase input by its table name, traffic_2_monthly_growth) that the
 * scenario gives (s->layout), uncertain and continuous. */
static int read_pair_input(cfg_ctx *c, const cJSON *nm, const mc_scenario *s,
                           int *id)
{
    if (!cJSON_IsString(nm))
        return cfg_fail_type(c, "an input name", nm);
    *id = cfg_input_id(nm->valuestring);
    if (*id < 0) {
        const char *names[MC_IN_COUNT + 1];
        for (int i = 0; i < MC_IN_COUNT; i++)
            names[i] = mc_input_infos[i].name;
        names[MC_IN_COUNT] = NULL;
        const char *near = cfg_closest(nm->valuestring, names);
        shown_buf b;
        return cfg_fail(c, "expected an input of MODEL.md%s%s%s, found "
                        "'%s'", near ? " (did you mean '" : "",
                        near ? near : "", near ? "'?)" : "",
                        cfg_shown(&b, nm->valuestring, 64));
    }
    if (!s->layout.given[*id])
        return cfg_fail(c, "expected an input the scenario gives, found "
                        "'%s', which is not in this scenario's inputs (%s); "
                        "give it, or remove this pair",
                        mc_input_infos[*id].name,
                        cfg_is_phase_input(*id)
                        ? "a traffic phase it does not have"
                        : "an optional input it leaves out");
    if (mc_dist_is_fixed(&s->inputs[*id].dist))
        return cfg_fail(c, "expected an uncertain input (a fixed value "
                        "cannot be correlated), found '%s', which is "
                        "fixed", mc_input_infos[*id].name);
    if (!s->inputs[*id].dist.type->continuous)
        return cfg_fail(c, "expected a continuous input (ranks of a "
                        "discrete one have ties), found '%s', which is "
                        "discrete", mc_input_infos[*id].name);
    return 0;
}

/* Entry e, {"inputs": [A, B], "spearman": r} at the current path, into
 * rho (both ways). */
static int read_pair(cfg_ctx *c, const cJSON *e, const mc_scenario *s,
                     rho_table rho)
{
    int ab[2] = {-1, -1};
    double r = 0.0;
    size_t o2;
    if (!cJSON_IsObject(e))
        return cfg_fail_type(c, "an object {\"inputs\": [A, B], "
                             "\"spearman\": r}", e);
    if (cfg_check_keys(c, e, correlation_keys))
        return -1;
    const cJSON *in = cfg_member(e, "inputs");
    if (in == NULL)
        return cfg_fail_missing(c, "inputs", "two input names");
    o2 = cfg_path_push_key(c, "inputs");
    if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) != 2)
        return cfg_fail_type(c, "an array of two input names", in);
    for (int k = 0; k < 2; k++) {
        size_t o3 = cfg_path_push_index(c, (size_t)k);
        if (read_pair_input(c, cJSON_GetArrayItem(in, k), s, &ab[k]))
            return -1;
        cfg_path_pop(c, o3);
    }
    if (ab[0] == ab[1])
        return cfg_fail(c, "expected two different inputs, found '%s' twice",
                        mc_input_infos[ab[0]].name);
    cfg_path_pop(c, o2);
    const cJSON *sp = cfg_member(e, "spearman");
    if (sp == NULL)
        return cfg_fail_missing(c, "spearman", "a number in (-1, 1)");
    o2 = cfg_path_push_key(c, "spearman");
    if (cfg_read_number(c, sp, &r))
        return -1;
    if (!(r > -1.0 && r < 1.0))
        return cfg_fail(c, "expected a rank correlation in (-1, 1), found %g",
                        r);
    cfg_path_pop(c, o2);
    if (!isnan(rho[ab[0]][ab[1]]))
        return cfg_fail(c, "expected each pair of inputs once, found '%s' "
                        "and '%s' again", mc_input_infos[ab[0]].name,
                        mc_input_infos[ab[1]].name);
    rho[ab[0]][ab[1]] = rho[ab[1]][ab[0]] = r;
    return 0;
}

/* The correlations of s->corr_input[0..k) (normal ones in a, k x k)
 * cannot hold together: name the smallest conflict, a triple of inputs
 * whose three correlations cannot, else all of them (`given` pairs). */
static int fail_conflict(cfg_ctx *c, const double *a, size_t k,
                         rho_table rho, int given, const mc_scenario *s)
{
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
                return cfg_fail(c, "expected correlations that can hold "
                                "together (a positive definite matrix), "
                                "found a conflict between (%s, %s) = %g, "
                                "(%s, %s) = %g and (%s, %s) = %g", nx, ny,
                                rho[s->corr_input[x]][s->corr_input[y]],
                                nx, nz,
                                rho[s->corr_input[x]][s->corr_input[z]],
                                ny, nz,
                                rho[s->corr_input[y]][s->corr_input[z]]);
            }
    return cfg_fail(c, "expected correlations that can hold together (a "
                    "positive definite matrix), found %d pairs that cannot, "
                    "though every three of them can", given);
}

/* "correlations": [{"inputs": [A, B], "spearman": r}, ...] */
int cfg_read_correlations(cfg_ctx *c, const cJSON *v, mc_scenario *s)
{
    rho_table rho;
    int given = 0;
    for (int i = 0; i < MC_IN_COUNT; i++)
        for (int j = 0; j < MC_IN_COUNT; j++)
            rho[i][j] = (double)NAN;
    if (!cJSON_IsArray(v))
        return cfg_fail_type(c, "an array of {\"inputs\": [A, B], "
                             "\"spearman\": r}", v);
    size_t idx = 0;
    for (const cJSON *e = v->child; e != NULL; e = e->next, idx++) {
        size_t old = cfg_path_push_index(c, idx);
        if (read_pair(c, e, s, rho))
            return -1;
        given++;
        cfg_path_pop(c, old);
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
        return cfg_fail(c, "out of memory");
    if (pd == 0)
        return fail_conflict(c, a, k, rho, given, s);
    s->n_corr = k;
    return 0;
}
