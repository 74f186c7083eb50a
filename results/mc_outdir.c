/* mc_outdir.c: a run folder that appears complete or not at all, and that
 * replaces only what breakeven wrote.
 *
 * Files are written into "<parent>/.<name>.tmp.XXXXXX" (mkdtemp), closed
 * with fflush + fsync + fclose, and the folder is then renamed onto the
 * target.  When the target exists, Linux's renameat2(RENAME_EXCHANGE)
 * swaps the two folders in one step, so readers see the old results or
 * the new ones, never neither; the old ones, now under the temporary
 * name, are then removed file by file, as their manifest lists them.
 * Where the file system lacks the exchange (ENOSYS, EINVAL) the old
 * folder is first moved aside, which leaves a short moment with no target.
 *
 * Ownership.  The target is replaced only when it is absent, an empty
 * folder, or a folder whose manifest.json (program "breakeven") lists
 * every file in it (mc_outdir_fs.c); it is checked before the run and
 * again at the commit.  Anything else is refused and left untouched: a
 * batch tool pointed at folders by hand must never remove a user's file.
 *
 * Killed runs.  While a run writes, it holds an flock on
 * "<parent>/.<name>.lock" (released by the kernel when the process dies)
 * and keeps a journal in its temporary folder of every entry it creates.
 * The next run into the same target, holding the lock, knows that any
 * ".<name>.tmp.*" or ".<name>.old.*" beside it is a dead run's, and
 * removes the entries its journal (or manifest) names; whatever else is
 * there is reported, not removed.
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
#define _GNU_SOURCE             /* renameat2, RENAME_EXCHANGE, O_NOFOLLOW */

#include "mc_outdir_fs.h"
#include "mc_results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_CAP sizeof ((mc_outdir *)0)->target
/* What the temporary folder adds to the target's name: ".", ".tmp.XXXXXX" */
#define NAME_EXTRA 12
#define LOCK_HEAD "breakeven run lock\n"

/* The run folder in progress (at most one per process: breakeven writes
 * one run at a time), guarded by live_lock. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static int live_state = MC_OUTDIR_NONE;   /* NONE, WRITING or COMMITTED */
static char live_target[PATH_CAP];
static char live_tmp[PATH_CAP];
static char live_made[PATH_CAP];   /* shallowest parent folder this run
                                      created, "" if none */
static char live_parent[PATH_CAP];
static char live_lockfile[PATH_CAP];
static int live_lockfd = -1;
static int live_journal = -1;      /* the journal, open for appending */
static mc_listing live_created;    /* entries created in live_tmp */
static const mc_outdir_guard *live_guard;
static char live_warn[2048];

