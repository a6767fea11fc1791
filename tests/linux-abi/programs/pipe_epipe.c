/* Writing to a pipe whose readers are gone: SIGPIPE kills by default; ignored or caught, the
 * write fails with EPIPE (after the handler runs). */
#include "abi.h"
#include <signal.h>
static volatile sig_atomic_t got;
static void on_pipe(int sig) { got = sig; }
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2], st;
    pipe(p);
    close(p[0]);
    pid_t c = fork();
    if (c == 0) { write(p[1], "x", 1); printf("child survived\n"); _exit(0); }
    close(p[1]);
    waitpid(c, &st, 0);
    printf("default: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);

    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    T("ignored: write", write(p[1], "x", 1));
    close(p[1]);

    signal(SIGPIPE, on_pipe);
    pipe(p);
    close(p[0]);
    T("caught: write", write(p[1], "x", 1));
    printf("  handler saw %d\n", got);

    /* Reader closes while a writer is blocked on a full pipe. */
    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    c = fork();
    if (c == 0) { close(p[1]); usleep(50000); close(p[0]); _exit(0); }
    close(p[0]);
    static char chunk[1 << 20];
    errno = 0;
    ssize_t n = write(p[1], chunk, sizeof chunk);
    int e = errno;
    printf("blocked writer: partial=%d errno=%d\n", n > 0 && n < (ssize_t)sizeof chunk, n < 0 ? e : 0);
    T("next write", write(p[1], "x", 1));
    waitpid(c, &st, 0);
    /* SIGPIPE blocked: still EPIPE, and the signal is left pending. */
    signal(SIGPIPE, on_pipe);
    got = 0;
    sigset_t set, pend; sigemptyset(&set); sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, NULL);
    T("blocked SIGPIPE: write", write(p[1], "x", 1));
    sigpending(&pend);
    printf("  pending=%d handler ran=%d\n", sigismember(&pend, SIGPIPE), got != 0);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("  after unblock handler ran=%d\n", got != 0);
    return 0;
}
