/* SCM_RIGHTS descriptor passing over AF_UNIX sockets: a pipe end and a file sent from a
 * child to its parent, cmsg lengths, MSG_CTRUNC when the control buffer is short (the excess
 * descriptors are closed), MSG_CMSG_CLOEXEC, bad descriptors (EBADF) and bad control data
 * (EINVAL), plus SO_PEERCRED and SCM_CREDENTIALS with SO_PASSCRED. */
#include "abi.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static int send_fds(int sock, const int *fds, int count, const char *data) {
    char control[CMSG_SPACE(sizeof(int) * 8)];
    memset(control, 0, sizeof control);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    mh.msg_control = control;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * count);
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
    return (int)sendmsg(sock, &mh, 0);
}

/* Receives one message; prints the data, flags and control layout; returns the first fd. */
static int receive_fds(const char *label, int sock, size_t controlSize, int flags, int *all, int *count) {
    char data[64], control[256];
    struct iovec iov = { data, sizeof data };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    mh.msg_control = controlSize ? control : NULL;
    mh.msg_controllen = controlSize;
    errno = 0;
    ssize_t n = recvmsg(sock, &mh, flags);
    if (n < 0) { printf("%s: -1 errno=%d\n", label, errno); return -1; }
    printf("%s: %ld \"%.*s\" msg_flags=%x controllen=%d\n", label, (long)n, (int)n, data, mh.msg_flags, (int)mh.msg_controllen);
    int first = -1, k = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        printf("  cmsg level=%d type=%d len=%d\n", c->cmsg_level, c->cmsg_type, (int)c->cmsg_len);
        if (c->cmsg_type == SCM_RIGHTS) {
            int nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < nfd; i++) {
                int fd; memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (first < 0) first = fd;
                if (all && k < 8) all[k] = fd;
                k++;
            }
        }
    }
    if (count) *count = k;
    return first;
}

