/* test_rpc_wire.c - the walk before unpacking (common/rpc/rpc_wire.c: nesting depth, UTF-8), through
 * rpc_codec_decode() and through a real server, where a too-deep request must be refused
 * before admission and the server must keep serving. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/empty.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "rpc/rpc.h"
#include "test_run.h"

#include "test_run.h"

#define DEEP_PATH "/hangar.test.Deep/Take"
#define STRUCT RPC_PBC(&google__protobuf__struct__descriptor)
#define EMPTY RPC_PBC(&google__protobuf__empty__descriptor)

/* The wire bytes of a google.protobuf.Struct nested `levels` JSON objects deep:
 * {"a": {"a": ... {}}}. Each level is three messages (Struct, map entry, Value), so its
 * message depth is 3 * levels - 2. Built from the inside out at the end of a buffer, since
 * each level's length prefix depends on what it wraps. Free with free(); *n is the length. */
static uint8_t *nested_struct(int levels, size_t *n) {
  size_t cap = (size_t)levels * 16 + 16, len = 0;
  uint8_t *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  uint8_t *end = buf + cap;
#define PUT(byte) (*(end - ++len) = (uint8_t)(byte))
#define PUT_LEN(v)                                                                                 \
  do {                                                                                             \
    uint8_t tmp[10];                                                                               \
    size_t k = 0;                                                                                  \
    uint64_t x = (v);                                                                              \
    do {                                                                                           \
      tmp[k++] = (uint8_t)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));                                    \
      x >>= 7;                                                                                     \
    } while (x);                                                                                   \
    while (k) PUT(tmp[--k]);                                                                       \
  } while (0)
  for (int i = 1; i < levels; i++) {
    size_t inner = len; /* the Struct one level down */
    PUT_LEN(inner);
    PUT(0x2a);    /* Value.struct_value = 5 */
    PUT_LEN(len); /* the Value */
    PUT(0x12);    /* entry.value = 2 */
    PUT('a');
    PUT(0x01);
    PUT(0x0a); /* entry.key = 1, "a" */
    PUT_LEN(len);
    PUT(0x0a); /* Struct.fields = 1 */
  }
#undef PUT
#undef PUT_LEN
  memmove(buf, end - len, len);
  *n = len;
  return buf;
}

static int decode_levels(int levels) {
  size_t n;
  uint8_t *p = nested_struct(levels, &n);
  hg_arena_t *a = hg_arena_new();
  void *msg = NULL;
  int rc = rpc_codec_decode(STRUCT, p, n, a, &msg);
  hg_arena_free(a);
  free(p);
  return rc;
}

START_TEST(test_decode_accepts_64_json_levels_and_up_to_the_limit) {
  ck_assert_int_eq(decode_levels(1), 0);
  ck_assert_int_eq(decode_levels(64), 0); /* depth 190: what a 64-deep JSON body becomes */
  ck_assert_int_eq(decode_levels(67), 0); /* depth 199 */
}
END_TEST

START_TEST(test_decode_refuses_deeper_nesting_before_unpacking) {
  ck_assert_int_eq(decode_levels(68), RPC_DECODE_TOO_DEEP); /* depth 202 */
  ck_assert_int_eq(decode_levels(10000), RPC_DECODE_TOO_DEEP);
}
END_TEST

