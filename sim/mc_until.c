/* mc_until.c: the stopping rule on precision (--until, "until"):
 * parsing METRIC:STAT:TOL and reading the statistic's interval from a
 * run (mc_until.h). */
#include "mc_until.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mc_until_parse(const char *rule, mc_until *u, char *msg, size_t len)
{
    memset(u, 0, sizeof *u);
    snprintf(u->text, sizeof u->text, "%s", rule);
    const char *c1 = strchr(rule, ':');
    const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || strlen(rule) >= sizeof u->text) {
        snprintf(msg, len, "expected METRIC:STAT:TOLERANCE (for example "
                 "break_even_days:p50:0.5), found '%s'", rule);
        return -1;
    }
    u->col = mc_column_find(rule, (size_t)(c1 - rule));
    if (u->col < MC_COL_OUTPUT0) {
        snprintf(msg, len, "expected an output of summary.csv "
                 "(break_even_days, multiplier, ...) before the first ':', "
                 "found '%.*s'", (int)(c1 - rule), rule);
        return -1;
    }
    size_t sl = (size_t)(c2 - c1 - 1);
    const char *st = c1 + 1;
    u->stat = -2;
    if (sl == 4 && strncmp(st, "mean", 4) == 0)
        u->stat = -1;
    else if (sl == strlen(MC_P_LE_COLUMN)
             && strncmp(st, MC_P_LE_COLUMN, sl) == 0)
        u->stat = MC_NQ;
    for (int q = 0; q < MC_NQ; q++)
        if (strlen(mc_summary_qnames[q]) == sl &&
            strncmp(st, mc_summary_qnames[q], sl) == 0)
            u->stat = q;
    int multiplier = !isnan(mc_column_output(u->col)->p_le);
    if (u->stat == -2 || (u->stat == MC_NQ && !multiplier)) {
        snprintf(msg, len, "expected a statistic with an interval (mean, "
                 "p01, p05, p10, p25, p50, p75, p90, p95, p99%s) after the "
                 "first ':', found '%.*s'",
                 multiplier ? ", " MC_P_LE_COLUMN
                            : "; " MC_P_LE_COLUMN " only for multipliers",
                 (int)sl, st);
        return -1;
    }
    char *end;
    errno = 0;
    u->tol = strtod(c2 + 1, &end);
    if (end == c2 + 1 || *end != '\0' || errno != 0 || !(u->tol > 0) ||
        !isfinite(u->tol)) {
        snprintf(msg, len, "expected a tolerance > 0 after the second ':', "
                 "found '%s'", c2 + 1);
        return -1;
    }
    return 0;
}

double mc_until_half_width(const mc_run *run, const mc_until *u,
                           double *value)
{
    const mc_stats *st = &run->stats[u->col - MC_COL_OUTPUT0];
    double v, lo, hi;
    if (u->stat < 0) {
        v = st->mean;
        lo = st->mean_lo;
        hi = st->mean_hi;
    } else if (u->stat == MC_NQ) {
        v = st->p_le;
        lo = st->p_le_lo;
        hi = st->p_le_hi;
    } else {
        v = st->q[u->stat];
        lo = st->q_lo[u->stat];
        hi = st->q_hi[u->stat];
    }
    *value = v;
    double a = v - lo, b = hi - v;
    if (v == lo && v == hi)            /* also inf: no spread at all */
        return 0.0;
    return isnan(a) || isnan(b) ? (double)NAN : a > b ? a : b;
}
