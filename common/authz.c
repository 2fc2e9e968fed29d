/* authz.c - the services' verifier: Authorization parsing, a bounded TTL cache of verified
 * principals keyed by SHA-256(token), Verify calls to auth-svc on a miss, and role checks.
 *
 * The cache is a chained hash table plus an LRU list under one mutex; entries are sized to
 * their bindings (a full hg_principal_t is ~10 kB). Only valid answers are cached, each
 * until min(now + ttl, the token's own expiry), so a revoked token stops working everywhere
 * within ttl seconds. The lock is never held across the Verify call: two threads missing on
 * the same token both ask, and the later answer replaces the earlier.
 *
 * A Verify holds its caller's thread (a service CQ thread) until auth-svc answers or the
 * deadline passes. While auth-svc hangs, a few requests with unknown tokens would keep every
 * CQ thread waiting and stall the service's other calls, cached callers included. So once a
 * Verify has timed out, only one Verify at a time goes out (the probe) and other misses are
 * AUTHZ_UNAVAILABLE at once, until a Verify is answered again.
 *
 * auth-svc may run as several replicas (a comma list of addresses): Verify goes round-robin
 * to the healthy ones and, being a read, on to the next replica when one is unavailable
 * (common/rpc's rpc_replicas_t). */
#include "common/authz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/sha.h>

#include "hangar/auth/v1/verify.pb.h"

#define DEFAULT_TTL 30
#define MAX_TTL 60
#define DEFAULT_CAPACITY 4096
#define DEFAULT_DEADLINE_MS 2000
#define CHECK_INTERVAL_MS 1000 /* between health checks of auth-svc's replicas, when several */
#define VERIFY_PATH "/hangar.auth.v1.TokenVerifier/Verify"

static const char *const role_names[] = {"none", "viewer", "editor", "owner", "admin"};

typedef struct entry {
  uint8_t key[SHA256_DIGEST_LENGTH];
  int64_t expires;           /* unix seconds; unusable from then on */
  struct entry *chain;       /* next in the hash bucket */
  struct entry *prev, *next; /* LRU list, most recent first */
  char subject[sizeof(((hg_principal_t *)0)->subject)];
  char kind[sizeof(((hg_principal_t *)0)->kind)];
  char token_id[sizeof(((hg_principal_t *)0)->token_id)];
  int admin;
  size_t n_bindings;
  struct {
    char scope[sizeof(((hg_principal_t *)0)->bindings[0].scope)];
    hg_role_t role;
  } bindings[];
} entry_t;

struct authz {
  rpc_replicas_t *replicas; /* auth-svc's: one or more addresses */
  int ttl;
  size_t capacity;
  int64_t deadline_ms;
  pthread_mutex_t mu;
  entry_t **buckets;
  size_t mask; /* bucket count - 1 (a power of two) */
  entry_t lru; /* sentinel: lru.next is the most recent */
  size_t n;
  int stalled; /* the last Verify to finish timed out (under mu) */
  int probing; /* while stalled: a Verify is out (under mu) */
};

hg_role_t hg_role_parse(const char *s) {
  for (int r = HG_ROLE_VIEWER; s && r <= HG_ROLE_ADMIN; r++)
    if (strcmp(s, role_names[r]) == 0) return (hg_role_t)r;
  return HG_ROLE_NONE;
}

const char *hg_role_name(hg_role_t r) {
  return (unsigned)r <= HG_ROLE_ADMIN ? role_names[r] : role_names[HG_ROLE_NONE];
}

/* A binding's role holds on its own scope only; `admin` is the top role there, nothing
 * more. A binding on HG_SCOPE_EVERYWHERE ("*") holds on every scope. */
hg_role_t hg_principal_role(const hg_principal_t *p, const char *scope) {
  hg_role_t best = HG_ROLE_NONE;
  if (p->admin) return HG_ROLE_ADMIN;
  for (size_t i = 0; i < p->n_bindings && i < HG_PRINCIPAL_MAX_BINDINGS; i++) {
    hg_role_t r = p->bindings[i].role;
    const char *on = p->bindings[i].scope;
    if (r > best && scope && (strcmp(on, scope) == 0 || strcmp(on, HG_SCOPE_EVERYWHERE) == 0))
      best = r;
  }
  return best;
}

/* ---- the cache ------------------------------------------------------------------------ */

static size_t bucket_of(const authz_t *z, const uint8_t *key) {
  size_t h;
  memcpy(&h, key, sizeof(h)); /* a SHA-256 is already uniformly mixed */
  return h & z->mask;
}

