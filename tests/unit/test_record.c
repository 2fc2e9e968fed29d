/* test_record.c - stored record framing (storage/record.h): version byte + protobuf-c. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/struct.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "storage/record.h"

#include "test_run.h"

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

/* A record type for the typed reads: a Struct entry whose payload is its value. */
typedef Google__Protobuf__Struct__FieldsEntry entry_t;
static const record_type_t entry_type = {&google__protobuf__struct__fields_entry__descriptor,
                                         offsetof(entry_t, value), NULL, NULL};

/* A stored entry record whose value is the string text (no value when NULL), in a. */
static store_val_t entry_val(hg_arena_t *a, const char *text) {
  entry_t e = GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT;
  Google__Protobuf__Value v = GOOGLE__PROTOBUF__VALUE__INIT;
  hg_buf_t b = HG_BUF_INIT;
  e.key = "k";
  if (text) {
    v.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
    v.string_value = (char *)text;
    e.value = &v;
  }
  ck_assert_int_eq(record_pack(&e.base, &b), 0);
  store_val_t val = {hg_arena_memdup(a, b.p, b.n), b.n};
  hg_buf_free(&b);
  return val;
}

START_TEST(test_decode_gives_the_payload) {
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(record_decode(&entry_type, entry_val(a, "v"), a, &m), 0);
  Google__Protobuf__Value *v = record_payload(&entry_type, m);
  ck_assert_ptr_eq(v, ((entry_t *)m)->value);
  ck_assert_str_eq(v->string_value, "v");
  hg_arena_free(a);
}
END_TEST

START_TEST(test_decode_without_payload_is_einval) {
  hg_arena_t *a = hg_arena_new();
  ProtobufCMessage *m = NULL;
  ck_assert_int_eq(record_decode(&entry_type, entry_val(a, NULL), a, &m), STORE_EINVAL);
  ck_assert_ptr_null(m);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_collect_stops_at_a_bad_record) {
  static const char bad[] = {RECORD_VERSION + 1, 0};
  hg_arena_t *a = hg_arena_new();
  void *items[2];
  record_page_t page = {.type = &entry_type, .a = a, .items = items};
  size_t n = 99;
  ck_assert_int_eq(record_collect(&page, (store_val_t){"k", 1}, entry_val(a, "v")), 0);
  ck_assert_int_eq(record_page_end(&page, 0, &n), 0);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(record_collect(&page, (store_val_t){"k", 1}, (store_val_t){bad, 2}), 1);
  ck_assert_int_eq(record_page_end(&page, 0, &n), STORE_EINVAL);
  ck_assert_uint_eq(n, 1);
  hg_arena_free(a);
}
END_TEST

/* An upgrade that marks the value it ran on, and the `current` tests that steer it. */
static int mark_upgraded(ProtobufCMessage *rec, hg_arena_t *a) {
  ((entry_t *)rec)->value->string_value = hg_arena_strdup(a, "upgraded");
  return 0;
}
static int never_current(const uint8_t *p, size_t n) { return (void)p, (void)n, 0; }
static int always_current(const uint8_t *p, size_t n) { return (void)p, (void)n, 1; }

/* The strings of the Values appended to b as field 1: read back as a ListValue. */
static const char *appended(hg_arena_t *a, const hg_buf_t *b, size_t i) {
  Google__Protobuf__ListValue *l =
      google__protobuf__list_value__unpack(NULL, b->n, (const uint8_t *)b->p);
  ck_assert_ptr_nonnull(l);
  ck_assert_uint_gt(l->n_values, i);
  const char *s = hg_arena_strdup(a, l->values[i]->string_value);
  google__protobuf__list_value__free_unpacked(l, NULL);
  return s;
}

