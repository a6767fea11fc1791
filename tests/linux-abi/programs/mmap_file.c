/* File mappings: MAP_PRIVATE reads the file and keeps its writes private (never in the file);
 * MAP_SHARED writes reach the file (seen by read(2), after msync and after munmap) and writes
 * through write(2) show in the mapping; offsets; the tail of the last page is zero; pages
 * wholly past EOF give SIGBUS; EACCES/EINVAL/ENODEV rules. */
#include "abi.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
static sigjmp_buf env;
static void on_sig(int sig) { siglongjmp(env, sig); }
static int touch(volatile char *p) { int s = sigsetjmp(env, 1); if (s) return s; (void)*p; return 0; }
static void file_says(const char *label, int fd, off_t off, int len) {
    char buf[64] = {0};
    pread(fd, buf, len, off);
    printf("%s: %.*s\n", label, len, buf);
}
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    signal(SIGBUS, on_sig); signal(SIGSEGV, on_sig);
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *content = malloc(3 * pg);
    for (long i = 0; i < 3 * pg; i++) content[i] = 'a' + (i / pg);
    memcpy(content, "HEADER", 6);
    write(fd, content, 3 * pg);

    errno = 0;
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int e = errno;
    printf("MAP_PRIVATE: ok=%d errno=%d\n", p != MAP_FAILED, p == MAP_FAILED ? e : 0);
    if (p != MAP_FAILED) {
        printf("  reads file: %.6s %c %c\n", p, p[pg + 5], p[2 * pg + 9]);
        memcpy(p, "hidden", 6);
        printf("  mapping now: %.6s\n", p);
        file_says("  file unchanged", fd, 0, 6);
        pwrite(fd, "B", 1, pg);
        printf("  untouched private page sees later file write: %c\n", p[pg]);
        munmap(p, 3 * pg);
        file_says("  file after munmap", fd, 0, 6);
    }

    p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    e = errno;
    printf("MAP_SHARED: ok=%d errno=%d\n", p != MAP_FAILED, p == MAP_FAILED ? e : 0);
    if (p != MAP_FAILED) {
        memcpy(p + 10, "shared", 6);
        file_says("  read(2) sees store", fd, 10, 6);
        T("  msync", msync(p, pg, MS_SYNC));
        file_says("  after msync", fd, 10, 6);
        pwrite(fd, "WRITE", 5, pg + 100);
        printf("  mapping sees write(2): %.5s\n", p + pg + 100);
        /* A second shared mapping of the same page sees the first one's stores. */
        char *q = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
        printf("  second mapping sees: %.6s\n", q + 10);
        munmap(q, pg);
        /* And so does a child through the inherited mapping. */
        pid_t c = fork();
        if (c == 0) { memcpy(p + 20, "child", 5); _exit(0); }
        int st; waitpid(c, &st, 0);
        printf("  child's store: %.5s\n", p + 20);
        munmap(p, 3 * pg);
        file_says("  file after munmap", fd, 20, 5);
    }

    /* Offset mappings. */
    p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 2 * pg);
    printf("offset 2 pages: %c\n", p == MAP_FAILED ? '!' : p[0]);
    if (p != MAP_FAILED) munmap(p, pg);
    errno = 0;
    p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 100);
    e = errno;
    printf("unaligned offset: failed=%d errno=%d\n", p == MAP_FAILED, e);

    /* Short file: the rest of the last page reads as zeros; pages past it give SIGBUS. */
    int s = open("short", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(s, "tiny", 4);
    p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
    if (p != MAP_FAILED) {
        printf("short file: %.4s tail zero=%d\n", p, p[4] == 0 && p[pg - 1] == 0);
        p[100] = 'X';
        struct stat st; fstat(s, &st);
        printf("  store past EOF in last page: size stays %ld\n", (long)st.st_size);
        printf("  page past EOF: signal=%d\n", touch(p + pg));
        ftruncate(s, 2 * pg);
        printf("  after ftruncate grows: signal=%d value=%d\n", touch(p + pg), p[pg]);
        munmap(p, 3 * pg);
    } else printf("short file: mmap failed errno=%d\n", errno);

    int ro = open("data", O_RDONLY);
    errno = 0; p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0); e = errno;
    printf("shared writable on O_RDONLY: failed=%d errno=%d\n", p == MAP_FAILED, e);
    errno = 0; p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0); e = errno;
    printf("private writable on O_RDONLY: ok=%d\n", p != MAP_FAILED);
    int wo = open("data", O_WRONLY);
    errno = 0; p = mmap(NULL, pg, PROT_READ, MAP_SHARED, wo, 0); e = errno;
    printf("O_WRONLY: failed=%d errno=%d\n", p == MAP_FAILED, e);
    int p2[2]; pipe(p2);
    errno = 0; p = mmap(NULL, pg, PROT_READ, MAP_SHARED, p2[0], 0); e = errno;
    printf("pipe: failed=%d errno=%d\n", p == MAP_FAILED, e);
    int d = open(".", O_RDONLY);
    errno = 0; p = mmap(NULL, pg, PROT_READ, MAP_SHARED, d, 0); e = errno;
    printf("directory: failed=%d errno=%d\n", p == MAP_FAILED, e);
    /* A mapping outlives its descriptor. */
    p = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
    close(ro);
    printf("after close: %.6s\n", p == MAP_FAILED ? "failed" : p);
    return 0;
}
