/* mc_outdir.c: a run folder that appears complete or not at all.
 *
 * Files are written into "<parent>/.<name>.tmp.XXXXXX" (mkdtemp), closed
 * with fflush + fsync + fclose, and the folder is then renamed onto the
 * target.  When the target exists, Linux's renameat2(RENAME_EXCHANGE)
 * swaps the two folders in one step, so readers see the old results or
 * the new ones, never neither; the old ones, now under the temporary
 * name, are then deleted.  Where the file system lacks the exchange
 * (ENOSYS, EINVAL) the old folder is first moved aside, which leaves a
 * short moment with no target.
 *
 * Interruption.  The steps that change which folders exist (creating the
 * parents and the temporary folder, creating a file in it, the commit
 * from the swap to the removal of the old results, the abort) hold one
 * process-wide lock, and the run folder in progress is recorded under it
 * (live_*).  mc_outdir_interrupt, called by the thread that received a
 * signal, takes the lock and never gives it back: it sees either no
 * temporary folder, or one with every entry it will ever hold created,
 * or a finished commit, never a half-done step; it removes what the run
 * created, and the program then exits with the lock held, so the other
 * threads cannot change anything on disk meanwhile.  A run folder whose
 * parents had to be created removes them again on failure (if empty), so
 * a failed or interrupted run leaves no trace.
 */
#define _GNU_SOURCE             /* renameat2, RENAME_EXCHANGE, nftw */

#include "mc_results.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP sizeof ((mc_outdir *)0)->target

/* The run folder in progress (at most one per process: breakeven writes
 * one run), guarded by live_lock. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static int live_state = MC_OUTDIR_NONE;   /* NONE, WRITING or COMMITTED */
static char live_target[PATH_CAP];
static char live_tmp[PATH_CAP];
static char live_made[PATH_CAP];   /* shallowest parent folder this run
                                      created, "" if none */
static char live_parent[PATH_CAP];

static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
    if (!msg || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

static int copy_path(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* Splits path (no trailing slash) into its parent folder and last name. */
static int split_path(const char *path, char *parent, size_t pcap,
                      const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *base = path;
        return copy_path(parent, pcap, ".");
    }
    *base = slash + 1;
    size_t n = (size_t)(slash - path);
    if (n == 0)
        n = 1;                            /* "/name": the parent is "/" */
    if (n >= pcap)
        return -1;
    memcpy(parent, path, n);
    parent[n] = '\0';
    return 0;
}

/* mkdir -p: creates every missing folder of path (mode 0777 less umask).
 * made (PATH_CAP bytes) receives the shallowest folder created, or "". */
static int make_dirs(const char *path, char *made, char *msg, size_t len)
{
    char buf[PATH_CAP];
    made[0] = '\0';
    if (copy_path(buf, sizeof buf, path) != 0) {
        set_msg(msg, len, "%s: path too long", path);
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) == 0) {
            if (made[0] == '\0')
                copy_path(made, PATH_CAP, buf);
        } else {
            int e = errno;
            struct stat st;
            if (e != EEXIST) {
                set_msg(msg, len, "%s: cannot create folder: %s", buf,
                        strerror(e));
                return -1;
            }
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
                set_msg(msg, len, "%s: expected a folder, found a file",
                        buf);
                return -1;
            }
        }
        *p = c;
        if (c == '\0')
            return 0;
        while (p[1] == '/')
            p++;
    }
}

/* Removes the folders make_dirs created, deepest first: path is the
 * deepest, made the shallowest.  Stops at the first that is not empty. */
static void unmake_dirs(const char *path, const char *made)
{
    if (made[0] == '\0')
        return;
    char buf[PATH_CAP];
    if (copy_path(buf, sizeof buf, path) != 0)
        return;
    size_t stop = strlen(made);
    for (;;) {
        if (rmdir(buf) != 0 || strlen(buf) <= stop)
            return;
        char *slash = strrchr(buf, '/');
        if (!slash)
            return;
        while (slash > buf && slash[-1] == '/')
            slash--;
        *slash = '\0';
        if (strlen(buf) < stop)
            return;
    }
}

