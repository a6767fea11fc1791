/* AF_UNIX streams under load and at their edges: 1 MiB from a child in uneven pieces arrives
 * intact and in order; select and poll wake on a socket a child writes to and on a listener a
 * child connects to; SIGPIPE's default action ends a writer; SO_RCVTIMEO/SO_SNDTIMEO end
 * waits with EAGAIN (and a signal with EINTR, even under SA_RESTART); and bad user pointers in
 * recvmsg/recvfrom/getsockopt are EFAULT, never a crash. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/un.h>

static void on_usr1(int s) { (void)s; }

int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t c = fork();
    if (c == 0) {
        close(sv[0]);
        static unsigned char out[1 << 20];
        for (int i = 0; i < (int)sizeof out; i++) out[i] = (unsigned char)(i * 7 + i / 251);
        size_t sent = 0, step = 1;
        while (sent < sizeof out) {
            size_t n = step < sizeof out - sent ? step : sizeof out - sent;
            ssize_t w = write(sv[1], out + sent, n);
            if (w <= 0) _exit(1);
            sent += (size_t)w;
            step = step * 3 % 70001 + 1;
        }
        _exit(0);
    }
    close(sv[1]);
    static unsigned char in[1 << 20];
    size_t got = 0;
    ssize_t n;
    while ((n = read(sv[0], in + got, sizeof in - got > 5000 ? 5000 : sizeof in - got)) > 0) got += (size_t)n;
    int ok = got == sizeof in;
    for (int i = 0; ok && i < (int)sizeof in; i++) ok = in[i] == (unsigned char)(i * 7 + i / 251);
    printf("1 MiB through a stream: %d, then read %ld\n", ok, (long)n);
    int st; waitpid(c, &st, 0);
    printf("writer exit %d\n", WEXITSTATUS(st));
    close(sv[0]);

    /* select wakes on data from a child; poll wakes on a connection. */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    c = fork();
    if (c == 0) { usleep(50000); write(sv[1], "wake", 4); _exit(0); }
    fd_set r; FD_ZERO(&r); FD_SET(sv[0], &r);
    struct timeval tv = { 5, 0 };
    T("select woken by a datagram", select(sv[0] + 1, &r, NULL, NULL, &tv));
    printf("  readable=%d\n", FD_ISSET(sv[0], &r));
    waitpid(c, &st, 0);
    close(sv[0]); close(sv[1]);

    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, "listener");
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 9;
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(l, (struct sockaddr *)&a, alen);
    listen(l, 1);
    c = fork();
    if (c == 0) {
        usleep(50000);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        _exit(connect(s, (struct sockaddr *)&a, alen) == 0 ? 0 : 1);
    }
    struct pollfd p = { l, POLLIN, 0 };
    T("poll woken by a connection", poll(&p, 1, 5000));
    printf("  revents=%x\n", p.revents);
    waitpid(c, &st, 0);
    printf("connector exit %d\n", WEXITSTATUS(st));
    int s = accept(l, NULL, NULL);
    T("read from a closed connector", read(s, in, 10));
    close(s); close(l);

    /* SIGPIPE's default action. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    c = fork();
    if (c == 0) { signal(SIGPIPE, SIG_DFL); write(sv[0], "x", 1); _exit(0); }
    waitpid(c, &st, 0);
    printf("writer to a closed stream: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    close(sv[0]);

    /* Timeouts. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct timeval tmo = { 0, 100000 }, back = { 9, 9 };
    T("SO_RCVTIMEO 100 ms", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof tmo));
    socklen_t bl = sizeof back;
    T("SO_RCVTIMEO read back", getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &back, &bl));
    printf("  %ld s %ld us len=%d\n", (long)back.tv_sec, (long)back.tv_usec, (int)bl);
    T("recv times out", recv(sv[0], in, 10, 0));
    struct timeval badtv = { 0, 2000000 };
    T("SO_RCVTIMEO bad usec", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &badtv, sizeof badtv));
    T("SO_RCVTIMEO short", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tmo, 8));
    T("SO_SNDTIMEO 100 ms", setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof tmo));
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    while (write(sv[0], in, 65536) > 0) {}
    fcntl(sv[0], F_SETFL, 0);
    T("send times out when full", send(sv[0], in, 65536, 0));
    struct sigaction act; memset(&act, 0, sizeof act);
    act.sa_handler = on_usr1; act.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &act, NULL);
    tmo.tv_sec = 5; tmo.tv_usec = 0;
    setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof tmo);
    while (recv(sv[1], in, sizeof in, MSG_DONTWAIT) > 0) {}
    pid_t me = getpid();
    c = fork();
    if (c == 0) { usleep(50000); kill(me, SIGUSR1); _exit(0); }
    T("recv with a timeout, signal under SA_RESTART", recv(sv[1], in, 10, 0));
    waitpid(c, &st, 0);
    close(sv[0]); close(sv[1]);

    /* Bad pointers. */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    write(sv[0], "data", 4);
    T("recvfrom into a bad buffer", recvfrom(sv[1], (void *)8, 4, MSG_DONTWAIT, NULL, NULL));
    write(sv[0], "data", 4);
    char buf[8];
    T("recvfrom with a bad address length", recvfrom(sv[1], buf, 4, 0, (struct sockaddr *)buf, (socklen_t *)8));
    T("recvmsg bad msghdr", recvmsg(sv[1], (struct msghdr *)8, MSG_DONTWAIT));
    struct iovec iov = { (void *)16, 4 };
    struct msghdr mh; memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    write(sv[0], "data", 4);
    T("recvmsg bad iovec base", recvmsg(sv[1], &mh, MSG_DONTWAIT));
    mh.msg_iov = (struct iovec *)8;
    T("recvmsg bad iovec array", recvmsg(sv[1], &mh, MSG_DONTWAIT));
    int v; socklen_t vl = 4;
    T("getsockopt bad value", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, (void *)8, &vl));
    T("getsockopt bad length", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8));
    vl = (socklen_t)-1;
    T("getsockopt negative length", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl));
    T("setsockopt bad value", setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, (void *)8, 4));
    T("getsockname bad address", getsockname(sv[0], (struct sockaddr *)8, &vl));
    T("sendto bad address", sendto(sv[0], "x", 1, 0, (struct sockaddr *)8, 10));
    T("send bad buffer", send(sv[0], (void *)8, 4, 0));
    T("socket still works", send(sv[0], "ok", 2, 0));
    T("read with a length past user space", read(sv[1], buf, (size_t)-1));
    T("recv after it", recv(sv[1], buf, sizeof buf, 0));
    return 0;
}
