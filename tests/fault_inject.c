/* fault_inject.c: an LD_PRELOAD library that makes a program's file
 * writes fail as a full disk or a failing device would, without root
 * (test_faults.c preloads it into breakeven).
 *
 * glibc's stdio does not write through the interposable write(): fwrite
 * and friends call the system call from inside libc.  So the stdio
 * functions a program calls are interposed instead: fwrite, fputc, putc,
 * fputs, fprintf, vfprintf (for the bytes), fflush and fclose (which
 * report a full disk once it is full), and fsync.  Only streams open for
 * writing other than stdout and stderr count: the program's messages
 * still get out.
 *
 * Environment (unset: no fault):
 *   FAULT_AFTER_BYTES=N  the first N bytes written, in total over all
 *                        files, succeed; the write that would pass N
 *                        writes what fits and fails with ENOSPC; from
 *                        then on every write, flush and close of such a
 *                        stream fails with ENOSPC ("No space left on
 *                        device"), as on a full disk.
 *   FAULT_FSYNC=1        fsync of a regular file fails with EIO.
 *   FAULT_FCLOSE=1       fclose of such a stream closes it, then fails
 *                        with EIO (as NFS can report a lost write).
 *   FAULT_UNLINK=NAME    unlink and unlinkat of an entry whose last
 *                        component is NAME fail with EIO, as a failing
 *                        device would (the old run cannot be removed).
 *   FAULT_NO_EXCHANGE=1  renameat2 with RENAME_EXCHANGE fails with EINVAL,
 *                        as on a file system without the exchange.
 *   FAULT_THREADS_AFTER=N  the first N pthread_create calls succeed, the
 *                        later ones fail with EAGAIN, as under a limit on
 *                        processes (ulimit -u).
 */
#define _GNU_SOURCE             /* RTLD_NEXT */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#undef putc

typedef size_t (*fwrite_fn)(const void *, size_t, size_t, FILE *);
typedef int (*fputc_fn)(int, FILE *);
typedef int (*fputs_fn)(const char *, FILE *);
typedef int (*vfprintf_fn)(FILE *, const char *, va_list);
typedef int (*file_fn)(FILE *);
typedef int (*fsync_fn)(int);
typedef int (*unlink_fn)(const char *);
typedef int (*unlinkat_fn)(int, const char *, int);
typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned);
typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
                                 void *(*)(void *), void *);

static fwrite_fn real_fwrite;
static fputc_fn real_fputc, real_putc;
static fputs_fn real_fputs;
static vfprintf_fn real_vfprintf;
static file_fn real_fflush, real_fclose;
static fsync_fn real_fsync;
static unlink_fn real_unlink;
static unlinkat_fn real_unlinkat;
static renameat2_fn real_renameat2;
static pthread_create_fn real_pthread_create;
static const char *fail_unlink;        /* FAULT_UNLINK, NULL: none */
static int no_exchange;
static long long threads_after = -1;   /* FAULT_THREADS_AFTER, -1: none */
static atomic_llong threads_made;

static long long limit = -1;           /* FAULT_AFTER_BYTES, -1: none */
static int fail_fsync, fail_fclose;
static atomic_llong written;           /* bytes offered so far */
static atomic_int full;                /* the limit was reached */

__attribute__((constructor)) static void fault_init(void)
{
    real_fwrite = (fwrite_fn)dlsym(RTLD_NEXT, "fwrite");
    real_fputc = (fputc_fn)dlsym(RTLD_NEXT, "fputc");
    real_putc = (fputc_fn)dlsym(RTLD_NEXT, "putc");
    real_fputs = (fputs_fn)dlsym(RTLD_NEXT, "fputs");
    real_vfprintf = (vfprintf_fn)dlsym(RTLD_NEXT, "vfprintf");
    real_fflush = (file_fn)dlsym(RTLD_NEXT, "fflush");
    real_fclose = (file_fn)dlsym(RTLD_NEXT, "fclose");
    real_fsync = (fsync_fn)dlsym(RTLD_NEXT, "fsync");
    const char *s = getenv("FAULT_AFTER_BYTES");
    if (s != NULL && *s != '\0')
        limit = strtoll(s, NULL, 10);
    s = getenv("FAULT_FSYNC");
    fail_fsync = s != NULL && strcmp(s, "1") == 0;
    s = getenv("FAULT_FCLOSE");
    fail_fclose = s != NULL && strcmp(s, "1") == 0;
    real_unlink = (unlink_fn)dlsym(RTLD_NEXT, "unlink");
    real_unlinkat = (unlinkat_fn)dlsym(RTLD_NEXT, "unlinkat");
    real_renameat2 = (renameat2_fn)dlsym(RTLD_NEXT, "renameat2");
    real_pthread_create = (pthread_create_fn)dlsym(RTLD_NEXT,
                                                   "pthread_create");
    s = getenv("FAULT_UNLINK");
    fail_unlink = s != NULL && *s != '\0' ? s : NULL;
    s = getenv("FAULT_NO_EXCHANGE");
    no_exchange = s != NULL && strcmp(s, "1") == 0;
    s = getenv("FAULT_THREADS_AFTER");
    if (s != NULL && *s != '\0')
        threads_after = strtoll(s, NULL, 10);
}

