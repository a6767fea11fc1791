/* Robust futexes (set_robust_list(2), pthread_mutexattr_setrobust(3)): a thread that exits
 * holding a robust mutex leaves it FUTEX_OWNER_DIED, so the next pthread_mutex_lock returns
 * EOWNERDEAD (also for a waiter already blocked on it, and for a PRIO_INHERIT mutex), the mutex
 * works again after pthread_mutex_consistent; across processes through MAP_SHARED memory;
 * get_robust_list(2) reports the head glibc registered; bad arguments give EINVAL/ESRCH. */
#include "abi.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static pthread_mutex_t *m;
static volatile int holding;

static void *hold_and_exit(void *arg) {
    (void)arg;
    pthread_mutex_lock(m);
    holding = 1;
    usleep(arg ? 200000 : 0);          /* with arg: give the main thread time to block */
    return NULL;                       /* exits still holding the mutex */
}

static void make(pthread_mutex_t *mutex, int protocol, int pshared) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setprotocol(&a, protocol);
    pthread_mutexattr_setpshared(&a, pshared);
    pthread_mutex_init(mutex, &a);
}

static void round_trip(const char *name, int protocol, int block_first) {
    make(m, protocol, PTHREAD_PROCESS_PRIVATE);
    holding = 0;
    pthread_t t;
    pthread_create(&t, NULL, hold_and_exit, block_first ? (void *)1 : NULL);
    if (block_first) { while (!holding) usleep(1000); }
    else pthread_join(t, NULL);
    int r = pthread_mutex_lock(m);                     /* blocks first when block_first */
    printf("%s: lock after owner died: %s\n", name, r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    printf("%s: consistent: %d\n", name, pthread_mutex_consistent(m));
    printf("%s: unlock: %d\n", name, pthread_mutex_unlock(m));
    printf("%s: lock again: %d\n", name, pthread_mutex_lock(m));
    printf("%s: unlock again: %d\n", name, pthread_mutex_unlock(m));
    if (block_first) pthread_join(t, NULL);
    pthread_mutex_destroy(m);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    round_trip("normal, owner gone", PTHREAD_PRIO_NONE, 0);
    round_trip("normal, waiter blocked", PTHREAD_PRIO_NONE, 1);
    round_trip("prio-inherit, owner gone", PTHREAD_PRIO_INHERIT, 0);
    round_trip("prio-inherit, waiter blocked", PTHREAD_PRIO_INHERIT, 1);

    /* Across processes: the child locks a process-shared robust mutex and exits. */
    make(m, PTHREAD_PRIO_NONE, PTHREAD_PROCESS_SHARED);
    pid_t c = fork();
    if (c == 0) { pthread_mutex_lock(m); _exit(0); }
    waitpid(c, NULL, 0);
    int r = pthread_mutex_lock(m);
    printf("shared: lock after the child died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    int consistent = pthread_mutex_consistent(m);
    printf("shared: consistent: %d, unlock: %d\n", consistent, pthread_mutex_unlock(m));

    /* A mutex left inconsistent (unlocked without pthread_mutex_consistent) is unusable. */
    pthread_mutex_t *n = m + 1;
    make(n, PTHREAD_PRIO_NONE, PTHREAD_PROCESS_PRIVATE);
    pthread_mutex_t *saved = m;
    m = n;
    pthread_t t;
    pthread_create(&t, NULL, hold_and_exit, NULL);
    pthread_join(t, NULL);
    r = pthread_mutex_lock(n);
    printf("inconsistent: first lock: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    pthread_mutex_unlock(n);
    r = pthread_mutex_lock(n);
    printf("inconsistent: next lock: %s\n", r == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : strerror(r));
    m = saved;

    /* fork's CLONE_CHILD_SETTID: glibc's cached TID in the child is the child's, so an
     * error-checking mutex the parent locked is not the child's to unlock (EPERM). */
    pthread_mutex_t *e = m + 2;
    pthread_mutexattr_t ea;
    pthread_mutexattr_init(&ea);
    pthread_mutexattr_settype(&ea, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(e, &ea);
    pthread_mutex_lock(e);
    c = fork();
    if (c == 0) { _exit(pthread_mutex_unlock(e) == EPERM ? 0 : 1); }
    int st = 0;
    waitpid(c, &st, 0);
    printf("child unlocking the parent's errorcheck mutex gets EPERM: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    pthread_mutex_unlock(e);

    /* get_robust_list / set_robust_list. */
    void *head = NULL;
    size_t len = 0;
    T("get_robust_list(0)", syscall(SYS_get_robust_list, 0, &head, &len));
    printf("head set: %d, len: %zu\n", head != NULL, len);
    T("get_robust_list(no such tid)", syscall(SYS_get_robust_list, 999999, &head, &len));
    T("set_robust_list(bad length)", syscall(SYS_set_robust_list, head, 23));
    T("get_robust_list(bad pointer)", syscall(SYS_get_robust_list, 0, (void *)8, &len));
    return 0;
}
