/* umask(2) shapes the modes of created files, directories, FIFOs and symlinks are exempt;
 * umask returns the old value; explicit chmod ignores it; O_CREAT on an existing file keeps
 * its mode; the umask is inherited by a child. */
#include "abi.h"
static unsigned mode(const char *p) { struct stat st; return lstat(p, &st) ? 07777 : st.st_mode & 07777; }
int main(int argc, char **argv) {
    (void)argc;
    if (enter_workdir(argv[0])) return 1;
    umask(022);
    printf("umask(077) returns 022: %o\n", umask(077));
    close(open("f077", O_CREAT | O_WRONLY, 0666));
    mkdir("d077", 0777);
    mkfifo("p077", 0666);
    symlink("f077", "s077");
    printf("umask 077: file %o dir %o fifo %o symlink %o\n", mode("f077"), mode("d077"), mode("p077"), mode("s077"));
    printf("umask(0) returns 077: %o\n", umask(0));
    close(open("f000", O_CREAT | O_WRONLY, 0666));
    mkdir("d000", 0777);
    close(open("fx", O_CREAT | O_WRONLY, 04755));
    printf("umask 0: file %o dir %o setuid file %o\n", mode("f000"), mode("d000"), mode("fx"));
    umask(0222);
    close(open("f222", O_CREAT | O_WRONLY, 0666));
    printf("umask 222: file %o\n", mode("f222"));
    T("existing file keeps mode on O_CREAT", (close(open("f000", O_CREAT | O_WRONLY, 0600)), mode("f000")) == 0666);
    T("chmod ignores umask", (chmod("f222", 0777), mode("f222")));
    umask(027);
    pid_t c = fork();
    if (c == 0) {
        mode_t m = umask(0);
        close(open("child", O_CREAT | O_WRONLY, 0666));
        _exit(m);
    }
    int st; waitpid(c, &st, 0);
    printf("child inherited umask %o, its file %o\n", WEXITSTATUS(st), mode("child"));
    umask(0700 | 0777000);
    printf("umask keeps only 0777: %o\n", umask(022));
    mkdir("sticky", 01777);
    printf("mkdir 01777 under umask 022: %o\n", mode("sticky"));
    mkdir("tight", 0);
    printf("mkdir 0: %o\n", mode("tight"));
    return 0;
}
