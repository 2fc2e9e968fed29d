/* dialect.c - the table of error dialects and their render functions.
 *
 * Each surface's error body is one row here. A renderer reads only the status and the
 * dialect's own texts; it never inspects message strings to decide anything. */
#include "dialect.h"

#include <string.h>

#include "transcode.h"

/* When a status arrives without a message (a bare transport error), the body still says
 * something meaningful: the dialect's text for the HTTP code, or its generic text. */
static const struct {
  int http;
  gw_text_t text;
} fallback_texts[] = {
    {400, GW_TEXT_BAD_BODY},    {404, GW_TEXT_NOT_FOUND},   {405, GW_TEXT_NO_METHOD},
    {413, GW_TEXT_TOO_LARGE},   {503, GW_TEXT_UNAVAILABLE}, {504, GW_TEXT_TIMEOUT},
};

static const char *status_message(const gw_dialect_t *d, const hg_status_t *st, int http) {
  if (st->message && *st->message) return st->message;
  for (size_t i = 0; i < sizeof(fallback_texts) / sizeof(fallback_texts[0]); i++)
    if (fallback_texts[i].http == http) return gw_dialect_text(d, fallback_texts[i].text);
  return gw_dialect_text(d, GW_TEXT_INTERNAL);
}

static int put_str(hg_buf_t *out, const char *s) { return tc_write_string(out, s, strlen(s)); }

/* "detail; field: description; ..." - the free-text detail first, then each violation.
 * A violation without a field (the body as a whole) is just its description. */
static int join_details(const hg_status_t *st, hg_buf_t *out) {
  int rc = 0;
  if (st->detail && *st->detail) rc |= hg_buf_puts(out, st->detail);
  for (size_t i = 0; i < st->n_violations && i < HG_MAX_VIOLATIONS; i++) {
    const hg_violation_t *v = &st->violations[i];
    const char *desc = v->description ? v->description : (v->rule ? v->rule : "invalid");
    if (out->n) rc |= hg_buf_puts(out, "; ");
    if (v->field && *v->field) rc |= hg_buf_printf(out, "%s: ", v->field);
    rc |= hg_buf_puts(out, desc);
  }
  return rc ? -1 : 0;
}

/* KtrlPlane (seed 000): {"error": message} plus "details" when there is anything to say. */
static int render_error_details(const gw_dialect_t *d, const hg_status_t *st, int http,
                                hg_buf_t *out) {
  hg_buf_t details = HG_BUF_INIT;
  int rc = join_details(st, &details);
  rc |= hg_buf_puts(out, "{\"error\":");
  rc |= put_str(out, status_message(d, st, http));
  if (details.n) {
    rc |= hg_buf_puts(out, ",\"details\":");
    rc |= tc_write_string(out, details.p, details.n);
  }
  rc |= hg_buf_putc(out, '}');
  hg_buf_free(&details);
  return rc ? -1 : 0;
}

static const gw_dialect_t dialects[GW_N_DIALECTS] = {
    [GW_DIALECT_KTRLPLANE] =
        {
            .name = "ktrlplane",
            .render = render_error_details,
            .content_type = "application/json",
            .texts =
                {
                    [GW_TEXT_BAD_BODY] = "Invalid request body",
                    [GW_TEXT_BAD_QUERY] = "Invalid query parameter",
                    [GW_TEXT_BAD_PATH] = "Invalid path parameter",
                    [GW_TEXT_BAD_HEADER] = "Invalid request header",
                    [GW_TEXT_NOT_FOUND] = "Not found",
                    [GW_TEXT_NO_METHOD] = "Method not allowed",
                    [GW_TEXT_TOO_LARGE] = "Request body too large",
                    [GW_TEXT_UNAVAILABLE] = "Service unavailable",
                    [GW_TEXT_TIMEOUT] = "Upstream request timed out",
                    [GW_TEXT_INTERNAL] = "Internal server error",
                },
            .http = {0}, /* the DESIGN.md table as is */
        },
};

const gw_dialect_t *gw_dialect(gw_dialect_id_t id) {
  return (unsigned)id < GW_N_DIALECTS ? &dialects[id] : &dialects[0];
}

int gw_dialect_http(const gw_dialect_t *d, hg_code_t code) {
  if ((unsigned)code < GW_N_CODES && d->http[code]) return d->http[code];
  return hg_code_http(code);
}

const char *gw_dialect_text(const gw_dialect_t *d, gw_text_t t) {
  const char *s = (unsigned)t < GW_N_TEXTS ? d->texts[t] : NULL;
  return s ? s : "Error";
}

int gw_dialect_render(const gw_dialect_t *d, const hg_status_t *st, int http, hg_buf_t *out) {
  return d->render(d, st, http, out);
}
