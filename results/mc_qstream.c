/* mc_qstream.c: exact quantiles of streams that are replayed, not stored.
 *
 * The plan (mc_results.h) follows each wanted order statistic j (type 7
 * wants j = floor((n-1)p) and j+1) through key intervals that hold it:
 *
 *  - key(x) maps a double to a 64-bit integer with the same order (+0 for
 *    -0), so any interval of keys can be cut into equal parts by shifts;
 *  - pass 1 counts every value into MC_QS_BINS equal bins laid over the
 *    range the pilot puts the wanted levels in, plus a bin below, one
 *    above and one for +inf.  Running sums of the counts name the bin of
 *    each j and the number of values below it;
 *  - each later pass takes those bins (targets): a target whose values
 *    fit in the budget keeps them, and the order statistics are selected
 *    among them (mc_select_, exact); a larger one is cut again into
 *    MC_QS_BINS parts and counted.  A target of one key (a run of equal
 *    values, +inf) is answered at once.
 *
 * Every count is an integer, so the answer does not depend on how the
 * values were split between threads or in what order they came.  Pass 1
 * writes into a per-thread histogram (every value lands in one); later
 * passes touch only the few values inside a target and update shared
 * counters and buffers atomically.
 */
#include "mc_results.h"
#include "mc_results_impl.h"
#include "mc_cpu.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB (MC_QS_BINS + 3)          /* below, the grid, above, +inf */
#define KEY_INF UINT64_C(0xFFF0000000000000)   /* key(+inf) */
#define FLUSH_AT (UINT32_C(1) << 31)  /* per-thread counts spill first */
#define MIN_SUB_BINS 64              /* a cut target's, whatever the
                                        budget (arm_all) */

typedef unsigned __int128 u128;

/* An interval of keys [lo, hi] known to hold some wanted order
 * statistics, with the exact number of values below and inside it. */
typedef struct target {
    uint64_t lo, hi;
    size_t below, count;
    uint32_t coarse;         /* pass-1 bin it lies in */
    int done;                /* its order statistics are known (found
                                across processes: select_distributed) */
    int keep;                /* this pass: keep its values, or count them
                                into nbins sub-bins of 2^shift keys */
    int shift;
    size_t nbins;
    uint64_t *sub;           /* nbins shared counters */
    double *vals;            /* count values kept */
    size_t pos;              /* shared: values kept so far */
} target;

typedef struct qstream {
    uint64_t base;           /* the grid: bin 1 + ((key - base) >> shift) */
    int shift;
    uint64_t end;            /* its last key (below KEY_INF) */
    uint64_t *hist;          /* pass 1: NB counts */
    target *t;               /* unanswered targets, ascending, disjoint */
    size_t nt;
    uint32_t *mark;          /* passes >= 2: bin -> first target + 1 */
    double *val;             /* the wanted order statistics, when known */
    unsigned char *known;
    size_t seen;             /* values counted this pass */
} qstream;

struct mc_qs {
    int avx2;                /* bins_avx2 may run */
    int avx512;              /* the AVX-512 loops may run */
    size_t n, ns, k, m;
    double *probs;
    size_t *ks;              /* wanted order statistics, ascending */
    size_t nks;
    size_t keep_bytes;
    double *pilot;           /* ns * m */
    qstream *s;
    int pass;                /* passes done */
    int pending;             /* another pass needed */
};

struct mc_qs_acc {
    mc_qs *q;
    uint32_t *hist;          /* pass 1: ns * NB */
    size_t *added;           /* per stream, this pass */
    size_t *since_flush;
    size_t nan;
};

/* ---- keys ------------------------------------------------------------- */

static inline uint64_t key_of(double x)
{
    x += 0.0;                            /* -0 -> +0 */
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u ^ ((uint64_t)((int64_t)u >> 63) | UINT64_C(0x8000000000000000));
}

