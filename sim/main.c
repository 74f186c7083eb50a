/* main.c: breakeven's entry point.  What the process takes from its
 * environment for tests and benchmarks (BREAKEVEN_NO_AVX2,
 * BREAKEVEN_NO_AVX512: CPU limits; BREAKEVEN_VARIANTS_PER_GROUP, see
 * mc_execute.h) is read here, once; all the rest is the command line's
 * (mc_cli.c, and mc_cli_check.c, which reads HOME to keep --out off the
 * home folder). */
#include <stdlib.h>
#include <string.h>

#include "mc_cli.h"
#include "mc_cpu.h"
#include "mc_execute.h"

int main(int argc, char **argv)
{
    /* BREAKEVEN_NO_AVX2 keeps results/ to its portable loops (no AVX-512
       either), BREAKEVEN_NO_AVX512 to AVX2 at most: the same results by
       another path, for tests and benchmarks (mc_cpu.h) */
    if (getenv("BREAKEVEN_NO_AVX2") != NULL)
        mc_cpu_limit(MC_CPU_PORTABLE);
    else if (getenv("BREAKEVEN_NO_AVX512") != NULL)
        mc_cpu_limit(MC_CPU_AVX2);
    /* BREAKEVEN_VARIANTS_PER_GROUP=k: at most k variants in the base's
       passes at a time, 0 one after another (mc_execute.h): the same
       results, for tests and benchmarks; anything but digits is
       ignored */
    const char *g = getenv("BREAKEVEN_VARIANTS_PER_GROUP");
    if (g != NULL && g[0] != '\0' && strspn(g, "0123456789") == strlen(g) &&
        strlen(g) < 6)
        mc_engine_group_limit(atol(g));
    return mc_cli_main(argc, argv);
}
