/* Shared helpers for the tier-3 programs (included, not a test itself: run.sh builds *.c only).
 * T() runs one call and prints its result, and errno only when the call failed, read right
 * after the call. enter_workdir() moves into this program's own empty scratch directory,
 * DIR/../tmp/NAME, which the driver creates (so host and guest see the same relative paths). */
#ifndef ABI_H
#define ABI_H
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define T(label, expr) do { \
        errno = 0; long r_ = (long)(expr); int e_ = errno; \
        if (r_ == -1) printf("%s: -1 errno=%d\n", (label), e_); \
        else printf("%s: %ld\n", (label), r_); \
    } while (0)

/* Like T, but for calls whose success value is not deterministic (fds, pids, addresses). */
#define OK(label, expr) do { \
        errno = 0; long r_ = (long)(expr); int e_ = errno; \
        if (r_ == -1) printf("%s: -1 errno=%d\n", (label), e_); \
        else printf("%s: ok\n", (label)); \
    } while (0)

static void remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else unlink(path);
}

/* chdir into DIR/../tmp/NAME (emptied first); returns 0 on success. */
static int enter_workdir(const char *argv0) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char dir[512], work[700];
    snprintf(dir, sizeof dir, "%s", argv0);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : argv0;
    if (slash) *slash = 0; else strcpy(dir, ".");
    snprintf(work, sizeof work, "%s/../tmp", dir);
    mkdir(work, 0755);
    snprintf(work, sizeof work, "%s/../tmp/%s", dir, name);
    remove_tree(work);
    if (mkdir(work, 0755) != 0 || chdir(work) != 0) { printf("no work directory\n"); return -1; }
    return 0;
}

/* The directory holding the test programs (argv0's directory). */
static void program_dir(const char *argv0, char *out, size_t size) {
    snprintf(out, size, "%s", argv0);
    char *slash = strrchr(out, '/');
    if (slash) *slash = 0; else snprintf(out, size, ".");
}
#endif