static double value_of(uint64_t k)
{
    uint64_t u = (k & UINT64_C(0x8000000000000000))
                     ? k ^ UINT64_C(0x8000000000000000) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The pass-1 bin of key k: 0 below the grid, 1 .. MC_QS_BINS on it,
 * MC_QS_BINS + 1 above it, MC_QS_BINS + 2 for +inf (and NaN, counted
 * apart). */
static inline uint32_t bin_of(const qstream *st, uint64_t k)
{
    uint32_t c = k < st->base ? 0
               : k > st->end ? MC_QS_BINS + 1
               : (uint32_t)((k - st->base) >> st->shift) + 1;
    return k >= KEY_INF ? MC_QS_BINS + 2 : c;
}

/* Bins of x[0..len) into c, and the NaNs among them. */
static size_t bins(const qstream *st, const double *x, size_t len,
                   uint32_t *restrict c)
{
    size_t nan = 0;
    for (size_t j = 0; j < len; j++) {
        nan += x[j] != x[j];
        c[j] = bin_of(st, key_of(x[j]));
    }
    return nan;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DISPATCH 1
#include <immintrin.h>

/* bins for AVX2, four values at a time.  Keys are compared as signed
 * integers (key ^ 2^63: AVX2 compares signed 64-bit lanes only), which
 * orders them the same way; the results are those of bin_of exactly. */
__attribute__((target("avx2")))
static size_t bins_avx2(const qstream *st, const double *x, size_t len,
                        uint32_t *restrict c)
{
    const uint64_t flip = UINT64_C(0x8000000000000000);
    const __m256i sbase = _mm256_set1_epi64x((long long)(st->base ^ flip));
    const __m256i send = _mm256_set1_epi64x((long long)(st->end ^ flip));
    const __m256i sinf1 = _mm256_set1_epi64x((long long)((KEY_INF - 1) ^ flip));
    const __m256i low63 = _mm256_set1_epi64x(0x7FFFFFFFFFFFFFFFLL);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i above = _mm256_set1_epi64x(MC_QS_BINS + 1);
    const __m256i inf = _mm256_set1_epi64x(MC_QS_BINS + 2);
    const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
    const __m128i count = _mm_cvtsi32_si128(st->shift);
    const __m256d pzero = _mm256_setzero_pd();
    size_t nan = 0, j = 0;
    for (; j + 4 <= len; j += 4) {
        __m256d v = _mm256_loadu_pd(x + j);
        nan += (size_t)__builtin_popcount(
            (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(v, v, _CMP_UNORD_Q)));
        __m256i b = _mm256_castpd_si256(_mm256_add_pd(v, pzero));
        /* signed key: b for x >= 0, b with the low 63 bits flipped below */
        __m256i sk = _mm256_xor_si256(
            b, _mm256_and_si256(_mm256_cmpgt_epi64(zero, b), low63));
        __m256i d = _mm256_add_epi64(
            _mm256_srl_epi64(_mm256_sub_epi64(sk, sbase), count), one);
        d = _mm256_blendv_epi8(d, above, _mm256_cmpgt_epi64(sk, send));
        d = _mm256_blendv_epi8(d, zero, _mm256_cmpgt_epi64(sbase, sk));
        d = _mm256_blendv_epi8(d, inf, _mm256_cmpgt_epi64(sk, sinf1));
        __m256i p = _mm256_permutevar8x32_epi32(d, pick);
        _mm_storeu_si128((__m128i *)(c + j), _mm256_castsi256_si128(p));
    }
    return nan + bins(st, x + j, len - j, c + j);
}

#define AVX512 __attribute__((target("avx512f")))

/* The key of eight values at once (key_of). */
AVX512 static inline __m512i keys512(__m512d v)
{
    __m512i b = _mm512_castpd_si512(_mm512_add_pd(v, _mm512_setzero_pd()));
    __m512i t = _mm512_or_si512(_mm512_srai_epi64(b, 63),
                                _mm512_set1_epi64(INT64_MIN));
    return _mm512_xor_si512(b, t);
}

AVX512 static inline size_t nans512(__m512d v)
{
    return (size_t)__builtin_popcount(
        (unsigned)_mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q));
}

/* bins for AVX-512: eight values at a time, with unsigned comparisons
 * (bin_of's own) and masked moves. */
AVX512 static size_t bins_avx512(const qstream *st, const double *x,
                                 size_t len, uint32_t *restrict c)
{
    const __m512i base = _mm512_set1_epi64((long long)st->base);
    const __m512i end = _mm512_set1_epi64((long long)st->end);
    const __m512i kinf = _mm512_set1_epi64((long long)KEY_INF);
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i above = _mm512_set1_epi64(MC_QS_BINS + 1);
    const __m512i inf = _mm512_set1_epi64(MC_QS_BINS + 2);
    const __m128i count = _mm_cvtsi32_si128(st->shift);
    size_t nan = 0, j = 0;
    for (; j + 8 <= len; j += 8) {
        __m512d v = _mm512_loadu_pd(x + j);
        nan += nans512(v);
        __m512i k = keys512(v);
        __m512i d = _mm512_add_epi64(
            _mm512_srl_epi64(_mm512_sub_epi64(k, base), count), one);
        d = _mm512_mask_mov_epi64(d, _mm512_cmpgt_epu64_mask(k, end), above);
        d = _mm512_maskz_mov_epi64(_mm512_cmpge_epu64_mask(k, base), d);
        d = _mm512_mask_mov_epi64(d, _mm512_cmpge_epu64_mask(k, kinf), inf);
        _mm256_storeu_si256((__m256i *)(c + j), _mm512_cvtepi64_epi32(d));
    }
    return nan + bins(st, x + j, len - j, c + j);
}
#else
#define DISPATCH 0
#endif

static size_t bins_any(const mc_qs *q, const qstream *st, const double *x,
                       size_t len, uint32_t *restrict c)
{
#if DISPATCH
    if (q->avx512)
        return bins_avx512(st, x, len, c);
    if (q->avx2)
        return bins_avx2(st, x, len, c);
#else
    (void)q;
#endif
    return bins(st, x, len, c);
}

/* The keys of pass-1 bin c: [*lo, *hi]; returns 0 if it is empty. */
static int bin_keys(const qstream *st, size_t c, uint64_t *lo, uint64_t *hi)
{
    u128 a, b;
    if (c == 0) {
        if (st->base == 0)
            return 0;
        a = 0;
        b = (u128)st->base - 1;
    } else if (c <= MC_QS_BINS) {
        a = (u128)st->base + ((u128)(c - 1) << st->shift);
        b = a + ((u128)1 << st->shift) - 1;
    } else if (c == MC_QS_BINS + 1) {
        a = (u128)st->base + ((u128)MC_QS_BINS << st->shift);
        b = (u128)KEY_INF - 1;
    } else {
        a = KEY_INF;
        b = UINT64_MAX;
    }
    if (c <= MC_QS_BINS && b > st->end)
        b = st->end;
    if (c == MC_QS_BINS + 1 && a <= st->end)
        a = (u128)st->end + 1;
    if (c <= MC_QS_BINS + 1 && b >= KEY_INF)
        b = (u128)KEY_INF - 1;
    if (a > b)
        return 0;
    *lo = (uint64_t)a;
    *hi = (uint64_t)b;
    return 1;
}

/* ---- plan ------------------------------------------------------------- */

static int cmp_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

mc_qs *mc_qs_new(size_t n, size_t streams, const double *probs, size_t k,
                 size_t keep_bytes)
{
    return mc_qs_new_ranks(n, streams, probs, k, NULL, 0, keep_bytes);
}

mc_qs *mc_qs_new_ranks(size_t n, size_t streams, const double *probs,
                       size_t k, const size_t *ranks, size_t nr,
                       size_t keep_bytes)
{
    if (n == 0 || streams == 0 || k == 0)
        return NULL;
    for (size_t i = 0; i < nr; i++)
        if (ranks[i] >= n)
            return NULL;
    mc_qs *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->n = n;
    q->ns = streams;
    q->k = k;
    q->m = n < MC_QS_PILOT ? n : MC_QS_PILOT;
    q->keep_bytes = keep_bytes;
#if DISPATCH
    /* mc_cpu_limit may keep it to AVX2 or the portable loops: tests run
       every path */
    mc_cpu simd = mc_cpu_level();
    q->avx2 = simd >= MC_CPU_AVX2;
    q->avx512 = simd >= MC_CPU_AVX512;
#endif
    q->probs = malloc(k * sizeof *q->probs);
    q->ks = malloc((2 * k + nr) * sizeof *q->ks);
    q->pilot = calloc(streams * q->m, sizeof *q->pilot);
    q->s = calloc(streams, sizeof *q->s);
    if (q->probs == NULL || q->ks == NULL || q->pilot == NULL ||
        q->s == NULL) {
        mc_qs_free(q);
        return NULL;
    }
    memcpy(q->probs, probs, k * sizeof *probs);
    for (size_t i = 0; i < k; i++) {
        double frac;
        size_t j = mc_q_pos_(n, probs[i], &frac);
        q->ks[q->nks++] = j;
        if (frac > 0)
            q->ks[q->nks++] = j + 1;
    }
    for (size_t i = 0; i < nr; i++)
        q->ks[q->nks++] = ranks[i];
    qsort(q->ks, q->nks, sizeof *q->ks, cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < q->nks; i++)
        if (u == 0 || q->ks[i] != q->ks[u - 1])
            q->ks[u++] = q->ks[i];
    q->nks = u;
    for (size_t i = 0; i < streams; i++) {
        qstream *st = &q->s[i];
        st->val = malloc(q->nks * sizeof *st->val);
        st->known = calloc(q->nks, 1);
        if (st->val == NULL || st->known == NULL) {
            mc_qs_free(q);
            return NULL;
        }
    }
    return q;
}

static void free_targets(qstream *st)
{
    for (size_t i = 0; i < st->nt; i++) {
        free(st->t[i].sub);
        free(st->t[i].vals);
    }
    free(st->t);
    st->t = NULL;
    st->nt = 0;
}

void mc_qs_free(mc_qs *q)
{
    if (q == NULL)
        return;
    if (q->s != NULL)
        for (size_t i = 0; i < q->ns; i++) {
            free_targets(&q->s[i]);
            free(q->s[i].hist);
            free(q->s[i].mark);
            free(q->s[i].val);
            free(q->s[i].known);
        }
    free(q->s);
    free(q->probs);
    free(q->ks);
    free(q->pilot);
    free(q);
}

/* What mc_qs_new_ranks, mc_qs_plan, the accumulators and arm_all
 * allocate, stream by stream (each malloc counted with 16 bytes of
 * glibc's bookkeeping).  Only the values kept and the cut targets'
 * sub-bins depend on the data; they follow a model: each wanted order
 * statistic has a target of its own (measured: 15.5 targets for 20
 * wanted in curve.csv's streams, 27.7 for 36 in summary.csv's) holding
 * n / 4096 values (the pass-1 grid spreads the middle of the pilot over
 * MC_QS_BINS bins, and the wanted levels sit where values are dense:
 * measured n / 5000 to n / 4065 in the default scenario's streams),
 * kept while the budget lasts, the rest cut into MC_QS_BINS sub-bins
 * while their own budget lasts (arm_all).  Values piled into a few bins
 * (curves far beyond the traffic's life) cut more targets than this, but
 * their sub-bins stay within that budget (or MIN_SUB_BINS each). */
double mc_qs_bytes(size_t n, size_t streams, size_t wanted,
                   size_t keep_bytes, int threads)
{
    const double S = (double)streams, K = (double)wanted, over = 16.0;
    const double m = (double)(n < MC_QS_PILOT ? n : MC_QS_PILOT);
    const double t = threads > 0 ? threads : 1;
    double b = sizeof(mc_qs) + (2.0 * K + 1.0) * sizeof(size_t) +
               S * (sizeof(qstream) + K * (sizeof(double) + 1.0) +
                    2.0 * over) +
               S * m * sizeof(double) + over;        /* the pilot */
    if (n <= MC_QS_PILOT)
        return b;                                    /* no pass */
    /* pass 1: every stream's counts, and each thread's */
    double acc = t * (S * (NB * sizeof(uint32_t) + 2.0 * sizeof(size_t)) +
                      4.0 * over);
    double pass1 = S * (NB * sizeof(uint64_t) + over);
    /* from the end of pass 1 (the threads' counts still held): the marks,
       the targets, the values kept and the sub-bins of the cut ones */
    double targets = S * K, per = (double)n / 4096.0;
    double budget = (double)(keep_bytes / sizeof(double));
    double kept = targets * per, cut = 0;
    if (kept > budget) {
        cut = targets - floor(budget / per);
        kept = budget;
    }
    double tcap = 8;                                 /* push's growth */
    while (tcap < K)
        tcap *= 2;
    double sub = cut * (MC_QS_BINS * sizeof(uint64_t) + over);
    double floor_sub = cut * (MIN_SUB_BINS * sizeof(uint64_t) + over);
    double sub_budget = (double)keep_bytes + cut * over;
    if (sub > sub_budget)
        sub = sub_budget > floor_sub ? sub_budget : floor_sub;
    double later = S * (NB * sizeof(uint32_t) + over) +
                   S * (tcap * sizeof(target) + over) +
                   kept * sizeof(double) + (targets - cut) * over + sub;
    return b + acc + (pass1 > later ? pass1 : later);
}

size_t mc_qs_pilot_len(const mc_qs *q)
{
    return q->m;
}

double *mc_qs_pilot(mc_qs *q, size_t stream)
{
    return q->pilot + stream * q->m;
}

int mc_qs_passes(const mc_qs *q)
{
    return q->pending;
}

int mc_qs_passes_done(const mc_qs *q)
{
    return q->pass;
}

/* Pilot rank of the value at level p among n, widened by 6 standard
 * deviations of that rank and 3 ranks, clamped to the pilot. */
static size_t pilot_rank(size_t m, double p, double dir)
{
    double r = p * (double)(m - 1) +
               dir * (6.0 * sqrt(p * (1.0 - p) * (double)m) + 3.0);
    if (r < 0)
        return 0;
    if (r > (double)(m - 1))
        return m - 1;
    return (size_t)r;
}

int mc_qs_plan(mc_qs *q)
{
    q->pass = 0;
    if (q->m == q->n) {             /* the pilot is everything */
        for (size_t i = 0; i < q->ns; i++) {
            qstream *st = &q->s[i];
            double *x = mc_qs_pilot(q, i);
            for (size_t j = 0; j < q->m; j++)
                x[j] += 0.0;
            mc_select_(x, q->m, q->ks, q->nks);
            for (size_t u = 0; u < q->nks; u++) {
                st->val[u] = x[q->ks[u]];
                st->known[u] = 1;
            }
        }
        q->pending = 0;
        return 0;
    }
    double plo = 1, phi = 0;
    for (size_t i = 0; i < q->k; i++) {
        if (q->probs[i] < plo)
            plo = q->probs[i];
        if (q->probs[i] > phi)
            phi = q->probs[i];
    }
    for (size_t i = 0; i < q->ns; i++) {
        qstream *st = &q->s[i];
        double *x = mc_qs_pilot(q, i);
        /* The grid spans the pilot's range of the levels, widened; its
         * ends are finite where the pilot has finite values (+inf has a
         * bin of its own). */
        size_t rlo = pilot_rank(q->m, plo, -1.0);
        size_t rhi = pilot_rank(q->m, phi, +1.0);
        size_t ends[2] = {rlo, rhi};
        mc_select_(x, q->m, ends, rlo < rhi ? 2 : 1);
        double vlo = x[rlo], vhi = x[rhi];
        if (!isfinite(vlo) || !isfinite(vhi)) {
            double flo = (double)INFINITY, fhi = -(double)INFINITY;
            for (size_t j = 0; j < q->m; j++)
                if (isfinite(x[j])) {
                    flo = x[j] < flo ? x[j] : flo;
                    fhi = x[j] > fhi ? x[j] : fhi;
                }
            if (flo <= fhi) {
                vlo = isfinite(vlo) ? vlo : vlo > 0 ? fhi : flo;
                vhi = isfinite(vhi) ? vhi : vhi > 0 ? fhi : flo;
            }
        }
        uint64_t lo = key_of(vlo), hi = key_of(vhi);
        if (hi < lo)
            hi = lo;
        int shift = 0;
        while (((hi - lo) >> shift) >= MC_QS_BINS)
            shift++;
        st->base = lo;
        st->shift = shift;
        u128 end = (u128)lo + ((u128)MC_QS_BINS << shift) - 1;
        st->end = end >= KEY_INF ? KEY_INF - 1 : (uint64_t)end;
        if (st->end < st->base)        /* base is +inf: an empty grid */
            st->end = st->base;
        st->hist = calloc(NB, sizeof *st->hist);
        if (st->hist == NULL)
            return -1;
    }
    q->pending = 1;
    return 0;
}

/* ---- passes ------------------------------------------------------------ */

mc_qs_acc *mc_qs_acc_new(mc_qs *q)
{
    mc_qs_acc *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->q = q;
    a->added = calloc(q->ns, sizeof *a->added);
    a->since_flush = calloc(q->ns, sizeof *a->since_flush);
    if (q->pass == 0)
        a->hist = calloc(q->ns * NB, sizeof *a->hist);
    if (a->added == NULL || a->since_flush == NULL ||
        (q->pass == 0 && a->hist == NULL)) {
        mc_qs_acc_free(a);
        return NULL;
    }
    return a;
}

/* Adds a's pass-1 counts of stream i into the stream's (atomically: other
 * threads may flush theirs at the same time) and clears them. */
static void flush(mc_qs_acc *a, size_t i)
{
    uint32_t *h = a->hist + i * NB;
    uint64_t *g = a->q->s[i].hist;
    for (size_t c = 0; c < NB; c++)
        if (h[c] != 0) {
            __atomic_fetch_add(&g[c], (uint64_t)h[c], __ATOMIC_RELAXED);
            h[c] = 0;
        }
    a->since_flush[i] = 0;
}

void mc_qs_acc_free(mc_qs_acc *a)
{
    if (a == NULL)
        return;
    free(a->hist);
    free(a->added);
    free(a->since_flush);
    free(a);
}

#define CH 512                        /* values binned at a time */

static void add_pass1(mc_qs_acc *a, size_t i, const double *x, size_t len)
{
    const qstream *st = &a->q->s[i];
    uint32_t *h = a->hist + i * NB;
    uint32_t c[CH];
    for (size_t j0 = 0; j0 < len; j0 += CH) {
        size_t m = len - j0 < CH ? len - j0 : CH;
        a->nan += bins_any(a->q, st, x + j0, m, c);
        for (size_t j = 0; j < m; j++)
            h[c[j]]++;
    }
}

/* Passes >= 2: value x (key k) lies inside target t: keep or count it. */
static void take(target *t, double x, uint64_t k)
{
    if (t->keep) {
        size_t p = __atomic_fetch_add(&t->pos, 1, __ATOMIC_RELAXED);
        if (p < t->count)
            t->vals[p] = x + 0.0;
    } else {
        __atomic_fetch_add(&t->sub[(k - t->lo) >> t->shift], 1,
                           __ATOMIC_RELAXED);
    }
}

/* Passes >= 2: only values inside a target do anything.  The pass-1 bin
 * of a value names the targets it can be in (mark). */
static void add_targets(mc_qs_acc *a, qstream *st, const double *x,
                        size_t len)
{
    uint32_t c[CH];
    for (size_t j0 = 0; j0 < len; j0 += CH) {
        size_t m = len - j0 < CH ? len - j0 : CH;
        a->nan += bins_any(a->q, st, x + j0, m, c);
        for (size_t j = 0; j < m; j++) {
            size_t mk = st->mark[c[j]];
            if (mk == 0)
                continue;
            uint64_t k = key_of(x[j0 + j]);
            for (target *t = &st->t[mk - 1]; t < st->t + st->nt &&
                                             t->coarse == c[j]; t++)
                if (k >= t->lo && k <= t->hi) {
                    take(t, x[j0 + j], k);
                    break;
                }
        }
    }
}

#if DISPATCH
/* Targets a stream may have for add_targets_avx512 to compare each value
 * with all of them. */
#define FEW_TARGETS 32

/* add_targets for AVX-512 and a stream with few targets: eight keys at a
 * time against every target's bounds; the rare lanes inside one are
 * taken one by one. */
AVX512 static void add_targets_avx512(mc_qs_acc *a, qstream *st,
                                      const double *x, size_t len)
{
    __m512i lo[FEW_TARGETS], hi[FEW_TARGETS];
    size_t nt = st->nt, nan = 0, j = 0;
    for (size_t t = 0; t < nt; t++) {
        lo[t] = _mm512_set1_epi64((long long)st->t[t].lo);
        hi[t] = _mm512_set1_epi64((long long)st->t[t].hi);
    }
    for (; j + 8 <= len; j += 8) {
        __m512d v = _mm512_loadu_pd(x + j);
        nan += nans512(v);
        __m512i k = keys512(v);
        __mmask8 in = 0;
        for (size_t t = 0; t < nt; t++)
            in |= _mm512_mask_cmple_epu64_mask(
                _mm512_cmpge_epu64_mask(k, lo[t]), k, hi[t]);
        while (in != 0) {
            int lane = __builtin_ctz(in);
            in &= (__mmask8)(in - 1);
            double xv = x[j + (size_t)lane];
            uint64_t kv = key_of(xv);
            for (size_t t = 0; t < nt; t++)
                if (kv >= st->t[t].lo && kv <= st->t[t].hi) {
                    take(&st->t[t], xv, kv);
                    break;
                }
        }
    }
    a->nan += nan;
    add_targets(a, st, x + j, len - j);
}
#endif

static void add_later(mc_qs_acc *a, size_t i, const double *x, size_t len)
{
    qstream *st = &a->q->s[i];
    if (st->nt == 0)                 /* answered (NaN: seen in pass 1) */
        return;
#if DISPATCH
    if (a->q->avx512 && st->nt <= FEW_TARGETS) {
        add_targets_avx512(a, st, x, len);
        return;
    }
#endif
    add_targets(a, st, x, len);
}

void mc_qs_add(mc_qs_acc *a, size_t stream, const double *x, size_t len)
{
    while (len > 0) {
        size_t part = len < FLUSH_AT ? len : FLUSH_AT;
        if (a->q->pass == 0) {
            if (a->since_flush[stream] + part >= FLUSH_AT * (size_t)2 - 1)
                flush(a, stream);
            add_pass1(a, stream, x, part);
            a->since_flush[stream] += part;
        } else {
            add_later(a, stream, x, part);
        }
        a->added[stream] += part;
        x += part;
        len -= part;
    }
}

/* Room for the sub-bins or kept values of a target, the choice made: at
 * most maxbins sub-bins. */
static int arm(target *t, size_t maxbins)
{
    if (t->keep) {
        t->vals = malloc((t->count > 0 ? t->count : 1) * sizeof *t->vals);
        t->pos = 0;
        return t->vals != NULL ? 0 : -1;
    }
    int shift = 0;
    while (((t->hi - t->lo) >> shift) >= maxbins)
        shift++;
    t->shift = shift;
    t->nbins = (size_t)((t->hi - t->lo) >> shift) + 1;
    t->sub = calloc(t->nbins, sizeof *t->sub);
    return t->sub != NULL ? 0 : -1;
}

/* Collected while cutting targets: the new target list of a stream. */
typedef struct tlist {
    target *t;
    size_t n, cap;
} tlist;

static int push(tlist *l, const target *t)
{
    if (l->n > 0 && l->t[l->n - 1].lo == t->lo)
        return 0;                      /* the same bin, already there */
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        target *p = realloc(l->t, cap * sizeof *p);
        if (p == NULL)
            return -1;
        l->t = p;
        l->cap = cap;
    }
    l->t[l->n++] = *t;
    return 0;
}

