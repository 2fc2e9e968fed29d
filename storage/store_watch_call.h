/* store_watch_call.h - a server-streaming gRPC call that follows a store watch: the
 * service side of `Watch` methods.
 *
 * Why here: like store_call.h, it joins the rpc layer to the store (common may not include
 * storage). It rests only on store_watch_start/stop and the change records (store.h), the
 * seam an etcd engine answers with etcd's own watch, so a service's Watch handlers do not
 * change with the engine.
 *
 * A service binds its Watch method with rpc_server_add_stream, on_half_close set to a
 * function that does nothing (the stream outlives the request) and on_done set to
 * store_watch_call_done. Its on_message checks the request, makes the call with
 * store_watch_call_new, copies what its filter needs into store_watch_call_arena (the
 * request's own arena ends with on_message), and calls store_watch_call_start. From then
 * on the store's watch thread hands each change to cfg->event, which renders the event
 * message (or skips a change the stream does not show), and the call sends it. A client
 * that stops reading pauses its watch (the change comes again once its queue has room);
 * one that falls behind the change log's retention is ended OUT_OF_RANGE, reason EXPIRED,
 * as a watch from a compacted version is refused (Kubernetes' 410 Gone).
 * Threads: _new, _arena and _start from on_message; cfg->event on the store's watch
 * thread; _done from on_done. */
#ifndef HANGAR_STORE_WATCH_CALL_H
#define HANGAR_STORE_WATCH_CALL_H

#include <stdint.h>

#include "common/arena.h"
#include "rpc/rpc.h"
#include "storage/store.h"

/* The ErrorInfo reason of a compacted version's answer (code HG_OUT_OF_RANGE). */
#define STORE_WATCH_EXPIRED "EXPIRED"

typedef struct store_watch_call store_watch_call_t;

/* Renders change c for the stream whose filter is arg: 0 with *msg set (sent), 0 with *msg
 * NULL (not this stream's change), or a store error (the stream ends INTERNAL). a is the
 * change's own arena, released once the message is sent. */
typedef int (*store_watch_event_fn)(void *filter, const store_change_t *c, hg_arena_t *a,
                                    void **msg);

/* Renders the bookmark for version into *msg (in a). 0 or a store error. */
typedef int (*store_watch_bookmark_fn)(uint64_t version, hg_arena_t *a, void **msg);

typedef struct store_watch_call_cfg {
  const char *module;               /* names log lines */
  store_watch_event_fn event;       /* required */
  store_watch_bookmark_fn bookmark; /* required */
  const char *expired;              /* the message of a compacted version's answer */
  const char *invalid;              /* the message of a malformed resourceVersion's answer */
} store_watch_call_cfg_t;

/* The resourceVersion a watch starts after: "" or "0" for "now" (*out = 0, the call reads
 * the store's current version when it starts), else a decimal number. Otherwise answers ctx
 * INVALID_ARGUMENT (cfg->invalid, a violation of field "resourceVersion") and returns -1. */
int store_watch_version_or_fail(rpc_ctx_t *ctx, const store_watch_call_cfg_t *cfg, const char *text,
                                uint64_t *out);

/* The call's state, set as ctx's stream state (rpc_stream_set_state). NULL: out of memory,
 * ctx answered. */
store_watch_call_t *store_watch_call_new(rpc_ctx_t *ctx);
/* An arena that lives as long as the stream, for the filter. */
hg_arena_t *store_watch_call_arena(store_watch_call_t *w);
/* Starts following s after version `after` (0: the current version) with filter (borrowed
 * until the stream ends). Every failure answers the stream itself: a compacted version
 * OUT_OF_RANGE/EXPIRED, a closed store UNAVAILABLE. */
void store_watch_call_start(store_watch_call_t *w, store_t *s, uint64_t after,
                            const store_watch_call_cfg_t *cfg, void *filter);
/* The stream handler's on_done: stops the watch and frees the call's state. */
void store_watch_call_done(rpc_ctx_t *ctx, int cancelled);
/* The stream handler's on_half_close: nothing (the stream goes on after the request). */
void store_watch_call_half_close(rpc_ctx_t *ctx);

#endif
