/* provisioner.h - the seam where real infrastructure plugs in.
 *
 * The reconciler calls a driver, outside any store transaction, when a resource's
 * transition is due. The driver in this repository is "local": it provisions nothing and
 * only derives the access URL a real deployment would publish (this machine has no cluster
 * to deploy Konnektr products to). A real driver (Kubernetes, a cloud API) implements the
 * same two calls. Threads: called from the reconciler thread only. */
#ifndef HANGAR_PROVISIONER_H
#define HANGAR_PROVISIONER_H

#include "common/arena.h"
#include "resources/resources.h"

typedef struct provisioner {
  const char *name;
  /* Bring r up (create or apply its new settings). 0 with *access_url set (arena), or -1
   * with *error set (arena): the resource goes to status "error". */
  int (*provision)(const struct provisioner *p, const resource_t *r, hg_arena_t *a,
                   const char **access_url, const char **error);
  /* Tear r down. 0, or -1 with *error set: the resource goes to status "error". */
  int (*deprovision)(const struct provisioner *p, const resource_t *r, hg_arena_t *a,
                     const char **error);
  const char *domain; /* local driver: access URLs are https://<id>.<project>.<domain>/api/v1 */
} provisioner_t;

/* The local driver; domain borrowed. */
provisioner_t provisioner_local(const char *domain);

#endif
