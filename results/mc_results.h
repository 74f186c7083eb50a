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
#include <stdint.h>
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
    double p_le;             /* fraction of values <= the threshold the
                                caller gave (the model's: 2 for the
                                multipliers), or NaN if none was given */
    /* Monte Carlo error at MC_LEVEL: each statistic's interval */
    double mean_lo, mean_hi;         /* mean -+ z mcse */
    double q_lo[MC_NQ], q_hi[MC_NQ]; /* order statistics around q[i]
                                        (mc_quantile_ci_ranks) */
    double p_le_lo, p_le_hi;         /* Wilson (mc_wilson) */
} mc_stats;

/* The level of every interval breakeven writes. */
#define MC_LEVEL 0.95

/* Quantiles at probs[0..k-1] (each in [0, 1]) of x[0..n-1], n >= 1, by
 * linear interpolation between order statistics (Hyndman and Fan type 7,
 * numpy's default): Q(p) = x(j) + (h - j)(x(j+1) - x(j)) with h = (n-1)p.
 * Values may be +inf (an interpolation that touches +inf is +inf), never
 * NaN.  x is reordered in place (partial selection, not a full sort). */
void mc_quantiles(double *x, size_t n, const double *probs, size_t k,
                  double *out);

/* Statistics of x[0..n-1].  scratch: n doubles of workspace (x itself is
 * left unchanged).  out->p_le is the fraction of values <= p_le, NaN for
 * a NaN p_le. */
void mc_stats_compute(const double *x, size_t n, double p_le,
                      double *scratch, mc_stats *out);

/* ---- Monte Carlo error ------------------------------------------------ */

/* z of a two-sided interval at `level` (0.95: 1.959964). */
double mc_z(double level);
/* The distribution-free interval of the p-quantile from n values: the
 * 0-based order statistics *lo <= *hi with P(x(lo) <= Q(p) <= x(hi)) >=
 * level, the number of values below Q(p) being binomial (n, p); each
 * rank is the closest to the middle that keeps its tail at most
 * (1 - level) / 2 (exact binomial tails, GSL), clamped to [0, n-1] when a
 * tail cannot be that small (few values, extreme p). */
void mc_quantile_ci_ranks(size_t n, double p, double level, size_t *lo,
                          size_t *hi);
/* Wilson's score interval of a proportion k / n at level. */
void mc_wilson(size_t k, size_t n, double level, double *lo, double *hi);

/* ---- statistics of a stream, merged block by block ------------------- */

/* Count, never, mean, sd, extremes and P(<= p_le) of values that arrive in
 * blocks: each block is summarized on its own (mc_sacc_block) and the
 * summaries are merged in a fixed order (mc_sacc_merge), so the result
 * depends on the blocks and that order, never on which thread did what.
 * Mean and variance are kept as a two-pass block mean and sum of squared
 * deviations, merged by Chan, Golub and LeVeque's update, on values scaled
 * by a power of two so that neither can overflow (mc_stats_compute's
 * rule). */
typedef struct mc_sacc {
    size_t n;            /* values */
    size_t never;        /* +inf */
    size_t finite;       /* finite values, over which: */
    double mean;         /* their mean, unscaled */
    double m2;           /* their sum of squared deviations, times 4^-e */
    int e;               /* the scale's exponent */
    double min, max;     /* over all values (NaN while n == 0) */
    size_t n_le;         /* values <= the p_le of mc_sacc_block */
} mc_sacc;

/* An empty summary (n = 0). */
void mc_sacc_init(mc_sacc *a);
/* The summary of x[0..len), values finite or +inf (never NaN), counting
 * those <= p_le (none for a NaN p_le). */
void mc_sacc_block(const double *x, size_t len, double p_le, mc_sacc *out);
/* a = a followed by b. */
void mc_sacc_merge(mc_sacc *a, const mc_sacc *b);
/* Fills out's n, never, mean, sd, mcse, min, max and (with_p_le)
 * p_le, the fraction counted by mc_sacc_block (else NaN), from a;
 * leaves out->q alone. */
