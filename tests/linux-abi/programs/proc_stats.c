/* What free, uptime, top and df read (proc(5), statfs(2), sysinfo(2)): statfs of / reports a
 * size, /proc/mounts lists / and /proc, /proc/stat has the sum and one line per CPU with ten
 * counters, user time that grows while we compute, ctxt/btime/processes/procs_running/
 * procs_blocked, btime agrees with the clock and /proc/uptime, /proc/uptime with sysinfo,
 * /proc/meminfo with sysinfo, /proc/loadavg's five fields. Only relations are printed: the
 * numbers themselves differ between machines. */
#include "abi.h"
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <time.h>

static char text[65536];
static int slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int total = 0, n;
    while ((n = read(fd, text + total, sizeof text - 1 - total)) > 0) total += n;
    text[total] = 0;
    close(fd);
    return total;
}

/* The value after "name" at the start of a line of `text`, or -1. */
static long long field(const char *name) {
    size_t len = strlen(name);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, len) == 0 && (line[len] == ' ' || line[len] == ':'))
            return atoll(line + len + 1 + strspn(line + len + 1, " "));
    return -1;
}

static unsigned long long user_ticks(void) {
    slurp("/proc/stat");
    unsigned long long user = 0;
    sscanf(text, "cpu %llu", &user);
    return user;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct statfs fs;
    T("statfs /", statfs("/", &fs));
    printf("blocks > 0: %d, free <= blocks: %d, avail <= free: %d\n", fs.f_blocks > 0, fs.f_bfree <= fs.f_blocks, fs.f_bavail <= fs.f_bfree);
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    struct statfs fs2;
    T("fstatfs /", fstatfs(fd, &fs2));
    printf("same type and blocks: %d\n", fs.f_type == fs2.f_type && fs.f_blocks == fs2.f_blocks);
    close(fd);

    slurp("/proc/mounts");
    int root = 0, proc = 0;
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char src[256], dir[256], type[64];
        if (sscanf(line, "%255s %255s %63s", src, dir, type) != 3) continue;
        if (strcmp(dir, "/") == 0) root++;
        if (strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0) proc++;
    }
    printf("mounts: / %d, /proc %d\n", root > 0, proc > 0);

    /* /proc/stat */
    slurp("/proc/stat");
    printf("starts with \"cpu  \": %d\n", strncmp(text, "cpu  ", 5) == 0);
    int cpus = 0, well_formed = 1;
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "cpu", 3) != 0 || line[3] == ' ') continue;
        cpus++;
        unsigned long long v[10];
        int n = sscanf(line, "cpu%*d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
        if (n != 10) well_formed = 0;
    }
    printf("cpuN lines = online CPUs: %d, ten counters each: %d\n", cpus == sysconf(_SC_NPROCESSORS_ONLN), well_formed);
    long long btime = field("btime");
    printf("ctxt > 0: %d, processes > 0: %d, procs_running >= 1: %d, procs_blocked >= 0: %d\n",
           field("ctxt") > 0, field("processes") > 0, field("procs_running") >= 1, field("procs_blocked") >= 0);
    slurp("/proc/uptime");
    double up = 0, idle = -1;
    int n = sscanf(text, "%lf %lf", &up, &idle);
    long long now = time(NULL);
    long long diff = now - (long long)up - btime;
    printf("uptime fields: %d, idle >= 0: %d, btime + uptime = now: %d\n", n, idle >= 0, diff >= -2 && diff <= 2);

    struct sysinfo si;
    T("sysinfo", sysinfo(&si));
    printf("sysinfo uptime = /proc/uptime: %d\n", si.uptime - (long)up >= -1 && si.uptime - (long)up <= 1);

    unsigned long long before = user_ticks();
    struct timespec start, t;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long spin = 0;
    do {
        for (int i = 0; i < 100000; i++) spin++;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000 < 300);
    unsigned long long after = user_ticks();
    printf("user time grew while computing: %d\n", after > before);

    slurp("/proc/meminfo");
    long long total = field("MemTotal"), free_kb = field("MemFree"), avail = field("MemAvailable");
    printf("MemTotal = sysinfo totalram: %d\n", total == (long long)(si.totalram * si.mem_unit / 1024));
    printf("MemFree <= MemTotal: %d, MemAvailable present: %d, Cached present: %d, SwapTotal present: %d\n",
           free_kb >= 0 && free_kb <= total, avail >= 0, field("Cached") >= 0, field("SwapTotal") >= 0);

    slurp("/proc/loadavg");
    double l1, l5, l15;
    int running = 0, threads = 0, last = 0;
    n = sscanf(text, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &threads, &last);
    printf("loadavg fields: %d, running >= 1: %d, running <= threads: %d, last pid > 0: %d, loads >= 0: %d\n",
           n, running >= 1, running <= threads, last > 0, l1 >= 0 && l5 >= 0 && l15 >= 0);
    return 0;
}
