/* dialect_problem.c - Konnect's error bodies (seed 004): application/problem+json.
 *
 *   {"status": 404, "title": "Not Found", "instance": "kong:trace:<n>", "detail": "Not Found"}
 *
 * title is the HTTP status's name as the spec's examples spell it (400 is "Invalid
 * Request"); detail is the status message. A 400 always carries invalid_parameters, one
 * entry per violation: {"field", "rule", <the rule's extra>, "reason"}, the extra being
 * minimum, maximum or choices when the violation has it (the spec's
 * InvalidParameterMinimumLength / MaximumLength / ChoiceItem shapes).
 *
 * instance: Konnect's "kong:trace:<correlation id>". n is FNV-1a-64 of the request's
 * X-Request-Id with the top bit cleared (a decimal of up to 19 digits, like the spec's
 * examples), so a trace a client reports leads to the request id in the logs, and the same
 * request id always gives the same trace.
 *
 * Rules the gateway itself finds (the transcoder's: unknown_property, is_string ...) are
 * worded as products-svc words its own ("name must be a string"), so a client cannot tell
 * which of the two refused the request; rules Konnect does not list (json_syntax, utf8 ...)
 * are reported as "invalid" with the transcoder's sentence. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "gateway/dialect_internal.h"
#include "json/transcode.h"

#define BODY_FIELD "body" /* what a violation of the body as a whole names */

static const struct {
  int http;
  const char *title;
} titles[] = {
    {400, "Invalid Request"},     {401, "Unauthorized"},          {403, "Forbidden"},
    {404, "Not Found"},           {405, "Method Not Allowed"},    {409, "Conflict"},
    {412, "Precondition Failed"}, {413, "Content Too Large"},     {415, "Unsupported Media Type"},
    {429, "Too Many Requests"},   {500, "Internal Server Error"}, {501, "Not Implemented"},
    {503, "Service Unavailable"}, {504, "Gateway Timeout"},       {507, "Insufficient Storage"},
};

/* Gateway-found rules in Konnect's words: the rule as shown, and the reason after the field
 * name (NULL: the violation's own description). */
static const struct {
  const char *rule;
  const char *shown;
  const char *reason;
} rule_words[] = {
    {"unknown_property", "unknown_property", "is an unknown property"},
    {"is_string", "is_string", "must be a string"},
    {"is_integer", "is_integer", "must be an integer"},
    {"is_number", "is_number", "must be a number"},
    {"is_boolean", "is_boolean", "must be a boolean"},
    {"is_object", "is_object", "must be an object"},
    {"is_array", "is_array", "must be an array"},
    {"json_syntax", "invalid", NULL},
    {"utf8", "invalid", NULL},
    {"depth", "invalid", NULL},
    {"too_big", "invalid", NULL},
    {"range", "invalid", NULL},
};

static const char *title_of(int http) {
  for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
    if (titles[i].http == http) return titles[i].title;
  return http >= 500 ? "Internal Server Error" : "Error";
}

/* FNV-1a 64 of the request id, top bit cleared; 0 without one. */
static uint64_t trace_of(const char *request_id) {
  uint64_t h = 0xcbf29ce484222325ull;
  if (!request_id) return 0;
  for (const unsigned char *p = (const unsigned char *)request_id; *p; p++)
    h = (h ^ *p) * 0x100000001b3ull;
  return h & INT64_MAX;
}

static int put_choices(hg_buf_t *out, const char *const *choices) {
  int rc = hg_buf_puts(out, ",\"choices\":[");
  for (size_t i = 0; choices[i]; i++) {
    if (i) rc |= hg_buf_putc(out, ',');
    rc |= gw__put_json_string(out, choices[i]);
  }
  return rc | hg_buf_putc(out, ']');
}

/* ,"reason":... : the table's wording for a gateway-found rule, else the description. */
static int put_reason(hg_buf_t *out, const hg_violation_t *v, const char *field,
                      const char *worded) {
  const char *desc = v->description && *v->description ? v->description : "invalid value";
  int rc = hg_buf_puts(out, ",\"reason\":");
  if (!worded) return rc | gw__put_json_string(out, desc);
  hg_buf_t s = HG_BUF_INIT;
  if (hg_buf_printf(&s, "%s %s", field, worded) != 0 || tc_write_string(out, s.p, s.n) != 0)
    rc = -1;
  hg_buf_free(&s);
  return rc;
}

static int put_entry(hg_buf_t *out, const hg_violation_t *v) {
  const char *field = v->field && *v->field ? v->field : BODY_FIELD;
  const char *rule = v->rule, *worded = NULL;
  for (size_t i = 0; rule && i < sizeof(rule_words) / sizeof(rule_words[0]); i++)
    if (strcmp(rule_words[i].rule, rule) == 0) {
      rule = rule_words[i].shown;
      worded = rule_words[i].reason;
      break;
    }
  int rc = hg_buf_puts(out, "{\"field\":") | gw__put_json_string(out, field);
  if (rule) rc |= hg_buf_puts(out, ",\"rule\":") | gw__put_json_string(out, rule);
  if (v->has_minimum) rc |= hg_buf_printf(out, ",\"minimum\":%lld", v->minimum);
  if (v->has_maximum) rc |= hg_buf_printf(out, ",\"maximum\":%lld", v->maximum);
  if (v->choices) rc |= put_choices(out, v->choices);
  rc |= put_reason(out, v, field, worded);
  return rc | hg_buf_putc(out, '}');
}

/* A 400 without violations (none of ours makes one) still lists one, naming the body. */
static int put_invalid_parameters(hg_buf_t *out, const hg_status_t *st, const char *detail) {
  size_t n = st->n_violations < HG_MAX_VIOLATIONS ? st->n_violations : HG_MAX_VIOLATIONS;
  hg_violation_t whole = {.field = BODY_FIELD, .rule = "invalid", .description = detail};
  int rc = hg_buf_puts(out, ",\"invalid_parameters\":[");
  for (size_t i = 0; i < n; i++) {
    if (i) rc |= hg_buf_putc(out, ',');
    rc |= put_entry(out, &st->violations[i]);
  }
  if (n == 0) rc |= put_entry(out, &whole);
  return rc | hg_buf_putc(out, ']');
}

int gw__render_problem(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out) {
  const char *detail = gw_dialect_message(d, &e->st, http);
  int rc = hg_buf_printf(out, "{\"status\":%d,\"title\":", http);
  rc |= gw__put_json_string(out, title_of(http));
  rc |= hg_buf_printf(
      out, ",\"instance\":\"kong:trace:%" PRIu64 "\",\"detail\":", trace_of(e->request_id));
  rc |= gw__put_json_string(out, detail);
  if (http == 400) rc |= put_invalid_parameters(out, &e->st, detail);
  rc |= hg_buf_putc(out, '}');
  return rc ? -1 : 0;
}
