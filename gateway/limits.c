/* limits.c - the answers the gateway gives when a request meets one of its own limits: over
 * --max-in-flight (503 with Retry-After), and past its header or body deadline (408).
 *
 * Both are rendered in the dialect of the request's surface, like every other error. The
 * 408 has no exchange: evhttp never finished reading the request, so http_conn.c writes the
 * whole response to the socket itself and closes the connection; only the request line, as
 * far as it arrived, tells which surface it was for. */
#include <stdio.h>
#include <string.h>

#include "gateway/gateway_internal.h"

#define DEFAULT_DIALECT GW_DIALECT_KTRLPLANE
#define TIMEOUT_TEXT "Request Timeout"

int gw_overloaded_or_reply(gw_exchange_t *ex, const gw_dialect_t *d) {
  if (atomic_load_explicit(&ex->gw->inflight, memory_order_relaxed) <= ex->gw->max_in_flight)
    return 0;
  gw_error_t e;
  gw_error_init(&e);
  hg_status_set(&e.st, HG_UNAVAILABLE, gw_dialect_text(d, GW_TEXT_UNAVAILABLE));
  gw_reply_status(ex, d, &e);
  return -1;
}

/* The path of "METHOD /path?query HTTP/1.1" (possibly cut short); "" when there is none. */
static hg_str_t request_path(const char *line) {
  const char *p = strchr(line, ' ');
  if (!p) return hg_str_c("");
  p++;
  size_t n = strcspn(p, " ?");
  return (hg_str_t){p, n};
}

size_t gw_timeout_reply(void *arg, const char *request_line, char *buf, size_t cap) {
  const gw_dialect_t *d = gw_unrouted_dialect(request_path(request_line));
  hg_buf_t body = HG_BUF_INIT;
  gw_error_t e;
  size_t n = 0;
  (void)arg;
  if (!d) d = gw_dialect(DEFAULT_DIALECT);
  gw_error_init(&e);
  hg_status_set(&e.st, HG_UNKNOWN, TIMEOUT_TEXT);
  if (gw_dialect_render(d, &e, 408, &body) == 0) {
    int w = snprintf(buf, cap,
                     "HTTP/1.1 408 Request Timeout\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%.*s",
                     d->content_type, body.n, (int)body.n, body.p ? body.p : "");
    n = w > 0 && (size_t)w < cap ? (size_t)w : 0;
  }
  hg_buf_free(&body);
  return n;
}
