/* Sockets in flight inside sockets: a chain of 3000 socketpairs, each one's end queued (by
 * SCM_RIGHTS) in the previous one, is freed when its head closes, without the kernel
 * recursing once per link; a socket sent through itself; and descriptors still in a queue
 * when its socket closes are closed with it. */
#include "abi.h"
#include <sys/socket.h>

static int send_fd(int sock, int fd) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = { "x", 1 };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    mh.msg_control = control; mh.msg_controllen = sizeof control;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return (int)sendmsg(sock, &mh, 0);
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    int head[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, head);
    int sender = head[1], ok = 0;
    for (int i = 0; i < 3000; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) break;
        if (send_fd(sender, sv[0]) == 1) ok++;
        close(sv[0]);
        close(sender);
        sender = sv[1];
    }
    close(sender);
    printf("links queued: %d\n", ok);
    T("close the head", close(head[0]));

    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    T("send a socket through itself", send_fd(sv[0], sv[1]));
    close(sv[0]); close(sv[1]);

    int p[2]; pipe(p);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    T("queue a pipe's write end", send_fd(sv[0], p[1]));
    close(p[1]);
    close(sv[0]); close(sv[1]);
    char c;
    T("the pipe sees EOF once the queue is gone", read(p[0], &c, 1));
    printf("still alive\n");
    return 0;
}
