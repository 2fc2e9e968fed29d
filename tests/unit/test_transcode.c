/* test_transcode.c - common/json: JSON <-> protobuf-c over real generated messages. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/field_mask.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "google/rpc/error_details.pb-c.h"
#include "google/rpc/status.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/auth/v1/store.pb-c.h"
#include "hangar/products/v1/products.pb-c.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "hangar/resources/v1/store.pb-c.h"
#include "json/transcode.h"

typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;
typedef Hangar__Resources__V1__UpdateResourceRequest update_req_t;
typedef Hangar__Resources__V1__ListResourcesRequest list_req_t;
typedef Hangar__Resources__V1__Resource resource_t;
typedef Hangar__Resources__V1__ResourceRecord record_t;
typedef Hangar__Auth__V1__CreateTokenRequest token_req_t;
typedef Hangar__Auth__V1__CreatedToken created_token_t;
typedef Hangar__Products__V1__CreateApiProductDocumentRequest doc_req_t;

#define CREATE_REQ (&hangar__resources__v1__create_resource_request__descriptor)
#define UPDATE_REQ (&hangar__resources__v1__update_resource_request__descriptor)
#define LIST_REQ (&hangar__resources__v1__list_resources_request__descriptor)
#define RESOURCE (&hangar__resources__v1__resource__descriptor)
#define RECORD (&hangar__resources__v1__resource_record__descriptor)
#define TOKEN_REQ (&hangar__auth__v1__create_token_request__descriptor)
#define CREATED_TOKEN (&hangar__auth__v1__created_token__descriptor)
#define HEALTH_RESP (&grpc__health__v1__health_check_response__descriptor)
#define DOC_REQ (&hangar__products__v1__create_api_product_document_request__descriptor)

static hg_arena_t *arena;
static hg_buf_t out;
static tc_error_t err;

static void setup(void) {
  arena = hg_arena_new();
  ck_assert_ptr_nonnull(arena);
  memset(&err, 0, sizeof(err));
}

static void teardown(void) {
  hg_arena_free(arena);
  hg_buf_free(&out);
}

static void *new_msg(const ProtobufCMessageDescriptor *d) {
  void *m = tc_message_new(d, arena);
  ck_assert_ptr_nonnull(m);
  return m;
}

static int decode_opts(void *m, const char *json, size_t n, const tc_opts_t *opts) {
  return tc_decode(m, json, n, opts, arena, &err);
}

static int decode(void *m, const char *json) { return decode_opts(m, json, strlen(json), NULL); }

static const char *encode(const void *m) {
  hg_buf_reset(&out);
  ck_assert_int_eq(tc_encode(m, &out), 0);
  return out.p;
}

static void *decode_ok(const ProtobufCMessageDescriptor *d, const char *json) {
  void *m = new_msg(d);
  int rc = decode(m, json);
  ck_assert_msg(rc == 0, "%s: %s at %s: %s", json, tc_err_name(rc), err.field, err.reason);
  return m;
}

static void assert_error(int rc, int code, const char *field, const char *expected) {
  ck_assert_msg(rc == code, "got %s (%s), want %s", tc_err_name(rc), err.reason, tc_err_name(code));
  ck_assert_int_eq(err.code, code);
  ck_assert_str_eq(err.field, field);
  ck_assert_str_eq(err.expected, expected);
}

/* A google.protobuf.Struct in and out (a document's metadata). */
static const char *struct_round_trip(const char *object) {
  char *body = hg_arena_sprintf(arena, "{\"metadata\":%s}", object);
  doc_req_t *r = decode_ok(DOC_REQ, body);
  ck_assert_ptr_nonnull(r->metadata);
  return encode(r->metadata);
}

/* {"settings_json":{"a":{"a":...1...}}} with `levels` containers in all. */
static char *nested_body(int levels) {
  hg_buf_t b = HG_BUF_INIT;
  ck_assert_int_eq(hg_buf_puts(&b, "{\"settings_json\":"), 0);
  for (int i = 1; i < levels - 1; i++) ck_assert_int_eq(hg_buf_puts(&b, "{\"a\":"), 0);
  ck_assert_int_eq(hg_buf_puts(&b, "{\"a\":1}"), 0);
  for (int i = 1; i < levels; i++) ck_assert_int_eq(hg_buf_putc(&b, '}'), 0);
  char *s = hg_arena_strdup(arena, b.p);
  hg_buf_free(&b);
  return s;
}

