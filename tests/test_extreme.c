/* test_extreme.c: extreme but valid scenarios (tests/extreme, .json) run
 * end to end through the breakeven binary give numbers, never NaN.
 *
 * For each file: exit 0 and nothing on stderr; then samples.csv,
 * summary.csv and curve.csv are scanned cell by cell:
 *   - no "nan" anywhere;
 *   - `inf` only where MODEL.md says "never": in the four break-even
 *     columns of samples.csv, and in summary.csv in their min, quantile
 *     and max cells (the statistics over all values); never "-inf";
 *   - empty cells only where they mean "not applicable": p_le_2 of the
 *     rows that are not multipliers, mean when no value is finite, sd and
 *     mcse when fewer than two are (what results/ writes);
 *   - every other cell a finite number; probabilities in [0, 1] and
 *     p_le_2 == p_break_even in curve.csv (MODEL.md's identity).
 * Plus: lifetime-1e6-growth.json overflows C(L) to inf, and every
 * multiplier must then be exactly 1; growth-fixed-1e-320.json and
 * growth-fixed-minus-1e-320.json (a subnormal growth) must give growth
 * 0's run, config/reported.json's, byte for byte in summary.csv and
 * curve.csv and in every column of samples.csv but monthly_growth:
 * break-even 2,935,000 / 43,536 = 67.41547225284822 days (issue 13: it
 * was 67.4091).  (A billion samples are no longer
 * refused: memory does not grow with the samples; test_faults runs them
 * for a few seconds and checks the memory.) */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define EXTREME_DIR TEST_DATA_DIR "/extreme"
#define SAMPLES 2000
#define MAX_FILES 64
#define MAX_COLS 32

static char work[64];

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    return e2e_make_temp_dir(work, sizeof work, "extreme");
}

static int teardown(void **state)
{
    (void)state;
    return e2e_remove_tree(work, 0) == 0 ? 0 : -1;
}

/* A CSV file split in place: header cells, then rows of cells. */
typedef struct csv {
    char *text;
    size_t n_cols, n_rows;
    char *head[MAX_COLS];
    char **cell;          /* n_rows * n_cols */
} csv;

static int csv_read(const char *path, csv *c)
{
    char *p;
    size_t cap = 0;
    memset(c, 0, sizeof *c);
    c->text = e2e_slurp(path, NULL);
    if (c->text == NULL)
        return -1;
    for (p = c->text; *p != '\0';) {
        char *nl = strchr(p, '\n');
        size_t k = 0;
        char *cells[MAX_COLS];
        if (nl == NULL)
            return -1;            /* every line ends with a newline */
        *nl = '\0';
        for (char *q = p; q != NULL && k < MAX_COLS;) {
            char *comma = strchr(q, ',');
            if (comma != NULL)
                *comma = '\0';
            cells[k++] = q;
            q = comma != NULL ? comma + 1 : NULL;
        }
        p = nl + 1;
        if (c->n_cols == 0) {
            c->n_cols = k;
            memcpy(c->head, cells, k * sizeof *cells);
            continue;
        }
        if (k != c->n_cols)
            return -1;
        if (c->n_rows == cap) {
            cap = cap ? 2 * cap : 4096;
            char **nc = realloc(c->cell, cap * c->n_cols * sizeof *nc);
            if (nc == NULL)
                return -1;
            c->cell = nc;
        }
        memcpy(c->cell + c->n_rows * c->n_cols, cells, k * sizeof *cells);
        c->n_rows++;
    }
    return c->n_cols > 0 ? 0 : -1;
}

static void csv_free(csv *c)
{
    free(c->text);
    free(c->cell);
    memset(c, 0, sizeof *c);
}

static const char *at(const csv *c, size_t row, size_t col)
{
    return c->cell[row * c->n_cols + col];
}

static int col_of(const csv *c, const char *name)
{
    for (size_t i = 0; i < c->n_cols; i++)
        if (strcmp(c->head[i], name) == 0)
            return (int)i;
    return -1;
}

