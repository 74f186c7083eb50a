/* test_engine.c: the streaming engine on real scenarios: the reported
 * figures, thread invariance, common random numbers, the curve identity,
 * and every statistic against the plain computation over all samples,
 * regenerated with mc_engine_samples. */
#define _GNU_SOURCE            /* strcasestr */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "mc_engine.h"
#include "mc_variants.h"
#include "mc_model.h"
#include "mc_results_impl.h"     /* mc_select_ */
#include "mc_rng.h"

/* A version-1 scenario's outputs: the first of the output table, with
 * the required-traffic ones (mc_layout_v1). */
#define V1_NOUTPUTS (MC_OUT_REQUIRED_GPU_HOURS_PER_DAY_ENERGY + 1)

/* The curve's metrics of the scenario loaded last (its layout): how
 * many, and the columns of their break-even days. */
static size_t ncurve_ = 4;
static int be_col_[MC_NCURVE_MAX];
#define MC_NCURVE ncurve_
#define mc_curve_be_col be_col_
static void note_curve(const mc_scenario *s)
{
    ncurve_ = (size_t)s->layout.ncurve;
    for (size_t m = 0; m < ncurve_; m++)
        be_col_[m] = MC_COL_OUTPUT0 +
                     mc_output_infos[s->layout.curve[m]].curve_break_even;
}

static void load(const char *file, mc_scenario *s)
{
    char path[1024];
    mc_err err;
    snprintf(path, sizeof path, "%s/%s", CONFIG_DIR, file);
    if (mc_cfg_load_file(path, s, &err) != 0)
        fail_msg("%s: %s: %s", path, err.path, err.msg);
    note_curve(s);
}

static void run_or_fail(const mc_scenario *s, int threads, mc_run *run)
{
    char msg[512];
    if (mc_engine_run(s, threads, NULL, NULL, NULL, NULL, run, msg,
                      sizeof msg) != 0)
        fail_msg("%s", msg);
}

/* Every sample of s, column by column: what the engine streams. */
typedef struct cols {
    size_t n;
    double *col[MC_NCOLS];
} cols;

static void regenerate(const mc_scenario *s, cols *c)
{
    gsl_rng *r = mc_rng_alloc();
    assert_non_null(r);
    c->n = (size_t)s->samples;
    for (int k = 0; k < MC_NCOLS; k++) {
        c->col[k] = malloc(c->n * sizeof(double));
        assert_non_null(c->col[k]);
    }
    double *block[MC_NCOLS];
    for (int k = 0; k < MC_NCOLS; k++) {
        block[k] = malloc(MC_BLOCK * sizeof(double));
        assert_non_null(block[k]);
    }
    for (size_t lo = 0; lo < c->n; lo += MC_BLOCK) {
        size_t len = c->n - lo < MC_BLOCK ? c->n - lo : MC_BLOCK;
        mc_engine_samples(s, r, lo, len, block);
        for (int k = 0; k < MC_NCOLS; k++)
            memcpy(c->col[k] + lo, block[k], len * sizeof(double));
    }
    for (int k = 0; k < MC_NCOLS; k++)
        free(block[k]);
    gsl_rng_free(r);
}

static void cols_free(cols *c)
{
    for (int k = 0; k < MC_NCOLS; k++)
        free(c->col[k]);
}

static int columns_equal(const cols *a, const cols *b, int c)
{
    return memcmp(a->col[c], b->col[c], a->n * sizeof(double)) == 0;
}

static const mc_stats *stat_of(const mc_run *run, int col)
{
    return &run->stats[col - MC_COL_T];
}

static void reported_scenario_gives_the_reported_figures(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    cols c;
    load("reported.json", &s);
    run_or_fail(&s, 2, &run);
    regenerate(&s, &c);
    for (size_t i = 0; i < c.n; i++) {
        assert_true(c.col[MC_COL_I0][i] == 43536.0);
        assert_true(c.col[MC_COL_BE][i] == 2935000.0 / 43536.0);
        assert_true(c.col[MC_COL_INFERENCE_USD][i] == 87072.0);
    }
    cols_free(&c);
    const mc_stats *be = stat_of(&run, MC_COL_BE);
    assert_true(be->q[4] == 2935000.0 / 43536.0);     /* median */
    assert_true(be->min == be->max);
    assert_int_equal(be->never, 0);
    assert_true(fabs(be->q[4] - 67.4155) < 5e-5);
    const mc_stats *m = stat_of(&run, MC_COL_M);
    assert_true(fabs(m->mean - 1.1847) < 5e-5);        /* lifetime 365 */
    assert_true(m->p_le == 1.0);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* PARAMETERS.md, "Checks": each a scenario file under tests/checks/ with
 * every input fixed, the output it must reproduce, and the digits that
 * PARAMETERS.md prints (the tolerance is half a unit of the last one). */
static void parameters_md_checks_reproduce_from_scenario_files(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int col;
        double want, tol;
    } checks[] = {
        {"v3-only.json", MC_COL_BE, 64.0390, 5e-5},
        {"peak-nodes.json", MC_COL_I0, 53376, 0},
        {"peak-nodes.json", MC_COL_BE, 54.99, 5e-3},
        {"trough-nodes.json", MC_COL_I0, 13056, 0},
        {"trough-nodes.json", MC_COL_BE, 224.8, 5e-2},
        {"lifetime-175.json", MC_COL_M, 1.385, 5e-4},
        {"overhead-2.2.json", MC_COL_BE, 148.3, 5e-2},
        {"overhead-2.2.json", MC_COL_BE_FINAL, 67.4155, 5e-5},
        {"overhead-4.json", MC_COL_BE, 269.7, 5e-2},
        {"power-0.8.json", MC_COL_BE_ENERGY, 84.3, 5e-2},
        {"power-0.8.json", MC_COL_BE, 67.4155, 5e-5},
        {"power-0.5.json", MC_COL_BE_ENERGY, 134.8, 5e-2},
    };
    for (size_t c = 0; c < sizeof checks / sizeof checks[0]; c++) {
        char path[1024];
        mc_scenario s;
        mc_err err;
        mc_run run;
        snprintf(path, sizeof path, "%s/checks/%s", TEST_DATA_DIR,
                 checks[c].file);
        if (mc_cfg_load_file(path, &s, &err) != 0)
            fail_msg("%s: %s: %s", path, err.path, err.msg);
        run_or_fail(&s, 2, &run);
        const mc_stats *st = stat_of(&run, checks[c].col);
        if (!(st->min == st->max && fabs(st->q[4] - checks[c].want) <= checks[c].tol))
            fail_msg("%s: %s = %.10g, want %g +- %g", checks[c].file,
                     mc_column_names[checks[c].col], st->q[4], checks[c].want,
                     checks[c].tol);
        mc_run_free(&run);
        mc_scenario_free(&s);
    }
}

/* MODEL.md version 2, "Checks": each a scenario file under tests/checks/
 * with every input fixed; the figures computed by hand (30 digits, in
 * the comments) to a relative 1e-12, and the ones MODEL.md prints to
 * half a unit of their last digit.  INFINITY: "never" in every sample. */
static void model_md_v2_checks_reproduce_from_scenario_files(void **state)
{
    (void)state;
    const double be = 2935000.0 / 43536.0;            /* 67.4154722528 */
    static const struct {
        const char *file;
        int out;
        double want, rel;
    } checks[] = {
        /* 2,935,000 x 0.9 x 1.3 / 1000 = 3,433.95 (MODEL.md: 3,434.0) */
        {"v2-footprint.json", MC_OUT_TRAINING_MWH, 3433.95, 1e-12},
        {"v2-footprint.json", MC_OUT_INFERENCE_MWH_PER_DAY, 50.93712, 1e-12},
        {"v2-footprint.json", MC_OUT_TRAINING_TCO2E, 1888.6725, 1e-12},
        {"v2-footprint.json", MC_OUT_TRAINING_WATER_M3, 6867.9, 1e-12},
        {"v2-footprint.json", MC_OUT_INFERENCE_TCO2E_PER_DAY,
         50.93712 * 0.55, 1e-12},
        /* 1e6 x 43,536 / 168e9 = 0.259142857142857 (MODEL.md: 0.25914) */
        {"v2-footprint.json", MC_OUT_INFERENCE_GPU_HOURS_PER_USE,
         0.259142857142857142857, 1e-12},
        /* x 1.17 kWh x 1000 = 303.197142857 Wh (MODEL.md: 303.2) */
        {"v2-footprint.json", MC_OUT_INFERENCE_WH_PER_USE,
         303.197142857142857142857, 1e-12},
        {"v2-footprint.json", MC_OUT_INFERENCE_GCO2E_PER_USE,
         303.197142857142857142857 * 0.55, 1e-12},
        {"v2-footprint.json", MC_OUT_INFERENCE_ML_PER_USE,
         303.197142857142857142857 * 2, 1e-12},
        /* training over a year of uses: 2,935,000 / (168e9 x 365) x 1e6 */
        {"v2-footprint.json", MC_OUT_TRAINING_GPU_HOURS_PER_USE,
         2935000.0 / (168e9 * 365.0) * 1e6, 1e-12},
        {"v2-footprint.json", MC_OUT_REQUIRED_USES_PER_DAY,
         168e9 * 2935000.0 / (43536.0 * 365.0), 1e-12},
        {"v2-footprint.json", MC_OUT_BREAK_EVEN, be, 1e-15},
        {"v2-footprint.json", MC_OUT_BREAK_EVEN_ENERGY, be, 1e-15},
        {"v2-footprint.json", MC_OUT_BREAK_EVEN_CARBON, be, 1e-15},
        {"v2-footprint.json", MC_OUT_BREAK_EVEN_WATER, be, 1e-15},
        /* 134.830944505696435134 (MODEL.md: 134.831) */
        {"v2-carbon-half-grid.json", MC_OUT_BREAK_EVEN_CARBON,
         134.830944505696435134, 1e-12},
        {"v2-carbon-half-grid.json", MC_OUT_BREAK_EVEN_WATER, be, 1e-15},
        /* Luccioni et al. 2023: 433 MWh, 24.7 t */
        {"v2-bloom-training.json", MC_OUT_TRAINING_MWH, 433.196, 1e-12},
        {"v2-bloom-training.json", MC_OUT_TRAINING_TCO2E, 24.692172, 1e-12},
        /* 73.1796858157477761822 (MODEL.md: 73.1797) */
        {"v2-two-phases.json", MC_OUT_BREAK_EVEN, 73.1796858157477761822,
         1e-12},
        /* 71.5621979521377745435 either way */
        {"v2-efficiency.json", MC_OUT_BREAK_EVEN, 71.5621979521377745435,
         1e-12},
        {"v2-decay-0.05.json", MC_OUT_BREAK_EVEN, 71.5621979521377745435,
         1e-12},
        {"v2-never-decay.json", MC_OUT_BREAK_EVEN, INFINITY, 0},
        {"v2-water-zero.json", MC_OUT_BREAK_EVEN_WATER, INFINITY, 0},
        {"v2-water-zero.json", MC_OUT_MULTIPLIER_WATER, INFINITY, 0},
        {"v2-water-zero.json", MC_OUT_BREAK_EVEN_CARBON, be, 1e-15},
    };
    double e_be = 0, d_be = 0;
    for (size_t c = 0; c < sizeof checks / sizeof checks[0]; c++) {
        char path[1024];
        mc_scenario s;
        mc_err err;
        mc_run run;
        snprintf(path, sizeof path, "%s/checks/%s", TEST_DATA_DIR,
                 checks[c].file);
        if (mc_cfg_load_file(path, &s, &err) != 0)
            fail_msg("%s: %s: %s", path, err.path, err.msg);
        run_or_fail(&s, 2, &run);
        assert_true(run.layout.has_out[checks[c].out]);
        const mc_stats *st = &run.stats[checks[c].out];
        double want = checks[c].want;
        int ok = isinf(want) ? st->never == st->n
                             : st->min == st->max &&
                                   fabs(st->q[4] - want) <=
                                       checks[c].rel * want;
        if (!ok)
            fail_msg("%s: %s = %.17g (never %zu of %zu), want %.17g",
                     checks[c].file, mc_output_infos[checks[c].out].name,
                     st->q[4], st->never, st->n, want);
        if (strcmp(checks[c].file, "v2-efficiency.json") == 0)
            e_be = st->q[4];
        if (strcmp(checks[c].file, "v2-decay-0.05.json") == 0)
            d_be = st->q[4];
        /* C(30) = 1,240,552.11110568 GPU-h: the 30-day multiplier */
        if (strcmp(checks[c].file, "v2-two-phases.json") == 0) {
            assert_int_equal(run.ncurve, 4);
            assert_true(run.horizons[0] == 30.0);
            assert_true(fabs(run.curve[0].q[2] - 3.36588207276846371206) <=
                        1e-12 * 3.37);
        }
        /* an infinite multiplier: its curve mean is inf, and so is its
           interval (no empty cell) */
        if (strcmp(checks[c].file, "v2-water-zero.json") == 0)
            for (int m = 0; m < run.ncurve; m++) {
                const mc_curve_point *pt = &run.curve[m];
                int inf = run.layout.curve[m] == MC_OUT_MULTIPLIER_WATER;
                assert_int_equal(isinf(pt->mean) != 0, inf);
                assert_int_equal(isinf(pt->mean_lo) != 0, inf);
                assert_int_equal(isinf(pt->mean_hi) != 0, inf);
            }
        mc_run_free(&run);
        mc_scenario_free(&s);
    }
    /* e = 0.05 at m = 0 is m = -0.05 at e = 0, to the last bit */
    assert_memory_equal(&e_be, &d_be, sizeof e_be);
}

