/* test_resources_store.c - resource_store.c: records written while Resource.settings_json
 * was a google.protobuf.Struct (field 7, now reserved) load with their settings converted
 * to the hangar.json.v1.RawObject that replaced it (field 12). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hangar/products/v1/products.pb-c.h"
#include "storage/record.h"
#include "resources/resource_store.h"
#include "json/transcode.h"

static hg_arena_t *a;
static hg_buf_t buf;

static void setup(void) { ck_assert_ptr_nonnull(a = hg_arena_new()); }

static void teardown(void) {
  hg_arena_free(a);
  hg_buf_free(&buf);
}

/* A JSON object as protobuf-c keeps an unknown field holding its google.protobuf.Struct
 * (a document's metadata field): the length as a varint, then the packed Struct. */
static ProtobufCBinaryData legacy_field(const char *object) {
  Hangar__Products__V1__CreateApiProductDocumentRequest *d = (void *)tc_message_new(
      &hangar__products__v1__create_api_product_document_request__descriptor, a);
  tc_error_t err;
  const char *body = hg_arena_sprintf(a, "{\"metadata\":%s}", object);
  ck_assert_int_eq(tc_decode(&d->base, body, strlen(body), NULL, a, &err), 0);
  size_t n = protobuf_c_message_get_packed_size(&d->metadata->base), k = 0;
  uint8_t *p = hg_arena_alloc(a, n + 10);
  ck_assert_ptr_nonnull(p);
  for (size_t v = n; v >= 0x80; v >>= 7) p[k++] = (uint8_t)(v | 0x80);
  p[k] = (uint8_t)(n >> (7 * k));
  protobuf_c_message_pack(&d->metadata->base, p + k + 1);
  return (ProtobufCBinaryData){k + 1 + n, p};
}

/* A stored record with r's fields and, when legacy.data is set, those bytes as field 7. */
static store_val_t stored(resource_t *r, ProtobufCBinaryData legacy) {
  resource_record_t rec = HANGAR__RESOURCES__V1__RESOURCE_RECORD__INIT;
  ProtobufCMessageUnknownField f = {7, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED, legacy.len,
                                    legacy.data};
  if (legacy.data) {
    r->base.n_unknown_fields = 1;
    r->base.unknown_fields = &f;
  }
  rec.resource = r;
  hg_buf_reset(&buf);
  ck_assert_int_eq(record_pack(&rec.base, &buf), 0);
  r->base.n_unknown_fields = 0;
  r->base.unknown_fields = NULL;
  return (store_val_t){buf.p, buf.n};
}

static resource_t legacy_resource(void) {
  resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  r.resource_id = "r1";
  r.project_id = "p1";
  r.status = "running";
  return r;
}

START_TEST(test_legacy_struct_settings_converted_on_load) {
  resource_t r = legacy_resource();
  resource_record_t *rec;
  ck_assert_int_eq(
      resource_decode(stored(&r, legacy_field("{\"replicas\":3,\"ratio\":1.0,\"tags\":[\"a\"]}")),
                      a, &rec),
      0);
  /* What the Struct answered before: its doubles already lost 1.0's point. */
  ck_assert_str_eq(rec->resource->settings_json->json,
                   "{\"replicas\":3,\"ratio\":1,\"tags\":[\"a\"]}");
  ck_assert_str_eq(rec->resource->resource_id, "r1");
  ck_assert_uint_eq(rec->resource->base.n_unknown_fields, 0);
  /* Saved again, the record holds only the new field. */
  ProtobufCMessage *m;
  ck_assert_int_eq(record_unpack(&hangar__resources__v1__resource_record__descriptor,
                                 stored(rec->resource, (ProtobufCBinaryData){0, NULL}), a, &m),
                   0);
  resource_t *again = ((resource_record_t *)m)->resource;
  ck_assert_uint_eq(again->base.n_unknown_fields, 0);
  ck_assert_str_eq(again->settings_json->json, "{\"replicas\":3,\"ratio\":1,\"tags\":[\"a\"]}");
}
END_TEST

