/* request.c - body, path and query binding onto the upstream request message, and the way
 * back: which part of the request a violation's field came from.
 *
 * Path parameters are applied last so a client cannot retarget a call by putting
 * "project_id" in the body or the query of a project-scoped URL. */
#include "gateway/request.h"

#include <stdio.h>
#include <string.h>

#include "gateway/media.h"
#include "json/transcode.h"
#include "gateway/uri.h"

#define FIELD_PATH_MAX 256

/* Appends a violation in place `in` to e, field and description copied into a (a copy that
 * fails gives "" and "invalid value"); nothing when e already holds HG_MAX_VIOLATIONS. */
static void add_violation(gw_error_t *e, hg_arena_t *a, gw_in_t in, const char *field,
                          const char *rule, const char *description) {
  size_t i = e->st.n_violations;
  const char *f = field ? hg_arena_strdup(a, field) : NULL;
  const char *desc = description ? hg_arena_strdup(a, description) : NULL;
  if (hg_status_violation(&e->st, f ? f : "", rule, desc ? desc : "invalid value"))
    e->where[i].in = in;
}

int gw_invalid(gw_error_t *e, const gw_dialect_t *d, gw_text_t t, gw_in_t in, hg_arena_t *a,
               const char *field, const char *description) {
  gw_error_init(e);
  hg_status_set(&e->st, HG_INVALID_ARGUMENT, gw_dialect_text(d, t));
  add_violation(e, a, in, field, "invalid", description);
  return -1;
}

static int out_of_memory(gw_error_t *e, const gw_dialect_t *d) {
  gw_error_init(e);
  hg_status_set(&e->st, HG_INTERNAL, gw_dialect_text(d, GW_TEXT_INTERNAL));
  return -1;
}

static const char *tc_reason(const tc_error_t *err) {
  return err->reason[0] ? err->reason : tc_strerror(err->code);
}

/* The machine rule of a transcoder error; a wrong type names the type it wanted, with the
 * rule names Konnect's invalid_parameters use ("is_string" ...). */
static const struct {
  int code;
  const char *rule;
} tc_rules[] = {
    {TC_ESYNTAX, "json_syntax"},
    {TC_EUTF8, "utf8"},
    {TC_EDEPTH, "depth"},
    {TC_ETOOBIG, "too_big"},
    {TC_ERANGE, "range"},
    {TC_EENUM, "enum"},
    {TC_EUNKNOWN_FIELD, "unknown_property"},
    {TC_ENOTOBJECT, "is_object"},
};
static const struct {
  const char *expected;
  const char *rule;
} type_rules[] = {
    {"string", "is_string"},   {"integer", "is_integer"}, {"number", "is_number"},
    {"boolean", "is_boolean"}, {"object", "is_object"},   {"array", "is_array"},
};

static const char *tc_rule(const tc_error_t *err) {
  for (size_t i = 0; err->code == TC_ETYPE && i < sizeof(type_rules) / sizeof(type_rules[0]); i++)
    if (strcmp(err->expected, type_rules[i].expected) == 0) return type_rules[i].rule;
  for (size_t i = 0; i < sizeof(tc_rules) / sizeof(tc_rules[0]); i++)
    if (tc_rules[i].code == err->code) return tc_rules[i].rule;
  return "invalid";
}

/* A transcoder refusal of field text in place `in`: gw_invalid with the error's rule. */
static int tc_invalid(gw_error_t *e, const gw_dialect_t *d, gw_text_t t, gw_in_t in, hg_arena_t *a,
                      const char *field, const tc_error_t *err) {
  gw_invalid(e, d, t, in, a, field, tc_reason(err));
  e->st.violations[0].rule = tc_rule(err);
  return -1;
}

/* Did the JSON parser refuse the text (rather than the walk a value)? Invalid UTF-8 and
 * nesting past our limit are left out: Python's scanner cannot be replayed over the one, and
 * reads the other, which FastAPI then answers 400 (the dialect's rule_http). */
static int parser_refused(const tc_error_t *err) {
  return err->position >= 0 && (err->code == TC_ESYNTAX || err->code == TC_ERANGE);
}

/* The transcoder's errors as violations of the body, in its order. A body Python's json
 * module cannot read either also carries Python's complaint and place (FastAPI's words);
 * one Python reads (NaN, a duplicate key ...) is just the transcoder's words and field. */
static int body_invalid(gw_error_t *e, const gw_dialect_t *d, hg_arena_t *a, hg_str_t body,
                        const tc_error_t *errs, size_t n) {
  gw_error_init(e);
  hg_status_set(&e->st, HG_INVALID_ARGUMENT, gw_dialect_text(d, GW_TEXT_BAD_BODY));
  for (size_t i = 0; i < n; i++)
    add_violation(e, a, GW_IN_BODY, errs[i].field, tc_rule(&errs[i]), tc_reason(&errs[i]));
  if (n == 1 && parser_refused(&errs[0]) && gw_json_syntax(body.p, body.n, &e->where[0].syntax))
    e->where[0].doc = body;
  return -1;
}

