/* test_bad_scenarios.c: every bad scenario file under tests/bad, run end
 * to end through the breakeven binary.
 *
 * tests/bad/cases.tsv has one row per file:
 *   file <TAB> exit code <TAB> JSON path <TAB> key words separated by |
 * For each row the program runs `breakeven --config FILE --out TMP/out`
 * and the test asserts: the exit code; stdout empty; stderr exactly one
 * line `breakeven: FILE: PATH: message` with the row's path, every key
 * word in the message (a key word "=TEXT": the whole message is TEXT)
 * and the message of the form "expected ..., found ..."; nothing created
 * under TMP (no run folder, no temporary one).
 * For syntax errors the reported line and column are checked against the
 * file itself: the text found there is the text the message quotes.
 * Every file of tests/bad is in the table and every row has its file. */
#include <dirent.h>
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

#define BAD_DIR TEST_DATA_DIR "/bad"
#define TABLE BAD_DIR "/cases.tsv"
#define MIN_CASES 60
#define MAX_CASES 512
#define MAX_WORDS 12

typedef struct bad_row {
    char *file;
    int code;
    char *path;
    char *words[MAX_WORDS];
    size_t n_words;
    int line;            /* of the table, for messages */
} bad_row;

static bad_row rows[MAX_CASES];
static size_t n_rows;
static char *table_text;
static char work[64];    /* a private folder for captured output */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Entries of a folder other than . and .., or -1 if it cannot be read. */
static int count_entries(const char *dir, char *first, size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int k = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (k++ == 0 && first != NULL)
            snprintf(first, n, "%s", e->d_name);
    }
    closedir(d);
    return k;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

