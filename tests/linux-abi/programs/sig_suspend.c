/* sigsuspend(2): atomically swaps the mask and waits; a signal blocked before is delivered
 * inside it; it returns -1/EINTR and restores the old mask. rt_sigtimedwait-free: a child
 * signals the parent at a known point through a pipe handshake. */
#include "abi.h"
#include <signal.h>
static volatile sig_atomic_t got[65], order[8], norder;
static void h(int sig) { got[sig]++; if (norder < 8) order[norder++] = sig; }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, h); signal(SIGUSR2, h); signal(SIGALRM, h);
    sigset_t block, old, waitmask, cur;
    sigemptyset(&block); sigaddset(&block, SIGUSR1); sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);

    /* Already pending when sigsuspend starts. */
    raise(SIGUSR1);
    printf("pending, not delivered: %d\n", got[SIGUSR1]);
    sigemptyset(&waitmask);
    errno = 0;
    int r = sigsuspend(&waitmask);
    int e = errno;
    printf("sigsuspend: %d errno=%d delivered=%d\n", r, e, got[SIGUSR1]);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("mask restored: usr1=%d usr2=%d\n", sigismember(&cur, SIGUSR1), sigismember(&cur, SIGUSR2));

    /* Sent by a child while we sleep; SIGUSR2 stays blocked in the wait mask. */
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        usleep(20000);
        kill(parent, SIGUSR2);
        usleep(20000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigemptyset(&waitmask); sigaddset(&waitmask, SIGUSR2);
    r = sigsuspend(&waitmask);
    e = errno;
    printf("woken by: usr1=%d usr2=%d r=%d errno=%d\n", got[SIGUSR1], got[SIGUSR2], r, e);
    sigset_t pend; sigpending(&pend);
    printf("usr2 pending=%d\n", sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("after unblock: usr2=%d\n", got[SIGUSR2]);
    int st; waitpid(c, &st, 0);

    /* Pending standard signals are delivered when unblocked, each once (they do not queue). */
    norder = 0; got[SIGUSR1] = got[SIGUSR2] = 0;
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR2); raise(SIGUSR1); raise(SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("delivered: %d signals, usr1=%d usr2=%d\n", norder, got[SIGUSR1], got[SIGUSR2]);

    /* pause() returns EINTR after a handled signal. */
    c = fork();
    if (c == 0) { usleep(20000); kill(parent, SIGALRM); _exit(0); }
    errno = 0;
    r = pause();
    e = errno;
    printf("pause: %d errno=%d alrm=%d\n", r, e, got[SIGALRM]);
    waitpid(c, &st, 0);
    return 0;
}