/* MODEL.md version 2 at any thread count: the default's efficiency and
 * spike-decay variants (every footprint group, an efficiency gain, two
 * traffic phases: the phased curve) give the same bits at 1 and 3
 * threads. */
static void version_2_is_identical_for_1_and_3_threads(void **state)
{
    (void)state;
    mc_scenario s;
    load("deepseek-v3-r1.json", &s);
    for (size_t v = 6; v < 8; v++) {
        mc_scenario *vs = s.variants[v].s;
        mc_run r1, r3;
        vs->samples = 50001;
        note_curve(vs);
        run_or_fail(vs, 1, &r1);
        run_or_fail(vs, 3, &r3);
        assert_int_equal(r1.layout.nout, MC_OUT_COUNT);
        assert_true(v == 6 ? r1.layout.efficiency : r1.layout.n_phases == 2);
        for (int j = 0; j < r1.layout.nout; j++) {
            int k = r1.layout.out[j];
            assert_memory_equal(&r1.stats[k], &r3.stats[k], sizeof r1.stats[k]);
        }
        assert_memory_equal(r1.curve, r3.curve,
                            r1.n_horizons * (size_t)r1.ncurve *
                                sizeof(mc_curve_point));
        assert_int_equal(r1.sens_d, r3.sens_d);
        assert_memory_equal(r1.sens, r3.sens, r1.sens_d *
                                                  (size_t)r1.layout.nout *
                                                  sizeof *r1.sens);
        mc_run_free(&r1);
        mc_run_free(&r3);
    }
    mc_scenario_free(&s);
}

/* Does a shipped input's source text say how far to trust it: a
 * confidence (High, Medium, Low), or that it is assumed or unverified? */
static int source_rated(const char *src)
{
    static const char *const words[] = {"High", "Medium", "Low", "assumed",
                                        "Assumed", "ASSUMED", "unverified",
                                        NULL};
    if (src == NULL || src[0] == '\0')
        return 0;
    for (size_t i = 0; words[i] != NULL; i++)
        if (strstr(src, words[i]) != NULL)
            return 1;
    return 0;
}

/* Every scenario shipped in config/: it loads, describes itself, every
 * input it gives and every stage cites a source that rates its
 * confidence (or says "assumed" or "unverified"), it flags its usage as
 * assumed exactly when its traffic's source (nodes) says "assumed", and
 * it runs without a NaN. */
static void shipped_scenarios_cite_and_run(void **state)
{
    (void)state;
    DIR *dir = opendir(CONFIG_DIR);
    assert_non_null(dir);
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        mc_scenario s;
        mc_run run;
        load(de->d_name, &s);
        assert_non_null(s.description);
        for (size_t k = 0; k < s.n_stages; k++)
            if (!source_rated(s.stages[k].source))
                fail_msg("%s: stage %s: source without a confidence: %s",
                         de->d_name, s.stages[k].name,
                         s.stages[k].source ? s.stages[k].source : "(none)");
        for (int i = 0; i < MC_IN_COUNT; i++)
            if ((s.layout.given[i] || mc_input_infos[i].required == MC_ALWAYS)
                && !source_rated(s.inputs[i].source))
                fail_msg("%s: %s: source without a confidence: %s",
                         de->d_name, mc_input_infos[i].name,
                         s.inputs[i].source ? s.inputs[i].source : "(none)");
        const char *traffic = s.inputs[MC_IN_NODES].source;
        int says = traffic != NULL && strcasestr(traffic, "assumed") != NULL;
        if (says != s.assumed_usage)
            fail_msg("%s: \"assumed_usage\": %s, but the source of nodes "
                     "%s \"assumed\": %.120s", de->d_name,
                     s.assumed_usage ? "true" : "false",
                     says ? "says" : "does not say",
                     traffic != NULL ? traffic : "(none)");
        s.samples = 500;
        run_or_fail(&s, 2, &run);
        for (int j = 0; j < run.layout.nout; j++)
            if (isnan(run.stats[run.layout.out[j]].q[4]))
                fail_msg("%s: %s's median is NaN", de->d_name,
                         mc_output_infos[run.layout.out[j]].name);
        mc_run_free(&run);
        mc_scenario_free(&s);
        n++;
    }
    closedir(dir);
    assert_true(n >= 12);
}

/* Each companion, config/<name>-published (every input at its published
 * value) reproduces the figures its model's publications give. */
static void published_companions_reproduce_their_figures(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int out;
        double want, rel;
    } checks[] = {
        /* DeepSeek-V3 report and day-6 overview: 2,935,000 / 43,536 */
        {"deepseek-v3-r1-published.json", MC_OUT_BREAK_EVEN,
         2935000.0 / 43536.0, 1e-15},
        {"deepseek-v3-r1-published.json", MC_OUT_INFERENCE_GPU_HOURS_PER_USE,
         43536.0 / 168000.0, 1e-15},
        {"deepseek-v3-r1-published.json", MC_OUT_INFERENCE_USD_PER_DAY,
         87072.0, 0},
        /* Llama 3.1 model card: 30.84M H100-80GB GPU-h at 700 W, 8,930 t
           CO2e location-based */
        {"llama-3.1-405b-published.json", MC_OUT_TRAINING_GPU_HOURS, 30.84e6,
         0},
        {"llama-3.1-405b-published.json", MC_OUT_TRAINING_MWH, 21588.0,
         1e-12},
        {"llama-3.1-405b-published.json", MC_OUT_TRAINING_TCO2E, 8930.0,
         1e-12},
        /* Olmo 3 32B Think: ~1.05M H100-h of base training (Ai2) and
           96,561 of Think post-training (Morrison et al. 2026) */
        {"olmo-3-32b-published.json", MC_OUT_TRAINING_GPU_HOURS, 1146561.0,
         0},
        /* BLOOM: Luccioni et al. 2023, 1,082,990 A100-h at 400 W, 433 MWh,
           24.7 t at 57 g/kWh */
        {"bloom-176b-published.json", MC_OUT_TRAINING_MWH, 433.196, 1e-12},
        {"bloom-176b-published.json", MC_OUT_TRAINING_TCO2E, 24.692172,
         1e-12},
    };
    for (size_t c = 0; c < sizeof checks / sizeof checks[0]; c++) {
        mc_scenario s;
        mc_run run;
        load(checks[c].file, &s);
        run_or_fail(&s, 2, &run);
        const mc_stats *st = &run.stats[checks[c].out];
        if (!(run.layout.has_out[checks[c].out] && st->min == st->max &&
              fabs(st->q[4] - checks[c].want) <=
                  checks[c].rel * checks[c].want))
            fail_msg("%s: %s = %.17g, want %.17g", checks[c].file,
                     mc_output_infos[checks[c].out].name, st->q[4],
                     checks[c].want);
        mc_run_free(&run);
        mc_scenario_free(&s);
    }
}

static void results_are_identical_for_1_2_and_7_threads(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run r1, r2, r7;
    load("deepseek-v3-r1.json", &s);
    /* more than two chunks of the engine's passes, a last block short */
    s.samples = 300001;
    run_or_fail(&s, 1, &r1);
    run_or_fail(&s, 2, &r2);
    run_or_fail(&s, 7, &r7);
    assert_int_equal(r1.passes, 2);
    assert_memory_equal(r1.stats, r2.stats, sizeof r1.stats);
    assert_memory_equal(r1.stats, r7.stats, sizeof r1.stats);
    size_t nc = r1.n_horizons * MC_NCURVE * sizeof(mc_curve_point);
    assert_memory_equal(r1.curve, r2.curve, nc);
    assert_memory_equal(r1.curve, r7.curve, nc);
    /* overhead, representativeness, growth, power ratio, lifetime and
       the four footprint inputs */
    assert_int_equal(r1.sens_d, 9);
    size_t ns = r1.sens_d * (size_t)r1.layout.nout * sizeof *r1.sens;
    assert_memory_equal(r1.sens, r2.sens, ns);
    assert_memory_equal(r1.sens, r7.sens, ns);
    mc_run_free(&r1);
    mc_run_free(&r2);
    mc_run_free(&r7);
    mc_scenario_free(&s);
}

