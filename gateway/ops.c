/* ops.c - the operational endpoints as route rows: /healthz (the process is up),
 * /readyz (every configured upstream is SERVING; readyz.c) and /metrics (Prometheus).
 * They are answered by the gateway itself and never reach a service. */
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

void gw_op_metrics(gw_exchange_t *ex) {
  if (gw_metrics_render(ex->gw->metrics, &ex->body) != 0) {
    hg_buf_reset(&ex->body);
    gw_reply_error(ex, gw_dialect(D), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  gw_reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8");
}
