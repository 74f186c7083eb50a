/* mc_outdir_fs.h: the file-system rules of the run folder, internal to
 * results/ (mc_outdir.c and its tests).  What belongs to breakeven in a
 * folder is decided here, and only what belongs to it is ever removed:
 * the entries a listing names, one by one, never a whole tree, never
 * through a symbolic link, never on another file system. */
#ifndef MC_OUTDIR_FS_H
#define MC_OUTDIR_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "mc_results.h"

/* A growing list of strings (each malloc'd).  A failed allocation returns
 * -1 and leaves the list as it was. */
typedef struct mc_names {
    char **v;
    size_t n, cap;
} mc_names;

int mc_names_add(mc_names *l, const char *s);
int mc_names_has(const mc_names *l, const char *s);
void mc_names_free(mc_names *l);

/* What a run wrote into its folder: files (relative paths, "a/b.csv")
 * and the folders that hold them ("a").  A folder is breakeven's only
 * as the parent of a file it lists. */
typedef struct mc_listing {
    mc_names files;
    mc_names dirs;
} mc_listing;

/* Adds file (a relative path, components neither empty nor "." nor "..")
 * and every folder above it.  0, or -1 (a bad path, or out of memory). */
int mc_listing_add_file(mc_listing *l, const char *file);
/* Adds the folder dir and every folder above it.  0 or -1, as above. */
int mc_listing_add_dir(mc_listing *l, const char *dir);
void mc_listing_free(mc_listing *l);

/* The mount points of this process (/proc/self/mountinfo), or none where
 * that cannot be read (then st_dev alone tells file systems apart). */
int mc_fs_mounts(mc_names *out);

/* The absolute path that path names, symbolic links resolved, whether or
 * not its last components exist yet.  Components after the deepest
 * existing folder may not be "." or "..": mkdir -p would resolve them
 * against folders that do not exist yet.  0, or -1 with msg. */
int mc_fs_canonical(const char *path, char *out, size_t cap, char *msg,
                    size_t len);

/* 1 where the canonical path above is, or lies above, the canonical path
 * below ("/a" is above "/a/b"; "/" above all). */
int mc_fs_at_or_above(const char *above, const char *below);

/* What mc_fs_inspect found in a folder. */
enum {
    MC_FS_ABSENT,   /* nothing there */
    MC_FS_EMPTY,    /* an empty folder */
    MC_FS_OWNED,    /* a run of breakeven's and nothing else: *owned lists it */
    MC_FS_FOREIGN,  /* something breakeven did not write: msg names it */
    MC_FS_MOUNT,    /* a mount point, or a folder above one: msg says */
    MC_FS_ERROR     /* not a folder, or unreadable: msg says */
};

/* Looks at dir (its path as given, and canon, its canonical path) without
 * changing anything: a run folder of breakeven's holds a manifest.json
 * that read_manifest accepts (program, format, files) and nothing but the
 * files it lists, as regular files, and the folders above them, as real
 * folders on dir's own file system that are not mount points (mounts:
 * from mc_fs_mounts).  Also checks that this process may remove every
 * one of them (write permission, the sticky bit).  Returns one of the
 * values above; for MC_FS_OWNED fills *owned (the manifest's files and
 * manifest.json itself), for FOREIGN and ERROR sets msg. */
int mc_fs_inspect(const char *dir, const char *canon,
                  mc_manifest_reader read_manifest, const mc_names *mounts,
                  mc_listing *owned, char *msg, size_t len);

/* The journal of a run folder being written: one line per entry created
 * in it ("f name" or "d name") after a first line naming breakeven, so
 * that a run killed with SIGKILL or by a power cut leaves a folder whose
 * every entry is known to be breakeven's. */
#define MC_FS_JOURNAL ".breakeven-partial"
#define MC_FS_JOURNAL_HEAD "breakeven partial run folder\n"

/* Reads dir's journal into *l (the entries it names, and the journal).
 * 0, or -1 where there is no journal of breakeven's. */
int mc_fs_read_journal(const char *dir, mc_listing *l);

