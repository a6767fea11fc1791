/* Exit statuses as wait(2) encodes them: exit codes are taken modulo 256, exit_group from any
 * path, deaths by signal (SIGABRT from abort, SIGSEGV, SIGKILL, SIGTERM, SIGUSR1 default
 * action), and ignored signals that do not end the process. */
#include "abi.h"
#include <signal.h>
#include <sys/syscall.h>
static void report(const char *label, int st) {
    if (WIFEXITED(st)) printf("%s: exited code=%d raw=%#x\n", label, WEXITSTATUS(st), st);
    else if (WIFSIGNALED(st)) printf("%s: signaled sig=%d\n", label, WTERMSIG(st));
    else printf("%s: other %#x\n", label, st);
}
static int child(int how) {
    pid_t c = fork();
    if (c == 0) {
        switch (how) {
        case 0: _exit(0);
        case 1: _exit(255);
        case 2: _exit(256);
        case 3: _exit(-1);
        case 4: exit(77);
        case 5: syscall(SYS_exit, 12);
        case 6: syscall(SYS_exit_group, 13);
        case 7: abort();
        case 8: raise(SIGKILL);
        case 9: raise(SIGTERM);
        case 10: raise(SIGUSR1);
        case 11: *(volatile int *)16 = 0;
        case 12: { char *a[] = { "sh", "-c", "exit 21", NULL }; execv("/bin/sh", a); _exit(98); }
        case 13: kill(getpid(), SIGINT); pause();
        case 14: signal(SIGTERM, SIG_IGN); raise(SIGTERM); _exit(14);
        case 15: raise(SIGCHLD); raise(SIGURG); raise(SIGWINCH); _exit(15);  /* default: ignore */
        }
        _exit(99);
    }
    int st = 0;
    waitpid(c, &st, 0);
    return st;
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *names[] = { "_exit(0)", "_exit(255)", "_exit(256)", "_exit(-1)", "exit(77)",
        "SYS_exit(12)", "SYS_exit_group(13)", "abort", "raise SIGKILL", "raise SIGTERM",
        "raise SIGUSR1", "null write", "sh -c exit 21", "SIGINT", "ignored SIGTERM", "ignored by default" };
    for (int i = 0; i < 16; i++) {
        int st = child(i);
        report(names[i], st);
    }
    return 0;
}
