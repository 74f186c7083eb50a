/* mc_cpu.c: the vector extensions of this CPU, asked once (mc_cpu.h). */
#include "mc_cpu.h"

#include <stdatomic.h>

/* -1 until asked; threads that ask at the same time store the same */
static atomic_int detected = -1;
static atomic_int limit = MC_CPU_AVX512;

static mc_cpu detect(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2"))
        return MC_CPU_PORTABLE;
    return __builtin_cpu_supports("avx512f") ? MC_CPU_AVX512 : MC_CPU_AVX2;
#else
    return MC_CPU_PORTABLE;
#endif
}

mc_cpu mc_cpu_level(void)
{
    int d = atomic_load_explicit(&detected, memory_order_relaxed);
    if (d < 0) {
        d = (int)detect();
        atomic_store_explicit(&detected, d, memory_order_relaxed);
    }
    int l = atomic_load_explicit(&limit, memory_order_relaxed);
    return (mc_cpu)(d < l ? d : l);
}

void mc_cpu_limit(mc_cpu widest)
{
    atomic_store_explicit(&limit, (int)widest, memory_order_relaxed);
}
