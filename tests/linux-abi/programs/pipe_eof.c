/* Pipes: data in order, short reads, EOF only after every writer (including a child's copy)
 * has closed, and readers blocked until then. */
#include "abi.h"
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    char buf[64];
    pipe(p);
    T("write", write(p[1], "hello", 5));
    T("short read", read(p[0], buf, 3));
    T("rest", read(p[0], buf, sizeof buf));
    printf("  data=%.2s\n", buf);
    T("read on write end", read(p[1], buf, 1));
    T("write on read end", write(p[0], "x", 1));
    T("zero-length write", write(p[1], "", 0));
    T("zero-length read", read(p[0], buf, 0));
    /* A child holds a copy of the write end: EOF waits for it. */
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        usleep(30000);
        write(p[1], "from child", 10);
        usleep(30000);
        _exit(0);
    }
    close(p[1]);
    memset(buf, 0, sizeof buf);
    T("read blocks for child data", read(p[0], buf, sizeof buf));
    printf("  data=%s\n", buf);
    T("EOF after child exits", read(p[0], buf, sizeof buf));
    T("EOF again", read(p[0], buf, sizeof buf));
    int st; waitpid(c, &st, 0);
    close(p[0]);

    /* Several writers, one reader: all data arrives, then EOF. */
    pipe(p);
    for (int i = 0; i < 4; i++) {
        if (fork() == 0) {
            close(p[0]);
            char line[8];
            snprintf(line, sizeof line, "w%d;", i);
            for (int k = 0; k < 50; k++) write(p[1], line, 3);
            _exit(0);
        }
    }
    close(p[1]);
    long total = 0, counts[4] = {0};
    ssize_t n;
    char rec[3]; int fill = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            rec[fill++] = buf[i];
            if (fill == 3) { if (rec[0] == 'w' && rec[2] == ';') counts[rec[1] - '0']++; fill = 0; }
        }
        total += n;
    }
    printf("four writers: total=%ld counts=%ld %ld %ld %ld last=%ld\n", total, counts[0], counts[1], counts[2], counts[3], (long)n);
    while (wait(&st) > 0) {}
    close(p[0]);

    /* Writes of at most PIPE_BUF bytes are atomic; a reader sees FIFO order. */
    pipe(p);
    char big[4096];
    for (int i = 0; i < 4096; i++) big[i] = (char)i;
    T("write 4096", write(p[1], big, sizeof big));
    int ok = 1;
    char got[4096];
    T("read 4096", read(p[0], got, sizeof got));
    for (int i = 0; i < 4096; i++) ok &= got[i] == (char)i;
    printf("  in order: %d\n", ok);
    return 0;
}
