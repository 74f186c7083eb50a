/* mc_fmt.c: the shortest decimal text of a double that reads back to it.
 *
 * Digits: Ryu (Ulf Adams, "Ryu: fast float-to-string conversion", PLDI
 * 2018).  For x = m2 * 2^e2 the rounding interval [x - ulp/2, x + ulp/2]
 * (a quarter ulp below powers of two; bounds included when m2 is even, as
 * round-half-even reads them back) is scaled by a power of ten using
 * 128-bit multipliers exact enough to decide every digit; digits are then
 * removed while the interval still holds a shorter number, and the last
 * one is rounded to the nearest.  The result is the shortest digit string
 * that strtod maps back to x, and among the shortest the closest to x.
 * It costs tens of nanoseconds, where printf("%.17g") plus strtod checks
 * cost about a microsecond.
 *
 * Layout (Python's repr, without its ".0" on integers): plain notation
 * when the decimal exponent E of the first digit is in -4 <= E < 16, else
 * d.ddde+XX with at least two exponent digits, as printf's %g writes it:
 * 5 -> "5", 2935000 -> "2935000", 0.0001 -> "0.0001", 1e-05 -> "1e-05",
 * 1e16 -> "1e+16", -0.0 -> "-0", "inf", "-inf", "nan".
 */
#include "mc_results.h"
#include "mc_results_impl.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MANTISSA_BITS 52
#define EXPONENT_BITS 11
#define BIAS 1023
#define POW5_INV_BITCOUNT 125
#define POW5_BITCOUNT 125

/* ceil(log2(5^e)) for 1 <= e <= 3528 (1 for e = 0). */
static int32_t pow5bits(int32_t e)
{
    return (int32_t)(((uint32_t)e * 1217359u) >> 19) + 1;
}

/* floor(log10(2^e)) for 0 <= e <= 1650. */
static uint32_t log10pow2(int32_t e)
{
    return ((uint32_t)e * 78913u) >> 18;
}

/* floor(log10(5^e)) for 0 <= e <= 2620. */
static uint32_t log10pow5(int32_t e)
{
    return ((uint32_t)e * 732923u) >> 20;
}

static uint32_t pow5factor(uint64_t v)
{
    uint32_t count = 0;
    while (v % 5 == 0) {
        v /= 5;
        count++;
    }
    return count;
}

static int multiple_of_pow5(uint64_t v, uint32_t p)
{
    return pow5factor(v) >= p;
}

static int multiple_of_pow2(uint64_t v, uint32_t p)
{
    return (v & ((UINT64_C(1) << p) - 1)) == 0;
}

/* (m * mul) >> j, mul = mul[1] * 2^64 + mul[0], 64 <= j < 128 + 64. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

static uint64_t mul_shift64(uint64_t m, const uint64_t mul[2], int32_t j)
{
    u128 b0 = (u128)m * mul[0];
    u128 b2 = (u128)m * mul[1];
    return (uint64_t)(((b0 >> 64) + b2) >> (j - 64));
}
#else
/* Portable 64 x 64 -> 128 bit product. */
static uint64_t umul128(uint64_t a, uint64_t b, uint64_t *hi)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p10 + (uint32_t)p01;
    *hi = p11 + (p10 >> 32) + (p01 >> 32) + (mid >> 32);
    return (mid << 32) | (uint32_t)p00;
}

static uint64_t mul_shift64(uint64_t m, const uint64_t mul[2], int32_t j)
{
    uint64_t h0, h2;
    (void)umul128(m, mul[0], &h0);
    uint64_t l2 = umul128(m, mul[1], &h2);
    uint64_t sum = h0 + l2;
    h2 += sum < h0;                       /* carry */
    int32_t s = j - 64;                   /* 0 <= s < 128 */
    if (s >= 64)
        return h2 >> (s - 64);
    if (s == 0)
        return sum;
    return (h2 << (64 - s)) | (sum >> s);
}
#endif

/* The rounding interval of x, [mv - 1 - mm_shift, mv + 2] in quarter
 * ulps of 2^e2 each (mv = 4 m2 is x), times 2^e2 / 10^e10, truncated:
 * vm, vr and vp are its lower end, x and its upper end.  The flags say
 * whether vm and vr were exact (nothing cut off below their last digit),
 * which can be so only where e10 is small. */
typedef struct interval {
    uint64_t vr, vp, vm;
    int32_t e10;
    int vm_trailing_zeros, vr_trailing_zeros;
    int accept_bounds;                /* the ends read back to x */
} interval;

/* The interval scaled for e2 >= 0: by 2^e2 / 10^q, with Ryu's
 * multiplier of 5^-q. */
