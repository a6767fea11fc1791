/* pthreads on clone(CLONE_VM|CLONE_THREAD): create and join, a mutex-protected counter from
 * several threads, condition variables, a barrier, thread-local storage, gettid differing from
 * getpid, pthread_exit, and exit_group from a thread ending the whole process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int ready;
static __thread int tls_value;
static int distinct_tid;

static void *adder(void *arg) {
    long n = (long)arg;
    tls_value = (int)n;
    if (gettid() != getpid()) __atomic_add_fetch(&distinct_tid, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 100000; i++) { pthread_mutex_lock(&lock); counter++; pthread_mutex_unlock(&lock); }
    pthread_barrier_wait(&barrier);
    return (void *)(long)(tls_value * 10);
}

static void *waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!ready) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    pthread_exit((void *)42);
}

static void *ender(void *arg) { (void)arg; usleep(10000); exit(7); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t[4];
    pthread_barrier_init(&barrier, NULL, 4);
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, adder, (void *)(i + 1));
    long sum = 0;
    for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
    printf("counter=%ld results=%ld distinct tids=%d main tls=%d\n", counter, sum, distinct_tid, tls_value);
    pthread_t w;
    pthread_create(&w, NULL, waiter, NULL);
    usleep(10000);
    pthread_mutex_lock(&lock); ready = 1; pthread_cond_broadcast(&cond); pthread_mutex_unlock(&lock);
    void *r; pthread_join(w, &r);
    printf("condvar waiter returned %ld\n", (long)r);
    pid_t c = fork();
    if (c == 0) {
        pthread_t e; pthread_create(&e, NULL, ender, NULL);
        for (;;) pause();
    }
    int st; waitpid(c, &st, 0);
    printf("exit from a thread ends the process: exited=%d code=%d\n", WIFEXITED(st), WEXITSTATUS(st));
    return 0;
}
