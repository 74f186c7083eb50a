/* test_qstream.c: quantiles of replayed streams (mc_qs_*) and statistics
 * merged block by block (mc_sacc_*).
 *
 * mc_qs must give exactly mc_quantiles' bits (-0 and +0 taken as equal)
 * for every stream and level, however the values of a pass are split
 * between accumulators and in whatever order they come, for any pilot
 * and any budget; mc_sacc merged over blocks must agree with
 * mc_stats_compute on the whole array.  Data come from a fixed-seed
 * splitmix64, so every run sees the same values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_cpu.h"
#include "mc_results.h"

/* INFINITY and NAN are float constants; comparing with them promotes. */
#define INF ((double)INFINITY)
#define NOT_A_NUMBER ((double)NAN)
#define TWO_PI 6.283185307179586476925286766559

/* ---- data ------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* [0, 1) */
static double unif(uint64_t *s)
{
    return (double)(splitmix64(s) >> 11) * 0x1.0p-53;
}

/* (0, 1) */
static double unif_open(uint64_t *s)
{
    return ((double)(splitmix64(s) >> 11) + 0.5) * 0x1.0p-53;
}

static double normal(uint64_t *s)
{
    double u1 = unif_open(s), u2 = unif(s);
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

static size_t below(uint64_t *s, size_t n)
{
    return (size_t)(splitmix64(s) % (uint64_t)n);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static int cmp_double_desc(const void *pa, const void *pb)
{
    return cmp_double(pb, pa);
}

enum {
    D_UNIFORM,
    D_LOGNORMAL,
    D_HEAVY,          /* 1/u^2 */
    D_INF5,           /* lognormal, 5 % +inf */
    D_INF60,          /* lognormal, 60 % +inf */
    D_TIES,           /* 7 distinct values */
    D_EQUAL,          /* one value */
    D_SIGNED,         /* negative and positive, many -0.0 and +0.0 */
    D_EXTREME,        /* 1e-300 and 1e300 scales, both signs */
    D_SORTED,         /* the whole stream ascending: the pilot is its
                         smallest values */
    D_SORTED_DESC,    /* descending: the pilot is the largest */
    D_PILOT_OFF,      /* first 4096 near 1e6, the rest lognormal */
    D_PILOT_INF,      /* first 4096 +inf, the rest uniform */
    D_PILOT_EQUAL,    /* first 4096 all 0.5, the rest uniform */
    D_ULPS,           /* first 4096 all 1.0, the rest within 20000 ulps of
                         1.0 either way: neighbouring doubles on and next to
                         every edge of a grid laid over one value */
    D_COUNT
};

static const char *const dist_name[D_COUNT] = {
    "uniform", "lognormal", "heavy 1/u^2", "5% inf", "60% inf", "7 ties",
    "all equal", "signed with -0/+0", "1e-300 and 1e300", "sorted",
    "sorted descending", "pilot near 1e6", "pilot all inf",
    "pilot all 0.5", "ulps around 1.0",
};

static void gen(double *x, size_t n, int dist, uint64_t seed)
{
    uint64_t s = seed * UINT64_C(0x2545F4914F6CDD1D) + (uint64_t)dist;
    static const double ties[7] = {-3, -1, 0, 0.5, 2, 2.5, 1e10};
    for (size_t i = 0; i < n; i++) {
        double v = 0;
        switch (dist) {
        case D_UNIFORM:
        case D_PILOT_INF:
        case D_PILOT_EQUAL:
            v = unif(&s);
            break;
        case D_LOGNORMAL:
        case D_SORTED:
        case D_SORTED_DESC:
        case D_PILOT_OFF:
            v = exp(normal(&s));
            break;
        case D_HEAVY: {
            double u = unif_open(&s);
            v = 1.0 / (u * u);
            break;
        }
        case D_INF5:
            v = unif(&s) < 0.05 ? INF : exp(normal(&s));
            break;
        case D_INF60:
            v = unif(&s) < 0.60 ? INF : exp(normal(&s));
            break;
        case D_TIES:
            v = ties[below(&s, 7)];
            break;
        case D_EQUAL:
            v = 3.25;
            break;
        case D_ULPS: {
            uint64_t bits;
            double one = 1.0;
            memcpy(&bits, &one, sizeof bits);
            bits = bits - 20000u + (uint64_t)below(&s, 40001);
            memcpy(&v, &bits, sizeof v);
            break;
        }
        case D_SIGNED: {
            double u = unif(&s);
            v = u < 0.3 ? -0.0 : u < 0.6 ? 0.0 : normal(&s) * 10.0;
            break;
        }
        case D_EXTREME: {
            double u = unif_open(&s), sign = unif(&s) < 0.5 ? -1.0 : 1.0;
            int which = (int)below(&s, 4);
            v = which == 0 ? 1e-300 * u : which == 1 ? 1e300 * u
              : which == 2 ? u : 5e-324 * (double)below(&s, 4);
            v *= sign;
            break;
        }
        default:
            fail_msg("unknown distribution %d", dist);
        }
        x[i] = v;
    }
    size_t m = n < MC_QS_PILOT ? n : MC_QS_PILOT;
    if (dist == D_SORTED)
        qsort(x, n, sizeof *x, cmp_double);
    else if (dist == D_SORTED_DESC)
        qsort(x, n, sizeof *x, cmp_double_desc);
    else if (dist == D_PILOT_OFF && n > MC_QS_PILOT)
        for (size_t i = 0; i < m; i++)
            x[i] = 1e6 + unif(&s);
    else if (dist == D_PILOT_INF && n > MC_QS_PILOT)
        for (size_t i = 0; i < m; i++)
            x[i] = INF;
    else if (dist == D_PILOT_EQUAL && n > MC_QS_PILOT)
        for (size_t i = 0; i < m; i++)
            x[i] = 0.5;
    else if (dist == D_ULPS && n > MC_QS_PILOT)
        for (size_t i = 0; i < m; i++)
            x[i] = 1.0;
}

/* ---- levels ------------------------------------------------------------ */

static const double lv_summary[] = {0.01, 0.05, 0.1, 0.25, 0.5,
                                    0.75, 0.9, 0.95, 0.99};
static const double lv_ends[] = {0, 0.5, 1};
static const double lv_five[] = {0.05, 0.25, 0.5, 0.75, 0.95};

typedef struct levels {
    const double *p;
    size_t k;
} levels;

static const levels level_sets[3] = {
    {lv_summary, sizeof lv_summary / sizeof lv_summary[0]},
    {lv_ends, sizeof lv_ends / sizeof lv_ends[0]},
    {lv_five, sizeof lv_five / sizeof lv_five[0]},
};

/* ---- driving mc_qs ----------------------------------------------------- */

/* How a pass's values reach the accumulators. */
enum {
    O_FORWARD,        /* stream by stream, chunks front to back */
    O_REVERSED,       /* streams last first, chunks back to front, each
                         chunk's values reversed */
    O_INTERLEAVED,    /* streams interleaved chunk by chunk, chunks taken
                         alternately from the front and the back */
    O_STRIDED,        /* accumulator a gets values i with i % nacc == a,
                         gathered, in chunks */
    O_COUNT,
    O_VARY = 100      /* O_FORWARD + pass, cycling, a new split each pass */
};

static const char *const order_name[O_COUNT] = {
    "forward", "reversed", "interleaved", "strided",
};

#define MAX_CHUNK 40000

static size_t chunk_len(uint64_t *s, size_t left)
{
    static const size_t fixed[] = {1, 7, 4096, 3, 1000};
    size_t r = below(s, 8), len;
    if (r < 5)
        len = fixed[r];
    else if (r < 7)
        len = 1 + below(s, 3000);
    else
        len = 1 + below(s, MAX_CHUNK);
    return len < left ? len : left;
}

/* One pass: every value of every stream (minus `short_by` of stream
 * `short_stream`) added to the accumulators. */
static void feed(mc_qs_acc *const *acc, size_t nacc, double *const *data,
                 size_t ns, size_t n, int order, uint64_t seed,
                 double *tmp, size_t short_stream, size_t short_by)
{
    uint64_t s = seed;
    switch (order) {
    case O_FORWARD:
        for (size_t i = 0; i < ns; i++) {
            size_t end = n - (i == short_stream ? short_by : 0);
            size_t c = 0;
            for (size_t done = 0; done < end; c++) {
                size_t len = chunk_len(&s, end - done);
                mc_qs_add(acc[c % nacc], i, data[i] + done, len);
                done += len;
            }
        }
        break;
    case O_REVERSED:
        for (size_t i = ns; i-- > 0;) {
            size_t end = n - (i == short_stream ? short_by : 0);
            size_t c = 0;
            for (size_t left = end; left > 0; c++) {
                size_t len = chunk_len(&s, left);
                for (size_t j = 0; j < len; j++)
                    tmp[j] = data[i][left - 1 - j];
                mc_qs_add(acc[(2 * c + 1) % nacc], i, tmp, len);
                left -= len;
            }
        }
        break;
    case O_INTERLEAVED: {
        size_t front[64] = {0}, back[64];
        assert_true(ns <= 64);
        for (size_t i = 0; i < ns; i++)
            back[i] = n - (i == short_stream ? short_by : 0);
        for (size_t c = 0, busy = 1; busy; c++) {
            busy = 0;
            for (size_t i = 0; i < ns; i++) {
                if (front[i] >= back[i])
                    continue;
                busy = 1;
                size_t len = chunk_len(&s, back[i] - front[i]);
                mc_qs_acc *a = acc[(c + i) % nacc];
                if (c % 2 == 0) {
                    mc_qs_add(a, i, data[i] + front[i], len);
                    front[i] += len;
                } else {
                    mc_qs_add(a, i, data[i] + back[i] - len, len);
                    back[i] -= len;
                }
            }
        }
        break;
    }
    case O_STRIDED:
        for (size_t i = 0; i < ns; i++) {
            size_t end = n - (i == short_stream ? short_by : 0);
            for (size_t a = 0; a < nacc; a++) {
                size_t len = 0;
                for (size_t j = a; j < end; j += nacc) {
                    tmp[len++] = data[i][j];
                    if (len == MAX_CHUNK || j + nacc >= end) {
                        mc_qs_add(acc[a], i, tmp, len);
                        len = 0;
                    }
                }
            }
        }
        break;
    default:
        fail_msg("unknown order %d", order);
    }
}

typedef struct qs_case {
    const char *what;
    size_t n, ns;
    const double *probs;
    size_t k;
    size_t keep_bytes;
    size_t nacc;
    int order;
} qs_case;

#define MAX_PASSES 24

/* Called after every pass of qs_run when set (a test's own checks). */
static void (*after_pass)(const mc_qs *q, const void *c);

/* Runs mc_qs over data[0..ns) as the header's usage comment does; fills
 * got[s * k + i] and returns the passes run. */
static int qs_run(const qs_case *c, double *const *data, double *got)
{
    mc_qs *q = mc_qs_new(c->n, c->ns, c->probs, c->k, c->keep_bytes);
    assert_non_null(q);
    size_t m = mc_qs_pilot_len(q);
    assert_int_equal(m, c->n < MC_QS_PILOT ? c->n : MC_QS_PILOT);
    for (size_t i = 0; i < c->ns; i++)
        memcpy(mc_qs_pilot(q, i), data[i], m * sizeof(double));
    assert_int_equal(mc_qs_plan(q), 0);
    assert_int_equal(mc_qs_passes_done(q), 0);
    double *tmp = malloc(MAX_CHUNK * sizeof *tmp);
    assert_non_null(tmp);
    mc_qs_acc *acc[8];
    assert_true(c->nacc >= 1 && c->nacc <= 8);
    int pass = 0;
    while (mc_qs_passes(q) > 0) {
        assert_true(pass < MAX_PASSES);
        for (size_t a = 0; a < c->nacc; a++) {
            acc[a] = mc_qs_acc_new(q);
            assert_non_null(acc[a]);
        }
        int order = c->order == O_VARY ? pass % O_COUNT : c->order;
        feed(acc, c->nacc, data, c->ns, c->n, order,
             UINT64_C(0xC0FFEE) + (uint64_t)pass * 7919u, tmp, 0, 0);
        char msg[256] = "";
        int rc = mc_qs_end_pass(q, acc, c->nacc, NULL, msg, sizeof msg);
        if (rc != 0)
            print_message("%s: pass %d: %s\n", c->what, pass + 1, msg);
        assert_int_equal(rc, 0);
        for (size_t a = 0; a < c->nacc; a++)
            mc_qs_acc_free(acc[a]);
        if (after_pass != NULL)
            after_pass(q, c);
        pass++;
        assert_int_equal(mc_qs_passes_done(q), pass);
    }
    assert_int_equal(mc_qs_passes(q), 0);
    for (size_t i = 0; i < c->ns; i++)
        mc_qs_get(q, i, got + i * c->k);
    free(tmp);
    mc_qs_free(q);
    return pass;
}

/* mc_quantiles on a copy of each stream. */
static void reference(const qs_case *c, double *const *data, double *want)
{
    double *copy = malloc(c->n * sizeof *copy);
    assert_non_null(copy);
    for (size_t i = 0; i < c->ns; i++) {
        memcpy(copy, data[i], c->n * sizeof *copy);
        mc_quantiles(copy, c->n, c->probs, c->k, want + i * c->k);
    }
    free(copy);
}

/* Bit for bit, except that -0 equals +0 (and NaN never equals). */
static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || a == b;
}

static void assert_same(const qs_case *c, const double *want,
                        const double *got, int passes)
{
    size_t bad = 0;
    for (size_t i = 0; i < c->ns; i++)
        for (size_t j = 0; j < c->k; j++)
            if (!same_double(want[i * c->k + j], got[i * c->k + j])) {
                if (bad < 20)
                    print_message("%s: n %zu stream %zu p %.17g: expected "
                                  "%.17g, got %.17g (keep %zu, %zu accs, "
                                  "order %d, %d passes)\n", c->what, c->n, i,
                                  c->probs[j], want[i * c->k + j],
                                  got[i * c->k + j], c->keep_bytes, c->nacc,
                                  c->order, passes);
                bad++;
            }
    assert_int_equal(bad, 0);
}

/* Runs c on data and checks it against mc_quantiles; returns passes. */
static int qs_check(const qs_case *c, double *const *data)
{
    double *want = malloc(c->ns * c->k * sizeof *want);
    double *got = malloc(c->ns * c->k * sizeof *got);
    assert_true(want != NULL && got != NULL);
    reference(c, data, want);
    int passes = qs_run(c, data, got);
    assert_same(c, want, got, passes);
    free(want);
    free(got);
    return passes;
}

/* ns streams of n values, stream i of distribution dists[i % ndists]. */
static double **make_streams(size_t ns, size_t n, const int *dists,
                             size_t ndists, uint64_t seed)
{
    double **d = malloc(ns * sizeof *d);
    assert_non_null(d);
    for (size_t i = 0; i < ns; i++) {
        d[i] = malloc(n * sizeof **d);
        assert_non_null(d[i]);
        gen(d[i], n, dists[i % ndists], seed * 1000u + i);
    }
    return d;
}

static void free_streams(double **d, size_t ns)
{
    for (size_t i = 0; i < ns; i++)
        free(d[i]);
    free(d);
}

/* ---- mc_qs: exactness ----------------------------------------------------- */

/* Every distribution, five streams of it, every level set; one and three
 * accumulators (both, or one or the other in turn: `both`), the order
 * changing from case to case and pass to pass.
 * The budget holds the values of well-placed bins, not those of a pilot
 * that misses (which then takes more passes). */
static void qs_every_distribution(size_t n, size_t keep_bytes, int both)
{
    const size_t ns = 5;
    char what[128];
    for (int d = 0; d < D_COUNT; d++) {
        double **data = make_streams(ns, n, &d, 1, (uint64_t)d + 1);
        for (size_t l = 0; l < 3; l++) {
            snprintf(what, sizeof what, "%s, levels %zu", dist_name[d], l);
            for (size_t nacc = 1; nacc <= 3; nacc += 2) {
                if (!both && nacc != 1 + 2 * (((size_t)d + l) % 2))
                    continue;               /* one of the two: time */
                int order = (d + (int)l + (int)nacc) % 2 == 0
                                ? O_VARY
                                : (d + (int)l + (int)nacc / 2) % O_COUNT;
                qs_case c = {what, n, ns, level_sets[l].p, level_sets[l].k,
                             keep_bytes, nacc, order};
                int passes = qs_check(&c, data);
                assert_true(passes >= 1);
            }
        }
        free_streams(data, ns);
    }
}

static void qs_should_equal_quantiles_n10000(void **st)
{
    (void)st;
    qs_every_distribution(10000, (size_t)1 << 16, 1);
}

static void qs_should_equal_quantiles_n200000(void **st)
{
    (void)st;
    qs_every_distribution(200000, (size_t)1 << 20, 0);
}

/* One stream of each distribution in the same object: a stream answered
 * after pass 1 (all equal) next to ones that need several passes. */
static void qs_should_equal_quantiles_on_mixed_streams(void **st)
{
    (void)st;
    int all[D_COUNT];
    for (int d = 0; d < D_COUNT; d++)
        all[d] = d;
    static const size_t ns_[2] = {10000, 200000};
    static const size_t budgets[3] = {(size_t)1 << 24, 1024, 0};
    for (size_t t = 0; t < 2; t++) {
        size_t n = ns_[t];
        double **data = make_streams(D_COUNT, n, all, D_COUNT, 77 + t);
        for (size_t b = 0; b < 3; b++)
            for (size_t o = 0; o <= O_COUNT; o++) {
                size_t nacc = o % 2 == 0 ? 3 : 1;
                int order = o == O_COUNT ? O_VARY : (int)o;
                if (n > 10000 && o != (b + 1) % 4 && o != O_COUNT)
                    continue;               /* fewer at 200000: time */
                qs_case c = {"mixed streams", n, D_COUNT, lv_summary,
                             level_sets[0].k, budgets[b], nacc, order};
                qs_check(&c, data);
            }
        free_streams(data, D_COUNT);
    }
}

/* n <= MC_QS_PILOT: the pilot is the stream, no pass. */
static void qs_should_need_no_pass_when_pilot_is_everything(void **st)
{
    (void)st;
    static const size_t sizes[] = {1, 2, 3, 100, 4095, MC_QS_PILOT};
    static const int dists[] = {D_UNIFORM, D_INF60, D_TIES, D_SIGNED,
                                D_EXTREME, D_SORTED, D_EQUAL, D_HEAVY};
    const size_t nd = sizeof dists / sizeof dists[0];
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
        for (size_t l = 0; l < 3; l++) {
            double **data = make_streams(nd, sizes[z], dists, nd, 500 + z);
            qs_case c = {"pilot is everything", sizes[z], nd, level_sets[l].p,
                         level_sets[l].k, 0, 1, O_FORWARD};
            assert_int_equal(qs_check(&c, data), 0);
            free_streams(data, nd);
        }
}

/* Just past the pilot: one value outside it. */
static void qs_should_be_exact_just_past_the_pilot(void **st)
{
    (void)st;
    static const int dists[] = {D_UNIFORM, D_SORTED, D_SORTED_DESC, D_TIES,
                                D_INF60, D_PILOT_OFF, D_PILOT_INF};
    const size_t nd = sizeof dists / sizeof dists[0];
    static const size_t sizes[] = {MC_QS_PILOT + 1, MC_QS_PILOT + 2, 5000};
    for (size_t z = 0; z < 3; z++)
        for (size_t l = 0; l < 3; l++) {
            double **data = make_streams(nd, sizes[z], dists, nd, 900 + z);
            qs_case c = {"just past the pilot", sizes[z], nd, level_sets[l].p,
                         level_sets[l].k, z == 0 ? 0 : 4096, 3, O_VARY};
            assert_true(qs_check(&c, data) >= 1);
            free_streams(data, nd);
        }
}

/* A budget of 0 or 1024 bytes: values are kept only when few, bins are
 * cut again and again, the answer stays exact. */
static void qs_should_be_exact_with_a_small_budget(void **st)
{
    (void)st;
    static const int dists[] = {D_UNIFORM, D_LOGNORMAL, D_TIES, D_INF60,
                                D_SORTED, D_EXTREME, D_SIGNED, D_PILOT_OFF,
                                D_HEAVY, D_PILOT_INF};
    const size_t nd = sizeof dists / sizeof dists[0];
    const size_t n = 200000;
    for (size_t d = 0; d < nd; d++) {
        double **data = make_streams(5, n, &dists[d], 1, 300 + d);
        for (size_t budget = 0; budget <= 1024; budget += 1024) {
            char what[128];
            snprintf(what, sizeof what, "%s, budget %zu",
                     dist_name[dists[d]], budget);
            qs_case c = {what, n, 5, lv_summary, level_sets[0].k, budget,
                         budget == 0 ? 3 : 1, O_VARY};
            int passes = qs_check(&c, data);
            if (dists[d] == D_UNIFORM || dists[d] == D_LOGNORMAL)
                assert_true(passes > 2);
        }
        free_streams(data, 5);
    }
}

/* The sub-bins of every pass, against the budget: at most keep_bytes of
 * counts, or 64 sub-bins per cut target when there are more of them. */
static size_t most_cut, most_sub_bytes;

static void check_sub_bins(const mc_qs *q, const void *vc)
{
    const qs_case *c = vc;
    size_t cut, bytes = mc_qs_sub_bins(q, &cut) * sizeof(uint64_t);
    size_t bound = c->keep_bytes > 64 * sizeof(uint64_t) * cut
                       ? c->keep_bytes : 64 * sizeof(uint64_t) * cut;
    if (bytes > bound)
        fail_msg("%s: %zu bytes of sub-bins for %zu cut targets, budget "
                 "%zu", c->what, bytes, cut, c->keep_bytes);
    most_cut = cut > most_cut ? cut : most_cut;
    most_sub_bytes = bytes > most_sub_bytes ? bytes : most_sub_bytes;
}

/* Many streams whose targets are cut in the same pass share one budget
 * for their sub-bins (else 64 KiB each: thousands of curve points took
 * gigabytes), and the answer stays exact.  With the budget roomy, every
 * cut target gets all MC_QS_BINS. */
static void qs_sub_bins_should_stay_within_the_budget(void **st)
{
    (void)st;
    static const int dists[] = {D_UNIFORM, D_LOGNORMAL, D_HEAVY, D_ULPS};
    const size_t ns = 64, n = 40000;
    double **data = make_streams(ns, n, dists, 4, 77);
    after_pass = check_sub_bins;
    static const size_t budgets[] = {0, 4096, (size_t)1 << 16};
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
        most_cut = most_sub_bytes = 0;
        qs_case c = {"sub-bins", n, ns, lv_summary, level_sets[0].k,
                     budgets[b], 2, O_INTERLEAVED};
        qs_check(&c, data);
        print_message("budget %zu: at most %zu targets cut, %zu bytes of "
                      "sub-bins\n", budgets[b], most_cut, most_sub_bytes);
        /* enough cut at once that all their MC_QS_BINS would not fit */
        assert_true(most_cut * MC_QS_BINS * sizeof(uint64_t) > budgets[b]);
    }
    /* 64 KiB of values but room for the sub-bins of a few: all 8192 */
    after_pass = NULL;
    size_t cut = 0;
    mc_qs *q = mc_qs_new(n, 1, lv_summary, level_sets[0].k,
                         (size_t)1 << 30);
    assert_non_null(q);
    memcpy(mc_qs_pilot(q, 0), data[1], mc_qs_pilot_len(q) * sizeof(double));
    assert_int_equal(mc_qs_plan(q), 0);
    mc_qs_acc *a = mc_qs_acc_new(q);
    assert_non_null(a);
    mc_qs_add(a, 0, data[1], n);
    char msg[256];
    assert_int_equal(mc_qs_end_pass(q, &a, 1, NULL, msg, sizeof msg), 0);
    mc_qs_acc_free(a);
    assert_int_equal(mc_qs_sub_bins(q, &cut), 0);   /* all kept */
    assert_int_equal(cut, 0);
    mc_qs_free(q);
    free_streams(data, ns);
}

