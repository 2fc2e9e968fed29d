/* test_transcode_oom.c - the transcoder under allocation failure: the arena fails its Nth
 * allocation for N = 0, 1, 2 ... and every call must answer a clean error (TC_ENOMEM) or
 * succeed, never crash or leak, until N is large enough that the decode succeeds. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "transcode.h"

static const char body[] =
    "{\"name\":\"Customer Analytics Graph\",\"sku\":\"pro\","
    "\"settings_json\":{\"database_name\":\"customer-analytics\",\"enable_analytics\":true,\"nested\":{\"list\":[1,2.5,\"x\",null,{\"k\":false}]}}}";

/* An UpdateResourceRequest (path field, body fields, Struct, update_mask), decoded with the
 * Nth allocation failing: 0 on success, TC_ENOMEM on a clean failure. */
static int decode_failing_at(long n) {
  hg_arena_t *a = hg_arena_new();
  ck_assert_ptr_nonnull(a);
  tc_error_t err;
  hg_arena_test_fail_after(n);
  ProtobufCMessage *m =
      tc_message_new(&hangar__resources__v1__update_resource_request__descriptor, a);
  int rc = m ? tc_set_field_text(m, "project_id", "proj-abc123", 11, a, &err) : TC_ENOMEM;
  if (rc == 0) rc = tc_decode(m, body, sizeof(body) - 1, NULL, a, &err);
  hg_arena_test_fail_after(-1);
  hg_arena_free(a);
  return rc;
}

START_TEST(test_decode_fails_cleanly_at_every_allocation) {
  long n = 0;
  int rc;
  while ((rc = decode_failing_at(n)) != 0) {
    ck_assert_msg(rc == TC_ENOMEM, "allocation %ld: got %s", n, tc_err_name(rc));
    ck_assert_msg(++n < 10000, "decode never succeeded");
  }
  ck_assert_int_gt(n, 3); /* the body needs several allocations, each one was failed */
  ck_assert_int_eq(decode_failing_at(n + 1), 0);
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
  tcase_add_test(tc, test_decode_fails_cleanly_at_every_allocation);
  tcase_add_test(tc, test_arena_seam_resets);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
