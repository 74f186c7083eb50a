/* test_compare.c: the built-in scenarios and several scenarios in one
 * command (issue 16), end to end: --list-scenarios, --scenario NAME as
 * its file, the assumed-usage flag in the terminal and the manifest, a
 * comparison folder whose scenario folders are byte for byte their solo
 * runs, comparison.csv against each summary.csv, and all or none: a bad
 * scenario, a refused folder, a signal. */
#define _GNU_SOURCE             /* strcasestr */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mc_scenario.h"

#include "e2e.h"

#define SAMPLES "3001"

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    return e2e_make_temp_dir(tmp, sizeof tmp, "compare");
}

static int teardown(void **state)
{
    (void)state;
    return e2e_remove_tree(tmp, 0) == 0 ? 0 : -1;
}

/* Runs breakeven in tmp with args (shell words); stdout and stderr into
 * tmp/out.txt and tmp/err.txt.  Returns the exit code. */
static int run(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out.txt 2>err.txt", tmp,
             BREAKEVEN_EXE, args);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* config/reported.json through sed's expressions (shell words) into
 * tmp/name: a scenario derived from a shipped one. */
static void reported_as(const char *name, const char *sed)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "sed %s '%s/reported.json' > '%s/%s'", sed,
             CONFIG_DIR, tmp, name);
    assert_int_equal(system(cmd), 0);
}

/* tmp/name (printf-style), read whole; NULL if absent. */
static char *slurp(const char *fmt, ...)
{
    char name[1024], path[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    return e2e_slurp(path, NULL);
}

static void assert_contains(const char *s, const char *what)
{
    if (s == NULL || strstr(s, what) == NULL)
        fail_msg("expected to find \"%s\" in:\n%.1500s", what,
                 s != NULL ? s : "(no file)");
}

/* Runs breakeven with args (printf-style) and expects exit code `code`
 * with `what` in its stderr. */
static void expect_error(int code, const char *what, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    assert_int_equal(run("%s", args), code);
    char *err = slurp("err.txt");
    assert_contains(err, what);
    free(err);
}

/* A manifest without the lines that differ from run to run: those whose
 * key is "started_utc" or ends in "_seconds" (the times). */
static char *steady_manifest(const char *text)
{
    char *out = malloc(strlen(text) + 1), *q = out;
    assert_non_null(out);
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
        const char *k = p + strspn(p, " ");
        size_t klen = *k == '"' ? strcspn(k + 1, "\"") : 0;
        int times = klen > 0 && k[1 + klen] == '"' && k[2 + klen] == ':' &&
                    ((klen == 11 && strncmp(k + 1, "started_utc", 11) == 0) ||
                     (klen >= 8 &&
                      strncmp(k + 1 + klen - 8, "_seconds", 8) == 0));
        if (!times) {
            memcpy(q, p, n);
            q += n;
        }
        p += n;
    }
    *q = '\0';
    return out;
}

/* Every file below tmp/a equals the one below tmp/b, byte for byte (a
 * manifest.json without its times), and both hold the same files.
 * Returns the number of files compared. */
