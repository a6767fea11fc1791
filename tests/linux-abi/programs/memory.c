/* brk/malloc, anonymous mmap/munmap/mprotect, copy-on-write after fork, MAP_SHARED across fork. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    size_t big = 32 << 20;
    unsigned char *p = malloc(big);
    memset(p, 0x5a, big);
    unsigned long sum = 0;
    for (size_t i = 0; i < big; i += 4096) sum += p[i];
    printf("malloc 32 MiB sum=%lu\n", sum);
    free(p);
    void *old = sbrk(0);
    void *grown = sbrk(65536);
    void *now = sbrk(0);
    printf("sbrk grows: %d\n", grown == old && now == (char *)old + 65536);
    char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap ok=%d zero=%d\n", m != MAP_FAILED, m[4096 * 7] == 0);
    m[0] = 1;
    printf("mprotect ro: %d\n", mprotect(m, 4096, PROT_READ));
    printf("munmap: %d\n", munmap(m, 1 << 20));
    { errno = 0; long r_ = (long)(munmap(m + 1, 4096)); int e_ = errno; printf("munmap unaligned: %ld errno=%d\n", r_, e_); }
    { errno = 0; long r_ = (long)(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED); int e_ = errno; printf("mmap length 0: %ld errno=%d\n", r_, e_); }
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *private = malloc(sizeof(int));
    *shared = 1; *private = 1;
    pid_t c = fork();
    if (c == 0) { *shared = 42; *private = 42; _exit(0); }
    int st; waitpid(c, &st, 0);
    printf("after child wrote: shared=%d private=%d\n", *shared, *private);
    return 0;
}