static int load_table(void)
{
    char *p, *line;
    int lineno = 0;
    table_text = e2e_slurp(TABLE, NULL);
    if (table_text == NULL) {
        print_error("cannot read %s\n", TABLE);
        return -1;
    }
    for (p = table_text; p != NULL && *p != '\0';) {
        char *nl = strchr(p, '\n'), *f[4], *q;
        line = p;
        if (nl != NULL)
            *nl = '\0';
        p = nl != NULL ? nl + 1 : NULL;
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        f[0] = line;
        for (int k = 1; k < 4; k++) {
            q = strchr(f[k - 1], '\t');
            if (q == NULL) {
                print_error("cases.tsv:%d: expected 4 fields separated by "
                            "tabs\n", lineno);
                return -1;
            }
            *q = '\0';
            f[k] = q + 1;
        }
        if (strchr(f[3], '\t') != NULL || n_rows == MAX_CASES) {
            print_error("cases.tsv:%d: expected 4 fields\n", lineno);
            return -1;
        }
        bad_row *r = &rows[n_rows++];
        r->file = f[0];
        r->code = atoi(f[1]);
        r->path = f[2];
        r->line = lineno;
        r->n_words = 0;
        for (char *w = f[3]; w != NULL && r->n_words < MAX_WORDS;) {
            char *bar = strchr(w, '|');
            if (bar != NULL)
                *bar = '\0';
            if (*w != '\0')
                r->words[r->n_words++] = w;
            w = bar != NULL ? bar + 1 : NULL;
        }
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    if (e2e_make_temp_dir(work, sizeof work, "bad") != 0)
        return -1;
    return load_table();
}

static int teardown(void **state)
{
    (void)state;
    free(table_text);
    return e2e_remove_tree(work, 0) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Line and column                                                     */
/* ------------------------------------------------------------------ */

/* Byte offset of (line, column) in text: lines from 1, columns in UTF-8
 * characters from 1, after a UTF-8 byte-order mark if there is one (the
 * documented convention); (size_t)-1 if there is no such position. */
static size_t offset_of(const char *text, size_t len, int line, int col)
{
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int l = 1, c = 1;
    for (;;) {
        if (l == line && c == col)
            return i;
        if (i >= len || (l == line && text[i] == '\n'))
            return (size_t)-1;
        if (text[i++] == '\n') {
            l++;
            c = 1;
            continue;
        }
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            i++;                      /* the rest of a UTF-8 character */
        c++;
    }
}

/* For "invalid JSON at line L, column C: ..., found X": the file at (L, C)
 * shows what X describes.  Returns 0 or -1 with a reason. */
static int check_position(const char *file, const char *msg, char *why,
                          size_t n)
{
    const char *at = strstr(msg, "invalid JSON at line ");
    const char *found;
    char *text;
    size_t len, off;
    int line, col;
    if (at == NULL)
        return 0;
    if (sscanf(at, "invalid JSON at line %d, column %d", &line, &col) != 2) {
        snprintf(why, n, "no line and column in '%s'", msg);
        return -1;
    }
    found = strstr(msg, ", found ");
    text = e2e_slurp(file, &len);
    if (found == NULL || text == NULL) {
        snprintf(why, n, "no 'found' or unreadable file");
        free(text);
        return -1;
    }
    found += 8;
    off = offset_of(text, len, line, col);
    int rc = 0;
    if (off == (size_t)-1) {
        snprintf(why, n, "line %d, column %d is not in the file", line, col);
        rc = -1;
    } else if (strncmp(found, "the end of the text", 19) == 0) {
        if (off != len) {
            snprintf(why, n, "line %d, column %d is not the end of the text",
                     line, col);
            rc = -1;
        }
    } else if (strncmp(found, "the end of the line", 19) == 0) {
        if (text[off] != '\n' && text[off] != '\r') {
            snprintf(why, n, "line %d, column %d is not the end of a line",
                     line, col);
            rc = -1;
        }
    } else if (strncmp(found, "a NUL byte", 10) == 0) {
        if (text[off] != '\0') {
            snprintf(why, n, "line %d, column %d is not a NUL byte", line,
                     col);
            rc = -1;
        }
    } else if (strncmp(found, "the byte 0x", 11) == 0) {
        unsigned b = (unsigned)strtoul(found + 11, NULL, 16);
        if ((unsigned char)text[off] != b) {
            snprintf(why, n, "line %d, column %d holds 0x%02x, not 0x%02x",
                     line, col, (unsigned char)text[off], b);
            rc = -1;
        }
    } else if (found[0] == '\'') {
        /* 'text' or 'text'...: the quoted text starts at (L, C) */
        const char *end = strstr(found + 1, "'...");
        size_t k;
        if (end == NULL)
            end = strrchr(found + 1, '\'');
        k = end != NULL ? (size_t)(end - found - 1) : 0;
        if (k == 0 || off + k > len || memcmp(text + off, found + 1, k) != 0) {
            snprintf(why, n, "line %d, column %d does not start with %.*s",
                     line, col, (int)k + 2, found);
            rc = -1;
        }
    } else {
        snprintf(why, n, "cannot check 'found %s' against the file", found);
        rc = -1;
    }
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

/* One row; returns 0 or -1 after printing what is wrong. */
static int check_row(const bad_row *r)
{
    char file[1024], tmp[128], out[256], out_txt[256], err_txt[256];
    char prefix[2048], why[512] = "", first[256] = "";
    char *so = NULL, *se = NULL;
    size_t so_len = 0, se_len = 0;
    int code, entries, bad = 0;

    snprintf(file, sizeof file, "%s/%s", BAD_DIR, r->file);
    snprintf(tmp, sizeof tmp, "%s/run-XXXXXX", work);
    if (mkdtemp(tmp) == NULL) {
        print_error("[%s] cannot make a temporary folder\n", r->file);
        return -1;
    }
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(out_txt, sizeof out_txt, "%s/stdout.txt", work);
    snprintf(err_txt, sizeof err_txt, "%s/stderr.txt", work);
    {
        char *argv[] = {(char *)BREAKEVEN_EXE, (char *)"--config", file,
                        (char *)"--out", out, NULL};
        code = e2e_run(argv, out_txt, err_txt);
    }
    so = e2e_slurp(out_txt, &so_len);
    se = e2e_slurp(err_txt, &se_len);
    entries = count_entries(tmp, first, sizeof first);

    if (code != r->code) {
        print_error("[%s] exit code %d, expected %d\n", r->file, code,
                    r->code);
        bad = 1;
    }
    if (so == NULL || so_len != 0) {
        print_error("[%s] stdout not empty: %s\n", r->file, so ? so : "?");
        bad = 1;
    }
    if (entries != 0) {
        print_error("[%s] %d entries left in the temporary folder (%s)\n",
                    r->file, entries, first);
        bad = 1;
    }
    snprintf(prefix, sizeof prefix, "breakeven: %s: %s: ", file, r->path);
    if (se == NULL || se_len == 0 || strlen(se) != se_len
        || se[se_len - 1] != '\n' || strchr(se, '\n') != se + se_len - 1) {
        print_error("[%s] stderr is not exactly one line: '%s'\n", r->file,
                    se ? se : "?");
        bad = 1;
    } else if (strncmp(se, prefix, strlen(prefix)) != 0) {
        print_error("[%s] stderr does not start with '%s':\n  %s", r->file,
                    prefix, se);
        bad = 1;
    } else {
        const char *msg = se + strlen(prefix);
        const char *e = strstr(msg, "expected ");
        for (size_t w = 0; w < r->n_words; w++) {
            const char *word = r->words[w];
            if (word[0] == '=' ? strncmp(msg, word + 1, strlen(word + 1)) != 0
                                 || strcmp(msg + strlen(word + 1), "\n") != 0
                               : strstr(msg, word) == NULL) {
                print_error("[%s] message %s '%s':\n  %s", r->file,
                            word[0] == '=' ? "is not" : "lacks",
                            word + (word[0] == '='), msg);
                bad = 1;
            }
        }
        if (r->code == 3 && (e == NULL || strstr(e, ", found ") == NULL)) {
            print_error("[%s] message is not 'expected ..., found ...':\n"
                        "  %s", r->file, msg);
            bad = 1;
        }
        se[se_len - 1] = '\0';
        if (check_position(file, msg, why, sizeof why) != 0) {
            print_error("[%s] %s\n  %s\n", r->file, why, msg);
            bad = 1;
        }
    }
    free(so);
    free(se);
    e2e_remove_tree(tmp, 0);
    return bad ? -1 : 0;
}

static void every_bad_file_fails_with_its_path_and_message(void **state)
{
    int failures = 0;
    (void)state;
    assert_true(n_rows >= MIN_CASES);
    for (size_t i = 0; i < n_rows; i++)
        if (check_row(&rows[i]) != 0)
            failures++;
    if (failures != 0)
        fail_msg("%d of %zu bad scenario files misbehaved", failures,
                 n_rows);
}

static void table_and_folder_list_the_same_files(void **state)
{
    DIR *d = opendir(BAD_DIR);
    struct dirent *e;
    char *names[MAX_CASES + 8];
    size_t n = 0;
    int failures = 0;
    (void)state;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "cases.tsv") == 0)
            continue;
        assert_true(n < MAX_CASES + 8);
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, e2e_cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < n_rows; j++)
            k += strcmp(rows[j].file, names[i]) == 0;
        if (k != 1) {
            print_error("%s is in cases.tsv %zu times, expected once\n",
                        names[i], k);
            failures++;
        }
    }
    for (size_t j = 0; j < n_rows; j++) {
        const char *key = rows[j].file;
        if (bsearch(&key, names, n, sizeof *names, e2e_cmp_str) == NULL) {
            print_error("cases.tsv:%d: no file tests/bad/%s\n", rows[j].line,
                        key);
            failures++;
        }
        if (rows[j].code != 3 && rows[j].code != 4) {
            print_error("cases.tsv:%d: exit code %d is not a scenario (3) or"
                        " I/O (4) error\n", rows[j].line, rows[j].code);
            failures++;
        }
        if (rows[j].n_words == 0 || rows[j].path[0] != '$') {
            print_error("cases.tsv:%d: expected a $-path and key words\n",
                        rows[j].line);
            failures++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    assert_int_equal(failures, 0);
    assert_true(n >= MIN_CASES);
}

/* docs/scenario-format.md: a UTF-8 byte-order mark is accepted and
 * ignored.  A shipped scenario with one in front runs like the file. */
static void byte_order_mark_is_accepted(void **state)
{
    char path[512], out[256], o[256], e[256];
    size_t len, n;
    char *text = e2e_slurp(CONFIG_DIR "/reported.json", &len), *se;
    FILE *f;
    (void)state;
    assert_non_null(text);
    snprintf(path, sizeof path, "%s/bom.json", work);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("\xEF\xBB\xBF", 1, 3, f), 3);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(text);
    snprintf(out, sizeof out, "%s/bom-run", work);
    snprintf(o, sizeof o, "%s/stdout.txt", work);
    snprintf(e, sizeof e, "%s/stderr.txt", work);
    char *argv[] = {(char *)BREAKEVEN_EXE, (char *)"--config", path,
                    (char *)"--out", out, (char *)"--samples", (char *)"10",
                    (char *)"--quiet", NULL};
    assert_int_equal(e2e_run(argv, o, e), 0);
    se = e2e_slurp(e, &n);
    assert_non_null(se);
    assert_int_equal(n, 0);
    free(se);
    snprintf(path, sizeof path, "%s/summary.csv", out);
    assert_true(access(path, R_OK) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_and_folder_list_the_same_files),
        cmocka_unit_test(every_bad_file_fails_with_its_path_and_message),
        cmocka_unit_test(byte_order_mark_is_accepted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