static void set_msg(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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

/* ---- the checks ------------------------------------------------------- */

/* The target without trailing slashes, its parent and last name. */
typedef struct where {
    char target[PATH_CAP];
    char parent[PATH_CAP];
    const char *base;               /* into target */
    char canon[PATH_CAP];           /* target's canonical path */
    char canon_parent[PATH_CAP];
} where;

static int check_protected(const where *w, const mc_outdir_guard *g,
                           const char *label, char *msg, size_t len);

/* Fills *w for target; g, if not NULL, names the protected folders that
 * explain a refusal of ".", ".." or "/" better than their form. */
static int locate(where *w, const char *target, const char *label,
                  const mc_outdir_guard *g, char *msg, size_t len)
{
    if (copy_path(w->target, sizeof w->target, target) != 0) {
        set_msg(msg, len, "%s: path too long", label);
        return MC_OUTDIR_EIO;
    }
    size_t n = strlen(w->target);             /* "out/run/" -> "out/run" */
    while (n > 1 && w->target[n - 1] == '/')
        w->target[--n] = '\0';
    char why[PATH_CAP + 256];
    if (n == 0 || mc_fs_canonical(w->target, w->canon, sizeof w->canon, why,
                                  sizeof why) != 0) {
        set_msg(msg, len, "%s: %s", label, n == 0 ? "expected a path" : why);
        return MC_OUTDIR_EIO;
    }
    if (split_path(w->target, w->parent, sizeof w->parent, &w->base) != 0 ||
        w->base[0] == '\0' || strcmp(w->base, ".") == 0 ||
        strcmp(w->base, "..") == 0) {
        /* ".", "..", "/": a protected folder says more, if it applies */
        int rc = g != NULL ? check_protected(w, g, label, msg, len) : 0;
        if (rc == 0)
            set_msg(msg, len, "%s: expected a path that ends in a folder "
                    "name, found '%s'", label, target);
        return rc != 0 ? rc : MC_OUTDIR_EIO;
    }
    if (mc_fs_canonical(w->parent, w->canon_parent, sizeof w->canon_parent,
                        why, sizeof why) != 0) {
        set_msg(msg, len, "%s: %s", label, why);
        return MC_OUTDIR_EIO;
    }
    return 0;
}

/* NAME_MAX of the file system the temporary folder will be made on: that
 * of the deepest existing folder above the target. */
static long name_max(const char *canon_parent)
{
    char buf[PATH_CAP];
    copy_path(buf, sizeof buf, canon_parent);
    for (;;) {
        long m = pathconf(buf, _PC_NAME_MAX);
        char *slash = strrchr(buf, '/');
        if (m > 0 || slash == NULL)
            return m > 0 ? m : NAME_MAX;
        slash[slash == buf] = '\0';      /* "/a" -> "/", "/a/b" -> "/a" */
    }
}

/* Names and lengths that would fail only at the end: the temporary
 * folder's name and the longest path the run writes into it. */
static int check_lengths(const where *w, const mc_outdir_guard *g,
                         const char *label, char *msg, size_t len)
{
    long nm = name_max(w->canon_parent);
    size_t base = strlen(w->base);
    if ((long)(base + NAME_EXTRA) > nm) {
        set_msg(msg, len, "%s: expected a folder name of at most %ld bytes "
                "(this file system allows %ld, and the temporary folder "
                "'.NAME.tmp.XXXXXX' beside it adds %d), found %zu bytes",
                label, nm - NAME_EXTRA, nm, NAME_EXTRA, base);
        return MC_OUTDIR_EIO;
    }
    size_t longest = strlen(w->parent) + 1 + base + NAME_EXTRA + 1 +
                     (g->longest_entry > 0 ? g->longest_entry : 32);
    size_t canon_longest = strlen(w->canon) + NAME_EXTRA + 1 +
                           (g->longest_entry > 0 ? g->longest_entry : 32);
    size_t cap = PATH_CAP < PATH_MAX ? PATH_CAP : PATH_MAX;
    if (longest >= cap || canon_longest >= cap) {
        set_msg(msg, len, "%s: expected a path short enough for the run's "
                "files (at most %zu bytes with them), found %zu bytes", label,
                cap - 1, longest > canon_longest ? longest : canon_longest);
        return MC_OUTDIR_EIO;
    }
    return 0;
}

/* The target may be neither one of the protected folders nor above one. */
static int check_protected(const where *w, const mc_outdir_guard *g,
                           const char *label, char *msg, size_t len)
{
    for (size_t i = 0; i < sizeof g->protect / sizeof g->protect[0] &&
                       g->protect[i].path != NULL; i++) {
        char real[PATH_MAX];
        if (realpath(g->protect[i].path, real) == NULL)
            continue;
        if (!mc_fs_at_or_above(w->canon, real))
            continue;
        set_msg(msg, len, "%s: expected a folder of its own for the run, "
                "found %s %s (%s); breakeven replaces its run folder as a "
                "whole, so it must not be %s or a folder above it", label,
                strcmp(w->canon, real) == 0 ? "that it is" : "that it holds",
                g->protect[i].what, real, g->protect[i].what);
        return MC_OUTDIR_EREFUSED;
    }
    return 0;
}

/* A rename in a sticky folder (like /tmp) needs the entry's or the
 * folder's owner. */
static int check_sticky(const where *w, const char *label, char *msg,
                        size_t len)
{
    struct stat p, t;
    uid_t me = geteuid();
    if (me == 0 || lstat(w->target, &t) != 0 || stat(w->parent, &p) != 0 ||
        !(p.st_mode & S_ISVTX) || t.st_uid == me || p.st_uid == me)
        return 0;
    set_msg(msg, len, "%s: expected a folder this user may replace, found "
            "one of user %u in %s, a sticky folder (like /tmp) of user %u, "
            "where only they may rename it", label, (unsigned)t.st_uid,
            w->parent, (unsigned)p.st_uid);
    return MC_OUTDIR_EIO;
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

/* The lock file's path; check_lengths has made sure that it fits. */
static void lock_path(const where *w, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/.%s.lock", w->parent, w->base);
    if (n < 0 || (size_t)n >= cap)
        out[0] = '\0';
}

/* Whether another run holds the target's lock (changes nothing). */
static int check_not_locked(const where *w, const char *label, char *msg,
                            size_t len)
{
    char path[PATH_CAP + 16];
    lock_path(w, path, sizeof path);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int rc = 0;
    char head[sizeof LOCK_HEAD] = "";
    ssize_t n = pread(fd, head, sizeof head - 1, 0);
    struct stat st;
    if (fstat(fd, &st) == 0 && (!S_ISREG(st.st_mode) ||
        (st.st_size > 0 && (n != (ssize_t)sizeof head - 1 ||
                            memcmp(head, LOCK_HEAD, sizeof head - 1) != 0)))) {
        set_msg(msg, len, "%s: expected breakeven's lock file or none, "
                "found a file breakeven did not write; nothing was changed "
                "(move it, or choose another folder)", path);
        rc = MC_OUTDIR_EREFUSED;
    } else if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        char who[400];
        lock_holder(fd, who, sizeof who);
        set_msg(msg, len, "%s: expected no other run writing it, found "
                "another breakeven run (%s) holding %s; wait for it to end or "
                "choose another folder", label, who, path);
        rc = MC_OUTDIR_EREFUSED;
    }
    close(fd);
    return rc;
}

/* What is at the target: 0 (absent, empty or breakeven's; *owned then
 * lists the files an earlier run wrote) or an error. */
static int check_target(const where *w, const mc_outdir_guard *g,
                        const char *label, mc_listing *owned, char *msg,
                        size_t len)
{
    mc_names mounts = {0};
    if (mc_fs_mounts(&mounts) != 0) {
        set_msg(msg, len, "%s: out of memory", label);
        return MC_OUTDIR_EIO;
    }
    char why[1536];
    int kind = mc_fs_inspect(w->target, w->canon, g->read_manifest, &mounts,
                             owned, why, sizeof why);
    mc_names_free(&mounts);
    switch (kind) {
    case MC_FS_ABSENT:
    case MC_FS_EMPTY:
    case MC_FS_OWNED:
        return 0;
    case MC_FS_FOREIGN:
        set_msg(msg, len, "%s: expected an empty folder or an earlier run of "
                "breakeven's, %s; nothing was changed (move them, or choose "
                "another folder)", label, why);
        return MC_OUTDIR_EREFUSED;
    case MC_FS_MOUNT:
        set_msg(msg, len, "%s: expected a folder on one file system, %s; "
                "nothing was changed (choose another folder)", label, why);
        return MC_OUTDIR_EREFUSED;
    default:
        set_msg(msg, len, "%s: %s", label, why);
        return MC_OUTDIR_EIO;
    }
}

/* Every check that changes nothing, in the order a user would fix them. */
static int preflight(const where *w, const mc_outdir_guard *g,
                     const char *label, mc_listing *owned, char *msg,
                     size_t len)
{
    int rc;
    if ((rc = check_lengths(w, g, label, msg, len)) != 0 ||
        (rc = check_protected(w, g, label, msg, len)) != 0 ||
        (rc = check_not_locked(w, label, msg, len)) != 0 ||
        (rc = check_sticky(w, label, msg, len)) != 0 ||
        (rc = check_target(w, g, label, owned, msg, len)) != 0)
        return rc;
    return 0;
}

int mc_outdir_check(const char *target, const char *label,
                    const mc_outdir_guard *g, char *msg, size_t len)
{
    where w;
    int rc = locate(&w, target, label, g, msg, len);
    if (rc != 0)
        return rc;
    mc_listing owned = {0};
    rc = preflight(&w, g, label, &owned, msg, len);
    mc_listing_free(&owned);
    return rc;
}

/* ---- lock file and leftovers ------------------------------------------ */

/* Takes the target's lock file: created if absent, refused if another
 * run holds it or if it is not breakeven's.  A lock file unlinked by the
 * run that held it, between our open and our flock, is no lock: the
 * inode must still be the one at that path. */
static int take_lock(const where *w, char *msg, size_t len)
{
    char path[PATH_CAP];
    lock_path(w, path, sizeof path);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
            set_msg(msg, len, "%s: cannot create the lock file: %s", path,
                    strerror(errno));
            return MC_OUTDIR_EIO;
        }
        struct stat a, b;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            char who[400];
            lock_holder(fd, who, sizeof who);
            close(fd);
            if (e != EWOULDBLOCK) {
                set_msg(msg, len, "%s: cannot lock it: %s", path, strerror(e));
                return MC_OUTDIR_EIO;
            }
            set_msg(msg, len, "%s: expected no other run writing it, found "
                    "another breakeven run (%s) holding %s; wait for it to end "
                    "or choose another folder", w->target, who, path);
            return MC_OUTDIR_EREFUSED;
        }
        if (fstat(fd, &a) != 0 || lstat(path, &b) != 0 ||
            a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
            close(fd);
            continue;
        }
        char head[sizeof LOCK_HEAD] = "";
        ssize_t n = pread(fd, head, sizeof head - 1, 0);
        if (!S_ISREG(a.st_mode) ||
            (a.st_size > 0 && (n != (ssize_t)sizeof head - 1 ||
                               memcmp(head, LOCK_HEAD, sizeof head - 1) != 0))) {
            close(fd);
            set_msg(msg, len, "%s: expected breakeven's lock file or none, "
                    "found a file breakeven did not write; nothing was "
                    "changed (move it, or choose another folder)", path);
            return MC_OUTDIR_EREFUSED;
        }
        char host[256] = "?", text[1024], started[32];
        gethostname(host, sizeof host);
        host[sizeof host - 1] = '\0';
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
        int tn = snprintf(text, sizeof text, LOCK_HEAD "pid %ld\nhost %s\n"
                          "started %s\n", (long)getpid(), host, started);
        if (ftruncate(fd, 0) != 0 ||
            pwrite(fd, text, (size_t)tn, 0) != (ssize_t)tn) {
            set_msg(msg, len, "%s: cannot write the lock file: %s", path,
                    strerror(errno));
            unlink(path);
            close(fd);
            return MC_OUTDIR_EIO;
        }
        copy_path(live_lockfile, sizeof live_lockfile, path);
        live_lockfd = fd;
        return 0;
    }
    set_msg(msg, len, "%s: cannot lock it: it keeps being replaced", path);
    return MC_OUTDIR_EIO;
}

