/* Priority-inheritance futexes (futex(2)): FUTEX_LOCK_PI puts the caller's TID in a free word,
 * EDEADLK on a lock the caller holds, ESRCH when the word names no thread (FUTEX_WAITERS is set
 * first, as Linux does), FUTEX_TRYLOCK_PI's EAGAIN, FUTEX_UNLOCK_PI's EPERM for a non-owner, the
 * hand-off to a waiting thread (its TID lands in the word), and glibc's PTHREAD_PRIO_INHERIT
 * mutexes under contention from four threads. */
#include "abi.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static long futex(uint32_t *word, int op, const struct timespec *timeout) {
    return syscall(SYS_futex, word, op, 0, timeout, NULL, 0);
}

static uint32_t word;
static volatile int helper_tid, phase;
static long helper_unlock;

static void *holder(void *arg) {
    (void)arg;
    helper_tid = syscall(SYS_gettid);
    futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL);          /* free: taken */
    phase = 1;
    while (phase != 2) sched_yield();
    struct timespec d = { 0, 100 * 1000000L };
    nanosleep(&d, NULL);                                 /* main blocks in LOCK_PI meanwhile */
    helper_unlock = futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL);   /* hands the lock to main */
    return NULL;
}

static pthread_mutex_t pi_mutex;
static long counter;
static void *worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pi_mutex);
        counter++;
        if (i % 100 == 0) sched_yield();
        pthread_mutex_unlock(&pi_mutex);
    }
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    uint32_t tid = syscall(SYS_gettid);
    T("lock free word", futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
    printf("word is my tid: %d\n", word == tid);
    T("lock again", futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
    T("trylock own", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, NULL));
    T("unlock", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
    printf("word after unlock: %u\n", word);
    T("unlock not owner", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
    T("trylock free", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, NULL));
    T("unlock", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
    word = 4000000;                                      /* no such thread */
    T("lock, owner missing", futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
    printf("word: %#x\n", word);
    T("misaligned", futex((uint32_t *)((char *)&word + 1), FUTEX_LOCK_PI_PRIVATE, NULL));
    word = 0;

    pthread_t t;
    phase = 0;
    pthread_create(&t, NULL, holder, NULL);
    while (phase != 1) sched_yield();
    T("trylock held", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, NULL));
    printf("waiters bit after trylock: %d, owner is helper: %d\n", (word & FUTEX_WAITERS) != 0, (word & FUTEX_TID_MASK) == (uint32_t)helper_tid);
    T("unlock held by other", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
    phase = 2;
    T("lock, blocks until handed over", futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
    printf("word is my tid after hand-off: %d\n", (word & FUTEX_TID_MASK) == tid);
    pthread_join(t, NULL);
    printf("helper unlock: %ld\n", helper_unlock);
    T("unlock", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
    printf("word: %u\n", word);

    struct timespec past = { 1, 0 };                     /* absolute CLOCK_REALTIME: long gone */
    phase = 0;
    pthread_create(&t, NULL, holder, NULL);
    while (phase != 1) sched_yield();
    T("lock with an expired timeout", futex(&word, FUTEX_LOCK_PI_PRIVATE, &past));
    phase = 2;
    pthread_join(t, NULL);
    printf("helper unlock: %ld, word: %u\n", helper_unlock, word);

    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    T("setprotocol", pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT));
    T("mutex init", pthread_mutex_init(&pi_mutex, &attr));
    pthread_t w[4];
    for (int i = 0; i < 4; i++) pthread_create(&w[i], NULL, worker, NULL);
    for (int i = 0; i < 4; i++) pthread_join(w[i], NULL);
    printf("PI mutex counter: %ld\n", counter);
    T("trylock PI mutex", pthread_mutex_trylock(&pi_mutex));
    T("trylock again (EBUSY)", pthread_mutex_trylock(&pi_mutex));
    T("unlock PI mutex", pthread_mutex_unlock(&pi_mutex));
    return 0;
}
