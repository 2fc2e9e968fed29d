/* http_server.h - N libevent loops serving HTTP on one listening socket.
 *
 * Each loop is a thread with its own event_base and evhttp, accepting from a dup() of the
 * shared listening socket (the kernel hands each connection to one of them). Every loop
 * applies the same limits: header size, body size, read/write timeout (so a slow or
 * half-sent request only ever costs its own connection), all methods allowed (the router
 * answers 405 itself), keep-alive as evhttp does it. Across the loops: a cap on open
 * connections, in all and per client address (a connection over either is closed at once),
 * and absolute deadlines for each request's headers and body (http_conn.c).
 * Owns: the listening socket, the loops and their threads. Does not own: what the request
 * callback does with a request.
 * Threads: new/start/stop_accepting/free from one controlling thread; the request callback
 * runs on the loop thread that read the request, and the evhttp_request may be touched only
 * there. */
#ifndef HANGAR_GW_HTTP_SERVER_H
#define HANGAR_GW_HTTP_SERVER_H

#include <stddef.h>

struct evhttp_request;
struct event_base;

typedef struct gw_server gw_server_t;
typedef struct gw_loop gw_loop_t;

/* Called on the loop thread for each complete request; the callee must eventually answer
 * it (evhttp_send_reply) on that same loop. */
typedef void (*gw_request_fn)(struct evhttp_request *req, gw_loop_t *loop, void *arg);

typedef struct gw_server_opts {
  const char *listen;         /* "host:port", "[v6]:port" or ":port"; port 0 picks one */
  int threads;                /* loops; <= 0 means one per online CPU */
  int timeout_s;              /* per-connection read/write inactivity timeout; 0 = 15 */
  size_t max_body;            /* evhttp's own body limit (its 413 beyond it) */
  size_t max_headers;         /* request line + headers */
  int max_connections;        /* open at once, all loops; 0 = 10000 */
  int max_connections_per_ip; /* open at once from one address; 0 = 256 */
  int header_timeout_ms;      /* request line and headers within, from its start; 0 = 10000 */
  int body_timeout_ms;        /* then its body within; 0 = 30000 */
  /* Renders the whole answer (status line, headers, body; the connection closes after it)
   * to a request that missed its deadline, given its request line so far (possibly cut),
   * into buf. Returns its length; 0 (or no function): the connection just closes. Called on
   * a loop thread with the server's arg. */
  size_t (*timeout_reply)(void *arg, const char *request_line, char *buf, size_t cap);
} gw_server_opts_t;

/* Binds and listens (no loop runs yet). 0, or -1 with a message in err. */
int gw_server_new(const gw_server_opts_t *o, gw_request_fn fn, void *arg, gw_server_t **out,
                  char *err, size_t err_len);
/* The bound TCP port. */
int gw_server_port(const gw_server_t *s);
int gw_server_threads(const gw_server_t *s);
/* Starts the loop threads. 0 or -1. */
int gw_server_start(gw_server_t *s);
/* Stops accepting new connections on every loop; requests in progress continue. */
void gw_server_stop_accepting(gw_server_t *s);
/* Stops the loop threads and joins them; the loops keep their state (connections, events). */
void gw_server_stop(gw_server_t *s);
/* After gw_server_stop(): runs each loop's pending callbacks once on the calling thread, so
 * work handed back after the stop (cancelled upstream calls) still gets answered. */
void gw_server_drain(gw_server_t *s);
/* Stops the loops if running, frees evhttp (closing connections) and everything else. */
void gw_server_free(gw_server_t *s);

/* The loop's event_base (for handing work back to the loop from other threads). */
struct event_base *gw_loop_base(gw_loop_t *l);

#endif
