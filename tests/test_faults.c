/* test_faults.c: bad input and faults, end to end: the breakeven program
 * is run (fork and exec, so that signals reach it and not a shell) in a
 * fresh folder under /tmp for each test, and must give one clear line on
 * stderr and its exit code, and never leave a half-written result: the
 * previous run stays byte for byte, and no temporary folder is left.
 *
 * Faults: a real full disk (a 2 MiB tmpfs; needs root to mount, skipped
 * otherwise), the same without root through fault_inject.c (LD_PRELOAD:
 * ENOSPC after FAULT_AFTER_BYTES, failing fsync or close, threads that
 * cannot be created), every fatal signal a program can catch while
 * sampling, SIGINT and SIGTERM while writing, a closed or full standard
 * output, a file size limit, unreadable and unwritable paths.  Whose
 * output folder breakeven may replace is test_runfolder.c's.  The permission cases need a user that permissions apply to: as
 * root they run breakeven as nobody (65534) through setpriv, and are
 * skipped (with a message) only where that switch is impossible. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

static char base[256];          /* this test's folder */

static int setup(void **state)
{
    (void)state;
    if (e2e_make_temp_dir(base, sizeof base, "faults") != 0)
        return -1;
    return chmod(base, 0755);   /* nobody may enter it (the setpriv runs) */
}

static int teardown(void **state)
{
    (void)state;
    e2e_umount_all();
    return e2e_remove_tree(base, 1) == 0 ? 0 : -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void path_of(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", base, name);
}

static int exists(const char *name)
{
    char p[1024];
    struct stat st;
    path_of(p, sizeof p, name);
    return lstat(p, &st) == 0;
}

/* Reads base/name (malloc'd, *n its length), NULL if missing. */
static char *slurp_n(const char *name, size_t *n)
{
    char p[1024];
    path_of(p, sizeof p, name);
    return e2e_slurp(p, n);
}

static char *slurp(const char *name)
{
    return slurp_n(name, NULL);
}

static void write_text(const char *name, const char *text)
{
    char p[1024];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* ---- running breakeven ------------------------------------------------ */

enum { AS_ME, AS_NOBODY };

/* Whether breakeven can be run as a user that permissions apply to:
 * ourselves if not root, else nobody through setpriv.  Skips (with the
 * reason) where neither works. */
static void need_unprivileged(void)
{
    if (geteuid() != 0)
        return;
    if (system("setpriv --reuid=65534 --regid=65534 --clear-groups true "
               ">/dev/null 2>&1") != 0) {
        print_message("skipped: running as root and setpriv cannot switch "
                      "to user 65534, so permissions cannot be tested\n");
        skip();
    }
}

/* Starts breakeven in base with argv args (NULL-terminated) and env
 * entries "NAME=VALUE" (NULL-terminated, may be NULL); stdout and stderr
 * go to base/out.txt and base/err.txt.  Signals are reset to their
 * defaults, whatever the test runner ignores. */
static pid_t start(int who, const char *const *env, const char *const *args)
{
    const char *argv[64];
    e2e_argv(argv, 64, who == AS_NOBODY, BREAKEVEN_EXE, args);

    const e2e_spawn_opts opts = {.dir = base, .out_path = "out.txt",
                                 .err_path = "err.txt", .stdin_null = 0,
                                 .default_signals = 1, .env = env};
    pid_t pid = e2e_spawn((char *const *)argv, &opts);
    assert_true(pid >= 0);
    return pid;
}

/* Waits up to timeout seconds for pid; returns its exit code (killing it
 * and failing on timeout or death by a signal). */
static int finish(pid_t pid, double timeout)
{
    double t0 = now();
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        assert_true(r >= 0);
        if (r == pid)
            break;
        if (now() - t0 > timeout) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail_msg("breakeven still running after %.1f s", timeout);
        }
        sleep_s(0.005);
    }
    if (!WIFEXITED(st))
        fail_msg("breakeven died by signal %d", WTERMSIG(st));
    return WEXITSTATUS(st);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ENV(...) ((const char *const[]){__VA_ARGS__, NULL})

static int run(int who, const char *const *env, const char *const *args)
{
    return finish(start(who, env, args), 60.0);
}

/* stderr is exactly one line "breakeven: ..." holding every one of the
 * NULL-terminated strings. */
static void expect_error_line(const char *first, ...)
{
    char *err = slurp("err.txt");
    assert_non_null(err);
    size_t n = strlen(err);
    if (strncmp(err, "breakeven: ", 11) != 0 || n == 0 ||
        err[n - 1] != '\n' || strchr(err, '\n') != err + n - 1)
        fail_msg("expected one line \"breakeven: ...\", found:\n%s", err);
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        if (strstr(err, s) == NULL)
            fail_msg("stderr lacks \"%s\":\n%s", s, err);
    va_end(ap);
    free(err);
}

/* ---- the previous run ------------------------------------------------ */

/* The files of a run of the default scenario (the last two in variants/);
 * its folder holds NTOP entries: the first NFILES - 2 files, variants.csv
 * and the folder variants/. */
#define NFILES 8
#define NTOP 7
static const char *const run_files[NFILES] = {
    "samples.csv", "summary.csv", "curve.csv", "manifest.json",
    "sensitivity.csv", "variants.csv", "variants/v3-only/summary.csv",
    "variants/v3-only/curve.csv"};

typedef struct snapshot {
    char dir[256];
    char *data[NFILES];
    size_t len[NFILES];
} snapshot;

/* A complete run into base/dir with extra args, and its bytes. */
static void old_run(snapshot *s, const char *dir, const char *samples)
{
    char out[300];
    snprintf(out, sizeof out, "%s", dir);
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", samples, "--out", out,
                                           "--quiet")), 0);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    for (int i = 0; i < NFILES; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s/%s", dir, run_files[i]);
        s->data[i] = slurp_n(name, &s->len[i]);
        assert_non_null(s->data[i]);
        assert_true(s->len[i] > 0);
    }
}