/* Unlinked while still held, so that no other run can lock the old inode
 * and believe it holds the lock. */
static void release_lock(void)
{
    if (live_lockfd < 0)
        return;
    unlink(live_lockfile);
    close(live_lockfd);
    live_lockfd = -1;
    live_lockfile[0] = '\0';
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warn(const char *fmt, ...)
{
    size_t used = strlen(live_warn);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(live_warn + used, sizeof live_warn - used, fmt, ap);
    va_end(ap);
    used = strlen(live_warn);
    if (used + 1 < sizeof live_warn)
        snprintf(live_warn + used, sizeof live_warn - used, "\n");
}

/* ".NAME.tmp.XXXXXX" or ".NAME.old.XXXXXX" as mkdtemp makes them. */
static int is_leftover_name(const char *entry, const char *base)
{
    size_t b = strlen(base);
    if (entry[0] != '.' || strncmp(entry + 1, base, b) != 0)
        return 0;
    const char *s = entry + 1 + b;
    if (strncmp(s, ".tmp.", 5) != 0 && strncmp(s, ".old.", 5) != 0)
        return 0;
    s += 5;
    return strlen(s) == 6 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789") == 6;
}

/* One leftover: removed when its journal or its manifest shows every
 * entry to be breakeven's, else reported. */
static void clean_leftover(const where *w, const mc_outdir_guard *g,
                           const mc_names *mounts, const char *entry)
{
    char path[PATH_CAP + NAME_MAX + 2], canon[PATH_CAP + NAME_MAX + 2];
    char why[1536];
    snprintf(path, sizeof path, "%s/%s", w->parent, entry);
    snprintf(canon, sizeof canon, "%s/%s", w->canon_parent, entry);
    mc_listing l = {0};
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISDIR(lst.st_mode)) {
        warn("%s: named like a leftover of a killed breakeven run, but not a "
             "folder: not removed", path);
        return;
    }
    int ok = mc_fs_read_journal(path, &l) == 0;
    if (!ok) {
        int kind = mc_fs_inspect(path, canon, g->read_manifest, mounts, &l,
                                 why, sizeof why);
        ok = kind == MC_FS_OWNED || kind == MC_FS_EMPTY;
        if (!ok) {
            warn("%s: left by a breakeven run that was killed, but not "
                 "removed: %s", path, why);
            return;
        }
    } else {
        struct stat st, pt;
        if (lstat(path, &st) != 0 || stat(w->parent, &pt) != 0 ||
            st.st_dev != pt.st_dev || mc_names_has(mounts, canon)) {
            warn("%s: left by a breakeven run that was killed, but not "
                 "removed: it is on another file system", path);
            mc_listing_free(&l);
            return;
        }
    }
    if (mc_fs_remove_listed(path, &l, why, sizeof why) != 0)
        warn("%s: left by a breakeven run that was killed, not removed "
             "entirely: %s", path, why);
    mc_listing_free(&l);
}

