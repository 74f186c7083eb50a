/* test_config.c: reading scenario files (config/, docs/scenario-format.md).
 *
 * The shipped scenarios load with their documented values, every form of
 * an input parses to the distribution it names, and a table of bad
 * scenarios each fails with the JSON path and the words the user needs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mc_rng.h"
#include "mc_scenario.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* A valid scenario, one member per row; build() replaces, drops or adds
 * one member (top level or input) so that each test states only what it
 * changes. */
typedef struct member { const char *key, *value; } member;

static const member base_top[] = {
    {"name", "\"t\""}, {"seed", "42"}, {"samples", "10"}};
static const member base_inputs[] = {
    {"final_run_gpu_hours", "[{\"name\": \"a\", \"value\": 1000}]"},
    {"overhead", "1"},
    {"nodes", "10"},
    {"gpus_per_node", "8"},
    {"representativeness", "1"},
    {"monthly_growth", "0"},
    {"power_ratio", "1"},
    {"pue_ratio", "1"},
    {"lifetime_days", "365"},
    {"gpu_hour_usd", "2"},
};
#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

/* The change of key among the n changes ch, or NULL. */
static const member *change_of(const member *ch, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ch[i].key, key) == 0)
            return &ch[i];
    return NULL;
}

/* The base scenario with the n changes ch: each sets member key to value
 * (NULL: left out); a key not in the base is added at the top level, or
 * to the inputs if it is written "inputs.KEY". */
static void build_many(char *buf, size_t n, const member *ch, size_t nch)
{
    const member *m;
    buf[0] = '\0';
    append(buf, n, "{");
    for (size_t i = 0; i < N_OF(base_top); i++) {
        const char *v = (m = change_of(ch, nch, base_top[i].key)) != NULL
                        ? m->value : base_top[i].value;
        if (v != NULL)
            append(buf, n, "\"%s\": %s, ", base_top[i].key, v);
    }
    append(buf, n, "\"inputs\": {");
    for (size_t i = 0, k = 0; i < N_OF(base_inputs); i++) {
        const char *v = (m = change_of(ch, nch, base_inputs[i].key)) != NULL
                        ? m->value : base_inputs[i].value;
        if (v != NULL)
            append(buf, n, "%s\"%s\": %s", k++ ? ", " : "",
                   base_inputs[i].key, v);
    }
    for (size_t j = 0; j < nch; j++)
        if (strncmp(ch[j].key, "inputs.", 7) == 0)
            append(buf, n, ", \"%s\": %s", ch[j].key + 7, ch[j].value);
    append(buf, n, "}");
    for (size_t j = 0; j < nch; j++) {
        int known = strncmp(ch[j].key, "inputs.", 7) == 0;
        for (size_t i = 0; i < N_OF(base_top); i++)
            known |= strcmp(ch[j].key, base_top[i].key) == 0;
        for (size_t i = 0; i < N_OF(base_inputs); i++)
            known |= strcmp(ch[j].key, base_inputs[i].key) == 0;
        if (!known && ch[j].value != NULL)
            append(buf, n, ", \"%s\": %s", ch[j].key, ch[j].value);
    }
    append(buf, n, "}");
}

/* The base scenario with one member changed (key NULL: none). */
static void build(char *buf, size_t n, const char *key, const char *value)
{
    member m = {key, value};
    build_many(buf, n, &m, key != NULL ? 1 : 0);
}

static int load(const char *text, mc_scenario *s, mc_err *e)
{
    return mc_cfg_load_string(text, strlen(text), s, e);
}

/* Loads the base scenario with one member changed; must succeed. */
static void load_ok(const char *key, const char *value, mc_scenario *s)
{
    char buf[4096];
    mc_err e;
    build(buf, sizeof buf, key, value);
    if (load(buf, s, &e) != 0) {
        print_error("unexpected error: %s: %s\nin %s\n", e.path, e.msg, buf);
        fail();
    }
}

/* The distribution of an input of the base scenario, changed as given. */
static const mc_dist *input_dist(mc_scenario *s, const char *key,
                                 const char *value, mc_input_id id)
{
    load_ok(key, value, s);
    return &s->inputs[id].dist;
}

static void assert_near(double x, double want, double tol)
{
    if (!(fabs(x - want) <= tol)) {
        print_error("%.17g is not within %g of %.17g\n", x, tol, want);
        fail();
    }
}

static int dist_equal(const mc_dist *a, const mc_dist *b)
{
    if (a->type != b->type || a->n != b->n || a->truncated != b->truncated)
        return 0;
    if (memcmp(a->p, b->p, sizeof a->p) != 0)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->values[i] != b->values[i] || a->cum[i] != b->cum[i])
            return 0;
    return !a->truncated || (a->lo == b->lo && a->hi == b->hi);
}

