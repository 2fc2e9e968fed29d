/* main.c - the gateway executable: settings, start, wait for SIGINT/SIGTERM, clean stop.
 *
 * Settings come from the table below (flag, then HANGAR_* environment, then default).
 * The HTTP address is --listen / HANGAR_HTTP_ADDR; when neither is given, HANGAR_HTTP_PORT
 * (--http-port) selects 0.0.0.0:<port>; otherwise 0.0.0.0:8080. Once listening, the ready
 * file receives "127.0.0.1:<bound port>" (port 0 picks a free port). */
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "gateway/gateway.h"
#include "common/log.h"
#include "common/process.h"
#include "rpc/rpc.h"

#define DEFAULT_LISTEN "0.0.0.0:8080"
#define STOP_GRACE_MS 2000

typedef struct settings {
  const char *listen, *http_port, *resources, *products, *credentials, *auth, *threads;
  const char *ready_file;
  const char *log_level, *log_format, *http_timeout, *upstream_deadline, *swagger_ui_dir;
  const char *max_conns, *max_conns_ip, *max_in_flight, *header_timeout, *body_timeout;
  const char *max_response, *health_interval;
} settings_t;

static int parse_settings(int argc, char **argv, settings_t *s) {
  const hg_setting_t table[] = {
      {"--listen", "HANGAR_HTTP_ADDR", NULL, "HTTP address host:port", &s->listen},
      {"--http-port", "HANGAR_HTTP_PORT", NULL, "HTTP port on 0.0.0.0 when --listen is not set",
       &s->http_port},
      {"--resources", "HANGAR_RESOURCES_ADDR", "127.0.0.1:7102",
       "resources-svc gRPC address, or a comma list of its replicas", &s->resources},
      {"--products", "HANGAR_PRODUCTS_ADDR", "127.0.0.1:7103",
       "products-svc gRPC address, or a comma list of its replicas", &s->products},
      {"--credentials", "HANGAR_CREDENTIALS_ADDR", "127.0.0.1:7104",
       "credentials-svc gRPC address, or a comma list of its replicas", &s->credentials},
      {"--auth", "HANGAR_AUTH_ADDR", "127.0.0.1:7101",
       "auth-svc gRPC address, or a comma list of its replicas", &s->auth},
      {"--threads", "HANGAR_GATEWAY_THREADS", "0", "HTTP event loops (0 = one per CPU)",
       &s->threads},
      {"--ready-file", "HANGAR_READY_FILE", NULL, "file to write host:port into once listening",
       &s->ready_file},
      {"--log-level", "HANGAR_LOG_LEVEL", "info", "debug|info|warn|error", &s->log_level},
      {"--log-format", "HANGAR_LOG_FORMAT", "text", "text|json (one object per line)",
       &s->log_format},
      {"--http-timeout-seconds", "HANGAR_HTTP_TIMEOUT_SECONDS", "15",
       "idle/slow connection timeout", &s->http_timeout},
      {"--upstream-deadline-ms", "HANGAR_UPSTREAM_DEADLINE_MS", "30000",
       "deadline of each upstream call", &s->upstream_deadline},
      {"--max-connections", "HANGAR_MAX_CONNECTIONS", "10000",
       "open connections at once; more are closed", &s->max_conns},
      {"--max-connections-per-ip", "HANGAR_MAX_CONNECTIONS_PER_IP", "256",
       "open connections from one address; more are closed", &s->max_conns_ip},
      {"--max-in-flight", "HANGAR_MAX_IN_FLIGHT", "4096",
       "requests proxied at once; more get 503 with Retry-After", &s->max_in_flight},
      {"--header-timeout-ms", "HANGAR_HEADER_TIMEOUT_MS", "10000",
       "a request's line and headers must arrive within (else 408)", &s->header_timeout},
      {"--body-timeout-ms", "HANGAR_BODY_TIMEOUT_MS", "30000", "then its body within (else 408)",
       &s->body_timeout},
      {"--max-response-bytes", "HANGAR_MAX_RESPONSE_BYTES", "16M",
       "largest answer from an upstream (K/M/G suffix); larger is 502", &s->max_response},
      {"--upstream-health-interval-ms", "HANGAR_UPSTREAM_HEALTH_INTERVAL_MS", "1000",
       "between health checks of an upstream's replicas (with several)", &s->health_interval},
      {"--swagger-ui-dir", "HANGAR_SWAGGER_UI_DIR", HANGAR_SWAGGER_UI_DEFAULT,
       "swagger-ui-dist's files, served at /swagger/", &s->swagger_ui_dir},
  };
  char err[256];
  int rc = hg_config_parse(table, sizeof(table) / sizeof(table[0]), argc, argv, "gateway", err,
                           sizeof(err));
  if (rc < 0) fprintf(stderr, "gateway: %s\n", err);
  return rc;
}

