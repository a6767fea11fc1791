/* brk(2) and sbrk(3): the break starts page-unaligned-ok after .bss, grows and shrinks,
 * fresh memory is zero (also after shrinking and growing again), freed pages fault,
 * brk(0)/sbrk(0) report without changing, an impossible brk leaves it unchanged. */
#include "abi.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
static sigjmp_buf env;
static void on_segv(int sig) { siglongjmp(env, sig); }
static int readable(volatile char *p) { if (sigsetjmp(env, 1)) return 0; (void)*p; return 1; }
extern char end[];
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGSEGV, on_segv);
    long pg = sysconf(_SC_PAGESIZE);
    char *start = (char *)syscall(SYS_brk, 0);
    printf("brk(0) at or after end of bss: %d\n", start >= end);
    printf("brk(0) again same: %d\n", (char *)syscall(SYS_brk, 0) == start);
    char *want = start + 10 * pg + 123;
    char *got = (char *)syscall(SYS_brk, want);
    printf("grow by 10 pages + 123: returned exact=%d\n", got == want);
    int zero = 1;
    for (char *q = start; q < want; q += 256) zero &= *q == 0;
    printf("new memory zero=%d last byte readable=%d\n", zero, readable(want - 1));
    memset(start, 0x5a, want - start);
    got = (char *)syscall(SYS_brk, start + pg);
    printf("shrink to 1 page: exact=%d freed page faults=%d kept page readable=%d\n", got == start + pg, !readable(start + 3 * pg), readable(start + pg - 1));
    got = (char *)syscall(SYS_brk, start + 4 * pg);
    printf("grow again: zero=%d kept=%d\n", start[2 * pg] == 0 && start[3 * pg] == 0, (unsigned char)start[pg - 1] == 0x5a);
    got = (char *)syscall(SYS_brk, start - 100 * pg);
    printf("below start refused, returns current=%d\n", got == start + 4 * pg);
    got = (char *)syscall(SYS_brk, (char *)0x7ff000000000UL);
    printf("absurd refused, returns current=%d\n", got == start + 4 * pg);
    syscall(SYS_brk, start);

    /* sbrk(3) over the same system call. */
    void *b0 = sbrk(0);
    void *b1 = sbrk(5000);
    void *b2 = sbrk(0);
    printf("sbrk(5000): old=%d new=%d\n", b1 == b0, (char *)b2 == (char *)b0 + 5000);
    memset(b1, 1, 5000);
    void *b3 = sbrk(-5000);
    printf("sbrk(-5000): returns old top=%d back to start=%d\n", b3 == b2, sbrk(0) == b0);
    /* A mapping right above the break stops it from growing over it. */
    char *top = sbrk(0);
    char *blocker = (char *)(((unsigned long)top + 2 * pg + pg - 1) & ~(pg - 1));
    void *m = mmap(blocker, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m == blocker) {
        errno = 0;
        void *r = sbrk(4 * pg);
        int e = errno;
        printf("sbrk into a mapping: failed=%d errno=%d unchanged=%d\n", r == (void *)-1, e, sbrk(0) == top);
        munmap(m, pg);
    } else printf("could not place blocker\n");
    /* malloc of many small blocks (brk-backed) survives a fork. */
    char *blocks[1000];
    for (int i = 0; i < 1000; i++) { blocks[i] = malloc(64); memset(blocks[i], i & 0xff, 64); }
    pid_t c = fork();
    if (c == 0) { int ok = 1; for (int i = 0; i < 1000; i++) ok &= blocks[i][63] == (char)(i & 0xff); _exit(ok); }
    int st; waitpid(c, &st, 0);
    printf("heap blocks intact in child: %d\n", WEXITSTATUS(st));
    return 0;
}
