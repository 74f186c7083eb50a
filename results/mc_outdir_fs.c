/* mc_outdir_fs.c: what in a folder is breakeven's, and removing exactly
 * that (mc_outdir_fs.h).
 *
 * Every step works relative to an open folder (openat, fstatat, unlinkat)
 * opened with O_NOFOLLOW, so a symbolic link swapped in for a folder is
 * never followed, and compares st_dev with the run folder's, so that a
 * removal never leaves its file system.  Mount points of the same file
 * system (bind mounts) have the same st_dev: /proc/self/mountinfo tells
 * those apart. */
#define _GNU_SOURCE             /* O_NOFOLLOW, O_DIRECTORY, AT_EACCESS */

#include "mc_outdir_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A manifest larger than this is not one of breakeven's (a run with the
 * most variants writes a few hundred kB). */
#define MANIFEST_MAX ((off_t)16 << 20)
/* Foreign entries named in a message; the rest are counted. */
#define SHOWN 3
/* A manifest listing more files is not one of breakeven's (a run with the
 * most variants, 100, lists about 210); the bound also keeps the checks
 * of a crafted manifest, which compare every name with the others, fast. */
#define MANIFEST_FILES_MAX 4096
#define JOURNAL_LINES_MAX 8192

/* ---- lists -------------------------------------------------------------- */

int mc_names_add(mc_names *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    char *c = strdup(s);
    if (c == NULL)
        return -1;
    l->v[l->n++] = c;
    return 0;
}

int mc_names_has(const mc_names *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

void mc_names_free(mc_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* A relative path whose components are neither empty nor "." nor "..". */
static int plain_relative(const char *p)
{
    if (*p == '\0' || *p == '/')
        return 0;
    for (const char *c = p; *c != '\0';) {
        size_t k = strcspn(c, "/");
        if (k == 0 || (k == 1 && c[0] == '.') ||
            (k == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += k;
        if (*c == '/' && *++c == '\0')
            return 0;               /* a trailing slash */
    }
    return 1;
}

static int add_dir(mc_listing *l, const char *dir)
{
    return mc_names_has(&l->dirs, dir) ? 0 : mc_names_add(&l->dirs, dir);
}

/* Adds every folder above path (a plain relative path) to l. */
static int add_ancestors(mc_listing *l, const char *path)
{
    if (!plain_relative(path) || strlen(path) >= PATH_MAX)
        return -1;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = strchr(buf, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        int rc = add_dir(l, buf);
        *s = '/';
        if (rc != 0)
            return -1;
    }
    return 0;
}

int mc_listing_add_file(mc_listing *l, const char *file)
{
    if (add_ancestors(l, file) != 0)
        return -1;
    return mc_names_has(&l->files, file) ? 0 : mc_names_add(&l->files, file);
}

int mc_listing_add_dir(mc_listing *l, const char *dir)
{
    return add_ancestors(l, dir) != 0 ? -1 : add_dir(l, dir);
}

void mc_listing_free(mc_listing *l)
{
    mc_names_free(&l->files);
    mc_names_free(&l->dirs);
}

/* ---- mount points and paths ------------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
    char *w = s;
    for (char *r = s; *r != '\0'; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
            r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

int mc_fs_mounts(mc_names *out)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        /* "id parent major:minor root MOUNT_POINT options ..." */
        char *save = NULL, *field = strtok_r(line, " ", &save);
        for (int k = 0; field != NULL && k < 4; k++)
            field = strtok_r(NULL, " ", &save);
        if (field == NULL)
            continue;
        unescape_octal(field);
        if (!mc_names_has(out, field))
            rc = mc_names_add(out, field);
    }
    free(line);
    fclose(f);
    return rc;
}

int mc_fs_at_or_above(const char *above, const char *below)
{
    size_t n = strlen(above);
    if (strcmp(above, "/") == 0)
        return below[0] == '/';
    return strncmp(above, below, n) == 0 &&
           (below[n] == '\0' || below[n] == '/');
}

/* The first component of path that is not a folder, in msg. */
static void file_in_path(const char *path, char *msg, size_t len)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        struct stat st;
        if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
            snprintf(msg, len, "expected %s to be a folder, found a file", buf);
            return;
        }
        if (c == '\0')
            break;
        *s = c;
    }
    snprintf(msg, len, "expected %s to be a folder, found a path through a "
             "file", path);
}

