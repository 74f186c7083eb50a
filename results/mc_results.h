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

/* ---- quantiles of a stream ------------------------------------------ */

/* The quantiles of mc_quantiles without holding the data: a pilot
 * subsample brackets each level's order statistics, one pass over the
 * data counts the values below each bracket and keeps the few inside, and
 * the order statistics are selected among those (mc_bracket.c).  The
 * result equals mc_quantiles' bit for bit, whatever order the values come
 * in (except that where -0 and +0 both occur, which of the two comes out
 * is not fixed, as it is not between orderings for mc_quantiles).  When a
 * wanted order statistic falls outside its bracket (a pilot unlike the
 * data, many ties, NaN), mc_bracket_finish says so and the caller must
 * use mc_quantiles instead; the counts make this check exact.
 *
 *     mc_bracket *b = mc_bracket_new(n, probs, k);
 *     double *pilot = mc_bracket_pilot(b);
 *     for (j = 0; j < mc_bracket_pilot_len(b); j++)
 *         pilot[j] = value number j * mc_bracket_stride(b);
 *     mc_bracket_begin(b);
 *     mc_bracket_add(b, values, len);  ... until all n values are added
 *     if (mc_bracket_finish(b, out) != 0)
 *         mc_quantiles(all n values, n, probs, k, out);
 *
 * The pilot only decides how fast this is: any values give exact results
 * or a reported miss.  Every stride'th value represents any data; where
 * the values come in random order (independent draws), the first m do as
 * well.  One object serves any number of passes in turn (each: pilot,
 * begin, add, finish), with the n and probs it was created for; it is not
 * shared between threads. */
typedef struct mc_bracket mc_bracket;

/* For passes over n values at the levels probs[0..k-1] (each in [0, 1]).
 * Returns NULL if out of memory. */
mc_bracket *mc_bracket_new(size_t n, const double *probs, size_t k);
void mc_bracket_free(mc_bracket *b);
/* Bytes that mc_bracket_new(n, probs, k) allocates. */
size_t mc_bracket_bytes(size_t n, const double *probs, size_t k);

/* The pilot: m = mc_bracket_pilot_len values, pilot[j] value number
 * j * stride of the data (or see above). */
size_t mc_bracket_stride(const mc_bracket *b);
size_t mc_bracket_pilot_len(const mc_bracket *b);
double *mc_bracket_pilot(mc_bracket *b);

/* Starts a pass from the pilot (which it reorders). */
void mc_bracket_begin(mc_bracket *b);
/* The next len values of the pass, in any order. */
void mc_bracket_add(mc_bracket *b, const double *x, size_t len);
/* Fills out[0..k-1] and returns 0, or returns -1 (out unspecified) if the
 * pass fell outside a bracket or did not see exactly n values. */
int mc_bracket_finish(mc_bracket *b, double *out);

/* A whole pass over x[0..n-1], the pilot taken from x: returns 0, or 1
 * where it fell back to mc_quantiles (which reorders x). */
int mc_bracket_quantiles(mc_bracket *b, double *x, double *out);

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

/* What mc_outdir_interrupt found. */
enum {
    MC_OUTDIR_NONE,        /* no run folder begun: nothing on disk */
    MC_OUTDIR_WRITING,     /* (internal: a temporary folder exists) */
    MC_OUTDIR_REMOVED,     /* a run was being written: its temporary folder
                              (and any parent folder it created) removed,
                              the target as it was */
    MC_OUTDIR_LEFT,        /* as REMOVED, but removing it failed */
    MC_OUTDIR_COMMITTED    /* the run folder was complete and in place */
};

/* For a program that stops on a signal: call it from an ordinary thread
 * (one that waits with sigwait, not an asynchronous signal handler) just
 * before exiting with _exit.  It waits until no run folder step is in
 * progress (creating the folders, creating a file, the commit: these hold
 * an internal lock), removes the temporary folder of a run being written,
 * and returns with that lock held for good, so that no other thread
 * changes the run folder before the process exits.  Returns one of the
 * values above; target and tmp (cap bytes each, may be NULL) receive the
 * run folder's path ("" for NONE) and the temporary folder's ("" unless
 * REMOVED or LEFT). */
int mc_outdir_interrupt(char *target, char *tmp, size_t cap);

#endif
