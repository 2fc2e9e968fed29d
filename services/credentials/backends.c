/* backends.c - the blueprint's table of backends and types. */
#include "credentials/backends.h"

#include <string.h>

static const char *const workspace_types[] = {"transformations", "sandbox", "writer", "luckyguess",
                                              NULL};
static const char *const mysql_types[] = {"transformations", "sandbox", NULL};
static const char *const docker_types[] = {"rstudio", "jupyter", NULL};

static const kb_backend_t backends[KB_N_BACKENDS] = {
    {KB_BACKEND_MYSQL, "mysql", mysql_types, false},
    {KB_BACKEND_SNOWFLAKE, "snowflake", workspace_types, false},
    {KB_BACKEND_REDSHIFT, "redshift-workspace", workspace_types, false},
    {KB_BACKEND_DOCKER, "docker", docker_types, true},
};

static const char *const extendable_types[] = {"sandbox", "rstudio", "jupyter", NULL};

static bool listed(const char *const *list, const char *s) {
  for (; s && *list; list++)
    if (strcmp(*list, s) == 0) return true;
  return false;
}

const kb_backend_t *kb_backend_find(const char *name) {
  for (size_t i = 0; name && i < KB_N_BACKENDS; i++)
    if (strcmp(backends[i].name, name) == 0) return &backends[i];
  return NULL;
}

const kb_backend_t *kb_backend_get(kb_backend_id_t id) {
  return (unsigned)id < KB_N_BACKENDS ? &backends[id] : NULL;
}

bool kb_backend_has_type(const kb_backend_t *b, const char *type) { return listed(b->types, type); }

bool kb_type_can_extend(const char *type) { return listed(extendable_types, type); }