START_TEST(test_decode_refuses_strings_and_keys_that_are_not_utf8) {
  /* Struct {"\xff": {}}: a map key; then Value.string_value "\xc0\xaf" (overlong). */
  static const uint8_t bad_key[] = {0x0a, 0x05, 0x0a, 0x01, 0xff, 0x12, 0x00};
  static const uint8_t bad_value[] = {0x1a, 0x02, 0xc0, 0xaf};
  static const uint8_t good_value[] = {0x1a, 0x02, 0xc3, 0xa9};
  hg_arena_t *a = hg_arena_new();
  void *msg = NULL;
  ck_assert_int_eq(rpc_codec_decode(STRUCT, bad_key, sizeof bad_key, a, &msg), RPC_DECODE_BAD_UTF8);
  ck_assert_int_eq(rpc_codec_decode(RPC_PBC(&google__protobuf__value__descriptor), bad_value,
                                    sizeof bad_value, a, &msg),
                   RPC_DECODE_BAD_UTF8);
  ck_assert_int_eq(rpc_codec_decode(RPC_PBC(&google__protobuf__value__descriptor), good_value,
                                    sizeof good_value, a, &msg),
                   0);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_decode_refuses_truncated_wire_and_skips_unknown_fields) {
  static const uint8_t truncated[] = {0x0a, 0x05, 0x0a};
  static const uint8_t unknown[] = {0x78, 0x01, 0x82, 0x01, 0x02, 0x01, 0x02}; /* 15, 16 */
  hg_arena_t *a = hg_arena_new();
  void *msg = NULL;
  ck_assert_int_eq(rpc_codec_decode(STRUCT, truncated, sizeof truncated, a, &msg),
                   RPC_DECODE_MALFORMED);
  ck_assert_int_eq(rpc_codec_decode(STRUCT, unknown, sizeof unknown, a, &msg), 0);
  hg_arena_free(a);
}
END_TEST

static atomic_int admits, handled;

static int count_admit(rpc_ctx_t *ctx, const void *req) {
  (void)ctx;
  (void)req;
  atomic_fetch_add(&admits, 1);
  return 0;
}

static void take(rpc_ctx_t *ctx, const void *req) {
  static const Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
  (void)req;
  atomic_fetch_add(&handled, 1);
  rpc_reply(ctx, &empty);
}

/* Calls DEEP_PATH with a Struct `levels` deep, sent as raw bytes: an unknown-field record
 * under Struct's own field number 1, which protobuf-c packs verbatim, so the client never
 * builds (or recursively packs) the deep tree itself. */
static int call_levels(rpc_channel_t *ch, int levels, hg_status_t *st) {
  size_t n;
  uint8_t *p = nested_struct(levels, &n);
  ck_assert_uint_ge(n, 2);
  /* protobuf-c writes an unknown field as its tag and then data verbatim, so data keeps
   * the length prefix: everything after the Struct's own first tag byte (0x0a). */
  ProtobufCMessageUnknownField raw = {
      .tag = 1, .wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED, .len = n - 1, .data = p + 1};
  Google__Protobuf__Struct req = GOOGLE__PROTOBUF__STRUCT__INIT;
  req.base.n_unknown_fields = 1;
  req.base.unknown_fields = &raw;
  hg_arena_t *a = hg_arena_new();
  rpc_call_opts_t o = {.deadline_ms = 10000, .arena = a};
  void *resp = NULL;
  int rc = rpc_call_sync(ch, DEEP_PATH, STRUCT, &req, EMPTY, &o, st, &resp);
  if (rc != HG_OK) st->message = strdup(st->message ? st->message : "");
  hg_arena_free(a);
  free(p);
  return rc;
}

START_TEST(test_server_refuses_deep_request_before_admission_and_keeps_serving) {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  char addr[64];
  hg_status_t st;
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_method(srv, DEEP_PATH, take, count_admit, STRUCT, EMPTY), 0);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(srv));
  ck_assert_int_eq(rpc_client_new(&cli), 0);
  ck_assert_int_eq(rpc_channel_new(cli, addr, &ch), 0);

  ck_assert_int_eq(call_levels(ch, 10000, &st), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "request nests messages more than 200 levels deep");
  free((char *)st.message);
  ck_assert_int_eq(atomic_load(&admits), 0);
  ck_assert_int_eq(atomic_load(&handled), 0);

  ck_assert_int_eq(call_levels(ch, 64, &st), HG_OK);
  ck_assert_int_eq(atomic_load(&admits), 1);
  ck_assert_int_eq(atomic_load(&handled), 1);

  rpc_client_destroy(cli);
  rpc_server_destroy(srv, 2000);
}
END_TEST

int main(void) {
  TEST_RUN("rpc_wire", 30, test_decode_accepts_64_json_levels_and_up_to_the_limit,
           test_decode_refuses_deeper_nesting_before_unpacking,
           test_decode_refuses_strings_and_keys_that_are_not_utf8,
           test_decode_refuses_truncated_wire_and_skips_unknown_fields,
           test_server_refuses_deep_request_before_admission_and_keeps_serving);
}
