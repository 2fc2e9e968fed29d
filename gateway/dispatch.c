/* dispatch.c - the evhttp request callback: make the exchange, route it, and hand it to
 * its local handler or to the proxy; answer 404/405 for requests no route takes.
 *
 * A 404 under a surface's prefix (gw_route_table_t.prefix) is rendered in that surface's
 * dialect; a path no surface owns has no dialect of its own, so its 404 is rendered in the
 * default dialect. A 405 is rendered in the dialect of the routes that share the path. */
#include <string.h>

#include <event2/http.h>

#include "gateway/gateway_internal.h"

#define DEFAULT_DIALECT GW_DIALECT_KTRLPLANE
#define DETAIL_PATH_MAX 200

static const struct {
  enum evhttp_cmd_type cmd;
  gw_method_t method;
} methods[] = {
    {EVHTTP_REQ_GET, GW_GET},         {EVHTTP_REQ_HEAD, GW_HEAD},
    {EVHTTP_REQ_POST, GW_POST},       {EVHTTP_REQ_PUT, GW_PUT},
    {EVHTTP_REQ_PATCH, GW_PATCH},     {EVHTTP_REQ_DELETE, GW_DELETE},
    {EVHTTP_REQ_OPTIONS, GW_OPTIONS}, {EVHTTP_REQ_TRACE, GW_TRACE},
    {EVHTTP_REQ_CONNECT, GW_CONNECT},
};

static gw_method_t method_of(enum evhttp_cmd_type cmd) {
  for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
    if (methods[i].cmd == cmd) return methods[i].method;
  return GW_GET; /* evhttp only admits the methods above */
}

/* The client's path as it may appear in an error body: printable ASCII, bounded. */
static const char *shown_path(gw_exchange_t *ex) {
  size_t n = ex->path.n > DETAIL_PATH_MAX ? DETAIL_PATH_MAX : ex->path.n;
  char *s = hg_arena_alloc(ex->arena, n + 4);
  if (!s) return "";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)ex->path.p[i];
    s[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  if (n < ex->path.n) memcpy(s + n, "...", 4);
  return s;
}

static void not_found(gw_exchange_t *ex) {
  const char *detail =
      hg_arena_sprintf(ex->arena, "no route for %s %s", gw_method_name(ex->method), shown_path(ex));
  const gw_dialect_t *d = gw_unrouted_dialect(ex->path);
  gw_reply_error(ex, d ? d : gw_dialect(DEFAULT_DIALECT), 404, GW_TEXT_NOT_FOUND, detail);
}

static void method_not_allowed(gw_exchange_t *ex) {
  hg_buf_t allow = HG_BUF_INIT;
  const gw_dialect_t *d = gw_dialect(ex->match.route->dialect);
  const char *detail = NULL;
  if (gw_allow_header(ex->match.allow, &allow) == 0 && allow.n) {
    evhttp_add_header(evhttp_request_get_output_headers(ex->req), "Allow", allow.p);
    detail = hg_arena_sprintf(ex->arena, "%s is not allowed on %s; allowed: %s",
                              gw_method_name(ex->method), ex->match.path, allow.p);
  }
  hg_buf_free(&allow);
  gw_reply_error(ex, d, 405, GW_TEXT_NO_METHOD, detail);
}

static void route(gw_exchange_t *ex) {
  gw_gateway_t *gw = ex->gw;
  int rc = gw_router_match(gw->router, ex->method, ex->path.p, ex->path.n, ex->arena, &ex->match);
  if (rc == GW_MATCH_NOT_FOUND) {
    not_found(ex);
  } else if (rc == GW_MATCH_METHOD) {
    method_not_allowed(ex);
  } else if (rc != GW_MATCH_OK) {
    gw_reply_error(ex, gw_dialect(DEFAULT_DIALECT), 500, GW_TEXT_INTERNAL, NULL);
  } else {
    if (!gw_match_watch(&ex->match, ex->query))
      gw_match_accept(&ex->match,
                      evhttp_find_header(evhttp_request_get_input_headers(ex->req), "Accept"));
    ex->binding = ex->match.data;
    ex->series = ex->binding->series;
    if (ex->binding->route->local)
      ex->binding->route->local(ex);
    else if (!gw_overloaded_or_reply(ex, ex->binding->dialect))
      gw_proxy(ex);
  }
}

void gw_dispatch(struct evhttp_request *req, gw_loop_t *loop, void *arg) {
  gw_gateway_t *gw = arg;
  gw_exchange_t *ex = gw_exchange_new(gw, loop, req);
  if (!ex) {
    evhttp_send_error(req, HTTP_INTERNAL, NULL);
    return;
  }
  ex->method = method_of(evhttp_request_get_command(req));
  ex->series = gw->unmatched_series[ex->method];
  const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
  const char *path = u ? evhttp_uri_get_path(u) : NULL;
  ex->path = hg_str_c(path ? path : "");
  ex->query = hg_str_c(u ? evhttp_uri_get_query(u) : NULL);
  route(ex);
}
