/* Children that never become zombies: SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT. wait() then
 * blocks until all children are gone and fails with ECHILD. SA_NOCLDSTOP accepted; a
 * SIGCHLD handler gets si_code/si_status. Default SIGCHLD does leave zombies. */
#include "abi.h"
#include <signal.h>
static volatile sig_atomic_t chld, code, status;
static void on_chld(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; chld++; code = si->si_code; status = si->si_status; }
static int zombies_of_mine(void);
/* Waits (up to 2 s) for a child to become waitable: machines under load are slow to run it. */
static void settle(void) { for (int i = 0; i < 200 && zombies_of_mine() <= 0; i++) usleep(10000); }
static int zombies_of_mine(void) {
    /* Count children still waitable without reaping them. */
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -errno;
    return info.si_pid != 0;
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st;
    for (int i = 0; i < 3; i++) if (fork() == 0) _exit(i);
    settle();
    printf("default: a zombie waits=%d\n", zombies_of_mine());
    while (wait(&st) > 0) {}

    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 3; i++) if (fork() == 0) { usleep(10000 * i); _exit(i); }
    errno = 0;
    int r = wait(&st);
    int e = errno;
    printf("SIG_IGN: wait=%d errno=%d\n", r, e);
    printf("  nothing left=%d\n", zombies_of_mine());

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_NOCLDWAIT | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    chld = 0;
    pid_t c = fork();
    if (c == 0) _exit(7);
    errno = 0;
    r = waitpid(c, &st, 0);
    e = errno;
    printf("SA_NOCLDWAIT: waitpid=%d errno=%d handler ran=%d code exited=%d status=%d\n", r, e, chld, code == CLD_EXITED, status);

    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    chld = 0;
    c = fork();
    if (c == 0) { pause(); _exit(0); }
    usleep(10000);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    printf("handler with SIGKILLed child: ran=%d code killed=%d status=%d\n", chld, code == CLD_KILLED, status);
    /* Back to default: zombies again. */
    signal(SIGCHLD, SIG_DFL);
    if (fork() == 0) _exit(0);
    settle();
    printf("default again: zombie=%d\n", zombies_of_mine());
    wait(&st);
    return 0;
}
