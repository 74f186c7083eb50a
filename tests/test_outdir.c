/* test_outdir.c: the run folder (results/mc_outdir.c, mc_outdir_fs.c),
 * through its API, each test in a private tree under /tmp.
 *
 * What is asserted: a run replaces a folder only when it is absent,
 * empty, or an earlier run whose manifest lists all it holds, and then
 * removes only the files listed; anything else is refused with a message
 * naming what breakeven did not write, and the tree is byte for byte as
 * before (e2e_snapshot).  Symbolic links and mount points are never
 * crossed; the protected folders are refused; a run holding the lock
 * keeps others out; a killed run's leftovers are removed when their
 * journal or manifest accounts for them and reported otherwise; the old
 * run is never left under a hidden name.
 *
 * Faults the file system will not produce on demand are made by
 * interposing two calls of libc in this executable: unlinkat (an entry
 * that cannot be removed) and renameat2 (no RENAME_EXCHANGE).  The mount
 * cases need root (mount -t tmpfs) and are skipped with a message
 * otherwise. */
#define _GNU_SOURCE             /* renameat2, RENAME_EXCHANGE, syscall */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "e2e.h"
#include "mc_manifest.h"
#include "mc_results.h"

/* ---- interposed calls -------------------------------------------------- */

static const char *fail_unlink_name;   /* unlinkat of it fails with EIO */
static int no_exchange;                /* renameat2 has no exchange */

int unlinkat(int fd, const char *path, int flags)
{
    const char *slash = strrchr(path, '/');
    if (fail_unlink_name != NULL &&
        strcmp(slash ? slash + 1 : path, fail_unlink_name) == 0) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_unlinkat, fd, path, flags);
}

int renameat2(int olddir, const char *old, int newdir, const char *new,
              unsigned flags)
{
    if (no_exchange && (flags & RENAME_EXCHANGE)) {
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_renameat2, olddir, old, newdir, new, flags);
}

/* ---- the tree ---------------------------------------------------------- */

static char base[256];          /* this test's folder */
static char target[1024];        /* base/run */
static mc_outdir_guard guard;

static int setup(void **state)
{
    (void)state;
    if (e2e_make_temp_dir(base, sizeof base, "outdir") != 0)
        return -1;
    snprintf(target, sizeof target, "%s/run", base);
    fail_unlink_name = NULL;
    no_exchange = 0;
    memset(&guard, 0, sizeof guard);
    guard.read_manifest = mc_cfg_read_manifest;
    guard.longest_entry = 64;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    e2e_umount_all();
    return e2e_remove_tree(base, 1) == 0 ? 0 : -1;
}

