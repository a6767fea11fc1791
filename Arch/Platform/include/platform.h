// The few machine facts the portable layers need, behind one C header so that the same Swift
// source runs on bare metal and under `swift test`:
//   - which CPU am I on (kernel: the per-CPU area at the GS base; hosted: a thread-local set by
//     the test's simulated CPU thread),
//   - a fast monotonic timestamp (kernel: RDTSC; hosted: CLOCK_MONOTONIC in nanoseconds),
//   - a spin-wait hint (PAUSE).
// The kernel build defines K42_KERNEL; everything under that branch is x86_64-only and lives
// here, in the architecture folder, so the portable modules contain no inline assembly.
#pragma once
#include <stdint.h>

// Layout of the start of every CPU's per-CPU area (the GS base points at it in the kernel).
// Swift reaches these through the accessors below; Arch/x86_64 fills them at CPU bring-up.
typedef struct k42_cpu_area {
    struct k42_cpu_area *self_pointer; // +0  the area's own address (for `mov %gs:0, reg`)
    uint32_t cpu;                    // +8  logical CPU number, 0 = boot CPU
    uint32_t apic_id;                // +12
    void *local_translation_table;   // +16 this CPU's clustered-object local table
    void *kernel_stack_top;          // +24 TSS.rsp0 / syscall stack for this CPU
    void *user_stack_scratch;        // +32 scratch slot used by the syscall entry stub
    void *current_thread;            // +40 the running thread (scheduler)
    uint64_t reserved[10];
} k42_cpu_area;

#if defined(K42_KERNEL)

static inline __attribute__((always_inline)) uint32_t k42_cpu_id(void) {
    uint32_t v;
    __asm__ volatile("movl %%gs:8, %0" : "=r"(v));
    return v;
}
static inline __attribute__((always_inline)) k42_cpu_area *k42_cpu_area_self(void) {
    k42_cpu_area *v;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(v));
    return v;
}
static inline __attribute__((always_inline)) void *k42_local_translation_table(void) {
    void *v;
    __asm__ volatile("movq %%gs:16, %0" : "=r"(v));
    return v;
}
/// Zeroes one 4 KiB page with 8-byte stores (runtime.c). A call, not an inlined fill: the
/// compiler turns a constant-size fill into `rep stos`, which TCG runs one element at a time.
void k42_zero_page(void *page);
/// The running thread (the scheduler's `current`, unretained): one load from the CPU's area.
static inline __attribute__((always_inline)) void *k42_current_thread(void) {
    void *v;
    __asm__ volatile("movq %%gs:40, %0" : "=r"(v));
    return v;
}
static inline __attribute__((always_inline)) void k42_set_current_thread(void *thread) {
    __asm__ volatile("movq %0, %%gs:40" :: "r"(thread) : "memory");
}
static inline __attribute__((always_inline)) uint64_t k42_timestamp(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline __attribute__((always_inline)) void k42_cpu_relax(void) {
    __asm__ volatile("pause" ::: "memory");
}
static inline __attribute__((always_inline)) void k42_compiler_barrier(void) {
    __asm__ volatile("" ::: "memory");
}
/// Disables interrupts on this CPU and returns the previous flags (for per-CPU structures that
/// an interrupt handler on the same CPU may also touch).
static inline __attribute__((always_inline)) uint64_t k42_irq_save(void) {
    uint64_t f;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(f) :: "memory");
    return f;
}
static inline __attribute__((always_inline)) void k42_irq_restore(uint64_t flags) {
    if (flags & 0x200) __asm__ volatile("sti" ::: "memory");
}
/// Whether interrupts are enabled on this CPU (false in interrupt handlers and under irq_save):
/// code that may not yield the CPU (hot swap's waits spin instead).
static inline __attribute__((always_inline)) int k42_interrupts_enabled(void) {
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
    return (f & 0x200) != 0;
}

#else  // hosted: simulated CPUs are threads

extern _Thread_local k42_cpu_area *k42_hosted_cpu_area;
static inline uint32_t k42_cpu_id(void) { return k42_hosted_cpu_area ? k42_hosted_cpu_area->cpu : 0; }
static inline k42_cpu_area *k42_cpu_area_self(void) { return k42_hosted_cpu_area; }
static inline void *k42_local_translation_table(void) {
    return k42_hosted_cpu_area ? k42_hosted_cpu_area->local_translation_table : (void *)0;
}
static inline void k42_zero_page(void *page) { __builtin_memset(page, 0, 4096); }
static inline void *k42_current_thread(void) {
    return k42_hosted_cpu_area ? k42_hosted_cpu_area->current_thread : (void *)0;
}
static inline void k42_set_current_thread(void *thread) {
    if (k42_hosted_cpu_area) k42_hosted_cpu_area->current_thread = thread;
}
/// Binds the calling thread to a simulated CPU's area (tests call this first on each thread).
static inline void k42_hosted_bind_cpu(k42_cpu_area *area) { k42_hosted_cpu_area = area; }
uint64_t k42_timestamp(void);
void k42_cpu_relax(void);
static inline void k42_compiler_barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline uint64_t k42_irq_save(void) { return 0; }
static inline void k42_irq_restore(uint64_t flags) { (void)flags; }
static inline int k42_interrupts_enabled(void) { return 1; }
/// The CPU's time-stamp counter, hosted: what the kernel's clock reads, for benchmarks that
/// want the kernel's fast path on a real CPU (`k42-trace bench`). 0 where there is no TSC.
static inline uint64_t k42_hosted_rdtsc(void) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

#endif

/// The address the calling function will return to (its caller's PC), for trace events that
/// name a call site (lock contention). Always inlined, so in a Swift function that calls it
/// directly it is that function's return address; the same builtin serves both halves.
static inline __attribute__((always_inline)) void *k42_return_address(void) {
    return __builtin_return_address(0);
}
