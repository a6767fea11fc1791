/* execve(2) in depth: many and long arguments and environment strings; "#!" scripts (an
 * interpreter with an optional argument gets the script path and the original arguments;
 * /bin/sh runs a shell script); ENOEXEC, EACCES, ENOENT for a missing interpreter. */
#include "abi.h"
extern char **environ;
static const char *base(const char *p) { const char *s = strrchr(p, '/'); return s ? s + 1 : p; }
static void script(const char *name, const char *text, int mode) {
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, mode);
    write(fd, text, strlen(text));
    close(fd);
    chmod(name, mode);
}
static int run(char *path, char **args, char **env) {
    pid_t c = fork();
    if (c == 0) {
        execve(path, args, env);
        int e = errno;
        printf("  execve %s: errno=%d\n", base(path), e);
        _exit(100);
    }
    int st; waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "interp-arg") == 0) {
        printf("  interpreter: argc=%d argv1=%s script=%s", argc, argv[1], base(argv[2]));
        for (int i = 3; i < argc; i++) printf(" [%s]", argv[i]);
        printf("\n");
        return 4;
    }
    if (argc > 1 && strcmp(argv[1], "many") == 0) {
        long sum = 0; int envs = 0;
        for (int i = 1; i < argc; i++) sum += strlen(argv[i]);   /* argv[0] is a host path */
        for (char **e = environ; *e; e++) { envs++; sum += strlen(*e); }
        printf("  many: argc=%d envc=%d total length=%ld last=%s env=%s\n", argc, envs, sum, argv[argc - 1], getenv("E499"));
        return 5;
    }
    if (argc == 2 && strcmp(base(argv[1]), "noArg") == 0) {
        printf("  no interpreter argument: argc=%d script=%s\n", argc, argv[1]);
        return 6;
    }
    char dir[400], line[600];
    program_dir(argv[0], dir, sizeof dir);
    if (enter_workdir(argv[0])) return 1;

    /* 2000 arguments and 500 environment strings, some long. */
    static char *args[2100], *env[600];
    static char store[2600][40];
    args[0] = argv[0]; args[1] = "many";
    for (int i = 2; i < 2000; i++) { snprintf(store[i], 40, "argument-%d", i); args[i] = store[i]; }
    static char longarg[100000];
    memset(longarg, 'L', sizeof longarg - 1);
    args[2000] = longarg;
    args[2001] = "end";
    for (int i = 0; i < 500; i++) { snprintf(store[2000 + i], 40, "E%d=value%d", i, i); env[i] = store[2000 + i]; }
    printf("many args: exit %d\n", run(argv[0], args, env));

    snprintf(line, sizeof line, "#!%s/exec_script interp-arg\nignored\n", dir);
    script("withArg", line, 0755);
    char *sargs[] = { "withArg", "one", "two words", NULL };
    printf("#! with argument: exit %d\n", run("withArg", sargs, environ));
    snprintf(line, sizeof line, "#!  %s/exec_script   \n", dir);
    script("noArg", line, 0755);
    char *nargs[] = { "noArg", NULL };
    printf("#! without argument: exit %d\n", run("./noArg", nargs, environ));
    script("shell", "#!/bin/sh\necho \"shell script: $# args: $1 $2\"\nexit 3\n", 0755);
    char *shargs[] = { "shell", "alpha", "beta", NULL };
    printf("#!/bin/sh: exit %d\n", run("./shell", shargs, environ));
    script("plain", "echo no hash bang\n", 0755);
    printf("no #!: exit %d\n", run("./plain", shargs, environ));
    script("noexec", "#!/bin/sh\necho hi\n", 0644);
    printf("not executable: exit %d\n", run("./noexec", shargs, environ));
    script("badinterp", "#!/no/such/interpreter\n", 0755);
    printf("missing interpreter: exit %d\n", run("./badinterp", shargs, environ));
    mkdir("adir", 0755);
    printf("directory: exit %d\n", run("./adir", shargs, environ));
    printf("missing: exit %d\n", run("./missing", shargs, environ));
    printf("path through file: exit %d\n", run("./plain/x", shargs, environ));
    script("empty", "", 0755);
    printf("empty file: exit %d\n", run("./empty", shargs, environ));
    return 0;
}
