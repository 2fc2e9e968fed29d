/* gateway.c - assembling the gateway from its tables (upstreams, route tables, dialects)
 * and taking it apart again without losing or leaking a request.
 *
 * Every route row is checked at start (its rpc exists, its path parameters are fields of
 * the rpc's input), so a typo in a table stops the process instead of answering 500 later.
 *
 * Shutdown order matters: stop accepting, let requests in flight finish for a grace
 * period, stop the loops (so no new rpc_call can start), destroy the rpc client (which
 * completes every remaining call as CANCELLED), then run the loops' pending hand-backs
 * once on this thread so those requests are answered and their arenas freed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/gateway_internal.h"
#include "common/log.h"
#include "json/transcode.h"

#define DEFAULT_UPSTREAM_DEADLINE_MS 30000
#define DEFAULT_READY_DEADLINE_MS 1000
#define DEFAULT_HEALTH_INTERVAL_MS 1000
#define LIBEVENT_BODY_SLACK (2 * 1024 * 1024) /* bodies up to here get our own JSON 413 */
#define MAX_HEADERS_SIZE (64 * 1024)
#define DRAIN_AFTER_CANCEL_MS 2000
#define DEFAULT_MAX_IN_FLIGHT 4096
#define DEFAULT_MAX_RESPONSE_BYTES ((size_t)16 << 20)

const gw_route_table_t *const gw_route_tables[] = {
    &gw_routes_ops,          &gw_routes_ktrlplane,         &gw_routes_auth,
    &gw_routes_wrappers,     &gw_routes_wrapper_resources, &gw_routes_konnect,
    &gw_routes_keboola,      &gw_routes_keboola_jobs,      &gw_routes_ververica,
    &gw_routes_vvp_platform, &gw_routes_vvp_apitokens,     &gw_routes_vvp_sql,
    &gw_routes_vvp_catalog,  &gw_routes_swagger,           &gw_routes_ververica_watch,
};
const size_t gw_n_route_tables = sizeof(gw_route_tables) / sizeof(gw_route_tables[0]);
#define N_SURFACES (sizeof(gw_route_tables) / sizeof(gw_route_tables[0]))

/* Writes the message to err and returns -1, for `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_len, const char *fmt,
                                                      ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
  return -1;
}

const gw_dialect_t *gw_unrouted_dialect(hg_str_t path) {
  for (size_t s = 0; s < N_SURFACES; s++) {
    const char *prefix = gw_route_tables[s]->prefix;
    size_t n = prefix ? strlen(prefix) : 0;
    if (n && path.n >= n && memcmp(path.p, prefix, n) == 0 && (path.n == n || path.p[n] == '/'))
      return gw_dialect(gw_route_tables[s]->dialect);
  }
  return NULL;
}

/* ---- route checks ------------------------------------------------------------------------ */

static int check_params(const gw_route_t *r, const ProtobufCMessageDescriptor *in, char *err,
                        size_t err_len) {
  for (const char *p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
    const char *end = strchr(p, '}');
    char name[128];
    if (!end || (size_t)(end - p - 1) >= sizeof(name)) break;
    memcpy(name, p + 1, (size_t)(end - p - 1));
    name[end - p - 1] = '\0';
    if (!tc_has_field(in, name))
      return fail(err, err_len, "route %s %s: {%s} is not a field of %s", gw_method_name(r->method),
                  r->path, name, in->name);
  }
  return 0;
}

int gw_route_check(const gw_route_t *r, char *err, size_t err_len) {
  if (r->local) return 0;
  const ProtobufCMethodDescriptor *m =
      r->service && r->rpc ? protobuf_c_service_descriptor_get_method_by_name(r->service, r->rpc)
                           : NULL;
  if (!m || !r->upstream)
    return fail(err, err_len, "route %s %s: no rpc '%s' (or no upstream)",
                gw_method_name(r->method), r->path, r->rpc ? r->rpc : "");
  if (r->success != 200 && r->success != 201 && r->success != 202 && r->success != 204)
    return fail(err, err_len, "route %s %s: success code %d is not 200/201/202/204",
                gw_method_name(r->method), r->path, r->success);
  if (r->response && !protobuf_c_message_descriptor_get_field_by_name(m->output, r->response))
    return fail(err, err_len, "route %s %s: response '%s' is not a field of %s",
                gw_method_name(r->method), r->path, r->response, m->output->name);
  const char *in_fields[] = {r->body_field, r->preset_field};
  for (size_t i = 0; i < sizeof(in_fields) / sizeof(in_fields[0]); i++)
    if (in_fields[i] && !tc_has_field(m->input, in_fields[i]))
      return fail(err, err_len, "route %s %s: '%s' is not a field of %s", gw_method_name(r->method),
                  r->path, in_fields[i], m->input->name);
  if (r->status_field &&
      !protobuf_c_message_descriptor_get_field_by_name(m->output, r->status_field))
    return fail(err, err_len, "route %s %s: status '%s' is not a field of %s",
                gw_method_name(r->method), r->path, r->status_field, m->output->name);
  return check_params(r, m->input, err, err_len);
}

