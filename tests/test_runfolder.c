/* test_runfolder.c: whose folder breakeven may replace, end to end.  The
 * breakeven program runs in a private tree under /tmp (its stdout and
 * stderr go to a second folder, so that the tree can be compared byte for
 * byte before and after a refusal: e2e_snapshot).
 *
 * Cases: a folder of the user's (exit 6, nothing changed); --out at or
 * above the current, home or scenario folder; mount points (root only:
 * mount -t tmpfs, skipped with a message otherwise); a run folder with a
 * file added; a run killed with SIGKILL and the next run into the same
 * folder; leftovers that are not certainly breakeven's; two runs into one
 * folder; an old run that cannot be removed (fault_inject.c); a file
 * system without RENAME_EXCHANGE (fault_inject.c); default folder names
 * one to one; names too long for the temporary folder; a sticky folder of
 * another user's (as user nobody, through setpriv, when run as root); and
 * every kind of run's folder accepted by the next run. */
#define _GNU_SOURCE             /* mkdtemp, nanosleep */

#include <dirent.h>
#include <errno.h>
#include <math.h>
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

#include "e2e.h"

static char base[256];          /* the tree breakeven runs in */
static char logs[256];          /* its stdout and stderr */

static int setup(void **state)
{
    (void)state;
    if (e2e_make_temp_dir(base, sizeof base, "runfolder") != 0 ||
        e2e_make_temp_dir(logs, sizeof logs, "runfolder-logs") != 0)
        return -1;
    /* user nobody (the sticky case) must be able to enter and log */
    return chmod(base, 0755) == 0 && chmod(logs, 0777) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    e2e_umount_all();
    return e2e_remove_tree(base, 1) == 0 && e2e_remove_tree(logs, 1) == 0
               ? 0 : -1;
}

static void at(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/%s", base, rel);
}

static void put(const char *rel, const char *text)
{
    char p[1024];
    at(p, sizeof p, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void dir(const char *rel)
{
    char p[1024];
    at(p, sizeof p, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static char *log_text(const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", logs, name);
    char *t = e2e_slurp(p, NULL);
    assert_non_null(t);
    return t;
}

/* The names in base/rel, sorted, space-separated, hidden ones included. */
static void entries(const char *rel, char *out, size_t cap)
{
    char p[1024];
    at(p, sizeof p, rel);
    e2e_entries(p, out, cap);
}

/* ---- running breakeven -------------------------------------------------- */

enum { AS_ME, AS_NOBODY };

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ENV(...) ((const char *const[]){__VA_ARGS__, NULL})

static pid_t start(int who, const char *const *env, const char *const *args)
{
    const char *argv[64];
    e2e_argv(argv, 64, who == AS_NOBODY, BREAKEVEN_EXE, args);
    char out[600], err[600];
    snprintf(out, sizeof out, "%s/out.txt", logs);
    snprintf(err, sizeof err, "%s/err.txt", logs);
    const e2e_spawn_opts opts = {.dir = base, .out_path = out,
                                 .err_path = err, .stdin_null = 1,
                                 .default_signals = 1, .env = env};
    pid_t pid = e2e_spawn((char *const *)argv, &opts);
    assert_true(pid >= 0);
    return pid;
}

static int run(int who, const char *const *env, const char *const *args)
{
    return e2e_wait(start(who, env, args));
}

/* stderr is exactly one line "breakeven: ..." holding every fragment. */
static void expect_error_line(const char *first, ...)
{
    char *err = log_text("err.txt");
    size_t n = strlen(err);
    if (strncmp(err, "breakeven: ", 11) != 0 || err[n - 1] != '\n' ||
        strchr(err, '\n') != err + n - 1)
        fail_msg("expected one line \"breakeven: ...\", found:\n%s", err);
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        if (strstr(err, s) == NULL)
            fail_msg("stderr lacks \"%s\":\n%s", s, err);
    va_end(ap);
    free(err);
}

static const char *asan_env(void)
{
    /* fault_inject.c is preloaded ahead of ASan's runtime in the sanitizer
       build; ASan allows it with this option (no effect otherwise) */
    static char buf[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(buf, sizeof buf, "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
             old != NULL ? old : "", old != NULL && *old ? ":" : "");
    return buf;
}

/* A complete small run of the default scenario into base/rel. */
static void run_into(const char *rel, const char *seed)
{
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "500", "--seed", seed,
                                           "--out", rel, "--quiet")), 0);
}

/* breakeven exits with code, one stderr line holding want, and base is
 * byte for byte as before. */
static void expect_refusal(int code, const char *want,
                           const char *const *env, const char *const *args)
{
    char *before = e2e_snapshot(base);
    assert_non_null(before);
    assert_int_equal(run(AS_ME, env, args), code);
    expect_error_line(want, NULL);
    char *after = e2e_snapshot(base);
    assert_non_null(after);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

/* ---- folders that are not breakeven's ----------------------------------- */

static void a_folder_of_the_users_is_refused_with_exit_6(void **state)
{
    (void)state;
    dir("thesis");
    dir("thesis/data");
    put("thesis/chapter1.tex", "my thesis\n");
    put("thesis/data/measurements.csv", "1,2\n");
    put("thesis/notes.md", "notes\n");
    char *before = e2e_snapshot(base);
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "500", "--out",
                                           "thesis")), 6);
    char *err = log_text("err.txt");
    print_message("  %s", err);
    assert_string_equal(err, "breakeven: --out thesis: expected an empty "
                        "folder or an earlier run of breakeven's, found "
                        "chapter1.tex, data/ and notes.md, which breakeven "
                        "did not write; nothing was changed (move them, or "
                        "choose another folder)\n");
    char *after = e2e_snapshot(base);
    assert_string_equal(after, before);
    free(err);
    free(before);
    free(after);
}

