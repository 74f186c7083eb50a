/* mc_cli_print.c: what breakeven prints on the terminal about a complete
 * run: the summary of the headline outputs, the inputs that drive them,
 * the variants' shifts; and the run folder's warnings. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mc_cli_impl.h"
#include "mc_driver.h"
#include "mc_run.h"
#include "mc_saltelli.h"

/* The larger side of an interval around x. */
static double half_width(double x, double lo, double hi)
{
    double a = x - lo, b = hi - x;
    return a > b ? a : b;
}

/* The run's wall time and its parts, those above 0.005 s: "32.91 s
 * (passes 6.10, variants 26.50, writing 0.31)". */
static void print_times(char *buf, size_t cap, const mc_run *run)
{
    int n = snprintf(buf, cap, "%.2f s", run->wall_seconds), k = 0;
    for (int p = 0; p < MC_PARTS && n > 0 && (size_t)n < cap; p++)
        if (run->part_seconds[p] >= 0.005)
            n += snprintf(buf + n, cap - (size_t)n, "%s%s %.2f",
                          k++ > 0 ? ", " : " (", mc_part_names[p],
                          run->part_seconds[p]);
    if (k > 0 && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ")");
}

/* The two largest of v[0..d) in size (SIZE_MAX where there is none). */
static void top_two(const double *v, size_t d, size_t best[2])
{
    best[0] = best[1] = SIZE_MAX;
    for (size_t a = 0; a < d; a++) {
        double x = fabs(v[a]);
        if (!(x > 0.0))
            continue;
        if (best[0] == SIZE_MAX || x > fabs(v[best[0]])) {
            best[1] = best[0];
            best[0] = a;
        } else if (best[1] == SIZE_MAX || x > fabs(v[best[1]])) {
            best[1] = a;
        }
    }
}

/* The place of output id k among the layout's outputs, or -1. */
static int out_index(const mc_layout *lay, int k)
{
    for (int j = 0; j < lay->nout; j++)
        if (lay->out[j] == k)
            return j;
    return -1;
}

/* The two inputs that drive each headline output (issue 7): by total
 * Sobol' index when the run computed them, else by Spearman's rank
 * correlation in size. */
static void print_drivers(const mc_run *run)
{
    static const int headline[] = {MC_COL_BE, MC_COL_BE_ENERGY, MC_COL_M,
                                   MC_COL_M_ENERGY};
    const mc_sobol_result *sob = run->sobol;
    if (run->sens_d == 0 && sob == NULL)
        return;
    if (sob != NULL)
        printf("\ndrivers (the two inputs of largest total Sobol' index ST "
               "for each output;\n all indices, with intervals, in "
               "sobol.csv)\n");
    else
        printf("\ndrivers (the two inputs of largest Spearman rank "
               "correlation with each output;\n all inputs, and partial "
               "rank correlations, in sensitivity.csv)\n");
    for (size_t i = 0; i < sizeof headline / sizeof headline[0]; i++) {
        size_t k = (size_t)out_index(&run->layout,
                                     headline[i] - MC_COL_OUTPUT0);
        size_t d, best[2];
        double v[MC_NCOLS];
        const char *name[MC_NCOLS];
        if (sob != NULL) {
            d = sob->d;
            for (size_t a = 0; a < d; a++) {
                v[a] = sob->idx[k][a].ST;
                name[a] = sob->factor[a];
            }
        } else {
            d = run->sens_d;
            for (size_t a = 0; a < d; a++) {
                v[a] = run->sens[k * d + a].spearman;
                name[a] = mc_column_names[run->sens_col[a]];
            }
        }
        top_two(v, d, best);
        printf("  %-24s", mc_column_names[headline[i]]);
        for (int j = 0; j < 2 && best[j] != SIZE_MAX; j++)
            printf(sob != NULL ? "%s%s %.2f" : "%s%s %+.2f", j > 0 ? ", " : "",
                   name[best[j]], v[best[j]]);
        if (sob != NULL && !isnan(sob->censored_at[k]))
            printf("  (censored at %g days)", sob->censored_at[k]);
        printf("\n");
    }
}

/* Each variant's median shift of two headline outputs, with the
 * half-width of its 95% interval (on common random numbers). */
