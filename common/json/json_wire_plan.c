/* json_wire_plan.c - what json_wire.c needs to know about a message type, worked out once
 * per type and kept for the life of the process: each field's `,"name":` and the text it
 * takes when absent, its field number's index, its oneof, and whether the type can be
 * written from wire bytes at all.
 *
 * Why: written per field per message, the keys (strlen, three appends), the zero values
 * (printf, enum lookups), the number lookups and the well-known-type check were about a
 * third of what writing a list page from wire bytes cost.
 *
 * Plans live in a fixed open-addressed table keyed by descriptor: readers load a slot with
 * acquire and never lock; a plan is built whole under a mutex and then published, and never
 * changes or goes away after. A full table (more message types than slots) answers NULL and
 * the caller leaves the bytes to decoding. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "json/transcode_internal.h"

#define PLAN_SLOTS 1024 /* a power of two, well above the message types Hangar links */
#define MAX_DENSE 255   /* field numbers up to this are indexed directly */
#define MAX_ONEOFS 64   /* one bit each in json_wire.c's per-message mask */

static _Atomic(tc__wire_plan_t *) plans[PLAN_SLOTS];
static pthread_mutex_t plans_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(const ProtobufCMessageDescriptor *d) {
  return (size_t)(((uintptr_t)d >> 4) * 0x9e3779b97f4a7c15ull >> 54) & (PLAN_SLOTS - 1);
}

/* A default other than the zero value (proto2); proto3 strings point at "" as theirs. */
static int proto2_default(const ProtobufCFieldDescriptor *fd) {
  return fd->default_value &&
         !(fd->type == PROTOBUF_C_TYPE_STRING && fd->default_value == protobuf_c_empty_string);
}

/* Appends `,"name":` and, unless the field is left out when absent, the value tc_encode
 * writes for it then; records where each went. -1 on allocation failure. */
static int render_field(hg_buf_t *text, const ProtobufCFieldDescriptor *fd, tc__wire_field_t *wf) {
  uint64_t slot[2];
  int repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
  wf->key = (uint32_t)text->n;
  if (hg_buf_printf(text, ",\"%s\":", fd->name) != 0) return -1;
  wf->key_len = (uint32_t)(text->n - wf->key);
  wf->absent_len = 0;
  if (tc__has_presence(fd)) return 0;
  int rc;
  if (repeated)
    rc = hg_buf_puts(text, "[]");
  else if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
    rc = hg_buf_puts(text, "null");
  else {
    tc__scalar_zero(fd, slot);
    rc = tc__encode_scalar(text, fd, slot);
  }
  if (rc != 0) return -1;
  wf->absent_len = (uint32_t)(text->n - wf->key);
  return 0;
}

/* Can json_wire.c write the type's fields from bytes? Not maps, proto2 defaults, or more
 * oneofs than its mask holds. Oneof members share a quantifier offset: that is the group. */
static int index_fields(const ProtobufCMessageDescriptor *d, tc__wire_plan_t *pl) {
  unsigned groups = 0;
  for (unsigned k = 0; k < d->n_fields; k++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[k];
    tc__wire_field_t *wf = &pl->fields[k];
    wf->fd = fd;
    wf->repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
    wf->packable = wf->repeated && fd->type != PROTOBUF_C_TYPE_MESSAGE &&
                   fd->type != PROTOBUF_C_TYPE_STRING && fd->type != PROTOBUF_C_TYPE_BYTES;
    wf->oneof = 0;
    if (proto2_default(fd) || (wf->repeated && tc__is_map(d, fd))) return 0;
    if (fd->id <= MAX_DENSE) pl->by_number[fd->id] = (uint8_t)(k + 1);
    if (!(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
    for (unsigned j = 0; j < k && !wf->oneof; j++)
      if (pl->fields[j].oneof && d->fields[j].quantifier_offset == fd->quantifier_offset)
        wf->oneof = pl->fields[j].oneof;
    if (!wf->oneof) {
      if (groups == MAX_ONEOFS) return 0;
      wf->oneof = (uint8_t)++groups;
    }
  }
  return 1;
}

/* A new plan for d, all in one block: the plan, its fields, then its text. */
static tc__wire_plan_t *build(const ProtobufCMessageDescriptor *d) {
  hg_buf_t text = HG_BUF_INIT;
  tc__wire_field_t *fields = calloc(d->n_fields ? d->n_fields : 1, sizeof(*fields));
  tc__wire_plan_t *pl = NULL;
  if (!fields) return NULL;
  for (unsigned k = 0; k < d->n_fields; k++)
    if (render_field(&text, &d->fields[k], &fields[k]) != 0) goto done;
  size_t head = sizeof(*pl) + d->n_fields * sizeof(*fields);
  pl = calloc(1, head + text.n + TC__WIRE_TEXT_PAD);
  if (!pl) goto done;
  pl->d = d;
  pl->kind = tc__msg_kind(d);
  pl->n_fields = d->n_fields;
  memcpy(pl->fields, fields, d->n_fields * sizeof(*fields));
  char *at = (char *)pl + head;
  if (text.n) memcpy(at, text.p, text.n);
  pl->text = at;
  pl->writable = d->n_fields < MAX_DENSE && index_fields(d, pl);
done:
  free(fields);
  hg_buf_free(&text);
  return pl;
}

const tc__wire_plan_t *tc__wire_plan(const ProtobufCMessageDescriptor *d) {
  size_t at = slot_of(d);
  for (size_t probe = 0; probe < PLAN_SLOTS; probe++, at = (at + 1) & (PLAN_SLOTS - 1)) {
    tc__wire_plan_t *pl = atomic_load_explicit(&plans[at], memory_order_acquire);
    if (!pl) break;
    if (pl->d == d) return pl;
  }
  tc__wire_plan_t *found = NULL;
  pthread_mutex_lock(&plans_lock);
  at = slot_of(d);
  for (size_t probe = 0; probe < PLAN_SLOTS; probe++, at = (at + 1) & (PLAN_SLOTS - 1)) {
    tc__wire_plan_t *pl = atomic_load_explicit(&plans[at], memory_order_relaxed);
    if (pl && pl->d == d) {
      found = pl;
      break;
    }
    if (!pl) {
      found = build(d);
      if (found) atomic_store_explicit(&plans[at], found, memory_order_release);
      break;
    }
  }
  pthread_mutex_unlock(&plans_lock);
  return found;
}
