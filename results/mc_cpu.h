/* mc_cpu.h: the vector extensions results/ may use, detected once.
 *
 * mc_qstream_add.c bins values and mc_sens.c finds rank cells with AVX-512 or
 * AVX2 loops where the CPU has them, else with portable ones; every path
 * gives the same bits.  The CPU is asked once (the first mc_cpu_level);
 * a limit set with mc_cpu_limit keeps the library to a narrower path, so
 * that tests and benchmarks can run each one.  The library reads no
 * environment variable: the program does (main.c: BREAKEVEN_NO_AVX2,
 * BREAKEVEN_NO_AVX512) and passes the limit in.
 */
#ifndef MC_CPU_H
#define MC_CPU_H

typedef enum mc_cpu {
    MC_CPU_PORTABLE = 0,              /* plain C loops */
    MC_CPU_AVX2 = 1,                  /* AVX2 */
    MC_CPU_AVX512 = 2                 /* AVX-512F (and AVX2) */
} mc_cpu;

/* The widest path this CPU has, at most the limit.  Read when a quantile
 * stream or rank map is made (mc_qs_new, mc_rankmap_new), which keeps
 * it for its life. */
mc_cpu mc_cpu_level(void);

/* Sets the limit (MC_CPU_AVX512, the default, is none).  Like GSL's
 * global switches, set it at program startup, before any thread; tests
 * may change it between runs. */
void mc_cpu_limit(mc_cpu widest);

#endif