static void changing_one_input_leaves_the_other_inputs_unchanged(void **state)
{
    (void)state;
    mc_scenario s;
    cols a, b;
    load("deepseek-v3-r1.json", &s);
    s.samples = 20000;
    regenerate(&s, &a);
    /* a different power ratio: only it and the energy outputs move */
    mc_dist_free(&s.inputs[MC_IN_POWER_RATIO].dist);
    s.inputs[MC_IN_POWER_RATIO].dist = mc_dist_uniform(0.5, 1.0);
    regenerate(&s, &b);
    int moved = MC_COL_INPUT0 + MC_IN_POWER_RATIO;
    for (int c = MC_COL_F; c < MC_COL_T; c++)
        assert_int_equal(columns_equal(&a, &b, c), c != moved);
    assert_true(columns_equal(&a, &b, MC_COL_BE));
    assert_true(columns_equal(&a, &b, MC_COL_M));
    assert_false(columns_equal(&a, &b, MC_COL_BE_ENERGY));
    cols_free(&a);
    cols_free(&b);
    mc_scenario_free(&s);
}

static void samples_draw_from_distinct_streams(void **state)
{
    (void)state;
    mc_scenario s;
    cols run;
    load("deepseek-v3-r1.json", &s);
    s.samples = 1000;
    regenerate(&s, &run);
    /* neighbouring samples and inputs never repeat one another's draws */
    const double *k = run.col[MC_COL_INPUT0 + MC_IN_OVERHEAD];
    const double *L = run.col[MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS];
    for (size_t i = 1; i < run.n; i++) {
        assert_true(k[i] != k[i - 1]);
        assert_true(L[i] != L[i - 1]);
    }
    /* a different seed gives different draws */
    cols other;
    s.seed += 1;
    regenerate(&s, &other);
    size_t same = 0;
    for (size_t i = 0; i < run.n; i++)
        same += other.col[MC_COL_INPUT0 + MC_IN_OVERHEAD][i] == k[i];
    assert_int_equal(same, 0);
    cols_free(&other);
    cols_free(&run);
    mc_scenario_free(&s);
}

/* The default scenario with n samples, run at 2 threads. */
static void run_default(size_t n, mc_scenario *s, mc_run *run)
{
    load("deepseek-v3-r1.json", s);
    s->samples = n;
    run_or_fail(s, 2, run);
}

static void curve_p_le_2_equals_p_break_even_at_every_horizon(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    run_default(50000, &s, &run);
    int saw_between = 0;
    for (size_t h = 0; h < run.n_horizons; h++)
        for (size_t m = 0; m < MC_NCURVE; m++) {
            const mc_curve_point *pt = &run.curve[h * MC_NCURVE + (size_t)m];
            assert_true(pt->p_le == pt->p_break_even);
            assert_true(pt->q[0] <= pt->q[2] && pt->q[2] <= pt->q[4]);
            saw_between |= pt->p_le > 0.05 && pt->p_le < 0.95;
        }
    assert_true(saw_between);
    /* the curve at a horizon equals the lifetime multiplier recomputed by
       hand for one sample: check via the median at the last horizon being
       below the median at the first (the multiplier falls with time) */
    assert_true(run.curve[(run.n_horizons - 1) * MC_NCURVE].q[2] <
                run.curve[0].q[2]);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* The curve's multipliers of every sample, as the engine computes them
 * (mc_engine_curve), stored: x[(h * MC_NCURVE + m) * n + i]. */
typedef struct curve_ctx {
    double *x;
    size_t n, lo;
} curve_ctx;

static void store_curve(void *ctx, size_t h, const double *const x[MC_NCURVE],
                        size_t len)
{
    curve_ctx *c = ctx;
    for (size_t m = 0; m < MC_NCURVE; m++)
        memcpy(c->x + (h * MC_NCURVE + m) * c->n + c->lo, x[m],
               len * sizeof(double));
}

static double *all_multipliers(const mc_scenario *s, const cols *c)
{
    size_t n = c->n, nh = s->n_horizons;
    curve_ctx ctx = {malloc(n * nh * MC_NCURVE * sizeof(double)), n, 0};
    double *scratch = malloc(MC_CURVE_SCRATCH * sizeof(double));
    assert_non_null(ctx.x);
    assert_non_null(scratch);
    for (ctx.lo = 0; ctx.lo < n; ctx.lo += MC_BLOCK) {
        size_t len = n - ctx.lo < MC_BLOCK ? n - ctx.lo : MC_BLOCK;
        const double *block[MC_NCOLS];
        for (int k = 0; k < MC_NCOLS; k++)
            block[k] = c->col[k] + ctx.lo;
        mc_engine_curve(s, block, len, scratch, store_curve, &ctx);
    }
    free(scratch);
    return ctx.x;
}

/* The curve point of multiplier m at horizon h the plain way, from all
 * multipliers x of the engine: counted, and its quantiles selected among
 * all of them by mc_quantiles; the mean summed in extended precision. */
static void curve_point_by_brute_force(const mc_run *run, const cols *c,
                                       const double *all, size_t h, int m,
                                       mc_curve_point *pt)
{
    static const double probs[MC_NCURVE_Q] = {0.05, 0.25, 0.50, 0.75, 0.95};
    size_t n = c->n, le2 = 0, reached = 0;
    double hz = run->horizons[h];
    long double sum = 0.0L;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    memcpy(x, all + (h * MC_NCURVE + (size_t)m) * n, n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        le2 += x[i] <= 2.0;
        reached += c->col[mc_curve_be_col[m]][i] <= hz;
    }
    pt->mean = (double)(sum / (long double)n);
    pt->p_le = (double)le2 / (double)n;
    pt->p_break_even = (double)reached / (double)n;
    long double ss = 0.0L;
    for (size_t i = 0; i < n; i++) {
        long double d = (long double)x[i] - sum / (long double)n;
        ss += d * d;
    }
    double mcse = sqrt((double)(ss / (long double)(n - 1)) / (double)n);
    pt->mean_lo = pt->mean - mc_z(MC_LEVEL) * mcse;
    pt->mean_hi = pt->mean + mc_z(MC_LEVEL) * mcse;
    mc_wilson(le2, n, MC_LEVEL, &pt->p_le_lo, &pt->p_le_hi);
    mc_wilson(reached, n, MC_LEVEL, &pt->p_break_even_lo,
              &pt->p_break_even_hi);
    mc_quantiles(x, n, probs, MC_NCURVE_Q, pt->q);
    for (int q = 0; q < MC_NCURVE_Q; q++) {
        size_t r[2];
        mc_quantile_ci_ranks(n, probs[q], MC_LEVEL, &r[0], &r[1]);
        mc_select_(x, n, r, r[0] < r[1] ? 2 : 1);
        pt->q_lo[q] = x[r[0]];
        pt->q_hi[q] = x[r[1]];
    }
    free(x);
}

static void assert_same_bits(double got, double want, const char *what,
                             size_t h, int m)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("horizon %zu, multiplier %d, %s: %a, brute force %a", h, m,
                 what, got, want);
}

/* The engine sums in eight running sums per block of MC_BLOCK and adds
 * the blocks in order: about 1,000 additions deep for 1e5 samples, so
 * within 1e-13 relative of the exact mean (here: extended precision). */
static void assert_close(double got, double want, double rel,
                         const char *what, size_t h, int m)
{
    if (!(fabs(got - want) <= rel * fabs(want)) &&
        memcmp(&got, &want, sizeof got) != 0)
        fail_msg("horizon %zu, multiplier %d, %s: %.17g, brute force %.17g",
                 h, m, what, got, want);
}

static void assert_point_is_brute_force(const mc_run *run, const cols *c,
                                        const double *all, size_t h)
{
    static const char *const qname[MC_NCURVE_Q] = {"p05", "p25", "p50",
                                                   "p75", "p95"};
    for (int m = 0; m < (int)MC_NCURVE; m++) {
        mc_curve_point want;
        const mc_curve_point *got = &run->curve[h * MC_NCURVE + (size_t)m];
        curve_point_by_brute_force(run, c, all, h, m, &want);
        assert_close(got->mean, want.mean, 1e-13, "mean", h, m);
        assert_close(got->mean_lo, want.mean_lo, 1e-12, "mean_lo", h, m);
        assert_close(got->mean_hi, want.mean_hi, 1e-12, "mean_hi", h, m);
        assert_same_bits(got->p_le_lo, want.p_le_lo, "p_le_2_lo", h, m);
        assert_same_bits(got->p_le_hi, want.p_le_hi, "p_le_2_hi", h, m);
        assert_same_bits(got->p_break_even_lo, want.p_break_even_lo,
                         "p_break_even_lo", h, m);
        assert_same_bits(got->p_break_even_hi, want.p_break_even_hi,
                         "p_break_even_hi", h, m);
        assert_same_bits(got->p_le, want.p_le, "p_le_2", h, m);
        assert_same_bits(got->p_break_even, want.p_break_even,
                         "p_break_even", h, m);
        for (int q = 0; q < MC_NCURVE_Q; q++) {
            assert_same_bits(got->q[q], want.q[q], qname[q], h, m);
            assert_same_bits(got->q_lo[q], want.q_lo[q], "interval low", h,
                             m);
            assert_same_bits(got->q_hi[q], want.q_hi[q], "interval high", h,
                             m);
        }
    }
}

/* Every step'th horizon and the last against the brute force. */
static void assert_curve_is_brute_force(const mc_scenario *s,
                                        const mc_run *run, size_t step)
{
    cols c;
    regenerate(s, &c);
    double *all = all_multipliers(s, &c);
    for (size_t h = 0; h < run->n_horizons; h += step)
        assert_point_is_brute_force(run, &c, all, h);
    assert_point_is_brute_force(run, &c, all, run->n_horizons - 1);
    free(all);
    cols_free(&c);
}

static void curve_equals_brute_force_bit_for_bit(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    load("deepseek-v3-r1.json", &s);
    s.samples = 100000;
    run_or_fail(&s, 2, &run);
    assert_int_equal(run.passes, 2);
    assert_true(run.n_horizons > 8);
    assert_curve_is_brute_force(&s, &run, 9);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* The multipliers of mc_engine_curve, which steps e^(g h) - 1 along the
 * horizons, against MODEL.md's closed form with expm1 at each horizon:
 * within 1e-13 relative for every sample and horizon. */
static void curve_multipliers_match_the_closed_form(void **state)
{
    (void)state;
    mc_scenario s;
    cols c;
    load("deepseek-v3-r1.json", &s);
    s.samples = 20000;
    regenerate(&s, &c);
    double *all = all_multipliers(&s, &c);
    double worst = 0;
    for (size_t h = 0; h < s.n_horizons; h++)
        for (size_t i = 0; i < c.n; i++) {
            double g = mc_growth_rate(
                c.col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH][i]);
            double C = c.col[MC_COL_I0][i] *
                       mc_cumulative_days(g, s.horizons[h]);
            double rp = c.col[MC_COL_INPUT0 + MC_IN_POWER_RATIO][i] *
                        c.col[MC_COL_INPUT0 + MC_IN_PUE_RATIO][i];
            /* the default's inference site has the training site's
               carbon and water intensities: ratio 1, the energy one's */
            double want[MC_NCURVE_MAX] = {
                1.0 + c.col[MC_COL_T][i] / C,
                1.0 + c.col[MC_COL_T][i] / (rp * C),
                1.0 + c.col[MC_COL_F][i] / C,
                1.0 + c.col[MC_COL_F][i] / (rp * C),
                1.0 + c.col[MC_COL_T][i] / (rp * C),
                1.0 + c.col[MC_COL_T][i] / (rp * C)};
            assert_int_equal(MC_NCURVE, 6);
            for (size_t m = 0; m < MC_NCURVE; m++) {
                double got = all[(h * MC_NCURVE + m) * c.n + i];
                double err = fabs(got - want[m]) / want[m];
                worst = err > worst ? err : worst;
            }
        }
    free(all);
    cols_free(&c);
    if (!(worst < 1e-13))
        fail_msg("largest relative difference %g", worst);
    /* and the lifetime multiplier of samples.csv is the curve's formula at
       h = L: both within the same bound of the closed form (test_model) */
    mc_scenario_free(&s);
}