static void at(char *buf, size_t len, const char *rel)
    __attribute__((nonnull));
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
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void dir(const char *rel)
{
    char p[1024];
    at(p, sizeof p, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static int exists(const char *rel)
{
    char p[1024];
    struct stat st;
    at(p, sizeof p, rel);
    return lstat(p, &st) == 0;
}

static char *text_of(const char *rel)
{
    char p[1024];
    at(p, sizeof p, rel);
    return e2e_slurp(p, NULL);
}

/* The names in base/rel (one level), sorted, space-separated: what a
 * folder holds, hidden names included. */
static void entries(const char *rel, char *out, size_t cap)
{
    char p[1024];
    at(p, sizeof p, rel);
    e2e_entries(p, out, cap);
}

/* A manifest.json of breakeven's listing names (NULL-terminated). */
static void manifest_text(char *buf, size_t cap, const char *const *names)
{
    snprintf(buf, cap, "{\"program\": \"breakeven\", \"format\": %d, "
             "\"files\": [", MC_MANIFEST_FORMAT);
    for (size_t i = 0; names[i] != NULL; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s{\"name\": \"%s\"}",
                 i ? ", " : "", names[i]);
    snprintf(buf + strlen(buf), cap - strlen(buf), "]}\n");
}

/* Writes the files names (NULL-terminated; "a/b.csv" makes the folder a)
 * and a manifest listing them into an open run folder. */
static void write_run(const mc_outdir *o, const char *const *names)
{
    char msg[1024] = "";
    for (size_t i = 0; names[i] != NULL; i++) {
        /* every folder above the file, outermost first */
        for (const char *s = strchr(names[i], '/'); s != NULL;
             s = strchr(s + 1, '/')) {
            char folder[256], p[4400];
            struct stat st;
            snprintf(folder, sizeof folder, "%.*s", (int)(s - names[i]),
                     names[i]);
            snprintf(p, sizeof p, "%s/%s", o->tmp, folder);
            if (stat(p, &st) != 0)
                assert_int_equal(mc_outdir_mkdir(o, folder, msg, sizeof msg),
                                 0);
        }
        FILE *f = mc_outdir_open(o, names[i], msg, sizeof msg);
        assert_non_null(f);
        fprintf(f, "%s of this run\n", names[i]);
        assert_int_equal(mc_outdir_close(f, msg, sizeof msg), 0);
    }
    char text[4096];
    manifest_text(text, sizeof text, names);
    FILE *f = mc_outdir_open(o, "manifest.json", msg, sizeof msg);
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(mc_outdir_close(f, msg, sizeof msg), 0);
}

static void abort_ok(mc_outdir *o)
{
    char msg[1200] = "";
    if (mc_outdir_abort(o, msg, sizeof msg) != 0)
        fail_msg("abort: %s", msg);
}

/* A whole run into target: begin, files, manifest, commit.  Returns
 * commit's code; msg (cap bytes) gets its message. */
static int run_into(const char *dst, const char *const *names, char *msg,
                    size_t cap)
{
    mc_outdir o;
    int rc = mc_outdir_begin(&o, dst, &guard, msg, cap);
    if (rc != 0)
        return rc;
    write_run(&o, names);
    rc = mc_outdir_commit(&o, msg, cap);
    if (rc != 0 && rc != MC_OUTDIR_EPREVIOUS)
        abort_ok(&o);
    return rc;
}

static void run_ok(const char *const *names)
{
    char msg[2048] = "";
    int rc = run_into(target, names, msg, sizeof msg);
    if (rc != 0)
        fail_msg("run into %s: %d: %s", target, rc, msg);
}

/* The target's check and begin both refuse with code, a message holding
 * every fragment (NULL-terminated), and the tree unchanged. */
static void expect_refused(int code, const char *first, ...)
{
    char *before = e2e_snapshot(base);
    assert_non_null(before);
    char msg[2048] = "";
    assert_int_equal(mc_outdir_check(target, "--out run", &guard, msg,
                                     sizeof msg), code);
    va_list ap;
    va_start(ap, first);
    for (const char *f = first; f != NULL; f = va_arg(ap, const char *))
        if (strstr(msg, f) == NULL)
            fail_msg("message lacks '%s': %s", f, msg);
    va_end(ap);
    mc_outdir o;
    char msg2[2048] = "";
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg2, sizeof msg2),
                     code);
    char *after = e2e_snapshot(base);
    assert_non_null(after);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static const char *const RUN1[] = {"summary.csv", "variants/a/curve.csv",
                                   NULL};
static const char *const RUN2[] = {"summary.csv", "curve.csv", NULL};

/* ---- replacing ----------------------------------------------------------- */

static void a_first_run_creates_its_folder_and_nothing_beside_it(void **st)
{
    (void)st;
    snprintf(target, sizeof target, "%s/a/b/run", base);
    run_ok(RUN1);
    char names[512];
    entries("a/b", names, sizeof names);
    assert_string_equal(names, "run");
    entries("a/b/run", names, sizeof names);
    assert_string_equal(names, "manifest.json summary.csv variants");
    char *t = text_of("a/b/run/variants/a/curve.csv");
    assert_string_equal(t, "variants/a/curve.csv of this run\n");
    free(t);
}

static void a_run_replaces_exactly_the_files_of_the_run_before(void **st)
{
    (void)st;
    run_ok(RUN1);
    run_ok(RUN2);
    char names[512];
    entries("run", names, sizeof names);
    assert_string_equal(names, "curve.csv manifest.json summary.csv");
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

static void an_empty_folder_is_replaced(void **st)
{
    (void)st;
    dir("run");
    run_ok(RUN2);
    char names[512];
    entries("run", names, sizeof names);
    assert_string_equal(names, "curve.csv manifest.json summary.csv");
}

static void a_manifest_without_format_is_an_earlier_version_of_ours(void **st)
{
    (void)st;
    dir("run");
    put("run/summary.csv", "old\n");
    put("run/manifest.json", "{\"program\": \"breakeven\", \"version\": "
        "\"0.1.0\", \"files\": [{\"name\": \"summary.csv\", \"rows\": 1}]}\n");
    run_ok(RUN2);
    char *t = text_of("run/summary.csv");
    assert_string_equal(t, "summary.csv of this run\n");
    free(t);
}

static void an_abort_keeps_the_old_run_and_leaves_nothing(void **st)
{
    (void)st;
    run_ok(RUN1);
    char *before = e2e_snapshot(base);
    mc_outdir o;
    char msg[1024] = "", names[512];
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg), 0);
    entries("", names, sizeof names);
    assert_non_null(strstr(names, ".run.lock"));
    assert_non_null(strstr(names, ".run.tmp."));
    write_run(&o, RUN2);
    abort_ok(&o);
    char *after = e2e_snapshot(base);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

/* ---- refusing ------------------------------------------------------------ */

static void a_folder_of_the_users_is_refused_and_untouched(void **st)
{
    (void)st;
    dir("run");
    dir("run/data");
    put("run/chapter1.tex", "my thesis\n");
    put("run/data/x.csv", "1,2\n");
    put("run/notes.md", "notes\n");
    put("run/z.txt", "z\n");
    expect_refused(MC_OUTDIR_EREFUSED, "--out run: expected an empty folder "
                   "or an earlier run of breakeven's, found chapter1.tex, "
                   "data/, notes.md and 1 more, which breakeven did not write",
                   "nothing was changed", NULL);
}

static void a_run_with_one_more_file_is_refused(void **st)
{
    (void)st;
    run_ok(RUN1);
    put("run/variants/a/plot.png", "png\n");
    expect_refused(MC_OUTDIR_EREFUSED, "found variants/a/plot.png, which "
                   "breakeven did not write", NULL);
}

static void another_programs_manifest_is_refused(void **st)
{
    (void)st;
    dir("run");
    put("run/summary.csv", "x\n");
    put("run/manifest.json", "{\"program\": \"other\", \"files\": "
        "[{\"name\": \"summary.csv\"}]}\n");
    expect_refused(MC_OUTDIR_EREFUSED, "manifest.json and summary.csv, which "
                   "breakeven did not write", "\"program\": \"breakeven\"",
                   NULL);
}

static void a_newer_manifest_format_is_refused(void **st)
{
    (void)st;
    dir("run");
    put("run/manifest.json", "{\"program\": \"breakeven\", \"format\": 99, "
        "\"files\": []}\n");
    expect_refused(MC_OUTDIR_EREFUSED, "format", NULL);
}

static void a_manifest_naming_a_path_outside_is_refused(void **st)
{
    (void)st;
    put("secret.txt", "keep me\n");
    dir("run");
    put("run/manifest.json", "{\"program\": \"breakeven\", \"format\": 1, "
        "\"files\": [{\"name\": \"../secret.txt\"}]}\n");
    expect_refused(MC_OUTDIR_EREFUSED, "not a plain path inside its folder",
                   NULL);
}

static void a_symbolic_link_in_place_of_a_file_is_refused(void **st)
{
    (void)st;
    put("outside.txt", "not breakeven's\n");
    run_ok(RUN2);
    char p[1024], q[1024];
    at(p, sizeof p, "run/summary.csv");
    at(q, sizeof q, "outside.txt");
    assert_int_equal(unlink(p), 0);
    assert_int_equal(symlink(q, p), 0);
    expect_refused(MC_OUTDIR_EREFUSED, "found summary.csv (a symbolic link), "
                   "which breakeven did not write", NULL);
}

static void a_symbolic_link_in_place_of_a_folder_is_refused(void **st)
{
    (void)st;
    dir("elsewhere");
    dir("elsewhere/a");
    put("elsewhere/a/curve.csv", "someone's\n");
    run_ok(RUN1);
    char p[1024], q[1024];
    at(p, sizeof p, "run/variants");
    at(q, sizeof q, "elsewhere");
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -r '%s'", p);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(symlink(q, p), 0);
    expect_refused(MC_OUTDIR_EREFUSED, "found variants (a symbolic link), "
                   "which breakeven did not write", NULL);
}

static void a_target_that_is_a_file_is_refused(void **st)
{
    (void)st;
    put("run", "a file\n");
    expect_refused(MC_OUTDIR_EIO, "--out run: expected a folder, found a file",
                   NULL);
}

static void a_parent_that_is_a_file_is_refused(void **st)
{
    (void)st;
    put("plain", "a file\n");
    snprintf(target, sizeof target, "%s/plain/run", base);
    char msg[1024] = "";
    mc_outdir o;
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg),
                     MC_OUTDIR_EIO);
    char want[2400];
    snprintf(want, sizeof want, "%s: expected %s/plain to be a folder, found "
             "a file", target, base);
    assert_string_equal(msg, want);
}

