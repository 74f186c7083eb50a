/* mc_count.h: counts (seeds, sample counts, thread counts) read exactly
 * from their decimal text.
 *
 * One rule for the command line and for the scenario file's "seed" and
 * "samples": decimal digits, optionally a fraction (a point with digits on
 * both sides) and an exponent (e or E, an optional sign, digits), no sign
 * in front, no spaces; the value must be an exact integer in [lo, hi].
 * "2.5e6" is 2500000, "10e-1" is 1, "2.5" and "2000.0000000000001" are
 * not integers.  No floating point is involved: the digits are read as
 * written, so 9007199254740993 (2^53 + 1, which no double holds) and
 * 1.8446744073709551615e19 (2^64 - 1) are read exactly.  Leading zeros
 * are allowed ("007" is 7; JSON's own syntax forbids them in files).
 *
 * In config/ so that the loader and the command line (sim/) share it. */
#ifndef MC_COUNT_H
#define MC_COUNT_H

#include <stddef.h>
#include <stdint.h>

typedef enum mc_count_status {
    MC_COUNT_OK = 0,
    MC_COUNT_SIGN,      /* a decimal number with a '+' or '-' in front */
    MC_COUNT_SYNTAX,    /* not a decimal number (empty, spaces, hex, inf,
                           "1e", "1.", ".5") */
    MC_COUNT_FRACTION,  /* a decimal number that is not an integer */
    MC_COUNT_RANGE      /* an integer outside [lo, hi] */
} mc_count_status;

/* Reads text[0..len) (need not be NUL-terminated) by the rule above;
 * *out is set only on MC_COUNT_OK. */
mc_count_status mc_count_parse(const char *text, size_t len, uint64_t lo,
                               uint64_t hi, uint64_t *out);

#endif
