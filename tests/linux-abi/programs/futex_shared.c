/* Shared futexes (futex(2), "private" vs "shared"): a futex word in MAP_SHARED anonymous memory
 * inherited across fork, and in a file mapped MAP_SHARED by two processes at their own
 * addresses, is one futex: a FUTEX_WAKE in the parent wakes a FUTEX_WAIT in the child. With
 * FUTEX_PRIVATE_FLAG the same word is per process: the parent's wake finds nobody. Also
 * EAGAIN on a changed value, EINVAL on a misaligned word. */
#include "abi.h"
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

static long futex(uint32_t *word, int op, uint32_t value, const struct timespec *timeout) {
    return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

static void pause_ms(int ms) {
    struct timespec d = { 0, ms * 1000000L };
    nanosleep(&d, NULL);
}

/* The child waits on `word` (op) with a 5 s timeout; the parent wakes until it finds it. */
static void cross_process(const char *label, uint32_t *word, uint32_t *(*child_word)(void)) {
    pid_t pid = fork();
    if (pid == 0) {
        uint32_t *w = child_word ? child_word() : word;
        struct timespec t = { 5, 0 };
        long r = futex(w, FUTEX_WAIT, 0, &t);
        _exit(r == 0 ? 0 : errno);
    }
    long woken = 0;
    for (int i = 0; i < 5000 && woken == 0; i++) {
        woken = futex(word, FUTEX_WAKE, 1, NULL);
        if (woken == 0) pause_ms(1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("%s: parent woke %ld, child wait status %d\n", label, woken, WEXITSTATUS(status));
}

static uint32_t *file_word(void) {
    int fd = open("word", O_RDWR);
    uint32_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return m + 2;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    enter_workdir("futex_shared");
    uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    T("wait on changed value", futex(shared, FUTEX_WAIT, 1, NULL));
    T("misaligned", futex((uint32_t *)((char *)shared + 1), FUTEX_WAIT, 0, NULL));
    cross_process("MAP_SHARED anonymous", shared, NULL);
    cross_process("MAP_SHARED anonymous, second word", shared + 100, NULL);

    /* FUTEX_PRIVATE_FLAG: keyed per process even in shared memory. */
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec t = { 0, 300 * 1000000L };
        long r = futex(shared, FUTEX_WAIT_PRIVATE, 0, &t);
        _exit(r == 0 ? 0 : errno);
    }
    long woken = 0;
    for (int i = 0; i < 50; i++) { woken += futex(shared, FUTEX_WAKE_PRIVATE, 1, NULL); pause_ms(2); }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("private: parent woke %ld, child wait status %d (ETIMEDOUT %d)\n", woken, WEXITSTATUS(status), ETIMEDOUT);

    /* A file mapped MAP_SHARED separately by each process. */
    int fd = open("word", O_CREAT | O_RDWR, 0644);
    ftruncate(fd, 4096);
    uint32_t *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);   /* another address */
    close(fd);
    cross_process("shared file mapping", m + 2, file_word);

    /* Private anonymous memory after fork is copied: the child's word is its own. */
    uint32_t *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pid = fork();
    if (pid == 0) {
        struct timespec t = { 0, 300 * 1000000L };
        long r = futex(priv, FUTEX_WAIT, 0, &t);
        _exit(r == 0 ? 0 : errno);
    }
    woken = 0;
    for (int i = 0; i < 50; i++) { woken += futex(priv, FUTEX_WAKE, 1, NULL); pause_ms(2); }
    waitpid(pid, &status, 0);
    printf("MAP_PRIVATE: parent woke %ld, child wait status %d\n", woken, WEXITSTATUS(status));
    return 0;
}