int mc_fs_canonical(const char *path, char *out, size_t cap, char *msg,
                    size_t len)
{
    char buf[PATH_MAX], head[PATH_MAX], real[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(msg, len, "expected a path of less than %d bytes, found %zu",
                 PATH_MAX, strlen(path));
        return -1;
    }
    /* the deepest existing prefix: cut components from the end */
    size_t cut = strlen(buf);
    for (;;) {
        while (cut > 1 && buf[cut - 1] == '/')
            cut--;
        snprintf(head, sizeof head, "%.*s", (int)cut, buf);
        if (cut == 0)
            snprintf(head, sizeof head, ".");
        if (realpath(head, real) != NULL)
            break;
        if (errno == ENOTDIR) {
            file_in_path(head, msg, len);
            return -1;
        }
        if (errno != ENOENT) {
            snprintf(msg, len, "expected %s to be a folder, found an error "
                     "(%s)", head, strerror(errno));
            return -1;
        }
        while (cut > 0 && buf[cut - 1] != '/')
            cut--;
        if (cut == 0 && buf[0] == '/') {
            snprintf(msg, len, "expected the root folder to exist, found "
                     "none");
            return -1;
        }
    }
    /* the rest, which does not exist yet, appended as it is */
    size_t n = (size_t)snprintf(out, cap, "%s", real);
    const char *rest = buf + cut;
    while (*rest != '\0') {
        while (*rest == '/')
            rest++;
        size_t k = strcspn(rest, "/");
        if (k == 0)
            break;
        if ((k == 1 && rest[0] == '.') ||
            (k == 2 && rest[0] == '.' && rest[1] == '.')) {
            char missing[PATH_MAX];
            snprintf(missing, sizeof missing, "%.*s", (int)(rest - buf), buf);
            while (strlen(missing) > 1 && missing[strlen(missing) - 1] == '/')
                missing[strlen(missing) - 1] = '\0';
            snprintf(msg, len, "expected no '.' or '..' after %s, which does "
                     "not exist yet, found '%.*s'", missing, (int)k, rest);
            return -1;
        }
        int w = snprintf(out + n, cap - n, "%s%.*s",
                         strcmp(out, "/") == 0 ? "" : "/", (int)k, rest);
        if (w < 0 || (size_t)w >= cap - n) {
            snprintf(msg, len, "expected a path of less than %zu bytes, "
                     "found a longer one", cap);
            return -1;
        }
        n += (size_t)w;
        rest += k;
    }
    return 0;
}

/* ---- inspection --------------------------------------------------------- */

/* "a, b and 3 more" from sorted names. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Control characters (a newline in a name could fake a line of output)
 * shown as '?'. */
static void printable(char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static void format_names(mc_names *l, char *out, size_t cap)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->n && i < SHOWN; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == l->n ? " and " : ", ");
        int w = snprintf(out + used, cap - used, "%s%s", sep, l->v[i]);
        if (w < 0 || (size_t)w >= cap - used)
            return;
        used += (size_t)w;
    }
    if (l->n > SHOWN)
        snprintf(out + used, cap - used, " and %zu more", l->n - SHOWN);
    printable(out);
}

/* Whether this process may unlink an entry (st) of the folder (fd, dst):
 * write and search permission on the folder and, in a sticky folder
 * (like /tmp), ownership of the entry or the folder.  0, or an errno. */
static int may_unlink(int fd, const struct stat *dst, const struct stat *st)
{
    if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) != 0)
        return errno;
    uid_t me = geteuid();
    if ((dst->st_mode & S_ISVTX) && me != 0 && st->st_uid != me &&
        dst->st_uid != me)
        return EPERM;
    return 0;
}

typedef struct walk {
    const mc_listing *owned;
    const mc_names *mounts;
    mc_names foreign;
    char stuck[PATH_MAX + 64];  /* the first entry that cannot be removed */
    int oom;
} walk;

