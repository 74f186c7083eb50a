/* mc_stop.h: how breakeven stops when it is told to, or cannot go on:
 * every fatal signal a program can catch, a library that ends the
 * process, threads that cannot be created, a closed standard output.
 * Each ends the run with one line on stderr, its exit code (mc_cli.h)
 * and no temporary folder left behind.  Part of the command line (mc_cli):
 * it prints. */
#ifndef MC_STOP_H
#define MC_STOP_H

#include <stddef.h>

/* Blocks the fatal signals (SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM,
 * SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGXFSZ), except those ignored at
 * start, in this thread and every thread created after it, and starts the
 * thread that takes them; registers the exit-time cleanup.  Call first,
 * before any other thread exists. */
void mc_stop_start(void);

/* Says that the program ends by returning from main, not by a library's
 * exit(). */
void mc_stop_finished(void);

/* The run folder that messages name, once it is known. */
void mc_stop_set_outdir(const char *dir);

/* A progress line is on stderr: a message starts on a new line. */
void mc_stop_progress_shown(void);

/* Creates nt threads at once and lets them end, then starts OpenMP's team
 * of nt: a machine that cannot give the run its threads is found before
 * any file exists, and reported by breakeven rather than by the OpenMP
 * runtime (which would print its own message and exit).  0, or -1 with
 * msg. */
int mc_stop_prepare_threads(int nt, char *msg, size_t len);

/* Flushes standard output.  A reader that closed the pipe ends the
 * program as SIGPIPE would (the results, if complete, stay); another
 * failure returns -1 with errno set. */
int mc_stop_flush_stdout(void);

/* The name of a signal ("SIGTERM"). */
const char *mc_stop_signal_name(int sig);

#endif
