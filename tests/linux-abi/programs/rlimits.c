/* Resource limits (getrlimit(2), setrlimit(2), prlimit(2)): RLIMIT_NOFILE is enforced by open,
 * dup, dup2 (EBADF at or past it), fcntl F_DUPFD (EINVAL past it) and pipe (EMFILE); limits are
 * inherited by fork and kept by execve; RLIMIT_STACK bounds the stack of the next program
 * (a deeper recursion is a SIGSEGV); soft above hard is EINVAL, RLIMIT_NOFILE above nr_open
 * EPERM, and root may raise a hard limit again (with CAP_SYS_RESOURCE); RLIMIT_AS bounds mmap
 * and brk, RLIMIT_CPU sends SIGXCPU, then SIGKILL at the hard limit. Defaults are not printed: the host's shell
 * may have changed them. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static volatile int depth, xcpu;
static void on_xcpu(int sig) { (void)sig; xcpu++; }
static void spin(volatile int *until) { volatile unsigned x = 0; while (!*until) for (int i = 0; i < 100000; i++) x += i; }
static char *alt;
static void on_segv(int sig) {
    (void)sig;
    printf("stack child: SIGSEGV past 512 KiB: %d, before 1536 KiB: %d\n", depth * 4 > 512, depth * 4 < 1536);
    _exit(0);
}
static int recurse(int n) { volatile char pad[4000]; pad[0] = (char)n; depth = n; return recurse(n + 1) + pad[0]; }

/* Root raising a hard limit needs CAP_SYS_RESOURCE: a container's root may lack it (CapEff
 * bit 24); without a CapEff line (our kernel), root has every capability. */
static int has_cap_sys_resource(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = ~0ULL;
    while (f && fgets(line, sizeof line, f)) if (strncmp(line, "CapEff:", 7) == 0) caps = strtoull(line + 7, NULL, 16);
    if (f) fclose(f);
    return getuid() == 0 && (caps >> 24 & 1);
}

