/* sync.c - the sync actions: create, find by type, detail, drop, kill, extend (mysql,
 * snowflake, redshift-workspace; docker only for detail and extend).
 *
 * Each handler checks the request here, on its CQ thread, and the rest runs as a worker task
 * (credentials.h), because the mysql driver blocks on its server. */
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "credentials/credentials.h"
#include "credentials/runner.h"

typedef Hangar__Credentials__V1__CreateCredentialsRequest create_req_t;
typedef Hangar__Credentials__V1__FindCredentialsRequest find_req_t;
typedef Hangar__Credentials__V1__CredentialsRef ref_t;
typedef Hangar__Credentials__V1__CreatedCredentials created_t;
typedef Hangar__Credentials__V1__CredentialsDetail detail_t;
typedef Hangar__Credentials__V1__StatusOk status_ok_t;
typedef Hangar__Credentials__V1__Extended extended_t;

#define READY HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__READY
#define PROVISIONING HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__PROVISIONING
#define DROPPING HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__DROPPING
#define BUSY "These credentials are being created or dropped; retry later"
#define BUSY_WAIT_MS 20 /* how often a create looks again at credentials another call holds */

static int64_t now_s(void) { return hg_now_ms() / 1000; }

/* ---- checks on the CQ thread -------------------------------------------------------------- */

/* The backend and type a create or a lookup names, or 400. The type defaults to
 * "transformations"; it must be one of the backend's. */
static int backend_type_or_fail(rpc_ctx_t *ctx, const char *backend, int has_type, const char *type,
                                const kb_backend_t **b, const char **t) {
  if (!(*b = kb_backend_or_fail(ctx, backend))) return -1;
  *t = has_type ? type : KB_DEFAULT_TYPE;
  if (kb_backend_has_type(*b, *t)) return 0;
  const char *m = hg_arena_sprintf(rpc_ctx_arena(ctx), "Type '%s' is not supported by backend '%s'",
                                   *t, (*b)->name);
  return kb_invalid(ctx, m ? m : "Unsupported type");
}

/* Docker containers are made and dropped by jobs only. */
static int sync_backend_or_fail(rpc_ctx_t *ctx, const kb_backend_t *b, const char *action) {
  if (!b->async_only) return 0;
  const char *m = hg_arena_sprintf(rpc_ctx_arena(ctx),
                                   "The %s backend does not support sync %s; use the async "
                                   "actions (/provisioning/async/%s)",
                                   b->name, action, b->name);
  return kb_invalid(ctx, m ? m : "Use the async actions");
}

/* A backend with no server configured answers 503 before anything else happens. */
static int driver_or_fail(rpc_ctx_t *ctx, const kb_backend_t *b) {
  return kb_svc(ctx)->drivers[b->id] ? 0 : kb_driver_fail(ctx, b, KB_DRIVER_UNAVAILABLE);
}

/* The task for a call naming credentials by id; a malformed id names nothing (404). */
static kb_task_t *ref_task(rpc_ctx_t *ctx, const ref_t *req, const char *sync_action,
                           void (*run)(kb_task_t *t)) {
  const kb_backend_t *b = kb_backend_or_fail(ctx, req->backend);
  if (!b || (sync_action && sync_backend_or_fail(ctx, b, sync_action)) || driver_or_fail(ctx, b))
    return NULL;
  uint64_t id;
  if (kb_id_parse(req->id, &id) != 0) {
    kb_not_found(ctx);
    return NULL;
  }
  kb_task_t *t = kb_task_new(ctx, b, run);
  if (t) t->id = id;
  return t;
}

/* ---- writes, on the store's writer thread ------------------------------------------------- */

typedef struct change {
  kb_task_t *t;
  kb_record_t *rec; /* new: the record to insert; else the one read */
  int from, to;     /* a state change from -> to; to < 0 deletes */
} change_t;

/* A new record: its id from the store's counter, its credentials from the driver's plan. */
static int insert_new(store_txn_t *txn, void *arg) {
  change_t *c = arg;
  kb_record_t *rec = c->rec;
  hg_arena_t *a = rpc_ctx_arena(c->t->ctx);
  kb_driver_t *d = c->t->svc->drivers[c->t->backend->id];
  uint64_t id;
  int rc = store_next_version(txn, &id);
  if (rc) return rc;
  if (!(rec->credentials->id = kb_digits(a, (int64_t)id)) ||
      d->plan(d, rec->backend, rec->type, rec->credentials, a) != 0)
    return STORE_ENOMEM;
  return kb_creds_put(txn, rec, STORE_PUT_NOOVERWRITE);
}

