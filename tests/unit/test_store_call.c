/* test_store_call.c - the queued-write toolkit (storage/store_call) over real gRPC: a test
 * service whose one method queues the write its request names, against a store in a
 * temporary directory, and checks each answer a write can end in. */
#include "test_store_fixture.h"

#include "google/protobuf/empty.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "storage/store_call.h"

typedef Google__Protobuf__StringValue text_t;

#define PATH "/hangar.test.Toolkit/Write"
#define DELETE_PATH "/hangar.test.Toolkit/Delete" /* answers google.protobuf.Empty */
#define READ_PATH "/hangar.test.Toolkit/Read"     /* store_call_read of the request's key */
#define EMPTY RPC_PBC(&google__protobuf__empty__descriptor)
#define TEXT RPC_PBC(&google__protobuf__string_value__descriptor)

static const store_call_cfg_t answers = {
    .module = "test",
    .internal = "Internal failure",
    .not_found = "No such thing",
    .invalid = "Bad request",
};

static const store_call_cfg_t answers_internal = {
    .module = "test",
    .internal = "Internal failure",
    .codes = STORE_CALL_CODE_INTERNAL,
};

/* Puts the request's text as a key (a second put of one key: STORE_EXISTS). */
static int put_write(store_txn_t *txn, store_call_t *c) {
  const text_t *req = c->req;
  return store_put(txn, T_PLAIN, V(req->value), V("v"), NULL, STORE_PUT_NOOVERWRITE);
}

static int refuse_write(store_txn_t *txn, store_call_t *c) {
  (void)txn;
  return store_call_refuse(c, HG_FAILED_PRECONDITION, "Not now");
}

static int invalid_write(store_txn_t *txn, store_call_t *c) {
  (void)txn;
  hg_status_violation(&c->st, "name", "invalid", "must be a name");
  return store_call_refuse_invalid(c);
}

static int missing_write(store_txn_t *txn, store_call_t *c) {
  (void)c;
  store_val_t v;
  return store_get(txn, T_PLAIN, V("absent"), &v);
}

static int eio_write(store_txn_t *txn, store_call_t *c) {
  (void)txn, (void)c;
  return STORE_EIO;
}

static int full_write(store_txn_t *txn, store_call_t *c) {
  (void)txn, (void)c;
  return STORE_FULL;
}

/* What the writer reports for a write refused before it ran. */
static int busy_write(store_txn_t *txn, store_call_t *c) {
  (void)txn, (void)c;
  return STORE_BUSY;
}

static int expired_write(store_txn_t *txn, store_call_t *c) {
  (void)txn, (void)c;
  return STORE_EXPIRED;
}

static const store_call_op_t ops[] = {
    {put_write, store_call_reply_aux, NULL, NULL},
    {refuse_write, store_call_reply_aux, NULL, NULL},
    {invalid_write, store_call_reply_aux, NULL, NULL},
    {missing_write, store_call_reply_aux, NULL, NULL},
    {missing_write, store_call_reply_aux, NULL, "Op's own not found"},
    {eio_write, store_call_reply_aux, "Failed to write", NULL},
    {put_write, store_call_reply_aux, NULL, NULL},
    {put_write, store_call_reply_empty, NULL, NULL},
    {full_write, store_call_reply_aux, NULL, NULL},
    {full_write, store_call_reply_aux, "Failed to write", NULL},
    {busy_write, store_call_reply_aux, "Failed to write", NULL},
    {expired_write, store_call_reply_aux, "Failed to write", NULL},
};
enum {
  OP_PUT,
  OP_REFUSE,
  OP_INVALID,
  OP_MISSING,
  OP_MISSING_OWN,
  OP_EIO,
  OP_PUT_INTERNAL,
  OP_EMPTY,
  OP_FULL_INTERNAL,
  OP_FULL_FAILED,
  OP_BUSY,   /* requests ":x" */
  OP_EXPIRED /* requests ";x" */
};

