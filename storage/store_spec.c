/* store_spec.c - store specs (store.h): which engine, and where its data lives. Opening
 * one is store_env.c's (store_open_spec). */
#include <string.h>

#include "storage/store_internal.h"

/* Copies n bytes of p into out (size cap) as a string; -1 when empty or too long. */
static int copy_part(char *out, size_t cap, const char *p, size_t n) {
  if (n == 0 || n >= cap) return -1;
  memcpy(out, p, n);
  out[n] = '\0';
  return 0;
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
  const char *eps = text + 5, *slash = strchr(eps, '/');
  const char *prefix = slash ? slash + 1 : STORE_ETCD_DEFAULT_PREFIX;
  size_t pn = strlen(prefix);
  while (pn > 0 && prefix[pn - 1] == '/') pn--;
  if (copy_part(out->where, sizeof(out->where), eps, slash ? (size_t)(slash - eps) : strlen(eps)) ||
      copy_part(out->prefix, sizeof(out->prefix), prefix, pn))
    return STORE_EINVAL;
  return 0;
}
