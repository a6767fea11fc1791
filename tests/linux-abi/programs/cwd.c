/* getcwd(2), chdir(2), fchdir(2): relative paths follow the working directory, ".." climbs,
 * symlinks are resolved in getcwd, ERANGE for a short buffer, ENOTDIR/ENOENT, the directory
 * is per process (a child's chdir does not move the parent). Paths printed relative to the
 * test's own directory. */
#include "abi.h"
#include <sys/syscall.h>
static char root[1024];
static void where(const char *label) {
    char buf[1024];
    if (!getcwd(buf, sizeof buf)) { printf("%s: getcwd errno=%d\n", label, errno); return; }
    size_t n = strlen(root);
    if (strncmp(buf, root, n) == 0) printf("%s: .%s\n", label, buf + n);
    else printf("%s: outside the test directory\n", label);
}
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    getcwd(root, sizeof root);
    printf("absolute: %d\n", root[0] == '/');
    mkdir("a", 0755); mkdir("a/b", 0755); mkdir("a/b/c", 0755);
    symlink("a/b", "link");
    T("chdir a/b", chdir("a/b"));
    where("cwd");
    T("relative open", close(open("c/../here", O_CREAT | O_WRONLY, 0644)));
    T("chdir ..", chdir(".."));
    where("cwd");
    T("created relative to cwd", access("b/here", F_OK));
    T("chdir via symlink", chdir("../link/c"));
    where("cwd (symlink resolved)");
    T("chdir ../../../..", chdir("../../../.."));
    T("chdir back", chdir(root));
    int fd = open("a/b", O_RDONLY | O_DIRECTORY);
    T("fchdir", fchdir(fd));
    where("cwd");
    close(fd);
    fd = open("here", O_RDONLY);
    T("fchdir to a file", fchdir(fd));
    close(fd);
    T("chdir to a file", chdir("here"));
    T("chdir missing", chdir("missing"));
    T("chdir empty", chdir(""));
    char small[4];
    errno = 0;
    char *r = getcwd(small, sizeof small);
    int e = errno;
    printf("getcwd small buffer: null=%d errno=%d\n", r == NULL, e);
    errno = 0;
    r = getcwd(small, 0);
    e = errno;
    printf("getcwd size 0: null=%d errno=%d\n", r == NULL, e);
    char big[1024];
    long n = syscall(79, big, sizeof big);   /* SYS_getcwd returns the length with the NUL */
    printf("raw getcwd length matches: %d\n", n == (long)strlen(big) + 1);
    pid_t c = fork();
    if (c == 0) { chdir("/"); _exit(0); }
    int st; waitpid(c, &st, 0);
    where("after child chdir /");
    chdir(root);
    /* The cwd is removed under us: getcwd fails with ENOENT, "." still usable for fstat. */
    mkdir("doomed", 0755);
    chdir("doomed");
    rmdir("../doomed");
    errno = 0;
    r = getcwd(big, sizeof big);
    e = errno;
    printf("getcwd in removed dir: null=%d errno=%d\n", r == NULL, e);
    struct stat sb;
    T("stat . in removed dir", stat(".", &sb));
    chdir(root);
    T("chdir /", chdir("/"));
    where("at /");
    getcwd(big, sizeof big);
    printf("getcwd at /: %s\n", big);
    return 0;
}
