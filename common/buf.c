/* buf.c - growable byte buffer; capacity doubles so appends are amortised O(1). */
#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int hg_buf_reserve(hg_buf_t *b, size_t extra) {
  if (b->cap - b->n > extra) return 0; /* room for extra bytes plus the NUL */
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->n <= extra) {
    if (cap > ((size_t)-1) / 2) return -1;
    cap *= 2;
  }
  char *p = realloc(b->p, cap);
  if (!p) return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

int hg_buf_append(hg_buf_t *b, const void *p, size_t n) {
  if (hg_buf_reserve(b, n) != 0) return -1;
  if (n) memcpy(b->p + b->n, p, n);
  b->n += n;
  b->p[b->n] = '\0';
  return 0;
}

int hg_buf_puts(hg_buf_t *b, const char *s) { return hg_buf_append(b, s, strlen(s)); }

int hg_buf_putc(hg_buf_t *b, char c) { return hg_buf_append(b, &c, 1); }

int hg_buf_printf(hg_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || hg_buf_reserve(b, (size_t)n) != 0) return -1;
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
  return 0;
}

void hg_buf_reset(hg_buf_t *b) {
  b->n = 0;
  if (b->p) b->p[0] = '\0';
}

void hg_buf_free(hg_buf_t *b) {
  free(b->p);
  *b = (hg_buf_t)HG_BUF_INIT;
}
