/* Clocks and sleeps, printed only as truths: CLOCK_MONOTONIC never goes back, nanosleep and
 * clock_nanosleep sleep at least as asked (absolute too), gettimeofday, time(2) and
 * CLOCK_REALTIME agree, resolutions are sane, bad arguments give EINVAL/EFAULT. */
#include "abi.h"
#include <time.h>
#include <sys/time.h>
#include <sys/syscall.h>
static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return ns(t); }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long long prev = now(CLOCK_MONOTONIC);
    int monotonic = 1;
    for (int i = 0; i < 100000; i++) { long long t = now(CLOCK_MONOTONIC); monotonic &= t >= prev; prev = t; }
    printf("monotonic over 100000 reads: %d\n", monotonic);
    struct timespec t;
    T("raw syscall clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t));
    printf("  nsec in range: %d\n", t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
    clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW,
                           CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
    for (int i = 0; i < 8; i++) {
        errno = 0;
        int r = clock_gettime(clocks[i], &t);
        int e = errno;
        struct timespec res = { 0, 0 };
        int rr = clock_getres(clocks[i], &res);
        printf("clock %d: gettime=%d errno=%d getres=%d res>0=%d res<=10ms=%d\n", (int)clocks[i], r, e, rr, ns(res) > 0, ns(res) <= 10000000);
    }
    T("clock_gettime bad clock", clock_gettime(99, &t));
    T("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8));
    T("clock_getres NULL", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));

    long long a = now(CLOCK_MONOTONIC);
    struct timespec req = { 0, 30000000 }, rem = { 9, 9 };
    T("nanosleep 30 ms", nanosleep(&req, &rem));
    printf("  slept >= 30 ms: %d\n", now(CLOCK_MONOTONIC) - a >= 30000000);
    a = now(CLOCK_MONOTONIC);
    req.tv_sec = 0; req.tv_nsec = 20000000;
    T("clock_nanosleep relative", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
    printf("  slept >= 20 ms: %d\n", now(CLOCK_MONOTONIC) - a >= 20000000);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 25000000;
    if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
    T("clock_nanosleep absolute", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
    printf("  woke at or after deadline: %d\n", now(CLOCK_MONOTONIC) >= ns(until));
    until.tv_sec = 0; until.tv_nsec = 1;     /* just after boot: long past (even in a young guest) */
    a = now(CLOCK_MONOTONIC);
    T("absolute deadline in the past", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
    printf("  returned at once (< 1 s): %d\n", now(CLOCK_MONOTONIC) - a < 1000000000);
    req.tv_nsec = 1000000000;
    T("nanosleep nsec too big", nanosleep(&req, NULL));
    req.tv_sec = -1; req.tv_nsec = 0;
    T("nanosleep negative", nanosleep(&req, NULL));
    req.tv_sec = 0; req.tv_nsec = 0;
    T("nanosleep zero", nanosleep(&req, NULL));
    T("nanosleep bad pointer", syscall(SYS_nanosleep, (void *)8, NULL));
    printf("clock_nanosleep bad clock: %d\n", clock_nanosleep(99, 0, &req, NULL));

    struct timeval tv;
    T("gettimeofday", gettimeofday(&tv, NULL));
    time_t t1 = time(NULL);
    struct timespec rt; clock_gettime(CLOCK_REALTIME, &rt);
    printf("  usec in range: %d\n", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    printf("  time within 2 s of gettimeofday: %d, of CLOCK_REALTIME: %d\n", t1 - tv.tv_sec <= 2 && t1 >= tv.tv_sec, rt.tv_sec - t1 <= 2 && rt.tv_sec >= t1);
    printf("  after 2020: %d\n", t1 > 1577836800);
    time_t t2;
    T("time(&t) agrees", syscall(SYS_time, &t2) == t2);
    T("gettimeofday bad pointer", syscall(SYS_gettimeofday, (void *)8, NULL));
    T("gettimeofday NULL", syscall(SYS_gettimeofday, NULL, NULL));
    struct timezone tz;
    T("gettimeofday with timezone", syscall(SYS_gettimeofday, &tv, &tz));
    /* Sleeps add up: ten 5 ms sleeps take at least 50 ms. */
    a = now(CLOCK_MONOTONIC);
    for (int i = 0; i < 10; i++) usleep(5000);
    printf("ten 5 ms sleeps >= 50 ms: %d\n", now(CLOCK_MONOTONIC) - a >= 50000000);
    /* CPU time advances while spinning. */
    long long c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    a = now(CLOCK_MONOTONIC);
    while (now(CLOCK_MONOTONIC) - a < 20000000) {}
    printf("process CPU time advanced: %d\n", now(CLOCK_PROCESS_CPUTIME_ID) > c0);
    return 0;
}
