/* Orphaned process groups (POSIX _exit(2), signal(7)): a process group whose last link to its
 * session (a parent in another group of the same session) exits while a member is stopped gets
 * SIGHUP then SIGCONT; once orphaned, a stop signal other than SIGSTOP (SIGTSTP, SIGTTIN,
 * SIGTTOU) with the default action is discarded. A's child B stops in its own group of A's
 * session; A exits; B reports what it saw through a pipe. */
#include "abi.h"
#include <signal.h>

static volatile sig_atomic_t hup, cont;
static void on_hup(int s) { (void)s; hup++; }
static void on_cont(int s) { (void)s; cont++; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    pipe(p);
    pid_t a = fork();
    if (a == 0) {
        close(p[0]);
        setsid();
        pid_t b = fork();
        if (b == 0) {
            setpgid(0, 0);
            signal(SIGHUP, on_hup);
            signal(SIGCONT, on_cont);
            raise(SIGTSTP);                       /* not orphaned yet: stops */
            char msg[128];
            int n = snprintf(msg, sizeof msg, "B resumed: hup=%d cont=%d\n", (int)hup, (int)cont);
            write(p[1], msg, n);
            raise(SIGTSTP);                       /* orphaned now: discarded */
            kill(getpid(), SIGTTIN);
            kill(getpid(), SIGTTOU);
            n = snprintf(msg, sizeof msg, "B after SIGTSTP, SIGTTIN, SIGTTOU: still running, hup=%d cont=%d\n", (int)hup, (int)cont);
            write(p[1], msg, n);
            _exit(0);
        }
        int status = 0;
        waitpid(b, &status, WUNTRACED);
        char msg[64];
        int n = snprintf(msg, sizeof msg, "A: B stopped=%d sig=%d\n", WIFSTOPPED(status), WIFSTOPPED(status) ? WSTOPSIG(status) : 0);
        write(p[1], msg, n);
        _exit(0);                                 /* B's group is orphaned now */
    }
    close(p[1]);
    int status = 0;
    waitpid(a, &status, 0);
    printf("A exited: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    char buf[512];
    int total = 0, n;
    while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    printf("%s", buf);
    return 0;
}
