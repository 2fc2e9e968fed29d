/* test_transcode_wire.c - common/json/json_wire.c: JSON written straight from wire bytes is
 * byte for byte what decoding and tc_encode write, and what it cannot write so is left to
 * decoding (TC_EWIRE) with the output untouched. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/auth/v1/store.pb-c.h"
#include "hangar/credentials/v1/provisioning.pb-c.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "json/transcode.h"
#include "rpc/rpc.h"

#include "test_run.h"

typedef Hangar__Resources__V1__Resource resource_t;

/* The packed bytes of m, in b. */
static void pack(const ProtobufCMessage *m, hg_buf_t *b) {
  hg_buf_reset(b);
  ck_assert_int_eq(rpc_codec_encode(RPC_PBC(m->descriptor), m, b), 0);
}

/* Writes bytes p[0..n) of type d both ways and checks they agree; returns the JSON in out.
 * The bytes are copied to an allocation of exactly n, so that a sanitizer build catches a
 * read past them. */
static void agree(const ProtobufCMessageDescriptor *d, const void *p, size_t n, hg_buf_t *out) {
  hg_arena_t *a = hg_arena_new();
  hg_buf_t tree = HG_BUF_INIT;
  uint8_t *exact = malloc(n ? n : 1);
  void *msg;
  ck_assert_ptr_nonnull(exact);
  if (n) memcpy(exact, p, n);
  ck_assert_int_eq(rpc_codec_decode(RPC_PBC(d), exact, n, a, &msg), 0);
  ck_assert_int_eq(tc_encode(msg, &tree), 0);
  hg_buf_reset(out);
  ck_assert_int_eq(tc_encode_wire(d, exact, n, out), 0);
  ck_assert_str_eq(out->p, tree.p);
  free(exact);
  hg_buf_free(&tree);
  hg_arena_free(a);
}

/* tc_encode_wire leaves p[0..n) to decoding and leaves out as it was. */
static void left_to_decoding(const ProtobufCMessageDescriptor *d, const void *p, size_t n) {
  hg_buf_t out = HG_BUF_INIT;
  ck_assert_int_eq(hg_buf_puts(&out, "before"), 0);
  ck_assert_int_eq(tc_encode_wire(d, p, n, &out), TC_EWIRE);
  ck_assert_str_eq(out.p, "before");
  hg_buf_free(&out);
}

START_TEST(test_list_of_resources) {
  resource_t r1 = HANGAR__RESOURCES__V1__RESOURCE__INIT, r2 = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  resource_t *rs[] = {&r1, &r2};
  Hangar__Json__V1__RawObject raw = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  Hangar__Resources__V1__ListResourcesResponse l =
      HANGAR__RESOURCES__V1__LIST_RESOURCES_RESPONSE__INIT;
  hg_buf_t b = HG_BUF_INIT, out = HG_BUF_INIT;
  raw.json = "{\"n\":1.0,\"s\":\"caf\xc3\xa9\"}";
  r1.resource_id = "r1";
  r1.name = "quote \" backslash \\ tab \t newline \n \x01 caf\xc3\xa9 \xf0\x9f\x98\x80";
  r1.settings_json = &raw;
  r2.resource_id = "r2"; /* no settings: RawObject absent -> null */
  r2._error_message_case = HANGAR__RESOURCES__V1__RESOURCE___ERROR_MESSAGE_ERROR_MESSAGE;
  r2.error_message = "failed";
  l.n_resources = 2;
  l.resources = rs;
  l.total = -1;
  l.limit = 50;
  pack(&l.base, &b);
  agree(l.base.descriptor, b.p, b.n, &out);
  ck_assert_ptr_nonnull(strstr(out.p, "\"settings_json\":{\"n\":1.0,"));
  ck_assert_ptr_nonnull(strstr(out.p, "\"error_message\":\"failed\""));
  ck_assert_ptr_nonnull(strstr(out.p, "\"total\":-1,\"limit\":50,\"offset\":0}"));
  l.n_resources = 0; /* an empty page: [] */
  pack(&l.base, &b);
  agree(l.base.descriptor, b.p, b.n, &out);
  ck_assert_ptr_nonnull(strstr(out.p, "{\"resources\":[],"));
  agree(l.base.descriptor, "", 0, &out); /* nothing at all: every zero value */
  hg_buf_free(&b);
  hg_buf_free(&out);
}
END_TEST

START_TEST(test_wrappers_bools_and_bytes) {
  Hangar__Auth__V1__Token t = HANGAR__AUTH__V1__TOKEN__INIT;
  Google__Protobuf__StringValue exp = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  Hangar__Auth__V1__TokenRecord rec = HANGAR__AUTH__V1__TOKEN_RECORD__INIT;
  Hangar__Credentials__V1__Credentials c = HANGAR__CREDENTIALS__V1__CREDENTIALS__INIT;
  hg_buf_t b = HG_BUF_INIT, out = HG_BUF_INIT;
  t.id = "t1";
  pack(&t.base, &b);
  agree(t.base.descriptor, b.p, b.n, &out); /* expires_at absent: null */
  ck_assert_ptr_nonnull(strstr(out.p, "\"expires_at\":null"));
  exp.value = ""; /* present but empty: the wrapper's own value is absent on the wire */
  t.expires_at = &exp;
  pack(&t.base, &b);
  agree(t.base.descriptor, b.p, b.n, &out);
  ck_assert_ptr_nonnull(strstr(out.p, "\"expires_at\":\"\""));
  exp.value = "2030-01-01T00:00:00Z";
  pack(&t.base, &b);
  agree(t.base.descriptor, b.p, b.n, &out);
  ck_assert_ptr_nonnull(strstr(out.p, "\"expires_at\":\"2030-01-01T00:00:00Z\""));
  rec.hash = (ProtobufCBinaryData){3, (uint8_t *)"\x00\xff\x10"};
  rec.created_at = -5;
  rec.expires_at = INT64_MAX;
  pack(&rec.base, &b);
  agree(rec.base.descriptor, b.p, b.n, &out);
  c.id = "c1";
  pack(&c.base, &b);
  agree(c.base.descriptor, b.p, b.n, &out);
  hg_buf_free(&b);
  hg_buf_free(&out);
}
END_TEST

