/* mc_outdir_lock.c: the lock file beside a run folder, and the leftovers
 * of killed runs.
 *
 * The lock is an flock on "<parent>/.NAME.lock", which the kernel releases
 * when the process dies, however it dies.  The file appears whole: it is
 * written and locked under a temporary name ".NAME.lock.XXXXXX" and then
 * linked into place (link fails if the name exists), so that another run
 * never sees it empty or unlocked while its owner is alive.  An existing
 * lock file that nobody holds is a dead run's; it is taken over only if it
 * is breakeven's (a regular file of one link starting with LOCK_HEAD).
 *
 * Holding the lock, a run knows that every ".NAME.tmp.XXXXXX",
 * ".NAME.old.XXXXXX" and ".NAME.lock.XXXXXX" beside the target is a dead
 * run's.  It removes the entries that the folder's journal (a run killed
 * while writing), or its manifest (an old run killed during its removal),
 * names, and reports whatever else is there. */
#define _GNU_SOURCE             /* mkostemp, O_NOFOLLOW */

#include "mc_outdir_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_HEAD "breakeven run lock\n"

static void lock_path(const mc_od_where *w, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/.%s.lock", w->canon_parent, w->base);
    if (n < 0 || (size_t)n >= cap)        /* check_lengths makes it fit */
        out[0] = '\0';
}

/* "pid 12 on host, started ..." from a lock file's text. */
static void lock_holder(int fd, char *out, size_t cap)
{
    char text[512] = "";
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    char pid[32] = "?", host[256] = "?", started[64] = "?";
    const char *p;
    if ((p = strstr(text, "\npid ")) != NULL)
        sscanf(p + 5, "%31s", pid);
    if ((p = strstr(text, "\nhost ")) != NULL)
        sscanf(p + 6, "%255s", host);
    if ((p = strstr(text, "\nstarted ")) != NULL)
        sscanf(p + 9, "%63s", started);
    snprintf(out, cap, "pid %s on %s, started %s", pid, host, started);
}

/* Opens an existing lock file without following a link or waiting on a
 * FIFO, and checks that it is breakeven's: a regular file of one link
 * (not a hard link to someone's file) that starts with LOCK_HEAD.
 * A descriptor; -1 with errno ENOENT (none); -2 (not breakeven's, msg);
 * -3 (an error, msg). */
static int open_lock(const char *path, const char *label, int flags,
                     char *msg, size_t len)
{
    int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return -1;
    struct stat st;
    char head[sizeof LOCK_HEAD] = "";
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_nlink == 1 &&
        pread(fd, head, sizeof head - 1, 0) == (ssize_t)sizeof head - 1 &&
        memcmp(head, LOCK_HEAD, sizeof head - 1) == 0)
        return fd;
    if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EIO ||
                   errno == ENOMEM || errno == EMFILE || errno == ENFILE)) {
        mc_od_msg(msg, len, "%s: expected to open %s, found an error (%s)",
                  label, path, strerror(errno));
        return -3;
    }
    if (fd >= 0)
        close(fd);
    mc_od_msg(msg, len, "%s: expected breakeven's lock file %s or none, "
              "found something breakeven did not write; nothing was changed "
              "(move it, or choose another folder)", label, path);
    return -2;
}

static int refuse_held(int fd, const char *label, const char *path,
                       char *msg, size_t len)
{
    char who[400];
    lock_holder(fd, who, sizeof who);
    mc_od_msg(msg, len, "%s: expected no other run writing it, found "
              "another breakeven run (%s) holding %s; wait for it to end or "
              "choose another folder", label, who, path);
    return MC_OUTDIR_EREFUSED;
}

int mc_od_check_lock(const mc_od_where *w, const char *label, char *msg,
                     size_t len)
{
    char path[MC_OD_PATH + 16];
    lock_path(w, path, sizeof path);
    int fd = open_lock(path, label, O_RDONLY, msg, len);
    if (fd == -1)
        return 0;
    if (fd < 0)
        return fd == -2 ? MC_OUTDIR_EREFUSED : MC_OUTDIR_EIO;
    int rc = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        rc = refuse_held(fd, label, path, msg, len);
    close(fd);
    return rc;
}

