/* mc_manifest.c: the list of files in a run folder's manifest.json. */
#include "mc_manifest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A manifest is a few hundred kB at most; a larger file is not one. */
#define MANIFEST_MAX (16L << 20)

/* Opened without following a link or waiting on a FIFO: the file may be
 * anything a user put there. */
static char *slurp(const char *path, char *why, size_t len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f = NULL;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        f = fdopen(fd, "rb");
    if (f == NULL) {
        snprintf(why, len, "expected a readable manifest.json, found %s",
                 fd < 0 ? strerror(errno) : "something else than a file");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char *text = malloc(MANIFEST_MAX + 1);
    size_t n = text != NULL ? fread(text, 1, MANIFEST_MAX + 1, f) : 0;
    int bad = text == NULL || ferror(f) || n > MANIFEST_MAX;
    fclose(f);
    if (bad) {
        free(text);
        snprintf(why, len, "expected a readable manifest.json of at most "
                 "16 MiB, found %s",
                 text == NULL ? "no memory to read it"
                              : "a larger or unreadable file");
        return NULL;
    }
    text[n] = '\0';
    return text;
}

/* The names of "files", checked; NULL with why. */
static char *file_names(const cJSON *files, char *why, size_t len)
{
    size_t total = 1;
    const cJSON *f;
    cJSON_ArrayForEach(f, files) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
        if (!cJSON_IsString(name) || name->valuestring[0] == '\0') {
            snprintf(why, len, "expected every entry of \"files\" to have a "
                     "\"name\", found one without");
            return NULL;
        }
        total += strlen(name->valuestring) + 1;
    }
    char *list = malloc(total), *p = list;
    if (list == NULL) {
        snprintf(why, len, "expected memory for the list of files, found "
                 "none");
        return NULL;
    }
    cJSON_ArrayForEach(f, files) {
        const char *s =
            cJSON_GetObjectItemCaseSensitive(f, "name")->valuestring;
        size_t k = strlen(s) + 1;
        memcpy(p, s, k);
        p += k;
    }
    *p = '\0';
    return list;
}

char *mc_cfg_read_manifest(const char *path, char *why, size_t len)
{
    char *text = slurp(path, why, len);
    if (text == NULL)
        return NULL;
    cJSON *root = cJSON_Parse(text);
    free(text);
    char *list = NULL;
    const cJSON *program = cJSON_GetObjectItemCaseSensitive(root, "program");
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
    if (root == NULL || !cJSON_IsObject(root))
        snprintf(why, len, "expected a JSON object in manifest.json, found "
                 "other text");
    else if (!cJSON_IsString(program) ||
             strcmp(program->valuestring, "breakeven") != 0)
        snprintf(why, len, "expected a manifest.json with \"program\": "
                 "\"breakeven\", found another");
    else if (format != NULL &&
             (!cJSON_IsNumber(format) || format->valuedouble < 0 ||
              format->valuedouble > MC_MANIFEST_FORMAT ||
              format->valuedouble != floor(format->valuedouble)))
        snprintf(why, len, "expected a manifest.json of format 0 to %d, found "
                 "another format (written by a newer breakeven?)",
                 MC_MANIFEST_FORMAT);
    else if (!cJSON_IsArray(files))
        snprintf(why, len, "expected a manifest.json with a \"files\" list, "
                 "found none");
    else
        list = file_names(files, why, len);
    cJSON_Delete(root);
    return list;
}
