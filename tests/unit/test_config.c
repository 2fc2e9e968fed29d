/* test_config.c - common/config: a flag beats the environment, which beats the default;
 * both flag forms; unknown flags, missing values and --help; integer settings. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

#include "test_run.h"

static const char *listen_v, *dir_v, *level_v;

static const hg_setting_t settings[] = {
    {"--listen", "HANGAR_TEST_LISTEN", "127.0.0.1:1", "address", &listen_v},
    {"--data-dir", "HANGAR_TEST_DATA_DIR", NULL, "directory", &dir_v},
    {"--log-level", NULL, "info", "level", &level_v},
};
#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

static int parse(int argc, char **argv, char *err) {
  return hg_config_parse(settings, N_SETTINGS, argc, argv, "test", err, 128);
}

static void clear_env(void) {
  unsetenv("HANGAR_TEST_LISTEN");
  unsetenv("HANGAR_TEST_DATA_DIR");
}

START_TEST(test_defaults_when_nothing_is_given) {
  char err[128] = "";
  char *argv[] = {"prog"};
  clear_env();
  ck_assert_int_eq(parse(1, argv, err), 0);
  ck_assert_str_eq(listen_v, "127.0.0.1:1");
  ck_assert_ptr_null(dir_v);
  ck_assert_str_eq(level_v, "info");
}
END_TEST

START_TEST(test_environment_beats_default) {
  char err[128] = "";
  char *argv[] = {"prog"};
  clear_env();
  setenv("HANGAR_TEST_LISTEN", "unix:/tmp/x", 1);
  setenv("HANGAR_TEST_DATA_DIR", "", 1); /* empty: as if unset */
  ck_assert_int_eq(parse(1, argv, err), 0);
  ck_assert_str_eq(listen_v, "unix:/tmp/x");
  ck_assert_ptr_null(dir_v);
}
END_TEST

START_TEST(test_flag_beats_environment_in_both_forms) {
  char err[128] = "";
  char *argv[] = {"prog", "--listen", "0.0.0.0:9", "--data-dir=/var/x", "--log-level=debug"};
  clear_env();
  setenv("HANGAR_TEST_LISTEN", "unix:/tmp/x", 1);
  ck_assert_int_eq(parse(5, argv, err), 0);
  ck_assert_str_eq(listen_v, "0.0.0.0:9");
  ck_assert_str_eq(dir_v, "/var/x");
  ck_assert_str_eq(level_v, "debug");
}
END_TEST

START_TEST(test_last_flag_wins_and_empty_value_is_kept) {
  char err[128] = "";
  char *argv[] = {"prog", "--listen=a", "--listen=", "--data-dir", "b"};
  clear_env();
  ck_assert_int_eq(parse(5, argv, err), 0);
  ck_assert_str_eq(listen_v, "");
  ck_assert_str_eq(dir_v, "b");
}
END_TEST

START_TEST(test_unknown_flag_is_refused) {
  char err[128] = "";
  char *argv[] = {"prog", "--listn=x"};
  ck_assert_int_eq(parse(2, argv, err), -1);
  ck_assert_str_eq(err, "unknown option '--listn=x' (try --help)");
  char *prefix[] = {"prog", "--list", "x"}; /* a prefix of a flag is no flag */
  ck_assert_int_eq(parse(3, prefix, err), -1);
}
END_TEST

START_TEST(test_missing_value_is_refused) {
  char err[128] = "";
  char *argv[] = {"prog", "--data-dir"};
  ck_assert_int_eq(parse(2, argv, err), -1);
  ck_assert_str_eq(err, "option '--data-dir' needs a value");
}
END_TEST

START_TEST(test_help_stops_parsing) {
  char err[128] = "";
  char *argv[] = {"prog", "-h", "--bogus"};
  ck_assert_int_eq(parse(3, argv, err), 1);
  char *longer[] = {"prog", "--help"};
  ck_assert_int_eq(parse(2, longer, err), 1);
}
END_TEST

START_TEST(test_int_table) {
  static const struct {
    const char *text;
    long long value;
  } cases[] = {
      {"0", 0},    {"42", 42}, {"9223372036854775807", 9223372036854775807LL},
      {NULL, -1},  {"", -1},   {"-1", -1},
      {"12x", -1}, {"x", -1},  {"99999999999999999999", -1},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(hg_config_int(cases[i].text) == cases[i].value, "%s",
                  cases[i].text ? cases[i].text : "(null)");
}
END_TEST

START_TEST(test_size_table) {
  static const struct {
    const char *text;
    unsigned long long value;
  } cases[] = {
      {"4096", 4096},
      {"1K", 1024},
      {"1M", 1048576},
      {"64G", 64ULL << 30},
      {"0", 0},
      {"", 0},
      {NULL, 0},
      {"-1M", 0},
      {"1k", 1024},
      {"1MB", 0},
      {"M", 0},
      {" 1M", 0},
      {"1T", 0},
      {"99999999999999999999", 0},
      {"17179869184G", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(hg_config_size(cases[i].text) == cases[i].value, "%s",
                  cases[i].text ? cases[i].text : "(null)");
}
END_TEST

int main(void) {
  TEST_RUN("config", 0, test_defaults_when_nothing_is_given, test_environment_beats_default,
           test_flag_beats_environment_in_both_forms, test_last_flag_wins_and_empty_value_is_kept,
           test_unknown_flag_is_refused, test_missing_value_is_refused, test_help_stops_parsing,
           test_int_table, test_size_table);
}
