/* mc_until.h: the stopping rule on precision (--until, or the scenario's
 * "until"), which the driver (mc_driver.c) runs batches by. */
#ifndef MC_UNTIL_H
#define MC_UNTIL_H

#include <stddef.h>

#include "mc_run.h"

/* A stopping rule on precision (--until METRIC:STAT:TOL): run batches of
 * 10,000, 20,000, 40,000, ... samples (each a fresh run with the same
 * seed, so each batch's first samples are the previous batch's) until
 * the 95% interval of STAT of output METRIC has a half-width (its larger
 * side) of at most TOL, or the sample count reaches the cap (the
 * scenario's samples).  The batches depend only on the rule and the
 * seed, never on the threads. */
#define MC_UNTIL_FIRST 10000
typedef struct mc_until {
    int col;                   /* an output column, MC_COL_T .. */
    int stat;                  /* -1 mean, 0 .. MC_NQ-1 a quantile, MC_NQ
                                  p_le_2 */
    double tol;
    char text[128];            /* the rule as given */
    size_t batches[64];        /* sample counts run so far, this one last */
    size_t n_batches;
} mc_until;

/* Parses "METRIC:STAT:TOL".  Returns 0, or -1 with msg ("expected ...,
 * found ..."). */
int mc_until_parse(const char *text, mc_until *u, char *msg, size_t len);
/* The statistic's value and its interval's half-width in run. */
double mc_until_half_width(const mc_run *run, const mc_until *u,
                           double *value);

#endif