START_TEST(test_append_payload_splices_or_decodes) {
  hg_arena_t *a = hg_arena_new();
  hg_buf_t b = HG_BUF_INIT;
  record_type_t upgrading = entry_type;
  upgrading.upgrade = mark_upgraded;
  /* no upgrade: the stored bytes, as they are */
  ck_assert_int_eq(record_append_payload(&entry_type, entry_val(a, "one"), 1, a, &b), 0);
  /* an upgrade and no `current`, or `current` saying no: decoded and upgraded */
  ck_assert_int_eq(record_append_payload(&upgrading, entry_val(a, "two"), 1, a, &b), 0);
  upgrading.current = never_current;
  ck_assert_int_eq(record_append_payload(&upgrading, entry_val(a, "three"), 1, a, &b), 0);
  /* `current` saying yes: spliced, the upgrade never runs */
  upgrading.current = always_current;
  ck_assert_int_eq(record_append_payload(&upgrading, entry_val(a, "four"), 1, a, &b), 0);
  ck_assert_str_eq(appended(a, &b, 0), "one");
  ck_assert_str_eq(appended(a, &b, 1), "upgraded");
  ck_assert_str_eq(appended(a, &b, 2), "upgraded");
  ck_assert_str_eq(appended(a, &b, 3), "four");
  hg_buf_free(&b);
  hg_arena_free(a);
}
END_TEST

/* A record holding its payload twice means the merged message (protobuf's rule for a
 * repeated singular field), which only decoding gives: the splice must not take either. */
START_TEST(test_append_payload_decodes_a_repeated_payload) {
  hg_arena_t *a = hg_arena_new();
  hg_buf_t b = HG_BUF_INIT;
  store_val_t first = entry_val(a, "first"), second = entry_val(a, "second");
  size_t n = first.n + second.n - 1;
  char *both = hg_arena_alloc(a, n);
  memcpy(both, first.p, first.n);
  memcpy(both + first.n, (const char *)second.p + 1, second.n - 1); /* without its version */
  ck_assert_int_eq(record_append_payload(&entry_type, (store_val_t){both, n}, 1, a, &b), 0);
  ck_assert_str_eq(appended(a, &b, 0), "second");
  hg_buf_free(&b);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_collect_wire_stops_at_a_bad_record) {
  static const char bad[] = {RECORD_VERSION + 1, 0};
  hg_arena_t *a = hg_arena_new();
  hg_buf_t b = HG_BUF_INIT;
  record_wire_page_t page = {.type = &entry_type, .a = a, .out = &b, .field = 1};
  ck_assert_int_eq(record_collect_wire(&page, (store_val_t){"k", 1}, entry_val(a, "v")), 0);
  size_t before = b.n;
  ck_assert_int_eq(record_collect_wire(&page, (store_val_t){"k", 1}, (store_val_t){bad, 2}), 1);
  ck_assert_int_eq(page.rc, STORE_EINVAL);
  ck_assert_uint_eq(page.n, 1);
  ck_assert_uint_eq(b.n, before);
  hg_buf_free(&b);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_has_field) {
  hg_arena_t *a = hg_arena_new();
  store_val_t v = entry_val(a, "v"); /* FieldsEntry: key = 1, value = 2 */
  const uint8_t *p = (const uint8_t *)v.p + 1;
  ck_assert_int_eq(record_has_field(p, v.n - 1, 1), 1);
  ck_assert_int_eq(record_has_field(p, v.n - 1, 2), 1);
  ck_assert_int_eq(record_has_field(p, v.n - 1, 3), 0);
  ck_assert_int_eq(record_has_field(p, v.n - 2, 2), 0); /* cut short: not taken */
  hg_arena_free(a);
}
END_TEST

int main(void) {
  TEST_RUN("record", 0, test_pack_unpack_roundtrip, test_pack_appends_to_buffer,
           test_unpack_unknown_version_is_einval, test_unpack_empty_is_einval,
           test_unpack_truncated_message_is_einval, test_decode_gives_the_payload,
           test_decode_without_payload_is_einval, test_collect_stops_at_a_bad_record,
           test_append_payload_splices_or_decodes, test_append_payload_decodes_a_repeated_payload,
           test_collect_wire_stops_at_a_bad_record, test_has_field);
}