/* Removes from dir (canonical path canon) the entries l lists (its
 * files, then its folders, deepest first), then dir itself.  Follows no
 * symbolic link, removes only a regular file where a file is listed, and
 * does not leave dir's file system or enter a mount point (mounts, from
 * mc_fs_mounts).  The markers (manifest.json, the journal) go last, and
 * stay if anything else failed, so that the next run can still tell what
 * the rest is.  0 when dir is gone; -1 with msg naming the first entry
 * that stopped it, relative to dir (dir is then left with what remains). */
int mc_fs_remove_listed(const char *dir, const char *canon,
                        const mc_names *mounts, const mc_listing *l,
                        char *msg, size_t len);

/* Entries of dir, "a, b, c and 4 more" (directories with a trailing
 * '/'), for messages.  Returns the number of entries. */
size_t mc_fs_list_entries(const char *dir, char *out, size_t cap);

/* ---- shared by mc_outdir.c, mc_outdir_check.c and mc_outdir_lock.c ---- */

#define MC_OD_PATH 4096
/* What breakeven adds to a run folder's name beside it, at most:
 * "NAME.previous-XXXXXX" (16), ".NAME.lock.XXXXXX" (13), ".NAME.tmp.XXXXXX"
 * (12). */
#define MC_OD_NAME_EXTRA 16

/* Where a run folder goes: the path as given (for messages) and the
 * canonical paths that every step works on, so that a symbolic link in
 * the given path switched during the run changes nothing. */
typedef struct mc_od_where {
    char target[MC_OD_PATH];     /* as given, without trailing slashes */
    char parent[MC_OD_PATH];     /* its parent, as given */
    const char *base;            /* the last name, into target */
    char canon[MC_OD_PATH];      /* the target's canonical path */
    char canon_parent[MC_OD_PATH];
} mc_od_where;

int mc_od_copy_path(char *dst, size_t cap, const char *src);
void mc_od_msg(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills *w for target; g, if not NULL, names the protected folders that
 * explain a refusal of ".", ".." or "/" better than their form.  label
 * names the target in messages.  0 or an MC_OUTDIR_E* code. */
int mc_od_locate(mc_od_where *w, const char *target, const char *label,
                 const mc_outdir_guard *g, char *msg, size_t len);
/* Every check that changes nothing (mc_outdir_check); skip_lock leaves
 * out the lock file, for a caller that holds it. */
int mc_od_preflight(const mc_od_where *w, const mc_outdir_guard *g,
                    const char *label, int skip_lock, char *msg, size_t len);
/* The target again: 0 (absent, empty, or breakeven's: *owned lists it) or
 * an MC_OUTDIR_E* code with msg. */
int mc_od_check_target(const mc_od_where *w, const mc_outdir_guard *g,
                       const char *label, mc_listing *owned, char *msg,
                       size_t len);

/* entry has the shape of what breakeven makes beside a run folder base
 * and removes after a killed run (".base.tmp.XXXXXX", ".base.old.XXXXXX",
 * ".base.lock.XXXXXX"); base NULL: beside any run folder. */
int mc_od_leftover_shape(const char *entry, const char *base);

/* The lock file ".NAME.lock" beside the run folder. */
typedef struct mc_od_lockfile {
    char path[MC_OD_PATH];
    int fd;                      /* -1: not held */
} mc_od_lockfile;

/* Whether another run holds w's lock file, or it is not breakeven's. */
int mc_od_check_lock(const mc_od_where *w, const char *label, char *msg,
                     size_t len);
/* Takes w's lock file into *l: 0, or an MC_OUTDIR_E* code with msg. */
int mc_od_take_lock(const mc_od_where *w, mc_od_lockfile *l, char *msg,
                    size_t len);
/* Releases it: unlinked only while it is still the file at its path. */
void mc_od_release_lock(mc_od_lockfile *l);
/* With w's lock held: removes the leftovers of killed runs beside the
 * target that are certainly breakeven's, and appends a line to warn (cap
 * bytes, NUL-terminated) for each one removed or not removed. */
void mc_od_clean_leftovers(const mc_od_where *w, const mc_outdir_guard *g,
                           char *warn, size_t cap);

#endif
