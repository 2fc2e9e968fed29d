/* dialect_status.c - the one table that turns an upstream gRPC status into an answer: its
 * HTTP code, whether the body shows the service's sentence or the dialect's own words, and
 * Retry-After.
 *
 * A row is keyed on the gRPC code and the google.rpc.ErrorInfo reason (NULL: any reason);
 * the first row that matches wins, so a row with a reason comes before its code's catch-all.
 * Only codes our services answer on purpose show their message: the 4xx refusals, and any
 * code sent with an ErrorInfo reason (a service's deliberate answer, e.g. AUTH_UNAVAILABLE).
 * Everything else may carry text made by gRPC itself ("unknown method /hangar...",
 * "Received RST_STREAM ...", addresses, socket paths), so it answers in the dialect's words
 * and the upstream's text goes to the log only. A code the table does not know (above 16)
 * is UNKNOWN: 500 in our words. */
#include <string.h>

#include "gateway/dialect.h"

/* What the body shows. */
typedef enum {
  OWN_WORDS = 0,  /* the dialect's text for the answer's HTTP code */
  SHOW_MESSAGE,   /* the service's message */
  SHOW_IF_REASON, /* the service's message when it sent an ErrorInfo reason; else own words */
} shown_t;

#define RETRY_AFTER_S 1 /* a retry soon is the best advice: the condition is short-lived */

static const struct {
  hg_code_t code;
  const char *reason; /* ErrorInfo.reason; NULL: any */
  short http;         /* 0: the dialect's code for the code (gw_dialect_http) */
  shown_t shown;
  short retry_after; /* seconds; 0: no Retry-After */
} rows[] = {
    /* An error claiming success is a broken upstream. */
    {HG_OK, NULL, 500, OWN_WORDS, 0},
    /* Only the gateway cancels its calls, when it stops: come back to the next one. */
    {HG_CANCELLED, NULL, 503, OWN_WORDS, RETRY_AFTER_S},
    {HG_UNKNOWN, NULL, 0, SHOW_IF_REASON, 0},
    {HG_INVALID_ARGUMENT, NULL, 0, SHOW_MESSAGE, 0},
    {HG_DEADLINE_EXCEEDED, NULL, 0, OWN_WORDS, 0},
    {HG_NOT_FOUND, NULL, 0, SHOW_MESSAGE, 0},
    {HG_ALREADY_EXISTS, NULL, 0, SHOW_MESSAGE, 0},
    {HG_PERMISSION_DENIED, NULL, 0, SHOW_MESSAGE, 0},
    /* A full store is no caller's fault and no retry helps: 507. */
    {HG_RESOURCE_EXHAUSTED, "STORE_FULL", 507, OWN_WORDS, 0},
    /* Otherwise a caller's own limit (gRPC's message size ...): slow down. */
    {HG_RESOURCE_EXHAUSTED, NULL, 0, SHOW_IF_REASON, RETRY_AFTER_S},
    {HG_FAILED_PRECONDITION, NULL, 0, SHOW_MESSAGE, 0},
    {HG_ABORTED, NULL, 0, SHOW_MESSAGE, 0},
    /* A watch from a version the change log no longer holds: Kubernetes' 410 Gone. */
    {HG_OUT_OF_RANGE, "EXPIRED", 410, SHOW_MESSAGE, 0},
    {HG_OUT_OF_RANGE, NULL, 0, SHOW_MESSAGE, 0},
    /* gRPC's own "unknown method ..." carries no reason; a service's deliberate 501 does. */
    {HG_UNIMPLEMENTED, NULL, 0, SHOW_IF_REASON, 0},
    {HG_INTERNAL, NULL, 0, SHOW_IF_REASON, 0},
    /* Down, overloaded or its queue full: all pass. */
    {HG_UNAVAILABLE, NULL, 0, SHOW_IF_REASON, RETRY_AFTER_S},
    {HG_DATA_LOSS, NULL, 0, OWN_WORDS, 0},
    {HG_UNAUTHENTICATED, NULL, 0, SHOW_MESSAGE, 0},
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* The row for st; N_ROWS when none (a code above 16). */
static size_t row_of(const hg_status_t *st) {
  for (size_t i = 0; i < N_ROWS; i++) {
    if (rows[i].code != st->code) continue;
    if (!rows[i].reason || (st->reason && strcmp(rows[i].reason, st->reason) == 0)) return i;
  }
  return N_ROWS;
}

int gw_dialect_http(const gw_dialect_t *d, hg_code_t code) {
  hg_status_t st;
  hg_status_set(&st, code, NULL);
  return gw_dialect_status_http(d, &st);
}

int gw_dialect_status_http(const gw_dialect_t *d, const hg_status_t *st) {
  size_t i = row_of(st);
  if (i == N_ROWS) return hg_code_http(HG_UNKNOWN);
  if (rows[i].http) return rows[i].http;
  if ((unsigned)st->code < GW_N_CODES && d->http[st->code]) return d->http[st->code];
  return hg_code_http(st->code);
}

int gw_dialect_retry_after(const hg_status_t *st) {
  size_t i = row_of(st);
  return i == N_ROWS ? 0 : rows[i].retry_after;
}

int gw_dialect_upstream(const gw_dialect_t *d, hg_status_t *st) {
  size_t i = row_of(st);
  shown_t shown = i == N_ROWS ? OWN_WORDS : rows[i].shown;
  int show = st->message && *st->message &&
             (shown == SHOW_MESSAGE || (shown == SHOW_IF_REASON && st->reason));
  if (show) return 0;
  int http = gw_dialect_status_http(d, st);
  if (i == N_ROWS) st->code = HG_UNKNOWN;
  st->message = gw_dialect_http_text(d, http);
  return 1;
}