/* A finite number written in full (the shortest round-trip form). */
static int finite_cell(const char *s, double *x)
{
    char *end;
    if (*s == '\0')
        return 0;
    errno = 0;
    *x = strtod(s, &end);
    return *end == '\0' && isfinite(*x);
}

static int is_break_even(const char *name)
{
    return strncmp(name, "break_even_days", 15) == 0;
}

static int is_multiplier(const char *name)
{
    return strncmp(name, "multiplier", 10) == 0;
}

/* ------------------------------------------------------------------ */
/* The scan                                                            */
/* ------------------------------------------------------------------ */

static int problems;

static void problem(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(const char *file, const char *fmt, ...)
{
    va_list ap;
    if (problems++ >= 40)
        return;                      /* enough to see what is wrong */
    print_error("[%s] ", file);
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    print_error("\n");
}

static void no_nan(const char *name, const char *path)
{
    char *text = e2e_slurp(path, NULL);
    if (text == NULL) {
        problem(name, "cannot read %s", path);
        return;
    }
    for (const char *p = text; *p != '\0'; p++)
        if (strncasecmp(p, "nan", 3) == 0) {
            problem(name, "%s holds 'nan' at byte %td", path, p - text);
            break;
        }
    free(text);
}

static void scan_samples(const char *name, const char *dir, int all_m_one)
{
    char path[512];
    csv c;
    snprintf(path, sizeof path, "%s/samples.csv", dir);
    no_nan(name, path);
    if (csv_read(path, &c) != 0) {
        problem(name, "samples.csv is not a CSV file");
        csv_free(&c);
        return;
    }
    if (c.n_rows != SAMPLES)
        problem(name, "samples.csv has %zu rows, expected %d", c.n_rows,
                SAMPLES);
    for (size_t r = 0; r < c.n_rows; r++)
        for (size_t k = 0; k < c.n_cols; k++) {
            const char *v = at(&c, r, k), *h = c.head[k];
            double x;
            if (strcmp(v, "inf") == 0 && is_break_even(h))
                continue;
            if (!finite_cell(v, &x))
                problem(name, "samples.csv row %zu, %s = '%s': expected a "
                        "finite number%s", r, h, v,
                        is_break_even(h) ? " or inf" : "");
            else if (all_m_one && is_multiplier(h) && x != 1.0)
                problem(name, "samples.csv row %zu, %s = %s: expected "
                        "exactly 1 (C(L) = inf)", r, h, v);
        }
    csv_free(&c);
}

static void scan_summary(const char *name, const char *dir)
{
    static const char *const all_values[] = {
        "min", "p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95",
        "p99", "max", "p01_lo", "p01_hi", "p05_lo", "p05_hi", "p10_lo",
        "p10_hi", "p25_lo", "p25_hi", "p50_lo", "p50_hi", "p75_lo",
        "p75_hi", "p90_lo", "p90_hi", "p95_lo", "p95_hi", "p99_lo",
        "p99_hi", NULL};
    char path[512];
    csv c;
    int cn, cnever, cmax;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    no_nan(name, path);
    if (csv_read(path, &c) != 0 || (cn = col_of(&c, "n")) < 0
        || (cnever = col_of(&c, "never")) < 0
        || (cmax = col_of(&c, "max")) < 0) {
        problem(name, "summary.csv is not the documented CSV");
        csv_free(&c);
        return;
    }
    for (size_t r = 0; r < c.n_rows; r++) {
        const char *m = at(&c, r, 0);
        double n = 0, never = 0, x;
        if (!finite_cell(at(&c, r, (size_t)cn), &n) || n != SAMPLES
            || !finite_cell(at(&c, r, (size_t)cnever), &never)
            || never < 0 || never > n || never != floor(never)) {
            problem(name, "summary.csv %s: bad n or never", m);
            continue;
        }
        if (never > 0 && strcmp(at(&c, r, (size_t)cmax), "inf") != 0)
            problem(name, "summary.csv %s: %g never but max is not inf", m,
                    never);
        for (size_t k = 1; k < c.n_cols; k++) {
            const char *v = at(&c, r, k), *h = c.head[k];
            int over_all = 0;
            for (size_t a = 0; all_values[a] != NULL; a++)
                over_all |= strcmp(h, all_values[a]) == 0;
            if (*v == '\0') {
                int ok = (strncmp(h, "p_le_2", 6) == 0 && !is_multiplier(m))
                         || (strcmp(h, "mean") == 0 && never == n)
                         || ((strcmp(h, "sd") == 0 || strcmp(h, "mcse") == 0
                              || strcmp(h, "mean_lo") == 0
                              || strcmp(h, "mean_hi") == 0) && n - never < 2);
                if (!ok)
                    problem(name, "summary.csv %s, %s: empty (finite values:"
                            " %g)", m, h, n - never);
                continue;
            }
            if (strcmp(v, "inf") == 0 && is_break_even(m) && over_all)
                continue;
            if (!finite_cell(v, &x))
                problem(name, "summary.csv %s, %s = '%s': expected a finite"
                        " number", m, h, v);
            else if (strncmp(h, "p_le_2", 6) == 0 && !(x >= 0 && x <= 1))
                problem(name, "summary.csv %s, p_le_2 = %s", m, v);
        }
        int cle2 = col_of(&c, "p_le_2");
        if (is_multiplier(m) && (cle2 < 0 || *at(&c, r, (size_t)cle2) == '\0'))
            problem(name, "summary.csv %s: p_le_2 empty", m);
    }
    csv_free(&c);
}

static void scan_curve(const char *name, const char *dir)
{
    char path[512];
    csv c;
    int cle, cbe;
    snprintf(path, sizeof path, "%s/curve.csv", dir);
    no_nan(name, path);
    if (csv_read(path, &c) != 0 || (cle = col_of(&c, "p_le_2")) < 0
        || (cbe = col_of(&c, "p_break_even")) < 0 || c.n_rows == 0) {
        problem(name, "curve.csv is not the documented CSV");
        csv_free(&c);
        return;
    }
    for (size_t r = 0; r < c.n_rows; r++) {
        double le, be, x;
        for (size_t k = 0; k < c.n_cols; k++) {
            const char *v = at(&c, r, k);
            if (k != 1 && !finite_cell(v, &x))
                problem(name, "curve.csv row %zu, %s = '%s': expected a "
                        "finite number", r, c.head[k], v);
        }
        if (finite_cell(at(&c, r, (size_t)cle), &le)
            && finite_cell(at(&c, r, (size_t)cbe), &be)
            && (le != be || !(le >= 0 && le <= 1)))
            problem(name, "curve.csv row %zu: p_le_2 %g, p_break_even %g",
                    r, le, be);
    }
    csv_free(&c);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void extreme_scenarios_give_numbers_never_nan(void **state)
{
    DIR *d = opendir(EXTREME_DIR);
    struct dirent *e;
    char *names[MAX_FILES];
    size_t n = 0;
    int found_overflow_case = 0;
    (void)state;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            assert_true(n < MAX_FILES);
            names[n] = strdup(e->d_name);
            assert_non_null(names[n]);
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, e2e_cmp_str);
    assert_true(n >= 8);
    problems = 0;
    for (size_t i = 0; i < n; i++) {
        char file[512], out[256], o[256], err[256];
        char *se;
        int code, m_one = strcmp(names[i], "lifetime-1e6-growth.json") == 0;
        found_overflow_case |= m_one;
        snprintf(file, sizeof file, "%s/%s", EXTREME_DIR, names[i]);
        snprintf(out, sizeof out, "%s/run-%zu", work, i);
        snprintf(o, sizeof o, "%s/stdout.txt", work);
        snprintf(err, sizeof err, "%s/stderr.txt", work);
        char *argv[] = {(char *)BREAKEVEN_EXE, (char *)"--config", file,
                        (char *)"--out", out, (char *)"--samples",
                        (char *)"2000", (char *)"--threads", (char *)"2",
                        (char *)"--quiet", NULL};
        code = e2e_run(argv, o, err);
        se = e2e_slurp(err, NULL);
        if (code != 0 || se == NULL || se[0] != '\0') {
            problem(names[i], "exit code %d, stderr: %s", code,
                    se ? se : "?");
            free(se);
            continue;
        }
        free(se);
        scan_samples(names[i], out, m_one);
        scan_summary(names[i], out);
        scan_curve(names[i], out);
        e2e_remove_tree(out, 0);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    assert_true(found_overflow_case);
    if (problems != 0)
        fail_msg("%d problems in the extreme scenarios' output", problems);
}

/* The run of a scenario file at SAMPLES samples into work/<out>. */
static void run_file(const char *file, const char *out)
{
    char dir[256], o[256], e[256];
    snprintf(dir, sizeof dir, "%s/%s", work, out);
    snprintf(o, sizeof o, "%s/stdout.txt", work);
    snprintf(e, sizeof e, "%s/stderr.txt", work);
    char *argv[] = {(char *)BREAKEVEN_EXE, (char *)"--config", (char *)file,
                    (char *)"--out", dir, (char *)"--samples",
                    (char *)"2000", (char *)"--quiet", NULL};
    assert_int_equal(e2e_run(argv, o, e), 0);
}

static char *slurp_run(const char *out, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", work, out, name);
    char *text = e2e_slurp(path, NULL);
    assert_non_null(text);
    return text;
}

/* samples.csv with the monthly_growth column (the 7th) left out. */
static void drop_growth_column(char *text)
{
    char *w = text;
    int col = 0;
    for (const char *r = text; *r != '\0'; r++) {
        if (*r == '\n')
            col = 0;
        else if (*r == ',')
            col++;
        if (col != 6 && !(col == 7 && *r == ','))
            *w++ = *r;
    }
    *w = '\0';
}

static void subnormal_growth_gives_growth_0s_run(void **state)
{
    (void)state;
    static const char *const files[] = {"growth-fixed-1e-320.json",
                                        "growth-fixed-minus-1e-320.json"};
    run_file(CONFIG_DIR "/reported.json", "growth-0");
    char *s0 = slurp_run("growth-0", "summary.csv");
    char *c0 = slurp_run("growth-0", "curve.csv");
    char *x0 = slurp_run("growth-0", "samples.csv");
    /* the reported figures: every break-even cell 2935000 / 43536 */
    assert_non_null(strstr(s0, "\nbreak_even_days,2000,0,67.41547225284822,"));
    drop_growth_column(x0);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char file[512], out[32];
        snprintf(file, sizeof file, "%s/%s", EXTREME_DIR, files[k]);
        snprintf(out, sizeof out, "growth-tiny-%zu", k);
        run_file(file, out);
        char *s = slurp_run(out, "summary.csv");
        char *c = slurp_run(out, "curve.csv");
        char *x = slurp_run(out, "samples.csv");
        drop_growth_column(x);
        if (strcmp(s, s0) != 0 || strcmp(c, c0) != 0 || strcmp(x, x0) != 0)
            fail_msg("%s: summary.csv %s, curve.csv %s, samples.csv (but "
                     "monthly_growth) %s growth 0's", files[k],
                     strcmp(s, s0) ? "differs from" : "equals",
                     strcmp(c, c0) ? "differs from" : "equals",
                     strcmp(x, x0) ? "differs from" : "equals");
        free(s);
        free(c);
        free(x);
    }
    free(s0);
    free(c0);
    free(x0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(extreme_scenarios_give_numbers_never_nan),
        cmocka_unit_test(subnormal_growth_gives_growth_0s_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
