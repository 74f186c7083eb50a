/* mc_stop.c: signals, a library's exit, thread creation and a closed
 * standard output (mc_stop.h).
 *
 * Signals.  breakeven runs OpenMP threads, so an asynchronous signal
 * handler could run on any of them, in the middle of anything, and could
 * only use async-signal-safe calls.  Instead, mc_stop_start blocks the
 * fatal signals in the main thread before any other thread exists: every
 * thread created later (OpenMP's workers are created from the main
 * thread) inherits the block, and one dedicated thread, stop_thread,
 * takes the signals with sigwait.  It is ordinary code, not a handler:
 *
 *   1. mc_outdir_interrupt (results/mc_outdir.c) takes the run folder's
 *      lock, held by every step that changes which folders and files
 *      exist: creating the parent folders and the temporary folder,
 *      creating a file in it, and the commit from the swap to the removal
 *      of the old results.  A signal during the commit thus waits for the
 *      commit to finish (what blocking the signals around it would do),
 *      and a commit cannot be split.
 *   2. It finds one of: nothing begun (loading, sampling: nothing on
 *      disk); a run being written (it removes what the run created and
 *      any parent folder it made; the target, with the previous results,
 *      was never touched); or a finished commit (the results are
 *      complete).  It keeps the lock, so the main thread, which may still
 *      be formatting or writing, can create nothing more.
 *   3. stop_thread writes one line saying which and leaves with
 *      _exit(MC_EXIT_INTERRUPTED): not exit(), whose atexit handlers and
 *      stdio flushes must not run under the other, still running threads.
 *
 * The signals are those whose default action ends a process and that a
 * process can catch: SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1,
 * SIGUSR2, SIGALRM, SIGXCPU, SIGXFSZ (SIGKILL and SIGSTOP cannot be
 * caught; SIGSEGV and its kin mean a bug, and a core dump serves better).
 * SIGPIPE and SIGXFSZ are raised by a write in the thread that wrote;
 * blocked, they turn into the write's EPIPE and EFBIG errors, which the
 * writing code reports (a file: exit 4; standard output:
 * mc_stop_flush_stdout, which stops the run as SIGPIPE does).  A signal
 * that is ignored when breakeven starts (nohup, a background job of a
 * shell without job control) stays ignored, as shells expect.
 *
 * A library's exit.  The OpenMP runtime ends the process with exit(1)
 * when it cannot create a thread; an atexit handler then removes a run
 * folder being written, as a signal would.  mc_stop_prepare_threads makes
 * that unlikely: it creates the run's threads before any file exists. */
#define _GNU_SOURCE             /* sigwait with the POSIX feature macros */

#include "mc_stop.h"

#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_cli.h"
#include "mc_results.h"

static const struct {
    int sig;
    const char *name;
} fatal[] = {
    {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
    {SIGPIPE, "SIGPIPE"}, {SIGTERM, "SIGTERM"}, {SIGUSR1, "SIGUSR1"},
    {SIGUSR2, "SIGUSR2"}, {SIGALRM, "SIGALRM"}, {SIGXCPU, "SIGXCPU"},
    {SIGXFSZ, "SIGXFSZ"},
};
#define NFATAL (sizeof fatal / sizeof fatal[0])

static sigset_t stop_set;
static atomic_int progress_shown;      /* a progress line is on stderr */
static char stop_outdir[4096];         /* the run folder, once known */
static atomic_int stop_outdir_known;
static atomic_int finished;            /* mc_cli_main has returned */
static atomic_int preparing;           /* threads being started, or 0 */

const char *mc_stop_signal_name(int sig)
{
    for (size_t i = 0; i < NFATAL; i++)
        if (fatal[i].sig == sig)
            return fatal[i].name;
    return "a signal";
}

void mc_stop_set_outdir(const char *dir)
{
    snprintf(stop_outdir, sizeof stop_outdir, "%s", dir);
    atomic_store(&stop_outdir_known, 1);
}

void mc_stop_progress_shown(void)
{
    atomic_store(&progress_shown, 1);
}

static int is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One line on stderr with write(2) only: other threads may hold stdio's
 * locks. */
static void say(const char *line)
{
    size_t n = strlen(line);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(STDERR_FILENO, line + done, n - done);
        if (w <= 0 && errno != EINTR)
            break;
        if (w > 0)
            done += (size_t)w;
    }
}

/* Removes the run being written and says what became of it; why is
 * "interrupted by SIGTERM" or the like.  Never returns: the lock of the
 * run folder stays held until the process exits. */