static void dot_dot_after_a_missing_folder_is_refused(void **st)
{
    (void)st;
    snprintf(target, sizeof target, "%s/missing/../run", base);
    char msg[1024] = "";
    assert_int_equal(mc_outdir_check(target, "--out x", &guard, msg,
                                     sizeof msg), MC_OUTDIR_EIO);
    assert_non_null(strstr(msg, "expected no '.' or '..' after"));
    assert_false(exists("missing"));
}

static void a_name_too_long_for_the_temporary_folder_is_refused(void **st)
{
    (void)st;
    char name[300];
    memset(name, 'n', 240);
    name[240] = '\0';
    snprintf(target, sizeof target, "%s/%s", base, name);
    char msg[1024] = "";
    assert_int_equal(mc_outdir_check(target, "--out x", &guard, msg,
                                     sizeof msg), MC_OUTDIR_EIO);
    assert_non_null(strstr(msg, "expected a folder name of at most 239 bytes "
                                "(this file system allows 255"));
    assert_non_null(strstr(msg, "found 240 bytes"));
    memset(name, 'n', 239);
    name[239] = '\0';
    snprintf(target, sizeof target, "%s/%s", base, name);
    run_ok(RUN2);
}

static void protected_folders_and_those_above_are_refused(void **st)
{
    (void)st;
    dir("home");
    dir("home/user");
    char home[1000];
    at(home, sizeof home, "home/user");
    guard.protect[0] = (mc_outdir_protect){home, "the home folder"};
    snprintf(target, sizeof target, "%s", home);
    expect_refused(MC_OUTDIR_EREFUSED, "found that it is the home folder",
                   NULL);
    snprintf(target, sizeof target, "%s/home", base);
    expect_refused(MC_OUTDIR_EREFUSED, "found that it holds the home folder",
                   NULL);
    snprintf(target, sizeof target, "%s/home/user/runs/x", base);
    run_ok(RUN2);
    /* the same folder through a symbolic link is the same folder */
    char link[1000];
    at(link, sizeof link, "link");
    assert_int_equal(symlink(home, link), 0);
    snprintf(target, sizeof target, "%s/link/.", base);
    char msg[1024] = "";
    assert_int_equal(mc_outdir_check(target, "--out link/.", &guard, msg,
                                     sizeof msg), MC_OUTDIR_EREFUSED);
}

