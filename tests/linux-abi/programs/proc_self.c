/* /proc/self and uname(2): readlink of /proc/self/exe names this program, /proc/self/fd lists
 * 0 1 2 and an opened file (whose link names it), /proc/self/cwd follows chdir, /proc/self is
 * a link to the pid, cmdline holds argv, status has the name; uname's sysname and machine. */
#include "abi.h"
#include <sys/utsname.h>
static int cmp(const void *a, const void *b) { return atoi(*(char *const *)a) - atoi(*(char *const *)b); }
static const char *base(const char *p) { const char *s = strrchr(p, '/'); return s ? s + 1 : p; }
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    char buf[1024];
    struct utsname u;
    T("uname", uname(&u));
    printf("  sysname=%s machine=%s release starts with digit=%d\n", u.sysname, u.machine, u.release[0] >= '0' && u.release[0] <= '9');
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("exe: absolute=%d name=%s\n", buf[0] == '/', base(buf));
    n = readlink("/proc/self", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("/proc/self is my pid: %d\n", atoi(buf) == getpid());
    int fd = open("opened-file", O_CREAT | O_RDWR, 0644);
    DIR *d = opendir("/proc/self/fd");
    char *names[32]; int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) if (e->d_name[0] != '.' && count < 32) names[count++] = strdup(e->d_name);
    int dirfd_num = dirfd(d);
    qsort(names, count, sizeof names[0], cmp);
    printf("fd:");
    for (int i = 0; i < count; i++) printf(" %s", atoi(names[i]) == dirfd_num ? "(dir)" : names[i]);
    printf("\n");
    closedir(d);
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
    char target[1024];
    n = readlink(buf, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    printf("fd %d -> %s\n", fd, base(target));
    struct stat a, b;
    fstat(fd, &a); stat(buf, &b);
    printf("stat through fd link is the file: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    write(fd, "xyz", 3);
    int again = open(buf, O_RDONLY);
    memset(target, 0, 8);
    printf("reopen through fd link reads: %zd %.3s\n", read(again, target, 8), target);
    mkdir("sub", 0755);
    chdir("sub");
    n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("cwd link ends with: %s\n", base(buf));
    fd = open("/proc/self/cmdline", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    close(fd);
    printf("cmdline:");
    for (char *p = buf; p < buf + n; p += strlen(p) + 1) printf(" [%s]", p == buf ? base(p) : p);
    printf("\n");
    fd = open("/proc/self/status", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *name = strstr(buf, "Name:");
    char *nl = name ? strchr(name, '\n') : NULL;
    if (nl) *nl = 0;
    printf("status: %s\n", name ? name : "(no Name)");
    printf("/proc/self/fd/0 exists: %d\n", access("/proc/self/fd/0", F_OK) == 0);
    T("readlink of a closed fd's entry", readlink("/proc/self/fd/77", buf, sizeof buf));
    pid_t c = fork();
    if (c == 0) {
        n = readlink("/proc/self", buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        _exit(atoi(buf) == getpid());
    }
    int st; waitpid(c, &st, 0);
    printf("child's /proc/self is the child: %d\n", WEXITSTATUS(st));
    return 0;
}
