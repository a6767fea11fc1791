/* rename(2), link(2), unlink(2), symlink(2), readlink(2): semantics and errno rules. */
#include "abi.h"
static void put(const char *p, const char *s) { int fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644); write(fd, s, strlen(s)); close(fd); }
static void get(const char *label, const char *p) {
    char buf[64] = {0};
    int fd = open(p, O_RDONLY);
    int e = errno;
    if (fd < 0) { printf("%s: open errno=%d\n", label, e); return; }
    read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%s: %s\n", label, buf);
}
static long nlink(const char *p) { struct stat st; return lstat(p, &st) ? -1 : (long)st.st_nlink; }
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    char buf[64];
    put("a", "AAA"); put("b", "BBB");
    T("rename over file", rename("a", "b"));
    get("b now", "b");
    T("old name gone", access("a", F_OK));
    T("rename missing", rename("a", "c"));
    T("rename to itself", rename("b", "b"));
    mkdir("d1", 0755); mkdir("d2", 0755); mkdir("full", 0755); put("full/x", "x");
    T("rename dir over empty dir", rename("d1", "d2"));
    T("d1 gone", access("d1", F_OK));
    T("rename dir over non-empty", rename("d2", "full"));
    T("rename file over dir", rename("b", "full"));
    T("rename dir over file", rename("full", "b"));
    T("rename dir into itself", rename("full", "full/sub"));
    T("rename into missing dir", rename("b", "nodir/b"));
    T("rename dot", rename(".", "x"));
    T("rename across dirs", rename("full/x", "d2/y"));
    get("moved", "d2/y");
    T("renameat2 NOREPLACE", renameat2(AT_FDCWD, "b", AT_FDCWD, "d2/y", RENAME_NOREPLACE));
    T("renameat2 EXCHANGE", renameat2(AT_FDCWD, "b", AT_FDCWD, "d2/y", RENAME_EXCHANGE));
    get("b after exchange", "b");
    get("y after exchange", "d2/y");

    T("link", link("b", "b2"));
    printf("nlink: %ld %ld\n", nlink("b"), nlink("b2"));
    put("b2", "CHANGED");
    get("b sees write through b2", "b");
    T("link existing name", link("b", "b2"));
    T("link missing", link("nope", "n2"));
    T("link dir", link("d2", "d3"));
    T("link into missing dir", link("b", "nodir/x"));
    T("rename hard link onto its twin", rename("b", "b2"));
    printf("both names stay: %d %d nlink=%ld\n", access("b", F_OK) == 0, access("b2", F_OK) == 0, nlink("b"));
    T("unlink b", unlink("b"));
    printf("nlink b2: %ld\n", nlink("b2"));
    T("unlink missing", unlink("b"));
    T("unlink through file", unlink("b2/x"));

    /* An unlinked file stays readable through an open descriptor. */
    int fd = open("b2", O_RDONLY);
    T("unlink open file", unlink("b2"));
    struct stat st; fstat(fd, &st);
    printf("open unlinked: nlink=%ld size=%ld\n", (long)st.st_nlink, (long)st.st_size);
    memset(buf, 0, sizeof buf);
    T("read unlinked", read(fd, buf, sizeof buf));
    printf("  data=%s\n", buf);
    close(fd);

    put("target", "TARGET");
    T("symlink", symlink("target", "s"));
    T("symlink existing", symlink("target", "s"));
    memset(buf, 0, sizeof buf);
    T("readlink", readlink("s", buf, sizeof buf));
    printf("  -> %s\n", buf);
    memset(buf, 0, sizeof buf);
    T("readlink truncated", readlink("s", buf, 3));
    printf("  -> %s\n", buf);
    T("readlink regular file", readlink("target", buf, sizeof buf));
    T("readlink missing", readlink("nope", buf, sizeof buf));
    T("readlink size 0", readlink("s", buf, 0));
    get("through symlink", "s");
    T("dangling symlink", symlink("nowhere", "dang"));
    T("open dangling", open("dang", O_RDONLY));
    T("create through dangling", (fd = open("dang", O_CREAT | O_WRONLY, 0644)) >= 0);
    close(fd);
    T("target created", access("nowhere", F_OK));
    T("O_NOFOLLOW", open("s", O_RDONLY | O_NOFOLLOW));
    T("O_CREAT|O_EXCL on symlink", open("s", O_CREAT | O_EXCL | O_WRONLY, 0644));
    symlink("loop1", "loop2"); symlink("loop2", "loop1");
    T("symlink loop", open("loop1", O_RDONLY));
    T("stat loop", stat("loop1", &st));
    T("lstat loop", lstat("loop1", &st));
    symlink("d2", "dl");
    get("through dir symlink", "dl/y");
    T("rmdir symlink to dir", rmdir("dl"));
    T("unlink symlink", unlink("s"));
    T("target kept", access("target", F_OK));
    T("symlinkat in dirfd", symlinkat("../target", (fd = open("d2", O_RDONLY | O_DIRECTORY)), "rel"));
    get("relative symlink in subdir", "d2/rel");
    memset(buf, 0, sizeof buf);
    T("readlinkat", readlinkat(fd, "rel", buf, sizeof buf));
    printf("  -> %s\n", buf);
    close(fd);
    T("unlinkat AT_REMOVEDIR file", unlinkat(AT_FDCWD, "target", AT_REMOVEDIR));
    T("unlinkat AT_REMOVEDIR dir", unlinkat(AT_FDCWD, "full", AT_REMOVEDIR));
    T("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "d2/rel", AT_FDCWD, "hard", AT_SYMLINK_FOLLOW));
    T("hard is regular", lstat("hard", &st) == 0 && S_ISREG(st.st_mode));
    T("linkat no follow", linkat(AT_FDCWD, "d2/rel", AT_FDCWD, "hardlink", 0));
    T("hardlink is symlink", lstat("hardlink", &st) == 0 && S_ISLNK(st.st_mode));
    return 0;
}