/* The run folder holds exactly the snapshot's files, byte for byte. */
static void expect_intact(snapshot *s)
{
    for (int i = 0; i < NFILES; i++) {
        char name[512];
        size_t n = 0;
        snprintf(name, sizeof name, "%s/%s", s->dir, run_files[i]);
        char *now_data = slurp_n(name, &n);
        if (now_data == NULL || n != s->len[i] ||
            memcmp(now_data, s->data[i], n) != 0)
            fail_msg("%s changed (%zu bytes, was %zu)", name, n, s->len[i]);
        free(now_data);
        free(s->data[i]);
        s->data[i] = NULL;
    }
    char p[1024];
    path_of(p, sizeof p, s->dir);
    DIR *d = opendir(p);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(entries, NTOP);
}

/* No ".*.tmp.*", ".*.old.*", ".*.lock" or "*.previous-*" entry in
 * base/dir: no temporary folder, lock or old run left behind. */
static void expect_no_temporary(const char *dir)
{
    char p[1024];
    path_of(p, sizeof p, dir);
    DIR *d = opendir(p);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (strstr(e->d_name, ".tmp.") != NULL ||
            strstr(e->d_name, ".old.") != NULL ||
            strstr(e->d_name, ".previous-") != NULL ||
            (n > 5 && strcmp(e->d_name + n - 5, ".lock") == 0))
            fail_msg("left over in %s: %s", p, e->d_name);
    }
    closedir(d);
}

/* ---- 1. command line and environment -------------------------------- */

static void missing_scenario_file_exits_4(void **state)
{
    (void)state;
    assert_int_equal(run(AS_ME, NULL, ARGS("--config", "nope.json", "--out",
                                           "o")), 4);
    expect_error_line("nope.json: expected a readable scenario file",
                      "found no such file", "No such file or directory",
                      NULL);
    assert_false(exists("o"));
}