static int str_equal(const char *a, const char *b)
{
    return (a == NULL && b == NULL)
           || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int input_equal(const mc_input *a, const mc_input *b)
{
    return str_equal(a->name, b->name) && str_equal(a->source, b->source)
           && a->stream == b->stream && dist_equal(&a->dist, &b->dist);
}

static void assert_scenarios_equal(const mc_scenario *a, const mc_scenario *b)
{
    assert_true(str_equal(a->name, b->name));
    assert_true(str_equal(a->description, b->description));
    assert_true(a->seed == b->seed);
    assert_true(a->samples == b->samples);
    assert_int_equal(a->n_stages, b->n_stages);
    for (size_t i = 0; i < a->n_stages; i++)
        assert_true(input_equal(&a->stages[i], &b->stages[i]));
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        assert_true(input_equal(&a->inputs[i], &b->inputs[i]));
    assert_int_equal(a->n_horizons, b->n_horizons);
    assert_memory_equal(a->horizons, b->horizons,
                        a->n_horizons * sizeof *a->horizons);
    assert_int_equal(a->write_samples, b->write_samples);
    assert_int_equal(a->sensitivity, b->sensitivity);
    assert_true(a->sobol_samples == b->sobol_samples);
    assert_true(a->bootstrap == b->bootstrap);
    assert_int_equal(a->n_variants, b->n_variants);
    for (size_t i = 0; i < a->n_variants; i++) {
        assert_string_equal(a->variants[i].name, b->variants[i].name);
        assert_true(str_equal(a->variants[i].description,
                              b->variants[i].description));
        assert_scenarios_equal(a->variants[i].s, b->variants[i].s);
    }
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    assert_non_null(f);
    buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static double stage_sum(const mc_scenario *s)
{
    double sum = 0;
    for (size_t i = 0; i < s->n_stages; i++) {
        assert_string_equal(mc_dist_name(&s->stages[i].dist), "fixed");
        sum += s->stages[i].dist.p[0];
    }
    return sum;
}

/* ------------------------------------------------------------------ */
/* The shipped scenarios                                               */
/* ------------------------------------------------------------------ */

static void default_file_should_load_with_documented_values(void **state)
{
    mc_scenario s;
    mc_err e;
    const mc_dist *k, *m;
    (void)state;
    if (mc_cfg_load_file(CONFIG_DIR "/deepseek-v3-r1.json", &s, &e) != 0) {
        print_error("%s: %s\n", e.path, e.msg);
        fail();
    }
    assert_string_equal(s.name, "deepseek-v3-r1");
    assert_non_null(s.description);
    assert_true(s.seed == 20250227);
    assert_true(s.samples == 100000);
    assert_int_equal(s.n_stages, 4);
    assert_string_equal(s.stages[0].name, "v3_pre_training");
    assert_string_equal(s.stages[3].name, "r1");
    assert_true(stage_sum(&s) == 2935000.0);
    assert_non_null(s.stages[0].source);

    k = &s.inputs[MC_IN_OVERHEAD].dist;
    assert_string_equal(mc_dist_name(k), "lognormal");
    assert_near(exp(k->p[0]), 2.2, 1e-12);     /* median */
    assert_near(k->p[1], 0.366, 1e-15);
    assert_true(k->truncated);
    assert_true(k->lo == 1.0);
    assert_true(isinf(k->hi) && k->hi > 0);
    assert_true(mc_dist_support_lo(k) >= 1.0);

    m = &s.inputs[MC_IN_MONTHLY_GROWTH].dist;
    assert_string_equal(mc_dist_name(m), "normal");
    assert_true(m->p[0] == -0.02 && m->p[1] == 0.06);
    assert_true(m->truncated && m->lo == -0.20 && m->hi == 0.25);

    assert_string_equal(mc_dist_name(&s.inputs[MC_IN_POWER_RATIO].dist),
                        "pert");
    assert_string_equal(mc_dist_name(&s.inputs[MC_IN_LIFETIME_DAYS].dist),
                        "triangular");
    assert_true(s.inputs[MC_IN_NODES].dist.p[0] == 226.75);
    assert_string_equal(s.inputs[MC_IN_NODES].name, "nodes");
    assert_non_null(s.inputs[MC_IN_NODES].source);

    assert_int_equal(s.n_horizons, 73);
    assert_true(s.horizons[0] == 10.0 && s.horizons[72] == 730.0);
    assert_int_equal(s.write_samples, 1);
    mc_scenario_free(&s);
}

static void reported_file_should_give_the_exact_break_even(void **state)
{
    mc_scenario s;
    mc_err e;
    double f, i0, days;
    (void)state;
    if (mc_cfg_load_file(CONFIG_DIR "/reported.json", &s, &e) != 0) {
        print_error("%s: %s\n", e.path, e.msg);
        fail();
    }
    assert_string_equal(s.name, "reported");
    assert_true(s.seed == 20250227);
    assert_true(s.samples == 1000);
    assert_int_equal(s.n_horizons, 73);
    assert_int_equal(s.write_samples, 1);
    assert_int_equal(s.n_stages, 4);
    f = stage_sum(&s);
    assert_true(f == 2935000.0);
    for (size_t i = 0; i < MC_IN_COUNT; i++) {
        assert_string_equal(mc_dist_name(&s.inputs[i].dist), "fixed");
        assert_non_null(s.inputs[i].source);
    }
    assert_true(s.inputs[MC_IN_OVERHEAD].dist.p[0] == 1.0);
    assert_true(s.inputs[MC_IN_REPRESENTATIVENESS].dist.p[0] == 1.0);
    assert_true(s.inputs[MC_IN_MONTHLY_GROWTH].dist.p[0] == 0.0);
    assert_true(s.inputs[MC_IN_POWER_RATIO].dist.p[0] == 1.0);
    assert_true(s.inputs[MC_IN_PUE_RATIO].dist.p[0] == 1.0);
    assert_true(s.inputs[MC_IN_LIFETIME_DAYS].dist.p[0] == 365.0);
    assert_true(s.inputs[MC_IN_GPU_HOUR_USD].dist.p[0] == 2.0);
    i0 = s.inputs[MC_IN_NODES].dist.p[0] * s.inputs[MC_IN_GPUS_PER_NODE]
         .dist.p[0] * 24.0 * s.inputs[MC_IN_REPRESENTATIVENESS].dist.p[0];
    assert_true(i0 == 43536.0);
    days = s.inputs[MC_IN_OVERHEAD].dist.p[0] * f / i0;
    assert_near(days, 67.4155, 5e-5);
    mc_scenario_free(&s);
}

static void builtin_default_should_equal_the_file(void **state)
{
    mc_scenario a, b;
    mc_err e;
    size_t len;
    char *text = read_text(CONFIG_DIR "/deepseek-v3-r1.json", &len);
    (void)state;
    assert_int_equal(strlen(mc_cfg_default_json), len);
    assert_memory_equal(mc_cfg_default_json, text, len);
    free(text);
    assert_int_equal(mc_cfg_load_default(&a, &e), 0);
    assert_int_equal(mc_cfg_load_file(CONFIG_DIR "/deepseek-v3-r1.json", &b,
                                      &e), 0);
    assert_scenarios_equal(&a, &b);
    mc_scenario_free(&a);
    mc_scenario_free(&b);
}

/* The input table itself (names, symbols, units, domains) is model/'s and
 * test_model checks it against MODEL.md; here, that the loader asks for
 * exactly the table's inputs. */
static void input_table_should_follow_model_md(void **state)
{
    (void)state;
    mc_scenario s;
    mc_err err;
    assert_int_equal(mc_cfg_load_file(CONFIG_DIR "/reported.json", &s, &err),
                     0);
    for (size_t i = 0; i < MC_IN_COUNT; i++) {
        assert_non_null(mc_input_infos[i].unit);
        assert_int_equal(s.inputs[i].stream,
                         mc_rng_stream_id(mc_input_infos[i].name));
    }
    mc_scenario_free(&s);
}

/* ------------------------------------------------------------------ */
/* Every form of an input                                              */
/* ------------------------------------------------------------------ */

static void number_should_be_a_fixed_value(void **state)
{
    mc_scenario s;
    const mc_dist *d = input_dist(&s, "overhead", "1.5", MC_IN_OVERHEAD);
    (void)state;
    assert_string_equal(mc_dist_name(d), "fixed");
    assert_true(d->p[0] == 1.5);
    assert_null(s.inputs[MC_IN_OVERHEAD].source);
    assert_string_equal(s.inputs[MC_IN_OVERHEAD].name, "overhead");
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        assert_true(s.inputs[i].stream
                    == mc_rng_stream_id(mc_input_infos[i].name));
    mc_scenario_free(&s);
}

static void value_object_should_be_a_fixed_value_with_source(void **state)
{
    mc_scenario s;
    const mc_dist *d = input_dist(&s, "overhead",
                                  "{\"value\": 2, \"source\": \"me\"}",
                                  MC_IN_OVERHEAD);
    (void)state;
    assert_string_equal(mc_dist_name(d), "fixed");
    assert_true(d->p[0] == 2.0);
    assert_string_equal(s.inputs[MC_IN_OVERHEAD].source, "me");
    mc_scenario_free(&s);
    d = input_dist(&s, "overhead", "{\"dist\": \"fixed\", \"value\": 3}",
                   MC_IN_OVERHEAD);
    assert_string_equal(mc_dist_name(d), "fixed");
    assert_true(d->p[0] == 3.0);
    mc_scenario_free(&s);
}

static void each_distribution_should_parse_its_parameters(void **state)
{
    mc_scenario s;
    const mc_dist *d;
    (void)state;

    d = input_dist(&s, "power_ratio",
                   "{\"dist\": \"uniform\", \"lo\": 0.5, \"hi\": 1.5}",
                   MC_IN_POWER_RATIO);
    assert_string_equal(mc_dist_name(d), "uniform");
    assert_true(d->p[0] == 0.5 && d->p[1] == 1.5 && !d->truncated);
    mc_scenario_free(&s);

    d = input_dist(&s, "power_ratio",
                   "{\"dist\": \"uniform\", \"lo\": 0.5, \"hi\": 1.5, "
                   "\"truncate\": {\"hi\": 1.2}}", MC_IN_POWER_RATIO);
    assert_true(d->truncated && d->hi == 1.2);
    assert_true(mc_dist_support_lo(d) == 0.5);
    assert_true(mc_dist_support_hi(d) == 1.2);
    mc_scenario_free(&s);

    d = input_dist(&s, "monthly_growth",
                   "{\"dist\": \"normal\", \"mean\": 0.01, \"sd\": 0.05, "
                   "\"truncate\": {\"lo\": -0.5}}", MC_IN_MONTHLY_GROWTH);
    assert_string_equal(mc_dist_name(d), "normal");
    assert_true(d->p[0] == 0.01 && d->p[1] == 0.05);
    assert_true(d->truncated && d->lo == -0.5 && isinf(d->hi));
    mc_scenario_free(&s);

    d = input_dist(&s, "lifetime_days",
                   "{\"dist\": \"triangular\", \"lo\": 25, \"mode\": 175, "
                   "\"hi\": 421}", MC_IN_LIFETIME_DAYS);
    assert_string_equal(mc_dist_name(d), "triangular");
    assert_true(d->p[0] == 25 && d->p[1] == 175 && d->p[2] == 421);
    mc_scenario_free(&s);

    d = input_dist(&s, "power_ratio",
                   "{\"dist\": \"pert\", \"lo\": 0.45, \"mode\": 0.8, "
                   "\"hi\": 1.05}", MC_IN_POWER_RATIO);
    assert_string_equal(mc_dist_name(d), "pert");
    assert_true(d->p[0] == 0.45 && d->p[1] == 0.8 && d->p[2] == 1.05);
    mc_scenario_free(&s);

    d = input_dist(&s, "gpu_hour_usd", "{\"dist\": \"beta\", \"a\": 2, "
                   "\"b\": 3}", MC_IN_GPU_HOUR_USD);
    assert_string_equal(mc_dist_name(d), "beta");
    assert_true(d->p[0] == 2 && d->p[1] == 3 && d->p[2] == 0 && d->p[3] == 1);
    mc_scenario_free(&s);

    d = input_dist(&s, "power_ratio", "{\"dist\": \"beta\", \"a\": 2, "
                   "\"b\": 3, \"lo\": 0.5, \"hi\": 1.5}", MC_IN_POWER_RATIO);
    assert_true(d->p[2] == 0.5 && d->p[3] == 1.5);
    mc_scenario_free(&s);

    d = input_dist(&s, "lifetime_days", "{\"dist\": \"gamma\", \"shape\": 4,"
                   " \"scale\": 50}", MC_IN_LIFETIME_DAYS);
    assert_string_equal(mc_dist_name(d), "gamma");
    assert_true(d->p[0] == 4 && d->p[1] == 50);
    mc_scenario_free(&s);

    d = input_dist(&s, "nodes", "{\"dist\": \"loguniform\", \"lo\": 68, "
                   "\"hi\": 278}", MC_IN_NODES);
    assert_string_equal(mc_dist_name(d), "loguniform");
    assert_true(d->p[0] == 68 && d->p[1] == 278);
    mc_scenario_free(&s);

    d = input_dist(&s, "gpus_per_node", "{\"dist\": \"discrete\", "
                   "\"values\": [4, 8], \"weights\": [1, 3]}",
                   MC_IN_GPUS_PER_NODE);
    assert_string_equal(mc_dist_name(d), "discrete");
    assert_int_equal(d->n, 2);
    assert_true(d->values[0] == 4 && d->values[1] == 8);
    assert_near(d->cum[0], 0.25, 1e-15);
    assert_true(d->cum[1] == 1.0);
    mc_scenario_free(&s);

    d = input_dist(&s, "gpus_per_node", "{\"dist\": \"discrete\", "
                   "\"values\": [2, 4, 8, 16]}", MC_IN_GPUS_PER_NODE);
    assert_int_equal(d->n, 4);
    assert_near(d->cum[1], 0.5, 1e-15);
    mc_scenario_free(&s);
}

static void each_lognormal_form_should_give_mu_and_sigma(void **state)
{
    mc_scenario s;
    const mc_dist *d;
    double z95 = 1.6448536269514722;
    (void)state;

    d = input_dist(&s, "representativeness", "{\"dist\": \"lognormal\", "
                   "\"mu\": 0.1, \"sigma\": 0.2}", MC_IN_REPRESENTATIVENESS);
    assert_string_equal(mc_dist_name(d), "lognormal");
    assert_true(d->p[0] == 0.1 && d->p[1] == 0.2);
    mc_scenario_free(&s);

    d = input_dist(&s, "representativeness", "{\"dist\": \"lognormal\", "
                   "\"median\": 2, \"sigma\": 0.2}", MC_IN_REPRESENTATIVENESS);
    assert_near(d->p[0], log(2.0), 1e-15);
    assert_true(d->p[1] == 0.2);
    mc_scenario_free(&s);

    d = input_dist(&s, "overhead", "{\"dist\": \"lognormal\", \"p05\": 1.2, "
                   "\"p95\": 4.0, \"truncate\": {\"lo\": 1, \"hi\": 10}}",
                   MC_IN_OVERHEAD);
    assert_near(d->p[0], (log(1.2) + log(4.0)) / 2, 1e-14);
    assert_near(d->p[1], (log(4.0) - log(1.2)) / (2 * z95), 1e-9);
    assert_true(d->truncated && d->lo == 1 && d->hi == 10);
    assert_near(mc_dist_quantile(d, 0.0), 1.0, 1e-9);
    mc_scenario_free(&s);
}

static void stages_should_be_an_array_or_one_input(void **state)
{
    mc_scenario s;
    (void)state;
    load_ok("final_run_gpu_hours", "[{\"name\": \"pre\", \"value\": 10, "
            "\"source\": \"S\"}, {\"name\": \"post\", \"dist\": \"uniform\","
            " \"lo\": 1, \"hi\": 2}]", &s);
    assert_int_equal(s.n_stages, 2);
    assert_string_equal(s.stages[0].name, "pre");
    assert_string_equal(s.stages[0].source, "S");
    assert_true(s.stages[0].stream
                == mc_rng_stream_id("final_run_gpu_hours/pre"));
    assert_string_equal(mc_dist_name(&s.stages[1].dist), "uniform");
    assert_true(s.stages[1].stream
                == mc_rng_stream_id("final_run_gpu_hours/post"));
    mc_scenario_free(&s);

    load_ok("final_run_gpu_hours", "2935000", &s);
    assert_int_equal(s.n_stages, 1);
    assert_string_equal(s.stages[0].name, "final_run_gpu_hours");
    assert_true(s.stages[0].stream == mc_rng_stream_id("final_run_gpu_hours"));
    assert_true(s.stages[0].dist.p[0] == 2935000);
    mc_scenario_free(&s);

    load_ok("final_run_gpu_hours", "{\"dist\": \"lognormal\", \"median\": "
            "3e6, \"sigma\": 0.1, \"source\": \"x\"}", &s);
    assert_int_equal(s.n_stages, 1);
    assert_string_equal(mc_dist_name(&s.stages[0].dist), "lognormal");
    assert_string_equal(s.stages[0].source, "x");
    mc_scenario_free(&s);
}

static void horizons_and_output_should_have_defaults_and_forms(void **state)
{
    mc_scenario s;
    (void)state;
    load_ok(NULL, NULL, &s);              /* no horizons, no output */
    assert_int_equal(s.n_horizons, 73);
    assert_true(s.horizons[0] == 10 && s.horizons[72] == 730);
    assert_int_equal(s.write_samples, 1);
    assert_null(s.description);
    mc_scenario_free(&s);

    load_ok("horizons", "[1, 2.5, 100]", &s);
    assert_int_equal(s.n_horizons, 3);
    assert_true(s.horizons[1] == 2.5);
    mc_scenario_free(&s);

    load_ok("horizons", "{\"start\": 0.1, \"stop\": 1, \"step\": 0.1}", &s);
    assert_int_equal(s.n_horizons, 10);
    assert_true(s.horizons[9] == 1.0);
    mc_scenario_free(&s);

    load_ok("horizons", "{\"start\": 5, \"stop\": 5, \"step\": 1}", &s);
    assert_int_equal(s.n_horizons, 1);
    mc_scenario_free(&s);

    load_ok("output", "{\"samples_csv\": false}", &s);
    assert_int_equal(s.write_samples, 0);
    mc_scenario_free(&s);

    /* seeds and samples are read from their text, exactly: a double
       would round 2^53 + 1 to 2^53 and 2^64 - 1 to 2^64 */
    static const struct { const char *key, *text; uint64_t value; } exact[] = {
        {"seed", "9007199254740992", UINT64_C(9007199254740992)},
        {"seed", "9007199254740993", UINT64_C(9007199254740993)},
        {"seed", "9.007199254740993e15", UINT64_C(9007199254740993)},
        {"seed", "18446744073709551615", UINT64_MAX},
        {"seed", "1.8446744073709551615e19", UINT64_MAX},
        {"seed", "0", 0},
        {"samples", "2.5e3", 2500},
        {"samples", "1e9", 1000000000},
        {"samples", "1000000000.000000", 1000000000},
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        load_ok(exact[i].key, exact[i].text, &s);
        if ((exact[i].key[1] == 'e' ? s.seed : s.samples) != exact[i].value)
            fail_msg("%s %s read as %llu, %llu", exact[i].key, exact[i].text,
                     (unsigned long long)s.seed,
                     (unsigned long long)s.samples);
        mc_scenario_free(&s);
    }

    load_ok("description", "\"free text\"", &s);
    assert_string_equal(s.description, "free text");
    mc_scenario_free(&s);
}

static void text_need_not_be_nul_terminated(void **state)
{
    char buf[4096];
    mc_scenario s;
    mc_err e;
    size_t n;
    (void)state;
    build(buf, sizeof buf, NULL, NULL);
    n = strlen(buf);
    buf[n] = 'x';                         /* junk after the text */
    assert_int_equal(mc_cfg_load_string(buf, n, &s, &e), 0);
    mc_scenario_free(&s);
}

/* ------------------------------------------------------------------ */
/* Sensitivity and variants                                            */
/* ------------------------------------------------------------------ */

/* v differs from base only in the inputs marked in changed[] (index
 * MC_IN_COUNT: the stages): every other input is the same, stream
 * included, so it draws the same numbers (common random numbers); and
 * every setting is the base's. */
static void assert_variant_of(const mc_scenario *base, const mc_variant *v,
                              const int changed[MC_IN_COUNT + 1])
{
    char name[256];
    const mc_scenario *s = v->s;
    snprintf(name, sizeof name, "%s/%s", base->name, v->name);
    assert_non_null(s);
    assert_string_equal(s->name, name);
    assert_true(str_equal(s->description, v->description != NULL
                          ? v->description : base->description));
    assert_true(s->seed == base->seed && s->samples == base->samples);
    assert_int_equal(s->sampling, base->sampling);
    assert_int_equal(s->write_samples, base->write_samples);
    assert_string_equal(s->until, base->until);
    assert_int_equal(s->sensitivity, base->sensitivity);
    assert_true(s->sobol_samples == base->sobol_samples);
    assert_true(s->bootstrap == base->bootstrap);
    assert_int_equal(s->n_corr, base->n_corr);
    assert_memory_equal(s->corr_chol, base->corr_chol,
                        sizeof s->corr_chol);
    assert_int_equal(s->n_horizons, base->n_horizons);
    assert_memory_equal(s->horizons, base->horizons,
                        s->n_horizons * sizeof *s->horizons);
    assert_int_equal(s->n_variants, 0);
    assert_null(s->variants);
    for (size_t i = 0; i < MC_IN_COUNT; i++) {
        /* the stream is the input name's, changed or not */
        assert_true(s->inputs[i].stream == base->inputs[i].stream);
        assert_int_equal(input_equal(&s->inputs[i], &base->inputs[i]),
                         !changed[i]);
    }
    if (!changed[MC_IN_COUNT]) {
        assert_int_equal(s->n_stages, base->n_stages);
        for (size_t i = 0; i < s->n_stages; i++)
            assert_true(input_equal(&s->stages[i], &base->stages[i]));
    }
}

/* The input `id` of a shipped scenario file. */
static void assert_input_as_in_file(const mc_input *in, const char *file,
                                    mc_input_id id)
{
    char path[512];
    mc_scenario f;
    mc_err e;
    snprintf(path, sizeof path, "%s/%s", CONFIG_DIR, file);
    if (mc_cfg_load_file(path, &f, &e) != 0) {
        print_error("%s: %s: %s\n", file, e.path, e.msg);
        fail();
    }
    assert_true(input_equal(in, &f.inputs[id]));
    mc_scenario_free(&f);
}

static void default_file_should_ship_the_parameters_md_variants(void **state)
{
    static const char *const names[] = {"wide-overhead", "traffic-growth",
                                        "traffic-decay", "v3-only",
                                        "pue-uniform", "ademe-grid",
                                        "efficiency", "spike-decay"};
    mc_scenario s;
    mc_err e;
    const mc_scenario *v;
    const mc_dist *d;
    (void)state;
    if (mc_cfg_load_file(CONFIG_DIR "/deepseek-v3-r1.json", &s, &e) != 0) {
        print_error("%s: %s\n", e.path, e.msg);
        fail();
    }
    assert_int_equal(s.n_variants, N_OF(names));
    for (size_t i = 0; i < N_OF(names); i++) {
        int changed[MC_IN_COUNT + 1] = {0};
        assert_string_equal(s.variants[i].name, names[i]);
        assert_non_null(s.variants[i].description);
        assert_non_null(strstr(s.variants[i].description, "PARAMETERS.md"));
        static const int moved[] = {
            MC_IN_OVERHEAD, MC_IN_MONTHLY_GROWTH, MC_IN_MONTHLY_GROWTH,
            MC_IN_COUNT, MC_IN_PUE_RATIO, MC_IN_TRAINING_CI, MC_IN_EFFICIENCY,
            MC_IN_MONTHLY_GROWTH};
        changed[moved[i]] = 1;
        if (i == 7) {                 /* spike-decay: two phases */
            changed[MC_IN_TRAFFIC_1_DAYS] = 1;
            changed[MC_IN_TRAFFIC_2_MONTHLY_GROWTH] = 1;
        }
        assert_variant_of(&s, &s.variants[i], changed);
        /* every variant has the base's groups: outputs compare one for
           one */
        assert_int_equal(s.variants[i].s->layout.groups, s.layout.groups);
    }
    /* the footprint groups of PARAMETERS.md, per million output tokens */
    assert_int_equal(s.layout.groups,
                     MC_GROUPS_ALWAYS | MC_GROUP_POWER | MC_GROUP_CARBON |
                         MC_GROUP_WATER | MC_GROUP_USE);
    assert_string_equal(s.use_unit, "output token");
    assert_true(s.use_per == 1e6);
    assert_true(s.inputs[MC_IN_USES_PER_DAY].dist.p[0] == 168e9);
    d = &s.variants[5].s->inputs[MC_IN_TRAINING_CI].dist;
    assert_string_equal(mc_dist_name(d), "fixed");
    assert_true(d->p[0] == 1.057);
    v = s.variants[6].s;
    assert_int_equal(v->layout.efficiency, 1);
    assert_string_equal(mc_dist_name(&v->inputs[MC_IN_EFFICIENCY].dist),
                        "pert");
    v = s.variants[7].s;
    assert_int_equal(v->layout.n_phases, 2);
    assert_true(v->inputs[MC_IN_TRAFFIC_1_DAYS].dist.p[0] == 90.0);
    d = &v->inputs[MC_IN_MONTHLY_GROWTH].dist;
    assert_true(d->p[0] == -0.10 && d->p[1] == 0.03);
    d = &v->inputs[MC_IN_TRAFFIC_2_MONTHLY_GROWTH].dist;
    assert_true(d->p[0] == 0.0 && d->p[1] == 0.05);

    /* the same distributions (and sources) as the separate files */
    assert_input_as_in_file(&s.variants[0].s->inputs[MC_IN_OVERHEAD],
                            "deepseek-v3-r1-wide-overhead.json",
                            MC_IN_OVERHEAD);
    d = &s.variants[0].s->inputs[MC_IN_OVERHEAD].dist;
    assert_near(exp(d->p[0]), sqrt(1.2 * 8.0), 1e-12);   /* median 3.1 */
    assert_true(d->truncated && d->lo == 1.0);
    assert_input_as_in_file(&s.variants[1].s->inputs[MC_IN_MONTHLY_GROWTH],
                            "deepseek-v3-r1-traffic-growth.json",
                            MC_IN_MONTHLY_GROWTH);
    d = &s.variants[1].s->inputs[MC_IN_MONTHLY_GROWTH].dist;
    assert_true(d->p[0] == 0.05 && d->p[1] == 0.05);
    assert_true(d->lo == -0.20 && d->hi == 0.25);
    assert_input_as_in_file(&s.variants[2].s->inputs[MC_IN_MONTHLY_GROWTH],
                            "deepseek-v3-r1-traffic-decay.json",
                            MC_IN_MONTHLY_GROWTH);
    d = &s.variants[2].s->inputs[MC_IN_MONTHLY_GROWTH].dist;
    assert_true(d->p[0] == -0.08 && d->p[1] == 0.04);
    assert_true(d->lo == -0.20 && d->hi == 0.25);

    /* V3 only: the base's first three stages, streams and all; with the
       reported inference, PARAMETERS.md's check of 64.0390 days */
    v = s.variants[3].s;
    assert_int_equal(v->n_stages, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(input_equal(&v->stages[i], &s.stages[i]));
    assert_true(stage_sum(v) == 2788000.0);
    assert_near(stage_sum(v) / (226.75 * 8 * 24), 64.0390, 5e-5);

    d = &s.variants[4].s->inputs[MC_IN_PUE_RATIO].dist;
    assert_string_equal(mc_dist_name(d), "uniform");
    assert_true(d->p[0] == 0.95 && d->p[1] == 1.05);
    mc_scenario_free(&s);
}

#define OVERHEAD_K "{\"dist\": \"lognormal\", \"median\": 2.2, " \
                   "\"sigma\": 0.366, \"truncate\": {\"lo\": 1}}"

static void sweep_should_make_one_variant_per_value(void **state)
{
    static const double values[] = {1.5, 2.2, 3.1, 4.0};
    static const char *const names[] = {
        "k-median=1.5", "k-median=2.2", "k-median=3.1", "k-median=4",
        "nodes=1e+20", "nodes=0.30000000000000004", "nodes=226.75"};
    const member ch[] = {
        {"overhead", OVERHEAD_K},
        {"variants", "[{\"name\": \"k-median\", \"description\": \"d\", "
         "\"sweep\": {\"input\": \"overhead\", \"parameter\": \"median\", "
         "\"values\": [1.5, 2.2, 3.1, 4.0]}}, {\"name\": \"nodes\", "
         "\"sweep\": {\"input\": \"nodes\", \"parameter\": \"value\", "
         "\"values\": [1e20, 0.30000000000000004, 226.75]}}]"}};
    char buf[4096];
    mc_scenario s;
    mc_err e;
    (void)state;
    build_many(buf, sizeof buf, ch, N_OF(ch));
    if (load(buf, &s, &e) != 0) {
        print_error("%s: %s\n", e.path, e.msg);
        fail();
    }
    assert_int_equal(s.n_variants, N_OF(names));
    for (size_t i = 0; i < N_OF(names); i++) {
        int changed[MC_IN_COUNT + 1] = {0};
        const mc_input *in;
        changed[i < 4 ? MC_IN_OVERHEAD : MC_IN_NODES] = 1;
        assert_string_equal(s.variants[i].name, names[i]);
        if (i == 1)       /* the base's own value: the same scenario */
            changed[MC_IN_OVERHEAD] = 0;
        assert_variant_of(&s, &s.variants[i], changed);
        if (i >= 4)
            continue;
        assert_string_equal(s.variants[i].description, "d");
        in = &s.variants[i].s->inputs[MC_IN_OVERHEAD];
        assert_true(in->stream == mc_rng_stream_id("overhead"));
        assert_string_equal(mc_dist_name(&in->dist), "lognormal");
        assert_near(exp(in->dist.p[0]), values[i], 1e-14 * values[i]);
        assert_true(in->dist.p[1] == 0.366);
        assert_true(in->dist.truncated && in->dist.lo == 1.0);
    }
    assert_null(s.variants[4].description);
    assert_true(s.variants[4].s->inputs[MC_IN_NODES].dist.p[0] == 1e20);
    assert_true(s.variants[5].s->inputs[MC_IN_NODES].dist.p[0]
                == 0.1 + 0.2);
    assert_true(s.variants[6].s->inputs[MC_IN_NODES].stream
                == mc_rng_stream_id("nodes"));
    mc_scenario_free(&s);
}

static void variants_should_copy_the_base_settings(void **state)
{
    const member ch[] = {
        {"name", "\"b\""},
        {"description", "\"base text\""},
        {"seed", "18446744073709551615"},   /* no double holds it */
        {"overhead", OVERHEAD_K},
        {"power_ratio", "{\"dist\": \"uniform\", \"lo\": 0.4, \"hi\": 1}"},
        {"correlations", "[{\"inputs\": [\"overhead\", \"power_ratio\"], "
         "\"spearman\": 0.5}]"},
        {"sampling", "\"lhs\""},
        {"sensitivity", "{\"method\": \"none\", \"bootstrap\": 7}"},
        {"until", "{\"metric\": \"multiplier\", \"stat\": \"p50\", "
         "\"tolerance\": 0.01}"},
        {"horizons", "[5, 50]"},
        {"output", "{\"samples_csv\": false}"},
        {"variants", "[{\"name\": \"A.b_c-9\", \"inputs\": {\"overhead\": "
         "{\"dist\": \"lognormal\", \"p05\": 1.2, \"p95\": 8, \"truncate\": "
         "{\"lo\": 1}}, \"final_run_gpu_hours\": 2000, \"gpus_per_node\": "
         "{\"value\": 4, \"source\": \"x\"}}}]"}};
    char buf[4096];
    mc_scenario s;
    mc_err e;
    int changed[MC_IN_COUNT + 1] = {0};
    (void)state;
    build_many(buf, sizeof buf, ch, N_OF(ch));
    if (load(buf, &s, &e) != 0) {
        print_error("%s: %s\n", e.path, e.msg);
        fail();
    }
    assert_true(s.seed == UINT64_MAX);
    assert_int_equal(s.sampling, MC_SAMPLING_LHS);
    assert_int_equal(s.n_corr, 2);
    assert_int_equal(s.sensitivity, MC_SENS_NONE);
    assert_int_equal(s.n_variants, 1);
    assert_null(s.variants[0].description);
    changed[MC_IN_OVERHEAD] = changed[MC_IN_GPUS_PER_NODE] = 1;
    changed[MC_IN_COUNT] = 1;
    assert_variant_of(&s, &s.variants[0], changed);
    assert_string_equal(s.variants[0].s->name, "b/A.b_c-9");
    assert_string_equal(s.variants[0].s->description, "base text");
    /* a stage given as one input takes the stream of the input's name */
    assert_int_equal(s.variants[0].s->n_stages, 1);
    assert_true(s.variants[0].s->stages[0].stream
                == mc_rng_stream_id("final_run_gpu_hours"));
    assert_string_equal(s.variants[0].s->inputs[MC_IN_GPUS_PER_NODE].source,
                        "x");
    mc_scenario_free(&s);

    load_ok("variants", "[]", &s);        /* none */
    assert_int_equal(s.n_variants, 0);
    assert_null(s.variants);
    mc_scenario_free(&s);
}

static void variants_should_number_at_most_100(void **state)
{
    char values[8192] = "", vs[8192 + 512], ok[16384], bad[16384];
    mc_scenario s;
    mc_err e;
    (void)state;
    for (int i = 0; i < 1001; i++)
        append(values, sizeof values, "%s%d", i ? ", " : "", i + 1);
    /* 1001 values: refused before any variant is built */
    snprintf(vs, sizeof vs, "[{\"name\": \"n\", \"sweep\": {\"input\": "
             "\"nodes\", \"parameter\": \"value\", \"values\": [%s]}}]",
             values);
    build(bad, sizeof bad, "variants", vs);
    assert_int_equal(load(bad, &s, &e), -1);
    assert_string_equal(e.path, "$.variants[0].sweep.values");
    assert_non_null(strstr(e.msg, "expected at most 1000 values, found "
                                  "1001"));
    /* 99 swept values and one variant more: 100, the most */
    values[0] = '\0';
    for (int i = 0; i < 99; i++)
        append(values, sizeof values, "%s%d", i ? ", " : "", i + 1);
    snprintf(vs, sizeof vs, "[{\"name\": \"one\", \"inputs\": {\"nodes\": "
             "3}}, {\"name\": \"n\", \"sweep\": {\"input\": \"nodes\", "
             "\"parameter\": \"value\", \"values\": [%s]}}]", values);
    build(ok, sizeof ok, "variants", vs);
    assert_int_equal(load(ok, &s, &e), 0);
    assert_int_equal(s.n_variants, MC_VARIANTS_MAX);
    assert_string_equal(s.variants[99].name, "n=99");
    mc_scenario_free(&s);
    /* one more: 101 */
    snprintf(vs, sizeof vs, "[{\"name\": \"one\", \"inputs\": {\"nodes\": "
             "3}}, {\"name\": \"n\", \"sweep\": {\"input\": \"nodes\", "
             "\"parameter\": \"value\", \"values\": [%s, 1000]}}]", values);
    build(bad, sizeof bad, "variants", vs);
    assert_int_equal(load(bad, &s, &e), -1);
    assert_string_equal(e.path, "$.variants");
    assert_non_null(strstr(e.msg, "expected at most 100 variants"));
    assert_non_null(strstr(e.msg, "found 101"));
}

static void sensitivity_should_have_defaults_and_forms(void **state)
{
    static const struct {
        const char *value;     /* NULL: no "sensitivity" */
        int method;
        uint64_t sobol_samples;
        uint32_t bootstrap;
    } cases[] = {
        {NULL, MC_SENS_RANK, MC_SOBOL_SAMPLES_DEFAULT, MC_BOOTSTRAP_DEFAULT},
        {"{}", MC_SENS_RANK, MC_SOBOL_SAMPLES_DEFAULT, MC_BOOTSTRAP_DEFAULT},
        {"\"rank\"", MC_SENS_RANK, MC_SOBOL_SAMPLES_DEFAULT,
         MC_BOOTSTRAP_DEFAULT},
        {"\"sobol\"", MC_SENS_SOBOL, MC_SOBOL_SAMPLES_DEFAULT,
         MC_BOOTSTRAP_DEFAULT},
        {"\"none\"", MC_SENS_NONE, MC_SOBOL_SAMPLES_DEFAULT,
         MC_BOOTSTRAP_DEFAULT},
        {"{\"method\": \"sobol\", \"sobol_samples\": 2, \"bootstrap\": 0}",
         MC_SENS_SOBOL, 2, 0},
        {"{\"method\": \"sobol\", \"sobol_samples\": 1e7, \"bootstrap\": "
         "100000}", MC_SENS_SOBOL, 10000000, 100000},
        {"{\"sobol_samples\": 4096}", MC_SENS_RANK, 4096,
         MC_BOOTSTRAP_DEFAULT},
        {"{\"method\": \"none\", \"bootstrap\": 200}", MC_SENS_NONE,
         MC_SOBOL_SAMPLES_DEFAULT, 200},
    };
    mc_scenario s;
    (void)state;
    assert_int_equal(MC_SOBOL_SAMPLES_DEFAULT, 16384);
    assert_int_equal(MC_BOOTSTRAP_DEFAULT, 1000);
    for (size_t i = 0; i < N_OF(cases); i++) {
        load_ok(cases[i].value != NULL ? "sensitivity" : NULL,
                cases[i].value, &s);
        assert_int_equal(s.sensitivity, cases[i].method);
        assert_true(s.sobol_samples == cases[i].sobol_samples);
        assert_true(s.bootstrap == cases[i].bootstrap);
        mc_scenario_free(&s);
    }
    /* Sobol' with an empty "correlations": every input independent */
    {
        const member ch[] = {{"sensitivity", "\"sobol\""},
                             {"correlations", "[]"}};
        char buf[4096];
        mc_err e;
        build_many(buf, sizeof buf, ch, N_OF(ch));
        assert_int_equal(load(buf, &s, &e), 0);
        assert_int_equal(s.sensitivity, MC_SENS_SOBOL);
        mc_scenario_free(&s);
    }
}

/* ------------------------------------------------------------------ */
/* Bad scenarios                                                       */
/* ------------------------------------------------------------------ */

typedef struct bad_case {
    const char *label;
    const char *key, *value;  /* member changed in the base scenario */
    const char *raw;          /* or the whole text */
    const char *path;         /* expected err.path */
    const char *words[4];     /* each must occur in err.msg */
} bad_case;

#define OVERHEAD_LN "\"dist\": \"lognormal\", \"median\": 2.2"

static const bad_case bad_cases[] = {
    {"syntax error", NULL, NULL,
     "{\n  \"name\": \"x\",\n  \"seed\": tru\n}", "$",
     {"invalid JSON", "line 3", "column 11", NULL}},
    {"trailing garbage", NULL, NULL, "{} x", "$",
     {"invalid JSON", "line 1", "column 4", NULL}},
    {"empty text", NULL, NULL, "", "$", {"expected a JSON object", "empty"}},
    {"only white space", NULL, NULL, " \n\t", "$", {"expected", "white"}},
    {"top level array", NULL, NULL, "[1, 2]", "$",
     {"expected a JSON object", "found an array"}},
    {"top level string", NULL, NULL, "\"abc\"", "$",
     {"expected a JSON object", "found a string \"abc\""}},
    {"unknown key with suggestion", "overhead",
     "{" OVERHEAD_LN ", \"sigm\": 0.3, \"truncate\": {\"lo\": 1}}",
     NULL, "$.inputs.overhead.sigm",
     {"unknown key 'sigm'", "did you mean 'sigma'?"}},
    {"unknown key differing in case", "Seed", "1", NULL, "$.Seed",
     {"unknown key 'Seed'", "did you mean 'seed'?"}},
    {"unknown key without a close match", "colour", "1", NULL, "$.colour",
     {"unknown key 'colour'", "expected one of", "samples"}},
    {"unknown input", "inputs.overheads", "1", NULL,
     "$.inputs.overheads", {"did you mean 'overhead'?"}},
    {"unknown input far from any", "inputs.temperature", "1", NULL,
     "$.inputs.temperature", {"expected one of", "final_run_gpu_hours",
                              "gpu_hour_usd"}},
    {"key with a quote", NULL, NULL, "{\"a\\\"b\": 1}", "$[\"a\\\"b\"]",
     {"unknown key 'a\\\"b'"}},
    {"long string shortened", "samples",
     "\"0123456789012345678901234567890123456789012345\"", NULL, "$.samples",
     {"found a string \"0123456789012345678901234567890123456789...\""}},
    {"duplicate key", NULL, NULL,
     "{\"name\": \"t\", \"seed\": 1, \"seed\": 2}", "$.seed",
     {"duplicate key 'seed'"}},
    {"duplicate key in a distribution", "power_ratio",
     "{\"dist\": \"uniform\", \"lo\": 0.5, \"hi\": 1, \"lo\": 0.6}", NULL,
     "$.inputs.power_ratio.lo", {"duplicate key 'lo'"}},
    {"missing input", "nodes", NULL, NULL, "$.inputs",
     {"missing required key 'nodes'"}},
    {"missing seed", "seed", NULL, NULL, "$", {"missing", "'seed'"}},
    {"missing name", "name", NULL, NULL, "$", {"missing", "'name'"}},
    {"empty name", "name", "\"\"", NULL, "$.name",
     {"expected a non-empty string", "found a string \"\""}},
    {"string instead of number", "nodes", "{\"value\": \"abc\"}", NULL,
     "$.inputs.nodes.value",
     {"expected a number", "found a string \"abc\""}},
    {"string as an input", "nodes", "\"abc\"", NULL, "$.inputs.nodes",
     {"expected a number or an object", "found a string \"abc\""}},
    {"null parameter", "power_ratio",
     "{\"dist\": \"uniform\", \"lo\": null, \"hi\": 1}", NULL,
     "$.inputs.power_ratio.lo", {"expected a number", "found null"}},
    {"infinite number", "gpu_hour_usd", "1e999", NULL,
     "$.inputs.gpu_hour_usd", {"expected a finite number", "inf"}},
    {"samples 0", "samples", "0", NULL, "$.samples",
     {"expected an integer from 1 to 1000000000", "found 0"}},
    {"samples 2.5", "samples", "2.5", NULL, "$.samples",
     {"expected an integer", "found 2.5"}},
    {"samples too many", "samples", "1000000001", NULL, "$.samples",
     {"expected an integer", "found 1000000001"}},
    {"samples as a string", "samples", "\"10\"", NULL, "$.samples",
     {"expected an integer", "found a string \"10\""}},
    {"seed -1", "seed", "-1", NULL, "$.seed",
     {"expected an integer from 0 to 18446744073709551615",
      "found -1 (a sign is not allowed)"}},
    {"seed 2^64", "seed", "18446744073709551616", NULL, "$.seed",
     {"expected an integer from 0 to 18446744073709551615, "
      "found 18446744073709551616"}},
    {"seed 2^53 + 1/2", "seed", "9007199254740992.5", NULL, "$.seed",
     {"expected an integer from 0 to 18446744073709551615, "
      "found 9007199254740992.5"}},
    {"samples a hair above 2000", "samples", "2000.0000000000001", NULL,
     "$.samples", {"expected an integer from 1 to 1000000000, "
                   "found 2000.0000000000001"}},
    {"sigma <= 0", "overhead",
     "{" OVERHEAD_LN ", \"sigma\": -0.1, \"truncate\": {\"lo\": 1}}", NULL,
     "$.inputs.overhead.sigma", {"expected", "sigma"}},
    {"sd = 0", "monthly_growth",
     "{\"dist\": \"normal\", \"mean\": 0, \"sd\": 0}", NULL,
     "$.inputs.monthly_growth.sd", {"expected", "sd"}},
    {"lo >= hi", "power_ratio", "{\"dist\": \"uniform\", \"lo\": 2, "
     "\"hi\": 1}", NULL, "$.inputs.power_ratio", {"expected", "lo", "hi"}},
    {"mode outside", "lifetime_days", "{\"dist\": \"triangular\", "
     "\"lo\": 25, \"mode\": 500, \"hi\": 421}", NULL,
     "$.inputs.lifetime_days.mode", {"expected", "mode"}},
    {"p05 >= p95", "overhead", "{\"dist\": \"lognormal\", \"p05\": 3, "
     "\"p95\": 2, \"truncate\": {\"lo\": 1}}", NULL, "$.inputs.overhead",
     {"expected", "p05", "p95"}},
    {"p05 <= 0", "representativeness", "{\"dist\": \"lognormal\", "
     "\"p05\": 0, \"p95\": 2}", NULL, "$.inputs.representativeness.p05",
     {"expected", "p05"}},
    {"two lognormal forms", "representativeness", "{\"dist\": "
     "\"lognormal\", \"mu\": 0, \"median\": 1, \"sigma\": 0.1}", NULL,
     "$.inputs.representativeness",
     {"exactly one of", "{median, sigma}", "found {mu, median, sigma}"}},
    {"incomplete lognormal", "representativeness", "{\"dist\": "
     "\"lognormal\", \"sigma\": 0.1}", NULL, "$.inputs.representativeness",
     {"exactly one of", "found {sigma}"}},
    {"missing parameter", "monthly_growth", "{\"dist\": \"normal\", "
     "\"mean\": 0}", NULL, "$.inputs.monthly_growth",
     {"missing required key 'sd'"}},
    {"parameters without dist", "monthly_growth", "{\"mean\": 0, "
     "\"sd\": 0.1}", NULL, "$.inputs.monthly_growth",
     {"missing required key 'dist'", "normal"}},
    {"negative weights", "gpus_per_node", "{\"dist\": \"discrete\", "
     "\"values\": [4, 8], \"weights\": [1, -1]}", NULL,
     "$.inputs.gpus_per_node.weights[1]", {"expected", "weight"}},
    {"weights summing to 0", "gpus_per_node", "{\"dist\": \"discrete\", "
     "\"values\": [4, 8], \"weights\": [0, 0]}", NULL,
     "$.inputs.gpus_per_node.weights", {"expected", "weight"}},
    {"weights of the wrong length", "gpus_per_node", "{\"dist\": "
     "\"discrete\", \"values\": [4, 8], \"weights\": [1]}", NULL,
     "$.inputs.gpus_per_node.weights", {"expected 2 weights", "found 1"}},
    {"values not numbers", "gpus_per_node", "{\"dist\": \"discrete\", "
     "\"values\": [4, \"8\"]}", NULL, "$.inputs.gpus_per_node.values[1]",
     {"expected a number", "found a string \"8\""}},
    {"unknown dist name", "power_ratio", "{\"dist\": \"lognormel\", "
     "\"median\": 1, \"sigma\": 0.1}", NULL, "$.inputs.power_ratio.dist",
     {"did you mean 'lognormal'?", "found a string \"lognormel\"",
      "fixed, uniform, normal, lognormal, triangular, pert, beta, gamma, "
      "loguniform, discrete"}},
    {"dist not a string", "power_ratio", "{\"dist\": 3}", NULL,
     "$.inputs.power_ratio.dist", {"expected a distribution name",
                                   "found 3", "triangular"}},
    {"truncation with no mass", "power_ratio", "{\"dist\": \"uniform\", "
     "\"lo\": 0.5, \"hi\": 1, \"truncate\": {\"lo\": 2, \"hi\": 3}}", NULL,
     "$.inputs.power_ratio.truncate", {"expected", "mass"}},
    {"truncation lo >= hi", "power_ratio", "{\"dist\": \"normal\", "
     "\"mean\": 1, \"sd\": 0.1, \"truncate\": {\"lo\": 2, \"hi\": 1}}",
     NULL, "$.inputs.power_ratio.truncate", {"expected"}},
    {"truncation of a discrete", "gpus_per_node", "{\"dist\": "
     "\"discrete\", \"values\": [4, 8], \"truncate\": {\"lo\": 5}}", NULL,
     "$.inputs.gpus_per_node.truncate", {"expected"}},
    {"truncation key misspelt", "power_ratio", "{\"dist\": \"normal\", "
     "\"mean\": 1, \"sd\": 0.1, \"truncate\": {\"low\": 0.5}}", NULL,
     "$.inputs.power_ratio.truncate.low", {"did you mean 'lo'?"}},
    {"overhead below 1 (domain)", "overhead",
     "{" OVERHEAD_LN ", \"sigma\": 0.366}", NULL, "$.inputs.overhead",
     {"overhead >= 1", "MODEL.md", "\"truncate\": {\"lo\": 1}"}},
    {"fixed overhead below 1 (domain)", "overhead", "0.5", NULL,
     "$.inputs.overhead", {"overhead >= 1", "found 0.5"}},
    {"monthly growth reaching -1 (domain)", "monthly_growth",
     "{\"dist\": \"normal\", \"mean\": -0.02, \"sd\": 0.06}", NULL,
     "$.inputs.monthly_growth", {"monthly_growth > -1", "truncate"}},
    {"uniform nodes from 0 (domain)", "nodes", "{\"dist\": \"uniform\", "
     "\"lo\": 0, \"hi\": 10}", NULL, "$.inputs.nodes",
     {"nodes > 0", "reaching 0", "truncate"}},
    {"stage of 0 GPU-hours (domain)", "final_run_gpu_hours",
     "[{\"name\": \"a\", \"value\": 0}]", NULL,
     "$.inputs.final_run_gpu_hours[0].value",
     {"final_run_gpu_hours (stage 'a') > 0", "found 0"}},
    {"duplicate stage names", "final_run_gpu_hours",
     "[{\"name\": \"a\", \"value\": 1}, {\"name\": \"a\", \"value\": 2}]",
     NULL, "$.inputs.final_run_gpu_hours[1].name",
     {"unique", "\"a\""}},
    {"stage without a name", "final_run_gpu_hours",
     "[{\"name\": \"a\", \"value\": 1}, {\"value\": 2}]", NULL,
     "$.inputs.final_run_gpu_hours[1]", {"missing required key 'name'"}},
    {"stage as a number", "final_run_gpu_hours", "[1000]", NULL,
     "$.inputs.final_run_gpu_hours[0]", {"expected a stage object",
                                         "found 1000"}},
    {"no stages", "final_run_gpu_hours", "[]", NULL,
     "$.inputs.final_run_gpu_hours", {"at least one stage"}},
    {"name on a single stage", "final_run_gpu_hours",
     "{\"name\": \"a\", \"value\": 1}", NULL,
     "$.inputs.final_run_gpu_hours.name", {"unknown key 'name'"}},
    {"streams colliding", "final_run_gpu_hours",
     "[{\"name\": \"s53685\", \"value\": 1}, "
     "{\"name\": \"s505810\", \"value\": 2}]", NULL,
     "$.inputs.final_run_gpu_hours[1].name",
     {"final_run_gpu_hours/s53685", "final_run_gpu_hours/s505810",
      "stream"}},
    {"horizons not increasing", "horizons", "[10, 5]", NULL,
     "$.horizons[1]", {"strictly increasing", "found 5"}},
    {"horizon 0", "horizons", "[0, 5]", NULL, "$.horizons[0]",
     {"expected a horizon > 0", "found 0"}},
    {"horizons stop < start", "horizons",
     "{\"start\": 10, \"stop\": 5, \"step\": 1}", NULL, "$.horizons.stop",
     {"expected stop >= start", "found 5"}},
    {"horizons step 0", "horizons",
     "{\"start\": 10, \"stop\": 50, \"step\": 0}", NULL, "$.horizons.step",
     {"expected step > 0", "found 0"}},
    {"too many horizons", "horizons",
     "{\"start\": 1, \"stop\": 1e6, \"step\": 1}", NULL, "$.horizons",
     {"at most 100000"}},
    {"horizons missing step", "horizons", "{\"start\": 1, \"stop\": 10}",
     NULL, "$.horizons", {"missing required key 'step'"}},
    {"samples_csv not a boolean", "output", "{\"samples_csv\": \"yes\"}",
     NULL, "$.output.samples_csv", {"expected true or false",
                                    "found a string \"yes\""}},
};

/* Bad "sensitivity" and "variants": each row changes up to four members
 * of the base scenario (build_many). */
typedef struct bad_change_case {
    const char *label;
    member ch[4];             /* key NULL: no more changes */
    const char *path;
    const char *words[4];
} bad_change_case;

/* two uncertain inputs of the base, correlated */
#define CORRELATED                                                        \
    {"overhead", "{" OVERHEAD_LN ", \"sigma\": 0.3, \"truncate\": "       \
     "{\"lo\": 1}, \"source\": \"s\"}"},                                  \
    {"power_ratio", "{\"dist\": \"uniform\", \"lo\": 0.4, \"hi\": 1}"},   \
    {"correlations", "[{\"inputs\": [\"overhead\", \"power_ratio\"], "    \
     "\"spearman\": 0.3}]"}
#define SWEEP(name, input, par, values)                                   \
    "[{\"name\": \"" name "\", \"sweep\": {\"input\": \"" input "\", "    \
    "\"parameter\": \"" par "\", \"values\": " values "}}]"
#define NODES_5(name) "{\"name\": \"" name "\", \"inputs\": {\"nodes\": 5}}"

static const bad_change_case bad_change_cases[] = {
    /* "sensitivity" */
    {"method misspelt (short form)", {{"sensitivity", "\"Sobol\""}},
     "$.sensitivity", {"expected \"rank\", \"sobol\" or \"none\"",
                       "found a string \"Sobol\"", "did you mean 'sobol'?"}},
    {"method unknown", {{"sensitivity", "{\"method\": \"morris\"}"}},
     "$.sensitivity.method", {"expected \"rank\", \"sobol\" or \"none\"",
                              "found a string \"morris\""}},
    {"method not a string", {{"sensitivity", "{\"method\": 1}"}},
     "$.sensitivity.method", {"expected \"rank\"", "found 1"}},
    {"sensitivity a number", {{"sensitivity", "2"}}, "$.sensitivity",
     {"expected \"rank\", \"sobol\", \"none\" or an object", "found 2"}},
    {"sensitivity unknown key", {{"sensitivity", "{\"metod\": \"rank\"}"}},
     "$.sensitivity.metod", {"unknown key 'metod'",
                             "did you mean 'method'?"}},
    {"sobol_samples 1", {{"sensitivity", "{\"sobol_samples\": 1}"}},
     "$.sensitivity.sobol_samples",
     {"expected an integer from 2 to 10000000", "found 1"}},
    {"sobol_samples above 1e7",
     {{"sensitivity", "{\"sobol_samples\": 10000001}"}},
     "$.sensitivity.sobol_samples",
     {"expected an integer from 2 to 10000000", "found 10000001"}},
    {"sobol_samples a fraction",
     {{"sensitivity", "{\"sobol_samples\": 100.5}"}},
     "$.sensitivity.sobol_samples", {"expected an integer", "found 100.5"}},
    {"bootstrap negative", {{"sensitivity", "{\"bootstrap\": -1}"}},
     "$.sensitivity.bootstrap",
     {"expected an integer from 0 to 100000", "found -1"}},
    {"bootstrap above 100000", {{"sensitivity", "{\"bootstrap\": 100001}"}},
     "$.sensitivity.bootstrap",
     {"expected an integer from 0 to 100000", "found 100001"}},
    {"sobol with correlations (object form)",
     {{"sensitivity", "{\"method\": \"sobol\"}"}, CORRELATED},
     "$.sensitivity.method",
     {"expected independent inputs for Sobol' indices",
      "remove \"correlations\" or use \"rank\"", "found 1 correlated pair"}},
    {"sobol with correlations (short form)",
     {{"sensitivity", "\"sobol\""}, CORRELATED}, "$.sensitivity",
     {"expected independent inputs", "found 1 correlated pair"}},

    /* "variants": shape and names */
    {"variants not an array", {{"variants", "{}"}}, "$.variants",
     {"expected an array of variants", "found an object"}},
    {"variant not an object", {{"variants", "[\"wide\"]"}}, "$.variants[0]",
     {"expected a variant", "found a string \"wide\""}},
    {"variant unknown key",
     {{"variants", "[{\"name\": \"a\", \"input\": {\"nodes\": 5}}]"}},
     "$.variants[0].input", {"unknown key 'input'",
                             "did you mean 'inputs'?"}},
    {"variant name missing", {{"variants", "[{\"inputs\": {\"nodes\": 5}}]"}},
     "$.variants[0]", {"missing required key 'name'", "found no 'name'"}},
    {"variant name empty", {{"variants", "[" NODES_5("") "]"}},
     "$.variants[0].name",
     {"expected a non-empty string", "found a string \"\""}},
    {"variant name with a slash", {{"variants", "[" NODES_5("a/b") "]"}},
     "$.variants[0].name", {"letters, digits", "found \"a/b\" (with '/')"}},
    {"variant name with '='", {{"variants", "[" NODES_5("a=1") "]"}},
     "$.variants[0].name", {"letters, digits", "(with '=')"}},
    {"variant name starting with '.'", {{"variants", "[" NODES_5("..") "]"}},
     "$.variants[0].name", {"not starting with '.'", "found \"..\""}},
    {"variant name too long", {{"variants", "[" NODES_5(
         "a0123456789012345678901234567890123456789012345678901234567890123")
         "]"}},
     "$.variants[0].name", {"at most 64 characters", "found 65"}},
    {"variant named base", {{"variants", "[" NODES_5("base") "]"}},
     "$.variants[0].name", {"other than \"base\"", "found \"base\""}},
    {"variant names repeated",
     {{"variants", "[" NODES_5("a") ", " NODES_5("b") ", " NODES_5("a")
       "]"}},
     "$.variants[2].name", {"expected variant names unique",
                            "found \"a\" again", "also $.variants[0])"}},
    {"variant description a number", {{"variants", "[{\"name\": \"a\", "
       "\"description\": 1, \"inputs\": {\"nodes\": 5}}]"}},
     "$.variants[0].description", {"expected a string", "found 1"}},
    {"variant with inputs and sweep", {{"variants", "[{\"name\": \"a\", "
       "\"inputs\": {\"nodes\": 5}, \"sweep\": {\"input\": \"nodes\", "
       "\"parameter\": \"value\", \"values\": [5]}}]"}},
     "$.variants[0]", {"exactly one of \"inputs\" and \"sweep\"",
                       "found both"}},
    {"variant with neither", {{"variants", "[{\"name\": \"a\"}]"}},
     "$.variants[0]", {"missing required key 'inputs' or 'sweep'",
                       "found neither"}},

    /* "variants": inputs */
    {"variant inputs empty", {{"variants", "[{\"name\": \"a\", "
       "\"inputs\": {}}]"}},
     "$.variants[0].inputs", {"expected at least one input",
                              "found an empty object"}},
    {"variant inputs an array", {{"variants", "[{\"name\": \"a\", "
       "\"inputs\": []}]"}},
     "$.variants[0].inputs", {"expected an object", "found an array"}},
    {"variant unknown input", {{"variants", "[{\"name\": \"a\", "
       "\"inputs\": {\"nodse\": 5}}]"}},
     "$.variants[0].inputs.nodse", {"unknown key 'nodse'",
                                    "did you mean 'nodes'?"}},
    {"variant distribution invalid", {{"variants", "[" NODES_5("a") ", "
       "{\"name\": \"b\", \"inputs\": {\"power_ratio\": {\"dist\": "
       "\"normal\", \"mean\": 1, \"sd\": -1}}}]"}},
     "$.variants[1].inputs.power_ratio.sd", {"expected sd > 0",
                                             "found -1"}},
    {"variant input outside its domain", {{"variants", "[" NODES_5("a") ", "
       "{\"name\": \"b\", \"inputs\": {\"nodes\": 5, \"overhead\": 0.5}}]"}},
     "$.variants[1].inputs.overhead", {"overhead >= 1", "found 0.5"}},
    {"variant stage of 0", {{"variants", "[{\"name\": \"a\", \"inputs\": "
       "{\"final_run_gpu_hours\": [{\"name\": \"a\", \"value\": 0}]}}]"}},
     "$.variants[0].inputs.final_run_gpu_hours[0].value",
     {"final_run_gpu_hours (stage 'a') > 0", "found 0"}},
    {"variant overflowing the model", {{"variants", "[{\"name\": \"big\", "
       "\"inputs\": {\"overhead\": 1e300, \"gpu_hour_usd\": 1e300}}]"}},
     "$.variants[0].inputs", {"training_usd",
                              "at $.inputs in variant 'big'"}},
    {"variant fixing a correlated input", {{"variants", "[{\"name\": "
       "\"fixed\", \"inputs\": {\"overhead\": 2}}]"}, CORRELATED},
     "$.variants[0].inputs.overhead",
     {"expected an uncertain input", "found 'overhead', which is fixed",
      "at $.correlations[0].inputs[0] in variant 'fixed'"}},

    /* "variants": sweeps */
    {"sweep not an object", {{"variants", "[{\"name\": \"a\", "
       "\"sweep\": []}]"}},
     "$.variants[0].sweep", {"expected an object {\"input\"",
                             "found an array"}},
    {"sweep without values", {{"variants", "[{\"name\": \"a\", \"sweep\": "
       "{\"input\": \"nodes\", \"parameter\": \"value\"}}]"}},
     "$.variants[0].sweep", {"missing required key 'values'"}},
    {"sweep of an unknown input",
     {{"variants", SWEEP("a", "node", "value", "[1]")}},
     "$.variants[0].sweep.input", {"expected an input of MODEL.md",
                                   "did you mean 'nodes'?", "found 'node'"}},
    {"sweep of the stages",
     {{"variants", SWEEP("a", "final_run_gpu_hours", "value", "[1]")}},
     "$.variants[0].sweep.input",
     {"expected an input other than final_run_gpu_hours"}},
    {"sweep of a bare number's other parameter",
     {{"variants", SWEEP("a", "nodes", "median", "[1]")}},
     "$.variants[0].sweep.parameter",
     {"expected \"value\" (nodes is a bare number in $.inputs)",
      "found 'median'"}},
    {"sweep of a source",
     {{"variants", SWEEP("a", "overhead", "source", "[1]")}, CORRELATED},
     "$.variants[0].sweep.parameter",
     {"expected a numeric parameter of $.inputs.overhead (one of median, "
      "sigma)", "found 'source'"}},
    {"sweep of a misspelt parameter",
     {{"variants", SWEEP("a", "overhead", "sigam", "[1]")}, CORRELATED},
     "$.variants[0].sweep.parameter",
     {"found 'sigam'", "did you mean 'sigma'?"}},
    {"sweep of a discrete",
     {{"variants", SWEEP("a", "gpus_per_node", "values", "[1]")},
      {"gpus_per_node", "{\"dist\": \"discrete\", \"values\": [4, 8]}"}},
     "$.variants[0].sweep.parameter",
     {"expected a numeric parameter", "found 'values'", "has none"}},
    {"sweep values empty", {{"variants", SWEEP("a", "nodes", "value", "[]")}},
     "$.variants[0].sweep.values",
     {"expected at least one value", "found an empty array"}},
    {"sweep value a string",
     {{"variants", SWEEP("a", "nodes", "value", "[1, \"2\"]")}},
     "$.variants[0].sweep.values[1]",
     {"expected a number", "found a string \"2\""}},
    {"sweep value infinite",
     {{"variants", SWEEP("a", "nodes", "value", "[1, 1e999]")}},
     "$.variants[0].sweep.values[1]", {"expected a finite number", "inf"}},
    {"sweep value outside the domain",
     {{"variants", SWEEP("n", "nodes", "value", "[10, 0]")}},
     "$.variants[0].sweep.values[1]",
     {"nodes > 0", "found 0", "at $.inputs.nodes in variant 'n=0'"}},
    {"sweep value making sigma negative",
     {{"variants", SWEEP("k", "overhead", "sigma", "[0.5, -1]")},
      CORRELATED},
     "$.variants[0].sweep.values[1]",
     {"expected sigma > 0", "found -1",
      "at $.inputs.overhead.sigma in variant 'k=-1'"}},
    {"sweep value making lo > hi",
     {{"variants", SWEEP("p", "power_ratio", "lo", "[0.5, 2]")}, CORRELATED},
     "$.variants[0].sweep.values[1]",
     {"expected lo < hi", "at $.inputs.power_ratio in variant 'p=2'"}},
    {"sweep repeating a value",
     {{"variants", SWEEP("n", "nodes", "value", "[0.5, 5e-1]")}},
     "$.variants[0].sweep.values[1]",
     {"expected variant names unique", "found \"n=0.5\" again",
      "also $.variants[0].sweep.values[0]"}},
    {"sweep of 0 and -0",
     {{"variants", SWEEP("m", "monthly_growth", "value", "[0, -0]")}},
     "$.variants[0].sweep.values[1]", {"found \"m=0\" again"}},
    {"two sweeps of one name", {{"variants", "[{\"name\": \"n\", \"sweep\": "
       "{\"input\": \"nodes\", \"parameter\": \"value\", \"values\": [1, 2]}"
       "}, {\"name\": \"n\", \"sweep\": {\"input\": \"gpus_per_node\", "
       "\"parameter\": \"value\", \"values\": [3, 2]}}]"}},
     "$.variants[1].sweep.values[1]",
     {"found \"n=2\" again", "also $.variants[0].sweep.values[1]"}},
};

/* One bad text: fails with path and every word, *s left untouched.
 * Returns 0, or 1 after printing what is wrong. */
static int check_bad(const char *label, const char *text, const char *path,
                     const char *const words[4])
{
    mc_scenario s;
    mc_err e;
    int ok = 1;
    memset(&s, 0xA5, sizeof s);           /* must stay untouched */
    if (load(text, &s, &e) == 0) {
        print_error("[%s] loaded, expected an error\n", label);
        mc_scenario_free(&s);
        return 1;
    }
    for (size_t k = 0; k < sizeof s; k++)
        if (((unsigned char *)&s)[k] != 0xA5)
            ok = 0;
    if (strcmp(e.path, path) != 0 || e.io != 0)
        ok = 0;
    for (size_t w = 0; w < 4 && words[w] != NULL; w++)
        if (strstr(e.msg, words[w]) == NULL)
            ok = 0;
    if (!ok) {
        print_error("[%s] got %s: %s (io %d); expected %s with", label,
                    e.path, e.msg, e.io, path);
        for (size_t w = 0; w < 4 && words[w] != NULL; w++)
            print_error(" '%s'", words[w]);
        print_error("\n");
    }
    return !ok;
}

static void bad_scenarios_should_fail_with_path_and_message(void **state)
{
    int failures = 0;
    (void)state;
    for (size_t i = 0; i < N_OF(bad_cases); i++) {
        const bad_case *b = &bad_cases[i];
        char buf[4096];
        if (b->raw != NULL)
            snprintf(buf, sizeof buf, "%s", b->raw);
        else
            build(buf, sizeof buf, b->key, b->value);
        failures += check_bad(b->label, buf, b->path, b->words);
    }
    assert_int_equal(failures, 0);
}

static void bad_sensitivity_and_variants_should_fail_with_path(void **state)
{
    int failures = 0;
    (void)state;
    for (size_t i = 0; i < N_OF(bad_change_cases); i++) {
        const bad_change_case *b = &bad_change_cases[i];
        char buf[8192];
        size_t n = 0;
        while (n < N_OF(b->ch) && b->ch[n].key != NULL)
            n++;
        build_many(buf, sizeof buf, b->ch, n);
        failures += check_bad(b->label, buf, b->path, b->words);
    }
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------ */
/* Version 2: traffic, use, curve, groups (MODEL.md "Version 2")       */
/* ------------------------------------------------------------------ */

/* Loads the base scenario with the n changes ch; must succeed. */
static void load_many_ok(const member *ch, size_t n, mc_scenario *s)
{
    char buf[8192];
    mc_err e;
    build_many(buf, sizeof buf, ch, n);
    if (load(buf, s, &e) != 0) {
        print_error("unexpected error: %s: %s\nin %s\n", e.path, e.msg, buf);
        fail();
    }
}

static void assert_layouts_equal(const mc_layout *a, const mc_layout *b)
{
    assert_int_equal(a->groups, b->groups);
    assert_memory_equal(a->given, b->given, sizeof a->given);
    assert_int_equal(a->n_phases, b->n_phases);
    assert_int_equal(a->efficiency, b->efficiency);
    assert_true(a->per == b->per);
    assert_int_equal(a->ncols, b->ncols);
    assert_memory_equal(a->col, b->col, (size_t)a->ncols * sizeof a->col[0]);
    assert_int_equal(a->nout, b->nout);
    assert_memory_equal(a->out, b->out, (size_t)a->nout * sizeof a->out[0]);
    assert_memory_equal(a->has_out, b->has_out, sizeof a->has_out);
    assert_int_equal(a->ncurve, b->ncurve);
    assert_memory_equal(a->curve, b->curve,
                        (size_t)a->ncurve * sizeof a->curve[0]);
}

static void assert_fixed(const mc_input *in, double x, const char *name)
{
    assert_string_equal(mc_dist_name(&in->dist), "fixed");
    assert_true(in->dist.p[0] == x);
    assert_string_equal(in->name, name);
    assert_true(in->stream == mc_rng_stream_id(name));
}

static void v1_scenario_should_have_the_v1_layout(void **state)
{
    mc_scenario s;
    mc_layout v1;
    mc_err e;
    (void)state;
    mc_layout_v1(&v1);
    load_ok(NULL, NULL, &s);
    assert_layouts_equal(&s.layout, &v1);
    assert_null(s.use_unit);
    assert_true(s.use_per == 1.0);
    mc_scenario_free(&s);
    /* config/reported.json gives version 1's inputs alone */
    assert_int_equal(mc_cfg_load_file(CONFIG_DIR "/reported.json", &s, &e),
                     0);
    assert_layouts_equal(&s.layout, &v1);
    for (size_t i = 0; i < s.n_variants; i++)
        assert_layouts_equal(&s.variants[i].s->layout, &v1);
    mc_scenario_free(&s);
}

#define TWO_PHASES                                                        \
    "[{\"days\": 30, \"monthly_growth\": -0.1, \"source\": \"ph1\"}, "    \
    "{\"monthly_growth\": {\"value\": 0, \"source\": \"own\"}, "          \
    "\"description\": \"flat\"}]"

static void traffic_should_fill_the_phase_inputs(void **state)
{
    const member ch[] = {{"monthly_growth", NULL},
                         {"inputs.traffic", TWO_PHASES}};
    mc_scenario s;
    (void)state;
    load_many_ok(ch, N_OF(ch), &s);
    assert_fixed(&s.inputs[MC_IN_MONTHLY_GROWTH], -0.1, "monthly_growth");
    assert_fixed(&s.inputs[MC_IN_TRAFFIC_1_DAYS], 30, "traffic_1_days");
    assert_fixed(&s.inputs[MC_IN_TRAFFIC_2_MONTHLY_GROWTH], 0,
                 "traffic_2_monthly_growth");
    /* the phase's source where the value has none */
    assert_string_equal(s.inputs[MC_IN_MONTHLY_GROWTH].source, "ph1");
    assert_string_equal(s.inputs[MC_IN_TRAFFIC_1_DAYS].source, "ph1");
    assert_string_equal(s.inputs[MC_IN_TRAFFIC_2_MONTHLY_GROWTH].source,
                        "own");
    assert_int_equal(s.layout.n_phases, 2);
    assert_int_equal(s.layout.groups, MC_GROUPS_ALWAYS);
    for (int i = 0; i < MC_IN_COUNT; i++)
        assert_int_equal(s.layout.given[i],
                         mc_input_infos[i].required == MC_ALWAYS
                         || i == MC_IN_TRAFFIC_1_DAYS
                         || i == MC_IN_TRAFFIC_2_MONTHLY_GROWTH);
    /* the phases it does not have hold a placeholder */
    assert_fixed(&s.inputs[MC_IN_TRAFFIC_2_DAYS], 0, "traffic_2_days");
    assert_fixed(&s.inputs[MC_IN_TRAFFIC_6_MONTHLY_GROWTH], 0,
                 "traffic_6_monthly_growth");
    mc_scenario_free(&s);
}

static void one_phase_traffic_should_equal_monthly_growth(void **state)
{
#define GROWTH "{\"dist\": \"normal\", \"mean\": -0.02, \"sd\": 0.06, " \
               "\"truncate\": {\"lo\": -0.2, \"hi\": 0.25}}"
    const member ch[] = {{"monthly_growth", NULL},
                         {"inputs.traffic", "[{\"monthly_growth\": "
                          GROWTH "}]"}};
    mc_scenario a, b;
    (void)state;
    load_ok("monthly_growth", GROWTH, &a);
    load_many_ok(ch, N_OF(ch), &b);
    assert_true(input_equal(&a.inputs[MC_IN_MONTHLY_GROWTH],
                            &b.inputs[MC_IN_MONTHLY_GROWTH]));
    assert_true(b.inputs[MC_IN_MONTHLY_GROWTH].stream
                == mc_rng_stream_id("monthly_growth"));
    assert_layouts_equal(&a.layout, &b.layout);
    assert_scenarios_equal(&a, &b);
    mc_scenario_free(&a);
    mc_scenario_free(&b);
#undef GROWTH
}

static void groups_and_use_should_make_the_layout(void **state)
{
    const member ch[] = {
        {"inputs.training_kw_per_gpu", "0.9"},
        {"inputs.training_pue", "{\"dist\": \"uniform\", \"lo\": 1.1, "
         "\"hi\": 1.4}"},
        {"inputs.training_kgco2e_per_kwh", "0.55"},
        {"inputs.training_l_per_kwh", "2"},
        {"inputs.inference_l_per_kwh", "1.5"},
        {"inputs.uses_per_day", "168e9"},
        {"inputs.efficiency_gain_monthly", "{\"dist\": \"uniform\", "
         "\"lo\": 0, \"hi\": 0.1}"},
        {"use", "{\"unit\": \"output token\", \"per\": 1e6}"}};
    mc_scenario s;
    (void)state;
    load_many_ok(ch, N_OF(ch), &s);
    assert_int_equal(s.layout.groups, MC_GROUPS_ALWAYS | MC_GROUP_POWER |
                     MC_GROUP_CARBON | MC_GROUP_WATER | MC_GROUP_USE);
    assert_string_equal(s.use_unit, "output token");
    assert_true(s.use_per == 1e6 && s.layout.per == 1e6);
    assert_int_equal(s.layout.efficiency, 1);
    assert_int_equal(s.layout.n_phases, 1);
    assert_int_equal(s.layout.given[MC_IN_INFERENCE_CI], 0);
    assert_int_equal(s.layout.given[MC_IN_INFERENCE_WATER], 1);
    assert_int_equal(s.layout.given[MC_IN_KW_PER_GPU], 1);
    assert_fixed(&s.inputs[MC_IN_KW_PER_GPU], 0.9, "training_kw_per_gpu");
    assert_fixed(&s.inputs[MC_IN_USES_PER_DAY], 168e9, "uses_per_day");
    assert_fixed(&s.inputs[MC_IN_INFERENCE_WATER], 1.5,
                 "inference_l_per_kwh");
    assert_string_equal(mc_dist_name(&s.inputs[MC_IN_TRAINING_PUE].dist),
                        "uniform");
    assert_true(s.layout.has_out[MC_OUT_MULTIPLIER_CARBON]);
    assert_true(s.layout.has_out[MC_OUT_TRAINING_ML_PER_USE]);
    assert_int_equal(s.layout.ncurve, 6);
    mc_scenario_free(&s);

    /* efficiency up to just below 1, truncated */
    load_ok("inputs.efficiency_gain_monthly", "{\"dist\": \"uniform\", "
            "\"lo\": 0, \"hi\": 2, \"truncate\": {\"hi\": 0.999}}", &s);
    assert_int_equal(s.layout.efficiency, 1);
    assert_int_equal(s.layout.groups, MC_GROUPS_ALWAYS);
    mc_scenario_free(&s);
    load_ok("inputs.efficiency_gain_monthly", "0.05", &s);
    assert_fixed(&s.inputs[MC_IN_EFFICIENCY], 0.05,
                 "efficiency_gain_monthly");
    mc_scenario_free(&s);
    /* left out: the model's fallback, 0 */
    load_ok(NULL, NULL, &s);
    assert_fixed(&s.inputs[MC_IN_EFFICIENCY], 0.0, "efficiency_gain_monthly");
    assert_int_equal(s.layout.efficiency, 0);
    mc_scenario_free(&s);
}

static void curve_metrics_should_make_the_mask(void **state)
{
    mc_scenario s;
    (void)state;
    load_ok("curve", "{\"metrics\": [\"multiplier_energy\", "
            "\"multiplier\"]}", &s);
    assert_int_equal(s.layout.ncurve, 2);
    assert_int_equal(s.layout.curve[0], MC_OUT_MULTIPLIER);
    assert_int_equal(s.layout.curve[1], MC_OUT_MULTIPLIER_ENERGY);
    mc_scenario_free(&s);
    {
        const member ch[] = {
            {"inputs.training_kw_per_gpu", "0.9"},
            {"inputs.training_pue", "1.3"},
            {"inputs.training_kgco2e_per_kwh", "0.55"},
            {"curve", "{\"metrics\": [\"multiplier_carbon\"]}"}};
        load_many_ok(ch, N_OF(ch), &s);
        assert_int_equal(s.layout.ncurve, 1);
        assert_int_equal(s.layout.curve[0], MC_OUT_MULTIPLIER_CARBON);
        mc_scenario_free(&s);
    }
}

static void phase_inputs_should_be_correlated_by_name(void **state)
{
    const member ch[] = {
        {"monthly_growth", NULL},
        {"inputs.traffic", "[{\"days\": 30, \"monthly_growth\": 0}, "
         "{\"monthly_growth\": {\"dist\": \"uniform\", \"lo\": -0.1, "
         "\"hi\": 0.1}}]"},
        {"overhead", "{\"dist\": \"uniform\", \"lo\": 1, \"hi\": 3}"},
        {"correlations", "[{\"inputs\": [\"traffic_2_monthly_growth\", "
         "\"overhead\"], \"spearman\": 0.4}]"}};
    mc_scenario s;
    (void)state;
    load_many_ok(ch, N_OF(ch), &s);
    assert_int_equal(s.n_corr, 2);
    assert_int_equal(s.corr_input[0], MC_IN_OVERHEAD);
    assert_int_equal(s.corr_input[1], MC_IN_TRAFFIC_2_MONTHLY_GROWTH);
    mc_scenario_free(&s);
}

static void variants_should_swap_traffic_and_monthly_growth(void **state)
{
    mc_scenario s;
    (void)state;
    /* the base gives monthly_growth, the variant traffic */
    load_ok("variants", "[{\"name\": \"phases\", \"inputs\": {\"traffic\": "
            TWO_PHASES "}}]", &s);
    assert_int_equal(s.n_variants, 1);
    assert_int_equal(s.layout.n_phases, 1);
    assert_int_equal(s.variants[0].s->layout.n_phases, 2);
    assert_fixed(&s.variants[0].s->inputs[MC_IN_MONTHLY_GROWTH], -0.1,
                 "monthly_growth");
    assert_fixed(&s.variants[0].s->inputs[MC_IN_TRAFFIC_1_DAYS], 30,
                 "traffic_1_days");
    mc_scenario_free(&s);
    /* the base gives traffic, the variant monthly_growth; use and curve
       are the base's */
    {
        const member ch[] = {
            {"monthly_growth", NULL},
            {"inputs.traffic", TWO_PHASES},
            {"inputs.uses_per_day", "1e9"},
            {"use", "{\"unit\": \"query\", \"per\": 1000}"},
        };
        member ch2[N_OF(ch) + 2];
        memcpy(ch2, ch, sizeof ch);
        ch2[N_OF(ch)] = (member){"curve", "{\"metrics\": [\"multiplier\"]}"};
        ch2[N_OF(ch) + 1] = (member){"variants", "[{\"name\": \"flat\", "
            "\"inputs\": {\"monthly_growth\": 0.01}}]"};
        load_many_ok(ch2, N_OF(ch2), &s);
        const mc_scenario *v = s.variants[0].s;
        assert_int_equal(s.layout.n_phases, 2);
        assert_int_equal(v->layout.n_phases, 1);
        assert_fixed(&v->inputs[MC_IN_MONTHLY_GROWTH], 0.01,
                     "monthly_growth");
        assert_int_equal(v->layout.given[MC_IN_TRAFFIC_1_DAYS], 0);
        assert_string_equal(v->use_unit, "query");
        assert_true(v->use_per == 1000);
        assert_int_equal(v->layout.groups, s.layout.groups);
        assert_int_equal(v->layout.ncurve, 1);
        mc_scenario_free(&s);
    }
}

/* Bad version-2 scenarios: each row changes up to four members of the
 * base (build_many). */
#define P_Q {"inputs.training_kw_per_gpu", "0.9"},                        \
            {"inputs.training_pue", "1.3"}
#define USE_BLOCK {"use", "{\"unit\": \"output token\", \"per\": 1e6}"}
#define PHASE(d, m) "{\"days\": " d ", \"monthly_growth\": " m "}"
#define LAST(m) "{\"monthly_growth\": " m "}"

static const bad_change_case bad_v2_cases[] = {
    /* groups given in part */
    {"P without Q_t", {{"inputs.training_kw_per_gpu", "0.9"}},
     "$.inputs.training_kw_per_gpu",
     {"expected training_pue beside training_kw_per_gpu",
      "found no training_pue", "leave the power group out"}},
    {"Q_t without P", {{"inputs.training_pue", "1.3"}},
     "$.inputs.training_pue",
     {"expected training_kw_per_gpu beside training_pue",
      "found no training_kw_per_gpu"}},
    {"CI without P and Q_t", {{"inputs.training_kgco2e_per_kwh", "0.55"}},
     "$.inputs.training_kgco2e_per_kwh",
     {"expected training_kw_per_gpu and training_pue beside "
      "training_kgco2e_per_kwh", "carbon is per kWh of energy"}},
    {"CI_i without CI_t", {P_Q, {"inputs.inference_kgco2e_per_kwh", "0.3"}},
     "$.inputs.inference_kgco2e_per_kwh",
     {"expected training_kgco2e_per_kwh beside inference_kgco2e_per_kwh",
      "found no training_kgco2e_per_kwh"}},
    {"W_i without W_t", {P_Q, {"inputs.inference_l_per_kwh", "2"}},
     "$.inputs.inference_l_per_kwh",
     {"expected training_l_per_kwh beside inference_l_per_kwh"}},
    {"uses_per_day without use", {{"inputs.uses_per_day", "1e9"}},
     "$.inputs.uses_per_day",
     {"expected a \"use\" block beside uses_per_day", "found no \"use\""}},
    {"use without uses_per_day", {USE_BLOCK}, "$.use",
     {"expected uses_per_day in $.inputs beside the \"use\" block",
      "found no uses_per_day"}},
    /* use */
    {"use per 0", {{"inputs.uses_per_day", "1e9"},
                   {"use", "{\"unit\": \"token\", \"per\": 0}"}},
     "$.use.per", {"expected per > 0", "found 0"}},
    {"use unit empty", {{"inputs.uses_per_day", "1e9"},
                        {"use", "{\"unit\": \"\", \"per\": 1}"}},
     "$.use.unit", {"expected a non-empty string", "found a string \"\""}},
    {"use unit too long", {{"inputs.uses_per_day", "1e9"},
                           {"use", "{\"unit\": \"0123456789012345678901234"
                            "5678901234567890123456789012345678901234\", "
                            "\"per\": 1}"}},
     "$.use.unit", {"expected a unit of at most 64 characters", "found 65"}},
    {"use unit with a tab", {{"inputs.uses_per_day", "1e9"},
                             {"use", "{\"unit\": \"a\\tb\", \"per\": 1}"}},
     "$.use.unit", {"printable", "0x09 at character 2"}},
    {"use without per", {{"inputs.uses_per_day", "1e9"},
                         {"use", "{\"unit\": \"token\"}"}},
     "$.use", {"missing required key 'per'"}},
    {"use unknown key", {{"inputs.uses_per_day", "1e9"},
                         {"use", "{\"unit\": \"t\", \"per\": 1, \"pre\": 1}"}},
     "$.use.pre", {"unknown key 'pre'", "did you mean 'per'?"}},
    {"use not an object", {{"use", "\"token\""}}, "$.use",
     {"expected an object {\"unit\"", "found a string \"token\""}},
    /* traffic */
    {"traffic and monthly_growth", {{"inputs.traffic", "[" LAST("0") "]"}},
     "$.inputs", {"expected monthly_growth or traffic, found both"}},
    {"traffic last phase with days",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("30", "0") ", " PHASE("60", "0") "]"}},
     "$.inputs.traffic[1].days",
     {"expected no 'days' on traffic phase 2 of 2",
      "the last phase has no end", "found 60"}},
    {"traffic middle phase without days",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("30", "0") ", " LAST("0") ", "
       LAST("0") "]"}},
     "$.inputs.traffic[1]",
     {"missing required key 'days'", "traffic phase 2 of 3",
      "found no 'days'"}},
    {"traffic empty", {{"monthly_growth", NULL}, {"inputs.traffic", "[]"}},
     "$.inputs.traffic",
     {"expected at least one traffic phase", "found an empty array"}},
    {"traffic of 7 phases",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("1", "0") ", " PHASE("1", "0") ", "
       PHASE("1", "0") ", " PHASE("1", "0") ", " PHASE("1", "0") ", "
       PHASE("1", "0") ", " LAST("0") "]"}},
     "$.inputs.traffic", {"expected at most 6 traffic phases", "found 7"}},
    {"traffic not an array", {{"monthly_growth", NULL},
                              {"inputs.traffic", LAST("0")}},
     "$.inputs.traffic", {"expected an array of traffic phases",
                          "found an object"}},
    {"traffic phase a number", {{"monthly_growth", NULL},
                                {"inputs.traffic", "[0.1]"}},
     "$.inputs.traffic[0]", {"expected a traffic phase", "found 0.1"}},
    {"traffic phase without growth", {{"monthly_growth", NULL},
                                      {"inputs.traffic", "[{}]"}},
     "$.inputs.traffic[0]", {"missing required key 'monthly_growth'"}},
    {"traffic phase unknown key",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[{\"monthly_growth\": 0, \"day\": 3}]"}},
     "$.inputs.traffic[0].day", {"unknown key 'day'",
                                 "did you mean 'days'?"}},
    {"traffic growth -1",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("30", "0") ", " LAST("-1") "]"}},
     "$.inputs.traffic[1].monthly_growth",
     {"expected traffic_2_monthly_growth > -1 (MODEL.md)", "found -1"}},
    {"traffic days 0",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("0", "0") ", " LAST("0") "]"}},
     "$.inputs.traffic[0].days",
     {"expected traffic_1_days > 0 (MODEL.md)", "found 0"}},
    {"traffic days reaching 0",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("{\"dist\": \"normal\", \"mean\": 30, "
       "\"sd\": 10}", "0") ", " LAST("0") "]"}},
     "$.inputs.traffic[0].days",
     {"traffic_1_days > 0", "normal", "truncate"}},
    {"phase input as a key", {{"inputs.traffic_2_days", "30"}},
     "$.inputs.traffic_2_days", {"unknown key 'traffic_2_days'"}},
    {"neither monthly_growth nor traffic", {{"monthly_growth", NULL}},
     "$.inputs", {"missing required key 'monthly_growth'"}},
    /* domains */
    {"efficiency 1", {{"inputs.efficiency_gain_monthly", "1"}},
     "$.inputs.efficiency_gain_monthly",
     {"expected efficiency_gain_monthly < 1 (MODEL.md), found 1; change the "
      "value"}},
    {"efficiency value 1", {{"inputs.efficiency_gain_monthly",
                             "{\"value\": 1.5}"}},
     "$.inputs.efficiency_gain_monthly.value",
     {"expected efficiency_gain_monthly < 1 (MODEL.md), found 1.5"}},
    {"efficiency reaching 1", {{"inputs.efficiency_gain_monthly",
                                "{\"dist\": \"uniform\", \"lo\": 0, "
                                "\"hi\": 1}"}},
     "$.inputs.efficiency_gain_monthly",
     {"expected values of efficiency_gain_monthly < 1 (MODEL.md)",
      "uniform distribution reaching 1",
      "\"truncate\": {\"hi\": x} with x < 1"}},
    {"efficiency normal", {{"inputs.efficiency_gain_monthly",
                            "{\"dist\": \"normal\", \"mean\": 0.05, "
                            "\"sd\": 0.01, \"truncate\": {\"lo\": 0}}"}},
     "$.inputs.efficiency_gain_monthly", {"reaching inf", "\"hi\""}},
    {"efficiency discrete", {{"inputs.efficiency_gain_monthly",
                              "{\"dist\": \"discrete\", \"values\": "
                              "[0, 0.1, 1]}"}},
     "$.inputs.efficiency_gain_monthly.values[2]",
     {"efficiency_gain_monthly < 1", "found 1; change this value"}},
    {"efficiency negative", {{"inputs.efficiency_gain_monthly", "-0.1"}},
     "$.inputs.efficiency_gain_monthly",
     {"expected efficiency_gain_monthly >= 0 (MODEL.md), found -0.1"}},
    {"training_pue 0.9", {{"inputs.training_kw_per_gpu", "0.9"},
                          {"inputs.training_pue", "0.9"}},
     "$.inputs.training_pue",
     {"expected training_pue >= 1 (MODEL.md), found 0.9"}},
    {"negative carbon intensity",
     {P_Q, {"inputs.training_kgco2e_per_kwh", "-0.1"}},
     "$.inputs.training_kgco2e_per_kwh",
     {"expected training_kgco2e_per_kwh >= 0 (MODEL.md), found -0.1"}},
    {"uses_per_day 0", {{"inputs.uses_per_day", "0"}, USE_BLOCK},
     "$.inputs.uses_per_day", {"expected uses_per_day > 0", "found 0"}},
    {"energy overflowing", {{"inputs.training_kw_per_gpu", "1e300"},
                            {"inputs.training_pue", "1e10"}},
     "$.inputs",
     {"expected training_mwh (E_T / 1000, E_T = T P Q_t kWh) finite in "
      "double precision, found it reaching inf"}},
    /* curve */
    {"curve metric absent", {{"curve", "{\"metrics\": [\"multiplier\", "
                              "\"multiplier_carbon\"]}"}},
     "$.curve.metrics[1]",
     {"expected a multiplier of the scenario on the curve",
      "found multiplier_carbon", "power inputs",
      "remove it from curve.metrics"}},
    {"curve metric not a multiplier",
     {{"curve", "{\"metrics\": [\"break_even_days\"]}"}},
     "$.curve.metrics[0]",
     {"expected a multiplier", "found 'break_even_days', which is not one"}},
    {"curve metric unknown", {{"curve", "{\"metrics\": [\"multiplyer\"]}"}},
     "$.curve.metrics[0]", {"expected a multiplier of MODEL.md",
                            "did you mean 'multiplier'?"}},
    {"curve metric twice",
     {{"curve", "{\"metrics\": [\"multiplier\", \"multiplier_energy\", "
       "\"multiplier\"]}"}},
     "$.curve.metrics[2]", {"expected each metric once",
                            "found 'multiplier' again (also at [0])"}},
    {"curve metrics empty", {{"curve", "{\"metrics\": []}"}},
     "$.curve.metrics", {"expected at least one multiplier",
                         "found an empty array"}},
    {"curve without metrics", {{"curve", "{}"}}, "$.curve",
     {"missing required key 'metrics'"}},
    {"curve metric a number", {{"curve", "{\"metrics\": [1]}"}},
     "$.curve.metrics[0]", {"expected a multiplier's name", "found 1"}},
    /* correlations */
    {"correlating an input left out",
     {{"overhead", "{\"dist\": \"uniform\", \"lo\": 1, \"hi\": 3}"},
      {"correlations", "[{\"inputs\": [\"training_pue\", \"overhead\"], "
       "\"spearman\": 0.3}]"}},
     "$.correlations[0].inputs[0]",
     {"found 'training_pue', which is not in this scenario's inputs",
      "an optional input it leaves out"}},
    {"correlating a phase beyond the traffic",
     {{"overhead", "{\"dist\": \"uniform\", \"lo\": 1, \"hi\": 3}"},
      {"correlations", "[{\"inputs\": [\"overhead\", "
       "\"traffic_3_monthly_growth\"], \"spearman\": 0.3}]"}},
     "$.correlations[0].inputs[1]",
     {"found 'traffic_3_monthly_growth', which is not in this scenario's "
      "inputs", "a traffic phase it does not have"}},
    /* variants */
    {"variant adding a group",
     {{"variants", "[{\"name\": \"power\", \"inputs\": "
       "{\"training_kw_per_gpu\": 0.9, \"training_pue\": 1.3}}]"}},
     "$.variants[0].inputs.training_kw_per_gpu",
     {"expected the base's groups of outputs in variant 'power'",
      "found it adding power", "compare outputs one for one"}},
    {"variant giving P alone",
     {{"variants", "[{\"name\": \"p\", \"inputs\": "
       "{\"training_kw_per_gpu\": 0.9}}]"}},
     "$.variants[0].inputs.training_kw_per_gpu",
     {"expected training_pue beside training_kw_per_gpu"}},
    {"variant with a bad traffic",
     {{"variants", "[{\"name\": \"t\", \"inputs\": {\"traffic\": "
       "[" LAST("0") ", " LAST("0") "]}}]"}},
     "$.variants[0].inputs.traffic[0]",
     {"missing required key 'days'"}},
    {"sweep of traffic",
     {{"variants", SWEEP("a", "traffic", "value", "[1]")}},
     "$.variants[0].sweep.input",
     {"expected an input other than traffic", "found 'traffic'"}},
    {"sweep of a phase input",
     {{"monthly_growth", NULL},
      {"inputs.traffic", "[" PHASE("30", "0") ", " LAST("0") "]"},
      {"variants", SWEEP("a", "traffic_1_days", "value", "[1]")}},
     "$.variants[0].sweep.input",
     {"found 'traffic_1_days', which comes from $.inputs.traffic"}},
    {"sweep of an input left out",
     {{"variants", SWEEP("a", "efficiency_gain_monthly", "value", "[0.1]")}},
     "$.variants[0].sweep.input",
     {"found 'efficiency_gain_monthly', which the base leaves out"}},
};

