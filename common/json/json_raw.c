/* json_raw.c - hangar.json.v1.RawObject: a JSON object carried as its text, so that it comes
 * back as it was sent. google.protobuf.Struct cannot do that: its numbers are doubles, so
 * 1.0 comes back as 1 and 9007199254740993 as 9007199254740992.
 *
 * Decoding writes canonical text from jansson's tree rather than copying the body's bytes,
 * because jansson hands us values, not their spans: compact, keys in body order (jansson
 * keeps it), integers exactly as parsed (jansson holds them as long long; a literal beyond
 * int64 already failed the parse), reals as below, strings through the encoder's escaper.
 * Every recursion is bounded by the depth limit tc_decode checked before parsing.
 * Encoding copies the text verbatim: it is either ours or checked by the service that took
 * it from a gRPC caller. Assumes the "C" numeric locale, as json_encode.c does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hangar/json/v1/json.pb-c.h"
#include "json/json_tree.h"
#include "json/transcode_internal.h"

typedef Hangar__Json__V1__RawObject raw_t;

#define PUT(x) ((x) == 0 ? 0 : TC_ENOMEM)

/* Room for a sign, "0.000" and 17 digits, or 16 digits, '.' and 17 more. */
#define REAL_TEXT_MAX 48

static int put_value(hg_buf_t *b, json_t *j);

/* Digits d[0..nd) times 10^(exp - nd + 1), written without an exponent and with at least
 * one digit after the point. Only called for exp in [-4, 15], so out has room. */
static void fixed_notation(char *out, int neg, const char *d, int nd, int exp) {
  char *o = out;
  if (neg) *o++ = '-';
  if (exp < 0) {
    *o++ = '0';
    *o++ = '.';
    for (int i = -1; i > exp; i--) *o++ = '0';
    memcpy(o, d, (size_t)nd);
    o += nd;
  } else {
    for (int i = 0; i <= exp; i++) *o++ = i < nd ? d[i] : '0';
    *o++ = '.';
    if (nd <= exp + 1) *o++ = '0';
    for (int i = exp + 1; i < nd; i++) *o++ = d[i];
  }
  *o = '\0';
}

/* Python's repr of a float: the fewest significant digits (1..17) that read back as x,
 * in fixed notation when the decimal exponent is -4..15 (1E5 -> 100000.0, 0.1 -> 0.1),
 * else as %e writes them (1e300 -> 1e+300, 5e-324). Either way the text has a '.' or an
 * exponent, so every JSON reader takes it as a real again. tc__put_double does not fit:
 * for Struct it writes integral values as integers. jansson holds no NaN or infinity. */
int tc__put_real(hg_buf_t *b, double x) {
  char e[REAL_TEXT_MAX], out[REAL_TEXT_MAX], digits[20];
  for (int prec = 0; prec <= 16; prec++) {
    snprintf(e, sizeof(e), "%.*e", prec, x);
    if (strtod(e, NULL) == x) break;
  }
  char *mark = strchr(e, 'e');
  int exp = (int)strtol(mark + 1, NULL, 10), nd = 0, neg = e[0] == '-';
  if (exp < -4 || exp > 15) return PUT(hg_buf_puts(b, e));
  for (const char *p = e + neg; p < mark; p++)
    if (*p != '.') digits[nd++] = *p;
  fixed_notation(out, neg, digits, nd, exp);
  return PUT(hg_buf_puts(b, out));
}

static int put_object(hg_buf_t *b, json_t *j) {
  const char *key;
  json_t *v;
  int first = 1;
  if (hg_buf_putc(b, '{') != 0) return TC_ENOMEM;
  json_object_foreach(j, key, v) {
    if ((!first && hg_buf_putc(b, ',') != 0) || tc_write_string(b, key, strlen(key)) != 0 ||
        hg_buf_putc(b, ':') != 0 || put_value(b, v) != 0)
      return TC_ENOMEM;
    first = 0;
  }
  return PUT(hg_buf_putc(b, '}'));
}

static int put_array(hg_buf_t *b, json_t *j) {
  if (hg_buf_putc(b, '[') != 0) return TC_ENOMEM;
  for (size_t i = 0; i < json_array_size(j); i++)
    if ((i && hg_buf_putc(b, ',') != 0) || put_value(b, json_array_get(j, i)) != 0)
      return TC_ENOMEM;
  return PUT(hg_buf_putc(b, ']'));
}

static int put_value(hg_buf_t *b, json_t *j) {
  switch (json_typeof(j)) {
    case JSON_OBJECT: return put_object(b, j);
    case JSON_ARRAY: return put_array(b, j);
    case JSON_STRING: return tc_write_string(b, json_string_value(j), json_string_length(j));
    case JSON_INTEGER: return PUT(hg_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j)));
    case JSON_REAL: return tc__put_real(b, json_real_value(j));
    case JSON_TRUE: return PUT(hg_buf_puts(b, "true"));
    case JSON_FALSE: return PUT(hg_buf_puts(b, "false"));
    case JSON_NULL: break;
  }
  return PUT(hg_buf_puts(b, "null"));
}

int tc_tree_write(hg_buf_t *out, json_t *j) { return put_value(out, j); }

json_t *tc_tree_parse(const char *p, size_t n) {
  return json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
}

/* The text is built on the heap, where it can grow, then copied once into the arena. */
int tc__raw_from_json(tc__ctx_t *c, json_t *j, ProtobufCMessage **out) {
  if (!json_is_object(j)) return tc__fail_type(c, "object");
  hg_buf_t text = HG_BUF_INIT;
  raw_t *r = (raw_t *)tc_message_new(&hangar__json__v1__raw_object__descriptor, c->a);
  int rc = r ? put_object(&text, j) : TC_ENOMEM;
  if (rc == 0 && !(r->json = hg_arena_strndup(c->a, text.p, text.n))) rc = TC_ENOMEM;
  hg_buf_free(&text);
  if (rc != 0) return tc__fail(c, TC_ENOMEM, "out of memory");
  *out = &r->base;
  return 0;
}

/* "" is RawObject's proto3 default, so an object nobody filled in reads as {}. */
int tc__raw_encode(hg_buf_t *b, const ProtobufCMessage *m) {
  const char *text = ((const raw_t *)m)->json;
  return PUT(hg_buf_puts(b, text && *text ? text : "{}"));
}
