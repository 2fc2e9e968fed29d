/* labels.h - Konnect labels: key/value rules, PATCH merges and the `labels=` list filter.
 *
 * Rules (the Konnect spec's Labels schema): at most cfg->max_count entries; keys 1-63
 * characters not starting with "kong", "konnect", "mesh", "kic" or "_" (compared ASCII
 * case-insensitively); values 1-63 characters matching
 * ^[a-z0-9A-Z]{1}([a-z0-9A-Z-._]*[a-z0-9A-Z]+)?$. A bad key or value is an "is_label"
 * violation naming "<field>.<key>"; too many entries a "max_items" violation naming the
 * field, with maximum.
 * PATCH: a patch entry with a NULL value removes that key; others set it; keys the patch
 * does not name stay. Order: kept keys in place, new keys appended in patch order.
 * Filter: "key:value,keyExists" - every comma-separated term must hold (AND); "k:v" means
 * label k equals v, a bare "k" means label k exists. Empty terms are ignored.
 * The protobuf glue (labels_pb.c) reads and writes map<string,string> fields and reads
 * PATCH bodies kept as google.protobuf.Struct (string = set, null = remove).
 * Owns nothing; results live in the caller's arena. Threads: any; reentrant. */
#ifndef HANGAR_LABELS_H
#define HANGAR_LABELS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "google/protobuf/struct.pb-c.h"
#include "common/status.h"

typedef struct hg_label {
  const char *key;
  const char *value; /* NULL in a patch: remove the key */
} hg_label_t;

typedef struct hg_labels {
  hg_label_t *items;
  size_t n;
} hg_labels_t;

typedef struct hg_labels_cfg {
  const char *field; /* JSON name, e.g. "labels" or "public_labels" */
  size_t max_count;  /* 50 in Konnect */
} hg_labels_cfg_t;

int hg_label_key_valid(const char *key);
int hg_label_value_valid(const char *value);

/* Checks every entry (NULL values pass: removals) and, with check_count, the number of
 * entries. Returns the number of violations appended to st (strings in a). */
size_t hg_labels_check(const hg_labels_cfg_t *cfg, const hg_labels_t *l, int check_count,
                       hg_arena_t *a, hg_status_t *st);

/* The count rule alone: with more than cfg->max_count entries (n), appends the "max_items"
 * violation and returns 1; else 0. Constant time, so callers run it before reading or
 * merging the entries. */
size_t hg_labels_count_check(const hg_labels_cfg_t *cfg, size_t n, hg_arena_t *a, hg_status_t *st);

/* The labels after applying patch to cur, as the PATCH rules above; duplicate patch keys:
 * the last wins. Linear time (a hash index of the keys). 0, or -1 on allocation failure
 * (*out unchanged). */
int hg_labels_merge(const hg_labels_t *cur, const hg_labels_t *patch, hg_arena_t *a,
                    hg_labels_t *out);

/* The value of key, or NULL. */
const char *hg_labels_get(const hg_labels_t *l, const char *key);

/* ---- the list filter ------------------------------------------------------------------- */

typedef struct hg_label_query {
  hg_label_t *terms; /* value NULL: the key must exist */
  size_t n;          /* 0: everything matches */
} hg_label_query_t;

/* The cap on a filter's terms: with more than max non-empty terms in text, appends a
 * "max_items" violation naming param (with maximum) and returns 1; else 0. Reads at most
 * until the term over max, and nothing else: run it before parsing. */
size_t hg_label_query_check(const char *param, const char *text, size_t max, hg_arena_t *a,
                            hg_status_t *st);
/* Parses "k:v,k2" (NULL or "" = no terms). 0, or -1 on allocation failure. */
int hg_label_query_parse(const char *text, hg_arena_t *a, hg_label_query_t *out);
int hg_label_query_match(const hg_label_query_t *q, const hg_labels_t *l);

/* ---- protobuf glue (labels_pb.c) -------------------------------------------------------- */

/* Reads map<string,string> field `field` of m (borrowing its strings). 0, or -1 when m has
 * no such map field or on allocation failure. */
int hg_labels_from_map(const ProtobufCMessage *m, const char *field, hg_arena_t *a,
                       hg_labels_t *out);
/* Replaces map<string,string> field `field` of m with l (entries in a; strings borrowed).
 * 0 or -1 as above. */
int hg_labels_to_map(ProtobufCMessage *m, const char *field, const hg_labels_t *l, hg_arena_t *a);
/* A PATCH body's labels object: string values set, null values remove, anything else is an
 * "is_string" violation naming "<field>.<key>". s NULL = no entries. Returns the number of
 * violations appended to st (when zero, *out holds the patch), or -1 on allocation
 * failure. */
int hg_labels_from_struct(const hg_labels_cfg_t *cfg, const Google__Protobuf__Struct *s,
                          hg_arena_t *a, hg_status_t *st, hg_labels_t *out);

#endif
