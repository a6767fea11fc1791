/* fork(2), wait4(2)/waitpid/waitid statuses, WNOHANG, ECHILD, exit codes, orphans. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st;
    { errno = 0; long r_ = (long)((int)wait(&st)); int e_ = errno; printf("wait with no children: %ld errno=%d\n", r_, e_); }
    pid_t kids[5];
    for (int i = 0; i < 5; i++) {
        kids[i] = fork();
        if (kids[i] == 0) { usleep(1000 * (5 - i)); _exit(10 + i); }
    }
    for (int i = 4; i >= 0; i--) {
        pid_t w = waitpid(kids[i], &st, 0);
        printf("child %d: matched=%d exited=%d code=%d\n", i, w == kids[i], WIFEXITED(st), WEXITSTATUS(st));
    }
    pid_t slow = fork();
    if (slow == 0) { usleep(20000); _exit(7); }
    printf("WNOHANG on running child: %d\n", (int)waitpid(slow, &st, WNOHANG));
    siginfo_t info;
    printf("waitid: %d\n", waitid(P_PID, slow, &info, WEXITED));
    printf("waitid status=%d code_is_exited=%d\n", info.si_status, info.si_code == CLD_EXITED);
    /* A grandchild orphaned by its parent is reaped by init, not by us. */
    pid_t mid = fork();
    if (mid == 0) { if (fork() == 0) { usleep(5000); _exit(0); } _exit(1); }
    waitpid(mid, &st, 0);
    printf("middle exited %d\n", WEXITSTATUS(st));
    { errno = 0; long r_ = (long)((int)waitpid(-1, &st, WNOHANG)); int e_ = errno; printf("then no more children: %ld errno=%d\n", r_, e_); }
    return 0;
}