/* ---- mounts (root) -------------------------------------------------------- */

static int mount_tmpfs(const char *rel)
{
    char p[1024];
    at(p, sizeof p, rel);
    return e2e_mount_tmpfs(p);
}

static void a_folder_holding_a_mount_point_is_refused(void **st)
{
    (void)st;
    dir("run");
    dir("run/inner");
    if (mount_tmpfs("run/inner") != 0)
        skip();
    put("run/inner/theirs.txt", "on another file system\n");
    expect_refused(MC_OUTDIR_EREFUSED, "found the mount point", "inside it",
                   NULL);
}

static void a_mount_point_listed_as_a_run_folder_is_refused(void **st)
{
    (void)st;
    run_ok(RUN1);
    /* a bind-like mount of a tmpfs where variants/ is, holding a.csv: the
       names fit the manifest, but removing them would cross into it */
    if (mount_tmpfs("run/variants") != 0)
        skip();
    dir("run/variants/a");
    put("run/variants/a/curve.csv", "on the tmpfs\n");
    expect_refused(MC_OUTDIR_EREFUSED, "found the mount point", NULL);
}

static void a_target_that_is_a_mount_point_is_refused(void **st)
{
    (void)st;
    dir("run");
    if (mount_tmpfs("run") != 0)
        skip();
    expect_refused(MC_OUTDIR_EREFUSED, "found that it is a mount point", NULL);
}

/* ---- the lock -------------------------------------------------------------- */

static void a_run_holding_the_lock_keeps_others_out(void **st)
{
    (void)st;
    run_ok(RUN1);
    char lock[600];
    at(lock, sizeof lock, ".run.lock");
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    const char text[] = "breakeven run lock\npid 4242\nhost elsewhere\n"
                        "started 2026-01-01T00:00:00Z\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)sizeof text - 1);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    expect_refused(MC_OUTDIR_EREFUSED, "another breakeven run (pid 4242 on "
                   "elsewhere, started 2026-01-01T00:00:00Z)", NULL);
    close(fd);
    /* released by its holder (here: closed), the lock is free again */
    run_ok(RUN2);
    assert_false(exists(".run.lock"));
}

/* Lock files that are not breakeven's: refused, untouched, and never a
 * wait (a FIFO opened for reading would block). */
static void a_lock_file_of_someone_elses_is_refused(void **st)
{
    (void)st;
    static const char want[] = "found something breakeven did not write";
    put(".run.lock", "my own file\n");
    expect_refused(MC_OUTDIR_EREFUSED, want, NULL);
    char p[1024], q[1024];
    at(p, sizeof p, ".run.lock");
    put(".run.lock", "");                    /* empty */
    expect_refused(MC_OUTDIR_EREFUSED, want, NULL);
    assert_int_equal(unlink(p), 0);
    put("mine.txt", "breakeven run lock\n");  /* a hard link to it */
    at(q, sizeof q, "mine.txt");
    assert_int_equal(link(q, p), 0);
    expect_refused(MC_OUTDIR_EREFUSED, want, NULL);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(symlink(q, p), 0);      /* a symbolic link */
    expect_refused(MC_OUTDIR_EREFUSED, want, NULL);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(mkfifo(p, 0644), 0);    /* a FIFO */
    expect_refused(MC_OUTDIR_EREFUSED, want, NULL);
    assert_int_equal(unlink(p), 0);
    dir(".run.lock");                        /* a folder */
    expect_refused(MC_OUTDIR_EREFUSED, want, NULL);
}

/* Names breakeven itself makes beside a run folder, and removes after a
 * killed run, are refused as run folders. */
static void a_name_like_a_temporary_folder_is_refused(void **st)
{
    (void)st;
    static const char *const names[] = {".run.tmp.Ab12Cd", ".x.old.ZZZZZZ",
                                        ".r.lock.abc123"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(target, sizeof target, "%s/%s", base, names[i]);
        expect_refused(MC_OUTDIR_EREFUSED, "expected a folder name unlike "
                       "those breakeven makes beside a run folder", NULL);
    }
    snprintf(target, sizeof target, "%s/.run.tmp.Ab12Cd7", base);  /* 7 */
    run_ok(RUN2);
}

