/* test_uuid.c - common/uuid: random version-4 ids and canonical text. */
#include <check.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "common/uuid.h"

#include "test_run.h"

START_TEST(test_uuid_v4_shape_and_uniqueness) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re,
                           "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                           REG_EXTENDED | REG_NOSUB),
                   0);
  char prev[HG_UUID_LEN] = "";
  for (int i = 0; i < 1000; i++) {
    char id[HG_UUID_LEN];
    ck_assert_int_eq(hg_uuid_v4(id), 0);
    ck_assert_msg(regexec(&re, id, 0, NULL, 0) == 0, "%s", id);
    ck_assert_str_ne(id, prev);
    strcpy(prev, id);
  }
  regfree(&re);
}
END_TEST

START_TEST(test_uuid_parse_table) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"d32d905a-ed33-46a3-a093-d8f536af9a8a", "d32d905a-ed33-46a3-a093-d8f536af9a8a"},
      {"D32D905A-ED33-46A3-A093-D8F536AF9A8A", "d32d905a-ed33-46a3-a093-d8f536af9a8a"},
      {"00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"},
      {"d32d905a-ed33-46a3-a093-d8f536af9a8", NULL},
      {"d32d905a-ed33-46a3-a093-d8f536af9a8aa", NULL},
      {"d32d905aed3346a3a093d8f536af9a8a", NULL},
      {"d32d905a-ed33-46a3-a093_d8f536af9a8a", NULL},
      {"g32d905a-ed33-46a3-a093-d8f536af9a8a", NULL},
      {"../../etc/passwd", NULL},
      {"", NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[HG_UUID_LEN] = "unchanged";
    int rc = hg_uuid_parse(cases[i].in, out);
    ck_assert_int_eq(rc, cases[i].out ? 0 : -1);
    ck_assert_str_eq(out, cases[i].out ? cases[i].out : "unchanged");
  }
  char out[HG_UUID_LEN];
  ck_assert_int_eq(hg_uuid_parse(NULL, out), -1);
}
END_TEST

int main(void) { TEST_RUN("uuid", 0, test_uuid_v4_shape_and_uniqueness, test_uuid_parse_table); }
