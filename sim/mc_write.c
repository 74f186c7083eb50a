/* mc_write.c: the files of the run folder (mc_write.h): samples.csv's
 * parts joined, summary.csv, curve.csv, replicates.csv, sensitivity.csv,
 * sobol.csv, the variants' files and manifest.json (MODEL.md, "Names in
 * the files"). */
#define _GNU_SOURCE             /* copy_file_range */
#include "mc_write.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_comm.h"
#include "mc_manifest.h"
#include "mc_saltelli.h"

/* Messages of a failed file name "<run folder>/<name>: ..." (the file's
 * place once complete; it is really written in the temporary folder). */
void mc_write_file_msg(const mc_outdir *o, const char *name,
                       const char *what, char *msg, size_t len)
{
    char cause[512];
    snprintf(cause, sizeof cause, "%s", msg);
    snprintf(msg, len, "%s/%s: %s%s", o->target, name, what, cause);
}

/* Writes one CSV file of the run folder.  Every write, the flush, the
 * fsync and the close are checked (mc_csv_write, mc_outdir_close). */
static int write_csv(const mc_outdir *o, const char *name,
                     const mc_column *cols, size_t ncols, size_t nrows,
                     int threads, char *msg, size_t len)
{
    FILE *f = mc_outdir_open(o, name, msg, len);
    if (f == NULL) {
        mc_write_file_msg(o, name, "", msg, len);
        return -1;
    }
    if (mc_csv_write(f, cols, ncols, nrows, threads, msg, len) != 0) {
        fclose(f);                /* already failed: its result adds nothing */
        mc_write_file_msg(o, name, "cannot write: ", msg, len);
        return -1;
    }
    if (mc_outdir_close(f, msg, len) != 0) {
        mc_write_file_msg(o, name, "", msg, len);
        return -1;
    }
    return 0;
}

/* summary.csv: one row per output, the columns of MODEL.md, then each
 * statistic's interval at MC_LEVEL (issue 6): mean_lo, mean_hi, p01_lo,
 * p01_hi, ..., p99_hi, p_le_2_lo, p_le_2_hi (the threshold is the
 * model's, MC_P_LE_COLUMN). */
enum { S_N, S_NEVER, S_MEAN, S_SD, S_MCSE, S_MIN, S_Q0,
       S_MAX = S_Q0 + MC_NQ, S_PLE2, S_MEAN_LO, S_MEAN_HI, S_QLO0,
       S_PLE2_LO = S_QLO0 + 2 * MC_NQ, S_PLE2_HI, S_NUM };

/* The names of summary.csv's columns after "metric". */
static void summary_names(char names[S_NUM][16])
{
    static const char *const base[S_MEAN_LO] = {
        "n", "never", "mean", "sd", "mcse", "min", "p01", "p05", "p10",
        "p25", "p50", "p75", "p90", "p95", "p99", "max", MC_P_LE_COLUMN};
    for (int c = 0; c < S_MEAN_LO; c++)
        snprintf(names[c], sizeof names[c], "%s", base[c]);
    snprintf(names[S_MEAN_LO], sizeof names[0], "mean_lo");
    snprintf(names[S_MEAN_HI], sizeof names[0], "mean_hi");
    for (int q = 0; q < MC_NQ; q++) {
        snprintf(names[S_QLO0 + 2 * q], sizeof names[0], "%s_lo",
                 mc_summary_qnames[q]);
        snprintf(names[S_QLO0 + 2 * q + 1], sizeof names[0], "%s_hi",
                 mc_summary_qnames[q]);
    }
    snprintf(names[S_PLE2_LO], sizeof names[0], MC_P_LE_COLUMN "_lo");
    snprintf(names[S_PLE2_HI], sizeof names[0], MC_P_LE_COLUMN "_hi");
}

/* The rows of lay's outputs, at rows at .. at + nout - 1 of v's columns
 * and metric. */
static void summary_rows(const mc_layout *lay, const mc_stats *stats,
                         double *const v[S_NUM], const char **metric,
                         size_t at)
{
    for (int i = 0; i < lay->nout; i++) {
        const mc_stats *st = &stats[lay->out[i]];
        size_t k = at + (size_t)i;
        metric[k] = mc_column_names[MC_COL_OUTPUT0 + lay->out[i]];
        v[S_N][k] = (double)st->n;
        v[S_NEVER][k] = (double)st->never;
        v[S_MEAN][k] = st->mean;
        v[S_SD][k] = st->sd;
        v[S_MCSE][k] = st->mcse;
        v[S_MIN][k] = st->min;
        for (int q = 0; q < MC_NQ; q++) {
            v[S_Q0 + q][k] = st->q[q];
            v[S_QLO0 + 2 * q][k] = st->q_lo[q];
            v[S_QLO0 + 2 * q + 1][k] = st->q_hi[q];
        }
        v[S_MAX][k] = st->max;
        v[S_PLE2][k] = st->p_le;
        v[S_MEAN_LO][k] = st->mean_lo;
        v[S_MEAN_HI][k] = st->mean_hi;
        v[S_PLE2_LO][k] = st->p_le_lo;
        v[S_PLE2_HI][k] = st->p_le_hi;
    }
}

