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
 * "<parent>/.<name>.lock" (mc_outdir_lock.c; the command line takes it
 * before any work and keeps it for the whole command) and keeps a journal
 * in its temporary folder of every entry it creates.  The next run into
 * the same target, holding the lock, knows that any ".<name>.tmp.*" or
 * ".<name>.old.*" beside it is a dead run's, and removes the entries its
 * journal (or manifest) names; whatever else is there is reported, not
 * removed.
 *
 * Paths.  Every step works on the canonical path of the target's parent,
 * resolved once at the start, so that a symbolic link in the path given
 * (current -> v1) switched during the run moves nothing; messages name
 * the path as given.
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

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The run folder in progress (at most one per process: breakeven writes
 * one run at a time) and the lock, guarded by live_lock. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static int live_state = MC_OUTDIR_NONE;   /* NONE, WRITING or COMMITTED */
static char live_target[MC_OD_PATH];      /* as given, for messages */
static char live_tmp[MC_OD_PATH];         /* canonical */
static char live_parent[MC_OD_PATH];      /* canonical */
static char live_made[MC_OD_PATH];        /* shallowest parent folder the
                                             run made, "" if none */
static int live_journal = -1;             /* the journal, for appending */
static mc_listing live_created;           /* entries created in live_tmp */
static const mc_outdir_guard *live_guard;
static mc_od_lockfile live_lockf = {"", -1};
static int live_held;                     /* the lock is the command's
                                             (mc_outdir_lock) */
static char live_held_parent[MC_OD_PATH], live_held_made[MC_OD_PATH];
static char live_held_given[MC_OD_PATH];  /* the target as given */
static char live_held_real[MC_OD_PATH];   /* and as resolved, once */
static char live_warn[16384];

/* mkdir -p: creates every missing folder of path (mode 0777 less umask).
 * made (MC_OD_PATH bytes) receives the shallowest folder created, or "". */
