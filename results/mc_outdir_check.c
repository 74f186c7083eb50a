/* mc_outdir_check.c: the checks of a run folder that change nothing
 * (mc_outdir_check), run before any work so that a long run does not
 * fail at its end for a reason known at its start. */
#define _GNU_SOURCE             /* realpath, pathconf */

#include "mc_outdir_fs.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void mc_od_msg(char *msg, size_t len, const char *fmt, ...)
{
    if (!msg || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

int mc_od_copy_path(char *dst, size_t cap, const char *src)
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
        return mc_od_copy_path(parent, pcap, ".");
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

/* The shape of what breakeven makes beside a run folder NAME and removes
 * when a killed run left it: ".NAME.tmp.XXXXXX", ".NAME.old.XXXXXX",
 * ".NAME.lock.XXXXXX" (XXXXXX: six letters or digits, as mkdtemp makes
 * them).  base NULL: any NAME. */
int mc_od_leftover_shape(const char *entry, const char *base)
{
    if (entry[0] != '.')
        return 0;
    size_t n = strlen(entry);
    if (n < 1 + 1 + 11)
        return 0;
    const char *tail = entry + n - 6;
    if (strspn(tail, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789") != 6)
        return 0;
    static const char *const kinds[] = {".tmp.", ".old.", ".lock."};
    for (size_t k = 0; k < 3; k++) {
        size_t kl = strlen(kinds[k]);
        if (n < 1 + 1 + kl + 6 ||
            strncmp(tail - kl, kinds[k], kl) != 0)
            continue;
        size_t name = n - 1 - kl - 6;       /* NAME's length */
        if (base == NULL ||
            (strlen(base) == name && strncmp(entry + 1, base, name) == 0))
            return 1;
    }
    return 0;
}

static int check_protected(const mc_od_where *w, const mc_outdir_guard *g,
                           const char *label, char *msg, size_t len);

int mc_od_locate(mc_od_where *w, const char *target, const char *label,
                 const mc_outdir_guard *g, char *msg, size_t len)
{
    if (mc_od_copy_path(w->target, sizeof w->target, target) != 0) {
        mc_od_msg(msg, len, "%s: expected a path of less than %d bytes, "
                  "found %zu", label, MC_OD_PATH, strlen(target));
        return MC_OUTDIR_EIO;
    }
    size_t n = strlen(w->target);             /* "out/run/" -> "out/run" */
    while (n > 1 && w->target[n - 1] == '/')
        w->target[--n] = '\0';
    char why[MC_OD_PATH + 256];
    if (n == 0 || mc_fs_canonical(w->target, w->canon, sizeof w->canon, why,
                                  sizeof why) != 0) {
        mc_od_msg(msg, len, "%s: %s", label, n == 0 ? "expected a path" : why);
        return MC_OUTDIR_EIO;
    }
    if (split_path(w->target, w->parent, sizeof w->parent, &w->base) != 0 ||
        w->base[0] == '\0' || strcmp(w->base, ".") == 0 ||
        strcmp(w->base, "..") == 0) {
        /* ".", "..", "/": a protected folder says more, if it applies */
        int rc = g != NULL ? check_protected(w, g, label, msg, len) : 0;
        if (rc == 0)
            mc_od_msg(msg, len, "%s: expected a path that ends in a folder "
                      "name, found '%s'", label, target);
        return rc != 0 ? rc : MC_OUTDIR_EIO;
    }
    size_t bl = strlen(w->base);
    if (mc_od_leftover_shape(w->base, NULL) ||
        (w->base[0] == '.' && bl > 6 && strcmp(w->base + bl - 5, ".lock") == 0)) {
        mc_od_msg(msg, len, "%s: expected a folder name unlike those "
                  "breakeven makes beside a run folder and removes when a "
                  "killed run leaves them ('.NAME.tmp.XXXXXX', '.NAME.lock'), "
                  "found '%s'; "
                  "nothing was changed (choose another name)", label,
                  w->base);
        return MC_OUTDIR_EREFUSED;
    }
    if (mc_fs_canonical(w->parent, w->canon_parent, sizeof w->canon_parent,
                        why, sizeof why) != 0) {
        mc_od_msg(msg, len, "%s: %s", label, why);
        return MC_OUTDIR_EIO;
    }
    return 0;
}

/* NAME_MAX of the file system the temporary folder will be made on: that
 * of the deepest existing folder above the target. */
static long name_max(const char *canon_parent)
{
    char buf[MC_OD_PATH];
    mc_od_copy_path(buf, sizeof buf, canon_parent);
    for (;;) {
        long m = pathconf(buf, _PC_NAME_MAX);
        char *slash = strrchr(buf, '/');
        if (m > 0 || slash == NULL)
            return m > 0 ? m : NAME_MAX;
        slash[slash == buf] = '\0';      /* "/a" -> "/", "/a/b" -> "/a" */
    }
}

/* Names and lengths that would fail only at the end: the names breakeven
 * makes beside the target and the longest path the run writes. */
static int check_lengths(const mc_od_where *w, const mc_outdir_guard *g,
                         const char *label, char *msg, size_t len)
{
    long nm = name_max(w->canon_parent);
    size_t base = strlen(w->base);
    if ((long)(base + MC_OD_NAME_EXTRA) > nm) {
        mc_od_msg(msg, len, "%s: expected a folder name of at most %ld bytes "
                  "(this file system allows %ld, and breakeven makes "
                  "'NAME.previous-XXXXXX' and '.NAME.tmp.XXXXXX' beside it, "
                  "up to %d more), found %zu bytes", label,
                  nm - MC_OD_NAME_EXTRA, nm, MC_OD_NAME_EXTRA, base);
        return MC_OUTDIR_EIO;
    }
    size_t entry = g->longest_entry > 0 ? g->longest_entry : 32;
    size_t longest = strlen(w->canon_parent) + 1 + base + MC_OD_NAME_EXTRA +
                     1 + entry;
    size_t cap = MC_OD_PATH < PATH_MAX ? MC_OD_PATH : PATH_MAX;
    if (longest >= cap) {
        mc_od_msg(msg, len, "%s: expected a path short enough for the run's "
                  "files (at most %zu bytes with them), found %zu bytes",
                  label, cap - 1, longest);
        return MC_OUTDIR_EIO;
    }
    return 0;
}

/* The deepest existing folder above the target, as given (the temporary
 * folder and the lock are made beside the target, so they must be made
 * in it, or in the folders created below it): writable and searchable. */
static int check_writable(const mc_od_where *w, const char *label,
                          char *msg, size_t len)
{
    char dir[MC_OD_PATH];
    struct stat st;
    mc_od_copy_path(dir, sizeof dir, w->parent);
    while (stat(dir, &st) != 0) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL) {
            snprintf(dir, sizeof dir, ".");
            break;
        }
        slash[slash == dir] = '\0';        /* "/a" -> "/", "a/b" -> "a" */
    }
    if (access(dir, W_OK | X_OK) == 0)
        return 0;
    int e = errno;
    mc_od_msg(msg, len, "%s: expected to be able to write in %s, found %s "
              "(%s)", label, dir,
              e == EACCES ? "no permission to write there"
              : e == EROFS ? "a read-only file system" : "an error",
              strerror(e));
    return MC_OUTDIR_EIO;
}

/* The target may be neither one of the protected folders nor above one. */
static int check_protected(const mc_od_where *w, const mc_outdir_guard *g,
                           const char *label, char *msg, size_t len)
{
    for (size_t i = 0; i < sizeof g->protect / sizeof g->protect[0] &&
                       g->protect[i].path != NULL; i++) {
        char real[PATH_MAX];
        if (realpath(g->protect[i].path, real) == NULL)
            continue;
        if (!mc_fs_at_or_above(w->canon, real))
            continue;
        mc_od_msg(msg, len, "%s: expected a folder of its own for the run, "
                  "found %s %s (%s); breakeven replaces its run folder as a "
                  "whole, so it must not be %s or a folder above it", label,
                  strcmp(w->canon, real) == 0 ? "that it is"
                                              : "that it holds",
                  g->protect[i].what, real, g->protect[i].what);
        return MC_OUTDIR_EREFUSED;
    }
    return 0;
}

/* A rename in a sticky folder (like /tmp) needs the entry's or the
 * folder's owner. */
static int check_sticky(const mc_od_where *w, const char *label, char *msg,
                        size_t len)
{
    struct stat p, t;
    uid_t me = geteuid();
    if (me == 0 || lstat(w->canon, &t) != 0 ||
        stat(w->canon_parent, &p) != 0 || !(p.st_mode & S_ISVTX) ||
        t.st_uid == me || p.st_uid == me)
        return 0;
    mc_od_msg(msg, len, "%s: expected a folder this user may replace, found "
              "one of user %u in %s, a sticky folder (like /tmp) of user %u, "
              "where only they may rename it", label, (unsigned)t.st_uid,
              w->parent, (unsigned)p.st_uid);
    return MC_OUTDIR_EIO;
}

int mc_od_check_target(const mc_od_where *w, const mc_outdir_guard *g,
                       const char *label, mc_listing *owned, char *msg,
                       size_t len)
{
    mc_names mounts = {0};
    if (mc_fs_mounts(&mounts) != 0) {
        mc_od_msg(msg, len, "%s: out of memory", label);
        return MC_OUTDIR_EIO;
    }
    char why[1536];
    int kind = mc_fs_inspect(w->canon, w->canon, g->read_manifest, &mounts,
                             owned, why, sizeof why);
    mc_names_free(&mounts);
    switch (kind) {
    case MC_FS_ABSENT:
    case MC_FS_EMPTY:
    case MC_FS_OWNED:
        return 0;
    case MC_FS_FOREIGN:
        mc_od_msg(msg, len, "%s: expected an empty folder or an earlier run "
                  "of breakeven's, %s; nothing was changed (move them, or "
                  "choose another folder)", label, why);
        return MC_OUTDIR_EREFUSED;
    case MC_FS_MOUNT:
        mc_od_msg(msg, len, "%s: expected a folder on one file system, %s; "
                  "nothing was changed (choose another folder)", label, why);
        return MC_OUTDIR_EREFUSED;
    default:
        mc_od_msg(msg, len, "%s: %s", label, why);
        return MC_OUTDIR_EIO;
    }
}

int mc_od_preflight(const mc_od_where *w, const mc_outdir_guard *g,
                    const char *label, int skip_lock, char *msg, size_t len)
{
    mc_listing owned = {0};
    int rc;
    if ((rc = check_lengths(w, g, label, msg, len)) == 0 &&
        (rc = check_protected(w, g, label, msg, len)) == 0 &&
        (rc = check_writable(w, label, msg, len)) == 0 &&
        (skip_lock || (rc = mc_od_check_lock(w, label, msg, len)) == 0) &&
        (rc = check_sticky(w, label, msg, len)) == 0)
        rc = mc_od_check_target(w, g, label, &owned, msg, len);
    mc_listing_free(&owned);
    return rc;
}

int mc_outdir_check(const char *target, const char *label,
                    const mc_outdir_guard *g, char *msg, size_t len)
{
    mc_od_where w;
    int rc = mc_od_locate(&w, target, label, g, msg, len);
    return rc != 0 ? rc : mc_od_preflight(&w, g, label, 0, msg, len);
}
