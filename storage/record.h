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

/* A stored record type: a message whose payload is one message field that every stored
 * record sets (WrapperRecord.wrapper, ResourceRecord.resource ...). A store describes each
 * of its types once, statically, and reads them all through the calls below. */
typedef struct record_type {
  const ProtobufCMessageDescriptor *desc; /* the record message */
  size_t payload;                         /* offsetof the payload pointer in it */
  /* Optional: brings a record written in an older shape up to date after unpacking (in
   * arena a). 0 or a store error. */
  int (*upgrade)(ProtobufCMessage *rec, hg_arena_t *a);
  /* Optional, with upgrade: 1 when the payload's bytes p[0..n) are already in the current
   * shape, so upgrade would change nothing and they may be answered as stored. Without it
   * every payload of a type with upgrade is decoded first. */
  int (*current)(const uint8_t *p, size_t n);
} record_type_t;

/* Unpacks v as a record of type t (record_unpack), then runs t->upgrade. 0, STORE_EINVAL
 * (bad bytes or no payload), STORE_ENOMEM, or upgrade's error; *out untouched on failure. */
int record_decode(const record_type_t *t, store_val_t v, hg_arena_t *a, ProtobufCMessage **out);
/* The payload of rec, a record of type t (borrowed from rec). */
void *record_payload(const record_type_t *t, const ProtobufCMessage *rec);
/* store_get of key in table, then record_decode. out is the address of a pointer of the
 * payload's own type (wrapper_t **, ...), which gets the payload, so a typed loader is one
 * call. 0, STORE_NOTFOUND, or another store error; *out untouched on failure. */
int record_load(store_txn_t *txn, int table, store_val_t key, const record_type_t *t, hg_arena_t *a,
                void *out);

/* Appends the payload of v, a stored record of type t, to out as field number `field` of an
 * enclosing message (tag, length, message bytes), so a reply that lists payloads is built
 * without unpacking and repacking them: the payload's bytes are copied as stored when the
 * record holds them once and t needs no upgrade for them (t->current), else v is decoded,
 * upgraded and the payload packed. 0, STORE_EINVAL (bad bytes), STORE_ENOMEM (out is then
 * as before), or upgrade's error. a: scratch for the decoding fallback. */
int record_append_payload(const record_type_t *t, store_val_t v, uint32_t field, hg_arena_t *a,
                          hg_buf_t *out);
/* 1 when the message bytes p[0..n) hold field number `field` at their top level. */
int record_has_field(const uint8_t *p, size_t n, uint32_t field);

/* A page of payloads being collected by a scan (store_group_scan and the like). The caller
 * sets type, a and items (room for the scan's limit); n counts what was collected. */
typedef struct record_page {
  const record_type_t *type;
  hg_arena_t *a;
  void **items;
  size_t n;
  int rc; /* the decode error that stopped the scan, or 0 */
} record_page_t;

/* A store_iter_fn over a record_page_t: decodes val and appends its payload. On a decode
 * error it records it in page->rc and returns 1, which stops the scan; the scan's caller
 * must then answer page->rc rather than the scan's 0. */
int record_collect(void *page, store_val_t key, store_val_t val);
/* A page of payloads appended to out by a scan as field `field` of the reply message
 * (record_append_payload); n counts them. */
typedef struct record_wire_page {
  const record_type_t *type;
  hg_arena_t *a;
  hg_buf_t *out;
  uint32_t field;
  size_t n;
  int rc; /* the error that stopped the scan, or 0 */
} record_wire_page_t;

/* A store_iter_fn over a record_wire_page_t; stops the scan like record_collect. */
int record_collect_wire(void *page, store_val_t key, store_val_t val);

/* What a scan that collected into page answers, given the scan's own rc: page->rc when a
 * decode stopped it, else rc; on 0, *n gets the count. */
int record_page_end(const record_page_t *page, int rc, size_t *n);

#endif