static void lru_unlink(entry_t *e) {
  e->prev->next = e->next;
  e->next->prev = e->prev;
}

static void lru_push_front(authz_t *z, entry_t *e) {
  e->prev = &z->lru;
  e->next = z->lru.next;
  z->lru.next->prev = e;
  z->lru.next = e;
}

/* The slot that points at the entry for key (or at NULL where it would go). */
static entry_t **find_slot(authz_t *z, const uint8_t *key) {
  entry_t **slot = &z->buckets[bucket_of(z, key)];
  while (*slot && memcmp((*slot)->key, key, sizeof((*slot)->key)) != 0) slot = &(*slot)->chain;
  return slot;
}

static void remove_entry(authz_t *z, entry_t *e) {
  entry_t **slot = find_slot(z, e->key);
  *slot = e->chain;
  lru_unlink(e);
  z->n--;
  free(e);
}

/* Every field is written and bindings past n_bindings are never read, so the ~11 KB struct
 * is not cleared first (that memset was a tenth of a cached verification). */
static void copy_out(const entry_t *e, hg_principal_t *out) {
  memcpy(out->subject, e->subject, sizeof(out->subject));
  memcpy(out->kind, e->kind, sizeof(out->kind));
  memcpy(out->token_id, e->token_id, sizeof(out->token_id));
  out->admin = e->admin;
  out->n_bindings = e->n_bindings;
  for (size_t i = 0; i < e->n_bindings; i++) {
    memcpy(out->bindings[i].scope, e->bindings[i].scope, sizeof(out->bindings[i].scope));
    out->bindings[i].role = e->bindings[i].role;
  }
}

/* 1 and *out filled when key has a live entry; a stale one is dropped. */
static int cache_get(authz_t *z, const uint8_t *key, int64_t now, hg_principal_t *out) {
  int hit = 0;
  pthread_mutex_lock(&z->mu);
  entry_t *e = *find_slot(z, key);
  if (e && e->expires > now) {
    copy_out(e, out);
    lru_unlink(e);
    lru_push_front(z, e);
    hit = 1;
  } else if (e) {
    remove_entry(z, e);
  }
  pthread_mutex_unlock(&z->mu);
  return hit;
}

/* Inserts e (replacing any entry for its key) and evicts the least recently used entries
 * beyond capacity. Takes ownership of e. */
static void cache_put(authz_t *z, entry_t *e) {
  pthread_mutex_lock(&z->mu);
  entry_t **slot = find_slot(z, e->key);
  if (*slot) remove_entry(z, *slot);
  slot = find_slot(z, e->key);
  e->chain = NULL;
  *slot = e;
  lru_push_front(z, e);
  z->n++;
  while (z->n > z->capacity) remove_entry(z, z->lru.prev);
  pthread_mutex_unlock(&z->mu);
}

/* A cache entry for a valid Verify answer; NULL on allocation failure. */
static entry_t *entry_from(const uint8_t *key, int64_t expires,
                           const hangar_auth_v1_VerifyResponse *r) {
  size_t n = r->bindings_count;
  if (n > HG_PRINCIPAL_MAX_BINDINGS) n = HG_PRINCIPAL_MAX_BINDINGS;
  entry_t *e = calloc(1, sizeof(*e) + n * sizeof(e->bindings[0]));
  if (!e) return NULL;
  memcpy(e->key, key, sizeof(e->key));
  e->expires = expires;
  snprintf(e->subject, sizeof(e->subject), "%s", r->subject);
  snprintf(e->kind, sizeof(e->kind), "%s", r->kind);
  snprintf(e->token_id, sizeof(e->token_id), "%s", r->token_id);
  e->admin = r->admin;
  for (size_t i = 0; i < n; i++) {
    hg_role_t role = hg_role_parse(r->bindings[i].role);
    if (role == HG_ROLE_NONE) continue; /* a role this build does not know grants nothing */
    snprintf(e->bindings[e->n_bindings].scope, sizeof(e->bindings[0].scope), "%s",
             r->bindings[i].scope);
    e->bindings[e->n_bindings++].role = role;
  }
  return e;
}

/* ---- verification --------------------------------------------------------------------- */

static void set_detail(char *detail, size_t len, const char *text) {
  if (detail && len > 0) snprintf(detail, len, "%s", text);
}

/* May a Verify go out now? 0 while auth-svc is stalled and the probe is out; else 1, with
 * *probe set when this call is the probe. */
static int verify_begin(authz_t *z, int *probe) {
  pthread_mutex_lock(&z->mu);
  int go = !z->stalled || !z->probing;
  *probe = go && z->stalled;
  if (*probe) z->probing = 1;
  pthread_mutex_unlock(&z->mu);
  return go;
}