static void unreadable_scenario_file_exits_4(void **state)
{
    (void)state;
    need_unprivileged();
    char src[512];
    snprintf(src, sizeof src, "%s/reported.json", CONFIG_DIR);
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    write_text("locked.json", buf);
    char p[1024];
    path_of(p, sizeof p, "locked.json");
    /* control: readable, the same user runs it */
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(chmod(base, 0777), 0);
    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--config", "locked.json",
                                               "--out", "ok", "--quiet")), 0);
    assert_true(exists("ok/summary.csv"));

    assert_int_equal(chmod(p, 0), 0);
    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--config", "locked.json",
                                               "--out", "o")), 4);
    expect_error_line("locked.json: expected a readable scenario file",
                      "no permission to read it", "Permission denied", NULL);
    assert_false(exists("o"));
}

static void folder_as_scenario_file_exits_4(void **state)
{
    (void)state;
    char p[1024];
    path_of(p, sizeof p, "adir");
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(run(AS_ME, NULL, ARGS("--config", "adir", "--out", "o")),
                     4);
    expect_error_line("adir: expected a scenario file, found a folder", NULL);
    assert_false(exists("o"));
}

/* 2c: an output path inside a file: nothing is created. */
static void out_inside_a_file_exits_4_and_creates_nothing(void **state)
{
    (void)state;
    write_text("afile", "not a folder\n");
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "1000", "--out",
                                           "afile/run")), 4);
    expect_error_line("--out afile/run: expected afile to be a folder, "
                      "found a file", NULL);
    /* control: the same run elsewhere succeeds */
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "1000", "--out",
                                           "ok/run", "--quiet")), 0);
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "1000", "--out",
                                           "afile/x/y/run")), 4);
    expect_error_line("--out afile/x/y/run: expected afile to be a folder",
                      NULL);
    char *text = slurp("afile");
    assert_string_equal(text, "not a folder\n");
    free(text);
    expect_no_temporary(".");
    /* base holds what the test made and nothing else */
    DIR *d = opendir(base);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, "afile") != 0 && strcmp(e->d_name, "ok") != 0 &&
            strcmp(e->d_name, "out.txt") != 0 &&
            strcmp(e->d_name, "err.txt") != 0)
            fail_msg("unexpected entry %s", e->d_name);
    closedir(d);
}

static void out_is_a_regular_file_exits_4(void **state)
{
    (void)state;
    write_text("results", "keep me\n");
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "1000", "--out",
                                           "results")), 4);
    expect_error_line("--out results: expected a folder", "found a file",
                      NULL);
    char *text = slurp("results");
    assert_string_equal(text, "keep me\n");
    free(text);
    expect_no_temporary(".");
}

static void out_not_writable_exits_4(void **state)
{
    (void)state;
    need_unprivileged();
    char ro[1024], rw[1024];
    path_of(ro, sizeof ro, "ro");
    path_of(rw, sizeof rw, "rw");
    assert_int_equal(mkdir(ro, 0755), 0);
    assert_int_equal(mkdir(rw, 0777), 0);
    assert_int_equal(chmod(ro, 0555), 0);
    assert_int_equal(chmod(rw, 0777), 0);
    /* control: the same user can write where permitted */
    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--samples", "1000", "--out",
                                               "rw/run", "--quiet")), 0);
    assert_true(exists("rw/run/summary.csv"));

    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--samples", "1000", "--out",
                                               "ro/run")), 4);
    expect_error_line("--out ro/run: expected to be able to write in ro",
                      "Permission denied", NULL);
    assert_false(exists("ro/run"));
    expect_no_temporary("ro");
    /* a run folder that exists, in a folder that is not writable: the
       new run is written beside it first, so it is refused too */
    char old[1024];
    path_of(old, sizeof old, "ro/old");
    assert_int_equal(chmod(ro, 0755), 0);
    assert_int_equal(mkdir(old, 0777), 0);
    assert_int_equal(chmod(old, 0777), 0);
    assert_int_equal(chmod(ro, 0555), 0);
    assert_int_equal(run(AS_NOBODY, NULL, ARGS("--samples", "1000", "--out",
                                               "ro/old")), 4);
    expect_error_line("--out ro/old: expected to be able to write in ro",
                      "Permission denied", NULL);
    expect_no_temporary("ro");
}

