/* Re-opening an open pipe through /dev/fd/N (/proc/self/fd/N), as bash's process substitution
 * `> >(cmd)` does: open(O_WRONLY|O_CREAT|O_TRUNC) of the write end's link gives a new write end
 * of the same pipe (O_CREAT and O_TRUNC change nothing on a pipe); O_RDONLY of the read end's
 * link reads what was written. */
#include "abi.h"
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    int p[2];
    if (pipe(p) != 0) return 1;
    char path[64], buf[64] = {0};
    snprintf(path, sizeof path, "/dev/fd/%d", p[1]);
    int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    printf("open write end O_CREAT|O_TRUNC: %s\n", w >= 0 ? "ok" : strerror(errno));
    T("write through it", write(w, "via-devfd\n", 10));
    close(w);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    int r = open(path, O_RDONLY);
    printf("open read end: %s\n", r >= 0 ? "ok" : strerror(errno));
    T("read", read(r, buf, sizeof buf - 1));
    printf("data: %s", buf);
    struct stat st;
    T("fstat is a FIFO", fstat(r, &st) == 0 && S_ISFIFO(st.st_mode));
    close(r);
    T("create in /proc/self/fd", open("/proc/self/fd/999", O_WRONLY | O_CREAT, 0666));
    return 0;
}
