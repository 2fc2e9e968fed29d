/* secret.c - uniform random text by rejection sampling: a byte at or above the largest
 * multiple of the alphabet's size that fits in a byte is drawn again, so no character is
 * likelier than another. */
#include "common/secret.h"

#include <string.h>

#include <openssl/rand.h>

const char hg_secret_alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const char hg_secret_lower_alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";

int hg_secret_text(const char *alphabet, char *out, size_t n) {
  size_t k = strlen(alphabet);
  if (k < 2 || k > 256) return -1;
  unsigned limit = 256 - 256 % (unsigned)k;
  unsigned char pool[64];
  size_t have = 0;
  while (have < n) {
    if (RAND_bytes(pool, sizeof(pool)) != 1) return -1;
    for (size_t i = 0; i < sizeof(pool) && have < n; i++)
      if (pool[i] < limit) out[have++] = alphabet[pool[i] % k];
  }
  return 0;
}