/* The summary against mc_stats_compute over all samples: counts,
 * extremes and quantiles bit for bit, mean and sd to rounding. */
static void summary_equals_the_plain_computation(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    cols c;
    load("deepseek-v3-r1-traffic-decay.json", &s);
    s.samples = 60000;
    run_or_fail(&s, 2, &run);
    regenerate(&s, &c);
    double *scratch = malloc(c.n * sizeof(double));
    assert_non_null(scratch);
    for (int k = 0; k < V1_NOUTPUTS; k++) {
        mc_stats want;
        const mc_stats *got = &run.stats[k];
        int col = MC_COL_T + k;
        mc_stats_compute(c.col[col], c.n, mc_column_output(col)->p_le,
                         scratch, &want);
        /* the multipliers, and they alone, report P(<= 2) */
        assert_int_equal(isnan(got->p_le),
                         mc_column_output(col)->kind != MC_KIND_MULTIPLIER);
        assert_int_equal(got->n, want.n);
        assert_int_equal(got->never, want.never);
        assert_true(got->min == want.min && got->max == want.max);
        for (int q = 0; q < MC_NQ; q++)
            if (memcmp(&got->q[q], &want.q[q], sizeof(double)) != 0)
                fail_msg("%s %s: %a, plain %a", mc_column_names[col],
                         mc_summary_qnames[q], got->q[q], want.q[q]);
        assert_true(fabs(got->mean - want.mean) <= 1e-13 * fabs(want.mean));
        assert_true(fabs(got->sd - want.sd) <= 1e-11 * fabs(want.sd));
        assert_true(fabs(got->mcse - want.mcse) <= 1e-11 * fabs(want.mcse));
        if (!isnan(want.p_le))
            assert_true(got->p_le == want.p_le);
        /* the intervals: the same order statistics, the same Wilson
           bounds, the mean's from the same mcse */
        for (int q = 0; q < MC_NQ; q++)
            if (memcmp(&got->q_lo[q], &want.q_lo[q], sizeof(double)) != 0 ||
                memcmp(&got->q_hi[q], &want.q_hi[q], sizeof(double)) != 0)
                fail_msg("%s %s interval: [%a, %a], plain [%a, %a]",
                         mc_column_names[col], mc_summary_qnames[q],
                         got->q_lo[q], got->q_hi[q], want.q_lo[q],
                         want.q_hi[q]);
        for (int q = 0; q < MC_NQ; q++)
            assert_true(got->q_lo[q] <= got->q[q] &&
                        got->q[q] <= got->q_hi[q]);
        assert_true(fabs(got->mean_lo - want.mean_lo) <=
                    1e-11 * fabs(want.mean_lo));
        assert_true(fabs(got->mean_hi - want.mean_hi) <=
                    1e-11 * fabs(want.mean_hi));
        assert_true(got->mean_lo < got->mean && got->mean < got->mean_hi);
        if (!isnan(want.p_le))
            assert_true(got->p_le_lo == want.p_le_lo &&
                        got->p_le_hi == want.p_le_hi &&
                        got->p_le_lo < got->p_le &&
                        got->p_le < got->p_le_hi);
    }
    /* the decay scenario has "never" in the tails: the test covers it */
    assert_true(run.stats[MC_COL_BE - MC_COL_T].never > 0);
    free(scratch);
    cols_free(&c);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* deepseek-v3-r1.json with overhead, representativeness and power ratio
 * fixed, and input `in` discrete on values with weights. */
static void load_discrete(int in, size_t k, const double *values,
                          const double *weights, size_t samples,
                          mc_scenario *s)
{
    char msg[256];
    load("deepseek-v3-r1.json", s);
    s->samples = samples;
    static const int fixed[] = {MC_IN_OVERHEAD, MC_IN_REPRESENTATIVENESS,
                                MC_IN_POWER_RATIO};
    for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++) {
        mc_dist_free(&s->inputs[fixed[j]].dist);
        s->inputs[fixed[j]].dist = mc_dist_fixed(0.9);
    }
    mc_dist_free(&s->inputs[in].dist);
    if (mc_dist_discrete(&s->inputs[in].dist, k, values, weights, msg,
                         sizeof msg) != 0)
        fail_msg("%s", msg);
}

/* Growth -5 %, 0 or +3 % a month and all else fixed: the curve's
 * multipliers take three values, mostly the outer two, so the brackets
 * meet ties at their bounds, equal bounds, and few values between. */
static void curve_equals_brute_force_with_three_values(void **state)
{
    (void)state;
    static const double growth[] = {-0.05, 0.0, 0.03}, w[] = {49, 2, 49};
    mc_scenario s;
    mc_run run;
    cols c;
    load_discrete(MC_IN_MONTHLY_GROWTH, 3, growth, w, 30000, &s);
    run_or_fail(&s, 2, &run);
    regenerate(&s, &c);
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < c.n; i++)
        for (int k = 0; k < 3; k++)
            count[k] += c.col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH][i] ==
                        growth[k];
    cols_free(&c);
    assert_true(count[0] > run.n / 3 && count[1] > 0 && count[2] > run.n / 3);
    assert_curve_is_brute_force(&s, &run, 12);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* No training (every stage 0 GPU-hours) and half the samples with no
 * inference nodes, which no scenario file can ask for (nodes > 0):
 * multipliers 1 + 0/0 are NaN there, which have no order.  The engine
 * must say so and return no numbers, never wrong ones. */
static void nan_outputs_are_an_error_not_a_result(void **state)
{
    (void)state;
    static const double nodes[] = {0.0, 200.0};
    mc_scenario s;
    mc_run run;
    char msg[512] = "";
    load_discrete(MC_IN_NODES, 2, nodes, NULL, 20000, &s);
    for (size_t k = 0; k < s.n_stages; k++) {
        mc_dist_free(&s.stages[k].dist);
        s.stages[k].dist = mc_dist_fixed(0.0);
    }
    memset(&run, 0, sizeof run);
    assert_int_equal(mc_engine_run(&s, 2, NULL, NULL, NULL, NULL, &run, msg,
                                   sizeof msg), -1);
    assert_non_null(strstr(msg, "NaN"));
    assert_null(run.curve);
    mc_scenario_free(&s);
}

static void summary_counts_never_and_puts_it_in_the_quantiles(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    cols c;
    load("reported.json", &s);
    s.samples = 20000;
    /* steep decay: monthly growth uniform on [-0.6, 0]; never where
       m < e^(-30.4375 I0 / T) - 1 = -0.36332 (MODEL.md), 39.4% of draws */
    mc_dist_free(&s.inputs[MC_IN_MONTHLY_GROWTH].dist);
    s.inputs[MC_IN_MONTHLY_GROWTH].dist = mc_dist_uniform(-0.6, 0.0);
    run_or_fail(&s, 2, &run);
    const mc_stats *be = stat_of(&run, MC_COL_BE);
    size_t never = 0;
    regenerate(&s, &c);
    for (size_t i = 0; i < c.n; i++)
        never += isinf(c.col[MC_COL_BE][i]) != 0;
    cols_free(&c);
    assert_int_equal(be->never, never);
    double share = (double)never / (double)run.n;
    double want = (0.6 - 0.36332204204226) / 0.6;
    assert_true(fabs(share - want) < 4.0 * sqrt(want * (1 - want) / (double)run.n));
    assert_true(isinf(be->q[8]) && isinf(be->q[7]) && isinf(be->max));
    assert_true(isfinite(be->q[4]));
    assert_true(isfinite(be->mean));          /* over the finite values */
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* Up to MC_QS_PILOT samples the pilot is every sample: one pass. */
static void small_runs_need_one_pass(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    load("deepseek-v3-r1.json", &s);
    s.samples = MC_QS_PILOT;
    run_or_fail(&s, 1, &run);
    assert_int_equal(run.passes, 1);
    assert_curve_is_brute_force(&s, &run, 5);
    mc_run_free(&run);
    s.samples = MC_QS_PILOT + 1;
    run_or_fail(&s, 2, &run);
    assert_int_equal(run.passes, 2);
    assert_curve_is_brute_force(&s, &run, 5);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* ---- Latin hypercube sampling ------------------------------------------ */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov distance of x[0..n) from d (on a sorted copy). */
static double ks_distance(const mc_dist *d, const double *x, size_t n)
{
    double *y = malloc(n * sizeof *y), dmax = 0;
    assert_non_null(y);
    memcpy(y, x, n * sizeof *y);
    qsort(y, n, sizeof *y, cmp_dbl);
    for (size_t i = 0; i < n; i++) {
        double f = mc_dist_cdf(d, y[i]);
        dmax = fmax(dmax, fmax(fabs(f - (double)i / (double)n),
                               fabs((double)(i + 1) / (double)n - f)));
    }
    free(y);
    return dmax;
}

/* Fails unless x[0..n) puts exactly one draw in each stratum
 * [k/n, (k+1)/n) of d's probabilities; with perm_stream (LHS), in the
 * stratum mc_rng_permute(seed, stream, n, i) assigns sample i. */
static void assert_one_per_stratum(const mc_dist *d, const double *x,
                                   size_t n, const char *name,
                                   const uint32_t *perm_stream, uint64_t seed)
{
    unsigned char *seen = calloc(n, 1);
    assert_non_null(seen);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)floor(mc_dist_cdf(d, x[i]) * (double)n);
        assert_true(k < n);
        if (perm_stream != NULL)
            assert_int_equal(k, mc_rng_permute(seed, *perm_stream, n, i));
        seen[k]++;
    }
    for (size_t k = 0; k < n; k++)
        if (seen[k] != 1)
            fail_msg("%s: stratum %zu has %d draws", name, k, seen[k]);
    free(seen);
}