static void scale_positive(uint64_t m2, uint32_t mm_shift, int32_t e2,
                           interval *v)
{
    const uint64_t mv = 4 * m2;
    const uint32_t q = log10pow2(e2) - (e2 > 3);
    v->e10 = (int32_t)q;
    const int32_t k = POW5_INV_BITCOUNT + pow5bits((int32_t)q) - 1;
    const int32_t i = -e2 + (int32_t)q + k;
    const uint64_t *mul = mc_pow5_inv_split_[q];
    v->vr = mul_shift64(4 * m2, mul, i);
    v->vp = mul_shift64(4 * m2 + 2, mul, i);
    v->vm = mul_shift64(4 * m2 - 1 - mm_shift, mul, i);
    if (q <= 21) {
        /* Only one of mp, mv, mm can be a multiple of 5. */
        if (mv % 5 == 0)
            v->vr_trailing_zeros = multiple_of_pow5(mv, q);
        else if (v->accept_bounds)
            v->vm_trailing_zeros = multiple_of_pow5(mv - 1 - mm_shift, q);
        else
            v->vp -= (uint64_t)multiple_of_pow5(mv + 2, q);
    }
}

/* The same for e2 < 0: by 5^-e2 / 10^q, with Ryu's 5^i. */
static void scale_negative(uint64_t m2, uint32_t mm_shift, int32_t e2,
                           interval *v)
{
    const uint64_t mv = 4 * m2;
    const uint32_t q = log10pow5(-e2) - (-e2 > 1);
    v->e10 = (int32_t)q + e2;
    const int32_t i = -e2 - (int32_t)q;
    const int32_t k = pow5bits(i) - POW5_BITCOUNT;
    const int32_t j = (int32_t)q - k;
    const uint64_t *mul = mc_pow5_split_[i];
    v->vr = mul_shift64(4 * m2, mul, j);
    v->vp = mul_shift64(4 * m2 + 2, mul, j);
    v->vm = mul_shift64(4 * m2 - 1 - mm_shift, mul, j);
    if (q <= 1) {
        /* mv = 4 m2 has at least two trailing zero bits. */
        v->vr_trailing_zeros = 1;
        if (v->accept_bounds)
            v->vm_trailing_zeros = mm_shift == 1;
        else
            --v->vp;
    } else if (q < 63) {
        v->vr_trailing_zeros = multiple_of_pow2(mv, q);
    }
}

/* Removes digits while the interval still holds a shorter number, in
 * the rare general case (exact bounds or exact halfway points); returns
 * the digits, rounded, and adds the digits removed to *removed. */
static uint64_t shorten_exact(interval *v, int32_t *removed)
{
    uint64_t vr = v->vr, vp = v->vp, vm = v->vm;
    int vm_tz = v->vm_trailing_zeros, vr_tz = v->vr_trailing_zeros;
    uint32_t last = 0;
    while (vp / 10 > vm / 10) {
        vm_tz &= vm % 10 == 0;
        vr_tz &= last == 0;
        last = (uint32_t)(vr % 10);
        vr /= 10;
        vp /= 10;
        vm /= 10;
        (*removed)++;
    }
    if (vm_tz) {
        while (vm % 10 == 0) {
            vr_tz &= last == 0;
            last = (uint32_t)(vr % 10);
            vr /= 10;
            vp /= 10;
            vm /= 10;
            (*removed)++;
        }
    }
    if (vr_tz && last == 5 && vr % 2 == 0)
        last = 4;   /* exactly halfway: round half to even */
    return vr + (uint64_t)((vr == vm && (!v->accept_bounds || !vm_tz)) ||
                           last >= 5);
}

/* The same in the common case: no exact bound, no halfway point. */
static uint64_t shorten(const interval *v, int32_t *removed)
{
    uint64_t vr = v->vr, vp = v->vp, vm = v->vm;
    int round_up = 0;
    if (vp / 100 > vm / 100) {        /* two digits at once, usually */
        round_up = vr % 100 >= 50;
        vr /= 100;
        vp /= 100;
        vm /= 100;
        *removed += 2;
    }
    while (vp / 10 > vm / 10) {
        round_up = vr % 10 >= 5;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        (*removed)++;
    }
    return vr + (uint64_t)(vr == vm || round_up);
}

/* The shortest digits of the finite, nonzero double with the given bit
 * fields: *digits * 10^*exp10. */
static void shortest(uint64_t ieee_m, uint32_t ieee_e, uint64_t *digits,
                     int32_t *exp10)
{
    int32_t e2;
    uint64_t m2;
    if (ieee_e == 0) {
        e2 = 1 - BIAS - MANTISSA_BITS - 2;
        m2 = ieee_m;
    } else {
        e2 = (int32_t)ieee_e - BIAS - MANTISSA_BITS - 2;
        m2 = (UINT64_C(1) << MANTISSA_BITS) | ieee_m;
    }
    interval v = {.accept_bounds = (m2 & 1) == 0};
    /* a quarter ulp narrower below a power of two */
    const uint32_t mm_shift = ieee_m != 0 || ieee_e <= 1;
    if (e2 >= 0)
        scale_positive(m2, mm_shift, e2, &v);
    else
        scale_negative(m2, mm_shift, e2, &v);
    int32_t removed = 0;
    *digits = v.vm_trailing_zeros || v.vr_trailing_zeros
                  ? shorten_exact(&v, &removed) : shorten(&v, &removed);
    *exp10 = v.e10 + removed;
}

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[201] =
    "0001020304050607080910111213141516171819"
    "2021222324252627282930313233343536373839"
    "4041424344454647484950515253545556575859"
    "6061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

