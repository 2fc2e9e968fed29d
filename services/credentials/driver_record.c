/* driver_record.c - the records-only driver: credentials are stored and returned, and nothing
 * is provisioned. Hostnames end in ".invalid" (RFC 2606) so no client mistakes them for a
 * real Snowflake account, Redshift cluster or container. */
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "credentials/driver.h"

/* Per backend: the host and port credentials point at, and how names are made from the id. */
typedef struct shape {
  const char *backend;
  const char *hostname;
  int port;                            /* 0: 8000 + id % 1000, a container's own port */
  const char *db, *schema, *warehouse; /* printf formats of the id; NULL: not set */
  const char *user;                    /* printf format of (type prefix, id) */
  size_t password_len;
  int workspace_id;
} shape_t;

static const shape_t shapes[] = {
    {"snowflake", "snowflake.hangar.invalid", 443, "HANGAR_%s", "WORKSPACE_%s", "HANGAR",
     "SAPI_WORKSPACE_%.0s%s", 32, 1},
    {"redshift-workspace", "redshift.hangar.invalid", 5439, "hangar", "workspace_%s", NULL,
     "workspace_%.0s%s", 32, 1},
    {"docker", "docker.hangar.invalid", 0, NULL, NULL, NULL, "%.4s_%s", 16, 0},
};

static const shape_t *find_shape(const char *backend) {
  for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
    if (strcmp(shapes[i].backend, backend) == 0) return &shapes[i];
  return NULL;
}

static int plan(kb_driver_t *d, const char *backend, const char *type, kb_creds_t *c,
                hg_arena_t *a) {
  (void)d;
  const shape_t *s = find_shape(backend);
  char *password = hg_arena_alloc(a, s ? s->password_len + 1 : 1);
  if (!s || !password || hg_secret_text(hg_secret_alnum, password, s->password_len) != 0) return -1;
  password[s->password_len] = '\0';
  c->hostname = (char *)s->hostname;
  c->_port_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___PORT_PORT;
  c->port = s->port ? s->port : 8000 + (int)(strtoull(c->id, NULL, 10) % 1000);
  c->user = hg_arena_sprintf(a, s->user, type, c->id);
  c->password = password;
  if (s->db) {
    c->_db_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___DB_DB;
    c->db = hg_arena_sprintf(a, s->db, c->id);
  }
  if (s->schema) {
    c->_schema_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___SCHEMA_SCHEMA;
    c->schema = hg_arena_sprintf(a, s->schema, c->id);
  }
  if (s->warehouse) {
    c->_warehouse_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___WAREHOUSE_WAREHOUSE;
    c->warehouse = (char *)s->warehouse;
  }
  if (s->workspace_id) {
    c->_workspace_id_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___WORKSPACE_ID_WORKSPACE_ID;
    c->workspaceid = c->id;
  }
  return c->user && (!s->db || c->db) && (!s->schema || c->schema) ? 0 : -1;
}

static int nothing(kb_driver_t *d, const kb_creds_t *c) {
  (void)d;
  (void)c;
  return 0;
}

static int never_in_use(kb_driver_t *d, const kb_creds_t *c, int *in_use) {
  (void)d;
  (void)c;
  *in_use = 0;
  return 0;
}

static void free_nothing(kb_driver_t *d) { (void)d; }

static kb_driver_t record_driver = {
    .name = "record-only",
    .records_only = 1,
    .plan = plan,
    .create = nothing,
    .drop = nothing,
    .kill = nothing,
    .in_use = never_in_use,
    .free = free_nothing,
};

kb_driver_t *kb_driver_record(void) { return &record_driver; }