/* A scenario of tests/checks/. */
static void load_check(const char *file, mc_scenario *s)
{
    char path[1024];
    mc_err err;
    snprintf(path, sizeof path, "%s/checks/%s", TEST_DATA_DIR, file);
    if (mc_cfg_load_file(path, s, &err) != 0)
        fail_msg("%s: %s: %s", path, err.path, err.msg);
    note_curve(s);
}

/* Every uncertain input of the default scenario, drawn by LHS with n
 * samples: its probabilities F(x) fall one in each of the n strata
 * [k/n, (k+1)/n), exactly the stratum mc_rng_permute assigns. */
static void one_draw_per_stratum(int design, size_t n)
{
    mc_scenario s;
    cols c;
    load("deepseek-v3-r1.json", &s);
    s.sampling = design;
    s.samples = n;
    regenerate(&s, &c);
    static const int ins[] = {MC_IN_OVERHEAD, MC_IN_REPRESENTATIVENESS,
                              MC_IN_MONTHLY_GROWTH, MC_IN_POWER_RATIO,
                              MC_IN_LIFETIME_DAYS};
    for (size_t j = 0; j < sizeof ins / sizeof ins[0]; j++) {
        const mc_input *in = &s.inputs[ins[j]];
        assert_one_per_stratum(&in->dist, c.col[MC_COL_INPUT0 + ins[j]], c.n,
                               in->name,
                               design == MC_SAMPLING_LHS ? &in->stream : NULL,
                               s.seed);
    }
    cols_free(&c);
    mc_scenario_free(&s);
}

static void lhs_puts_one_draw_in_each_stratum(void **state)
{
    (void)state;
    one_draw_per_stratum(MC_SAMPLING_LHS, 500);
}

/* The first 2^k points of a Sobol' sequence put one point in each
 * interval [j / 2^k, (j+1) / 2^k) of every coordinate (a (0, k, 1)-net),
 * and XORing the leading bits with a shift only permutes those
 * intervals: with 1,024 samples, one draw per stratum again. */
static void sobol_puts_one_draw_in_each_dyadic_stratum(void **state)
{
    (void)state;
    one_draw_per_stratum(MC_SAMPLING_SOBOL, 1024);
}

/* Kolmogorov-Smirnov distance of the LHS and Sobol' marginals from their
 * distributions, at a fixed seed: far below the 1% critical value
 * 1.63 / sqrt(n) (a stratified sample is within 1/n of F everywhere; a
 * Sobol' coordinate's first 2^k points are). */
static void marginals_pass_kolmogorov_smirnov(int design, size_t n)
{
    mc_scenario s;
    cols c;
    load("deepseek-v3-r1.json", &s);
    s.sampling = design;
    s.samples = n;
    regenerate(&s, &c);
    static const int ins[] = {MC_IN_OVERHEAD, MC_IN_MONTHLY_GROWTH,
                              MC_IN_POWER_RATIO, MC_IN_LIFETIME_DAYS};
    double crit = 1.63 / sqrt((double)c.n);
    for (size_t j = 0; j < sizeof ins / sizeof ins[0]; j++) {
        double d = ks_distance(&s.inputs[ins[j]].dist,
                               c.col[MC_COL_INPUT0 + ins[j]], c.n);
        print_message("%s: KS distance %.3g (1%% critical %.3g)\n",
                      s.inputs[ins[j]].name, d, crit);
        assert_true(d <= 1.0 / (double)c.n + 1e-9);
        assert_true(d < crit);
    }
    cols_free(&c);
    mc_scenario_free(&s);
}

static void lhs_marginals_pass_kolmogorov_smirnov(void **state)
{
    (void)state;
    marginals_pass_kolmogorov_smirnov(MC_SAMPLING_LHS, 5000);
}

static void sobol_marginals_pass_kolmogorov_smirnov(void **state)
{
    (void)state;
    marginals_pass_kolmogorov_smirnov(MC_SAMPLING_SOBOL, 4096);
}

/* The mean of training_gpu_hours = k F with only k uncertain, triangular
 * on (1, 2, 4), so that the exact value is F (1 + 2 + 4) / 3: its root
 * mean square error over 16 seeds at 1,000 and 16,000 samples.  Plain
 * Monte Carlo's falls as n^-1/2; stratifying a smooth function of one
 * bounded input leaves each stratum a variance of order n^-2, so LHS's
 * falls as n^-3/2 (the test asks for faster than n^-1).  Sobol' points
 * with a random digital shift give about n^-1 here (asked: faster than
 * n^-0.8, against plain Monte Carlo's n^-0.5).  An unbounded
 * input (the default lognormal k) is slower: its top stratum's tail
 * keeps the rate near n^-1. */
static double rmse_of_mean(mc_scenario *s, int sampling, size_t n,
                           double exact)
{
    double ss = 0;
    for (uint64_t seed = 1; seed <= 16; seed++) {
        mc_run run;
        s->sampling = sampling;
        s->samples = n;
        s->seed = seed;
        run_or_fail(s, 2, &run);
        double e = run.stats[MC_COL_T - MC_COL_T].mean - exact;
        ss += e * e;
        mc_run_free(&run);
    }
    return sqrt(ss / 16.0);
}

static void lhs_and_sobol_errors_fall_faster_than_monte_carlo(void **state)
{
    (void)state;
    mc_scenario s;
    load("deepseek-v3-r1.json", &s);
    /* only the overhead k varies */
    static const int fixed[] = {MC_IN_REPRESENTATIVENESS, MC_IN_MONTHLY_GROWTH,
                                MC_IN_POWER_RATIO, MC_IN_LIFETIME_DAYS};
    for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++) {
        mc_dist_free(&s.inputs[fixed[j]].dist);
        s.inputs[fixed[j]].dist = mc_dist_fixed(j == 1 ? 0.0 : 1.0 + (double)j);
    }
    double F = 0;
    for (size_t k = 0; k < s.n_stages; k++)
        F += s.stages[k].dist.p[0];
    mc_dist_free(&s.inputs[MC_IN_OVERHEAD].dist);
    s.inputs[MC_IN_OVERHEAD].dist = mc_dist_triangular(1.0, 2.0, 4.0);
    double exact = F * (7.0 / 3.0);
    double mc1 = rmse_of_mean(&s, MC_SAMPLING_RANDOM, 1000, exact);
    double mc16 = rmse_of_mean(&s, MC_SAMPLING_RANDOM, 16000, exact);
    double lh1 = rmse_of_mean(&s, MC_SAMPLING_LHS, 1000, exact);
    double lh16 = rmse_of_mean(&s, MC_SAMPLING_LHS, 16000, exact);
    /* Sobol' at powers of two, where its nets are complete */
    double so1 = rmse_of_mean(&s, MC_SAMPLING_SOBOL, 1024, exact);
    double so16 = rmse_of_mean(&s, MC_SAMPLING_SOBOL, 16384, exact);
    double rate_mc = log(mc1 / mc16) / log(16.0);
    double rate_lh = log(lh1 / lh16) / log(16.0);
    double rate_so = log(so1 / so16) / log(16.0);
    print_message("RMSE of the mean, 1e3 -> 1.6e4 samples: random %.3g -> "
                  "%.3g (rate n^-%.2f), LHS %.3g -> %.3g (rate n^-%.2f), "
                  "Sobol' %.3g -> %.3g (rate n^-%.2f)\n", mc1, mc16, rate_mc,
                  lh1, lh16, rate_lh, so1, so16, rate_so);
    assert_true(rate_mc > 0.25 && rate_mc < 0.75);
    assert_true(rate_lh > 1.0);
    assert_true(rate_so > 0.8);   /* a digital shift: about n^-1 */
    assert_true(lh16 < mc16 / 10.0);
    assert_true(so16 < mc16 / 10.0);
    mc_scenario_free(&s);
}

/* LHS and Sobol' results do not depend on the threads either (Sobol':
 * each thread's cursor walks GSL's sequence forward to its blocks). */
static void designs_are_identical_for_1_and_3_threads(int design)
{
    mc_scenario s;
    mc_run a, b;
    load("deepseek-v3-r1.json", &s);
    s.sampling = design;
    s.samples = 300001;
    run_or_fail(&s, 1, &a);
    run_or_fail(&s, 3, &b);
    assert_memory_equal(a.stats, b.stats, sizeof a.stats);
    assert_memory_equal(a.curve, b.curve,
                        a.n_horizons * MC_NCURVE * sizeof(mc_curve_point));
    mc_run_free(&a);
    mc_run_free(&b);
    mc_scenario_free(&s);
}

static void lhs_is_identical_for_1_and_3_threads(void **state)
{
    (void)state;
    designs_are_identical_for_1_and_3_threads(MC_SAMPLING_LHS);
}

static void sobol_is_identical_for_1_and_3_threads(void **state)
{
    (void)state;
    designs_are_identical_for_1_and_3_threads(MC_SAMPLING_SOBOL);
}

/* ---- correlated inputs ------------------------------------------------ */

/* Spearman's rank correlation of x and y (no ties: continuous draws). */
static double spearman(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    assert_true(rx != NULL && ry != NULL);
    const double *v[2] = {x, y};
    double *rk[2] = {rx, ry};
    for (int w = 0; w < 2; w++) {
        double *key = malloc(n * 2 * sizeof(double));
        assert_non_null(key);
        for (size_t i = 0; i < n; i++) {      /* sort (value, index) */
            key[2 * i] = v[w][i];
            key[2 * i + 1] = (double)i;
        }
        qsort(key, n, 2 * sizeof(double), cmp_dbl);
        for (size_t j = 0; j < n; j++)
            rk[w][(size_t)key[2 * j + 1]] = (double)j;
        free(key);
    }
    double m = (double)(n - 1) / 2.0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - m) * (ry[i] - m);
        sxx += (rx[i] - m) * (rx[i] - m);
    }
    free(rx);
    free(ry);
    return sxy / sxx;
}

/* tests/checks/correlated.json asks for Spearman 0.5 between monthly
 * growth and lifetime and -0.3 between overhead and representativeness.
 * The achieved rank correlations must match within 4 standard errors
 * ((1 - rho^2) / sqrt(n), Fieller et al.'s approximation, generous for
 * n = 20,000), other pairs stay near 0, every marginal is still its
 * distribution (Kolmogorov-Smirnov below the 1% point), and inputs
 * outside the correlations draw exactly what they draw without them. */