/* Gives wanted statistic u (order statistic ks[u]) of stream st, which
 * lies in [lo, hi] with `below` values below it and `count` inside: the
 * value if the interval is one key, else a new target. */
static int place(qstream *st, size_t u, uint64_t lo, uint64_t hi,
                 size_t below, size_t count, uint32_t coarse, tlist *l)
{
    if (lo == hi || lo >= KEY_INF) {
        st->val[u] = value_of(lo >= KEY_INF ? KEY_INF : lo);
        st->known[u] = 1;
        return 0;
    }
    target t;
    memset(&t, 0, sizeof t);
    t.lo = lo;
    t.hi = hi;
    t.below = below;
    t.count = count;
    t.coarse = coarse;
    return push(l, &t);
}

static int cut_pass1(mc_qs *q, qstream *st, tlist *l)
{
    size_t u = 0, below = 0;
    for (size_t c = 0; c < NB && u < q->nks; c++) {
        size_t cnt = (size_t)st->hist[c];
        while (u < q->nks && q->ks[u] < below + cnt) {
            uint64_t lo = 0, hi = 0;
            if (!bin_keys(st, c, &lo, &hi))
                return -2;             /* counts in an empty bin */
            if (place(st, u, lo, hi, below, cnt, (uint32_t)c, l) != 0)
                return -1;
            u++;
        }
        below += cnt;
    }
    return u == q->nks ? 0 : -2;
}

