/* backends.h - the Keboola backends and the types each one serves (the blueprint's table),
 * as data: which calls a backend takes (sync or async), and which types can be extended.
 * Threads: any; everything here is static. */
#ifndef HANGAR_CREDS_BACKENDS_H
#define HANGAR_CREDS_BACKENDS_H

#include <stdbool.h>

typedef enum {
  KB_BACKEND_MYSQL = 0,
  KB_BACKEND_SNOWFLAKE,
  KB_BACKEND_REDSHIFT,
  KB_BACKEND_DOCKER,
  KB_N_BACKENDS
} kb_backend_id_t;

typedef struct kb_backend {
  kb_backend_id_t id;
  const char *name;         /* as in the path: "mysql", "redshift-workspace" ... */
  const char *const *types; /* NULL-terminated */
  /* Containers are made and dropped by jobs (/async/...); the sync create, drop and kill
   * refuse this backend. */
  bool async_only;
} kb_backend_t;

/* The backend of this path name; NULL for any other ("oracle", "redshift"). */
const kb_backend_t *kb_backend_find(const char *name);
const kb_backend_t *kb_backend_get(kb_backend_id_t id);
/* Is type one of b's types? */
bool kb_backend_has_type(const kb_backend_t *b, const char *type);
/* Sandboxes and containers may be extended (their validity period reset); workspaces for
 * transformations, writers and Luckyguess may not. */
bool kb_type_can_extend(const char *type);

/* The type a create or a lookup uses when the request names none. */
#define KB_DEFAULT_TYPE "transformations"
/* The type of a container a plain async create or a transformation sandbox gets when its
 * body names none (the blueprint's example). */
#define KB_DEFAULT_DOCKER_TYPE "rstudio"

#endif
