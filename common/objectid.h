/* objectid.h - MongoDB-style ObjectIds in their text form (24 lowercase hex digits).
 *
 * 12 bytes: 4-byte big-endian seconds since the epoch, 5 random bytes drawn once per
 * generator, a 3-byte big-endian counter that starts at a random value and wraps. Ids from
 * one generator are unique and sort by creation second; two generators (two processes)
 * differ in their random bytes. The generator is a value owned by its user (a service keeps
 * one), not hidden global state.
 * Threads: hg_objectid_next may be called from any thread at once (the counter is atomic);
 * hg_objectid_gen_init before any of them. */
#ifndef HANGAR_OBJECTID_H
#define HANGAR_OBJECTID_H

#include <stdatomic.h>
#include <stdint.h>

#define HG_OBJECTID_LEN 25 /* 24 hex digits and the NUL */

typedef struct hg_objectid_gen {
  unsigned char random[5];
  atomic_uint_fast32_t counter;
} hg_objectid_gen_t;

/* Draws the random bytes and the counter's start from OpenSSL's CSPRNG. 0, or -1 when the
 * random source fails (g unusable). */
int hg_objectid_gen_init(hg_objectid_gen_t *g);
/* The next id for the given wall-clock second into out. */
void hg_objectid_next(hg_objectid_gen_t *g, int64_t unix_seconds, char out[HG_OBJECTID_LEN]);

/* Canonicalises text: 24 hex digits of any case -> lowercase into out. 0, or -1 when s is
 * not an ObjectId (out unchanged). */
int hg_objectid_parse(const char *s, char out[HG_OBJECTID_LEN]);

#endif
