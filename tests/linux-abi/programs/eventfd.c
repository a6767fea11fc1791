/* eventfd(2): the counter's read/write semantics, EFD_SEMAPHORE, EFD_NONBLOCK (EAGAIN when
 * zero and on overflow), EFD_CLOEXEC, argument errors, poll readiness, and a read blocked
 * until a child writes. */
#include "abi.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

static void show_poll(const char *label, int fd) {
    struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
    int n = poll(&p, 1, 0);
    printf("%s: %d revents=%x\n", label, n, p.revents);
}

static void rd(const char *label, int fd) {
    uint64_t v = 0;
    errno = 0;
    ssize_t n = read(fd, &v, sizeof v);
    if (n < 0) printf("%s: -1 errno=%d\n", label, errno);
    else printf("%s: %ld value=%llu\n", label, (long)n, (unsigned long long)v);
}

static void wr(const char *label, int fd, uint64_t v) {
    T(label, write(fd, &v, sizeof v));
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    T("eventfd2 bad flags", syscall(SYS_eventfd2, 0, 0x10));
    int fd = eventfd(3, 0);
    printf("eventfd: %s FD_CLOEXEC=%d O_NONBLOCK=%d\n", fd >= 0 ? "ok" : "failed", fcntl(fd, F_GETFD), !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    show_poll("poll with 3", fd);
    rd("read", fd);
    show_poll("poll with 0", fd);
    wr("write 5", fd, 5);
    wr("write 7", fd, 7);
    rd("read sum", fd);
    uint64_t v = 1;
    T("read 4 bytes", read(fd, &v, 4));
    T("write 4 bytes", write(fd, &v, 4));
    wr("write all ones", fd, UINT64_MAX);
    T("lseek", lseek(fd, 0, SEEK_SET));
    char big[16];
    wr("write 9", fd, 9);
    T("read 16 bytes", read(fd, big, 16));
    wr("write 1", fd, 1);
    T("read bad pointer", read(fd, (void *)8, 8));
    close(fd);

    fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    printf("EFD_NONBLOCK|EFD_CLOEXEC: FD_CLOEXEC=%d O_NONBLOCK=%d\n", fcntl(fd, F_GETFD), !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    rd("read zero nonblocking", fd);
    wr("write max-1", fd, UINT64_MAX - 1);
    show_poll("poll at the maximum", fd);
    wr("write 1 more (overflow)", fd, 1);
    wr("write 0 (no change)", fd, 0);
    rd("read max", fd);
    close(fd);

    fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    rd("semaphore read", fd);
    rd("semaphore read", fd);
    rd("semaphore read at zero", fd);
    close(fd);

    fd = syscall(SYS_eventfd, 1);
    rd("eventfd (no flags) read", fd);
    pid_t c = fork();
    if (c == 0) { usleep(50000); uint64_t one = 42; write(fd, &one, 8); _exit(0); }
    rd("blocking read woken by the child", fd);
    int st; waitpid(c, &st, 0);
    struct stat s;
    fstat(fd, &s);
    printf("fstat: mode=%o size=%ld\n", s.st_mode, (long)s.st_size);
    char link[64] = {0};
    char path[64]; snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    readlink(path, link, sizeof link - 1);
    printf("link: %s\n", link);
    return 0;
}
