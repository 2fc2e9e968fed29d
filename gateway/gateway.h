/* gateway.h - Hangar's HTTP edge: HTTP/JSON in, gRPC out, nothing stored.
 *
 * A gateway is a route table (gateway/routes/<surface>.c + the ops rows), a transcoder
 * (common/json), channels to the upstream services (common/rpc) and N event loops
 * (http_server.c). Module map:
 *   route.h        a route row               router.c   segment trie, 404/405
 *   uri.c          percent-decoding, query   request.c  body/path/query -> request message
 *   dialect.c      error bodies per surface  proxy.c    rpc_call and the answer
 *   dispatch.c     per-request routing       exchange.c one request's life and its arena
 *   ops.c readyz.c /healthz /metrics /readyz metrics.c  Prometheus counters
 *   swagger.c      /openapi/<surface>.json, /swagger, the Ververica swagger.json files
 * Owns: the rpc client and channels, router, metrics, the HTTP server.
 * Threads: new/start/port/destroy from one controlling thread (main); requests run on the
 * loop threads; rpc completions on the rpc client's thread are handed back to the loop. */
#ifndef HANGAR_GATEWAY_H
#define HANGAR_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/route.h"

typedef struct gw_gateway gw_gateway_t;

/* An upstream service by name ("resources", "auth"); routes name the upstream they need. */
typedef struct gw_upstream_conf {
  const char *name;
  const char *target; /* "host:port" or "unix:/path", or a comma list of them: replicas,
                         round-robin over the healthy ones; NULL or "" = not configured: its
                         routes answer 503 and /readyz does not wait for it */
} gw_upstream_conf_t;

typedef struct gw_opts {
  const char *listen; /* HTTP "host:port" (port 0 = any) */
  int threads;        /* event loops; <= 0 = one per CPU */
  const gw_upstream_conf_t *upstreams;
  size_t n_upstreams;
  int http_timeout_s;           /* connection inactivity timeout; 0 = 15 */
  int64_t upstream_deadline_ms; /* per upstream call; 0 = 30000 */
  int64_t ready_deadline_ms;    /* per health check (/readyz, replicas); 0 = 1000 */
  int64_t health_interval_ms;   /* between checks of an upstream's replicas; 0 = 1000 */
  /* limits (0 = the default): see gw_server_opts_t for the connection ones */
  int max_connections, max_connections_per_ip; /* 10000, 256 */
  int header_timeout_ms, body_timeout_ms;      /* 10000, 30000 */
  long max_in_flight;                          /* proxied requests at once, 4096; more: 503 */
  size_t max_response_bytes;                   /* an upstream reply's JSON, 16 MiB; more: 502 */
  const char *swagger_ui_dir; /* swagger-ui-dist's files for /swagger/...; NULL = none */
} gw_opts_t;

/* Builds everything and binds the listening socket; no request is served before
 * gw_gateway_start(). 0, or -1 with a message in err. */
int gw_gateway_new(const gw_opts_t *o, gw_gateway_t **out, char *err, size_t err_len);
/* The bound HTTP port (useful with port 0). */
int gw_gateway_port(const gw_gateway_t *g);
/* Starts the loops. 0 or -1. */
int gw_gateway_start(gw_gateway_t *g);
/* Graceful stop: stop accepting, give requests in flight up to grace_ms, cancel the rest
 * (they answer 503), then free everything. Safe on a gateway that never started. */
void gw_gateway_destroy(gw_gateway_t *g, int64_t grace_ms);

/* Checks that a route row can be served: its rpc exists in its service and every path
 * parameter names a field of the rpc's input message. 0, or -1 with a message in err.
 * Used at start for every row and by the unit tests. */
int gw_route_check(const gw_route_t *route, char *err, size_t err_len);

#endif