/* The KtrlPlane seed (000): Create Resource example request and response. */
static const char seed_create_body[] =
    "{\n  \"id\": \"my-graph-db\",\n  \"name\": \"Customer Analytics Graph\",\n"
    "  \"type\": \"Konnektr.Graph\",\n  \"sku\": \"pro\",\n  \"settings_json\": {\n"
    "    \"database_name\": \"customer-analytics\",\n    \"enable_analytics\": true,\n"
    "    \"backup_retention_days\": 30,\n    \"max_concurrent_connections\": 100\n  }\n}";
static const char seed_create_response[] =
    "{\"resource_id\":\"res-graph-abc456\",\"project_id\":\"proj-abc123\","
    "\"name\":\"Customer Analytics Graph\",\"type\":\"Konnektr.Graph\",\"sku\":\"pro\","
    "\"status\":\"creating\",\"created_at\":\"2025-01-15T14:20:00Z\","
    "\"updated_at\":\"2025-01-15T14:20:00Z\",\"settings_json\":{\"database_name\":"
    "\"customer-analytics\",\"enable_analytics\":true,\"backup_retention_days\":30,"
    "\"max_concurrent_connections\":100}}";

START_TEST(test_seed_create_resource_round_trip) {
  create_req_t *req = new_msg(CREATE_REQ);
  ck_assert_int_eq(tc_set_field_text(&req->base, "project_id", "proj-abc123", 11, arena, &err), 0);
  ck_assert_int_eq(decode(req, seed_create_body), 0);
  ck_assert_str_eq(req->project_id, "proj-abc123");
  ck_assert_str_eq(req->id, "my-graph-db");
  ck_assert_int_eq(req->_sku_case, HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU);
  ck_assert_str_eq(req->settings_json->json,
                   "{\"database_name\":\"customer-analytics\",\"enable_analytics\":true,"
                   "\"backup_retention_days\":30,\"max_concurrent_connections\":100}");

  resource_t *res = new_msg(RESOURCE);
  res->resource_id = "res-graph-abc456";
  res->project_id = req->project_id;
  res->name = req->name;
  res->type = req->type;
  res->sku = req->sku;
  res->status = "creating";
  res->settings_json = req->settings_json;
  res->created_at = res->updated_at = "2025-01-15T14:20:00Z";
  ck_assert_str_eq(encode(res), seed_create_response);
}
END_TEST

START_TEST(test_zero_values_always_encoded) {
  ck_assert_str_eq(
      encode(new_msg(RESOURCE)),
      "{\"resource_id\":\"\",\"project_id\":\"\",\"name\":\"\",\"type\":\"\",\"sku\":\"\","
      "\"status\":\"\",\"created_at\":\"\",\"updated_at\":\"\",\"settings_json\":null}");
  ck_assert_str_eq(encode(new_msg(&hangar__resources__v1__list_resources_response__descriptor)),
                   "{\"resources\":[],\"total\":0,\"limit\":0,\"offset\":0}");
}
END_TEST

START_TEST(test_struct_integer_beyond_2_53_exact) {
  ck_assert_str_eq(struct_round_trip("{\"n\":9007199254740991,\"m\":-9007199254740991}"),
                   "{\"n\":9007199254740991,\"m\":-9007199254740991}");
}
END_TEST

START_TEST(test_struct_decimals_shortest) {
  ck_assert_str_eq(struct_round_trip("{\"a\":0.8,\"b\":0.1,\"c\":1.5e300,\"d\":1e-7,\"e\":3.0}"),
                   "{\"a\":0.8,\"b\":0.1,\"c\":1.5e+300,\"d\":1e-07,\"e\":3}");
  ck_assert_str_eq(struct_round_trip("{\"x\":0.30000000000000004}"), "{\"x\":0.30000000000000004}");
}
END_TEST

START_TEST(test_struct_negative_zero_keeps_sign) {
  ck_assert_str_eq(struct_round_trip("{\"z\":-0.0,\"i\":-0}"), "{\"z\":-0,\"i\":0}");
}
END_TEST

START_TEST(test_struct_nested_arrays_objects) {
  const char *doc =
      "{\"a\":[1,{\"b\":[true,null,\"x\",[]]},false],\"c\":{},\"d\":{\"e\":{\"f\":null}}}";
  ck_assert_str_eq(struct_round_trip(doc), doc);
}
END_TEST

START_TEST(test_struct_key_order_preserved) {
  const char *doc = "{\"zeta\":1,\"alpha\":2,\"mid\":3,\"beta\":4}";
  ck_assert_str_eq(struct_round_trip(doc), doc);
}
END_TEST

START_TEST(test_struct_unicode_and_escapes) {
  ck_assert_str_eq(struct_round_trip("{\"u\":\"\\u00e9\\ud83d\\ude00\"}"),
                   "{\"u\":\"\xc3\xa9\xf0\x9f\x98\x80\"}");
  ck_assert_str_eq(struct_round_trip("{\"s\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\\/d\"}"),
                   "{\"s\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f/d\"}");
  ck_assert_str_eq(struct_round_trip("{\"\\u00e9\\n\":\"\xc3\xa9\"}"),
                   "{\"\xc3\xa9\\n\":\"\xc3\xa9\"}");
}
END_TEST

