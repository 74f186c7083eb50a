/* mc_manifest.h: reading back the marker of a run folder.  breakeven's
 * manifest.json names the program, a format version and every file the
 * run wrote; a later run replaces a folder only when that list accounts
 * for everything in it (results/mc_outdir.c).  The reader lives in
 * config/ because config/ is the only code that parses JSON. */
#ifndef MC_MANIFEST_H
#define MC_MANIFEST_H

#include <stddef.h>

/* The format of manifest.json written by this version (sim/mc_write.c).
 * Version 0, before the field existed, lists its files the same way and
 * is read alike. */
#define MC_MANIFEST_FORMAT 1

/* The files that the manifest at path lists ("files": [{"name": ...}]):
 * a malloc'd list of NUL-terminated names ended by an empty string, for
 * the caller to free; or NULL with why set ("expected ..., found ...")
 * where path is not a manifest of breakeven's: not readable, not JSON,
 * "program" not "breakeven", a format newer than MC_MANIFEST_FORMAT, or a
 * file entry without a name.  Names are returned as written: the caller
 * judges whether they stay inside the folder.  Matches the type
 * mc_manifest_reader of results/mc_results.h. */
char *mc_cfg_read_manifest(const char *path, char *why, size_t len);

#endif