int mc_write_summary(const mc_outdir *o, const mc_layout *lay,
                     const mc_stats *stats, const char *name, char *msg,
                     size_t len)
{
    char names[S_NUM][16];
    double vals[S_NUM][MC_NOUTPUTS], *v[S_NUM];
    const char *metric[MC_NOUTPUTS];
    summary_names(names);
    for (int c = 0; c < S_NUM; c++)
        v[c] = vals[c];
    summary_rows(lay, stats, v, metric, 0);
    mc_column cols[S_NUM + 1] = {{.name = "metric", .str = metric}};
    for (int c = 0; c < S_NUM; c++)
        cols[c + 1] = (mc_column){.name = names[c], .num = v[c]};
    return write_csv(o, name, cols, S_NUM + 1, (size_t)lay->nout, 1, msg,
                     len);
}

/* A text as one CSV field (RFC 4180): quoted, its quotes doubled, when
 * it holds a comma, a quote or a line break; malloc'd, NULL without
 * memory. */
static char *csv_field(const char *s)
{
    size_t n = strlen(s), q = 0;
    for (size_t i = 0; i < n; i++)
        q += s[i] == '"';
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    char *f = malloc(n + q + 3), *p = f;
    if (f == NULL)
        return NULL;
    if (quote)
        *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    if (quote)
        *p++ = '"';
    *p = '\0';
    return f;
}

enum { K_SCENARIO, K_ASSUMED, K_UNIT, K_STR };

int mc_write_comparison(const mc_outdir *o, const mc_compared *c, size_t n,
                        char *msg, size_t len)
{
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += (size_t)c[i].run->layout.nout;
    char names[S_NUM][16];
    summary_names(names);
    double *v[S_NUM], *per = malloc((rows + 1) * sizeof *per);
    const char **str[K_STR], **metric = malloc((rows + 1) * sizeof *metric);
    char **fields = calloc(2 * n + 1, sizeof *fields);
    int ok = per != NULL && metric != NULL && fields != NULL;
    for (int k = 0; k < K_STR; k++)
        ok &= (str[k] = malloc((rows + 1) * sizeof *str[k])) != NULL;
    for (int k = 0; k < S_NUM; k++)
        ok &= (v[k] = malloc((rows + 1) * sizeof *v[k])) != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        ok &= (fields[2 * i] = csv_field(c[i].folder)) != NULL;
        ok &= (fields[2 * i + 1] = csv_field(
                   c[i].s->use_unit != NULL ? c[i].s->use_unit : "")) != NULL;
    }
    int rc = -1;
    if (!ok)
        snprintf(msg, len, "%s/comparison.csv: out of memory", o->target);
    for (size_t i = 0, at = 0; ok && i < n; i++) {
        const mc_layout *lay = &c[i].run->layout;
        summary_rows(lay, c[i].run->stats, v, metric, at);
        for (int k = 0; k < lay->nout; k++, at++) {
            str[K_SCENARIO][at] = fields[2 * i];
            str[K_ASSUMED][at] = c[i].s->assumed_usage ? "true" : "false";
            str[K_UNIT][at] = fields[2 * i + 1];
            per[at] = c[i].s->use_unit != NULL ? c[i].s->use_per : (double)NAN;
        }
    }
    if (ok) {
        mc_column cols[K_STR + 2 + S_NUM] = {
            {.name = "scenario", .str = str[K_SCENARIO]},
            {.name = "assumed_usage", .str = str[K_ASSUMED]},
            {.name = "use_unit", .str = str[K_UNIT]},
            {.name = "use_per", .num = per},
            {.name = "metric", .str = metric}};
        for (int k = 0; k < S_NUM; k++)
            cols[K_STR + 2 + k] = (mc_column){.name = names[k], .num = v[k]};
        rc = write_csv(o, "comparison.csv", cols, K_STR + 2 + S_NUM, rows, 1,
                       msg, len);
    }
    for (size_t i = 0; fields != NULL && i < 2 * n; i++)
        free(fields[i]);
    free(fields);
    for (int k = 0; k < K_STR; k++)
        free(str[k]);
    for (int k = 0; k < S_NUM; k++)
        free(v[k]);
    free(per);
    free(metric);
    return rc;
}

