/* proxy.c - a routed request's trip upstream: limits, transcoding, metadata, rpc_call, and
 * the answer once the completion has handed the exchange back to its loop.
 *
 * Nothing is sent upstream unless the whole request was read, fits the body limit and
 * transcodes cleanly: evhttp only calls us with a complete request, and every check here
 * runs before rpc_call(). A request that does not transcode is refused through
 * admission.c, which first asks the service whether the caller may make the call at all. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "gateway/gateway_internal.h"
#include "common/log.h"
#include "gateway/media.h"
#include "gateway/request.h"
#include "json/json_yaml.h"
#include "json/transcode.h"

#define HEADER_MAX 8192

/* The body: the whole response message, or the one field the route answers with. */
static int encode_response(const gw_route_t *r, const ProtobufCMessage *resp, hg_buf_t *out) {
  if (!resp) return -1;
  return r->response ? tc_encode_field(resp, r->response, out) : tc_encode(resp, out);
}

/* The route's code, or the one the response's status_field holds when nonzero. */
static int success_code(const gw_route_t *r, const ProtobufCMessage *resp) {
  if (!r->status_field || !resp) return r->success;
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(resp->descriptor, r->status_field);
  if (!fd || fd->type != PROTOBUF_C_TYPE_INT32) return r->success;
  int32_t code = *(const int32_t *)((const char *)resp + fd->offset);
  return code >= 200 && code < 300 ? code : r->success;
}

/* The body straight from the reply's bytes (tc_encode_wire), when the route answers the
 * whole message and nothing of it is read here. */
static int encode_wire(const gw_binding_t *b, const rpc_encoded_t *raw, hg_buf_t *out) {
  const gw_route_t *r = b->route;
  if (r->success == 204 || r->response || r->status_field || b->out.kind != RPC_CODEC_PROTOBUF_C)
    return -1;
  return tc_encode_wire(b->out.desc, raw->p, raw->n, out);
}

static int attempt(gw_exchange_t *ex);
static void unavailable(gw_exchange_t *ex, const gw_dialect_t *d);

/* Whether the failed call may be repeated on another replica: a read (GET, HEAD) that the
 * replica could not serve (UNAVAILABLE, whether or not it ran: reading twice changes
 * nothing), or any call that provably never reached a replica. Anything else may have
 * written: it is answered as it failed. */
static int repeatable(const gw_exchange_t *ex) {
  if (rpc_call_never_ran(&ex->st)) return 1;
  return ex->st.code == HG_UNAVAILABLE && (ex->method == GW_GET || ex->method == GW_HEAD);
}

/* What the call taught about its replica: one that never got the call is down (skipped
 * until a check or a call finds it answering); one that answered, whatever it said, is up.
 * UNAVAILABLE after the call ran, a deadline or a cancellation say neither. */
static void learn(gw_exchange_t *ex) {
  hg_code_t c = ex->st.code;
  if (rpc_call_never_ran(&ex->st))
    rpc_replicas_mark(ex->binding->replicas, (size_t)ex->replica, RPC_REPLICA_DOWN);
  else if (c != HG_UNAVAILABLE && c != HG_DEADLINE_EXCEEDED && c != HG_CANCELLED)
    rpc_replicas_mark(ex->binding->replicas, (size_t)ex->replica, RPC_REPLICA_UP);
}

/* Runs on the exchange's loop after the rpc completed. Replies arrive as bytes: most become
 * the body in one pass (encode_wire); the rest are decoded, with the guards every decode
 * has, and encoded from the message. */
