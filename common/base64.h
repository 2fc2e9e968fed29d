/* base64.h - the one base64 codec (RFC 4648): standard and URL-safe alphabets, with
 * padding required, optional or refused, chosen per call by flags.
 *
 * Each user names its form: Konnect's is_base64 rule is HG_BASE64_STRICT (validator.js
 * isBase64), protobuf `bytes` in JSON are HG_BASE64_PROTO_JSON (either alphabet, padding
 * optional, as proto3 JSON reads them), JWT segments are HG_BASE64_JWT (RFC 7515: URL
 * alphabet, no padding). None checks the unused low bits of the last symbol.
 * Threads: any; reentrant. */
#ifndef HANGAR_BASE64_H
#define HANGAR_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

typedef enum {
  HG_BASE64_STD = 1u << 0, /* '+' and '/' (section 4) */
  HG_BASE64_URL = 1u << 1, /* '-' and '_' (section 5); with STD: either, even mixed */
  HG_BASE64_PAD = 1u << 2, /* decode: length a multiple of 4, '=' padded; encode: pad */
  /* decode: '=' refused. Without PAD or NOPAD padding is optional, but when present it
   * must complete the last group of four. */
  HG_BASE64_NOPAD = 1u << 3,
} hg_base64_flags_t;

#define HG_BASE64_STRICT (HG_BASE64_STD | HG_BASE64_PAD)
#define HG_BASE64_PROTO_JSON (HG_BASE64_STD | HG_BASE64_URL)
#define HG_BASE64_JWT (HG_BASE64_URL | HG_BASE64_NOPAD)

/* The most bytes n symbols decode to, and the symbols n bytes encode to with padding. */
#define HG_BASE64_DECODED_MAX(n) ((n) / 4 * 3 + (n) % 4 * 3 / 4)
#define HG_BASE64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)

/* Is s[0..n) base64 in the form flags name? "" is (it encodes nothing). */
int hg_base64_valid(const char *s, size_t n, unsigned flags);

/* Decodes s[0..n) into out (room for HG_BASE64_DECODED_MAX(n) bytes), *out_n bytes.
 * 0, or -1 when s is not base64 in that form; then *out_n is unchanged. */
int hg_base64_decode(const char *s, size_t n, unsigned flags, uint8_t *out, size_t *out_n);

/* The same into a NUL-terminated copy in a (*out, *out_n bytes, which may include NULs).
 * 0, -1 when s is not base64 in that form, -2 on allocation failure; on failure *out and
 * *out_n are unchanged. */
int hg_base64_decode_dup(const char *s, size_t n, unsigned flags, hg_arena_t *a, char **out,
                         size_t *out_n);

/* Encodes p[0..n) into out in the alphabet flags name (URL when only URL is set, else
 * standard), padded unless HG_BASE64_NOPAD. Writes no NUL; returns the symbols written
 * (at most HG_BASE64_ENCODED_LEN(n)). */
size_t hg_base64_encode(const uint8_t *p, size_t n, unsigned flags, char *out);

#endif
