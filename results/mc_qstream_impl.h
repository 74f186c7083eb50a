/* mc_qstream_impl.h: what the files of mc_qs (mc_qstream.c,
 * mc_qstream_add.c, mc_qstream_pass.c, mc_qstream_dist.c,
 * mc_qstream_bytes.c) share and nobody else sees: the keys, the state of
 * the plan and of its accumulators (mc_results_impl.h's convention:
 * internal functions end in '_'). */
#ifndef MC_QSTREAM_IMPL_H
#define MC_QSTREAM_IMPL_H

#include "mc_results.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NB (MC_QS_BINS + 3)          /* below, the grid, above, +inf */
#define KEY_INF UINT64_C(0xFFF0000000000000)   /* key(+inf) */
#define MIN_SUB_BINS 64              /* a cut target's, whatever the
                                        budget (arm_all) */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DISPATCH 1                   /* the AVX2 and AVX-512 loops exist */
#else
#define DISPATCH 0
#endif

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

/* key(x): a 64-bit integer in the order of the doubles (+0 for -0). */
static inline uint64_t key_of(double x)
{
    x += 0.0;                            /* -0 -> +0 */
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u ^ ((uint64_t)((int64_t)u >> 63) | UINT64_C(0x8000000000000000));
}

/* The double of key k (key_of's inverse; mc_qstream_pass.c). */
double mc_qs_value_of_(uint64_t k);

/* Adds a's pass-1 counts of stream i into the stream's: during the pass
 * atomically, clearing them; at its end (last) with plain additions
 * (mc_qstream_add.c). */
void mc_qs_flush_(mc_qs_acc *a, size_t i, int last);

/* Frees a stream's targets and empties its list (mc_qstream.c). */
void mc_qs_free_targets_(qstream *st);

/* The other processes' counts added to this one's, and the order
 * statistics of the kept targets found across them (mc_qstream_dist.c):
 * 0, -1 or -2. */
int mc_qs_reduce_pass_(mc_qs *q, const mc_reducer *red, size_t *nan);

#endif
