/* AF_UNIX datagram and seqpacket sockets: named sockets exchanging messages with
 * sendto/recvfrom (sender addresses, message boundaries, truncation with MSG_TRUNC, empty
 * datagrams), connect as a default destination and a filter (EPERM), errors (ENOTCONN,
 * ECONNREFUSED, ENOENT, EMSGSIZE), autobind and the abstract namespace, a socketpair whose
 * peer closes, nonblocking EAGAIN on a full receiver, poll, and SOCK_SEQPACKET boundaries. */
#include "abi.h"
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t address(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static void receive(const char *label, int fd, size_t size, int flags) {
    char buf[512];
    struct sockaddr_un from;
    memset(&from, 0x55, sizeof from);
    socklen_t flen = sizeof from;
    errno = 0;
    ssize_t n = recvfrom(fd, buf, size, flags, (struct sockaddr *)&from, &flen);
    if (n < 0) { printf("%s: -1 errno=%d\n", label, errno); return; }
    printf("%s: %ld \"%.*s\" from len=%d", label, (long)n, (int)(n < (ssize_t)size ? n : (ssize_t)size), buf, (int)flen);
    if (flen > 2) printf(" path=\"%s\"", from.sun_path[0] ? from.sun_path : "(abstract)");
    printf("\n");
}

static void show_poll(const char *label, int fd) {
    struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
    int n = poll(&p, 1, 0);
    printf("%s: %d revents=%x\n", label, n, p.revents);
}

int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    struct sockaddr_un a, b, m;
    socklen_t alen = address(&a, "a"), blen = address(&b, "b"), mlen = address(&m, "missing");
    int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
    int type = 0; socklen_t tl = sizeof type;
    getsockopt(sa, SOL_SOCKET, SO_TYPE, &type, &tl);
    printf("SO_TYPE=%d\n", type);
    T("bind a", bind(sa, (struct sockaddr *)&a, alen));
    T("bind b", bind(sb, (struct sockaddr *)&b, blen));
    T("send unconnected", send(sa, "x", 1, 0));
    T("write unconnected", write(sa, "x", 1));
    T("sendto missing", sendto(sa, "x", 1, 0, (struct sockaddr *)&m, mlen));
    T("sendto a->b one", sendto(sa, "one", 3, 0, (struct sockaddr *)&b, blen));
    T("sendto a->b two", sendto(sa, "two", 3, 0, (struct sockaddr *)&b, blen));
    T("sendto a->b empty", sendto(sa, "", 0, 0, (struct sockaddr *)&b, blen));
    T("sendto a->b long", sendto(sa, "a longer message", 16, 0, (struct sockaddr *)&b, blen));
    show_poll("poll b with messages", sb);
    receive("recvfrom b", sb, 100, 0);
    receive("recvfrom b MSG_PEEK", sb, 100, MSG_PEEK);
    receive("recvfrom b", sb, 100, 0);
    receive("recvfrom b empty datagram", sb, 100, 0);
    receive("recvfrom b truncated to 6, MSG_TRUNC", sb, 6, MSG_TRUNC);
    receive("recvfrom b nonblocking", sb, 100, MSG_DONTWAIT);

    /* recvmsg reports truncation in msg_flags. */
    sendto(sa, "0123456789", 10, 0, (struct sockaddr *)&b, blen);
    char small[4];
    struct iovec iov = { small, sizeof small };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    T("recvmsg into 4 bytes", recvmsg(sb, &mh, 0));
    printf("  msg_flags=%x namelen=%d\n", mh.msg_flags, (int)mh.msg_namelen);

    /* An unbound sender has no address. */
    int u = socket(AF_UNIX, SOCK_DGRAM, 0);
    sendto(u, "anon", 4, 0, (struct sockaddr *)&b, blen);
    receive("recvfrom unbound sender", sb, 100, 0);

    /* connect: the default destination, and only the peer may send. */
    T("connect a->b", connect(sa, (struct sockaddr *)&b, blen));
    T("send connected", send(sa, "via connect", 11, 0));
    receive("recvfrom b", sb, 100, 0);
    T("connect b->a", connect(sb, (struct sockaddr *)&a, alen));
    T("u sends to b (b connected to a)", sendto(u, "no", 2, 0, (struct sockaddr *)&b, blen));
    T("connect u to b", connect(u, (struct sockaddr *)&b, blen));
    struct sockaddr_un name; socklen_t nl = sizeof name;
    T("getpeername a", getpeername(sa, (struct sockaddr *)&name, &nl));
    printf("  len=%d path=%s\n", (int)nl, name.sun_path);
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    T("disconnect b (AF_UNSPEC)", connect(sb, &unspec, sizeof unspec));
    T("getpeername b", getpeername(sb, (struct sockaddr *)&name, &nl));
    T("u sends to b again", sendto(u, "yes", 3, 0, (struct sockaddr *)&b, blen));
    receive("recvfrom b", sb, 100, 0);
    static char huge[300000];
    T("send too big", sendto(u, huge, sizeof huge, 0, (struct sockaddr *)&b, blen));
    T("connect to missing", connect(u, (struct sockaddr *)&m, mlen));

    /* A closed socket's name stays, refusing. */
    close(sa);
    T("sendto closed a", sendto(sb, "x", 1, 0, (struct sockaddr *)&a, alen));
    T("unlink a", unlink("a"));
    close(u);

    /* Autobind (an address of just the family) and the abstract namespace. */
    int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un fam = { .sun_family = AF_UNIX };
    T("autobind", bind(ab, (struct sockaddr *)&fam, sizeof(sa_family_t)));
    nl = sizeof name;
    getsockname(ab, (struct sockaddr *)&name, &nl);
    printf("  autobound: len=%d abstract=%d\n", (int)nl, name.sun_path[0] == 0);
    struct sockaddr_un abs = { .sun_family = AF_UNIX };
    memcpy(abs.sun_path, "\0k42-test", 9);
    socklen_t abslen = offsetof(struct sockaddr_un, sun_path) + 9;
    int ab2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    T("bind abstract", bind(ab2, (struct sockaddr *)&abs, abslen));
    int ab3 = socket(AF_UNIX, SOCK_DGRAM, 0);
    T("bind abstract again", bind(ab3, (struct sockaddr *)&abs, abslen));
    T("sendto abstract", sendto(ab, "abs", 3, 0, (struct sockaddr *)&abs, abslen));
    char buf[64];
    struct sockaddr_un from; socklen_t fl = sizeof from;
    ssize_t n = recvfrom(ab2, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    printf("recvfrom abstract: %ld from len=%d same as autobound=%d\n", (long)n, (int)fl,
           fl == nl && memcmp(&from, &name, nl) == 0);
    nl = sizeof name;
    getsockname(ab2, (struct sockaddr *)&name, &nl);
    printf("getsockname abstract: len=%d name=%.8s\n", (int)nl, name.sun_path + 1);
    close(ab); close(ab2); close(ab3);

    /* A datagram socketpair: the peer closing refuses the next send, then ENOTCONN. */
    int sv[2];
    T("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    show_poll("poll fresh dgram pair", sv[0]);
    T("write", write(sv[0], "msg1", 4));
    T("write", write(sv[0], "msg2", 4));
    T("read 100 gets one message", read(sv[1], buf, 100));
    T("read 2 of a message", read(sv[1], buf, 2));
    T("rest discarded", recv(sv[1], buf, 100, MSG_DONTWAIT));
    T("shutdown SHUT_RD", shutdown(sv[1], SHUT_RD));
    T("send to shut reader", send(sv[0], "x", 1, 0));
    show_poll("poll SHUT_RD socket", sv[1]);
    T("recv SHUT_RD nonblocking", recv(sv[1], buf, 100, MSG_DONTWAIT));
    T("recv SHUT_RD blocking", recv(sv[1], buf, 100, 0));
    close(sv[1]);
    T("send to closed peer", send(sv[0], "x", 1, 0));
    T("send again", send(sv[0], "x", 1, 0));
    close(sv[0]);

    /* Nonblocking sends to a full receiver. */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    int sent = 0;
    while (send(sv[0], huge, 1024, 0) == 1024) sent++;
    int e = errno;
    printf("filled after some messages: %d errno=%d\n", sent > 10, e);
    show_poll("poll full sender", sv[0]);
    T("blocking send with MSG_DONTWAIT", send(sv[0], huge, 1024, MSG_DONTWAIT));
    int got = 0;
    while (recv(sv[1], huge, sizeof huge, MSG_DONTWAIT) == 1024) got++;
    printf("received all: %d\n", got == sent);
    close(sv[0]); close(sv[1]);

    /* SOCK_SEQPACKET: connected, with message boundaries. */
    T("socketpair seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    write(sv[0], "first", 5);
    write(sv[0], "second", 6);
    T("read one record", read(sv[1], buf, 100));
    memset(&mh, 0, sizeof mh);
    iov.iov_base = small; iov.iov_len = 3;
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    T("recvmsg 3 of a record", recvmsg(sv[1], &mh, 0));
    printf("  msg_flags=%x\n", mh.msg_flags);
    close(sv[0]);
    show_poll("poll seqpacket after peer close", sv[1]);
    T("read EOF", read(sv[1], buf, 100));
    T("write to closed seqpacket peer", send(sv[1], "x", 1, MSG_NOSIGNAL));
    close(sv[1]);
    int sl = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un q; socklen_t qlen = address(&q, "seq");
    T("seqpacket bind", bind(sl, (struct sockaddr *)&q, qlen));
    T("seqpacket listen", listen(sl, 4));
    int sc = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    T("seqpacket connect", connect(sc, (struct sockaddr *)&q, qlen));
    int ss = accept(sl, NULL, NULL);
    send(sc, "rec1", 4, 0); send(sc, "rec22", 5, 0);
    T("seqpacket recv 1", recv(ss, buf, 100, 0));
    T("seqpacket recv 2", recv(ss, buf, 100, 0));
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    T("stream connect to seqpacket listener", connect(st, (struct sockaddr *)&q, qlen));

    /* EPIPE without SIGPIPE (whose default action would end this program) off streams. */
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    close(sv[1]);
    T("seqpacket send to closed peer, no MSG_NOSIGNAL", send(sv[0], "x", 1, 0));
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    shutdown(sv[0], SHUT_WR);
    T("datagram send after SHUT_WR", send(sv[0], "x", 1, 0));
    return 0;
}