static void bad_v2_scenarios_should_fail_with_path(void **state)
{
    int failures = 0;
    (void)state;
    for (size_t i = 0; i < N_OF(bad_v2_cases); i++) {
        const bad_change_case *b = &bad_v2_cases[i];
        char buf[8192];
        size_t n = 0;
        while (n < N_OF(b->ch) && b->ch[n].key != NULL)
            n++;
        build_many(buf, sizeof buf, b->ch, n);
        failures += check_bad(b->label, buf, b->path, b->words);
    }
    assert_int_equal(failures, 0);
}

static void syntax_error_should_give_line_and_column(void **state)
{
    mc_scenario s;
    mc_err e;
    (void)state;
    assert_int_equal(load("{\n  \"name\": \"x\",\n  \"seed\": tru\n}", &s,
                          &e), -1);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 11);
    assert_string_equal(e.path, "$");
    assert_int_equal(load("{\"seed\": -1}", &s, &e), -1);
    assert_int_equal(e.line, 0);          /* only for syntax errors */
    assert_int_equal(e.column, 0);
}

static void byte_order_mark_and_open_ends_should_be_accepted(void **state)
{
    char buf[4096];
    mc_scenario s;
    mc_err e;
    (void)state;
    /* a UTF-8 byte-order mark is ignored, and not counted in columns */
    memcpy(buf, "\xEF\xBB\xBF", 3);
    build(buf + 3, sizeof buf - 3, NULL, NULL);
    assert_int_equal(load(buf, &s, &e), 0);
    mc_scenario_free(&s);
    assert_int_equal(load("\xEF\xBB\xBF{,}", &s, &e), -1);
    assert_int_equal(e.line, 1);
    assert_int_equal(e.column, 2);
    /* a lognormal truncated above only still never draws its open end 0 */
    load_ok("representativeness", "{\"dist\": \"lognormal\", \"median\": "
            "1, \"sigma\": 0.1, \"truncate\": {\"hi\": 1.5}}", &s);
    assert_true(s.inputs[MC_IN_REPRESENTATIVENESS].dist.truncated);
    mc_scenario_free(&s);
}

