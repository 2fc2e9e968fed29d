/* service.c - settings, server, verifier and the signal wait shared by every service. */
#include "common/service.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/process.h"

#define SETTINGS_MAX 24
#define STOP_GRACE_MS 5000
/* storage/store.h's STORE_DEFAULT_MAP_SIZE, as text (common may not include storage). */
#define STORE_MAP_SIZE_DEFAULT (sizeof(size_t) >= 8 ? "64G" : "1G")
/* Below this LMDB cannot hold the schema and the reserve that keeps deletes working. */
#define MAP_SIZE_MIN ((size_t)256 << 10)

static size_t common_settings(hg_service_t *s, const hg_service_defaults_t *d, hg_setting_t *out) {
  const hg_setting_t base[] = {
      {"--listen", "HANGAR_LISTEN", d->listen, "gRPC address: host:port or unix:/path", &s->listen},
      {"--data-dir", "HANGAR_DATA_DIR", d->data_dir, "LMDB directory (created if missing)",
       &s->data_dir},
      {"--store", "HANGAR_STORE_SPEC", NULL,
       "storage engine: lmdb:DIR or etcd:HOST:PORT[,HOST:PORT...][/prefix][?max-txn-ops=N&"
       "max-request-bytes=N] (default prefix: the service's name; the etcd cluster's own "
       "limits, default 128 and 1572864); unset: lmdb:<--data-dir>",
       &s->store_text},
      {"--log-level", "HANGAR_LOG_LEVEL", "info", "debug, info, warn or error", &s->log_level},
      {"--log-format", "HANGAR_LOG_FORMAT", "text", "text, or json: one object per line",
       &s->log_format},
      {"--ready-file", "HANGAR_READY_FILE", NULL, "receives the bound address once serving",
       &s->ready_file},
      {"--threads", "HANGAR_RPC_THREADS", "2", "gRPC completion-queue threads", &s->threads},
      {"--map-size", "HANGAR_STORE_MAP_SIZE", STORE_MAP_SIZE_DEFAULT,
       "largest store, bytes with an optional K/M/G suffix (a sparse file)", &s->map_size_text},
      {"--max-in-flight-per-principal", "HANGAR_MAX_IN_FLIGHT_PER_PRINCIPAL", "32",
       "calls one caller may have in flight; more are refused (429)", &s->max_in_flight},
      {"--metrics-listen", "HANGAR_METRICS_LISTEN", NULL,
       "host:port serving Prometheus GET /metrics; unset: none", &s->metrics_listen},
      {"--auth", "HANGAR_AUTH_ADDR", "127.0.0.1:7101",
       "auth-svc address; replicas as a comma list (unix:/a,unix:/b)", &s->auth},
      {"--auth-cache-ttl-seconds", "HANGAR_AUTH_CACHE_TTL_SECONDS", "30",
       "token verification cache TTL (<= 60)", &s->auth_cache_ttl},
  };
  /* The last two (--auth, --auth-cache-ttl-seconds) only for services that verify callers. */
  size_t all = sizeof(base) / sizeof(base[0]);
  size_t n = (s->flags & HG_SERVICE_VERIFIES_TOKENS) ? all : all - 2;
  memcpy(out, base, n * sizeof(*out));
  return n;
}

/* The store spec the service opens, from --store and --data-dir: only the engine name is
 * checked here (storage/store_spec.c parses the rest, with its own errors). */
static int store_spec(hg_service_t *s) {
  const char *t = s->store_text;
  int n;
  const char *q = t ? strchr(t, '?') : NULL; /* etcd's parameters follow the prefix */
  size_t before = q ? (size_t)(q - t) : t ? strlen(t) : 0;
  if (!t || !t[0])
    n = snprintf(s->store_spec, sizeof(s->store_spec), "lmdb:%s", s->data_dir);
  else if (strncmp(t, "etcd:", 5) == 0 && !memchr(t + 5, '/', before - 5))
    n = snprintf(s->store_spec, sizeof(s->store_spec), "%.*s/%s%s", (int)before, t, s->name,
                 q ? q : "");
  else if (strncmp(t, "etcd:", 5) == 0 || strncmp(t, "lmdb:", 5) == 0)
    n = snprintf(s->store_spec, sizeof(s->store_spec), "%s", t);
  else
    n = -1;
  if (n < 0 || (size_t)n >= sizeof(s->store_spec)) {
    fprintf(stderr,
            "%s: bad --store '%s': lmdb:DIR or "
            "etcd:HOST:PORT[,HOST:PORT...][/prefix][?max-txn-ops=N&max-request-bytes=N]\n",
            s->name, t ? t : "");
    return -1;
  }
  return 0;
}

static int check_settings(hg_service_t *s) {
  int level = hg_log_parse_level(s->log_level);
  int format = hg_log_parse_format(s->log_format);
  long long threads = hg_config_int(s->threads);
  long long ttl = s->auth_cache_ttl ? hg_config_int(s->auth_cache_ttl) : 0;
  long long in_flight = hg_config_int(s->max_in_flight);
  if (level < 0 || format < 0 || threads < 1 || threads > 64 || ttl < 0 || ttl > 60 ||
      in_flight < 1 || in_flight > 1000000) {
    fprintf(stderr,
            "%s: bad --log-level, --log-format, --threads, --auth-cache-ttl-seconds or "
            "--max-in-flight-per-principal (see --help)\n",
            s->name);
    return -1;
  }
  if (store_spec(s) != 0) return -1;
  s->map_size = hg_config_size(s->map_size_text);
  if (s->map_size < MAP_SIZE_MIN) {
    fprintf(stderr,
            "%s: bad --map-size '%s': bytes with an optional K, M or G suffix, at least "
            "256K\n",
            s->name, s->map_size_text);
    return -1;
  }
  hg_log_set_level((hg_log_level_t)level);
  hg_log_set_format((hg_log_format_t)format);
  hg_log_set_process(s->name);
  if (format == HG_LOG_JSON) rpc_log_through_hangar();
  return 0;
}

