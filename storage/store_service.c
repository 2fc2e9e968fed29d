/* store_service.c - a service's store, opened from its frame (store_service.h). */
#include "storage/store_service.h"

#include "common/log.h"

int store_open_service(const hg_service_t *frame, const store_schema_t *schema,
                       const store_opts_t *opts, store_t **out) {
  store_opts_t o = opts ? *opts : (store_opts_t){0};
  store_spec_t spec;
  if (!o.map_size) o.map_size = frame->map_size;
  if (store_spec_parse(frame->store_spec, &spec) != 0) {
    HG_ERROR(frame->name, NULL,
             "bad --store '%s': lmdb:DIR or etcd:HOST:PORT[,HOST:PORT...][/PREFIX]"
             "[?max-txn-ops=N&max-request-bytes=N] (at least 2 ops and %zu bytes)",
             frame->store_spec, (size_t)STORE_ETCD_MIN_REQUEST_BYTES);
    return STORE_EINVAL;
  }
  int rc = store_open_spec(frame->store_spec, schema, &o, out);
  if (rc != 0)
    HG_ERROR(frame->name, NULL, "cannot open store %s: %s", frame->store_spec, store_strerror(rc));
  return rc;
}