static void print_variants(const mc_run *run)
{
    if (run->n_variants == 0)
        return;
    static const int shown[] = {MC_COL_BE, MC_COL_M_ENERGY};
    printf("\nvariants (median shift from the base on the same random "
           "numbers, with the half-width\n of its 95%% interval; every "
           "output in variants.csv)\n");
    printf("  %-28s %20s %20s\n", "variant", mc_column_names[shown[0]],
           mc_column_names[shown[1]]);
    for (size_t v = 0; v < run->n_variants; v++) {
        const mc_variant_result *vr = &run->variants[v];
        printf("  %-28s", vr->name);
        for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
            size_t k = (size_t)(shown[i] - MC_COL_OUTPUT0);
            char buf[64];
            double shift = vr->diff.median_shift[k];
            double hw = vr->diff.median_hi[k] - shift;
            if (shift == 0.0 && hw == 0.0)
                snprintf(buf, sizeof buf, "0");
            else
                mc_fmt_justified(buf, sizeof buf, shift, hw, 1);
            printf(" %*s", (int)(20 + (strstr(buf, "±") != NULL)), buf);
        }
        printf("\n");
    }
}

/* The head of the table of break-even days and multipliers. */
static void print_header(void)
{
    printf("%-32s %17s %10s %10s %8s %15s\n", "output", "median", "5%",
           "95%", "never", "P(<=" MC_P_LE_TEXT ")");
}

/* One output's row of the summary table: its median with the half-width
 * of its interval, the 5% and 95% points, the share "never" and P(<= 2)
 * (multipliers), each figure to the digits its interval justifies. */
static void print_row(const char *label, const mc_stats *st, int never_col)
{
    char med[48], q05[48], q95[48], never[48], ple2[48] = "";
    /* q[1], q[4], q[7]: the 5%, 50% and 95% points */
    mc_fmt_justified(med, sizeof med, st->q[4],
                     half_width(st->q[4], st->q_lo[4], st->q_hi[4]), 1);
    mc_fmt_justified(q05, sizeof q05, st->q[1],
                     half_width(st->q[1], st->q_lo[1], st->q_hi[1]), 0);
    mc_fmt_justified(q95, sizeof q95, st->q[7],
                     half_width(st->q[7], st->q_lo[7], st->q_hi[7]), 0);
    double share = 100.0 * (double)st->never / (double)st->n, lo, hi;
    mc_wilson(st->never, st->n, MC_LEVEL, &lo, &hi);
    size_t w = (size_t)mc_fmt_justified(
        never, sizeof never - 1, share,
        half_width(share, 100.0 * lo, 100.0 * hi), 0);
    if (w < sizeof never - 1)
        snprintf(never + w, sizeof never - w, "%%");
    if (!isnan(st->p_le))
        mc_fmt_justified(ple2, sizeof ple2, st->p_le,
                         half_width(st->p_le, st->p_le_lo, st->p_le_hi), 1);
    /* "±" is two bytes in UTF-8: widen the fields that hold one */
    if (!never_col) {
        printf("%-32s %*s %10s %10s\n", label,
               (int)(17 + (strstr(med, "±") != NULL)), med, q05, q95);
        return;
    }
    printf("%-32s %*s %10s %10s %8s", label,
           (int)(17 + (strstr(med, "±") != NULL)), med, q05, q95, never);
    printf(*ple2 ? " %*s\n" : "\n", (int)(15 + (strstr(ple2, "±") != NULL)),
           ple2);
}

/* The share of training in a per-use footprint, 1 - 1/M of its kind's
 * multiplier M, as a percentage: the median with its interval's
 * half-width, the 5% and 95% points (a monotone map of M's quantiles). */
static void print_share(const char *label, const mc_stats *m)
{
    char med[48], q05[48], q95[48];
    double p[3][3];                       /* [point][value, lo, hi] */
    const int at[3] = {4, 1, 7};
    for (int i = 0; i < 3; i++) {
        const double x[3] = {m->q[at[i]], m->q_lo[at[i]], m->q_hi[at[i]]};
        for (int j = 0; j < 3; j++)
            p[i][j] = 100.0 * (1.0 - 1.0 / x[j]);
    }
    mc_fmt_justified(med, sizeof med, p[0][0],
                     half_width(p[0][0], p[0][1], p[0][2]), 1);
    mc_fmt_justified(q05, sizeof q05, p[1][0],
                     half_width(p[1][0], p[1][1], p[1][2]), 0);
    mc_fmt_justified(q95, sizeof q95, p[2][0],
                     half_width(p[2][0], p[2][1], p[2][2]), 0);
    printf("%-32s %*s%% %9s%% %9s%%\n", label,
           (int)(16 + (strstr(med, "±") != NULL)), med, q05, q95);
}

