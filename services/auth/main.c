/* main.c - the auth-svc executable: settings, store, gRPC server, and a clean stop on
 * SIGINT/SIGTERM.
 *
 * Stop order matters: the rpc server goes first, because its destroy waits for in-flight
 * calls, and a queued write answers its call only from the store's writer thread; the store
 * closes once nothing can reach it any more. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "auth_store.h"
#include "config.h"
#include "log.h"
#include "process.h"
#include "token.h"

#define SHUTDOWN_GRACE_MS 5000

static struct {
  const char *listen, *data_dir, *admin_token, *jwt_secret, *ready_file, *log_level;
} cfg;

static const hg_setting_t settings[] = {
    {"--listen", "HANGAR_LISTEN", "127.0.0.1:7101",
     "gRPC address: host:port or unix:/path", &cfg.listen},
    {"--data-dir", "HANGAR_DATA_DIR", "var/auth", "LMDB directory (created if missing)",
     &cfg.data_dir},
    {"--admin-token", "HANGAR_ADMIN_TOKEN", NULL,
     "bootstrap admin token (a random one is generated and logged when unset)",
     &cfg.admin_token},
    {"--jwt-secret", "HANGAR_JWT_SECRET", NULL, "HS256 secret; every JWT is rejected when unset",
     &cfg.jwt_secret},
    {"--ready-file", "HANGAR_READY_FILE", NULL,
     "file that receives the bound address once serving", &cfg.ready_file},
    {"--log-level", "HANGAR_LOG_LEVEL", "info", "debug, info, warn or error", &cfg.log_level},
};

/* mkdir -p. 0 or -1. */
static int make_dirs(const char *path) {
  char tmp[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof(tmp)) return -1;
  memcpy(tmp, path, n + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return (mkdir(tmp, 0755) != 0 && errno != EEXIST) ? -1 : 0;
}

/* Applies settings that need checking; generates the admin token if none was given. */
static int finish_settings(char generated[AUTH_TOKEN_MAX]) {
  static const auth_kind_t admin_kind = {"admin", "hgadmin_"};
  int level = hg_log_parse_level(cfg.log_level);
  if (level < 0) {
    fprintf(stderr, "auth-svc: bad --log-level '%s'\n", cfg.log_level);
    return -1;
  }
  hg_log_set_level((hg_log_level_t)level);
  if (!cfg.admin_token || !*cfg.admin_token) {
    if (auth_token_generate(&admin_kind, generated) != 0) return -1;
    cfg.admin_token = generated;
    HG_WARN("auth", NULL, "HANGAR_ADMIN_TOKEN unset; generated admin token: %s", generated);
  }
  if (!cfg.jwt_secret || !*cfg.jwt_secret)
    HG_WARN("auth", NULL, "HANGAR_JWT_SECRET unset: every JWT will be rejected");
  return 0;
}

/* Creates the data directory if needed and opens the store in it. 0 or -1 (logged). */
static int open_store(store_t **out) {
  int rc;
  if (make_dirs(cfg.data_dir) != 0) {
    HG_ERROR("auth", NULL, "cannot create %s: %s", cfg.data_dir, strerror(errno));
    return -1;
  }
  if ((rc = store_open(cfg.data_dir, &auth_store_schema, NULL, out)) != 0) {
    HG_ERROR("auth", NULL, "cannot open store in %s: %s", cfg.data_dir, store_strerror(rc));
    return -1;
  }
  return 0;
}

/* The address clients should dial: listen with a port of 0 replaced by the bound one. */
static void bound_address(const rpc_server_t *srv, char *out, size_t n) {
  size_t len = strlen(cfg.listen);
  if (len >= 2 && strcmp(cfg.listen + len - 2, ":0") == 0)
    snprintf(out, n, "%.*s:%d", (int)(len - 2), cfg.listen, rpc_server_port(srv));
  else
    snprintf(out, n, "%s", cfg.listen);
}

/* Builds, registers and starts the server; announces readiness. 0 or -1 (*out owned). */
static int serve(auth_svc_t *svc, rpc_server_t **out) {
  char addr[512];
  if (rpc_server_new(cfg.listen, NULL, out) != 0) {
    HG_ERROR("auth", NULL, "cannot listen on %s", cfg.listen);
    return -1;
  }
  if (auth_service_register(*out, svc) != 0 || rpc_server_start(*out) != 0) {
    HG_ERROR("auth", NULL, "cannot start the rpc server");
    return -1;
  }
  bound_address(*out, addr, sizeof(addr));
  if (hg_process_write_ready(cfg.ready_file, addr) != 0) {
    HG_ERROR("auth", NULL, "cannot write ready file %s", cfg.ready_file);
    return -1;
  }
  HG_INFO("auth", NULL, "serving on %s, data in %s", addr, cfg.data_dir);
  return 0;
}

int main(int argc, char **argv) {
  char err[256], generated[AUTH_TOKEN_MAX];
  store_t *store = NULL;
  rpc_server_t *srv = NULL;
  hg_process_block_signals();
  int rc = hg_config_parse(settings, sizeof(settings) / sizeof(settings[0]), argc, argv,
                           "auth-svc", err, sizeof(err));
  if (rc != 0) {
    if (rc < 0) fprintf(stderr, "auth-svc: %s\n", err);
    return rc < 0 ? 2 : 0;
  }
  if (finish_settings(generated) != 0) return 2;
  if (open_store(&store) != 0) return 1;
  auth_svc_t svc = {store, hg_str_c(cfg.admin_token), hg_str_c(cfg.jwt_secret), NULL};
  rc = serve(&svc, &srv);
  if (rc == 0) HG_INFO("auth", NULL, "signal %d: stopping", hg_process_wait_signal());
  if (srv) rpc_server_destroy(srv, SHUTDOWN_GRACE_MS);
  store_close(store);
  return rc == 0 ? 0 : 1;
}