static void foreign(walk *w, const char *rel, const struct stat *st)
{
    char buf[PATH_MAX + 32];
    snprintf(buf, sizeof buf, "%s%s", rel,
             st == NULL ? "" : S_ISDIR(st->st_mode) ? "/"
             : S_ISLNK(st->st_mode) ? " (a symbolic link)" : "");
    if (mc_names_add(&w->foreign, buf) != 0)
        w->oom = 1;
}

/* Every entry of the folder fd (relative path prefix, canonical path
 * canon) on the device dev. */
static void walk_dir(walk *w, int fd, const char *prefix, const char *canon,
                     dev_t dev)
{
    struct stat dst;
    int dup_fd = dup(fd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL || fstat(fd, &dst) != 0) {
        if (dup_fd >= 0 && d == NULL)
            close(dup_fd);
        snprintf(w->stuck, sizeof w->stuck, "%s cannot be read (%s)",
                 *prefix ? prefix : "the folder", strerror(errno));
        if (d != NULL)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char rel[PATH_MAX], sub[PATH_MAX];
        snprintf(rel, sizeof rel, "%s%s%s", prefix, *prefix ? "/" : "",
                 e->d_name);
        snprintf(sub, sizeof sub, "%s/%s", canon, e->d_name);
        struct stat st;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            foreign(w, rel, NULL);
            continue;
        }
        int is_dir = S_ISDIR(st.st_mode);
        if (mc_names_has(&w->owned->files, rel) && S_ISREG(st.st_mode)) {
            int e2 = may_unlink(fd, &dst, &st);
            if (e2 != 0 && w->stuck[0] == '\0')
                snprintf(w->stuck, sizeof w->stuck, "%s cannot be removed "
                         "(%s)", rel, strerror(e2));
            continue;
        }
        if (!mc_names_has(&w->owned->dirs, rel) || !is_dir ||
            st.st_dev != dev || mc_names_has(w->mounts, sub)) {
            foreign(w, rel, &st);
            continue;
        }
        int e2 = may_unlink(fd, &dst, &st);
        if (e2 != 0 && w->stuck[0] == '\0')
            snprintf(w->stuck, sizeof w->stuck, "%s/ cannot be removed (%s)",
                     rel, strerror(e2));
        int sfd = openat(fd, e->d_name,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0) {
            foreign(w, rel, &st);
            continue;
        }
        walk_dir(w, sfd, rel, sub, dev);
        close(sfd);
    }
    closedir(d);
}

/* A comparison folder's manifest lists each scenario folder's
 * manifest.json ("NAME/manifest.json", one level down): what that
 * manifest lists is breakeven's too, so that a scenario's folder replaced
 * by a run of its own (another set of files) leaves the comparison
 * folder breakeven's.  Entry p of the top manifest, read if it is such a
 * manifest present as a regular file; 0, or -1 with why (a listed name
 * that is not a plain path, or too many). */
static int read_nested(int fd, const char *dir, mc_manifest_reader rd,
                       const char *p, mc_listing *owned, char *why,
                       size_t len)
{
    const char *slash = strchr(p, '/');
    struct stat st;
    if (slash == NULL || strcmp(slash + 1, "manifest.json") != 0 ||
        fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX)
        return 0;
    char path[PATH_MAX + 64], sub_why[256];
    snprintf(path, sizeof path, "%s/%s", dir, p);
    char *list = rd(path, sub_why, sizeof sub_why);
    if (list == NULL)
        return 0;                  /* not a run's: its files stay foreign */
    size_t count = 0;
    int rc = 0;
    for (const char *q = list; rc == 0 && *q != '\0'; q += strlen(q) + 1) {
        char rel[PATH_MAX];
        int n = snprintf(rel, sizeof rel, "%.*s/%s", (int)(slash - p), p, q);
        if (++count > MANIFEST_FILES_MAX || n < 0 || (size_t)n >= sizeof rel ||
            mc_listing_add_file(owned, rel) != 0) {
            snprintf(why, len, "a manifest.json, %.200s, that lists '%.200s', "
                     "not a plain path inside its folder, or more files than "
                     "breakeven writes", p, q);
            rc = -1;
        }
    }
    free(list);
    return rc;
}