/* 3. Memory does not grow with the samples (the engine streams them):
 * a billion samples start, and while they run the process stays far
 * under 1 GiB; a SIGINT then ends the run with nothing written. */
static int signal_and_wait(pid_t pid, int sig);

static long peak_rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static void a_billion_samples_run_in_bounded_memory(void **state)
{
    (void)state;
    pid_t pid = start(AS_ME, NULL, ARGS("--samples", "1e9", "--threads", "2",
                                        "--out", "big", "--quiet"));
    sleep_s(4.0);                   /* the pilot, then well into pass 1 */
    long kib = peak_rss_kib(pid);
    assert_int_equal(signal_and_wait(pid, SIGINT), 5);
    print_message("peak RSS after 4 s of 1e9 samples: %ld KiB\n", kib);
    assert_true(kib > 0 && kib < 1024L * 1024L);
    expect_error_line("breakeven: interrupted by SIGINT; ",
                      "no results written", "big was not created", NULL);
    assert_false(exists("big"));
    expect_no_temporary(".");
}

/* Writes dst: the shipped scenario config/<name> with its default
 * horizon grid replaced by `horizons` (JSON text). */
static void write_with_horizons(const char *name, const char *horizons,
                                const char *dst)
{
    char src[512];
    snprintf(src, sizeof src, "%s/%s", CONFIG_DIR, name);
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    static char buf[1 << 16], text[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *key = "\"horizons\": {\"start\": 10, \"stop\": 730, "
                      "\"step\": 10}";
    char *at = strstr(buf, key);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s\"horizons\": %s%s", (int)(at - buf),
             buf, horizons, at + strlen(key));
    write_text(dst, text);
}

/* What grows with --threads is refused before anything starts: 2,000
 * horizons make 8,000 curve points, whose pass-1 counts take about
 * 260 MB per thread once the samples outnumber the pilot (1e5 here), so
 * 1024 threads need far more than any test machine has, and one thread
 * about 1 GB, which any has: the message gives the most that fit, at
 * least 1. */
static void too_many_threads_for_memory_exit_2(void **state)
{
    (void)state;
    write_with_horizons("reported.json",
                        "{\"start\": 1, \"stop\": 2000, \"step\": 1}",
                        "wide.json");
    assert_int_equal(run(AS_ME, NULL, ARGS("--config", "wide.json",
                                           "--samples", "1e5", "--threads",
                                           "1024", "--out", "m")), 2);
    expect_error_line("--threads: expected a run of wide.json that fits "
                      "in 90% of this machine's", "(at most about ",
                      "found 1024 threads, which need", "GiB", NULL);
    char *err = slurp("err.txt");
    const char *at = strstr(err, "(at most about ");
    assert_non_null(at);
    long most = strtol(at + strlen("(at most about "), NULL, 10);
    assert_true(most >= 1 && most < 1024);
    free(err);
    assert_false(exists("m"));
    expect_no_temporary(".");
}

/* ---- 2a. full disk ---------------------------------------------------- */

static void full_tmpfs_keeps_the_old_results(void **state)
{
    (void)state;
    char disk[512], cmd[1024];
    path_of(disk, sizeof disk, "disk");
    assert_int_equal(mkdir(disk, 0755), 0);
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=6m tmpfs '%s' "
             ">/dev/null 2>&1", disk);
    if (system(cmd) != 0) {
        print_message("skipped: cannot mount a tmpfs (needs root): the "
                      "full disk is tested through fault_inject only\n");
        skip();
    }
    e2e_mount(disk);
    snapshot old;
    old_run(&old, "disk/run", "2000");           /* about 3.6 MB */
    /* 10000 samples: samples.csv alone is about 8 MB */
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "10000", "--out",
                                           "disk/run")), 4);
    expect_error_line("disk/run/samples.csv: ", "No space left on device",
                      "no results written",
                      "previous results in disk/run are intact", NULL);
    expect_intact(&old);
    expect_no_temporary("disk");
}

