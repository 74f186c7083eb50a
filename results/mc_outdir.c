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
 */
#define _GNU_SOURCE             /* renameat2, RENAME_EXCHANGE, nftw */

#include "mc_results.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* mkdir -p: creates every missing folder of path (mode 0777 less umask). */
static int make_dirs(const char *path, char *msg, size_t len)
{
    char buf[sizeof ((mc_outdir *)0)->target];
    if (copy_path(buf, sizeof buf, path) != 0) {
        set_msg(msg, len, "%s: path too long", path);
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0) {
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

/* rm -rf path, without following symbolic links. */
static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* fsync of a folder, so that renames inside it survive a crash. */
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
    char parent[sizeof o->target];
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
    if (make_dirs(parent, msg, len) != 0 ||
        target_kind(o->target, msg, len) < 0) {
        o->target[0] = '\0';
        return -1;
    }
    int w = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.XXXXXX", parent, base);
    if (w < 0 || (size_t)w >= sizeof o->tmp) {
        set_msg(msg, len, "%s: path too long", target);
        o->target[0] = o->tmp[0] = '\0';
        return -1;
    }
    if (!mkdtemp(o->tmp)) {
        set_msg(msg, len, "%s: cannot create folder: %s", o->tmp,
                strerror(errno));
        o->target[0] = o->tmp[0] = '\0';
        return -1;
    }
    /* mkdtemp makes it 0700; give the results a plain mkdir's mode. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(o->tmp, 0777 & ~mask);
    return 0;
}

FILE *mc_outdir_open(const mc_outdir *o, const char *name, char *msg,
                     size_t len)
{
    char path[sizeof o->tmp + 256];
    int w = snprintf(path, sizeof path, "%s/%s", o->tmp, name);
    if (w < 0 || (size_t)w >= sizeof path) {
        set_msg(msg, len, "%s/%s: path too long", o->tmp, name);
        return NULL;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        set_msg(msg, len, "%s: %s", path, strerror(errno));
    return f;
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

    int kind = target_kind(o->target, msg, len);
    if (kind < 0)
        return -1;
    if (kind == 0) {
        if (rename(o->tmp, o->target) == 0)
            goto done;
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
        remove_tree(o->tmp);                   /* the old results */
        goto done;
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
        rename(aside, o->target);              /* put the old ones back */
        set_msg(msg, len, "%s: cannot rename %s: %s", o->target, o->tmp,
                strerror(e));
        return -1;
    }
    remove_tree(aside);

done:
    o->tmp[0] = '\0';
    sync_dir(parent);                          /* durability, best effort */
    return 0;
}

void mc_outdir_abort(mc_outdir *o)
{
    if (o->tmp[0] != '\0')
        remove_tree(o->tmp);
    o->tmp[0] = '\0';
}