/* The footprint per use (MODEL.md version 2), where the scenario has a
 * `use` block: for each kind the scenario has, inference's and
 * training's (amortised over the uses of the lifetime) and training's
 * share of the whole. */
static void print_per_use(const mc_run *run, const mc_scenario *s)
{
    static const struct { int inf, tr, mult; const char *kind; } rows[] = {
        {MC_OUT_INFERENCE_GPU_HOURS_PER_USE, MC_OUT_TRAINING_GPU_HOURS_PER_USE,
         MC_OUT_MULTIPLIER, "GPU-hours"},
        {MC_OUT_INFERENCE_WH_PER_USE, MC_OUT_TRAINING_WH_PER_USE,
         MC_OUT_MULTIPLIER_ENERGY, "energy"},
        {MC_OUT_INFERENCE_GCO2E_PER_USE, MC_OUT_TRAINING_GCO2E_PER_USE,
         MC_OUT_MULTIPLIER_CARBON, "carbon"},
        {MC_OUT_INFERENCE_ML_PER_USE, MC_OUT_TRAINING_ML_PER_USE,
         MC_OUT_MULTIPLIER_WATER, "water"}};
    const mc_layout *lay = &run->layout;
    if (!(lay->groups & MC_GROUP_USE))
        return;
    char per[32];
    mc_fmt_double(per, s->use_per);
    printf("\nper %s %s%s over the lifetime (GPU-h, Wh, g CO2e, mL; "
           "training amortised\nover the lifetime's uses; training's share "
           "= 1 - 1 / its multiplier)\n", per,
           s->use_unit != NULL ? s->use_unit : "use",
           s->use_per == 1.0 ? "" : "s");
    printf("%-32s %17s %10s %10s\n", "output", "median", "5%", "95%");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (!lay->has_out[rows[i].inf])
            continue;
        char label[64];
        print_row(mc_output_infos[rows[i].inf].name, &run->stats[rows[i].inf],
                  0);
        print_row(mc_output_infos[rows[i].tr].name, &run->stats[rows[i].tr],
                  0);
        snprintf(label, sizeof label, "  training's share (%s)",
                 rows[i].kind);
        print_share(label, &run->stats[rows[i].mult]);
    }
}

/* The traffic at which training amortises to exactly 2x over the
 * lifetime, against the measured day's: GPU-hours (and uses, with a
 * `use` block). */
static void print_required(const mc_run *run, const mc_scenario *s)
{
    const mc_layout *lay = &run->layout;
    char v[32];
    printf("\nrequired traffic (on the measured day, for training to add "
           "half the lifetime's cost:\n multiplier 2), against the measured "
           "day's\n");
    printf("%-32s %17s %10s %10s\n", "output", "median", "5%", "95%");
    print_row("required_gpu_hours_per_day",
              &run->stats[MC_OUT_REQUIRED_GPU_HOURS_PER_DAY], 0);
    print_row("  measured day (inference)",
              &run->stats[MC_OUT_INFERENCE_GPU_HOURS_PER_DAY], 0);
    if (!(lay->groups & MC_GROUP_USE))
        return;
    print_row("required_uses_per_day",
              &run->stats[MC_OUT_REQUIRED_USES_PER_DAY], 0);
    const mc_dist *u = &s->inputs[MC_IN_USES_PER_DAY].dist;
    snprintf(v, sizeof v, "%.6g", mc_dist_quantile(u, 0.5));
    printf("%-32s %17s  (%s)\n", "  measured day (uses_per_day)", v,
           mc_dist_is_fixed(u) ? "reported" : "its median");
}

/* Each figure to the digits its 95% interval justifies (issue 6): the
 * median and P(<= 2) with their error, the 5% and 95% points and the
 * share "never" rounded by theirs. */