/* curve.csv: one row per horizon and multiplier, MODEL.md's columns and
 * then each statistic's interval at MC_LEVEL (issue 6). */
enum { C_H, C_MEAN, C_Q0, C_PLE2 = C_Q0 + MC_NCURVE_Q, C_PBE, C_MEAN_LO,
       C_MEAN_HI, C_QLO0, C_PLE2_LO = C_QLO0 + 2 * MC_NCURVE_Q, C_PLE2_HI,
       C_PBE_LO, C_PBE_HI, C_NUM };

int mc_write_curve(const mc_outdir *o, const mc_run *run,
                   const mc_curve_point *curve, const char *name, char *msg,
                   size_t len)
{
    static const char *const names[C_NUM] = {
        "horizon_days", "mean", "p05", "p25", "p50", "p75", "p95",
        MC_P_LE_COLUMN, "p_break_even", "mean_lo", "mean_hi", "p05_lo",
        "p05_hi",
        "p25_lo", "p25_hi", "p50_lo", "p50_hi", "p75_lo", "p75_hi",
        "p95_lo", "p95_hi", MC_P_LE_COLUMN "_lo", MC_P_LE_COLUMN "_hi",
        "p_break_even_lo",
        "p_break_even_hi"};
    size_t nc = (size_t)run->ncurve, rows = run->n_horizons * nc;
    double *v = malloc((rows + 1) * C_NUM * sizeof(double));
    const char **metric = malloc((rows + 1) * sizeof(char *));
    int rc = -1;
    if (v == NULL || metric == NULL) {
        snprintf(msg, len, "out of memory writing curve.csv");
        goto out;
    }
    for (size_t r = 0; r < rows; r++) {
        const mc_curve_point *pt = &curve[r];
        metric[r] = mc_column_names[MC_COL_OUTPUT0 +
                                    run->layout.curve[r % nc]];
        v[C_H * rows + r] = run->horizons[r / nc];
        v[C_MEAN * rows + r] = pt->mean;
        for (int q = 0; q < MC_NCURVE_Q; q++) {
            v[(size_t)(C_Q0 + q) * rows + r] = pt->q[q];
            v[(size_t)(C_QLO0 + 2 * q) * rows + r] = pt->q_lo[q];
            v[(size_t)(C_QLO0 + 2 * q + 1) * rows + r] = pt->q_hi[q];
        }
        v[C_PLE2 * rows + r] = pt->p_le;
        v[C_PBE * rows + r] = pt->p_break_even;
        v[C_MEAN_LO * rows + r] = pt->mean_lo;
        v[C_MEAN_HI * rows + r] = pt->mean_hi;
        v[C_PLE2_LO * rows + r] = pt->p_le_lo;
        v[C_PLE2_HI * rows + r] = pt->p_le_hi;
        v[C_PBE_LO * rows + r] = pt->p_break_even_lo;
        v[C_PBE_HI * rows + r] = pt->p_break_even_hi;
    }
    mc_column cols[C_NUM + 1];
    cols[0] = (mc_column){.name = names[C_H], .num = v};
    cols[1] = (mc_column){.name = "metric", .str = metric};
    for (int c = 1; c < C_NUM; c++)
        cols[c + 1] = (mc_column){.name = names[c], .num = v + (size_t)c * rows};
    rc = write_csv(o, name, cols, C_NUM + 1, rows, run->threads, msg, len);
out:
    free(v);
    free(metric);
    return rc;
}

/* replicates.csv (--replicates R): for each output and statistic of
 * summary.csv with an interval, its value in each of R independent
 * randomizations (seeds seed .. seed+R-1): their mean, standard
 * deviation, the standard error of that mean and the half-width of its
 * 95% interval (Student's t with R - 1 degrees of freedom), and the value
 * in this run's summary.csv (the first replicate).  For LHS and Sobol'
 * this is the honest error: summary.csv's intervals assume independent
 * samples. */
static double stat_of(const mc_stats *st, int k)
{
    return k < 0 ? st->mean : k < MC_NQ ? st->q[k] : st->p_le;
}