START_TEST(test_legacy_empty_struct_is_empty_object) {
  resource_t r = legacy_resource();
  resource_record_t *rec;
  ck_assert_int_eq(resource_decode(stored(&r, legacy_field("{}")), a, &rec), 0);
  ck_assert_str_eq(rec->resource->settings_json->json, "{}");
}
END_TEST

START_TEST(test_record_without_settings_answers_empty_object) {
  resource_t r = legacy_resource();
  resource_record_t *rec;
  ck_assert_int_eq(resource_decode(stored(&r, (ProtobufCBinaryData){0, NULL}), a, &rec), 0);
  ck_assert_ptr_nonnull(rec->resource->settings_json);
  hg_buf_t out = HG_BUF_INIT;
  ck_assert_int_eq(tc_encode_field(&rec->resource->base, "settings_json", &out), 0);
  ck_assert_str_eq(out.p, "{}");
  hg_buf_free(&out);
}
END_TEST

START_TEST(test_current_settings_kept_as_stored) {
  resource_t r = legacy_resource();
  Hangar__Json__V1__RawObject raw = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  raw.json = "{\"ratio\":1.0,\"big\":9007199254740993}";
  r.settings_json = &raw;
  resource_record_t *rec;
  ck_assert_int_eq(resource_decode(stored(&r, (ProtobufCBinaryData){0, NULL}), a, &rec), 0);
  ck_assert_str_eq(rec->resource->settings_json->json, "{\"ratio\":1.0,\"big\":9007199254740993}");
}
END_TEST

/* A list reply carries stored resources as they are, but a legacy one only upgraded. */
START_TEST(test_list_reply_upgrades_legacy_and_splices_current) {
  resource_t r = legacy_resource();
  Hangar__Json__V1__RawObject raw = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  hg_buf_t reply = HG_BUF_INIT;
  store_val_t v = stored(&r, legacy_field("{\"replicas\":3}"));
  ck_assert_int_eq(record_append_payload(&resource_record_type, v, 1, a, &reply), 0);
  raw.json = "{\"ratio\":1.0}";
  r.settings_json = &raw;
  v = stored(&r, (ProtobufCBinaryData){0, NULL});
  size_t before = reply.n;
  ck_assert_int_eq(record_append_payload(&resource_record_type, v, 1, a, &reply), 0);
  ck_assert_mem_eq(reply.p + reply.n - (v.n - 3), (const char *)v.p + 3, v.n - 3); /* spliced */
  ck_assert_uint_eq(reply.n - before, v.n - 1); /* field 1 + length, as the record had them */
  Hangar__Resources__V1__ListResourcesResponse *l =
      hangar__resources__v1__list_resources_response__unpack(NULL, reply.n,
                                                             (const uint8_t *)reply.p);
  ck_assert_ptr_nonnull(l);
  ck_assert_uint_eq(l->n_resources, 2);
  ck_assert_str_eq(l->resources[0]->settings_json->json, "{\"replicas\":3}");
  ck_assert_uint_eq(l->resources[0]->base.n_unknown_fields, 0);
  ck_assert_str_eq(l->resources[1]->settings_json->json, "{\"ratio\":1.0}");
  hangar__resources__v1__list_resources_response__free_unpacked(l, NULL);
  hg_buf_free(&reply);
}
END_TEST

START_TEST(test_legacy_bytes_not_a_struct_refused) {
  resource_t r = legacy_resource();
  uint8_t junk[] = {0x02, 0x0a, 0x7f}; /* a Struct's field 1, length 127: bytes missing */
  resource_record_t *rec = NULL;
  ck_assert_int_eq(resource_decode(stored(&r, (ProtobufCBinaryData){sizeof(junk), junk}), a, &rec),
                   STORE_EINVAL);
  ck_assert_ptr_null(rec);
}
END_TEST

int main(void) {
  Suite *s = suite_create("resources_store");
  TCase *tc = tcase_create("legacy");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_legacy_struct_settings_converted_on_load);
  tcase_add_test(tc, test_legacy_empty_struct_is_empty_object);
  tcase_add_test(tc, test_record_without_settings_answers_empty_object);
  tcase_add_test(tc, test_current_settings_kept_as_stored);
  tcase_add_test(tc, test_legacy_bytes_not_a_struct_refused);
  tcase_add_test(tc, test_list_reply_upgrades_legacy_and_splices_current);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
