/* main.c: breakeven's entry point; all the work is in mc_cli.c. */
#include "mc_cli.h"

int main(int argc, char **argv)
{
    return mc_cli_main(argc, argv);
}
