/* service.h - the frame every Hangar gRPC service runs in.
 *
 * Owns: the common settings (--listen, --data-dir, --store, --map-size, --log-level, --log-format,
 * --ready-file, --threads, --max-in-flight-per-principal, --metrics-listen and, for services
 * that verify callers, --auth and --auth-cache-ttl-seconds), the rpc server, the metrics
 * listener (common/prom_http.h: the rpc server's families, then those the service adds),
 * and the client + verifier that reach auth-svc. A service's main() adds its own settings,
 * opens its store, binds its methods, and calls these in order:
 *   configure -> open -> (register methods, add metrics) -> run -> stop -> (stop workers)
 *   -> close
 * Stop comes before the store closes because the server waits for in-flight calls, which a
 * queued write answers only from the store's writer thread.
 * Threads: main() only. */
#ifndef HANGAR_SERVICE_H
#define HANGAR_SERVICE_H

#include <stddef.h>

#include "common/authz.h"
#include "common/config.h"
#include "common/prom_http.h"
#include "rpc/rpc.h"

typedef enum {
  HG_SERVICE_VERIFIES_TOKENS = 1, /* adds --auth and --auth-cache-ttl-seconds, makes authz */
} hg_service_flags_t;

typedef struct hg_service {
  const char *name;
  unsigned flags;
  /* settings as parsed (borrowed from argv, environ or defaults) */
  const char *listen, *data_dir, *log_level, *log_format, *ready_file, *threads, *map_size_text;
  const char *max_in_flight, *metrics_listen;
  const char *store_text; /* --store as given; NULL: lmdb:<--data-dir> */
  /* The store spec the service opens (storage/store.h, store_open_spec): --store, or
   * "lmdb:<--data-dir>" when unset; an etcd spec without a prefix gets "/<name>", so every
   * service keeps its keys apart on one etcd cluster. common only carries the text. */
  char store_spec[4096];
  const char *auth, *auth_cache_ttl;
  const rpc_descriptor_set_t *descriptors; /* from the defaults */
  size_t map_size;                         /* --map-size in bytes, for the service's store_opts_t */
  rpc_client_t *client;                    /* HG_SERVICE_VERIFIES_TOKENS only */
  authz_t *authz;                          /* HG_SERVICE_VERIFIES_TOKENS only */
  rpc_server_t *server;
  char address[512]; /* the bound address, written to the ready file */
  prom_collector_t metrics[PROM_HTTP_MAX_COLLECTORS]; /* [0]: the rpc server's */
  size_t n_metrics;
  prom_http_t *metrics_http; /* NULL unless --metrics-listen is set and running */
} hg_service_t;

typedef struct hg_service_defaults {
  const char *listen;   /* e.g. "127.0.0.1:7102" */
  const char *data_dir; /* e.g. "var/resources" */
  /* What reflection describes: the executable's hangar_descriptors (below); NULL serves
   * no reflection. Borrowed for the life of the process. */
  const rpc_descriptor_set_t *descriptors;
} hg_service_defaults_t;

/* The FileDescriptorSet of everything a service executable serves, defined in the
 * executable by the hangar_descriptors_<service> library (proto/CMakeLists.txt). */
extern const rpc_descriptor_set_t hangar_descriptors;

/* Parses the common settings plus extra (may be NULL), sets the log level, format and
 * process name (name; borrowed for the process's life) and blocks the
 * stop signals. Returns 0; 1 when --help was printed (exit 0); -1 after printing why the
 * settings are wrong (exit 2). */
int hg_service_configure(hg_service_t *svc, const char *name, unsigned flags,
                         const hg_service_defaults_t *defaults, const hg_setting_t *extra,
                         size_t n_extra, int argc, char **argv);
/* Creates the verifier (if configured) and the rpc server, whose server data is data,
 * serving reflection from the defaults' descriptors. 0 or -1 (logged). */
int hg_service_open(hg_service_t *svc, void *data);
/* Adds fn(arg) to the service's /metrics after the rpc server's families (arg borrowed; it
 * must outlive hg_service_stop). After open, before run. 0, or -1 when the list is full. */
int hg_service_add_metrics(hg_service_t *svc, prom_collect_fn fn, void *arg);
/* Starts the server and, with --metrics-listen, the metrics listener (logging "metrics on
 * http://HOST:PORT/metrics", the bound port when 0 was asked), writes the ready file and
 * waits for SIGINT/SIGTERM. 0 or -1 (logged). */
int hg_service_run(hg_service_t *svc);
/* Stops the metrics listener, then the server, waiting for in-flight calls. Safe to call
 * twice. */
void hg_service_stop(hg_service_t *svc);
/* Frees the verifier and the client; after hg_service_stop(). */
void hg_service_close(hg_service_t *svc);

#endif
