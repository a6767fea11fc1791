/* Real-time signals (signal(7), sigqueue(3), sigwaitinfo(2)): every instance of a real-time
 * signal queues with its own value and they arrive in order, lowest number first; a standard
 * signal sent twice while blocked arrives once; a thread-directed signal is taken before
 * process-wide ones; siginfo carries si_code (SI_USER, SI_QUEUE), si_pid, si_uid and
 * si_value; sigtimedwait times out with EAGAIN and is interrupted (EINTR) by another handled
 * signal; RLIMIT_SIGPENDING bounds the queue (EAGAIN); bad arguments give EINVAL/ESRCH/EPERM/EFAULT. */
#include "abi.h"
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static volatile int seen[16], values[16], codes[16], nseen, usr2;
static void record(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (nseen < 16) { seen[nseen] = sig; values[nseen] = si->si_value.sival_int; codes[nseen] = si->si_code; nseen++; }
}
static void on_usr2(int sig) { (void)sig; usr2++; }
static const char *name(int sig) {
    static char buf[16];
    if (sig == SIGUSR1) return "USR1";
    if (sig == SIGUSR2) return "USR2";
    if (sig >= SIGRTMIN) { snprintf(buf, sizeof buf, "RTMIN+%d", sig - SIGRTMIN); return buf; }
    snprintf(buf, sizeof buf, "%d", sig); return buf;
}
static const char *code(int c) {
    return c == SI_USER ? "SI_USER" : c == SI_QUEUE ? "SI_QUEUE" : c == SI_TKILL ? "SI_TKILL" : c == SI_KERNEL ? "SI_KERNEL" : "other";
}
static long long now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000LL + t.tv_nsec / 1000000; }
static int queue(pid_t pid, int sig, int value) { union sigval v = { .sival_int = value }; return sigqueue(pid, sig, v); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t me = getpid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, NULL); sigaction(SIGRTMIN + 1, &sa, NULL); sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, on_usr2);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN); sigaddset(&set, SIGRTMIN + 1); sigaddset(&set, SIGRTMIN + 2); sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);

    /* Queued while blocked, delivered to handlers on unblocking. */
    for (int i = 0; i < 3; i++) queue(me, SIGRTMIN + 1, 10 + i);
    for (int i = 0; i < 2; i++) queue(me, SIGRTMIN, 20 + i);
    queue(me, SIGUSR1, 30); queue(me, SIGUSR1, 31);
    sigset_t pend;
    sigpending(&pend);
    printf("pending: RTMIN=%d RTMIN+1=%d USR1=%d handled=%d\n", sigismember(&pend, SIGRTMIN),
           sigismember(&pend, SIGRTMIN + 1), sigismember(&pend, SIGUSR1), nseen);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("handled %d:", nseen);
    for (int i = 0; i < nseen; i++) printf(" %s/%d/%s", name(seen[i]), values[i], code(codes[i]));
    printf("\n");
    sigprocmask(SIG_BLOCK, &set, NULL);

    /* sigwaitinfo takes them in order with their siginfo; raise() is thread-directed (SI_TKILL). */
    queue(me, SIGRTMIN + 1, 1); queue(me, SIGRTMIN, 2); queue(me, SIGRTMIN, 3);
    kill(me, SIGUSR1);
    raise(SIGRTMIN + 2);
    for (int i = 0; i < 5; i++) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        int sig = sigwaitinfo(&set, &si);
        /* raise's tgkill says SI_TKILL on Linux 6.1 but SI_USER on recent kernels: not printed. */
        printf("sigwaitinfo: %s code=%s", name(sig), sig == SIGRTMIN + 2 ? "tkill" : code(si.si_code));
        if (si.si_code == SI_QUEUE) printf(" value=%d", si.si_value.sival_int);
        printf(" signo=%d pid=self:%d uid=%d\n", si.si_signo == sig, si.si_pid == me, (int)si.si_uid);
    }
    struct timespec zero = { 0, 0 };
    T("nothing left (zero timeout)", sigtimedwait(&set, NULL, &zero));

    /* Standard signals do not queue. */
    kill(me, SIGUSR1); kill(me, SIGUSR1);
    T("USR1 sent twice, first wait", sigtimedwait(&set, NULL, &zero));
    T("second wait", sigtimedwait(&set, NULL, &zero));

    /* A timeout, then EINTR from a handled signal outside the set, then a wake-up by a
     * signal of the set sent by a child. */
    struct timespec fifty = { 0, 50000000 }, two = { 2, 0 };
    long long t0 = now_ms();
    T("sigtimedwait 50 ms, nothing sent", sigtimedwait(&set, NULL, &fifty));
    printf("  waited >= 50 ms: %d\n", now_ms() - t0 >= 50);
    pid_t c = fork();
    if (c == 0) { usleep(20000); kill(me, SIGUSR2); _exit(0); }
    T("sigtimedwait interrupted", sigtimedwait(&set, NULL, &two));
    printf("  USR2 handler ran: %d\n", usr2);
    waitpid(c, NULL, 0);
    c = fork();
    if (c == 0) { usleep(20000); queue(me, SIGRTMIN + 1, 99); _exit(0); }
    siginfo_t si;
    int sig = sigtimedwait(&set, &si, &two);
    printf("woken by child: %s code=%s value=%d pid=child:%d\n", name(sig), code(si.si_code), si.si_value.sival_int, si.si_pid == c);
    waitpid(c, NULL, 0);

    /* RLIMIT_SIGPENDING bounds queued real-time signals. */
    c = fork();
    if (c == 0) {
        struct rlimit rl = { 4, 4 };
        setrlimit(RLIMIT_SIGPENDING, &rl);
        int ok = 0, e = 0;
        for (int i = 0; i < 10 && e == 0; i++) { if (queue(getpid(), SIGRTMIN, i) == 0) ok++; else e = errno; }
        printf("RLIMIT_SIGPENDING 4: stopped before 10: %d errno=%d\n", ok < 10, e);
        _exit(0);
    }
    waitpid(c, NULL, 0);

    /* Bad arguments. */
    T("sigqueue bad signal", queue(me, 99, 0));
    T("sigqueue no such process", queue(99999999, SIGRTMIN, 0));
    T("sigqueue signal 0 (existence)", queue(me, 0, 0));
    siginfo_t fake;
    memset(&fake, 0, sizeof fake);
    fake.si_code = SI_USER;                 /* only the kernel (or the process itself) may claim it */
    c = fork();
    if (c == 0) { pause(); _exit(0); }
    T("rt_sigqueueinfo SI_USER to another", syscall(SYS_rt_sigqueueinfo, c, SIGUSR2, &fake));
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    queue(me, SIGRTMIN, 5);
    T("rt_sigqueueinfo SI_USER to self", syscall(SYS_rt_sigqueueinfo, me, SIGRTMIN, &fake));
    T("  then two pending", sigtimedwait(&set, NULL, &zero) + sigtimedwait(&set, NULL, &zero));
    T("rt_sigqueueinfo bad pointer", syscall(SYS_rt_sigqueueinfo, me, SIGRTMIN, (void *)8));
    T("rt_tgsigqueueinfo bad tid", syscall(SYS_rt_tgsigqueueinfo, me, 99999999, SIGRTMIN, &fake));
    T("rt_tgsigqueueinfo tgid 0", syscall(SYS_rt_tgsigqueueinfo, 0, me, SIGRTMIN, &fake));
    T("rt_sigtimedwait sigsetsize 4", syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 4));
    T("rt_sigtimedwait bad set", syscall(SYS_rt_sigtimedwait, (void *)8, NULL, &zero, 8));
    struct timespec bad = { 0, 1000000000 };
    T("sigtimedwait bad timeout", sigtimedwait(&set, NULL, &bad));
    return 0;
}