static int lock_text(char *text, size_t cap)
{
    char host[256] = "?", started[32];
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    for (char *c = host; *c; c++)
        if ((unsigned char)*c <= ' ')
            *c = '?';
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return snprintf(text, cap, LOCK_HEAD "pid %ld\nhost %s\nstarted %s\n",
                    (long)getpid(), host, started);
}

/* A lock file under a temporary name "path.XXXXXX" (into tmp): locked
 * first, so that a run cleaning leftovers never takes it for a dead
 * run's, then written, readable by all (another user's run can then see
 * who holds it).  The descriptor, or -1 with errno. */
static int new_lock_file(const char *path, char *tmp, size_t cap)
{
    char text[512];
    snprintf(tmp, cap, "%s.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = lock_text(text, sizeof text);
    if (flock(fd, LOCK_EX) != 0 || fchmod(fd, 0644) != 0 ||
        write(fd, text, (size_t)n) != n) {
        int e = errno != 0 ? errno : EIO;
        unlink(tmp);
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* A new lock file, whole: written and locked under a temporary name, then
 * linked to path.  The descriptor; -1 with errno EEXIST (path exists);
 * -3 (an error, msg). */
static int create_lock(const char *path, char *msg, size_t len)
{
    char tmp[MC_OD_PATH + 16];
    int fd = new_lock_file(path, tmp, sizeof tmp);
    int e = fd < 0 ? errno : 0;
    if (fd >= 0 && link(tmp, path) != 0)
        e = errno;
    if (fd >= 0)
        unlink(tmp);
    if (e == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    if (e == EEXIST || e == ENOENT) {    /* taken, or our temporary name */
        errno = EEXIST;                  /* removed by a cleaning run: */
        return -1;                       /* both are tried again */
    }
    mc_od_msg(msg, len, "%s: cannot create the lock file: %s", path,
              strerror(e));
    return -3;
}

int mc_od_take_lock(const mc_od_where *w, mc_od_lockfile *l, char *msg,
                    size_t len)
{
    char path[MC_OD_PATH];
    lock_path(w, path, sizeof path);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = create_lock(path, msg, len);
        if (fd == -3)
            return MC_OUTDIR_EIO;
        if (fd < 0) {
            /* an existing one: another run's, or a dead run's */
            fd = open_lock(path, w->target, O_RDONLY, msg, len);
            if (fd == -1)
                continue;                /* released meanwhile */
            if (fd < 0)
                return fd == -2 ? MC_OUTDIR_EREFUSED : MC_OUTDIR_EIO;
            if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
                int rc = errno == EWOULDBLOCK
                             ? refuse_held(fd, w->target, path, msg, len)
                             : MC_OUTDIR_EIO;
                if (rc == MC_OUTDIR_EIO)
                    mc_od_msg(msg, len, "%s: cannot lock it: %s", path,
                              strerror(errno));
                close(fd);
                return rc;
            }
            struct stat a, b;
            if (fstat(fd, &a) != 0 || lstat(path, &b) != 0 ||
                a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
                close(fd);               /* unlinked by its run meanwhile */
                continue;
            }
            /* a dead run's: replaced whole by a new one of ours (never
               rewritten in place, which a kill could leave empty) */
            char tmp[MC_OD_PATH + 16];
            int nfd = new_lock_file(path, tmp, sizeof tmp);
            if (nfd < 0 || rename(tmp, path) != 0) {
                mc_od_msg(msg, len, "%s: cannot replace the lock file of a "
                          "run that was killed: %s", path, strerror(errno));
                if (nfd >= 0) {
                    unlink(tmp);
                    close(nfd);
                }
                close(fd);
                return MC_OUTDIR_EIO;
            }
            close(fd);
            fd = nfd;
        }
        mc_od_copy_path(l->path, sizeof l->path, path);
        l->fd = fd;
        return 0;
    }
    mc_od_msg(msg, len, "%s: cannot lock it: it keeps being replaced", path);
    return MC_OUTDIR_EIO;
}

void mc_od_release_lock(mc_od_lockfile *l)
{
    if (l->fd < 0)
        return;
    struct stat a, b;
    /* unlinked while still held, and only if it is still ours at its path */
    if (fstat(l->fd, &a) == 0 && lstat(l->path, &b) == 0 &&
        a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        unlink(l->path);
    close(l->fd);
    l->fd = -1;
    l->path[0] = '\0';
}

/* ---- leftovers ------------------------------------------------------- */

static void warn(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 2 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used - 1, fmt, ap);
    va_end(ap);
    used = strlen(buf);
    buf[used] = '\n';
    buf[used + 1] = '\0';
}

/* A lock file left under its temporary name: removed if breakeven's and
 * held by nobody. */
static void clean_lock_leftover(const char *path, const char *shown,
                                char *wbuf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_nlink != 1) {
        if (fd >= 0)
            close(fd);
        warn(wbuf, cap, "%s: named like a leftover of a killed breakeven "
             "run, but not a lock file of breakeven's: not removed", shown);
        return;
    }
    /* held: a live run's, being linked into place; young: perhaps one
       between its creation and its lock (a few instructions) */
    char head[sizeof LOCK_HEAD] = "";
    ssize_t n = pread(fd, head, sizeof head - 1, 0);
    int ours = st.st_size == 0 ||
               (n == (ssize_t)sizeof head - 1 &&
                memcmp(head, LOCK_HEAD, sizeof head - 1) == 0);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || time(NULL) - st.st_mtime < 60) {
        close(fd);
        return;
    }
    if (ours && unlink(path) == 0)
        warn(wbuf, cap, "%s: removed, left by a breakeven run that was "
             "killed", shown);
    else if (!ours)
        warn(wbuf, cap, "%s: named like a leftover of a killed breakeven "
             "run, but not a lock file of breakeven's: not removed", shown);
    close(fd);
}