/* With the lock held, every leftover beside the target is a dead run's. */
static void clean_leftovers(const where *w, const mc_outdir_guard *g)
{
    DIR *d = opendir(w->parent);
    if (d == NULL)
        return;
    mc_names mounts = {0}, found = {0};
    (void)mc_fs_mounts(&mounts);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (is_leftover_name(e->d_name, w->base))
            (void)mc_names_add(&found, e->d_name);
    closedir(d);
    for (size_t i = 0; i < found.n; i++)
        clean_leftover(w, g, &mounts, found.v[i]);
    mc_names_free(&found);
    mc_names_free(&mounts);
}

size_t mc_outdir_warnings(char *buf, size_t cap)
{
    pthread_mutex_lock(&live_lock);
    size_t n = strlen(live_warn);
    if (cap > 0)
        snprintf(buf, cap, "%s", live_warn);
    pthread_mutex_unlock(&live_lock);
    return n;
}

/* ---- writing ---------------------------------------------------------- */

/* Appends "f name" or "d name" to the journal and the in-memory list,
 * before the entry is created: a run killed at any point leaves a folder
 * whose entries are all named by its journal.  Needs live_lock. */
static int journal_add(char kind, const char *name, char *msg, size_t len)
{
    if (strchr(name, '\n') != NULL || live_journal < 0) {
        set_msg(msg, len, "%s: not a name breakeven writes", name);
        return -1;
    }
    char line[PATH_CAP + 4];
    int n = snprintf(line, sizeof line, "%c %s\n", kind, name);
    int rc = kind == 'f' ? mc_listing_add_file(&live_created, name)
                         : mc_listing_add_dir(&live_created, name);
    if (rc != 0) {
        set_msg(msg, len, "%s: not a name breakeven writes, or out of memory",
                name);
        return -1;
    }
    if (write(live_journal, line, (size_t)n) != (ssize_t)n) {
        set_msg(msg, len, "%s: cannot write: %s", MC_FS_JOURNAL,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* Whether o is this process's run folder in progress (MPI ranks other
 * than 0 write into rank 0's folder without owning it). */
static int is_live(const mc_outdir *o)
{
    return live_state == MC_OUTDIR_WRITING && strcmp(live_tmp, o->tmp) == 0;
}

/* Creates the temporary folder and its journal, with live_lock held. */
static int make_tmp(mc_outdir *o, const where *w, char *msg, size_t len)
{
    int n = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.XXXXXX", w->parent,
                     w->base);
    if (n < 0 || (size_t)n >= sizeof o->tmp || mkdtemp(o->tmp) == NULL) {
        set_msg(msg, len, "%s: cannot create a folder in it: %s", w->parent,
                strerror(errno));
        o->tmp[0] = '\0';
        return MC_OUTDIR_EIO;
    }
    char path[PATH_CAP + 32];
    snprintf(path, sizeof path, "%s/" MC_FS_JOURNAL, o->tmp);
    live_journal = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
                        O_NOFOLLOW | O_CLOEXEC, 0644);
    if (live_journal < 0 ||
        write(live_journal, MC_FS_JOURNAL_HEAD,
              sizeof MC_FS_JOURNAL_HEAD - 1) !=
            (ssize_t)sizeof MC_FS_JOURNAL_HEAD - 1) {
        set_msg(msg, len, "%s: cannot write: %s", path, strerror(errno));
        if (live_journal >= 0)
            close(live_journal);
        live_journal = -1;
        unlink(path);
        rmdir(o->tmp);
        o->tmp[0] = '\0';
        return MC_OUTDIR_EIO;
    }
    mc_listing_add_file(&live_created, MC_FS_JOURNAL);
    return 0;
}

/* Undoes a begin that got as far as the lock (live_lock held). */
static void undo_begin(const where *w, const char *made)
{
    release_lock();
    unmake_dirs(w->parent, made);
    mc_listing_free(&live_created);
}

int mc_outdir_begin(mc_outdir *o, const char *target,
                    const mc_outdir_guard *g, char *msg, size_t len)
{
    where w;
    char made[PATH_CAP];
    o->target[0] = o->tmp[0] = '\0';
    int rc = locate(&w, target, target, g, msg, len);
    mc_listing owned = {0};
    if (rc == 0)
        rc = preflight(&w, g, w.target, &owned, msg, len);
    mc_listing_free(&owned);
    if (rc != 0)
        return rc;

    pthread_mutex_lock(&live_lock);
    live_warn[0] = '\0';
    if (make_dirs(w.parent, made, msg, len) != 0) {
        unmake_dirs(w.parent, made);
        pthread_mutex_unlock(&live_lock);
        return MC_OUTDIR_EIO;
    }
    if ((rc = take_lock(&w, msg, len)) != 0) {
        unmake_dirs(w.parent, made);
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    clean_leftovers(&w, g);
    /* again, now that no other run can change it */
    if ((rc = check_target(&w, g, w.target, &owned, msg, len)) != 0 ||
        (rc = make_tmp(o, &w, msg, len)) != 0) {
        mc_listing_free(&owned);
        undo_begin(&w, made);
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    mc_listing_free(&owned);
    copy_path(o->target, sizeof o->target, w.target);
    live_state = MC_OUTDIR_WRITING;
    live_guard = g;
    copy_path(live_target, sizeof live_target, o->target);
    copy_path(live_tmp, sizeof live_tmp, o->tmp);
    copy_path(live_made, sizeof live_made, made);
    copy_path(live_parent, sizeof live_parent, w.parent);
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
    FILE *f = NULL;
    int e = 0;
    if (!is_live(o) || journal_add('f', name, msg, len) == 0) {
        f = fopen(path, "w");
        e = errno;
        if (!f)
            set_msg(msg, len, "%s: cannot create it: %s", name, strerror(e));
    }
    pthread_mutex_unlock(&live_lock);
    return f;
}

int mc_outdir_note(const mc_outdir *o, const char *name, char *msg,
                   size_t len)
{
    pthread_mutex_lock(&live_lock);
    int rc = is_live(o) ? journal_add('f', name, msg, len) : 0;
    pthread_mutex_unlock(&live_lock);
    return rc;
}

int mc_outdir_mkdir(const mc_outdir *o, const char *name, char *msg,
                    size_t len)
{
    char path[sizeof o->tmp + 256];
    if (in_tmp(o, name, path, sizeof path, msg, len) != 0)
        return -1;
    pthread_mutex_lock(&live_lock);     /* no new entry once interrupted */
    int rc = is_live(o) ? journal_add('d', name, msg, len) : 0;
    if (rc == 0 && (rc = mkdir(path, 0777)) != 0)
        set_msg(msg, len, "%s: cannot create it: %s", name, strerror(errno));
    pthread_mutex_unlock(&live_lock);
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

/* ---- commit ----------------------------------------------------------- */

/* What remains of the previous run, at path, goes to a visible name
 * "<target>.previous-XXXXXX": never left hidden.  The message says where. */
static void park_previous(const char *path, const char *target,
                          const char *cause, char *msg, size_t len)
{
    char visible[PATH_CAP + 32];
    snprintf(visible, sizeof visible, "%s.previous-XXXXXX", target);
    if (mkdtemp(visible) != NULL && rename(path, visible) == 0) {
        set_msg(msg, len, "%s: the new results are complete and in place, "
                "but the previous run could not be removed entirely (%s); "
                "what is left of it is in %s", target, cause, visible);
        return;
    }
    rmdir(visible);
    set_msg(msg, len, "%s: the new results are complete and in place, but "
            "the previous run could not be removed entirely (%s); what is "
            "left of it is in %s", target, cause, path);
}

/* After the swap: the old run, now at path, loses exactly its files. */
static int remove_previous(const char *path, const char *target,
                           const mc_listing *old, char *msg, size_t len)
{
    char why[1024];
    if (mc_fs_remove_listed(path, old, why, sizeof why) == 0)
        return 0;
    park_previous(path, target, why, msg, len);
    return MC_OUTDIR_EPREVIOUS;
}

/* The new folder must pass the check the next run will apply to it. */
static int check_own_folder(const mc_outdir *o, char *msg, size_t len)
{
    char parent_canon[PATH_CAP], canon[PATH_CAP + NAME_MAX + 2], why[1536];
    const char *slash = strrchr(o->tmp, '/');
    mc_names none = {0};
    mc_listing mine = {0};
    if (mc_fs_canonical(live_parent, parent_canon, sizeof parent_canon, why,
                        sizeof why) != 0) {
        set_msg(msg, len, "%s", why);
        return MC_OUTDIR_EIO;
    }
    int n = snprintf(canon, sizeof canon, "%s/%s", parent_canon,
                     slash ? slash + 1 : o->tmp);
    if (n < 0 || (size_t)n >= sizeof canon) {
        set_msg(msg, len, "%s: path too long", o->tmp);
        return MC_OUTDIR_EIO;
    }
    int kind = mc_fs_inspect(o->tmp, canon, live_guard->read_manifest, &none,
                             &mine, why, sizeof why);
    mc_listing_free(&mine);
    if (kind == MC_FS_OWNED)
        return 0;
    set_msg(msg, len, "internal error: %s would not be recognised as a run "
            "folder of breakeven's: %s", o->target, why);
    return MC_OUTDIR_EINTERNAL;
}

/* The commit proper, with live_lock held. */
static int commit_locked(mc_outdir *o, char *msg, size_t len)
{
    char journal[PATH_CAP + 32];
    snprintf(journal, sizeof journal, "%s/" MC_FS_JOURNAL, o->tmp);
    if (live_journal >= 0)
        close(live_journal);
    live_journal = -1;
    unlink(journal);
    int rc = check_own_folder(o, msg, len);
    if (rc != 0)
        return rc;

    where w;
    mc_listing old = {0};
    if ((rc = locate(&w, o->target, o->target, NULL, msg, len)) != 0)
        return rc;
    rc = check_target(&w, live_guard, o->target, &old, msg, len);
    if (rc == MC_OUTDIR_EREFUSED) {
        char why[1600];
        snprintf(why, sizeof why, "%s", msg);
        set_msg(msg, len, "%s (it changed during the run)", why);
    }
    if (rc != 0)
        return rc;
    struct stat st;
    if (lstat(o->target, &st) != 0 && errno == ENOENT) {
        mc_listing_free(&old);
        if (rename(o->tmp, o->target) == 0)
            return 0;
        set_msg(msg, len, "%s: cannot rename %s: %s", o->target, o->tmp,
                strerror(errno));
        return MC_OUTDIR_EIO;
    }

    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target,
                  RENAME_EXCHANGE) == 0) {
        /* the old results, now under the temporary name */
        rc = remove_previous(o->tmp, o->target, &old, msg, len);
        mc_listing_free(&old);
        return rc;
    }
    if (errno != ENOSYS && errno != EINVAL) {
        set_msg(msg, len, "%s: cannot exchange with %s: %s", o->target,
                o->tmp, strerror(errno));
        mc_listing_free(&old);
        return MC_OUTDIR_EIO;
    }

    /* No exchange here: move the old results aside (onto an empty folder
     * of our own), then move the new ones in. */
    char aside[sizeof o->tmp];
    int n = snprintf(aside, sizeof aside, "%s/.%s.old.XXXXXX", w.parent,
                     w.base);
    if (n < 0 || (size_t)n >= sizeof aside || !mkdtemp(aside)) {
        set_msg(msg, len, "%s: cannot create a folder beside it: %s",
                o->target, strerror(errno));
        mc_listing_free(&old);
        return MC_OUTDIR_EIO;
    }
    if (rename(o->target, aside) != 0) {
        set_msg(msg, len, "%s: cannot rename to %s: %s", o->target, aside,
                strerror(errno));
        rmdir(aside);
        mc_listing_free(&old);
        return MC_OUTDIR_EIO;
    }
    if (rename(o->tmp, o->target) != 0) {
        int e = errno;
        if (rename(aside, o->target) == 0)    /* put the old ones back */
            set_msg(msg, len, "%s: cannot rename %s: %s", o->target, o->tmp,
                    strerror(e));
        else
            park_previous(aside, o->target, strerror(e), msg, len);
        mc_listing_free(&old);
        return MC_OUTDIR_EIO;
    }
    o->tmp[0] = '\0';
    rc = remove_previous(aside, o->target, &old, msg, len);
    mc_listing_free(&old);
    return rc;
}

int mc_outdir_commit(mc_outdir *o, char *msg, size_t len)
{
    char parent[sizeof o->target];
    const char *base;
    if (o->tmp[0] == '\0') {
        set_msg(msg, len, "%s: no run folder to commit", o->target);
        return MC_OUTDIR_EIO;
    }
    split_path(o->target, parent, sizeof parent, &base);
    if (sync_dir(o->tmp) != 0) {
        set_msg(msg, len, "%s: fsync: %s", o->tmp, strerror(errno));
        return MC_OUTDIR_EIO;
    }

    pthread_mutex_lock(&live_lock);
    char tmp[sizeof o->tmp];
    copy_path(tmp, sizeof tmp, o->tmp);
    int rc = commit_locked(o, msg, len);
    int in_place = rc == 0 || rc == MC_OUTDIR_EPREVIOUS;
    if (!in_place) {
        /* the journal is gone, but live_created still names every entry
           for mc_outdir_abort */
        copy_path(o->tmp, sizeof o->tmp, tmp);
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    live_state = MC_OUTDIR_COMMITTED;
    live_tmp[0] = live_made[0] = '\0';
    mc_listing_free(&live_created);
    release_lock();
    pthread_mutex_unlock(&live_lock);
    o->tmp[0] = '\0';
    /* Durability of the rename, best effort: the results are already in
     * place and complete, so a failure here is not reported as a failed
     * run. */
    (void)sync_dir(parent);
    return rc;
}

/* Removes the run folder being written, with live_lock held: 0, or -1
 * where something is left. */
static int remove_live(void)
{
    char why[1024];
    if (live_journal >= 0)
        close(live_journal);
    live_journal = -1;
    int rc = mc_fs_remove_listed(live_tmp, &live_created, why, sizeof why);
    release_lock();
    if (rc == 0)
        unmake_dirs(live_parent, live_made);
    mc_listing_free(&live_created);
    return rc;
}

void mc_outdir_abort(mc_outdir *o)
{
    pthread_mutex_lock(&live_lock);
    if (o->tmp[0] != '\0' && is_live(o)) {
        (void)remove_live();
        live_state = MC_OUTDIR_NONE;
        live_tmp[0] = live_made[0] = '\0';
    }
    pthread_mutex_unlock(&live_lock);
    o->tmp[0] = '\0';
}

int mc_outdir_writing(void)
{
    pthread_mutex_lock(&live_lock);
    int w = live_state == MC_OUTDIR_WRITING;
    pthread_mutex_unlock(&live_lock);
    return w;
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
    return remove_live() == 0 ? MC_OUTDIR_REMOVED : MC_OUTDIR_LEFT;
}