static const char *asan_env(void)
{
    /* The library is preloaded ahead of ASan's runtime in the sanitizer
       build; ASan allows it with this option (no effect otherwise). */
    static char buf[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(buf, sizeof buf, "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
             old != NULL ? old : "", old != NULL && *old ? ":" : "");
    return buf;
}

/* ENOSPC after `after` bytes: exit 4 naming file, old run intact. */
static void injected(const char *fault, const char *file, const char *cause,
                     const char *samples_flag)
{
    snapshot old;
    old_run(&old, "run", "2000");
    int rc = run(AS_ME,
                 ENV("LD_PRELOAD=" FAULT_INJECT_LIB, fault, asan_env()),
                 samples_flag != NULL
                     ? ARGS("--samples", "2000", "--out", "run", samples_flag)
                     : ARGS("--samples", "2000", "--out", "run"));
    assert_int_equal(rc, 4);
    char where[64];
    snprintf(where, sizeof where, "run/%s: ", file);
    expect_error_line(where, cause, "no results written",
                      "previous results in run are intact", NULL);
    expect_intact(&old);
    expect_no_temporary(".");
}

static void injected_full_disk_in_samples_csv(void **state)
{
    (void)state;
    injected("FAULT_AFTER_BYTES=100000", "samples.csv",
             "cannot write: No space left on device", NULL);
}

static void injected_full_disk_at_the_first_byte(void **state)
{
    (void)state;
    injected("FAULT_AFTER_BYTES=0", "samples.csv",
             "cannot write: No space left on device", NULL);
}

/* The sizes of the other files: the same run without samples.csv. */
/* The files after samples.csv, in the order they are written: a full
 * disk in each of a few of them (at 10 bytes in) is reported with its
 * name, and leaves nothing behind. */
static void injected_full_disk_after_sampling(void **state)
{
    (void)state;
    assert_int_equal(run(AS_ME, NULL, ARGS("--samples", "2000", "--out",
                                           "probe", "--no-samples",
                                           "--quiet")), 0);
    static const char *const order[] = {
        "summary.csv", "curve.csv", "sensitivity.csv",
        "variants/wide-overhead/summary.csv",
        "variants/wide-overhead/curve.csv",
        "variants/traffic-growth/summary.csv",
        "variants/traffic-growth/curve.csv",
        "variants/traffic-decay/summary.csv",
        "variants/traffic-decay/curve.csv", "variants/v3-only/summary.csv",
        "variants/v3-only/curve.csv", "variants/pue-uniform/summary.csv",
        "variants/pue-uniform/curve.csv", "variants/ademe-grid/summary.csv",
        "variants/ademe-grid/curve.csv", "variants/efficiency/summary.csv",
        "variants/efficiency/curve.csv", "variants/spike-decay/summary.csv",
        "variants/spike-decay/curve.csv", "variants.csv", "manifest.json"};
    static const int faulted[] = {1, 2, 3, 19, 20};
    size_t before[sizeof order / sizeof *order], total = 0;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        char name[128];
        size_t n = 0;
        snprintf(name, sizeof name, "probe/%s", order[i]);
        free(slurp_n(name, &n));
        assert_true(n > 0);
        before[i] = total;
        total += n;
    }
    for (size_t i = 0; i < sizeof faulted / sizeof *faulted; i++) {
        char fault[64];
        snprintf(fault, sizeof fault, "FAULT_AFTER_BYTES=%zu",
                 before[faulted[i]] + 10);
        injected(fault, order[faulted[i]],
                 "cannot write: No space left on device", "--no-samples");
    }
}

