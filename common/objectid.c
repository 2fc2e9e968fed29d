/* objectid.c - ObjectId generation and canonical text. */
#include "common/objectid.h"

#include <ctype.h>
#include <string.h>

#include <openssl/rand.h>

#define COUNTER_MASK 0xffffffu

static const char hex[] = "0123456789abcdef";

int hg_objectid_gen_init(hg_objectid_gen_t *g) {
  unsigned char seed[8];
  if (RAND_bytes(seed, sizeof(seed)) != 1) return -1;
  memcpy(g->random, seed, sizeof(g->random));
  uint_fast32_t start = ((uint_fast32_t)seed[5] << 16) | ((uint_fast32_t)seed[6] << 8) | seed[7];
  atomic_init(&g->counter, start);
  return 0;
}

static void put_be(unsigned char *p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; i--, v >>= 8) p[i] = (unsigned char)(v & 0xff);
}

void hg_objectid_next(hg_objectid_gen_t *g, int64_t unix_seconds, char out[HG_OBJECTID_LEN]) {
  unsigned char b[12];
  uint_fast32_t c = atomic_fetch_add_explicit(&g->counter, 1, memory_order_relaxed);
  put_be(b, (uint64_t)unix_seconds & 0xffffffffu, 4); /* wraps in 2106, as MongoDB's does */
  memcpy(b + 4, g->random, sizeof(g->random));
  put_be(b + 9, c & COUNTER_MASK, 3);
  for (size_t i = 0; i < sizeof(b); i++) {
    out[2 * i] = hex[b[i] >> 4];
    out[2 * i + 1] = hex[b[i] & 0x0f];
  }
  out[HG_OBJECTID_LEN - 1] = '\0';
}

int hg_objectid_parse(const char *s, char out[HG_OBJECTID_LEN]) {
  char text[HG_OBJECTID_LEN];
  if (!s || strnlen(s, HG_OBJECTID_LEN) != HG_OBJECTID_LEN - 1) return -1;
  for (size_t i = 0; i < HG_OBJECTID_LEN - 1; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isxdigit(c)) return -1;
    text[i] = (char)tolower(c);
  }
  text[HG_OBJECTID_LEN - 1] = '\0';
  memcpy(out, text, sizeof(text));
  return 0;
}