int mc_fmt_raw_(char *p, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const int sign = (int)(bits >> 63);
    const uint64_t ieee_m = bits & ((UINT64_C(1) << MANTISSA_BITS) - 1);
    const uint32_t ieee_e =
        (uint32_t)(bits >> MANTISSA_BITS) & ((1u << EXPONENT_BITS) - 1);
    char *s = p;

    if (ieee_e == (1u << EXPONENT_BITS) - 1) {
        if (ieee_m != 0) {
            memcpy(s, "nan", 3);
            return 3;
        }
        if (sign)
            *s++ = '-';
        memcpy(s, "inf", 3);
        return (int)(s - p) + 3;
    }
    if (sign)
        *s++ = '-';
    if (ieee_e == 0 && ieee_m == 0) {
        *s++ = '0';
        return (int)(s - p);
    }

    uint64_t digits;
    int32_t e10;
    shortest(ieee_m, ieee_e, &digits, &e10);

    char d[20];
    int nd = 0;
    uint64_t v = digits;
    for (; v >= 100; v /= 100) {
        const char *two = digit_pairs + 2 * (v % 100);
        d[19 - nd++] = two[1];
        d[19 - nd++] = two[0];
    }
    if (v >= 10) {
        d[19 - nd++] = (char)('0' + v % 10);
        v /= 10;
    }
    d[19 - nd++] = (char)('0' + v);
    const char *dig = d + 20 - nd;  /* nd digits, most significant first */
    const int32_t e = e10 + nd - 1;       /* exponent of the first digit */

    if (e >= -4 && e < 16) {
        if (e < 0) {                      /* 0.000ddd */
            *s++ = '0';
            *s++ = '.';
            for (int32_t z = -1; z > e; z--)
                *s++ = '0';
            memcpy(s, dig, (size_t)nd);
            s += nd;
        } else if (nd <= e + 1) {         /* ddd000 */
            memcpy(s, dig, (size_t)nd);
            s += nd;
            for (int32_t z = nd; z <= e; z++)
                *s++ = '0';
        } else {                          /* ddd.ddd */
            memcpy(s, dig, (size_t)e + 1);
            s += e + 1;
            *s++ = '.';
            memcpy(s, dig + e + 1, (size_t)(nd - e - 1));
            s += nd - e - 1;
        }
    } else {                              /* d.ddde+XX */
        *s++ = dig[0];
        if (nd > 1) {
            *s++ = '.';
            memcpy(s, dig + 1, (size_t)nd - 1);
            s += nd - 1;
        }
        *s++ = 'e';
        int32_t ae = e;
        if (ae < 0) {
            *s++ = '-';
            ae = -ae;
        } else {
            *s++ = '+';
        }
        if (ae >= 100) {
            *s++ = (char)('0' + ae / 100);
            ae %= 100;
        }
        *s++ = (char)('0' + ae / 10);
        *s++ = (char)('0' + ae % 10);
    }
    return (int)(s - p);
}

int mc_fmt_double(char *buf, double x)
{
    int n = mc_fmt_raw_(buf, x);
    buf[n] = '\0';
    return n;
}

/* ---- a figure to the digits its error justifies --------------------- */

int mc_fmt_justified(char *buf, size_t cap, double x, double err,
                     int show_err)
{
    if (!isfinite(x) || !(err > 0) || !isfinite(err))
        return snprintf(buf, cap, "%.6g", x);
    /* the error to one significant digit, two when it starts with 1 */
    int e = (int)floor(log10(err));
    double lead = err / pow(10.0, e);
    if (lead >= 9.95) {              /* 9.97 rounds up to 10 */
        e++;
        lead /= 10.0;
    }
    int last = lead < 1.95 ? e - 1 : e;   /* the last digit kept */
    /* from 1e9 on, or where the digits would pass any buffer, in
       scientific notation with the same significant digits: the
       required uses per day are 1.41e+11, not 141000000000 */
    int ex = (int)floor(log10(fabs(x)));
    if (fabs(x) >= 1e9 && last > 0) {
        int sig = ex >= last ? ex - last : 0;
        int sige = e - last;          /* the error's digits after its first */
        if (sig > 16)
            sig = 16;
        return show_err ? snprintf(buf, cap, "%.*e ±%.*e", sig, x, sige, err)
                        : snprintf(buf, cap, "%.*e", sig, x);
    }
    int dec = last < 0 ? -last : 0;
    if (dec > 17)
        dec = 17;
    if (last > 0) {                  /* round to tens, hundreds, ... */
        double unit = pow(10.0, last);
        x = round(x / unit) * unit;
        err = round(err / unit) * unit;
    }
    return show_err ? snprintf(buf, cap, "%.*f ±%.*f", dec, x, dec, err)
                    : snprintf(buf, cap, "%.*f", dec, x);
}
