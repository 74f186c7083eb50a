/* mc_results.h: from columns of samples to statistics and files.
 *
 * results/ knows columns, not the model: it computes statistics of arrays
 * of doubles (with +inf meaning "never"), writes CSV tables of named
 * columns with numbers that read back to the same double, and swaps a
 * finished run folder into place.  It never prints; errors come back as a
 * message "expected ..., found ..." or an strerror text.
 */
#ifndef MC_RESULTS_H
#define MC_RESULTS_H

#include <stddef.h>
#include <stdio.h>

/* ---- statistics --------------------------------------------------- */

/* The quantile levels of summary.csv: 1 5 10 25 50 75 90 95 99 %. */
#define MC_NQ 9
extern const double mc_summary_probs[MC_NQ];
extern const char *const mc_summary_qnames[MC_NQ];   /* "p01", ... */

typedef struct mc_stats {
    size_t n;        /* all samples */
    size_t never;    /* how many are +inf */
    double mean, sd, mcse;   /* over the finite values (NaN if none) */
    double min, max;         /* over all values (+inf counts) */
    double q[MC_NQ];         /* over all values, +inf counts as largest */
    double p_le_2;           /* fraction of values <= 2, or NaN if not
                                requested */
} mc_stats;

/* Quantiles at probs[0..k-1] (each in [0, 1]) of x[0..n-1], n >= 1, by
 * linear interpolation between order statistics (Hyndman and Fan type 7,
 * numpy's default): Q(p) = x(j) + (h - j)(x(j+1) - x(j)) with h = (n-1)p.
 * Values may be +inf (an interpolation that touches +inf is +inf), never
 * NaN.  x is reordered in place (partial selection, not a full sort). */
void mc_quantiles(double *x, size_t n, const double *probs, size_t k,
                  double *out);

/* Statistics of x[0..n-1].  scratch: n doubles of workspace (x itself is
 * left unchanged).  with_p_le_2: fill p_le_2, else set it to NaN. */
void mc_stats_compute(const double *x, size_t n, int with_p_le_2,
                      double *scratch, mc_stats *out);

/* ---- numbers as text ---------------------------------------------- */

/* Writes the shortest decimal text of x that strtod reads back to the
 * same double ("inf", "-inf", "nan" for the special values).  buf holds
 * at least 32 bytes.  Returns the length. */
int mc_fmt_double(char *buf, double x);

/* ---- CSV ------------------------------------------------------------ */

/* A column of a CSV table: exactly one of num, str, or index. */
typedef struct mc_column {
    const char *name;
    const double *num;          /* numbers; NaN is written as an empty cell */
    const char *const *str;     /* strings (no comma, quote or newline) */
    int index;                  /* 1: the row number, 0-based */
} mc_column;

/* Writes a header line and nrows rows to f.  Rows are formatted in
 * parallel on up to nthreads threads (0: OpenMP's default) and written in
 * order.  Returns 0, or -1 with msg set (the write failed: errno's text). */
int mc_csv_write(FILE *f, const mc_column *cols, size_t ncols, size_t nrows,
                 int nthreads, char *msg, size_t len);

/* ---- run folder ------------------------------------------------------- */

/* A run is written into a temporary folder beside the target and swapped
 * into place only when every file is complete and closed: the previous
 * results stay intact until then, and a failed run leaves no trace. */
typedef struct mc_outdir {
    char target[4096];
    char tmp[4096];
} mc_outdir;

/* Creates the target's parent folders if needed and a fresh temporary
 * folder beside the target.  Returns 0, or -1 with msg set. */
int mc_outdir_begin(mc_outdir *o, const char *target, char *msg, size_t len);
/* Opens tmp/name for writing. */
FILE *mc_outdir_open(const mc_outdir *o, const char *name, char *msg,
                     size_t len);
/* Flushes, fsyncs and closes f, checking each step. */
int mc_outdir_close(FILE *f, char *msg, size_t len);
/* Replaces the target by the temporary folder (atomically where the
 * target already exists), then removes the old results. */
int mc_outdir_commit(mc_outdir *o, char *msg, size_t len);
/* Removes the temporary folder and everything in it. */
void mc_outdir_abort(mc_outdir *o);

#endif