START_TEST(test_struct_number_nan_infinity_null) {
  Google__Protobuf__ListValue *l = new_msg(&google__protobuf__list_value__descriptor);
  Google__Protobuf__Value *v[4];
  const double nums[] = {NAN, INFINITY, -INFINITY, 1e21};
  for (int i = 0; i < 4; i++) {
    v[i] = new_msg(&google__protobuf__value__descriptor);
    v[i]->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
    v[i]->number_value = nums[i];
  }
  l->n_values = 4;
  l->values = v;
  ck_assert_str_eq(encode(l), "[null,null,null,1e+21]");
}
END_TEST

START_TEST(test_write_string_escapes) {
  ck_assert_int_eq(tc_write_string(&out, "q\"/\x7f\x01\0z", 7), 0);
  ck_assert_str_eq(out.p, "\"q\\\"/\x7f\\u0001\\u0000z\"");
}
END_TEST

START_TEST(test_unknown_field_named) {
  assert_error(decode(new_msg(CREATE_REQ), "{\"name\":\"x\",\"nmae\":\"y\"}"), TC_EUNKNOWN_FIELD,
               "nmae", "");
  assert_error(decode(new_msg(TOKEN_REQ), "{\"bindings\":[{\"scope\":\"a\"},{\"rol\":\"x\"}]}"),
               TC_EUNKNOWN_FIELD, "bindings[1].rol", "");
}
END_TEST

START_TEST(test_wrong_type_named_with_expected) {
  assert_error(decode(new_msg(CREATE_REQ), "{\"name\":5}"), TC_ETYPE, "name", "string");
  ck_assert_str_eq(err.reason, "expected a string");
  assert_error(decode(new_msg(CREATE_REQ), "{\"settings_json\":[1]}"), TC_ETYPE, "settings_json",
               "object");
  assert_error(decode(new_msg(TOKEN_REQ), "{\"bindings\":[{\"role\":\"a\"},{\"role\":1}]}"),
               TC_ETYPE, "bindings[1].role", "string");
  assert_error(decode(new_msg(TOKEN_REQ), "{\"bindings\":{}}"), TC_ETYPE, "bindings", "array");
  assert_error(decode(new_msg(TOKEN_REQ), "{\"bindings\":[null]}"), TC_ETYPE, "bindings[0]",
               "object");
  assert_error(decode(new_msg(RECORD), "{\"resource\":{\"name\":true}}"), TC_ETYPE, "resource.name",
               "string");
}
END_TEST

START_TEST(test_int64_rejects_fraction_and_exponent) {
  assert_error(decode(new_msg(TOKEN_REQ), "{\"ttl_seconds\":1.5}"), TC_ETYPE, "ttl_seconds",
               "integer");
  ck_assert_str_eq(err.reason, "expected an integer");
  assert_error(decode(new_msg(TOKEN_REQ), "{\"ttl_seconds\":1e3}"), TC_ETYPE, "ttl_seconds",
               "integer");
  assert_error(decode(new_msg(TOKEN_REQ), "{\"ttl_seconds\":\"10\"}"), TC_ETYPE, "ttl_seconds",
               "integer");
  token_req_t *t = decode_ok(TOKEN_REQ, "{\"ttl_seconds\":-9223372036854775808}");
  ck_assert(t->ttl_seconds == INT64_MIN);
}
END_TEST

START_TEST(test_integer_out_of_range) {
  assert_error(decode(new_msg(&google__rpc__status__descriptor), "{\"code\":2147483648}"),
               TC_ERANGE, "code", "");
  Google__Rpc__Status *st = decode_ok(&google__rpc__status__descriptor, "{\"code\":-2147483648}");
  ck_assert_int_eq(st->code, INT32_MIN);
  assert_error(decode(new_msg(RECORD), "{\"resource_version\":-1}"), TC_ERANGE, "resource_version",
               "");
  record_t *r = decode_ok(RECORD, "{\"resource_version\":9223372036854775807}");
  ck_assert(r->resource_version == INT64_MAX);
  /* Beyond int64 jansson itself refuses; the value is still named. */
  assert_error(decode(new_msg(TOKEN_REQ), "{\"ttl_seconds\":99999999999999999999}"), TC_ERANGE,
               "ttl_seconds", "");
  ck_assert_int_gt(err.position, 0);
}
END_TEST