/* The record, if still in state `from`, moves to `to` (or is deleted); STORE_NOTFOUND when
 * it is gone or another call changed it meanwhile. */
static int change_state(store_txn_t *txn, void *arg) {
  change_t *c = arg;
  uint64_t id = c->t->id;
  kb_record_t *rec;
  int rc = kb_creds_load(txn, id, rpc_ctx_arena(c->t->ctx), &rec);
  if (rc) return rc;
  if ((int)rec->state != c->from) return STORE_NOTFOUND;
  if (c->to < 0) return kb_creds_del(txn, id);
  rec->state = (Hangar__Credentials__V1__CredentialsState)c->to;
  if (c->to == READY && c->from == READY) rec->touch = now_s();
  c->rec = rec;
  return kb_creds_put(txn, rec, 0);
}

static int move(kb_task_t *t, int from, int to, kb_record_t **rec) {
  change_t c = {t, NULL, from, to};
  int rc = store_write(t->svc->store, change_state, &c);
  if (rc == 0 && rec) *rec = c.rec;
  return rc;
}

/* ---- answers ------------------------------------------------------------------------------ */

static void reply_created(kb_task_t *t, const kb_record_t *rec) {
  hg_arena_t *a = rpc_ctx_arena(t->ctx);
  created_t *r = hg_arena_alloc(a, sizeof(*r));
  if (r) {
    hangar__credentials__v1__created_credentials__init(r);
    r->credentials = rec->credentials;
    r->id = rec->credentials->id;
    r->status = "ok";
    r->touch = kb_digits(a, rec->touch);
    r->url = hg_arena_sprintf(a, "%s/%s", rec->backend, rec->credentials->id);
  }
  if (!r || !r->touch || !r->url || kb_expiration(a, rec, &r->expiration) != 0)
    kb_store_fail(t->ctx, STORE_ENOMEM);
  else
    rpc_reply(t->ctx, r);
}

static void reply_detail(kb_task_t *t, const kb_record_t *rec) {
  hg_arena_t *a = rpc_ctx_arena(t->ctx);
  kb_driver_t *d = t->svc->drivers[t->backend->id];
  int in_use = 0, rc = d->in_use(d, rec->credentials, &in_use);
  if (rc) {
    kb_driver_fail(t->ctx, t->backend, rc);
    return;
  }
  detail_t *r = hg_arena_alloc(a, sizeof(*r));
  if (r) {
    hangar__credentials__v1__credentials_detail__init(r);
    r->id = rec->credentials->id;
    r->credentials = rec->credentials;
    r->inuse = in_use;
    r->touch = kb_digits(a, rec->touch);
    r->status = "ok";
    r->canextend = kb_type_can_extend(rec->type);
  }
  if (!r || !r->touch || kb_expiration(a, rec, &r->expiration) != 0)
    kb_store_fail(t->ctx, STORE_ENOMEM);
  else
    rpc_reply(t->ctx, r);
}

static void reply_ok(kb_task_t *t) {
  status_ok_t *r = hg_arena_alloc(rpc_ctx_arena(t->ctx), sizeof(*r));
  if (!r) {
    kb_store_fail(t->ctx, STORE_ENOMEM);
    return;
  }
  hangar__credentials__v1__status_ok__init(r);
  r->status = "ok";
  rpc_reply(t->ctx, r);
}

/* ---- create ------------------------------------------------------------------------------- */

/* The caller's credentials of t's backend and type: 0 and *out READY, STORE_NOTFOUND, 1
 * while another call creates them, 2 while they are dropped (a drop, or a create that failed
 * at its backend, which the runner settles). */
static int find_own(kb_task_t *t, kb_record_t **out) {
  store_txn_t *txn;
  int rc = store_txn_begin_read(t->svc->store, &txn);
  if (rc) return rc;
  rc = kb_creds_find(txn, t->who->project, t->who->token_id, t->backend->name, t->type,
                     rpc_ctx_arena(t->ctx), out);
  store_txn_end(txn);
  if (rc == 0 && (*out)->state == PROVISIONING) return 1;
  return rc == 0 && (*out)->state == DROPPING ? 2 : rc;
}