int hg_service_configure(hg_service_t *s, const char *name, unsigned flags,
                         const hg_service_defaults_t *defaults, const hg_setting_t *extra,
                         size_t n_extra, int argc, char **argv) {
  hg_setting_t table[SETTINGS_MAX];
  char err[256];
  memset(s, 0, sizeof(*s));
  s->name = name;
  s->flags = flags;
  s->descriptors = defaults->descriptors;
  size_t n = common_settings(s, defaults, table);
  if (n + n_extra > SETTINGS_MAX) return -1;
  if (n_extra) memcpy(table + n, extra, n_extra * sizeof(*extra));
  int rc = hg_config_parse(table, n + n_extra, argc, argv, name, err, sizeof(err));
  if (rc < 0) fprintf(stderr, "%s: %s\n", name, err);
  if (rc != 0) return rc;
  if (check_settings(s) != 0) return -1;
  hg_process_block_signals();
  hg_process_tune_malloc();
  return 0;
}

static int open_verifier(hg_service_t *s) {
  authz_opts_t opts = {.ttl_seconds = (int)hg_config_int(s->auth_cache_ttl)};
  if (rpc_client_new(&s->client) != 0 || authz_new(s->client, s->auth, &opts, &s->authz) != 0) {
    HG_ERROR(s->name, NULL, "cannot set up the token verifier for %s", s->auth);
    return -1;
  }
  return 0;
}

int hg_service_open(hg_service_t *s, void *data) {
  if ((s->flags & HG_SERVICE_VERIFIES_TOKENS) && open_verifier(s) != 0) return -1;
  rpc_server_opts_t opts = {.cq_threads = (int)hg_config_int(s->threads),
                            .max_in_flight_per_key = (int)hg_config_int(s->max_in_flight)};
  if (rpc_server_new(s->listen, &opts, &s->server) != 0) {
    HG_ERROR(s->name, NULL, "cannot listen on %s", s->listen);
    return -1;
  }
  rpc_server_set_data(s->server, data);
  if (s->descriptors && rpc_server_add_reflection(s->server, s->descriptors) != 0) {
    HG_ERROR(s->name, NULL, "cannot serve reflection: the embedded descriptor set is unusable");
    return -1;
  }
  s->metrics[0] = (prom_collector_t){rpc_server_metrics, s->server};
  s->n_metrics = 1;
  return 0;
}

int hg_service_add_metrics(hg_service_t *s, prom_collect_fn fn, void *arg) {
  if (!fn || s->n_metrics == 0 || s->n_metrics == PROM_HTTP_MAX_COLLECTORS) return -1;
  s->metrics[s->n_metrics++] = (prom_collector_t){fn, arg};
  return 0;
}

/* The metrics listener, when --metrics-listen names an address (empty: none). */
static int start_metrics(hg_service_t *s) {
  char host[256];
  if (!s->metrics_listen || !s->metrics_listen[0]) return 0;
  if (prom_http_start(s->metrics_listen, s->metrics, s->n_metrics, &s->metrics_http) != 0) {
    HG_ERROR(s->name, NULL, "cannot serve metrics on %s", s->metrics_listen);
    return -1;
  }
  const char *colon = strrchr(s->metrics_listen, ':');
  snprintf(host, sizeof(host), "%.*s", (int)(colon - s->metrics_listen), s->metrics_listen);
  HG_INFO(s->name, NULL, "metrics on http://%s:%d/metrics", host[0] ? host : "0.0.0.0",
          prom_http_port(s->metrics_http));
  return 0;
}

/* The address clients should dial: a listen port of 0 replaced by the bound one. */
static void bound_address(hg_service_t *s) {
  size_t len = strlen(s->listen);
  if (len >= 2 && strcmp(s->listen + len - 2, ":0") == 0)
    snprintf(s->address, sizeof(s->address), "%.*s:%d", (int)(len - 2), s->listen,
             rpc_server_port(s->server));
  else
    snprintf(s->address, sizeof(s->address), "%s", s->listen);
}

int hg_service_run(hg_service_t *s) {
  if (rpc_server_start(s->server) != 0) {
    HG_ERROR(s->name, NULL, "cannot start the rpc server");
    return -1;
  }
  bound_address(s);
  if (start_metrics(s) != 0) return -1;
  if (hg_process_write_ready(s->ready_file, s->address) != 0) {
    HG_ERROR(s->name, NULL, "cannot write ready file %s", s->ready_file);
    return -1;
  }
  HG_INFO(s->name, NULL, "serving on %s, store %s", s->address, s->store_spec);
  HG_INFO(s->name, NULL, "signal %d: stopping", hg_process_wait_signal());
  return 0;
}

void hg_service_stop(hg_service_t *s) {
  prom_http_stop(s->metrics_http); /* first: its collectors read the server and the store */
  s->metrics_http = NULL;
  if (s->server) rpc_server_destroy(s->server, STOP_GRACE_MS);
  s->server = NULL;
}

void hg_service_close(hg_service_t *s) {
  hg_service_stop(s);
  if (s->authz) authz_free(s->authz);
  if (s->client) rpc_client_destroy(s->client);
  s->authz = NULL;
  s->client = NULL;
}