static int make_dirs(const char *path, char *made, char *msg, size_t len)
{
    char buf[MC_OD_PATH];
    made[0] = '\0';
    if (mc_od_copy_path(buf, sizeof buf, path) != 0) {
        mc_od_msg(msg, len, "%s: path too long", path);
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        /* a folder that another run removes between our mkdir and our
           stat (its own, made for a failed run) is made again */
        for (int attempt = 0;; attempt++) {
            if (mkdir(buf, 0777) == 0) {
                if (made[0] == '\0')
                    mc_od_copy_path(made, MC_OD_PATH, buf);
                break;
            }
            int e = errno;
            struct stat st;
            if (e != EEXIST) {
                mc_od_msg(msg, len, "%s: cannot create folder: %s", buf,
                          strerror(e));
                return -1;
            }
            if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
                break;
            if (stat(buf, &st) == 0 || attempt == 3) {
                mc_od_msg(msg, len, "%s: expected a folder, found %s", buf,
                          errno == ENOENT ? "it removed again and again"
                                          : "a file");
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
    char buf[MC_OD_PATH];
    if (mc_od_copy_path(buf, sizeof buf, path) != 0)
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

/* ---- the lock, for the whole command ---------------------------------- */

/* Takes the lock of w with live_lock held: makes the parents (made gets
 * the shallowest made), locks, and removes killed runs' leftovers. */
static int lock_locked(const mc_od_where *w, const mc_outdir_guard *g,
                       char *made, char *msg, size_t len)
{
    if (live_lockf.fd >= 0) {
        mc_od_msg(msg, len, "internal error: %s: a second lock while one is "
                  "held", w->target);
        return MC_OUTDIR_EINTERNAL;
    }
    if (make_dirs(w->canon_parent, made, msg, len) != 0) {
        unmake_dirs(w->canon_parent, made);
        return MC_OUTDIR_EIO;
    }
    int rc = mc_od_take_lock(w, &live_lockf, msg, len);
    if (rc != 0) {
        unmake_dirs(w->canon_parent, made);
        return rc;
    }
    mc_od_clean_leftovers(w, g, live_warn, sizeof live_warn);
    return 0;
}

int mc_outdir_lock(const char *target, const char *label,
                   const mc_outdir_guard *g, char *msg, size_t len)
{
    mc_od_where w;
    int rc = mc_od_locate(&w, target, label, g, msg, len);
    if (rc == 0)
        rc = mc_od_preflight(&w, g, label, 0, msg, len);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&live_lock);
    live_warn[0] = '\0';
    rc = lock_locked(&w, g, live_held_made, msg, len);
    if (rc == 0) {
        /* again, now that no other run can change it */
        rc = mc_od_preflight(&w, g, label, 1, msg, len);
        if (rc != 0) {
            mc_od_release_lock(&live_lockf);
            unmake_dirs(w.canon_parent, live_held_made);
        }
    }
    if (rc == 0) {
        live_held = 1;
        mc_od_copy_path(live_held_parent, sizeof live_held_parent,
                        w.canon_parent);
        mc_od_copy_path(live_held_given, sizeof live_held_given, target);
        mc_od_copy_path(live_held_real, sizeof live_held_real, w.canon);
    }
    pthread_mutex_unlock(&live_lock);
    return rc;
}

/* Releases a lock that no run folder in progress needs (live_lock held),
 * and the parent folders made for it if they stayed empty. */
static void unlock_locked(void)
{
    mc_od_release_lock(&live_lockf);
    if (live_held)
        unmake_dirs(live_held_parent, live_held_made);
    live_held = 0;
    live_held_made[0] = live_held_given[0] = live_held_real[0] = '\0';
}

void mc_outdir_unlock(void)
{
    pthread_mutex_lock(&live_lock);
    if (live_state != MC_OUTDIR_WRITING)
        unlock_locked();
    pthread_mutex_unlock(&live_lock);
}

size_t mc_outdir_warnings(char *buf, size_t cap)
{
    pthread_mutex_lock(&live_lock);
    size_t n = strlen(live_warn);
    if (cap > 0)
        snprintf(buf, cap, "%s", live_warn);
    live_warn[0] = '\0';
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
        mc_od_msg(msg, len, "%s: not a name breakeven writes", name);
        return -1;
    }
    char line[MC_OD_PATH + 4];
    int n = snprintf(line, sizeof line, "%c %s\n", kind, name);
    int rc = kind == 'f' ? mc_listing_add_file(&live_created, name)
                         : mc_listing_add_dir(&live_created, name);
    if (rc != 0) {
        mc_od_msg(msg, len, "%s: not a name breakeven writes, or out of memory",
                name);
        return -1;
    }
    if (write(live_journal, line, (size_t)n) != (ssize_t)n) {
        mc_od_msg(msg, len, "%s: cannot write: %s", MC_FS_JOURNAL,
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
static int make_tmp(mc_outdir *o, const mc_od_where *w, char *msg,
                    size_t len)
{
    int n = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.XXXXXX",
                     w->canon_parent, w->base);
    if (n < 0 || (size_t)n >= sizeof o->tmp || mkdtemp(o->tmp) == NULL) {
        mc_od_msg(msg, len, "%s: cannot create a folder in it: %s",
                  w->parent, strerror(errno));
        o->tmp[0] = '\0';
        return MC_OUTDIR_EIO;
    }
    char path[MC_OD_PATH + 32];
    snprintf(path, sizeof path, "%s/" MC_FS_JOURNAL, o->tmp);
    live_journal = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
                        O_NOFOLLOW | O_CLOEXEC, 0644);
    if (live_journal < 0 ||
        write(live_journal, MC_FS_JOURNAL_HEAD,
              sizeof MC_FS_JOURNAL_HEAD - 1) !=
            (ssize_t)sizeof MC_FS_JOURNAL_HEAD - 1) {
        mc_od_msg(msg, len, "%s: cannot write: %s", path, strerror(errno));
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

/* Whether the command holds w's lock already (mc_outdir_lock). */
static int lock_is_ours(const mc_od_where *w)
{
    char path[MC_OD_PATH + 16];
    snprintf(path, sizeof path, "%s/.%s.lock", w->canon_parent, w->base);
    return live_held && live_lockf.fd >= 0 &&
           strcmp(path, live_lockf.path) == 0;
}

int mc_outdir_begin(mc_outdir *o, const char *target,
                    const mc_outdir_guard *g, char *msg, size_t len)
{
    mc_od_where w;
    char made[MC_OD_PATH] = "";
    o->target[0] = o->tmp[0] = o->real[0] = o->sub[0] = '\0';
    /* under the command's lock, the target as it was resolved then: a
       symbolic link switched since (between --until batches) moves
       nothing */
    pthread_mutex_lock(&live_lock);
    const char *path = live_held && strcmp(target, live_held_given) == 0
                           ? live_held_real : target;
    int rc = mc_od_locate(&w, path, target, g, msg, len);
    if (rc != 0) {
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    int held = lock_is_ours(&w);
    if ((rc = mc_od_preflight(&w, g, target, held, msg, len)) != 0 ||
        (!held && (rc = lock_locked(&w, g, made, msg, len)) != 0)) {
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    mc_listing owned = {0};
    /* again, now that no other run can change it */
    if ((rc = mc_od_check_target(&w, g, target, &owned, msg, len)) != 0 ||
        (rc = make_tmp(o, &w, msg, len)) != 0) {
        mc_listing_free(&owned);
        mc_listing_free(&live_created);
        if (!held) {
            mc_od_release_lock(&live_lockf);
            unmake_dirs(w.canon_parent, made);
        }
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    mc_listing_free(&owned);
    mc_od_copy_path(o->target, sizeof o->target, target);
    for (size_t n = strlen(o->target); n > 1 && o->target[n - 1] == '/';)
        o->target[--n] = '\0';
    mc_od_copy_path(o->real, sizeof o->real, w.canon);
    live_state = MC_OUTDIR_WRITING;
    live_guard = g;
    mc_od_copy_path(live_target, sizeof live_target, o->target);
    mc_od_copy_path(live_tmp, sizeof live_tmp, o->tmp);
    mc_od_copy_path(live_made, sizeof live_made, made);
    mc_od_copy_path(live_parent, sizeof live_parent, w.canon_parent);
    pthread_mutex_unlock(&live_lock);

    /* mkdtemp makes it 0700; give the results a plain mkdir's mode.  A
     * failure only leaves the results private to their owner. */
    mode_t mask = umask(0);
    umask(mask);
    (void)chmod(o->tmp, 0777 & ~mask);
    return 0;
}

/* tmp/sub/name into path (cap bytes): 0, or -1 with msg. */
static int in_tmp(const mc_outdir *o, const char *name, char *path,
                  size_t cap, char *msg, size_t len)
{
    int w = snprintf(path, cap, "%s/%s%s", o->tmp, o->sub, name);
    if (w >= 0 && (size_t)w < cap)
        return 0;
    mc_od_msg(msg, len, "%s/%s%s: path too long", o->tmp, o->sub, name);
    return -1;
}

/* sub/name, the entry's name in the journal: 0, or -1 with msg. */
static int in_folder(const mc_outdir *o, const char *name, char *rel,
                     size_t cap, char *msg, size_t len)
{
    int w = snprintf(rel, cap, "%s%s", o->sub, name);
    if (w >= 0 && (size_t)w < cap)
        return 0;
    mc_od_msg(msg, len, "%s%s: path too long", o->sub, name);
    return -1;
}

int mc_outdir_path(const mc_outdir *o, const char *name, char *path,
                   size_t cap, char *msg, size_t len)
{
    return in_tmp(o, name, path, cap, msg, len);
}

int mc_outdir_sub(const mc_outdir *o, const char *name, mc_outdir *sub,
                  char *msg, size_t len)
{
    *sub = *o;
    int a = snprintf(sub->target, sizeof sub->target, "%s/%s", o->target,
                     name);
    int b = snprintf(sub->real, sizeof sub->real, "%s/%s", o->real, name);
    int c = snprintf(sub->sub, sizeof sub->sub, "%s%s/", o->sub, name);
    if (strchr(name, '/') == NULL && name[0] != '\0' &&
        strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
        a > 0 && (size_t)a < sizeof sub->target && b > 0 &&
        (size_t)b < sizeof sub->real && c > 0 && (size_t)c < sizeof sub->sub)
        return 0;
    mc_od_msg(msg, len, "%s/%s: not a folder name breakeven can write",
              o->target, name);
    return -1;
}

FILE *mc_outdir_open(const mc_outdir *o, const char *name, char *msg,
                     size_t len)
{
    char path[sizeof o->tmp + 256];
    if (in_tmp(o, name, path, sizeof path, msg, len) != 0)
        return NULL;
    char rel[sizeof o->sub + 256];
    if (in_folder(o, name, rel, sizeof rel, msg, len) != 0)
        return NULL;
    pthread_mutex_lock(&live_lock);     /* no new entry once interrupted */
    FILE *f = NULL;
    int e = 0;
    if (!is_live(o) || journal_add('f', rel, msg, len) == 0) {
        f = fopen(path, "w");
        e = errno;
        if (!f)
            mc_od_msg(msg, len, "cannot create it: %s", strerror(e));
    }
    pthread_mutex_unlock(&live_lock);
    return f;
}

int mc_outdir_note(const mc_outdir *o, const char *name, char *msg,
                   size_t len)
{
    char rel[sizeof o->sub + 256];
    if (in_folder(o, name, rel, sizeof rel, msg, len) != 0)
        return -1;
    pthread_mutex_lock(&live_lock);
    int rc = is_live(o) ? journal_add('f', rel, msg, len) : 0;
    pthread_mutex_unlock(&live_lock);
    return rc;
}

int mc_outdir_mkdir(const mc_outdir *o, const char *name, char *msg,
                    size_t len)
{
    char path[sizeof o->tmp + 256];
    if (in_tmp(o, name, path, sizeof path, msg, len) != 0)
        return -1;
    char rel[sizeof o->sub + 256];
    if (in_folder(o, name, rel, sizeof rel, msg, len) != 0)
        return -1;
    pthread_mutex_lock(&live_lock);     /* no new entry once interrupted */
    int rc = is_live(o) ? journal_add('d', rel, msg, len) : 0;
    if (rc == 0 && (rc = mkdir(path, 0777)) != 0)
        mc_od_msg(msg, len, "cannot create it: %s", strerror(errno));
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
        mc_od_msg(msg, len, "%s: fsync: %s", name, strerror(errno));
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
    mc_od_msg(msg, len, "%s: %s", step, strerror(e));
    return -1;
}

/* ---- commit ----------------------------------------------------------- */

/* What remains of the previous run, at path, goes to a visible name
 * "<target>.previous-XXXXXX" beside it (real: the target's canonical
 * path): never left hidden.  The message says where. */
static void park_previous(const char *path, const char *real,
                          const char *target, const char *cause, char *msg,
                          size_t len)
{
    char visible[MC_OD_PATH + 32];
    snprintf(visible, sizeof visible, "%s.previous-XXXXXX", real);
    if (mkdtemp(visible) != NULL && rename(path, visible) == 0) {
        mc_od_msg(msg, len, "%s: the new results are complete and in place, "
                  "but the previous run could not be removed entirely (%s); "
                  "what is left of it is in %s%s", target, cause, target,
                  visible + strlen(real));
        return;
    }
    rmdir(visible);
    mc_od_msg(msg, len, "%s: the new results are complete and in place, but "
              "the previous run could not be removed entirely (%s); what is "
              "left of it is in %s", target, cause, path);
}

/* After the swap: the old run, now at path, loses exactly its files. */
static int remove_previous(const mc_outdir *o, const char *path,
                           const mc_listing *old, char *msg, size_t len)
{
    char why[1024];
    mc_names mounts = {0};
    (void)mc_fs_mounts(&mounts);
    int rc = mc_fs_remove_listed(path, path, &mounts, old, why, sizeof why);
    mc_names_free(&mounts);
    if (rc == 0)
        return 0;
    park_previous(path, o->real, o->target, why, msg, len);
    return MC_OUTDIR_EPREVIOUS;
}

/* The new folder must pass the check the next run will apply to it. */
static int check_own_folder(const mc_outdir *o, char *msg, size_t len)
{
    char why[1536];
    mc_names none = {0};
    mc_listing mine = {0};
    int kind = mc_fs_inspect(o->tmp, o->tmp, live_guard->read_manifest,
                             &none, &mine, why, sizeof why);
    mc_listing_free(&mine);
    if (kind == MC_FS_OWNED)
        return 0;
    mc_od_msg(msg, len, "internal error: %s would not be recognised as a run "
              "folder of breakeven's: %s", o->target, why);
    return MC_OUTDIR_EINTERNAL;
}

/* Without RENAME_EXCHANGE: the old results moved aside (onto an empty
 * folder of our own), then the new ones in. */
static int swap_aside(mc_outdir *o, const mc_listing *old, char *msg,
                      size_t len)
{
    char aside[sizeof o->tmp];
    const char *base = strrchr(o->real, '/') + 1;
    int n = snprintf(aside, sizeof aside, "%s/.%s.old.XXXXXX", live_parent,
                     base);
    if (n < 0 || (size_t)n >= sizeof aside || !mkdtemp(aside)) {
        mc_od_msg(msg, len, "%s: cannot create a folder beside it: %s",
                  o->target, strerror(errno));
        return MC_OUTDIR_EIO;
    }
    if (rename(o->real, aside) != 0) {
        mc_od_msg(msg, len, "%s: cannot rename it: %s", o->target,
                  strerror(errno));
        rmdir(aside);
        return MC_OUTDIR_EIO;
    }
    if (rename(o->tmp, o->real) != 0) {
        int e = errno;
        if (rename(aside, o->real) == 0)      /* put the old ones back */
            mc_od_msg(msg, len, "%s: cannot rename the new run into place: "
                      "%s", o->target, strerror(e));
        else
            park_previous(aside, o->real, o->target, strerror(e), msg, len);
        return MC_OUTDIR_EIO;
    }
    o->tmp[0] = '\0';
    return remove_previous(o, aside, old, msg, len);
}

/* The commit proper, with live_lock held. */
static int commit_locked(mc_outdir *o, char *msg, size_t len)
{
    char journal[MC_OD_PATH + 32];
    snprintf(journal, sizeof journal, "%s/" MC_FS_JOURNAL, o->tmp);
    if (live_journal >= 0)
        close(live_journal);
    live_journal = -1;
    if (unlink(journal) != 0 && errno != ENOENT) {
        mc_od_msg(msg, len, "%s: cannot remove %s in its temporary folder: "
                  "%s", o->target, MC_FS_JOURNAL, strerror(errno));
        return MC_OUTDIR_EIO;
    }
    int rc = check_own_folder(o, msg, len);
    if (rc != 0)
        return rc;

    mc_od_where w;
    mc_listing old = {0};
    if ((rc = mc_od_locate(&w, o->real, o->target, NULL, msg, len)) != 0)
        return rc;
    rc = mc_od_check_target(&w, live_guard, o->target, &old, msg, len);
    if (rc == MC_OUTDIR_EREFUSED) {
        char why[1600];
        snprintf(why, sizeof why, "%s", msg);
        mc_od_msg(msg, len, "%s (it changed during the run)", why);
    }
    if (rc != 0)
        return rc;
    struct stat st;
    if (lstat(o->real, &st) != 0 && errno == ENOENT) {
        mc_listing_free(&old);
        if (rename(o->tmp, o->real) == 0)
            return 0;
        mc_od_msg(msg, len, "%s: cannot rename the new run into place: %s",
                  o->target, strerror(errno));
        return MC_OUTDIR_EIO;
    }
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->real,
                  RENAME_EXCHANGE) == 0)
        /* the old results, now under the temporary name */
        rc = remove_previous(o, o->tmp, &old, msg, len);
    else if (errno == ENOSYS || errno == EINVAL)
        rc = swap_aside(o, &old, msg, len);
    else {
        mc_od_msg(msg, len, "%s: cannot exchange it with the new run: %s",
                  o->target, strerror(errno));
        rc = MC_OUTDIR_EIO;
    }
    mc_listing_free(&old);
    return rc;
}

int mc_outdir_commit(mc_outdir *o, char *msg, size_t len)
{
    if (o->tmp[0] == '\0') {
        mc_od_msg(msg, len, "%s: no run folder to commit", o->target);
        return MC_OUTDIR_EIO;
    }
    if (sync_dir(o->tmp) != 0) {
        mc_od_msg(msg, len, "%s: fsync: %s", o->target, strerror(errno));
        return MC_OUTDIR_EIO;
    }

    pthread_mutex_lock(&live_lock);
    char tmp[sizeof o->tmp];
    mc_od_copy_path(tmp, sizeof tmp, o->tmp);
    int rc = commit_locked(o, msg, len);
    if (rc != 0 && rc != MC_OUTDIR_EPREVIOUS) {
        /* live_created still names every entry, for mc_outdir_abort */
        mc_od_copy_path(o->tmp, sizeof o->tmp, tmp);
        pthread_mutex_unlock(&live_lock);
        return rc;
    }
    live_state = MC_OUTDIR_COMMITTED;
    live_tmp[0] = live_made[0] = '\0';
    mc_listing_free(&live_created);
    if (!live_held)
        mc_od_release_lock(&live_lockf);
    pthread_mutex_unlock(&live_lock);
    o->tmp[0] = '\0';
    /* Durability of the rename, best effort: the results are already in
     * place and complete, so a failure here is not reported as a failed
     * run. */
    (void)sync_dir(live_parent);
    return rc;
}

/* Removes the run folder being written, with live_lock held: 0, or -1
 * with why where something is left. */
static int remove_live(char *why, size_t len)
{
    if (live_journal >= 0)
        close(live_journal);
    live_journal = -1;
    struct stat st;
    if (lstat(live_tmp, &st) != 0 && errno == ENOENT) {
        /* not removed by us: a folder above it was moved or renamed */
        mc_od_msg(why, len, "it is no longer at that path: a folder above "
                  "it was moved or renamed during the run, with the lock "
                  "file %s", live_lockf.path);
        mc_listing_free(&live_created);
        return -1;
    }
    mc_names mounts = {0};
    (void)mc_fs_mounts(&mounts);
    int rc = mc_fs_remove_listed(live_tmp, live_tmp, &mounts, &live_created,
                                 why, len);
    mc_names_free(&mounts);
    if (!live_held)
        mc_od_release_lock(&live_lockf);
    if (rc == 0)
        unmake_dirs(live_parent, live_made);
    mc_listing_free(&live_created);
    return rc;
}

int mc_outdir_abort(mc_outdir *o, char *msg, size_t len)
{
    int rc = 0;
    pthread_mutex_lock(&live_lock);
    if (o->tmp[0] != '\0' && is_live(o)) {
        char why[1024];
        if (remove_live(why, sizeof why) != 0) {
            mc_od_msg(msg, len, "the temporary folder %s could not be "
                      "removed entirely (%s)", live_tmp, why);
            rc = -1;
        }
        live_state = MC_OUTDIR_NONE;
        live_tmp[0] = live_made[0] = '\0';
    }
    pthread_mutex_unlock(&live_lock);
    o->tmp[0] = '\0';
    return rc;
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
    if (state == MC_OUTDIR_WRITING) {
        char why[1024];
        state = remove_live(why, sizeof why) == 0 ? MC_OUTDIR_REMOVED
                                                  : MC_OUTDIR_LEFT;
    }
    unlock_locked();
    return state;
}
