/* mc_cfg_json.c: the text of a scenario into a cJSON tree.
 *
 * The text is read once, here: checked as UTF-8 and as strict RFC 8259
 * JSON while the cJSON tree is built, so that every error in the text
 * has a line, a column and what JSON expects there.  cJSON's own parser
 * is not used: it accepts what JSON forbids, and reads some of it
 * wrongly (leading zeros "01", "1.", raw control characters in strings,
 * bad \u escapes read as a NUL that cuts the string, numbers over 63
 * characters cut), and it reports only where it stopped, through a
 * process-global pointer.  A number directly in the top-level object
 * keeps its text in valuestring (cJSON keeps only a double, which rounds
 * above 2^53), so that seed and samples are read exactly from it
 * (mc_count.h); cJSON copies and frees it with the item.  Numbers deeper
 * down keep only their double: nothing reads their text, and a file of
 * millions of numbers would otherwise take a third more memory. */

#include "mc_config_impl.h"

#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 64
#define JSON_NUMBER_MAX 63   /* characters (as cJSON's parser) */

typedef struct jscan {
    const unsigned char *s;
    size_t n, i;
    int line;             /* the line of i (1-based) ... */
    size_t line_start;    /* ... which starts at this offset */
    /* the decoded strings: the keys of the objects being read, each
       ended by a NUL, then the string being read; never longer than the
       text (n + 1 bytes) */
    char *buf;
    size_t top;
    int oom;              /* out of memory building the tree */
    /* the error: byte offset, its line and where that starts, what JSON
       expects there, and how many bytes to show as found (0: up to 12
       characters of the line), or a description instead of the text */
    size_t at, show, at_line_start;
    int at_line;
    const char *expected;
    char found[160];
} jscan;

static int js_fail(jscan *j, size_t at, size_t show, const char *expected)
{
    j->at = at;          /* on the line of i: no token spans a newline */
    j->at_line = j->line;
    j->at_line_start = j->line_start;
    j->show = show;
    j->expected = expected;
    return -1;
}

static int js_oom(jscan *j)
{
    j->oom = 1;
    return -1;
}

