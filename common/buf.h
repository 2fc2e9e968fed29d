/* buf.h - growable byte buffer and string slices.
 *
 * Owns: its heap storage (free with hg_buf_free). Threads: one thread at a time. */
#ifndef HANGAR_BUF_H
#define HANGAR_BUF_H

#include <stddef.h>
#include <string.h>

/* A borrowed string slice; not NUL-terminated in general. */
typedef struct hg_str {
  const char *p;
  size_t n;
} hg_str_t;
#define HG_STR(lit) ((hg_str_t){(lit), sizeof(lit) - 1})
static inline hg_str_t hg_str_c(const char *s) { return (hg_str_t){s, s ? strlen(s) : 0}; }
static inline int hg_str_eq(hg_str_t a, hg_str_t b) {
  return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

typedef struct hg_buf {
  char *p; /* always NUL-terminated after any successful append (when cap > 0) */
  size_t n;
  size_t cap;
} hg_buf_t;
#define HG_BUF_INIT                                                                                \
  { NULL, 0, 0 }

/* All return 0 or -1 (allocation failure; the buffer is unchanged). */
int hg_buf_reserve(hg_buf_t *b, size_t extra);
int hg_buf_append(hg_buf_t *b, const void *p, size_t n);
int hg_buf_puts(hg_buf_t *b, const char *s);
int hg_buf_putc(hg_buf_t *b, char c);
int hg_buf_printf(hg_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hg_buf_reset(hg_buf_t *b); /* n = 0, keeps storage */
void hg_buf_free(hg_buf_t *b);

#endif