void mc_cli_print_summary_(const mc_run *run, const mc_scenario *s,
                           const char *outdir)
{
    char times[160];
    print_times(times, sizeof times, run);
    printf("%s: %zu samples, seed %llu, %d thread%s, %s -> %s\n\n",
           s->name, run->n, (unsigned long long)s->seed, run->threads,
           run->threads == 1 ? "" : "s", times, outdir);
    if (s->assumed_usage)
        printf("ASSUMED USAGE: this scenario's inference traffic is an "
               "assumption, not a\nmeasurement: its break-even days are "
               "conditional on it; read\nrequired_gpu_hours_per_day, the "
               "traffic training needs, instead.\n\n");
    print_header();
    static const int shown[] = {
        MC_OUT_BREAK_EVEN, MC_OUT_BREAK_EVEN_ENERGY, MC_OUT_BREAK_EVEN_CARBON,
        MC_OUT_BREAK_EVEN_WATER, MC_OUT_BREAK_EVEN_FINAL,
        MC_OUT_BREAK_EVEN_ENERGY_FINAL, MC_OUT_MULTIPLIER,
        MC_OUT_MULTIPLIER_ENERGY, MC_OUT_MULTIPLIER_CARBON,
        MC_OUT_MULTIPLIER_WATER, MC_OUT_MULTIPLIER_FINAL,
        MC_OUT_MULTIPLIER_ENERGY_FINAL};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if (run->layout.has_out[shown[i]])
            print_row(mc_output_infos[shown[i]].name, &run->stats[shown[i]], 1);
    printf("\n(median and P(<=" MC_P_LE_TEXT ") with the half-width of "
           "their 95%% interval; "
           "every figure\n rounded to the digits its interval justifies; "
           "all intervals in summary.csv)\n");
    print_per_use(run, s);
    print_required(run, s);
    print_drivers(run);
    print_variants(run);
}
void mc_cli_print_comparison_(const mc_compare_item *c, size_t n,
                              const char *outdir)
{
    static const int shown[] = {MC_OUT_BREAK_EVEN, MC_OUT_BREAK_EVEN_ENERGY,
                                MC_OUT_MULTIPLIER, MC_OUT_MULTIPLIER_ENERGY};
    static const int traffic[] = {MC_OUT_REQUIRED_GPU_HOURS_PER_DAY,
                                  MC_OUT_INFERENCE_GPU_HOURS_PER_DAY};
    printf("%zu scenarios -> %s (a run folder each, comparison.csv)\n", n,
           outdir);
    for (size_t i = 0; i < n; i++) {
        const mc_run *run = &c[i].run;
        const mc_scenario *s = c[i].s;
        const mc_layout *lay = &run->layout;
        char times[160];
        print_times(times, sizeof times, run);
        printf("\n%s%s: %zu samples, seed %llu, %s -> %s/%s\n", s->name,
               s->assumed_usage ? " (ASSUMED USAGE: not a measurement)" : "",
               run->n, (unsigned long long)s->seed, times, outdir,
               c[i].folder);
        print_header();
        for (size_t k = 0; k < sizeof shown / sizeof shown[0]; k++)
            if (lay->has_out[shown[k]])
                print_row(mc_output_infos[shown[k]].name,
                          &run->stats[shown[k]], 1);
        if (lay->has_out[MC_OUT_TRAINING_WH_PER_USE]) {
            char per[32];
            mc_fmt_double(per, s->use_per);
            printf("per %s %s%s:\n", per, s->use_unit,
                   s->use_per == 1.0 ? "" : "s");
            print_row(mc_output_infos[MC_OUT_INFERENCE_WH_PER_USE].name,
                      &run->stats[MC_OUT_INFERENCE_WH_PER_USE], 0);
            print_row(mc_output_infos[MC_OUT_TRAINING_WH_PER_USE].name,
                      &run->stats[MC_OUT_TRAINING_WH_PER_USE], 0);
            print_share("  training's share (energy)",
                        &run->stats[MC_OUT_MULTIPLIER_ENERGY]);
        }
        for (size_t k = 0; k < sizeof traffic / sizeof traffic[0]; k++)
            print_row(mc_output_infos[traffic[k]].name,
                      &run->stats[traffic[k]], 0);
    }
    printf("\n(median with the half-width of its 95%% interval, the 5%% and "
           "95%% points; every\n output of every scenario in comparison.csv, "
           "each scenario's files in its folder)\n");
}

/* Prints the run folder's warnings (leftovers of killed runs it could not
 * remove), one "breakeven: warning: ..." line each. */
void mc_cli_print_outdir_warnings_(void)
{
    char w[16384];
    if (mc_outdir_warnings(w, sizeof w) == 0)
        return;
    for (char *line = strtok(w, "\n"); line != NULL; line = strtok(NULL, "\n"))
        fprintf(stderr, "breakeven: warning: %s\n", line);
}
