/* mc_qstream_add.c: the values of a pass added to an accumulator of
 * mc_qs (mc_qs_add): each value's pass-1 bin, found four or eight at a
 * time with AVX2 or AVX-512 where the CPU has them (the same bins as the
 * portable loop), counted into the thread's histogram in pass 1, and in
 * later passes kept or counted by the target it lies in. */
#include "mc_qstream_impl.h"

#include <stdlib.h>

#define FLUSH_AT (UINT32_C(1) << 31)  /* per-thread counts spill first */

/* ---- bins ------------------------------------------------------------- */

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

#if DISPATCH
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
    const __m256i sinf1 =
        _mm256_set1_epi64x((long long)((KEY_INF - 1) ^ flip));
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

/* Adds a's pass-1 counts of stream i into the stream's: during the pass
 * atomically (other threads may flush theirs at the same time), clearing
 * them; at its end (last) with plain additions, which vectorize, leaving
 * them (no other thread adds then, and a is not used again). */
void mc_qs_flush_(mc_qs_acc *a, size_t i, int last)
{
    uint32_t *h = a->hist + i * NB;
    uint64_t *g = a->q->s[i].hist;
    if (last)
        for (size_t c = 0; c < NB; c++)
            g[c] += h[c];
    else
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

/* Passes >= 2: value x in pass-1 bin c, which holds a target: taken by
 * the target it lies in, if any. */
static inline void take_in_bin(qstream *st, uint32_t c, double x)
{
    uint64_t k = key_of(x);
    for (target *t = &st->t[st->mark[c] - 1]; t < st->t + st->nt &&
                                             t->coarse == c; t++)
        if (k >= t->lo && k <= t->hi) {
            take(t, x, k);
            return;
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
        for (size_t j = 0; j < m; j++)
            if (st->mark[c[j]] != 0)
                take_in_bin(st, c[j], x[j0 + j]);
    }
}

#if DISPATCH
/* Targets a stream may have for add_targets_avx512 to compare each value
 * with all of them. */
#define FEW_TARGETS 32

/* add_targets for AVX-512 and a stream with few targets: the values'
 * pass-1 bins (32-bit), sixteen at a time against each bin that holds a
 * target; the rare lanes in one are taken one by one. */
AVX512 static void add_targets_avx512(mc_qs_acc *a, qstream *st,
                                      const double *x, size_t len)
{
    __m512i bin[FEW_TARGETS];
    size_t nb = 0;
    for (size_t t = 0; t < st->nt; t++)    /* ascending: bins too */
        if (t == 0 || st->t[t].coarse != st->t[t - 1].coarse)
            bin[nb++] = _mm512_set1_epi32((int)st->t[t].coarse);
    uint32_t c[CH];
    for (size_t j0 = 0; j0 < len; j0 += CH) {
        size_t m = len - j0 < CH ? len - j0 : CH, j = 0;
        a->nan += bins_avx512(st, x + j0, m, c);
        for (; j + 16 <= m; j += 16) {
            __m512i v = _mm512_loadu_si512((const void *)(c + j));
            __mmask16 in = 0;
            for (size_t u = 0; u < nb; u++)
                in |= _mm512_cmpeq_epi32_mask(v, bin[u]);
            while (in != 0) {
                size_t i = j + (size_t)__builtin_ctz(in);
                in &= (__mmask16)(in - 1);
                take_in_bin(st, c[i], x[j0 + i]);
            }
        }
        for (; j < m; j++)
            if (st->mark[c[j]] != 0)
                take_in_bin(st, c[j], x[j0 + j]);
    }
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
                mc_qs_flush_(a, stream, 0);
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
