/* schema.c - the KtrlPlane and wrapper API schemas joined into resources-svc's one store. */
#include "resources/schema.h"

#include "resources/resource_store.h"
#include "resources/vvp_store.h"
#include "resources/wrapper_store.h"

int resources_schema_init(resources_schema_t *s) {
  const store_schema_t *parts[] = {&resource_schema, &wrapper_schema, &vvp_schema};
  size_t n = 0;
  for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
    if (parts[p]->n_tables > STORE_MAX_TABLES - n) return -1;
    if (parts[p] == &wrapper_schema) s->wrapper_base = (int)n;
    if (parts[p] == &vvp_schema) s->vvp_base = (int)n;
    for (size_t i = 0; i < parts[p]->n_tables; i++) s->tables[n++] = parts[p]->tables[i];
  }
  s->schema = (store_schema_t){.tables = s->tables, .n_tables = n};
  return 0;
}
