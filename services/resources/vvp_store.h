/* vvp_store.h - the Ververica-style API's tables in resources-svc's store, and record
 * access.
 *
 * Handles are offsets from `base`, the handle of the first of these tables in the service's
 * combined schema (schema.h), like the wrapper API's.
 *  - VVP_T_NAMESPACES "vvp_namespaces": key = namespace name; one group, "all", in creation
 *    order (the namespace list).
 *  - VVP_T_OBJECTS "vvp_objects": key = "<ns>/<plural>/<metadata.id>"; grouped by
 *    "<ns>/<plural>" (a kind's list in creation order); unique index "name" =
 *    "<ns>/<plural>/<metadata.name>" for kinds addressed by name. Names and namespaces never
 *    hold '/' (their rules forbid it), so a namespace's objects are exactly the keys under
 *    "<ns>/", which is how "delete only when empty" is checked in the deleting transaction.
 * A record's version (store_get_version) is the object's metadata.resourceVersion.
 * Loaded records live in the caller's arena. Threads: any, within the transaction's thread. */
#ifndef HANGAR_VVP_STORE_H
#define HANGAR_VVP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "hangar/resources/v1/ververica.pb-c.h"
#include "hangar/resources/v1/ververica_store.pb-c.h"
#include "storage/store.h"

typedef Hangar__Resources__V1__Namespace vvp_namespace_t;

enum { VVP_T_NAMESPACES = 0, VVP_T_OBJECTS, VVP_N_TABLES };
enum { VVP_I_NAME = 0 };

extern const store_schema_t vvp_schema;

/* ---- namespaces ------------------------------------------------------------------------ */

/* 0, STORE_NOTFOUND (also for a name too long to exist) or another store error; *out in
 * a. */
int vvp_ns_load(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, vvp_namespace_t **out);
/* STORE_EXISTS when the namespace exists. ns is the short name (the record says
 * "namespaces/<ns>"). */
int vvp_ns_insert(store_txn_t *txn, int base, const char *ns, const vvp_namespace_t *n);
int vvp_ns_delete(store_txn_t *txn, int base, const char *ns);
/* Every namespace in creation order: *items (in a) and *n. */
int vvp_ns_all(store_txn_t *txn, int base, hg_arena_t *a, vvp_namespace_t ***items, size_t *n);
/* *out = 1 when the namespace holds an object of a plural other than `except` (NULL: any). */
int vvp_ns_holds(store_txn_t *txn, int base, const char *ns, const char *except, int *out);

/* ---- objects --------------------------------------------------------------------------- */

/* A stored object: its document (canonical JSON without resourceVersion), id, name (NULL
 * for kinds addressed by id) and record version. */
typedef struct vvp_obj {
  const char *id;
  const char *name;
  const char *json;
  uint64_t version;
} vvp_obj_t;

/* How a path's key finds an object (bits): as its metadata.id, as its metadata.name; with
 * both, the id first. */
typedef enum { VVP_FIND_ID = 1, VVP_FIND_NAME = 2 } vvp_find_t;

/* The object of ns/plural that key names (how: vvp_find_t bits). 0, STORE_NOTFOUND (also
 * for a key or namespace too long to exist) or a store error; *out's strings in a. */
int vvp_obj_find(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                 const char *key, unsigned how, vvp_obj_t *out);
/* Writes o (o->version ignored) under ns/plural. flags: STORE_PUT_NOOVERWRITE for a new
 * object; expect_version: store_put_if's precondition (0: none). STORE_EXISTS when a new
 * object's name is taken. *version gets the version written. */
int vvp_obj_save(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                 const vvp_obj_t *o, unsigned flags, uint64_t expect_version, uint64_t *version);
int vvp_obj_delete(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                   const char *id, uint64_t expect_version);
/* The stored document (canonical JSON without resourceVersion) of an object record's
 * value, in a: for records that come from elsewhere than a read (the change log). 0 or a
 * store error. */
int vvp_obj_decode(store_val_t val, hg_arena_t *a, const char **json);
/* Every object of ns/plural in creation order: *items (in a) and *n. */
int vvp_obj_all(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                vvp_obj_t **items, size_t *n);
/* Every object of every namespace whose plural is `plural`, for the reconciler: fn(arg, ns,
 * object) for each; a nonzero return stops the walk and is returned. */
typedef int (*vvp_obj_fn)(void *arg, const char *ns, const vvp_obj_t *o);
int vvp_obj_each(store_txn_t *txn, int base, hg_arena_t *a, const char *plural, vvp_obj_fn fn,
                 void *arg);

#endif
