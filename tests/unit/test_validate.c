/* test_validate.c - rule tables and DNS labels. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "common/validate.h"

typedef struct sample {
  char *id;
  char *name;
  char *kind;
} sample_t;

static const char *const kinds[] = {"a", "b", NULL};
static const hg_rule_t rules[] = {
    {"id", offsetof(sample_t, id), HG_RULE_DNS_LABEL, 1, 0, 0, NULL, "dns"},
    {"name", offsetof(sample_t, name), HG_RULE_LENGTH, 1, 1, 3, NULL, "1-3 chars"},
    {"kind", offsetof(sample_t, kind), HG_RULE_ONE_OF, 0, 0, 0, kinds, "a or b"},
};

START_TEST(test_dns_label_rules) {
  const char *good[] = {"a", "my-graph-db", "a1", "x0-9"};
  const char *bad[] = {"", "-a", "a-", "A", "1a", "a_b", "a.b", "my graph"};
  for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
    ck_assert_msg(hg_name_is_dns_label(good[i], strlen(good[i])), "%s", good[i]);
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
    ck_assert_msg(!hg_name_is_dns_label(bad[i], strlen(bad[i])), "%s", bad[i]);
  char label[65];
  memset(label, 'a', 64);
  label[64] = '\0';
  ck_assert(!hg_name_is_dns_label(label, 64));
  ck_assert(hg_name_is_dns_label(label, 63));
}
END_TEST

START_TEST(test_validate_reports_every_broken_rule) {
  sample_t s = {.id = "Bad_Id", .name = "", .kind = "c"};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_validate(&s, rules, 3, &st), 3);
  ck_assert_str_eq(st.violations[0].field, "id");
  ck_assert_str_eq(st.violations[0].rule, "invalid");
  ck_assert_str_eq(st.violations[1].field, "name");
  ck_assert_str_eq(st.violations[1].rule, "required");
  ck_assert_str_eq(st.violations[2].field, "kind");
}
END_TEST

START_TEST(test_validate_optional_empty_passes) {
  sample_t s = {.id = "ok", .name = "abc", .kind = NULL};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_validate(&s, rules, 3, &st), 0);
  ck_assert_uint_eq(st.n_violations, 0);
}
END_TEST

START_TEST(test_length_counts_code_points) {
  sample_t s = {.id = "ok", .name = "\xc3\xa9\xc3\xa9\xc3\xa9", .kind = "a"};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_validate(&s, rules, 3, &st), 0);
  s.name = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
  ck_assert_uint_eq(hg_validate(&s, rules, 3, &st), 1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("validate");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_dns_label_rules);
  tcase_add_test(tc, test_validate_reports_every_broken_rule);
  tcase_add_test(tc, test_validate_optional_empty_passes);
  tcase_add_test(tc, test_length_counts_code_points);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