/* Run again by execve: report the limits this image got, or overflow the stack. */
static int after_exec(const char *what) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct rlimit rl;
    if (strcmp(what, "nofile") == 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        printf("after exec: NOFILE soft %ld\n", (long)rl.rlim_cur);
        return 0;
    }
    getrlimit(RLIMIT_STACK, &rl);
    printf("stack child: STACK soft %ld KiB\n", (long)rl.rlim_cur / 1024);
    alt = malloc(65536);
    stack_t ss = { .ss_sp = alt, .ss_size = 65536, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv; sa.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    return recurse(0);
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "again") == 0) return after_exec(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
    struct rlimit rl, got, old;
    T("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &got));
    T("prlimit NOFILE read", prlimit(0, RLIMIT_NOFILE, NULL, &old));
    printf("  same: %d, soft <= hard: %d\n", old.rlim_cur == got.rlim_cur && old.rlim_max == got.rlim_max,
           got.rlim_cur <= got.rlim_max);

    rl.rlim_cur = 16; rl.rlim_max = got.rlim_max;
    T("setrlimit NOFILE 16", setrlimit(RLIMIT_NOFILE, &rl));
    int n = 0, fd, e = 0;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0) n++;
    e = errno;
    printf("opened %d more (fds 3..15), then errno=%d\n", n, e);
    T("dup at the limit", dup(0));
    int p[2];
    T("pipe at the limit", pipe(p));
    T("fcntl F_DUPFD at the limit", fcntl(0, F_DUPFD, 0));
    T("fcntl F_DUPFD 16", fcntl(0, F_DUPFD, 16));
    close(15);
    T("dup2 to 15 (below)", dup2(0, 15));
    T("dup2 to 16 (at the limit)", dup2(0, 16));
    close(14); close(15);
    T("pipe with two free", pipe(p) == 0 && p[0] == 14 && p[1] == 15);
    struct pollfd pf[17];
    for (int i = 0; i < 17; i++) { pf[i].fd = -1; pf[i].events = POLLIN; }
    T("poll 16 fds", poll(pf, 16, 0));
    T("poll 17 fds, past RLIMIT_NOFILE", poll(pf, 17, 0));

    pid_t c = fork();
    if (c == 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        printf("fork child: NOFILE soft %ld\n", (long)rl.rlim_cur);
        for (int i = 3; i < 16; i++) close(i);
        execl(argv[0], argv[0], "again", "nofile", (char *)NULL);
        _exit(99);
    }
    int st;
    waitpid(c, &st, 0);
    for (int i = 3; i < 16; i++) close(i);

    /* Validation; root may raise a hard limit it lowered. */
    rl.rlim_cur = 32; rl.rlim_max = 16;
    T("setrlimit soft > hard", setrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = 16; rl.rlim_max = 2000000;
    T("setrlimit NOFILE hard > nr_open", setrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = 64; rl.rlim_max = 64;
    T("lower the hard limit to 64", setrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = 128; rl.rlim_max = 256;
    errno = 0;
    int r = setrlimit(RLIMIT_NOFILE, &rl);
    printf("raise it again: allowed with CAP_SYS_RESOURCE, else EPERM: %d\n",
           has_cap_sys_resource() ? r == 0 : r == -1 && errno == EPERM);
    rl.rlim_cur = 32; rl.rlim_max = 48;
    T("prlimit set and read old", prlimit(0, RLIMIT_NOFILE, &rl, &old));
    printf("  old hard was 64 or 256: %d, now 32/48: %d\n", old.rlim_max == 64 || old.rlim_max == 256,
           getrlimit(RLIMIT_NOFILE, &got) == 0 && got.rlim_cur == 32 && got.rlim_max == 48);
    T("getrlimit bad resource", getrlimit(99, &rl));
    T("setrlimit bad resource", setrlimit(99, &rl));
    T("getrlimit bad pointer", syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8));
    T("setrlimit bad pointer", syscall(SYS_setrlimit, RLIMIT_NOFILE, (void *)8));
    T("prlimit no such process", prlimit(99999999, RLIMIT_NOFILE, NULL, &old));
    T("prlimit bad resource", prlimit(0, 99, NULL, &old));

    /* prlimit on another process: the child sees the new limit. */
    int sync[2];
    pipe(sync);
    c = fork();
    if (c == 0) {
        char b;
        read(sync[0], &b, 1);
        getrlimit(RLIMIT_CORE, &rl);
        printf("child after prlimit: CORE %ld/%ld\n", (long)rl.rlim_cur, (long)rl.rlim_max);
        _exit(0);
    }
    rl.rlim_cur = 4096; rl.rlim_max = 8192;
    T("prlimit CORE of the child", prlimit(c, RLIMIT_CORE, &rl, NULL));
    write(sync[1], "x", 1);
    waitpid(c, &st, 0);

    /* RLIMIT_AS bounds mmap and brk. */
    c = fork();
    if (c == 0) {
        rl.rlim_cur = rl.rlim_max = 256 << 20;
        setrlimit(RLIMIT_AS, &rl);
        void *big = mmap(NULL, 512 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("RLIMIT_AS 256 MiB: mmap 512 MiB: %s errno=%d\n", big == MAP_FAILED ? "failed" : "mapped", errno);
        void *small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("  mmap 1 MiB: %s\n", small == MAP_FAILED ? "failed" : "mapped");
        void *old_break = sbrk(0);
        errno = 0;
        void *r = sbrk(512 << 20);
        printf("  sbrk 512 MiB: %s errno=%d, break unchanged: %d\n", r == (void *)-1 ? "failed" : "grew", errno, sbrk(0) == old_break);
        _exit(0);
    }
    waitpid(c, &st, 0);

    /* RLIMIT_CPU: SIGXCPU at the soft limit (which then moves up a second), SIGKILL at the
     * hard one. Two children spin at once; only one prints. */
    pid_t killed = fork();
    if (killed == 0) {
        rl.rlim_cur = rl.rlim_max = 1;
        setrlimit(RLIMIT_CPU, &rl);
        static volatile int never;
        spin(&never);
        _exit(0);
    }
    c = fork();
    if (c == 0) {
        signal(SIGXCPU, on_xcpu);
        rl.rlim_cur = 1; rl.rlim_max = 10;
        setrlimit(RLIMIT_CPU, &rl);
        spin(&xcpu);
        getrlimit(RLIMIT_CPU, &rl);
        /* (when exactly: Linux's rusage then reads anywhere from 0.8 to 1 s on a loaded host) */
        printf("RLIMIT_CPU 1/10: SIGXCPU: %d, soft limit now 2: %d\n", xcpu, rl.rlim_cur == 2);
        _exit(0);
    }
    waitpid(c, &st, 0);
    waitpid(killed, &st, 0);
    printf("RLIMIT_CPU 1/1: killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);

    /* RLIMIT_STACK applies to the next program's stack. */
    c = fork();
    if (c == 0) {
        rl.rlim_cur = 1 << 20; rl.rlim_max = RLIM_INFINITY;
        setrlimit(RLIMIT_STACK, &rl);
        execl(argv[0], argv[0], "again", "stack", (char *)NULL);
        _exit(99);
    }
    waitpid(c, &st, 0);
    printf("stack child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
    return 0;
}