void mc_sacc_stats(const mc_sacc *a, int with_p_le, mc_stats *out);

/* ---- several processes ------------------------------------------------ */

/* How statistics are combined across the processes of one run (MPI ranks,
 * each with its share of the samples).  results/ knows nothing of MPI:
 * sim/ supplies these functions (sim/mc_comm.c); NULL means one process.
 * Every process must make the same calls in the same order. */
typedef struct mc_reducer {
    void *ctx;
    int nprocs, rank;
    /* x[0..n) summed over the processes, in place, on every process */
    int (*sum_u64)(void *ctx, uint64_t *x, size_t n);
    /* every process's len bytes at mine, concatenated in process order,
       into *out (malloc'd, the caller frees), with each one's length in
       lens[0..nprocs) (malloc'd); 0 or -1 */
    int (*gather)(void *ctx, const void *mine, size_t len, void **out,
                  size_t **lens);
} mc_reducer;

/* ---- summaries merged along a fixed tree ------------------------------ */

/* Block summaries (of any kind: a payload of fixed size and a merge
 * function) merged along the binary tree fixed by the block indices, so
 * that the result depends only on the blocks, never on how they were
 * shared among threads or processes (mc_mtree.c explains).  Push nodes
 * in block order: blocks as (level 0, block index), or the maximal nodes
 * another process ended with (mc_mtree_node), range after range. */
typedef struct mc_mtree mc_mtree;
/* merge(ctx, left, right): left = left followed by right. */
typedef void (*mc_mtree_merge_fn)(void *ctx, void *left, const void *right);
mc_mtree *mc_mtree_new(size_t payload_bytes, mc_mtree_merge_fn merge,
                       void *ctx);                /* NULL: no memory */
void mc_mtree_free(mc_mtree *t);
/* 0; -1 if the nodes do not come in order (the stack would overflow);
 * -2 out of memory. */
int mc_mtree_push(mc_mtree *t, int level, uint64_t index,
                  const void *payload);
/* The merge of every node pushed into out (left as it is when none);
 * scratch holds one payload. */
void mc_mtree_fold(const mc_mtree *t, void *out, void *scratch);
/* The stack: node k of mc_mtree_nodes, with its level and index. */
size_t mc_mtree_nodes(const mc_mtree *t);
const void *mc_mtree_node(const mc_mtree *t, size_t k, int *level,
                          uint64_t *index);
void mc_mtree_clear(mc_mtree *t);
/* Replaces t's stack, on every process, by all processes' stacks pushed
 * in process order (each process having pushed a contiguous range of
 * blocks, the ranges in process order): then mc_mtree_fold gives the
 * one-process result bit for bit.  0; -1 nodes out of order; -2 out of
 * memory or the reducer failed.  red NULL: nothing to do. */
int mc_mtree_reduce(mc_mtree *t, const mc_reducer *red);

/* ---- exact quantiles of streams that can be replayed -------------------- */