/* A limit: 1..max, else -1. */
static long long limit(const char *text, long long max) {
  long long v = hg_config_int(text);
  return v >= 1 && v <= max ? v : -1;
}

/* The limits' settings into o; -1 when one is out of range. */
static int build_limits(const settings_t *s, gw_opts_t *o) {
  long long conns = limit(s->max_conns, 1000000), per_ip = limit(s->max_conns_ip, 1000000);
  long long in_flight = limit(s->max_in_flight, 1000000);
  long long header = limit(s->header_timeout, 3600000), body = limit(s->body_timeout, 3600000);
  size_t response = hg_config_size(s->max_response);
  if (conns < 0 || per_ip < 0 || in_flight < 0 || header < 0 || body < 0 || response == 0)
    return -1;
  o->max_connections = (int)conns;
  o->max_connections_per_ip = (int)per_ip;
  o->max_in_flight = (long)in_flight;
  o->header_timeout_ms = (int)header;
  o->body_timeout_ms = (int)body;
  o->max_response_bytes = response;
  return 0;
}

/* Numeric settings and the listen address. 0 or -1 (message printed). */
static int build_opts(const settings_t *s, gw_opts_t *o, char *listen, size_t listen_len) {
  long long threads = hg_config_int(s->threads), timeout = hg_config_int(s->http_timeout);
  long long deadline = hg_config_int(s->upstream_deadline), port = -1;
  long long interval = hg_config_int(s->health_interval);
  if (!s->listen && s->http_port && (port = hg_config_int(s->http_port)) > 65535) port = -1;
  int level = hg_log_parse_level(s->log_level), format = hg_log_parse_format(s->log_format);
  if (threads < 0 || threads > 1024 || timeout < 0 || deadline <= 0 || level < 0 || format < 0 ||
      interval < 1 || interval > 3600000 || (!s->listen && s->http_port && port < 0) ||
      build_limits(s, o) != 0) {
    fprintf(stderr, "gateway: invalid setting (see --help)\n");
    return -1;
  }
  hg_log_set_level((hg_log_level_t)level);
  hg_log_set_format((hg_log_format_t)format);
  hg_log_set_process("gateway");
  if (format == HG_LOG_JSON) rpc_log_through_hangar();
  if (s->listen)
    snprintf(listen, listen_len, "%s", s->listen);
  else if (s->http_port)
    snprintf(listen, listen_len, "0.0.0.0:%lld", port);
  else
    snprintf(listen, listen_len, "%s", DEFAULT_LISTEN);
  o->listen = listen;
  o->threads = (int)threads;
  o->http_timeout_s = (int)timeout;
  o->upstream_deadline_ms = deadline;
  o->health_interval_ms = interval;
  o->swagger_ui_dir = s->swagger_ui_dir;
  return 0;
}

int main(int argc, char **argv) {
  settings_t s = {0};
  gw_opts_t o = {0};
  char listen[300], err[512], ready[64];
  gw_gateway_t *g = NULL;
  hg_process_block_signals();
  hg_process_tune_malloc();
  int rc = parse_settings(argc, argv, &s);
  if (rc != 0) return rc > 0 ? 0 : 2;
  if (build_opts(&s, &o, listen, sizeof(listen)) != 0) return 2;
  const gw_upstream_conf_t upstreams[] = {{"resources", s.resources},
                                          {"products", s.products},
                                          {"credentials", s.credentials},
                                          {"auth", s.auth}};
  o.upstreams = upstreams;
  o.n_upstreams = sizeof(upstreams) / sizeof(upstreams[0]);
  if (gw_gateway_new(&o, &g, err, sizeof(err)) != 0) {
    HG_ERROR("gateway", NULL, "%s", err);
    return 1;
  }
  snprintf(ready, sizeof(ready), "127.0.0.1:%d", gw_gateway_port(g));
  if (gw_gateway_start(g) != 0 || hg_process_write_ready(s.ready_file, ready) != 0) {
    HG_ERROR("gateway", NULL, "cannot start (ready file '%s')", s.ready_file ? s.ready_file : "");
    gw_gateway_destroy(g, 0);
    return 1;
  }
  HG_INFO("gateway", NULL,
          "listening on %s (port %d); resources=%s products=%s credentials=%s auth=%s", listen,
          gw_gateway_port(g), s.resources ? s.resources : "-", s.products ? s.products : "-",
          s.credentials ? s.credentials : "-", s.auth ? s.auth : "-");
  int sig = hg_process_wait_signal();
  HG_INFO("gateway", NULL, "signal %d: stopping", sig);
  gw_gateway_destroy(g, STOP_GRACE_MS);
  return 0;
}
