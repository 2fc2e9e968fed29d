/* test_store_engine.h - which engine the storage unit tests run on: LMDB in the test's
 * directory, or etcd when HANGAR_TEST_STORE_ETCD names endpoints (tests/etcd/store_on_etcd.c
 * starts a member and sets it). On etcd every directory gets its own key prefix, named
 * after it, so tests never see each other's keys and a reopen finds the same store. */
#ifndef TEST_STORE_ENGINE_H
#define TEST_STORE_ENGINE_H

#include <stdio.h>
#include <stdlib.h>

#include "storage/store.h"

static inline int test_store_open(const char *dir, const store_schema_t *schema,
                                  const store_opts_t *opts, store_t **out) {
  const char *eps = getenv("HANGAR_TEST_STORE_ETCD");
  if (!eps || !eps[0]) return store_open(dir, schema, opts, out);
  char spec[512];
  store_opts_t o = {0};
  if (opts) o = *opts;
  /* The member runs with --max-txn-ops 4096 and --max-request-bytes 10 MiB (etcd_member.h):
   * a test's single write may be bigger than etcd's defaults allow. A test that sets a
   * budget keeps its own. */
  if (!o.etcd_max_txn_ops) o.etcd_max_txn_ops = 4096;
  if (!o.etcd_max_request_bytes) o.etcd_max_request_bytes = (size_t)10 << 20;
  snprintf(spec, sizeof spec, "etcd:%s/test%s", eps, dir);
  return store_open_spec(spec, schema, &o, out);
}

/* 1 when the tests run on etcd. */
static inline int test_store_on_etcd(void) {
  const char *eps = getenv("HANGAR_TEST_STORE_ETCD");
  return eps && eps[0];
}

#endif
