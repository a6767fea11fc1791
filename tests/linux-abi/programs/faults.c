/* Faults end the faulting process with the right signal; bad pointers give EFAULT; unknown
 * system calls ENOSYS; bad descriptors EBADF. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
static void run(const char *name, void (*f)(void)) {
    pid_t c = fork();
    if (c == 0) { f(); _exit(0); }
    int st; waitpid(c, &st, 0);
    printf("%s: signaled=%d sig=%d\n", name, WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}
static void null_write(void) { *(volatile int *)0 = 1; }
static void wild_read(void) { printf("%d", *(volatile int *)0x7f0000000000UL); }
static void exec_data(void) { static unsigned char code[] = { 0xc3 }; ((void (*)(void))code)(); }
static void div_zero(void) { volatile int z = 0; printf("%d", 10 / z); }
static void bad_insn(void) { __asm__ volatile("ud2"); }
static void kernel_addr(void) { printf("%d", *(volatile int *)0x7fff80200000UL); }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    run("null write", null_write);
    run("unmapped read", wild_read);
    run("execute data", exec_data);
    run("divide by zero", div_zero);
    run("invalid opcode", bad_insn);
    run("kernel address", kernel_addr);
    { errno = 0; long r_ = (long)((long)write(1, (void *)(unsigned long)(getpagesize() / 256), 4)); int e_ = errno; printf("write bad pointer: %ld errno=%d\n", r_, e_); }
    { errno = 0; long r_ = (long)((long)write(1, (void *)0x7fff80200000UL, 4)); int e_ = errno; printf("write kernel pointer: %ld errno=%d\n", r_, e_); }
    { errno = 0; long r_ = (long)((long)write(99, "x", 1)); int e_ = errno; printf("write bad fd: %ld errno=%d\n", r_, e_); }
    { errno = 0; long r_ = (long)(syscall(400)); int e_ = errno; printf("unknown syscall: %ld errno=%d\n", r_, e_); }
    { errno = 0; long r_ = (long)(syscall(SYS_uname, (void *)8)); int e_ = errno; printf("uname bad pointer: %ld errno=%d\n", r_, e_); }
    return 0;
}
