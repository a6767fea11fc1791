/* Memory devices: /dev/null (reads EOF, swallows writes), /dev/zero (reads zeros, a private
 * mapping of it is zeroed memory), /dev/full (ENOSPC), /dev/urandom and getrandom (bytes that
 * are not all equal), their stat types and device numbers, lseek on them. */
#include "abi.h"
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
static void dev(const char *path) {
    struct stat st;
    if (stat(path, &st)) { printf("%s: stat errno=%d\n", path, errno); return; }
    printf("%s: chr=%d major=%u minor=%u mode=%o\n", path, S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev), st.st_mode & 0777);
}
static int varied(unsigned char *b, int n) { int diff = 0; for (int i = 1; i < n; i++) diff += b[i] != b[0]; return diff > n / 2; }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    dev("/dev/null"); dev("/dev/zero"); dev("/dev/full"); dev("/dev/random"); dev("/dev/urandom");
    unsigned char buf[4096];
    int fd = open("/dev/null", O_RDWR);
    T("null read", read(fd, buf, sizeof buf));
    T("null write", write(fd, buf, sizeof buf));
    T("null big write", write(fd, (void *)main, 1 << 16) > 0);
    T("null lseek", lseek(fd, 100, SEEK_SET));
    T("null pread", pread(fd, buf, 10, 0));
    close(fd);
    fd = open("/dev/zero", O_RDWR);
    memset(buf, 0xff, sizeof buf);
    T("zero read", read(fd, buf, sizeof buf));
    int zero = 1; for (int i = 0; i < 4096; i++) zero &= buf[i] == 0;
    printf("  all zero=%d\n", zero);
    T("zero write", write(fd, "abc", 3));
    static char big[1 << 20];
    memset(big, 1, sizeof big);
    T("zero read 1 MiB", read(fd, big, sizeof big));
    printf("  last byte=%d\n", big[sizeof big - 1]);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("zero private mapping: ok=%d zero=%d\n", m != MAP_FAILED, m != MAP_FAILED && m[0] == 0 && m[8191] == 0);
    if (m != MAP_FAILED) { m[5] = 9; printf("  writable=%d\n", m[5] == 9); }
    close(fd);
    fd = open("/dev/full", O_RDWR);
    T("full write", write(fd, "x", 1));
    T("full read", read(fd, buf, 16));
    printf("  zero=%d\n", buf[0] == 0 && buf[15] == 0);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    T("urandom read 4096", read(fd, buf, sizeof buf));
    printf("  varied=%d\n", varied(buf, 4096));
    unsigned char a[64], b[64];
    read(fd, a, 64); read(fd, b, 64);
    printf("  two reads differ=%d\n", memcmp(a, b, 64) != 0);
    T("urandom write accepted", write(open("/dev/urandom", O_WRONLY), "seed", 4));
    close(fd);
    T("getrandom 256", getrandom(buf, 256, 0));
    printf("  varied=%d\n", varied(buf, 256));
    T("getrandom GRND_NONBLOCK", getrandom(buf, 16, GRND_NONBLOCK));
    T("getrandom bad flags", getrandom(buf, 16, 0x100));
    T("getrandom bad pointer", getrandom((void *)8, 16, 0));
    T("open /dev/nonexistent", open("/dev/nonexistent", O_RDONLY));
    /* Redirecting stdout to /dev/null and back through a saved dup. */
    int saved = dup(1);
    int n = open("/dev/null", O_WRONLY);
    dup2(n, 1);
    printf("this line vanishes\n");
    dup2(saved, 1);
    printf("stdout restored\n");
    return 0;
}