static size_t assert_same_tree(const char *a, const char *b)
{
    char cmd[4200], list_a[1400], list_b[1400];
    snprintf(list_a, sizeof list_a, "%s/list-a.txt", tmp);
    snprintf(list_b, sizeof list_b, "%s/list-b.txt", tmp);
    snprintf(cmd, sizeof cmd, "cd '%s/%s' && find . -type f | sort > '%s' "
             "&& cd '%s/%s' && find . -type f | sort > '%s'", tmp, a, list_a,
             tmp, b, list_b);
    assert_int_equal(system(cmd), 0);
    char *la = e2e_slurp(list_a, NULL), *lb = e2e_slurp(list_b, NULL);
    assert_non_null(la);
    assert_non_null(lb);
    assert_string_equal(la, lb);
    size_t n = 0;
    for (char *line = strtok(la, "\n"); line != NULL;
         line = strtok(NULL, "\n"), n++) {
        size_t lx, ly;
        char px[1400], py[1400];
        snprintf(px, sizeof px, "%s/%s/%s", tmp, a, line + 2);
        snprintf(py, sizeof py, "%s/%s/%s", tmp, b, line + 2);
        char *x = e2e_slurp(px, &lx), *y = e2e_slurp(py, &ly);
        assert_non_null(x);
        assert_non_null(y);
        if (strstr(line, "manifest.json") != NULL) {
            char *sx = steady_manifest(x), *sy = steady_manifest(y);
            assert_string_equal(sx, sy);
            free(sx);
            free(sy);
        } else if (lx != ly || memcmp(x, y, lx) != 0) {
            fail_msg("%s differs between %s and %s", line + 2, a, b);
        }
        free(x);
        free(y);
    }
    free(la);
    free(lb);
    return n;
}

/* --list-scenarios names every built-in scenario, the library marked,
 * assumed usage said; each built-in scenario is its shipped file byte for
 * byte, named as its file, and the library is one scenario per model. */
static void built_in_scenarios_are_the_shipped_files(void **state)
{
    (void)state;
    assert_int_equal(run("--list-scenarios"), 0);
    char *out = slurp("out.txt");
    assert_non_null(out);
    size_t n = 0, lib = 0;
    for (const mc_cfg_builtin *b = mc_cfg_builtins; b->name != NULL;
         b++, n++) {
        char path[1024], line[256];
        snprintf(path, sizeof path, "%s/%s.json", CONFIG_DIR, b->name);
        size_t len;
        char *text = e2e_slurp(path, &len);
        assert_non_null(text);
        assert_int_equal(strlen(b->json), len);
        assert_memory_equal(b->json, text, len);
        mc_scenario s;
        mc_err err;
        assert_int_equal(mc_cfg_load_string(b->json, len, &s, &err), 0);
        assert_string_equal(s.name, b->name);
        snprintf(line, sizeof line, "%c %-30s %s", b->library ? '*' : ' ',
                 b->name, s.assumed_usage ? "[assumed usage]" : "");
        assert_contains(out, line);
        lib += (size_t)b->library;
        mc_scenario_free(&s);
        free(text);
    }
    assert_int_equal(n, mc_cfg_n_builtins);
    assert_int_equal(lib, 4);
    assert_string_equal(mc_cfg_builtins[0].name, "deepseek-v3-r1");
    /* and every file of config/ is built in */
    DIR *dir = opendir(CONFIG_DIR);
    assert_non_null(dir);
    size_t files = 0;
    for (struct dirent *de; (de = readdir(dir)) != NULL;) {
        size_t k = strlen(de->d_name);
        if (k > 5 && strcmp(de->d_name + k - 5, ".json") == 0) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(k - 5), de->d_name);
            if (mc_cfg_builtin_find(name) == NULL)
                fail_msg("config/%s is not built in", de->d_name);
            files++;
        }
    }
    closedir(dir);
    assert_int_equal(files, mc_cfg_n_builtins);
    free(out);
}

/* --scenario NAME runs what --config config/NAME.json runs, file for
 * file (the manifest's "config" aside); an assumed-usage scenario says so
 * on the terminal and in its manifest, a measured one neither. */
