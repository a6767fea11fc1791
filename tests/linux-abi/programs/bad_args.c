/* errno for bad arguments, through raw system calls so libc cannot intervene: EFAULT for bad
 * user pointers (NULL, unmapped, kernel half, a read-only buffer to fill), EBADF for bad and
 * wrong-mode descriptors, ENAMETOOLONG, ENOENT, ENOTDIR, EINVAL. No call may crash. */
#include "abi.h"
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    void *null = NULL, *unmapped = (void *)0x100000000000UL, *kernel = (void *)0xffffffff81000000UL;
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    write(fd, "content", 7);
    lseek(fd, 0, SEEK_SET);
    T("read into NULL", syscall(SYS_read, fd, null, 4));
    T("read into unmapped", syscall(SYS_read, fd, unmapped, 4));
    T("read into kernel", syscall(SYS_read, fd, kernel, 4));
    T("read into read-only page", syscall(SYS_read, fd, ro, 4));
    T("offset unchanged after EFAULT", lseek(fd, 0, SEEK_CUR));
    T("read 0 bytes into NULL", syscall(SYS_read, fd, null, 0));
    T("write from NULL", syscall(SYS_write, fd, null, 4));
    T("write from kernel", syscall(SYS_write, fd, kernel, 4));
    T("write from read-only page ok", syscall(SYS_write, fd, ro, 4));
    T("pread into unmapped", syscall(SYS_pread64, fd, unmapped, 4, 0));
    /* A buffer whose second page is unmapped: the copy stops there and the call reports the
     * bytes that did move (a short count), not EFAULT. */
    char *half = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(half + 4096, 4096);
    int big = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
    static char zeros[8192];
    write(big, zeros, sizeof zeros);
    T("pread running into an unmapped page", syscall(SYS_pread64, big, half, 8192, 0));
    T("pwrite running into an unmapped page", syscall(SYS_pwrite64, big, half, 8192, 0));
    close(big);
    T("open NULL path", syscall(SYS_open, null, O_RDONLY));
    T("open unmapped path", syscall(SYS_open, unmapped, O_RDONLY));
    T("open kernel path", syscall(SYS_open, kernel, O_RDONLY));
    T("stat NULL path", syscall(SYS_stat, null, ro));
    T("stat into read-only", syscall(SYS_stat, "f", ro));
    T("stat into kernel", syscall(SYS_stat, "f", kernel));
    T("fstat into NULL", syscall(SYS_fstat, fd, null));
    T("pipe into NULL", syscall(SYS_pipe, null));
    T("pipe into read-only", syscall(SYS_pipe, ro));
    T("getcwd into NULL", syscall(SYS_getcwd, null, 100));
    T("uname into kernel", syscall(SYS_uname, kernel));
    T("mkdir unmapped", syscall(SYS_mkdir, unmapped, 0755));
    T("unlink kernel", syscall(SYS_unlink, kernel));
    T("readlink into NULL", (symlink("f", "l"), syscall(SYS_readlink, "l", null, 10)));
    T("rt_sigaction unmapped act", syscall(SYS_rt_sigaction, 10, unmapped, NULL, 8));
    T("rt_sigprocmask unmapped", syscall(SYS_rt_sigprocmask, 0, unmapped, NULL, 8));
    T("wait4 status into read-only", (fork() == 0 ? _exit(0), 0 : 0, syscall(SYS_wait4, -1, ro, 0, NULL)));
    while (wait(NULL) > 0) {}
    struct iovec bad[2] = { { "ok", 2 }, { unmapped, 4 } };
    T("writev second iov bad", syscall(SYS_writev, fd, bad, 2));
    T("writev iov array unmapped", syscall(SYS_writev, fd, unmapped, 1));
    T("poll fds unmapped", syscall(SYS_poll, unmapped, 1, 0));
    T("execve unmapped path", syscall(SYS_execve, unmapped, NULL, NULL));
    T("chdir NULL", syscall(SYS_chdir, null));

    T("read bad fd", syscall(SYS_read, 1000, ro, 1));
    T("read fd -1", syscall(SYS_read, -1, ro, 1));
    T("write closed fd", (close(fd), syscall(SYS_write, fd, "x", 1)));
    T("fstat bad fd", syscall(SYS_fstat, 555, ro));
    T("lseek bad fd", syscall(SYS_lseek, 555, 0, 0));
    T("fchdir bad fd", syscall(SYS_fchdir, 555));
    T("fchmod bad fd", syscall(SYS_fchmod, 555, 0644));
    T("ftruncate bad fd", syscall(SYS_ftruncate, 555, 0));
    T("getdents64 bad fd", syscall(SYS_getdents64, 555, ro, 100));
    T("openat bad dirfd", syscall(SYS_openat, 555, "f", O_RDONLY));
    T("openat bad dirfd absolute ok", syscall(SYS_openat, 555, "/", O_RDONLY) >= 0);
    int file = open("f", O_RDONLY);
    T("openat dirfd is a file", syscall(SYS_openat, file, "x", O_RDONLY));
    T("fsync bad fd", syscall(SYS_fsync, 555));
    T("dup bad fd", syscall(SYS_dup, 555));
    T("ioctl bad fd", syscall(SYS_ioctl, 555, 0x5401, ro));
    T("ioctl not a tty", syscall(SYS_ioctl, file, 0x5401, ro));
    T("mmap bad fd", (long)syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 555, 0) == -1);

    char name[300];
    memset(name, 'n', 255); name[255] = 0;
    T("255-byte name ok", (fd = open(name, O_CREAT | O_RDWR, 0644)) >= 0);
    close(fd);
    memset(name, 'n', 256); name[256] = 0;
    T("256-byte name", open(name, O_CREAT | O_RDWR, 0644));
    T("256-byte name stat", access(name, F_OK));
    T("256-byte mkdir", mkdir(name, 0755));
    static char path[5000];
    for (int i = 0; i < 4200; i += 2) { path[i] = 'a'; path[i + 1] = '/'; }
    path[4200] = 0;
    T("path over PATH_MAX", open(path, O_RDONLY));
    T("path over PATH_MAX stat", access(path, F_OK));
    /* A long but legal path of existing directories: 4000 bytes through "./" steps. */
    for (int i = 0; i < 4000; i += 2) { path[i] = '.'; path[i + 1] = '/'; }
    strcpy(path + 4000, "f");
    T("4001-byte path of ./", access(path, F_OK));
    T("empty path", open("", O_RDONLY));
    T("ENOENT component", open("no/such/file", O_RDONLY));
    T("ENOTDIR component", open("f/x", O_RDONLY));
    T("trailing slash on file", open("f/", O_RDONLY));
    T("trailing slash create", open("newfile/", O_CREAT | O_RDWR, 0644));
    T("bad open flags accmode 3", (fd = open("f", 3)) >= 0);
    T("lseek whence 5", lseek(file, 0, 5));
    return 0;
}
