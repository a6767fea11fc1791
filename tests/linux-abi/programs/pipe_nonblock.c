/* O_NONBLOCK pipes: EAGAIN on an empty pipe and on a full one, the default capacity (64 KiB),
 * partial writes, and EOF still reported as 0. F_SETFL switches modes on an open pipe. */
#include "abi.h"
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    char buf[4096];
    T("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
    T("read empty", read(p[0], buf, 1));
    long total = 0;
    ssize_t n;
    memset(buf, 'a', sizeof buf);
    while ((n = write(p[1], buf, 4096)) > 0) total += n;
    int e = errno;
    printf("filled: %ld bytes, then errno=%d\n", total, e);
    T("write 1 to full", write(p[1], buf, 1));
    T("read 4096", read(p[0], buf, 4096));
    static char big[8192];
    T("write 8192 into 4096 bytes room", write(p[1], big, sizeof big));
    T("full again", write(p[1], buf, 1));
    long drained = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) drained += n;
    e = errno;
    printf("drained: %ld, then errno=%d\n", drained, e);
    close(p[1]);
    T("read at EOF", read(p[0], buf, 1));
    close(p[0]);

    pipe(p);
    T("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
    T("read now nonblocking", read(p[0], buf, 1));
    T("write end still blocking", !!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
    T("F_SETFL clear", fcntl(p[0], F_SETFL, 0));
    pid_t c = fork();
    if (c == 0) { usleep(20000); write(p[1], "late", 4); _exit(0); }
    T("blocking read waits", read(p[0], buf, sizeof buf));
    int st; waitpid(c, &st, 0);
    return 0;
}