START_TEST(test_invalid_utf8_reports_position) {
  const char body[] = "{\"name\":\"ab\xff"
                      "cd\"}";
  assert_error(decode(new_msg(CREATE_REQ), body), TC_EUTF8, "", "");
  ck_assert_int_eq(err.position, 11);
  const char *bad[] = {"{\"name\":\"\xc0\xaf\"}", "{\"name\":\"\xed\xa0\x80\"}",
                       "{\"name\":\"\xf4\x90\x80\x80\"}", "{\"name\":\"\xe2\x82\"}"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    ck_assert_int_eq(decode(new_msg(CREATE_REQ), bad[i]), TC_EUTF8);
    ck_assert_int_eq(err.position, 9);
  }
  create_req_t *r = decode_ok(CREATE_REQ, "{\"name\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}");
  ck_assert_str_eq(r->name, "\xe2\x82\xac\xf0\x9f\x98\x80");
}
END_TEST

START_TEST(test_nul_escape_rejected) {
  assert_error(decode(new_msg(CREATE_REQ), "{\"name\":\"a\\u0000b\"}"), TC_ESYNTAX, "name", "");
}
END_TEST

START_TEST(test_depth_64_accepted_65_rejected) {
  decode_ok(CREATE_REQ, nested_body(64));
  assert_error(decode(new_msg(CREATE_REQ), nested_body(65)), TC_EDEPTH, "", "");
  tc_opts_t opts = {.max_depth = 3};
  char *three = nested_body(3);
  ck_assert_int_eq(decode_opts(new_msg(CREATE_REQ), three, strlen(three), &opts), 0);
  char *four = nested_body(4);
  ck_assert_int_eq(decode_opts(new_msg(CREATE_REQ), four, strlen(four), &opts), TC_EDEPTH);
}
END_TEST

START_TEST(test_depth_100000_rejected) {
  size_t n = 100000;
  char *deep = malloc(n + 32);
  ck_assert_ptr_nonnull(deep);
  strcpy(deep, "{\"settings_json\":");
  memset(deep + 17, '[', n);
  assert_error(decode_opts(new_msg(CREATE_REQ), deep, n + 17, NULL), TC_EDEPTH, "", "");
  ck_assert_int_eq(err.position, 17 + 63);
  memset(deep, '[', n);
  ck_assert_int_eq(decode_opts(new_msg(CREATE_REQ), deep, n, NULL), TC_EDEPTH);
  free(deep);
}
END_TEST

START_TEST(test_brackets_inside_strings_not_counted) {
  tc_opts_t opts = {.max_depth = 2};
  const char *body = "{\"settings_json\":{\"k\":\"[[[{{{\\\"[[\"}}";
  ck_assert_int_eq(decode_opts(new_msg(CREATE_REQ), body, strlen(body), &opts), 0);
}
END_TEST

START_TEST(test_size_limit) {
  const char *body = "{\"name\":\"0123456789\"}";
  tc_opts_t exact = {.max_bytes = strlen(body)}, small = {.max_bytes = strlen(body) - 1};
  ck_assert_int_eq(decode_opts(new_msg(CREATE_REQ), body, strlen(body), &exact), 0);
  assert_error(decode_opts(new_msg(CREATE_REQ), body, strlen(body), &small), TC_ETOOBIG, "", "");
  size_t big = 1024 * 1024 + 1;
  ck_assert_int_eq(decode_opts(new_msg(CREATE_REQ), body, big, NULL), TC_ETOOBIG);
}
END_TEST

START_TEST(test_duplicate_keys_rejected) {
  assert_error(decode(new_msg(CREATE_REQ), "{\"name\":\"a\",\"name\":\"b\"}"), TC_ESYNTAX, "name",
               "");
  ck_assert_int_gt(err.position, 0);
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), "{\"settings_json\":{\"k\":1,\"k\":2}}"),
                   TC_ESYNTAX);
}
END_TEST

START_TEST(test_malformed_json_and_non_object) {
  assert_error(decode(new_msg(CREATE_REQ), "{\"name\":\"a\",}"), TC_ESYNTAX, "", "");
  ck_assert_int_eq(err.position, 13);
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), ""), TC_ESYNTAX);
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), "{} x"), TC_ESYNTAX);
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), "[]"), TC_ENOTOBJECT);
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), "\"x\""), TC_ENOTOBJECT);
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), "null"), TC_ENOTOBJECT);
}
END_TEST

