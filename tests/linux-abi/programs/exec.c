/* execve(2): the new image gets the given argv and envp; a failed execve returns ENOENT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && argv[1][0] == 'X') { printf("re-executed with %s %s, env %s\n", argv[1], argv[2], getenv("NEW")); return 9; }
    char *none[] = { "nope", NULL };
    errno = 0;
    int r = execve("/no/such/program", none, none);
    int e = errno;
    printf("execve missing: %d errno=%d\n", r, e);
    char *args[] = { argv[0], "X1", "X2", NULL };
    char *env[] = { "NEW=yes", NULL };
    execve(argv[0], args, env);
    printf("execve failed errno=%d\n", errno);
    return 1;
}
