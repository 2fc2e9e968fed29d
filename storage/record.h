/* record.h - stored records: a schema version byte followed by a packed protobuf-c message.
 *
 * Threads: any. Unpacked messages live in the caller's arena. */
#ifndef HANGAR_RECORD_H
#define HANGAR_RECORD_H

#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/buf.h"
#include "storage/store.h"

#define RECORD_VERSION 1

/* Append version byte + packed msg to out. 0 or STORE_ENOMEM. */
int record_pack(const ProtobufCMessage *msg, hg_buf_t *out);
/* Unpack v into a message of type d in arena a. 0, STORE_EINVAL (unknown version or bad
 * bytes) or STORE_ENOMEM. */
int record_unpack(const ProtobufCMessageDescriptor *d, store_val_t v, hg_arena_t *a,
                  ProtobufCMessage **out);
/* The same for bare message bytes p[0..n) without the version byte, such as a field kept
 * inside a record: 0, STORE_EINVAL (bad bytes) or STORE_ENOMEM. */
int record_unpack_bytes(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                        hg_arena_t *a, ProtobufCMessage **out);

#endif