static int cut_target(mc_qs *q, qstream *st, target *t, tlist *l)
{
    size_t u = 0;
    while (u < q->nks && (st->known[u] || q->ks[u] < t->below))
        u++;
    size_t below = t->below, total = 0;
    for (size_t b = 0; b < t->nbins; b++)
        total += (size_t)t->sub[b];
    if (total != t->count)
        return -2;
    for (size_t b = 0; b < t->nbins && u < q->nks; b++) {
        size_t cnt = (size_t)t->sub[b];
        while (u < q->nks && q->ks[u] < below + cnt) {
            if (!st->known[u]) {
                uint64_t lo = t->lo + ((uint64_t)b << t->shift);
                u128 hi = (u128)lo + ((u128)1 << t->shift) - 1;
                if (hi > t->hi)
                    hi = t->hi;
                if (place(st, u, lo, (uint64_t)hi, below, cnt, t->coarse,
                          l) != 0)
                    return -1;
            }
            u++;
        }
        below += cnt;
    }
    return 0;
}

/* The wanted order statistics inside a kept target are the contiguous
 * run ks[u0 .. u1) (ks ascending): select them all at once. */
static int select_kept(mc_qs *q, qstream *st, target *t)
{
    if (t->done)
        return 0;
    if (t->pos != t->count)
        return -2;
    size_t u0 = 0;
    while (u0 < q->nks && q->ks[u0] < t->below)
        u0++;
    size_t u1 = u0;
    while (u1 < q->nks && q->ks[u1] < t->below + t->count)
        u1++;
    if (u1 == u0)
        return 0;
    size_t *ks = malloc((u1 - u0) * sizeof *ks);
    if (ks == NULL)
        return -1;
    for (size_t u = u0; u < u1; u++)
        ks[u - u0] = q->ks[u] - t->below;
    mc_select_(t->vals, t->count, ks, u1 - u0);
    for (size_t u = u0; u < u1; u++) {
        st->val[u] = t->vals[ks[u - u0]];
        st->known[u] = 1;
    }
    free(ks);
    return 0;
}

