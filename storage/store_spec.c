/* store_spec.c - store specs (store.h): which engine, and where its data lives. Opening
 * one is store_env.c's (store_open_spec). */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "storage/store_internal.h"

/* Copies n bytes of p into out (size cap) as a string; -1 when empty or too long. */
static int copy_part(char *out, size_t cap, const char *p, size_t n) {
  if (n == 0 || n >= cap) return -1;
  memcpy(out, p, n);
  out[n] = '\0';
  return 0;
}

/* A parameter's value: a decimal number in [min, max]; -1 otherwise. */
static int number(const char *p, size_t n, unsigned long long min, unsigned long long max,
                  unsigned long long *out) {
  unsigned long long v = 0;
  if (n == 0 || n > 19) return -1;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (unsigned long long)(p[i] - '0');
  }
  if (v < min || v > max) return -1;
  *out = v;
  return 0;
}

/* The etcd budgets of "name=N&name=N" (q, n bytes), each at most once. */
static int params(const char *q, size_t n, store_spec_t *out) {
  static const struct {
    const char *name;
    unsigned long long min, max;
  } known[] = {
      {"max-txn-ops", 2, INT_MAX},
      {"max-request-bytes", STORE_ETCD_MIN_REQUEST_BYTES, SIZE_MAX},
  };
  const char *end = q + n;
  for (;;) { /* an empty item, "a=1&" or "&", has no '=' and is refused */
    const char *amp = memchr(q, '&', (size_t)(end - q)), *stop = amp ? amp : end;
    const char *eq = memchr(q, '=', (size_t)(stop - q));
    size_t i = 0;
    unsigned long long v;
    if (!eq) return -1;
    for (; i < sizeof(known) / sizeof(known[0]); i++)
      if ((size_t)(eq - q) == strlen(known[i].name) && !memcmp(q, known[i].name, (size_t)(eq - q)))
        break;
    if (i == sizeof(known) / sizeof(known[0]) ||
        number(eq + 1, (size_t)(stop - eq - 1), known[i].min, known[i].max, &v))
      return -1;
    if (i == 0 ? out->etcd_max_txn_ops != 0 : out->etcd_max_request_bytes != 0) return -1;
    if (i == 0)
      out->etcd_max_txn_ops = (int)v;
    else
      out->etcd_max_request_bytes = (size_t)v;
    if (!amp) return 0;
    q = amp + 1;
  }
}

int store_spec_parse(const char *text, store_spec_t *out) {
  if (!text || !out) return STORE_EINVAL;
  memset(out, 0, sizeof(*out));
  if (strncmp(text, "lmdb:", 5) == 0) {
    out->engine = STORE_ENGINE_LMDB;
    return copy_part(out->where, sizeof(out->where), text + 5, strlen(text + 5)) ? STORE_EINVAL : 0;
  }
  if (strncmp(text, "etcd:", 5) != 0) return STORE_EINVAL;
  out->engine = STORE_ENGINE_ETCD;
  const char *eps = text + 5, *q = strchr(eps, '?');
  size_t n = q ? (size_t)(q - eps) : strlen(eps); /* endpoints and prefix */
  const char *slash = memchr(eps, '/', n);
  const char *prefix = slash ? slash + 1 : STORE_ETCD_DEFAULT_PREFIX;
  size_t pn = slash ? n - (size_t)(prefix - eps) : strlen(prefix);
  while (pn > 0 && prefix[pn - 1] == '/') pn--;
  if (copy_part(out->where, sizeof(out->where), eps, slash ? (size_t)(slash - eps) : n) ||
      copy_part(out->prefix, sizeof(out->prefix), prefix, pn) ||
      (q && params(q + 1, strlen(q + 1), out)))
    return STORE_EINVAL;
  return 0;
}
