/* main.c - the auth-svc executable: the service frame (common/service.h), the bootstrap
 * admin token and JWT secret, the store, and the AuthAdmin + Verify methods. auth-svc is the
 * verifier itself, so its frame has no --auth setting. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "common/log.h"
#include "common/service.h"
#include "auth/token.h"
#include "storage/store_call.h"
#include "storage/store_service.h"

typedef struct settings {
  const char *admin_token, *jwt_secret;
} settings_t;

/* A secret shorter than this can be guessed or brute-forced offline (an HS256 key should
 * be at least as long as its 32-byte hash); the service refuses to start with one. */
#define SECRET_MIN_BYTES 32

/* 0 when the secret named by what is unset or long enough; else logs why and -1. */
static int secret_long_enough(const char *what, const char *secret) {
  if (!secret || !*secret || strlen(secret) >= SECRET_MIN_BYTES) return 0;
  HG_ERROR("auth", NULL, "%s must be at least %d bytes (it has %zu); refusing to start", what,
           SECRET_MIN_BYTES, strlen(secret));
  return -1;
}

/* The admin token auth-svc keeps when none is given: generated once into data_dir's
 * admin-token file (mode 0600) and read back on every later start, so it survives restarts
 * and is never logged. 0, or -1 with the reason logged. */
static int kept_admin_token(const char *data_dir, char out[AUTH_TOKEN_MAX]) {
  static const auth_kind_t admin_kind = {"admin", "hgadmin_"};
  char path[4096];
  if ((size_t)snprintf(path, sizeof(path), "%s/admin-token", data_dir) >= sizeof(path)) {
    HG_ERROR("auth", NULL, "data directory path too long: %s", data_dir);
    return -1;
  }
  FILE *f = fopen(path, "r");
  if (f) {
    int ok = fgets(out, AUTH_TOKEN_MAX, f) != NULL;
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
    if (ok && *out) return 0;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || auth_token_generate(&admin_kind, out) != 0 ||
      write(fd, out, strlen(out)) != (ssize_t)strlen(out) || fsync(fd) != 0) {
    HG_ERROR("auth", NULL, "cannot keep a generated admin token in %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  HG_WARN("auth", NULL, "HANGAR_ADMIN_TOKEN unset; a generated admin token is kept in %s", path);
  return 0;
}

/* Refuses short secrets, keeps an admin token if none was given, warns about a missing JWT
 * secret. After the store has created the data directory. */
static int finish_settings(settings_t *s, const char *data_dir, char kept[AUTH_TOKEN_MAX]) {
  if (secret_long_enough("the admin token (HANGAR_ADMIN_TOKEN)", s->admin_token) ||
      secret_long_enough("the JWT secret (HANGAR_JWT_SECRET)", s->jwt_secret))
    return -1;
  if (!s->admin_token || !*s->admin_token) {
    /* A kept file edited by hand is held to the same minimum as the environment. */
    if (kept_admin_token(data_dir, kept) != 0 ||
        secret_long_enough("the kept admin token (<data-dir>/admin-token)", kept))
      return -1;
    s->admin_token = kept;
  }
  if (!s->jwt_secret || !*s->jwt_secret)
    HG_WARN("auth", NULL, "HANGAR_JWT_SECRET unset: every JWT will be rejected");
  return 0;
}

int main(int argc, char **argv) {
  static const hg_service_defaults_t defaults = {"127.0.0.1:7101", "var/auth", &hangar_descriptors};
  char kept[AUTH_TOKEN_MAX];
  hg_service_t frame;
  settings_t s = {0};
  const hg_setting_t extra[] = {
      {"--admin-token", "HANGAR_ADMIN_TOKEN", NULL,
       "bootstrap admin token (unset: one is generated into <data-dir>/admin-token, 0600)",
       &s.admin_token},
      {"--jwt-secret", "HANGAR_JWT_SECRET", NULL, "HS256 secret; every JWT is rejected when unset",
       &s.jwt_secret},
  };
  int rc = hg_service_configure(&frame, "auth-svc", 0, &defaults, extra,
                                sizeof(extra) / sizeof(extra[0]), argc, argv);
  if (rc) return rc > 0 ? 0 : 2;
  auth_svc_t svc = {NULL, {NULL, 0}, {NULL, 0}, NULL};
  if (store_open_service(&frame, &auth_store_schema, NULL, &svc.store) != 0) return 1;
  if (finish_settings(&s, frame.data_dir, kept) != 0) {
    store_close(svc.store);
    return 2;
  }
  svc.admin_token = hg_str_c(s.admin_token);
  svc.jwt_secret = hg_str_c(s.jwt_secret);
  rc = hg_service_open(&frame, &svc);
  if (rc == 0) store_call_bind_health(frame.server, svc.store);
  if (rc == 0)
    rc = auth_service_register(frame.server, &svc) ||
         hg_service_add_metrics(&frame, store_metrics, svc.store) || hg_service_run(&frame);
  hg_service_close(&frame);
  store_close(svc.store);
  return rc ? 1 : 0;
}
