// Hosted half of platform.h: what `swift test` links. The kernel never compiles this file.
#if !defined(K42_KERNEL)
#include <sched.h>
#include <time.h>
#include "platform.h"

_Thread_local k42_cpu_area *k42_hosted_cpu_area;

uint64_t k42_timestamp(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void k42_cpu_relax(void) {
#if defined(__x86_64__)
    __asm__ volatile("pause" ::: "memory");
#else
    sched_yield();
#endif
}
#endif