START_TEST(test_update_mask_from_present_keys) {
  update_req_t *u =
      decode_ok(UPDATE_REQ, "{\"sku\":\"pro\",\"settings_json\":null,\"name\":\"n\"}");
  ck_assert_ptr_nonnull(u->update_mask);
  ck_assert_uint_eq(u->update_mask->n_paths, 3);
  ck_assert_str_eq(u->update_mask->paths[0], "sku");
  ck_assert_str_eq(u->update_mask->paths[1], "settings_json");
  ck_assert_str_eq(u->update_mask->paths[2], "name");
  ck_assert_ptr_null(u->settings_json);

  u = decode_ok(UPDATE_REQ, "{\"settings_json\":{}}");
  ck_assert_uint_eq(u->update_mask->n_paths, 1);
  ck_assert_ptr_nonnull(u->settings_json);
  ck_assert_str_eq(u->settings_json->json, "{}");

  u = decode_ok(UPDATE_REQ, "{}");
  ck_assert_ptr_nonnull(u->update_mask);
  ck_assert_uint_eq(u->update_mask->n_paths, 0);
}
END_TEST

START_TEST(test_update_mask_not_settable_from_json) {
  assert_error(decode(new_msg(UPDATE_REQ), "{\"update_mask\":\"name\"}"), TC_EUNKNOWN_FIELD,
               "update_mask", "");
  update_req_t *u = new_msg(UPDATE_REQ);
  ck_assert_int_eq(tc_set_field_text(&u->base, "update_mask", "name", 4, arena, &err),
                   TC_EUNKNOWN_FIELD);
}
END_TEST

START_TEST(test_optional_scalar_decode_set_and_unset) {
  create_req_t *r = decode_ok(CREATE_REQ, "{\"sku\":\"pro\"}");
  ck_assert_int_eq(r->_sku_case, HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU);
  ck_assert_str_eq(r->sku, "pro");
  r = decode_ok(CREATE_REQ, "{\"name\":\"x\"}");
  ck_assert_int_eq(r->_sku_case, HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU__NOT_SET);
  r = decode_ok(CREATE_REQ, "{\"sku\":null}");
  ck_assert_int_eq(r->_sku_case, HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU__NOT_SET);
  list_req_t *l = decode_ok(LIST_REQ, "{\"limit\":0}");
  ck_assert_int_eq(l->_limit_case, HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT);
  ck_assert_int_eq(l->_offset_case,
                   HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___OFFSET__NOT_SET);
}
END_TEST

START_TEST(test_optional_scalar_encode_omitted_when_unset) {
  list_req_t *l = new_msg(LIST_REQ);
  ck_assert_str_eq(encode(l), "{\"project_id\":\"\",\"watch\":false}");
  l->_limit_case = HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT;
  l->limit = 0;
  ck_assert_str_eq(encode(l), "{\"project_id\":\"\",\"limit\":0,\"watch\":false}");
  resource_t *res = new_msg(RESOURCE);
  res->_access_url_case = HANGAR__RESOURCES__V1__RESOURCE___ACCESS_URL_ACCESS_URL;
  res->access_url = "https://x";
  ck_assert_ptr_nonnull(
      strstr(encode(res), "\"updated_at\":\"\",\"access_url\":\"https://x\",\"settings_json\""));
  ck_assert_ptr_null(strstr(out.p, "error_message"));
}
END_TEST

START_TEST(test_null_scalar_sets_default) {
  create_req_t *r = new_msg(CREATE_REQ);
  r->name = "old";
  ck_assert_int_eq(decode(r, "{\"name\":null}"), 0);
  ck_assert_str_eq(r->name, "");
  record_t *rec = decode_ok(RECORD, "{\"resource\":null,\"due_ms\":null}");
  ck_assert_ptr_null(rec->resource);
  ck_assert_int_eq(rec->due_ms, 0);
}
END_TEST

START_TEST(test_wrapper_null_absent_present) {
  created_token_t *t = decode_ok(CREATED_TOKEN, "{\"id\":\"t1\"}");
  ck_assert_ptr_null(t->expires_at);
  t = decode_ok(CREATED_TOKEN, "{\"expires_at\":null}");
  ck_assert_ptr_null(t->expires_at);
  ck_assert_str_eq(encode(t), "{\"id\":\"\",\"token\":\"\",\"kind\":\"\",\"subject\":\"\","
                              "\"bindings\":[],\"created_at\":\"\",\"expires_at\":null}");
  t = decode_ok(CREATED_TOKEN, "{\"expires_at\":\"2030-01-01T00:00:00Z\"}");
  ck_assert_ptr_nonnull(t->expires_at);
  ck_assert_str_eq(t->expires_at->value, "2030-01-01T00:00:00Z");
  ck_assert_ptr_nonnull(strstr(encode(t), "\"expires_at\":\"2030-01-01T00:00:00Z\"}"));
  assert_error(decode(new_msg(CREATED_TOKEN), "{\"expires_at\":5}"), TC_ETYPE, "expires_at",
               "string");
}
END_TEST