int mc_write_replicates(const mc_outdir *o, const mc_run *run,
                        const mc_run_info *info, char *msg, size_t len)
{
    enum { R_MEAN, R_SD, R_SE, R_HW, R_FIRST, R_NUM };
    size_t r = info->n_rep, rows = 0;
    static const char *stat_names[MC_NQ + 2];
    stat_names[0] = "mean";
    for (int q = 0; q < MC_NQ; q++)
        stat_names[q + 1] = mc_summary_qnames[q];
    stat_names[MC_NQ + 1] = MC_P_LE_COLUMN;
    const char *metric[MC_NOUTPUTS * (MC_NQ + 2)];
    const char *stat[MC_NOUTPUTS * (MC_NQ + 2)];
    double v[R_NUM][MC_NOUTPUTS * (MC_NQ + 2)];
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(r - 1));
    for (int jo = 0; jo < run->layout.nout; jo++)
        for (int j = -1, k = run->layout.out[jo]; j <= MC_NQ; j++) {
            if (j == MC_NQ && isnan(run->stats[k].p_le))
                continue;
            double sum = 0, ss = 0;
            for (size_t i = 0; i < r; i++)
                sum += stat_of(i == 0 ? &run->stats[k] : &info->reps[i - 1].stats[k], j);
            double mean = sum / (double)r;
            for (size_t i = 0; i < r; i++) {
                double d = stat_of(i == 0 ? &run->stats[k]
                                          : &info->reps[i - 1].stats[k], j) -
                           mean;
                ss += d * d;
            }
            double sd = sqrt(ss / (double)(r - 1));
            metric[rows] = mc_column_names[MC_COL_OUTPUT0 + k];
            stat[rows] = stat_names[j + 1];
            v[R_MEAN][rows] = mean;
            v[R_SD][rows] = sd;
            v[R_SE][rows] = sd / sqrt((double)r);
            v[R_HW][rows] = t * sd / sqrt((double)r);
            v[R_FIRST][rows] = stat_of(&run->stats[k], j);
            rows++;
        }
    mc_column cols[R_NUM + 2] = {
        {.name = "metric", .str = metric}, {.name = "stat", .str = stat},
        {.name = "mean", .num = v[R_MEAN]}, {.name = "sd", .num = v[R_SD]},
        {.name = "se", .num = v[R_SE]},
        {.name = "half_width_95", .num = v[R_HW]},
        {.name = "this_run", .num = v[R_FIRST]}};
    return write_csv(o, "replicates.csv", cols, R_NUM + 2, rows, 1, msg, len);
}

/* sensitivity.csv: for each output (summary.csv's order) and uncertain
 * input, Spearman's rank correlation and the partial rank correlation
 * given the other inputs, each with its interval at MC_LEVEL. */
int mc_write_sensitivity(const mc_outdir *o, const mc_run *run, char *msg,
                         size_t len)
{
    size_t d = run->sens_d, rows = d * (size_t)run->layout.nout;
    const char **metric = malloc((rows + 1) * sizeof *metric);
    const char **input = malloc((rows + 1) * sizeof *input);
    double *v = malloc((rows + 1) * 6 * sizeof *v);
    int rc = -1;
    if (metric == NULL || input == NULL || v == NULL) {
        snprintf(msg, len, "%s/sensitivity.csv: out of memory", o->target);
        goto done;
    }
    for (size_t r = 0; r < rows; r++) {
        const mc_rankcorr *c = &run->sens[r];
        metric[r] = mc_column_names[MC_COL_OUTPUT0 +
                                    run->layout.out[r / d]];
        input[r] = mc_column_names[run->sens_col[r % d]];
        double x[6] = {c->spearman, c->spearman_lo, c->spearman_hi,
                       c->prcc, c->prcc_lo, c->prcc_hi};
        for (int k = 0; k < 6; k++)
            v[(size_t)k * rows + r] = x[k];
    }
    mc_column cols[8] = {
        {.name = "metric", .str = metric}, {.name = "input", .str = input},
        {.name = "spearman", .num = v}, {.name = "spearman_lo", .num = v + rows},
        {.name = "spearman_hi", .num = v + 2 * rows},
        {.name = "prcc", .num = v + 3 * rows},
        {.name = "prcc_lo", .num = v + 4 * rows},
        {.name = "prcc_hi", .num = v + 5 * rows}};
    rc = write_csv(o, "sensitivity.csv", cols, 8, rows, 1, msg, len);
done:
    free(metric);
    free(input);
    free(v);
    return rc;
}

/* variants.csv: for each variant and output, the variant against the
 * base on common random numbers (mc_variant_diff). */
