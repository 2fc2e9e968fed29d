/* main.c - credentials-svc: settings, store, drivers, auth verifier, gRPC server (the Keboola
 * Provisioning API), worker pool and job runner. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/service.h"
#include "credentials/credentials.h"
#include "credentials/runner.h"
#include "storage/etcd_leader_gate.h"
#include "storage/store_service.h"

#define WORKER_QUEUE 1024

typedef struct settings {
  const char *mysql_dsn, *mysql_public, *public_url, *job_delay_ms, *workers;
} settings_t;

static int configure(hg_service_t *frame, settings_t *s, kb_svc_t *svc, int argc, char **argv) {
  static const hg_service_defaults_t defaults = {"127.0.0.1:7104", "var/credentials",
                                                 &hangar_descriptors};
  const hg_setting_t extra[] = {
      {"--mysql-dsn", "HANGAR_MYSQL_DSN", "",
       "mysql://user:password@host:port of a server to provision on (empty: mysql answers 503)",
       &s->mysql_dsn},
      {"--mysql-public-address", "HANGAR_MYSQL_PUBLIC_ADDRESS", "",
       "host:port that mysql credentials name (empty: the DSN's)", &s->mysql_public},
      {"--public-url", "HANGAR_PUBLIC_URL", "",
       "base of job URLs (empty: http:// and the request's Host)", &s->public_url},
      {"--job-delay-ms", "HANGAR_JOB_DELAY_MS", "500",
       "how long the records-only docker driver takes to start a container", &s->job_delay_ms},
      {"--workers", "HANGAR_CREDENTIALS_WORKERS", "8", "threads that talk to backends",
       &s->workers},
  };
  int rc = hg_service_configure(frame, "credentials-svc", HG_SERVICE_VERIFIES_TOKENS, &defaults,
                                extra, sizeof(extra) / sizeof(extra[0]), argc, argv);
  if (rc) return rc;
  svc->public_url = s->public_url;
  svc->job_delay_ms = hg_config_int(s->job_delay_ms);
  long long workers = hg_config_int(s->workers);
  if (svc->job_delay_ms < 0 || workers < 1 || workers > 256) {
    fprintf(stderr, "credentials-svc: bad --job-delay-ms or --workers\n");
    return -1;
  }
  return 0;
}

/* mysql on the configured server; the other backends on the records-only driver, which
 * provisions nothing (said at start, so nobody mistakes it for a real backend). */
static int open_drivers(const settings_t *s, kb_svc_t *svc) {
  char why[128];
  if (s->mysql_dsn[0] && !(svc->drivers[KB_BACKEND_MYSQL] =
                               kb_driver_mysql(s->mysql_dsn, s->mysql_public, why, sizeof(why)))) {
    fprintf(stderr, "credentials-svc: bad --mysql-dsn or --mysql-public-address: %s\n", why);
    return -1;
  }
  if (!s->mysql_dsn[0])
    HG_WARN("main", NULL, "no --mysql-dsn: mysql credentials answer 503 until one is set");
  svc->drivers[KB_BACKEND_SNOWFLAKE] = svc->drivers[KB_BACKEND_REDSHIFT] =
      svc->drivers[KB_BACKEND_DOCKER] = kb_driver_record();
  HG_INFO("main", NULL,
          "snowflake, redshift-workspace and docker use the records-only driver: credentials "
          "are stored and returned, nothing is provisioned (hosts end in .invalid)");
  return 0;
}

int main(int argc, char **argv) {
  hg_service_t frame;
  settings_t s = {0};
  kb_svc_t svc = {0};
  int rc = configure(&frame, &s, &svc, argc, argv);
  if (rc) return rc > 0 ? 0 : 2;
  if (open_drivers(&s, &svc) != 0) return 2;
  if (store_open_service(&frame, &kb_store_schema, NULL, &svc.store) != 0) return 1;
  /* Replicas on one etcd store take turns at the job runner (etcd_leader_gate.h). */
  store_spec_t spec;
  etcd_leader_gate_t *jobs_gate = NULL;
  rc = store_spec_parse(frame.store_spec, &spec) ||
       etcd_leader_gate_for_store(&spec, "keboola-job-runner", &jobs_gate);
  if (rc == 0) rc = hg_service_open(&frame, &svc);
  if (rc == 0) {
    svc.authz = frame.authz;
    rc = hg_workers_start((size_t)hg_config_int(s.workers), WORKER_QUEUE, &svc.workers) ||
         kb_runner_start(&svc, etcd_leader_gate(jobs_gate), &svc.runner) ||
         credentials_register(frame.server) ||
         hg_service_add_metrics(&frame, store_metrics, svc.store) || hg_service_run(&frame);
  }
  hg_service_stop(&frame);
  kb_runner_stop(svc.runner);
  etcd_leader_gate_destroy(jobs_gate);
  hg_workers_stop(svc.workers);
  hg_service_close(&frame);
  store_close(svc.store);
  if (svc.drivers[KB_BACKEND_MYSQL])
    svc.drivers[KB_BACKEND_MYSQL]->free(svc.drivers[KB_BACKEND_MYSQL]);
  return rc ? 1 : 0;
}
