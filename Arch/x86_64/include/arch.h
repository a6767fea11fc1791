/* The kernel module's bridging header: the x86_64 instructions Swift cannot express, as
 * static inline functions that Swift inlines (shared/research/embedded-swift.md 6.3), the
 * trap frame that entry.S builds, and the linker symbols of the image.
 * Only Arch/x86_64 Swift files call these; the portable layers see platform.h only. */
#pragma once
#include <stdint.h>
#include "layout.h"
#include "platform.h"

/* The frame isr_common pushes (lowest address first). */
typedef struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
} trap_frame;

/* Linker-script symbols (use their addresses only). */
extern char __image_phys_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[], __image_end[];
extern char __ksyms_start[], __ksyms_end[];
extern char __ap_trampoline_start[], __ap_trampoline_end[];
extern char isr_stubs[], k42_ap_entry[], boot_stack_top[];
extern uint64_t boot_pml4[512], boot_pdpt_hi[512], boot_pd[4 * 512];
extern uint64_t ap_boot_pml4[512], ap_boot_pdpt[512], ap_boot_pd[512];
extern uint8_t k42_bootstrap_arena[];
extern k42_cpu_area k42_boot_cpu_area;
static inline k42_cpu_area *arch_boot_cpu_area(void) { return &k42_boot_cpu_area; }
extern int k42_has_rdrand;
/* Pointers to the boot page tables (Swift imports C arrays as tuples; pointers are simpler). */
static inline uint64_t *arch_boot_pml4(void) { return boot_pml4; }
static inline uint64_t *arch_boot_pdpt_high(void) { return boot_pdpt_hi; }
static inline uint64_t *arch_boot_pd(void) { return boot_pd; }
static inline uint64_t *arch_ap_pml4(void) { return ap_boot_pml4; }
static inline uint64_t *arch_ap_pdpt(void) { return ap_boot_pdpt; }
static inline uint64_t *arch_ap_pd(void) { return ap_boot_pd; }
static inline uint8_t *arch_bootstrap_arena(void) { return k42_bootstrap_arena; }
#define BOOTSTRAP_ARENA_SIZE 8388608
static inline void arch_set_has_rdrand(int v) { k42_has_rdrand = v; }

/* Addresses of linker symbols (Swift cannot import arrays of unknown size). */
#define ARCH_SYMBOL(name) static inline uint64_t arch_##name(void) { return (uint64_t)(uintptr_t)name; }
ARCH_SYMBOL(__image_phys_start) ARCH_SYMBOL(__text_start) ARCH_SYMBOL(__text_end)
ARCH_SYMBOL(__rodata_start) ARCH_SYMBOL(__rodata_end) ARCH_SYMBOL(__data_start)
ARCH_SYMBOL(__bss_start) ARCH_SYMBOL(__bss_end) ARCH_SYMBOL(__image_end)
ARCH_SYMBOL(__ksyms_start) ARCH_SYMBOL(__ksyms_end)
ARCH_SYMBOL(__ap_trampoline_start) ARCH_SYMBOL(__ap_trampoline_end)
ARCH_SYMBOL(isr_stubs) ARCH_SYMBOL(k42_ap_entry) ARCH_SYMBOL(boot_stack_top)
extern char k42_thread_trampoline[], k42_syscall_entry[], k42_copy_user_fixup[];
extern char k42_user_access_start[], k42_user_access_end[];
ARCH_SYMBOL(k42_thread_trampoline) ARCH_SYMBOL(k42_syscall_entry) ARCH_SYMBOL(k42_copy_user_fixup)
ARCH_SYMBOL(k42_user_access_start) ARCH_SYMBOL(k42_user_access_end)

/* runtime.c */
void arc4random_buf(void *buf, unsigned long n);
static inline void arch_fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory"); }

/* switch.S */
void k42_context_switch(uint64_t *save_rsp, uint64_t new_rsp, void *save_fpu, void *load_fpu);
void k42_user_return(trap_frame *frame) __attribute__((noreturn));
uint64_t k42_copy_user(void *dst, const void *src, uint64_t n);
uint64_t k42_zero_user(void *dst, uint64_t n);
/* Atomic compare-and-swap of a user word (PI futexes): 0 = done, *actual = the old value; 1 = fault. */
uint64_t k42_cmpxchg_user32(uint32_t *uaddr, uint32_t expected, uint32_t desired, uint32_t *actual);
static inline void arch_fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory"); }
static inline void arch_ldmxcsr(uint32_t v) { __asm__ volatile("ldmxcsr %0" :: "m"(v)); }
static inline void arch_fninit(void) { __asm__ volatile("fninit"); }

/* Port I/O */
static inline void arch_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t arch_inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void arch_outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint16_t arch_inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void arch_outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint32_t arch_inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* MSRs and control registers */
static inline uint64_t arch_rdmsr(uint32_t msr) {
    uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo;
}
static inline void arch_wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t arch_read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t arch_read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t arch_read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t arch_read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void arch_write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void arch_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void arch_write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void arch_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

/* Descriptor tables */
struct __attribute__((packed)) arch_table_pointer { uint16_t limit; uint64_t base; };
static inline void arch_lgdt(uint64_t base, uint16_t limit) {
    struct arch_table_pointer p = { limit, base }; __asm__ volatile("lgdt %0" :: "m"(p));
}
static inline void arch_lidt(uint64_t base, uint16_t limit) {
    struct arch_table_pointer p = { limit, base }; __asm__ volatile("lidt %0" :: "m"(p));
}
static inline void arch_ltr(uint16_t selector) { __asm__ volatile("ltr %0" :: "r"(selector)); }

/* CPUID: returns the four registers through out[0..3] = eax, ebx, ecx, edx. */
static inline void arch_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *out) {
    __asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3]) : "a"(leaf), "c"(subleaf));
}

/* Interrupt flag, halting, timing */
static inline void arch_enable_interrupts(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void arch_disable_interrupts(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void arch_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti; hlt as one unit: an interrupt arriving between them still wakes the hlt. */
static inline void arch_enable_interrupts_and_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline uint64_t arch_read_flags(void) { uint64_t f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
static inline uint64_t arch_read_tsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline uint64_t arch_read_frame_pointer(void) { return (uint64_t)__builtin_frame_address(0); }
static inline int arch_rdrand64(uint64_t *out) {
    unsigned char ok; __asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok)); return ok;
}
static inline void arch_write_gs_base(uint64_t v) { arch_wrmsr(0xC0000101, v); }

/* Memory-mapped I/O: volatile 32-bit accesses (LAPIC, IOAPIC). */
static inline uint32_t arch_mmio_read32(uint64_t addr) { return *(volatile uint32_t *)addr; }
static inline void arch_mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }

/* Deliberately fault on a bad address (the panic test). */
static inline uint64_t arch_load_u64(uint64_t addr) { return *(volatile uint64_t *)addr; }
