/* resources.h - resources-svc's shared state and its parts.
 *
 * resources-svc owns the resources store (var/resources) and serves the KtrlPlane Resources
 * API, the wrapper/resource API and the Ververica-style API (vvp_api.h) over gRPC. A KtrlPlane resource's lifecycle (creating ->
 * running, updating -> running, deleting -> gone) is driven by the reconciler through a
 * provisioner driver.
 * Threads: handlers run on rpc CQ threads, writes on the store's writer thread, the
 * reconciler on its own thread; this struct is read-only after start (ids has an atomic
 * counter). */
#ifndef HANGAR_RESOURCES_H
#define HANGAR_RESOURCES_H

#include <stdint.h>

#include "common/authz.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "hangar/resources/v1/store.pb-c.h"
#include "common/objectid.h"
#include "storage/store.h"

typedef Hangar__Resources__V1__Resource resource_t;
typedef Hangar__Resources__V1__ResourceRecord resource_record_t;

typedef struct reconciler reconciler_t;

typedef struct resources_svc {
  store_t *store;
  authz_t *authz;
  reconciler_t *reconciler;
  int64_t provision_delay_ms; /* how long a transition takes before the driver runs */
  int wrapper_base;           /* the wrapper API's first table handle (schema.h) */
  hg_objectid_gen_t ids;      /* the wrapper API's ObjectIds */
  int vvp_base;               /* the Ververica-style API's first table handle (schema.h) */
  uint64_t watch_retention;   /* change-log entries kept for watches (store_opts_t) */
} resources_svc_t;

/* Binds the KtrlPlane methods on server (whose rpc_server_set_data() is the svc). */
int ktrlplane_register(rpc_server_t *server);
/* Binds the wrapper/resource API's methods (wrapper_api.c), likewise. */
int wrappers_register(rpc_server_t *server);
/* Binds the Ververica-style API's methods (vvp_api.c), likewise. */
int ververica_register(rpc_server_t *server);

#endif
