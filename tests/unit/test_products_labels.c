/* test_products_labels.c - products/labels_patch.c: the count is checked first. A create map
 * or PATCH object of more than 50 labels is refused by its count alone: no entry is read or
 * checked (entries that would each be a violation add none) and nothing is handed on to
 * merge (the patch stays empty), so the writer's merge never runs for it. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hangar/products/v1/products.pb-c.h"
#include "products/labels_patch.h"
#include "test_run.h"

enum { MANY = 60000 };

static char keys[MANY][32]; /* "kong" and any size_t */

/* A Struct of n entries whose values are numbers: every one an "is_string" violation and a
 * reserved key ("kong...") if anything read them. */
static Google__Protobuf__Struct *bad_struct(size_t n, hg_arena_t *a) {
  Google__Protobuf__Struct *s = hg_arena_alloc(a, sizeof(*s));
  Google__Protobuf__Struct__FieldsEntry **ep = hg_arena_alloc(a, n * sizeof(*ep));
  Google__Protobuf__Value *num = hg_arena_alloc(a, sizeof(*num));
  ck_assert(s && ep && num);
  google__protobuf__struct__init(s);
  google__protobuf__value__init(num);
  num->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
  for (size_t i = 0; i < n; i++) {
    ep[i] = hg_arena_alloc(a, sizeof(*ep[i]));
    ck_assert(ep[i]);
    google__protobuf__struct__fields_entry__init(ep[i]);
    snprintf(keys[i], sizeof(keys[i]), "kong%zu", i);
    ep[i]->key = keys[i];
    ep[i]->value = num;
  }
  s->fields = ep;
  s->n_fields = n;
  return s;
}

static void assert_only_count_violation(const hg_status_t *st) {
  ck_assert_uint_eq(st->n_violations, 1);
  ck_assert_str_eq(st->violations[0].field, "labels");
  ck_assert_str_eq(st->violations[0].rule, "max_items");
  ck_assert_str_eq(st->violations[0].description, "labels must not have more than 50 entries");
  ck_assert_int_eq(st->violations[0].maximum, 50);
}

START_TEST(test_patch_count_refuses_before_reading_or_merging) {
  hg_arena_t *a = hg_arena_new();
  static const char *const paths[] = {"labels"};
  Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
  mask.paths = (char **)paths;
  mask.n_paths = 1;
  hg_status_t st;
  pr_labels_patch_t p;
  hg_status_clear(&st);
  ck_assert_int_eq(pr_labels_patch_read(&mask, &pr_labels_cfg, bad_struct(MANY, a), a, &st, &p), 1);
  assert_only_count_violation(&st); /* no entry was read: 60,000 would each be violations */
  ck_assert(p.present && !p.clear);
  ck_assert_uint_eq(p.set.n, 0); /* nothing to merge: the merge has no input */
  ck_assert_ptr_null(p.set.items);
  /* 51 is over; at 50 the entries are read (and here each is a violation). */
  hg_status_clear(&st);
  ck_assert_int_eq(pr_labels_patch_read(&mask, &pr_labels_cfg, bad_struct(51, a), a, &st, &p), 1);
  assert_only_count_violation(&st);
  hg_status_clear(&st);
  ck_assert_int_eq(pr_labels_patch_read(&mask, &pr_labels_cfg, bad_struct(50, a), a, &st, &p), 50);
  ck_assert_str_eq(st.violations[0].rule, "is_string");
  hg_arena_free(a);
}
END_TEST

START_TEST(test_create_count_refuses_before_reading) {
  hg_arena_t *a = hg_arena_new();
  Hangar__Products__V1__CreateApiProductRequest req =
      HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  hg_label_t *items = hg_arena_alloc(a, MANY * sizeof(*items));
  ck_assert_ptr_nonnull(items);
  for (size_t i = 0; i < MANY; i++) {
    snprintf(keys[i], sizeof(keys[i]), "kong%zu", i); /* each a bad key if checked */
    items[i] = (hg_label_t){keys[i], "v"};
  }
  hg_labels_t l = {items, MANY}, out = {NULL, 7};
  ck_assert_int_eq(hg_labels_to_map(&req.base, "labels", &l, a), 0);
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_int_eq(pr_labels_create(&req.base, &pr_labels_cfg, a, &st, &out), 1);
  assert_only_count_violation(&st);
  ck_assert_uint_eq(out.n, 7); /* untouched: no merge ran */
  l.n = 50;
  ck_assert_int_eq(hg_labels_to_map(&req.base, "labels", &l, a), 0);
  hg_status_clear(&st);
  ck_assert_int_eq(pr_labels_create(&req.base, &pr_labels_cfg, a, &st, &out), 50);
  ck_assert_str_eq(st.violations[0].rule, "is_label");
  hg_arena_free(a);
}
END_TEST

int main(void) {
  TEST_RUN("products_labels", 0, test_patch_count_refuses_before_reading_or_merging,
           test_create_count_refuses_before_reading);
}