static void injected_fsync_failure(void **state)
{
    (void)state;
    injected("FAULT_FSYNC=1", "samples.csv", "fsync: Input/output error",
             NULL);
}

static void injected_close_failure(void **state)
{
    (void)state;
    injected("FAULT_FCLOSE=1", "samples.csv", "closing: Input/output error",
             NULL);
}

/* A failed run into folders it had to create removes them again. */
static void injected_failure_leaves_no_new_folders(void **state)
{
    (void)state;
    int rc = run(AS_ME,
                 ENV("LD_PRELOAD=" FAULT_INJECT_LIB, "FAULT_AFTER_BYTES=5000",
                     asan_env()),
                 ARGS("--samples", "2000", "--out", "fresh/deep/run"));
    assert_int_equal(rc, 4);
    expect_error_line("fresh/deep/run/samples.csv: ",
                      "No space left on device", "no results written", NULL);
    assert_false(exists("fresh"));
    expect_no_temporary(".");
}

/* ---- 2b. SIGINT and SIGTERM ------------------------------------------- */

/* Sends sig to pid, returns the exit code, which must come within 2 s. */
static int signal_and_wait(pid_t pid, int sig)
{
    int st;
    assert_int_equal(waitpid(pid, &st, WNOHANG), 0);    /* still running */
    double t0 = now();
    assert_int_equal(kill(pid, sig), 0);
    int rc = finish(pid, 10.0);
    double dt = now() - t0;
    if (dt >= 2.0)
        fail_msg("exited %.2f s after the signal, expected under 2 s", dt);
    return rc;
}

static void signal_while_sampling(int sig, const char *name)
{
    snapshot old;
    old_run(&old, "run", "2000");
    pid_t pid = start(AS_ME, NULL, ARGS("--samples", "3e6", "--threads", "2",
                                        "--out", "run", "--quiet"));
    sleep_s(0.5);
    assert_int_equal(signal_and_wait(pid, sig), 5);
    char want[64];
    snprintf(want, sizeof want, "breakeven: interrupted by %s; ", name);
    expect_error_line(want, "no results written",
                      "previous results in run are intact", NULL);
    expect_intact(&old);
    expect_no_temporary(".");
}

/* Every fatal signal a program can catch, while sampling: exit 5, one
 * line naming it, the old run intact, nothing left behind. */
static void every_fatal_signal_while_sampling(void **state)
{
    (void)state;
    static const struct { int sig; const char *name; } sigs[] = {
        {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
        {SIGPIPE, "SIGPIPE"}, {SIGTERM, "SIGTERM"}, {SIGUSR1, "SIGUSR1"},
        {SIGUSR2, "SIGUSR2"}, {SIGALRM, "SIGALRM"}, {SIGXCPU, "SIGXCPU"},
        {SIGXFSZ, "SIGXFSZ"}};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        print_message("  %s\n", sigs[i].name);
        signal_while_sampling(sigs[i].sig, sigs[i].name);
    }
}

/* The default scenario with one horizon, so that sampling is short and
 * writing samples.csv (1e6 rows, about 340 MB) takes seconds.  The
 * signal tests fix --threads 2: a bounded memory need (under 1 GB) on
 * any machine. */
static void write_one_horizon_scenario(void)
{
    write_with_horizons("deepseek-v3-r1.json", "[365]", "one.json");
}

static void signal_while_writing(int sig, const char *name)
{
    snapshot old;
    old_run(&old, "run", "2000");
    write_one_horizon_scenario();
    pid_t pid = start(AS_ME, NULL, ARGS("--config", "one.json", "--samples",
                                        "1e6", "--threads", "2", "--out",
                                        "run", "--quiet"));
    if (e2e_wait_for_writing(base, 1000000) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("no temporary folder with samples.csv appeared");
    }
    assert_int_equal(signal_and_wait(pid, sig), 5);
    char want[64];
    snprintf(want, sizeof want, "breakeven: interrupted by %s; ",
             name);
    expect_error_line(want, "no results written",
                      "previous results in run are intact", NULL);
    expect_intact(&old);
    expect_no_temporary(".");
}