/* Reads the manifest of the folder fd (path dir) into *owned.  0, or -1
 * with why. */
static int read_owned(int fd, const char *dir, mc_manifest_reader rd,
                      mc_listing *owned, char *why, size_t len)
{
    struct stat st;
    if (fstatat(fd, "manifest.json", &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode)) {
        snprintf(why, len, "no manifest.json");
        return -1;
    }
    if (st.st_size > MANIFEST_MAX) {
        snprintf(why, len, "a manifest.json of %lld bytes",
                 (long long)st.st_size);
        return -1;
    }
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *list = rd(path, why, len);
    if (list == NULL)
        return -1;
    size_t count = 0;
    for (const char *p = list; *p != '\0'; p += strlen(p) + 1)
        count++;
    if (count > MANIFEST_FILES_MAX) {
        snprintf(why, len, "a manifest.json listing %zu files, more than "
                 "breakeven writes (%d)", count, MANIFEST_FILES_MAX);
        free(list);
        return -1;
    }
    int rc = mc_listing_add_file(owned, "manifest.json");
    for (const char *p = list; rc == 0 && *p != '\0'; p += strlen(p) + 1)
        if (mc_listing_add_file(owned, p) != 0) {
            snprintf(why, len, "a manifest.json that lists '%.200s', not a "
                     "plain path inside its folder", p);
            rc = -1;
        }
    for (const char *p = list; rc == 0 && *p != '\0'; p += strlen(p) + 1)
        rc = read_nested(fd, dir, rd, p, owned, why, len);
    free(list);
    return rc;
}

int mc_fs_inspect(const char *dir, const char *canon,
                  mc_manifest_reader read_manifest, const mc_names *mounts,
                  mc_listing *owned, char *msg, size_t len)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return MC_FS_ABSENT;
        snprintf(msg, len, "expected a folder, found an error (%s)",
                 strerror(errno));
        return MC_FS_ERROR;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(msg, len, "expected a folder, found %s",
                 S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
        return MC_FS_ERROR;
    }
    for (size_t i = 0; i < mounts->n; i++)
        if (mc_fs_at_or_above(canon, mounts->v[i])) {
            if (strcmp(canon, mounts->v[i]) == 0)
                snprintf(msg, len, "found that it is a mount point, which a "
                         "rename cannot replace");
            else
                snprintf(msg, len, "found the mount point %s inside it (a "
                         "removal would cross into it)", mounts->v[i]);
            return MC_FS_MOUNT;
        }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, len, "expected a readable folder, found an error (%s)",
                 strerror(errno));
        return MC_FS_ERROR;
    }
    char why[512] = "";
    walk w = {.owned = owned, .mounts = mounts};
    int have_manifest = read_owned(fd, dir, read_manifest, owned, why,
                                   sizeof why) == 0;
    if (!have_manifest)
        mc_listing_free(owned);        /* then nothing is breakeven's */
    walk_dir(&w, fd, "", canon, st.st_dev);
    close(fd);
    int rc;
    if (w.oom) {
        snprintf(msg, len, "expected memory to list the folder, found none");
        rc = MC_FS_ERROR;
    } else if (w.foreign.n > 0) {
        char names[1024];
        format_names(&w.foreign, names, sizeof names);
        int bad_manifest = !have_manifest &&
                           mc_names_has(&w.foreign, "manifest.json");
        snprintf(msg, len, "found %s, which breakeven did not write%s%s%s",
                 names, bad_manifest ? " (" : "", bad_manifest ? why : "",
                 bad_manifest ? ")" : "");
        rc = MC_FS_FOREIGN;
    } else if (w.stuck[0] != '\0') {
        snprintf(msg, len, "expected to be able to replace the earlier run, "
                 "found that %s", w.stuck);
        rc = MC_FS_ERROR;
    } else {
        /* without a manifest every entry is foreign: none, an empty folder */
        rc = have_manifest ? MC_FS_OWNED : MC_FS_EMPTY;
    }
    mc_names_free(&w.foreign);
    if (rc != MC_FS_OWNED)
        mc_listing_free(owned);
    return rc;
}