static int is_json_ws(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* White space, the only place where the text has newlines. */
static void js_ws(jscan *j)
{
    while (j->i < j->n && is_json_ws(j->s[j->i])) {
        if (j->s[j->i] == '\n') {
            j->line++;
            j->line_start = j->i + 1;
        }
        j->i++;
    }
}

/* Bytes of the word at i: letters, digits and _ . + - (a number, a
 * literal or a key as the user wrote it, "0x8", "NaN", "True"). */
static size_t js_word(const jscan *j, size_t i)
{
    size_t k = i;
    while (k < j->n && (isalnum(j->s[k]) || j->s[k] == '_'
                        || j->s[k] == '.' || j->s[k] == '+'
                        || j->s[k] == '-'))
        k++;
    return k - i;
}

/* Bytes of the UTF-8 character at i (RFC 3629: no overlong forms, no
 * surrogates, up to U+10FFFF), or 0 for a NUL byte or bytes that are not
 * UTF-8 (the text is UTF-8 without NUL bytes, RFC 8259, 8.1). */
static size_t utf8_char(const unsigned char *s, size_t n, size_t i)
{
    unsigned char ch = s[i];
    size_t k = 0;
    unsigned lo = 0x80, hi = 0xBF;
    int ok;
    if (ch == 0)
        return 0;
    if (ch < 0x80)
        return 1;
    if (ch >= 0xC2 && ch <= 0xDF) {
        k = 1;
    } else if (ch >= 0xE0 && ch <= 0xEF) {
        k = 2;
        lo = ch == 0xE0 ? 0xA0 : 0x80;   /* no overlong forms */
        hi = ch == 0xED ? 0x9F : 0xBF;   /* no surrogates */
    } else if (ch >= 0xF0 && ch <= 0xF4) {
        k = 3;
        lo = ch == 0xF0 ? 0x90 : 0x80;
        hi = ch == 0xF4 ? 0x8F : 0xBF;   /* up to U+10FFFF */
    }
    ok = k > 0 && i + k < n;
    for (size_t m = 1; ok && m <= k; m++) {
        unsigned char b = s[i + m];
        ok = b >= (m == 1 ? lo : 0x80) && b <= (m == 1 ? hi : 0xBF);
    }
    return ok ? k + 1 : 0;
}

/* The text is not UTF-8 at i. */
static int js_fail_text(jscan *j, size_t i)
{
    if (j->s[i] == 0)
        snprintf(j->found, sizeof j->found, "a NUL byte (a binary file?)");
    else
        snprintf(j->found, sizeof j->found, "the byte 0x%02x, which is not "
                 "UTF-8 (a binary file, or text in another encoding: save "
                 "it as UTF-8)", j->s[i]);
    return js_fail(j, i, 0, "UTF-8 text");
}

/* After a syntax error: text that is not UTF-8 is the error to report
 * wherever it is (a binary file is not "a value expected"), and every
 * byte before the syntax error was read as UTF-8 already, so the rest
 * of the text, from the error on, is checked. */
static void js_text_rest(jscan *j)
{
    size_t i = j->at;
    j->i = i;
    j->line = j->at_line;
    j->line_start = j->at_line_start;
    while (i < j->n) {
        size_t k = utf8_char(j->s, j->n, i);
        if (k == 0) {
            j->i = i;
            js_fail_text(j, i);
            return;
        }
        if (j->s[i] == '\n') {
            j->line++;
            j->line_start = i + 1;
        }
        i += k;
    }
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int d = isdigit(p[k]) ? p[k] - '0'
                : p[k] >= 'a' && p[k] <= 'f' ? p[k] - 'a' + 10
                : p[k] >= 'A' && p[k] <= 'F' ? p[k] - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

/* Code point u as UTF-8 at o; returns the bytes written (1 to 4). */
static size_t utf8_put(char *o, unsigned long u)
{
    if (u < 0x80) {
        o[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        o[0] = (char)(0xC0 | (u >> 6));
        o[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        o[0] = (char)(0xE0 | (u >> 12));
        o[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        o[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (u >> 18));
    o[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    o[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* The escape at j->i ('\\'), decoded onto *o. */
static int js_escape(jscan *j, char **o)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    unsigned u, u2;
    size_t at = j->i;
    const char *e;
    if (j->i + 1 >= j->n)
        return js_fail(j, j->i, 1, "an escape \\\" \\\\ \\/ \\b \\f \\n "
                       "\\r \\t or \\u and 4 hex digits");
    if (j->s[j->i + 1] != '\0'
        && (e = strchr(from, j->s[j->i + 1])) != NULL) {
        *(*o)++ = to[e - from];
        j->i += 2;
        return 0;
    }
    if (j->s[j->i + 1] != 'u')
        return js_fail(j, j->i, 2, "an escape \\\" \\\\ \\/ \\b \\f \\n "
                       "\\r \\t or \\u and 4 hex digits");
    if (j->i + 6 > j->n || hex4(j->s + j->i + 2, &u))
        return js_fail(j, at, j->i + 6 > j->n ? j->n - at : 6,
                       "4 hex digits after \\u");
    j->i += 6;
    if (u == 0)
        return js_fail(j, at, 6, "a string without \\u0000 (a NUL "
                       "character)");
    if (u >= 0xDC00 && u <= 0xDFFF)
        return js_fail(j, at, 6, "a UTF-16 surrogate pair "
                       "(\\uD800-\\uDBFF then \\uDC00-\\uDFFF)");
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (j->i + 6 > j->n || j->s[j->i] != '\\'
            || j->s[j->i + 1] != 'u' || hex4(j->s + j->i + 2, &u2)
            || u2 < 0xDC00 || u2 > 0xDFFF)
            return js_fail(j, at, 6, "a UTF-16 surrogate pair "
                           "(\\uD800-\\uDBFF then \\uDC00-\\uDFFF)");
        j->i += 6;
        *o += utf8_put(*o, 0x10000 + ((unsigned long)(u - 0xD800) << 10)
                           + (u2 - 0xDC00));
        return 0;
    }
    *o += utf8_put(*o, u);
    return 0;
}

/* The string at j->i, decoded (escapes resolved) into j->buf + j->top,
 * NUL-terminated; *len: its bytes. */
static int js_string(jscan *j, size_t *len)
{
    char *start = j->buf + j->top, *o = start;
    j->i++;                                   /* the opening quote */
    for (;;) {
        unsigned char ch;
        if (j->i >= j->n)
            return js_fail(j, j->i, 0, "'\"' closing the string");
        ch = j->s[j->i];
        if (ch == '"') {
            j->i++;
            *o = '\0';
            *len = (size_t)(o - start);
            return 0;
        }
        if (ch < 0x20)
            return js_fail(j, j->i, 0, "'\"' closing the string (a string "
                           "holds no raw control characters: write \\n, "
                           "\\t)");
        if (ch == '\\') {
            if (js_escape(j, &o))
                return -1;
            continue;
        }
        size_t k = utf8_char(j->s, j->n, j->i);
        if (k == 0)
            return js_fail_text(j, j->i);
        memcpy(o, j->s + j->i, k);
        o += k;
        j->i += k;
    }
}

/* A number item: its double as cJSON's parser reads it (strtod with the
 * locale's decimal point), and its text in valuestring if keep_text. */
static cJSON *number_item(const unsigned char *text, size_t len,
                          int keep_text)
{
    char t[JSON_NUMBER_MAX + 1], *dot;
    cJSON *item;
    double x;
    memcpy(t, text, len);
    t[len] = '\0';
    if (keep_text && (item = cJSON_CreateString(t)) == NULL)
        return NULL;
    dot = strchr(t, '.');
    if (dot != NULL)
        *dot = localeconv()->decimal_point[0];
    x = strtod(t, NULL);
    if (!keep_text)
        return cJSON_CreateNumber(x);
    item->type = cJSON_Number;
    cJSON_SetNumberHelper(item, x);
    return item;
}

/* A number at nesting depth `depth` (1: a member of the top-level
 * object). */
static int js_number(jscan *j, int depth, cJSON **out)
{
    const unsigned char *s = j->s;
    size_t start = j->i, i = j->i, n = j->n, word = js_word(j, start);
    if (s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
        if (i < n && isdigit(s[i]))
            return js_fail(j, start, word, "a number without leading "
                           "zeros");
    } else if (i < n && isdigit(s[i])) {
        while (i < n && isdigit(s[i]))
            i++;
    } else {
        return js_fail(j, start, word, "a digit after '-'");
    }
    if (i < n && s[i] == '.') {
        i++;
        if (!(i < n && isdigit(s[i])))
            return js_fail(j, start, word, "a digit after the decimal "
                           "point");
        while (i < n && isdigit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!(i < n && isdigit(s[i])))
            return js_fail(j, start, word, "a digit in the exponent");
        while (i < n && isdigit(s[i]))
            i++;
    }
    if (i - start < word)
        return js_fail(j, start, word, "a JSON number (decimal digits, an "
                       "optional fraction and exponent: no hex, no NaN, "
                       "no Infinity)");
    if (i - start > JSON_NUMBER_MAX)
        return js_fail(j, start, 0, "a number of at most 63 characters");
    if ((*out = number_item(s + start, i - start, depth <= 1)) == NULL)
        return js_oom(j);
    j->i = i;
    return 0;
}

static const char *const js_value_expected =
    "a value (an object, an array, a string in double quotes, a number, "
    "true, false or null)";

static int js_value(jscan *j, int depth, cJSON **out);

/* One member "key": value of an object, added to obj.  The key stays in
 * j->buf while the value is read, then cJSON copies it. */
static int js_member(jscan *j, int depth, cJSON *obj)
{
    size_t key = j->top, len;
    cJSON *item = NULL;
    int rc = -1;
    if (js_string(j, &len))
        return -1;
    j->top += len + 1;
    js_ws(j);
    if (j->i >= j->n || j->s[j->i] != ':') {
        js_fail(j, j->i, 0, "':' after the key");
        goto out;
    }
    j->i++;
    js_ws(j);
    if (js_value(j, depth, &item))
        goto out;
    if (!cJSON_AddItemToObject(obj, j->buf + key, item)) {
        cJSON_Delete(item);
        js_oom(j);
        goto out;
    }
    rc = 0;
out:
    j->top = key;
    return rc;
}

static int js_object(jscan *j, int depth, cJSON **out)
{
    cJSON *obj = cJSON_CreateObject();
    if (obj == NULL)
        return js_oom(j);
    j->i++;                                   /* '{' */
    js_ws(j);
    if (j->i < j->n && j->s[j->i] == '}') {
        j->i++;
        *out = obj;
        return 0;
    }
    for (int first = 1;; first = 0) {
        js_ws(j);
        if (j->i >= j->n || j->s[j->i] != '"') {
            size_t word = j->i < j->n && isalpha(j->s[j->i])
                          ? js_word(j, j->i) : 0;   /* an unquoted key */
            if (first)
                js_fail(j, j->i, word, "a key in double quotes or '}'");
            else if (j->i < j->n && j->s[j->i] == '}')
                js_fail(j, j->i, 1, "another key in double quotes after "
                        "',' (JSON allows no trailing comma)");
            else
                js_fail(j, j->i, word, "another key in double quotes "
                        "after ','");
            break;
        }
        if (js_member(j, depth, obj))
            break;
        js_ws(j);
        if (j->i < j->n && j->s[j->i] == ',') {
            j->i++;
            continue;
        }
        if (j->i < j->n && j->s[j->i] == '}') {
            j->i++;
            *out = obj;
            return 0;
        }
        js_fail(j, j->i, 0, "',' or '}' after a member of an object");
        break;
    }
    cJSON_Delete(obj);
    return -1;
}

static int js_array(jscan *j, int depth, cJSON **out)
{
    cJSON *arr = cJSON_CreateArray(), *item;
    if (arr == NULL)
        return js_oom(j);
    j->i++;                                   /* '[' */
    js_ws(j);
    if (j->i < j->n && j->s[j->i] == ']') {
        j->i++;
        *out = arr;
        return 0;
    }
    for (int first = 1;; first = 0) {
        js_ws(j);
        if (!first && j->i < j->n && j->s[j->i] == ']') {
            js_fail(j, j->i, 1, "another value after ',' (JSON allows no "
                    "trailing comma)");
            break;
        }
        if (js_value(j, depth, &item))
            break;
        if (!cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            js_oom(j);
            break;
        }
        js_ws(j);
        if (j->i < j->n && j->s[j->i] == ',') {
            j->i++;
            continue;
        }
        if (j->i < j->n && j->s[j->i] == ']') {
            j->i++;
            *out = arr;
            return 0;
        }
        js_fail(j, j->i, 0, "',' or ']' after an element of an array");
        break;
    }
    cJSON_Delete(arr);
    return -1;
}

static int js_value(jscan *j, int depth, cJSON **out)
{
    static const char *const literals[] = {"true", "false", "null", NULL};
    unsigned char ch;
    js_ws(j);
    if (j->i >= j->n)
        return js_fail(j, j->i, 0, js_value_expected);
    ch = j->s[j->i];
    if (ch == '{' || ch == '[') {
        if (depth >= JSON_DEPTH_MAX)
            return js_fail(j, j->i, 1, "at most 64 levels of nesting");
        return ch == '{' ? js_object(j, depth + 1, out)
                         : js_array(j, depth + 1, out);
    }
    if (ch == '"') {
        size_t len;
        if (js_string(j, &len))
            return -1;
        *out = cJSON_CreateString(j->buf + j->top);
        return *out != NULL ? 0 : js_oom(j);
    }
    if (ch == '-' || isdigit(ch))
        return js_number(j, depth, out);
    for (size_t k = 0; literals[k] != NULL; k++) {
        size_t len = strlen(literals[k]);
        if (js_word(j, j->i) == len
            && memcmp(j->s + j->i, literals[k], len) == 0) {
            j->i += len;
            *out = k == 0 ? cJSON_CreateTrue()
                   : k == 1 ? cJSON_CreateFalse() : cJSON_CreateNull();
            return *out != NULL ? 0 : js_oom(j);
        }
    }
    return js_fail(j, j->i, isalpha(ch) ? js_word(j, j->i) : 0,
                   js_value_expected);
}

/* The text after the byte-order mark and the white space before the
 * value: one JSON value, in UTF-8, into *root.  On a syntax error, text
 * that is not UTF-8 further on is the error reported instead (as when
 * the text was checked first). */
static int js_parse(jscan *j, cJSON **root)
{
    if ((j->buf = malloc(j->n + 1)) == NULL)
        return js_oom(j);
    if (js_value(j, 0, root) == 0) {
        js_ws(j);
        if (j->i >= j->n)
            return 0;
        cJSON_Delete(*root);
        *root = NULL;
        js_fail(j, j->i, 0, "the end of the text after the top-level "
                "value");
    }
    if (!j->oom && j->found[0] == '\0')
        js_text_rest(j);
    return -1;
}

/* "found ..." of a syntax error: a description, the end of the text, a
 * control character, or the text there (valid UTF-8 by then). */
static void js_found(const jscan *j, char *buf, size_t n)
{
    const unsigned char *p = j->s + j->at;
    size_t k = 0, max = j->show ? j->show : 16;
    char tmp[48];
    if (j->found[0] != '\0') {
        snprintf(buf, n, "%s", j->found);
        return;
    }
    if (j->at >= j->n) {
        snprintf(buf, n, "the end of the text");
        return;
    }
    if (*p == '\n' || *p == '\r') {
        snprintf(buf, n, "the end of the line");
        return;
    }
    if (*p < 0x20 || *p == 0x7F) {
        snprintf(buf, n, "the control character 0x%02x", *p);
        return;
    }
    if (max > 40)
        max = 40;
    while (j->at + k < j->n && k < max && p[k] != '\n' && p[k] != '\r')
        k++;
    while (k > 0 && j->at + k < j->n && (p[k] & 0xC0) == 0x80)
        k--;                          /* do not cut a UTF-8 sequence */
    for (size_t m = 0; m < k; m++)
        tmp[m] = p[m] < 0x20 || p[m] == 0x7F ? ' ' : (char)p[m];
    tmp[k] = '\0';
    snprintf(buf, n, "'%s'%s%s", tmp,
             j->show == 0 && j->at + k < j->n && p[k] != '\n'
             && p[k] != '\r' ? "..." : "",
             *p == '/' || *p == '#' ? " (JSON has no comments)" : "");
}

/* The error's line, and its column: 1-based, in UTF-8 characters. */
static int fail_syntax(cfg_ctx *c, const jscan *j)
{
    char found[256];
    int col = 1;
    for (size_t i = j->at_line_start; i < j->at; i++)
        if ((j->s[i] & 0xC0) != 0x80)
            col++;
    js_found(j, found, sizeof found);
    c->err->line = j->at_line;
    c->err->column = col;
    return cfg_fail(c, "invalid JSON at line %d, column %d: expected %s, "
                    "found %s", c->err->line, c->err->column, j->expected,
                    found);
}

/* The scenario's text (len bytes, a UTF-8 byte-order mark ignored) into
 * *root, or -1 with the error: syntax errors with their line and
 * column. */
int cfg_read_json(cfg_ctx *c, const char *text, size_t len, cJSON **root)
{
    jscan j;
    int rc;
    memset(&j, 0, sizeof j);
    *root = NULL;
    if (text == NULL)
        len = 0;
    /* A UTF-8 byte-order mark (Windows editors write one) is ignored:
       lines and columns count from the character after it. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    j.s = (const unsigned char *)text;
    j.n = len;
    j.line = 1;
    js_ws(&j);
    if (j.i == j.n)
        return cfg_fail(c, "expected a JSON object (the scenario), found %s",
                        len ? "only white space" : "an empty text");
    rc = js_parse(&j, root);
    if (rc != 0 && j.oom)
        cfg_fail(c, "expected memory to read %zu bytes of JSON, found none "
                 "(out of memory)", len);
    else if (rc != 0)
        fail_syntax(c, &j);
    free(j.buf);
    return rc;
}