/* With room for every bin's values, uniform data takes pass 1 (counts)
 * and pass 2 (keep and select), no more. */
static void qs_should_take_two_passes_with_a_large_budget(void **st)
{
    (void)st;
    const size_t n = 200000;
    int d = D_UNIFORM;
    double **data = make_streams(5, n, &d, 1, 4242);
    for (size_t l = 0; l < 3; l++) {
        qs_case c = {"uniform, budget 1<<28", n, 5, level_sets[l].p,
                     level_sets[l].k, (size_t)1 << 28, 3, O_INTERLEAVED};
        assert_int_equal(qs_check(&c, data), 2);
    }
    free_streams(data, 5);
}

/* Many levels: more wanted order statistics in one kept bin than the
 * selection handles at once (a sorted stream puts all the upper levels
 * in the bin above the pilot's range). */
static void qs_should_be_exact_with_many_levels(void **st)
{
    (void)st;
    enum { K = 199 };
    double p[K];
    for (size_t i = 0; i < K; i++)
        p[i] = (double)(i + 1) / 200.0;
    static const int dists[] = {D_SORTED, D_UNIFORM, D_TIES, D_PILOT_OFF};
    const size_t n = 60000;
    for (size_t d = 0; d < 4; d++) {
        double **data = make_streams(2, n, &dists[d], 1, 60 + d);
        static const size_t budgets[2] = {(size_t)1 << 26, 4096};
        for (size_t b = 0; b < 2; b++) {
            qs_case c = {dist_name[dists[d]], n, 2, p, K, budgets[b], 3,
                         O_VARY};
            qs_check(&c, data);
        }
        free_streams(data, 2);
    }
}