/* The type-7 quantiles of mc_quantiles, bit for bit, of several streams
 * of n values each, in memory that does not grow with n: the values are
 * never stored, the caller replays them, pass after pass, as often as
 * mc_qs_passes says.  A Monte Carlo run can: sample i is a pure function
 * of (seed, i).
 *
 * Each wanted order statistic is followed through a key interval known to
 * hold it.  Keys are the doubles' bits mapped so that integer order is
 * numeric order (-0 is read as +0), so an interval can always be cut in
 * two.  A pilot (the first m values of each stream) places a histogram of
 * MC_QS_BINS equal key bins over the range the wanted levels will fall
 * in, with one bin for everything below it and one for everything above;
 * pass 1 counts every value into it, and the counts say exactly which bin
 * holds each wanted order statistic and how many values lie below it.
 * Each later pass either cuts those bins again into MC_QS_BINS (when
 * their values together would take more room than the budget) or keeps
 * the values inside them, among which the order statistics are then
 * selected exactly.  The pilot only decides how many passes are needed:
 * any pilot gives the exact answer.
 *
 *     mc_qs *q = mc_qs_new(n, streams, probs, k, keep_bytes);
 *     for each stream s: fill mc_qs_pilot(q, s)[0..m) with its first m values
 *     mc_qs_plan(q);
 *     while (mc_qs_passes(q) > 0) {
 *         mc_qs_acc *a[threads] = mc_qs_acc_new(q) for each thread;
 *         each thread: mc_qs_add(a[t], s, values, len) for its share of
 *                      every stream, in any order and split;
 *         mc_qs_end_pass(q, a, threads);     (then free the accs)
 *     }
 *     mc_qs_get(q, s, out);
 *
 * When m == n the pilot is the whole stream and no pass is needed.
 * mc_qs_add may be called from several threads at once, each with its own
 * accumulator; everything else from one thread.  Values must not be NaN
 * (a pass that does not count n values per stream fails). */
#define MC_QS_BINS 8192
#define MC_QS_PILOT 4096            /* pilot length, or n if smaller */
typedef struct mc_qs mc_qs;
typedef struct mc_qs_acc mc_qs_acc;

/* For streams of n >= 1 values each and the levels probs[0..k-1] (in
 * [0, 1]); keep_bytes bounds the values kept in a pass, and the sub-bins
 * of the bins cut again (each gets fewer, down to 64, when many are
 * cut).  NULL if out of memory. */
mc_qs *mc_qs_new(size_t n, size_t streams, const double *probs, size_t k,
                 size_t keep_bytes);
/* The same, and the order statistics ranks[0..nr) (0-based, each < n;
 * NULL if one is not) as well, read with mc_qs_rank. */
mc_qs *mc_qs_new_ranks(size_t n, size_t streams, const double *probs,
                       size_t k, const size_t *ranks, size_t nr,
                       size_t keep_bytes);
void mc_qs_free(mc_qs *q);
/* Bytes mc_qs_new and the passes allocate at their peak for `streams`
 * streams of n values and `wanted` order statistics each (2 per level,
 * plus any ranks), with `threads` accumulators (for a memory check
 * before a run).  Up to MC_QS_PILOT values the pilot is everything and
 * grows with n; beyond, only the values kept and the sub-bins (at most
 * keep_bytes of values, and a model of how many targets are cut: see
 * mc_qstream.c) depend on n. */
double mc_qs_bytes(size_t n, size_t streams, size_t wanted,
                   size_t keep_bytes, int threads);

/* The sub-bins the coming pass counts into, over all its cut targets
 * (*cut of them, when not NULL): at most keep_bytes / 8, or 64 per cut
 * target when there are more of those.  For tests. */
size_t mc_qs_sub_bins(const mc_qs *q, size_t *cut);

size_t mc_qs_pilot_len(const mc_qs *q);
double *mc_qs_pilot(mc_qs *q, size_t stream);
/* Reads the pilots (which it reorders) and plans pass 1.  Returns 0 or -1
 * (out of memory). */
int mc_qs_plan(mc_qs *q);
/* Passes still needed: 0 when every quantile is known.  (An estimate of
 * how many after this one may follow: see mc_qs_end_pass.) */
int mc_qs_passes(const mc_qs *q);

/* One thread's counts for the current pass (NULL if out of memory). */
mc_qs_acc *mc_qs_acc_new(mc_qs *q);
void mc_qs_acc_free(mc_qs_acc *a);
/* Values x[0..len) of stream s, part of the current pass. */
void mc_qs_add(mc_qs_acc *a, size_t stream, const double *x, size_t len);
/* Closes the pass: merges the accumulators' counts (in any order: they
 * are integers) and plans the next pass or selects the answers.  When
 * several processes each saw part of the values (red not NULL; NULL is
 * one process), their counts and kept values are combined first, and
 * every process plans the same next pass.  Returns 0, or -1 with msg:
 * out of memory, or a pass that did not see exactly n values of every
 * stream (NaN, or a caller's mistake). */
