/* mc_comm.c: MPI for breakeven's runs over several processes, or the
 * one-process stand-ins (mc_comm.h). */
#define _POSIX_C_SOURCE 200809L       /* dprintf, dup */
#include "mc_comm.h"

#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef BREAKEVEN_MPI

#include <fcntl.h>
#include <mpi.h>
#include <unistd.h>

static int started;                   /* MPI_Init_thread succeeded */
static int err_fd = 2;                /* stderr as it was (ranks > 0) */
static double sent, received;         /* bytes of the run's collectives */
static int comm_rank, comm_size = 1;

static int sum_u64(void *ctx, uint64_t *x, size_t n)
{
    (void)ctx;
    sent += 8.0 * (double)n;          /* an allreduce's share: n out, n in */
    received += 8.0 * (double)n;
    /* in pieces: MPI counts are ints */
    for (size_t done = 0; done < n;) {
        size_t k = n - done < (size_t)INT_MAX ? n - done : (size_t)INT_MAX;
            if (MPI_Allreduce(MPI_IN_PLACE, x + done, (int)k, MPI_UINT64_T,
                          MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
            mc_comm_abort(1);
        done += k;
    }
    return 0;
}

/* A failure inside a collective cannot be agreed on (the other ranks are
 * already waiting in it): it ends the run (mc_comm_abort). */
static void *must_alloc(size_t n)
{
    void *p = malloc(n > 0 ? n : 1);
    if (p == NULL)
        mc_comm_abort(1);
    return p;
}

static int gather(void *ctx, const void *mine, size_t len, void **out,
                  size_t **lens)
{
    (void)ctx;
    size_t np = (size_t)comm_size;
    unsigned long long my = len, *all = must_alloc(np * sizeof *all);
    int *counts = must_alloc(np * sizeof *counts);
    int *displs = must_alloc(np * sizeof *displs);
    size_t *ls = must_alloc(np * sizeof *ls);
    if (MPI_Allgather(&my, 1, MPI_UNSIGNED_LONG_LONG, all, 1,
                      MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD) != MPI_SUCCESS)
        mc_comm_abort(1);
    size_t total = 0;
    for (size_t p = 0; p < np; p++) {
        /* MPI counts are ints: more than 2 GiB in one gather ends the
           run (the largest gathers are the kept values, at most
           MC_KEEP_BYTES, and the Saltelli design's outputs) */
        if (all[p] > (unsigned long long)INT_MAX - total)
            mc_comm_abort(1);
        counts[p] = (int)all[p];
        displs[p] = (int)total;
        ls[p] = (size_t)all[p];
        total += (size_t)all[p];
    }
    sent += (double)len;
    received += (double)(total - len) + 8.0 * (double)np;
    char *buf = must_alloc(total);
    if (MPI_Allgatherv(mine, (int)len, MPI_BYTE, buf, counts, displs,
                       MPI_BYTE, MPI_COMM_WORLD) != MPI_SUCCESS)
        mc_comm_abort(1);
    free(all);
    free(counts);
    free(displs);
    *out = buf;
    *lens = ls;
    return 0;
}

static mc_reducer reducer = {NULL, 1, 0, sum_u64, gather};

int mc_comm_init(int *argc, char ***argv)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return -1;
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &comm_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &comm_size);
    reducer.nprocs = comm_size;
    reducer.rank = comm_rank;
    if (comm_rank != 0) {
        /* one voice: rank 0's; the others keep their stderr only for
           mc_comm_fail */
        int null = open("/dev/null", O_WRONLY);
        err_fd = dup(2);
        if (null >= 0) {
            fflush(stdout);
            fflush(stderr);
            dup2(null, 1);
            dup2(null, 2);
            close(null);
        }
        if (err_fd < 0)
            err_fd = 2;
    }
    return provided >= MPI_THREAD_FUNNELED ? 0 : -1;
}

void mc_comm_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

void mc_comm_abort(int code)
{
    if (started && comm_size > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

void mc_comm_fail(const char *msg, int code)
{
    if (comm_size <= 1)
        return;
    dprintf(err_fd, "breakeven: rank %d: %s\n", comm_rank, msg);
    mc_comm_abort(code);
}

int mc_comm_rank(void)
{
    return comm_rank;
}

int mc_comm_size(void)
{
    return comm_size;
}

const mc_reducer *mc_comm_reducer(void)
{
    return comm_size > 1 ? &reducer : NULL;
}

int mc_comm_traffic(double *max_sent, double *max_received)
{
    *max_sent = sent;
    *max_received = received;
    if (comm_size <= 1)
        return 0;
    double v[2] = {sent, received};
    if (MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MAX,
                      MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    *max_sent = v[0];
    *max_received = v[1];
    return 0;
}

int mc_comm_bcast(void *buf, size_t len)
{
    if (comm_size <= 1)
        return 0;
    sent += (double)len;
    received += (double)len;
    if (len > (size_t)INT_MAX)
        return -1;
    return MPI_Bcast(buf, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD) ==
                   MPI_SUCCESS ? 0 : -1;
}

int mc_comm_agree(int rc, char *msg, size_t len)
{
    if (comm_size <= 1)
        return rc;
    /* each rank's rc and the first 480 bytes of its message */
    struct { int rc; char msg[480]; } mine, *all;
    memset(&mine, 0, sizeof mine);
    mine.rc = rc;
    if (rc != 0)
        snprintf(mine.msg, sizeof mine.msg, "%s", msg);
    all = must_alloc((size_t)comm_size * sizeof *all);
    sent += (double)sizeof mine;
    received += (double)sizeof mine * (double)(comm_size - 1);
    if (MPI_Allgather(&mine, (int)sizeof mine, MPI_BYTE, all,
                      (int)sizeof mine, MPI_BYTE, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        mc_comm_abort(1);
    int first = 0;
    for (int p = 0; p < comm_size; p++)
        if (all[p].rc != 0) {
            first = all[p].rc;
            if (p != comm_rank && len > 0)
                snprintf(msg, len, "rank %d: %s", p, all[p].msg);
            break;
        }
    free(all);
    return first;
}

#else  /* one process */

int mc_comm_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void mc_comm_finalize(void)
{
}

void mc_comm_abort(int code)
{
    exit(code);
}

void mc_comm_fail(const char *msg, int code)
{
    (void)msg;
    (void)code;
}

int mc_comm_rank(void)
{
    return 0;
}

int mc_comm_size(void)
{
    return 1;
}

const mc_reducer *mc_comm_reducer(void)
{
    return NULL;
}

int mc_comm_traffic(double *max_sent, double *max_received)
{
    *max_sent = *max_received = 0;
    return 0;
}

int mc_comm_bcast(void *buf, size_t len)
{
    (void)buf;
    (void)len;
    return 0;
}

int mc_comm_agree(int rc, char *msg, size_t len)
{
    (void)msg;
    (void)len;
    return rc;
}

#endif
