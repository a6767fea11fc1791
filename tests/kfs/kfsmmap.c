/* mmap of KFS files (scripts/test-kfs.sh): MAP_SHARED writes reach the file through msync,
 * munmap + fsync; MAP_PRIVATE writes do not; read(2) and a mapping see the same bytes.
 *   kfsmmap write DIR   makes DIR/mmap.bin and DIR/mmap-unmap.bin and changes them through maps
 *   kfsmmap check DIR   checks their contents (after a remount, or on the host)
 * Prints "kfsmmap NAME ok|FAIL" per check. Expected contents:
 *   mmap.bin (3 pages + 100 bytes): byte i = i % 251, except page 1 all 'M' and the last 100
 *   bytes 'E'; mmap-unmap.bin (2 pages): page 0 'U', page 1 'a'. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#define PAGE 4096
#define SIZE (3 * PAGE + 100)
static int failures;
static void check(const char *name, int ok) { printf("kfsmmap %s %s\n", name, ok ? "ok" : "FAIL"); if (!ok) failures++; }
static unsigned char expected(long i) {
  if (i >= PAGE && i < 2 * PAGE) return 'M';
  if (i >= SIZE - 100) return 'E';
  return i % 251;
}
static int check_files(const char *dir) {
  char p[512]; static unsigned char buf[SIZE + 10];
  snprintf(p, sizeof p, "%s/mmap.bin", dir);
  int fd = open(p, O_RDONLY); long n = fd >= 0 ? read(fd, buf, sizeof buf) : -1; if (fd >= 0) close(fd);
  int ok = n == SIZE; for (long i = 0; ok && i < SIZE; i++) ok = buf[i] == expected(i);
  check("shared-content", ok);
  snprintf(p, sizeof p, "%s/mmap-unmap.bin", dir);
  fd = open(p, O_RDONLY); n = fd >= 0 ? read(fd, buf, sizeof buf) : -1; if (fd >= 0) close(fd);
  ok = n == 2 * PAGE; for (long i = 0; ok && i < 2 * PAGE; i++) ok = buf[i] == (i < PAGE ? 'U' : 'a');
  check("munmap-content", ok);
  return failures;
}
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: kfsmmap write|check DIR\n"); return 2; }
  if (!strcmp(argv[1], "check")) return check_files(argv[2]) ? 1 : 0;
  char p[512]; static unsigned char buf[SIZE];
  for (long i = 0; i < SIZE; i++) buf[i] = i % 251;
  snprintf(p, sizeof p, "%s/mmap.bin", argv[2]);
  int fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
  check("create", fd >= 0 && write(fd, buf, SIZE) == SIZE);
  /* A private mapping: reads the file, its writes stay private. */
  unsigned char *priv = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  check("map-private", priv != MAP_FAILED);
  if (priv == MAP_FAILED) return 1;
  check("private-reads-file", priv[5] == 5 && priv[PAGE + 7] == (PAGE + 7) % 251 && priv[SIZE - 1] == (SIZE - 1) % 251);
  memset(priv, 'P', PAGE);
  unsigned char one = 0;
  check("private-write-stays-private", pread(fd, &one, 1, 10) == 1 && one == 10 && priv[10] == 'P');
  munmap(priv, SIZE);
  /* A shared mapping: its writes are the file's bytes (read(2) sees them), msync writes back. */
  unsigned char *shared = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  check("map-shared", shared != MAP_FAILED);
  if (shared == MAP_FAILED) return 1;
  check("shared-reads-file", shared[5] == 5 && shared[SIZE - 1] == (SIZE - 1) % 251);
  memset(shared + PAGE, 'M', PAGE);
  memset(shared + SIZE - 100, 'E', 100);
  check("read-sees-mapping", pread(fd, &one, 1, PAGE + 1) == 1 && one == 'M');
  one = 'W'; pwrite(fd, &one, 1, 2 * PAGE + 3);
  check("mapping-sees-write", shared[2 * PAGE + 3] == 'W');
  one = (2 * PAGE + 3) % 251; pwrite(fd, &one, 1, 2 * PAGE + 3);
  check("msync", msync(shared, SIZE, MS_SYNC) == 0);
  munmap(shared, SIZE); close(fd);
  /* munmap without msync, then fsync. */
  snprintf(p, sizeof p, "%s/mmap-unmap.bin", argv[2]);
  fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
  memset(buf, 'a', 2 * PAGE);
  check("create-2", fd >= 0 && write(fd, buf, 2 * PAGE) == 2 * PAGE);
  shared = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  check("map-shared-2", shared != MAP_FAILED);
  if (shared == MAP_FAILED) return 1;
  memset(shared, 'U', PAGE);
  check("munmap", munmap(shared, 2 * PAGE) == 0);
  check("fsync", fsync(fd) == 0);
  close(fd);
  /* A read-only shared mapping of a file opened read-only works too. */
  snprintf(p, sizeof p, "%s/mmap.bin", argv[2]);
  fd = open(p, O_RDONLY);
  unsigned char *ro = mmap(0, SIZE, PROT_READ, MAP_SHARED, fd, 0);
  check("map-readonly", ro != MAP_FAILED && ro[PAGE] == 'M' && ro[0] == 0);
  if (ro != MAP_FAILED) munmap(ro, SIZE);
  close(fd);
  check_files(argv[2]);
  return failures ? 1 : 0;
}