enum { V_N, V_BASE_MED, V_VAR_MED, V_SHIFT, V_SHIFT_SE, V_SHIFT_LO,
       V_SHIFT_HI, V_SHIFT_SE_IND, V_MEAN, V_MEAN_SE, V_MEAN_LO, V_MEAN_HI,
       V_MEAN_SE_IND, V_SD, V_P05, V_P25, V_P50, V_P75, V_P95,
       V_VAR_NEVER, V_BASE_NEVER, V_NUM };

int mc_write_variants(const mc_outdir *o, const mc_run *run, char *msg,
                      size_t len)
{
    static const char *const names[V_NUM] = {
        "n", "base_median", "variant_median", "median_shift",
        "median_shift_se", "median_shift_lo", "median_shift_hi",
        "median_shift_se_independent", "mean_diff", "mean_diff_se",
        "mean_diff_lo", "mean_diff_hi", "mean_diff_se_independent",
        "diff_sd", "diff_p05", "diff_p25", "diff_p50", "diff_p75",
        "diff_p95", "variant_only_never", "base_only_never"};
    size_t no = (size_t)run->layout.nout, rows = run->n_variants * no;
    double *v = malloc((rows + 1) * V_NUM * sizeof *v);
    const char **variant = malloc((rows + 1) * sizeof *variant);
    const char **metric = malloc((rows + 1) * sizeof *metric);
    int rc = -1;
    if (v == NULL || variant == NULL || metric == NULL) {
        snprintf(msg, len, "%s/variants.csv: out of memory", o->target);
        goto done;
    }
    for (size_t r = 0; r < rows; r++) {
        const mc_variant_result *vr = &run->variants[r / no];
        int k = run->layout.out[r % no];
        const mc_variant_diff *d = &vr->diff;
        const mc_stats *st = &d->diff[k];
        variant[r] = vr->name;
        metric[r] = mc_column_names[MC_COL_OUTPUT0 + k];
        double x[V_NUM] = {
            (double)d->n, run->stats[k].q[4], vr->stats[k].q[4],
            d->median_shift[k], d->median_se[k], d->median_lo[k],
            d->median_hi[k], d->median_se_independent[k], st->mean,
            st->mcse, st->mean_lo, st->mean_hi, d->mean_se_independent[k],
            st->sd, st->q[1], st->q[3], st->q[4], st->q[5], st->q[7],
            (double)st->never, (double)d->base_only_never[k]};
        for (int c = 0; c < V_NUM; c++)
            v[(size_t)c * rows + r] = x[c];
    }
    mc_column cols[V_NUM + 2] = {{.name = "variant", .str = variant},
                                 {.name = "metric", .str = metric}};
    for (int c = 0; c < V_NUM; c++)
        cols[c + 2] = (mc_column){.name = names[c], .num = v + (size_t)c * rows};
    rc = write_csv(o, "variants.csv", cols, V_NUM + 2, rows, 1, msg, len);
done:
    free(v);
    free(variant);
    free(metric);
    return rc;
}

/* sobol.csv (mc_sobol_write_csv), its write and close checked. */
int mc_write_sobol(const mc_outdir *o, const mc_sobol_result *r, char *msg,
                   size_t len)
{
    FILE *f = mc_outdir_open(o, "sobol.csv", msg, len);
    if (f == NULL) {
        mc_write_file_msg(o, "sobol.csv", "", msg, len);
        return -1;
    }
    if (mc_sobol_write_csv(f, r) != 0) {
        int e = errno != 0 ? errno : EIO;
        fclose(f);                /* already failed: its result adds nothing */
        snprintf(msg, len, "%s/sobol.csv: cannot write: %s", o->target,
                 strerror(e));
        return -1;
    }
    if (mc_outdir_close(f, msg, len) != 0) {
        mc_write_file_msg(o, "sobol.csv", "", msg, len);
        return -1;
    }
    return 0;
}

/* Variant i's folder, summary.csv and curve.csv (process 0). */
int mc_write_variant(const mc_outdir *o, const mc_run *run,
                     const mc_variant_result *vr, char *msg, size_t len)
{
    char dir[512], file[600];
    snprintf(dir, sizeof dir, "variants/%s", vr->name);
    if (mc_outdir_mkdir(o, dir, msg, len) != 0) {
        mc_write_file_msg(o, dir, "", msg, len);
        return -1;
    }
    snprintf(file, sizeof file, "%s/summary.csv", dir);
    if (mc_write_summary(o, &run->layout, vr->stats, file, msg, len) != 0)
        return -1;
    snprintf(file, sizeof file, "%s/curve.csv", dir);
    if (mc_write_curve(o, run, vr->curve, file, msg, len) != 0)
        return -1;
    if (mc_outdir_sync_dir(o, dir, msg, len) != 0) {
        mc_write_file_msg(o, dir, "", msg, len);
        return -1;
    }
    return 0;
}

