/* etcd_leader_gate.h - background work that runs on one replica at a time: an etcd leader
 * election (etcd_election.h) as the gate of a common/background thread (hg_gate_t).
 *
 * Every replica starts the same background thread, gated on the same election key; the
 * thread's check campaigns or renews (one etcd_election_step every TTL/3), and its passes
 * run only while this replica holds the key. A pass that outlives the lease (etcd out of
 * reach for a TTL) sees hg_background_stopping() and stops between steps, before another
 * replica can be elected. A replica that stops cleanly resigns, so the next takes over at
 * its next check; a killed one is replaced once its lease expires, within the TTL.
 *
 * Owns: its etcd client and election. Threads: new and destroy from main; the gate's
 * functions run on the background thread that was given it. */
#ifndef HANGAR_ETCD_LEADER_GATE_H
#define HANGAR_ETCD_LEADER_GATE_H

#include <stdint.h>

#include "common/background.h"
#include "storage/etcd_client.h"
#include "storage/store.h"

typedef struct etcd_leader_gate etcd_leader_gate_t;

/* A campaigner for the work named key (e.g. "hangar/leader/ktrlplane-reconciler") on the
 * etcd members in endpoints (a comma list), leases of ttl_s seconds (0: the election's
 * default, 5 s). Its id in etcd is "<host>:<pid>" and names the leader in the logs. Sends
 * nothing yet. 0 and *out, or ETCD_EINVAL / ETCD_ENOMEM. */
int etcd_leader_gate_new(const char *endpoints, const char *key, int64_t ttl_s,
                         etcd_leader_gate_t **out);
/* The gate for the background work named work (e.g. "ktrlplane-reconciler") of a service
 * whose store is spec: on etcd, a campaigner for "<prefix>/leader/<work>" on the store's
 * members; on LMDB, none (*out NULL), because one process owns an LMDB store and its work.
 * 0, or an ETCD_* error (logged). */
int etcd_leader_gate_for_store(const store_spec_t *spec, const char *work,
                               etcd_leader_gate_t **out);
/* The gate to give hg_background_start_gated (inside g, which must outlive the thread);
 * NULL for g NULL (no gate: the work always runs). */
const hg_gate_t *etcd_leader_gate(etcd_leader_gate_t *g);
/* Resigns (the next replica need not wait for the lease to expire) and frees g. Only after
 * the background thread using the gate has stopped. NULL is a no-op. */
void etcd_leader_gate_destroy(etcd_leader_gate_t *g);

#endif
