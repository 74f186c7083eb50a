/* mc_cfg_context.c: the JSON path of the value being read, and the
 * errors reported at it: "expected ..., found ...", with the text from
 * the file made safe to show (mc_config_impl.h). */
#include "mc_config_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfg_ctx_init(cfg_ctx *c, mc_err *err)
{
    c->err = err;
    strcpy(c->path, "$");
    c->len = 1;
}

void cfg_path_append(cfg_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->path + c->len, sizeof c->path - c->len, fmt, ap);
    va_end(ap);
    c->len = strlen(c->path);   /* truncated paths stay terminated */
}

/* Text from the file, made safe to show in a message: at most max
 * characters, control characters, quotes and backslashes escaped, "..."
 * when shortened; UTF-8 sequences are kept whole. */
const char *cfg_shown(shown_buf *b, const char *text, size_t max)
{
    size_t o = 0, chars = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p != '\0' && o + 8 < sizeof b->s) {
        if ((*p & 0xC0) != 0x80 && chars++ == max)
            break;
        if (*p < 0x20 || *p == 0x7F)
            o += (size_t)snprintf(b->s + o, sizeof b->s - o, "\\x%02x", *p);
        else if (*p == '"' || *p == '\\') {
            b->s[o++] = '\\';
            b->s[o++] = (char)*p;
        } else
            b->s[o++] = (char)*p;
        p++;
    }
    if (*p != '\0') {
        if ((*p & 0xC0) == 0x80) {   /* stopped inside a UTF-8 sequence */
            while (o > 0 && ((unsigned char)b->s[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 0)
                o--;                 /* its lead byte */
        }
        memcpy(b->s + o, "...", 4);
    } else {
        b->s[o] = '\0';
    }
    return b->s;
}

/* A key that is a plain identifier is appended as .key, any other as
 * ["key"] (escaped, shortened), so that a path stays readable and
 * unambiguous. */
size_t cfg_path_push_key(cfg_ctx *c, const char *key)
{
    size_t old = c->len;
    int plain = key[0] != '\0';
    for (const char *p = key; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            plain = 0;
    if (plain) {
        cfg_path_append(c, ".%.64s", key);
    } else {
        shown_buf b;
        cfg_path_append(c, "[\"%s\"]", cfg_shown(&b, key, 32));
    }
    return old;
}

size_t cfg_path_push_index(cfg_ctx *c, size_t i)
{
    size_t old = c->len;
    cfg_path_append(c, "[%zu]", i);
    return old;
}

void cfg_path_pop(cfg_ctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

/* Fills the error with the current path and a message; returns -1. */
int cfg_fail(cfg_ctx *c, const char *fmt, ...)
{
    va_list ap;
    snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* The same, at the path of a child key of the current path. */
int cfg_fail_at_key(cfg_ctx *c, const char *key, const char *fmt, ...)
{
    size_t old = cfg_path_push_key(c, key);
    va_list ap;
    snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
    va_end(ap);
    cfg_path_pop(c, old);
    return -1;
}

/* Shortest "%g" form that reads back as x: a decimal of at most 15
 * digits is exact in "%.15g" (DBL_DIG), so only 16 and 17 need a try.
 * Sweeps name their variants with it ("overhead-median=3.1"). */
void cfg_fmt_num(char *buf, size_t n, double x)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* A short description of a JSON value for "found ...". */
const char *cfg_describe(found_buf *b, const cJSON *v)
{
    if (v == NULL) {
        snprintf(b->s, sizeof b->s, "nothing");
    } else if (cJSON_IsNull(v)) {
        snprintf(b->s, sizeof b->s, "null");
    } else if (cJSON_IsTrue(v)) {
        snprintf(b->s, sizeof b->s, "true");
    } else if (cJSON_IsFalse(v)) {
        snprintf(b->s, sizeof b->s, "false");
    } else if (cJSON_IsNumber(v)) {
        if (isfinite(v->valuedouble))
            cfg_fmt_num(b->s, sizeof b->s, v->valuedouble);
        else
            snprintf(b->s, sizeof b->s, "%s (a number too large for a "
                     "double)", v->valuedouble > 0 ? "inf" : "-inf");
    } else if (cJSON_IsString(v)) {
        shown_buf t;
        snprintf(b->s, sizeof b->s, "a string \"%s\"",
                 cfg_shown(&t, v->valuestring, 40));
    } else if (cJSON_IsArray(v)) {
        snprintf(b->s, sizeof b->s, "an array");
    } else if (cJSON_IsObject(v)) {
        snprintf(b->s, sizeof b->s, "an object");
    } else {
        snprintf(b->s, sizeof b->s, "an unknown JSON value");
    }
    return b->s;
}

int cfg_fail_type(cfg_ctx *c, const char *expected, const cJSON *v)
{
    found_buf f;
    return cfg_fail(c, "expected %s, found %s", expected, cfg_describe(&f, v));
}

int cfg_fail_param(cfg_ctx *c, const char *key, const char *msg)
{
    return key != NULL ? cfg_fail_at_key(c, key, "%s", msg)
                       : cfg_fail(c, "%s", msg);
}