/* A signal ignored at the start (nohup, a background job) stays
 * ignored: the run completes. */
static void an_ignored_signal_stays_ignored(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd '%s' && trap '' HUP && { '%s' --samples "
             "3e5 --threads 2 --out run --quiet --no-variants & pid=$!; "
             "sleep 0.3; kill -HUP $pid; wait $pid; }", base, BREAKEVEN_EXE);
    assert_int_equal(system(cmd), 0);
    assert_true(exists("run/manifest.json"));
    expect_no_temporary(".");
}

static void sigint_while_writing(void **state)
{
    (void)state;
    signal_while_writing(SIGINT, "SIGINT");
}

static void sigterm_while_writing(void **state)
{
    (void)state;
    signal_while_writing(SIGTERM, "SIGTERM");
}

/* A first run interrupted: the folder it would have created is not. */
static void sigint_before_a_first_run_creates_nothing(void **state)
{
    (void)state;
    pid_t pid = start(AS_ME, NULL, ARGS("--samples", "3e6", "--threads", "2",
                                        "--out", "a/b/run", "--quiet"));
    sleep_s(0.5);
    assert_int_equal(signal_and_wait(pid, SIGINT), 5);
    expect_error_line("interrupted by SIGINT; no results written, a/b/run "
                      "was not created", NULL);
    assert_false(exists("a"));
}

/* ---- 2c. standard output, file size, threads ------------------------- */

/* The reader of stdout is gone before the summary: as SIGPIPE, exit 5,
 * with the results complete (they were committed first). */
static void a_closed_stdout_pipe_stops_like_sigpipe(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        if (chdir(base) != 0 || dup2(fds[1], 1) < 0)
            _exit(126);
        int err = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err < 0 || dup2(err, 2) < 0)
            _exit(126);
        close(fds[0]);
        close(fds[1]);
        execl(BREAKEVEN_EXE, BREAKEVEN_EXE, "--samples", "2000", "--out",
              "run", "--no-variants", (char *)NULL);
        _exit(127);
    }
    close(fds[0]);               /* nobody reads */
    close(fds[1]);
    assert_int_equal(finish(pid, 60.0), 5);
    expect_error_line("interrupted by SIGPIPE after the run was complete; "
                      "the results in run are complete", NULL);
    assert_true(exists("run/manifest.json"));
    expect_no_temporary(".");
}

/* A full standard output: exit 4, saying so; the results stay. */
static void a_full_stdout_exits_4(void **state)
{
    (void)state;
    char *argv[] = {BREAKEVEN_EXE, "--samples", "2000", "--out", "run",
                    "--no-variants", NULL};
    const e2e_spawn_opts opts = {.dir = base, .out_path = "/dev/full",
                                 .err_path = "err.txt",
                                 .default_signals = 1};
    pid_t pid = e2e_spawn(argv, &opts);
    assert_true(pid >= 0);
    assert_int_equal(finish(pid, 60.0), 4);
    expect_error_line("expected to write the summary to standard output, "
                      "found an error (No space left on device); the results "
                      "in run are complete", NULL);
    assert_true(exists("run/manifest.json"));
}

/* A file larger than RLIMIT_FSIZE: the write fails (SIGXFSZ is blocked),
 * exit 4 naming the file, the old run intact. */
static void a_file_size_limit_exits_4_and_keeps_the_old_run(void **state)
{
    (void)state;
    snapshot old;
    old_run(&old, "run", "2000");
    char cmd[1200];
    /* ulimit -f counts 512-byte blocks: 200 kB, below samples.csv */
    snprintf(cmd, sizeof cmd, "cd '%s' && ulimit -f 400 && exec '%s' "
             "--samples 20000 --out run --quiet 2>err.txt", base,
             BREAKEVEN_EXE);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 4);
    expect_error_line("run/samples.csv: cannot write: File too large; no "
                      "results written, previous results in run are intact",
                      NULL);
    expect_intact(&old);
    expect_no_temporary(".");
}

