/* test_golden.c: the golden runs (tests/golden/README.md) again, byte for
 * byte.
 *
 * Each line of tests/golden/cases.tsv names a run and breakeven's
 * arguments; this test runs each into a temporary folder and compares
 * the whole folder with tests/golden/NAME/: the same files, and every
 * file's bytes equal, the manifest's after its times are dropped (lines of
 * a key "started_utc" or "*_seconds") and the source tree's path is taken
 * out of the scenario file's.  A difference fails with the file, the
 * line number and both lines.
 *
 * With BREAKEVEN_GOLDEN_UPDATE=1 it writes the runs into tests/golden/
 * instead (the old folders removed first) and passes. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"

#define GOLDEN_DIR TEST_DATA_DIR "/golden"
#define MAX_CASES 32
#define MAX_ARGS 32
#define MAX_FILES 256

typedef struct golden_case {
    char name[64];
    char *args[MAX_ARGS];   /* breakeven's arguments, NULL-terminated */
    size_t n_args;
} golden_case;

static golden_case cases[MAX_CASES];
static size_t n_cases;
static char work[64];

/* ------------------------------------------------------------------ */
/* The cases file                                                      */
/* ------------------------------------------------------------------ */

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Reads cases.tsv; a .json argument becomes SOURCE_DIR/argument.
 * Returns 0, or -1 with a message on stderr. */
static int read_cases(void)
{
    FILE *f = fopen(GOLDEN_DIR "/cases.tsv", "r");
    char line[1024];
    if (f == NULL) {
        fprintf(stderr, "%s/cases.tsv: %s\n", GOLDEN_DIR, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *tab, *tok, *save = NULL;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        tab = strchr(line, '\t');
        if (tab == NULL || n_cases == MAX_CASES
            || (size_t)(tab - line) >= sizeof cases[0].name) {
            fprintf(stderr, "cases.tsv: bad line \"%s\"\n", line);
            fclose(f);
            return -1;
        }
        golden_case *c = &cases[n_cases++];
        *tab = '\0';
        strcpy(c->name, line);
        for (tok = strtok_r(tab + 1, " ", &save); tok != NULL;
             tok = strtok_r(NULL, " ", &save)) {
            size_t need = strlen(SOURCE_DIR) + strlen(tok) + 2;
            if (c->n_args + 1 >= MAX_ARGS) {
                fclose(f);
                return -1;
            }
            char *a = malloc(need);
            if (a == NULL) {
                fclose(f);
                return -1;
            }
            if (ends_with(tok, ".json"))
                snprintf(a, need, "%s/%s", SOURCE_DIR, tok);
            else
                snprintf(a, need, "%s", tok);
            c->args[c->n_args++] = a;
        }
        c->args[c->n_args] = NULL;
    }
    fclose(f);
    return n_cases > 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Folders and files                                                   */
/* ------------------------------------------------------------------ */

/* The regular files below dir, as paths relative to it, sorted. */
typedef struct file_list {
    char *name[MAX_FILES];
    size_t n;
} file_list;

static void list_below(const char *root, const char *rel, file_list *l)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char sub[4096], full[8192];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        assert_int_equal(lstat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            list_below(root, sub, l);
        } else {
            assert_true(S_ISREG(st.st_mode));
            assert_true(l->n < MAX_FILES);
            l->name[l->n] = strdup(sub);
            assert_non_null(l->name[l->n]);
            l->n++;
        }
    }
    closedir(d);
}

static void list_files(const char *root, file_list *l)
{
    l->n = 0;
    list_below(root, "", l);
    qsort(l->name, l->n, sizeof l->name[0], e2e_cmp_str);
}

static void list_free(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->name[i]);
    l->n = 0;
}

/* A key line of the manifest that varies from run to run. */
static int volatile_line(const char *line, size_t len)
{
    const char *q = memchr(line, '"', len);
    if (q == NULL)
        return 0;
    const char *end = memchr(q + 1, '"', len - (size_t)(q + 1 - line));
    if (end == NULL || end + 1 >= line + len || end[1] != ':')
        return 0;
    size_t klen = (size_t)(end - q - 1);
    const char *key = q + 1;
    static const char seconds[] = "_seconds";
    if (klen == strlen("started_utc")
        && memcmp(key, "started_utc", klen) == 0)
        return 1;
    return klen >= sizeof seconds - 1
           && memcmp(key + klen - (sizeof seconds - 1), seconds,
                     sizeof seconds - 1) == 0;
}

/* The manifest text without its volatile lines, and with every
 * "SOURCE_DIR/" taken out; malloc'd. */
