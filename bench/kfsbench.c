/* The KFS benchmark workload (make kfs-bench in QEMU, make kfs-fuse-bench on the host):
 * usage: kfsbench DIR FILES MIB. */
/* Small files (create+write 4 KiB, read, unlink: each phase ended by fsync + sync) and one
 * large file (sequential 64 KiB writes then fsync; caches dropped; sequential reads). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static char buf[65536];
static void settle(const char *dir) {
  int d = open(dir, O_RDONLY); if (d >= 0) { fsync(d); close(d); } sync();
  int f = open("/proc/sys/vm/drop_caches", O_WRONLY); if (f >= 0) { write(f, "3\n", 2); close(f); }
}
int main(int argc, char **argv) {
  const char *dir = argv[1]; int n = atoi(argv[2]); long mib = atol(argv[3]); char p[512];
  memset(buf, 'k', sizeof buf);
  double t = ms();
  for (int i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/s%d", dir, i); int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || write(fd, buf, 4096) != 4096) { perror(p); return 1; } close(fd); }
  settle(dir); double create = ms() - t; t = ms();
  for (int i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/s%d", dir, i); int fd = open(p, O_RDONLY);
    if (fd < 0 || read(fd, buf, 4096) != 4096) { perror(p); return 1; } close(fd); }
  double readsmall = ms() - t; t = ms();
  for (int i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/s%d", dir, i); if (unlink(p)) { perror(p); return 1; } }
  settle(dir); double del = ms() - t;
  snprintf(p, sizeof p, "%s/large", dir); t = ms();
  int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  for (long i = 0; i < mib * 16; i++) if (write(fd, buf, 65536) != 65536) { perror("write"); return 1; }
  fsync(fd); close(fd); settle(dir); double wr = ms() - t; t = ms();
  fd = open(p, O_RDONLY); long got = 0, r; while ((r = read(fd, buf, 65536)) > 0) got += r; close(fd);
  double rd = ms() - t; unlink(p); settle(dir);
  printf("kfsbench small-create-write %.0f files/s\nkfsbench small-read %.0f files/s\nkfsbench small-delete %.0f files/s\n"
         "kfsbench large-write %.2f MiB/s\nkfsbench large-read %.2f MiB/s\n",
         n / (create / 1e3), n / (readsmall / 1e3), n / (del / 1e3), mib / (wr / 1e3), got / 1048576.0 / (rd / 1e3));
  return 0;
}
