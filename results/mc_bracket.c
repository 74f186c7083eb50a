/* mc_bracket.c: exact quantiles from a pilot subsample and one pass.
 *
 * mc_quantiles selects among all n values, a few passes over them per
 * call; the curve asks for five levels of four columns at each of some
 * seventy horizons, and that selection was most of a run.  Here a pilot
 * subsample (every s-th value, m ~ n/s of them) places each wanted order
 * statistic between two pilot order statistics taken a wide margin apart
 * (6 binomial standard deviations of the pilot rank, plus 3); one pass
 * over the data then counts the values below each such range and keeps
 * the values inside it, a few per cent of the data.  If b values lie
 * below a range and c lie inside, the data's order statistics b .. b+c-1
 * are exactly the values inside in order, so selecting among them gives
 * the order statistics mc_quantiles selects, and the shared interpolation
 * (mc_results_impl.h) gives its bits.  Values equal to the pilot's bounds
 * are only counted, not kept, so that a mass of ties there (all values
 * equal, many +inf) costs no room.  Whether every wanted rank fell inside
 * its range is known exactly from the counts: a miss (a pilot unlike the
 * data, many ties strictly inside, NaN) is reported, never answered
 * wrongly.
 *
 * The pass compares every value with every range, so it is written for
 * speed.  Ranges that overlap (close levels, few values) are merged, so a
 * value lies in at most one; the comparisons have no branches and the
 * only branch is on the few values kept.  And the ranges are drawn in
 * single precision: a range holds the values whose float, (float)v, lies
 * between two floats (the pilot's bounds rounded outwards).  Rounding is
 * monotone, so those values are still an interval of doubles with exactly
 * the smaller values below it, and the rest of the argument holds as is;
 * but floats fill twice the lanes of a vector, and their comparisons
 * count into 32-bit lanes, which GCC vectorizes even for x86-64's
 * baseline SSE2 (comparisons of doubles counted into 64-bit lanes it does
 * not).  Only kept values are compared as doubles.
 */
#include "mc_results.h"
#include "mc_results_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* x86-64 processors with AVX2 run the comparisons in a copy compiled for
 * it (GCC and Clang: the target attribute and __builtin_cpu_supports). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DISPATCH 1
#define INLINE __attribute__((always_inline)) inline
#else
#define DISPATCH 0
#define INLINE inline
#endif

/* Pilot size: every s-th value with s <= 64, but at least 4096 values (or
 * all of them).  The kept values number about n/sqrt(m) and the pilot
 * costs about m, so a pilot of n/64 keeps both small at 1e6..1e8 values. */
#define PILOT_MIN 4096
#define STRIDE_MAX 64
/* Half-width of a range in pilot ranks: MARGIN_SD standard deviations of
 * the pilot rank of the wanted value, plus MARGIN_RANKS; a miss at 6 sd
 * has a probability near 1e-9 per level. */
#define MARGIN_SD 6.0
#define MARGIN_RANKS 3.0
/* Room for a range's kept values: its expected count times KEEP_SLACK
 * plus KEEP_EXTRA; the count varies by about 1/sqrt(pilot ranks spanned),
 * a few per cent, so overflowing the room is as unlikely as a miss. */
#define KEEP_SLACK 1.25
#define KEEP_EXTRA 256.0
/* Values compared with the ranges per sweep: small enough that the block
 * and its flags stay in L1. */
#define BLOCK 256

typedef struct level {
    size_t j;            /* wanted order statistics: j, and j + 1 if */
    double frac;         /* frac > 0 (type 7, mc_q_pos_) */
    size_t r_lo, r_hi;   /* pilot ranks bounding them */
    int open_lo, open_hi;  /* no bound that side: -inf, +inf */
    size_t keep;         /* room for the values of its range */
    size_t range;        /* the merged range it belongs to */
} level;

/* The values v with flo <= (float)v <= fhi, which include lo..hi. */
typedef struct range {
    float flo, fhi;
    double lo, hi;       /* pilot order statistics */
    size_t below;        /* values seen below the range */
    size_t at_lo, at_hi; /* equal to lo (all of them if lo == hi), to hi */
    size_t kept;         /* the others, kept up to keep: */
    size_t under, over;  /* of them below lo, above hi */
    size_t keep;
    double *buf;
} range;