static void a_run_folder_with_a_file_added_is_refused(void **state)
{
    (void)state;
    run_into("run", "1");
    put("run/plot.png", "a figure of the user's\n");
    expect_refusal(6, "--out run: expected an empty folder or an earlier run "
                   "of breakeven's, found plot.png, which breakeven did not "
                   "write", NULL, ARGS("--samples", "500", "--out", "run"));
}

/* --out equal to or above the current folder, the home folder or the
 * scenario file's folder: refused before any work. */
static void protected_folders_are_refused_with_exit_6(void **state)
{
    (void)state;
    dir("h");
    dir("h/me");
    dir("sc");
    dir("sc/deep");
    char scenario[600], home[600], cwd[600];
    snprintf(scenario, sizeof scenario, "%s/reported.json", CONFIG_DIR);
    char *text = e2e_slurp(scenario, NULL);
    assert_non_null(text);
    put("sc/s.json", text);
    put("sc/deep/s.json", text);
    free(text);
    snprintf(home, sizeof home, "HOME=%s/h/me", base);
    snprintf(cwd, sizeof cwd, "%s", base);
    static const char cur[] = "found that it is the current folder";
    static const char above_cur[] = "found that it holds the current folder";
    struct {
        const char *const *args;
        const char *want;
    } cases[] = {
        {ARGS("--out", "."), cur},
        {ARGS("--out", cwd), cur},
        {ARGS("--out", "./"), cur},
        {ARGS("--out", ".."), above_cur},
        {ARGS("--out", "/"), above_cur},
        {ARGS("--out", "h/me"), "found that it is the home folder"},
        {ARGS("--out", "h"), "found that it holds the home folder"},
        {ARGS("--config", "sc/s.json", "--out", "sc"),
         "found that it is the scenario file's folder"},
        {ARGS("--config", "sc/deep/s.json", "--out", "sc"),
         "found that it holds the scenario file's folder"},
        {ARGS("--config", "sc/s.json", "--out", "sc/."),
         "found that it is the scenario file's folder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("  case %zu\n", i);
        expect_refusal(6, cases[i].want, ENV(home), cases[i].args);
    }
    /* a folder of its own below them all is fine */
    assert_int_equal(run(AS_ME, ENV(home), ARGS("--config", "sc/s.json",
                                                "--out", "h/me/runs/x",
                                                "--quiet")), 0);
}

static int mount_tmpfs(const char *rel)
{
    char p[1024];
    at(p, sizeof p, rel);
    return e2e_mount_tmpfs(p);
}

/* The removal would cross into another file system: refused. */
static void mount_points_are_refused_with_exit_6(void **state)
{
    (void)state;
    dir("m");
    dir("m/inner");
    if (mount_tmpfs("m/inner") != 0)
        skip();
    put("m/inner/theirs.txt", "on another file system\n");
    char inner[600];
    at(inner, sizeof inner, "m/inner");
    expect_refusal(6, "--out m: expected a folder on one file system, found "
                   "the mount point", NULL, ARGS("--samples", "500", "--out",
                                                 "m"));
    expect_refusal(6, "--out m/inner: expected a folder on one file system, "
                   "found that it is a mount point", NULL,
                   ARGS("--samples", "500", "--out", "m/inner"));
}

/* ---- killed runs, and two at once --------------------------------------- */

static pid_t start_long_run(void)
{
    pid_t pid = start(AS_ME, NULL, ARGS("--samples", "3e6", "--threads", "2",
                                        "--out", "run", "--no-variants",
                                        "--quiet"));
    if (e2e_wait_for_writing(base, 1000000) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("no temporary folder with samples.csv appeared");
    }
    return pid;
}

static void a_run_killed_by_sigkill_is_cleaned_up_by_the_next(void **state)
{
    (void)state;
    run_into("run", "1");
    pid_t pid = start_long_run();
    kill(pid, SIGKILL);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    char names[1024];
    entries("", names, sizeof names);
    assert_non_null(strstr(names, ".run.lock"));
    assert_non_null(strstr(names, ".run.tmp."));
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "500", "--out", "run",
                                           "--no-variants")), 0);
    /* certainly ours: removed, and said */
    char *err = log_text("err.txt");
    assert_int_equal(strncmp(err, "breakeven: warning: ./.run.tmp.", 31), 0);
    assert_non_null(strstr(err, ": removed, left by a breakeven run that was "
                                "killed\n"));
    assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));
    free(err);
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

