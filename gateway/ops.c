/* ops.c - the operational endpoints as route rows: /healthz (the process is up),
 * /readyz (every configured upstream has a SERVING replica; readyz.c) and /metrics
 * (Prometheus: the per-route series of metrics.c and each upstream replica's up gauge).
 * They are answered by the gateway itself and never reach a service. */
#include "common/prom.h"
#include "gateway/gateway_internal.h"

#define D GW_DIALECT_KTRLPLANE

static const gw_route_t routes[] = {
    {.method = GW_GET, .path = "/healthz", .success = 200, .dialect = D, .local = gw_op_healthz},
    {.method = GW_GET, .path = "/readyz", .success = 200, .dialect = D, .local = gw_op_readyz},
    {.method = GW_GET, .path = "/metrics", .success = 200, .dialect = D, .local = gw_op_metrics},
};

const gw_route_table_t gw_routes_ops = GW_ROUTE_TABLE("ops", routes, NULL, D);

void gw_op_healthz(gw_exchange_t *ex) {
  if (hg_buf_puts(&ex->body, "{\"status\":\"ok\"}") != 0) {
    gw_reply_error(ex, gw_dialect(D), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  gw_reply(ex, 200, "application/json");
}

#define UPSTREAM_UP "hangar_upstream_up"

/* 1 while the replica is taken for calls, 0 while it is skipped (rpc_replicas_pick). */
static int render_upstreams(const gw_gateway_t *gw, hg_buf_t *out) {
  int rc = prom_family(out, UPSTREAM_UP, "gauge",
                       "1 while the upstream replica is used, 0 while it is skipped as down");
  for (size_t u = 0; u < gw->n_upstreams; u++) {
    const rpc_replicas_t *r = gw->upstreams[u].replicas;
    for (size_t i = 0; r && i < rpc_replicas_count(r); i++) {
      prom_label_t l[] = {{"upstream", gw->upstreams[u].name},
                          {"target", rpc_replicas_target(r, i)}};
      rc |= prom_sample(out, UPSTREAM_UP, l, 2, (uint64_t)rpc_replicas_is_up(r, i));
    }
  }
  return rc;
}

void gw_op_metrics(gw_exchange_t *ex) {
  if (gw_metrics_render(ex->gw->metrics, &ex->body) != 0 ||
      render_upstreams(ex->gw, &ex->body) != 0) {
    hg_buf_reset(&ex->body);
    gw_reply_error(ex, gw_dialect(D), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  gw_reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8");
}