START_TEST(test_wrapper_numbers) {
  Google__Protobuf__FloatValue *f =
      decode_ok(&google__protobuf__float_value__descriptor, "{\"value\":0.1}");
  ck_assert_str_eq(encode(f), "0.1");
  ck_assert_int_eq(decode(new_msg(&google__protobuf__float_value__descriptor), "{\"value\":1e39}"),
                   TC_ERANGE);
  Google__Protobuf__DoubleValue *d =
      decode_ok(&google__protobuf__double_value__descriptor, "{\"value\":2.5}");
  ck_assert_str_eq(encode(d), "2.5");
}
END_TEST

START_TEST(test_repeated_messages_round_trip) {
  token_req_t *t = decode_ok(
      TOKEN_REQ,
      "{\"kind\":\"jwt\",\"bindings\":[{\"scope\":\"projects/p\",\"role\":\"owner\"},{}]}");
  ck_assert_uint_eq(t->n_bindings, 2);
  ck_assert_str_eq(t->bindings[0]->role, "owner");
  ck_assert_str_eq(encode(t),
                   "{\"kind\":\"jwt\",\"subject\":\"\",\"bindings\":[{\"scope\":"
                   "\"projects/p\",\"role\":\"owner\"},{\"scope\":\"\",\"role\":\"\"}]}");
  t = decode_ok(TOKEN_REQ, "{\"bindings\":null}");
  ck_assert_uint_eq(t->n_bindings, 0);
}
END_TEST

START_TEST(test_map_string_string) {
  Google__Rpc__ErrorInfo *e =
      decode_ok(&google__rpc__error_info__descriptor,
                "{\"reason\":\"R\",\"metadata\":{\"b\":\"1\",\"a\":\"2\"}}");
  ck_assert_uint_eq(e->n_metadata, 2);
  ck_assert_str_eq(e->metadata[0]->key, "b");
  ck_assert_str_eq(encode(e),
                   "{\"reason\":\"R\",\"domain\":\"\",\"metadata\":{\"b\":\"1\",\"a\":\"2\"}}");
  assert_error(decode(new_msg(&google__rpc__error_info__descriptor), "{\"metadata\":{\"k\":1}}"),
               TC_ETYPE, "metadata.k", "string");
  assert_error(decode(new_msg(&google__rpc__error_info__descriptor), "{\"metadata\":[]}"), TC_ETYPE,
               "metadata", "object");
}
END_TEST

START_TEST(test_bytes_base64) {
  Hangar__Auth__V1__TokenRecord *r =
      decode_ok(&hangar__auth__v1__token_record__descriptor, "{\"hash\":\"AAEC/w==\"}");
  ck_assert_uint_eq(r->hash.len, 4);
  ck_assert_int_eq(r->hash.data[3], 0xff);
  ck_assert_ptr_nonnull(strstr(encode(r), "\"hash\":\"AAEC/w==\""));
  r = decode_ok(&hangar__auth__v1__token_record__descriptor, "{\"hash\":\"AAEC_w\"}");
  ck_assert_uint_eq(r->hash.len, 4);
  ck_assert_int_eq(r->hash.data[3], 0xff);
  assert_error(decode(new_msg(&hangar__auth__v1__token_record__descriptor), "{\"hash\":\"A!==\"}"),
               TC_ETYPE, "hash", "string");
}
END_TEST

START_TEST(test_enum_by_name) {
  Grpc__Health__V1__HealthCheckResponse *h = decode_ok(HEALTH_RESP, "{\"status\":\"NOT_SERVING\"}");
  ck_assert_int_eq(h->status, GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING);
  h->status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
  ck_assert_str_eq(encode(h), "{\"status\":\"SERVING\"}");
  assert_error(decode(new_msg(HEALTH_RESP), "{\"status\":\"BOGUS\"}"), TC_EENUM, "status", "");
  assert_error(decode(new_msg(HEALTH_RESP), "{\"status\":1}"), TC_ETYPE, "status", "string");
  ck_assert_int_eq(
      tc_set_field_text(new_msg(HEALTH_RESP), "status", "SERVICE_UNKNOWN", 15, arena, &err), 0);
}
END_TEST

START_TEST(test_nested_message_merges_path_params) {
  record_t *r = new_msg(RECORD);
  ck_assert_int_eq(tc_set_field_text(&r->base, "resource.project_id", "p1", 2, arena, &err), 0);
  ck_assert_int_eq(decode(r, "{\"resource\":{\"name\":\"n\"},\"due_ms\":5}"), 0);
  ck_assert_str_eq(r->resource->project_id, "p1");
  ck_assert_str_eq(r->resource->name, "n");
  ck_assert_int_eq(r->due_ms, 5);
}
END_TEST

