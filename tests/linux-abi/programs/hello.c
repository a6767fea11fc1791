/* argv, envp and stdout as execve(2) and the initial stack deliver them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern char **environ;
int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) if (strncmp(*e, "PATH=", 5) != 0) printf("env %s\n", *e);
    printf("getenv K42_TEST=%s\n", getenv("K42_TEST"));
    return 3;
}