/* The request names the op ("<digit>:<text>"); the answer echoes the text. */
static void handler(rpc_ctx_t *ctx, const void *msg) {
  const text_t *req = msg;
  int op = req->value[0] - '0';
  const store_call_cfg_t *cfg = op == OP_PUT_INTERNAL || op == OP_FULL_INTERNAL || op >= OP_BUSY
                                    ? &answers_internal
                                    : &answers;
  text_t *echo = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*echo));
  google__protobuf__string_value__init(echo);
  echo->value = req->value;
  store_call_start(ctx, rpc_ctx_server_data(ctx), cfg, &ops[op], req, echo);
}

/* Answers the value stored under the request's key. */
static int read_value(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const text_t *req = arg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  store_val_t v;
  text_t *out = hg_arena_alloc(a, sizeof(*out));
  int rc = out ? store_get(txn, T_PLAIN, V(req->value), &v) : STORE_ENOMEM;
  if (rc) return rc;
  google__protobuf__string_value__init(out);
  if (!(out->value = hg_arena_strndup(a, v.p, v.n))) return STORE_ENOMEM;
  *answer = out;
  return 0;
}

static void read_handler(rpc_ctx_t *ctx, const void *msg) {
  store_call_read(ctx, rpc_ctx_server_data(ctx), &answers, read_value, msg, "Read's not found");
}

static struct {
  store_t *store;
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  hg_arena_t *a;
} fx;

static void start(void) {
  char addr[64];
  setup();
  fx.store = open_store();
  fx.a = hg_arena_new();
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &fx.srv), 0);
  rpc_server_set_data(fx.srv, fx.store);
  ck_assert_int_eq(rpc_server_add_method(fx.srv, PATH, handler, rpc_admit_public, TEXT, TEXT), 0);
  ck_assert_int_eq(
      rpc_server_add_method(fx.srv, DELETE_PATH, handler, rpc_admit_public, TEXT, EMPTY), 0);
  ck_assert_int_eq(
      rpc_server_add_method(fx.srv, READ_PATH, read_handler, rpc_admit_public, TEXT, TEXT), 0);
  ck_assert_int_eq(rpc_server_start(fx.srv), 0);
  snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(fx.srv));
  ck_assert_int_eq(rpc_client_new(&fx.cli), 0);
  ck_assert_int_eq(rpc_channel_new(fx.cli, addr, &fx.ch), 0);
}

static void stop(void) {
  rpc_client_destroy(fx.cli);
  rpc_server_destroy(fx.srv, 1000);
  store_close(fx.store);
  hg_arena_free(fx.a);
  teardown();
}

/* Calls method path with text; returns the status code, *st and *out (the answer's text)
 * filled. */
static int call_at(const char *path, const char *value, hg_status_t *st, const char **out) {
  text_t req = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  req.value = (char *)value;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = fx.a};
  void *resp = NULL;
  hg_status_clear(st);
  int code = rpc_call_sync(fx.ch, path, TEXT, &req, TEXT, &o, st, &resp);
  *out = resp ? ((text_t *)resp)->value : NULL;
  return code;
}

/* Calls the write method: value names the op and the answer echoes it. */
static int call(const char *value, hg_status_t *st, const char **out) {
  return call_at(PATH, value, st, out);
}

START_TEST(test_store_call_commit_replies_aux) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("0:a", &st, &echo), HG_OK);
  ck_assert_str_eq(echo, "0:a");
  store_txn_t *txn;
  store_val_t v;
  ck_assert_int_eq(store_txn_begin_read(fx.store, &txn), 0);
  ck_assert_int_eq(store_get(txn, T_PLAIN, V("0:a"), &v), 0);
  store_txn_end(txn);
}
END_TEST

START_TEST(test_store_call_reply_empty) {
  text_t req = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  req.value = "7:e";
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = fx.a};
  hg_status_t st;
  void *resp = NULL;
  hg_status_clear(&st);
  ck_assert_int_eq(rpc_call_sync(fx.ch, DELETE_PATH, TEXT, &req, EMPTY, &o, &st, &resp), HG_OK);
  ck_assert_ptr_nonnull(resp);
}
END_TEST

START_TEST(test_store_call_refusal_answers_its_status) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("1:x", &st, &echo), HG_FAILED_PRECONDITION);
  ck_assert_str_eq(st.message, "Not now");
  ck_assert_uint_eq(st.n_violations, 0);
}
END_TEST

