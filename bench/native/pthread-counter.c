/*
 * The native reference for bench/contended-counter.ts: N threads increment one shared counter, each
 * increment under a pthread_mutex (default attributes, as most C code uses it), for a fixed time.
 * It is the same loop as the JavaScript workers run:
 *
 *     while (!stop) { lock; counter++; unlock; ops++; }
 *
 * Usage: pthread-counter <threads> <milliseconds>
 * Prints one JSON line: {"threads":N,"seconds":S,"ops":TOTAL,"counter":C,"perThread":[...]}
 * (counter == ops shows the mutex excluded; perThread shows how evenly the lock was shared).
 *
 * Built by the benchmark at run time with the machine's compiler: gcc -O2 -pthread.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The lock and the data it guards, side by side as in most programs. */
static struct {
  pthread_mutex_t mutex;
  long counter;
} shared = {PTHREAD_MUTEX_INITIALIZER, 0};

static atomic_int stop;
static pthread_barrier_t start_line;

/* One cache line per thread for its own count, so counting does not add false sharing. */
typedef struct {
  long ops;
  char pad[64 - sizeof(long)];
} slot_t;

static void *worker(void *arg) {
  slot_t *slot = arg;
  long ops = 0;
  pthread_barrier_wait(&start_line);
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    pthread_mutex_lock(&shared.mutex);
    shared.counter++;
    pthread_mutex_unlock(&shared.mutex);
    ops++;
  }
  slot->ops = ops;
  return NULL;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <threads> <milliseconds>\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]);
  long ms = atol(argv[2]);
  if (threads < 1 || threads > 1024 || ms < 1) {
    fprintf(stderr, "threads must be 1..1024 and milliseconds >= 1\n");
    return 2;
  }
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  slot_t *slots = aligned_alloc(64, (size_t)threads * sizeof *slots);
  if (ids == NULL || slots == NULL) return 1;
  pthread_barrier_init(&start_line, NULL, (unsigned)threads + 1);
  for (int i = 0; i < threads; i++) {
    slots[i].ops = 0;
    if (pthread_create(&ids[i], NULL, worker, &slots[i]) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  pthread_barrier_wait(&start_line);
  double start = now_seconds();
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&pause, &pause) != 0) {
  }
  atomic_store(&stop, 1);
  double elapsed = now_seconds() - start;
  long total = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(ids[i], NULL);
    total += slots[i].ops;
  }
  printf("{\"threads\":%d,\"seconds\":%.6f,\"ops\":%ld,\"counter\":%ld,\"perThread\":[", threads, elapsed, total, shared.counter);
  for (int i = 0; i < threads; i++) printf("%s%ld", i == 0 ? "" : ",", slots[i].ops);
  printf("]}\n");
  return 0;
}
