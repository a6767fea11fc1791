/* chroot(2): absolute paths and ".." stop at the new root (also through a symlink to "/.."),
 * the cwd is not moved, children inherit the root; ENOENT/ENOTDIR for bad paths. And the
 * command name of a "#!" script (/proc/PID/comm) is the script's file name, not the
 * interpreter's (what `pidof script` relies on). */
#include "abi.h"
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    mkdir("jail", 0755); mkdir("jail/sub", 0755);
    int fd = open("jail/marker", O_CREAT | O_WRONLY, 0644); write(fd, "inside\n", 7); close(fd);
    symlink("/..", "jail/up");
    T("chroot missing", chroot("nothere"));
    T("chroot file", chroot("jail/marker"));
    pid_t pid = fork();
    if (pid == 0) {
        T("chroot jail", chroot("jail"));
        T("cwd kept: relative jail/marker", access("jail/marker", F_OK));
        T("chdir /", chdir("/"));
        char buf[64] = {0};
        fd = open("/marker", O_RDONLY);
        printf("read /marker: %s", fd >= 0 && read(fd, buf, sizeof buf - 1) > 0 ? buf : "(none)\n");
        close(fd);
        T("/../marker", access("/../marker", F_OK));
        T("/sub/../../../marker", access("/sub/../../../marker", F_OK));
        T("/up/marker (symlink to /..)", access("/up/marker", F_OK));
        char cwd[256];
        printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(error)");
        T("chdir sub", chdir("sub"));
        printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(error)");
        pid_t grandchild = fork();
        if (grandchild == 0) { _exit(access("/marker", F_OK) == 0 ? 0 : 1); }
        int st; waitpid(grandchild, &st, 0);
        printf("child inherits the root: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
        _exit(0);
    }
    int st; waitpid(pid, &st, 0);
    T("parent root unchanged", access("jail/marker", F_OK));
    /* A "#!" script reads its own command name. */
    fd = open("my-script.sh", O_CREAT | O_WRONLY, 0755);
    const char *script = "#!/bin/sh\nread c < /proc/$$/comm; echo \"script comm: $c\"\n";
    write(fd, script, strlen(script)); close(fd);
    fflush(stdout);
    pid = fork();
    if (pid == 0) { char *args[] = {"./my-script.sh", NULL}; execv("./my-script.sh", args); _exit(127); }
    waitpid(pid, &st, 0);
    printf("script status: %d\n", WEXITSTATUS(st));
    return 0;
}