START_TEST(test_store_call_refuse_invalid_keeps_violations) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("2:x", &st, &echo), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "Bad request");
  ck_assert_uint_eq(st.n_violations, 1);
  ck_assert_str_eq(st.violations[0].field, "name");
}
END_TEST

START_TEST(test_store_call_store_error_maps_by_code) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("0:dup", &st, &echo), HG_OK);
  ck_assert_int_eq(call("0:dup", &st, &echo), HG_ALREADY_EXISTS);
  ck_assert_str_eq(st.message, "Internal failure");
}
END_TEST

START_TEST(test_store_call_codes_internal_ignores_store_code) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("6:dup", &st, &echo), HG_OK);
  ck_assert_int_eq(call("6:dup", &st, &echo), HG_INTERNAL);
  ck_assert_str_eq(st.message, "Internal failure");
}
END_TEST

/* A full store answers RESOURCE_EXHAUSTED with ErrorInfo reason STORE_FULL (the gateway's
 * 507) whatever the service chose for its other store failures. */
START_TEST(test_store_call_full_store_keeps_code_and_reason) {
  static const char *const requests[] = {"8:x", "9:x"};
  for (size_t i = 0; i < 2; i++) {
    hg_status_t st;
    const char *echo;
    ck_assert_int_eq(call(requests[i], &st, &echo), HG_RESOURCE_EXHAUSTED);
    ck_assert_str_eq(st.reason, "STORE_FULL");
  }
  ck_assert_str_eq(store_error_reason(STORE_FULL), "STORE_FULL");
  ck_assert_ptr_null(store_error_reason(STORE_EIO));
}
END_TEST

/* A full writer queue and a write dropped past its deadline are no store failure: they keep
 * their own codes (the gateway's 503 with Retry-After, and 504) whatever the service chose
 * for store failures, and even when the op has a "failed" text. */
START_TEST(test_store_call_busy_and_expired_keep_their_codes) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call(":x", &st, &echo), HG_UNAVAILABLE);
  ck_assert_int_eq(call(";x", &st, &echo), HG_DEADLINE_EXCEEDED);
}
END_TEST

START_TEST(test_store_call_not_found_texts) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("3:x", &st, &echo), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "No such thing");
  ck_assert_int_eq(call("4:x", &st, &echo), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Op's own not found");
}
END_TEST

START_TEST(test_store_call_failed_text_aborts) {
  hg_status_t st;
  const char *echo;
  ck_assert_int_eq(call("5:x", &st, &echo), HG_ABORTED);
  ck_assert_str_eq(st.message, "Failed to write");
}
END_TEST

START_TEST(test_store_call_read_answers_what_it_read) {
  hg_status_t st;
  const char *out;
  ck_assert_int_eq(call("0:k", &st, &out), HG_OK);
  ck_assert_int_eq(call_at(READ_PATH, "0:k", &st, &out), HG_OK);
  ck_assert_str_eq(out, "v");
}
END_TEST

START_TEST(test_store_call_read_not_found_uses_its_text) {
  hg_status_t st;
  const char *out;
  ck_assert_int_eq(call_at(READ_PATH, "absent", &st, &out), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Read's not found");
}
END_TEST

Suite *store_call_suite(void) {
  Suite *s = suite_create("store_call");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, start, stop);
  tcase_add_test(tc, test_store_call_commit_replies_aux);
  tcase_add_test(tc, test_store_call_reply_empty);
  tcase_add_test(tc, test_store_call_refusal_answers_its_status);
  tcase_add_test(tc, test_store_call_refuse_invalid_keeps_violations);
  tcase_add_test(tc, test_store_call_store_error_maps_by_code);
  tcase_add_test(tc, test_store_call_codes_internal_ignores_store_code);
  tcase_add_test(tc, test_store_call_full_store_keeps_code_and_reason);
  tcase_add_test(tc, test_store_call_busy_and_expired_keep_their_codes);
  tcase_add_test(tc, test_store_call_not_found_texts);
  tcase_add_test(tc, test_store_call_failed_text_aborts);
  tcase_add_test(tc, test_store_call_read_answers_what_it_read);
  tcase_add_test(tc, test_store_call_read_not_found_uses_its_text);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(store_call_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
