/* How a path gets from user memory into a walk (path_resolution(7)): paths that end just
 * before an unmapped page, run into one (EFAULT), are empty (ENOENT, or AT_EMPTY_PATH), are
 * longer than the kernel's stack copy of a path (256 bytes) or than PATH_MAX (ENAMETOOLONG),
 * and symlinks spliced in front of the rest of a path (trailing slashes, "..", "//", a link
 * to "/"). stat, open and newfstatat through raw system calls so libc cannot intervene. */
#include "abi.h"
#include <sys/mman.h>
#include <sys/syscall.h>
static long size_of(const char *p) { struct stat st; return syscall(SYS_stat, p, &st) ? -1 : (long)st.st_size; }
static long open_close(const char *p) { long fd = syscall(SYS_open, p, O_RDONLY); if (fd >= 0) close((int)fd); return fd < 0 ? -1 : 0; }
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    write(fd, "12345", 5);
    close(fd);
    mkdir("dir", 0755);
    fd = open("dir/inner", O_CREAT | O_WRONLY, 0644);
    write(fd, "abc", 3);
    close(fd);

    /* A page followed by an unmapped one: the path's NUL is the page's last byte. */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    char *tail = page + 4096 - 5;
    memcpy(tail, "file", 5);
    T("stat path ending at a page end", size_of(tail));
    T("open path ending at a page end", open_close(tail));
    memcpy(page + 4096 - 4, "file", 4);           /* no NUL before the unmapped page */
    T("stat path running into an unmapped page", size_of(page + 4096 - 4));
    T("open path running into an unmapped page", open_close(page + 4096 - 4));
    /* A path spanning two mapped pages. */
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(two + 4096 - 3, "dir/inner", 10);
    T("stat path across a page boundary", size_of(two + 4096 - 3));

    T("stat empty path", size_of(""));
    struct stat st;
    T("fstatat empty path without AT_EMPTY_PATH", syscall(SYS_newfstatat, AT_FDCWD, "", &st, 0));
    T("fstatat AT_EMPTY_PATH on cwd", syscall(SYS_newfstatat, AT_FDCWD, "", &st, AT_EMPTY_PATH) == 0 && S_ISDIR(st.st_mode));
    int dirfd = open("dir", O_RDONLY | O_DIRECTORY);
    T("fstatat AT_EMPTY_PATH on a dirfd", syscall(SYS_newfstatat, dirfd, "", &st, AT_EMPTY_PATH) == 0 && S_ISDIR(st.st_mode));
    T("fstatat relative to a dirfd", syscall(SYS_newfstatat, dirfd, "inner", &st, 0) == 0 ? (long)st.st_size : -1);

    /* Long paths: "./" repeated, then the name, around the 256-byte stack copy and PATH_MAX. */
    static char path[8192];
    int lengths[] = { 250, 255, 256, 257, 300, 1000, 4095, 4096, 5000 };
    for (unsigned i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        int n = lengths[i], at = 0;
        while (at + 2 + 4 < n) { path[at++] = '.'; path[at++] = '/'; }
        while (at + 4 < n) path[at++] = '/';
        memcpy(path + at, "file", 5);
        char label[80];
        snprintf(label, sizeof label, "stat path of %d bytes", (int)strlen(path));
        T(label, size_of(path));
        snprintf(label, sizeof label, "open path of %d bytes", (int)strlen(path));
        T(label, open_close(path));
    }
    memset(path, 'x', 300);
    path[300] = 0;
    T("stat component of 300 bytes", size_of(path));
    path[255] = 0;
    T("stat component of 255 bytes (missing)", size_of(path));

    /* Symlinks spliced in front of the rest of the path. */
    symlink("dir", "l_dir");
    symlink("dir/", "l_dirslash");
    symlink("file", "l_file");
    symlink("/", "l_root");
    symlink("../path_copy/dir", "l_updir");
    symlink("l_dirslash//inner", "l_chain");
    T("link to dir, then a name", size_of("l_dir/inner"));
    T("link to dir/ then a name", size_of("l_dirslash/inner"));
    T("link to dir with trailing slash", syscall(SYS_stat, "l_dir/", &st) == 0 && S_ISDIR(st.st_mode));
    T("link to file with trailing slash", size_of("l_file/"));
    T("lstat link to file with trailing slash", syscall(SYS_lstat, "l_file/", &st));
    T("link to file, then a name", size_of("l_file/x"));
    T("link to / alone", syscall(SYS_stat, "l_root", &st) == 0 && S_ISDIR(st.st_mode));
    T("link to / with slash", syscall(SYS_stat, "l_root/", &st) == 0 && S_ISDIR(st.st_mode));
    T("link through ..", size_of("l_updir/inner"));
    T("chained links with //", size_of("l_chain"));
    T("open chained links", open_close("l_chain"));
    T("dot and dotdot after a link", size_of("l_dir/./../dir/inner"));
    return 0;
}
