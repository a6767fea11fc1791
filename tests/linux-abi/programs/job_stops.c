/* Job-control stops: SIGSTOP/SIGTSTP stop a process, wait4 reports it with WUNTRACED, SIGCONT
 * resumes it and WCONTINUED reports that, SIGCHLD carries CLD_STOPPED/CLD_CONTINUED, SIGKILL ends
 * a stopped process, a caught or ignored SIGTSTP does not stop. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile sig_atomic_t codes[8], ncodes;
static void on_chld(int sig, siginfo_t *info, void *uc) { (void)sig; (void)uc; if (ncodes < 8) codes[ncodes++] = info->si_code; }
static volatile sig_atomic_t tstp;
static void on_tstp(int sig) { (void)sig; tstp++; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    int st;
    int gate[2];
    pipe(gate);
    pid_t c = fork();
    /* The child stops, and after SIGCONT waits for the parent's word before exiting, so the
     * continue is reported before the exit on every machine. */
    if (c == 0) { char b; close(gate[1]); raise(SIGSTOP); read(gate[0], &b, 1); _exit(3); }
    close(gate[0]);
    pid_t w = waitpid(c, &st, WUNTRACED);
    printf("stopped: match=%d WIFSTOPPED=%d sig=%d\n", w == c, WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
    kill(c, SIGCONT);
    w = waitpid(c, &st, WCONTINUED);
    printf("continued: match=%d WIFCONTINUED=%d\n", w == c, WIFCONTINUED(st));
    /* Linux sends CLD_CONTINUED when the child runs again: let it, so that the SIGCHLD of the
     * exit cannot merge with a still-pending one (standard signals do not queue). */
    usleep(20000);
    write(gate[1], "x", 1);
    w = waitpid(c, &st, 0);
    printf("then exited: %d code=%d\n", WIFEXITED(st), WEXITSTATUS(st));
    usleep(20000);
    printf("SIGCHLD codes: stopped=%d continued=%d exited=%d\n",
           ncodes > 0 && codes[0] == CLD_STOPPED, ncodes > 1 && codes[1] == CLD_CONTINUED, ncodes > 2 && codes[2] == CLD_EXITED);

    /* Its own process group, whose parent is in another group of the session: not orphaned, so
     * SIGTSTP stops it (POSIX discards SIGTSTP for orphaned process groups, which is what the
     * test's own group may be when run from a script). */
    c = fork();
    if (c == 0) { setpgid(0, 0); for (;;) pause(); }
    setpgid(c, c);
    kill(c, SIGTSTP);
    waitpid(c, &st, WUNTRACED);
    printf("SIGTSTP stops: %d sig=%d\n", WIFSTOPPED(st), WSTOPSIG(st));
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    printf("SIGKILL ends a stopped child: %d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    c = fork();
    if (c == 0) { signal(SIGTSTP, on_tstp); raise(SIGTSTP); signal(SIGTSTP, SIG_IGN); raise(SIGTSTP); _exit(tstp == 1 ? 0 : 1); }
    waitpid(c, &st, WUNTRACED);
    printf("caught then ignored SIGTSTP: exited=%d code=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    c = fork();
    if (c == 0) { raise(SIGSTOP); _exit(4); }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    waitid(P_PID, c, &info, WSTOPPED);
    printf("waitid WSTOPPED: code stopped=%d status=%d\n", info.si_code == CLD_STOPPED, info.si_status);
    kill(c, SIGCONT);
    waitpid(c, &st, 0);
    printf("finally: code=%d\n", WEXITSTATUS(st));
    return 0;
}