static char *normalise_manifest(const char *text, size_t len, size_t *out_len)
{
    static const char src[] = SOURCE_DIR "/";
    char *out = malloc(len + 1);
    size_t n = 0;
    assert_non_null(out);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - (text + i)) + 1 : len - i;
        if (!volatile_line(text + i, ll)) {
            for (size_t j = i; j < i + ll;) {
                if (j + sizeof src - 1 <= i + ll
                    && memcmp(text + j, src, sizeof src - 1) == 0) {
                    j += sizeof src - 1;
                    continue;
                }
                out[n++] = text[j++];
            }
        }
        i += ll;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* The file as compared: the manifest normalised, any other file as is. */
static char *comparable(const char *path, const char *name, size_t *len)
{
    char *text = e2e_slurp(path, len);
    assert_non_null(text);
    if (strcmp(name, "manifest.json") == 0) {
        char *norm = normalise_manifest(text, *len, len);
        free(text);
        return norm;
    }
    return text;
}

/* 0 if a and b are equal; else 1 with *line (from 1) and *start (its
 * offset) the first line where they differ. */
static int first_difference(const char *a, size_t alen, const char *b,
                            size_t blen, size_t *line, size_t *start)
{
    size_t i = 0;
    *line = 1;
    *start = 0;
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 0;
    while (i < alen && i < blen && a[i] == b[i]) {
        if (a[i] == '\n') {
            (*line)++;
            *start = i + 1;
        }
        i++;
    }
    return 1;
}

/* Fails with the first line where a and b differ. */
static void compare_text(const char *name, const char *a, size_t alen,
                         const char *b, size_t blen)
{
    size_t line, start;
    if (!first_difference(a, alen, b, blen, &line, &start))
        return;
    const char *ae = memchr(a + start, '\n', alen - start);
    const char *be = memchr(b + start, '\n', blen - start);
    int al = (int)((ae ? (size_t)(ae - a) : alen) - start);
    int bl = (int)((be ? (size_t)(be - b) : blen) - start);
    fail_msg("%s differs from its golden copy at line %zu:\n"
             "  golden: %.*s\n  now:    %.*s",
             name, line, al > 300 ? 300 : al, a + start, bl > 300 ? 300 : bl,
             b + start);
}

/* Runs case c into work/c->name; returns that folder's path. */
static void run_case(const golden_case *c, char *out, size_t cap)
{
    const char *argv[MAX_ARGS + 8];
    char log_out[256], log_err[256];
    size_t k = 0;
    snprintf(out, cap, "%s/%s", work, c->name);
    snprintf(log_out, sizeof log_out, "%s/%s.out", work, c->name);
    snprintf(log_err, sizeof log_err, "%s/%s.err", work, c->name);
    argv[k++] = BREAKEVEN_EXE;
    for (size_t i = 0; i < c->n_args; i++)
        argv[k++] = c->args[i];
    argv[k++] = "--quiet";
    argv[k++] = "--out";
    argv[k++] = out;
    argv[k] = NULL;
    int rc = e2e_run((char *const *)argv, log_out, log_err);
    if (rc != 0) {
        char *err = e2e_slurp(log_err, NULL);
        fail_msg("%s: breakeven exited %d: %s", c->name, rc,
                 err ? err : "(no stderr)");
    }
}

