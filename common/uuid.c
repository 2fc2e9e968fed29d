/* uuid.c - random UUIDs and canonical UUID text. */
#include "common/uuid.h"

#include <ctype.h>
#include <string.h>

#include <openssl/rand.h>

static const char hex[] = "0123456789abcdef";

/* Positions of the dashes in the 36-character form. */
static int is_dash_at(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int hg_uuid_v4(char out[HG_UUID_LEN]) {
  unsigned char b[16];
  char text[HG_UUID_LEN];
  if (RAND_bytes(b, sizeof(b)) != 1) return -1;
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
  size_t k = 0;
  for (size_t i = 0; i < 16; i++) {
    if (is_dash_at(k)) text[k++] = '-';
    text[k++] = hex[b[i] >> 4];
    text[k++] = hex[b[i] & 0x0f];
  }
  text[k] = '\0';
  memcpy(out, text, sizeof(text));
  return 0;
}

int hg_uuid_parse(const char *s, char out[HG_UUID_LEN]) {
  char text[HG_UUID_LEN];
  if (!s || strlen(s) != HG_UUID_LEN - 1) return -1;
  for (size_t i = 0; i < HG_UUID_LEN - 1; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_dash_at(i) ? c != '-' : !isxdigit(c)) return -1;
    text[i] = (char)tolower(c);
  }
  text[HG_UUID_LEN - 1] = '\0';
  memcpy(out, text, sizeof(text));
  return 0;
}
