/* workers.h - a fixed pool of threads for work that may block: calls to a database, a
 * driver, a slow backend. DESIGN.md keeps such work off the completion-queue threads.
 *
 * Owns: its threads and a bounded FIFO of queued tasks. A task is a function and its
 * argument (borrowed until the function has run).
 * Threads: hg_workers_submit from any thread; hg_workers_start/_stop from one thread. */
#ifndef HANGAR_WORKERS_H
#define HANGAR_WORKERS_H

#include <stddef.h>

typedef struct hg_workers hg_workers_t;
typedef void (*hg_task_fn)(void *arg);

/* n threads (>= 1) sharing a queue of at most capacity waiting tasks. 0 or -1. */
int hg_workers_start(size_t n, size_t capacity, hg_workers_t **out);
/* Queues fn(arg). 0; -1 when the queue is full or the pool is stopping (fn never runs). */
int hg_workers_submit(hg_workers_t *w, hg_task_fn fn, void *arg);
/* Runs every task already queued, then joins the threads and frees the pool. NULL is a
 * no-op. */
void hg_workers_stop(hg_workers_t *w);

#endif
