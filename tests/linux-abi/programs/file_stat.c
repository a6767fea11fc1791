/* stat/fstat/lstat/fstatat/statx: the deterministic fields (size, mode, type, nlink),
 * truncate/ftruncate growing with zeros and shrinking, chmod, errors. */
#include "abi.h"
static void show(const char *label, const char *path) {
    struct stat st;
    errno = 0;
    int r = stat(path, &st);
    int e = errno;
    if (r) { printf("stat %s: -1 errno=%d\n", label, e); return; }
    printf("stat %s: size=%ld mode=%o reg=%d dir=%d lnk=%d chr=%d fifo=%d nlink=%ld\n", label,
           S_ISDIR(st.st_mode) ? -1L : (long)st.st_size, st.st_mode & 07777, S_ISREG(st.st_mode),
           S_ISDIR(st.st_mode), S_ISLNK(st.st_mode), S_ISCHR(st.st_mode), S_ISFIFO(st.st_mode),
           (long)st.st_nlink);
}
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    umask(022);
    int fd = open("f", O_RDWR | O_CREAT, 0666);
    write(fd, "0123456789", 10);
    show("file", "f");
    struct stat a, b;
    fstat(fd, &a); stat("f", &b);
    printf("fstat==stat: ino=%d dev=%d size=%d\n", a.st_ino == b.st_ino, a.st_dev == b.st_dev, a.st_size == b.st_size);
    printf("blksize>0: %d uid=%d gid=%d\n", a.st_blksize > 0, (int)a.st_uid, (int)a.st_gid);
    T("ftruncate 4", ftruncate(fd, 4));
    show("after ftruncate 4", "f");
    T("ftruncate 100", ftruncate(fd, 100));
    show("after ftruncate 100", "f");
    char buf[100]; memset(buf, 'x', sizeof buf);
    pread(fd, buf, 100, 0);
    int zeros = 0; for (int i = 4; i < 100; i++) zeros += buf[i] == 0;
    printf("grown bytes zero: %d, kept=%.4s\n", zeros, buf);
    T("truncate path 7", truncate("f", 7));
    show("after truncate 7", "f");
    T("ftruncate negative", ftruncate(fd, -1));
    close(fd);
    fd = open("f", O_RDONLY);
    T("ftruncate on O_RDONLY", ftruncate(fd, 0));
    close(fd);
    T("truncate dir", truncate(".", 0));
    T("truncate missing", truncate("nope", 0));

    mkdir("d", 0755);
    mkdir("d/sub1", 0700);
    mkdir("d/sub2", 0777);
    show("dir", "d");
    show("subdir", "d/sub1");
    link("f", "f2");
    show("file after link", "f");
    symlink("f", "s");
    show("symlink followed", "s");
    struct stat l;
    lstat("s", &l);
    printf("lstat symlink: lnk=%d size=%ld\n", S_ISLNK(l.st_mode), (long)l.st_size);
    fstatat(AT_FDCWD, "s", &l, AT_SYMLINK_NOFOLLOW);
    printf("fstatat nofollow: lnk=%d\n", S_ISLNK(l.st_mode));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    T("fstatat in dirfd", fstatat(dfd, "sub1", &l, 0));
    printf("  dir=%d mode=%o\n", S_ISDIR(l.st_mode), l.st_mode & 07777);
    T("fstatat AT_EMPTY_PATH", fstatat(dfd, "", &l, AT_EMPTY_PATH));
    printf("  dir=%d\n", S_ISDIR(l.st_mode));
    T("fstatat empty without flag", fstatat(dfd, "", &l, 0));
    close(dfd);
    T("chmod 4751", chmod("f", 04751));
    show("after chmod", "f");
    fd = open("f", O_RDONLY);
    T("fchmod 600", fchmod(fd, 0600));
    show("after fchmod", "f");
    close(fd);

    struct statx sx;
    memset(&sx, 0, sizeof sx);
    T("statx", statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
    printf("  mask has type|mode|nlink|size: %d size=%llu mode=%o nlink=%u reg=%d\n",
           (sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE)) == (STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE),
           (unsigned long long)sx.stx_size, sx.stx_mode & 07777, sx.stx_nlink, S_ISREG(sx.stx_mode));
    T("statx symlink nofollow", statx(AT_FDCWD, "s", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    printf("  lnk=%d size=%llu\n", S_ISLNK(sx.stx_mode), (unsigned long long)sx.stx_size);
    T("statx missing", statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx));
    T("statx bad flags", statx(AT_FDCWD, "f", 0x80000000, STATX_BASIC_STATS, &sx));
    T("stat missing", stat("missing", &l));
    T("stat through file", stat("f/x", &l));
    T("stat empty path", stat("", &l));
    T("fstat bad fd", fstat(77, &l));
    int p[2]; pipe(p);
    fstat(p[0], &l);
    printf("pipe fstat: fifo=%d\n", S_ISFIFO(l.st_mode));
    return 0;
}
