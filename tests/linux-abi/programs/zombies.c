/* Zombies: an exited child stays as state Z in /proc/PID/stat until waited for, then its
 * /proc entry is gone; kill(2) on a zombie succeeds; a second wait gives ECHILD. */
#include "abi.h"
#include <signal.h>
static char state(pid_t pid) {
    char path[64], buf[512] = {0};
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return '-';
    read(fd, buf, sizeof buf - 1);
    close(fd);
    char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' ? paren[2] : '?';
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("self state: %c\n", state(getpid()));
    int p[2]; pipe(p);
    pid_t c = fork();
    if (c == 0) { close(p[1]); char x; read(p[0], &x, 1); _exit(3); }
    close(p[0]);
    usleep(20000);
    char s = state(c);
    printf("blocked child state S: %d\n", s == 'S');
    write(p[1], "x", 1);
    /* Wait for it to become a zombie without reaping: waitid with WNOWAIT. */
    siginfo_t info;
    T("waitid WNOWAIT", waitid(P_PID, c, &info, WEXITED | WNOWAIT));
    printf("  status=%d\n", info.si_status);
    printf("zombie state: %c\n", state(c));
    T("kill zombie with 0", kill(c, 0));
    T("kill zombie with SIGKILL", kill(c, SIGKILL));
    int st;
    T("reap matches", waitpid(c, &st, 0) == c);
    printf("  exit=%d (SIGKILL to a zombie changes nothing)\n", WEXITSTATUS(st));
    printf("after reap: %c\n", state(c));
    T("kill reaped", kill(c, 0));
    T("wait again", waitpid(c, &st, 0));
    /* Several zombies reaped in any order by wait(). */
    for (int i = 0; i < 5; i++) if (fork() == 0) _exit(i);
    usleep(50000);
    int sum = 0, n = 0;
    while (wait(&st) > 0) { sum += WEXITSTATUS(st); n++; }
    printf("reaped %d zombies, codes sum %d\n", n, sum);
    return 0;
}