/* Writes the run in `got` as the golden folder of c. */
static void update_case(const golden_case *c, const char *got)
{
    char gold[4096], cmd[8400];
    file_list l;
    snprintf(gold, sizeof gold, "%s/%s", GOLDEN_DIR, c->name);
    assert_int_equal(e2e_remove_tree(gold, 0), 0);
    list_files(got, &l);
    for (size_t i = 0; i < l.n; i++) {
        char src[4096], dst[8192];
        size_t len;
        snprintf(src, sizeof src, "%s/%s", got, l.name[i]);
        snprintf(dst, sizeof dst, "%s/%s", gold, l.name[i]);
        snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", dst);
        assert_int_equal(system(cmd), 0);
        char *text = comparable(src, strrchr(l.name[i], '/')
                                         ? strrchr(l.name[i], '/') + 1
                                         : l.name[i], &len);
        FILE *f = fopen(dst, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        free(text);
    }
    printf("golden: wrote %s (%zu files)\n", gold, l.n);
    list_free(&l);
}

static void test_case(void **state)
{
    const golden_case *c = *state;
    char got[256], gold[4096];
    file_list lg, ln;
    run_case(c, got, sizeof got);
    const char *update = getenv("BREAKEVEN_GOLDEN_UPDATE");
    if (update != NULL && strcmp(update, "1") == 0) {
        update_case(c, got);
        return;
    }
    snprintf(gold, sizeof gold, "%s/%s", GOLDEN_DIR, c->name);
    list_files(gold, &lg);
    list_files(got, &ln);
    for (size_t i = 0; i < lg.n || i < ln.n; i++) {
        const char *a = i < lg.n ? lg.name[i] : "(none)";
        const char *b = i < ln.n ? ln.name[i] : "(none)";
        if (strcmp(a, b) != 0)
            fail_msg("%s: the files differ: golden has %s where the run has "
                     "%s", c->name, a, b);
    }
    for (size_t i = 0; i < lg.n; i++) {
        char pa[8192], pb[8192], label[512];
        size_t la, lb;
        const char *base = strrchr(lg.name[i], '/');
        base = base ? base + 1 : lg.name[i];
        snprintf(pa, sizeof pa, "%s/%s", gold, lg.name[i]);
        snprintf(pb, sizeof pb, "%s/%s", got, lg.name[i]);
        snprintf(label, sizeof label, "%s/%s", c->name, lg.name[i]);
        char *a = e2e_slurp(pa, &la);   /* golden: stored normalised */
        char *b = comparable(pb, base, &lb);
        assert_non_null(a);
        if (strcmp(base, "manifest.json") == 0) {
            /* the golden manifest must itself be normalised */
            size_t lz;
            char *z = normalise_manifest(a, la, &lz);
            compare_text("golden manifest (normalised again)", a, la, z, lz);
            free(z);
        }
        compare_text(label, a, la, b, lb);
        free(a);
        free(b);
    }
    list_free(&lg);
    list_free(&ln);
}

/* The comparison can see a change: one digit changed in a copy of a
 * golden summary is found on its line; the manifest's normalisation drops
 * the times but keeps the seed, so a changed seed is seen. */
static void test_comparison_sees_changes(void **state)
{
    (void)state;
    size_t len, line, start, ml, nl;
    char *a = e2e_slurp(GOLDEN_DIR "/reported/summary.csv", &len);
    assert_non_null(a);
    char *b = malloc(len + 1);
    assert_non_null(b);
    memcpy(b, a, len + 1);
    char *d = strpbrk(b + len / 2, "0123456789");
    assert_non_null(d);
    *d = *d == '7' ? '8' : '7';
    size_t want = 1;
    for (const char *p = b; p < d; p++)
        want += *p == '\n';
    assert_int_equal(first_difference(a, len, b, len, &line, &start), 1);
    assert_int_equal(line, want);
    assert_int_equal(first_difference(a, len, a, len, &line, &start), 0);
    free(a);
    free(b);

    static const char m1[] = "{\n  \"seed\": 7,\n  \"wall_seconds\": 1.5,\n"
                             "  \"pass_seconds\": [0.1],\n"
                             "  \"started_utc\": \"x\",\n"
                             "  \"config\": \"" SOURCE_DIR "/a.json\"\n}\n";
    static const char m2[] = "{\n  \"seed\": 8,\n  \"wall_seconds\": 2.5,\n"
                             "  \"config\": \"a.json\"\n}\n";
    char *n1 = normalise_manifest(m1, sizeof m1 - 1, &ml);
    char *n2 = normalise_manifest(m2, sizeof m2 - 1, &nl);
    assert_string_equal(n1, "{\n  \"seed\": 7,\n  \"config\": \"a.json\"\n}\n");
    assert_int_equal(first_difference(n1, ml, n2, nl, &line, &start), 1);
    assert_int_equal(line, 2);
    free(n1);
    free(n2);
}

static int setup(void **state)
{
    (void)state;
    return e2e_make_temp_dir(work, sizeof work, "golden");
}

static int teardown(void **state)
{
    (void)state;
    return e2e_remove_tree(work, 0) == 0 ? 0 : -1;
}

int main(void)
{
    struct CMUnitTest tests[MAX_CASES + 1];
    size_t n = 0;
    if (read_cases() != 0)
        return 1;
    tests[n++] = (struct CMUnitTest){"comparison_sees_changes",
                                     test_comparison_sees_changes, NULL, NULL,
                                     NULL};
    for (size_t i = 0; i < n_cases; i++) {
        tests[n] = (struct CMUnitTest){cases[i].name, test_case, NULL, NULL,
                                       &cases[i]};
        n++;
    }
    return _cmocka_run_group_tests("golden", tests, n, setup, teardown);
}