int mc_qs_end_pass(mc_qs *q, mc_qs_acc *const *accs, size_t nacc,
                   const mc_reducer *red, char *msg, size_t len);
/* The k quantiles of stream s (after the last pass). */
void mc_qs_get(const mc_qs *q, size_t stream, double *out);
/* The order statistic `rank` (0-based) of stream s, if it was asked for
 * (a level's or mc_qs_new_ranks'), after the last pass; else NaN. */
double mc_qs_rank(const mc_qs *q, size_t stream, size_t rank);
/* Between passes: bounds [*lo, *hi] on the order statistics that the
 * level p of stream s interpolates (type 7: the j-th and, if it weighs,
 * the (j+1)-th smallest), from the targets that hold them or their
 * values once known; -inf, +inf before pass 1 has ended.  The level's
 * quantile lies between them unless its interpolation rounds outside:
 * a caller that relies on it checks once the quantile is known. */
void mc_qs_bracket(const mc_qs *q, size_t stream, double p, double *lo,
                   double *hi);
/* Passes run so far. */
int mc_qs_passes_done(const mc_qs *q);
/* The levels probs[0..k) and, for each, the two order statistics of its
 * interval at MC_LEVEL (mc_quantile_ci_ranks): what summary.csv and
 * curve.csv report.  mc_qs_get_ci reads, after the last pass, the k
 * quantiles of a stream and their intervals' bounds. */
mc_qs *mc_qs_new_ci(size_t n, size_t streams, const double *probs, size_t k,
                    size_t keep_bytes);
void mc_qs_get_ci(const mc_qs *q, size_t stream, double *out, double *lo,
                  double *hi);

/* ---- rank sensitivity: Spearman and partial rank correlations -------- */

/* Ranks of streamed columns, to a resolution that does not grow with n.
 * The first min(n, MC_RANK_PILOT) values of each column (the pilot) are
 * its edges; one pass counts every value into the cells they make (each
 * edge value exactly, and the open intervals between them), and from the
 * counts any value's midrank follows: exactly for a value equal to an
 * edge (ties share their midrank), by linear interpolation between the
 * edges of its interval otherwise (the outer intervals end at the least
 * and greatest value counted).  The error in a rank is at most the count
 * of one interval, about n / MC_RANK_PILOT, and where values are spread
 * evenly inside intervals under one rank (test_results); when n <=
 * MC_RANK_PILOT every value is an edge and the ranks are exact.
 *
 *     mc_rankmap *m = mc_rankmap_new(n, cols);
 *     fill mc_rankmap_pilot(m, c)[0..mc_rankmap_pilot_len(m)) per column;
 *     mc_rankmap_plan(m);
 *     pass: each thread mc_rankmap_count(acc, c, x, len) for all values;
 *     mc_rankmap_end(m, accs, nacc, msg, len);
 *     later pass: mc_rankmap_scores(m, c, x, len, q) for all values.
 *
 * Scores are integers: (midrank + 1/2) / n - 1/2 scaled by 2^20 and
 * rounded, so that sums of products are exact (mc_rsums) and merge in
 * any order.  Values may be +-inf, never NaN. */
#define MC_RANK_PILOT 4096
typedef struct mc_rankmap mc_rankmap;
typedef struct mc_rankmap_acc mc_rankmap_acc;
mc_rankmap *mc_rankmap_new(size_t n, size_t cols);    /* NULL: no memory */
void mc_rankmap_free(mc_rankmap *m);
size_t mc_rankmap_pilot_len(const mc_rankmap *m);
double *mc_rankmap_pilot(mc_rankmap *m, size_t col);
/* Sorts the pilots into edges; when the pilot is every value (n <=
 * MC_RANK_PILOT) it also counts them, and no counting pass is needed. */