struct mc_bracket {
    int avx2;            /* use classify_avx2 */
    size_t n, k;         /* values per pass, levels */
    size_t stride, m;    /* the pilot: m values, suggested 0, s, 2s, ... */
    double *probs;       /* k levels */
    double *pilot;       /* m values, filled by the caller */
    level *lev;          /* in the order of probs */
    size_t *order;       /* levels by ascending lower bound */
    range *rg;           /* nrg <= k merged ranges, ascending, disjoint */
    size_t nrg;
    int unusable;        /* a bound is NaN: the pass can only fail */
    double *store;       /* the ranges' kept values */
    size_t *ks;          /* 2k ranks, for the selection */
    size_t seen, nan;    /* values added in this pass, of them NaN */
};

/* ---- the pilot and the brackets ------------------------------------- */

static size_t pilot_stride(size_t n)
{
    size_t s = n / PILOT_MIN;
    return s < 1 ? 1 : s > STRIDE_MAX ? STRIDE_MAX : s;
}

/* The bracket of level p among n values with a pilot of m (both >= 1). */
static void plan_level(size_t n, size_t m, double p, level *L)
{
    L->j = mc_q_pos_(n, p, &L->frac);
    size_t j2 = L->frac > 0 ? L->j + 1 : L->j;
    double q = n > 1 ? (double)L->j / (double)(n - 1) : 0.5;
    double margin = ceil(MARGIN_SD * sqrt((double)m * q * (1 - q))) +
                    MARGIN_RANKS;
    double scale = (double)m / (double)n;        /* pilot ranks per rank */
    double lo = floor((double)L->j * scale) - margin;
    double hi = ceil((double)(j2 + 1) * scale) + margin;
    L->open_lo = lo < 0;
    L->open_hi = hi > (double)(m - 1);
    L->r_lo = L->open_lo ? 0 : (size_t)lo;
    L->r_hi = L->open_hi ? m - 1 : (size_t)hi;
    double keep = ceil(KEEP_SLACK * (double)(L->r_hi - L->r_lo + 1) / scale)
                  + KEEP_EXTRA;
    L->keep = keep >= (double)n ? n : (size_t)keep;
    L->range = 0;
}

size_t mc_bracket_bytes(size_t n, const double *probs, size_t k)
{
    size_t m = n == 0 ? 0 : (n + pilot_stride(n) - 1) / pilot_stride(n);
    size_t bytes = sizeof(mc_bracket) + m * sizeof(double) +
                   k * (sizeof(double) + sizeof(level) + sizeof(size_t) +
                        sizeof(range) + 2 * sizeof(size_t));
    for (size_t l = 0; n > 0 && l < k; l++) {
        level L;
        plan_level(n, m, probs[l], &L);
        bytes += L.keep * sizeof(double);
    }
    return bytes;
}

static int lower_first(const level *a, const level *b)
{
    size_t ka = a->open_lo ? 0 : a->r_lo + 1;
    size_t kb = b->open_lo ? 0 : b->r_lo + 1;
    return ka < kb;
}

mc_bracket *mc_bracket_new(size_t n, const double *probs, size_t k)
{
    mc_bracket *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
#if DISPATCH
    b->avx2 = __builtin_cpu_supports("avx2");
#endif
    b->n = n;
    b->k = k;
    b->stride = pilot_stride(n);
    b->m = (n + b->stride - 1) / b->stride;
    size_t total = 0;
    b->probs = malloc((k ? k : 1) * sizeof *b->probs);
    b->pilot = malloc((b->m ? b->m : 1) * sizeof *b->pilot);
    b->lev = malloc((k ? k : 1) * sizeof *b->lev);
    b->order = malloc((k ? k : 1) * sizeof *b->order);
    b->rg = malloc((k ? k : 1) * sizeof *b->rg);
    b->ks = malloc((k ? 2 * k : 1) * sizeof *b->ks);
    if (b->probs == NULL || b->pilot == NULL || b->lev == NULL ||
        b->order == NULL || b->rg == NULL || b->ks == NULL)
        goto fail;
    for (size_t l = 0; l < k; l++) {
        b->probs[l] = probs[l];
        if (n > 0) {
            plan_level(n, b->m, probs[l], &b->lev[l]);
            total += b->lev[l].keep;
        }
        /* insertion sort: k is a handful */
        size_t at = l;
        while (at > 0 && n > 0 &&
               lower_first(&b->lev[l], &b->lev[b->order[at - 1]])) {
            b->order[at] = b->order[at - 1];
            at--;
        }
        b->order[at] = l;
    }
    b->store = malloc((total ? total : 1) * sizeof *b->store);
    if (b->store == NULL)
        goto fail;
    return b;
fail:
    mc_bracket_free(b);
    return NULL;
}

void mc_bracket_free(mc_bracket *b)
{
    if (b == NULL)
        return;
    free(b->probs);
    free(b->pilot);
    free(b->lev);
    free(b->order);
    free(b->rg);
    free(b->ks);
    free(b->store);
    free(b);
}

