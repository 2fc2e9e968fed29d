/* json_error.c - the transcoder's error codes (TC_ERRORS) and tc_error_t filling, including
 * the JSON path of the value being decoded ("bindings[1].role"). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/utf8.h"
#include "json/transcode_internal.h"

HG_ERR_FUNCTIONS(tc_strerror, tc_err_name, TC_ERRORS, "unknown transcoder error", "TC_UNKNOWN")

void tc__ctx_init(tc__ctx_t *c, hg_arena_t *a, tc_error_t *err) {
  c->a = a;
  c->err = err;
  c->errs = err;
  c->max_errs = 1;
  c->n_errs = 0;
  c->path_n = 0;
  c->path[0] = '\0';
}

/* Append to the path, truncating at the buffer size (the path is only used in messages). */
static size_t path_append(tc__ctx_t *c, const char *fmt, ...) {
  size_t mark = c->path_n, room = sizeof(c->path) - c->path_n;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(c->path + c->path_n, room, fmt, ap);
  va_end(ap);
  if (k > 0 && (size_t)k < room) c->path_n += (size_t)k;
  if (k > 0 && (size_t)k >= room) { /* the path's head, never half a character of a key */
    c->path_n = hg_utf8_cut(c->path, sizeof(c->path) - 1);
    c->path[c->path_n] = '\0';
  }
  return mark;
}

size_t tc__path_key(tc__ctx_t *c, const char *key) {
  return path_append(c, "%s%s", c->path_n ? "." : "", key);
}

size_t tc__path_index(tc__ctx_t *c, size_t i) { return path_append(c, "[%zu]", i); }

void tc__path_pop(tc__ctx_t *c, size_t mark) {
  c->path_n = mark;
  c->path[mark] = '\0';
}

static int verror(tc_error_t *err, int code, const char *field, long position, const char *fmt,
                  va_list ap) {
  err->code = code;
  snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
  err->field[hg_utf8_cut(err->field, strlen(err->field))] = '\0';
  vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
  err->reason[hg_utf8_cut(err->reason, strlen(err->reason))] = '\0';
  err->expected[0] = '\0';
  err->position = position;
  return code;
}

int tc__error(tc_error_t *err, int code, const char *field, long position, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(err, code, field, position, fmt, ap);
  va_end(ap);
  return code;
}

int tc__fail(tc__ctx_t *c, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(c->err, code, c->path, -1, fmt, ap);
  va_end(ap);
  return code;
}

int tc__fail_type(tc__ctx_t *c, const char *expected) {
  const char *article = strchr("aeiou", expected[0]) && expected[0] ? "an" : "a";
  tc__fail(c, TC_ETYPE, "expected %s %s", article, expected);
  snprintf(c->err->expected, sizeof(c->err->expected), "%s", expected);
  return TC_ETYPE;
}