/* 0: absent; 1: a folder; -1: something else (msg set). */
static int target_kind(const char *target, char *msg, size_t len)
{
    struct stat st;
    if (lstat(target, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        set_msg(msg, len, "%s: %s", target, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return 1;
    set_msg(msg, len, "%s: expected a folder, found %s", target,
            S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
    return -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf path, without following symbolic links.  0 or -1 (errno). */
static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* fsync of a folder, so that renames inside it survive a crash.  The
 * close of a read-only descriptor cannot lose data: not checked. */
static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int mc_outdir_begin(mc_outdir *o, const char *target, char *msg, size_t len)
{
    char parent[sizeof o->target], made[sizeof o->target];
    const char *base;
    o->target[0] = o->tmp[0] = '\0';

    if (copy_path(o->target, sizeof o->target, target) != 0) {
        set_msg(msg, len, "%s: path too long", target);
        return -1;
    }
    size_t n = strlen(o->target);             /* "out/run/" -> "out/run" */
    while (n > 1 && o->target[n - 1] == '/')
        o->target[--n] = '\0';
    if (n == 0 || split_path(o->target, parent, sizeof parent, &base) != 0 ||
        base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        set_msg(msg, len, "'%s': expected a folder name", target);
        o->target[0] = '\0';
        return -1;
    }
    int w = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.XXXXXX", parent, base);
    if (w < 0 || (size_t)w >= sizeof o->tmp) {
        set_msg(msg, len, "%s: path too long", target);
        o->target[0] = o->tmp[0] = '\0';
        return -1;
    }

    pthread_mutex_lock(&live_lock);
    if (make_dirs(parent, made, msg, len) != 0 ||
        target_kind(o->target, msg, len) < 0) {
        unmake_dirs(parent, made);
        pthread_mutex_unlock(&live_lock);
        o->target[0] = o->tmp[0] = '\0';
        return -1;
    }
    if (!mkdtemp(o->tmp)) {
        int e = errno;
        set_msg(msg, len, "%s: cannot create a folder in it: %s", parent,
                strerror(e));
        unmake_dirs(parent, made);
        pthread_mutex_unlock(&live_lock);
        o->target[0] = o->tmp[0] = '\0';
        return -1;
    }
    live_state = MC_OUTDIR_WRITING;
    copy_path(live_target, sizeof live_target, o->target);
    copy_path(live_tmp, sizeof live_tmp, o->tmp);
    copy_path(live_made, sizeof live_made, made);
    copy_path(live_parent, sizeof live_parent, parent);
    pthread_mutex_unlock(&live_lock);

    /* mkdtemp makes it 0700; give the results a plain mkdir's mode.  A
     * failure only leaves the results private to their owner. */
    mode_t mask = umask(0);
    umask(mask);
    (void)chmod(o->tmp, 0777 & ~mask);
    return 0;
}

/* tmp/name into path (cap bytes): 0, or -1 with msg. */
static int in_tmp(const mc_outdir *o, const char *name, char *path,
                  size_t cap, char *msg, size_t len)
{
    int w = snprintf(path, cap, "%s/%s", o->tmp, name);
    if (w >= 0 && (size_t)w < cap)
        return 0;
    set_msg(msg, len, "%s/%s: path too long", o->tmp, name);
    return -1;
}

FILE *mc_outdir_open(const mc_outdir *o, const char *name, char *msg,
                     size_t len)
{
    char path[sizeof o->tmp + 256];
    if (in_tmp(o, name, path, sizeof path, msg, len) != 0)
        return NULL;
    pthread_mutex_lock(&live_lock);     /* no new entry once interrupted */
    FILE *f = fopen(path, "w");
    int e = errno;
    pthread_mutex_unlock(&live_lock);
    if (!f)
        set_msg(msg, len, "%s: cannot create it: %s", name, strerror(e));
    return f;
}

int mc_outdir_mkdir(const mc_outdir *o, const char *name, char *msg,
                    size_t len)
{
    char path[sizeof o->tmp + 256];
    if (in_tmp(o, name, path, sizeof path, msg, len) != 0)
        return -1;
    pthread_mutex_lock(&live_lock);     /* no new entry once interrupted */
    int rc = mkdir(path, 0777);
    int e = errno;
    pthread_mutex_unlock(&live_lock);
    if (rc != 0)
        set_msg(msg, len, "%s: cannot create it: %s", name, strerror(e));
    return rc;
}

int mc_outdir_sync_dir(const mc_outdir *o, const char *name, char *msg,
                       size_t len)
{
    char path[sizeof o->tmp + 256];
    if (in_tmp(o, name, path, sizeof path, msg, len) != 0)
        return -1;
    if (sync_dir(path) != 0) {
        set_msg(msg, len, "%s: fsync: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

int mc_outdir_close(FILE *f, char *msg, size_t len)
{
    const char *step = NULL;
    int e = 0;
    if (fflush(f) != 0) {
        step = "writing";
        e = errno;
    } else if (fsync(fileno(f)) != 0) {
        step = "fsync";
        e = errno;
    }
    if (fclose(f) != 0 && !step) {
        step = "closing";
        e = errno;
    }
    if (!step)
        return 0;
    set_msg(msg, len, "%s: %s", step, strerror(e));
    return -1;
}

/* The commit proper, with live_lock held. */
static int commit_locked(mc_outdir *o, const char *parent, const char *base,
                         char *msg, size_t len)
{
    int kind = target_kind(o->target, msg, len);
    if (kind < 0)
        return -1;
    if (kind == 0) {
        if (rename(o->tmp, o->target) == 0)
            return 0;
        if (errno != EEXIST && errno != ENOTEMPTY) {
            set_msg(msg, len, "%s: cannot rename %s: %s", o->target, o->tmp,
                    strerror(errno));
            return -1;
        }
        /* Someone created the target meanwhile: swap with it below. */
        if (target_kind(o->target, msg, len) < 0)
            return -1;
    }

    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target,
                  RENAME_EXCHANGE) == 0) {
        /* The old results, now under the temporary name.  The new ones
         * are in place whatever happens here; a failure leaves the old
         * ones behind under that name. */
        (void)remove_tree(o->tmp);
        return 0;
    }
    if (errno != ENOSYS && errno != EINVAL) {
        set_msg(msg, len, "%s: cannot exchange with %s: %s", o->target,
                o->tmp, strerror(errno));
        return -1;
    }

    /* No exchange here: move the old results aside (onto an empty folder
     * of our own), then move the new ones in. */
    char aside[sizeof o->tmp];
    int w = snprintf(aside, sizeof aside, "%s/.%s.old.XXXXXX", parent, base);
    if (w < 0 || (size_t)w >= sizeof aside || !mkdtemp(aside)) {
        set_msg(msg, len, "%s: cannot create a folder beside it: %s",
                o->target, strerror(errno));
        return -1;
    }
    if (rename(o->target, aside) != 0) {
        set_msg(msg, len, "%s: cannot rename to %s: %s", o->target, aside,
                strerror(errno));
        rmdir(aside);
        return -1;
    }
    if (rename(o->tmp, o->target) != 0) {
        int e = errno;
        if (rename(aside, o->target) == 0)    /* put the old ones back */
            set_msg(msg, len, "%s: cannot rename %s: %s", o->target, o->tmp,
                    strerror(e));
        else
            set_msg(msg, len, "%s: cannot rename %s: %s; the previous "
                    "results are in %s", o->target, o->tmp, strerror(e),
                    aside);
        return -1;
    }
    (void)remove_tree(aside);
    return 0;
}

int mc_outdir_commit(mc_outdir *o, char *msg, size_t len)
{
    char parent[sizeof o->target];
    const char *base;
    if (o->tmp[0] == '\0') {
        set_msg(msg, len, "%s: no run folder to commit", o->target);
        return -1;
    }
    split_path(o->target, parent, sizeof parent, &base);
    if (sync_dir(o->tmp) != 0) {
        set_msg(msg, len, "%s: fsync: %s", o->tmp, strerror(errno));
        return -1;
    }

    pthread_mutex_lock(&live_lock);
    if (commit_locked(o, parent, base, msg, len) != 0) {
        pthread_mutex_unlock(&live_lock);
        return -1;
    }
    live_state = MC_OUTDIR_COMMITTED;
    live_tmp[0] = live_made[0] = '\0';
    pthread_mutex_unlock(&live_lock);
    o->tmp[0] = '\0';
    /* Durability of the rename, best effort: the results are already in
     * place and complete, so a failure here is not reported as a failed
     * run. */
    (void)sync_dir(parent);
    return 0;
}

void mc_outdir_abort(mc_outdir *o)
{
    pthread_mutex_lock(&live_lock);
    if (o->tmp[0] != '\0') {
        (void)remove_tree(o->tmp);
        if (live_state == MC_OUTDIR_WRITING &&
            strcmp(live_tmp, o->tmp) == 0) {
            unmake_dirs(live_parent, live_made);
            live_state = MC_OUTDIR_NONE;
            live_tmp[0] = live_made[0] = '\0';
        }
    }
    pthread_mutex_unlock(&live_lock);
    o->tmp[0] = '\0';
}

int mc_outdir_interrupt(char *target, char *tmp, size_t cap)
{
    pthread_mutex_lock(&live_lock);          /* never unlocked: see above */
    int state = live_state;
    if (target != NULL && cap > 0)
        snprintf(target, cap, "%s", state == MC_OUTDIR_NONE ? "" : live_target);
    if (tmp != NULL && cap > 0)
        snprintf(tmp, cap, "%s", state == MC_OUTDIR_WRITING ? live_tmp : "");
    if (state != MC_OUTDIR_WRITING)
        return state;
    if (remove_tree(live_tmp) != 0 && errno != ENOENT)
        return MC_OUTDIR_LEFT;
    unmake_dirs(live_parent, live_made);
    return MC_OUTDIR_REMOVED;
}
