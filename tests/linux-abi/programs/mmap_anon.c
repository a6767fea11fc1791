/* Anonymous mmap(2): zero fill, hints and MAP_FIXED replacing a mapping, MAP_FIXED_NOREPLACE
 * (EEXIST), munmap punching holes (fault caught and recovered with siglongjmp), mprotect
 * changes and their faults, partial munmap/mprotect splitting a mapping, EINVAL/ENOMEM rules,
 * /proc/self/maps showing the pieces (clipped to the test's range). Addresses are printed relative to the first mapping. */
#include "abi.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
static sigjmp_buf env;
static void on_segv(int sig) { siglongjmp(env, sig); }
static int touch(volatile char *p, int write) {
    if (sigsetjmp(env, 1)) return 0;
    if (write) *p = 7; else (void)*p;
    return 1;
}
static void maps_of(char *base, long len) {
    /* Print the lines of /proc/self/maps inside [base, base+len), relative offsets and perms. */
    static char buf[65536];
    int fd = open("/proc/self/maps", O_RDONLY);
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
    buf[n] = 0;
    close(fd);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi; char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
        /* Clipped to the window: a neighbour with the same flags may be merged into a line. */
        unsigned long b = (unsigned long)base, e = b + len;
        if (hi <= b || lo >= e) continue;
        if (lo < b) lo = b;
        if (hi > e) hi = e;
        printf("  map +%lx-+%lx %s\n", lo - b, hi - b, perms);
    }
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGSEGV, on_segv);
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap ok=%d aligned=%d\n", m != MAP_FAILED, ((unsigned long)m & (pg - 1)) == 0);
    int zero = 1;
    for (long i = 0; i < 16 * pg; i += 512) zero &= m[i] == 0;
    printf("zero filled=%d\n", zero);
    memset(m, 0xab, 16 * pg);
    T("munmap a hole (pages 4-5)", munmap(m + 4 * pg, 2 * pg));
    printf("hole: read=%d; neighbours: %d %d\n", touch(m + 4 * pg, 0), touch(m + 3 * pg + pg - 1, 0), touch(m + 6 * pg, 0));
    T("munmap the hole again", munmap(m + 4 * pg, 2 * pg));
    T("mprotect page 8 read-only", mprotect(m + 8 * pg, pg, PROT_READ));
    printf("page 8: read=%d write=%d value kept=%d\n", touch(m + 8 * pg, 0), touch(m + 8 * pg, 1), (unsigned char)m[8 * pg] == 0xab);
    T("mprotect page 9 none", mprotect(m + 9 * pg, pg, PROT_NONE));
    printf("page 9: read=%d\n", touch(m + 9 * pg, 0));
    T("mprotect over the hole", mprotect(m + 3 * pg, 4 * pg, PROT_READ));
    T("mprotect unaligned", mprotect(m + 1, pg, PROT_READ));
    maps_of(m, 16 * pg);

    /* MAP_FIXED replaces pages 10-11 with fresh zero pages. */
    char *f = mmap(m + 10 * pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at +10 pages: placed=%d zero=%d next page kept=%d\n", f == m + 10 * pg, f[0] == 0, (unsigned char)m[12 * pg] == 0xab);
    errno = 0;
    char *nr = mmap(m + 12 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int e = errno;
    printf("MAP_FIXED_NOREPLACE on a mapping: failed=%d errno=%d\n", nr == MAP_FAILED, e);
    nr = mmap(m + 4 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE in the hole: placed=%d readable=%d\n", nr == m + 4 * pg, touch(m + 4 * pg, 0));
    char *hint = mmap(m + 5 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hint in the free page honoured=%d\n", hint == m + 5 * pg);
    char *busy = mmap(m + 12 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hint on a busy page moved elsewhere=%d\n", busy != MAP_FAILED && busy != m + 12 * pg);
    munmap(busy, pg);

    T("munmap whole range incl. holes", munmap(m, 16 * pg));
    printf("all gone: %d %d\n", touch(m, 0), touch(m + 15 * pg, 0));
    maps_of(m, 16 * pg);

    errno = 0; void *r = mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0); e = errno;
    printf("neither private nor shared: failed=%d errno=%d\n", r == MAP_FAILED, e);
    errno = 0; r = mmap(m + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0); e = errno;
    printf("MAP_FIXED unaligned: failed=%d errno=%d\n", r == MAP_FAILED, e);
    errno = 0; r = mmap(NULL, (size_t)1 << 60, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); e = errno;
    printf("huge: failed=%d errno=%d\n", r == MAP_FAILED, e);
    errno = 0; r = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, -1, 0); e = errno;
    printf("file mapping with fd -1: failed=%d errno=%d\n", r == MAP_FAILED, e);
    T("munmap length 0", munmap(m, 0));
    T("munmap unmapped range", munmap(m, pg));
    T("mprotect unmapped", mprotect(m, pg, PROT_READ));
    /* Odd lengths round up to whole pages. */
    char *odd = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("100-byte mapping: whole page usable=%d\n", touch(odd + pg - 1, 1));
    T("munmap 1 byte unmaps the page", munmap(odd, 1));
    printf("gone=%d\n", !touch(odd, 0));
    /* Many small mappings. */
    int okc = 0;
    char *many[200];
    for (int i = 0; i < 200; i++) { many[i] = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); if (many[i] != MAP_FAILED) { many[i][0] = (char)i; okc++; } }
    int good = 0;
    for (int i = 0; i < 200; i++) { good += many[i][0] == (char)i; munmap(many[i], pg); }
    printf("200 mappings: created=%d intact=%d\n", okc, good);
    return 0;
}
