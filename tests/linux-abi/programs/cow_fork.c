/* Copy-on-write after fork(2): private memory (anonymous mmap, heap, .data, .bss, stack)
 * diverges in both directions; MAP_SHARED anonymous memory stays shared, across
 * grandchildren too; read-only private pages stay shared until written; big regions. */
#include "abi.h"
#include <sys/mman.h>
int data_var = 1;
int bss_var;
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long pg = sysconf(_SC_PAGESIZE);
    size_t big = 8 << 20;
    char *priv = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *heap = malloc(100);
    int stack_var = 1;
    for (size_t i = 0; i < big; i += pg) priv[i] = 1;
    strcpy(heap, "parent");
    shared[0] = 1;
    int p[2], q[2]; pipe(p); pipe(q);  /* p: child to parent, q: parent to child */
    pid_t c = fork();
    if (c == 0) {
        /* The child writes everything, then reports what it sees after the parent's writes. */
        for (size_t i = 0; i < big; i += pg) priv[i] = 2;
        strcpy(heap, "child");
        data_var = 2; bss_var = 2; stack_var = 2; shared[0] = 2; shared[1] = 100;
        write(p[1], "w", 1);
        char x; read(q[0], &x, 1);   /* parent has written */
        long sum = 0;
        for (size_t i = 0; i < big; i += pg) sum += priv[i];
        printf("child sees: priv sum=%ld heap=%s data=%d bss=%d stack=%d shared=%d\n",
               sum, heap, data_var, bss_var, stack_var, shared[0]);
        _exit(0);
    }
    char x; read(p[0], &x, 1);
    long sum = 0;
    for (size_t i = 0; i < big; i += pg) sum += priv[i];
    printf("parent sees: priv sum=%ld heap=%s data=%d bss=%d stack=%d shared=%d/%d\n",
           sum, heap, data_var, bss_var, stack_var, shared[0], shared[1]);
    for (size_t i = 0; i < big; i += pg) priv[i] = 3;
    data_var = 3; shared[0] = 3;
    write(q[1], "w", 1);
    usleep(10000);
    int st; waitpid(c, &st, 0);

    /* Three generations increment a shared counter; private copies stay independent. */
    shared[2] = 0;
    int local = 0;
    for (int gen = 0; gen < 3; gen++) {
        pid_t k = fork();
        if (k != 0) { waitpid(k, &st, 0); break; }
        local++;
        __atomic_fetch_add(&shared[2], 1, __ATOMIC_SEQ_CST);
        if (gen == 2) _exit(0);
    }
    if (getpid() != 0 && local > 0) _exit(0);
    printf("three generations: shared counter=%d parent local=%d\n", shared[2], local);

    /* Many children each write their own copy of the same page. */
    char *page = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 'P';
    for (int i = 0; i < 8; i++) {
        if (fork() == 0) { page[0] = 'a' + i; shared[10 + i] = page[0] == 'a' + i; _exit(0); }
    }
    while (wait(&st) > 0) {}
    int ok = 0;
    for (int i = 0; i < 8; i++) ok += shared[10 + i];
    printf("eight children wrote private copies: %d ok, parent still %c\n", ok, page[0]);

    /* A page made read-only before fork, written after mprotect in the child only. */
    mprotect(page, pg, PROT_READ);
    c = fork();
    if (c == 0) { mprotect(page, pg, PROT_READ | PROT_WRITE); page[0] = 'C'; _exit(page[0]); }
    waitpid(c, &st, 0);
    printf("child unprotected and wrote %c; parent %c\n", WEXITSTATUS(st), page[0]);
    /* munmap in the child does not affect the parent. */
    c = fork();
    if (c == 0) { munmap(priv, big); _exit(0); }
    waitpid(c, &st, 0);
    printf("child munmap: parent still reads %d\n", priv[pg]);
    return 0;
}
