/* dialect.c - the table of error dialects, the KtrlPlane renderer, and the lookups every
 * renderer shares (HTTP code, message, texts).
 *
 * Each surface's error body is one row here. A renderer reads only the error and the
 * dialect's own texts; it never inspects message strings to decide anything. */
#include "gateway/dialect.h"

#include <string.h>

#include "gateway/dialect_internal.h"
#include "json/transcode.h"

/* When a status arrives without a message (a bare transport error), or the dialect keeps
 * 5xx texts to itself, the body says the dialect's text for the HTTP code. */
static const struct {
  int http;
  gw_text_t text;
} fallback_texts[] = {
    {400, GW_TEXT_BAD_BODY},    {404, GW_TEXT_NOT_FOUND}, {405, GW_TEXT_NO_METHOD},
    {413, GW_TEXT_TOO_LARGE},   {429, GW_TEXT_TOO_MANY},  {501, GW_TEXT_NOT_IMPLEMENTED},
    {503, GW_TEXT_UNAVAILABLE}, {504, GW_TEXT_TIMEOUT},   {507, GW_TEXT_STORE_FULL},
};

const char *gw_dialect_http_text(const gw_dialect_t *d, int http) {
  for (size_t i = 0; i < sizeof(fallback_texts) / sizeof(fallback_texts[0]); i++)
    if (fallback_texts[i].http == http) return gw_dialect_text(d, fallback_texts[i].text);
  return gw_dialect_text(d, GW_TEXT_INTERNAL);
}

const char *gw_dialect_message(const gw_dialect_t *d, const hg_status_t *st, int http) {
  int own = http >= 500 && (d->flags & GW_DIALECT_OWN_5XX_TEXTS);
  if (!own && st->message && *st->message) return st->message;
  return gw_dialect_http_text(d, http);
}

int gw__put_json_string(hg_buf_t *out, const char *s) {
  return tc_write_string(out, s, strlen(s)) ? -1 : 0;
}