/* A body refused as a whole, before it is read: one violation of the body with this rule. */
static int body_refused(gw_error_t *e, const gw_dialect_t *d, gw_text_t t, hg_arena_t *a,
                        const char *rule, const char *description) {
  gw_invalid(e, d, t, GW_IN_BODY, a, "", description);
  e->st.violations[0].rule = rule;
  return -1;
}

/* Is the body sent as the row wants it (route.h: GW_ROUTE_JSON_ONLY, GW_ROUTE_UNTYPED_JSON)? */
static int media_ok(const gw_request_in_t *in) {
  int untyped = (in->flags & GW_ROUTE_UNTYPED_JSON) != 0;
  if (!(in->flags & GW_ROUTE_JSON_ONLY) || (untyped && in->body.n == 0)) return 1;
  if (!in->content_type) return untyped || in->body.n == 0;
  return gw_media_is_json(in->content_type);
}

/* *out: the route's path parameter names (NULL-terminated, in a) when the body may not name
 * them, NULL when it may. 0, or -1 on allocation failure. */
static int path_keys(const gw_request_in_t *in, hg_arena_t *a, const char *const **out) {
  const gw_match_t *m = in->match;
  *out = NULL;
  if (!(in->flags & GW_ROUTE_PATH_NOT_IN_BODY) || m->n_params == 0) return 0;
  const char **keys = hg_arena_alloc(a, (m->n_params + 1) * sizeof(*keys));
  if (!keys) return -1;
  for (size_t i = 0; i < m->n_params; i++) keys[i] = m->params[i].name;
  keys[m->n_params] = NULL;
  *out = keys;
  return 0;
}

static int bind_body(ProtobufCMessage *msg, const gw_request_in_t *in, const gw_dialect_t *d,
                     hg_arena_t *a, gw_error_t *e) {
  hg_str_t body = in->body;
  tc_opts_t opts = {.max_bytes = GW_MAX_BODY, .max_depth = 0, .body_field = in->body_field};
  tc_error_t errs[HG_MAX_VIOLATIONS];
  size_t n;
  if (!media_ok(in))
    return body_refused(e, d, GW_TEXT_MEDIA_TYPE, a, "media_type",
                        "the body must be sent as JSON (application/json)");
  if (body.n == 0 && (in->flags & GW_ROUTE_BODY_REQUIRED))
    return body_refused(e, d, GW_TEXT_BAD_BODY, a, "required", "a request body is required");
  if (path_keys(in, a, &opts.reject_keys) != 0) return out_of_memory(e, d);
  if (body.n == 0) body = HG_STR("{}");
  int rc = tc_decode_all(msg, body.p, body.n, &opts, a, errs, HG_MAX_VIOLATIONS, &n);
  if (rc == 0) return 0;
  if (rc == TC_ENOMEM) return out_of_memory(e, d);
  return body_invalid(e, d, a, body, errs, n);
}

/* A parameter that failed to decode is reported before anything else is looked at. */
static int check_path(const gw_match_t *m, const gw_dialect_t *d, hg_arena_t *a, gw_error_t *e) {
  for (size_t i = 0; i < m->n_params; i++) {
    const gw_param_t *prm = &m->params[i];
    if (prm->err != GW_URI_OK)
      return gw_invalid(e, d, GW_TEXT_BAD_PATH, GW_IN_PATH, a, prm->name,
                        gw_uri_strerror(prm->err));
  }
  return 0;
}

static int bind_path(ProtobufCMessage *msg, const gw_match_t *m, const gw_dialect_t *d,
                     hg_arena_t *a, gw_error_t *e) {
  for (size_t i = 0; i < m->n_params; i++) {
    const gw_param_t *prm = &m->params[i];
    tc_error_t err;
    memset(&err, 0, sizeof(err));
    int rc = tc_set_field_text(msg, prm->name, prm->value, prm->n, a, &err);
    if (rc == TC_ENOMEM) return out_of_memory(e, d);
    if (rc) return tc_invalid(e, d, GW_TEXT_BAD_PATH, GW_IN_PATH, a, prm->name, &err);
  }
  return 0;
}

