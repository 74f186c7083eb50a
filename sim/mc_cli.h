/* mc_cli.h: the breakeven command line (main.c only calls mc_cli_main). */
#ifndef MC_CLI_H
#define MC_CLI_H

/* Exit codes, documented in the README. */
enum {
    MC_EXIT_OK = 0,
    MC_EXIT_INTERNAL = 1,   /* out of memory, unexpected failure */
    MC_EXIT_USAGE = 2,      /* bad option or option value */
    MC_EXIT_SCENARIO = 3,   /* the scenario file is wrong */
    MC_EXIT_IO = 4,         /* a file could not be read or written */
    MC_EXIT_INTERRUPTED = 5,/* stopped by a signal (mc_stop.h) */
    MC_EXIT_REFUSED = 6     /* the output folder is not breakeven's to
                               replace, or is a protected folder */
};

int mc_cli_main(int argc, char **argv);

#endif