static kb_record_t *new_record(kb_task_t *t) {
  hg_arena_t *a = rpc_ctx_arena(t->ctx);
  kb_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  kb_creds_t *c = hg_arena_alloc(a, sizeof(*c));
  if (!rec || !c) return NULL;
  hangar__credentials__v1__credentials_record__init(rec);
  hangar__credentials__v1__credentials__init(c);
  rec->credentials = c;
  rec->backend = (char *)t->backend->name;
  rec->type = (char *)t->type;
  rec->project = (char *)t->who->project;
  rec->token_id = (char *)t->who->token_id;
  rec->touch = now_s();
  rec->created_at = hg_now_text(a);
  rec->state = t->svc->drivers[t->backend->id]->records_only ? READY : PROVISIONING;
  return rec->created_at ? rec : NULL;
}

/* find_own, waiting while another call creates these credentials (a client that sends the
 * same create twice at once gets one set, not a 503) as long as the call's deadline leaves
 * room to answer. Credentials being dropped wake the runner and answer busy at once: their
 * backend may be down, which waiting would not mend. */
static int find_settled(kb_task_t *t, kb_record_t **out) {
  int rc;
  while ((rc = find_own(t, out)) == 1 && rpc_ctx_remaining_ms(t->ctx) > BUSY_WAIT_MS + 1000)
    usleep(BUSY_WAIT_MS * 1000);
  if (rc == 2) kb_runner_wake(t->svc->runner);
  return rc;
}

static void run_create(kb_task_t *t) {
  kb_driver_t *d = t->svc->drivers[t->backend->id];
  kb_record_t *rec = NULL;
  int rc = STORE_EXISTS;
  /* A second create racing this one may insert first: then its record is the answer. */
  for (int attempt = 0; rc == STORE_EXISTS && attempt < 2; attempt++) {
    rc = find_settled(t, &rec);
    if (rc == 0) {
      reply_created(t, rec);
      return;
    }
    if (rc == 1 || rc == 2) {
      rpc_fail_code(t->ctx, HG_UNAVAILABLE, BUSY);
      return;
    }
    if (rc != STORE_NOTFOUND) break;
    change_t c = {t, new_record(t), 0, 0};
    if (!c.rec) {
      kb_store_fail(t->ctx, STORE_ENOMEM);
      return;
    }
    rc = store_write(t->svc->store, insert_new, &c);
    rec = c.rec;
  }
  if (rc) {
    kb_store_fail(t->ctx, rc);
    return;
  }
  if (rec->state == READY) {
    reply_created(t, rec);
    return;
  }
  if (kb_id_parse(rec->credentials->id, &t->id) != 0) {
    kb_store_fail(t->ctx, STORE_EINVAL);
    return;
  }
  if ((rc = d->create(d, rec->credentials)) != 0) {
    /* Part of it may exist, or appear when a stalled server wakes up: the runner drops it
     * and removes the record (a crash first: it does so after the restart). */
    move(t, PROVISIONING, DROPPING, NULL);
    kb_runner_wake(t->svc->runner);
    kb_driver_fail(t->ctx, t->backend, rc);
    return;
  }
  if ((rc = move(t, PROVISIONING, READY, &rec)) != 0) {
    kb_store_fail(t->ctx, rc);
    return;
  }
  reply_created(t, rec);
}

static void create_credentials(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  const kb_backend_t *b;
  const char *type;
  if (backend_type_or_fail(ctx, req->backend, req->_type_case != 0, req->type, &b, &type) ||
      sync_backend_or_fail(ctx, b, "creates") || driver_or_fail(ctx, b))
    return;
  kb_task_t *t = kb_task_new(ctx, b, run_create);
  if (!t) return;
  t->type = type;
  kb_task_start(t);
}

/* ---- reads -------------------------------------------------------------------------------- */

static void run_find(kb_task_t *t) {
  kb_record_t *rec;
  int rc = find_own(t, &rec);
  if (rc == 0)
    reply_detail(t, rec);
  else if (rc == 1 || rc == 2 || rc == STORE_NOTFOUND)
    kb_not_found(t->ctx);
  else
    kb_store_fail(t->ctx, rc);
}

static void find_credentials(rpc_ctx_t *ctx, const void *msg) {
  const find_req_t *req = msg;
  const kb_backend_t *b;
  const char *type;
  if (backend_type_or_fail(ctx, req->backend, req->_type_case != 0, req->type, &b, &type) ||
      driver_or_fail(ctx, b))
    return;
  kb_task_t *t = kb_task_new(ctx, b, run_find);
  if (!t) return;
  t->type = type;
  kb_task_start(t);
}

