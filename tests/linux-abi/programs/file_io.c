/* open(2)/read/write/lseek/pread/pwrite: offsets, holes, O_APPEND, O_TRUNC, O_EXCL,
 * O_DIRECTORY, access-mode errors (EBADF), ESPIPE on pipes, EINVAL for negative offsets. */
#include "abi.h"
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    char buf[64];
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    T("write hello", write(fd, "hello world", 11));
    T("lseek cur", lseek(fd, 0, SEEK_CUR));
    T("lseek set 6", lseek(fd, 6, SEEK_SET));
    memset(buf, 0, sizeof buf);
    T("read rest", read(fd, buf, sizeof buf));
    printf("  data=%s\n", buf);
    T("read at eof", read(fd, buf, sizeof buf));
    T("lseek end -5", lseek(fd, -5, SEEK_END));
    T("lseek negative", lseek(fd, -100, SEEK_SET));
    T("lseek bad whence", lseek(fd, 0, 42));
    T("pread 0", pread(fd, buf, 5, 0));
    printf("  data=%.5s\n", buf);
    T("offset unchanged by pread", lseek(fd, 0, SEEK_CUR));
    T("pwrite at 20 (hole)", pwrite(fd, "END", 3, 20));
    T("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR));
    T("lseek end", lseek(fd, 0, SEEK_END));
    memset(buf, 'x', sizeof buf);
    T("pread hole", pread(fd, buf, 23, 0));
    int zeros = 0; for (int i = 11; i < 20; i++) zeros += buf[i] == 0;
    printf("  hole zeros=%d tail=%.3s\n", zeros, buf + 20);
    T("pread past eof", pread(fd, buf, 10, 1000));
    T("pread negative", pread(fd, buf, 1, -1));
    T("lseek far", lseek(fd, 1 << 20, SEEK_SET));
    T("size unchanged by lseek", lseek(fd, 0, SEEK_END));
    close(fd);

    fd = open("f", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    T("append write", write(fd, "+A", 2));
    T("append offset", lseek(fd, 0, SEEK_CUR));
    T("pwrite on O_APPEND", pwrite(fd, "+B", 2, 0));
    T("size after append", lseek(fd, 0, SEEK_END));
    T("read on O_WRONLY", read(fd, buf, 1));
    close(fd);
    fd = open("f", O_RDONLY);
    T("write on O_RDONLY", write(fd, "x", 1));
    T("pread on O_RDONLY", pread(fd, buf, 2, 0));
    printf("  first=%.2s\n", buf);
    close(fd);

    T("O_TRUNC open", (fd = open("f", O_RDWR | O_TRUNC)) >= 0);
    T("size after O_TRUNC", lseek(fd, 0, SEEK_END));
    close(fd);
    T("O_EXCL existing", open("f", O_RDWR | O_CREAT | O_EXCL, 0644));
    T("O_EXCL new", (fd = open("g", O_RDWR | O_CREAT | O_EXCL, 0644)) >= 0);
    close(fd);
    T("O_DIRECTORY on file", open("f", O_RDONLY | O_DIRECTORY));
    T("O_DIRECTORY on dir", (fd = open(".", O_RDONLY | O_DIRECTORY)) >= 0);
    T("read on dir", read(fd, buf, 1));
    T("write-open dir", open(".", O_WRONLY));
    close(fd);
    T("missing no O_CREAT", open("missing", O_RDONLY));
    T("O_CREAT in missing dir", open("nodir/x", O_RDWR | O_CREAT, 0644));
    T("file as directory", open("f/x", O_RDONLY));
    T("O_TRUNC|O_RDONLY keeps open", (fd = open("g", O_RDONLY | O_CREAT, 0644)) >= 0);
    close(fd);

    int p[2];
    pipe(p);
    T("lseek pipe", lseek(p[0], 0, SEEK_CUR));
    T("pread pipe", pread(p[0], buf, 1, 0));
    T("pwrite pipe", pwrite(p[1], "x", 1, 0));
    close(p[0]); close(p[1]);

    /* Two descriptors from two opens have separate offsets. */
    int a = open("two", O_RDWR | O_CREAT, 0644), b = open("two", O_RDWR);
    write(a, "abcdef", 6);
    T("second open offset", lseek(b, 0, SEEK_CUR));
    T("second open read", read(b, buf, 3));
    printf("  data=%.3s\n", buf);
    write(b, "XY", 2);
    pread(a, buf, 6, 0);
    printf("  combined=%.6s\n", buf);
    close(a); close(b);

    return 0;
}
