/* mc_sens.c: Spearman and partial rank correlations of streamed columns.
 *
 * A rank needs every other value, so a streamed run cannot have exact
 * ranks without storing its samples.  It can have them to a resolution
 * that does not depend on n: a pilot (the first values of each column)
 * cuts the line into cells, one pass counts every value into them, and a
 * later pass reads each value's rank off the counts, interpolating inside
 * its cell.  The scores are then summed as integers, so that their
 * cross products are exact and the sums do not depend on the order in
 * which blocks arrive (threads, or ranks of a cluster).
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <immintrin.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "mc_cpu.h"
#include "mc_results.h"

/* ---- rank maps -------------------------------------------------------- */

/* Cells of column c, for edges e_0 < ... < e_{E-1}: cell 2j+1 is the atom
 * {e_j}, cell 2j the open interval (e_{j-1}, e_j), with e_{-1} = -inf and
 * e_E = +inf; 2E + 1 cells.  Every value equal to an edge is in its atom,
 * so ties among pilot values get their exact midrank. */
struct mc_rankmap {
    size_t n, cols, m;       /* values per column, columns, pilot length */
    double *pilot;           /* cols x m */
    size_t *ne;              /* edges per column */
    double *edges;           /* cols x MC_RANK_PILOT, NaN after the last */
    double *sep;             /* cols x 64: every 64th edge, NaN after */
    uint64_t *below;         /* cols x (2 MC_RANK_PILOT + 1): values in
                                earlier cells, after mc_rankmap_end */
    uint64_t *count;         /* values in each cell */
    double *lo, *hi;         /* each column's least and greatest value */
    int ready;               /* counts known */
    mc_cpu simd;             /* the cell lookups' loops (mc_cpu.h) */
};

struct mc_rankmap_acc {
    const mc_rankmap *m;
    uint64_t *count;         /* cols x (2 MC_RANK_PILOT + 1) */
    double *lo, *hi;         /* cols */
};

#define NCELLS (2 * MC_RANK_PILOT + 1)
/* The edges are searched in two steps of 64 comparisons each (every 64th
 * edge, then the 64 of one block): counted, not branched on, so that the
 * compiler vectorizes them; four times faster than a binary search,
 * whose branches a random value mispredicts. */
#define SEP 64
_Static_assert(MC_RANK_PILOT == SEP * SEP, "two levels of 64 edges");

mc_rankmap *mc_rankmap_new(size_t n, size_t cols)
{
    mc_rankmap *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->n = n;
    m->cols = cols;
    m->simd = mc_cpu_level();     /* as mc_qstream.c: mc_cpu_limit may
                                     keep it to a slower path */
    m->m = n < MC_RANK_PILOT ? n : MC_RANK_PILOT;
    size_t c = cols > 0 ? cols : 1;
    m->pilot = malloc(c * (m->m + 1) * sizeof *m->pilot);
    m->ne = calloc(c, sizeof *m->ne);
    m->edges = malloc(c * MC_RANK_PILOT * sizeof *m->edges);
    m->sep = malloc(c * SEP * sizeof *m->sep);
    m->below = calloc(c * NCELLS, sizeof *m->below);
    m->count = calloc(c * NCELLS, sizeof *m->count);
    m->lo = malloc(c * sizeof *m->lo);
    m->hi = malloc(c * sizeof *m->hi);
    if (m->pilot == NULL || m->ne == NULL || m->edges == NULL ||
        m->sep == NULL ||
        m->below == NULL || m->count == NULL || m->lo == NULL ||
        m->hi == NULL) {
        mc_rankmap_free(m);
        return NULL;
    }
    return m;
}

void mc_rankmap_free(mc_rankmap *m)
{
    if (m == NULL)
        return;
    free(m->pilot);
    free(m->ne);
    free(m->edges);
    free(m->sep);
    free(m->below);
    free(m->count);
    free(m->lo);
    free(m->hi);
    free(m);
}

size_t mc_rankmap_pilot_len(const mc_rankmap *m)
{
    return m->m;
}

