/* test_products_name_index.c - the name index of products (services/products): a store
 * written before the index existed gets an entry per record at start (name_index.c), after
 * which a name page walks it either way, and a second start changes nothing. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "products/product_store.h"
#include "storage/record.h"
#include "test_run.h"

static char dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* The products table as it was before the index: grouped, no index. */
static const store_table_def_t old_tables[] = {
    {.name = "products", .grouped = 1},
    {.name = "documents", .grouped = 1},
    {.name = "versions", .grouped = 1},
    {.name = "specifications", .grouped = 1},
};
static const store_schema_t old_schema = {old_tables, 4};

typedef struct old_put {
  const char *id, *name;
} old_put_t;

/* A product saved as the code before the index saved it: group only. */
static int put_old(store_txn_t *txn, void *arg) {
  const old_put_t *p = arg;
  product_t prod = HANGAR__PRODUCTS__V1__API_PRODUCT__INIT;
  product_record_t rec = HANGAR__PRODUCTS__V1__PRODUCT_RECORD__INIT;
  prod.id = (char *)p->id;
  prod.name = (char *)p->name;
  rec.org = "org1";
  rec.product = &prod;
  hg_buf_t b = HG_BUF_INIT;
  char key[64];
  int n = snprintf(key, sizeof(key), "org1%c%s", 0, p->id);
  store_keys_t keys = {.group = {"org1", 4}};
  int rc = record_pack(&rec.base, &b);
  if (rc == 0)
    rc = store_put(txn, PR_PRODUCTS, (store_val_t){key, (size_t)n}, (store_val_t){b.p, b.n}, &keys,
                   0);
  hg_buf_free(&b);
  return rc;
}

static int count_entries(store_t *s) {
  store_txn_t *t;
  uint64_t n = 0;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_index_count(t, PR_PRODUCTS, PR_BY_NAME, (store_val_t){NULL, 0}, &n), 0);
  store_txn_end(t);
  return (int)n;
}

/* The names of a walk of the index under org1, as "a,b,". */
static void names(store_t *s, int reverse, uint64_t skip, size_t limit, char *out) {
  store_txn_t *t;
  hg_arena_t *a = hg_arena_new();
  void **items;
  size_t n;
  store_walk_t w = {skip, limit, reverse};
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  store_val_t prefix = pr_name_key(a, (store_val_t){"org1", 4}, "", 0);
  ck_assert_int_eq(
      pr_load_by_name(t, a, PR_PRODUCTS, prefix, &w, pr_record_types[PR_PRODUCTS].d, &items, &n),
      0);
  store_txn_end(t);
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    strcat(out, ((product_record_t *)items[i])->product->name);
    strcat(out, ",");
  }
  hg_arena_free(a);
}

START_TEST(test_old_store_is_indexed_at_start) {
  strcpy(dir, "/tmp/hangar-test-names-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  store_t *s;
  ck_assert_int_eq(store_open(dir, &old_schema, NULL, &s), 0);
  static const old_put_t puts[] = {
      {"p1", "delta"}, {"p2", "alpha"}, {"p3", "charlie"}, {"p4", "bravo"}};
  for (size_t i = 0; i < 4; i++) ck_assert_int_eq(store_write(s, put_old, (void *)&puts[i]), 0);
  store_close(s);

  ck_assert_int_eq(store_open(dir, &products_schema, NULL, &s), 0);
  ck_assert_int_eq(count_entries(s), 0);
  ck_assert_int_eq(pr_name_index_fill(s), 0);
  ck_assert_int_eq(count_entries(s), 4);
  char buf[256];
  names(s, 0, 0, 0, buf);
  ck_assert_str_eq(buf, "alpha,bravo,charlie,delta,");
  names(s, 1, 1, 2, buf);
  ck_assert_str_eq(buf, "charlie,bravo,");
  ck_assert_int_eq(pr_name_index_fill(s), 0); /* a second start: nothing to do */
  ck_assert_int_eq(count_entries(s), 4);
  store_close(s);
  nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(test_long_names_are_cut_at_a_character) {
  hg_arena_t *a = hg_arena_new();
  char name[1000];
  memset(name, 'x', 399);
  strcpy(name + 399, "\xc3\xa9tail"); /* a two-byte character across byte 400 */
  store_val_t k = pr_name_key(a, (store_val_t){"g", 1}, name, 1);
  ck_assert_uint_eq(k.n, 1 + 1 + 399 + 1);
  memset(name, 'y', sizeof(name) - 1);
  name[sizeof(name) - 1] = '\0';
  k = pr_name_key(a, (store_val_t){"g", 1}, name, 1);
  ck_assert_uint_eq(k.n, 1 + 1 + 400 + 1);
  hg_arena_free(a);
}
END_TEST

int main(void) {
  TEST_RUN("products_name_index", 0, test_old_store_is_indexed_at_start,
           test_long_names_are_cut_at_a_character);
}
