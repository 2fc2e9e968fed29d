/* test_objectid.c - common/objectid: MongoDB-style ids and their canonical text. */
#include <check.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "common/objectid.h"

#include "test_run.h"

/* seconds, then the generator's 5 random bytes, then the 3-byte counter, which wraps. */
START_TEST(test_objectid_layout) {
  hg_objectid_gen_t g;
  ck_assert_int_eq(hg_objectid_gen_init(&g), 0);
  memcpy(g.random, "\x01\x02\x03\x04\xfe", 5);
  atomic_store(&g.counter, 0xfffffe);
  char id[HG_OBJECTID_LEN];
  hg_objectid_next(&g, 0x507f1f77, id);
  ck_assert_str_eq(id, "507f1f7701020304fefffffe");
  hg_objectid_next(&g, 0x507f1f77, id);
  ck_assert_str_eq(id, "507f1f7701020304feffffff");
  hg_objectid_next(&g, 0x507f1f78, id);
  ck_assert_str_eq(id, "507f1f7801020304fe000000");
}
END_TEST

START_TEST(test_objectid_shape_and_order) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re, "^[0-9a-f]{24}$", REG_EXTENDED | REG_NOSUB), 0);
  hg_objectid_gen_t g;
  ck_assert_int_eq(hg_objectid_gen_init(&g), 0);
  char prev[HG_OBJECTID_LEN] = "";
  for (int64_t s = 1700000000; s < 1700001000; s++) {
    char id[HG_OBJECTID_LEN];
    hg_objectid_next(&g, s, id);
    ck_assert_msg(regexec(&re, id, 0, NULL, 0) == 0, "%s", id);
    ck_assert_msg(strcmp(prev, id) < 0, "%s after %s", id, prev); /* later second sorts later */
    strcpy(prev, id);
  }
  regfree(&re);
}
END_TEST

/* Two generators (two processes) differ in their random bytes. */
START_TEST(test_objectid_generators_differ) {
  hg_objectid_gen_t a, b;
  ck_assert_int_eq(hg_objectid_gen_init(&a), 0);
  ck_assert_int_eq(hg_objectid_gen_init(&b), 0);
  ck_assert_mem_ne(a.random, b.random, sizeof(a.random));
}
END_TEST

#define THREADS 4
#define PER_THREAD 5000

static hg_objectid_gen_t shared;
static char ids[THREADS * PER_THREAD][HG_OBJECTID_LEN];

static void *mint(void *arg) {
  size_t t = (size_t)(uintptr_t)arg;
  for (size_t i = 0; i < PER_THREAD; i++)
    hg_objectid_next(&shared, 1700000000, ids[t * PER_THREAD + i]);
  return NULL;
}

static int by_text(const void *x, const void *y) { return strcmp(x, y); }

/* Concurrent callers in the same second never get the same id. */
START_TEST(test_objectid_unique_across_threads) {
  pthread_t th[THREADS];
  ck_assert_int_eq(hg_objectid_gen_init(&shared), 0);
  for (size_t t = 0; t < THREADS; t++)
    ck_assert_int_eq(pthread_create(&th[t], NULL, mint, (void *)(uintptr_t)t), 0);
  for (size_t t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  qsort(ids, THREADS * PER_THREAD, HG_OBJECTID_LEN, by_text);
  for (size_t i = 1; i < THREADS * PER_THREAD; i++) ck_assert_str_ne(ids[i - 1], ids[i]);
}
END_TEST

START_TEST(test_objectid_parse_table) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"507f1f77bcf86cd799439011", "507f1f77bcf86cd799439011"},
      {"507F1F77BCF86CD799439011", "507f1f77bcf86cd799439011"},
      {"000000000000000000000000", "000000000000000000000000"},
      {"507f1f77bcf86cd79943901", NULL},
      {"507f1f77bcf86cd7994390111", NULL},
      {"507f1f77bcf86cd79943901g", NULL},
      {"wrapper_123", NULL},
      {"../../../../etc/passwd00", NULL},
      {"507f1f77bcf86cd79943901 ", NULL},
      {"", NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[HG_OBJECTID_LEN] = "unchanged";
    ck_assert_int_eq(hg_objectid_parse(cases[i].in, out), cases[i].out ? 0 : -1);
    ck_assert_str_eq(out, cases[i].out ? cases[i].out : "unchanged");
  }
  char out[HG_OBJECTID_LEN];
  ck_assert_int_eq(hg_objectid_parse(NULL, out), -1);
}
END_TEST

int main(void) {
  TEST_RUN("objectid", 0, test_objectid_layout, test_objectid_shape_and_order,
           test_objectid_generators_differ, test_objectid_unique_across_threads,
           test_objectid_parse_table);
}
