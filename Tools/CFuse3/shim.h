// libfuse3's high-level API, as Debian's libfuse3-dev installs it.
#define FUSE_USE_VERSION 31
#include <fuse3/fuse.h>
