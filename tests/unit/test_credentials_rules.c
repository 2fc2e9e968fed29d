/* test_credentials_rules.c - credentials-svc's tables: backends and their types (the
 * blueprint's table), which types can be extended, path ids, and the store's records. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials/backends.h"
#include "credentials/cred_store.h"
#include "test_run.h"

START_TEST(test_backends_and_types_follow_the_blueprint) {
  static const struct {
    const char *backend, *type;
    int ok;
  } rows[] = {
      {"mysql", "transformations", 1},
      {"mysql", "sandbox", 1},
      {"mysql", "writer", 0},
      {"mysql", "luckyguess", 0},
      {"mysql", "rstudio", 0},
      {"snowflake", "writer", 1},
      {"snowflake", "luckyguess", 1},
      {"snowflake", "read", 0},
      {"redshift-workspace", "sandbox", 1},
      {"docker", "rstudio", 1},
      {"docker", "jupyter", 1},
      {"docker", "sandbox", 0},
      {"docker", "transformations", 0},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    const kb_backend_t *b = kb_backend_find(rows[i].backend);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(kb_backend_has_type(b, rows[i].type), rows[i].ok);
  }
  ck_assert_ptr_null(kb_backend_find("oracle"));
  ck_assert_ptr_null(kb_backend_find("redshift"));
  ck_assert_ptr_null(kb_backend_find(""));
  ck_assert_ptr_null(kb_backend_find(NULL));
  ck_assert(kb_backend_find("docker")->async_only);
  ck_assert(!kb_backend_find("mysql")->async_only);
  ck_assert_str_eq(kb_backend_get(KB_BACKEND_REDSHIFT)->name, "redshift-workspace");
}
END_TEST

START_TEST(test_sandboxes_and_containers_extend) {
  ck_assert(kb_type_can_extend("sandbox"));
  ck_assert(kb_type_can_extend("rstudio"));
  ck_assert(kb_type_can_extend("jupyter"));
  ck_assert(!kb_type_can_extend("transformations"));
  ck_assert(!kb_type_can_extend("writer"));
  ck_assert(!kb_type_can_extend("luckyguess"));
}
END_TEST

START_TEST(test_ids_are_canonical_decimals) {
  uint64_t v = 0;
  ck_assert_int_eq(kb_id_parse("1386700227", &v), 0);
  ck_assert_uint_eq(v, 1386700227u);
  ck_assert_int_eq(kb_id_parse("0", &v), 0);
  ck_assert_uint_eq(v, 0);
  ck_assert_int_eq(kb_id_parse("9999999999999999999", &v), 0);
  static const char *const bad[] = {
      "", "abc", "12a", "-1", "+1", "01", " 1", "1 ", "10000000000000000000", "1.0", "0x10"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_int_eq(kb_id_parse(bad[i], &v), -1);
  ck_assert_int_eq(kb_id_parse(NULL, &v), -1);
}
END_TEST

/* On the writer thread: arg is the record to insert. */
static int put_new(store_txn_t *t, void *arg) {
  return kb_creds_put(t, arg, STORE_PUT_NOOVERWRITE);
}

/* A record round-trips through the store, the owner index finds it, and a second record of
 * the same owner, backend and type is refused. */
START_TEST(test_owner_index_holds_one_record_per_type) {
  char dir[] = "/tmp/test_credentials_XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  store_t *s;
  ck_assert_int_eq(store_open(dir, &kb_store_schema, NULL, &s), 0);
  hg_arena_t *a = hg_arena_new();
  Hangar__Credentials__V1__Credentials c = HANGAR__CREDENTIALS__V1__CREDENTIALS__INIT;
  kb_record_t rec = HANGAR__CREDENTIALS__V1__CREDENTIALS_RECORD__INIT;
  c.id = "7";
  c.user = "u7";
  rec.credentials = &c;
  rec.backend = "mysql";
  rec.type = "sandbox";
  rec.project = "42";
  rec.token_id = "tok";
  store_txn_t *txn;
  ck_assert_int_eq(store_write(s, put_new, &rec), 0);
  c.id = "8";
  ck_assert_int_eq(store_write(s, put_new, &rec), STORE_EXISTS);
  ck_assert_int_eq(store_txn_begin_read(s, &txn), 0);
  kb_record_t *got;
  ck_assert_int_eq(kb_creds_find(txn, "42", "tok", "mysql", "sandbox", a, &got), 0);
  ck_assert_str_eq(got->credentials->id, "7");
  ck_assert_int_eq(kb_creds_find(txn, "42", "other", "mysql", "sandbox", a, &got), STORE_NOTFOUND);
  ck_assert_int_eq(kb_creds_find(txn, "43", "tok", "mysql", "sandbox", a, &got), STORE_NOTFOUND);
  ck_assert_int_eq(kb_creds_load(txn, 7, a, &got), 0);
  ck_assert_str_eq(got->credentials->user, "u7");
  ck_assert_int_eq(kb_creds_load(txn, 8, a, &got), STORE_NOTFOUND);
  store_txn_end(txn);
  hg_arena_free(a);
  store_close(s);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void) {
  TEST_RUN("credentials_rules", 0, test_backends_and_types_follow_the_blueprint,
           test_sandboxes_and_containers_extend, test_ids_are_canonical_decimals,
           test_owner_index_holds_one_record_per_type);
}
