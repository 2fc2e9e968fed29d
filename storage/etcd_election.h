/* etcd_election.h - leader election on etcd: at most one campaigner at a time holds an
 * election's key, under a lease it keeps alive; background work runs only on the holder.
 *
 * One key per election (e.g. "hangar/leader/ktrlplane-reconciler"). Its value is the
 * leader's id and it is attached to the leader's lease, so it disappears when the leader
 * resigns, or at most one TTL after the leader stops renewing (killed, partitioned): then
 * the next campaigner's step takes it. Taking the key is one Txn: create_revision(key) == 0
 * -> put key = id with the lease; so of several campaigners exactly one wins.
 *
 * The caller drives it: etcd_election_step() every TTL/3 or so (a worker's tick). Each step
 * renews (or first grants) the campaigner's lease, then takes the key if it is free, and
 * says whether this campaigner leads. Leadership is bounded by what etcd guaranteed:
 * etcd_election_leading() turns false once the lease may have expired since its last
 * successful renewal (measured from before that renewal was sent), even if no step ran
 * since, so a leader cut off from etcd stops acting before another can be elected.
 *
 * Ownership: an election borrows its client (which must outlive it) and copies key and id.
 * Threads: one election is used by one thread at a time; etcd_election_leader() from any. */
#ifndef HANGAR_ETCD_ELECTION_H
#define HANGAR_ETCD_ELECTION_H

#include <stdint.h>

#include "storage/etcd_client.h"

typedef struct etcd_election etcd_election_t;

#define ETCD_ELECTION_DEFAULT_TTL_S 5

/* New campaigner for the election at key, as id (what etcd_election_leader answers while it
 * leads). ttl_s: the lease TTL, 0 = ETCD_ELECTION_DEFAULT_TTL_S. Sends nothing yet.
 * 0 and *out (free with etcd_election_destroy), or ETCD_EINVAL / ETCD_ENOMEM. */
int etcd_election_new(etcd_client_t *c, const char *key, const char *id, int64_t ttl_s,
                      etcd_election_t **out);
/* Frees the campaigner without resigning: its key lives until its lease expires (what a
 * killed process leaves). Call etcd_election_resign() first to hand over at once. */
void etcd_election_destroy(etcd_election_t *e);

/* Renews the lease (granting one when it has none, or when etcd no longer knows it) and
 * takes the key when free. *leading: 1 when this campaigner holds the key. On an error
 * *leading is left alone; etcd_election_leading() still answers from the last renewal. */
int etcd_election_step(etcd_election_t *e, int *leading, etcd_err_t *err);
/* 1 while this campaigner holds the key and its lease cannot have expired yet. */
int etcd_election_leading(const etcd_election_t *e);
/* Gives up: deletes the key if this campaigner still holds it, and revokes its lease. The
 * campaigner may step again later (with a new lease). */
int etcd_election_resign(etcd_election_t *e, etcd_err_t *err);
/* The lease this campaigner holds (0 when none): for tests and logs. */
int64_t etcd_election_lease(const etcd_election_t *e);

/* Who leads the election at key: *found 0 when nobody does; else *leader (in arena) is the
 * leader's id and *term the key's create_revision, which changes with every new term. */
int etcd_election_leader(etcd_client_t *c, const char *key, hg_arena_t *arena, hg_str_t *leader,
                         int64_t *term, int *found, etcd_err_t *err);

#endif
