/* wrapper_resources.c - the wrapper API's resources: create, list, get, patch, delete
 * (seed 003 + CONTRACTS.md).
 *
 * A resource belongs to an existing wrapper (400 "Wrapper with ID '<id>' does not exist"
 * otherwise) and its name is unique within the wrapper (400 "Resource with this identifier
 * already exists"). startPeriod/endPeriod are null until a PATCH sets them; they are stored
 * in one RFC 3339 form (UTC, milliseconds), and endPeriod may not precede startPeriod. */
#include <string.h>

#include "common/clock.h"
#include "resources/wrapper_api.h"

typedef Hangar__Resources__V1__CreateWrapperResourceRequest create_req_t;
typedef Hangar__Resources__V1__ListWrapperResourcesRequest list_req_t;
typedef Hangar__Resources__V1__ListWrapperResourcesResponse list_resp_t;
typedef Hangar__Resources__V1__GetWrapperResourceRequest get_req_t;
typedef Hangar__Resources__V1__PatchWrapperResourceRequest patch_req_t;
typedef Hangar__Resources__V1__DeleteWrapperResourceRequest delete_req_t;
typedef Google__Protobuf__StringValue string_value_t;

#define NOT_FOUND "Resource not found"
#define DUPLICATE "Resource with this identifier already exists"
#define INTERNAL "Internal server error"

static const char *const create_required[] = {"wrapper_id", "name", "type", NULL};
static const char *const patch_not_null[] = {"name", "type", NULL};

/* ---- create ----------------------------------------------------------------------------- */

/* The unknown-wrapper refusal, naming the id as the client sent it. */
static const char *no_wrapper(hg_arena_t *a, const char *wrapper_id) {
  const char *m = hg_arena_sprintf(a, "Wrapper with ID '%s' does not exist", wrapper_id);
  return m ? m : "Wrapper does not exist";
}

static int create_write(store_txn_t *txn, store_call_t *c) {
  const wres_t *r = c->aux;
  hg_arena_t *a = c->a;
  int base = wr_svc(c->ctx)->wrapper_base;
  wrapper_t *w;
  int rc = wrapper_load(txn, base, a, r->wrapper_id, &w);
  if (rc == STORE_NOTFOUND)
    return store_call_refuse(c, HG_FAILED_PRECONDITION,
                             no_wrapper(a, ((const create_req_t *)c->req)->wrapper_id));
  if (rc == 0) rc = wres_save(txn, base, a, r, STORE_PUT_NOOVERWRITE);
  return rc == STORE_EXISTS ? store_call_refuse(c, HG_ALREADY_EXISTS, DUPLICATE) : rc;
}

static const store_call_op_t create_op = {create_write, store_call_reply_aux,
                                          "Failed to create resource", NULL};

/* The new resource; wrapper_id canonical (lowercase) when it is an ObjectId. */
static wres_t *new_resource(rpc_ctx_t *ctx, const create_req_t *req, const char *wrapper_id) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  wres_t *r = hg_arena_alloc(a, sizeof(*r));
  char *id = hg_arena_alloc(a, HG_OBJECTID_LEN);
  char *wid = hg_arena_strdup(a, wrapper_id);
  if (!r || !id || !wid) return NULL;
  hangar__resources__v1__wrapper_resource__init(r);
  hg_objectid_next(&wr_svc(ctx)->ids, hg_now_ms() / 1000, id);
  r->id = id;
  r->wrapper_id = wid;
  r->name = req->name;
  r->type = req->type;
  return r;
}

static void create_resource(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  char wid[HG_OBJECTID_LEN];
  hg_status_t st;
  hg_status_clear(&st);
  wr_require(&req->base, req->update_mask, create_required, &st);
  if (hg_valid_or_fail(ctx, &st, WR_INVALID)) return;
  if (hg_objectid_parse(req->wrapper_id, wid) != 0) { /* cannot name a wrapper */
    rpc_fail_code(ctx, HG_FAILED_PRECONDITION, no_wrapper(rpc_ctx_arena(ctx), req->wrapper_id));
    return;
  }
  wres_t *r = new_resource(ctx, req, wid);
  if (!r) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return;
  }
  wr_submit(ctx, &create_op, req, r);
}

