/* File-system metadata paths on tmpfs (lmbench lat_syscall open/stat, lat_fs): open+close and
 * stat of an existing file two directories deep (name lookup), and the life of a small file:
 * create, write 4 KiB, close, unlink (allocation and freeing of an inode and its page). */
#include "bench.h"
#include <fcntl.h>
#include <sys/stat.h>

#define DIRECTORY "/tmp/bench.d"
#define FILE_PATH DIRECTORY "/sub/file"
#define SCRATCH DIRECTORY "/sub/scratch"

static int loop_open_close(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) {
    int fd = open(FILE_PATH, O_RDONLY);
    if (fd < 0) return -1;
    close(fd);
  }
  return 0;
}

static int loop_stat(long count, void *context) {
  (void)context;
  struct stat st;
  for (long i = 0; i < count; i++)
    if (stat(FILE_PATH, &st) < 0) return -1;
  return 0;
}

static int loop_create_unlink(long count, void *context) {
  static char block[4096];
  (void)context;
  for (long i = 0; i < count; i++) {
    int fd = open(SCRATCH, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) return -1;
    if (write(fd, block, sizeof block) != (ssize_t)sizeof block) return -1;
    close(fd);
    if (unlink(SCRATCH) < 0) return -1;
  }
  return 0;
}

int main(void) {
  mkdir(DIRECTORY, 0755);
  mkdir(DIRECTORY "/sub", 0755);
  int fd = open(FILE_PATH, O_CREAT | O_WRONLY, 0644);
  if (fd >= 0) {
    write(fd, "bench\n", 6);
    close(fd);
  }
  bench_run_ns("open_close", loop_open_close, NULL);
  bench_run_ns("stat", loop_stat, NULL);
  bench_run_ns("create_write4k_unlink", loop_create_unlink, NULL);
  unlink(FILE_PATH);
  return 0;
}
