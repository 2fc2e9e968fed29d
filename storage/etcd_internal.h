/* etcd_internal.h - what etcd_client.c shares with etcd_kv.c and etcd_lease.c: one call to
 * the members, with failover. Not for use outside storage/etcd_*.c. */
#ifndef HANGAR_ETCD_INTERNAL_H
#define HANGAR_ETCD_INTERNAL_H

#include <protobuf-c/protobuf-c.h>

#include "storage/etcd_client.h"

/* Whether a call may be sent again, to the next member, after an UNAVAILABLE that does not
 * say it never ran: a read or a renewal may (ETCD__REPEATABLE), a write may not
 * (ETCD__ONCE: it fails ETCD_EINDOUBT instead). */
typedef enum { ETCD__REPEATABLE = 0, ETCD__ONCE = 1 } etcd__repeat_t;

/* Calls path ("/etcdserverpb.KV/Range") with req on the members, from the one that answered
 * last, as etcd_client.h describes. 0 and *resp (decoded in arena), or an ETCD_* code with
 * *err filled (err may be NULL). */
int etcd__call(etcd_client_t *c, const char *path, const ProtobufCMessageDescriptor *in,
               const void *req, const ProtobufCMessageDescriptor *out, etcd__repeat_t repeat,
               hg_arena_t *arena, void **resp, etcd_err_t *err);

/* Fills *err (when not NULL) with code, status and message (NULL: etcd_strerror(code)).
 * Returns code. */
int etcd__fail(etcd_err_t *err, int code, hg_code_t status, const char *message);

#endif