/* The same data fed in every order and split gives the same bits. */
static void qs_should_not_depend_on_order_or_split(void **st)
{
    (void)st;
    const size_t n = 200000, ns = 3;
    static const int dists[] = {D_LOGNORMAL, D_INF5, D_SIGNED};
    double **data = make_streams(ns, n, dists, 3, 555);
    for (int o = 0; o < O_COUNT; o++)
        for (size_t nacc = 1; nacc <= 3; nacc += 2) {
            qs_case c = {order_name[o], n, ns, lv_five, level_sets[2].k,
                         2048, nacc, o};
            qs_check(&c, data);
        }
    free_streams(data, ns);
}

/* mc_qstream.c bins values with AVX-512 or AVX2 where the CPU has them,
 * unless mc_cpu_limit keeps it to AVX2 or to the portable loops when
 * mc_qs_new runs (breakeven's BREAKEVEN_NO_AVX512 and BREAKEVEN_NO_AVX2):
 * every path must give the same answers (the other tests run whichever
 * this CPU takes). */
static void qs_exact_with_limit(mc_cpu widest, const char *what)
{
    int all[D_COUNT];
    for (int d = 0; d < D_COUNT; d++)
        all[d] = d;
    mc_cpu_limit(widest);
    static const size_t budgets[3] = {(size_t)1 << 20, 1024, 0};
    for (size_t b = 0; b < 3; b++) {
        size_t n = b == 0 ? 200000 : 10000 + 4 * b + 1;
        double **data = make_streams(D_COUNT, n, all, D_COUNT, 31 + b);
        qs_case c = {what, n, D_COUNT, lv_summary, level_sets[0].k,
                     budgets[b], 1 + 2 * (b % 2), O_VARY};
        qs_check(&c, data);
        free_streams(data, D_COUNT);
    }
    mc_cpu_limit(MC_CPU_AVX512);
}

