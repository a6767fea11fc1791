/* sigaction(2) and friends: old actions returned (handler, flags, mask), SA_RESETHAND,
 * SA_NODEFER, sa_mask blocking during a handler, raise/kill to self delivered before the
 * call returns, signal masks surviving fork and exec-independent rules, EINVAL cases. */
#include "abi.h"
#include <signal.h>
static volatile sig_atomic_t count, nested, depth, maxdepth, entries, usr2_pending_inside;
static void h1(int sig) { (void)sig; count++; }
static void h2(int sig) { (void)sig; count += 10; }
static void reenter(int sig) {
    depth++;
    if (depth > maxdepth) maxdepth = depth;
    if (++entries < 3) raise(sig);
    depth--;
}
static void check_mask(int sig) {
    (void)sig;
    sigset_t cur; sigprocmask(SIG_BLOCK, NULL, &cur);
    usr2_pending_inside = sigismember(&cur, SIGUSR2) * 10 + sigismember(&cur, SIGUSR1);
    raise(SIGUSR2);          /* blocked by sa_mask: delivered after the handler returns */
    nested = count;
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    T("query default", sigaction(SIGUSR1, NULL, &old));
    printf("  default handler=%d\n", old.sa_handler == SIG_DFL);
    sa.sa_handler = h1;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sa.sa_flags = SA_RESTART;
    T("install h1", sigaction(SIGUSR1, &sa, NULL));
    sa.sa_handler = h2;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    T("install h2, get h1 back", sigaction(SIGUSR1, &sa, &old));
    printf("  old is h1=%d restart=%d mask has SIGINT=%d mask has SIGTERM=%d\n", old.sa_handler == h1,
           !!(old.sa_flags & SA_RESTART), sigismember(&old.sa_mask, SIGINT), sigismember(&old.sa_mask, SIGTERM));
    count = 0;
    T("raise", raise(SIGUSR1));
    printf("  count after raise=%d\n", count);
    T("kill self", kill(getpid(), SIGUSR1));
    printf("  count after kill=%d\n", count);

    /* SA_RESETHAND: runs once, then the default action is back. */
    sa.sa_handler = h1;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR2, &sa, NULL);
    count = 0;
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &old);
    printf("SA_RESETHAND: ran=%d now default=%d\n", count, old.sa_handler == SIG_DFL);
    pid_t c = fork();
    if (c == 0) { sigaction(SIGUSR2, &sa, NULL); raise(SIGUSR2); raise(SIGUSR2); _exit(0); }
    int st; waitpid(c, &st, 0);
    printf("second SIGUSR2 after reset: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    /* Without SA_NODEFER the signal is blocked in its own handler; with it, it nests. */
    sa.sa_handler = reenter; sa.sa_flags = 0;
    sigaction(SIGHUP, &sa, NULL);
    depth = maxdepth = entries = 0; raise(SIGHUP);
    printf("default defer: max depth=%d entries=%d\n", maxdepth, entries);
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGHUP, &sa, NULL);
    depth = maxdepth = entries = 0; raise(SIGHUP);
    printf("SA_NODEFER: max depth=%d entries=%d\n", maxdepth, entries);

    /* sa_mask is added during the handler, then restored. */
    sa.sa_handler = h2; sa.sa_flags = 0; sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = check_mask; sigemptyset(&sa.sa_mask); sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    count = 0;
    raise(SIGUSR1);
    sigset_t cur; sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("sa_mask: inside usr2 blocked/usr1 blocked=%02d, usr2 ran inside=%d after=%d, restored=%d\n",
           usr2_pending_inside, nested, count, !sigismember(&cur, SIGUSR2) && !sigismember(&cur, SIGUSR1));

    /* SIG_IGN discards a pending signal. */
    sigset_t set; sigemptyset(&set); sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    sigset_t pend; sigpending(&pend);
    printf("pending before ignore=%d", sigismember(&pend, SIGUSR2));
    signal(SIGUSR2, SIG_IGN);
    sigpending(&pend);
    printf(" after=%d\n", sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* The mask and dispositions are inherited by fork; pending signals are not. */
    signal(SIGUSR1, h1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGTERM);
    c = fork();
    if (c == 0) {
        sigset_t m, p; sigprocmask(SIG_BLOCK, NULL, &m); sigpending(&p);
        struct sigaction a; sigaction(SIGUSR1, NULL, &a);
        printf("child: mask term=%d pending term=%d handler kept=%d\n", sigismember(&m, SIGTERM), sigismember(&p, SIGTERM), a.sa_handler == h1);
        _exit(0);
    }
    waitpid(c, &st, 0);
    signal(SIGTERM, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    T("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    T("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
    T("query SIGKILL", sigaction(SIGKILL, NULL, &old));
    T("sigaction 0", sigaction(0, &sa, NULL));
    T("sigaction 65", sigaction(65, &sa, NULL));
    T("kill bad signal", kill(getpid(), 99));
    T("kill signal 0 to self", kill(getpid(), 0));
    T("sigprocmask bad how", sigprocmask(99, &set, NULL));
    sigfillset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("blocking everything leaves KILL=%d STOP=%d unblocked, USR1 blocked=%d\n",
           !sigismember(&cur, SIGKILL), !sigismember(&cur, SIGSTOP), sigismember(&cur, SIGUSR1));
    return 0;
}