void mc_rankmap_plan(mc_rankmap *m);
/* 1 when the counts are known and values can be scored. */
int mc_rankmap_ready(const mc_rankmap *m);
mc_rankmap_acc *mc_rankmap_acc_new(const mc_rankmap *m);
void mc_rankmap_acc_free(mc_rankmap_acc *a);
void mc_rankmap_count(mc_rankmap_acc *a, size_t col, const double *x,
                      size_t len);
/* Merges the counts (any order), with the other processes' (red; NULL
 * is one process).  Returns 0, or -1 with msg if a column did not get
 * exactly n values. */
int mc_rankmap_end(mc_rankmap *m, mc_rankmap_acc *const *accs, size_t nacc,
                   const mc_reducer *red, char *msg, size_t len);
void mc_rankmap_scores(const mc_rankmap *m, size_t col, const double *x,
                       size_t len, int32_t *q);

/* Sums of the scores of d inputs and o outputs (each input with every
 * input and output, each output with itself), in 128-bit integers. */
#define MC_RSUMS_BLOCK 8192
typedef struct mc_rsums mc_rsums;
mc_rsums *mc_rsums_new(size_t d, size_t o);            /* NULL: no memory */
void mc_rsums_free(mc_rsums *s);
/* q[0..d) the inputs' scores, q[d..d+o) the outputs', len <=
 * MC_RSUMS_BLOCK each. */
void mc_rsums_add(mc_rsums *s, const int32_t *const *q, size_t len);
void mc_rsums_merge(mc_rsums *into, const mc_rsums *from);
/* Every process's sums added together, on every process (red may be
 * NULL: nothing to do).  0 or -1. */
int mc_rsums_reduce(mc_rsums *s, const mc_reducer *red);

/* One input's rank correlations with one output, with intervals at a
 * level: Spearman's rho (Fisher's z, standard error sqrt(1.06 / (n - 3)),
 * Fieller, Hartley and Pearson 1957) and the partial rank correlation
 * coefficient given the other inputs (z with 1 / sqrt(n - 2 - d)).  NaN
 * where undefined: a constant column, or for the PRCC a correlation
 * matrix that is singular or an output (or input) whose ranks are, to
 * 1e-6 of their variance, a linear function of the others' (such as
 * training_gpu_hours = k F with only k uncertain). */
typedef struct mc_rankcorr {
    double spearman, spearman_lo, spearman_hi;
    double prcc, prcc_lo, prcc_hi;
} mc_rankcorr;
/* out[y * d + a] for output y and input a.  Returns 0, or -1 (no
 * memory).  Calls GSL with its error handler off for the while. */
int mc_rsums_result(const mc_rsums *s, double level, mc_rankcorr *out);

/* ---- numbers as text ---------------------------------------------- */

/* Writes the shortest decimal text of x that strtod reads back to the
 * same double ("inf", "-inf", "nan" for the special values).  buf holds
 * at least 32 bytes.  Returns the length. */
int mc_fmt_double(char *buf, double x);

/* x to the digits its error err (a half-width: > 0) justifies: the error
 * rounded to one significant digit (two when it starts with a 1) and x to
 * the same decimal place, followed by " ±err" if show_err.  x = 157.4034,
 * err = 0.163 gives "157.40 ±0.16"; err = 3.2 gives "157 ±3".  Without a
 * finite positive error, x to 6 significant digits.  Returns snprintf's
 * count (buf holds cap bytes). */
int mc_fmt_justified(char *buf, size_t cap, double x, double err,
                     int show_err);

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

/* Pieces of mc_csv_write for a table written as it is computed: the
 * header line (returns 0, or -1 with errno set), an upper bound on the
 * bytes of nrows rows, and rows 0..nrows-1 of cols formatted at buf
 * (returns the bytes; an index column counts from index_base). */
