/* epoll(7): epoll_create/epoll_create1 and epoll_ctl's argument errors (EINVAL, EEXIST, ENOENT,
 * EPERM for regular files and /dev/null, EBADF, ELOOP), level-triggered, EPOLLET and
 * EPOLLONESHOT reporting on pipes, eventfd and AF_UNIX sockets (EPOLLHUP, EPOLLRDHUP),
 * removal when the last descriptor of the watched file closes, nested epolls, poll on an
 * epoll fd, timeouts, a wait a child ends, EINTR even with SA_RESTART, epoll_pwait's
 * sigsetsize and epoll_pwait2. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event e;
    memset(&e, 0, sizeof e);
    e.events = events;
    e.data.u64 = data;
    return epoll_ctl(ep, op, fd, &e);
}

/* Waits and prints the events sorted by data (Linux's ready-list order is not part of the ABI). */
static void wait_show(const char *label, int ep, int max, int timeout) {
    struct epoll_event ev[16];
    errno = 0;
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) { printf("%s: -1 errno=%d\n", label, errno); return; }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (ev[j].data.u64 < ev[i].data.u64) { struct epoll_event t = ev[i]; ev[i] = ev[j]; ev[j] = t; }
    printf("%s: %d", label, n);
    for (int i = 0; i < n; i++) printf(" [%llu %x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
}

