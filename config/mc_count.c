/* mc_count.c: counts read exactly from their decimal text (mc_count.h).
 *
 * The text is split into its digits and its power of ten, never turned
 * into a double: the value is the significant digits (zeros at either
 * end dropped) times 10^e.  A negative e leaves a last digit that is not
 * 0 after the point, so the number is not an integer; otherwise it has
 * (significant digits + e) digits, and more than 20 is above 2^64 - 1
 * whatever they are, so only up to 20 digits are ever multiplied out,
 * with overflow checks for the last few. */
#include "mc_count.h"

/* Exponents are accumulated up to this and no further: a larger one
 * already puts any non-zero value beyond 20 digits, or (negative) any
 * digit string that fits in memory below the point. */
#define EXP_CAP ((int64_t)1 << 50)

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

mc_count_status mc_count_parse(const char *s, size_t len, uint64_t lo,
                               uint64_t hi, uint64_t *out)
{
    size_t i = 0;
    int sign = len > 0 && (s[0] == '+' || s[0] == '-');
    i += (size_t)sign;
    size_t int0 = i;
    while (i < len && is_digit(s[i]))
        i++;
    size_t nint = i - int0, frac0 = i, nfrac = 0;
    if (nint == 0)
        return MC_COUNT_SYNTAX;               /* "", ".5", "e3", "inf" */
    if (i < len && s[i] == '.') {
        frac0 = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        nfrac = i - frac0;
        if (nfrac == 0)
            return MC_COUNT_SYNTAX;           /* "1.", "1.e3" */
    }
    int64_t exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int neg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            neg = s[i++] == '-';
        size_t e0 = i;
        for (; i < len && is_digit(s[i]); i++)
            if (exp < EXP_CAP)
                exp = exp * 10 + (s[i] - '0');
        if (i == e0)
            return MC_COUNT_SYNTAX;           /* "1e", "1e+" */
        if (neg)
            exp = -exp;
    }
    if (i != len)
        return MC_COUNT_SYNTAX;               /* "0x10", " 5", "5 " */
    if (sign)
        return MC_COUNT_SIGN;

    /* the digits as one string d[0 .. n): the integer part, then the
       fraction, worth d * 10^(exp - nfrac) */
    size_t n = nint + nfrac, first = 0, last = n;
#define DIGIT(k) ((k) < nint ? s[int0 + (k)] : s[frac0 + (k) - nint])
    while (first < n && DIGIT(first) == '0')
        first++;
    uint64_t v = 0;
    if (first < n) {
        while (DIGIT(last - 1) == '0')
            last--;
        /* digits first .. last-1 times 10^e */
        int64_t e = exp - (int64_t)nfrac + (int64_t)(n - last);
        if (e < 0)
            return MC_COUNT_FRACTION;
        if (e > 20 || (int64_t)(last - first) + e > 20)
            return MC_COUNT_RANGE;
        for (size_t k = first; k < last; k++)
            if (__builtin_mul_overflow(v, (uint64_t)10, &v) ||
                __builtin_add_overflow(v, (uint64_t)(DIGIT(k) - '0'), &v))
                return MC_COUNT_RANGE;
        for (int64_t k = 0; k < e; k++)
            if (__builtin_mul_overflow(v, (uint64_t)10, &v))
                return MC_COUNT_RANGE;
    }
#undef DIGIT
    if (v < lo || v > hi)
        return MC_COUNT_RANGE;
    *out = v;
    return MC_COUNT_OK;
}
