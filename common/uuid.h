/* uuid.h - RFC 9562 UUIDs in their canonical text form (8-4-4-4-12 lowercase hex).
 *
 * Version 4 ids come from OpenSSL's CSPRNG (RAND_bytes), so they are unguessable as well as
 * unique. Threads: any. */
#ifndef HANGAR_UUID_H
#define HANGAR_UUID_H

#define HG_UUID_LEN 37 /* 36 characters and the NUL */

/* A fresh random (version 4, variant 10) UUID into out. 0, or -1 when the random source
 * fails (out unchanged). */
int hg_uuid_v4(char out[HG_UUID_LEN]);

/* Canonicalises text: any-case 8-4-4-4-12 hex (any version) -> lowercase into out. 0, or -1
 * when s is not a UUID (out unchanged). */
int hg_uuid_parse(const char *s, char out[HG_UUID_LEN]);

#endif