static void answer(gw_exchange_t *ex) {
  const gw_binding_t *b = ex->binding;
  const gw_route_t *r = b->route;
  const rpc_encoded_t *raw = ex->resp;
  void *msg = NULL;
  learn(ex);
  if (ex->st.code != HG_OK && repeatable(ex) && !atomic_load(&ex->gw->closing)) {
    int rc = attempt(ex);
    if (rc == 0) return;
    if (rc < 0) {
      unavailable(ex, b->dialect);
      return;
    }
  }
  if (ex->st.code != HG_OK) {
    gw_reply_upstream(ex, b->dialect, &ex->st);
    return;
  }
  hg_buf_reset(&ex->body);
  if (encode_wire(b, raw, &ex->body) != 0) {
    if (rpc_codec_decode(&b->out, raw->p, raw->n, ex->arena, &msg) != 0) {
      ex->st = (hg_status_t){.code = HG_INTERNAL, .message = "malformed response"};
      HG_WARN("gateway", ex->request_id, "%s: the reply does not decode", b->rpc_path);
      gw_reply_upstream(ex, b->dialect, &ex->st);
      return;
    }
    if (r->success != 204 && encode_response(r, msg, &ex->body) != 0) {
      gw_reply_error(ex, b->dialect, 500, GW_TEXT_INTERNAL, NULL);
      return;
    }
  }
  /* A reply larger than the cap is the upstream's fault, not the client's: 502, logged. */
  if (ex->body.n > ex->gw->max_response_bytes) {
    HG_WARN_IN("gateway", &ex->log, "%s: reply of %zu bytes is over --max-response-bytes",
               ex->binding->rpc_path, ex->body.n);
    gw_reply_error(ex, ex->binding->dialect, 502, GW_TEXT_INTERNAL, NULL);
    return;
  }
  /* An Accept variant answers in the media type it was chosen for (Konnect's document tree
   * is application/vnd.konnect.document-tree+json; clients pick the model by it). */
  gw_reply(ex, success_code(r, msg), r->accept ? r->accept : "application/json");
}

/* rpc client thread: record the outcome, then hand the exchange back; no more touching. */
static void on_done(void *arg, const hg_status_t *st, void *resp) {
  gw_exchange_t *ex = arg;
  ex->st = *st;
  ex->resp = resp;
  gw_exchange_wake(ex);
}

/* Only printable ASCII can travel as a gRPC (non-binary) metadata value. HTTP allows HTAB
 * as whitespace inside a field value, so it travels as a space (arena copy when present);
 * anything else unprintable is refused. NULL when the value cannot travel. */
static const char *header_value(hg_arena_t *a, const char *v) {
  size_t n = strnlen(v, HEADER_MAX + 1);
  if (n > HEADER_MAX) return NULL;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || (unsigned char)v[i] > 0x7e) return NULL;
  if (!memchr(v, '\t', n)) return v;
  char *copy = hg_arena_strndup(a, v, n);
  for (size_t i = 0; copy && i < n; i++)
    if (copy[i] == '\t') copy[i] = ' ';
  return copy;
}

/* Headers that carry identity travel to the services as metadata; the services
 * authenticate the caller themselves (the gateway does no auth). Keboola's run id travels
 * too, and the request's host (request_host) for answers that point back at this gateway
 * (a Keboola job's url). */
static const struct {
  const char *header;
  const char *key;
} forwarded[] = {
    {"Authorization", "authorization"},
    {"X-StorageApi-Token", "x-storageapi-token"},
    {"X-KBC-RunId", "x-kbc-runid"},
};
#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

/* Answers 400 naming header; returns -1. */
static int bad_header(gw_exchange_t *ex, const char *header, const char *why) {
  const gw_dialect_t *d = ex->binding->dialect;
  gw_error_t e;
  gw_invalid(&e, d, GW_TEXT_BAD_HEADER, GW_IN_HEADER, ex->arena, header, why);
  gw_reply_status(ex, d, &e);
  return -1;
}

/* RFC 3986's host ([IP-literal] / IPv4 / reg-name) and optional port, as characters: enough to
 * refuse a Host that would change what a URL made from it points at ("a/b?c", "a b"). */
static int host_ok(const char *v) {
  static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "-._~!$&'()*+,;=%:[]";
  size_t n = strlen(v);
  return n > 0 && n <= 255 && strspn(v, allowed) == n;
}

/* The Host a URL pointing back at this gateway uses (RFC 9112 section 3.2): an HTTP/1.1
 * request must carry exactly one valid Host (else 400); an HTTP/1.0 request without one gets
 * the address it reached us at. NULL after answering 400. */
