/* Null system call and /dev/null I/O (lmbench lat_syscall): the cost of entering and leaving
 * the kernel with almost no work inside. getpid goes through syscall(2) so that no libc cache
 * can answer it; read of /dev/null returns end-of-file at once, write of one byte is dropped. */
#include "bench.h"
#include <fcntl.h>
#include <sys/syscall.h>

static int loop_getpid(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) syscall(SYS_getpid);
  return 0;
}

static int loop_read(long count, void *context) {
  int fd = *(int *)context;
  char byte;
  for (long i = 0; i < count; i++)
    if (read(fd, &byte, 1) < 0) return -1;
  return 0;
}

static int loop_write(long count, void *context) {
  int fd = *(int *)context;
  char byte = 'x';
  for (long i = 0; i < count; i++)
    if (write(fd, &byte, 1) != 1) return -1;
  return 0;
}

int main(void) {
  bench_run_ns("null_syscall", loop_getpid, NULL);
  int fd = open("/dev/null", O_RDWR);
  if (fd < 0) {
    bench_na("read_devnull", "(open /dev/null failed)");
    bench_na("write_devnull", "(open /dev/null failed)");
    return 0;
  }
  bench_run_ns("read_devnull", loop_read, &fd);
  bench_run_ns("write_devnull", loop_write, &fd);
  return 0;
}