/* One leftover folder: removed when its journal or its manifest shows
 * every entry to be breakeven's, else reported. */
static void clean_leftover(const mc_od_where *w, const mc_outdir_guard *g,
                           const mc_names *mounts, const char *entry,
                           char *wbuf, size_t cap)
{
    char path[MC_OD_PATH + 300], shown[MC_OD_PATH + 300], why[1536];
    snprintf(path, sizeof path, "%s/%s", w->canon_parent, entry);
    snprintf(shown, sizeof shown, "%s/%s", w->parent, entry);
    for (char *c = shown; *c; c++)
        if ((unsigned char)*c < ' ')
            *c = '?';
    struct stat st, pt;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode) && strstr(entry + strlen(w->base), ".lock.")) {
        clean_lock_leftover(path, shown, wbuf, cap);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        warn(wbuf, cap, "%s: named like a leftover of a killed breakeven "
             "run, but not a folder: not removed", shown);
        return;
    }
    if (stat(w->canon_parent, &pt) != 0 || st.st_dev != pt.st_dev) {
        warn(wbuf, cap, "%s: left by a breakeven run that was killed, but "
             "not removed: it is on another file system", shown);
        return;
    }
    for (size_t i = 0; i < mounts->n; i++)
        if (mc_fs_at_or_above(path, mounts->v[i])) {
            warn(wbuf, cap, "%s: left by a breakeven run that was killed, "
                 "but not removed: the mount point %s is in it", shown,
                 mounts->v[i]);
            return;
        }
    mc_listing l = {0};
    if (mc_fs_read_journal(path, &l) != 0) {
        int kind = mc_fs_inspect(path, path, g->read_manifest, mounts, &l,
                                 why, sizeof why);
        if (kind != MC_FS_OWNED && kind != MC_FS_EMPTY) {
            warn(wbuf, cap, "%s: left by a breakeven run that was killed, "
                 "but not removed: %s", shown, why);
            return;
        }
    }
    if (mc_fs_remove_listed(path, path, mounts, &l, why, sizeof why) != 0)
        warn(wbuf, cap, "%s: left by a breakeven run that was killed, not "
             "removed entirely: %s", shown, why);
    else
        warn(wbuf, cap, "%s: removed, left by a breakeven run that was "
             "killed", shown);
    mc_listing_free(&l);
}

void mc_od_clean_leftovers(const mc_od_where *w, const mc_outdir_guard *g,
                           char *wbuf, size_t cap)
{
    DIR *d = opendir(w->canon_parent);
    if (d == NULL)
        return;
    mc_names mounts = {0}, found = {0};
    (void)mc_fs_mounts(&mounts);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (mc_od_leftover_shape(e->d_name, w->base))
            (void)mc_names_add(&found, e->d_name);
    closedir(d);
    for (size_t i = 0; i < found.n; i++)
        clean_leftover(w, g, &mounts, found.v[i], wbuf, cap);
    mc_names_free(&found);
    mc_names_free(&mounts);
}