/* ---- assembly --------------------------------------------------------------------------- */

/* Each upstream's replica set, checked every health_interval_ms when it has several. */
static int add_upstreams(gw_gateway_t *g, const gw_opts_t *o, char *err, size_t err_len) {
  int64_t interval = o->health_interval_ms > 0 ? o->health_interval_ms : DEFAULT_HEALTH_INTERVAL_MS;
  if (o->n_upstreams > GW_MAX_UPSTREAMS)
    return fail(err, err_len, "too many upstreams (max %d)", GW_MAX_UPSTREAMS);
  for (size_t i = 0; i < o->n_upstreams; i++) {
    gw_upstream_t *u = &g->upstreams[g->n_upstreams++];
    u->name = o->upstreams[i].name;
    u->target = o->upstreams[i].target && *o->upstreams[i].target ? o->upstreams[i].target : NULL;
    if (u->target && rpc_replicas_new(g->client, u->name, u->target, &u->replicas) != 0)
      return fail(err, err_len, "upstream %s: bad address list '%s' (comma-separated, at most %d)",
                  u->name, u->target, RPC_REPLICAS_MAX);
    if (u->replicas && rpc_replicas_start_checks(u->replicas, interval, g->ready_deadline_ms) != 0)
      return fail(err, err_len, "upstream %s: cannot start its health checks", u->name);
  }
  return 0;
}

static const gw_upstream_t *find_upstream(const gw_gateway_t *g, const char *name) {
  for (size_t i = 0; i < g->n_upstreams; i++)
    if (strcmp(g->upstreams[i].name, name) == 0) return &g->upstreams[i];
  return NULL;
}

static int bind_route(gw_gateway_t *g, gw_binding_t *b, const gw_route_t *r, char *err,
                      size_t err_len) {
  if (gw_route_check(r, err, err_len) != 0) return -1;
  b->route = r;
  b->dialect = gw_dialect(r->dialect);
  if (!r->local) {
    const ProtobufCMethodDescriptor *m =
        protobuf_c_service_descriptor_get_method_by_name(r->service, r->rpc);
    const gw_upstream_t *u = find_upstream(g, r->upstream);
    if (!u)
      return fail(err, err_len, "route %s %s: unknown upstream '%s'", gw_method_name(r->method),
                  r->path, r->upstream);
    b->in = (rpc_codec_t){RPC_CODEC_PROTOBUF_C, m->input, 0};
    b->out = (rpc_codec_t){RPC_CODEC_PROTOBUF_C, m->output, 0};
    b->rpc_path = rpc_method_path(g->setup, r->service, r->rpc);
    b->replicas = u->replicas;
    if (!b->rpc_path) return fail(err, err_len, "out of memory");
  }
  /* An Accept variant or a watch is its own series, labelled apart from the row it varies. */
  const char *label = r->accept ? hg_arena_sprintf(g->setup, "%s [%s]", r->path, r->accept)
                      : (r->flags & GW_ROUTE_WATCH)
                          ? hg_arena_sprintf(g->setup, "%s [watch]", r->path)
                          : r->path;
  if (!label) return fail(err, err_len, "out of memory");
  if (gw_metrics_add_series(g->metrics, label, gw_method_name(r->method), GW_SERIES_ALWAYS,
                            &b->series) != 0)
    return fail(err, err_len, "too many metric series");
  int rc = gw_router_add(g->router, r, b);
  if (rc != 0)
    return fail(err, err_len, "route %s %s: cannot add to the router (%d)",
                gw_method_name(r->method), r->path, rc);
  return 0;
}

static int add_routes(gw_gateway_t *g, char *err, size_t err_len) {
  size_t n = 0;
  for (size_t s = 0; s < N_SURFACES; s++) n += gw_route_tables[s]->n;
  g->bindings = calloc(n, sizeof(gw_binding_t));
  g->metrics = gw_metrics_new(n + GW_N_METHODS);
  g->router = gw_router_new();
  if (!g->bindings || !g->metrics || !g->router) return fail(err, err_len, "out of memory");
  for (size_t s = 0; s < N_SURFACES; s++)
    for (size_t i = 0; i < gw_route_tables[s]->n; i++)
      if (bind_route(g, &g->bindings[g->n_bindings++], &gw_route_tables[s]->routes[i], err,
                     err_len))
        return -1;
  for (int m = 0; m < GW_N_METHODS; m++)
    if (gw_metrics_add_series(g->metrics, "unmatched", gw_method_name((gw_method_t)m),
                              GW_SERIES_SPARSE, &g->unmatched_series[m]) != 0)
      return fail(err, err_len, "too many metric series");
  return 0;
}

