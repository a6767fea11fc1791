// Issue 4's acceptance run: 8 threads on -smp 4 share a mutex-protected counter, wait on a
// condition variable for a start signal, meet at a barrier each round, and hand a token round a
// ring with per-thread condition variables. Prints "pthreads8: ok <total>" when every count is
// exact, else what went wrong. scripts/test-kernel.sh runs it 100 times in a row.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define ROUNDS 50
#define INCREMENTS 200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static int started, counter, turn, passes;
static pthread_cond_t ring[THREADS];
static __thread int mine;                 // thread-local: each thread's own increments

static void *worker(void *arg) {
    int id = (int)(long)arg;
    pthread_mutex_lock(&lock);
    while (!started) pthread_cond_wait(&start, &lock);
    pthread_mutex_unlock(&lock);
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < INCREMENTS; i++) {
            pthread_mutex_lock(&lock); counter++; pthread_mutex_unlock(&lock);
            mine++;
        }
        pthread_barrier_wait(&barrier);
        // The token goes round the ring once per round: thread id waits for its turn.
        pthread_mutex_lock(&lock);
        while (turn != id) pthread_cond_wait(&ring[id], &lock);
        passes++;
        turn = (id + 1) % THREADS;
        pthread_cond_signal(&ring[turn]);
        pthread_mutex_unlock(&lock);
        pthread_barrier_wait(&barrier);
    }
    return (void *)(long)mine;
}

int main(void) {
    pthread_t t[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) pthread_cond_init(&ring[i], NULL);
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(long)i);
    pthread_mutex_lock(&lock); started = 1; pthread_cond_broadcast(&start); pthread_mutex_unlock(&lock);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
    int want = THREADS * ROUNDS * INCREMENTS;
    if (counter == want && sum == want && passes == THREADS * ROUNDS) printf("pthreads8: ok %d\n", counter);
    else printf("pthreads8: WRONG counter %d sum %ld passes %d (want %d, %d)\n", counter, sum, passes, want, THREADS * ROUNDS);
    return 0;
}