static const char *request_host(gw_exchange_t *ex, const struct evkeyvalq *in) {
  const char *host = NULL;
  int n = 0;
  for (const struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
    if (evutil_ascii_strcasecmp(h->key, "Host") == 0) {
      host = h->value;
      n++;
    }
  char major = ex->req->major, minor = ex->req->minor; /* libevent 2.1 has no getter */
  if (n > 1) return bad_header(ex, "Host", "must be sent once"), NULL;
  if (n == 1) return host_ok(host) ? host : (bad_header(ex, "Host", "is not a valid host"), NULL);
  if (major > 1 || (major == 1 && minor >= 1))
    return bad_header(ex, "Host", "is required in HTTP/1.1"), NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  char addr[INET6_ADDRSTRLEN];
  struct bufferevent *bev =
      evhttp_connection_get_bufferevent(evhttp_request_get_connection(ex->req));
  evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
  if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return "localhost";
  int port;
  if (ss.ss_family == AF_INET6) {
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &a6->sin6_addr, addr, sizeof(addr));
    port = ntohs(a6->sin6_port);
    return hg_arena_sprintf(ex->arena, "[%s]:%d", addr, port);
  }
  const struct sockaddr_in *a4 = (const struct sockaddr_in *)&ss;
  inet_ntop(AF_INET, &a4->sin_addr, addr, sizeof(addr));
  port = ntohs(a4->sin_port);
  return hg_arena_sprintf(ex->arena, "%s:%d", addr, port);
}

/* Fills md with x-request-id, the trace context (trace.c), the forwarded headers present
 * and the request's host. 0, or -1 after answering 400 for a header that cannot travel as
 * metadata. */
static int collect_metadata(gw_exchange_t *ex, rpc_md_t *md, size_t *n_md) {
  const struct evkeyvalq *in = evhttp_request_get_input_headers(ex->req);
  md[0] = (rpc_md_t){"x-request-id", ex->request_id};
  md[1] = (rpc_md_t){"traceparent", ex->traceparent};
  *n_md = 2;
  if (ex->tracestate) md[(*n_md)++] = (rpc_md_t){"tracestate", ex->tracestate};
  for (size_t i = 0; i < N_FORWARDED; i++) {
    const char *v = evhttp_find_header(in, forwarded[i].header);
    if (!v) continue;
    if (!(v = header_value(ex->arena, v)))
      return bad_header(ex, forwarded[i].header, "must be printable ASCII");
    md[(*n_md)++] = (rpc_md_t){forwarded[i].key, v};
  }
  const char *host = request_host(ex, in);
  if (!host) return -1;
  md[(*n_md)++] = (rpc_md_t){"x-forwarded-host", host};
  return 0;
}

/* The service cannot be reached: 503 with Retry-After, like an UNAVAILABLE it answers. */
static void unavailable(gw_exchange_t *ex, const gw_dialect_t *d) {
  gw_error_t e;
  gw_error_init(&e);
  hg_status_set(&e.st, HG_UNAVAILABLE, gw_dialect_text(d, GW_TEXT_UNAVAILABLE));
  gw_reply_status(ex, d, &e);
}

/* Sends the call to a replica it has not been sent to (rpc_replicas_pick). 0: answer() will
 * run; 1: every replica has been tried (ex->st stands); -1: the call could not start. */
static int attempt(gw_exchange_t *ex) {
  const gw_binding_t *b = ex->binding;
  rpc_call_opts_t o;
  rpc_channel_t *ch = gw_next_replica(ex, &o);
  if (!ch) return 1;
  o.encoded_reply = 1;
  return rpc_call(ch, b->rpc_path, &b->in, ex->msg, &b->out, &o, on_done, ex) == 0 ? 0 : -1;
}

/* The call, with what a retry needs kept in the exchange: md is copied into the arena (its
 * strings already live as long as the exchange). */