START_TEST(test_set_field_text_integers) {
  list_req_t *l = new_msg(LIST_REQ);
  ck_assert_int_eq(tc_set_field_text(&l->base, "limit", "12", 2, arena, &err), 0);
  ck_assert_int_eq(l->limit, 12);
  ck_assert_int_eq(l->_limit_case, HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT);
  ck_assert_int_eq(tc_set_field_text(&l->base, "offset", "-1", 2, arena, &err), 0);
  ck_assert_int_eq(l->offset, -1);
  const char *bad[] = {"abc", "1e3", "", "-", "1.0", " 1", "1 ", "+1", "0x10"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    assert_error(tc_set_field_text(&l->base, "limit", bad[i], strlen(bad[i]), arena, &err),
                 TC_ETYPE, "limit", "integer");
  }
  ck_assert_int_eq(l->limit, 12);
  assert_error(tc_set_field_text(&l->base, "limit", "99999999999999999999", 20, arena, &err),
               TC_ERANGE, "limit", "");
  ck_assert_int_eq(tc_set_field_text(&l->base, "limit", "-9223372036854775808", 20, arena, &err),
                   0);
  ck_assert(l->limit == INT64_MIN);
  Google__Rpc__Status *st = new_msg(&google__rpc__status__descriptor);
  ck_assert_int_eq(tc_set_field_text(&st->base, "code", "2147483648", 10, arena, &err), TC_ERANGE);
}
END_TEST

START_TEST(test_set_field_text_strings_bools_wrappers) {
  create_req_t *r = new_msg(CREATE_REQ);
  ck_assert_int_eq(tc_set_field_text(&r->base, "sku", "free-tier", 4, arena, &err), 0);
  ck_assert_str_eq(r->sku, "free");
  ck_assert_int_eq(r->_sku_case, HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU);
  assert_error(tc_set_field_text(&r->base, "name", "a\xff", 2, arena, &err), TC_EUTF8, "name", "");
  ck_assert_int_eq(tc_set_field_text(&r->base, "name", "a\0b", 3, arena, &err), TC_EUTF8);
  assert_error(tc_set_field_text(&r->base, "settings_json", "x", 1, arena, &err), TC_ETYPE,
               "settings_json", "object");
  Google__Protobuf__BoolValue *b = new_msg(&google__protobuf__bool_value__descriptor);
  ck_assert_int_eq(tc_set_field_text(&b->base, "value", "true", 4, arena, &err), 0);
  ck_assert(b->value);
  ck_assert_int_eq(tc_set_field_text(&b->base, "value", "1", 1, arena, &err), TC_ETYPE);
  created_token_t *t = new_msg(CREATED_TOKEN);
  ck_assert_int_eq(tc_set_field_text(&t->base, "expires_at", "soon", 4, arena, &err), 0);
  ck_assert_str_eq(t->expires_at->value, "soon");
}
END_TEST

START_TEST(test_set_field_text_repeated_appends) {
  Google__Protobuf__FieldMask *m = new_msg(&google__protobuf__field_mask__descriptor);
  ck_assert_int_eq(tc_set_field_text(&m->base, "paths", "a", 1, arena, &err), 0);
  ck_assert_int_eq(tc_set_field_text(&m->base, "paths", "b", 1, arena, &err), 0);
  ck_assert_uint_eq(m->n_paths, 2);
  ck_assert_str_eq(m->paths[0], "a");
  ck_assert_str_eq(m->paths[1], "b");
  ck_assert_str_eq(encode(m), "\"a,b\"");
}
END_TEST

START_TEST(test_set_field_text_unknown_paths) {
  record_t *r = new_msg(RECORD);
  const char *bad[] = {"nope", "resource.nope", "due_ms.x", "resource.settings_json.k", "",
                       ".",    "resource."};
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    int rc = tc_set_field_text(&r->base, bad[i], "v", 1, arena, &err);
    ck_assert_msg(rc == TC_EUNKNOWN_FIELD, "%s: %s", bad[i], tc_err_name(rc));
    ck_assert_str_eq(err.field, bad[i]);
  }
}
END_TEST

START_TEST(test_has_field_dotted) {
  ck_assert(tc_has_field(RECORD, "due_ms"));
  ck_assert(tc_has_field(RECORD, "resource.name"));
  ck_assert(tc_has_field(RECORD, "resource.settings_json"));
  ck_assert(!tc_has_field(RECORD, "resource.nope"));
  ck_assert(!tc_has_field(RECORD, "resource.settings_json.k"));
  ck_assert(!tc_has_field(RECORD, "due_ms.x"));
  ck_assert(!tc_has_field(RECORD, ""));
}
END_TEST