static void verify_end(authz_t *z, int probe, hg_code_t code) {
  pthread_mutex_lock(&z->mu);
  if (probe) z->probing = 0;
  if (code == HG_DEADLINE_EXCEEDED) z->stalled = 1;
  if (code == HG_OK) z->stalled = 0;
  pthread_mutex_unlock(&z->mu);
}

/* Verify on one auth-svc replica after another: Verify only reads, so a replica that is
 * UNAVAILABLE hands the question to the next (rpc_replicas_pick) until each was asked once.
 * A replica that never got the call is marked down; one that answered, up. The last
 * attempt's code, with st (and *out on HG_OK). */
static int verify_on_replicas(authz_t *z, const hangar_auth_v1_VerifyRequest *req,
                              const rpc_call_opts_t *opts, hg_status_t *st, void **out) {
  uint32_t tried = 0;
  int code = HG_UNAVAILABLE, i;
  *st = (hg_status_t){.code = HG_UNAVAILABLE, .message = "no auth-svc replica"};
  while (code == HG_UNAVAILABLE && (i = rpc_replicas_pick(z->replicas, tried)) >= 0) {
    tried |= 1u << i;
    code = rpc_call_sync(rpc_replicas_channel(z->replicas, (size_t)i), VERIFY_PATH,
                         RPC_NANOPB(hangar_auth_v1_VerifyRequest), req,
                         RPC_NANOPB(hangar_auth_v1_VerifyResponse), opts, st, out);
    if (rpc_call_never_ran(st))
      rpc_replicas_mark(z->replicas, (size_t)i, RPC_REPLICA_DOWN);
    else if (code != HG_UNAVAILABLE && code != HG_DEADLINE_EXCEEDED)
      rpc_replicas_mark(z->replicas, (size_t)i, RPC_REPLICA_UP);
  }
  return code;
}

/* Asks auth-svc. AUTHZ_OK with *resp (in a), AUTHZ_INVALID, or AUTHZ_UNAVAILABLE. */
static authz_result_t call_verify(authz_t *z, rpc_ctx_t *ctx, hg_str_t token, hg_arena_t *a,
                                  hangar_auth_v1_VerifyResponse **resp, char *detail,
                                  size_t detail_len) {
  hangar_auth_v1_VerifyRequest *req = hg_arena_alloc(a, sizeof(*req));
  if (!req) {
    set_detail(detail, detail_len, "out of memory");
    return AUTHZ_UNAVAILABLE;
  }
  memcpy(req->token, token.p, token.n);
  rpc_md_t md[3];
  rpc_call_opts_t opts = {.deadline_ms = z->deadline_ms, .arena = a};
  if (ctx) {
    md[0] = (rpc_md_t){"x-request-id", rpc_ctx_request_id(ctx)};
    md[1] = (rpc_md_t){"traceparent", rpc_ctx_traceparent(ctx)};
    opts.md = md;
    opts.n_md = 2;
    if (rpc_ctx_tracestate(ctx))
      md[opts.n_md++] = (rpc_md_t){"tracestate", rpc_ctx_tracestate(ctx)};
  }
  hg_status_t st;
  void *out = NULL;
  int probe;
  if (!verify_begin(z, &probe)) {
    set_detail(detail, detail_len, "auth service unavailable: not answering");
    return AUTHZ_UNAVAILABLE;
  }
  int code = verify_on_replicas(z, req, &opts, &st, &out);
  verify_end(z, probe, (hg_code_t)code);
  if (code != HG_OK) {
    char text[256];
    snprintf(text, sizeof(text), "auth service unavailable: %s",
             st.message ? st.message : hg_code_name(st.code));
    set_detail(detail, detail_len, text);
    return AUTHZ_UNAVAILABLE;
  }
  *resp = out;
  if ((*resp)->valid) return AUTHZ_OK;
  set_detail(detail, detail_len, (*resp)->error[0] ? (*resp)->error : "invalid token");
  return AUTHZ_INVALID;
}

/* Caches a valid answer until min(now + ttl, its expiry), then fills *out from it. */
static authz_result_t accept_answer(authz_t *z, const uint8_t *key, int64_t now,
                                    const hangar_auth_v1_VerifyResponse *r, hg_principal_t *out) {
  int64_t expires = now + z->ttl;
  if (r->expires_at > 0 && r->expires_at < expires) expires = r->expires_at;
  entry_t *e = entry_from(key, expires, r);
  if (!e) return AUTHZ_UNAVAILABLE;
  copy_out(e, out);
  if (expires > now)
    cache_put(z, e);
  else
    free(e);
  return AUTHZ_OK;
}