typedef struct order {
    size_t count, stream, index;
} order;

static int cmp_order(const void *pa, const void *pb)
{
    const order *a = pa, *b = pb;
    if (a->count != b->count)
        return (a->count > b->count) - (a->count < b->count);
    if (a->stream != b->stream)
        return (a->stream > b->stream) - (a->stream < b->stream);
    return (a->index > b->index) - (a->index < b->index);
}

/* Chooses, for the next pass, which targets keep their values (the
 * smallest first, while the budget lasts) and which are cut, allocates
 * their room and the marks.  The cut targets share a budget of the same
 * size for their sub-bins: MC_QS_BINS each while it lasts, fewer (down to
 * MIN_SUB_BINS) when many are cut, so that a pass's memory does not grow
 * with the values (thousands of curve streams whose values pile into a
 * few bins cut tens of thousands of targets, at 64 KiB of sub-bins
 * each).  Fewer sub-bins narrow a target less per pass: a pass more
 * at worst, the answer unchanged. */
static int arm_all(mc_qs *q)
{
    size_t total = 0;
    for (size_t i = 0; i < q->ns; i++)
        total += q->s[i].nt;
    if (total == 0) {
        q->pending = 0;
        return 0;
    }
    order *o = malloc(total * sizeof *o);
    if (o == NULL)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            o[k++] = (order){q->s[i].t[j].count, i, j};
    qsort(o, total, sizeof *o, cmp_order);
    size_t budget = q->keep_bytes / sizeof(double), cut = 0;
    for (size_t r = 0; r < total; r++) {
        target *t = &q->s[o[r].stream].t[o[r].index];
        t->keep = t->count <= budget;
        if (t->keep)
            budget -= t->count;
        else
            budget = 0;                 /* larger ones do not fit either */
        cut += !t->keep;
    }
    free(o);
    size_t maxbins = cut > 0 ? q->keep_bytes / sizeof(uint64_t) / cut
                             : MC_QS_BINS;
    maxbins = maxbins > MC_QS_BINS ? MC_QS_BINS
              : maxbins < MIN_SUB_BINS ? MIN_SUB_BINS : maxbins;
    for (size_t i = 0; i < q->ns; i++) {
        qstream *st = &q->s[i];
        if (st->mark == NULL &&
            (st->mark = malloc(NB * sizeof *st->mark)) == NULL)
            return -1;
        memset(st->mark, 0, NB * sizeof *st->mark);
        for (size_t j = st->nt; j-- > 0;) {
            if (arm(&st->t[j], maxbins) != 0)
                return -1;
            st->mark[st->t[j].coarse] = (uint32_t)(j + 1);
        }
    }
    q->pending = 1;
    return 0;
}