/* A NUL ends a string for protobuf-c's C strings; both paths stop there. */
START_TEST(test_text_up_to_nul) {
  static const char bytes[] = "\x0a\x05"
                              "ab\0cd"; /* Token.id = "ab\0cd" */
  hg_buf_t out = HG_BUF_INIT;
  agree(&hangar__auth__v1__token__descriptor, bytes, sizeof bytes - 1, &out);
  ck_assert_ptr_nonnull(strstr(out.p, "\"id\":\"ab\""));
  hg_buf_free(&out);
}
END_TEST

START_TEST(test_left_to_decoding) {
  const ProtobufCMessageDescriptor *token = &hangar__auth__v1__token__descriptor;
  /* a singular field twice (protobuf keeps the last: decoding decides) */
  left_to_decoding(token,
                   "\x0a\x01"
                   "a"
                   "\x0a\x01"
                   "b",
                   6);
  /* fields out of number order, and a repeated field split by another: not the canonical
   * encoding the one pass writes from (protobuf-c never sends them) */
  left_to_decoding(&hangar__resources__v1__resource__descriptor,
                   "\x12\x01"
                   "p"
                   "\x0a\x01"
                   "r",
                   6);
  left_to_decoding(&hangar__resources__v1__list_resources_response__descriptor,
                   "\x0a\x00\x10\x01\x0a\x00", 6);
  /* invalid UTF-8, before and after a NUL */
  left_to_decoding(token,
                   "\x0a\x02"
                   "a\xff",
                   4);
  left_to_decoding(token,
                   "\x0a\x03"
                   "\0a\xff",
                   5);
  /* malformed: a length past the end, a group, field number 0 */
  left_to_decoding(token,
                   "\x0a\x05"
                   "ab",
                   4);
  left_to_decoding(token, "\x0b\x0c", 2);
  left_to_decoding(token, "\x02\x00", 2);
  /* a wire type that does not fit the field (a varint for a string) */
  left_to_decoding(token, "\x08\x01", 2);
  /* a type it does not write itself: a job's google.protobuf.ListValue input */
  Hangar__Credentials__V1__JobParams j = HANGAR__CREDENTIALS__V1__JOB_PARAMS__INIT;
  Google__Protobuf__ListValue input = GOOGLE__PROTOBUF__LIST_VALUE__INIT;
  hg_buf_t b = HG_BUF_INIT;
  j._input_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___INPUT_INPUT;
  j.input = &input;
  pack(&j.base, &b);
  left_to_decoding(j.base.descriptor, b.p, b.n);
  hg_buf_free(&b);
}
END_TEST

/* Fields the type does not know are skipped, as decoding keeps them out of sight. */
START_TEST(test_unknown_fields_skipped) {
  static const char bytes[] = "\xf8\x3e\x07"
                              "\x0a\x01"
                              "x"
                              "\x85\x3f\x01\x02\x03\x04";
  hg_buf_t out = HG_BUF_INIT;
  agree(&hangar__auth__v1__token__descriptor, bytes, sizeof bytes - 1, &out);
  ck_assert_ptr_nonnull(strstr(out.p, "\"id\":\"x\""));
  hg_buf_free(&out);
}
END_TEST

/* Text is checked and copied a word at a time, its last partial word read past the text when
 * the reply goes on and overlapping the word before when it does not: every length up to 3
 * words, with a byte that needs a look (an escape, UTF-8, a NUL) at each place or nowhere,
 * at the end of the bytes and followed by another field, writes what tc_encode writes. */
START_TEST(test_text_every_length_and_place) {
  static const struct {
    const char *p;
    size_t n;
  } odd[] = {{"\"", 1},   {"\\", 1},       {"\n", 1}, {"\x01", 1},
             {"\x7f", 1}, {"\xc3\xa9", 2}, {"\0", 1}, {"", 0}};
  const ProtobufCMessageDescriptor *d = &hangar__resources__v1__resource__descriptor;
  hg_buf_t out = HG_BUF_INIT;
  uint8_t bytes[64];
  for (size_t len = 0; len <= 24; len++) {
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
      size_t olen = odd[k].n;
      for (size_t at = 0; at + olen <= len; at++) {
        char text[32];
        memset(text, 'a' + (int)(len % 26), len);
        memcpy(text + at, odd[k].p, olen);
        bytes[0] = 0x0a; /* resource_id */
        bytes[1] = (uint8_t)len;
        memcpy(bytes + 2, text, len);
        agree(d, bytes, len + 2, &out);          /* the text ends the bytes */
        memcpy(bytes + 2 + len, "\x12\x01p", 3); /* project_id follows */
        agree(d, bytes, len + 5, &out);
        if (olen == 0) break;
      }
    }
  }
  hg_buf_free(&out);
}
END_TEST

int main(void) {
  TEST_RUN("transcode_wire", 0, test_list_of_resources, test_wrappers_bools_and_bytes,
           test_text_up_to_nul, test_left_to_decoding, test_unknown_fields_skipped,
           test_text_every_length_and_place);
}
