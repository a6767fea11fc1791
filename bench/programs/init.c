/* /init of the benchmark initramfs. Its first act is the start marker that bench/boot.py
 * timestamps for boot time: it mounts /proc with mount(2) (no fork, no shell start-up) and
 * prints `BENCH-START uptime S` with the guest's own /proc/uptime. Then it mounts /dev (Linux
 * leaves it empty in an initramfs) and /tmp, and execs busybox sh on bench/rootfs/driver.sh,
 * which runs every benchmark and powers off. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv;
  char uptime[64] = "?";
  mount("proc", "/proc", "proc", 0, NULL);
  int fd = open("/proc/uptime", O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, uptime, sizeof uptime - 1);
    uptime[n > 0 ? n : 0] = 0;
    uptime[strcspn(uptime, " \n")] = 0;
    close(fd);
  }
  printf("BENCH-START uptime %s\n", uptime);
  fflush(stdout);
  struct stat st;
  if (stat("/dev/null", &st) < 0) mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
  char *shell[] = {"/bin/sh", "/bench/driver.sh", NULL};
  execve(shell[0], shell, envp);
  perror("bench init: exec /bin/sh");
  return 1;
}
