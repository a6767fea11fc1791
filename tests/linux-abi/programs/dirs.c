/* Directories: mkdir/rmdir, getdents64 listings (sorted here), nlink counting, and the errno
 * rules: EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL for ".". */
#include "abi.h"
#include <sys/syscall.h>
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void list(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    char buf[512], *names[64];
    int n = 0;
    long got;
    /* A small buffer forces several getdents64 calls. */
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < got;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            unsigned char type = *(unsigned char *)(buf + off + 18);
            char entry[300];
            snprintf(entry, sizeof entry, "%s(%s)", buf + off + 19,
                     type == DT_DIR ? "d" : type == DT_REG ? "f" : type == DT_LNK ? "l" : "?");
            if (n < 64) names[n++] = strdup(entry);
            off += reclen;
        }
    }
    if (got < 0) printf("getdents64 failed errno=%d\n", errno);
    qsort(names, n, sizeof names[0], cmp);
    printf("%s:", path);
    for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
    close(fd);
}
static long nlink(const char *p) { struct stat st; return stat(p, &st) ? -1 : (long)st.st_nlink; }
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    T("mkdir d", mkdir("d", 0755));
    T("mkdir d again", mkdir("d", 0755));
    T("mkdir trailing slash", mkdir("e/", 0755));
    T("mkdir missing parent", mkdir("x/y", 0755));
    close(open("file", O_CREAT | O_WRONLY, 0644));
    T("mkdir under file", mkdir("file/y", 0755));
    T("mkdir over file", mkdir("file", 0755));
    printf("nlink empty dir: %ld\n", nlink("d"));
    for (int i = 0; i < 30; i++) {
        char name[64];
        snprintf(name, sizeof name, "d/entry-with-a-longish-name-%02d", i);
        if (i % 3 == 0) mkdir(name, 0755); else close(open(name, O_CREAT | O_WRONLY, 0644));
    }
    symlink("entry-with-a-longish-name-01", "d/link");
    printf("nlink with 10 subdirs: %ld\n", nlink("d"));
    list("d");
    list(".");
    T("rmdir non-empty", rmdir("d"));
    T("rmdir file", rmdir("file"));
    T("rmdir missing", rmdir("missing"));
    T("rmdir dot", rmdir("d/."));
    T("rmdir dotdot", rmdir("d/entry-with-a-longish-name-00/.."));
    T("unlink dir", unlink("e"));
    T("unlink dir d", unlink("d"));
    T("open dir O_RDWR", open("d", O_RDWR));
    T("open dir O_CREAT", open("d", O_RDONLY | O_CREAT, 0644));
    T("rmdir subdir", rmdir("d/entry-with-a-longish-name-00"));
    printf("nlink after rmdir: %ld\n", nlink("d"));
    /* A directory removed while open still reads as empty, and creating in it fails. */
    mkdir("gone", 0755);
    int wd = open(".", O_RDONLY | O_DIRECTORY);
    int fd = open("gone", O_RDONLY | O_DIRECTORY);
    T("rmdir open dir", rmdir("gone"));
    char buf[512];
    T("getdents64 removed dir", syscall(SYS_getdents64, fd, buf, sizeof buf));
    T("fchdir removed dir", fchdir(fd));
    T("create in removed dir", open("new", O_CREAT | O_WRONLY, 0644));
    close(fd);
    T("fchdir back", fchdir(wd));
    int f = open("file", O_RDONLY);
    T("getdents64 on file", syscall(SYS_getdents64, f, buf, sizeof buf));
    close(f);
    T("getdents64 bad fd", syscall(SYS_getdents64, 99, buf, sizeof buf));
    f = open(".", O_RDONLY | O_DIRECTORY);
    T("getdents64 tiny buffer", syscall(SYS_getdents64, f, buf, 8));
    close(f);
    T("mkdirat", mkdirat(wd, "d/made", 0700));
    /* readdir(3) finds every entry once, even while the directory is being unlinked. */
    DIR *d = opendir("d");
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char p[300]; snprintf(p, sizeof p, "d/%s", e->d_name);
        if (rmdir(p) != 0) unlink(p);
        seen++;
    }
    closedir(d);
    printf("removed while reading: %d\n", seen);
    T("rmdir now empty", rmdir("d"));
    return 0;
}