/* Threads that cannot be created, at each point where breakeven creates
 * them: its signal thread, the check of the run's threads, OpenMP's
 * team.  Exit 1, breakeven's line, the old run intact. */
static void threads_that_cannot_be_created_exit_1(void **state)
{
    (void)state;
    static const struct { const char *after, *want; } cases[] = {
        {"FAULT_THREADS_AFTER=0", "breakeven: expected to create a thread, "
                                  "found an error (Resource temporarily "
                                  "unavailable); no results written"},
        {"FAULT_THREADS_AFTER=1", "breakeven: --threads: expected to create "
                                  "the 2 threads asked for, found that only "
                                  "1 could be (Resource temporarily "
                                  "unavailable)"},
        {"FAULT_THREADS_AFTER=2", "breakeven: expected to start 2 OpenMP "
                                  "threads, found that the OpenMP runtime "
                                  "could not (its message is above); no "
                                  "results written, previous results in run "
                                  "are intact"},
    };
    snapshot old;
    old_run(&old, "run", "2000");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run(AS_ME, ENV("LD_PRELOAD=" FAULT_INJECT_LIB,
                                cases[i].after, asan_env()),
                     ARGS("--samples", "2000", "--threads", "2", "--out",
                          "run"));
        assert_int_equal(rc, 1);
        char *err = slurp("err.txt");
        if (strstr(err, cases[i].want) == NULL)
            fail_msg("%s: stderr lacks \"%s\":\n%s", cases[i].after,
                     cases[i].want, err);
        free(err);
        expect_no_temporary(".");
    }
    expect_intact(&old);
}

/* ---- documentation ---------------------------------------------------- */

static void exit_codes_5_and_6_are_documented(void **state)
{
    (void)state;
    assert_int_equal(run(AS_ME, NULL, ARGS("--help")), 0);
    char *out = slurp("out.txt");
    assert_non_null(strstr(out, "5 interrupted by a signal"));
    assert_non_null(strstr(out, "6 output\nfolder refused"));
    free(out);
    FILE *f = fopen(DOCS_DIR "/command-line.md", "rb");
    assert_non_null(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "| 5 | interrupted by a signal (SIGHUP, "
                                 "SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, "
                                 "SIGUSR2, SIGALRM, SIGXCPU or SIGXFSZ"));
    assert_non_null(strstr(text, "| 6 | output folder refused"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(missing_scenario_file_exits_4),
        T(unreadable_scenario_file_exits_4),
        T(folder_as_scenario_file_exits_4),
        T(out_inside_a_file_exits_4_and_creates_nothing),
        T(out_is_a_regular_file_exits_4),
        T(out_not_writable_exits_4),
        T(a_billion_samples_run_in_bounded_memory),
        T(too_many_threads_for_memory_exit_2),
        T(full_tmpfs_keeps_the_old_results),
        T(injected_full_disk_in_samples_csv),
        T(injected_full_disk_at_the_first_byte),
        T(injected_full_disk_after_sampling),
        T(injected_fsync_failure),
        T(injected_close_failure),
        T(injected_failure_leaves_no_new_folders),
        T(every_fatal_signal_while_sampling),
        T(an_ignored_signal_stays_ignored),
        T(sigint_while_writing),
        T(sigterm_while_writing),
        T(sigint_before_a_first_run_creates_nothing),
        T(a_closed_stdout_pipe_stops_like_sigpipe),
        T(a_full_stdout_exits_4),
        T(a_file_size_limit_exits_4_and_keeps_the_old_run),
        T(threads_that_cannot_be_created_exit_1),
        T(exit_codes_5_and_6_are_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
