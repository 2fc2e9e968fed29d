/* main.c - products-svc: settings, store, auth verifier, gRPC server. */
#include <stdio.h>

#include "authz.h"
#include "config.h"
#include "log.h"
#include "process.h"
#include "product_store.h"
#include "products.h"
#include "rpc.h"

typedef struct settings {
  const char *listen, *data_dir, *auth, *log_level, *ready_file, *auth_cache_ttl, *threads;
} settings_t;

static int parse_settings(int argc, char **argv, settings_t *s) {
  const hg_setting_t table[] = {
      {"--listen", "HANGAR_LISTEN", "127.0.0.1:7103", "gRPC address (host:port or unix:/path)", &s->listen},
      {"--data-dir", "HANGAR_DATA_DIR", "var/products", "LMDB directory", &s->data_dir},
      {"--auth", "HANGAR_AUTH_ADDR", "127.0.0.1:7101", "auth-svc address", &s->auth},
      {"--log-level", "HANGAR_LOG_LEVEL", "info", "debug|info|warn|error", &s->log_level},
      {"--ready-file", "HANGAR_READY_FILE", NULL, "written with the address once serving", &s->ready_file},
      {"--auth-cache-ttl-seconds", "HANGAR_AUTH_CACHE_TTL_SECONDS", "30", "token verification cache TTL (<= 60)", &s->auth_cache_ttl},
      {"--threads", "HANGAR_RPC_THREADS", "2", "gRPC completion-queue threads", &s->threads},
  };
  char err[256];
  int rc = hg_config_parse(table, sizeof(table) / sizeof(table[0]), argc, argv, "products-svc",
                           err, sizeof(err));
  if (rc < 0) fprintf(stderr, "products-svc: %s\n", err);
  return rc;
}

static int check_numbers(const settings_t *s, authz_opts_t *ao, rpc_server_opts_t *so) {
  long long ttl = hg_config_int(s->auth_cache_ttl);
  long long threads = hg_config_int(s->threads);
  int level = hg_log_parse_level(s->log_level);
  if (ttl < 0 || ttl > 60 || threads < 1 || threads > 64 || level < 0) {
    fprintf(stderr, "products-svc: bad numeric setting or log level (see --help)\n");
    return -1;
  }
  hg_log_set_level((hg_log_level_t)level);
  ao->ttl_seconds = (int)ttl;
  so->cq_threads = (int)threads;
  return 0;
}

int main(int argc, char **argv) {
  settings_t s = {0};
  products_svc_t svc = {0};
  authz_opts_t ao = {0};
  rpc_server_opts_t so = {0};
  rpc_client_t *client = NULL;
  rpc_server_t *server = NULL;
  int rc = parse_settings(argc, argv, &s);
  if (rc) return rc > 0 ? 0 : 2;
  if (check_numbers(&s, &ao, &so)) return 2;
  hg_process_block_signals();
  if (store_open(s.data_dir, &products_schema, NULL, &svc.store) != 0) {
    HG_ERROR("main", NULL, "cannot open store in %s", s.data_dir);
    return 1;
  }
  rc = 1;
  if (rpc_client_new(&client) || authz_new(client, s.auth, &ao, &svc.authz)) goto out;
  if (rpc_server_new(s.listen, &so, &server)) {
    HG_ERROR("main", NULL, "cannot listen on %s", s.listen);
    goto out;
  }
  if (products_register(server, &svc) || rpc_server_start(server)) goto out;
  HG_INFO("main", NULL, "products-svc serving on %s (data %s)", s.listen, s.data_dir);
  hg_process_write_ready(s.ready_file, s.listen);
  hg_process_wait_signal();
  rc = 0;
out:
  if (server) rpc_server_destroy(server, 5000);
  if (svc.authz) authz_free(svc.authz);
  if (client) rpc_client_destroy(client);
  store_close(svc.store);
  return rc;
}
