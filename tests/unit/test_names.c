/* test_names.c - common/names: name rules as data (hg_name_matches). */
#include <check.h>
#include <string.h>

#include "common/names.h"

#include "test_run.h"

static const hg_name_rule_t dns = {63, HG_NAME_LOWER | HG_NAME_DIGIT | HG_NAME_HYPHEN |
                                           HG_NAME_NO_EDGE_HYPHEN};
static const hg_name_rule_t wide = {250, HG_NAME_LOWER | HG_NAME_UPPER | HG_NAME_DIGIT |
                                             HG_NAME_HYPHEN | HG_NAME_UNDERSCORE};

START_TEST(test_name_rules) {
  char x63[64], x64[65], y250[251], y251[252];
  memset(x63, 'x', 63), x63[63] = '\0';
  memset(x64, 'x', 64), x64[64] = '\0';
  memset(y250, 'Y', 250), y250[250] = '\0';
  memset(y251, 'Y', 251), y251[251] = '\0';
  static const struct {
    const hg_name_rule_t *rule;
    const char *name;
    int ok;
  } cases[] = {
      {&dns, "resource-name-01", 1},
      {&dns, "0abc", 1},
      {&dns, "a", 1},
      {&dns, "-a", 0},
      {&dns, "a-", 0},
      {&dns, "A", 0},
      {&dns, "a_b", 0},
      {&dns, "", 0},
      {&dns, "a.b", 0},
      {&wide, "Resource_Name_01", 1},
      {&wide, "-x-", 1},
      {&wide, "a b", 0},
      {&wide, "a/b", 0},
      {&wide, "", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(hg_name_matches(cases[i].rule, cases[i].name, strlen(cases[i].name)) ==
                      cases[i].ok,
                  "%s", cases[i].name);
  ck_assert_int_eq(hg_name_matches(&dns, x63, 63), 1);
  ck_assert_int_eq(hg_name_matches(&dns, x64, 64), 0);
  ck_assert_int_eq(hg_name_matches(&wide, y250, 250), 1);
  ck_assert_int_eq(hg_name_matches(&wide, y251, 251), 0);
}
END_TEST

START_TEST(test_dns_label_unchanged) {
  ck_assert_int_eq(hg_name_is_dns_label("abc", 3), 1);
  ck_assert_int_eq(hg_name_is_dns_label("0abc", 4), 0);
}
END_TEST

int main(void) { TEST_RUN("names", 0, test_name_rules, test_dns_label_unchanged); }