size_t mc_fs_list_entries(const char *dir, char *out, size_t cap)
{
    mc_names l = {0};
    DIR *d = opendir(dir);
    out[0] = '\0';
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char buf[NAME_MAX + 2];
        snprintf(buf, sizeof buf, "%s%s", e->d_name,
                 e->d_type == DT_DIR ? "/" : "");
        if (mc_names_add(&l, buf) != 0)
            break;
    }
    closedir(d);
    size_t n = l.n;
    format_names(&l, out, cap);
    mc_names_free(&l);
    return n;
}

/* ---- journal ------------------------------------------------------------ */

int mc_fs_read_journal(const char *dir, mc_listing *l)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/" MC_FS_JOURNAL, dir);
    /* O_NONBLOCK: a FIFO in its place must not block the run (which holds
       the run folder's lock here, so that no signal could end it) */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        return -1;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lines = 0;
    ssize_t n = getline(&line, &cap, f);
    int rc = n > 0 && strcmp(line, MC_FS_JOURNAL_HEAD) == 0 ? 0 : -1;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        /* a run makes a few hundred entries (and one part of samples.csv
           per MPI process); more is not a journal of breakeven's, and the
           bound keeps the checks of a crafted one fast */
        if (++lines > JOURNAL_LINES_MAX) {
            rc = -1;
            break;
        }
        if (line[n - 1] != '\n')
            break;                  /* a line cut by the kill: not acted on */
        line[n - 1] = '\0';
        if (n < 3 || line[1] != ' ')
            rc = -1;
        else if (line[0] == 'f')
            rc = mc_listing_add_file(l, line + 2);
        else if (line[0] == 'd')
            rc = mc_listing_add_dir(l, line + 2);
        else
            rc = -1;
    }
    if (rc == 0)
        rc = mc_listing_add_file(l, MC_FS_JOURNAL);
    free(line);
    fclose(f);
    if (rc != 0)
        mc_listing_free(l);
    return rc;
}

/* ---- removal ------------------------------------------------------------ */

/* Opens the folder that holds rel, below root, one component at a time,
 * without following links or leaving the device; *name receives rel's
 * last component.  A descriptor, or -1 with errno. */
static int open_parent(int root, const char *rel, dev_t dev, char *buf,
                       size_t cap, const char **name)
{
    snprintf(buf, cap, "%s", rel);
    int fd = dup(root);
    char *c = buf;
    for (char *s; fd >= 0 && (s = strchr(c, '/')) != NULL; c = s + 1) {
        *s = '\0';
        int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                          O_CLOEXEC);
        int e = errno;
        close(fd);
        struct stat st;
        if (next >= 0 && (fstat(next, &st) != 0 || st.st_dev != dev)) {
            close(next);
            next = -1;
            e = EXDEV;
        }
        fd = next;
        errno = e;
    }
    *name = c;
    return fd;
}

