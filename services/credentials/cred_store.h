/* cred_store.h - credentials-svc's store: credentials records and job records.
 *
 * Tables (store.h), keyed by the id as 8 big-endian bytes, so keys sort as numbers:
 *  - credentials: unique index "owner" (project, token, backend, type): one set of
 *    credentials per token and type, which is what makes a repeated create answer the same
 *    ones; index "unsettled": records in PROVISIONING or DROPPING, which crash recovery
 *    finishes.
 *  - jobs: index "pending": waiting and processing jobs, in id order, which the runner
 *    works through.
 * Ids of both come from the store-wide counter (store_next_version), so they only grow.
 * Threads: as store.h; loaded records live in the caller's arena. */
#ifndef HANGAR_CREDS_STORE_H
#define HANGAR_CREDS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "hangar/credentials/v1/store.pb-c.h"
#include "storage/store.h"

typedef Hangar__Credentials__V1__CredentialsRecord kb_record_t;
typedef Hangar__Credentials__V1__JobRecord kb_job_record_t;
typedef Hangar__Credentials__V1__Job kb_job_t;

enum { KB_T_CREDS = 0, KB_T_JOBS, KB_N_TABLES };

extern const store_schema_t kb_store_schema;

/* A decimal id with no sign, no leading zero and no more than 19 digits; 0 or -1. */
int kb_id_parse(const char *s, uint64_t *out);

/* 0, STORE_NOTFOUND or another store error; records in a. */
int kb_creds_load(store_txn_t *txn, uint64_t id, hg_arena_t *a, kb_record_t **out);
/* The record of this owner, backend and type, in any state. */
int kb_creds_find(store_txn_t *txn, const char *project, const char *token_id, const char *backend,
                  const char *type, hg_arena_t *a, kb_record_t **out);
/* Writes rec under its credentials' id with its index keys; flags as store_put
 * (STORE_PUT_NOOVERWRITE for a new record). STORE_EXISTS: the owner already has credentials
 * of this backend and type. */
int kb_creds_put(store_txn_t *txn, const kb_record_t *rec, unsigned flags);
int kb_creds_del(store_txn_t *txn, uint64_t id);
/* Up to limit records in PROVISIONING or DROPPING, oldest first, into out[] (room for
 * limit). */
int kb_creds_unsettled(store_txn_t *txn, hg_arena_t *a, size_t limit, kb_record_t **out, size_t *n);

/* The highest id among records in PROVISIONING or DROPPING (0: none). */
int kb_creds_unsettled_max(store_txn_t *txn, uint64_t *out);

int kb_job_load(store_txn_t *txn, uint64_t id, hg_arena_t *a, kb_job_record_t **out);
/* Writes a job; it is pending while its status is waiting or processing. */
int kb_job_put(store_txn_t *txn, const kb_job_record_t *rec);
/* Up to limit pending jobs, oldest first, into out[] (room for limit). */
int kb_jobs_pending(store_txn_t *txn, hg_arena_t *a, size_t limit, kb_job_record_t **out,
                    size_t *n);

#endif
