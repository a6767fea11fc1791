/* execve(2)'s image is private: segments come from the file (our kernel maps them from the file's
 * page cache behind a copy-on-write FCM), yet writes to data, to bss and even to read-only data
 * made writable with mprotect stay in this process: a fork's child, and the next execve of the
 * same file, see the file's bytes; bss, including the tail of the last data page, starts zeroed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

int counter = 41;                          /* .data */
char pattern[6000] = { 7, 7, 7 };          /* .data, more than a page */
static long small_bss[4];                  /* .bss, likely in the last data page */
static char big_bss[300000];               /* .bss, many pages */
const volatile int ro_value = 777;         /* .rodata: a read-only file-backed segment */

static long bss_sum(void) {
    long sum = 0;
    for (int i = 0; i < 4; i++) sum += small_bss[i];
    for (size_t i = 0; i < sizeof big_bss; i++) sum += big_bss[i];
    return sum;
}

static void report(const char *who) {
    printf("%s: counter %d pattern %d %d %d bss %ld ro %d\n", who, counter, pattern[0], pattern[2],
           pattern[5999], bss_sum(), ro_value);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1) { report("after exec"); return 0; }
    report("first image");
    counter = 99;
    pattern[0] = 1; pattern[5999] = 2;
    small_bss[3] = 5; big_bss[123456] = 6;
    uintptr_t page = (uintptr_t)&ro_value & ~(uintptr_t)4095;
    int r = mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
    printf("mprotect rodata writable: %d\n", r);
    if (r == 0) *(volatile int *)&ro_value = 555;
    report("written");
    pid_t child = fork();
    if (child == 0) {
        counter = 7;
        report("child");
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    report("parent after child");
    char *args[] = { argv[0], "again", NULL };
    execv(argv[0], args);
    printf("execv failed\n");
    return 1;
}
