/* test_service.c - common/service without serving: which settings a service has (the
 * token-verifier ones only when it verifies callers), their defaults and checks, a
 * service's own settings after the common ones, and open/stop/close without a start. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/service.h"

#include "test_run.h"

static const hg_service_defaults_t defaults = {"127.0.0.1:0", "var/test", NULL};

static void clear_env(void) {
  static const char *const names[] = {"HANGAR_LISTEN",
                                      "HANGAR_DATA_DIR",
                                      "HANGAR_LOG_LEVEL",
                                      "HANGAR_READY_FILE",
                                      "HANGAR_RPC_THREADS",
                                      "HANGAR_AUTH_ADDR",
                                      "HANGAR_AUTH_CACHE_TTL_SECONDS",
                                      "HANGAR_STORE_MAP_SIZE",
                                      "HANGAR_STORE_SPEC",
                                      "HANGAR_MAX_IN_FLIGHT_PER_PRINCIPAL"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) unsetenv(names[i]);
}

static int configure(hg_service_t *s, unsigned flags, int argc, char **argv) {
  clear_env();
  return hg_service_configure(s, "test-svc", flags, &defaults, NULL, 0, argc, argv);
}

START_TEST(test_common_defaults) {
  hg_service_t s;
  char *argv[] = {"prog"};
  ck_assert_int_eq(configure(&s, HG_SERVICE_VERIFIES_TOKENS, 1, argv), 0);
  ck_assert_str_eq(s.name, "test-svc");
  ck_assert_str_eq(s.listen, "127.0.0.1:0");
  ck_assert_str_eq(s.data_dir, "var/test");
  ck_assert_str_eq(s.store_spec, "lmdb:var/test");
  ck_assert_str_eq(s.log_level, "info");
  ck_assert_ptr_null(s.ready_file);
  ck_assert_str_eq(s.threads, "2");
  ck_assert_str_eq(s.auth, "127.0.0.1:7101");
  ck_assert_str_eq(s.auth_cache_ttl, "30");
  ck_assert_uint_eq(s.map_size, sizeof(size_t) >= 8 ? (size_t)64 << 30 : (size_t)1 << 30);
  ck_assert_str_eq(s.max_in_flight, "32");
  ck_assert_ptr_null(s.server);
}
END_TEST

START_TEST(test_flags_and_environment_set_common_settings) {
  hg_service_t s;
  char *argv[] = {"prog", "--data-dir=/d", "--threads", "4", "--ready-file=/r"};
  clear_env();
  setenv("HANGAR_LOG_LEVEL", "warn", 1);
  ck_assert_int_eq(hg_service_configure(&s, "svc", 0, &defaults, NULL, 0, 5, argv), 0);
  ck_assert_str_eq(s.data_dir, "/d");
  ck_assert_str_eq(s.threads, "4");
  ck_assert_str_eq(s.ready_file, "/r");
  ck_assert_str_eq(s.log_level, "warn");
  unsetenv("HANGAR_LOG_LEVEL");
  /* The store's size, as make run passes it: the environment, with a suffix. */
  setenv("HANGAR_STORE_MAP_SIZE", "1M", 1);
  ck_assert_int_eq(hg_service_configure(&s, "svc", 0, &defaults, NULL, 0, 1, argv), 0);
  ck_assert_uint_eq(s.map_size, 1u << 20);
  unsetenv("HANGAR_STORE_MAP_SIZE");
}
END_TEST

/* A service that does not verify callers has no --auth settings at all. */
START_TEST(test_auth_settings_only_when_verifying) {
  hg_service_t s;
  char *argv[] = {"prog", "--auth=127.0.0.1:9"};
  ck_assert_int_eq(configure(&s, 0, 2, argv), -1);
  ck_assert_ptr_null(s.auth);
  ck_assert_int_eq(configure(&s, HG_SERVICE_VERIFIES_TOKENS, 2, argv), 0);
  ck_assert_str_eq(s.auth, "127.0.0.1:9");
}
END_TEST

START_TEST(test_bad_settings_are_refused) {
  static const char *const bad[] = {
      "--log-level=loud",
      "--threads=0",
      "--threads=65",
      "--threads=two",
      "--auth-cache-ttl-seconds=61",
      "--auth-cache-ttl-seconds=-1",
      "--map-size=1x",
      "--map-size=255K",
      "--map-size=",
      "--max-in-flight-per-principal=0",
      "--max-in-flight-per-principal=many",
      "--store=sqlite:/x",
      "--store=/var/x",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    hg_service_t s;
    char *argv[] = {"prog", (char *)bad[i]};
    ck_assert_msg(configure(&s, HG_SERVICE_VERIFIES_TOKENS, 2, argv) == -1, "%s", bad[i]);
  }
  hg_service_t s;
  char *edge[] = {"prog", "--threads=64", "--auth-cache-ttl-seconds=60", "--log-level=error"};
  ck_assert_int_eq(configure(&s, HG_SERVICE_VERIFIES_TOKENS, 4, edge), 0);
}
END_TEST