/* A FIFO where a killed run's journal would be: reported at once. */
static void a_fifo_in_a_leftover_does_not_block(void **st)
{
    (void)st;
    dir(".run.tmp.Ab12Cd");
    char p[1024];
    at(p, sizeof p, ".run.tmp.Ab12Cd/.breakeven-partial");
    assert_int_equal(mkfifo(p, 0644), 0);
    run_ok(RUN2);
    char w[4096];
    assert_true(mc_outdir_warnings(w, sizeof w) > 0);
    assert_non_null(strstr(w, ".run.tmp.Ab12Cd: left by a breakeven run that "
                              "was killed, but not removed"));
    assert_true(exists(".run.tmp.Ab12Cd/.breakeven-partial"));
}

/* A bind mount inside a killed run's folder: the folder is left alone
 * (the mount has the folder's st_dev; only the mount table tells). */
static void a_mount_inside_a_leftover_is_not_entered(void **st)
{
    (void)st;
    dir("user");
    put("user/thesis.tex", "my thesis\n");
    dir(".run.tmp.Ab12Cd");
    dir(".run.tmp.Ab12Cd/sub");
    put(".run.tmp.Ab12Cd/.breakeven-partial", "breakeven partial run folder\n"
        "d sub\nf sub/thesis.tex\n");
    char p[1024], q[1024], cmd[2200];
    at(p, sizeof p, "user");
    at(q, sizeof q, ".run.tmp.Ab12Cd/sub");
    snprintf(cmd, sizeof cmd, "mount --bind '%s' '%s' >/dev/null 2>&1", p, q);
    if (geteuid() != 0 || system(cmd) != 0) {
        print_message("skipped: cannot bind-mount here (needs root)\n");
        skip();
    }
    e2e_mount(q);
    run_ok(RUN2);
    char w[4096];
    assert_true(mc_outdir_warnings(w, sizeof w) > 0);
    assert_non_null(strstr(w, "but not removed: the mount point"));
    char *t = text_of("user/thesis.tex");
    assert_string_equal(t, "my thesis\n");
    free(t);
}

/* A manifest listing more files than breakeven ever writes is not one of
 * its own, and is judged at once. */
static void a_huge_manifest_is_refused(void **st)
{
    (void)st;
    dir("run");
    char p[1024];
    at(p, sizeof p, "run/manifest.json");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "{\"program\": \"breakeven\", \"format\": 1, \"files\": [");
    for (int i = 0; i < 100000; i++)
        fprintf(f, "%s{\"name\": \"f%d\"}", i ? ", " : "", i);
    fprintf(f, "]}\n");
    assert_int_equal(fclose(f), 0);
    expect_refused(MC_OUTDIR_EREFUSED, "a manifest.json listing 100000 "
                   "files, more than breakeven writes", NULL);
}

/* When a removal fails, the journal stays: the next run can still tell
 * that the rest is breakeven's, and removes it. */
static void an_abort_that_cannot_remove_keeps_the_journal(void **st)
{
    (void)st;
    mc_outdir o;
    char msg[1200] = "";
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg), 0);
    write_run(&o, RUN2);
    fail_unlink_name = "curve.csv";
    assert_int_equal(mc_outdir_abort(&o, msg, sizeof msg), -1);
    fail_unlink_name = NULL;
    assert_non_null(strstr(msg, "could not be removed entirely (curve.csv: "
                                "Input/output error)"));
    char names[512];
    entries("", names, sizeof names);
    assert_int_equal(strncmp(names, ".run.tmp.", 9), 0);
    entries(names, names, sizeof names);
    assert_string_equal(names, ".breakeven-partial curve.csv manifest.json");
    run_ok(RUN1);                            /* the next run cleans it */
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

/* The lock of mc_outdir_lock lasts for several runs: another process
 * checking in between finds it held. */
