/* mc_cfg_load.c: the loaders of mc_scenario.h: a scenario from text,
 * from a file (a regular file of at most FILE_MAX bytes) or the built-in
 * default.  The text is read into a cJSON tree (mc_cfg_json.c), then the
 * tree into a local scenario (mc_cfg_scenario.c) that one cleanup path
 * frees on failure: *out is written only on success. */
#include "mc_config_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX ((size_t)64 << 20)   /* bytes; guards against /dev/zero */

int mc_cfg_load_string(const char *text, size_t len, mc_scenario *out,
                       mc_err *err)
{
    cfg_ctx c;
    mc_scenario s;
    cJSON *root = NULL;
    int rc = -1;

    memset(err, 0, sizeof *err);
    memset(&s, 0, sizeof s);
    cfg_ctx_init(&c, err);
    if (cfg_read_json(&c, text, len, &root) == 0
        && cfg_read_scenario(&c, root, &s) == 0) {
        *out = s;
        rc = 0;
    }
    cJSON_Delete(root);
    if (rc != 0)
        mc_scenario_free(&s);
    return rc;
}

static int fail_io(mc_err *err, int errnum)
{
    memset(err, 0, sizeof *err);
    err->io = 1;
    if (errnum == 0 || strerror_r(errnum, err->msg, sizeof err->msg) != 0)
        snprintf(err->msg, sizeof err->msg, "read error");
    return -1;
}

/* Only a regular file is read.  O_NONBLOCK: opening a FIFO without a
 * writer would otherwise wait forever, before fstat could refuse it (the
 * command line checks the path first; this closes the window where it
 * changes in between).  It changes nothing for a regular file. */
static FILE *open_regular(const char *path, mc_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f;
    if (fd < 0) {
        fail_io(err, errno);
        return NULL;
    }
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = -1;
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        e = errno;
    if (e != 0) {
        close(fd);
        fail_io(err, e > 0 ? e : 0);
        if (e < 0)
            snprintf(err->msg, sizeof err->msg, "not a regular file");
        return NULL;
    }
    if ((f = fdopen(fd, "rb")) == NULL) {
        fail_io(err, errno);
        close(fd);
    }
    return f;
}

int mc_cfg_load_file(const char *path, mc_scenario *out, mc_err *err)
{
    FILE *f = open_regular(path, err);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    if (f == NULL)
        return -1;
    for (;;) {
        size_t got;
        if (len > FILE_MAX) {
            memset(err, 0, sizeof *err);
            snprintf(err->path, sizeof err->path, "$");
            snprintf(err->msg, sizeof err->msg, "expected a scenario file "
                     "of at most %zu MiB, found a larger one", FILE_MAX >> 20);
            goto out;
        }
        if (cap - len < 4096) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                fail_io(err, ENOMEM);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        errno = 0;
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                fail_io(err, errno);
                goto out;
            }
            break;
        }
    }
    rc = mc_cfg_load_string(buf, len, out, err);
out:
    fclose(f);
    free(buf);
    return rc;
}

const mc_cfg_builtin *mc_cfg_builtin_find(const char *name)
{
    for (const mc_cfg_builtin *b = mc_cfg_builtins; b->name != NULL; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

int mc_cfg_load_default(mc_scenario *out, mc_err *err)
{
    return mc_cfg_load_string(mc_cfg_default_json,
                              strlen(mc_cfg_default_json), out, err);
}
