/* http_server_internal.h - what http_server.c (loops, listener) and http_conn.c (each
 * connection's caps and deadlines) share: the server and loop layouts.
 * Threads: a loop's fields belong to its thread; the fields marked shared are atomic or
 * under conn_mu. */
#ifndef HANGAR_GW_HTTP_SERVER_INTERNAL_H
#define HANGAR_GW_HTTP_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "gateway/http_server.h"

#define GW_PEER_SLOTS 4096 /* distinct client addresses counted at once */

typedef struct gw_conn gw_conn_t;

typedef struct gw_peer_slot {
  uint64_t hash; /* of the peer's address */
  int count;     /* its open connections; 0: free */
} gw_peer_slot_t;

struct gw_loop {
  gw_server_t *srv;
  struct event_base *base;
  struct evhttp *http;
  struct evhttp_bound_socket *bound;
  pthread_t thread;
  int running;
  time_t accept_warned; /* last accept-failure warning (loop thread) */
  /* this loop's connections by evhttp_connection (open addressing, loop thread only) */
  gw_conn_t **conns;
  size_t conns_cap;
};

struct gw_server {
  int port;
  int n_loops;
  gw_loop_t *loops;
  gw_request_fn fn;
  void *arg;
  gw_server_opts_t opts;
  atomic_int n_conns;                  /* shared: open connections, every loop */
  pthread_mutex_t conn_mu;             /* shared: guards peers */
  gw_peer_slot_t peers[GW_PEER_SLOTS]; /* shared */
};

/* ---- http_conn.c ------------------------------------------------------------------------ */

/* Sets up l's connection table and evhttp's bufferevent hook. 0 or -1. */
int gw__conn_loop_init(gw_loop_t *l);
/* Frees l's table (after evhttp_free, which closes every connection). */
void gw__conn_loop_release(gw_loop_t *l);
/* A complete request arrived on its connection: its deadline stops until it is answered. */
void gw__conn_request(gw_loop_t *l, struct evhttp_request *req);

#endif
