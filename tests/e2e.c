/* e2e.c: helpers shared by the end-to-end tests (see e2e.h). */
#define _XOPEN_SOURCE 700       /* nftw */
#include "e2e.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <time.h>

int e2e_make_temp_dir(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "/tmp/breakeven-%s-XXXXXX", name);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(buf) == NULL ? -1 : 0;
}

int e2e_remove_tree(const char *dir, int make_writable)
{
    char cmd[1200];
    if (make_writable)
        snprintf(cmd, sizeof cmd, "chmod -R u+rwX '%s'; rm -rf '%s'", dir,
                 dir);
    else
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

char *e2e_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (cap - n < 4096) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                fail_msg("%s: out of memory reading it", path);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        fail_msg("%s: cannot read it", path);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

/* In the child: the setup of opts, then exec; never returns. */
static void exec_child(char *const argv[], const e2e_spawn_opts *o)
{
    if (o->default_signals) {
        static const int fatal[] = {SIGHUP, SIGINT, SIGQUIT, SIGPIPE,
                                    SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
                                    SIGXCPU, SIGXFSZ};
        sigset_t none;
        for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
            signal(fatal[i], SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
    }
    if (o->dir != NULL && chdir(o->dir) != 0)
        _exit(126);
    int out = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(o->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(126);
    if (o->stdin_null) {
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, 0) < 0)
            _exit(126);
    }
    for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
        char name[64];
        const char *eq = strchr(o->env[i], '=');
        if (eq == NULL || (size_t)(eq - o->env[i]) >= sizeof name)
            _exit(126);
        memcpy(name, o->env[i], (size_t)(eq - o->env[i]));
        name[eq - o->env[i]] = '\0';
        setenv(name, eq + 1, 1);
    }
    execvp(argv[0], argv);
    _exit(127);
}

pid_t e2e_spawn(char *const argv[], const e2e_spawn_opts *opts)
{
    pid_t pid = fork();
    if (pid == 0)
        exec_child(argv, opts);
    return pid;
}

int e2e_wait(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int e2e_run(char *const argv[], const char *out_path, const char *err_path)
{
    const e2e_spawn_opts o = {.out_path = out_path, .err_path = err_path,
                              .stdin_null = 1};
    pid_t pid = e2e_spawn(argv, &o);
    return pid < 0 ? -1 : e2e_wait(pid);
}

int e2e_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- snapshots ---------------------------------------------------------- */

static struct {
    char **line;
    size_t n, cap;
    size_t root_len;
    int oom;
} snap;

static unsigned long long fnv_file(const char *path)
{
    unsigned long long h = 1469598103934665603ULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    int c;
    while ((c = getc(f)) != EOF)
        h = (h ^ (unsigned char)c) * 1099511628211ULL;
    fclose(f);
    return h;
}

static int snap_entry(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)flag;
    (void)ftw;
    char extra[4200] = "";
    if (S_ISREG(st->st_mode)) {
        snprintf(extra, sizeof extra, " %llx", fnv_file(path));
    } else if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        snprintf(extra, sizeof extra, " -> %s", target);
    }
    char line[8400];
    snprintf(line, sizeof line, "%s %o %lld%s", path + snap.root_len,
             (unsigned)st->st_mode, S_ISDIR(st->st_mode) ? 0LL
                                                          : (long long)st->st_size,
             extra);
    if (snap.n == snap.cap) {
        size_t cap = snap.cap ? 2 * snap.cap : 64;
        char **l = realloc(snap.line, cap * sizeof *l);
        if (l == NULL) {
            snap.oom = 1;
            return 1;
        }
        snap.line = l;
        snap.cap = cap;
    }
    if ((snap.line[snap.n] = strdup(line)) == NULL) {
        snap.oom = 1;
        return 1;
    }
    snap.n++;
    return 0;
}

char *e2e_snapshot(const char *dir)
{
    memset(&snap, 0, sizeof snap);
    snap.root_len = strlen(dir);
    int rc = nftw(dir, snap_entry, 16, FTW_PHYS);
    char *out = NULL;
    size_t total = 1;
    if (rc == 0 && !snap.oom) {
        qsort(snap.line, snap.n, sizeof *snap.line, e2e_cmp_str);
        for (size_t i = 0; i < snap.n; i++)
            total += strlen(snap.line[i]) + 1;
        out = malloc(total);
    }
    if (out != NULL) {
        char *p = out;
        for (size_t i = 0; i < snap.n; i++)
            p += sprintf(p, "%s\n", snap.line[i]);
        *p = '\0';
    }
    for (size_t i = 0; i < snap.n; i++)
        free(snap.line[i]);
    free(snap.line);
    memset(&snap, 0, sizeof snap);
    return out;
}

/* ---- folders -------------------------------------------------------------- */

void e2e_entries(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        fail_msg("%s: cannot read the folder", dir);
    char *name[256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 256;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            name[n++] = strdup(e->d_name);
    closedir(d);
    qsort(name, n, sizeof *name, e2e_cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, cap - used, "%s%s", i ? " " : "", name[i]);
        free(name[i]);
    }
}

int e2e_wait_for_writing(const char *dir, size_t min)
{
    struct timespec t0, now, pause = {0, 10000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        DIR *d = opendir(dir);
        if (d == NULL)
            return -1;
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (strncmp(e->d_name, ".run.tmp.", 9) != 0)
                continue;
            char p[4400];
            struct stat st;
            snprintf(p, sizeof p, "%s/%s/samples.csv", dir, e->d_name);
            if (stat(p, &st) == 0 && (size_t)st.st_size > min) {
                closedir(d);
                return 0;
            }
        }
        closedir(d);
        nanosleep(&pause, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - t0.tv_sec < 60);
    return -1;
}

static char mounts[4][4400];            /* recorded by e2e_mount */

void e2e_mount(const char *path)
{
    for (size_t i = 0; i < 4; i++)
        if (mounts[i][0] == '\0') {
            snprintf(mounts[i], sizeof mounts[i], "%s", path);
            return;
        }
    fail_msg("more than 4 mounts to undo");
}

int e2e_mount_tmpfs(const char *path)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=1m none '%s' "
             ">/dev/null 2>&1", path);
    if (geteuid() != 0 || system(cmd) != 0) {
        print_message("skipped: cannot mount a tmpfs here (needs root)\n");
        return -1;
    }
    e2e_mount(path);
    return 0;
}

void e2e_umount_all(void)
{
    for (size_t i = 4; i-- > 0;) {
        if (mounts[i][0] == '\0')
            continue;
        char cmd[9000];
        int n = snprintf(cmd, sizeof cmd, "umount '%s' 2>/dev/null || "
                         "umount -l '%s'", mounts[i], mounts[i]);
        if (n < 0 || (size_t)n >= sizeof cmd || system(cmd) != 0)
            print_message("could not unmount %s\n", mounts[i]);
        mounts[i][0] = '\0';
    }
}

void e2e_argv(const char **argv, size_t cap, int as_nobody, const char *exe,
              const char *const *args)
{
    size_t k = 0;
    if (as_nobody && geteuid() == 0) {
        argv[k++] = "setpriv";
        argv[k++] = "--reuid=65534";
        argv[k++] = "--regid=65534";
        argv[k++] = "--clear-groups";
    }
    argv[k++] = exe;
    for (size_t i = 0; args[i] != NULL && k + 1 < cap; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
}
