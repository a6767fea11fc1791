/* 16 MiB sequential write and read of one file on tmpfs (/tmp), in 64 KiB calls (lmbench
 * bw_file_rd): page-cache allocation and copy bandwidth. Each write pass truncates first, so
 * pages are allocated again; the read pass reads the pages the last write left. MB/s = MiB/s. */
#include "bench.h"
#include <fcntl.h>

#define FILE_PATH "/tmp/bench-io"
#define FILE_SIZE (16L << 20)
#define CHUNK (64L << 10)

static char buffer[CHUNK];

static int loop_write(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) {
    int fd = open(FILE_PATH, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) return -1;
    for (long done = 0; done < FILE_SIZE; done += CHUNK)
      if (write(fd, buffer, CHUNK) != CHUNK) return -1;
    close(fd);
  }
  return 0;
}

static int loop_read(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) {
    int fd = open(FILE_PATH, O_RDONLY);
    if (fd < 0) return -1;
    for (long done = 0; done < FILE_SIZE; done += CHUNK)
      if (read(fd, buffer, CHUNK) != CHUNK) return -1;
    close(fd);
  }
  return 0;
}

static void report(const char *name, bench_loop loop) {
  errno = 0;
  double ns = bench_measure(loop, NULL);
  if (ns < 0) bench_na(name, strerror(errno));
  else bench_print(name, (double)FILE_SIZE / (1 << 20) / (ns / 1e9), "MB/s");
}

int main(void) {
  memset(buffer, 'b', sizeof buffer);
  report("tmpfs_write_16m", loop_write);
  report("tmpfs_read_16m", loop_read);
  unlink(FILE_PATH);
  return 0;
}