static int by_depth_desc(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t dx = 0, dy = 0;
    for (; *x; x++)
        dx += *x == '/';
    for (; *y; y++)
        dy += *y == '/';
    return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* Whether rel below the folder whose canonical path is canon is, or lies
 * below, a mount point: a bind mount has its folder's st_dev. */
static int crosses_mount(const char *canon, const char *rel,
                         const mc_names *mounts)
{
    char path[2 * PATH_MAX];
    for (size_t i = 0; i < mounts->n; i++) {
        snprintf(path, sizeof path, "%s/%s", canon, rel);
        for (char *s = path + strlen(canon);; s = strchr(s + 1, '/')) {
            char c = s != NULL ? *s : '\0';
            if (s != NULL)
                *s = '\0';
            int hit = strcmp(path, mounts->v[i]) == 0;
            if (s != NULL)
                *s = c;
            if (hit)
                return 1;
            if (s == NULL)
                break;
        }
    }
    return 0;
}

/* Removes rel (a regular file, or with dir set an empty folder) below
 * root.  0 (also when it is already gone), or an errno. */
static int remove_one(int root, const char *canon, const mc_names *mounts,
                      const char *rel, dev_t dev, int dir)
{
    char buf[PATH_MAX];
    const char *name;
    if (crosses_mount(canon, rel, mounts))
        return EXDEV;
    int fd = open_parent(root, rel, dev, buf, sizeof buf, &name);
    if (fd < 0)
        return errno == ENOENT ? 0 : errno;
    struct stat st;
    int e = 0;
    if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        e = errno == ENOENT ? 0 : errno;
    else if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
        e = dir ? ENOTDIR : EISDIR;  /* not what breakeven wrote there */
    else if (st.st_dev != dev)
        e = EXDEV;
    else if (unlinkat(fd, name, dir ? AT_REMOVEDIR : 0) != 0)
        e = errno == ENOENT ? 0 : errno;
    close(fd);
    return e;
}

/* Whether anything but l's entries is left below root: then the markers
 * stay (-1, msg saying what is there). */
static int foreign_left(int root, const char *canon, const mc_names *mounts,
                        const mc_listing *l, dev_t dev, char *msg, size_t len)
{
    walk w = {.owned = l, .mounts = mounts};
    walk_dir(&w, root, "", canon, dev);
    if (w.foreign.n == 0 && !w.oom) {
        mc_names_free(&w.foreign);
        return 0;
    }
    char names[1024] = "";
    format_names(&w.foreign, names, sizeof names);
    snprintf(msg, len, "it holds %s, which breakeven did not write", names);
    mc_names_free(&w.foreign);
    return -1;
}

static int is_marker(const char *f)
{
    return strcmp(f, "manifest.json") == 0 || strcmp(f, MC_FS_JOURNAL) == 0;
}

int mc_fs_remove_listed(const char *dir, const char *canon,
                        const mc_names *mounts, const mc_listing *l,
                        char *msg, size_t len)
{
    int root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (root < 0 || fstat(root, &st) != 0) {
        int e = errno;
        if (root >= 0)
            close(root);
        if (e == ENOENT)
            return 0;
        snprintf(msg, len, "%s: %s", dir, strerror(e));
        return -1;
    }
    int rc = 0;
    /* the markers last, and only if all else went: a removal cut short
       keeps what names the rest, for the next run */
    for (int markers = 0; markers < 2 && rc == 0; markers++) {
        if (markers == 1 && foreign_left(root, canon, mounts, l, st.st_dev,
                                         msg, len) != 0) {
            rc = -1;
            break;
        }
        for (size_t i = 0; i < l->files.n; i++) {
            const char *f = l->files.v[i];
            if (is_marker(f) != markers)
                continue;
            int e = remove_one(root, canon, mounts, f, st.st_dev, 0);
            if (e != 0 && rc == 0) {
                snprintf(msg, len, "%s: %s", f, strerror(e));
                rc = -1;
            }
        }
    }
    char **dirs = malloc((l->dirs.n + 1) * sizeof *dirs);
    if (dirs == NULL) {
        close(root);
        snprintf(msg, len, "%s: out of memory", dir);
        return -1;
    }
    if (l->dirs.n > 0)
        memcpy(dirs, l->dirs.v, l->dirs.n * sizeof *dirs);
    if (l->dirs.n > 1)
        qsort(dirs, l->dirs.n, sizeof *dirs, by_depth_desc);
    for (size_t i = 0; rc == 0 && i < l->dirs.n; i++) {
        int e = remove_one(root, canon, mounts, dirs[i], st.st_dev, 1);
        if (e != 0 && rc == 0) {
            snprintf(msg, len, "%s/: %s", dirs[i], strerror(e));
            rc = -1;
        }
    }
    free(dirs);
    close(root);
    if (rc == 0 && rmdir(dir) != 0 && errno != ENOENT) {
        char left[512];
        int e = errno;
        if (e == ENOTEMPTY || e == EEXIST) {
            mc_fs_list_entries(dir, left, sizeof left);
            snprintf(msg, len, "it holds %s, which breakeven did not write",
                     left);
        } else {
            snprintf(msg, len, "the folder itself: %s", strerror(e));
        }
        rc = -1;
    }
    return rc;
}
