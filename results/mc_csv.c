/* mc_csv.c: CSV tables of named columns.
 *
 * Rows are formatted in chunks of CHUNK_ROWS, chunk k by thread k mod
 * team into that thread's buffer, and written with fwrite in chunk order
 * (an OpenMP ordered block), so formatting overlaps writing.  A chunk's
 * bytes depend only on its rows, so the file is the same for any number
 * of threads.  Buffers are sized and allocated before the parallel
 * region; the region itself only formats and writes.
 */
#include "mc_results.h"
#include "mc_results_impl.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_ROWS 16384
#define INDEX_MAX 20            /* digits of the largest size_t */

static void set_msg(char *msg, size_t len, const char *text)
{
    if (msg && len > 0)
        snprintf(msg, len, "%s", text);
}

/* Writes v in decimal at p, returns the length. */
static size_t fmt_size(char *p, size_t v)
{
    char d[INDEX_MAX];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++)
        p[i] = d[n - 1 - i];
    return n;
}

/* Formats rows [lo, hi) at buf, returns the bytes written. */
static size_t fmt_rows(char *buf, const mc_column *cols, size_t ncols,
                       size_t lo, size_t hi, size_t index_base)
{
    char *p = buf;
    for (size_t r = lo; r < hi; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const mc_column *col = &cols[c];
            if (c > 0)
                *p++ = ',';
            if (col->num) {
                double v = col->num[r];
                if (!isnan(v))
                    p += mc_fmt_raw_(p, v);
            } else if (col->str) {
                const char *s = col->str[r];
                if (s) {
                    size_t n = strlen(s);
                    memcpy(p, s, n);
                    p += n;
                }
            } else if (col->index) {
                p += fmt_size(p, index_base + r);
            }
        }
        *p++ = '\n';
    }
    return (size_t)(p - buf);
}

/* An upper bound on the bytes of rows [lo, hi). */
static size_t chunk_bound(const mc_column *cols, size_t ncols, size_t lo,
                          size_t hi)
{
    size_t per_row = 1, bytes = 0;        /* the newline */
    for (size_t c = 0; c < ncols; c++) {
        per_row += 1;                     /* the comma */
        if (cols[c].num)
            per_row += MC_FMT_MAX_;
        else if (cols[c].str)
            for (size_t r = lo; r < hi; r++)
                bytes += cols[c].str[r] ? strlen(cols[c].str[r]) : 0;
        else if (cols[c].index)
            per_row += INDEX_MAX;
    }
    return bytes + per_row * (hi - lo);
}

static int write_all(FILE *f, const char *p, size_t n)
{
    return n == 0 || fwrite(p, 1, n, f) == n;
}

int mc_csv_header(FILE *f, const mc_column *cols, size_t ncols)
{
    for (size_t c = 0; c < ncols; c++) {
        const char *name = cols[c].name ? cols[c].name : "";
        if ((c > 0 && fputc(',', f) == EOF) ||
            !write_all(f, name, strlen(name)))
            return -1;
    }
    return fputc('\n', f) == EOF ? -1 : 0;
}

size_t mc_csv_bound(const mc_column *cols, size_t ncols, size_t nrows)
{
    return chunk_bound(cols, ncols, 0, nrows);
}

size_t mc_csv_format(char *buf, const mc_column *cols, size_t ncols,
                     size_t nrows, size_t index_base)
{
    return fmt_rows(buf, cols, ncols, 0, nrows, index_base);
}

int mc_csv_write(FILE *f, const mc_column *cols, size_t ncols, size_t nrows,
                 int nthreads, char *msg, size_t len)
{
    int rc = -1, err = 0;
    char **bufs = NULL;
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    size_t nchunks = (nrows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    if ((size_t)nt > nchunks)
        nt = nchunks > 0 ? (int)nchunks : 1;

    if (mc_csv_header(f, cols, ncols) != 0) {
        err = errno;
        goto out;
    }

    /* One buffer per thread, as large as the largest chunk needs. */
    size_t cap = 0;
    for (size_t k = 0; k < nchunks; k++) {
        size_t lo = k * CHUNK_ROWS;
        size_t hi = lo + CHUNK_ROWS < nrows ? lo + CHUNK_ROWS : nrows;
        size_t b = chunk_bound(cols, ncols, lo, hi);
        if (b > cap)
            cap = b;
    }
    bufs = calloc((size_t)nt, sizeof *bufs);
    if (!bufs) {
        err = errno;
        goto out;
    }
    for (int t = 0; t < nt && cap > 0; t++) {
        bufs[t] = malloc(cap);
        if (!bufs[t]) {
            err = errno;
            goto out;
        }
    }

    int failed = 0;
    /* Chunk k goes to thread k mod team; the ordered block writes chunks
     * in file order, and while one thread writes, the others format
     * their next chunks.  Each thread reuses its one buffer, which it has
     * written out before it formats again. */
#pragma omp parallel for ordered schedule(static, 1) num_threads(nt) \
    default(none) shared(f, cols, ncols, nrows, nchunks, bufs, failed, err)
    for (size_t k = 0; k < nchunks; k++) {
        char *buf = bufs[omp_get_thread_num()];
        int stop;
#pragma omp atomic read
        stop = failed;
        size_t n = 0;
        if (!stop) {
            size_t lo = k * CHUNK_ROWS;
            size_t hi = lo + CHUNK_ROWS < nrows ? lo + CHUNK_ROWS : nrows;
            n = fmt_rows(buf, cols, ncols, lo, hi, 0);
        }
#pragma omp ordered
        {
            if (!failed && !write_all(f, buf, n)) {
                err = errno;
#pragma omp atomic write
                failed = 1;
            }
        }
    }
    if (failed)
        goto out;
    if (fflush(f) != 0) {
        err = errno;
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        set_msg(msg, len, strerror(err ? err : EIO));
    if (bufs)
        for (int t = 0; t < nt; t++)
            free(bufs[t]);
    free(bufs);
    return rc;
}