static void missing_file_should_be_an_io_error(void **state)
{
    mc_scenario s;
    mc_err e;
    (void)state;
    memset(&s, 0xA5, sizeof s);
    assert_int_equal(mc_cfg_load_file(TEST_DATA_DIR "/scenarios/cfg_"
                                      "no_such_file.json", &s, &e), -1);
    assert_int_equal(e.io, 1);
    assert_non_null(strstr(e.msg, "No such file"));
    assert_int_equal(((unsigned char *)&s)[0], 0xA5);
    /* a directory opens but cannot be read */
    assert_int_equal(mc_cfg_load_file(TEST_DATA_DIR "/scenarios", &s, &e),
                     -1);
    assert_int_equal(e.io, 1);
}

/* Only a regular file is read: a FIFO without a writer is refused at
 * once, not waited on (alarm ends a test that would hang), and a device
 * is not read to its end (/dev/zero has none). */
static void special_files_should_be_refused_at_once(void **state)
{
    char dir[] = "/tmp/test_config-XXXXXX", fifo[64];
    mc_scenario s;
    mc_err e;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(5);
    assert_int_equal(mc_cfg_load_file(fifo, &s, &e), -1);
    assert_int_equal(e.io, 1);
    assert_string_equal(e.msg, "not a regular file");
    assert_int_equal(mc_cfg_load_file("/dev/zero", &s, &e), -1);
    assert_string_equal(e.msg, "not a regular file");
    assert_int_equal(mc_cfg_load_file("/dev/null", &s, &e), -1);
    assert_string_equal(e.msg, "not a regular file");
    alarm(0);
    unlink(fifo);
    rmdir(dir);
}