authz_result_t authz_token(authz_t *z, const char *token, hg_principal_t *out, char *detail,
                           size_t detail_len) {
  return authz_token_for(z, NULL, token, out, detail, detail_len);
}

authz_result_t authz_token_for(authz_t *z, rpc_ctx_t *ctx, const char *token, hg_principal_t *out,
                               char *detail, size_t detail_len) {
  hg_str_t t = hg_str_c(token);
  uint8_t key[SHA256_DIGEST_LENGTH];
  int64_t now = (int64_t)time(NULL);
  if (t.n == 0) {
    set_detail(detail, detail_len, "Authorization header required");
    return AUTHZ_MISSING;
  }
  if (t.n >= sizeof(((hangar_auth_v1_VerifyRequest *)0)->token)) {
    set_detail(detail, detail_len, "token too long");
    return AUTHZ_INVALID;
  }
  SHA256((const unsigned char *)t.p, t.n, key);
  if (cache_get(z, key, now, out)) return AUTHZ_OK;
  hg_arena_t *a = hg_arena_new();
  hangar_auth_v1_VerifyResponse *resp = NULL;
  authz_result_t rc = a ? call_verify(z, ctx, t, a, &resp, detail, detail_len) : AUTHZ_UNAVAILABLE;
  if (rc == AUTHZ_OK) rc = accept_answer(z, key, now, resp, out);
  if (rc == AUTHZ_UNAVAILABLE && !a) set_detail(detail, detail_len, "out of memory");
  hg_arena_free(a);
  return rc;
}

authz_result_t authz_parse_bearer(const char *authorization, hg_str_t *token) {
  static const char scheme[] = "Bearer ";
  if (!authorization || !*authorization) return AUTHZ_MISSING;
  if (strncasecmp(authorization, scheme, sizeof(scheme) - 1) != 0) return AUTHZ_NOT_BEARER;
  const char *p = authorization + sizeof(scheme) - 1;
  while (*p == ' ') p++;
  if (!*p) return AUTHZ_NOT_BEARER;
  *token = hg_str_c(p);
  return AUTHZ_OK;
}

authz_result_t authz_bearer(authz_t *z, const char *authorization, hg_principal_t *out,
                            char *detail, size_t detail_len) {
  hg_str_t token;
  authz_result_t rc = authz_parse_bearer(authorization, &token);
  if (rc == AUTHZ_MISSING) set_detail(detail, detail_len, "Authorization header required");
  if (rc == AUTHZ_NOT_BEARER) set_detail(detail, detail_len, "Bearer token required");
  return rc == AUTHZ_OK ? authz_token(z, token.p, out, detail, detail_len) : rc;
}

/* ---- lifetime ------------------------------------------------------------------------- */

static size_t pow2_at_least(size_t n) {
  size_t p = 16;
  while (p < n) p <<= 1;
  return p;
}

int authz_new(rpc_client_t *c, const char *target, const authz_opts_t *opts, authz_t **out) {
  authz_t *z = calloc(1, sizeof(*z));
  if (!z) return -1;
  z->ttl = opts && opts->ttl_seconds > 0 ? opts->ttl_seconds : DEFAULT_TTL;
  if (z->ttl > MAX_TTL) z->ttl = MAX_TTL;
  z->capacity = opts && opts->capacity > 0 ? opts->capacity : DEFAULT_CAPACITY;
  z->deadline_ms = opts && opts->deadline_ms > 0 ? opts->deadline_ms : DEFAULT_DEADLINE_MS;
  z->mask = pow2_at_least(z->capacity) - 1;
  z->buckets = calloc(z->mask + 1, sizeof(*z->buckets));
  z->lru.next = z->lru.prev = &z->lru;
  if (!z->buckets || rpc_replicas_new(c, "auth", target, &z->replicas) != 0 ||
      rpc_replicas_start_checks(z->replicas, CHECK_INTERVAL_MS, z->deadline_ms) != 0) {
    rpc_replicas_free(z->replicas);
    free(z->buckets);
    free(z);
    return -1;
  }
  pthread_mutex_init(&z->mu, NULL);
  *out = z;
  return 0;
}

void authz_free(authz_t *z) {
  if (!z) return;
  while (z->lru.next != &z->lru) remove_entry(z, z->lru.next);
  pthread_mutex_destroy(&z->mu);
  rpc_replicas_free(z->replicas);
  free(z->buckets);
  free(z);
}