static void qs_should_be_exact_without_avx2(void **st)
{
    (void)st;
    qs_exact_with_limit(MC_CPU_PORTABLE, "without AVX2");
}

static void qs_should_be_exact_without_avx512(void **st)
{
    (void)st;
    qs_exact_with_limit(MC_CPU_AVX2, "without AVX-512");
}

/* ---- mc_qs: errors ---------------------------------------------------- */

/* Runs passes over data until `fail_pass` (1-based), in which stream 1 is
 * short by `short_by` values; returns end_pass's code there and its
 * message in msg. */
static int qs_fail_at(double *const *data, size_t ns, size_t n, int fail_pass,
                      size_t short_by, char *msg, size_t len)
{
    mc_qs *q = mc_qs_new(n, ns, lv_summary, level_sets[0].k, 1024);
    assert_non_null(q);
    for (size_t i = 0; i < ns; i++)
        memcpy(mc_qs_pilot(q, i), data[i],
               mc_qs_pilot_len(q) * sizeof(double));
    assert_int_equal(mc_qs_plan(q), 0);
    double *tmp = malloc(MAX_CHUNK * sizeof *tmp);
    assert_non_null(tmp);
    int rc = 0;
    for (int pass = 1; pass <= fail_pass; pass++) {
        assert_true(mc_qs_passes(q) > 0);
        mc_qs_acc *acc[2] = {mc_qs_acc_new(q), mc_qs_acc_new(q)};
        assert_true(acc[0] != NULL && acc[1] != NULL);
        feed(acc, 2, data, ns, n, O_FORWARD, (uint64_t)pass, tmp, 1,
             pass == fail_pass ? short_by : 0);
        msg[0] = '\0';
        rc = mc_qs_end_pass(q, acc, 2, NULL, msg, len);
        mc_qs_acc_free(acc[0]);
        mc_qs_acc_free(acc[1]);
        if (pass < fail_pass)
            assert_int_equal(rc, 0);
    }
    free(tmp);
    mc_qs_free(q);
    return rc;
}

