/* store_call.c - queued writes of a gRPC call and their answers. */
#include "storage/store_call.h"

#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "google/protobuf/empty.pb-c.h"

/* Neither is the store failing: a full queue (come back soon), or a write dropped because
 * its caller's deadline passed. Such errors keep their own code in every service. */
static int passing(int rc) {
  hg_code_t code = store_error_code(rc);
  return code == HG_UNAVAILABLE || code == HG_DEADLINE_EXCEEDED;
}

int store_call_fail(rpc_ctx_t *ctx, const store_call_cfg_t *cfg, int rc) {
  if (rc == STORE_NOTFOUND && cfg->not_found) {
    rpc_fail_code(ctx, HG_NOT_FOUND, cfg->not_found);
    return -1;
  }
  HG_ERROR_IN(cfg->module, rpc_ctx_log(ctx), "store: %s", store_strerror(rc));
  /* An error the store names (a full store) keeps its code and reason in every service, so
   * each surface answers it the same way (507); the rest follow the service's choice. */
  hg_status_t st;
  const char *reason = store_error_reason(rc);
  int by_error = cfg->codes == STORE_CALL_CODE_BY_ERROR || reason || passing(rc);
  hg_status_set(&st, by_error ? store_error_code(rc) : HG_INTERNAL, cfg->internal);
  st.reason = reason;
  rpc_fail(ctx, &st);
  return -1;
}

/* One read of either kind: exactly one of msg and encoded is set. */
typedef struct read_job {
  store_call_read_fn msg;
  store_call_read_encoded_fn encoded;
  const void *arg;
} read_job_t;

static void run_read(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg, const char *not_found,
                     const read_job_t *j) {
  store_call_cfg_t answers = *cfg;
  if (not_found) answers.not_found = not_found;
  void *answer = NULL;
  hg_buf_t out = {0};
  store_txn_t *txn;
  int rc = store_txn_begin_read(s, &txn);
  if (rc == 0) {
    rc = j->msg ? j->msg(txn, ctx, j->arg, &answer) : j->encoded(txn, ctx, j->arg, &out);
    store_txn_end(txn);
  }
  if (rc == 0 && !j->msg) {
    rpc_reply_encoded(ctx, out.p, out.n); /* takes the bytes */
    return;
  }
  if (rc != 0)
    store_call_fail(ctx, &answers, rc);
  else
    rpc_reply(ctx, answer);
  hg_buf_free(&out);
}

void store_call_read(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg,
                     store_call_read_fn read, const void *arg, const char *not_found) {
  run_read(ctx, s, cfg, not_found, &(read_job_t){.msg = read, .arg = arg});
}

void store_call_read_encoded(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg,
                             store_call_read_encoded_fn read, const void *arg,
                             const char *not_found) {
  run_read(ctx, s, cfg, not_found, &(read_job_t){.encoded = read, .arg = arg});
}

store_call_t *store_call_new(rpc_ctx_t *ctx, const store_call_cfg_t *cfg, size_t size) {
  store_call_t *c = hg_arena_alloc(rpc_ctx_arena(ctx), size);
  if (!c) {
    store_call_fail(ctx, cfg, STORE_ENOMEM);
    return NULL;
  }
  memset(c, 0, size);
  c->ctx = ctx;
  c->a = rpc_ctx_arena(ctx);
  c->cfg = cfg;
  hg_status_clear(&c->st);
  return c;
}

static int call_write(store_txn_t *txn, void *arg) {
  store_call_t *c = arg;
  return c->op->write(txn, c);
}

/* The write's failure in its op's words: not_found overrides the service's for this op. */
static void fail_write(store_call_t *c, int rc) {
  const store_call_op_t *op = c->op;
  if (op->failed && !store_error_reason(rc) && !passing(rc)) {
    HG_ERROR_IN(c->cfg->module, rpc_ctx_log(c->ctx), "store: %s", store_strerror(rc));
    rpc_fail_code(c->ctx, HG_ABORTED, op->failed);
    return;
  }
  store_call_cfg_t cfg = *c->cfg;
  if (op->not_found) cfg.not_found = op->not_found;
  store_call_fail(c->ctx, &cfg, rc);
}

static void call_done(void *arg, int rc) {
  store_call_t *c = arg;
  if (rc == 0)
    c->op->reply(c);
  else if (rc == STORE_CALL_REFUSED)
    rpc_fail(c->ctx, &c->st);
  else
    fail_write(c, rc);
}

void store_call_submit(store_call_t *c, store_t *s, const store_call_op_t *op, const void *req,
                       void *aux) {
  c->op = op;
  c->req = req;
  c->aux = aux;
  int64_t left = rpc_ctx_remaining_ms(c->ctx);
  store_write_opts_t opts = {.flags = c->write_flags, .deadline_ms = hg_monotonic_ms() + left};
  int rc = store_submit_opts(s, call_write, call_done, c, &opts);
  if (rc) store_call_fail(c->ctx, c->cfg, rc);
}

void store_call_start(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg,
                      const store_call_op_t *op, const void *req, void *aux) {
  store_call_t *c = store_call_new(ctx, cfg, sizeof(*c));
  if (c) store_call_submit(c, s, op, req, aux);
}

int store_call_refuse(store_call_t *c, hg_code_t code, const char *message) {
  hg_status_set(&c->st, code, message);
  return STORE_CALL_REFUSED;
}

int store_call_refuse_invalid(store_call_t *c) {
  c->st.code = HG_INVALID_ARGUMENT;
  c->st.message = c->cfg->invalid;
  return STORE_CALL_REFUSED;
}

static int store_serving(void *arg) { return !store_full(arg); }

void store_call_bind_health(rpc_server_t *srv, store_t *s) {
  rpc_server_set_health(srv, store_serving, s);
}

void store_call_reply_aux(store_call_t *c) { rpc_reply(c->ctx, c->aux); }

void store_call_reply_empty(store_call_t *c) {
  Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
  rpc_reply(c->ctx, &empty);
}