START_TEST(test_error_names_and_strings) {
  ck_assert_str_eq(tc_err_name(TC_EDEPTH), "TC_EDEPTH");
  ck_assert_str_eq(tc_strerror(TC_EUTF8), "invalid UTF-8");
  ck_assert_str_eq(tc_err_name(1), "TC_UNKNOWN");
}
END_TEST

/* Integers of every width and signedness, at their extremes, as JSON numbers. */
START_TEST(test_integer_extremes_encoded) {
  Google__Protobuf__Int32Value i32 = GOOGLE__PROTOBUF__INT32_VALUE__INIT;
  Google__Protobuf__UInt32Value u32 = GOOGLE__PROTOBUF__UINT32_VALUE__INIT;
  Google__Protobuf__Int64Value i64 = GOOGLE__PROTOBUF__INT64_VALUE__INIT;
  Google__Protobuf__UInt64Value u64 = GOOGLE__PROTOBUF__UINT64_VALUE__INIT;
  static const struct {
    int64_t i;
    const char *text;
  } ints[] = {{0, "0"},
              {7, "7"},
              {-1, "-1"},
              {INT64_MAX, "9223372036854775807"},
              {INT64_MIN, "-9223372036854775808"}};
  hg_buf_t b = HG_BUF_INIT;
  for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
    i64.value = ints[k].i;
    hg_buf_reset(&b);
    ck_assert_int_eq(tc_encode(&i64.base, &b), 0);
    ck_assert_str_eq(b.p, ints[k].text);
  }
  i32.value = INT32_MIN;
  u32.value = UINT32_MAX;
  u64.value = UINT64_MAX;
  hg_buf_reset(&b);
  ck_assert_int_eq(tc_encode(&i32.base, &b), 0);
  ck_assert_int_eq(tc_encode(&u32.base, &b), 0);
  ck_assert_int_eq(tc_encode(&u64.base, &b), 0);
  ck_assert_str_eq(b.p, "-2147483648"
                        "4294967295"
                        "18446744073709551615");
  hg_buf_free(&b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("transcode");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_seed_create_resource_round_trip);
  tcase_add_test(tc, test_zero_values_always_encoded);
  tcase_add_test(tc, test_integer_extremes_encoded);
  tcase_add_test(tc, test_struct_integer_beyond_2_53_exact);
  tcase_add_test(tc, test_struct_decimals_shortest);
  tcase_add_test(tc, test_struct_negative_zero_keeps_sign);
  tcase_add_test(tc, test_struct_nested_arrays_objects);
  tcase_add_test(tc, test_struct_key_order_preserved);
  tcase_add_test(tc, test_struct_unicode_and_escapes);
  tcase_add_test(tc, test_struct_number_nan_infinity_null);
  tcase_add_test(tc, test_write_string_escapes);
  tcase_add_test(tc, test_unknown_field_named);
  tcase_add_test(tc, test_wrong_type_named_with_expected);
  tcase_add_test(tc, test_int64_rejects_fraction_and_exponent);
  tcase_add_test(tc, test_integer_out_of_range);
  tcase_add_test(tc, test_invalid_utf8_reports_position);
  tcase_add_test(tc, test_nul_escape_rejected);
  tcase_add_test(tc, test_depth_64_accepted_65_rejected);
  tcase_add_test(tc, test_depth_100000_rejected);
  tcase_add_test(tc, test_brackets_inside_strings_not_counted);
  tcase_add_test(tc, test_size_limit);
  tcase_add_test(tc, test_duplicate_keys_rejected);
  tcase_add_test(tc, test_malformed_json_and_non_object);
  tcase_add_test(tc, test_update_mask_from_present_keys);
  tcase_add_test(tc, test_update_mask_not_settable_from_json);
  tcase_add_test(tc, test_optional_scalar_decode_set_and_unset);
  tcase_add_test(tc, test_optional_scalar_encode_omitted_when_unset);
  tcase_add_test(tc, test_null_scalar_sets_default);
  tcase_add_test(tc, test_wrapper_null_absent_present);
  tcase_add_test(tc, test_wrapper_numbers);
  tcase_add_test(tc, test_repeated_messages_round_trip);
  tcase_add_test(tc, test_map_string_string);
  tcase_add_test(tc, test_bytes_base64);
  tcase_add_test(tc, test_enum_by_name);
  tcase_add_test(tc, test_nested_message_merges_path_params);
  tcase_add_test(tc, test_set_field_text_integers);
  tcase_add_test(tc, test_set_field_text_strings_bools_wrappers);
  tcase_add_test(tc, test_set_field_text_repeated_appends);
  tcase_add_test(tc, test_set_field_text_unknown_paths);
  tcase_add_test(tc, test_has_field_dotted);
  tcase_add_test(tc, test_error_names_and_strings);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
