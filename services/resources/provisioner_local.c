/* provisioner_local.c - the local driver: records state only, deploys nothing.
 * It exists so the whole lifecycle runs for real on a developer machine; the provisioning
 * delay is the reconciler's, not the driver's. */
#include "resources/provisioner.h"

static int local_provision(const provisioner_t *p, const resource_t *r, hg_arena_t *a,
                           const char **access_url, const char **error) {
  *access_url =
      hg_arena_sprintf(a, "https://%s.%s.%s/api/v1", r->resource_id, r->project_id, p->domain);
  if (!*access_url) {
    *error = "out of memory";
    return -1;
  }
  return 0;
}

static int local_deprovision(const provisioner_t *p, const resource_t *r, hg_arena_t *a,
                             const char **error) {
  (void)p; /* nothing was deployed, so nothing needs tearing down */
  (void)r;
  (void)a;
  (void)error;
  return 0;
}

provisioner_t provisioner_local(const char *domain) {
  return (provisioner_t){.name = "local",
                         .provision = local_provision,
                         .deprovision = local_deprovision,
                         .domain = domain};
}
