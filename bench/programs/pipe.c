/* Pipe round trip and context switch (lmbench lat_pipe, lat_ctx): two processes pass one byte
 * back and forth over two pipes. Measured unpinned (where the scheduler puts them), both pinned
 * to CPU 0 (every round trip is two context switches on one CPU) and pinned to CPUs 0 and 1
 * (every round trip is two cross-CPU wake-ups). Pinning needs sched_setaffinity; a kernel
 * without it gets n/a for those rows. ctx_switch is lmbench's: half the same-CPU round trip
 * minus one write+read of a pipe within one process (pipe_write_read_1proc). BENCH-NOTE lines
 * say on which CPUs the pair ended up. */
#include "bench.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

struct pair { int to_child[2], to_parent[2]; pid_t child; };

static int pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu < 0) { for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &set); }
  else CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set);
}

/* Starts the echoing child on `child_cpu` (-1: anywhere); 0 or -1 with errno. */
static int start_pair(struct pair *pair, int child_cpu) {
  if (pipe(pair->to_child) < 0 || pipe(pair->to_parent) < 0) return -1;
  pair->child = fork();
  if (pair->child < 0) return -1;
  if (pair->child == 0) {
    if (child_cpu >= 0) pin(child_cpu);
    close(pair->to_child[1]);
    close(pair->to_parent[0]);
    char byte;
    while (read(pair->to_child[0], &byte, 1) == 1) {
      if (byte == '?') byte = (char)bench_current_cpu();   /* where_pair asks */
      if (write(pair->to_parent[1], &byte, 1) != 1) break;
    }
    _exit(0);
  }
  close(pair->to_child[0]);
  close(pair->to_parent[1]);
  return 0;
}

/* Prints where the pair ran at the end of a measurement (a BENCH-NOTE, for docs/bench.md). */
static void where_pair(const char *name, struct pair *pair) {
  signed char byte = '?';
  if (write(pair->to_child[1], &byte, 1) != 1 || read(pair->to_parent[0], &byte, 1) != 1) return;
  printf("BENCH-NOTE %s parent on CPU %d, child on CPU %d\n", name, bench_current_cpu(), byte);
}

static void stop_pair(struct pair *pair) {
  close(pair->to_child[1]);
  close(pair->to_parent[0]);
  waitpid(pair->child, NULL, 0);
}

static int loop_round_trip(long count, void *context) {
  struct pair *pair = context;
  char byte = 'p';
  for (long i = 0; i < count; i++) {
    if (write(pair->to_child[1], &byte, 1) != 1) return -1;
    if (read(pair->to_parent[0], &byte, 1) != 1) return -1;
  }
  return 0;
}

static int loop_one_process(long count, void *context) {
  int *fds = context;
  char byte = 'p';
  for (long i = 0; i < count; i++) {
    if (write(fds[1], &byte, 1) != 1) return -1;
    if (read(fds[0], &byte, 1) != 1) return -1;
  }
  return 0;
}

/* One round-trip figure with the parent on parent_cpu and the child on child_cpu. */
static double round_trip(const char *name, int parent_cpu, int child_cpu) {
  struct pair pair;
  if (parent_cpu >= 0 && pin(parent_cpu) < 0) {
    bench_na(name, "(sched_setaffinity failed)");
    return -1;
  }
  if (start_pair(&pair, child_cpu) < 0) { bench_na(name, "(pipe or fork failed)"); return -1; }
  errno = 0;
  double ns = bench_measure(loop_round_trip, &pair);
  where_pair(name, &pair);
  stop_pair(&pair);
  if (ns < 0) bench_na(name, "(round trip failed)");
  else bench_print(name, ns, "ns/op");
  return ns;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  double overhead = -1;
  if (pipe(fds) == 0) {
    overhead = bench_measure(loop_one_process, fds);
    close(fds[0]);
    close(fds[1]);
  }
  if (overhead < 0) bench_na("pipe_write_read_1proc", "(pipe failed)");
  else bench_print("pipe_write_read_1proc", overhead, "ns/op");

  round_trip("pipe_rtt", -1, -1);
  int have_affinity = pin(0) == 0;
  double same = have_affinity ? round_trip("pipe_rtt_same_cpu", 0, 0) : -1;
  if (!have_affinity) bench_na("pipe_rtt_same_cpu", "(no sched_setaffinity)");
  if (!have_affinity) bench_na("pipe_rtt_cross_cpu", "(no sched_setaffinity)");
  else if (sysconf(_SC_NPROCESSORS_ONLN) < 2) bench_na("pipe_rtt_cross_cpu", "(one CPU)");
  else round_trip("pipe_rtt_cross_cpu", 0, 1);
  if (same > 0 && overhead > 0) bench_print("ctx_switch", same / 2 - overhead, "ns/op");
  else bench_na("ctx_switch", have_affinity ? "(pinned round trip failed)" : "(no sched_setaffinity)");
  if (have_affinity) pin(-1);
  return 0;
}