static void the_commands_lock_holds_between_runs(void **st)
{
    (void)st;
    char msg[1200] = "";
    assert_int_equal(mc_outdir_lock(target, "--out run", &guard, msg,
                                    sizeof msg), 0);
    run_ok(RUN1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char m[1200];
        _exit(mc_outdir_check(target, "x", &guard, m, sizeof m) ==
                      MC_OUTDIR_EREFUSED && strstr(m, "another breakeven run")
                  ? 0 : 1);
    }
    assert_int_equal(e2e_wait(pid), 0);
    run_ok(RUN2);
    assert_true(exists(".run.lock"));
    mc_outdir_unlock();
    char names[512];
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

/* The same under the command's lock, between its runs (--until
 * batches): every run lands where the path led when the lock was taken,
 * and the lock goes from there. */
static void a_link_switched_between_runs_moves_nothing(void **st)
{
    (void)st;
    dir("v1");
    dir("v2");
    char cur[1024], v1[1024], v2[1024], msg[1200] = "", names[512];
    at(cur, sizeof cur, "cur");
    at(v1, sizeof v1, "v1");
    at(v2, sizeof v2, "v2");
    assert_int_equal(symlink(v1, cur), 0);
    snprintf(target, sizeof target, "%s/cur/run", base);
    assert_int_equal(mc_outdir_lock(target, "--out cur/run", &guard, msg,
                                    sizeof msg), 0);
    run_ok(RUN1);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(symlink(v2, cur), 0);
    run_ok(RUN2);
    mc_outdir_unlock();
    entries("v1", names, sizeof names);
    assert_string_equal(names, "run");
    entries("v1/run", names, sizeof names);
    assert_string_equal(names, "curve.csv manifest.json summary.csv");
    entries("v2", names, sizeof names);
    assert_string_equal(names, "");
}

/* A lock file left under its temporary name: removed when old and held
 * by nobody; kept, silently, while young or held (a run linking it). */
static void a_temporary_lock_file_is_removed_only_when_dead(void **st)
{
    (void)st;
    char p[1024], q[1024], w[4096] = "", names[512];
    put(".run.lock.Old111", "breakeven run lock\npid 1\n");
    put(".run.lock.Young1", "breakeven run lock\npid 2\n");
    put(".run.lock.Held11", "breakeven run lock\npid 3\n");
    at(p, sizeof p, ".run.lock.Old111");
    at(q, sizeof q, ".run.lock.Held11");
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, q, old, 0), 0);
    int fd = open(q, O_RDONLY);
    pid_t pid = fork();         /* flock locks are per open file: a child */
    assert_true(pid >= 0);
    if (pid == 0) {
        flock(fd, LOCK_EX);
        pause();
        _exit(0);
    }
    close(fd);
    usleep(100000);
    run_ok(RUN2);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    mc_outdir_warnings(w, sizeof w);
    assert_non_null(strstr(w, ".run.lock.Old111: removed, left by a breakeven "
                              "run that was killed"));
    assert_null(strstr(w, "Young1"));
    assert_null(strstr(w, "Held11"));
    entries("", names, sizeof names);
    assert_string_equal(names, ".run.lock.Held11 .run.lock.Young1 run");
}

/* A symbolic link in the path, switched during the run, moves nothing:
 * the run lands where the path led at its start, and its lock goes. */
static void a_link_switched_during_the_run_moves_nothing(void **st)
{
    (void)st;
    dir("v1");
    dir("v2");
    char cur[1024], v1[1024], v2[1024];
    at(cur, sizeof cur, "cur");
    at(v1, sizeof v1, "v1");
    at(v2, sizeof v2, "v2");
    assert_int_equal(symlink(v1, cur), 0);
    snprintf(target, sizeof target, "%s/cur/run", base);
    mc_outdir o;
    char msg[1200] = "";
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg), 0);
    write_run(&o, RUN2);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(symlink(v2, cur), 0);
    assert_int_equal(mc_outdir_commit(&o, msg, sizeof msg), 0);
    char names[512];
    entries("v1", names, sizeof names);
    assert_string_equal(names, "run");
    entries("v2", names, sizeof names);
    assert_string_equal(names, "");
}

/* ---- leftovers of killed runs ---------------------------------------------- */

/* A killed run's temporary folder: its journal names what it made. */
static void killed_run_folder(const char *name, const char *extra)
{
    char rel[300];
    dir(name);
    snprintf(rel, sizeof rel, "%s/.breakeven-partial", name);
    put(rel, "breakeven partial run folder\nf samples.csv\nd variants\n"
        "d variants/a\nf variants/a/summary.csv\n");
    snprintf(rel, sizeof rel, "%s/samples.csv", name);
    put(rel, "sample,x\n0,1\n");
    snprintf(rel, sizeof rel, "%s/variants", name);
    dir(rel);
    snprintf(rel, sizeof rel, "%s/variants/a", name);
    dir(rel);
    snprintf(rel, sizeof rel, "%s/variants/a/summary.csv", name);
    put(rel, "metric\n");
    if (extra != NULL) {
        snprintf(rel, sizeof rel, "%s/%s", name, extra);
        put(rel, "someone's\n");
    }
}

static void a_killed_runs_folder_is_removed_by_the_next_run(void **st)
{
    (void)st;
    killed_run_folder(".run.tmp.Ab12Cd", NULL);
    /* killed while the old run was being removed, after the swap */
    dir(".run.old.Zz99Zz");
    put(".run.old.Zz99Zz/summary.csv", "old\n");
    put(".run.old.Zz99Zz/manifest.json", "{\"program\": \"breakeven\", "
        "\"format\": 1, \"files\": [{\"name\": \"summary.csv\"}, "
        "{\"name\": \"curve.csv\"}]}\n");
    /* a killed run's lock file, no longer held */
    put(".run.lock", "breakeven run lock\npid 1\nhost h\nstarted s\n");
    run_ok(RUN2);
    char names[512], w[4096];
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
    /* each said, by name */
    assert_true(mc_outdir_warnings(w, sizeof w) > 0);
    assert_non_null(strstr(w, "/.run.tmp.Ab12Cd: removed, left by a "
                              "breakeven run that was killed\n"));
    assert_non_null(strstr(w, "/.run.old.Zz99Zz: removed, left by a "
                              "breakeven run that was killed\n"));
}

