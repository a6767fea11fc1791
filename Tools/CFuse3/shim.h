// libfuse3's high-level API, as Debian's libfuse3-dev installs it, plus two helpers Swift cannot
// spell: fuse_main is a macro (it passes sizeof the operation table), and the caller's ids come
// from a struct reached through a pointer-returning function.
#define FUSE_USE_VERSION 31
#include <fuse3/fuse.h>
#include <pthread.h>

static inline int kfs_fuse_main(int argc, char *argv[], const struct fuse_operations *operations) {
    return fuse_main_real(argc, argv, operations, sizeof(*operations), 0);
}

static inline unsigned kfs_fuse_caller_uid(void) { return fuse_get_context()->uid; }
static inline unsigned kfs_fuse_caller_gid(void) { return fuse_get_context()->gid; }