static void on_alarm(int s) { (void)s; }

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    enter_workdir("epoll");

    /* Creation. */
    T("create size 0", epoll_create(0));
    T("create1 bad flags", epoll_create1(1));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    OK("create1 cloexec", ep);
    T("cloexec flag", fcntl(ep, F_GETFD));
    int ep0 = epoll_create(1);
    T("create cloexec flag", fcntl(ep0, F_GETFD));
    close(ep0);

    /* epoll_ctl errors. */
    int p[2];
    pipe(p);
    int reg = open("file", O_CREAT | O_RDWR, 0644);
    int null = open("/dev/null", O_RDWR);
    T("add regular file", ctl(ep, EPOLL_CTL_ADD, reg, EPOLLIN, 1));
    T("add /dev/null", ctl(ep, EPOLL_CTL_ADD, null, EPOLLIN, 1));
    T("add bad fd", ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 1));
    T("add on non-epoll", ctl(p[0], EPOLL_CTL_ADD, p[1], EPOLLIN, 1));
    T("add itself", ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 1));
    T("bad op", ctl(ep, 7, p[0], EPOLLIN, 1));
    T("mod unlisted", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 1));
    T("del unlisted", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    T("add bad pointer", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (struct epoll_event *)8));
    T("exclusive|oneshot", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 1));
    T("add pipe read end", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
    T("add again", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
    T("mod exclusive", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
    struct epoll_event ev[4];
    T("wait maxevents 0", epoll_wait(ep, ev, 0, 0));
    T("wait on non-epoll", epoll_wait(p[0], ev, 4, 0));
    T("wait bad fd", epoll_wait(999, ev, 4, 0));

    /* Level-triggered pipe. */
    wait_show("empty pipe", ep, 4, 0);
    write(p[1], "abc", 3);
    wait_show("pipe has data", ep, 4, 0);
    wait_show("still level-ready", ep, 4, 0);
    T("add write end", ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 2));
    wait_show("both ends", ep, 4, 0);
    wait_show("maxevents 1", ep, 1, 0);
    T("mod read end to OUT", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLOUT, 3));
    wait_show("read end wants OUT", ep, 4, 0);
    T("del write end", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    T("mod read end back", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 1));
    close(p[1]);
    wait_show("writer closed", ep, 4, 0);
    char buf[16];
    read(p[0], buf, sizeof buf);
    wait_show("drained, no writer", ep, 4, 0);

    /* Closing the last descriptor removes the entry; a dup keeps it. */
    int q[2];
    pipe(q);
    T("add q", ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 10));
    int q0dup = dup(q[0]);
    close(q[0]);
    write(q[1], "x", 1);
    wait_show("after closing one of two fds", ep, 4, 0);
    T("del by closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    close(q0dup);
    wait_show("after closing the last fd", ep, 4, 0);
    close(p[0]);
    wait_show("after closing p[0]", ep, 4, 0);
    int r[2];
    pipe(r);                              /* reuses the closed numbers */
    T("add reused fd", ctl(ep, EPOLL_CTL_ADD, r[0], EPOLLIN, 20));
    close(r[0]); close(r[1]); close(q[1]);

    /* eventfd: EPOLLET and EPOLLONESHOT. */
    int efd = eventfd(0, EFD_NONBLOCK);
    T("add eventfd ET", ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 30));
    wait_show("ET nothing", ep, 4, 0);
    uint64_t one = 1;
    write(efd, &one, 8);
    wait_show("ET first", ep, 4, 0);
    wait_show("ET no new event", ep, 4, 0);
    write(efd, &one, 8);
    wait_show("ET second write", ep, 4, 0);
    T("mod oneshot", ctl(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLONESHOT, 31));
    wait_show("oneshot first", ep, 4, 0);
    wait_show("oneshot disarmed", ep, 4, 0);
    write(efd, &one, 8);
    wait_show("oneshot still disarmed", ep, 4, 0);
    T("re-arm", ctl(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLONESHOT, 32));
    wait_show("re-armed", ep, 4, 0);
    T("del eventfd", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

    /* AF_UNIX stream sockets: EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP. */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    T("add socket", ctl(ep, EPOLL_CTL_ADD, sv[0], EPOLLIN | EPOLLRDHUP, 40));
    wait_show("socket idle", ep, 4, 0);
    write(sv[1], "hi", 2);
    wait_show("socket data", ep, 4, 0);
    read(sv[0], buf, sizeof buf);
    T("mod socket OUT", ctl(ep, EPOLL_CTL_MOD, sv[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 41));
    wait_show("socket writable", ep, 4, 0);
    shutdown(sv[1], SHUT_WR);
    wait_show("peer shut down writing", ep, 4, 0);
    close(sv[1]);
    wait_show("peer closed", ep, 4, 0);
    close(sv[0]);

    /* Nested epolls, ELOOP, poll on an epoll fd. */
    int inner = epoll_create1(0), outer = epoll_create1(0);
    int s[2];
    pipe(s);
    T("inner add", ctl(inner, EPOLL_CTL_ADD, s[0], EPOLLIN, 50));
    T("outer add inner", ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 51));
    T("loop", ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN, 52));
    wait_show("outer idle", outer, 4, 0);
    struct pollfd pf = { inner, POLLIN, 0 };
    T("poll inner idle", poll(&pf, 1, 0));
    write(s[1], "y", 1);
    wait_show("outer sees inner", outer, 4, 0);
    pf.revents = 0;
    T("poll inner ready", poll(&pf, 1, 0));
    printf("revents: %x\n", pf.revents);
    wait_show("inner", inner, 4, 0);

    /* Timeouts and blocking. */
    char c;
    read(s[0], &c, 1);
    wait_show("100 ms timeout", inner, 4, 100);
    pid_t child = fork();
    if (child == 0) {
        struct timespec d = { 0, 50 * 1000 * 1000 };
        nanosleep(&d, NULL);
        write(s[1], "z", 1);
        _exit(0);
    }
    wait_show("woken by child", inner, 4, -1);
    waitpid(child, NULL, 0);
    read(s[0], &c, 1);
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    errno = 0;
    printf("pwait2 timeout: %ld\n", (long)syscall(SYS_epoll_pwait2, inner, ev, 4, &ts, NULL, 8));
    sigset_t set;
    sigemptyset(&set);
    T("pwait bad sigsetsize", syscall(SYS_epoll_pwait, inner, ev, 4, 0, &set, 4));
    T("pwait with mask", epoll_pwait(inner, ev, 4, 0, &set));

    /* EINTR, even with SA_RESTART. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 50 * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    wait_show("interrupted", inner, 4, -1);

    /* Closing the epoll fd while it watches files; the files live on. */
    close(inner); close(outer);
    write(s[1], "w", 1);
    T("read after epoll closed", read(s[0], &c, 1));
    close(ep);
    return 0;
}