/* Process 0: appends the other processes' parts of samples.csv
 * (samples.csv.part<p> in the run folder, in process order) to its own,
 * removing each; copy_file_range copies in the kernel. */
int mc_write_samples_join(const mc_outdir *o, char *msg, size_t len)
{
    char path[sizeof o->tmp + sizeof o->sub + 64];
    char part[sizeof o->tmp + sizeof o->sub + 64];
    if (mc_outdir_path(o, "samples.csv", path, sizeof path, msg, len) != 0)
        return -1;
    /* not O_APPEND: copy_file_range refuses it (EBADF); the offset
       moves to the end and on with each copy */
    int out = open(path, O_WRONLY);
    if (out >= 0 && lseek(out, 0, SEEK_END) < 0) {
        close(out);
        out = -1;
    }
    if (out < 0) {
        snprintf(msg, len, "%s/samples.csv: cannot open it: %s", o->target,
                 strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int p = 1; rc == 0 && p < mc_comm_size(); p++) {
        char name[64];
        snprintf(name, sizeof name, "samples.csv.part%d", p);
        if (mc_outdir_path(o, name, part, sizeof part, msg, len) != 0) {
            rc = -1;
            break;
        }
        int in = open(part, O_RDONLY);
        if (in < 0) {
            snprintf(msg, len, "%s/samples.csv.part%d: cannot open it: %s",
                     o->target, p, strerror(errno));
            rc = -1;
            break;
        }
        for (;;) {
            ssize_t k = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30,
                                        0);
            if (k == 0)
                break;
            if (k < 0) {
                snprintf(msg, len, "%s/samples.csv: cannot write: %s",
                         o->target, strerror(errno));
                rc = -1;
                break;
            }
        }
        close(in);
        if (rc == 0 && unlink(part) != 0) {
            snprintf(msg, len, "%s/samples.csv.part%d: cannot remove it: %s",
                     o->target, p, strerror(errno));
            rc = -1;
        }
    }
    if (fsync(out) != 0 && rc == 0) {
        snprintf(msg, len, "%s/samples.csv: fsync: %s", o->target,
                 strerror(errno));
        rc = -1;
    }
    if (close(out) != 0 && rc == 0) {
        snprintf(msg, len, "%s/samples.csv: closing: %s", o->target,
                 strerror(errno));
        rc = -1;
    }
    return rc;
}

/* A growing text buffer; a failed allocation is remembered (oom). */
typedef struct text {
    char *p;
    size_t n, cap;
    int oom;
} text;

static void put(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
    for (int pass = 0; pass < 2 && !t->oom; pass++) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0,
                          fmt, ap);
        va_end(ap);
        if (w < 0) {
            t->oom = 1;
            return;
        }
        if (t->p != NULL && (size_t)w < t->cap - t->n) {
            t->n += (size_t)w;
            return;
        }
        size_t cap = 2 * (t->n + (size_t)w + 1) + 256;
        char *q = realloc(t->p, cap);
        if (q == NULL) {
            t->oom = 1;
            return;
        }
        t->p = q;
        t->cap = cap;
    }
}

/* A JSON string literal (RFC 8259 escapes). */
static void json_string(text *t, const char *s)
{
    put(t, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            put(t, "\\%c", *p);
        else if (*p < 0x20)
            put(t, "\\u%04x", *p);
        else
            put(t, "%c", *p);
    }
    put(t, "\"");
}

/* What the scenario has of MODEL.md version 2, where it has any: its
 * optional groups (their outputs are in the files), its traffic phases
 * and the `use` block the per-use figures are for.  A version-1
 * scenario's manifest is version 1's. */
static void manifest_model(text *t, const mc_run *run, const mc_scenario *s)
{
    const mc_layout *lay = &run->layout;
    char num[32];
    if (lay->groups != MC_GROUPS_ALWAYS) {
        int k = 0;
        put(t, "  \"groups\": [");
        for (unsigned g = 1; g != 0 && mc_group_name(g) != NULL; g <<= 1)
            if (lay->groups & g)
                put(t, "%s\"%s\"", k++ > 0 ? ", " : "", mc_group_name(g));
        put(t, "],\n");
    }
    if (lay->n_phases > 1 || lay->efficiency)
        put(t, "  \"traffic_phases\": %zu,\n  \"efficiency_gain\": %s,\n",
            lay->n_phases, lay->efficiency ? "true" : "false");
    if (s->use_unit != NULL) {
        put(t, "  \"use\": {\"unit\": ");
        json_string(t, s->use_unit);
        mc_fmt_double(num, s->use_per);
        put(t, ", \"per\": %s},\n", num);
    }
}

