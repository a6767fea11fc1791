/* waitpid on one child while others exit first; WNOHANG polling loops; waitpid(-1) and
 * process-group waits (0 and -pgid); waitid P_ALL/P_PGID with si_code and si_status;
 * wait4's rusage accepted; EINVAL for bad options, ECHILD for strangers. */
#include "abi.h"
#include <signal.h>
#include <sys/resource.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st;
    pid_t slow = fork();
    if (slow == 0) { usleep(60000); _exit(1); }
    pid_t fast = fork();
    if (fast == 0) _exit(2);
    usleep(10000);
    T("wait for slow one while fast is a zombie", waitpid(slow, &st, 0) == slow);
    printf("  code=%d\n", WEXITSTATUS(st));
    T("fast still there", waitpid(fast, &st, WNOHANG) == fast);
    printf("  code=%d\n", WEXITSTATUS(st));

    pid_t c = fork();
    if (c == 0) { usleep(40000); _exit(3); }
    int polls = 0;
    pid_t r;
    while ((r = waitpid(c, &st, WNOHANG)) == 0) { polls++; usleep(2000); }
    printf("WNOHANG loop: matched=%d polled=%d code=%d\n", r == c, polls > 0, WEXITSTATUS(st));

    /* waitpid(-1) returns each child once. */
    pid_t kids[4];
    for (int i = 0; i < 4; i++) if ((kids[i] = fork()) == 0) { usleep(5000 * i); _exit(30 + i); }
    int seen = 0, codes = 0;
    while ((r = waitpid(-1, &st, 0)) > 0) {
        for (int i = 0; i < 4; i++) if (r == kids[i]) seen |= 1 << i;
        codes += WEXITSTATUS(st);
    }
    int e = errno;
    printf("waitpid(-1): seen=%x codes=%d then errno=%d\n", seen, codes, e);

    /* Process groups: a child in its own group is invisible to waitpid(0, ...). */
    pid_t other = fork();
    if (other == 0) { setpgid(0, 0); usleep(30000); _exit(40); }
    setpgid(other, other);
    pid_t same = fork();
    if (same == 0) _exit(41);
    T("waitpid(0) gets same-group child", waitpid(0, &st, 0) == same);
    printf("  code=%d\n", WEXITSTATUS(st));
    T("waitpid(0) with only other-group child left, WNOHANG", waitpid(0, &st, WNOHANG));
    T("waitpid(-pgid) gets it", waitpid(-other, &st, 0) == other);
    printf("  code=%d\n", WEXITSTATUS(st));

    siginfo_t info;
    c = fork();
    if (c == 0) _exit(50);
    memset(&info, 0, sizeof info);
    T("waitid P_ALL", waitid(P_ALL, 0, &info, WEXITED));
    printf("  pid matches=%d code=CLD_EXITED:%d status=%d signo=%d\n", info.si_pid == c, info.si_code == CLD_EXITED, info.si_status, info.si_signo);
    c = fork();
    if (c == 0) { pause(); _exit(0); }
    kill(c, SIGTERM);
    memset(&info, 0, sizeof info);
    T("waitid P_PID killed", waitid(P_PID, c, &info, WEXITED));
    printf("  code=CLD_KILLED:%d status=%d\n", info.si_code == CLD_KILLED, info.si_status);
    c = fork();
    if (c == 0) { usleep(30000); _exit(0); }
    memset(&info, 0, sizeof info);
    T("waitid WNOHANG nothing yet", waitid(P_PID, c, &info, WEXITED | WNOHANG));
    printf("  si_pid=%d\n", info.si_pid);
    struct rusage ru;
    T("wait4 with rusage", wait4(c, &st, 0, &ru) == c);
    T("waitid no options", waitid(P_ALL, 0, &info, 0));
    T("waitpid bad options", waitpid(-1, &st, 0x40000));
    T("waitpid stranger", waitpid(1, &st, 0));
    T("waitpid nobody", waitpid(-1, &st, 0));
    return 0;
}