size_t mc_bracket_stride(const mc_bracket *b)
{
    return b->stride;
}

size_t mc_bracket_pilot_len(const mc_bracket *b)
{
    return b->m;
}

double *mc_bracket_pilot(mc_bracket *b)
{
    return b->pilot;
}

/* The largest float not above x, the smallest not below. */
static float float_below(double x)
{
    float f = (float)x;
    return (double)f > x ? nextafterf(f, -INFINITY) : f;
}

static float float_above(double x)
{
    float f = (float)x;
    return (double)f < x ? nextafterf(f, INFINITY) : f;
}

/* Sorts ks[0..nk) and drops repeats; returns how many remain.  An
 * insertion sort: nk is twice the levels, and qsort may allocate. */
static size_t sort_unique(size_t *ks, size_t nk)
{
    for (size_t i = 1; i < nk; i++) {
        size_t v = ks[i], j = i;
        for (; j > 0 && ks[j - 1] > v; j--)
            ks[j] = ks[j - 1];
        ks[j] = v;
    }
    size_t u = 0;
    for (size_t i = 0; i < nk; i++)
        if (u == 0 || ks[i] != ks[u - 1])
            ks[u++] = ks[i];
    return u;
}

void mc_bracket_begin(mc_bracket *b)
{
    b->seen = b->nan = 0;
    b->nrg = 0;
    b->unusable = 0;
    if (b->n == 0)
        return;

    /* The bounds: order statistics of the pilot. */
    size_t nk = 0;
    for (size_t l = 0; l < b->k; l++) {
        if (!b->lev[l].open_lo)
            b->ks[nk++] = b->lev[l].r_lo;
        if (!b->lev[l].open_hi)
            b->ks[nk++] = b->lev[l].r_hi;
    }
    nk = sort_unique(b->ks, nk);
    mc_select_(b->pilot, b->m, b->ks, nk);

    /* Merge the levels' ranges, by ascending lower bound, wherever they
     * touch: a value then lies in at most one range. */
    double *next = b->store;
    for (size_t o = 0; o < b->k; o++) {
        level *L = &b->lev[b->order[o]];
        double lo = L->open_lo ? -(double)INFINITY : b->pilot[L->r_lo];
        double hi = L->open_hi ? (double)INFINITY : b->pilot[L->r_hi];
        if (isnan(lo) || isnan(hi))
            b->unusable = 1;
        float flo = float_below(lo), fhi = float_above(hi);
        range *last = b->nrg > 0 ? &b->rg[b->nrg - 1] : NULL;
        if (last != NULL && flo <= last->fhi) {
            if (hi > last->hi) {
                last->hi = hi;
                last->fhi = fhi;
            }
            last->keep += L->keep;
        } else {
            last = &b->rg[b->nrg++];
            last->flo = flo;
            last->fhi = fhi;
            last->lo = lo;
            last->hi = hi;
            last->keep = L->keep;
            last->buf = next;
        }
        next += L->keep;
        last->below = last->at_lo = last->at_hi = 0;
        last->kept = last->under = last->over = 0;
        L->range = b->nrg - 1;
    }
    if (b->unusable)          /* ranges found by NaN compare nothing */
        b->nrg = 0;
}

/* Compares x[0..len) with the ranges: in[i] = 1 + the number of the range
 * holding x[i], or 0, and each range's count of values below it grows.
 * Returns how many x[i] are NaN (which no range holds). */
static INLINE size_t classify(const double *x, size_t len, range *rg,
                              size_t nrg, int32_t *restrict in)
{
    float xf[BLOCK];
    int32_t nan = 0;
    for (size_t i = 0; i < len; i++) {
        xf[i] = (float)x[i];
        nan += xf[i] != xf[i];
        in[i] = 0;
    }
    for (size_t r = 0; r < nrg; r++) {
        float lo = rg[r].flo, hi = rg[r].fhi;
        int32_t id = (int32_t)r + 1, below = 0;
        for (size_t i = 0; i < len; i++) {
            int32_t lt = -(int32_t)(xf[i] < lo);      /* all ones or 0 */
            int32_t le = -(int32_t)(xf[i] <= hi);
            below -= lt;
            in[i] += ~lt & le & id;
        }
        rg[r].below += (size_t)below;
    }
    return (size_t)nan;
}

#if DISPATCH
/* classify for AVX2: eight lanes instead of SSE2's four.  Comparisons
 * are exact in any instruction set, so are the results. */