static void scenario_by_name_and_the_assumed_usage_flag(void **state)
{
    (void)state;
    assert_int_equal(run("--scenario olmo-3-32b --samples " SAMPLES
                         " --out by-name"), 0);
    char *out = slurp("out.txt");
    assert_contains(out, "ASSUMED USAGE: this scenario's inference traffic "
                         "is an assumption");
    free(out);
    assert_int_equal(run("--config '%s/olmo-3-32b.json' --samples " SAMPLES
                         " --out by-file --quiet", CONFIG_DIR), 0);
    char *m = slurp("by-name/manifest.json");
    assert_contains(m, "\"assumed_usage\": true,");
    assert_contains(m, "\"config\": \"(built-in)\",");
    free(m);
    /* the same files; the manifests differ by "config" alone */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && sed -i 's|\"config\": \".*\"|"
             "\"config\": \"x\"|' by-name/manifest.json by-file/manifest.json",
             tmp);
    assert_int_equal(system(cmd), 0);
    assert_true(assert_same_tree("by-name", "by-file") >= 5);

    assert_int_equal(run("--scenario deepseek-v3-r1-published --samples 100 "
                         "--out measured"), 0);
    out = slurp("out.txt");
    assert_null(strstr(out, "ASSUMED"));
    free(out);
    m = slurp("measured/manifest.json");
    assert_contains(m, "\"assumed_usage\": false,");
    free(m);
}

/* One comparison of the library: each scenario's folder is byte for byte
 * its solo run (same seed, streams and files), comparison.csv's rows are
 * each summary.csv's rows behind the scenario, its flag and its use, and
 * the manifest lists every file and flags the assumed usage. */
static void a_comparison_is_its_solo_runs_and_their_summaries(void **state)
{
    (void)state;
    assert_int_equal(run("--library --samples " SAMPLES " --out lib"), 0);
    char *out = slurp("out.txt");
    assert_contains(out, "4 scenarios -> lib (a run folder each, "
                         "comparison.csv)");
    assert_contains(out, "llama-3.1-405b (ASSUMED USAGE: not a measurement)");
    assert_contains(out, "olmo-3-32b (ASSUMED USAGE: not a measurement)");
    assert_null(strstr(out, "deepseek-v3-r1 (ASSUMED"));
    free(out);
    static const char *const names[] = {"deepseek-v3-r1", "bloom-176b",
                                        "llama-3.1-405b", "olmo-3-32b"};
    static const int assumed[] = {0, 0, 1, 1};
    char *csv = slurp("lib/comparison.csv");
    assert_non_null(csv);
    assert_true(strncmp(csv, "scenario,assumed_usage,use_unit,use_per,"
                             "metric,n,never,mean,", 40) == 0);
    char *row = strchr(csv, '\n') + 1;
    size_t rows = 0;
    for (int i = 0; i < 4; i++) {
        char solo[64];
        snprintf(solo, sizeof solo, "solo-%s", names[i]);
        assert_int_equal(run("--scenario %s --samples " SAMPLES " --out %s "
                             "--quiet", names[i], solo), 0);
        char sub[64];
        snprintf(sub, sizeof sub, "lib/%s", names[i]);
        assert_true(assert_same_tree(solo, sub) >= 5);
        /* its rows: the summary's, behind scenario, flag, unit and per */
        char *sum = slurp("%s/summary.csv", sub);
        char *man = slurp("%s/manifest.json", sub);
        char head[256];
        const char *use = strstr(man, "\"use\": {\"unit\": \"");
        if (use != NULL) {
            const char *u = use + strlen("\"use\": {\"unit\": \"");
            const char *per = strstr(u, "\"per\": ") + strlen("\"per\": ");
            snprintf(head, sizeof head, "%s,%s,%.*s,%.*s,", names[i],
                     assumed[i] ? "true" : "false", (int)strcspn(u, "\""), u,
                     (int)strcspn(per, "}"), per);
        } else {
            snprintf(head, sizeof head, "%s,%s,,,", names[i],
                     assumed[i] ? "true" : "false");
        }
        for (char *line = strchr(sum, '\n') + 1; *line != '\0'; rows++) {
            size_t n = strcspn(line, "\n") + 1, h = strlen(head);
            if (strncmp(row, head, h) != 0 ||
                strncmp(row + h, line, n) != 0)
                fail_msg("comparison.csv row %zu:\n%.300s\nexpected %s then "
                         "%.300s", rows + 1, row, head, line);
            row += h + n;
            line += n;
        }
        assert_contains(man, assumed[i] ? "\"assumed_usage\": true,"
                                        : "\"assumed_usage\": false,");
        free(sum);
        free(man);
    }
    assert_int_equal(*row, '\0');           /* no other row */
    char *top = slurp("lib/manifest.json");
    char want[128];
    snprintf(want, sizeof want, "{\"name\": \"comparison.csv\", \"rows\": "
             "%zu}", rows);
    assert_contains(top, want);
    assert_contains(top, "{\"scenario\": \"llama-3.1-405b\", \"folder\": "
                         "\"llama-3.1-405b\", \"config\": \"(built-in)\", "
                         "\"assumed_usage\": true}");
    assert_contains(top, "\"name\": \"olmo-3-32b/manifest.json\"");
    assert_contains(top, "\"name\": \"deepseek-v3-r1/variants/efficiency/"
                         "curve.csv\"");
    free(top);
    free(csv);
    /* a second comparison replaces the first (its manifest lists all) */
    assert_int_equal(run("--scenario reported --scenario bloom-176b-published "
                         "--samples 100 --out lib --quiet"), 0);
    char entries[512];
    char path[512];
    snprintf(path, sizeof path, "%s/lib", tmp);
    e2e_entries(path, entries, sizeof entries);
    assert_string_equal(entries, "bloom-176b-published comparison.csv "
                                 "manifest.json reported");
}