static void a_leftover_with_a_file_of_the_users_is_reported(void **state)
{
    (void)state;
    dir(".run.tmp.Ab12Cd");
    put(".run.tmp.Ab12Cd/.breakeven-partial",
        "breakeven partial run folder\nf samples.csv\n");
    put(".run.tmp.Ab12Cd/samples.csv", "sample\n0\n");
    put(".run.tmp.Ab12Cd/notes.txt", "the user's\n");
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "500", "--out", "run",
                                           "--no-variants")), 0);
    char *err = log_text("err.txt");
    char want[800];
    snprintf(want, sizeof want, "breakeven: warning: ./.run.tmp.Ab12Cd: left "
             "by a breakeven run that was killed, not removed entirely: it "
             "holds notes.txt, which breakeven did not write\n");
    assert_string_equal(err, want);
    free(err);
    char names[256];
    entries(".run.tmp.Ab12Cd", names, sizeof names);
    assert_string_equal(names, ".breakeven-partial notes.txt");
}

static void a_second_run_into_a_folder_being_written_is_refused(void **s)
{
    (void)s;
    run_into("run", "1");
    pid_t first = start_long_run();
    char want[200];
    snprintf(want, sizeof want, "another breakeven run (pid %ld on ",
             (long)first);
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "500", "--out", "run",
                                           "--quiet")), 6);
    expect_error_line(want, NULL);
    char *err = log_text("err.txt");
    assert_non_null(strstr(err, "--out run: expected no other run writing "
                                "it"));
    free(err);
    kill(first, SIGTERM);
    assert_int_equal(e2e_wait(first), 5);
    char names[256];
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

/* A lock file that is not breakeven's (a link, a FIFO) is found before
 * any work: exit 6, no waiting on the FIFO. */
static void a_lock_file_not_breakevens_is_refused_before_work(void **s)
{
    (void)s;
    char p[1024];
    at(p, sizeof p, ".run.lock");
    assert_int_equal(symlink("nowhere", p), 0);
    expect_refusal(6, "--out run: expected breakeven's lock file", NULL,
                   ARGS("--samples", "1e5", "--replicates", "4", "--out",
                        "run"));
    assert_int_equal(unlink(p), 0);
    assert_int_equal(mkfifo(p, 0644), 0);
    expect_refusal(6, "found something breakeven did not write", NULL,
                   ARGS("--samples", "500", "--out", "run"));
}