/* ---- reads ------------------------------------------------------------------------------ */

/* A wrapper_id filter that is no ObjectId matches nothing: the page is empty. */
static void list_resources(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  hg_page_t page;
  char wid[HG_OBJECTID_LEN];
  if (wr_page_or_fail(ctx, req->_skip_case != 0, req->skip, req->_limit_case != 0, req->limit,
                      &page))
    return;
  list_resp_t resp = HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_RESPONSE__INIT;
  int filtered = req->_wrapper_id_case != 0;
  if (filtered && hg_objectid_parse(req->wrapper_id, wid) != 0) {
    rpc_reply(ctx, &resp);
    return;
  }
  hg_arena_t *a = rpc_ctx_arena(ctx);
  resp.resources = hg_arena_alloc(a, (size_t)page.size * sizeof(*resp.resources));
  store_txn_t *txn;
  int rc = resp.resources ? store_txn_begin_read(wr_svc(ctx)->store, &txn) : STORE_ENOMEM;
  if (rc == 0) {
    rc = wres_page(txn, wr_svc(ctx)->wrapper_base, a, filtered ? wid : NULL, page.offset,
                   (size_t)page.size, resp.resources, &resp.n_resources);
    store_txn_end(txn);
  }
  wr_answer_read(ctx, rc, &resp, NULL);
}

static void get_resource(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  char id[HG_OBJECTID_LEN];
  if (wr_path_id_or_fail(ctx, req->id, id)) return;
  wres_t *r = NULL;
  store_txn_t *txn;
  int rc = store_txn_begin_read(wr_svc(ctx)->store, &txn);
  if (rc == 0) {
    rc = wres_load(txn, wr_svc(ctx)->wrapper_base, rpc_ctx_arena(ctx), id, &r);
    store_txn_end(txn);
  }
  wr_answer_read(ctx, rc, r, NOT_FOUND);
}

/* ---- patch ------------------------------------------------------------------------------ */

/* A PATCH after validation: the canonical id and periods (NULL when not in the body, or
 * sent as null). */
typedef struct patch {
  const patch_req_t *req;
  char id[HG_OBJECTID_LEN];
  string_value_t *start, *end;
} patch_t;

/* Digits s[0..n) as a number, or -1 unless all n are ASCII digits. */
static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Is s an RFC 3339 date-time (section 5.6): "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)",
 * two-digit fields, a day that exists in its month (no "2025-02-30" rolled over into
 * March), T and Z in either case? Second 60 is the leap second RFC 3339 allows. */
static int rfc3339_date_time(const char *s) {
  size_t n = strlen(s);
  if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':')
    return 0;
  int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
  int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
      mi < 0 || mi > 59 || sec < 0 || sec > 60)
    return 0;
  const char *p = s + 19;
  if (*p == '.') {
    const char *f = ++p;
    while (*p >= '0' && *p <= '9') p++;
    if (p == f) return 0;
  }
  if ((*p == 'Z' || *p == 'z') && p[1] == '\0') return 1;
  if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':') return 0;
  int oh = digits(p + 1, 2), om = digits(p + 4, 2);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

/* A period from the body in the stored form, or a "datetime" violation; NULL stays NULL. */
static string_value_t *period(hg_arena_t *a, const char *field, const string_value_t *in,
                              hg_status_t *st, int *oom) {
  int64_t ms;
  char text[HG_RFC3339_LEN];
  if (!in) return NULL;
  if (!rfc3339_date_time(in->value) || hg_time_parse_rfc3339(in->value, &ms) != 0 || ms < 0) {
    hg_status_violation(st, field, "datetime", "invalid datetime format");
    return NULL;
  }
  hg_time_rfc3339(ms, text);
  string_value_t *out = hg_arena_alloc(a, sizeof(*out));
  char *copy = hg_arena_strdup(a, text);
  if (!out || !copy) {
    *oom = 1;
    return NULL;
  }
  google__protobuf__string_value__init(out);
  out->value = copy;
  return out;
}

