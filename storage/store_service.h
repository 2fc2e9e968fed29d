/* store_service.h - a service's store, opened from its frame (common/service.h): the spec of
 * --store, the map size of --map-size, and one log line naming what went wrong when it
 * cannot be opened (a malformed spec is told apart from a store that would not open).
 *
 * Why here: every service opened its store with its own copy of these lines, and one copy
 * forgot --map-size; common may not include storage, so the frame cannot do it itself.
 * Threads: main(), before the service starts. */
#ifndef HANGAR_STORE_SERVICE_H
#define HANGAR_STORE_SERVICE_H

#include "common/service.h"
#include "storage/store.h"

/* store_open_spec of frame->store_spec with opts (NULL: defaults), whose map size, when 0,
 * is frame->map_size. 0 and *out (the caller closes it), or a store error, logged. */
int store_open_service(const hg_service_t *frame, const store_schema_t *schema,
                       const store_opts_t *opts, store_t **out);

#endif
