/* STOP, CONT and TERM sent back to back, as bash's `kill -STOP $p; kill -CONT $p; kill $p`
 * does: the CONT cancels the STOP whether or not the child had begun stopping, so TERM always
 * ends it (signal(7)). A child that stays stopped would hang waitpid: an alarm turns that into
 * a printed failure. Children sleep in pause(), spin in user mode, or spin in syscalls, so the
 * signals arrive in each state. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile pid_t child;
static volatile sig_atomic_t hung;
static void on_alarm(int sig) { (void)sig; hung++; kill(child, SIGKILL); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    int rounds = 300, termed = 0, other = 0;
    for (int i = 0; i < rounds; i++) {
        pid_t c = fork();
        if (c == 0) {
            switch (i % 3) {
            case 0: for (;;) pause();
            case 1: for (volatile unsigned long n = 0;; n++) { }
            default: for (;;) getppid();
            }
        }
        child = c;
        kill(c, SIGSTOP);
        kill(c, SIGCONT);
        kill(c, SIGTERM);
        alarm(10);
        int st;
        while (waitpid(c, &st, 0) < 0) { }
        alarm(0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) termed++; else other++;
    }
    printf("rounds %d: ended by SIGTERM %d, otherwise %d, left stopped %d\n", rounds, termed, other, (int)hung);
    return 0;
}