/* manifest.json's head: what ran, and how. */
static void manifest_run(text *t, const mc_run *run, const mc_scenario *s,
                         const mc_run_info *info)
{
    char num[32];
    put(t, "{\n  \"program\": \"breakeven\",\n  \"format\": %d,\n"
        "  \"version\": ", MC_MANIFEST_FORMAT);
    json_string(t, BREAKEVEN_VERSION);
    put(t, ",\n  \"scenario\": ");
    json_string(t, s->name);
    put(t, ",\n  \"config\": ");
    json_string(t, info->config_path);
    put(t, ",\n  \"assumed_usage\": %s", s->assumed_usage ? "true" : "false");
    put(t, ",\n  \"seed\": %llu,\n  \"samples\": %zu,\n  \"sampling\": \"%s\",\n"
        "  \"threads\": %d,\n", (unsigned long long)s->seed, run->n,
        mc_sampling_name(s->sampling), run->threads);
    manifest_model(t, run, s);
    if (run->processes > 1)
        put(t, "  \"mpi\": {\"ranks\": %d, \"max_bytes_sent_per_rank\": "
            "%.0f, \"max_bytes_received_per_rank\": %.0f},\n",
            run->processes, run->comm_sent, run->comm_received);
    put(t, "  \"passes\": %d,\n  \"pass_seconds\": [", run->passes);
    for (int k = 0; k < run->passes && k < 8; k++) {
        mc_fmt_double(num, run->pass_seconds[k]);
        put(t, "%s%s", k > 0 ? ", " : "", num);
    }
    put(t, "],\n  \"started_utc\": ");
    json_string(t, info->started_utc);
    mc_fmt_double(num, run->wall_seconds);
    put(t, ",\n  \"wall_seconds\": %s,\n  \"part_seconds\": {", num);
    for (int k = 0; k < MC_PARTS; k++) {
        mc_fmt_double(num, run->part_seconds[k]);
        put(t, "%s\"%s\": %s", k > 0 ? ", " : "", mc_part_names[k], num);
    }
    put(t, "},\n");
}

/* The stopping rule, its statistic's half-width and the batches run. */
static void manifest_until(text *t, const mc_run *run, const mc_until *u)
{
    char num[32];
    double value, hw = mc_until_half_width(run, u, &value);
    put(t, "  \"until\": {\"rule\": ");
    json_string(t, u->text);
    mc_fmt_double(num, hw);
    put(t, ", \"half_width\": %s, \"met\": %s, \"batches\": [",
        isfinite(hw) ? num : "null", hw <= u->tol ? "true" : "false");
    for (size_t b = 0; b < u->n_batches; b++)
        put(t, "%s%zu", b > 0 ? ", " : "", u->batches[b]);
    put(t, "]},\n");
}

/* One entry of "files", prefix (a comparison's "NAME/", or "") before
 * its name; first says whether a separator goes before it. */
static void file_entry(text *t, int *first, const char *prefix,
                       const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s%s", prefix, name);
    put(t, "%s    {\"name\": ", *first ? "" : ",\n");
    json_string(t, path);
    *first = 0;
}

/* Every file of the folder but its manifest.json, with its size, as
 * entries of "files" named prefix + name. */
static void manifest_entries(text *t, int *first, const char *prefix,
                             const mc_run *run, const mc_scenario *s,
                             const mc_run_info *info)
{
    if (s->write_samples) {
        file_entry(t, first, prefix, "samples.csv");
        put(t, ", \"rows\": %zu}", run->n);
    }
    file_entry(t, first, prefix, "summary.csv");
    put(t, ", \"rows\": %d}", run->layout.nout);
    if (info->n_rep >= 2) {
        file_entry(t, first, prefix, "replicates.csv");
        put(t, ", \"replicates\": %zu}", info->n_rep);
    }
    if (run->sens_d > 0) {
        file_entry(t, first, prefix, "sensitivity.csv");
        put(t, ", \"rows\": %zu}", run->sens_d * (size_t)run->layout.nout);
    }
    if (run->sobol != NULL) {
        file_entry(t, first, prefix, "sobol.csv");
        put(t, ", \"rows\": %zu, \"n_base\": %zu, \"evaluations\": %zu, "
            "\"bootstrap\": %zu}", run->sobol->d * run->sobol->n_out,
            run->sobol->N, run->sobol->evaluations, run->sobol->n_boot);
    }
    if (run->n_variants > 0) {
        file_entry(t, first, prefix, "variants.csv");
        put(t, ", \"rows\": %zu}", run->n_variants * (size_t)run->layout.nout);
    }
    for (size_t v = 0; v < run->n_variants; v++) {
        char name[600];
        snprintf(name, sizeof name, "variants/%s/summary.csv",
                 run->variants[v].name);
        file_entry(t, first, prefix, name);
        put(t, ", \"rows\": %d}", run->layout.nout);
        snprintf(name, sizeof name, "variants/%s/curve.csv",
                 run->variants[v].name);
        file_entry(t, first, prefix, name);
        put(t, ", \"rows\": %zu}", run->n_horizons * (size_t)run->ncurve);
    }
    file_entry(t, first, prefix, "curve.csv");
    put(t, ", \"rows\": %zu}", run->n_horizons * (size_t)run->ncurve);
}

