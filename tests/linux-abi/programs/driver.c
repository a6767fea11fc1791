/* Tier-3 driver: runs each test program named on the command line (from DIR) in a child,
 * prints its output framed by "### name" lines and its wait status, then powers off when it
 * is init (pid 1; then it first mounts /proc, as an init would). The same driver runs on the
 * host's Linux to produce the expected output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/bin";
    setvbuf(stdout, NULL, _IONBF, 0);
    /* As init, provide what a Linux system has before tests run: /proc. */
    if (getpid() == 1) { mkdir("/proc", 0555); mount("proc", "/proc", "proc", 0, NULL); }
    for (int i = 2; i < argc; i++) {
        char path[256], script[256], work[256], shell[256];
        snprintf(path, sizeof path, "%s/%s", dir, argv[i]);
        /* NAME.sh is a busybox sh script in DIR/../scripts, run in its own empty DIR/../tmp/NAME. */
        size_t len = strlen(argv[i]);
        int is_script = len > 3 && strcmp(argv[i] + len - 3, ".sh") == 0;
        snprintf(script, sizeof script, "%s/../scripts/%s", dir, argv[i]);
        snprintf(work, sizeof work, "%s/../tmp", dir);
        mkdir(work, 0755);
        snprintf(work, sizeof work, "%s/../tmp/%s", dir, argv[i]);
        mkdir(work, 0755);
        snprintf(shell, sizeof shell, "%s/busybox", dir);
        printf("### %s\n", argv[i]);
        pid_t pid = fork();
        if (pid == 0) {
            /* Only 0, 1 and 2 are inherited: a test may count on the numbers it gets. */
            for (int fd = 3; fd < 1024; fd++) close(fd);
            char *args[] = { path, "first", "second arg", NULL };
            char *sargs[] = { "sh", script, work, NULL };
            char pathenv[300];
            snprintf(pathenv, sizeof pathenv, "PATH=%s", dir);
            char *env[] = { "K42_TEST=1", "HOME=/", pathenv, NULL };
            if (is_script) execve(shell, sargs, env);
            else execve(path, args, env);
            printf("execve failed\n");
            _exit(127);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid) { printf("waitpid failed\n"); continue; }
        if (WIFEXITED(status)) printf("### %s: exit %d\n", argv[i], WEXITSTATUS(status));
        else if (WIFSIGNALED(status)) printf("### %s: signal %d\n", argv[i], WTERMSIG(status));
    }
    printf("### done\n");
    if (getpid() == 1) reboot(RB_POWER_OFF);
    return 0;
}
