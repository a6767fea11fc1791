/* Scaling (issue 8: 2 processes should reach at least 1.9x the rate of 1): the same fixed work
 * (getpid through syscall(2), or anonymous page faults) run by 1 process, then by 2 processes
 * at once, started together through a pipe; the aggregate rate is all operations over the wall
 * time from the start to the last exit. The work per process is calibrated so that one process
 * takes BENCH_MS. Nothing is pinned: placing the two processes is the scheduler's job, so each
 * child reports the CPU it finished on (/proc/self/stat field 39) in a BENCH-NOTE line. */
#include "bench.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096L
#define REGION_PAGES 1024L

static int loop_getpid(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) syscall(SYS_getpid);
  return 0;
}

static int loop_fault(long count, void *context) {
  (void)context;
  while (count > 0) {
    long pages = count < REGION_PAGES ? count : REGION_PAGES;
    volatile char *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return -1;
    madvise((void *)region, pages * PAGE, MADV_NOHUGEPAGE);   /* 4 KiB faults on both kernels */
    for (long page = 0; page < pages; page++) region[page * PAGE] = 1;
    munmap((void *)region, pages * PAGE);
    count -= pages;
  }
  return 0;
}

/* Aggregate operations per second of `processes` processes each running `count` operations. */
static double aggregate_rate(const char *name, bench_loop loop, long count, int processes) {
  int go[2], cpus[2];
  if (pipe(go) < 0 || pipe(cpus) < 0) return -1;
  pid_t children[8];
  for (int i = 0; i < processes; i++) {
    children[i] = fork();
    if (children[i] < 0) return -1;
    if (children[i] == 0) {
      char byte;
      close(go[1]);
      if (read(go[0], &byte, 1) != 1) _exit(2);
      int status = loop(count, NULL) < 0 ? 1 : 0;
      byte = (char)bench_current_cpu();
      if (write(cpus[1], &byte, 1) != 1) _exit(3);
      _exit(status);
    }
  }
  close(go[0]);
  uint64_t start = bench_now_ns();
  if (write(go[1], "gogogogo", processes) != processes) return -1;
  int failed = 0;
  for (int i = 0; i < processes; i++) {
    int status;
    if (waitpid(children[i], &status, 0) != children[i] || !WIFEXITED(status) || WEXITSTATUS(status))
      failed = 1;
  }
  uint64_t elapsed = bench_now_ns() - start;
  close(go[1]);
  close(cpus[1]);
  printf("BENCH-NOTE %s_%dp finished on CPUs", name, processes);
  for (int i = 0; i < processes; i++) {
    signed char cpu;
    if (read(cpus[0], &cpu, 1) == 1) printf(" %d", cpu);
  }
  printf("\n");
  close(cpus[0]);
  if (failed) return -1;
  return (double)count * processes / ((double)elapsed / 1e9);
}

static void scale(const char *name, bench_loop loop) {
  char row[64];
  double ns = bench_measure(loop, NULL);
  uint64_t target = bench_target_ns();
  long count = ns <= 0 ? 0 : target == 0 ? 64 : (long)((double)target / ns);
  if (count < 1) count = 1;
  double one = ns < 0 ? -1 : aggregate_rate(name, loop, count, 1);
  double two = ns < 0 ? -1 : aggregate_rate(name, loop, count, 2);
  snprintf(row, sizeof row, "%s_1p", name);
  if (one > 0) bench_print(row, one, "ops/s"); else bench_na(row, "(failed)");
  snprintf(row, sizeof row, "%s_2p", name);
  if (two > 0) bench_print(row, two, "ops/s"); else bench_na(row, "(failed)");
  snprintf(row, sizeof row, "%s_speedup", name);
  if (one > 0 && two > 0) bench_print(row, two / one, "x"); else bench_na(row, "(failed)");
}

int main(void) {
  scale("scale_getpid", loop_getpid);
  scale("scale_page_fault", loop_fault);
  return 0;
}