/* A stream whose writes count: open for writing, not stdout or stderr. */
static int counted(FILE *f)
{
    if (f == NULL || f == stdout || f == stderr || f == stdin)
        return 0;
    int fd = fileno(f);
    if (fd < 0)
        return 0;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_ACCMODE) != O_RDONLY;
}

/* How many of n bytes about to be written may go through (n: all). */
static size_t allowed(size_t n)
{
    if (limit < 0)
        return n;
    long long before = atomic_fetch_add(&written, (long long)n);
    if (before + (long long)n <= limit)
        return n;
    atomic_store(&full, 1);
    return before < limit ? (size_t)(limit - before) : 0;
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (!counted(f) || size == 0 || n == 0)
        return real_fwrite(p, size, n, f);
    size_t ok = allowed(size * n);
    if (ok == size * n)
        return real_fwrite(p, size, n, f);
    size_t items = ok / size;
    size_t done = items > 0 ? real_fwrite(p, size, items, f) : 0;
    errno = ENOSPC;
    return done;
}

static int put_char(fputc_fn real, int c, FILE *f)
{
    if (!counted(f) || allowed(1) == 1)
        return real(c, f);
    errno = ENOSPC;
    return EOF;
}

int fputc(int c, FILE *f)
{
    return put_char(real_fputc, c, f);
}

int putc(int c, FILE *f)
{
    return put_char(real_putc, c, f);
}

int fputs(const char *s, FILE *f)
{
    if (!counted(f) || allowed(strlen(s)) == strlen(s))
        return real_fputs(s, f);
    errno = ENOSPC;
    return EOF;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    if (counted(f)) {
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n > 0 && allowed((size_t)n) != (size_t)n) {
            errno = ENOSPC;
            return -1;
        }
    }
    return real_vfprintf(f, fmt, ap);
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int fflush(FILE *f)
{
    if (!counted(f) || !atomic_load(&full))
        return real_fflush(f);
    real_fflush(f);
    errno = ENOSPC;
    return EOF;
}

int fclose(FILE *f)
{
    int c = counted(f);
    int was_full = atomic_load(&full);
    int rc = real_fclose(f);
    if (c && was_full) {
        errno = ENOSPC;
        return EOF;
    }
    if (c && fail_fclose) {
        errno = EIO;
        return EOF;
    }
    return rc;
}

int fsync(int fd)
{
    struct stat st;
    if (fail_fsync && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        errno = EIO;
        return -1;
    }
    return real_fsync(fd);
}

/* The last component of path is FAULT_UNLINK's name. */
static int unlink_fails(const char *path)
{
    if (fail_unlink == NULL || path == NULL)
        return 0;
    const char *slash = strrchr(path, '/');
    return strcmp(slash ? slash + 1 : path, fail_unlink) == 0;
}

int unlink(const char *path)
{
    if (unlink_fails(path)) {
        errno = EIO;
        return -1;
    }
    return real_unlink(path);
}

int unlinkat(int fd, const char *path, int flags)
{
    if (unlink_fails(path)) {
        errno = EIO;
        return -1;
    }
    return real_unlinkat(fd, path, flags);
}

int renameat2(int olddir, const char *old, int newdir, const char *new,
              unsigned flags)
{
    if (no_exchange && (flags & RENAME_EXCHANGE)) {
        errno = EINVAL;
        return -1;
    }
    return real_renameat2(olddir, old, newdir, new, flags);
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr,
                   void *(*fn)(void *), void *arg)
{
    if (threads_after >= 0 &&
        atomic_fetch_add(&threads_made, 1) >= threads_after)
        return EAGAIN;
    return real_pthread_create(t, attr, fn, arg);
}
