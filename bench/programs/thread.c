/* Thread create+join (pthread_create of an empty function, then pthread_join): clone with
 * CLONE_VM|CLONE_THREAD, the new thread's stack mapping, its exit and the futex wake-up that
 * join waits on. A kernel without threads makes pthread_create fail: then n/a. */
#include "bench.h"
#include <pthread.h>

static void *empty(void *argument) { return argument; }

static int loop_thread(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) {
    pthread_t thread;
    int error = pthread_create(&thread, NULL, empty, NULL);
    if (error != 0) { errno = error; return -1; }
    if (pthread_join(thread, NULL) != 0) return -1;
  }
  return 0;
}

int main(void) {
  bench_run_ns("thread_create_join", loop_thread, NULL);
  return 0;
}
