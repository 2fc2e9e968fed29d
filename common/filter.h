/* filter.h - string field filters: filter[field][eq|oeq|neq|contains|ocontains]=value.
 *
 * Konnect's StringFieldFilter (and UuidFieldFilter, which allows only eq, oeq, neq):
 *   eq        the field equals the value
 *   oeq       the field equals any of the comma-separated values
 *   neq       the field differs from the value
 *   contains  the field contains the value (ASCII case-insensitive)
 *   ocontains the field contains any of the comma-separated values (case-insensitive)
 * Terms combine with AND. A surface declares its filterable attributes in a table (name, id,
 * allowed ops) and reads the terms from its request message: a filter message whose fields
 * are named as in the table, each a message whose optional string members are named after
 * the ops (proto `filter { name { eq: "x" } }` is the query `filter[name][eq]=x`). Matching
 * asks the caller for an item's value of an attribute by id.
 * Owns nothing. Threads: any; reentrant. */
#ifndef HANGAR_FILTER_H
#define HANGAR_FILTER_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/status.h"

typedef enum {
  HG_FILTER_EQ = 0,
  HG_FILTER_OEQ,
  HG_FILTER_NEQ,
  HG_FILTER_CONTAINS,
  HG_FILTER_OCONTAINS,
  HG_FILTER_N_OPS
} hg_filter_op_t;

#define HG_FILTER_OPS_STRING 0x1fu /* every op */
#define HG_FILTER_OPS_UUID ((1u << HG_FILTER_EQ) | (1u << HG_FILTER_OEQ) | (1u << HG_FILTER_NEQ))

#define HG_FILTER_MAX_TERMS 16
#define HG_FILTER_MAX_VALUES 50 /* comma-separated values of one oeq/ocontains term */

typedef struct hg_filter_field {
  const char *name; /* member of the filter message, e.g. "name" */
  int id;           /* handed to the value getter */
  unsigned ops;     /* bit (1u << op) per allowed op */
} hg_filter_field_t;

typedef struct hg_filter_cfg {
  const char *param; /* violation field prefix, e.g. "filter" */
  const hg_filter_field_t *fields;
  size_t n_fields;
} hg_filter_cfg_t;

typedef struct hg_filter_term {
  int id;
  hg_filter_op_t op;
  const char *value; /* borrowed from the request */
} hg_filter_term_t;

typedef struct hg_filter {
  size_t n; /* 0: everything matches */
  hg_filter_term_t terms[HG_FILTER_MAX_TERMS];
} hg_filter_t;

/* "eq" -> HG_FILTER_EQ ...; -1 for any other name. */
int hg_filter_op_parse(const char *name);
const char *hg_filter_op_name(hg_filter_op_t op);

/* Reads the terms of filter message msg (NULL = no filter) under cfg. An op the field does
 * not allow is an "enum" violation naming "<param>[<field>][<op>]" with the allowed ops as
 * choices. An oeq/ocontains list of more than HG_FILTER_MAX_VALUES values is a "max_items"
 * violation naming "<param>[<field>][<op>]" with maximum, found by counting commas before
 * anything reads the values. Returns the number of violations appended to st (strings in a); when nonzero,
 * *out is unchanged. */
size_t hg_filter_from_message(const hg_filter_cfg_t *cfg, const ProtobufCMessage *msg,
                              hg_arena_t *a, hg_status_t *st, hg_filter_t *out);

/* Does actual (NULL counts as "") satisfy one op? */
int hg_filter_op_match(hg_filter_op_t op, const char *value, const char *actual);

/* An item's value of attribute id (NULL counts as ""). */
typedef const char *(*hg_filter_get_fn)(const void *item, int id);
/* 1 if item satisfies every term of f. */
int hg_filter_match(const hg_filter_t *f, hg_filter_get_fn get, const void *item);

#endif