int mc_csv_header(FILE *f, const mc_column *cols, size_t ncols);
size_t mc_csv_bound(const mc_column *cols, size_t ncols, size_t nrows);
size_t mc_csv_format(char *buf, const mc_column *cols, size_t ncols,
                     size_t nrows, size_t index_base);

/* ---- run folder ------------------------------------------------------- */

/* Reads the files that a run folder's manifest.json lists (the marker that
 * breakeven wrote the folder): returns a malloc'd list of relative paths,
 * each NUL-terminated, ended by an empty string ("a\0b/c\0\0"), which the
 * caller frees; or NULL with why set where path is not a manifest of
 * breakeven's.  results/ knows no JSON: the program passes config/'s
 * reader (mc_cfg_read_manifest). */
typedef char *(*mc_manifest_reader)(const char *path, char *why, size_t len);

/* A run is written into a temporary folder beside the target and swapped
 * into place only when every file is complete and closed: the previous
 * results stay intact until then, and a failed run leaves no trace.  The
 * target belongs to breakeven or is not touched: it is replaced only when
 * it is absent, empty, or an earlier run whose manifest.json lists all it
 * holds, and then only the files listed are removed (mc_outdir_fs.h).
 * While a run writes, it holds the lock file "<parent>/.<name>.lock";
 * "<parent>/.<name>.tmp.XXXXXX" folders left by a killed run are removed
 * by the next run into the same target when their journal or manifest
 * shows every entry to be breakeven's, and reported otherwise. */
typedef struct mc_outdir {
    char target[4096];   /* as given, for messages */
    char real[4096];     /* its canonical path, which the steps work on */
    char tmp[4096];      /* the temporary folder (canonical) */
    char sub[512];       /* "" for the run folder itself; "NAME/" for a
                            folder inside it (mc_outdir_sub) */
} mc_outdir;

/* Folders a target may be neither equal to nor above (the current
 * folder, the home folder, the scenario file's folder), each with the
 * words that name it in a message; path NULL ends the list. */
typedef struct mc_outdir_protect {
    const char *path;
    const char *what;
} mc_outdir_protect;

/* What the checks need to know beyond the target: up to
 * MC_OUTDIR_PROTECT_MAX - 1 protected folders (the current and home
 * folders, and every scenario file's of a comparison), then an entry
 * with path NULL. */
#define MC_OUTDIR_PROTECT_MAX 72
typedef struct mc_outdir_guard {
    mc_manifest_reader read_manifest;  /* required */
    mc_outdir_protect protect[MC_OUTDIR_PROTECT_MAX];
    size_t longest_entry;   /* longest relative path the run will write
                               ("variants/NAME/summary.csv") */
} mc_outdir_guard;

/* Return values of mc_outdir_check, _begin and _commit besides 0. */
enum {
    MC_OUTDIR_EIO = -1,       /* a path cannot be created, read or written */
    MC_OUTDIR_EREFUSED = -2,  /* the target is not breakeven's to replace:
                                 it holds what breakeven did not write, is a
                                 mount point, is or is above a protected
                                 folder, or another run is writing it */
    MC_OUTDIR_EPREVIOUS = -3, /* (commit) the new run is in place, but what
                                 remains of the previous one could not be
                                 removed: msg names the visible folder it
                                 was moved to */
    MC_OUTDIR_EINTERNAL = -4  /* (commit) the new folder would not pass the
                                 check the next run applies: a file the
                                 manifest does not list (a bug) */
};

/* Everything mc_outdir_begin will check, changing nothing, so that a long
 * run does not fail at its end for a reason known at its start.  label
 * names the target in msg ("--out runs/x").  0 or an error above. */
int mc_outdir_check(const char *target, const char *label,
                    const mc_outdir_guard *g, char *msg, size_t len);
/* The checks, then the target's lock for the whole command, so that no
 * other run starts between its steps (replicates, --until batches): makes
 * the parent folders if needed, takes the lock, and removes a killed
 * run's leftovers (mc_outdir_warnings says which).  0 or an error above.
 * mc_outdir_unlock releases it (mc_outdir_interrupt too). */
