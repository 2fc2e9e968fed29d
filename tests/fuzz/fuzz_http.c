/* fuzz_http.c - the gateway's request path, from the raw bytes of an HTTP/1.1 request to
 * the gRPC request it would send or the error body it would answer, without a network:
 * request target parsed as libevent parses it, the router (routes of every surface but
 * Keboola's), Accept variants, path, query and body binding (request.c, uri.c, media.c),
 * and the answer's dialect.
 *
 * Properties: nothing crashes or leaks; a request the gateway builds encodes, and the
 * encoding passes the services' own decode guard (depth, UTF-8), so the gateway never sends
 * what a service must refuse as malformed; a refusal renders as a JSON body. */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "common/arena.h"
#include "common/buf.h"
#include "fuzz.h"
#include "gateway/dialect.h"
#include "gateway/request.h"
#include "gateway/route.h"
#include "gateway/router.h"
#include "rpc/rpc.h"

static const gw_route_table_t *const surfaces[] = {
    &gw_routes_ktrlplane,         &gw_routes_auth,    &gw_routes_wrappers,
    &gw_routes_wrapper_resources, &gw_routes_konnect,
};

static const char *const method_names[GW_N_METHODS] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
};

/* The gateway's route table, built once (the router is read-only afterwards). */
static const gw_router_t *router(void) {
  static gw_router_t *r;
  if (r) return r;
  r = gw_router_new();
  FUZZ_CHECK(r != NULL);
  for (size_t s = 0; s < sizeof(surfaces) / sizeof(surfaces[0]); s++)
    for (size_t i = 0; i < surfaces[s]->n; i++)
      FUZZ_CHECK(gw_router_add(r, &surfaces[s]->routes[i], (void *)&surfaces[s]->routes[i]) == 0);
  return r;
}

/* One HTTP/1.1 request as evhttp hands it over. */
typedef struct http_req {
  gw_method_t method;
  char *target;
  const char *content_type, *accept;
  hg_str_t body;
} http_req_t;

/* Takes the next line (up to "\n", without "\r\n") off *rest as a NUL-terminated copy. */
static char *next_line(hg_str_t *rest, hg_arena_t *a) {
  const char *nl = memchr(rest->p, '\n', rest->n);
  size_t n = nl ? (size_t)(nl - rest->p) : rest->n;
  char *line = hg_arena_strndup(a, rest->p, n && rest->p[n - 1] == '\r' ? n - 1 : n);
  rest->p += nl ? n + 1 : n;
  rest->n -= nl ? n + 1 : n;
  return line;
}

/* Request line, headers (Content-Type and Accept kept), blank line, body. 0, or -1 when
 * evhttp would not get as far as calling the gateway. */
static int parse(const uint8_t *data, size_t size, hg_arena_t *a, http_req_t *out) {
  hg_str_t rest = {(const char *)data, size};
  char *line = next_line(&rest, a), *sp1, *sp2;
  memset(out, 0, sizeof(*out));
  if (!line || !(sp1 = strchr(line, ' ')) || !(sp2 = strchr(sp1 + 1, ' '))) return -1;
  *sp1 = *sp2 = '\0';
  int m = 0;
  while (m < GW_N_METHODS && strcmp(method_names[m], line) != 0) m++;
  if (m == GW_N_METHODS) return -1;
  out->method = (gw_method_t)m;
  out->target = sp1 + 1;
  while (rest.n) {
    char *h = next_line(&rest, a), *colon;
    if (!h || !*h) break;
    if (!(colon = strchr(h, ':'))) return -1;
    *colon++ = '\0';
    while (*colon == ' ' || *colon == '\t') colon++;
    if (strcasecmp(h, "Content-Type") == 0) out->content_type = colon;
    if (strcasecmp(h, "Accept") == 0) out->accept = colon;
  }
  out->body = rest;
  return 0;
}

static void check_json(const gw_dialect_t *d, const gw_error_t *e) {
  hg_buf_t out = HG_BUF_INIT;
  json_error_t jerr;
  FUZZ_CHECK(gw_dialect_render(d, e, gw_dialect_error_http(d, e), &out) == 0);
  json_t *j = json_loadb(out.p, out.n, JSON_ALLOW_NUL, &jerr);
  if (!j) fprintf(stderr, "%s: not JSON (%s): %s\n", d->name, jerr.text, out.p);
  FUZZ_CHECK(j != NULL);
  json_decref(j);
  hg_buf_free(&out);
}

/* What the service receives must be what it accepts. */
static void check_upstream(const ProtobufCMessage *msg, hg_arena_t *a) {
  const rpc_codec_t *c = RPC_PBC(msg->descriptor);
  hg_buf_t wire = HG_BUF_INIT;
  void *back;
  FUZZ_CHECK(rpc_codec_encode(c, msg, &wire) == 0);
  int rc = rpc_codec_decode(c, (const uint8_t *)wire.p, wire.n, a, &back);
  if (rc != 0)
    fprintf(stderr, "a service refuses the gateway's %s: %d\n", msg->descriptor->name, rc);
  FUZZ_CHECK(rc == 0);
  hg_buf_free(&wire);
}

static void proxy(const http_req_t *r, hg_str_t query, gw_match_t *m, hg_arena_t *a) {
  gw_match_accept(m, r->accept);
  const gw_route_t *route = m->route;
  const ProtobufCMethodDescriptor *md =
      protobuf_c_service_descriptor_get_method_by_name(route->service, route->rpc);
  const gw_dialect_t *d = gw_dialect(route->dialect);
  FUZZ_CHECK(md != NULL);
  if (r->body.n > GW_MAX_BODY) return; /* 413 before anything is read */
  gw_request_in_t in = {.desc = md->input,
                        .body_mode = route->body,
                        .query_mode = route->query,
                        .match = m,
                        .query = query,
                        .body = route->body == GW_BODY_NONE ? (hg_str_t){"", 0} : r->body,
                        .content_type = r->content_type,
                        .flags = route->flags,
                        .query_member = route->query_member};
  ProtobufCMessage *msg;
  gw_error_t e;
  if (gw_request_build(&in, d, a, &msg, &e) == 0) {
    check_upstream(msg, a);
  } else {
    gw_request_locate(&in, &e);
    check_json(d, &e);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const gw_router_t *rt = router();
  hg_arena_t *a = hg_arena_new();
  http_req_t r;
  gw_match_t m;
  FUZZ_CHECK(a != NULL);
  /* evhttp refuses a target it cannot parse (400) before any callback. */
  struct evhttp_uri *u = NULL;
  if (parse(data, size, a, &r) == 0)
    u = evhttp_uri_parse_with_flags(r.target, EVHTTP_URI_NONCONFORMANT);
  if (u) {
    hg_str_t path = hg_str_c(evhttp_uri_get_path(u));
    int rc = gw_router_match(rt, r.method, path.p, path.n, a, &m);
    if (rc == GW_MATCH_OK) {
      proxy(&r, hg_str_c(evhttp_uri_get_query(u)), &m, a);
    } else if (rc == GW_MATCH_METHOD) {
      hg_buf_t allow = HG_BUF_INIT;
      FUZZ_CHECK(gw_allow_header(m.allow, &allow) == 0 && allow.n > 0);
      hg_buf_free(&allow);
    } else {
      FUZZ_CHECK(rc == GW_MATCH_NOT_FOUND);
    }
    evhttp_uri_free(u);
  }
  hg_arena_free(a);
  return 0;
}
