/* fcntl F_GETPIPE_SZ/F_SETPIPE_SZ: the 64 KiB default, rounding up to a power-of-two number
 * of pages, EBUSY when the data would not fit, EBADF on non-pipes, EINVAL for a negative
 * size, and the new capacity seen by nonblocking writes. */
#include "abi.h"
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    int p[2];
    pipe2(p, O_NONBLOCK);
    T("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    T("F_GETPIPE_SZ write end", fcntl(p[1], F_GETPIPE_SZ));
    T("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096));
    T("F_SETPIPE_SZ 5000", fcntl(p[1], F_SETPIPE_SZ, 5000));
    T("F_SETPIPE_SZ 0", fcntl(p[1], F_SETPIPE_SZ, 0));
    T("F_SETPIPE_SZ 1", fcntl(p[1], F_SETPIPE_SZ, 1));
    T("F_SETPIPE_SZ 20000", fcntl(p[0], F_SETPIPE_SZ, 20000));
    T("F_SETPIPE_SZ 1 MiB", fcntl(p[0], F_SETPIPE_SZ, 1 << 20));
    T("F_SETPIPE_SZ -1", fcntl(p[0], F_SETPIPE_SZ, -1));
    T("F_SETPIPE_SZ 4096", fcntl(p[0], F_SETPIPE_SZ, 4096));
    static char buf[70000];
    long total = 0; ssize_t n;
    while ((n = write(p[1], buf, 1000)) > 0) total += n;
    printf("filled 1000 at a time: %ld, then errno=%d\n", total, errno);
    T("shrink below the data", fcntl(p[0], F_SETPIPE_SZ, 0));
    T("grow to 65536", fcntl(p[0], F_SETPIPE_SZ, 65536));
    while ((n = write(p[1], buf, 4096)) > 0) total += n;
    printf("filled 4096 at a time: %ld, then errno=%d\n", total, errno);
    T("data survives", read(p[0], buf, sizeof buf));
    int f = open("file", O_CREAT | O_RDWR, 0644);
    T("F_GETPIPE_SZ on a file", fcntl(f, F_GETPIPE_SZ));
    T("F_SETPIPE_SZ on a file", fcntl(f, F_SETPIPE_SZ, 4096));
    return 0;
}