/* One wanted order statistic inside a kept target, found across
 * processes. */
typedef struct dsel {
    qstream *st;
    size_t u;                /* ks[u] */
    size_t k;                /* its 0-based rank among the target's values */
    const uint64_t *keys;    /* this process's values of the target, as
                                sorted keys */
    size_t nkeys;
    uint64_t lo, hi;         /* keys between which it lies */
} dsel;

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* Keys <= k among keys[0..n), sorted. */
static size_t count_le(const uint64_t *keys, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The order statistics of the kept targets over several processes,
 * without moving the values (their number grows with n): each one's key
 * interval is halved, all of them at once, with every process counting
 * its own values at or below the middle and one sum of those counts per
 * round; 64-bit keys take at most 64 rounds, and the traffic is a count
 * per wanted order statistic per round, whatever n.  The key found is
 * exactly the order statistic's (keys are the doubles' bits in order). */
static int select_distributed(mc_qs *q, const mc_reducer *red)
{
    size_t n = 0, nt = 0;
    for (size_t i = 0; i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (q->s[i].t[j].keep) {
                nt++;
                for (size_t u = 0; u < q->nks; u++)
                    n += q->ks[u] >= q->s[i].t[j].below &&
                         q->ks[u] < q->s[i].t[j].below + q->s[i].t[j].count;
            }
    dsel *d = malloc((n + 1) * sizeof *d);
    uint64_t **keys = calloc(nt + 1, sizeof *keys);
    uint64_t *cnt = malloc((n + 1) * sizeof *cnt);
    int rc = d != NULL && keys != NULL && cnt != NULL ? 0 : -1;
    size_t m = 0, kt = 0;
    for (size_t i = 0; rc == 0 && i < q->ns; i++)
        for (size_t j = 0; rc == 0 && j < q->s[i].nt; j++) {
            target *t = &q->s[i].t[j];
            if (!t->keep)
                continue;
            uint64_t *k = keys[kt++] = malloc((t->pos + 1) * sizeof *k);
            if (k == NULL) {
                rc = -1;
                break;
            }
            for (size_t v = 0; v < t->pos; v++)
                k[v] = key_of(t->vals[v]);
            qsort(k, t->pos, sizeof *k, cmp_u64);
            for (size_t u = 0; u < q->nks; u++)
                if (q->ks[u] >= t->below && q->ks[u] < t->below + t->count)
                    d[m++] = (dsel){&q->s[i], u, q->ks[u] - t->below, k,
                                    t->pos, t->lo, t->hi};
            t->done = 1;
        }
    /* the targets' values, counted by all processes, are all there */
    uint64_t *pos = rc == 0 ? malloc((nt + 1) * sizeof *pos) : NULL;
    if (rc == 0 && pos == NULL)
        rc = -1;
    kt = 0;
    for (size_t i = 0; rc == 0 && i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (q->s[i].t[j].keep)
                pos[kt++] = q->s[i].t[j].pos;
    if (rc == 0)
        rc = red->sum_u64(red->ctx, pos, nt);
    kt = 0;
    for (size_t i = 0; rc == 0 && i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (q->s[i].t[j].keep && pos[kt++] != q->s[i].t[j].count)
                rc = -2;
    free(pos);
    /* every process has the same items in the same order, and the same
       intervals after every round: they stop together */
    for (int round = 0; rc == 0 && round < 65; round++) {
        int open = 0;
        for (size_t a = 0; a < m; a++) {
            cnt[a] = 0;
            if (d[a].lo < d[a].hi) {
                open = 1;
                cnt[a] = count_le(d[a].keys, d[a].nkeys,
                                  d[a].lo + (d[a].hi - d[a].lo) / 2);
            }
        }
        if (!open)
            break;
        rc = red->sum_u64(red->ctx, cnt, m);
        for (size_t a = 0; rc == 0 && a < m; a++) {
            if (d[a].lo >= d[a].hi)
                continue;
            uint64_t mid = d[a].lo + (d[a].hi - d[a].lo) / 2;
            if (cnt[a] >= d[a].k + 1)
                d[a].hi = mid;
            else
                d[a].lo = mid + 1;
        }
    }
    for (size_t a = 0; rc == 0 && a < m; a++) {
        d[a].st->val[d[a].u] = value_of(d[a].lo);
        d[a].st->known[d[a].u] = 1;
    }
    for (size_t k = 0; keys != NULL && k < nt; k++)
        free(keys[k]);
    free(keys);
    free(d);
    free(cnt);
    return rc;
}

/* The other processes' counts added to this one's (every process ends
 * with the same): pass 1's histograms, each target's sub-bin counts, and
 * the order statistics of the kept targets (select_distributed).  0, -1
 * (out of memory or the reducer failed) or -2 (the processes together
 * kept other than the values a target holds). */
static int reduce_pass(mc_qs *q, const mc_reducer *red, size_t *nan)
{
    uint64_t *v = malloc((q->ns + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < q->ns; i++)
        v[i] = q->s[i].seen;
    v[q->ns] = *nan;
    int rc = red->sum_u64(red->ctx, v, q->ns + 1);
    for (size_t i = 0; i < q->ns && rc == 0; i++)
        q->s[i].seen = (size_t)v[i];
    *nan = (size_t)v[q->ns];
    free(v);
    for (size_t i = 0; i < q->ns && rc == 0; i++) {
        qstream *st = &q->s[i];
        if (q->pass == 0) {
            rc = red->sum_u64(red->ctx, st->hist, NB);
            continue;
        }
        for (size_t j = 0; j < st->nt && rc == 0; j++)
            if (!st->t[j].keep)       /* kept ones: select_distributed */
                rc = red->sum_u64(red->ctx, st->t[j].sub, st->t[j].nbins);
    }
    if (rc == 0 && q->pass > 0)
        rc = select_distributed(q, red);
    return rc;
}

int mc_qs_end_pass(mc_qs *q, mc_qs_acc *const *accs, size_t nacc,
                   const mc_reducer *red, char *msg, size_t len)
{
    size_t nan = 0;
    for (size_t i = 0; i < q->ns; i++)
        q->s[i].seen = 0;
    for (size_t a = 0; a < nacc; a++) {
        nan += accs[a]->nan;
        for (size_t i = 0; i < q->ns; i++) {
            if (q->pass == 0)
                flush(accs[a], i);
            q->s[i].seen += accs[a]->added[i];
        }
    }
    if (red != NULL && red->nprocs > 1) {
        int rc = reduce_pass(q, red, &nan);
        if (rc != 0) {
            snprintf(msg, len, rc == -2 ? "quantiles: more values kept than "
                     "counted across processes" : "quantiles: combining the "
                     "processes' counts failed");
            return -1;
        }
    }
    if (nan > 0) {
        snprintf(msg, len, "quantiles: expected numbers, found %zu NaN", nan);
        return -1;
    }
    for (size_t i = 0; i < q->ns; i++)
        if (q->s[i].seen != q->n) {
            snprintf(msg, len, "quantiles: expected %zu values of stream %zu "
                     "in pass %d, found %zu", q->n, i, q->pass + 1,
                     q->s[i].seen);
            return -1;
        }

    for (size_t i = 0; i < q->ns; i++) {
        qstream *st = &q->s[i];
        tlist l = {NULL, 0, 0};
        int rc = 0;
        if (q->pass == 0) {
            rc = cut_pass1(q, st, &l);
        } else {
            for (size_t j = 0; j < st->nt && rc == 0; j++)
                rc = st->t[j].keep ? select_kept(q, st, &st->t[j])
                                   : cut_target(q, st, &st->t[j], &l);
        }
        if (rc != 0) {
            free(l.t);
            if (rc == -1)
                snprintf(msg, len, "quantiles: out of memory");
            else
                snprintf(msg, len, "quantiles: counts of stream %zu do not "
                         "add up in pass %d", i, q->pass + 1);
            return -1;
        }
        free_targets(st);
        st->t = l.t;
        st->nt = l.n;
        if (q->pass == 0) {
            free(st->hist);
            st->hist = NULL;
        }
    }
    q->pass++;
    if (arm_all(q) != 0) {
        snprintf(msg, len, "quantiles: out of memory");
        return -1;
    }
    return 0;
}

size_t mc_qs_sub_bins(const mc_qs *q, size_t *cut)
{
    size_t bins = 0, c = 0;
    for (size_t i = 0; i < q->ns; i++)
        for (size_t j = 0; j < q->s[i].nt; j++)
            if (!q->s[i].t[j].keep) {
                bins += q->s[i].t[j].nbins;
                c++;
            }
    if (cut != NULL)
        *cut = c;
    return bins;
}

double mc_qs_rank(const mc_qs *q, size_t stream, size_t rank)
{
    size_t lo = 0, hi = q->nks;         /* ks is ascending: bisect */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q->ks[mid] < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == q->nks || q->ks[lo] != rank || !q->s[stream].known[lo])
        return (double)NAN;
    return q->s[stream].val[lo];
}

void mc_qs_get(const mc_qs *q, size_t stream, double *out)
{
    const qstream *st = &q->s[stream];
    for (size_t i = 0; i < q->k; i++) {
        double frac;
        size_t j = mc_q_pos_(q->n, q->probs[i], &frac);
        size_t u = 0;
        while (q->ks[u] != j)
            u++;
        if (!st->known[u]) {
            out[i] = (double)NAN;
            continue;
        }
        out[i] = frac > 0 ? (st->known[u + 1]
                                 ? mc_interpolate_(st->val[u], st->val[u + 1],
                                                   frac)
                                 : (double)NAN)
                          : st->val[u];
    }
}

mc_qs *mc_qs_new_ci(size_t n, size_t streams, const double *probs, size_t k,
                    size_t keep_bytes)
{
    size_t *ranks = malloc((2 * k + 1) * sizeof *ranks);
    if (ranks == NULL)
        return NULL;
    for (size_t i = 0; i < k; i++)
        mc_quantile_ci_ranks(n, probs[i], MC_LEVEL, &ranks[2 * i],
                             &ranks[2 * i + 1]);
    mc_qs *q = mc_qs_new_ranks(n, streams, probs, k, ranks, 2 * k,
                               keep_bytes);
    free(ranks);
    return q;
}

void mc_qs_get_ci(const mc_qs *q, size_t stream, double *out, double *lo,
                  double *hi)
{
    mc_qs_get(q, stream, out);
    for (size_t i = 0; i < q->k; i++) {
        size_t a, b;
        mc_quantile_ci_ranks(q->n, q->probs[i], MC_LEVEL, &a, &b);
        lo[i] = mc_qs_rank(q, stream, a);
        hi[i] = mc_qs_rank(q, stream, b);
    }
}
