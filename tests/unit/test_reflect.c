/* test_reflect.c - reading request fields by name (common/reflect). */
#include <check.h>
#include <stdlib.h>

#include "common/reflect.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"

#include "test_run.h"

typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;

START_TEST(test_field_string_plain_only_when_not_empty) {
  create_req_t req = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  ck_assert_ptr_null(hg_field_string(&req.base, "name"));
  req.name = "n1";
  ck_assert_str_eq(hg_field_string(&req.base, "name"), "n1");
}
END_TEST

START_TEST(test_field_string_optional_only_when_its_case_is_set) {
  create_req_t req = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  req.sku = "pro";
  ck_assert_ptr_null(hg_field_string(&req.base, "sku"));
  req._sku_case = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU;
  ck_assert_str_eq(hg_field_string(&req.base, "sku"), "pro");
}
END_TEST

START_TEST(test_field_string_wrapper_message_and_unknown) {
  create_req_t req = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  Hangar__Json__V1__RawObject settings = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  ck_assert_ptr_null(hg_field_string(&req.base, "no_such_field"));
  ck_assert_ptr_null(hg_field_string(&req.base, "settings_json"));
  settings.json = "{}";
  req.settings_json = &settings;
  ck_assert_str_eq(hg_field_string(&req.base, "settings_json"), "{}");
}
END_TEST

/* Resource -> Resource copies every string and message field; a create request shares only
 * some names with it, and its optional sku (a oneof member) is not copied. */
START_TEST(test_copy_shared_fields_by_name_and_type) {
  create_req_t req = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  Hangar__Json__V1__RawObject settings = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  req.id = "r1";
  req.name = "n1";
  req.type = "Konnektr.Graph";
  req.sku = "pro";
  req._sku_case = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU;
  req.settings_json = &settings;
  Hangar__Resources__V1__Resource r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  r.sku = "kept";
  r.status = "kept";
  hg_copy_shared_fields(&req.base, &r.base);
  ck_assert_str_eq(r.name, "n1");
  ck_assert_str_eq(r.type, "Konnektr.Graph");
  ck_assert_ptr_eq(r.settings_json, &settings);
  ck_assert_str_eq(r.sku, "kept");    /* the request's is a oneof member */
  ck_assert_str_eq(r.status, "kept"); /* the request has none */
  Hangar__Resources__V1__Resource copy = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  hg_copy_shared_fields(&r.base, &copy.base);
  ck_assert_str_eq(copy.sku, "kept");
  ck_assert_ptr_eq(copy.settings_json, &settings);
}
END_TEST

START_TEST(test_mask_has_paths) {
  char *paths[] = {"name", "sku"};
  Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
  mask.paths = paths;
  mask.n_paths = 2;
  ck_assert(hg_mask_has(&mask, "name"));
  ck_assert(hg_mask_has(&mask, "sku"));
  ck_assert(!hg_mask_has(&mask, "nam"));
  ck_assert(!hg_mask_has(NULL, "name"));
}
END_TEST

int main(void) {
  TEST_RUN("reflect", 0, test_field_string_plain_only_when_not_empty,
           test_field_string_optional_only_when_its_case_is_set,
           test_field_string_wrapper_message_and_unknown, test_copy_shared_fields_by_name_and_type,
           test_mask_has_paths);
}
