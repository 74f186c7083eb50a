/* mc_comm.h: the processes of one run (MPI), or just this one.
 *
 * Built with -DBREAKEVEN_MPI=ON, breakeven started by mpirun (or srun)
 * runs as P processes ("ranks"): each takes a contiguous share of the
 * sample blocks, runs the OpenMP engine on it, and the statistics are
 * combined through mc_comm_reducer().  Without MPI (the default build)
 * every function here is the one-process case and nothing links MPI.
 *
 * MPI's state is the process's (MPI_COMM_WORLD): these functions keep it
 * in mc_comm.c, initialised once by mc_comm_init.  Only the main thread
 * calls MPI (MPI_THREAD_FUNNELED): never from an OpenMP region.
 */
#ifndef MC_COMM_H
#define MC_COMM_H

#include <stddef.h>

#include "mc_results.h"

/* Starts MPI if this is an MPI build (a no-op otherwise).  0 or -1. */
int mc_comm_init(int *argc, char ***argv);
/* Ends MPI (after every rank is done). */
void mc_comm_finalize(void);
/* Ends every rank of the run at once (MPI_Abort) with exit code `code`;
 * in a one-process run, exit(code). */
void mc_comm_abort(int code);

/* A failure of this process alone, while the others may be waiting for
 * it: prints "breakeven: rank R: msg" to stderr and ends every rank
 * (mc_comm_abort), the one place outside the mc_cli library that prints,
 * since no caller is left to.  With one process it returns, and the caller
 * reports the failure as usual. */
void mc_comm_fail(const char *msg, int code);

int mc_comm_rank(void);
int mc_comm_size(void);
/* The reducer of the run's ranks, or NULL with one process. */
const mc_reducer *mc_comm_reducer(void);

/* The most bytes any rank has sent to, and received from, the others in
 * this run's collective steps so far (every rank calls it: a collective
 * itself, not counted).  0 with one process.  0 or -1. */
int mc_comm_traffic(double *max_sent, double *max_received);

/* Copies len bytes of rank 0's buf to every rank's.  0 or -1. */
int mc_comm_bcast(void *buf, size_t len);
/* Every rank's rc and message: returns the first non-zero rc in rank
 * order, on every rank, with that rank's message in msg (unchanged when
 * all are 0).  A point where ranks that may have failed alone agree
 * before any of them stops. */
int mc_comm_agree(int rc, char *msg, size_t len);

#endif