static void call(gw_exchange_t *ex, const ProtobufCMessage *msg, const rpc_md_t *md, size_t n_md) {
  const gw_binding_t *b = ex->binding;
  const gw_dialect_t *d = b->dialect;
  rpc_md_t *kept = hg_arena_alloc(ex->arena, n_md * sizeof(*kept));
  if (!b->replicas) {
    unavailable(ex, d);
    return;
  }
  if (!kept || gw_exchange_arm(ex, answer) != 0) {
    gw_reply_error(ex, d, 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  memcpy(kept, md, n_md * sizeof(*kept));
  ex->msg = msg;
  ex->md = kept;
  ex->n_md = n_md;
  if (attempt(ex) != 0) unavailable(ex, d);
}

/* The body as one contiguous slice; -1 when over the limit (or unreadable). */
static int read_body(gw_exchange_t *ex, hg_str_t *body) {
  struct evbuffer *in = evhttp_request_get_input_buffer(ex->req);
  size_t n = evbuffer_get_length(in);
  *body = (hg_str_t){"", 0};
  if (n > GW_MAX_BODY) return -1;
  if (n == 0 || ex->binding->route->body == GW_BODY_NONE) return 0;
  const char *p = (const char *)evbuffer_pullup(in, -1);
  if (!p) return -1;
  *body = (hg_str_t){p, n};
  return 0;
}

/* A YAML body of a GW_ROUTE_YAML row, as JSON text in the arena (*body, *content_type
 * replaced); anything else is left as it is. 0, or -1 with e filled (not YAML). */
static int yaml_body(gw_exchange_t *ex, hg_str_t *body, const char **content_type, gw_error_t *e) {
  const gw_dialect_t *d = ex->binding->dialect;
  if (!(ex->binding->route->flags & GW_ROUTE_YAML) || !gw_media_is_yaml(*content_type) || !body->n)
    return 0;
  hg_buf_t json = HG_BUF_INIT;
  tc_error_t err;
  int rc = tc_yaml_to_json(body->p, body->n, 0, &json, &err);
  char *copy = rc == 0 ? hg_arena_strndup(ex->arena, json.p, json.n) : NULL;
  size_t n = json.n;
  hg_buf_free(&json);
  if (rc != 0 || !copy) {
    gw_invalid(e, d, GW_TEXT_BAD_BODY, GW_IN_BODY, ex->arena, "",
               rc ? err.reason : "out of memory");
    e->st.violations[0].rule = "yaml_syntax";
    return -1;
  }
  *body = (hg_str_t){copy, n};
  *content_type = "application/json";
  return 0;
}

void gw_proxy(gw_exchange_t *ex) {
  const gw_binding_t *b = ex->binding;
  const gw_dialect_t *d = b->dialect;
  hg_str_t body;
  gw_error_t e;
  ProtobufCMessage *msg = NULL;
  rpc_md_t md[4 + N_FORWARDED];
  size_t n_md;
  if (read_body(ex, &body) != 0) {
    const char *detail = hg_arena_sprintf(ex->arena, "request body exceeds %d bytes", GW_MAX_BODY);
    gw_reply_error(ex, d, 413, GW_TEXT_TOO_LARGE, detail);
    return;
  }
  const struct evkeyvalq *headers = evhttp_request_get_input_headers(ex->req);
  gw_request_in_t in = {.desc = b->in.desc,
                        .body_mode = b->route->body,
                        .query_mode = b->route->query,
                        .match = &ex->match,
                        .query = ex->query,
                        .body = body,
                        .content_type = evhttp_find_header(headers, "Content-Type"),
                        .flags = b->route->flags,
                        .query_member = b->route->query_member};
  in.body_field = b->route->body_field;
  in.preset_field = b->route->preset_field;
  in.preset_value = b->route->preset_value;
  if (collect_metadata(ex, md, &n_md) != 0) return;
  if (yaml_body(ex, &in.body, &in.content_type, &e) != 0 ||
      gw_request_build(&in, d, ex->arena, &msg, &e) != 0) {
    gw_admit_or_refuse(ex, &e, md, n_md);
    return;
  }
  if (b->route->flags & GW_ROUTE_WATCH)
    gw_watch(ex, msg, md, n_md);
  else
    call(ex, msg, md, n_md);
}