int mc_outdir_lock(const char *target, const char *label,
                   const mc_outdir_guard *g, char *msg, size_t len);
void mc_outdir_unlock(void);
/* Checks again, creates the target's parent folders if needed, takes the
 * lock (unless mc_outdir_lock holds it), removes a killed run's
 * leftovers, and creates a fresh temporary folder beside the target.  g
 * must live until the commit or abort.  Returns 0, or an error above with
 * msg set. */
int mc_outdir_begin(mc_outdir *o, const char *target,
                    const mc_outdir_guard *g, char *msg, size_t len);
/* Notes of the last mc_outdir_lock or mc_outdir_begin (killed runs'
 * leftovers removed, or not removed and why), one per line, into buf;
 * returns their length (0: none) and forgets them. */
size_t mc_outdir_warnings(char *buf, size_t cap);
/* Opens tmp/name for writing. */
FILE *mc_outdir_open(const mc_outdir *o, const char *name, char *msg,
                     size_t len);
/* Records that another process will create tmp/name (MPI ranks' parts of
 * samples.csv), so that an abort removes it.  0 or -1 with msg. */
int mc_outdir_note(const mc_outdir *o, const char *name, char *msg,
                   size_t len);
/* Creates the folder tmp/name (its parent must exist), for files opened
 * as "name/file"; mc_outdir_sync_dir fsyncs its entries once they are
 * written (mc_outdir_commit syncs only the top folder's).  0 or -1 with
 * msg. */
int mc_outdir_mkdir(const mc_outdir *o, const char *name, char *msg,
                    size_t len);
int mc_outdir_sync_dir(const mc_outdir *o, const char *name, char *msg,
                       size_t len);
/* A run folder inside o's (a comparison's scenario): *sub writes into
 * tmp/NAME/ (which mc_outdir_mkdir(o, NAME) creates), its entries are
 * o's, journalled and committed or removed with it, and its messages
 * name "<target>/NAME/...".  name is one plain folder name.  0, or -1
 * with msg. */
int mc_outdir_sub(const mc_outdir *o, const char *name, mc_outdir *sub,
                  char *msg, size_t len);
/* The path of entry `name` of o being written (tmp/sub/name) into path
 * (cap bytes).  0, or -1 with msg (too long). */
int mc_outdir_path(const mc_outdir *o, const char *name, char *path,
                   size_t cap, char *msg, size_t len);
/* Flushes, fsyncs and closes f, checking each step. */
int mc_outdir_close(FILE *f, char *msg, size_t len);
/* Replaces the target by the temporary folder (atomically where the
 * target already exists), then removes the files of the old run.  The
 * temporary folder must hold a manifest.json listing every file in it
 * (else -1: an internal error); the target is inspected again (it may
 * have changed during the run).  0, or an error above. */
int mc_outdir_commit(mc_outdir *o, char *msg, size_t len);
/* Removes what the run created in the temporary folder, and the folder:
 * 0, or -1 with msg naming the folder and what is left in it. */
int mc_outdir_abort(mc_outdir *o, char *msg, size_t len);

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
 * before exiting with _exit; or from an atexit handler when a library
 * ends the process.  It waits until no run folder step is in progress
 * (creating the folders, creating a file, the commit: these hold an
 * internal lock), removes the temporary folder of a run being written
 * and the lock file, and returns with that lock held for good, so that no
 * other thread changes the run folder before the process exits.  Returns
 * one of the values above; target and tmp (cap bytes each, may be NULL)
 * receive the run folder's path ("" for NONE) and the temporary folder's
 * ("" unless REMOVED or LEFT). */
int mc_outdir_interrupt(char *target, char *tmp, size_t cap);
/* 1 while a run folder is being written (a temporary folder exists). */
int mc_outdir_writing(void);

#endif
