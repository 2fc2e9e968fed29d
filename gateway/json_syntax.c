/* json_syntax.c - CPython's json scanner (Modules/_json.c, 3.x up to 3.12), replayed only
 * to find where and why it stops.
 *
 * Every function takes the byte index where its token starts and either sets *end past the
 * token and returns 0, or records the complaint and returns SCAN_ERR. Python raises
 * StopIteration(idx) where no value can start; every caller turns that into "Expecting
 * value" at idx, so it is recorded as such directly. Structural characters are ASCII, so
 * byte offsets are converted to character offsets only once, at the end. */
#include "gateway/json_syntax.h"

#include <string.h>

#define SCAN_ERR (-1)
#define SCAN_DEEP (-2) /* deeper than Python's recursion limit lets it go: not our case */
#define MAX_DEPTH 900

typedef struct scan {
  const unsigned char *p;
  size_t n;
  const char *msg;
  size_t at;
  int depth;
} scan_t;

static int value(scan_t *s, size_t i, size_t *end);

static int fail(scan_t *s, const char *msg, size_t at) {
  s->msg = msg;
  s->at = at;
  return SCAN_ERR;
}

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_hex(unsigned char c) {
  return is_digit(c) || (c != '\0' && strchr("abcdefABCDEF", c) != NULL);
}

static size_t skip_ws(const scan_t *s, size_t i) {
  while (i < s->n && is_ws(s->p[i])) i++;
  return i;
}