static void stop_now(const char *why, int code)
{
    static char target[4096], tmp[4096], line[3 * 4096];
    int state = mc_outdir_interrupt(target, tmp, sizeof target);
    const char *nl = atomic_load(&progress_shown) ? "\n" : "";
    const char *dir = target[0] != '\0' ? target
                      : atomic_load(&stop_outdir_known) ? stop_outdir : NULL;
    if (state == MC_OUTDIR_COMMITTED) {
        snprintf(line, sizeof line, "%sbreakeven: %s after the run was "
                 "complete; the results in %s are complete\n", nl, why, dir);
    } else if (state == MC_OUTDIR_LEFT) {
        snprintf(line, sizeof line, "%sbreakeven: %s while writing; no "
                 "results written to %s, but the temporary folder %s could "
                 "not be removed entirely\n", nl, why, dir, tmp);
    } else if (dir == NULL) {
        snprintf(line, sizeof line, "%sbreakeven: %s; no results written\n",
                 nl, why);
    } else {
        int old = is_folder(dir);
        snprintf(line, sizeof line, "%sbreakeven: %s; no results written, "
                 "%s%s%s\n", nl, why, old ? "previous results in " : "", dir,
                 old ? " are intact" : " was not created");
    }
    say(line);
    _exit(code);
}

static void *stop_thread(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0)
        ;
    char why[64];
    snprintf(why, sizeof why, "interrupted by %s", mc_stop_signal_name(sig));
    stop_now(why, MC_EXIT_INTERRUPTED);
    return NULL;
}

/* exit() called by a library (the OpenMP runtime when it cannot create a
 * thread) rather than by mc_cli_main's return. */
static void at_exit(void)
{
    if (atomic_load(&finished))
        return;
    char why[160];
    int nt = atomic_load(&preparing);
    if (nt > 0)
        snprintf(why, sizeof why, "expected to start %d OpenMP threads, "
                 "found that the OpenMP runtime could not (its message is "
                 "above)", nt);
    else
        snprintf(why, sizeof why, "stopped by a library (its message is "
                 "above)");
    stop_now(why, MC_EXIT_INTERNAL);
}

void mc_stop_finished(void)
{
    atomic_store(&finished, 1);
}

void mc_stop_start(void)
{
    sigemptyset(&stop_set);
    int any = 0;
    for (size_t i = 0; i < NFATAL; i++) {
        struct sigaction old;
        if (sigaction(fatal[i].sig, NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        sigaddset(&stop_set, fatal[i].sig);
        any = 1;
    }
    atexit(at_exit);
    sigset_t before;
    if (!any || pthread_sigmask(SIG_BLOCK, &stop_set, &before) != 0)
        return;
    pthread_t t;
    int e = pthread_create(&t, NULL, stop_thread, NULL);
    if (e != 0) {
        fprintf(stderr, "breakeven: expected to create a thread, found an "
                "error (%s); no results written\n", strerror(e));
        atomic_store(&finished, 1);
        exit(MC_EXIT_INTERNAL);
    }
    pthread_detach(t);
}

/* ---- threads ----------------------------------------------------------- */

typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t open;
    int opened;
} gate;

/* Waits until the gate opens, so that every probe thread exists at once. */
static void *wait_at_gate(void *arg)
{
    gate *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->opened)
        pthread_cond_wait(&g->open, &g->lock);
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

int mc_stop_prepare_threads(int nt, char *msg, size_t len)
{
    if (nt <= 1)
        return 0;
    pthread_t *t = calloc((size_t)nt, sizeof *t);
    if (t == NULL) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    int made = 0, e = 0;
    /* the team is this thread and nt - 1 others */
    while (made < nt - 1 &&
           (e = pthread_create(&t[made], NULL, wait_at_gate, &g)) == 0)
        made++;
    pthread_mutex_lock(&g.lock);
    g.opened = 1;
    pthread_cond_broadcast(&g.open);
    pthread_mutex_unlock(&g.lock);
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
    free(t);
    if (e != 0) {
        snprintf(msg, len, "expected to create the %d threads asked for, "
                 "found that only %d could be (%s); ask for fewer with "
                 "--threads, or raise the limit on processes (ulimit -u)",
                 nt, made + 1, strerror(e));
        return -1;
    }
    /* OpenMP keeps the team's threads for the later regions */
    atomic_store(&preparing, nt);
    #pragma omp parallel num_threads(nt)
    {
        (void)omp_get_thread_num();
    }
    atomic_store(&preparing, 0);
    return 0;
}

/* ---- standard output -------------------------------------------------- */

int mc_stop_flush_stdout(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    if (errno == EPIPE && sigismember(&stop_set, SIGPIPE) == 1) {
        /* The write's own SIGPIPE was blocked and is pending on this
         * thread only; a signal to the process reaches stop_thread. */
        kill(getpid(), SIGPIPE);
        for (;;)
            pause();
    }
    return -1;
}
