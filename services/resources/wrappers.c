/* wrappers.c - the wrapper API's wrappers: create, list, get, delete (seed 003).
 *
 * Reads run in a read transaction; writes go through group commit and answer from their
 * completion, after the durable commit. A wrapper that still has resources cannot be
 * deleted (400), so a resource never points at a wrapper that is gone. */
#include <string.h>

#include "common/clock.h"
#include "resources/wrapper_api.h"

typedef Hangar__Resources__V1__CreateWrapperRequest create_req_t;
typedef Hangar__Resources__V1__ListWrappersRequest list_req_t;
typedef Hangar__Resources__V1__ListWrappersResponse list_resp_t;
typedef Hangar__Resources__V1__GetWrapperRequest get_req_t;
typedef Hangar__Resources__V1__DeleteWrapperRequest delete_req_t;
typedef Hangar__Resources__V1__Deleted deleted_t;

#define NOT_FOUND "Wrapper not found"

static const hg_rule_t create_rows[] = {
    {.field = "name", .kind = HG_RULE_PRESENT, .flags = HG_RULE_REQUIRED},
};
static const hg_rules_t create_rules = HG_RULES(&wr_rule_texts, create_rows);

static wrapper_t *new_wrapper(rpc_ctx_t *ctx, const create_req_t *req) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  wrapper_t *w = hg_arena_alloc(a, sizeof(*w));
  char *id = hg_arena_alloc(a, HG_OBJECTID_LEN);
  if (!w || !id) return NULL;
  hangar__resources__v1__wrapper__init(w);
  hg_objectid_next(&wr_svc(ctx)->ids, hg_now_ms() / 1000, id);
  w->id = id;
  w->name = req->name;
  w->description = req->description;
  w->created_at = hg_now_text(a);
  return w->created_at ? w : NULL;
}

static int create_write(store_txn_t *txn, store_call_t *c) {
  return wrapper_insert(txn, wr_svc(c->ctx)->wrapper_base, c->aux);
}

static const store_call_op_t create_op = {create_write, store_call_reply_aux,
                                          "Failed to create wrapper", NULL};

static void create_wrapper(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_scope_t body = {HG_RULES_CREATE, req->update_mask, NULL};
  hg_rules_check(&create_rules, &req->base, &body, rpc_ctx_arena(ctx), &st);
  if (hg_valid_or_fail(ctx, &st, WR_INVALID)) return;
  wrapper_t *w = new_wrapper(ctx, req);
  if (!w) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return;
  }
  wr_submit(ctx, &create_op, req, w);
}

static int read_page(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const hg_page_t *page = arg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  list_resp_t *resp = hg_arena_alloc(a, sizeof(*resp));
  wrapper_t **items = hg_arena_alloc(a, (size_t)page->size * sizeof(*items));
  if (!resp || !items) return STORE_ENOMEM;
  hangar__resources__v1__list_wrappers_response__init(resp);
  resp->wrappers = items;
  *answer = resp;
  return wrapper_page(txn, wr_svc(ctx)->wrapper_base, a, page->offset, (size_t)page->size, items,
                      &resp->n_wrappers);
}

static void list_wrappers(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  hg_page_t page;
  if (wr_page_or_fail(ctx, req->_skip_case != 0, req->skip, req->_limit_case != 0, req->limit,
                      &page))
    return;
  wr_read_reply(ctx, read_page, &page, NULL);
}

static void get_wrapper(rpc_ctx_t *ctx, const void *msg) {
  wr_get_reply(ctx, ((const get_req_t *)msg)->id, WR_T_WRAPPERS, NOT_FOUND);
}

/* result is the Deleted answer; its id is the canonical wrapper id. */
static int delete_write(store_txn_t *txn, store_call_t *c) {
  const deleted_t *d = c->aux;
  int base = wr_svc(c->ctx)->wrapper_base;
  wrapper_t *w;
  uint64_t n = 0;
  int rc = wrapper_load(txn, base, c->a, d->id, &w);
  if (rc == STORE_NOTFOUND) return store_call_refuse(c, HG_NOT_FOUND, NOT_FOUND);
  if (rc == 0) rc = wrapper_resource_count(txn, base, d->id, &n);
  if (rc) return rc;
  if (n > 0) {
    const char *m =
        hg_arena_sprintf(c->a, "Wrapper with ID '%s' has resources and cannot be deleted", d->id);
    return store_call_refuse(c, HG_FAILED_PRECONDITION, m ? m : "Wrapper has resources");
  }
  return wrapper_delete(txn, base, d->id);
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_wrapper(rpc_ctx_t *ctx, const void *msg) {
  wr_submit_delete(ctx, msg, ((const delete_req_t *)msg)->id, &delete_op);
}

const rpc_binding_t wr_wrapper_bindings[WR_N_WRAPPER_BINDINGS] = {
    {"CreateWrapper", create_wrapper, wr_admit_write},
    {"ListWrappers", list_wrappers, wr_admit_read},
    {"GetWrapper", get_wrapper, wr_admit_read},
    {"DeleteWrapper", delete_wrapper, wr_admit_write},
};
