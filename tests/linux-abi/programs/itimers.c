/* Timers: alarm(2) and its rounding, setitimer/getitimer (ITIMER_REAL one-shot and periodic,
 * ITIMER_VIRTUAL and ITIMER_PROF on CPU time), nanosleep interrupted by a handler (EINTR and the
 * time left, even with SA_RESTART) or by a stop (resumed through restart_syscall), POSIX timers
 * (timer_create with SIGEV_SIGNAL, SIGEV_NONE and the default sigevent, one-shot, periodic with
 * overruns, absolute CLOCK_REALTIME), and their end at exec (alarm survives) and at exit. */
#include "abi.h"
#include <signal.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile int alrm, vtalrm, prof, alrm_code;
static void on_alrm(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; alrm++; alrm_code = si->si_code; }
static void on_vt(int sig) { (void)sig; vtalrm++; }
static void on_prof(int sig) { (void)sig; prof++; }
static long long now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000LL + t.tv_nsec / 1000000; }
static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void spin_until(volatile int *flag) {
    long long end = now_ms() + 20000;           /* a bound, never reached when it works */
    volatile unsigned x = 0;
    while (!*flag && now_ms() < end) for (int i = 0; i < 100000; i++) x += i;
}

/* After execve: the alarm is still set, the POSIX timer (its id in argv[2]) is gone. */
static int exec_check(const char *timer) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct itimerval it;
    getitimer(ITIMER_REAL, &it);
    printf("after exec: alarm still set: %d\n", it.it_value.tv_sec > 0 || it.it_value.tv_usec > 0);
    struct itimerspec ts;
    T("after exec: timer_gettime of the old timer", syscall(SYS_timer_gettime, atoi(timer), &ts));
    printf("after exec: alarm(0) left > 0: %d\n", alarm(0) > 0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "exec-check") == 0) return exec_check(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alrm; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);

    /* alarm's return value: the seconds left, rounded. */
    T("alarm(5) first", alarm(5));
    T("alarm(2) returns the 5 left", alarm(2));
    T("alarm(0) returns the 2 left", alarm(0));
    T("alarm(0) with none", alarm(0));

    /* ITIMER_REAL one-shot: SIGALRM with SI_KERNEL, not before the time. */
    struct itimerval it = { { 0, 0 }, { 0, 50000 } }, old;
    long long t0 = now_ms();
    T("setitimer REAL 50 ms", setitimer(ITIMER_REAL, &it, NULL));
    while (!alrm) pause();
    printf("  SIGALRM after >= 50 ms: %d, si_code SI_KERNEL: %d\n", now_ms() - t0 >= 50, alrm_code == SI_KERNEL);
    getitimer(ITIMER_REAL, &it);
    printf("  disarmed after: %d\n", it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0);

    /* getitimer shows the time left and the interval; setitimer returns the old setting. */
    struct itimerval longer = { { 0, 300000 }, { 1, 0 } };
    setitimer(ITIMER_REAL, &longer, NULL);
    getitimer(ITIMER_REAL, &it);
    printf("getitimer: 0 < left <= 1 s: %d, interval 300 ms: %d\n",
           (it.it_value.tv_sec > 0 || it.it_value.tv_usec > 0) && it.it_value.tv_sec <= 1,
           it.it_interval.tv_sec == 0 && it.it_interval.tv_usec == 300000);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, &old);
    printf("setitimer old: interval 300 ms: %d\n", old.it_interval.tv_usec == 300000);

    /* Periodic: three signals 20 ms apart. */
    alrm = 0;
    struct itimerval every = { { 0, 20000 }, { 0, 20000 } };
    t0 = now_ms();
    setitimer(ITIMER_REAL, &every, NULL);
    while (alrm < 3) pause();
    setitimer(ITIMER_REAL, &off, NULL);
    printf("periodic: 3 signals after >= 60 ms: %d\n", now_ms() - t0 >= 60);
    T("setitimer bad which", setitimer(7, &every, NULL));
    struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
    T("setitimer usec 1000000", setitimer(ITIMER_REAL, &bad, NULL));
    T("getitimer bad which", getitimer(7, &it));
    T("getitimer bad pointer", syscall(SYS_getitimer, ITIMER_REAL, (void *)8));

    /* CPU-time timers: they count only while we run. */
    signal(SIGVTALRM, on_vt); signal(SIGPROF, on_prof);
    struct itimerval cpu = { { 0, 0 }, { 0, 30000 } };
    T("setitimer VIRTUAL 30 ms", setitimer(ITIMER_VIRTUAL, &cpu, NULL));
    spin_until(&vtalrm);
    printf("  SIGVTALRM while spinning: %d\n", vtalrm);
    T("setitimer PROF 30 ms", setitimer(ITIMER_PROF, &cpu, NULL));
    spin_until(&prof);
    printf("  SIGPROF while spinning: %d\n", prof);

    /* nanosleep interrupted by a handler: EINTR and the time left, with or without SA_RESTART. */
    for (int restart = 0; restart < 2; restart++) {
        sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval soon = { { 0, 0 }, { 0, 30000 } };
        setitimer(ITIMER_REAL, &soon, NULL);
        struct timespec req = { 5, 0 }, rem = { 0, 0 };
        errno = 0;
        int r = nanosleep(&req, &rem);
        printf("nanosleep 5 s, SIGALRM at 30 ms%s: %d errno=%d, 0 < left < 5 s: %d\n", restart ? " (SA_RESTART)" : "",
               r, errno, ns(rem) > 0 && ns(rem) < 5000000000LL);
    }
    T("restart_syscall with nothing to restart", syscall(SYS_restart_syscall));

    /* Stopped and continued in the middle: the sleep goes on to its end (restart_syscall). */
    pid_t c = fork();
    if (c == 0) {
        long long s0 = now_ms();
        struct timespec req = { 0, 200000000 };
        int r = nanosleep(&req, NULL);
        printf("child: nanosleep across a stop: %d, slept >= 200 ms: %d\n", r, now_ms() - s0 >= 200);
        _exit(0);
    }
    usleep(50000);
    kill(c, SIGSTOP);
    int st;
    waitpid(c, &st, WUNTRACED);
    kill(c, SIGCONT);
    waitpid(c, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));

    /* POSIX timers. */
    sigset_t set;
    sigemptyset(&set); sigaddset(&set, SIGRTMIN); sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGRTMIN; ev.sigev_value.sival_int = 42;
    timer_t id;
    T("timer_create MONOTONIC", timer_create(CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec once = { { 0, 0 }, { 0, 30000000 } }, cur;
    t0 = now_ms();
    T("timer_settime 30 ms", timer_settime(id, 0, &once, NULL));
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    printf("  signal RTMIN: %d after >= 30 ms: %d code SI_TIMER: %d value: %d timerid matches: %d overrun: %d\n",
           sig == SIGRTMIN, now_ms() - t0 >= 30, si.si_code == SI_TIMER, si.si_value.sival_int,
           si.si_timerid == (int)(long)id, si.si_overrun);
    timer_gettime(id, &cur);
    printf("  disarmed: %d\n", ns(cur.it_value) == 0);

    /* Periodic every 10 ms while the signal stays blocked: one signal, the rest overruns. */
    struct itimerspec periodic = { { 0, 10000000 }, { 0, 10000000 } };
    timer_settime(id, 0, &periodic, NULL);
    usleep(100000);
    sig = sigwaitinfo(&set, &si);
    int overrun = timer_getoverrun(id);
    printf("periodic, blocked 100 ms: one signal: %d, si_overrun > 0: %d, timer_getoverrun = si_overrun: %d\n",
           sig == SIGRTMIN, si.si_overrun > 0, overrun == si.si_overrun);
    timer_gettime(id, &cur);
    printf("  interval 10 ms: %d, 0 < left <= 10 ms: %d\n", ns(cur.it_interval) == 10000000,
           ns(cur.it_value) > 0 && ns(cur.it_value) <= 10000000);
    struct itimerspec zero = { { 0, 0 }, { 0, 0 } };
    T("timer_settime disarm, old returned", timer_settime(id, 0, &zero, &cur));
    printf("  old interval 10 ms: %d\n", ns(cur.it_interval) == 10000000);
    struct timespec poll0 = { 0, 0 };
    while (sigtimedwait(&set, NULL, &poll0) > 0) {}   /* one may have come in meanwhile */
    T("timer_delete", timer_delete(id));
    T("timer_delete again", timer_delete(id));
    T("timer_getoverrun deleted", timer_getoverrun(id));

    /* Absolute CLOCK_REALTIME deadline; default sigevent (SIGALRM, value = id). */
    int kid;                                         /* the kernel's default, not glibc's */
    T("timer_create REALTIME NULL sigevent", syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &kid));
    id = (timer_t)(long)kid;
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    long long deadline = ns(rt) + 30000000;
    struct itimerspec at = { { 0, 0 }, { deadline / 1000000000, deadline % 1000000000 } };
    T("timer_settime TIMER_ABSTIME", syscall(SYS_timer_settime, kid, TIMER_ABSTIME, &at, NULL));
    sig = sigwaitinfo(&set, &si);
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("  SIGALRM: %d at or after the deadline: %d value = id: %d\n", sig == SIGALRM, ns(rt) >= deadline,
           si.si_value.sival_int == kid);
    syscall(SYS_timer_delete, kid);

    /* SIGEV_THREAD_ID: the signal goes to the named thread (here the only one). */
    ev.sigev_notify = SIGEV_THREAD_ID; ev.sigev_signo = SIGRTMIN; ev._sigev_un._tid = gettid();
    T("timer_create SIGEV_THREAD_ID self", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kid));
    struct itimerspec soon = { { 0, 0 }, { 0, 20000000 } };
    syscall(SYS_timer_settime, kid, 0, &soon, NULL);
    sig = sigwaitinfo(&set, &si);
    printf("  RTMIN: %d SI_TIMER: %d\n", sig == SIGRTMIN, si.si_code == SI_TIMER);
    syscall(SYS_timer_delete, kid);
    ev._sigev_un._tid = 99999999;
    T("timer_create SIGEV_THREAD_ID no such thread", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kid));

    /* SIGEV_NONE: runs, signals nothing. */
    ev.sigev_notify = SIGEV_NONE;
    T("timer_create SIGEV_NONE", timer_create(CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec sec = { { 0, 0 }, { 1, 0 } };
    timer_settime(id, 0, &sec, NULL);
    timer_gettime(id, &cur);
    printf("  running: 0 < left <= 1 s: %d\n", ns(cur.it_value) > 0 && ns(cur.it_value) <= 1000000000);
    timer_delete(id);

    /* Bad arguments. */
    T("timer_create bad clock", timer_create(99, NULL, &id));
    ev.sigev_notify = 99;
    T("timer_create bad notify", timer_create(CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = 0;
    T("timer_create signal 0", timer_create(CLOCK_MONOTONIC, &ev, &id));
    T("timer_create bad sigevent pointer", syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &id));
    T("timer_settime bad id", syscall(SYS_timer_settime, 12345, 0, &once, NULL));
    ev.sigev_signo = SIGRTMIN;
    timer_create(CLOCK_MONOTONIC, &ev, &id);
    struct itimerspec badns = { { 0, 0 }, { 0, 1000000000 } };
    T("timer_settime nsec 1000000000", timer_settime(id, 0, &badns, NULL));
    timer_delete(id);
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* A process that exits with timers running leaves nothing behind. */
    c = fork();
    if (c == 0) {
        ev.sigev_signo = SIGUSR1;
        timer_create(CLOCK_MONOTONIC, &ev, &id);
        timer_settime(id, 0, &periodic, NULL);
        setitimer(ITIMER_REAL, &every, NULL);
        _exit(7);
    }
    waitpid(c, &st, 0);
    usleep(50000);
    printf("exit with timers running: exit %d, parent undisturbed: yes\n", WEXITSTATUS(st));

    /* execve drops POSIX timers and keeps the alarm. */
    c = fork();
    if (c == 0) {
        ev.sigev_signo = SIGUSR1;
        T("child: timer_create before exec", timer_create(CLOCK_MONOTONIC, &ev, &id));
        struct itimerspec later = { { 0, 10000000 }, { 5, 0 } };
        timer_settime(id, 0, &later, NULL);
        alarm(30);
        char idtext[32];
        snprintf(idtext, sizeof idtext, "%d", (int)(long)id);
        execl(argv[0], argv[0], "exec-check", idtext, (char *)NULL);
        _exit(99);
    }
    waitpid(c, &st, 0);
    printf("exec child: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
    return 0;
}