/* Is field path `path` the parameter `name`, or inside it ("name.x", "name[0]")? */
static int within(const char *path, const char *name) {
  size_t n = strlen(name);
  return strncmp(path, name, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

static int is_path_field(const gw_match_t *m, const char *path) {
  for (size_t i = 0; i < m->n_params; i++)
    if (within(path, m->params[i].name)) return 1;
  return 0;
}

/* One query pair's field path into path (cap FIELD_PATH_MAX) and its decoded name into dn
 * (room for name.n + 1). 0, or -1 for a name that is no field path. */
static int query_path(hg_str_t name, char *dn, char *path) {
  size_t nn;
  if (gw_uri_decode(name.p, name.n, GW_DECODE_QUERY, dn, &nn) != GW_URI_OK) return -1;
  return gw_query_field_path(dn, nn, path, FIELD_PATH_MAX) ? -1 : 0;
}

/* A name that stops at a message having the route's query_member goes on to that member:
 * with "eq", filter[name] binds filter.name.eq. */
static void member_path(const gw_request_in_t *in, char *path) {
  char longer[FIELD_PATH_MAX];
  if (!in->query_member) return;
  int n = snprintf(longer, sizeof(longer), "%s.%s", path, in->query_member);
  if (n > 0 && (size_t)n < sizeof(longer) && tc_has_field(in->desc, longer))
    memcpy(path, longer, (size_t)n + 1);
}

/* One query pair. Names that are not request fields are skipped (returns 0). */
static int bind_query_pair(ProtobufCMessage *msg, const gw_request_in_t *in, hg_str_t name,
                           hg_str_t value, const gw_dialect_t *d, hg_arena_t *a, gw_error_t *e) {
  char path[FIELD_PATH_MAX];
  size_t vn;
  char *dn = hg_arena_alloc(a, name.n + 1), *dv = hg_arena_alloc(a, value.n + 1);
  if (!dn || !dv) return out_of_memory(e, d);
  if (query_path(name, dn, path) != 0) return 0;
  member_path(in, path);
  if (!tc_has_field(in->desc, path) || is_path_field(in->match, path)) return 0;
  int urc = gw_uri_decode(value.p, value.n, GW_DECODE_QUERY, dv, &vn);
  if (urc != GW_URI_OK)
    return gw_invalid(e, d, GW_TEXT_BAD_QUERY, GW_IN_QUERY, a, dn, gw_uri_strerror(urc));
  tc_error_t err;
  memset(&err, 0, sizeof(err));
  int rc = tc_set_field_text(msg, path, dv, vn, a, &err);
  if (rc == TC_ENOMEM) return out_of_memory(e, d);
  return rc ? tc_invalid(e, d, GW_TEXT_BAD_QUERY, GW_IN_QUERY, a, dn, &err) : 0;
}

static int bind_query(ProtobufCMessage *msg, const gw_request_in_t *in, const gw_dialect_t *d,
                      hg_arena_t *a, gw_error_t *e) {
  hg_str_t rest = in->query, name, value;
  while (gw_query_next(&rest, &name, &value))
    if (bind_query_pair(msg, in, name, value, d, a, e)) return -1;
  return 0;
}

/* A route's preset is the route's own text: a failure to set it is the route's bug, 500. */
static int bind_preset(ProtobufCMessage *msg, const gw_request_in_t *in, const gw_dialect_t *d,
                       hg_arena_t *a, gw_error_t *e) {
  tc_error_t err;
  memset(&err, 0, sizeof(err));
  const char *v = in->preset_value ? in->preset_value : "";
  return tc_set_field_text(msg, in->preset_field, v, strlen(v), a, &err) ? out_of_memory(e, d) : 0;
}

static int query_applies(const gw_request_in_t *in) {
  if (in->query_mode == GW_QUERY_IGNORE) return 0;
  return in->query_mode == GW_QUERY_FIELDS || in->body_mode == GW_BODY_NONE;
}

int gw_request_build(const gw_request_in_t *in, const gw_dialect_t *d, hg_arena_t *a,
                     ProtobufCMessage **out, gw_error_t *e) {
  if (check_path(in->match, d, a, e)) return -1;
  ProtobufCMessage *msg = tc_message_new(in->desc, a);
  if (!msg) return out_of_memory(e, d);
  if (in->body_mode == GW_BODY_ALL && bind_body(msg, in, d, a, e)) return -1;
  if (query_applies(in) && bind_query(msg, in, d, a, e)) return -1;
  if (in->preset_field && bind_preset(msg, in, d, a, e)) return -1;
  if (bind_path(msg, in->match, d, a, e)) return -1;
  *out = msg;
  return 0;
}

/* ---- the way back ----------------------------------------------------------------------- */

/* Does the query string carry a parameter that binds field (or a field inside it)? Names
 * too long to be a field path cannot. */
static int query_names(hg_str_t query, const char *field) {
  hg_str_t rest = query, name, value;
  char dn[FIELD_PATH_MAX], path[FIELD_PATH_MAX];
  while (gw_query_next(&rest, &name, &value))
    if (name.n < sizeof(dn) && query_path(name, dn, path) == 0 && within(field, path)) return 1;
  return 0;
}

static gw_in_t place_of(const gw_request_in_t *in, const char *field) {
  if (*field && is_path_field(in->match, field)) return GW_IN_PATH;
  if (query_applies(in) && *field && query_names(in->query, field)) return GW_IN_QUERY;
  if (in->body_mode == GW_BODY_ALL) return GW_IN_BODY;
  return query_applies(in) && *field ? GW_IN_QUERY : GW_IN_UNKNOWN;
}

void gw_request_locate(const gw_request_in_t *in, gw_error_t *e) {
  for (size_t i = 0; i < e->st.n_violations && i < HG_MAX_VIOLATIONS; i++)
    if (e->where[i].in == GW_IN_UNKNOWN)
      e->where[i].in = place_of(in, e->st.violations[i].field ? e->st.violations[i].field : "");
}
