/* SIGSEGV and SIGBUS in detail: si_addr is the faulting address (checked relative to the
 * mapping), si_code SEGV_MAPERR for unmapped and SEGV_ACCERR for protection faults, the
 * handler may siglongjmp out, and a fault with SIGSEGV blocked, ignored or at its default
 * kills. (Stack overflow: stack_overflow.c.) */
#include "abi.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
static sigjmp_buf env;
static volatile void *addr;
static volatile int code;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    addr = si->si_addr; code = si->si_code;
    siglongjmp(env, sig);
}
static int probe(volatile char *p, int write) {
    addr = 0; code = 0;
    int sig = sigsetjmp(env, 1);
    if (sig == 0) { if (write) *p = 1; else (void)*p; return 0; }
    return sig;
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 2 * page, page);
    mprotect(m + page, page, PROT_READ);
    int sig = probe(m + 100, 1);
    printf("writable page: sig=%d\n", sig);
    sig = probe(m + page + 123, 0);
    printf("read-only page read: sig=%d\n", sig);
    sig = probe(m + page + 123, 1);
    printf("read-only page write: sig=%d addr offset=%ld ACCERR=%d\n", sig, (long)((char *)addr - m), code == SEGV_ACCERR);
    sig = probe(m + 2 * page + 7, 0);
    printf("hole read: sig=%d addr offset=%ld MAPERR=%d\n", sig, (long)((char *)addr - m), code == SEGV_MAPERR);
    mprotect(m + 3 * page, page, PROT_NONE);
    sig = probe(m + 3 * page + 1, 0);
    printf("PROT_NONE read: sig=%d addr offset=%ld ACCERR=%d\n", sig, (long)((char *)addr - m), code == SEGV_ACCERR);
    sig = probe((char *)0 + 42, 0);
    printf("null+42: sig=%d addr=%ld MAPERR=%d\n", sig, (long)addr, code == SEGV_MAPERR);
    sig = probe((char *)0x800000000000UL, 0);
    printf("non-canonical: sig=%d\n", sig);
    extern char __executable_start[];
    sig = probe(__executable_start + 16, 1);
    printf("write to text: sig=%d ACCERR=%d\n", sig, code == SEGV_ACCERR);
    mprotect(m + page, page, PROT_READ | PROT_WRITE);
    sig = probe(m + page + 5, 1);
    printf("after mprotect back: sig=%d value=%d\n", sig, m[page + 5]);

    int st;
    pid_t c;
    /* Without a handler, or when the handler itself faults with SIGSEGV blocked: killed. */
    c = fork();
    if (c == 0) { signal(SIGSEGV, SIG_DFL); *(volatile char *)(m + 2 * page) = 1; _exit(0); }
    waitpid(c, &st, 0);
    printf("default: sig=%d\n", WTERMSIG(st));
    c = fork();
    if (c == 0) {
        sigset_t s; sigemptyset(&s); sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        *(volatile char *)(m + 2 * page) = 1;
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("blocked SIGSEGV fault: sig=%d\n", WTERMSIG(st));
    c = fork();
    if (c == 0) { signal(SIGSEGV, SIG_IGN); *(volatile char *)(m + 2 * page) = 1; _exit(0); }
    waitpid(c, &st, 0);
    printf("ignored SIGSEGV fault: sig=%d\n", WTERMSIG(st));
    return 0;
}
