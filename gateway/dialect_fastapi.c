/* dialect_fastapi.c - FastAPI's error bodies (seed 003), worded as pydantic v1 words them.
 *
 * A plain error is {"detail": message}. A 422 with violations is the validation list
 * {"detail": [{"loc": [...], "msg": ..., "type": ...}]}, one entry per violation: loc is
 * where the field lives (body, query, path, header) followed by its path ("a.b[2]" gives
 * "a", "b", 2); msg and type come from the violation's machine rule through the table
 * below, and a rule the table does not know is a plain "value_error" with the violation's
 * own description. A body that is not JSON is FastAPI's JSONDecodeError entry: loc
 * ["body", <character offset>], type "value_error.jsondecode", Python's message. A body
 * Python reads but our parser refuses (NaN, a duplicate key, a lone surrogate escape,
 * \u0000, a byte order mark) is a "value_error.jsondecode" entry too, in our words, at the
 * key or value it names (["body"] when none): Python would not say anything, so there are
 * no Python words or offsets to copy. A number too large for us to hold is a "range" problem
 * of its field like any other ("value_error"). A body sent as another media type is what
 * pydantic says of the raw bytes FastAPI then validates: "value is not a valid dict". */
#include <stdlib.h>
#include <string.h>

#include "gateway/dialect_internal.h"
#include "json/transcode.h"

typedef enum { CTX_NONE, CTX_MINIMUM, CTX_MAXIMUM } ctx_kind_t;

/* Machine rule -> pydantic's error type and message. With a CTX_ bound, msg is a prefix
 * the bound follows, and the entry carries ctx {"limit_value": bound}. A NULL msg is the
 * violation's own description. */
static const struct fa_rule {
  const char *rule;
  const char *type;
  const char *msg;
  ctx_kind_t ctx;
} fa_rules[] = {
    {"required", "value_error.missing", "field required", CTX_NONE},
    {"not_null", "type_error.none.not_allowed", "none is not an allowed value", CTX_NONE},
    {"is_string", "type_error.str", "str type expected", CTX_NONE},
    {"is_integer", "type_error.integer", "value is not a valid integer", CTX_NONE},
    {"is_number", "type_error.float", "value is not a valid float", CTX_NONE},
    {"is_boolean", "type_error.bool", "value could not be parsed to a boolean", CTX_NONE},
    {"is_object", "type_error.dict", "value is not a valid dict", CTX_NONE},
    {"media_type", "type_error.dict", "value is not a valid dict", CTX_NONE},
    {"is_array", "type_error.list", "value is not a valid list", CTX_NONE},
    {"unknown_property", "value_error.extra", "extra fields not permitted", CTX_NONE},
    {"datetime", "value_error.datetime", "invalid datetime format", CTX_NONE},
    {"json_syntax", "value_error.jsondecode", NULL, CTX_NONE},
    {"minimum", "value_error.number.not_ge", "ensure this value is greater than or equal to ",
     CTX_MINIMUM},
    {"maximum", "value_error.number.not_le", "ensure this value is less than or equal to ",
     CTX_MAXIMUM},
};

static const char *const in_names[] = {
    [GW_IN_UNKNOWN] = NULL, [GW_IN_BODY] = "body",     [GW_IN_QUERY] = "query",
    [GW_IN_PATH] = "path",  [GW_IN_HEADER] = "header",
};

static const struct fa_rule *find_rule(const char *rule) {
  for (size_t i = 0; rule && i < sizeof(fa_rules) / sizeof(fa_rules[0]); i++)
    if (strcmp(fa_rules[i].rule, rule) == 0) return &fa_rules[i];
  return NULL;
}

/* The field path as loc elements: names as strings, "[n]" indexes as numbers. */
static int put_field_path(hg_buf_t *out, const char *f, int first) {
  int rc = 0;
  while (*f) {
    size_t n = strcspn(f, ".[");
    if (n) {
      rc |= first ? 0 : hg_buf_putc(out, ',');
      rc |= tc_write_string(out, f, n) ? -1 : 0;
      first = 0;
    }
    f += n;
    if (*f == '[') {
      char *end;
      long idx = strtol(f + 1, &end, 10);
      rc |= first ? 0 : hg_buf_putc(out, ',');
      rc |= hg_buf_printf(out, "%ld", idx);
      first = 0;
      f = *end == ']' ? end + 1 : end;
    } else if (*f == '.') {
      f++;
    }
  }
  return rc ? -1 : 0;
}