static void file_with_an_error_should_not_be_an_io_error(void **state)
{
    mc_scenario s;
    mc_err e;
    (void)state;
    assert_int_equal(mc_cfg_load_file(TEST_DATA_DIR "/scenarios/"
                                      "cfg_bad_domain.json", &s, &e), -1);
    assert_int_equal(e.io, 0);
    assert_string_equal(e.path, "$.inputs.overhead");
    assert_non_null(strstr(e.msg, "overhead >= 1"));
    assert_int_equal(mc_cfg_load_file(TEST_DATA_DIR "/scenarios/"
                                      "cfg_syntax.json", &s, &e), -1);
    assert_int_equal(e.io, 0);
    assert_int_equal(e.line, 4);
    assert_int_equal(e.column, 3);
}

static void scenario_free_should_accept_a_zeroed_struct(void **state)
{
    mc_scenario s;
    (void)state;
    memset(&s, 0, sizeof s);
    mc_scenario_free(&s);
    mc_scenario_free(&s);
    mc_scenario_free(NULL);
}

/* The names of sampling designs and sensitivity methods: one table
 * each, for the file, the command line and the manifest. */
static void design_and_method_names_should_be_declared_once(void **state)
{
    char buf[64];
    (void)state;
    for (int i = 0; i < MC_SAMPLING_COUNT; i++)
        assert_int_equal(mc_sampling_find(mc_sampling_name(i)), i);
    for (int i = 0; i < MC_SENS_COUNT; i++)
        assert_int_equal(mc_sensitivity_find(mc_sensitivity_name(i)), i);
    assert_string_equal(mc_sampling_name(MC_SAMPLING_LHS), "lhs");
    assert_string_equal(mc_sensitivity_name(MC_SENS_NONE), "none");
    assert_null(mc_sampling_name(MC_SAMPLING_COUNT));
    assert_null(mc_sensitivity_name(-1));
    assert_int_equal(mc_sampling_find("Sobol"), -1);
    assert_int_equal(mc_sensitivity_find(NULL), -1);
    mc_sampling_list(buf, sizeof buf, "", " or ");
    assert_string_equal(buf, "random, lhs or sobol");
    mc_sensitivity_list(buf, sizeof buf, "\"", ", ");
    assert_string_equal(buf, "\"rank\", \"sobol\", \"none\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_file_should_load_with_documented_values),
        cmocka_unit_test(reported_file_should_give_the_exact_break_even),
        cmocka_unit_test(builtin_default_should_equal_the_file),
        cmocka_unit_test(input_table_should_follow_model_md),
        cmocka_unit_test(number_should_be_a_fixed_value),
        cmocka_unit_test(value_object_should_be_a_fixed_value_with_source),
        cmocka_unit_test(each_distribution_should_parse_its_parameters),
        cmocka_unit_test(each_lognormal_form_should_give_mu_and_sigma),
        cmocka_unit_test(stages_should_be_an_array_or_one_input),
        cmocka_unit_test(horizons_and_output_should_have_defaults_and_forms),
        cmocka_unit_test(text_need_not_be_nul_terminated),
        cmocka_unit_test(default_file_should_ship_the_parameters_md_variants),
        cmocka_unit_test(sweep_should_make_one_variant_per_value),
        cmocka_unit_test(variants_should_copy_the_base_settings),
        cmocka_unit_test(variants_should_number_at_most_100),
        cmocka_unit_test(sensitivity_should_have_defaults_and_forms),
        cmocka_unit_test(bad_scenarios_should_fail_with_path_and_message),
        cmocka_unit_test(bad_sensitivity_and_variants_should_fail_with_path),
        cmocka_unit_test(v1_scenario_should_have_the_v1_layout),
        cmocka_unit_test(traffic_should_fill_the_phase_inputs),
        cmocka_unit_test(one_phase_traffic_should_equal_monthly_growth),
        cmocka_unit_test(groups_and_use_should_make_the_layout),
        cmocka_unit_test(curve_metrics_should_make_the_mask),
        cmocka_unit_test(phase_inputs_should_be_correlated_by_name),
        cmocka_unit_test(variants_should_swap_traffic_and_monthly_growth),
        cmocka_unit_test(bad_v2_scenarios_should_fail_with_path),
        cmocka_unit_test(syntax_error_should_give_line_and_column),
        cmocka_unit_test(byte_order_mark_and_open_ends_should_be_accepted),
        cmocka_unit_test(missing_file_should_be_an_io_error),
        cmocka_unit_test(special_files_should_be_refused_at_once),
        cmocka_unit_test(file_with_an_error_should_not_be_an_io_error),
        cmocka_unit_test(scenario_free_should_accept_a_zeroed_struct),
        cmocka_unit_test(design_and_method_names_should_be_declared_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