static void correlations_hold_and_marginals_do_not_move(void **state)
{
    (void)state;
    mc_scenario s, plain;
    cols c, p;
    load_check("correlated.json", &s);
    load("deepseek-v3-r1.json", &plain);
    s.samples = plain.samples = 20000;
    assert_int_equal(s.n_corr, 4);
    regenerate(&s, &c);
    regenerate(&plain, &p);
#define COL(cc, id) (cc).col[MC_COL_INPUT0 + (id)]
    static const struct { int a, b; double rho; } pairs[] = {
        {MC_IN_MONTHLY_GROWTH, MC_IN_LIFETIME_DAYS, 0.5},
        {MC_IN_OVERHEAD, MC_IN_REPRESENTATIVENESS, -0.3},
        {MC_IN_OVERHEAD, MC_IN_LIFETIME_DAYS, 0.0},
        {MC_IN_MONTHLY_GROWTH, MC_IN_POWER_RATIO, 0.0},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        double got = spearman(COL(c, pairs[k].a), COL(c, pairs[k].b), c.n);
        double se = (1.0 - pairs[k].rho * pairs[k].rho) / sqrt((double)c.n);
        print_message("spearman(%s, %s) = %.4f, asked %.2f (4 se %.4f)\n",
                      mc_input_infos[pairs[k].a].name,
                      mc_input_infos[pairs[k].b].name, got, pairs[k].rho,
                      4 * se);
        assert_true(fabs(got - pairs[k].rho) < 4.0 * se);
    }
    static const int marg[] = {MC_IN_OVERHEAD, MC_IN_REPRESENTATIVENESS,
                               MC_IN_MONTHLY_GROWTH, MC_IN_LIFETIME_DAYS};
    for (size_t j = 0; j < sizeof marg / sizeof marg[0]; j++)
        assert_true(ks_distance(&s.inputs[marg[j]].dist, COL(c, marg[j]),
                                c.n) < 1.63 / sqrt((double)c.n));
    /* power ratio and the stages are not correlated: common random
       numbers with the plain scenario */
    assert_memory_equal(COL(c, MC_IN_POWER_RATIO), COL(p, MC_IN_POWER_RATIO),
                        c.n * sizeof(double));
    assert_memory_equal(c.col[MC_COL_F], p.col[MC_COL_F], c.n * sizeof(double));
#undef COL
    cols_free(&c);
    cols_free(&p);
    mc_scenario_free(&s);
    mc_scenario_free(&plain);
}

/* The copula under LHS and Sobol': the design's probabilities become
 * normal scores, so the same rank correlations hold (within 4 SE at
 * 16,384 samples), every marginal is still its distribution (KS), and
 * the first correlated input (overhead, L's first row is (1, 0, ...))
 * keeps one draw per stratum. */
static void correlations_hold_under_lhs_and_sobol(void **state)
{
    (void)state;
    static const int designs[] = {MC_SAMPLING_LHS, MC_SAMPLING_SOBOL};
    for (size_t d = 0; d < 2; d++) {
        mc_scenario s;
        cols c;
        load_check("correlated.json", &s);
        s.sampling = designs[d];
        s.samples = 16384;
        regenerate(&s, &c);
        double g = spearman(c.col[MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH],
                            c.col[MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS], c.n);
        double o = spearman(c.col[MC_COL_INPUT0 + MC_IN_OVERHEAD],
                            c.col[MC_COL_INPUT0 + MC_IN_REPRESENTATIVENESS],
                            c.n);
        print_message("%s: spearman 0.5 -> %.4f, -0.3 -> %.4f\n",
                      d == 0 ? "lhs" : "sobol", g, o);
        assert_true(fabs(g - 0.5) < 4.0 * 0.75 / sqrt((double)c.n));
        assert_true(fabs(o + 0.3) < 4.0 * 0.91 / sqrt((double)c.n));
        /* overhead: one draw per stratum */
        assert_one_per_stratum(&s.inputs[MC_IN_OVERHEAD].dist,
                               c.col[MC_COL_INPUT0 + MC_IN_OVERHEAD], c.n,
                               "overhead", NULL, s.seed);
        /* lifetime: still its distribution */
        assert_true(ks_distance(&s.inputs[MC_IN_LIFETIME_DAYS].dist,
                                c.col[MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS],
                                c.n) < 1.63 / sqrt((double)c.n));
        cols_free(&c);
        mc_scenario_free(&s);
    }
}

/* ---- rank sensitivity ------------------------------------------------ */

/* Midranks (0-based; ties share the mean of their ranks) of x[0..n). */
static void midranks(const double *x, size_t n, double *rank)
{
    double *key = malloc(n * 2 * sizeof(double));
    assert_non_null(key);
    for (size_t i = 0; i < n; i++) {
        key[2 * i] = x[i];
        key[2 * i + 1] = (double)i;
    }
    qsort(key, n, 2 * sizeof(double), cmp_dbl);
    for (size_t j = 0; j < n;) {
        size_t k = j;
        while (k < n && key[2 * k] == key[2 * j])
            k++;
        for (size_t t = j; t < k; t++)
            rank[(size_t)key[2 * t + 1]] = 0.5 * (double)(j + k - 1);
        j = k;
    }
    free(key);
}

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

/* Residuals of y after least squares on a constant and the columns
 * x[0..k) (GSL's multifit): the definition of a partial correlation's
 * ingredients, independent of the engine's matrix inverse. */
static void residuals(const double *y, double *const *x, size_t k, size_t n,
                      double *res)
{
    gsl_matrix *X = gsl_matrix_alloc(n, k + 1);
    gsl_vector *c = gsl_vector_alloc(k + 1);
    gsl_matrix *cov = gsl_matrix_alloc(k + 1, k + 1);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, k + 1);
    assert_true(X && c && cov && w);
    gsl_vector_const_view yv = gsl_vector_const_view_array(y, n);
    gsl_vector_view rv = gsl_vector_view_array(res, n);
    for (size_t i = 0; i < n; i++) {
        gsl_matrix_set(X, i, 0, 1.0);
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(X, i, j + 1, x[j][i]);
    }
    double chisq;
    assert_int_equal(gsl_multifit_linear(X, &yv.vector, c, cov, &chisq, w), 0);
    assert_int_equal(gsl_multifit_linear_residuals(X, &yv.vector, c,
                                                   &rv.vector), 0);
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(c);
}

/* The engine's streamed Spearman and PRCC against exact midranks of the
 * regenerated samples, for the outputs that depend on several inputs.
 * Up to MC_RANK_PILOT samples the ranks are exact, and only the scores'
 * rounding to 2^-20 remains (tol 1e-5); above it, the ranks are read off
 * counts with interpolation, to within one cell of n / 4096 values
 * (measured 5e-6 at n = 1e5; tol 1e-4, below a tenth of the Monte Carlo
 * error of rho, 1/sqrt(n)). */
static void assert_sensitivity_is_exact(size_t n, double tol)
{
    mc_scenario s;
    mc_run run;
    cols c;
    run_default(n, &s, &run);
    regenerate(&s, &c);
    size_t d = run.sens_d;
    assert_int_equal(d, 9);
    double *rank[MC_NCOLS], *others[MC_NCOLS], *ex = malloc(n * sizeof *ex),
           *ey = malloc(n * sizeof *ey);
    assert_true(ex != NULL && ey != NULL);
    memset(rank, 0, sizeof rank);
    for (int j = 0; j < s.layout.ncols; j++) {     /* the run's columns */
        int k = s.layout.col[j];
        rank[k] = malloc(n * sizeof(double));
        assert_non_null(rank[k]);
        midranks(c.col[k], n, rank[k]);
    }
    static const int outs[] = {MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_M,
                               MC_COL_M_ENERGY, MC_COL_BE_FINAL};
    double worst_rho = 0, worst_prcc = 0;
    for (size_t o = 0; o < sizeof outs / sizeof *outs; o++) {
        int y = outs[o];
        for (size_t a = 0; a < d; a++) {
            const mc_rankcorr *got = &run.sens[(size_t)(y - MC_COL_T) * d + a];
            double rho = pearson(rank[run.sens_col[a]], rank[y], n);
            size_t k = 0;
            for (size_t b = 0; b < d; b++)
                if (b != a)
                    others[k++] = rank[run.sens_col[b]];
            residuals(rank[run.sens_col[a]], others, k, n, ex);
            residuals(rank[y], others, k, n, ey);
            double prcc = pearson(ex, ey, n);
            worst_rho = fmax(worst_rho, fabs(got->spearman - rho));
            worst_prcc = fmax(worst_prcc, fabs(got->prcc - prcc));
            assert_true(got->spearman_lo <= got->spearman &&
                        got->spearman <= got->spearman_hi);
            assert_true(got->prcc_lo <= got->prcc && got->prcc <= got->prcc_hi);
        }
    }
    printf("# n = %zu: largest difference from exact ranks: Spearman %.2e, "
           "PRCC %.2e (tolerance %.0e)\n", n, worst_rho, worst_prcc, tol);
    assert_true(worst_rho <= tol);
    assert_true(worst_prcc <= tol);
    for (int k = 0; k < MC_NCOLS; k++)
        free(rank[k]);
    free(ex);
    free(ey);
    cols_free(&c);
    mc_run_free(&run);
    mc_scenario_free(&s);
}

static void sensitivity_is_exact_up_to_the_pilot(void **state)
{
    (void)state;
    assert_sensitivity_is_exact(3000, 1e-5);
}

static void sensitivity_is_close_to_exact_beyond_the_pilot(void **state)
{
    (void)state;
    assert_sensitivity_is_exact(100000, 1e-4);
}

/* An output that is a rank function of one input has Spearman 1 with it
 * and no PRCC (empty in sensitivity.csv); break-even days, a function of
 * overhead, representativeness and growth, has a PRCC of about 0 with
 * lifetime and power ratio, which it does not depend on. */
static void sensitivity_knows_what_does_not_matter(void **state)
{
    (void)state;
    mc_scenario s;
    mc_run run;
    run_default(50000, &s, &run);
    size_t d = run.sens_d;
    assert_int_equal(run.sens_col[0], MC_COL_INPUT0 + MC_IN_OVERHEAD);
    const mc_rankcorr *t = &run.sens[(size_t)(MC_COL_T - MC_COL_T) * d];
    assert_true(t[0].spearman > 1.0 - 1e-9);
    assert_true(isnan(t[0].prcc));
    const mc_rankcorr *be = &run.sens[(size_t)(MC_COL_BE - MC_COL_T) * d];
    for (size_t a = 0; a < d; a++) {
        int col = run.sens_col[a];
        if (col == MC_COL_INPUT0 + MC_IN_POWER_RATIO ||
            col == MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS ||
            col >= MC_COL_INPUT0 + MC_IN_KW_PER_GPU)
            assert_true(be[a].prcc_lo <= 0.0 && 0.0 <= be[a].prcc_hi);
        else
            assert_true(fabs(be[a].prcc) > 0.5);
    }
    mc_run_free(&run);
    mc_scenario_free(&s);
}

/* ---- variants on common random numbers --------------------------------- */

/* The default scenario with n samples and seed, and the wide-overhead
 * variant of PARAMETERS.md (its own file, the same seed). */
static void load_pair(size_t n, uint64_t seed, mc_scenario *b, mc_scenario *v)
{
    load("deepseek-v3-r1.json", b);
    load("deepseek-v3-r1-wide-overhead.json", v);
    b->samples = v->samples = n;
    b->seed = v->seed = seed;
}

