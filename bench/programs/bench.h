/* Shared timing helpers for the benchmark programs (bench/programs, docs/bench.md).
 * Every figure is printed as one machine-readable line, `BENCH name value unit`, or
 * `BENCH name n/a reason` when the kernel cannot run it, and bench/report.py reads only those.
 * Loops are sized by time, not by a fixed count, because QEMU TCG runs 10-50x slower than a
 * real CPU and the two kernels may differ by large factors: BENCH_MS (the environment, set on
 * the kernel command line) is the wanted duration of one measurement; BENCH_MS=0 runs each
 * loop a couple of times only (make test's smoke check). */
#ifndef K42_BENCH_H
#define K42_BENCH_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wanted duration of one measurement in nanoseconds (0: smoke test). */
static inline uint64_t bench_target_ns(void) {
  const char *ms = getenv("BENCH_MS");
  long value = ms ? atol(ms) : 300;
  return value <= 0 ? 0 : (uint64_t)value * 1000000ull;
}

static inline void bench_print(const char *name, double value, const char *unit) {
  printf("BENCH %s %.3f %s\n", name, value, unit);
  fflush(stdout);
}

static inline void bench_na(const char *name, const char *reason) {
  printf("BENCH %s n/a %s\n", name, reason);
  fflush(stdout);
}

/* A loop body: runs `count` operations and returns 0, or -1 with errno set on failure. */
typedef int (*bench_loop)(long count, void *context);

/* Times `loop` long enough for BENCH_MS: doubles the count until one batch takes an eighth of
 * the target (calibration, which also warms caches and the page tables), then runs one batch
 * scaled to the target and returns its nanoseconds per operation, or -1 on failure. */
static inline double bench_measure(bench_loop loop, void *context) {
  uint64_t target = bench_target_ns();
  long count = 1;
  uint64_t elapsed = 0;
  for (;;) {
    uint64_t start = bench_now_ns();
    if (loop(count, context) < 0) return -1;
    elapsed = bench_now_ns() - start;
    if (target == 0) return (double)elapsed / (double)count;
    if (elapsed >= target / 8 || count >= (1L << 40)) break;
    count *= 2;
  }
  long final = elapsed == 0 ? count * 8 : (long)((double)count * (double)target / (double)elapsed);
  if (final < 1) final = 1;
  uint64_t start = bench_now_ns();
  if (loop(final, context) < 0) return -1;
  return (double)(bench_now_ns() - start) / (double)final;
}

/* Measures and prints ns/op, or n/a with the failing errno. */
static inline void bench_run_ns(const char *name, bench_loop loop, void *context) {
  errno = 0;
  double ns = bench_measure(loop, context);
  if (ns < 0) {
    char reason[96];
    snprintf(reason, sizeof reason, "(%s)", strerror(errno));
    for (char *c = reason; *c; c++) if (*c == ' ') *c = '_';
    bench_na(name, reason);
  } else {
    bench_print(name, ns, "ns/op");
  }
}

/* The CPU this process last ran on, from /proc/self/stat (proc(5) field 39), or -1. */
static inline int bench_current_cpu(void) {
  char text[1024];
  FILE *stat = fopen("/proc/self/stat", "r");
  if (!stat) return -1;
  size_t length = fread(text, 1, sizeof text - 1, stat);
  fclose(stat);
  text[length] = 0;
  char *field = strrchr(text, ')');   /* comm may hold spaces: count fields after it */
  if (!field) return -1;
  for (int index = 2; index < 39 && field; index++) field = strchr(field + 1, ' ');
  return field ? atoi(field + 1) : -1;
}

#endif
