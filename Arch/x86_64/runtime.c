/* The C symbols the Embedded Swift runtime links against (shared/research/embedded-swift.md
 * section 2): memory primitives, the allocator entry points (forwarded to the kernel heap in
 * Memory/, through Kernel/RuntimeHooks.swift), putchar for print(), and arc4random_buf for
 * Hasher seeds. Nothing else in the kernel is C. */
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

/* Word loops, not rep movsb/stosb: under QEMU's TCG every iteration of a rep string instruction
 * is a separate trip through the translated-code loop, so a byte-granular rep is about 8 times
 * slower per byte than a rep of 8-byte words and slower still than an unrolled loop of 8-byte
 * moves, which TCG translates into one block of plain loads and stores. On hardware this loop is
 * within a small factor of ERMSB, and the kernel's large copies are page-sized anyway.
 * (-fno-builtin keeps clang from turning these loops back into calls to memcpy/memset.) */
typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    uint64_t v = (uint64_t)(unsigned char)c * 0x0101010101010101ull;
    for (; n >= 64; n -= 64, d += 64) {
        unaligned_u64 *w = (unaligned_u64 *)d;
        w[0] = v; w[1] = v; w[2] = v; w[3] = v; w[4] = v; w[5] = v; w[6] = v; w[7] = v;
    }
    for (; n >= 8; n -= 8, d += 8) *(unaligned_u64 *)d = v;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

void k42_zero_page(void *page) { memset(page, 0, 4096); }

void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (; n >= 64; n -= 64, d += 64, s += 64) {
        const unaligned_u64 *r = (const unaligned_u64 *)s;
        unaligned_u64 *w = (unaligned_u64 *)d;
        uint64_t a = r[0], b = r[1], e = r[2], f = r[3];
        w[0] = a; w[1] = b; w[2] = e; w[3] = f;
        a = r[4]; b = r[5]; e = r[6]; f = r[7];
        w[4] = a; w[5] = b; w[6] = e; w[7] = f;
    }
    for (; n >= 8; n -= 8, d += 8, s += 8) *(unaligned_u64 *)d = *(const unaligned_u64 *)s;
    while (n--) *d++ = *s++;
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
