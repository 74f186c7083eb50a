/* mc_cli_check.c: the checks before a run, which print what is wrong
 * and return the exit code: the scenario file, the run folder's default
 * name and the folders it must not replace, memory, and threads. */
#define _XOPEN_SOURCE 700        /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_cli.h"
#include "mc_cli_impl.h"
#include "mc_engine.h"
#include "mc_saltelli.h"

/* What a path that could not be opened or searched turned out to be. */
static const char *found_for(int e)
{
    switch (e) {
    case ENOENT:
        return "no such file";
    case EACCES:
        return "no permission to read it";
    case ENOTDIR:
        return "a path through a file";
    case EISDIR:
        return "a folder";
    default:
        return "an error";
    }
}

/* The scenario file: present, a regular file, readable.  0 or an exit
 * code (message printed).  The loader reports what goes wrong later.
 * Nothing else is opened: opening a FIFO waits for a writer, forever if
 * none comes, and reading a device (/dev/zero) never ends or means
 * nothing. */
int mc_cli_check_config_(const char *path)
{
    struct stat st;
    int e = 0;
    if (stat(path, &st) != 0) {
        e = errno;
    } else if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "breakeven: %s: expected a scenario file, found a "
                "folder\n", path);
        return MC_EXIT_IO;
    } else if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "breakeven: %s: expected a regular scenario file, "
                "found %s\n", path,
                S_ISFIFO(st.st_mode) ? "a FIFO"
                : S_ISCHR(st.st_mode) ? "a character device"
                : S_ISBLK(st.st_mode) ? "a block device"
                : S_ISSOCK(st.st_mode) ? "a socket" : "a special file");
        return MC_EXIT_IO;
    } else {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            e = errno;
        else
            close(fd);
    }
    if (e == 0)
        return 0;
    fprintf(stderr, "breakeven: %s: expected a readable scenario file, "
            "found %s (%s)\n", path, found_for(e), strerror(e));
    return MC_EXIT_IO;
}

/* "runs/<name>": the scenario's name made into one folder name, one to
 * one, so that two scenarios never share a default folder.  Letters,
 * digits, '_', '-' and '.' stay (but a leading '.', which would hide the
 * folder and makes "." and ".."); every other byte, '%' included, becomes
 * %XX (hexadecimal, as in a URL): "a/b" -> "a%2Fb", "a_b" -> "a_b",
 * "." -> "%2E", ".." -> "%2E.", "~" -> "%7E", "my run" -> "my%20run".
 * -1 if it does not fit in len. */
int mc_cli_default_outdir_(const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "runs/");
    return n < 0 || (size_t)n >= len
               ? -1 : mc_cli_folder_name_(name, buf + n, len - (size_t)n);
}

int mc_cli_folder_name_(const char *name, char *buf, size_t len)
{
    static const char keep[] = "abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
    size_t n = 0;
    if (len == 0)
        return -1;
    buf[0] = '\0';
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int plain = *p != '\0' && strchr(keep, *p) != NULL &&
                    !(p == (const unsigned char *)name && *p == '.');
        int w = plain ? snprintf(buf + n, len - n, "%c", *p)
                      : snprintf(buf + n, len - n, "%%%02X", *p);
        if (w < 0 || (size_t)w >= len - n)
            return -1;
        n += (size_t)w;
    }
    return 0;
}

/* The folders --out may be neither equal to nor above: the current one,
 * the home folder ($HOME and the account's), and each scenario file's. */
void mc_cli_guard_folders_(mc_outdir_guard *g, const char *const *configs,
                           size_t n, char *dirs, size_t cap)
{
    size_t k = 0;
    g->protect[k++] = (mc_outdir_protect){".", "the current folder"};
    const char *home = getenv("HOME");
    if (home != NULL && *home != '\0')
        g->protect[k++] = (mc_outdir_protect){home, "the home folder"};
    struct passwd *pw = getpwuid(geteuid());
    if (pw != NULL && pw->pw_dir != NULL && *pw->pw_dir != '\0')
        g->protect[k++] = (mc_outdir_protect){pw->pw_dir, "the home folder"};
    for (size_t i = 0; i < n && k + 1 < MC_OUTDIR_PROTECT_MAX; i++) {
        char *real = configs[i] != NULL ? realpath(configs[i], NULL) : NULL;
        char *dir = dirs + i * cap;
        if (real != NULL && strlen(real) < cap) {
            memcpy(dir, real, strlen(real) + 1);
            char *slash = strrchr(dir, '/');
            if (slash != NULL)
                slash[slash == dir] = '\0';
            g->protect[k++] = (mc_outdir_protect){dir,
                                                  "the scenario file's folder"};
        }
        free(real);
    }
    g->protect[k].path = NULL;
}

/* The memory a run needs at 1 thread with x horizons or x samples, or
 * at x threads (a shallow copy: mc_engine_memory_bytes reads counts). */
typedef double (*need_fn)(const mc_scenario *s, size_t x);

static double need_threads(const mc_scenario *s, size_t x)
{
    return mc_engine_memory_bytes(s, (int)x);
}

static double need_horizons(const mc_scenario *s, size_t x)
{
    mc_scenario t = *s;
    t.n_horizons = x;
    return mc_engine_memory_bytes(&t, 1);
}

static double need_samples(const mc_scenario *s, size_t x)
{
    mc_scenario t = *s;
    t.samples = x;
    return mc_engine_memory_bytes(&t, 1);
}