static void a_killed_runs_folder_with_foreign_files_is_reported(void **st)
{
    (void)st;
    killed_run_folder(".run.tmp.Ab12Cd", "notes.txt");
    /* names like a leftover's, but not mkdtemp's: not looked at */
    dir(".run.tmp.mine");
    put(".run.tmp.mine/samples.csv", "mine\n");
    put(".run.tmp.Zz11Yy", "a file, not a folder\n");
    /* a symbolic link to a folder of the user's, named like a leftover */
    dir("users");
    put("users/.breakeven-partial", "breakeven partial run folder\n"
        "f samples.csv\n");
    put("users/samples.csv", "the user's\n");
    char p[1024], q[1024];
    at(p, sizeof p, ".run.tmp.Ln99Ln");
    at(q, sizeof q, "users");
    assert_int_equal(symlink(q, p), 0);
    run_ok(RUN2);
    char w[4096], names[512];
    assert_true(mc_outdir_warnings(w, sizeof w) > 0);
    assert_non_null(strstr(w, ".run.tmp.Ab12Cd: left by a breakeven run that "
                              "was killed, not removed entirely: it holds "
                              "notes.txt, which breakeven did not write"));
    assert_non_null(strstr(w, ".run.tmp.Zz11Yy: named like a leftover of a "
                              "killed breakeven run, but not a folder: not "
                              "removed"));
    entries(".run.tmp.Ab12Cd", names, sizeof names);
    /* the journal stays with what it names: the next run can still tell */
    assert_string_equal(names, ".breakeven-partial notes.txt variants");
    assert_true(exists(".run.tmp.mine/samples.csv"));
    assert_true(exists("users/samples.csv"));
    assert_non_null(strstr(w, ".run.tmp.Ln99Ln: named like a leftover"));
    assert_true(exists(".run.tmp.Zz11Yy"));
}

static void a_run_killed_by_sigkill_is_cleaned_up_by_the_next(void **st)
{
    (void)st;
    run_ok(RUN1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mc_outdir o;
        char msg[512];
        if (mc_outdir_begin(&o, target, &guard, msg, sizeof msg) != 0)
            _exit(3);
        FILE *f = mc_outdir_open(&o, "samples.csv", msg, sizeof msg);
        if (f == NULL || mc_outdir_mkdir(&o, "variants", msg, sizeof msg))
            _exit(4);
        fputs("half a run", f);
        fflush(f);
        raise(SIGKILL);
        _exit(5);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    char names[512];
    entries("", names, sizeof names);
    assert_non_null(strstr(names, ".run.tmp."));
    assert_non_null(strstr(names, ".run.lock"));
    run_ok(RUN2);
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
}

static void an_interrupt_removes_the_run_being_written(void **st)
{
    (void)st;
    run_ok(RUN1);
    char *before = e2e_snapshot(base);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {          /* interrupt keeps its lock: in a child */
        mc_outdir o;
        char msg[512], t[4096], tmp[4096];
        if (mc_outdir_begin(&o, target, &guard, msg, sizeof msg) != 0)
            _exit(3);
        write_run(&o, RUN2);
        _exit(mc_outdir_interrupt(t, tmp, sizeof t) == MC_OUTDIR_REMOVED &&
                      strcmp(t, target) == 0 && strstr(tmp, ".run.tmp.")
                  ? 0 : 4);
    }
    assert_int_equal(e2e_wait(pid), 0);
    char *after = e2e_snapshot(base);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

/* ---- the commit -------------------------------------------------------------- */

static void a_target_changed_during_the_run_is_not_replaced(void **st)
{
    (void)st;
    run_ok(RUN1);
    mc_outdir o;
    char msg[2048] = "";
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg), 0);
    write_run(&o, RUN2);
    put("run/notes.txt", "written during the run\n");
    char *before = e2e_snapshot(target);
    assert_int_equal(mc_outdir_commit(&o, msg, sizeof msg), MC_OUTDIR_EREFUSED);
    assert_non_null(strstr(msg, "found notes.txt, which breakeven did not "
                                "write"));
    assert_non_null(strstr(msg, "(it changed during the run)"));
    abort_ok(&o);
    char *after = e2e_snapshot(target), names[512];
    assert_string_equal(after, before);
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
    free(before);
    free(after);
}

static void a_file_at_the_target_during_the_run_stops_the_commit(void **st)
{
    (void)st;
    mc_outdir o;
    char msg[1024] = "", want[1200];
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg), 0);
    write_run(&o, RUN2);
    put("run", "a file\n");
    assert_int_equal(mc_outdir_commit(&o, msg, sizeof msg), MC_OUTDIR_EIO);
    snprintf(want, sizeof want, "%s: expected a folder, found a file", target);
    assert_string_equal(msg, want);
    abort_ok(&o);
    entries("", want, sizeof want);
    assert_string_equal(want, "run");
}

