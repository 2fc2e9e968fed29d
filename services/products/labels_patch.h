/* labels_patch.h - Konnect labels on products and versions: validating create maps and
 * PATCH objects (common/labels.h rules, at most 50 entries), and applying a PATCH to the
 * stored map inside the write transaction (null removes a key, other keys stay; a
 * top-level `"labels": null` clears them all).
 * Threads: any. */
#ifndef HANGAR_PRODUCTS_LABELS_PATCH_H
#define HANGAR_PRODUCTS_LABELS_PATCH_H

#include <protobuf-c/protobuf-c.h>

#include "google/protobuf/field_mask.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "common/labels.h"

extern const hg_labels_cfg_t pr_labels_cfg;        /* "labels", 50 */
extern const hg_labels_cfg_t pr_public_labels_cfg; /* "public_labels", 50 */

/* A create request's map field cfg->field of req, checked and de-duplicated into *out
 * (more than 50 entries: refused by the count alone, before any entry is read). Returns the number of violations appended (or -1 on allocation failure). */
int pr_labels_create(const ProtobufCMessage *req, const hg_labels_cfg_t *cfg, hg_arena_t *a,
                     hg_status_t *st, hg_labels_t *out);

typedef struct pr_labels_patch {
  int present;     /* the body named the field */
  int clear;       /* ... as null: drop every label first */
  hg_labels_t set; /* entries to set (value NULL: remove) */
} pr_labels_patch_t;

/* Reads and checks a PATCH body's labels object s (mask says whether it was sent). An
 * object of more than 50 entries (removals count too) is refused by its count alone, before
 * any entry is read. Returns the number of violations appended (or -1 on allocation failure). */
int pr_labels_patch_read(const Google__Protobuf__FieldMask *mask, const hg_labels_cfg_t *cfg,
                         const Google__Protobuf__Struct *s, hg_arena_t *a, hg_status_t *st,
                         pr_labels_patch_t *out);

/* Applies p to map field cfg->field of msg. 0; 1 with a "max_items" violation in st when
 * the result has too many labels (msg unchanged); -1 on allocation failure. */
int pr_labels_patch_apply(const pr_labels_patch_t *p, const hg_labels_cfg_t *cfg,
                          ProtobufCMessage *msg, hg_arena_t *a, hg_status_t *st);

#endif