/* The largest x in [1, hi] whose run needs at most room bytes, or 0 if
 * even 1 does not fit (the need grows with x). */
static size_t largest_fit(const mc_scenario *s, need_fn need, size_t hi,
                          double room)
{
    size_t lo = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (need(s, mid) <= room)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The run does not fit in 90% of the memory: what does not, and what
 * would.  The per-thread buffers grow with the horizons (four curve
 * points each, every one with its quantile counts), so a run whose
 * threads are the trouble gets the most threads that fit; a run too
 * large even at one thread gets the horizons and the samples that would
 * fit (up to MC_QS_PILOT samples a run keeps them all and needs no
 * counts, so fewer samples can be the way out). */
static void refuse_memory(const mc_scenario *s, int asked,
                          const char *config, double need, double have)
{
    const double gib = 1073741824.0, room = 0.9 * have;
    int threads = mc_engine_threads(asked);
    size_t most = largest_fit(s, need_threads, (size_t)threads, room);
    if (most >= 1) {
        fprintf(stderr, "breakeven: %s: expected a run of %s that fits in "
                "90%% of this machine's %.1f GiB of memory (at most about %zu "
                "thread%s), found %d threads, which need %.1f GiB\n",
                asked > 0 ? "--threads" : "OMP_NUM_THREADS", config,
                have / gib, most, most == 1 ? "" : "s", threads, need / gib);
        return;
    }
    size_t h = largest_fit(s, need_horizons, s->n_horizons, room);
    size_t n = largest_fit(s, need_samples, (size_t)s->samples, room);
    char what[160];
    if (h > 0 && n > 0)
        snprintf(what, sizeof what, "at most about %zu horizons at these "
                 "samples, or %zu samples at these horizons", h, n);
    else if (h > 0 || n > 0)
        snprintf(what, sizeof what, "at most about %zu %s", h > 0 ? h : n,
                 h > 0 ? "horizons at these samples"
                       : "samples at these horizons");
    else
        snprintf(what, sizeof what, "fewer horizons and fewer samples");
    fprintf(stderr, "breakeven: %s: expected a run that fits in 90%% of this "
            "machine's %.1f GiB of memory, found %zu horizons and %llu "
            "samples, which need %.1f GiB even at 1 thread (lower them: %s)"
            "\n", config, have / gib, s->n_horizons,
            (unsigned long long)s->samples, need_threads(s, 1) / gib, what);
}

/* Memory: a run that does not fit in 90% of this machine's is refused
 * before anything starts, a usage error (exit 2); the Saltelli design
 * keeps its N (d + 2) evaluations of every output (for the bootstrap),
 * so the scenario's sobol_samples must fit beside the run, else a
 * scenario error (exit 3). */
int mc_cli_check_memory_(const mc_scenario *s, int threads,
                         const char *config)
{
    double need = mc_engine_memory_bytes(s, threads);
    double have = (double)sysconf(_SC_PHYS_PAGES) *
                  (double)sysconf(_SC_PAGESIZE);
    if (have > 0 && need > 0.9 * have) {
        refuse_memory(s, threads, config, need, have);
        return MC_EXIT_USAGE;
    }
    if (s->sensitivity == MC_SENS_SOBOL) {
        int cols[MC_NCOLS];
        double sb = mc_saltelli_bytes((size_t)s->sobol_samples,
                                      mc_engine_sens_inputs(s, cols),
                                      (size_t)s->layout.nout);
        if (have > 0 && need + sb > 0.9 * have) {
            fprintf(stderr, "breakeven: %s: $.sensitivity.sobol_samples: "
                    "expected a Saltelli design that fits in 90%% of this "
                    "machine's %.1f GiB of memory, found %llu rows, which "
                    "need %.1f GiB\n", config, have / 1073741824.0,
                    (unsigned long long)s->sobol_samples, sb / 1073741824.0);
            return MC_EXIT_SCENARIO;
        }
    }
    return 0;
}

/* Threads per CPU above which a request is worth a warning.  The
 * results are the same at any count, and the tests run 7 threads on 2
 * CPUs on purpose (3.5 per CPU) to show it; a few threads per CPU only
 * cost a little time-slicing.  Far beyond that the extra threads add
 * their buffers (megabytes each) and no speed: more likely a slip
 * (--threads 64 for 6, an OMP_NUM_THREADS meant for another machine)
 * than a wish, so the run goes on with one line to say so. */
#define THREADS_PER_CPU_WARN 4

/* One warning line when the threads the run will ask for are more than
 * THREADS_PER_CPU_WARN per CPU this process may run on (its affinity
 * mask, which libgomp's omp_get_num_procs counts: taskset, cgroups'
 * cpusets, Slurm).  Not with --quiet. */
void mc_cli_warn_threads_(int asked, int quiet)
{
    int cpus = omp_get_num_procs(), t = mc_engine_threads(asked);
    if (quiet || cpus < 1 || t <= THREADS_PER_CPU_WARN * cpus)
        return;
    fprintf(stderr, "breakeven: warning: %d threads (%s) are more than %d "
            "per CPU for the %d CPU%s this process may use; the run goes on, "
            "no faster than with %d thread%s and with more memory\n", t,
            asked > 0 ? "--threads" : "OMP_NUM_THREADS",
            THREADS_PER_CPU_WARN, cpus, cpus == 1 ? "" : "s", cpus,
            cpus == 1 ? "" : "s");
}