int gw__join_details(const hg_status_t *st, hg_buf_t *out) {
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
static int render_error_details(const gw_dialect_t *d, const gw_error_t *e, int http,
                                hg_buf_t *out) {
  hg_buf_t details = HG_BUF_INIT;
  int rc = gw__join_details(&e->st, &details);
  rc |= hg_buf_puts(out, "{\"error\":");
  rc |= gw__put_json_string(out, gw_dialect_message(d, &e->st, http));
  if (details.n) {
    rc |= hg_buf_puts(out, ",\"details\":");
    rc |= tc_write_string(out, details.p, details.n);
  }
  rc |= hg_buf_putc(out, '}');
  hg_buf_free(&details);
  return rc ? -1 : 0;
}

/* FastAPI answers a body it cannot read at all (not UTF-8, nested past Python's recursion
 * limit) with 400 "There was an error parsing the body", not with a validation list. A body
 * of another media type is its validation error, 422 (the INVALID_ARGUMENT default). */
static const gw_rule_http_t fastapi_rule_http[] = {{"utf8", 400}, {"depth", 400}, {NULL, 0}};

/* A body of another media type is 415 Unsupported Media Type. */
static const gw_rule_http_t media_rule_http[] = {{"media_type", 415}, {NULL, 0}};

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
                    [GW_TEXT_MEDIA_TYPE] = "Unsupported media type",
                    [GW_TEXT_TOO_MANY] = "Too many requests",
                    [GW_TEXT_NOT_IMPLEMENTED] = "Not implemented",
                    [GW_TEXT_STORE_FULL] = "Storage full",
                },
            .http = {0}, /* the DESIGN.md table as is */
            .rule_http = media_rule_http,
        },
    [GW_DIALECT_FASTAPI] =
        {
            .name = "fastapi",
            .render = gw__render_fastapi,
            .content_type = "application/json",
            .texts =
                {
                    /* Starlette's and FastAPI's own words. */
                    [GW_TEXT_BAD_BODY] = "There was an error parsing the body",
                    [GW_TEXT_BAD_QUERY] = "Invalid query parameter",
                    [GW_TEXT_BAD_PATH] = "Invalid path parameter",
                    [GW_TEXT_BAD_HEADER] = "Invalid request header",
                    [GW_TEXT_NOT_FOUND] = "Not Found",
                    [GW_TEXT_NO_METHOD] = "Method Not Allowed",
                    [GW_TEXT_TOO_LARGE] = "Request Entity Too Large",
                    [GW_TEXT_UNAVAILABLE] = "Service Unavailable",
                    [GW_TEXT_TIMEOUT] = "Gateway Timeout",
                    [GW_TEXT_INTERNAL] = "Internal server error",
                    [GW_TEXT_MEDIA_TYPE] = "Unsupported Media Type",
                    [GW_TEXT_TOO_MANY] = "Too Many Requests",
                    [GW_TEXT_NOT_IMPLEMENTED] = "Not Implemented",
                    [GW_TEXT_STORE_FULL] = "Insufficient Storage",
                },
            /* Validation is 422; the API's business refusals (unknown wrapper, duplicate,
             * wrapper still in use, a write the store could not make) are 400. */
            .http =
                {
                    [HG_INVALID_ARGUMENT] = 422,
                    [HG_FAILED_PRECONDITION] = 400,
                    [HG_ALREADY_EXISTS] = 400,
                    [HG_ABORTED] = 400,
                },
            .rule_http = fastapi_rule_http,
            .flags = GW_DIALECT_OWN_5XX_TEXTS,
        },
    /* Konnect (seed 004): detail is the status message, "Invalid Parameters" on a 400 as in
     * the spec's examples; the DESIGN.md code table as is. */
    [GW_DIALECT_PROBLEM] =
        {
            .name = "problem",
            .render = gw__render_problem,
            .content_type = "application/problem+json",
            .texts =
                {
                    [GW_TEXT_BAD_BODY] = "Invalid Parameters",
                    [GW_TEXT_BAD_QUERY] = "Invalid Parameters",
                    [GW_TEXT_BAD_PATH] = "Invalid Parameters",
                    [GW_TEXT_BAD_HEADER] = "Invalid Parameters",
                    [GW_TEXT_NOT_FOUND] = "Not Found",
                    [GW_TEXT_NO_METHOD] = "Method Not Allowed",
                    [GW_TEXT_TOO_LARGE] = "Request body too large",
                    [GW_TEXT_UNAVAILABLE] = "Service Unavailable",
                    [GW_TEXT_TIMEOUT] = "Gateway Timeout",
                    [GW_TEXT_INTERNAL] = "Internal Server Error",
                    [GW_TEXT_MEDIA_TYPE] =
                        "This API only supports requests with `Content-Type: application/json`",
                    [GW_TEXT_TOO_MANY] = "Too Many Requests",
                    [GW_TEXT_NOT_IMPLEMENTED] = "Not Implemented",
                    [GW_TEXT_STORE_FULL] = "Insufficient Storage",
                },
            .http = {0},
            .rule_http = media_rule_http,
            .flags = GW_DIALECT_OWN_5XX_TEXTS,
        },
    [GW_DIALECT_KEBOOLA] =
        {
            .name = "keboola",
            .render = gw__render_keboola,
            .content_type = "application/json",
            .texts =
                {
                    [GW_TEXT_BAD_BODY] = "Invalid request body",
                    [GW_TEXT_BAD_QUERY] = "Invalid query parameter",
                    [GW_TEXT_BAD_PATH] = "Invalid path parameter",
                    [GW_TEXT_BAD_HEADER] = "Invalid request header",
                    [GW_TEXT_NOT_FOUND] = "Route not found",
                    [GW_TEXT_NO_METHOD] = "Method not allowed",
                    [GW_TEXT_TOO_LARGE] = "Request body too large",
                    [GW_TEXT_UNAVAILABLE] = "Provisioning service unavailable; retry later",
                    [GW_TEXT_TIMEOUT] = "Provisioning service timed out; retry later",
                    [GW_TEXT_INTERNAL] = "Internal server error",
                    [GW_TEXT_MEDIA_TYPE] = "Unsupported media type: send application/json",
                    [GW_TEXT_TOO_MANY] = "Too many requests",
                    [GW_TEXT_NOT_IMPLEMENTED] = "Not implemented",
                    [GW_TEXT_STORE_FULL] = "Storage full",
                },
            .http = {0},
            .rule_http = media_rule_http,
            .flags = 0,
        },
    /* Ververica (seed 002): ApiException for everything but validation, whose violations
     * are ApiValidationException's errors[]; a namespace that is not empty (a failed
     * precondition) is 409 like every other conflict. */
    [GW_DIALECT_VERVERICA] =
        {
            .name = "ververica",
            .render = gw__render_ververica,
            .content_type = "application/json",
            .texts =
                {
                    [GW_TEXT_BAD_BODY] = "Invalid request body",
                    [GW_TEXT_BAD_QUERY] = "Invalid query parameter",
                    [GW_TEXT_BAD_PATH] = "Invalid path parameter",
                    [GW_TEXT_BAD_HEADER] = "Invalid request header",
                    [GW_TEXT_NOT_FOUND] = "Not Found",
                    [GW_TEXT_NO_METHOD] = "Method Not Allowed",
                    [GW_TEXT_TOO_LARGE] = "Request body too large",
                    [GW_TEXT_UNAVAILABLE] = "Service Unavailable",
                    [GW_TEXT_TIMEOUT] = "Gateway Timeout",
                    [GW_TEXT_INTERNAL] = "Internal Server Error",
                    [GW_TEXT_MEDIA_TYPE] =
                        "Unsupported media type: send application/json or application/yaml",
                    [GW_TEXT_TOO_MANY] = "Too Many Requests",
                    [GW_TEXT_NOT_IMPLEMENTED] = "Not Implemented",
                    [GW_TEXT_STORE_FULL] = "Insufficient Storage",
                },
            .http = {[HG_FAILED_PRECONDITION] = 409},
            .rule_http = media_rule_http,
            /* A 5xx shows the service's words only when the status table lets it (a
             * deliberate answer with a reason: "runs no SQL" 501). */
            .flags = 0,
        },
};

void gw_error_init(gw_error_t *e) {
  memset(e, 0, sizeof(*e));
  hg_status_clear(&e->st);
}

const gw_dialect_t *gw_dialect(gw_dialect_id_t id) {
  return (unsigned)id < GW_N_DIALECTS ? &dialects[id] : &dialects[0];
}

static int rule_http(const gw_dialect_t *d, const char *rule) {
  for (const gw_rule_http_t *r = d->rule_http; rule && r && r->rule; r++)
    if (strcmp(r->rule, rule) == 0) return r->http;
  return 0;
}

int gw_dialect_error_http(const gw_dialect_t *d, const gw_error_t *e) {
  for (size_t i = 0; i < e->st.n_violations && i < HG_MAX_VIOLATIONS; i++) {
    int http = rule_http(d, e->st.violations[i].rule);
    if (http) return http;
  }
  return gw_dialect_status_http(d, &e->st);
}

const char *gw_dialect_text(const gw_dialect_t *d, gw_text_t t) {
  const char *s = (unsigned)t < GW_N_TEXTS ? d->texts[t] : NULL;
  return s ? s : "Error";
}

int gw_dialect_render(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out) {
  return d->render(d, e, http, out);
}