/* The text t as file `name` of the folder: one checked fwrite, then
 * mc_outdir_close (flush, fsync, close checked). */
static int write_text(const mc_outdir *o, const char *name, const text *t,
                      char *msg, size_t len)
{
    FILE *f = mc_outdir_open(o, name, msg, len);
    if (f == NULL) {
        mc_write_file_msg(o, name, "", msg, len);
        return -1;
    }
    errno = 0;
    if (fwrite(t->p, 1, t->n, f) != t->n) {
        int e = errno != 0 ? errno : EIO;
        fclose(f);                /* already failed: its result adds nothing */
        snprintf(msg, len, "%s/%s: cannot write: %s", o->target, name,
                 strerror(e));
        return -1;
    }
    if (mc_outdir_close(f, msg, len) != 0) {
        mc_write_file_msg(o, name, "", msg, len);
        return -1;
    }
    return 0;
}

/* t, a manifest composed in memory, as manifest.json (then freed). */
static int write_manifest_text(const mc_outdir *o, text *t, char *msg,
                               size_t len)
{
    int rc = -1;
    if (t->oom)
        snprintf(msg, len, "%s/manifest.json: out of memory", o->target);
    else
        rc = write_text(o, "manifest.json", t, msg, len);
    free(t->p);
    t->p = NULL;
    return rc;
}

/* manifest.json: composed in memory, then written at once. */
int mc_write_manifest(const mc_outdir *o, const mc_run *run,
                      const mc_scenario *s, const mc_run_info *info,
                      char *msg, size_t len)
{
    text t = {NULL, 0, 0, 0};
    manifest_run(&t, run, s, info);
    if (info->until != NULL)
        manifest_until(&t, run, info->until);
    int first = 1;
    put(&t, "  \"files\": [\n");
    manifest_entries(&t, &first, "", run, s, info);
    put(&t, "\n  ]\n}\n");
    return write_manifest_text(o, &t, msg, len);
}

int mc_write_comparison_manifest(const mc_outdir *o, const mc_compared *c,
                                 size_t n, char *msg, size_t len)
{
    text t = {NULL, 0, 0, 0};
    put(&t, "{\n  \"program\": \"breakeven\",\n  \"format\": %d,\n"
        "  \"version\": ", MC_MANIFEST_FORMAT);
    json_string(&t, BREAKEVEN_VERSION);
    put(&t, ",\n  \"comparison\": [\n");
    for (size_t i = 0; i < n; i++) {
        put(&t, "    {\"scenario\": ");
        json_string(&t, c[i].s->name);
        put(&t, ", \"folder\": ");
        json_string(&t, c[i].folder);
        put(&t, ", \"config\": ");
        json_string(&t, c[i].info->config_path);
        put(&t, ", \"assumed_usage\": %s}%s\n",
            c[i].s->assumed_usage ? "true" : "false", i + 1 < n ? "," : "");
    }
    put(&t, "  ],\n  \"files\": [\n");
    int first = 1;
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += (size_t)c[i].run->layout.nout;
    file_entry(&t, &first, "", "comparison.csv");
    put(&t, ", \"rows\": %zu}", rows);
    for (size_t i = 0; i < n; i++) {
        char prefix[600];
        snprintf(prefix, sizeof prefix, "%s/", c[i].folder);
        file_entry(&t, &first, prefix, "manifest.json");
        put(&t, "}");
        manifest_entries(&t, &first, prefix, c[i].run, c[i].s, c[i].info);
    }
    put(&t, "\n  ]\n}\n");
    return write_manifest_text(o, &t, msg, len);
}