START_TEST(test_help_answers_one) {
  hg_service_t s;
  char *argv[] = {"prog", "--help"};
  ck_assert_int_eq(configure(&s, 0, 2, argv), 1);
}
END_TEST

START_TEST(test_extra_settings_follow_the_common_ones) {
  static const char *delay;
  static const hg_setting_t extra[] = {
      {"--delay-ms", "HANGAR_TEST_DELAY_MS", "5", "provisioning delay", &delay},
  };
  hg_service_t s;
  char *argv[] = {"prog", "--delay-ms=7", "--listen=unix:/tmp/s"};
  clear_env();
  ck_assert_int_eq(hg_service_configure(&s, "svc", 0, &defaults, extra, 1, 3, argv), 0);
  ck_assert_str_eq(delay, "7");
  ck_assert_str_eq(s.listen, "unix:/tmp/s");
}
END_TEST

START_TEST(test_too_many_extra_settings_are_refused) {
  static const char *v;
  hg_setting_t extra[24];
  for (size_t i = 0; i < 24; i++) extra[i] = (hg_setting_t){"--x", NULL, NULL, "x", &v};
  hg_service_t s;
  char *argv[] = {"prog"};
  clear_env();
  ck_assert_int_eq(hg_service_configure(&s, "svc", 0, &defaults, extra, 24, 1, argv), -1);
}
END_TEST

/* --store picks the engine; unset, the store is LMDB in --data-dir; an etcd spec without a
 * prefix gets the service's name (before its ?budgets), so services sharing one etcd never
 * share keys. */
START_TEST(test_store_spec_from_store_and_data_dir) {
  hg_service_t s;
  char *dir[] = {"prog", "--data-dir=/d"};
  ck_assert_int_eq(configure(&s, 0, 2, dir), 0);
  ck_assert_str_eq(s.store_spec, "lmdb:/d");
  char *lmdb[] = {"prog", "--data-dir=/d", "--store=lmdb:/other"};
  ck_assert_int_eq(configure(&s, 0, 3, lmdb), 0);
  ck_assert_str_eq(s.store_spec, "lmdb:/other");
  char *etcd[] = {"prog", "--store", "etcd:127.0.0.1:2379,127.0.0.1:22379"};
  ck_assert_int_eq(configure(&s, 0, 3, etcd), 0);
  ck_assert_str_eq(s.store_spec, "etcd:127.0.0.1:2379,127.0.0.1:22379/test-svc");
  /* the prefix goes before the etcd budgets */
  char *budgets[] = {"prog", "--store", "etcd:h:1?max-txn-ops=4096&max-request-bytes=10485760"};
  ck_assert_int_eq(configure(&s, 0, 3, budgets), 0);
  ck_assert_str_eq(s.store_spec, "etcd:h:1/test-svc?max-txn-ops=4096&max-request-bytes=10485760");
  char *both[] = {"prog", "--store", "etcd:h:1/team/a?max-txn-ops=4096"};
  ck_assert_int_eq(configure(&s, 0, 3, both), 0);
  ck_assert_str_eq(s.store_spec, "etcd:h:1/team/a?max-txn-ops=4096");
  char *none[] = {"prog"};
  clear_env();
  setenv("HANGAR_STORE_SPEC", "etcd:h:1/team/a", 1);
  ck_assert_int_eq(hg_service_configure(&s, "svc", 0, &defaults, NULL, 0, 1, none), 0);
  ck_assert_str_eq(s.store_spec, "etcd:h:1/team/a");
  unsetenv("HANGAR_STORE_SPEC");
}
END_TEST

/* Opening makes the server without starting it; stop and close are safe to repeat. */
START_TEST(test_open_then_close_without_running) {
  hg_service_t s;
  char *argv[] = {"prog"};
  int data = 0;
  ck_assert_int_eq(configure(&s, 0, 1, argv), 0);
  ck_assert_int_eq(hg_service_open(&s, &data), 0);
  ck_assert_ptr_nonnull(s.server);
  hg_service_stop(&s);
  ck_assert_ptr_null(s.server);
  hg_service_stop(&s);
  hg_service_close(&s);
  ck_assert_ptr_null(s.client);
  ck_assert_ptr_null(s.authz);
}
END_TEST

int main(void) {
  TEST_RUN("service", 0, test_common_defaults, test_flags_and_environment_set_common_settings,
           test_auth_settings_only_when_verifying, test_bad_settings_are_refused,
           test_help_answers_one, test_extra_settings_follow_the_common_ones,
           test_too_many_extra_settings_are_refused, test_store_spec_from_store_and_data_dir,
           test_open_then_close_without_running);
}