static void qs_should_fail_on_a_short_pass(void **st)
{
    (void)st;
    const size_t n = 20000, ns = 3;
    int d = D_UNIFORM;
    double **data = make_streams(ns, n, &d, 1, 31);
    char msg[256];
    for (int pass = 1; pass <= 2; pass++) {
        assert_int_equal(qs_fail_at(data, ns, n, pass, 1, msg, sizeof msg),
                         -1);
        assert_true(strlen(msg) > 0);
        print_message("short pass %d: %s\n", pass, msg);
        assert_int_equal(qs_fail_at(data, ns, n, pass, n / 2, msg,
                                    sizeof msg), -1);
        assert_true(strlen(msg) > 0);
    }
    /* the same passes, complete, succeed: the failure was the short one */
    assert_int_equal(qs_fail_at(data, ns, n, 2, 0, msg, sizeof msg), 0);
    free_streams(data, ns);
}

static void qs_should_fail_on_nan(void **st)
{
    (void)st;
    const size_t n = 20000, ns = 2;
    int d = D_LOGNORMAL;
    static const size_t where[] = {10, 5000, 19999};
    for (size_t w = 0; w < 3; w++) {
        double **data = make_streams(ns, n, &d, 1, 41);
        data[1][where[w]] = NOT_A_NUMBER;
        char msg[256];
        assert_int_equal(qs_fail_at(data, ns, n, 1, 0, msg, sizeof msg), -1);
        if (strstr(msg, "NaN") == NULL)
            print_message("NaN at %zu: message \"%s\"\n", where[w], msg);
        assert_non_null(strstr(msg, "NaN"));
        /* a negative NaN as well */
        data[1][where[w]] = -NOT_A_NUMBER;
        assert_int_equal(qs_fail_at(data, ns, n, 1, 0, msg, sizeof msg), -1);
        assert_non_null(strstr(msg, "NaN"));
        free_streams(data, ns);
    }
}

