/* Close-on-exec: descriptors with FD_CLOEXEC (O_CLOEXEC, F_SETFD, F_DUPFD_CLOEXEC, dup3) are
 * closed by execve; others survive with their offsets, and dup2 clears the flag. The program
 * re-executes itself with "check" to look at the descriptors it inherited. */
#include "abi.h"
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        setvbuf(stdout, NULL, _IONBF, 0);
        for (int fd = 3; fd < 12; fd++) {
            errno = 0;
            int r = fcntl(fd, F_GETFD);
            int e = errno;
            if (r < 0) printf("fd %d: closed errno=%d\n", fd, e);
            else printf("fd %d: open flags=%d offset=%ld\n", fd, r, (long)lseek(fd, 0, SEEK_CUR));
        }
        return 0;
    }
    if (enter_workdir(argv[0])) return 1;
    int a = open("f", O_RDWR | O_CREAT, 0644);          /* 3: survives */
    write(a, "12345", 5);
    int b = open("f", O_RDONLY | O_CLOEXEC);             /* 4: closed */
    int c = open("f", O_RDONLY);                         /* 5: F_SETFD -> closed */
    fcntl(c, F_SETFD, FD_CLOEXEC);
    int d = fcntl(a, F_DUPFD_CLOEXEC, 6);                /* 6: closed */
    dup3(a, 7, O_CLOEXEC);                               /* 7: closed */
    dup2(b, 8);                                          /* 8: dup2 clears cloexec: survives */
    lseek(8, 2, SEEK_SET);
    int e = open("f", O_RDONLY | O_CLOEXEC);             /* 9: cleared again -> survives */
    fcntl(e, F_SETFD, 0);
    int p[2];
    pipe2(p, O_CLOEXEC);                                 /* 10, 11: closed */
    printf("fds: %d %d %d %d %d %d %d %d\n", a, b, c, d, 7, e, p[0], p[1]);
    fflush(stdout);
    char *args[] = { argv[0], "check", NULL };
    execve(argv[0], args, NULL);
    printf("execve failed\n");
    return 1;
}