int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);

    /* A child opens a file and a pipe and passes them to its parent. */
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        int f = open("passed.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
        write(f, "file contents", 13);
        lseek(f, 5, SEEK_SET);
        int p[2]; pipe(p);
        write(p[1], "through the pipe", 16);
        int fds[2] = { f, p[0] };
        if (send_fds(sv[1], fds, 2, "two fds") < 0) _exit(1);
        close(f); close(p[0]);
        char c; read(sv[1], &c, 1);          /* wait for the parent */
        write(p[1], "!", 1);
        _exit(0);
    }
    close(sv[1]);
    int fds[8], count = 0;
    receive_fds("recvmsg two fds", sv[0], 256, 0, fds, &count);
    printf("received %d descriptors\n", count);
    char buf[64];
    ssize_t n = read(fds[0], buf, sizeof buf);
    printf("file read at the shared offset: %ld \"%.*s\"\n", (long)n, (int)n, buf);
    n = read(fds[1], buf, sizeof buf);
    printf("pipe read: %ld \"%.*s\"\n", (long)n, (int)n, buf);
    printf("FD_CLOEXEC without MSG_CMSG_CLOEXEC: %d\n", fcntl(fds[0], F_GETFD));
    write(sv[0], "g", 1);
    n = read(fds[1], buf, sizeof buf);
    printf("pipe read after child's write: %ld\n", (long)n);
    int status; waitpid(child, &status, 0);
    printf("child exit %d\n", WEXITSTATUS(status));
    close(fds[0]); close(fds[1]); close(sv[0]);

    /* Control buffer too small: MSG_CTRUNC, and the descriptors that do not fit are closed. */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int p[2]; pipe(p);
    int three[3] = { p[0], p[1], 0 };
    T("sendmsg three fds", send_fds(sv[0], three, 3, "three"));
    int got[8];
    receive_fds("recvmsg with room for one", sv[1], CMSG_SPACE(sizeof(int)), 0, got, &count);
    printf("received %d; next free fd is the lowest again: %d\n", count, fcntl(got[0], F_DUPFD, 0) == got[0] + 1);
    close(got[0]);
    T("sendmsg one fd", send_fds(sv[0], p, 1, "one"));
    receive_fds("recvmsg without control buffer", sv[1], 0, 0, NULL, &count);
    T("sendmsg one fd", send_fds(sv[0], p, 1, "cloexec"));
    int fd = receive_fds("recvmsg MSG_CMSG_CLOEXEC", sv[1], 256, MSG_CMSG_CLOEXEC, NULL, NULL);
    printf("FD_CLOEXEC=%d\n", fcntl(fd, F_GETFD));
    close(fd);
    int bad[1] = { 99 };
    T("sendmsg bad fd", send_fds(sv[0], bad, 1, "bad"));
    T("recv nothing queued", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));

    /* Malformed control data. */
    char control[64];
    memset(control, 0, sizeof control);
    struct iovec iov = { "x", 1 };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    mh.msg_control = control; mh.msg_controllen = sizeof(struct cmsghdr);
    struct cmsghdr *c = (struct cmsghdr *)control;
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = 8;
    T("cmsg_len too short", sendmsg(sv[0], &mh, 0));
    c->cmsg_len = 100;
    T("cmsg_len past the buffer", sendmsg(sv[0], &mh, 0));
    c->cmsg_len = sizeof(struct cmsghdr); c->cmsg_type = 77;
    T("unknown SOL_SOCKET type", sendmsg(sv[0], &mh, 0));
    c->cmsg_level = 99;
    T("other level ignored", sendmsg(sv[0], &mh, 0));
    recv(sv[1], buf, sizeof buf, 0);
    mh.msg_control = (void *)8; mh.msg_controllen = 32;
    T("control bad pointer", sendmsg(sv[0], &mh, 0));
    mh.msg_control = NULL; mh.msg_controllen = 0;
    iov.iov_base = (void *)8;
    T("data bad pointer", sendmsg(sv[0], &mh, 0));
    T("msghdr bad pointer", sendmsg(sv[0], (struct msghdr *)8, 0));
    close(sv[0]); close(sv[1]);
    close(p[0]); close(p[1]);

    /* Credentials. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct ucred cred; socklen_t cl = sizeof cred;
    T("SO_PEERCRED of a socketpair", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &cl));
    printf("  len=%d pid is mine=%d uid is mine=%d gid is mine=%d\n", (int)cl, cred.pid == getpid(), cred.uid == getuid(), cred.gid == getgid());
    int un = socket(AF_UNIX, SOCK_STREAM, 0);
    cl = sizeof cred;
    getsockopt(un, SOL_SOCKET, SO_PEERCRED, &cred, &cl);
    printf("SO_PEERCRED unconnected: pid=%d uid=%d gid=%d\n", cred.pid, (int)cred.uid, (int)cred.gid);
    close(un);
    int one = 1;
    T("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    int v = 0; socklen_t vl = sizeof v;
    getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &vl);
    printf("  SO_PASSCRED reads back %d\n", v);
    child = fork();
    if (child == 0) { write(sv[0], "hi", 2); _exit(0); }
    waitpid(child, &status, 0);
    char data[16], ctl[64];
    struct iovec di = { data, sizeof data };
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &di; mh.msg_iovlen = 1; mh.msg_control = ctl; mh.msg_controllen = sizeof ctl;
    n = recvmsg(sv[1], &mh, 0);
    c = CMSG_FIRSTHDR(&mh);
    printf("recvmsg with SO_PASSCRED: %ld controllen=%d\n", (long)n, (int)mh.msg_controllen);
    if (c) {
        struct ucred rc; memcpy(&rc, CMSG_DATA(c), sizeof rc);
        printf("  cmsg type=%d len=%d pid is the child=%d uid ok=%d\n", c->cmsg_type, (int)c->cmsg_len, rc.pid == child, rc.uid == getuid());
    }
    int err = -1; socklen_t el = sizeof err;
    T("SO_ERROR", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    printf("  error=%d\n", err);
    int size = 4096;
    T("SO_SNDBUF set", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size));
    vl = sizeof v;
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &vl);
    printf("  SO_SNDBUF reads back %d\n", v);
    T("SO_RCVBUF set", setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof size));
    T("setsockopt short", setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, 2));
    T("getsockopt unknown", getsockopt(sv[0], SOL_SOCKET, 9999, &v, &vl));
    T("getsockopt other level", getsockopt(sv[0], 6, 1, &v, &vl));
    vl = sizeof v;
    T("SO_ACCEPTCONN", getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    printf("  value=%d\n", v);
    T("SO_DOMAIN", getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &vl));
    printf("  value=%d\n", v);
    T("getsockopt on a file", getsockopt(0 + open("passed.txt", O_RDONLY), SOL_SOCKET, SO_TYPE, &v, &vl));
    return 0;
}
