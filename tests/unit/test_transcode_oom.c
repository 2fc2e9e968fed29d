/* test_transcode_oom.c - the transcoder under allocation failure: the arena fails its Nth
 * allocation for N = 0, 1, 2 ... and every call must answer a clean error (TC_ENOMEM) or
 * succeed, never crash or leak, until N is large enough that the decode succeeds. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "hangar/products/v1/products.pb-c.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "json/transcode.h"

/* A message type, its path field and a body to decode into it. */
typedef struct oom_case {
  const ProtobufCMessageDescriptor *d;
  const char *path_field, *body;
} oom_case_t;

/* Body fields, a RawObject and update_mask; body fields and a google.protobuf.Struct. */
static const oom_case_t cases[] = {
    {&hangar__resources__v1__update_resource_request__descriptor, "project_id",
     "{\"name\":\"Customer Analytics Graph\",\"sku\":\"pro\",\"settings_json\":{\"database_name\":"
     "\"customer-analytics\",\"enable_analytics\":true,\"nested\":{\"list\":[1,2.5,\"x\",null,"
     "{\"k\":false}]}}}"},
    {&hangar__products__v1__create_api_product_document_request__descriptor, "api_product_id",
     "{\"title\":\"Intro\",\"metadata\":{\"owner\":\"docs\",\"nested\":{\"list\":[1,2.5,\"x\","
     "null,{\"k\":false}]}}}"},
};

/* c's message, its path field set and its body decoded with the Nth allocation failing:
 * 0 on success, TC_ENOMEM on a clean failure. */
static int decode_failing_at(const oom_case_t *c, long n) {
  hg_arena_t *a = hg_arena_new();
  ck_assert_ptr_nonnull(a);
  tc_error_t err;
  hg_arena_test_fail_after(n);
  ProtobufCMessage *m = tc_message_new(c->d, a);
  int rc = m ? tc_set_field_text(m, c->path_field, "proj-abc123", 11, a, &err) : TC_ENOMEM;
  if (rc == 0) rc = tc_decode(m, c->body, strlen(c->body), NULL, a, &err);
  hg_arena_test_fail_after(-1);
  hg_arena_free(a);
  return rc;
}

START_TEST(test_decode_fails_cleanly_at_every_allocation) {
  const oom_case_t *c = &cases[_i];
  long n = 0;
  int rc;
  while ((rc = decode_failing_at(c, n)) != 0) {
    ck_assert_msg(rc == TC_ENOMEM, "allocation %ld: got %s", n, tc_err_name(rc));
    ck_assert_msg(++n < 10000, "decode never succeeded");
  }
  ck_assert_int_gt(n, 3); /* the body needs several allocations, each one was failed */
  ck_assert_int_eq(decode_failing_at(c, n + 1), 0);
}
END_TEST

START_TEST(test_arena_seam_resets) {
  hg_arena_t *a = hg_arena_new();
  hg_arena_test_fail_after(1);
  ck_assert_ptr_nonnull(hg_arena_alloc(a, 8));
  ck_assert_ptr_null(hg_arena_alloc(a, 8));
  ck_assert_ptr_null(hg_arena_alloc(a, 8));
  hg_arena_test_fail_after(-1);
  ck_assert_ptr_nonnull(hg_arena_alloc(a, 8));
  hg_arena_free(a);
}
END_TEST

int main(void) {
  Suite *s = suite_create("transcode_oom");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, test_decode_fails_cleanly_at_every_allocation, 0,
                      sizeof(cases) / sizeof(cases[0]));
  tcase_add_test(tc, test_arena_seam_resets);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