static int64_t period_ms(const string_value_t *v) {
  int64_t ms = 0;
  hg_time_parse_rfc3339(v->value, &ms); /* stored in canonical form: always parses */
  return ms;
}

/* Applies the body's keys to r; refuses an endPeriod before the startPeriod. */
static int apply_patch(store_call_t *c, const patch_t *p, wres_t *r) {
  const patch_req_t *req = p->req;
  if (hg_mask_has(req->update_mask, "name")) r->name = req->name;
  if (hg_mask_has(req->update_mask, "type")) r->type = req->type;
  if (hg_mask_has(req->update_mask, "startPeriod")) r->startperiod = p->start;
  if (hg_mask_has(req->update_mask, "endPeriod")) r->endperiod = p->end;
  if (!r->startperiod || !r->endperiod || period_ms(r->endperiod) >= period_ms(r->startperiod))
    return 0;
  hg_status_violation(&c->st, "endPeriod", "invalid", "endPeriod must not be before startPeriod");
  return store_call_refuse_invalid(c);
}

static int patch_write(store_txn_t *txn, store_call_t *c) {
  const patch_t *p = c->req;
  int base = wr_svc(c->ctx)->wrapper_base;
  wres_t *r;
  int rc = wres_load(txn, base, c->a, p->id, &r);
  if (rc == STORE_NOTFOUND) return store_call_refuse(c, HG_NOT_FOUND, NOT_FOUND);
  if (rc == 0 && (rc = apply_patch(c, p, r)) == 0) rc = wres_save(txn, base, c->a, r, 0);
  if (rc == STORE_EXISTS) return store_call_refuse(c, HG_ALREADY_EXISTS, DUPLICATE);
  c->aux = r;
  return rc;
}

static const store_call_op_t patch_op = {patch_write, store_call_reply_aux, NULL, NULL};

/* Checks the path id and the body before queueing: a malformed id, null names/types,
 * periods that are not RFC 3339, all listed together (path first) as FastAPI lists them. */
static patch_t *validate_patch_or_fail(rpc_ctx_t *ctx, const patch_req_t *req) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  patch_t *p = hg_arena_alloc(a, sizeof(*p));
  int oom = !p;
  hg_status_t st;
  hg_status_clear(&st);
  if (p && hg_objectid_parse(req->id, p->id) != 0)
    hg_status_violation(&st, "id", "invalid", "Invalid objectid");
  wr_forbid_null(&req->base, req->update_mask, patch_not_null, &st);
  if (p) {
    p->req = req;
    p->start = period(a, "startPeriod", req->startperiod, &st, &oom);
    p->end = period(a, "endPeriod", req->endperiod, &st, &oom);
  }
  if (oom)
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
  else if (st.n_violations)
    hg_fail_invalid(ctx, &st, WR_INVALID);
  return oom || st.n_violations ? NULL : p;
}

static void patch_resource(rpc_ctx_t *ctx, const void *msg) {
  patch_t *p = validate_patch_or_fail(ctx, msg);
  if (p) wr_submit(ctx, &patch_op, p, NULL);
}

/* ---- delete ----------------------------------------------------------------------------- */

static int delete_write(store_txn_t *txn, store_call_t *c) {
  const Hangar__Resources__V1__Deleted *d = c->aux;
  int rc = wres_delete(txn, wr_svc(c->ctx)->wrapper_base, d->id);
  return rc == STORE_NOTFOUND ? store_call_refuse(c, HG_NOT_FOUND, NOT_FOUND) : rc;
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_resource(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  char id[HG_OBJECTID_LEN];
  if (wr_path_id_or_fail(ctx, req->id, id)) return;
  wr_submit_delete(ctx, req, id, &delete_op);
}

const rpc_binding_t wr_resource_bindings[WR_N_RESOURCE_BINDINGS] = {
    {"CreateResource", create_resource, wr_admit_write},
    {"ListResources", list_resources, wr_admit_read},
    {"GetResource", get_resource, wr_admit_read},
    {"PatchResource", patch_resource, wr_admit_write},
    {"DeleteResource", delete_resource, wr_admit_write},
};