static void compare_or_fail(const mc_scenario *b, const mc_scenario *v,
                            int threads, mc_run *rb, mc_run *rv,
                            mc_variant_diff *d)
{
    char msg[512];
    run_or_fail(b, threads, rb);
    run_or_fail(v, threads, rv);
    if (mc_variant_compare(b, rb, v, rv, threads, NULL, d, msg, sizeof msg) != 0)
        fail_msg("%s", msg);
}

/* Every statistic of variants.csv against the per-sample differences of
 * the regenerated samples: counts, the mean and sd over the finite
 * differences, exact quantiles, and the median shift. */
static void variant_differences_equal_the_plain_computation(void **state)
{
    (void)state;
    mc_scenario b, v;
    mc_run rb, rv;
    mc_variant_diff d;
    cols cb, cv;
    load_pair(30001, 20250227, &b, &v);
    compare_or_fail(&b, &v, 2, &rb, &rv, &d);
    regenerate(&b, &cb);
    regenerate(&v, &cv);
    size_t n = cb.n;
    double *x = malloc(n * sizeof *x), *scratch = malloc(n * sizeof *x);
    assert_true(x != NULL && scratch != NULL);
    /* inputs the variant leaves alone draw the same numbers */
    assert_true(columns_equal(&cb, &cv, MC_COL_INPUT0 + MC_IN_MONTHLY_GROWTH));
    assert_true(columns_equal(&cb, &cv, MC_COL_INPUT0 + MC_IN_LIFETIME_DAYS));
    assert_false(columns_equal(&cb, &cv, MC_COL_INPUT0 + MC_IN_OVERHEAD));
    for (int k = 0; k < V1_NOUTPUTS; k++) {
        size_t plus = 0, minus = 0;
        for (size_t i = 0; i < n; i++) {
            double a = cv.col[MC_COL_T + k][i], c = cb.col[MC_COL_T + k][i];
            x[i] = a == c ? 0.0 : a - c;
            plus += isinf(x[i]) && x[i] > 0;
            minus += isinf(x[i]) && x[i] < 0;
        }
        mc_stats want;
        mc_stats_compute(x, n, (double)NAN, scratch, &want);
        const mc_stats *got = &d.diff[k];
        assert_int_equal(got->never, plus);
        assert_int_equal(d.base_only_never[k], minus);
        assert_close(got->mean, want.mean, 1e-12, "mean", 0, k);
        assert_close(got->sd, want.sd, 1e-9, "sd", 0, k);
        for (int q = 0; q < MC_NQ; q++)
            assert_same_bits(got->q[q], want.q[q], "quantile", (size_t)q, k);
        assert_same_bits(d.median_shift[k],
                         rv.stats[k].q[4] - rb.stats[k].q[4], "shift", 0, k);
    }
    /* overhead moves break-even (a wider prior: later, more often
       never) and leaves inference alone */
    assert_true(d.median_shift[MC_COL_BE - MC_COL_T] > 0);
    assert_true(d.diff[MC_COL_I0 - MC_COL_T].q[0] == 0 &&
                d.diff[MC_COL_I0 - MC_COL_T].q[MC_NQ - 1] == 0);
    assert_true(d.median_se[MC_COL_I0 - MC_COL_T] == 0);
    free(x);
    free(scratch);
    cols_free(&cb);
    cols_free(&cv);
    mc_run_free(&rb);
    mc_run_free(&rv);
    mc_scenario_free(&b);
    mc_scenario_free(&v);
}

/* Two runs' results, bit for bit: summary, curve, rank sensitivity. */
static void assert_same_run(const mc_run *a, const mc_run *b, const char *what)
{
    if (memcmp(a->stats, b->stats, sizeof a->stats) != 0)
        fail_msg("%s: summaries differ", what);
    assert_int_equal(a->n_horizons, b->n_horizons);
    size_t np = a->n_horizons * (size_t)a->ncurve;
    if (np > 0 && memcmp(a->curve, b->curve, np * sizeof *a->curve) != 0)
        fail_msg("%s: curves differ", what);
    assert_int_equal(a->sens_d, b->sens_d);
    size_t ns = a->sens_d * (size_t)a->layout.nout;
    if (ns > 0 && memcmp(a->sens, b->sens, ns * sizeof *a->sens) != 0)
        fail_msg("%s: sensitivities differ", what);
}

/* Issue 17: the base and its eight variants in the same passes give, bit
 * for bit, what a run of each and a comparison of each with the base
 * give; at n = 3,000 (the pilot is every sample: one pass, the counts
 * below the medians in it) and at 30,001 (a partial last block, a
 * refining pass that counts below the medians by their brackets, or,
 * with no room for the samples inside them, a pass for the counts); at
 * 1 and 3 threads, the group of all eight and groups of three and of
 * one; and at 3 threads under a Latin hypercube and Sobol' points, whose
 * cursors a member skips when a later pass does not draw it. */
static void a_group_is_each_run_and_comparison_bit_for_bit(void **state)
{
    (void)state;
    static const struct { size_t n; int sampling; size_t nways; } cases[] = {
        {3000, MC_SAMPLING_RANDOM, 5}, {30001, MC_SAMPLING_RANDOM, 5},
        {10000, MC_SAMPLING_LHS, 1}, {10000, MC_SAMPLING_SOBOL, 1}};
    for (size_t z = 0; z < sizeof cases / sizeof cases[0]; z++) {
#if defined(__SANITIZE_ADDRESS__)
        /* under ASan (a minute per way) the paths, not every split: with
           random sampling, one group of all and the fallback counting
           pass */
        if (cases[z].sampling != MC_SAMPLING_RANDOM)
            continue;
#endif
        mc_scenario b;
        load("deepseek-v3-r1.json", &b);
        b.samples = cases[z].n;
        b.sampling = cases[z].sampling;
        size_t nv = b.n_variants;
        assert_true(nv >= 8);
        mc_scenario *vs = calloc(nv, sizeof *vs);
        const mc_scenario **vp = calloc(nv, sizeof *vp);
        mc_run *want = calloc(nv, sizeof *want), *got = calloc(nv, sizeof *got);
        mc_variant_diff *dwant = calloc(nv, sizeof *dwant),
                        *dgot = calloc(nv, sizeof *dgot);
        assert_true(vs != NULL && vp != NULL && want != NULL && got != NULL &&
                    dwant != NULL && dgot != NULL);
        mc_run base, gbase;
        char msg[512];
        run_or_fail(&b, 2, &base);
        for (size_t v = 0; v < nv; v++) {
            vs[v] = *b.variants[v].s;
            vs[v].seed = b.seed;
            vs[v].samples = b.samples;
            vs[v].sampling = b.sampling;
            vs[v].write_samples = 0;
            vs[v].sensitivity = MC_SENS_NONE;
            vp[v] = &vs[v];
            run_or_fail(&vs[v], 2, &want[v]);
            if (mc_variant_compare(&b, &base, &vs[v], &want[v], 2, NULL,
                                   &dwant[v], msg, sizeof msg) != 0)
                fail_msg("%s", msg);
        }
        /* unsure: the samples the brackets of the medians may keep (0:
           none, so the counts below the medians take a pass of their
           own) */
        static const struct { int threads; size_t per, unsure; } ways[] = {
            {3, 8, MC_PAIR_UNSURE_MAX}, {1, 8, MC_PAIR_UNSURE_MAX},
            {2, 3, MC_PAIR_UNSURE_MAX}, {2, 1, MC_PAIR_UNSURE_MAX},
            {2, 8, 0}};
        for (size_t w = 0; w < cases[z].nways; w++) {
#if defined(__SANITIZE_ADDRESS__)
            if (w != 0 && w != 4)
                continue;
#endif
            mc_pair_unsure_max(ways[w].unsure);
            for (size_t i = 0; i < nv; i += ways[w].per) {
                size_t k = nv - i < ways[w].per ? nv - i : ways[w].per;
                if (mc_engine_run_group(&b, vp + i, k, ways[w].threads, NULL,
                                        NULL, NULL, NULL, &gbase, got + i,
                                        dgot + i, msg, sizeof msg) != 0)
                    fail_msg("%s", msg);
                assert_same_run(&gbase, &base, "base");
                mc_run_free(&gbase);
            }
            for (size_t v = 0; v < nv; v++) {
                assert_same_run(&got[v], &want[v], b.variants[v].name);
                if (memcmp(&dgot[v], &dwant[v], sizeof dgot[v]) != 0)
                    fail_msg("%s: comparisons differ at %zu samples (%s), "
                             "%d threads, %zu per group", b.variants[v].name,
                             cases[z].n, mc_sampling_name(cases[z].sampling),
                             ways[w].threads, ways[w].per);
                mc_run_free(&got[v]);
            }
            mc_pair_unsure_max(MC_PAIR_UNSURE_MAX);
        }
        /* a variant the group cannot pair is refused, naming why */
        mc_scenario odd = vs[0];
        odd.seed = b.seed + 1;
        vp[0] = &odd;
        assert_int_equal(mc_engine_run_group(&b, vp, 1, 2, NULL, NULL, NULL,
                                             NULL, &gbase, got, dgot, msg,
                                             sizeof msg), -1);
        assert_non_null(strstr(msg, "expected a variant with the base's"));
        /* as is one whose horizons differ (its curve is not the base's) */
        double *hs = malloc(b.n_horizons * sizeof *hs);
        assert_non_null(hs);
        memcpy(hs, b.horizons, b.n_horizons * sizeof *hs);
        hs[b.n_horizons - 1] += 1.0;
        odd = vs[0];
        odd.horizons = hs;
        assert_int_equal(mc_engine_run_group(&b, vp, 1, 2, NULL, NULL, NULL,
                                             NULL, &gbase, got, dgot, msg,
                                             sizeof msg), -1);
        assert_non_null(strstr(msg, "horizons"));
        free(hs);
        for (size_t v = 0; v < nv; v++)
            mc_run_free(&want[v]);
        mc_run_free(&base);
        free(vs);
        free(vp);
        free(want);
        free(got);
        free(dwant);
        free(dgot);
        mc_scenario_free(&b);
    }
}

/* A correlated copy of the default scenario's base or variant: overhead
 * and the power ratio at Spearman 0.5 (normal 2 sin(pi/12)). */
static void correlate(mc_scenario *s)
{
    double r = 2.0 * sin(M_PI * 0.5 / 6.0);
    s->n_corr = 2;
    s->corr_input[0] = MC_IN_OVERHEAD;
    s->corr_input[1] = MC_IN_POWER_RATIO;
    s->corr_chol[0] = 1.0;
    s->corr_chol[1] = 0.0;
    s->corr_chol[2] = r;
    s->corr_chol[3] = sqrt(1.0 - r * r);
}

/* A variant of b as a group runs it: b's seed, samples and sampling. */
static mc_scenario as_member(const mc_scenario *b, size_t v)
{
    mc_scenario s = *b->variants[v].s;
    s.seed = b->seed;
    s.samples = b->samples;
    s.sampling = b->sampling;
    s.write_samples = 0;
    s.sensitivity = MC_SENS_NONE;
    return s;
}

