/* main.c: breakeven's entry point.  The CPU limits the process takes from
 * its environment (BREAKEVEN_NO_AVX2, BREAKEVEN_NO_AVX512) are read here,
 * once; all the rest is the command line's (mc_cli.c, and mc_cli_check.c,
 * which reads HOME to keep --out off the home folder). */
#include <stdlib.h>

#include "mc_cli.h"
#include "mc_cpu.h"

int main(int argc, char **argv)
{
    /* BREAKEVEN_NO_AVX2 keeps results/ to its portable loops (no AVX-512
       either), BREAKEVEN_NO_AVX512 to AVX2 at most: the same results by
       another path, for tests and benchmarks (mc_cpu.h) */
    if (getenv("BREAKEVEN_NO_AVX2") != NULL)
        mc_cpu_limit(MC_CPU_PORTABLE);
    else if (getenv("BREAKEVEN_NO_AVX512") != NULL)
        mc_cpu_limit(MC_CPU_AVX2);
    return mc_cli_main(argc, argv);
}
