/* fuzz_scenario.c: libFuzzer target of the scenario loader.
 *
 * Feeds each input to mc_cfg_load_string as a scenario text, frees the
 * scenario on success, and checks the loader's contract on the way:
 * on failure the error names a JSON path ("$...") and a message; on
 * success every input has a distribution, its first draws (made as the
 * engine makes them) lie inside the input's domain (mc_scenario.h), and
 * the horizons are positive and strictly increasing.  A broken contract
 * aborts (a finding), as do the sanitizers' reports.  Built only with
 * BREAKEVEN_FUZZ=ON and clang; tests/fuzz/run.sh builds and runs it.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_rng.h"
#include "mc_scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what) __attribute__((noreturn));
static void broken(const char *what)
{
    fprintf(stderr, "fuzz_scenario: loader contract broken: %s\n", what);
    abort();
}

static gsl_rng *rng;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gsl_set_error_handler_off();   /* as breakeven does (mc_cli.c) */
    rng = mc_rng_alloc();           /* reachable until exit: no leak */
    if (rng == NULL)
        broken("no generator (out of memory)");
    return 0;
}

/* The first draws of the input as the engine makes them (mc_sample.c):
 * each inside the input's domain, as mc_scenario.h promises. */
#define DRAWS 8
static void check_draws(const mc_input *in, uint64_t seed,
                        const mc_input_info *info)
{
    for (uint64_t i = 0; i < DRAWS; i++) {
        double x;
        mc_rng_seek(rng, seed, in->stream, i);
        x = mc_dist_sample(&in->dist, rng);
        int in_domain = (info->lo_open ? x > info->lo : x >= info->lo) &&
                        x < info->hi;
        if (!in_domain) {                             /* NaN included */
            fprintf(stderr, "fuzz_scenario: input %s (%s): draw %g at sample "
                    "%u, outside its domain %s %g, < %g\n", in->name,
                    mc_dist_name(&in->dist), x, (unsigned)i,
                    info->lo_open ? ">" : ">=", info->lo, info->hi);
            broken("a draw outside its input's domain");
        }
    }
}

static void check_success(const mc_scenario *s)
{
    if (s->name == NULL || s->name[0] == '\0')
        broken("no scenario name");
    if (s->samples < 1 || s->samples > 1000000000u)
        broken("samples out of range");
    if (s->n_stages == 0 || s->stages == NULL)
        broken("no training stage");
    for (size_t i = 0; i < s->n_stages; i++) {
        if (s->stages[i].dist.type == NULL || s->stages[i].name == NULL)
            broken("a stage without a distribution or a name");
        check_draws(&s->stages[i], s->seed, &mc_input_infos[MC_IN_FINAL_RUN]);
    }
    for (size_t i = 0; i < MC_IN_COUNT; i++) {
        if (s->inputs[i].dist.type == NULL || s->inputs[i].name == NULL)
            broken("an input without a distribution or a name");
        /* an input the scenario leaves out holds a placeholder no output
           reads (mc_layout): only the given ones are drawn from */
        if (s->layout.given[i] ||
            mc_input_infos[i].required == MC_ALWAYS)
            check_draws(&s->inputs[i], s->seed, &mc_input_infos[i]);
    }
    if (s->n_horizons == 0 || s->horizons == NULL)
        broken("no horizon");
    for (size_t i = 0; i < s->n_horizons; i++)
        if (!(s->horizons[i] > 0)
            || (i > 0 && !(s->horizons[i] > s->horizons[i - 1])))
            broken("horizons not positive and strictly increasing");
}

static void check_failure(const mc_err *err)
{
    if (memchr(err->path, '\0', sizeof err->path) == NULL
        || memchr(err->msg, '\0', sizeof err->msg) == NULL)
        broken("an unterminated error text");
    if (err->io)
        broken("an I/O error from text");
    if (err->path[0] != '$')
        broken("an error without a JSON path");
    if (err->msg[0] == '\0')
        broken("an error without a message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mc_scenario s;
    mc_err err;
    if (mc_cfg_load_string((const char *)data, size, &s, &err) == 0) {
        check_success(&s);
        mc_scenario_free(&s);
    } else {
        check_failure(&err);
    }
    return 0;
}