/* All or none: a bad scenario among several, or two of one name, or a
 * stopping rule, ends the command before any work, naming the file; a
 * comparison folder holding a file of the user's is refused untouched. */
static void a_bad_scenario_among_several_fails_before_any_work(void **state)
{
    (void)state;
    char path[512];
    /* reported.json with an overhead below 1 (renamed, not to clash) */
    reported_as("bad.json", "-e 's/\"overhead\": {\"value\": 1,/\"overhead\": "
                "{\"value\": 0.5,/' -e 's/\"name\": \"reported\"/\"name\": "
                "\"bad\"/'");
    expect_error(3, "breakeven: bad.json: $.inputs.overhead",
                 "--scenario bloom-176b --config bad.json --scenario reported "
                 "--out cmp");
    expect_error(4, "missing.json", "--library --config missing.json --out "
                 "cmp");
    expect_error(2, "expected scenarios of different names in one "
                 "comparison", "--scenario reported --config "
                 "'%s/reported.json' --out cmp", CONFIG_DIR);
    assert_int_equal(run("--library --until break_even_days:p50:1 --out cmp"),
                     2);
    assert_int_equal(run("--library --replicates 3 --out cmp"), 2);
    assert_int_equal(run("--scenario no-such-model"), 2);
    /* a scenario named as the comparison's own files */
    reported_as("own.json", "-e 's/\"name\": \"reported\"/\"name\": "
                "\"comparison.csv\"/'");
    expect_error(2, "own.json: $.name: expected a scenario name other than "
                 "the comparison folder's own files",
                 "--library --config own.json --out cmp");
    /* a stopping rule of a file: checked as alone first, then refused */
    reported_as("until.json", "-e 's/\"name\": \"reported\",/\"name\": "
                "\"until\", \"until\": {\"metric\": \"training_wh_per_use\", "
                "\"stat\": \"p50\", \"tolerance\": 1},/'");
    expect_error(3, "until.json: $.until.metric: expected an output of this "
                 "scenario", "--library --config until.json --out cmp");
    reported_as("until.json", "-e 's/\"name\": \"reported\",/\"name\": "
                "\"until\", \"until\": {\"metric\": \"break_even_days\", "
                "\"stat\": \"p50\", \"tolerance\": 1},/'");
    expect_error(2, "until.json: $.until: expected no stopping rule in a "
                 "comparison", "--library --config until.json --out cmp");
    char entries[512];
    e2e_entries(tmp, entries, sizeof entries);
    assert_string_equal(entries, "bad.json err.txt out.txt own.json "
                                 "until.json");

    /* a file of the user's in a scenario's folder: refused, untouched */
    assert_int_equal(run("--scenario reported --scenario olmo-3-32b-published "
                         "--samples 100 --out cmp --quiet"), 0);
    snprintf(path, sizeof path, "%s/cmp/reported/notes.txt", tmp);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("mine\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/cmp", tmp);
    char *before = e2e_snapshot(path);
    assert_int_equal(run("--scenario reported --scenario olmo-3-32b-published "
                         "--samples 200 --out cmp --quiet"), 6);
    char *err = slurp("err.txt");
    assert_contains(err, "notes.txt");
    free(err);
    char *after = e2e_snapshot(path);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* A scenario's folder replaced by a run of its own with other files
 * (replicates.csv, no samples.csv) leaves the comparison folder
 * breakeven's: the next comparison replaces it. */
static void a_scenario_folder_replaced_alone_stays_breakevens(void **state)
{
    (void)state;
    assert_int_equal(run("--scenario reported --scenario bloom-176b-published "
                         "--samples 200 --out cmp --quiet"), 0);
    assert_int_equal(run("--scenario reported --samples 300 --replicates 2 "
                         "--no-samples --out cmp/reported --quiet"), 0);
    char *rep = slurp("cmp/reported/replicates.csv");
    assert_non_null(rep);
    free(rep);
    assert_int_equal(run("--scenario reported --scenario bloom-176b-published "
                         "--samples 200 --out cmp --quiet"), 0);
    char *m = slurp("cmp/reported/manifest.json");
    assert_contains(m, "\"samples\": 200,");
    free(m);
    assert_null(slurp("cmp/reported/replicates.csv"));
}

/* A comparison stopped by a signal while its second scenario runs (the
 * first one's folder complete in the temporary folder) leaves nothing:
 * no comparison folder, no temporary folder, no lock. */
static void a_signal_during_a_comparison_leaves_nothing(void **state)
{
    (void)state;
    char *const argv[] = {BREAKEVEN_EXE, "--scenario", "reported",
                          "--library", "--samples", "400000", "--threads",
                          "1", "--out", "cmp", "--quiet", NULL};
    e2e_spawn_opts opts = {.dir = tmp, .out_path = "out.txt",
                           .err_path = "err.txt", .stdin_null = 1,
                           .default_signals = 1};
    pid_t pid = e2e_spawn(argv, &opts);
    assert_true(pid > 0);
    /* until deepseek-v3-r1's folder (the second scenario) is begun */
    int seen = 0;
    for (int i = 0; i < 6000 && !seen; i++) {
        DIR *d = opendir(tmp);
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d)) != NULL;) {
            char p[1024];
            struct stat st;
            snprintf(p, sizeof p, "%s/%s/deepseek-v3-r1/samples.csv", tmp,
                     de->d_name);
            if (strncmp(de->d_name, ".cmp.tmp.", 9) == 0 &&
                stat(p, &st) == 0 && st.st_size > 0)
                seen = 1;
        }
        closedir(d);
        if (!seen)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    assert_true(seen);
    kill(pid, SIGTERM);
    assert_int_equal(e2e_wait(pid), 5);
    char entries[512];
    e2e_entries(tmp, entries, sizeof entries);
    assert_string_equal(entries, "err.txt out.txt");
    char *err = slurp("err.txt");
    assert_contains(err, "interrupted by SIGTERM; no results written");
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            built_in_scenarios_are_the_shipped_files, setup, teardown),
        cmocka_unit_test_setup_teardown(
            scenario_by_name_and_the_assumed_usage_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_comparison_is_its_solo_runs_and_their_summaries, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_bad_scenario_among_several_fails_before_any_work, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_scenario_folder_replaced_alone_stays_breakevens, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_signal_during_a_comparison_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
