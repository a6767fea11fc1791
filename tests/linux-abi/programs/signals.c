/* Signals: handlers with SA_SIGINFO, masks and pending sets, kill(2) to self and children,
 * SIGCHLD, a caught SIGSEGV, sigsuspend, EINTR from a blocking wait, SIGKILL. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile sig_atomic_t usr1, chld, last_code;
static sigjmp_buf env;
static void on_usr1(int sig, siginfo_t *info, void *uc) { usr1++; last_code = info->si_code; (void)sig; (void)uc; }
static void on_chld(int sig) { chld++; (void)sig; }
static void on_segv(int sig, siginfo_t *info, void *uc) { (void)uc; last_code = info->si_code; siglongjmp(env, sig); }
static void on_alrm(int sig) { (void)sig; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("handler ran: %d code=%d\n", usr1, last_code);

    sigset_t block, pending, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    kill(getpid(), SIGUSR1);
    sigpending(&pending);
    printf("blocked: ran=%d pending=%d\n", usr1, sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: ran=%d\n", usr1);

    signal(SIGCHLD, on_chld);
    for (int i = 0; i < 3; i++) if (fork() == 0) _exit(i);
    int st, n = 0;
    while (n < 3) { if (wait(&st) > 0) n++; }
    printf("children reaped=%d sigchld>=1:%d\n", n, chld >= 1);

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int got = sigsetjmp(env, 1);
    if (got == 0) { *(volatile int *)8 = 1; printf("no fault?\n"); }
    printf("caught SIGSEGV=%d code=%d\n", got == SIGSEGV, last_code);

    /* A child waiting in pause() is woken by a handled signal; one in sigsuspend likewise. */
    /* The child says when its handler is in place (a loaded emulator may take longer than the
     * sleep to get there, and the inherited handler would then take the signal before pause). */
    int ready[2];
    pipe(ready);
    pid_t c = fork();
    if (c == 0) { signal(SIGUSR1, (void (*)(int))on_chld); write(ready[1], "r", 1); pause(); _exit(chld == 1 ? 5 : 6); }
    char byte;
    read(ready[0], &byte, 1);
    usleep(20000);
    kill(c, SIGUSR1);
    waitpid(c, &st, 0);
    printf("pause child exit=%d\n", WEXITSTATUS(st));

    c = fork();
    if (c == 0) { for (;;) pause(); }
    usleep(10000);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    printf("killed child: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    c = fork();
    if (c == 0) { for (;;) pause(); }
    usleep(10000);
    kill(c, SIGTERM);
    waitpid(c, &st, 0);
    printf("terminated child: sig=%d\n", WTERMSIG(st));

    /* wait4 interrupted by a handler without SA_RESTART fails with EINTR. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sigaction(SIGUSR2, &sa, NULL);
    pid_t sleeper = fork();
    if (sleeper == 0) { usleep(200000); _exit(0); }
    pid_t poker = fork();
    if (poker == 0) { usleep(20000); kill(getppid(), SIGUSR2); _exit(0); }
    errno = 0;
    pid_t r = waitpid(sleeper, &st, 0);
    int e = errno;
    printf("waitpid interrupted: r=%d errno=%d\n", (int)r, e);
    waitpid(sleeper, &st, 0);
    waitpid(poker, &st, 0);
    int k = kill(999999, 0);
    e = errno;
    printf("kill nonexistent: %d errno=%d\n", k, e);
    return 0;
}
