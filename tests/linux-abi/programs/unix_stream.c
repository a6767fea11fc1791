/* AF_UNIX stream sockets: socket(2) argument errors, socketpair I/O (byte stream, shutdown,
 * EOF, EPIPE with SIGPIPE and MSG_NOSIGNAL, nonblocking EAGAIN, poll readiness), a named
 * listener (bind creates an S_IFSOCK node, listen, accept with fork, connect), the errors of
 * bind/connect/listen/accept (EADDRINUSE, ECONNREFUSED, ENOENT, EPROTOTYPE, EINVAL, ENOTSOCK),
 * getsockname/getpeername, and a blocking recv ended by a signal (EINTR vs SA_RESTART). */
#include "abi.h"
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

static int sigpipes, sigusr1s;
static void on_pipe(int s) { (void)s; sigpipes++; }
static void on_usr1(int s) { (void)s; sigusr1s++; }

static socklen_t address(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static void show_name(const char *label, int (*get)(int, struct sockaddr *, socklen_t *), int fd) {
    struct sockaddr_un a;
    memset(&a, 0x55, sizeof a);
    socklen_t len = sizeof a;
    errno = 0;
    if (get(fd, (struct sockaddr *)&a, &len) != 0) { printf("%s: -1 errno=%d\n", label, errno); return; }
    printf("%s: len=%d family=%d path=\"%s\"\n", label, (int)len, a.sun_family,
           len > 2 ? a.sun_path : "");
}

static void show_poll(const char *label, int fd) {
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    int n = poll(&p, 1, 0);
    printf("%s: %d revents=%x\n", label, n, p.revents);
}

int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    umask(022);
    signal(SIGPIPE, on_pipe);
    char buf[256];

    /* socket(2) arguments. */
    T("socket bad type 99", socket(AF_UNIX, 99, 0));
    T("socket SOCK_RDM", socket(AF_UNIX, SOCK_RDM, 0));
    T("socket protocol 7", socket(AF_UNIX, SOCK_STREAM, 7));
    T("socket unknown flag", socket(AF_UNIX, SOCK_STREAM | 0x10, 0));
    T("socket family 1000", socket(1000, SOCK_STREAM, 0));
    T("socket family -1", socket(-1, SOCK_STREAM, 0));
    T("socketpair bad pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)8));

    /* A connected pair is a byte stream. */
    int sv[2];
    T("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct stat st;
    fstat(sv[0], &st);
    printf("fstat: S_ISSOCK=%d\n", S_ISSOCK(st.st_mode));
    int type = 0; socklen_t len = sizeof type;
    T("SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
    printf("  type=%d len=%d\n", type, (int)len);
    T("lseek", lseek(sv[0], 0, SEEK_SET));
    show_poll("poll fresh pair", sv[0]);
    T("write ab", write(sv[0], "ab", 2));
    T("send cd", send(sv[0], "cd", 2, 0));
    show_poll("poll peer with data", sv[1]);
    T("recv MSG_PEEK", recv(sv[1], buf, sizeof buf, MSG_PEEK));
    T("read merges writes", read(sv[1], buf, sizeof buf));
    printf("  data=%.4s\n", buf);
    T("recv MSG_DONTWAIT empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    T("write 3", write(sv[1], "xyz", 3));
    T("read 2 of 3", read(sv[0], buf, 2));
    T("read last 1", read(sv[0], buf, 2));
    T("shutdown bad how", shutdown(sv[0], 7));
    T("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
    show_poll("poll after own SHUT_WR", sv[0]);
    show_poll("poll peer after SHUT_WR", sv[1]);
    T("peer reads EOF", read(sv[1], buf, sizeof buf));
    T("write after SHUT_WR", write(sv[0], "q", 1));
    printf("  SIGPIPE count=%d\n", sigpipes);
    T("peer can still write", write(sv[1], "back", 4));
    T("read it", read(sv[0], buf, sizeof buf));
    close(sv[0]); close(sv[1]);

    /* Closing one end: EOF for reads, EPIPE and SIGPIPE for writes. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "last", 4);
    close(sv[0]);
    show_poll("poll after peer close", sv[1]);
    T("read remaining", read(sv[1], buf, sizeof buf));
    T("read EOF", read(sv[1], buf, sizeof buf));
    sigpipes = 0;
    T("write to closed peer", write(sv[1], "x", 1));
    T("send MSG_NOSIGNAL", send(sv[1], "x", 1, MSG_NOSIGNAL));
    printf("  SIGPIPE count=%d\n", sigpipes);
    show_name("getpeername of closed peer", getpeername, sv[1]);
    close(sv[1]);

    /* Nonblocking: EAGAIN when empty and when full. */
    T("socketpair SOCK_NONBLOCK|SOCK_CLOEXEC", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    printf("  O_NONBLOCK=%d FD_CLOEXEC=%d\n", !!(fcntl(sv[0], F_GETFL) & O_NONBLOCK), fcntl(sv[0], F_GETFD));
    T("read empty", read(sv[0], buf, 1));
    static char big[65536];
    long total = 0; ssize_t n;
    while ((n = write(sv[0], big, sizeof big)) > 0) total += n;
    int e = errno;
    printf("filled: more than 64 KiB %d, then errno=%d\n", total > 65536, e);
    show_poll("poll full writer", sv[0]);
    long drained = 0;
    while ((n = read(sv[1], big, sizeof big)) > 0) drained += n;
    printf("drained all: %d\n", drained == total);
    show_poll("poll drained writer", sv[0]);
    close(sv[0]); close(sv[1]);

    /* A named listener. */
    struct sockaddr_un a;
    socklen_t alen = address(&a, "srv");
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    show_name("getsockname unbound", getsockname, l);
    show_name("getpeername unconnected", getpeername, l);
    T("listen unbound", listen(l, 5));
    T("bind short len", bind(l, (struct sockaddr *)&a, 1));
    T("bind too long", bind(l, (struct sockaddr *)&a, sizeof a + 1));
    a.sun_family = AF_INET;
    T("bind wrong family", bind(l, (struct sockaddr *)&a, alen));
    a.sun_family = AF_UNIX;
    T("bind bad pointer", bind(l, (struct sockaddr *)8, alen));
    T("bind srv", bind(l, (struct sockaddr *)&a, alen));
    stat("srv", &st);
    printf("  node: S_ISSOCK=%d mode=%o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
    T("open the node", open("srv", O_RDONLY));
    show_name("getsockname bound", getsockname, l);
    struct sockaddr_un b;
    socklen_t blen = address(&b, "other");
    T("bind again", bind(l, (struct sockaddr *)&b, blen));
    T("bind again to existing", bind(l, (struct sockaddr *)&a, alen));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("connect before listen", connect(c, (struct sockaddr *)&a, alen));
    T("accept before listen", accept(l, NULL, NULL));
    int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
    T("bind existing path", bind(l2, (struct sockaddr *)&a, alen));
    close(open("plain", O_CREAT | O_WRONLY, 0644));
    socklen_t plen = address(&b, "plain");
    T("bind over regular file", bind(l2, (struct sockaddr *)&b, plen));
    T("connect to regular file", connect(c, (struct sockaddr *)&b, plen));
    blen = address(&b, "missing");
    T("connect to missing", connect(c, (struct sockaddr *)&b, blen));
    blen = address(&b, "nodir/x");
    T("bind in missing dir", bind(l2, (struct sockaddr *)&b, blen));
    T("listen", listen(l, 5));
    T("listen again", listen(l, 1));
    show_poll("poll idle listener", l);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    T("dgram connect to stream listener", connect(d, (struct sockaddr *)&a, alen));
    T("listen on dgram", listen(d, 1));
    T("accept on dgram", accept(d, NULL, NULL));
    close(d);
    int p[2]; pipe(p);
    T("bind on a pipe", bind(p[0], (struct sockaddr *)&a, alen));
    T("accept on a pipe", accept(p[0], NULL, NULL));
    T("getsockname bad fd", getsockname(99, (struct sockaddr *)&b, &blen));
    close(p[0]); close(p[1]);
    fcntl(l, F_SETFL, O_NONBLOCK);
    T("accept nonblocking, none pending", accept(l, NULL, NULL));
    fcntl(l, F_SETFL, 0);

    T("connect", connect(c, (struct sockaddr *)&a, alen));
    T("connect again", connect(c, (struct sockaddr *)&a, alen));
    show_poll("poll listener with pending", l);
    show_name("client getsockname", getsockname, c);
    show_name("client getpeername", getpeername, c);
    T("client writes before accept", write(c, "early", 5));
    struct sockaddr_un from; socklen_t flen = sizeof from;
    memset(&from, 0x55, sizeof from);
    int s = accept4(l, (struct sockaddr *)&from, &flen, SOCK_CLOEXEC);
    printf("accept4: %s len=%d family=%d cloexec=%d\n", s >= 0 ? "ok" : "failed", (int)flen, from.sun_family, fcntl(s, F_GETFD));
    T("accept4 bad flags", accept4(l, NULL, NULL, 0x10));
    show_name("server getsockname", getsockname, s);
    show_name("server getpeername", getpeername, s);
    T("server reads", read(s, buf, sizeof buf));
    close(s); close(c);

    /* accept blocks until a child connects; the child's data arrives. */
    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        int cs = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(cs, (struct sockaddr *)&a, alen) != 0) _exit(1);
        write(cs, "from child", 10);
        char r[16];
        ssize_t k = read(cs, r, sizeof r);
        _exit(k == 5 && memcmp(r, "reply", 5) == 0 ? 0 : 2);
    }
    s = accept(l, NULL, NULL);
    printf("blocking accept: %s\n", s >= 0 ? "ok" : "failed");
    n = read(s, buf, sizeof buf);
    printf("read from child: %ld %.*s\n", (long)n, (int)(n > 0 ? n : 0), buf);
    write(s, "reply", 5);
    int status; waitpid(child, &status, 0);
    printf("child exit %d\n", WEXITSTATUS(status));
    T("read after child exit", read(s, buf, sizeof buf));
    close(s);

    /* A closed listener leaves its node behind: ECONNREFUSED; unlinking frees the name. */
    close(l);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("connect to closed listener", connect(c, (struct sockaddr *)&a, alen));
    l = socket(AF_UNIX, SOCK_STREAM, 0);
    T("bind over stale node", bind(l, (struct sockaddr *)&a, alen));
    T("unlink stale node", unlink("srv"));
    T("bind again", bind(l, (struct sockaddr *)&a, alen));
    T("listen backlog 0", listen(l, 0));
    int nb = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    T("connect 1", connect(nb, (struct sockaddr *)&a, alen));
    int nb2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    T("connect 2 (backlog full)", connect(nb2, (struct sockaddr *)&a, alen));
    close(l);
    show_poll("poll client of closed listener", nb);
    T("read client of closed listener", read(nb, buf, sizeof buf));
    T("read again", read(nb, buf, sizeof buf));
    close(nb); close(nb2); close(c);

    /* A blocking recv and a signal: EINTR without SA_RESTART, restarted with it. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t me = getpid();
    child = fork();
    if (child == 0) { usleep(50000); kill(me, SIGUSR1); _exit(0); }
    T("recv interrupted", recv(sv[0], buf, sizeof buf, 0));
    waitpid(child, &status, 0);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    child = fork();
    if (child == 0) { usleep(50000); kill(me, SIGUSR1); usleep(50000); write(sv[1], "after", 5); _exit(0); }
    T("recv restarted", recv(sv[0], buf, sizeof buf, 0));
    waitpid(child, &status, 0);
    printf("SIGUSR1 count=%d\n", sigusr1s);
    return 0;
}