/* Four hex digits at i..i+3 as a code unit; -1 if any is not hex. */
static long hex4(const scan_t *s, size_t i) {
  long v = 0;
  for (size_t k = i; k < i + 4; k++) {
    unsigned char c = s->p[k];
    if (!is_hex(c)) return -1;
    v = v * 16 + (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

/* "\uXXXX" whose 'u' is at u; a high surrogate may pair with a second escape. */
static int unicode_escape(scan_t *s, size_t u, size_t *end) {
  size_t e = u + 5;
  if (e >= s->n) return fail(s, "Invalid \\uXXXX escape", u);
  long c = hex4(s, u + 1);
  if (c < 0) return fail(s, "Invalid \\uXXXX escape", e - 5);
  if (c >= 0xd800 && c <= 0xdbff && e + 6 < s->n && s->p[e] == '\\' && s->p[e + 1] == 'u') {
    long c2 = hex4(s, e + 2);
    if (c2 < 0) return fail(s, "Invalid \\uXXXX escape", e + 1);
    if (c2 >= 0xdc00 && c2 <= 0xdfff) e += 6; /* joined; else the second is read again */
  }
  *end = e;
  return 0;
}

/* A string whose opening quote is at q. */
static int string(scan_t *s, size_t q, size_t *end) {
  size_t i = q + 1;
  for (;;) {
    while (i < s->n && s->p[i] != '"' && s->p[i] != '\\') {
      if (s->p[i] <= 0x1f) return fail(s, "Invalid control character at", i);
      i++;
    }
    if (i >= s->n || (i + 1 == s->n && s->p[i] == '\\'))
      return fail(s, "Unterminated string starting at", q);
    if (s->p[i] == '"') break;
    unsigned char c = s->p[i + 1];
    if (c == 'u') {
      if (unicode_escape(s, i + 1, &i) != 0) return SCAN_ERR;
    } else if (c != '\0' && strchr("\"\\/bfnrt", c)) {
      i += 2;
    } else {
      return fail(s, "Invalid \\escape", i);
    }
  }
  *end = i + 1;
  return 0;
}

static int digits_at(const scan_t *s, size_t i) { return i < s->n && is_digit(s->p[i]); }

/* A number, or "Expecting value" at its start; fraction and exponent are optional and
 * backed out of when incomplete ("1." is the number 1 followed by '.'). */
static int number(scan_t *s, size_t start, size_t *end) {
  size_t i = start;
  if (s->p[i] == '-' && ++i >= s->n) return fail(s, "Expecting value", start);
  if (s->p[i] >= '1' && s->p[i] <= '9') {
    while (digits_at(s, ++i)) continue;
  } else if (s->p[i] == '0') {
    i++;
  } else {
    return fail(s, "Expecting value", start);
  }
  if (i + 1 < s->n && s->p[i] == '.' && is_digit(s->p[i + 1]))
    for (i += 2; digits_at(s, i); i++) continue;
  if (i + 1 < s->n && (s->p[i] == 'e' || s->p[i] == 'E')) {
    size_t e = i++;
    if (i + 1 < s->n && (s->p[i] == '-' || s->p[i] == '+')) i++;
    while (digits_at(s, i)) i++;
    if (!is_digit(s->p[i - 1])) i = e;
  }
  *end = i;
  return 0;
}

/* Python's named constants, NaN and Infinity included. */
static const struct {
  const char *text;
  size_t n;
} constants[] = {{"null", 4}, {"true", 4},     {"false", 5},
                 {"NaN", 3},  {"Infinity", 8}, {"-Infinity", 9}};

static int constant(const scan_t *s, size_t i, size_t *end) {
  for (size_t k = 0; k < sizeof(constants) / sizeof(constants[0]); k++) {
    size_t n = constants[k].n;
    if (i + n <= s->n && memcmp(s->p + i, constants[k].text, n) == 0) {
      *end = i + n;
      return 1;
    }
  }
  return 0;
}

/* One "key": value pair of an object, key's quote (if any) at i; *end after the value. */
static int member(scan_t *s, size_t i, size_t *end) {
  if (i >= s->n || s->p[i] != '"')
    return fail(s, "Expecting property name enclosed in double quotes", i);
  int rc = string(s, i, &i);
  if (rc != 0) return rc;
  i = skip_ws(s, i);
  if (i >= s->n || s->p[i] != ':') return fail(s, "Expecting ':' delimiter", i);
  return value(s, skip_ws(s, i + 1), end);
}

/* An object or array whose opening bracket is at o; close is '}' or ']'. */
static int container(scan_t *s, size_t o, unsigned char close, size_t *end) {
  size_t i = skip_ws(s, o + 1);
  if (i < s->n && s->p[i] == close) {
    *end = i + 1;
    return 0;
  }
  for (;;) {
    int rc = close == '}' ? member(s, i, &i) : value(s, i, &i);
    if (rc != 0) return rc;
    i = skip_ws(s, i);
    if (i < s->n && s->p[i] == close) break;
    if (i >= s->n || s->p[i] != ',') return fail(s, "Expecting ',' delimiter", i);
    i = skip_ws(s, i + 1);
  }
  *end = i + 1;
  return 0;
}

static int value(scan_t *s, size_t i, size_t *end) {
  if (i >= s->n) return fail(s, "Expecting value", i);
  unsigned char c = s->p[i];
  if (c == '"') return string(s, i, end);
  if (c == '{' || c == '[') {
    if (++s->depth > MAX_DEPTH) return SCAN_DEEP;
    int rc = container(s, i, c == '{' ? '}' : ']', end);
    s->depth--;
    return rc;
  }
  if (constant(s, i, end)) return 0;
  return number(s, i, end);
}

/* Python counts characters: every byte but UTF-8 continuation bytes. */
static long chars(const char *p, size_t from, size_t to) {
  long k = 0;
  for (size_t i = from; i < to; i++) k += ((unsigned char)p[i] & 0xc0) != 0x80;
  return k;
}

/* out->pos/line/col for byte offset `at` of p (and msg), as Python would count them. */
static void where(const char *p, size_t n, size_t at, const char *msg, gw_json_error_t *out) {
  size_t line_start = 0;
  long line = 1;
  if (at > n) at = n;
  for (size_t i = 0; i < at; i++)
    if (p[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  out->msg = msg;
  out->pos = chars(p, 0, at);
  out->line = line;
  out->col = chars(p, line_start, at) + 1;
}

int gw_json_syntax(const char *p, size_t n, gw_json_error_t *out) {
  static const char bom[] = "\xef\xbb\xbf";
  size_t skip = n >= 3 && memcmp(p, bom, 3) == 0 ? 3 : 0; /* json.loads(bytes) drops it */
  scan_t s = {.p = (const unsigned char *)p + skip, .n = n - skip};
  size_t end;
  int rc = value(&s, skip_ws(&s, 0), &end);
  if (rc == 0 && (end = skip_ws(&s, end)) != s.n) rc = fail(&s, "Extra data", end);
  if (rc != SCAN_ERR) return 0;
  where(p + skip, n - skip, s.at, s.msg, out);
  return 1;
}