/* ---- mc_sacc ------------------------------------------------------------ */

#define assert_rel(a, b, tol)                                              \
    do {                                                                   \
        double a_ = (a), b_ = (b);                                         \
        if (!(fabs(a_ - b_) <= (tol) * fabs(b_))) {                         \
            print_message("%s = %.17g, %s = %.17g\n", #a, a_, #b, b_);     \
            fail();                                                        \
        }                                                                  \
    } while (0)

/* The summary of x[0..n) cut into blocks of sizes[0], sizes[1], ...
 * (cycling; the last block takes the rest), merged in order. */
static void sacc_blocks(const double *x, size_t n, const size_t *sizes,
                        size_t nsizes, mc_sacc *out)
{
    mc_sacc_init(out);
    size_t done = 0;
    for (size_t b = 0; done < n; b++) {
        size_t len = sizes[b % nsizes];
        if (len == 0 || len > n - done)
            len = n - done;
        mc_sacc blk;
        mc_sacc_block(x + done, len, 2.0, &blk);
        assert_int_equal(blk.n, len);
        mc_sacc_merge(out, &blk);
        done += len;
    }
}

static void assert_stats_match(const mc_stats *got, const mc_stats *want,
                               double tol)
{
    assert_int_equal(got->n, want->n);
    assert_int_equal(got->never, want->never);
    assert_true(same_double(got->min, want->min));
    assert_true(same_double(got->max, want->max));
    assert_true(same_double(got->p_le, want->p_le));
    if (isnan(want->mean))
        assert_true(isnan(got->mean));
    else
        assert_rel(got->mean, want->mean, tol);
    if (isnan(want->sd)) {
        assert_true(isnan(got->sd));
        assert_true(isnan(got->mcse));
    } else {
        assert_rel(got->sd, want->sd, tol);
        assert_rel(got->mcse, want->mcse, tol);
    }
}

static void sacc_should_match_stats_compute(void **st)
{
    (void)st;
    const size_t n = 100000;
    double *x = malloc(n * sizeof *x), *scratch = malloc(n * sizeof *x);
    assert_true(x != NULL && scratch != NULL);
    uint64_t s = 2024;
    for (size_t i = 0; i < n; i++)
        x[i] = unif(&s) < 0.03 ? INF : exp(normal(&s) * 1.5);
    mc_stats want;
    mc_stats_compute(x, n, 2.0, scratch, &want);
    assert_true(want.never > 0 && want.never < n);
    assert_true(isfinite(want.sd) && want.sd > 0);

    static const size_t plain[] = {1, 7, 4096, 0};
    static const size_t varied[] = {1, 7, 4096, 13, 1, 1, 999, 12345, 2,
                                    4096, 7, 30000};
    static const size_t single[] = {1};
    static const size_t whole[] = {0};
    const size_t *parts[4] = {plain, varied, single, whole};
    const size_t nparts[4] = {4, sizeof varied / sizeof varied[0], 1, 1};
    for (size_t p = 0; p < 4; p++) {
        mc_sacc a;
        sacc_blocks(x, n, parts[p], nparts[p], &a);
        assert_int_equal(a.finite, n - want.never);
        mc_stats got;
        for (int i = 0; i < MC_NQ; i++)
            got.q[i] = -12345.0;
        mc_sacc_stats(&a, 1, &got);
        assert_stats_match(&got, &want, 1e-12);
        assert_true(got.p_le == want.p_le);
        for (int i = 0; i < MC_NQ; i++)
            assert_true(got.q[i] == -12345.0);     /* left alone */
        mc_sacc_stats(&a, 0, &got);
        assert_true(isnan(got.p_le));
    }
    free(x);
    free(scratch);
}

static void sacc_should_give_nan_mean_for_all_infinite(void **st)
{
    (void)st;
    double x[300];
    for (size_t i = 0; i < 300; i++)
        x[i] = INF;
    static const size_t sizes[] = {1, 7, 100};
    mc_sacc a;
    sacc_blocks(x, 300, sizes, 3, &a);
    mc_stats got, want;
    double scratch[300];
    mc_sacc_stats(&a, 1, &got);
    mc_stats_compute(x, 300, 2.0, scratch, &want);
    assert_int_equal(got.n, 300);
    assert_int_equal(got.never, 300);
    assert_true(isnan(got.mean) && isnan(got.sd) && isnan(got.mcse));
    assert_true(got.min == INF && got.max == INF);
    assert_true(got.p_le == 0);
    assert_stats_match(&got, &want, 0);

    /* all-infinite blocks before and after finite ones */
    x[150] = 1.5;
    x[151] = 4.5;
    sacc_blocks(x, 300, sizes, 3, &a);
    mc_sacc_stats(&a, 1, &got);
    mc_stats_compute(x, 300, 2.0, scratch, &want);
    assert_int_equal(got.never, 298);
    assert_true(got.mean == 3.0);
    assert_rel(got.sd, sqrt(4.5), 1e-15);
    assert_true(got.min == 1.5 && got.max == INF);
    assert_stats_match(&got, &want, 1e-15);
}

static void sacc_should_give_nan_sd_for_one_finite_value(void **st)
{
    (void)st;
    double x[50];
    for (size_t i = 0; i < 50; i++)
        x[i] = INF;
    x[37] = -2.75;
    static const size_t sizes[] = {7};
    mc_sacc a;
    sacc_blocks(x, 50, sizes, 1, &a);
    mc_stats got, want;
    double scratch[50];
    mc_sacc_stats(&a, 1, &got);
    mc_stats_compute(x, 50, 2.0, scratch, &want);
    assert_true(got.mean == -2.75);
    assert_true(isnan(got.sd) && isnan(got.mcse));
    assert_true(got.min == -2.75 && got.max == INF);
    assert_true(got.p_le == 1.0 / 50.0);
    assert_stats_match(&got, &want, 0);

    /* a single value, alone */
    mc_sacc_block(x + 37, 1, 2.0, &a);
    mc_sacc_stats(&a, 1, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.never, 0);
    assert_true(got.mean == -2.75 && got.min == -2.75 && got.max == -2.75);
    assert_true(isnan(got.sd));
    assert_true(got.p_le == 1);
}

/* Values near 1e200 (their squares overflow): the sd is finite and
 * agrees with the sd of the values scaled down by 2^660, computed by
 * hand.  Mixed with a block of values near 1, the merge crosses scales. */
static void sacc_should_not_overflow_near_1e200(void **st)
{
    (void)st;
    const size_t n = 10000;
    const int e = 660;                      /* 2^660 ~ 4.8e198 */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *scratch = malloc(n * sizeof *x);
    assert_true(x != NULL && y != NULL && scratch != NULL);
    uint64_t s = 99;
    for (size_t i = 0; i < n; i++) {
        y[i] = (i % 2 ? 20.0 : 25.0) + normal(&s);
        x[i] = ldexp(y[i], e);
    }
    assert_true(isinf(x[0] * x[0]));
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += y[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (y[i] - mean) * (y[i] - mean);
    double sd = sqrt(ss / (double)(n - 1));
    double want_sd = ldexp(sd, e), want_mean = ldexp(mean, e);
    assert_true(isfinite(want_sd) && want_sd > 1e199);

    static const size_t sizes[] = {1, 7, 4096, 333};
    mc_sacc a;
    sacc_blocks(x, n, sizes, 4, &a);
    mc_stats got, ref;
    mc_sacc_stats(&a, 1, &got);
    assert_true(isfinite(got.sd));
    assert_rel(got.sd, want_sd, 1e-12);
    assert_rel(got.mcse, want_sd / sqrt((double)n), 1e-12);
    assert_rel(got.mean, want_mean, 1e-12);
    mc_stats_compute(x, n, 2.0, scratch, &ref);
    assert_stats_match(&got, &ref, 1e-12);

    /* a first block of small values, then the huge ones */
    for (size_t i = 0; i < 100; i++)
        x[i] = 1.0 + (double)i;
    sacc_blocks(x, n, sizes, 4, &a);
    mc_sacc_stats(&a, 1, &got);
    mc_stats_compute(x, n, 2.0, scratch, &ref);
    assert_true(isfinite(got.sd));
    assert_stats_match(&got, &ref, 1e-12);
    free(x);
    free(y);
    free(scratch);
}

static void sacc_empty_merge_should_change_nothing(void **st)
{
    (void)st;
    const double x[] = {3, INF, 1, 6, 2};
    mc_sacc a, before, empty, e2;
    mc_sacc_block(x, 5, 2.0, &a);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.never, 1);
    assert_int_equal(a.finite, 4);
    assert_int_equal(a.n_le, 2);
    before = a;
    mc_sacc_init(&empty);
    assert_int_equal(empty.n, 0);
    mc_sacc_merge(&a, &empty);
    assert_int_equal(a.n, before.n);
    assert_int_equal(a.never, before.never);
    assert_int_equal(a.finite, before.finite);
    assert_int_equal(a.n_le, before.n_le);
    assert_int_equal(a.e, before.e);
    assert_true(same_double(a.mean, before.mean));
    assert_true(same_double(a.m2, before.m2));
    assert_true(same_double(a.min, before.min));
    assert_true(same_double(a.max, before.max));
    /* a zero-length block is empty too */
    mc_sacc_block(x, 0, 2.0, &e2);
    assert_int_equal(e2.n, 0);
    mc_sacc_merge(&a, &e2);
    assert_int_equal(a.n, 5);

    /* empty followed by a: a */
    mc_sacc_merge(&empty, &a);
    assert_int_equal(empty.n, 5);
    assert_int_equal(empty.finite, 4);
    assert_true(same_double(empty.mean, before.mean));
    assert_true(same_double(empty.m2, before.m2));

    mc_stats got;
    mc_sacc_stats(&a, 1, &got);
    assert_true(got.mean == 3);
    assert_rel(got.sd, sqrt(14.0 / 3.0), 1e-15);
    assert_true(got.min == 1 && got.max == INF);
    assert_true(got.p_le == 0.4);

    /* nothing at all */
    mc_sacc_init(&e2);
    mc_sacc_stats(&e2, 1, &got);
    assert_int_equal(got.n, 0);
    assert_int_equal(got.never, 0);
    assert_true(isnan(got.mean) && isnan(got.sd) && isnan(got.mcse));
    assert_true(isnan(got.min) && isnan(got.max) && isnan(got.p_le));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qs_should_equal_quantiles_n10000),
        cmocka_unit_test(qs_should_equal_quantiles_n200000),
        cmocka_unit_test(qs_should_equal_quantiles_on_mixed_streams),
        cmocka_unit_test(qs_should_need_no_pass_when_pilot_is_everything),
        cmocka_unit_test(qs_should_be_exact_just_past_the_pilot),
        cmocka_unit_test(qs_should_be_exact_with_a_small_budget),
        cmocka_unit_test(qs_should_take_two_passes_with_a_large_budget),
        cmocka_unit_test(qs_sub_bins_should_stay_within_the_budget),
        cmocka_unit_test(qs_should_be_exact_with_many_levels),
        cmocka_unit_test(qs_should_not_depend_on_order_or_split),
        cmocka_unit_test(qs_should_be_exact_without_avx2),
        cmocka_unit_test(qs_should_be_exact_without_avx512),
        cmocka_unit_test(qs_should_fail_on_a_short_pass),
        cmocka_unit_test(qs_should_fail_on_nan),
        cmocka_unit_test(sacc_should_match_stats_compute),
        cmocka_unit_test(sacc_should_give_nan_mean_for_all_infinite),
        cmocka_unit_test(sacc_should_give_nan_sd_for_one_finite_value),
        cmocka_unit_test(sacc_should_not_overflow_near_1e200),
        cmocka_unit_test(sacc_empty_merge_should_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
