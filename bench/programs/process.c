/* Process creation (lmbench lat_proc): fork+exit+wait (copy-on-write copy of the address space
 * and its teardown) and fork+execve+wait of a static hello (adds exec's loader and a fresh
 * address space). The parent is a normal static program with a small heap, like lmbench's. */
#include "bench.h"
#include <sys/wait.h>

static int loop_fork(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) {
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) _exit(0);
    int status;
    if (waitpid(child, &status, 0) != child) return -1;
  }
  return 0;
}

static int loop_exec(long count, void *context) {
  const char *path = context;
  for (long i = 0; i < count; i++) {
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
      char *argv[] = {(char *)path, NULL};
      char *envp[] = {NULL};
      execve(path, argv, envp);
      _exit(127);
    }
    int status;
    if (waitpid(child, &status, 0) != child) return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { errno = ENOEXEC; return -1; }
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *hello = argc > 1 ? argv[1] : "/bench/hello";
  bench_run_ns("fork_exit_wait", loop_fork, NULL);
  bench_run_ns("fork_exec_wait", loop_exec, (void *)hello);
  return 0;
}
