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

/* Removes from dir the entries l lists (its files, then its folders,
 * deepest first), then dir itself.  Follows no symbolic link, removes only
 * a regular file where a file is listed, and does not leave dir's file
 * system.  0 when dir is gone; -1 with msg naming the first entry that
 * stopped it, relative to dir (dir is then left with what remains). */
int mc_fs_remove_listed(const char *dir, const mc_listing *l, char *msg,
                        size_t len);

/* Entries of dir, "a, b, c and 4 more" (directories with a trailing
 * '/'), for messages.  Returns the number of entries. */
size_t mc_fs_list_entries(const char *dir, char *out, size_t cap);

#endif