static int put_loc(hg_buf_t *out, const gw_where_t *w, const char *field) {
  const char *in =
      (unsigned)w->in < sizeof(in_names) / sizeof(in_names[0]) ? in_names[w->in] : NULL;
  int rc = hg_buf_puts(out, "\"loc\":[");
  if (in) rc |= gw__put_json_string(out, in);
  if (w->syntax.msg)
    rc |= hg_buf_printf(out, "%s%ld", in ? "," : "", w->syntax.pos);
  else
    rc |= put_field_path(out, field ? field : "", in == NULL);
  rc |= hg_buf_putc(out, ']');
  return rc ? -1 : 0;
}

/* {"loc":["body",P],"msg":"M: line L column C (char P)","type":"value_error.jsondecode",
 *  "ctx":{"msg":M,"doc":body,"pos":P,"lineno":L,"colno":C}} */
static int put_syntax_entry(hg_buf_t *out, const gw_where_t *w) {
  const gw_json_error_t *s = &w->syntax;
  hg_buf_t msg = HG_BUF_INIT;
  int rc =
      hg_buf_printf(&msg, "%s: line %ld column %ld (char %ld)", s->msg, s->line, s->col, s->pos);
  if (rc == 0) {
    rc |= hg_buf_putc(out, '{');
    rc |= put_loc(out, w, NULL);
    rc |= hg_buf_puts(out, ",\"msg\":");
    rc |= tc_write_string(out, msg.p, msg.n) ? -1 : 0;
    rc |= hg_buf_puts(out, ",\"type\":\"value_error.jsondecode\",\"ctx\":{\"msg\":");
    rc |= gw__put_json_string(out, s->msg);
    rc |= hg_buf_puts(out, ",\"doc\":");
    rc |= tc_write_string(out, w->doc.p ? w->doc.p : "", w->doc.n) ? -1 : 0;
    rc |=
        hg_buf_printf(out, ",\"pos\":%ld,\"lineno\":%ld,\"colno\":%ld}}", s->pos, s->line, s->col);
  }
  hg_buf_free(&msg);
  return rc ? -1 : 0;
}

/* The table's wording applies when the rule is known and, for a bound rule, the violation
 * carries its bound; otherwise the violation's own description is the message. */
static const struct fa_rule *worded_rule(const hg_violation_t *v, long long *bound) {
  const struct fa_rule *r = find_rule(v->rule);
  if (!r || r->ctx == CTX_NONE) return r;
  if (r->ctx == CTX_MINIMUM && v->has_minimum)
    *bound = v->minimum;
  else if (r->ctx == CTX_MAXIMUM && v->has_maximum)
    *bound = v->maximum;
  else
    return NULL;
  return r;
}

/* ,"msg":...,"type":...[,"ctx":{"limit_value":N}] of one violation. */
static int put_rule(hg_buf_t *out, const hg_violation_t *v) {
  long long bound = 0;
  const struct fa_rule *r = worded_rule(v, &bound);
  const char *desc = v->description && *v->description ? v->description : "invalid value";
  int rc = hg_buf_puts(out, ",\"msg\":");
  if (!r || !r->msg) {
    rc |= gw__put_json_string(out, desc);
    rc |= hg_buf_puts(out, ",\"type\":");
    rc |= gw__put_json_string(out, r ? r->type : "value_error");
    return rc ? -1 : 0;
  }
  rc |= hg_buf_putc(out, '"');
  rc |= hg_buf_puts(out, r->msg);
  rc |= r->ctx != CTX_NONE ? hg_buf_printf(out, "%lld", bound) : 0;
  rc |= hg_buf_puts(out, "\",\"type\":");
  rc |= gw__put_json_string(out, r->type);
  if (r->ctx != CTX_NONE) rc |= hg_buf_printf(out, ",\"ctx\":{\"limit_value\":%lld}", bound);
  return rc ? -1 : 0;
}

static int put_entry(hg_buf_t *out, const hg_violation_t *v, const gw_where_t *w) {
  if (w->syntax.msg) return put_syntax_entry(out, w);
  int rc = hg_buf_putc(out, '{');
  rc |= put_loc(out, w, v->field);
  rc |= put_rule(out, v);
  rc |= hg_buf_putc(out, '}');
  return rc ? -1 : 0;
}

int gw__render_fastapi(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out) {
  const hg_status_t *st = &e->st;
  size_t n = st->n_violations < HG_MAX_VIOLATIONS ? st->n_violations : HG_MAX_VIOLATIONS;
  int rc = hg_buf_puts(out, "{\"detail\":");
  if (http != 422 || n == 0) {
    rc |= gw__put_json_string(out, gw_dialect_message(d, st, http));
  } else {
    rc |= hg_buf_putc(out, '[');
    for (size_t i = 0; i < n; i++) {
      if (i) rc |= hg_buf_putc(out, ',');
      rc |= put_entry(out, &st->violations[i], &e->where[i]);
    }
    rc |= hg_buf_putc(out, ']');
  }
  rc |= hg_buf_putc(out, '}');
  return rc ? -1 : 0;
}
