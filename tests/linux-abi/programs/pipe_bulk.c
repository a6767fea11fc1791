/* 1 MiB through a pipe from parent to child in odd-sized writes and reads, checked with a
 * checksum on both sides; the child reports through its exit status and a second pipe. */
#include "abi.h"
#define TOTAL (1 << 20)
static unsigned long mix(unsigned long h, unsigned char b) { return (h ^ b) * 1099511628211UL; }
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    int data[2], back[2];
    pipe(data); pipe(back);
    pid_t c = fork();
    if (c == 0) {
        close(data[1]); close(back[0]);
        unsigned char buf[3001];
        unsigned long h = 14695981039346656037UL, got = 0;
        ssize_t n;
        int reads = 0;
        while ((n = read(data[0], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; i++) h = mix(h, buf[i]);
            got += n; reads++;
        }
        char line[100];
        int len = snprintf(line, sizeof line, "%lu %lx", got, h);
        write(back[1], line, len);
        _exit(got == TOTAL ? 0 : 1);
    }
    close(data[0]); close(back[1]);
    static unsigned char src[TOTAL];
    unsigned long h = 14695981039346656037UL, x = 12345;
    for (int i = 0; i < TOTAL; i++) { x = x * 6364136223846793005UL + 1442695040888963407UL; src[i] = x >> 56; h = mix(h, src[i]); }
    long sent = 0;
    size_t sizes[] = { 1, 4095, 4096, 4097, 65536, 100000, 7 };
    int k = 0;
    while (sent < TOTAL) {
        size_t want = sizes[k++ % 7];
        if (want > (size_t)(TOTAL - sent)) want = TOTAL - sent;
        ssize_t n = write(data[1], src + sent, want);
        if (n <= 0) { printf("write failed errno=%d\n", errno); break; }
        sent += n;
    }
    close(data[1]);
    char line[100] = {0};
    read(back[0], line, sizeof line - 1);
    int st; waitpid(c, &st, 0);
    char mine[100];
    snprintf(mine, sizeof mine, "%lu %lx", (unsigned long)sent, h);
    printf("sent %ld, child exit %d, checksums match: %d\n", sent, WEXITSTATUS(st), strcmp(mine, line) == 0);
    printf("child: %s\n", line);
    return 0;
}
