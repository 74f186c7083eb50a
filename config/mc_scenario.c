/* mc_scenario.c: what belongs to the plain structs of mc_scenario.h
 * rather than to reading a file: the names of the sampling designs and
 * of the sensitivity methods, and mc_scenario_free. */
#include "mc_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by MC_SAMPLING_* and by MC_SENS_*. */
static const char *const sampling_names[] = {"random", "lhs", "sobol"};
static const char *const sensitivity_names[] = {"rank", "sobol", "none"};
_Static_assert(sizeof sampling_names / sizeof *sampling_names
               == MC_SAMPLING_COUNT, "a name per sampling design");
_Static_assert(sizeof sensitivity_names / sizeof *sensitivity_names
               == MC_SENS_COUNT, "a name per sensitivity method");

static const char *name_of(const char *const *names, int count, int i)
{
    return i >= 0 && i < count ? names[i] : NULL;
}

static int find(const char *const *names, int count, const char *name)
{
    for (int i = 0; name != NULL && i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static void list(char *buf, size_t n, const char *const *names, int count,
                 const char *quote, const char *last)
{
    size_t len = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
    for (int i = 0; i < count && len < n; i++) {
        snprintf(buf + len, n - len, "%s%s%s%s",
                 i == 0 ? "" : i + 1 == count ? last : ", ", quote,
                 names[i], quote);
        len = strlen(buf);
    }
}

const char *mc_sampling_name(int sampling)
{
    return name_of(sampling_names, MC_SAMPLING_COUNT, sampling);
}

int mc_sampling_find(const char *name)
{
    return find(sampling_names, MC_SAMPLING_COUNT, name);
}

void mc_sampling_list(char *buf, size_t n, const char *quote,
                      const char *last)
{
    list(buf, n, sampling_names, MC_SAMPLING_COUNT, quote, last);
}

const char *mc_sensitivity_name(int method)
{
    return name_of(sensitivity_names, MC_SENS_COUNT, method);
}

int mc_sensitivity_find(const char *name)
{
    return find(sensitivity_names, MC_SENS_COUNT, name);
}

void mc_sensitivity_list(char *buf, size_t n, const char *quote,
                         const char *last)
{
    list(buf, n, sensitivity_names, MC_SENS_COUNT, quote, last);
}

static void input_free(mc_input *in)
{
    free(in->name);
    free(in->source);
    mc_dist_free(&in->dist);
}

void mc_scenario_free(mc_scenario *s)
{
    if (s == NULL)
        return;
    free(s->name);
    free(s->description);
    for (size_t i = 0; i < s->n_stages; i++)
        input_free(&s->stages[i]);
    free(s->stages);
    for (size_t i = 0; i < MC_IN_COUNT; i++)
        input_free(&s->inputs[i]);
    free(s->horizons);
    free(s->use_unit);
    for (size_t i = 0; i < s->n_variants; i++) {
        free(s->variants[i].name);
        free(s->variants[i].description);
        mc_scenario_free(s->variants[i].s);
        free(s->variants[i].s);
    }
    free(s->variants);
    memset(s, 0, sizeof *s);
}
