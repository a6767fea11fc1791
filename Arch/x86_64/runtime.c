/* The C symbols the Embedded Swift runtime links against (shared/research/embedded-swift.md
 * section 2): memory primitives, the allocator entry points (forwarded to the kernel heap in
 * Memory/, through Kernel/RuntimeHooks.swift), putchar for print(), and arc4random_buf for
 * Hasher seeds. Nothing else in the kernel is C. */
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    /* rep stosb is fast on every CPU with ERMSB and never slower than a byte loop. */
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) :: "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy backwards. */
    d += n - 1; s += n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* Implemented in Swift (Kernel/RuntimeHooks.swift). */
extern void *k42_heap_allocate(size_t size, size_t alignment);
extern void k42_heap_free(void *p);
extern void k42_console_putchar(uint8_t c);

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < 16) alignment = 16;
    void *p = k42_heap_allocate(size, alignment);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

void free(void *p) {
    if (p) k42_heap_free(p);
}

int putchar(int c) {
    k42_console_putchar((uint8_t)c);
    return c;
}

/* Hasher seeds: RDRAND where the CPU has it (checked by the caller setting the flag), else a
 * splitmix64 stream seeded from the TSC. Dictionary order need not be secret in the kernel. */
int k42_has_rdrand;
void arc4random_buf(void *buf, size_t n) {
    static uint64_t state;
    unsigned char *out = buf;
    while (n > 0) {
        uint64_t v = 0;
        if (!(k42_has_rdrand && arch_rdrand64(&v))) {
            state += 0x9E3779B97F4A7C15ull ^ arch_read_tsc();
            v = state;
            v = (v ^ (v >> 30)) * 0xBF58476D1CE4E5B9ull;
            v = (v ^ (v >> 27)) * 0x94D049BB133111EBull;
            v ^= v >> 31;
        }
        for (int i = 0; i < 8 && n > 0; i++, n--) { *out++ = (unsigned char)v; v >>= 8; }
    }
}