/* ---- replacing ------------------------------------------------------------ */

static char *manifest_seed(void)
{
    char p[1024];
    at(p, sizeof p, "run/manifest.json");
    char *t = e2e_slurp(p, NULL);
    assert_non_null(t);
    return t;
}

static void an_old_run_that_cannot_be_removed_is_moved_into_view(void **s)
{
    (void)s;
    run_into("run", "1");
    int rc = run(AS_ME, ENV("LD_PRELOAD=" FAULT_INJECT_LIB,
                            "FAULT_UNLINK=sensitivity.csv", asan_env()),
                 ARGS("--samples", "500", "--seed", "2", "--out", "run"));
    assert_int_equal(rc, 4);
    expect_error_line("breakeven: run: the new results are complete and in "
                      "place, but the previous run could not be removed "
                      "entirely (sensitivity.csv: Input/output error); what "
                      "is left of it is in run.previous-", NULL);
    char names[256];
    entries("", names, sizeof names);
    assert_int_equal(strncmp(names, "run run.previous-", 17), 0);
    assert_int_equal(strlen(names), strlen("run run.previous-XXXXXX"));
    entries(names + 4, names, sizeof names);
    /* the files that went, gone; the rest, with the manifest naming it */
    assert_string_equal(names, "manifest.json sensitivity.csv variants");
    char *m = manifest_seed();
    assert_non_null(strstr(m, "\"seed\": 2,"));
    free(m);
    char *out = log_text("out.txt");
    assert_non_null(strstr(out, "deepseek-v3-r1: 500 samples, seed 2"));
    free(out);
}

static void without_rename_exchange_the_run_is_replaced(void **state)
{
    (void)state;
    run_into("run", "1");
    assert_int_equal(run(AS_ME, ENV("LD_PRELOAD=" FAULT_INJECT_LIB,
                                    "FAULT_NO_EXCHANGE=1", asan_env()),
                         ARGS("--samples", "500", "--seed", "2", "--out",
                              "run", "--quiet")), 0);
    char names[256];
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
    char *m = manifest_seed();
    assert_non_null(strstr(m, "\"seed\": 2,"));
    free(m);
}

/* Every kind of run's folder is recognised by the next run as breakeven's
 * (each commit also checks its own folder against its manifest). */
