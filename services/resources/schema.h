/* schema.h - resources-svc's one store: the KtrlPlane tables (resource_store.h) followed by
 * the wrapper API's (wrapper_store.h), then the Ververica-style API's (vvp_store.h).
 *
 * Each API keeps its own schema file and its own table handles; this joins them so the
 * service still opens one LMDB environment. KtrlPlane's handles stay as they are (its tables
 * come first); the wrapper API's are offsets from wrapper_base.
 * Owns: the joined table array (the struct must stay put while the store is open: the
 * schema points into it). Threads: init once, before store_open. */
#ifndef HANGAR_RESOURCES_SCHEMA_H
#define HANGAR_RESOURCES_SCHEMA_H

#include "storage/store.h"

typedef struct resources_schema {
  store_table_def_t tables[STORE_MAX_TABLES];
  store_schema_t schema;
  int wrapper_base; /* handle of the wrapper API's first table */
  int vvp_base;     /* handle of the Ververica-style API's first table */
} resources_schema_t;

/* Joins resource_schema, wrapper_schema and vvp_schema into s. 0, or -1 when they do not fit in
 * STORE_MAX_TABLES tables. */
int resources_schema_init(resources_schema_t *s);

#endif
