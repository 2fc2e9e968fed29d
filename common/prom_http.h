/* prom_http.h - a service's metrics listener: GET /metrics on its own address and thread.
 *
 * One thread accepts and answers one connection at a time (Prometheus scrapes a target
 * with one request at a time): GET /metrics runs every collector in order into one
 * exposition; any other path is 404, another method on /metrics 405. Each connection has
 * a 2 s budget to send its request head and the answer is sent with Connection: close, so
 * a stalled client delays only the next scrape, never the service's gRPC threads.
 * Owns: the listening socket, the thread, a copy of the collector list (the collectors'
 * args are borrowed and must outlive prom_http_stop).
 * Threads: start and stop from one thread (main); collectors run on the listener's. */
#ifndef HANGAR_PROM_HTTP_H
#define HANGAR_PROM_HTTP_H

#include <stddef.h>

#include "common/prom.h"

#define PROM_HTTP_MAX_COLLECTORS 8

typedef struct prom_collector {
  prom_collect_fn fn;
  void *arg;
} prom_collector_t;

typedef struct prom_http prom_http_t;

/* Listens on addr ("host:port", "[v6]:port"; port 0 picks a free one) and starts the
 * thread. n <= PROM_HTTP_MAX_COLLECTORS. On success *out: stop with prom_http_stop().
 * 0, or -1 (logged: address unparsable, cannot bind, no thread) with nothing left open. */
int prom_http_start(const char *addr, const prom_collector_t *collectors, size_t n,
                    prom_http_t **out);
/* The bound port (the chosen one when addr asked for port 0). */
int prom_http_port(const prom_http_t *h);
/* Stops accepting, waits for the answer in progress, joins the thread, frees. NULL: none. */
void prom_http_stop(prom_http_t *h);

#endif
