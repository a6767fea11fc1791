/* Unbounded recursion: the stack grows on demand up to its limit (RLIMIT_STACK), then the
 * overflow is a SIGSEGV: fatal without a handler, caught by a handler running on an
 * alternate signal stack (sigaltstack(2)) otherwise. A deep but bounded recursion works. */
#include "abi.h"
#include <setjmp.h>
#include <signal.h>
static sigjmp_buf env;
static char *alt;
static volatile int on_alt, code;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc; code = si->si_code;
    char here; on_alt = &here >= alt && &here < alt + 65536;
    siglongjmp(env, sig);
}
static int recurse(int n) { volatile char pad[4096]; pad[0] = (char)n; return recurse(n + 1) + pad[0]; }
static int bounded(int n) { volatile char pad[1024]; pad[0] = (char)n; return n == 0 ? 0 : bounded(n - 1) + pad[0] - (char)n + 1; }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("4 MiB of stack in 1 KiB frames: %d\n", bounded(4000));
    int st;
    pid_t c = fork();
    if (c == 0) { recurse(0); _exit(0); }
    waitpid(c, &st, 0);
    printf("no handler: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    c = fork();
    if (c == 0) {
        alt = malloc(65536);
        stack_t ss = { .ss_sp = alt, .ss_size = 65536, .ss_flags = 0 };
        sigaltstack(&ss, NULL);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGSEGV, &sa, NULL);
        if (sigsetjmp(env, 1) == 0) recurse(0);
        printf("caught on the alternate stack: %d\n", on_alt);
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("with handler: exited=%d\n", WIFEXITED(st));
    return 0;
}