static void every_kind_of_run_folder_is_replaced_by_the_next(void **state)
{
    (void)state;
    const char *const *const kinds[] = {
        ARGS("--samples", "500", "--out", "run", "--sensitivity", "sobol",
             "--replicates", "2", "--quiet"),
        ARGS("--samples", "20000", "--out", "run", "--until",
             "multiplier:p50:1", "--quiet"),
        ARGS("--samples", "500", "--out", "run", "--no-samples",
             "--no-variants", "--sensitivity", "none", "--quiet"),
        ARGS("--samples", "500", "--out", "run", "--sampling", "lhs",
             "--quiet"),
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        assert_int_equal(run(AS_ME, NULL, kinds[i]), 0);
    char names[256];
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

/* ---- names ---------------------------------------------------------------- */

/* Scenario names that once shared a default folder get one each. */
static void default_folders_are_one_to_one(void **state)
{
    (void)state;
    static const struct { const char *name, *json, *folder; } cases[] = {
        {"a/b", "a/b", "a%2Fb"},   {"a_b", "a_b", "a_b"},
        {".", ".", "%2E"},         {"..", "..", "%2E."},
        {"~", "~", "%7E"},         {"%2E", "%2E", "%252E"},
        {"my run", "my run", "my%20run"},
        {".hidden", ".hidden", "%2Ehidden"},
    };
    char path[1400];
    snprintf(path, sizeof path, "%s/reported.json", CONFIG_DIR);
    char *text = e2e_slurp(path, NULL);
    assert_non_null(text);
    char *name = strstr(text, "\"name\": \"reported\"");
    assert_non_null(name);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char file[64], *json = malloc(strlen(text) + 64);
        assert_non_null(json);
        sprintf(json, "%.*s\"name\": \"%s\"%s", (int)(name - text), text,
                cases[i].json, name + strlen("\"name\": \"reported\""));
        snprintf(file, sizeof file, "s%zu.json", i);
        put(file, json);
        free(json);
        assert_int_equal(run(AS_ME, NULL, ARGS("--config", file, "--samples",
                                               "200", "--quiet")), 0);
        char m[300];
        snprintf(m, sizeof m, "runs/%s/manifest.json", cases[i].folder);
        at(path, sizeof path, m);
        char *mt = e2e_slurp(path, NULL);
        if (mt == NULL)
            fail_msg("scenario '%s': no %s", cases[i].name, m);
        char want[128];
        snprintf(want, sizeof want, "\"scenario\": \"%s\"", cases[i].name);
        assert_non_null(strstr(mt, want));
        free(mt);
    }
    free(text);
    char names[512];
    entries("runs", names, sizeof names);
    assert_string_equal(names, "%252E %2E %2E. %2Ehidden %7E a%2Fb a_b "
                               "my%20run");
}

static void a_name_too_long_for_the_temporary_folder_exits_4(void **state)
{
    (void)state;
    char name[300];
    memset(name, 'n', 240);
    name[240] = '\0';
    expect_refusal(4, "expected a folder name of at most 239 bytes (this file "
                   "system allows 255, and breakeven makes "
                   "'NAME.previous-XXXXXX' and '.NAME.tmp.XXXXXX' beside it, "
                   "up to 16 more), found 240 bytes",
                   NULL, ARGS("--samples", "500", "--out", name));
}

/* In a sticky folder (like /tmp) only the owner may rename a folder: a run
 * of another user's is refused before the run, not at its end. */
static void a_sticky_folder_of_another_users_is_refused(void **state)
{
    (void)state;
    if (geteuid() != 0 ||
        system("setpriv --reuid=65534 --regid=65534 --clear-groups true "
               ">/dev/null 2>&1") != 0) {
        print_message("skipped: needs root and setpriv to run as another "
                      "user\n");
        skip();
    }
    dir("sticky");
    char p[1024];
    at(p, sizeof p, "sticky");
    assert_int_equal(chmod(p, 01777), 0);
    run_into("sticky/run", "1");                  /* root's */
    char *before = e2e_snapshot(base);
    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--samples", "500", "--out",
                                               "sticky/run")), 4);
    expect_error_line("--out sticky/run: expected a folder this user may "
                      "replace, found one of user 0 in sticky, a sticky "
                      "folder (like /tmp) of user 0", NULL);
    char *after = e2e_snapshot(base);
    assert_string_equal(after, before);
    free(before);
    free(after);
    /* a folder they may rename, holding files they may not remove */
    dir("open");
    at(p, sizeof p, "open");
    assert_int_equal(chmod(p, 0777), 0);
    run_into("open/run", "1");
    before = e2e_snapshot(base);
    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--samples", "500", "--out",
                                               "open/run")), 4);
    expect_error_line("--out open/run: expected to be able to replace the "
                      "earlier run, found that ", " cannot be removed "
                      "(Permission denied)", NULL);
    after = e2e_snapshot(base);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_folder_of_the_users_is_refused_with_exit_6),
        T(a_run_folder_with_a_file_added_is_refused),
        T(protected_folders_are_refused_with_exit_6),
        T(mount_points_are_refused_with_exit_6),
        T(a_run_killed_by_sigkill_is_cleaned_up_by_the_next),
        T(a_leftover_with_a_file_of_the_users_is_reported),
        T(a_second_run_into_a_folder_being_written_is_refused),
        T(a_lock_file_not_breakevens_is_refused_before_work),
        T(an_old_run_that_cannot_be_removed_is_moved_into_view),
        T(without_rename_exchange_the_run_is_replaced),
        T(every_kind_of_run_folder_is_replaced_by_the_next),
        T(default_folders_are_one_to_one),
        T(a_name_too_long_for_the_temporary_folder_exits_4),
        T(a_sticky_folder_of_another_users_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
