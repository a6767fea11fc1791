/* poll(2), ppoll and select(2) on pipes: timeouts expire with 0, readiness for reading and
 * writing, POLLHUP after the writer closes, POLLERR after the reader closes, POLLNVAL, and a
 * sleeping poll woken by a child's write. Only outcomes are printed, never times. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/select.h>
static long ms_since(struct timespec *a) {
    struct timespec b; clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    pipe(p);
    struct pollfd f[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
    struct timespec t0; clock_gettime(CLOCK_MONOTONIC, &t0);
    T("poll empty read end, 50 ms", poll(f, 1, 50));
    printf("  waited >= 50 ms: %d revents=%x\n", ms_since(&t0) >= 50, f[0].revents);
    T("poll write end", poll(f + 1, 1, 0));
    printf("  revents=%x\n", f[1].revents);
    write(p[1], "x", 1);
    T("poll both", poll(f, 2, 1000));
    printf("  revents=%x %x\n", f[0].revents, f[1].revents);
    T("poll nothing asked", poll(f, 0, 10));

    fd_set r, w;
    FD_ZERO(&r); FD_SET(p[0], &r);
    FD_ZERO(&w); FD_SET(p[1], &w);
    struct timeval tv = { 0, 0 };
    T("select ready", select(p[1] + 1, &r, &w, NULL, &tv));
    printf("  read=%d write=%d\n", FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
    char c; read(p[0], &c, 1);
    FD_ZERO(&r); FD_SET(p[0], &r);
    tv.tv_sec = 0; tv.tv_usec = 30000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T("select timeout", select(p[0] + 1, &r, NULL, NULL, &tv));
    printf("  waited >= 30 ms: %d read=%d remaining=%ld\n", ms_since(&t0) >= 30, FD_ISSET(p[0], &r), (long)(tv.tv_sec * 1000000 + tv.tv_usec));
    FD_ZERO(&r); FD_SET(40, &r);
    tv.tv_sec = 0; tv.tv_usec = 0;
    T("select bad fd", select(41, &r, NULL, NULL, &tv));
    tv.tv_usec = -1;
    T("select negative timeout", select(1, NULL, NULL, NULL, &tv));

    struct timespec ts = { 0, 20000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T("ppoll timeout", ppoll(f, 1, &ts, NULL));
    printf("  waited >= 20 ms: %d\n", ms_since(&t0) >= 20);

    /* A child writes later: a poll with no timeout wakes. */
    pid_t ch = fork();
    if (ch == 0) { usleep(30000); write(p[1], "y", 1); _exit(0); }
    f[0].revents = 0;
    T("poll woken by write", poll(f, 1, -1));
    printf("  revents=%x\n", f[0].revents);
    read(p[0], &c, 1);
    int st; waitpid(ch, &st, 0);

    /* Writers gone: POLLHUP (no POLLIN when empty), select says readable (EOF). */
    close(p[1]);
    T("poll after writer closed", poll(f, 1, 1000));
    printf("  revents=%x\n", f[0].revents);
    FD_ZERO(&r); FD_SET(p[0], &r);
    tv.tv_sec = 1; tv.tv_usec = 0;
    T("select at EOF", select(p[0] + 1, &r, NULL, NULL, &tv));
    close(p[0]);

    /* Reader gone: the write end reports POLLERR. */
    pipe(p);
    close(p[0]);
    struct pollfd wf = { p[1], POLLOUT, 0 };
    T("poll after reader closed", poll(&wf, 1, 1000));
    printf("  revents=%x\n", wf.revents);
    close(p[1]);
    struct pollfd bad[2] = { { 99, POLLIN, 0 }, { -1, POLLIN, 0 } };
    T("poll bad fd", poll(bad, 2, 0));
    printf("  revents=%x %x\n", bad[0].revents, bad[1].revents);
    return 0;
}
