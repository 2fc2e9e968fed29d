/* request.c - body, path and query binding onto the upstream request message.
 *
 * Path parameters are applied last so a client cannot retarget a call by putting
 * "project_id" in the body or the query of a project-scoped URL. */
#include "request.h"

#include <string.h>

#include "transcode.h"
#include "uri.h"

#define FIELD_PATH_MAX 256

int gw_invalid(hg_status_t *st, const gw_dialect_t *d, gw_text_t t, hg_arena_t *a,
               const char *field, const char *description) {
  hg_status_set(st, HG_INVALID_ARGUMENT, gw_dialect_text(d, t));
  const char *f = field ? hg_arena_strdup(a, field) : NULL;
  const char *desc = description ? hg_arena_strdup(a, description) : NULL;
  hg_status_violation(st, f ? f : "", "invalid", desc ? desc : "invalid value");
  return -1;
}

static int out_of_memory(hg_status_t *st, const gw_dialect_t *d) {
  hg_status_set(st, HG_INTERNAL, gw_dialect_text(d, GW_TEXT_INTERNAL));
  return -1;
}

static const char *tc_reason(const tc_error_t *err) {
  return err->reason[0] ? err->reason : tc_strerror(err->code);
}

static int bind_body(ProtobufCMessage *msg, hg_str_t body, const gw_dialect_t *d,
                     hg_arena_t *a, hg_status_t *st) {
  tc_opts_t opts = {.max_bytes = GW_MAX_BODY, .max_depth = 0};
  tc_error_t err;
  memset(&err, 0, sizeof(err));
  if (body.n == 0) body = HG_STR("{}");
  int rc = tc_decode(msg, body.p, body.n, &opts, a, &err);
  if (rc == 0) return 0;
  if (rc == TC_ENOMEM) return out_of_memory(st, d);
  return gw_invalid(st, d, GW_TEXT_BAD_BODY, a, err.field, tc_reason(&err));
}

/* A parameter that failed to decode is reported before anything else is looked at. */
static int check_path(const gw_match_t *m, const gw_dialect_t *d, hg_arena_t *a,
                      hg_status_t *st) {
  for (size_t i = 0; i < m->n_params; i++) {
    const gw_param_t *prm = &m->params[i];
    if (prm->err != GW_URI_OK)
      return gw_invalid(st, d, GW_TEXT_BAD_PATH, a, prm->name, gw_uri_strerror(prm->err));
  }
  return 0;
}

static int bind_path(ProtobufCMessage *msg, const gw_match_t *m, const gw_dialect_t *d,
                     hg_arena_t *a, hg_status_t *st) {
  for (size_t i = 0; i < m->n_params; i++) {
    const gw_param_t *prm = &m->params[i];
    tc_error_t err;
    memset(&err, 0, sizeof(err));
    int rc = tc_set_field_text(msg, prm->name, prm->value, prm->n, a, &err);
    if (rc == TC_ENOMEM) return out_of_memory(st, d);
    if (rc) return gw_invalid(st, d, GW_TEXT_BAD_PATH, a, prm->name, tc_reason(&err));
  }
  return 0;
}

static int is_path_field(const gw_match_t *m, const char *path) {
  for (size_t i = 0; i < m->n_params; i++)
    if (strcmp(m->params[i].name, path) == 0) return 1;
  return 0;
}

/* One query pair. Names that are not request fields are skipped (returns 0). */
static int bind_query_pair(ProtobufCMessage *msg, const gw_request_in_t *in, hg_str_t name,
                           hg_str_t value, const gw_dialect_t *d, hg_arena_t *a,
                           hg_status_t *st) {
  char path[FIELD_PATH_MAX];
  size_t nn, vn;
  char *dn = hg_arena_alloc(a, name.n + 1), *dv = hg_arena_alloc(a, value.n + 1);
  if (!dn || !dv) return out_of_memory(st, d);
  if (gw_uri_decode(name.p, name.n, GW_DECODE_QUERY, dn, &nn) != GW_URI_OK) return 0;
  if (gw_query_field_path(dn, nn, path, sizeof(path)) != 0) return 0;
  if (!tc_has_field(in->desc, path) || is_path_field(in->match, path)) return 0;
  int urc = gw_uri_decode(value.p, value.n, GW_DECODE_QUERY, dv, &vn);
  if (urc != GW_URI_OK) return gw_invalid(st, d, GW_TEXT_BAD_QUERY, a, dn, gw_uri_strerror(urc));
  tc_error_t err;
  memset(&err, 0, sizeof(err));
  int rc = tc_set_field_text(msg, path, dv, vn, a, &err);
  if (rc == TC_ENOMEM) return out_of_memory(st, d);
  return rc ? gw_invalid(st, d, GW_TEXT_BAD_QUERY, a, dn, tc_reason(&err)) : 0;
}

static int bind_query(ProtobufCMessage *msg, const gw_request_in_t *in, const gw_dialect_t *d,
                      hg_arena_t *a, hg_status_t *st) {
  hg_str_t rest = in->query, name, value;
  while (gw_query_next(&rest, &name, &value))
    if (bind_query_pair(msg, in, name, value, d, a, st)) return -1;
  return 0;
}

static int query_applies(const gw_request_in_t *in) {
  if (in->query_mode == GW_QUERY_IGNORE) return 0;
  return in->query_mode == GW_QUERY_FIELDS || in->body_mode == GW_BODY_NONE;
}

int gw_request_build(const gw_request_in_t *in, const gw_dialect_t *d, hg_arena_t *a,
                     ProtobufCMessage **out, hg_status_t *st) {
  if (check_path(in->match, d, a, st)) return -1;
  ProtobufCMessage *msg = tc_message_new(in->desc, a);
  if (!msg) return out_of_memory(st, d);
  if (in->body_mode == GW_BODY_ALL && bind_body(msg, in->body, d, a, st)) return -1;
  if (query_applies(in) && bind_query(msg, in, d, a, st)) return -1;
  if (bind_path(msg, in->match, d, a, st)) return -1;
  *out = msg;
  return 0;
}
