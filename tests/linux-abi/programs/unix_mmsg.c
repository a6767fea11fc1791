/* sendmmsg(2) and recvmmsg(2) on AF_UNIX datagram sockets: several messages per call with each
 * msg_len filled in, a partial send when a later entry is bad, MSG_DONTWAIT's EAGAIN,
 * MSG_WAITFORONE (block for the first, then take what is there), the timeout (checked after
 * each message: zero takes one), EINVAL for a bad timeout, ENOTSOCK and EBADF. */
#include "abi.h"
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

static struct mmsghdr msgs[8];
static struct iovec iov[8];
static char bufs[8][32];

static void prepare_recv(int n) {
    memset(msgs, 0, sizeof msgs);
    memset(bufs, 0, sizeof bufs);
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = sizeof bufs[i] - 1;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
}

static void show(const char *label, int r) {
    if (r < 0) { printf("%s: -1 errno=%d\n", label, errno); return; }
    printf("%s: %d", label, r);
    for (int i = 0; i < r; i++) printf(" [%u \"%s\"]", msgs[i].msg_len, bufs[i]);
    printf("\n");
}

static int send_words(int fd, const char **words, int n) {
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = (void *)words[i];
        iov[i].iov_len = strlen(words[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    errno = 0;
    int r = sendmmsg(fd, msgs, n, 0);
    if (r < 0) printf("sendmmsg: -1 errno=%d\n", errno);
    else {
        printf("sendmmsg: %d lens", r);
        for (int i = 0; i < r; i++) printf(" %u", msgs[i].msg_len);
        printf("\n");
    }
    return r;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    const char *three[] = { "a", "bb", "ccc" };
    send_words(sv[0], three, 3);
    prepare_recv(5);
    show("recvmmsg dontwait", recvmmsg(sv[1], msgs, 5, MSG_DONTWAIT, NULL));
    prepare_recv(5);
    show("recvmmsg empty", recvmmsg(sv[1], msgs, 5, MSG_DONTWAIT, NULL));

    /* A bad iovec in the second entry: the first goes out, the call returns 1. */
    memset(msgs, 0, sizeof msgs);
    iov[0].iov_base = "first"; iov[0].iov_len = 5;
    msgs[0].msg_hdr.msg_iov = &iov[0]; msgs[0].msg_hdr.msg_iovlen = 1;
    msgs[1].msg_hdr.msg_iov = (struct iovec *)8; msgs[1].msg_hdr.msg_iovlen = 1;
    T("sendmmsg, second entry bad", sendmmsg(sv[0], msgs, 2, 0));
    T("sendmmsg, first entry bad", sendmmsg(sv[0], msgs + 1, 1, 0));
    prepare_recv(2);
    show("received", recvmmsg(sv[1], msgs, 2, MSG_DONTWAIT, NULL));

    /* MSG_WAITFORONE: two waiting, five asked for. */
    const char *two[] = { "x", "yy" };
    send_words(sv[0], two, 2);
    prepare_recv(5);
    show("waitforone", recvmmsg(sv[1], msgs, 5, MSG_WAITFORONE, NULL));
    /* ...and blocking for the first, sent by a child later. */
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec d = { 0, 50 * 1000000L };
        nanosleep(&d, NULL);
        send(sv[0], "late", 4, 0);
        _exit(0);
    }
    prepare_recv(4);
    show("waitforone blocks", recvmmsg(sv[1], msgs, 4, MSG_WAITFORONE, NULL));
    waitpid(pid, NULL, 0);

    /* Timeouts. */
    send_words(sv[0], three, 3);
    struct timespec zero = { 0, 0 };
    prepare_recv(3);
    show("zero timeout takes one", recvmmsg(sv[1], msgs, 3, 0, &zero));
    struct timespec ten = { 10, 0 };
    prepare_recv(2);
    show("long timeout takes the rest", recvmmsg(sv[1], msgs, 2, 0, &ten));
    printf("time left under 10 s: %d\n", ten.tv_sec < 10 || (ten.tv_sec == 10 && ten.tv_nsec == 0));
    struct timespec bad = { 0, 2000000000L };
    prepare_recv(1);
    show("bad timeout", recvmmsg(sv[1], msgs, 1, 0, &bad));

    int file = open("/dev/null", O_RDWR);
    prepare_recv(1);
    show("not a socket", recvmmsg(file, msgs, 1, 0, NULL));
    T("sendmmsg not a socket", sendmmsg(file, msgs, 1, 0));
    show("bad fd", recvmmsg(99, msgs, 1, 0, NULL));
    T("sendmmsg vlen 0", sendmmsg(sv[0], msgs, 0, 0));

    /* Stream sockets too. */
    int st[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, st);
    send_words(st[0], three, 3);
    prepare_recv(1);
    show("stream recvmmsg", recvmmsg(st[1], msgs, 1, MSG_DONTWAIT, NULL));
    return 0;
}
