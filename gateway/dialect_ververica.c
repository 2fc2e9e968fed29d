/* dialect_ververica.c - the Ververica platform's error bodies (seed 002, CONTRACTS.md):
 *
 *   {"kind":"ApiException","apiVersion":"v1","message":"...","reason":"NotFound",
 *    "statusCode":404,"context":{}}
 *   {"kind":"ApiValidationException","apiVersion":"v1","message":"...","statusCode":400,
 *    "errors":[{"attribute":"metadata.name","message":"..."}]}
 *
 * A 400 whose violations name attributes is an ApiValidationException, one entry each; a
 * 400 about the body as a whole (not JSON or YAML, not an object) names no attribute and is
 * an ApiException, its message the violation's sentence. reason is the status's name in
 * the platform's (Kubernetes-style) words, from the HTTP code, except that a duplicate is
 * AlreadyExists where a stale resourceVersion is Conflict; statusCode is the HTTP code. */
#include <string.h>

#include "gateway/dialect_internal.h"

static const struct {
  int http;
  const char *reason;
} reasons[] = {
    {400, "BadRequest"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "NotFound"},
    {405, "MethodNotAllowed"},
    {409, "Conflict"},
    {410, "Expired"}, /* Kubernetes' reason for a watch from a compacted resourceVersion */
    {413, "RequestEntityTooLarge"},
    {415, "UnsupportedMediaType"},
    {429, "TooManyRequests"},
    {501, "NotImplemented"},
    {503, "ServiceUnavailable"},
    {504, "Timeout"},
    {507, "InsufficientStorage"},
};

static const char *reason_of(const hg_status_t *st, int http) {
  if (st->code == HG_ALREADY_EXISTS && http == 409) return "AlreadyExists";
  for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
    if (reasons[i].http == http) return reasons[i].reason;
  return "InternalError";
}

static int names_attributes(const hg_status_t *st) {
  for (size_t i = 0; i < st->n_violations && i < HG_MAX_VIOLATIONS; i++)
    if (st->violations[i].field && *st->violations[i].field) return 1;
  return 0;
}

static const char *description(const hg_violation_t *v) {
  return v->description ? v->description : v->rule ? v->rule : "invalid";
}

static int render_validation(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out) {
  const hg_status_t *st = &e->st;
  int rc =
      hg_buf_puts(out, "{\"kind\":\"ApiValidationException\",\"apiVersion\":\"v1\",\"message\":");
  rc |= gw__put_json_string(out, gw_dialect_message(d, st, http));
  rc |= hg_buf_printf(out, ",\"statusCode\":%d,\"errors\":[", http);
  for (size_t i = 0; i < st->n_violations && i < HG_MAX_VIOLATIONS; i++) {
    const hg_violation_t *v = &st->violations[i];
    rc |= hg_buf_puts(out, i ? ",{\"attribute\":" : "{\"attribute\":");
    rc |= gw__put_json_string(out, v->field ? v->field : "");
    rc |= hg_buf_puts(out, ",\"message\":");
    rc |= gw__put_json_string(out, description(v));
    rc |= hg_buf_putc(out, '}');
  }
  rc |= hg_buf_puts(out, "]}");
  return rc ? -1 : 0;
}

int gw__render_ververica(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out) {
  const hg_status_t *st = &e->st;
  if (http == 400 && names_attributes(st)) return render_validation(d, e, http, out);
  /* A refusal of the body as a whole says why in its one violation. */
  const char *message = st->n_violations && http < 500 ? description(&st->violations[0])
                                                       : gw_dialect_message(d, st, http);
  int rc = hg_buf_puts(out, "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":");
  rc |= gw__put_json_string(out, message);
  rc |= hg_buf_puts(out, ",\"reason\":");
  rc |= gw__put_json_string(out, reason_of(st, http));
  rc |= hg_buf_printf(out, ",\"statusCode\":%d,\"context\":{}}", http);
  return rc ? -1 : 0;
}