static int count_same(const unsigned char same[MC_COL_OUTPUT0])
{
    int n = 0;
    for (int c = 0; c < MC_COL_OUTPUT0; c++)
        n += same[c] != 0;
    return n;
}

/* The columns mc_sample_same marks are drawn equal, bit for bit, by the
 * base and each of its variants (samples 8192 to 16383, and the first
 * 100), under each design, independent and correlated; and it marks what
 * a variant leaves alone: all but the one input ademe-grid changes, all
 * but F for v3-only, both correlated inputs lost when wide-overhead
 * changes one of them, nothing under Sobol' for pue-uniform and
 * ademe-grid (an input made random, or fixed, moves every coordinate
 * after it). */
static void variants_share_the_columns_they_draw_alike(void **state)
{
    (void)state;
    static const int designs[] = {MC_SAMPLING_RANDOM, MC_SAMPLING_LHS,
                                  MC_SAMPLING_SOBOL};
    gsl_rng *r = mc_rng_alloc();
    assert_non_null(r);
    double *store = malloc(2 * MC_NCOLS * MC_BLOCK * sizeof *store);
    assert_non_null(store);
    double *cb[MC_NCOLS], *cv[MC_NCOLS];
    for (int c = 0; c < MC_NCOLS; c++) {
        cb[c] = store + (size_t)c * MC_BLOCK;
        cv[c] = store + (size_t)(MC_NCOLS + c) * MC_BLOCK;
    }
    for (size_t d = 0; d < 3; d++)
        for (int corr = 0; corr < 2; corr++) {
            mc_scenario b;
            load("deepseek-v3-r1.json", &b);
            b.samples = 20000;
            b.sampling = designs[d];
            if (corr)
                correlate(&b);
            for (size_t v = 0; v < b.n_variants; v++) {
                mc_scenario vs = as_member(&b, v);
                const char *name = b.variants[v].name;
                unsigned char same[MC_COL_OUTPUT0];
                if (corr)
                    correlate(&vs);
                mc_sample_same(&b, &vs, same);
                static const size_t at[2][2] = {{8192, MC_BLOCK}, {0, 100}};
                for (int w = 0; w < 2; w++) {
                    mc_engine_samples(&b, r, at[w][0], at[w][1], cb);
                    mc_engine_samples(&vs, r, at[w][0], at[w][1], cv);
                    for (int c = 0; c < MC_COL_OUTPUT0; c++)
                        if (same[c] && memcmp(cb[c], cv[c], at[w][1] *
                                              sizeof(double)) != 0)
                            fail_msg("%s (%s%s): %s marked the same, drawn "
                                     "otherwise", name,
                                     mc_sampling_name(designs[d]),
                                     corr ? ", correlated" : "",
                                     mc_column_names[c]);
                }
                int ci = MC_COL_INPUT0 + MC_IN_TRAINING_CI;
                int k = MC_COL_INPUT0 + MC_IN_OVERHEAD;
                int pr = MC_COL_INPUT0 + MC_IN_POWER_RATIO;
                /* under Sobol' a fixed input made random (pue-uniform)
                   or a random one fixed (ademe-grid) moves the
                   coordinates after it */
                int sobol = designs[d] == MC_SAMPLING_SOBOL;
                if (strcmp(name, "ademe-grid") == 0) {
                    assert_int_equal(count_same(same),
                                     sobol ? 0 : MC_COL_OUTPUT0 - 1);
                    assert_false(same[ci]);
                }
                if (strcmp(name, "pue-uniform") == 0 && sobol)
                    assert_int_equal(count_same(same), 0);
                if (strcmp(name, "v3-only") == 0) {
                    assert_int_equal(count_same(same), MC_COL_OUTPUT0 - 1);
                    assert_false(same[MC_COL_F]);
                }
                if (strcmp(name, "wide-overhead") == 0) {
                    assert_int_equal(count_same(same),
                                     MC_COL_OUTPUT0 - 1 - corr);
                    assert_false(same[k]);
                    assert_true(same[pr] == !corr);
                }
            }
            /* another seed or design shares nothing */
            mc_scenario other = as_member(&b, 0);
            unsigned char same[MC_COL_OUTPUT0];
            other.seed = b.seed + 1;
            mc_sample_same(&b, &other, same);
            assert_int_equal(count_same(same), 0);
            other.seed = b.seed;
            other.sampling = designs[(d + 1) % 3];
            mc_sample_same(&b, &other, same);
            assert_int_equal(count_same(same), 0);
            mc_scenario_free(&b);
        }
    free(store);
    gsl_rng_free(r);
}

/* The point of common random numbers: the error of the difference is
 * far below that of two independent runs, for the mean and the median
 * of every output the variant moves. */
static void common_random_numbers_shrink_the_error(void **state)
{
    (void)state;
    mc_scenario b, v;
    mc_run rb, rv;
    mc_variant_diff d;
    load_pair(100000, 20250227, &b, &v);
    compare_or_fail(&b, &v, 2, &rb, &rv, &d);
    static const int moved[] = {MC_COL_T, MC_COL_BE, MC_COL_BE_ENERGY,
                                MC_COL_M, MC_COL_M_ENERGY};
    for (size_t i = 0; i < sizeof moved / sizeof *moved; i++) {
        int k = moved[i] - MC_COL_T;
        printf("# %-24s median shift %.4g: se %.3g, independent %.3g; "
               "mean se %.3g, independent %.3g\n", mc_column_names[moved[i]],
               d.median_shift[k], d.median_se[k], d.median_se_independent[k],
               d.diff[k].mcse, d.mean_se_independent[k]);
        assert_true(d.median_se[k] > 0);
        assert_true(d.median_se[k] < 0.7 * d.median_se_independent[k]);
        assert_true(d.diff[k].mcse < 0.7 * d.mean_se_independent[k]);
    }
    mc_run_free(&rb);
    mc_run_free(&rv);
    mc_scenario_free(&b);
    mc_scenario_free(&v);
}

/* The median shift's standard error is honest: over 80 seeds at 4,000
 * samples, the spread of the shift matches the mean reported error.  The
 * ratio of the two has a sampling error of about 1/sqrt(2 * 80) = 8%;
 * the test allows 0.75 to 1.33 (over 3 of those). */
static void median_shift_error_matches_the_spread_over_seeds(void **state)
{
    (void)state;
    enum { SEEDS = 80 };
    double shift[SEEDS], se_sum = 0, mean = 0, ss = 0;
    int k = MC_COL_BE - MC_COL_T;
    for (int i = 0; i < SEEDS; i++) {
        mc_scenario b, v;
        mc_run rb, rv;
        mc_variant_diff d;
        load_pair(4000, 1000 + (uint64_t)i, &b, &v);
        compare_or_fail(&b, &v, 2, &rb, &rv, &d);
        shift[i] = d.median_shift[k];
        se_sum += d.median_se[k];
        mc_run_free(&rb);
        mc_run_free(&rv);
        mc_scenario_free(&b);
        mc_scenario_free(&v);
    }
    for (int i = 0; i < SEEDS; i++)
        mean += shift[i] / SEEDS;
    for (int i = 0; i < SEEDS; i++)
        ss += (shift[i] - mean) * (shift[i] - mean);
    double sd = sqrt(ss / (SEEDS - 1)), se = se_sum / SEEDS;
    printf("# median shift of break_even_days over %d seeds: sd %.4g, mean "
           "reported se %.4g (ratio %.3f)\n", SEEDS, sd, se, sd / se);
    assert_true(sd / se > 0.75 && sd / se < 1.33);
}

static void variant_comparison_is_identical_for_1_and_3_threads(void **state)
{
    (void)state;
    mc_scenario b, v;
    mc_run rb1, rv1, rb3, rv3;
    mc_variant_diff d1, d3;
    load_pair(70000, 7, &b, &v);
    compare_or_fail(&b, &v, 1, &rb1, &rv1, &d1);
    compare_or_fail(&b, &v, 3, &rb3, &rv3, &d3);
    assert_memory_equal(&d1, &d3, sizeof d1);
    mc_run_free(&rb1);
    mc_run_free(&rv1);
    mc_run_free(&rb3);
    mc_run_free(&rv3);
    mc_scenario_free(&b);
    mc_scenario_free(&v);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reported_scenario_gives_the_reported_figures),
        cmocka_unit_test(parameters_md_checks_reproduce_from_scenario_files),
        cmocka_unit_test(model_md_v2_checks_reproduce_from_scenario_files),
        cmocka_unit_test(shipped_scenarios_cite_and_run),
        cmocka_unit_test(published_companions_reproduce_their_figures),
        cmocka_unit_test(results_are_identical_for_1_2_and_7_threads),
        cmocka_unit_test(version_2_is_identical_for_1_and_3_threads),
        cmocka_unit_test(sensitivity_is_exact_up_to_the_pilot),
        cmocka_unit_test(sensitivity_is_close_to_exact_beyond_the_pilot),
        cmocka_unit_test(sensitivity_knows_what_does_not_matter),
        cmocka_unit_test(variant_differences_equal_the_plain_computation),
        cmocka_unit_test(a_group_is_each_run_and_comparison_bit_for_bit),
        cmocka_unit_test(common_random_numbers_shrink_the_error),
        cmocka_unit_test(median_shift_error_matches_the_spread_over_seeds),
        cmocka_unit_test(variant_comparison_is_identical_for_1_and_3_threads),
        cmocka_unit_test(variants_share_the_columns_they_draw_alike),
        cmocka_unit_test(changing_one_input_leaves_the_other_inputs_unchanged),
        cmocka_unit_test(samples_draw_from_distinct_streams),
        cmocka_unit_test(curve_p_le_2_equals_p_break_even_at_every_horizon),
        cmocka_unit_test(summary_counts_never_and_puts_it_in_the_quantiles),
        cmocka_unit_test(curve_equals_brute_force_bit_for_bit),
        cmocka_unit_test(curve_equals_brute_force_with_three_values),
        cmocka_unit_test(curve_multipliers_match_the_closed_form),
        cmocka_unit_test(summary_equals_the_plain_computation),
        cmocka_unit_test(small_runs_need_one_pass),
        cmocka_unit_test(nan_outputs_are_an_error_not_a_result),
        cmocka_unit_test(lhs_puts_one_draw_in_each_stratum),
        cmocka_unit_test(lhs_marginals_pass_kolmogorov_smirnov),
        cmocka_unit_test(sobol_marginals_pass_kolmogorov_smirnov),
        cmocka_unit_test(sobol_puts_one_draw_in_each_dyadic_stratum),
        cmocka_unit_test(lhs_and_sobol_errors_fall_faster_than_monte_carlo),
        cmocka_unit_test(lhs_is_identical_for_1_and_3_threads),
        cmocka_unit_test(sobol_is_identical_for_1_and_3_threads),
        cmocka_unit_test(correlations_hold_and_marginals_do_not_move),
        cmocka_unit_test(correlations_hold_under_lhs_and_sobol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
