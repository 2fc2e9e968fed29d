/* test_record.c - stored record framing (storage/record.h): version byte + protobuf-c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/wrappers.pb-c.h"
#include "storage/record.h"

static const ProtobufCMessageDescriptor *desc = &google__protobuf__string_value__descriptor;

static int pack_string(const char *s, hg_buf_t *out) {
  Google__Protobuf__StringValue m = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  m.value = (char *)s;
  return record_pack(&m.base, out);
}

START_TEST(test_pack_unpack_roundtrip) {
  hg_buf_t b = HG_BUF_INIT;
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(pack_string("hello", &b), 0);
  ck_assert_int_eq((unsigned char)b.p[0], RECORD_VERSION);
  ck_assert_int_eq(record_unpack(desc, (store_val_t){b.p, b.n}, a, &m), 0);
  ck_assert_str_eq(((Google__Protobuf__StringValue *)m)->value, "hello");
  hg_arena_free(a);
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_pack_appends_to_buffer) {
  hg_buf_t b = HG_BUF_INIT;
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(hg_buf_puts(&b, "prefix"), 0);
  ck_assert_int_eq(pack_string("x", &b), 0);
  ck_assert_int_eq(memcmp(b.p, "prefix", 6), 0);
  ck_assert_int_eq(record_unpack(desc, (store_val_t){b.p + 6, b.n - 6}, a, &m), 0);
  ck_assert_str_eq(((Google__Protobuf__StringValue *)m)->value, "x");
  ck_assert_int_eq(b.p[b.n], '\0');
  hg_arena_free(a);
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_unpack_unknown_version_is_einval) {
  hg_buf_t b = HG_BUF_INIT;
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(pack_string("hello", &b), 0);
  b.p[0] = RECORD_VERSION + 1;
  ck_assert_int_eq(record_unpack(desc, (store_val_t){b.p, b.n}, a, &m), STORE_EINVAL);
  ck_assert_ptr_null(m);
  hg_arena_free(a);
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_unpack_empty_is_einval) {
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(record_unpack(desc, (store_val_t){"", 0}, a, &m), STORE_EINVAL);
  ck_assert_ptr_null(m);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_unpack_truncated_message_is_einval) {
  /* Field 1, length 5, but only one byte follows. */
  static const unsigned char bad[] = {RECORD_VERSION, 0x0a, 0x05, 'a'};
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(record_unpack(desc, (store_val_t){bad, sizeof(bad)}, a, &m), STORE_EINVAL);
  ck_assert_ptr_null(m);
  hg_arena_free(a);
}
END_TEST

int main(void) {
  Suite *su = suite_create("record");
  TCase *tc = tcase_create("record");
  tcase_add_test(tc, test_pack_unpack_roundtrip);
  tcase_add_test(tc, test_pack_appends_to_buffer);
  tcase_add_test(tc, test_unpack_unknown_version_is_einval);
  tcase_add_test(tc, test_unpack_empty_is_einval);
  tcase_add_test(tc, test_unpack_truncated_message_is_einval);
  suite_add_tcase(su, tc);
  SRunner *sr = srunner_create(su);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