static void run_get(kb_task_t *t) {
  kb_record_t *rec;
  if (kb_own_creds_or_fail(t, &rec) == 0) reply_detail(t, rec);
}

static void get_credentials(rpc_ctx_t *ctx, const void *msg) {
  kb_task_t *t = ref_task(ctx, msg, NULL, run_get);
  if (t) kb_task_start(t);
}

/* ---- drop, kill, extend ------------------------------------------------------------------- */

static void run_drop(kb_task_t *t) {
  kb_driver_t *d = t->svc->drivers[t->backend->id];
  kb_record_t *rec;
  if (kb_own_creds_or_fail(t, &rec)) return;
  if (d->records_only) {
    int rc = move(t, READY, -1, NULL);
    if (rc == STORE_NOTFOUND)
      kb_not_found(t->ctx);
    else if (rc)
      kb_store_fail(t->ctx, rc);
    else
      reply_ok(t);
    return;
  }
  int rc = move(t, READY, DROPPING, NULL);
  if (rc == STORE_NOTFOUND) {
    kb_not_found(t->ctx);
    return;
  }
  if (rc == 0 && (rc = d->drop(d, rec->credentials)) != 0) {
    /* The drop is committed to: the credentials are gone from the API, and the runner
     * finishes dropping them once the server answers. */
    kb_runner_wake(t->svc->runner);
    kb_driver_fail(t->ctx, t->backend, rc);
    return;
  }
  /* The runner may have finished this drop meanwhile: gone is what was asked for. */
  if (rc == 0 && (rc = move(t, DROPPING, -1, NULL)) == STORE_NOTFOUND) rc = 0;
  if (rc)
    kb_store_fail(t->ctx, rc);
  else
    reply_ok(t);
}

static void drop_credentials(rpc_ctx_t *ctx, const void *msg) {
  kb_task_t *t = ref_task(ctx, msg, "drops", run_drop);
  if (t) kb_task_start(t);
}

static void run_kill(kb_task_t *t) {
  kb_driver_t *d = t->svc->drivers[t->backend->id];
  kb_record_t *rec;
  if (kb_own_creds_or_fail(t, &rec)) return;
  int rc = d->kill(d, rec->credentials);
  if (rc)
    kb_driver_fail(t->ctx, t->backend, rc);
  else
    reply_ok(t);
}

static void kill_credentials(rpc_ctx_t *ctx, const void *msg) {
  kb_task_t *t = ref_task(ctx, msg, "kills", run_kill);
  if (t) kb_task_start(t);
}

static void run_extend(kb_task_t *t) {
  hg_arena_t *a = rpc_ctx_arena(t->ctx);
  kb_record_t *rec;
  if (kb_own_creds_or_fail(t, &rec)) return;
  if (!kb_type_can_extend(rec->type)) {
    hg_status_t st;
    hg_status_set(&st, HG_INVALID_ARGUMENT, "The sandbox cannot be extended.");
    st.reason = KB_REASON_WARNING;
    rpc_fail(t->ctx, &st);
    return;
  }
  int rc = move(t, READY, READY, &rec);
  if (rc == STORE_NOTFOUND) {
    kb_not_found(t->ctx);
    return;
  }
  extended_t *r = rc ? NULL : hg_arena_alloc(a, sizeof(*r));
  if (r) {
    hangar__credentials__v1__extended__init(r);
    r->touch = kb_digits(a, rec->touch);
    r->id = rec->credentials->id;
  }
  if (!r || !r->touch || kb_expiration(a, rec, &r->expiration) != 0)
    kb_store_fail(t->ctx, rc ? rc : STORE_ENOMEM);
  else
    rpc_reply(t->ctx, r);
}

static void extend_credentials(rpc_ctx_t *ctx, const void *msg) {
  kb_task_t *t = ref_task(ctx, msg, NULL, run_extend);
  if (t) kb_task_start(t);
}

const rpc_binding_t kb_sync_bindings[KB_N_SYNC_BINDINGS] = {
    {"CreateCredentials", create_credentials, kb_admit},
    {"FindCredentials", find_credentials, kb_admit},
    {"GetCredentials", get_credentials, kb_admit},
    {"DropCredentials", drop_credentials, kb_admit},
    {"KillCredentials", kill_credentials, kb_admit},
    {"ExtendCredentials", extend_credentials, kb_admit},
};
