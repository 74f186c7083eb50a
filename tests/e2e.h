/* e2e.h: helpers shared by the end-to-end tests (test_cli, test_faults,
 * test_bad_scenarios, test_extreme), which run the breakeven binary and
 * read back what it wrote.  Built as the static library e2e
 * (tests/CMakeLists.txt); e2e_slurp reports failures through cmocka, so
 * call it from a cmocka test, setup or teardown. */
#ifndef BREAKEVEN_TESTS_E2E_H
#define BREAKEVEN_TESTS_E2E_H

#include <stddef.h>
#include <sys/types.h>

/* Makes a fresh folder "/tmp/breakeven-NAME-XXXXXX" (mkdtemp) and writes
 * its path into buf (size bytes).  Returns 0, or -1 if it cannot be made
 * or its path does not fit in buf. */
int e2e_make_temp_dir(char *buf, size_t size, const char *name);

/* Removes dir and everything below it (`rm -rf`), with make_writable
 * first giving its owner write access to all of it (`chmod -R u+rwX`, for
 * folders a test made read-only).  Returns system()'s status: 0 when
 * removed. */
int e2e_remove_tree(const char *dir, int make_writable);

/* The whole file at path, NUL-terminated, in a malloc'd string that the
 * caller frees.  It may hold NULs: *len (if len is not NULL) is its size
 * in bytes, without the terminating NUL.  Returns NULL if the file cannot
 * be opened; running out of memory or a read error fails the current
 * cmocka test. */
char *e2e_slurp(const char *path, size_t *len);

/* How e2e_spawn sets up the child before it runs the program. */
typedef struct e2e_spawn_opts {
    const char *dir;            /* working folder, or NULL: ours */
    const char *out_path;       /* stdout into this file (created or */
    const char *err_path;       /* truncated), stderr into this one;  */
                                /* relative paths are from dir        */
    int stdin_null;             /* stdin from /dev/null, else ours */
    int default_signals;        /* the fatal signals breakeven takes
                                   (SIGHUP ... SIGXFSZ) back to their
                                   defaults and no signal blocked, whatever
                                   the test runner set */
    const char *const *env;     /* "NAME=VALUE" entries set on top of our
                                   environment, NULL-terminated; or NULL */
} e2e_spawn_opts;

/* Starts argv[0] (looked up in PATH if it has no slash) with the
 * NULL-terminated argv, set up as opts says.  Returns the child's pid, or
 * -1 if fork fails.  A child that cannot be set up exits 126, one that
 * cannot exec argv[0] exits 127. */
pid_t e2e_spawn(char *const argv[], const e2e_spawn_opts *opts);

/* Waits for pid (retrying on EINTR).  Returns its exit code, or -1 if it
 * did not exit normally (a signal) or cannot be waited for. */
int e2e_wait(pid_t pid);

/* Runs argv (argv[0] a path) to the end, stdin from /dev/null, stdout and
 * stderr into the files out_path and err_path.  Returns the exit code, or
 * -1 if the program did not exit normally or could not be started. */
int e2e_run(char *const argv[], const char *out_path, const char *err_path);

/* Every entry below dir, one sorted line each: its path relative to dir,
 * its kind, mode and size, a hash of a file's bytes, a link's target; so
 * that two snapshots are equal exactly when nothing below dir changed
 * (times aside).  malloc'd, for the caller to free; NULL if dir cannot be
 * read.  Symbolic links are not followed. */
char *e2e_snapshot(const char *dir);

/* The names in dir (hidden ones included, "." and ".." not), sorted and
 * space-separated, into out (cap bytes); fails the cmocka test if dir
 * cannot be read. */
void e2e_entries(const char *dir, char *out, size_t cap);

/* Waits up to 60 s for a folder "<dir>/.run.tmp.*" whose samples.csv
 * holds more than min bytes (a run writing into dir/run).  0 when found,
 * -1 on timeout. */
int e2e_wait_for_writing(const char *dir, size_t min);

/* Mounts a 1 MiB tmpfs at path: 0, or -1 (with a printed reason) where
 * this process may not (it needs root).  e2e_mount records it, or a mount
 * made otherwise (mount --bind), and e2e_umount_all undoes every one
 * recorded (in a teardown). */
int e2e_mount_tmpfs(const char *path);
void e2e_mount(const char *path);
void e2e_umount_all(void);

/* argv (cap entries) for exe with the NULL-terminated args, run as user
 * nobody (65534) through setpriv when as_nobody and this process is root. */
void e2e_argv(const char **argv, size_t cap, int as_nobody, const char *exe,
              const char *const *args);

/* qsort/bsearch comparison of two `const char *` by strcmp. */
int e2e_cmp_str(const void *a, const void *b);

#endif
