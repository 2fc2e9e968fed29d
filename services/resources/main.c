/* main.c - resources-svc: settings, store, auth verifier, gRPC server (KtrlPlane, wrapper and
 * Ververica-style APIs), the KtrlPlane reconciler and the Ververica deployment reconciler. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "resources/provisioner.h"
#include "resources/reconciler.h"
#include "resources/resources.h"
#include "rpc/rpc.h"
#include "resources/schema.h"
#include "resources/vvp_reconciler.h"
#include "common/service.h"
#include "storage/etcd_leader_gate.h"
#include "storage/store_call.h"
#include "storage/store_service.h"

typedef struct settings {
  const char *provision_delay_ms, *resource_domain, *watch_retention;
} settings_t;

static int configure(hg_service_t *frame, settings_t *s, resources_svc_t *svc, int argc,
                     char **argv) {
  static const hg_service_defaults_t defaults = {"127.0.0.1:7102", "var/resources",
                                                 &hangar_descriptors};
  const hg_setting_t extra[] = {
      {"--provision-delay-ms", "HANGAR_PROVISION_DELAY_MS", "300",
       "local driver's provisioning time; also each simulated Ververica deployment step",
       &s->provision_delay_ms},
      {"--resource-domain", "HANGAR_RESOURCE_DOMAIN", "hangar.localhost",
       "domain of local access URLs", &s->resource_domain},
      {"--watch-retention", "HANGAR_WATCH_RETENTION", "100000",
       "changes kept for watches; a watch from an older resourceVersion answers 410",
       &s->watch_retention},
  };
  int rc = hg_service_configure(frame, "resources-svc", HG_SERVICE_VERIFIES_TOKENS, &defaults,
                                extra, sizeof(extra) / sizeof(extra[0]), argc, argv);
  if (rc) return rc;
  svc->provision_delay_ms = hg_config_int(s->provision_delay_ms);
  if (svc->provision_delay_ms < 0) {
    fprintf(stderr, "resources-svc: bad --provision-delay-ms '%s'\n", s->provision_delay_ms);
    return -1;
  }
  int64_t retention = hg_config_int(s->watch_retention);
  if (retention < 1) {
    fprintf(stderr, "resources-svc: bad --watch-retention '%s'\n", s->watch_retention);
    return -1;
  }
  svc->watch_retention = (uint64_t)retention;
  return 0;
}

/* One store for both APIs (schema.h), and the wrapper API's id generator. The schema must
 * outlive the store: the caller keeps it until store_close. 0 or -1 (logged). */
static int open_store(const hg_service_t *frame, resources_schema_t *schema, resources_svc_t *svc) {
  store_opts_t opts = {.changelog_max = svc->watch_retention};
  if (resources_schema_init(schema) != 0 || hg_objectid_gen_init(&svc->ids) != 0) {
    HG_ERROR("main", NULL, "cannot set up the store schema or the id generator");
    return -1;
  }
  svc->wrapper_base = schema->wrapper_base;
  svc->vvp_base = schema->vvp_base;
  return store_open_service(frame, &schema->schema, &opts, &svc->store) != 0 ? -1 : 0;
}

int main(int argc, char **argv) {
  hg_service_t frame;
  settings_t s = {0};
  resources_svc_t svc = {0};
  resources_schema_t schema;
  vvp_reconciler_t *deployments = NULL;
  store_spec_t spec;
  etcd_leader_gate_t *resources_gate = NULL, *deployments_gate = NULL;
  int rc = configure(&frame, &s, &svc, argc, argv);
  if (rc) return rc > 0 ? 0 : 2;
  provisioner_t driver = provisioner_local(s.resource_domain);
  if (open_store(&frame, &schema, &svc) != 0) return 1;
  /* Replicas on one etcd store take turns at each reconciler (etcd_leader_gate.h). */
  rc = store_spec_parse(frame.store_spec, &spec) ||
       etcd_leader_gate_for_store(&spec, "ktrlplane-reconciler", &resources_gate) ||
       etcd_leader_gate_for_store(&spec, "ververica-reconciler", &deployments_gate);
  if (rc == 0) rc = hg_service_open(&frame, &svc);
  if (rc == 0) {
    svc.authz = frame.authz;
    store_call_bind_health(frame.server, svc.store);
    rc = ktrlplane_register(frame.server) || wrappers_register(frame.server) ||
         ververica_register(frame.server) ||
         reconciler_start(&svc, &driver, etcd_leader_gate(resources_gate), &svc.reconciler) ||
         vvp_reconciler_start(&svc, svc.provision_delay_ms, etcd_leader_gate(deployments_gate),
                              &deployments) ||
         hg_service_add_metrics(&frame, store_metrics, svc.store) ||
         hg_service_add_metrics(&frame, reconciler_metrics, &svc) ||
         hg_service_add_metrics(&frame, vvp_reconciler_metrics, deployments) ||
         hg_service_run(&frame);
  }
  hg_service_stop(&frame);
  if (svc.reconciler) reconciler_stop(svc.reconciler);
  vvp_reconciler_stop(deployments);
  etcd_leader_gate_destroy(resources_gate);
  etcd_leader_gate_destroy(deployments_gate);
  hg_service_close(&frame);
  store_close(svc.store);
  return rc ? 1 : 0;
}
