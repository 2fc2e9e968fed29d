/* trace.c - the W3C Trace Context of one HTTP request: the client's traceparent continued
 * with the gateway's own span, or a trace started here, and the tracestate passed on.
 *
 * The headers are read as Trace Context Level 1 asks of a vendor that receives them: a
 * traceparent sent more than once is invalid, tracestate headers sent more than once are
 * one list joined with commas, and a tracestate is only read along with a valid
 * traceparent. What travels upstream (proxy.c) is "00-<trace-id>-<gateway span>-<flags>"
 * and the tracestate in its plain form (common/trace.h). */
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "gateway/gateway_internal.h"

/* A traceparent longer than this is cut; what is read of it is its first 56 characters. */
#define TRACEPARENT_READ 64

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* The one traceparent value, trimmed, into buf; NULL when absent or sent more than once. */
static const char *traceparent_header(const struct evkeyvalq *in, char buf[TRACEPARENT_READ]) {
  const char *v = NULL;
  for (const struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
    if (evutil_ascii_strcasecmp(h->key, "traceparent") == 0) {
      if (v) return NULL;
      v = h->value;
    }
  if (!v) return NULL;
  while (is_ows(*v)) v++;
  size_t n = strnlen(v, TRACEPARENT_READ - 1);
  while (n > 0 && is_ows(v[n - 1])) n--;
  memcpy(buf, v, n);
  buf[n] = '\0';
  return buf;
}

/* Every tracestate header as one list in the arena; NULL when none (or no memory). */
static const char *tracestate_header(gw_exchange_t *ex, const struct evkeyvalq *in) {
  hg_buf_t list = HG_BUF_INIT;
  int any = 0, rc = 0;
  const char *out = NULL;
  for (const struct evkeyval *h = in->tqh_first; h && rc == 0; h = h->next.tqe_next)
    if (evutil_ascii_strcasecmp(h->key, "tracestate") == 0) {
      if (any) rc = hg_buf_putc(&list, ',');
      if (rc == 0) rc = hg_buf_puts(&list, h->value);
      any = 1;
    }
  if (any && rc == 0) out = hg_arena_strndup(ex->arena, list.p ? list.p : "", list.n);
  hg_buf_free(&list);
  return out;
}

void gw_trace_begin(gw_exchange_t *ex) {
  const struct evkeyvalq *in = evhttp_request_get_input_headers(ex->req);
  char parent[TRACEPARENT_READ], state[HG_TRACESTATE_MAX + 1];
  const char *list;
  ex->tracestate = NULL;
  if (hg_trace_begin(traceparent_header(in, parent), &ex->trace) &&
      (list = tracestate_header(ex, in)) && hg_tracestate_clean(list, strlen(list), state) > 0)
    ex->tracestate = hg_arena_strdup(ex->arena, state);
  hg_traceparent_format(&ex->trace, ex->traceparent);
}