static void an_old_run_that_cannot_be_removed_is_moved_into_view(void **st)
{
    (void)st;
    run_ok(RUN1);
    fail_unlink_name = "curve.csv";     /* variants/a/curve.csv, the old */
    char msg[2048] = "";
    assert_int_equal(run_into(target, RUN2, msg, sizeof msg),
                     MC_OUTDIR_EPREVIOUS);
    fail_unlink_name = NULL;
    assert_non_null(strstr(msg, "the new results are complete and in place, "
                                "but the previous run could not be removed "
                                "entirely (variants/a/curve.csv: Input/output "
                                "error); what is left of it is in "));
    char names[512];
    entries("", names, sizeof names);
    /* "run run.previous-XXXXXX": nothing hidden */
    assert_int_equal(strncmp(names, "run run.previous-", 17), 0);
    assert_int_equal(strlen(names), strlen("run run.previous-XXXXXX"));
    assert_non_null(strstr(msg, names + 4));
    char *t = text_of("run/curve.csv");
    assert_string_equal(t, "curve.csv of this run\n");
    free(t);
}

static void without_the_exchange_the_old_run_is_moved_aside_first(void **st)
{
    (void)st;
    run_ok(RUN1);
    no_exchange = 1;
    run_ok(RUN2);
    char names[512];
    entries("", names, sizeof names);
    assert_string_equal(names, "run");
    entries("run", names, sizeof names);
    assert_string_equal(names, "curve.csv manifest.json summary.csv");
}

static void a_file_the_manifest_does_not_list_is_an_internal_error(void **st)
{
    (void)st;
    mc_outdir o;
    char msg[1024] = "";
    assert_int_equal(mc_outdir_begin(&o, target, &guard, msg, sizeof msg), 0);
    FILE *f = mc_outdir_open(&o, "unlisted.csv", msg, sizeof msg);
    assert_non_null(f);
    assert_int_equal(mc_outdir_close(f, msg, sizeof msg), 0);
    write_run(&o, RUN2);
    assert_int_equal(mc_outdir_commit(&o, msg, sizeof msg),
                     MC_OUTDIR_EINTERNAL);
    assert_non_null(strstr(msg, "internal error"));
    assert_non_null(strstr(msg, "unlisted.csv"));
    abort_ok(&o);
    char names[512];
    entries("", names, sizeof names);
    assert_string_equal(names, "");
}

static void close_reports_a_failed_write(void **st)
{
    (void)st;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    fputs("data", f);
    char msg[256] = "", want[256];
    assert_int_equal(mc_outdir_close(f, msg, sizeof msg), -1);
    snprintf(want, sizeof want, "writing: %s", strerror(ENOSPC));
    assert_string_equal(msg, want);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_first_run_creates_its_folder_and_nothing_beside_it),
        T(a_run_replaces_exactly_the_files_of_the_run_before),
        T(an_empty_folder_is_replaced),
        T(a_manifest_without_format_is_an_earlier_version_of_ours),
        T(an_abort_keeps_the_old_run_and_leaves_nothing),
        T(a_folder_of_the_users_is_refused_and_untouched),
        T(a_run_with_one_more_file_is_refused),
        T(another_programs_manifest_is_refused),
        T(a_newer_manifest_format_is_refused),
        T(a_manifest_naming_a_path_outside_is_refused),
        T(a_symbolic_link_in_place_of_a_file_is_refused),
        T(a_symbolic_link_in_place_of_a_folder_is_refused),
        T(a_target_that_is_a_file_is_refused),
        T(a_parent_that_is_a_file_is_refused),
        T(dot_dot_after_a_missing_folder_is_refused),
        T(a_name_too_long_for_the_temporary_folder_is_refused),
        T(protected_folders_and_those_above_are_refused),
        T(a_folder_holding_a_mount_point_is_refused),
        T(a_mount_point_listed_as_a_run_folder_is_refused),
        T(a_target_that_is_a_mount_point_is_refused),
        T(a_run_holding_the_lock_keeps_others_out),
        T(a_lock_file_of_someone_elses_is_refused),
        T(a_name_like_a_temporary_folder_is_refused),
        T(a_fifo_in_a_leftover_does_not_block),
        T(a_mount_inside_a_leftover_is_not_entered),
        T(a_huge_manifest_is_refused),
        T(an_abort_that_cannot_remove_keeps_the_journal),
        T(the_commands_lock_holds_between_runs),
        T(a_link_switched_during_the_run_moves_nothing),
        T(a_link_switched_between_runs_moves_nothing),
        T(a_temporary_lock_file_is_removed_only_when_dead),
        T(a_killed_runs_folder_is_removed_by_the_next_run),
        T(a_killed_runs_folder_with_foreign_files_is_reported),
        T(a_run_killed_by_sigkill_is_cleaned_up_by_the_next),
        T(an_interrupt_removes_the_run_being_written),
        T(a_target_changed_during_the_run_is_not_replaced),
        T(a_file_at_the_target_during_the_run_stops_the_commit),
        T(an_old_run_that_cannot_be_removed_is_moved_into_view),
        T(without_the_exchange_the_old_run_is_moved_aside_first),
        T(a_file_the_manifest_does_not_list_is_an_internal_error),
        T(close_reports_a_failed_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
