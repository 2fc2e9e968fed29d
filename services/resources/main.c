/* main.c - resources-svc: settings, store, auth verifier, gRPC server (KtrlPlane and wrapper
 * APIs), reconciler. */
#include <stdio.h>
#include <stdlib.h>

#include "authz.h"
#include "config.h"
#include "log.h"
#include "process.h"
#include "provisioner.h"
#include "reconciler.h"
#include "resources.h"
#include "rpc.h"
#include "schema.h"

typedef struct settings {
  const char *listen, *data_dir, *auth, *log_level, *ready_file;
  const char *provision_delay_ms, *auth_cache_ttl, *resource_domain, *threads;
} settings_t;

static int parse_settings(int argc, char **argv, settings_t *s) {
  const hg_setting_t table[] = {
      {"--listen", "HANGAR_LISTEN", "127.0.0.1:7102", "gRPC address (host:port or unix:/path)", &s->listen},
      {"--data-dir", "HANGAR_DATA_DIR", "var/resources", "LMDB directory", &s->data_dir},
      {"--auth", "HANGAR_AUTH_ADDR", "127.0.0.1:7101", "auth-svc address", &s->auth},
      {"--log-level", "HANGAR_LOG_LEVEL", "info", "debug|info|warn|error", &s->log_level},
      {"--ready-file", "HANGAR_READY_FILE", NULL, "written with the address once serving", &s->ready_file},
      {"--provision-delay-ms", "HANGAR_PROVISION_DELAY_MS", "300", "local driver's provisioning time", &s->provision_delay_ms},
      {"--auth-cache-ttl-seconds", "HANGAR_AUTH_CACHE_TTL_SECONDS", "30", "token verification cache TTL (<= 60)", &s->auth_cache_ttl},
      {"--resource-domain", "HANGAR_RESOURCE_DOMAIN", "hangar.localhost", "domain of local access URLs", &s->resource_domain},
      {"--threads", "HANGAR_RPC_THREADS", "2", "gRPC completion-queue threads", &s->threads},
  };
  char err[256];
  int rc = hg_config_parse(table, sizeof(table) / sizeof(table[0]), argc, argv, "resources-svc",
                           err, sizeof(err));
  if (rc < 0) fprintf(stderr, "resources-svc: %s\n", err);
  return rc;
}

static int check_numbers(const settings_t *s, resources_svc_t *svc, authz_opts_t *ao,
                         rpc_server_opts_t *so) {
  long long delay = hg_config_int(s->provision_delay_ms);
  long long ttl = hg_config_int(s->auth_cache_ttl);
  long long threads = hg_config_int(s->threads);
  int level = hg_log_parse_level(s->log_level);
  if (delay < 0 || ttl < 0 || ttl > 60 || threads < 1 || threads > 64 || level < 0) {
    fprintf(stderr, "resources-svc: bad numeric setting or log level (see --help)\n");
    return -1;
  }
  hg_log_set_level((hg_log_level_t)level);
  svc->provision_delay_ms = delay;
  ao->ttl_seconds = (int)ttl;
  so->cq_threads = (int)threads;
  return 0;
}

/* One store for both APIs (schema.h), and the wrapper API's id generator. The schema must
 * outlive the store: the caller keeps it until store_close. 0 or -1 (logged). */
static int open_store(const char *dir, resources_schema_t *schema, resources_svc_t *svc) {
  if (resources_schema_init(schema) != 0 || hg_objectid_gen_init(&svc->ids) != 0) {
    HG_ERROR("main", NULL, "cannot set up the store schema or the id generator");
    return -1;
  }
  svc->wrapper_base = schema->wrapper_base;
  if (store_open(dir, &schema->schema, NULL, &svc->store) != 0) {
    HG_ERROR("main", NULL, "cannot open store in %s", dir);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  settings_t s = {0};
  resources_svc_t svc = {0};
  authz_opts_t ao = {0};
  rpc_server_opts_t so = {0};
  rpc_client_t *client = NULL;
  rpc_server_t *server = NULL;
  int rc = parse_settings(argc, argv, &s);
  if (rc) return rc > 0 ? 0 : 2;
  if (check_numbers(&s, &svc, &ao, &so)) return 2;
  hg_process_block_signals();
  provisioner_t driver = provisioner_local(s.resource_domain);
  rc = 1;
  resources_schema_t schema;
  if (open_store(s.data_dir, &schema, &svc) != 0) return 1;
  if (rpc_client_new(&client) || authz_new(client, s.auth, &ao, &svc.authz)) goto out;
  if (rpc_server_new(s.listen, &so, &server)) {
    HG_ERROR("main", NULL, "cannot listen on %s", s.listen);
    goto out;
  }
  rpc_server_set_data(server, &svc);
  if (ktrlplane_register(server) || wrappers_register(server) ||
      reconciler_start(&svc, &driver, &svc.reconciler) || rpc_server_start(server))
    goto out;
  HG_INFO("main", NULL, "resources-svc serving on %s (driver %s, data %s)", s.listen,
          driver.name, s.data_dir);
  hg_process_write_ready(s.ready_file, s.listen);
  hg_process_wait_signal();
  rc = 0;
out:
  if (server) rpc_server_destroy(server, 5000);
  if (svc.reconciler) reconciler_stop(svc.reconciler);
  if (svc.authz) authz_free(svc.authz);
  if (client) rpc_client_destroy(client);
  store_close(svc.store);
  return rc;
}