__attribute__((target("avx2")))
static size_t classify_avx2(const double *x, size_t len, range *rg,
                            size_t nrg, int32_t *in)
{
    return classify(x, len, rg, nrg, in);
}
#endif

/* Counts and keeps x[0..len), len <= BLOCK. */
static void add_block(mc_bracket *b, const double *x, size_t len)
{
    int32_t in[BLOCK];
#if DISPATCH
    if (b->avx2)
        b->nan += classify_avx2(x, len, b->rg, b->nrg, in);
    else
#endif
        b->nan += classify(x, len, b->rg, b->nrg, in);
    /* The kept values' positions first, without branches: which values
       are kept is as good as random. */
    uint16_t at[BLOCK];
    size_t nat = 0;
    for (size_t i = 0; i < len; i++) {
        at[nat] = (uint16_t)i;
        nat += in[i] != 0;
    }
    for (size_t j = 0; j < nat; j++) {
        double v = x[at[j]];
        range *g = &b->rg[in[at[j]] - 1];
        if (v == g->lo) {
            g->at_lo++;
        } else if (v == g->hi) {
            g->at_hi++;
        } else {
            g->under += v < g->lo;
            g->over += v > g->hi;
            if (g->kept < g->keep)
                g->buf[g->kept] = v;
            g->kept++;
        }
    }
    b->seen += len;
}

void mc_bracket_add(mc_bracket *b, const double *x, size_t len)
{
    for (size_t at = 0; at < len; at += BLOCK)
        add_block(b, x + at, len - at < BLOCK ? len - at : BLOCK);
}

/* Where the data's order statistic of rank r, inside range g, is: the
 * range holds, in order, the kept values below lo, the copies of lo, the
 * kept values between lo and hi, the copies of hi, the kept values above
 * hi.  Returns 1 and the index among the kept values in sorted order, or
 * 0 and the value of a copy. */
static int locate(const range *g, size_t r, size_t *idx, double *copy)
{
    size_t k = r - g->below, mid = g->kept - g->under - g->over;
    if (k < g->under) {
        *idx = k;
        return 1;
    }
    if (k < g->under + g->at_lo) {
        *copy = g->lo;
        return 0;
    }
    if (k < g->under + g->at_lo + mid) {
        *idx = k - g->at_lo;
        return 1;
    }
    if (k < g->under + g->at_lo + mid + g->at_hi) {
        *copy = g->hi;
        return 0;
    }
    *idx = k - g->at_lo - g->at_hi;
    return 1;
}

/* The order statistic of rank r, inside range g, once selected. */
static double order_stat(const range *g, size_t r)
{
    size_t idx;
    double copy;
    return locate(g, r, &idx, &copy) ? g->buf[idx] : copy;
}

int mc_bracket_finish(mc_bracket *b, double *out)
{
    if (b->n == 0) {
        for (size_t l = 0; l < b->k; l++)
            out[l] = (double)NAN;
        return 0;
    }
    if (b->unusable || b->seen != b->n || b->nan > 0)
        return -1;
    for (size_t r = 0; r < b->nrg; r++) {
        const range *g = &b->rg[r];
        size_t count = g->at_lo + g->kept + g->at_hi, nk = 0;
        for (size_t l = 0; l < b->k; l++) {
            const level *L = &b->lev[l];
            if (L->range != r)
                continue;
            size_t last = L->frac > 0 ? L->j + 1 : L->j;
            if (L->j < g->below || last >= g->below + count)
                return -1;
            double copy;
            for (size_t rank = L->j; rank <= last; rank++)
                if (locate(g, rank, &b->ks[nk], &copy))
                    nk++;
        }
        if (nk == 0)
            continue;
        if (g->kept > g->keep)            /* some values not kept */
            return -1;
        nk = sort_unique(b->ks, nk);
        mc_select_(g->buf, g->kept, b->ks, nk);
    }
    for (size_t l = 0; l < b->k; l++) {
        const level *L = &b->lev[l];
        const range *g = &b->rg[L->range];
        double lo = order_stat(g, L->j);
        out[l] = L->frac > 0
                     ? mc_interpolate_(lo, order_stat(g, L->j + 1), L->frac)
                     : lo;
    }
    return 0;
}

int mc_bracket_quantiles(mc_bracket *b, double *x, double *out)
{
    for (size_t j = 0; j < b->m; j++)
        b->pilot[j] = x[j * b->stride];
    mc_bracket_begin(b);
    mc_bracket_add(b, x, b->n);
    if (mc_bracket_finish(b, out) == 0)
        return 0;
    mc_quantiles(x, b->n, b->probs, b->k, out);
    return 1;
}