int gw_gateway_new(const gw_opts_t *o, gw_gateway_t **out, char *err, size_t err_len) {
  gw_gateway_t *g = calloc(1, sizeof(*g));
  if (!g || !(g->setup = hg_arena_new())) {
    free(g);
    return fail(err, err_len, "out of memory");
  }
  atomic_init(&g->inflight, 0);
  atomic_init(&g->closing, 0);
  g->upstream_deadline_ms =
      o->upstream_deadline_ms > 0 ? o->upstream_deadline_ms : DEFAULT_UPSTREAM_DEADLINE_MS;
  g->ready_deadline_ms =
      o->ready_deadline_ms > 0 ? o->ready_deadline_ms : DEFAULT_READY_DEADLINE_MS;
  g->max_in_flight = o->max_in_flight > 0 ? o->max_in_flight : DEFAULT_MAX_IN_FLIGHT;
  g->max_response_bytes =
      o->max_response_bytes > 0 ? o->max_response_bytes : DEFAULT_MAX_RESPONSE_BYTES;
  g->swagger_ui_dir = o->swagger_ui_dir && *o->swagger_ui_dir ? o->swagger_ui_dir : NULL;
  gw_server_opts_t so = {.listen = o->listen,
                         .threads = o->threads,
                         .timeout_s = o->http_timeout_s,
                         .max_body = LIBEVENT_BODY_SLACK,
                         .max_headers = MAX_HEADERS_SIZE,
                         .max_connections = o->max_connections,
                         .max_connections_per_ip = o->max_connections_per_ip,
                         .header_timeout_ms = o->header_timeout_ms,
                         .body_timeout_ms = o->body_timeout_ms,
                         .timeout_reply = gw_timeout_reply};
  int rc = rpc_client_new(&g->client) ? fail(err, err_len, "cannot start the rpc client") : 0;
  if (rc == 0) rc = add_upstreams(g, o, err, err_len);
  if (rc == 0) rc = add_routes(g, err, err_len);
  if (rc == 0) rc = gw_server_new(&so, gw_dispatch, g, &g->server, err, err_len);
  if (rc != 0) {
    gw_gateway_destroy(g, 0);
    return -1;
  }
  *out = g;
  return 0;
}

int gw_gateway_port(const gw_gateway_t *g) { return gw_server_port(g->server); }

int gw_gateway_start(gw_gateway_t *g) { return gw_server_start(g->server); }

/* ---- teardown --------------------------------------------------------------------------- */

static int64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls the in-flight count; only ever used while shutting down. */
static void wait_idle(gw_gateway_t *g, int64_t ms) {
  int64_t until = monotonic_ms() + ms;
  struct timespec tick = {0, 5 * 1000 * 1000};
  while (atomic_load(&g->inflight) > 0 && monotonic_ms() < until) nanosleep(&tick, NULL);
}

void gw_gateway_destroy(gw_gateway_t *g, int64_t grace_ms) {
  if (!g) return;
  if (g->server) {
    gw_server_stop_accepting(g->server);
    wait_idle(g, grace_ms);
    gw_server_stop(g->server);
  }
  for (size_t i = 0; i < g->n_upstreams; i++) rpc_replicas_stop_checks(g->upstreams[i].replicas);
  atomic_store(&g->closing, 1);
  if (g->client) rpc_client_destroy(g->client);
  struct timespec tick = {0, 1000 * 1000};
  for (int64_t until = monotonic_ms() + DRAIN_AFTER_CANCEL_MS;
       g->server && atomic_load(&g->inflight) + atomic_load(&g->streaming) > 0 &&
       monotonic_ms() < until;
       nanosleep(&tick, NULL))
    gw_server_drain(g->server);
  if (atomic_load(&g->inflight) > 0)
    HG_WARN("gateway", NULL, "%ld requests still in flight at exit", atomic_load(&g->inflight));
  gw_server_free(g->server);
  for (size_t i = 0; i < g->n_upstreams; i++) rpc_replicas_free(g->upstreams[i].replicas);
  gw_router_free(g->router);
  gw_metrics_free(g->metrics);
  free(g->bindings);
  hg_arena_free(g->setup);
  free(g);
}
