/* Process identity: ids, process groups and sessions, uname. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("uid=%d euid=%d gid=%d egid=%d\n", getuid(), geteuid(), getgid(), getegid());
    printf("pid==tid: %d\n", getpid() == (pid_t)gettid());
    pid_t c = fork();
    if (c == 0) {
        int ok = setsid() == getpid();
        int pg = getpgrp() == getpid();
        int sid = getsid(0) == getpid();
        printf("child: setsid ok=%d pgrp==pid=%d sid==pid=%d\n", ok, pg, sid);
        { errno = 0; long r_ = (long)(setsid()); int e_ = errno; printf("child: setsid again=%ld errno=%d\n", r_, e_); }
        _exit(0);
    }
    int st; waitpid(c, &st, 0);
    struct utsname u;
    printf("uname=%d sysname=%s machine=%s\n", uname(&u), u.sysname, u.machine);
    return 0;
}