double *mc_rankmap_pilot(mc_rankmap *m, size_t col)
{
    return m->pilot + col * m->m;
}

static size_t cell_of(const mc_rankmap *m, size_t col, double x);

/* below[] of column c from its counts; returns the total. */
static uint64_t cumulate(mc_rankmap *m, size_t c)
{
    uint64_t run = 0;
    for (size_t i = 0; i < NCELLS; i++) {
        m->below[c * NCELLS + i] = run;
        run += m->count[c * NCELLS + i];
    }
    return run;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void mc_rankmap_plan(mc_rankmap *m)
{
    for (size_t c = 0; c < m->cols; c++) {
        double *p = mc_rankmap_pilot(m, c), *e = m->edges + c * MC_RANK_PILOT;
        qsort(p, m->m, sizeof *p, cmp_double);
        /* the distinct pilot values: at most MC_RANK_PILOT of them, as
           the pilot is that long */
        size_t k = 0;
        for (size_t i = 0; i < m->m; i++)
            if (k == 0 || p[i] != e[k - 1])
                e[k++] = p[i] == 0.0 ? 0.0 : p[i];   /* -0 reads as 0 */
        m->ne[c] = k;
        for (size_t i = k; i < MC_RANK_PILOT; i++)
            e[i] = (double)NAN;          /* never <= x: not counted */
        for (size_t i = 0; i < SEP; i++)
            m->sep[c * SEP + i] = e[i * SEP];
        m->lo[c] = k > 0 ? e[0] : (double)NAN;
        m->hi[c] = k > 0 ? e[k - 1] : (double)NAN;
        if (m->m == m->n) {     /* the pilot is every value: count it */
            uint64_t *cnt = m->count + c * NCELLS;
            memset(cnt, 0, NCELLS * sizeof *cnt);
            for (size_t i = 0; i < m->m; i++)
                cnt[cell_of(m, c, p[i])]++;
            cumulate(m, c);
        }
    }
    m->ready = m->m == m->n;
}

int mc_rankmap_ready(const mc_rankmap *m)
{
    return m->ready;
}

mc_rankmap_acc *mc_rankmap_acc_new(const mc_rankmap *m)
{
    mc_rankmap_acc *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    size_t c = m->cols > 0 ? m->cols : 1;
    a->m = m;
    a->count = calloc(c * NCELLS, sizeof *a->count);
    a->lo = malloc(c * sizeof *a->lo);
    a->hi = malloc(c * sizeof *a->hi);
    if (a->count == NULL || a->lo == NULL || a->hi == NULL) {
        mc_rankmap_acc_free(a);
        return NULL;
    }
    for (size_t i = 0; i < m->cols; i++) {
        a->lo[i] = INFINITY;
        a->hi[i] = -INFINITY;
    }
    return a;
}

void mc_rankmap_acc_free(mc_rankmap_acc *a)
{
    if (a == NULL)
        return;
    free(a->count);
    free(a->lo);
    free(a->hi);
    free(a);
}

/* The cell of x among the edges e (NaN after the last), sep every 64th:
 * the count c1 of separators <= x picks the block, the count c2 of its
 * edges <= x the largest edge e[lo] <= x. */
static size_t cell_at(const double *e, size_t c1, size_t c2, double x)
{
    if (c1 == 0)
        return 0;                     /* below every edge */
    size_t lo = (c1 - 1) * SEP + c2 - 1;            /* c2 >= 1 */
    return x == e[lo] ? 2 * lo + 1 : 2 * lo + 2;
}

static size_t cell_portable(const double *e, const double *sep, double x)
{
    /* counted in doubles: GCC vectorizes this form (small integers, so
       the sums are exact in any order), not an integer count of a double
       comparison */
    double c1 = 0, c2 = 0;
    for (int i = 0; i < SEP; i++)
        c1 += sep[i] <= x ? 1.0 : 0.0;
    if (c1 == 0)
        return 0;
    const double *blk = e + ((size_t)c1 - 1) * SEP;
    for (int j = 0; j < SEP; j++)
        c2 += blk[j] <= x ? 1.0 : 0.0;
    return cell_at(e, (size_t)c1, (size_t)c2, x);
}

/* _CMP_LE_OQ: an ordered comparison, false for the NaN padding */
__attribute__((target("avx2")))
static size_t cell_avx2(const double *e, const double *sep, double x)
{
    __m256d v = _mm256_set1_pd(x);
    int c1 = 0, c2 = 0;
    for (int i = 0; i < SEP; i += 4)
        c1 += __builtin_popcount((unsigned)_mm256_movemask_pd(
            _mm256_cmp_pd(_mm256_loadu_pd(sep + i), v, _CMP_LE_OQ)));
    if (c1 == 0)
        return 0;
    const double *blk = e + (size_t)(c1 - 1) * SEP;
    for (int j = 0; j < SEP; j += 4)
        c2 += __builtin_popcount((unsigned)_mm256_movemask_pd(
            _mm256_cmp_pd(_mm256_loadu_pd(blk + j), v, _CMP_LE_OQ)));
    return cell_at(e, (size_t)c1, (size_t)c2, x);
}

__attribute__((target("avx512f")))
static size_t cell_avx512(const double *e, const double *sep, double x)
{
    __m512d v = _mm512_set1_pd(x);
    int c1 = 0, c2 = 0;
    for (int i = 0; i < SEP; i += 8)
        c1 += __builtin_popcount(_mm512_cmp_pd_mask(_mm512_loadu_pd(sep + i),
                                                    v, _CMP_LE_OQ));
    if (c1 == 0)
        return 0;
    const double *blk = e + (size_t)(c1 - 1) * SEP;
    for (int j = 0; j < SEP; j += 8)
        c2 += __builtin_popcount(_mm512_cmp_pd_mask(_mm512_loadu_pd(blk + j),
                                                    v, _CMP_LE_OQ));
    return cell_at(e, (size_t)c1, (size_t)c2, x);
}

static size_t cell_of(const mc_rankmap *m, size_t col, double x)
{
    const double *e = m->edges + col * MC_RANK_PILOT, *sep = m->sep + col * SEP;
    return m->simd == MC_CPU_AVX512 ? cell_avx512(e, sep, x)
         : m->simd == MC_CPU_AVX2 ? cell_avx2(e, sep, x)
         : cell_portable(e, sep, x);
}

void mc_rankmap_count(mc_rankmap_acc *a, size_t col, const double *x,
                      size_t len)
{
    const mc_rankmap *m = a->m;
    uint64_t *cnt = a->count + col * NCELLS;
    double lo = a->lo[col], hi = a->hi[col];
    for (size_t i = 0; i < len; i++) {
        cnt[cell_of(m, col, x[i])]++;
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    a->lo[col] = lo;
    a->hi[col] = hi;
}

/* The other processes' counts, least and greatest values with this
 * one's (all processes end with the same). */
static int reduce_counts(mc_rankmap *m, const mc_reducer *red)
{
    if (red->sum_u64(red->ctx, m->count, m->cols * NCELLS) != 0)
        return -1;
    size_t n = 2 * m->cols;
    double *mine = malloc((n + 1) * sizeof *mine);
    void *all = NULL;
    size_t *lens = NULL;
    int rc = mine == NULL ? -1 : 0;
    for (size_t c = 0; rc == 0 && c < m->cols; c++) {
        mine[2 * c] = m->lo[c];
        mine[2 * c + 1] = m->hi[c];
    }
    if (rc == 0)
        rc = red->gather(red->ctx, mine, n * sizeof *mine, &all, &lens);
    for (int p = 0; rc == 0 && p < red->nprocs; p++) {
        const double *v = (const double *)all + (size_t)p * n;
        if (lens[p] != n * sizeof *mine) {
            rc = -1;
            break;
        }
        for (size_t c = 0; c < m->cols; c++) {
            m->lo[c] = v[2 * c] < m->lo[c] ? v[2 * c] : m->lo[c];
            m->hi[c] = v[2 * c + 1] > m->hi[c] ? v[2 * c + 1] : m->hi[c];
        }
    }
    free(mine);
    free(all);
    free(lens);
    return rc;
}

int mc_rankmap_end(mc_rankmap *m, mc_rankmap_acc *const *accs, size_t nacc,
                   const mc_reducer *red, char *msg, size_t len)
{
    size_t cells = m->cols * NCELLS;
    memset(m->count, 0, (cells > 0 ? cells : 1) * sizeof *m->count);
    for (size_t t = 0; t < nacc; t++) {
        for (size_t i = 0; i < cells; i++)
            m->count[i] += accs[t]->count[i];
        for (size_t c = 0; c < m->cols; c++) {
            m->lo[c] = accs[t]->lo[c] < m->lo[c] ? accs[t]->lo[c] : m->lo[c];
            m->hi[c] = accs[t]->hi[c] > m->hi[c] ? accs[t]->hi[c] : m->hi[c];
        }
    }
    if (red != NULL && red->nprocs > 1 && reduce_counts(m, red) != 0) {
        snprintf(msg, len, "ranks: combining the processes' counts failed");
        return -1;
    }
    for (size_t c = 0; c < m->cols; c++) {
        uint64_t run = cumulate(m, c);
        if (run != m->n) {
            snprintf(msg, len, "expected %zu values in rank column %zu, "
                     "found %llu", m->n, c, (unsigned long long)run);
            return -1;
        }
    }
    m->ready = 1;
    return 0;
}

/* Scores are (midrank + 1/2) / n - 1/2, in [-1/2, 1/2], times 2^20. */
#define SCORE_SCALE 1048576.0

void mc_rankmap_scores(const mc_rankmap *m, size_t col, const double *x,
                       size_t len, int32_t *q)
{
    const double *e = m->edges + col * MC_RANK_PILOT;
    size_t k = m->ne[col];
    const uint64_t *below = m->below + col * NCELLS;
    const uint64_t *cnt = m->count + col * NCELLS;
    double n = (double)m->n;
    for (size_t i = 0; i < len; i++) {
        size_t c = cell_of(m, col, x[i]);
        /* an atom's values share the midrank; inside an open cell a value
           is placed by linear interpolation between the cell's edges
           (the outer cells reach to the least and greatest value counted;
           the middle where a bound is infinite) */
        double f = 0.5;
        if (c % 2 == 0) {
            double lo = c > 0 ? e[c / 2 - 1] : m->lo[col];
            double hi = c < 2 * k ? e[c / 2] : m->hi[col];
            if (isfinite(lo) && isfinite(hi) && hi > lo)
                f = (x[i] - lo) / (hi - lo);
        }
        double s = ((double)below[c] + f * (double)cnt[c]) / n - 0.5;
        q[i] = (int32_t)lrint(s * SCORE_SCALE);
    }
}

/* ---- sums of scores ----------------------------------------------------- */

__extension__ typedef __int128 i128;

/* Sums over samples of the scores a (d inputs, then o outputs): each
 * score, each product of two inputs, of an input and an output, and the
 * square of each output (the correlations between outputs are not
 * needed).  Per block in int64 (|a b| <= 2^38, 8192 of them < 2^51),
 * then in 128 bits: exact and order-free for any n below 2^70. */
struct mc_rsums {
    size_t d, o;
    uint64_t n;
    i128 *s;         /* d + o */
    i128 *xx;        /* d x d */
    i128 *xy;        /* d x o */
    i128 *yy;        /* o */
};

mc_rsums *mc_rsums_new(size_t d, size_t o)
{
    mc_rsums *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->d = d;
    s->o = o;
    s->s = calloc(d + o + 1, sizeof *s->s);
    s->xx = calloc(d * d + 1, sizeof *s->xx);
    s->xy = calloc(d * o + 1, sizeof *s->xy);
    s->yy = calloc(o + 1, sizeof *s->yy);
    if (s->s == NULL || s->xx == NULL || s->xy == NULL || s->yy == NULL) {
        mc_rsums_free(s);
        return NULL;
    }
    return s;
}

void mc_rsums_free(mc_rsums *s)
{
    if (s == NULL)
        return;
    free(s->s);
    free(s->xx);
    free(s->xy);
    free(s->yy);
    free(s);
}

static int64_t dot(const int32_t *a, const int32_t *b, size_t len)
{
    int64_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc += (int64_t)a[i] * b[i];
    return acc;
}

void mc_rsums_add(mc_rsums *s, const int32_t *const *q, size_t len)
{
    assert(len <= MC_RSUMS_BLOCK);
    size_t d = s->d, o = s->o;
    s->n += len;
    for (size_t c = 0; c < d + o; c++) {
        int64_t acc = 0;
        for (size_t i = 0; i < len; i++)
            acc += q[c][i];
        s->s[c] += acc;
    }
    for (size_t a = 0; a < d; a++) {
        for (size_t b = 0; b <= a; b++)
            s->xx[a * d + b] += dot(q[a], q[b], len);
        for (size_t y = 0; y < o; y++)
            s->xy[a * o + y] += dot(q[a], q[d + y], len);
    }
    for (size_t y = 0; y < o; y++)
        s->yy[y] += dot(q[d + y], q[d + y], len);
}

void mc_rsums_merge(mc_rsums *into, const mc_rsums *from)
{
    size_t d = into->d, o = into->o;
    into->n += from->n;
    for (size_t c = 0; c < d + o; c++)
        into->s[c] += from->s[c];
    for (size_t i = 0; i < d * d; i++)
        into->xx[i] += from->xx[i];
    for (size_t i = 0; i < d * o; i++)
        into->xy[i] += from->xy[i];
    for (size_t y = 0; y < o; y++)
        into->yy[y] += from->yy[y];
}

int mc_rsums_reduce(mc_rsums *s, const mc_reducer *red)
{
    if (red == NULL || red->nprocs <= 1)
        return 0;
    size_t d = s->d, o = s->o, k = 1 + (d + o) + d * d + d * o + o;
    i128 *mine = malloc(k * sizeof *mine), *v = mine;
    void *all = NULL;
    size_t *lens = NULL;
    if (mine == NULL)
        return -1;
    *v++ = (i128)s->n;
    memcpy(v, s->s, (d + o) * sizeof *v);
    v += d + o;
    memcpy(v, s->xx, d * d * sizeof *v);
    v += d * d;
    memcpy(v, s->xy, d * o * sizeof *v);
    v += d * o;
    memcpy(v, s->yy, o * sizeof *v);
    int rc = red->gather(red->ctx, mine, k * sizeof *mine, &all, &lens);
    if (rc == 0) {
        memset(s->s, 0, (d + o) * sizeof *s->s);
        memset(s->xx, 0, d * d * sizeof *s->xx);
        memset(s->xy, 0, d * o * sizeof *s->xy);
        memset(s->yy, 0, o * sizeof *s->yy);
        s->n = 0;
    }
    for (int p = 0; rc == 0 && p < red->nprocs; p++) {
        if (lens[p] != k * sizeof *mine) {
            rc = -1;
            break;
        }
        const i128 *w = (const i128 *)all + (size_t)p * k;
        s->n += (uint64_t)*w++;
        for (size_t i = 0; i < d + o; i++)
            s->s[i] += *w++;
        for (size_t i = 0; i < d * d; i++)
            s->xx[i] += *w++;
        for (size_t i = 0; i < d * o; i++)
            s->xy[i] += *w++;
        for (size_t i = 0; i < o; i++)
            s->yy[i] += *w++;
    }
    free(mine);
    free(all);
    free(lens);
    return rc;
}

/* n sum(ab) - sum(a) sum(b): n^2 times the covariance, exactly. */
static double comoment(uint64_t n, i128 sab, i128 sa, i128 sb)
{
    return (double)((i128)n * sab - sa * sb);
}

/* Fisher's z interval of a correlation r with standard error se of
 * atanh(r); r = +-1 gives [r, r]. */
static void fisher(double r, double se, double level, double *lo,
                   double *hi)
{
    if (!isfinite(r) || !(se > 0.0) || !isfinite(se)) {
        *lo = *hi = (double)NAN;
        return;
    }
    if (fabs(r) >= 1.0) {
        *lo = *hi = r;
        return;
    }
    double z = atanh(r), h = mc_z(level) * se;
    *lo = tanh(z - h);
    *hi = tanh(z + h);
}

int mc_rsums_result(const mc_rsums *s, double level, mc_rankcorr *out)
{
    size_t d = s->d, o = s->o, n = (size_t)s->n;
    double *var = malloc((d + o + 1) * sizeof *var);
    gsl_matrix *c = gsl_matrix_alloc(d + 1, d + 1);
    if (var == NULL || c == NULL) {
        free(var);
        gsl_matrix_free(c);
        return -1;
    }
    for (size_t a = 0; a < d; a++)
        var[a] = comoment(s->n, s->xx[a * d + a], s->s[a], s->s[a]);
    for (size_t y = 0; y < o; y++)
        var[d + y] = comoment(s->n, s->yy[y], s->s[d + y], s->s[d + y]);
    /* Spearman's rho: Fieller, Hartley and Pearson's (1957) standard
       error sqrt(1.06 / (n - 3)) of atanh(rho); a partial correlation
       given the d - 1 other inputs: 1 / sqrt(n - 3 - (d - 1)) */
    double se_rho = n > 3 ? sqrt(1.06 / (double)(n - 3)) : (double)NAN;
    double se_prcc = n > d + 2 ? 1.0 / sqrt((double)(n - 2 - d))
                               : (double)NAN;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (size_t y = 0; y < o; y++) {
        mc_rankcorr *row = out + y * d;
        for (size_t a = 0; a < d; a++) {
            double den = sqrt(var[a] * var[d + y]);
            double r = comoment(s->n, s->xy[a * o + y], s->s[a], s->s[d + y]);
            row[a].spearman = den > 0.0 ? r / den : (double)NAN;
            fisher(row[a].spearman, se_rho, level, &row[a].spearman_lo,
                   &row[a].spearman_hi);
            row[a].prcc = row[a].prcc_lo = row[a].prcc_hi = (double)NAN;
        }
        /* The partial correlations from the inverse P of the correlation
           matrix of (inputs, output): -P_ay / sqrt(P_aa P_yy).  Left
           empty where the matrix is singular, or where the output (or an
           input) is, to 1e-6 of its rank variance, a linear function of
           the others' ranks: its residual is then below the rank map's
           resolution and the partial correlation would be noise. */
        int ok = var[d + y] > 0.0;
        for (size_t a = 0; a < d && ok; a++) {
            ok = var[a] > 0.0;
            for (size_t b = 0; b <= a && ok; b++) {
                double v = a == b ? 1.0
                    : comoment(s->n, s->xx[a * d + b], s->s[a], s->s[b]) /
                          sqrt(var[a] * var[b]);
                gsl_matrix_set(c, a, b, v);
                gsl_matrix_set(c, b, a, v);
            }
            gsl_matrix_set(c, a, d, row[a].spearman);
            gsl_matrix_set(c, d, a, row[a].spearman);
        }
        gsl_matrix_set(c, d, d, 1.0);
        if (!ok || gsl_linalg_cholesky_decomp1(c) != GSL_SUCCESS ||
            gsl_linalg_cholesky_invert(c) != GSL_SUCCESS)
            continue;
        for (size_t a = 0; a <= d && ok; a++)
            ok = gsl_matrix_get(c, a, a) * 1e-6 < 1.0;
        if (!ok)
            continue;
        double pyy = gsl_matrix_get(c, d, d);
        for (size_t a = 0; a < d; a++) {
            double p = -gsl_matrix_get(c, a, d) /
                       sqrt(gsl_matrix_get(c, a, a) * pyy);
            row[a].prcc = p > 1.0 ? 1.0 : p < -1.0 ? -1.0 : p;
            fisher(row[a].prcc, se_prcc, level, &row[a].prcc_lo,
                   &row[a].prcc_hi);
        }
    }
    gsl_set_error_handler(old);
    free(var);
    gsl_matrix_free(c);
    return 0;
}
