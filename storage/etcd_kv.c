/* etcd_kv.c - the KV service: Range, Put, DeleteRange, Txn and Compact (etcd_client.h).
 * Requests are built in the caller's arena from its etcd_op_t / etcd_txn_t, and answers are
 * read out of the decoded protobuf-c messages without copying: the slices point into them. */
#include <string.h>

#include "etcd/etcdserver/etcdserverpb/rpc.pb-c.h"
#include "storage/etcd_internal.h"

#define KV_RANGE "/etcdserverpb.KV/Range"
#define KV_PUT "/etcdserverpb.KV/Put"
#define KV_DELETE "/etcdserverpb.KV/DeleteRange"
#define KV_TXN "/etcdserverpb.KV/Txn"
#define KV_COMPACT "/etcdserverpb.KV/Compact"

/* etcd_client.h numbers its compare enums as rpc.proto does, so they convert by value. */
_Static_assert((int)ETCD_CMP_MOD == (int)ETCDSERVERPB__COMPARE__COMPARE_TARGET__MOD &&
                   (int)ETCD_CMP_VALUE == (int)ETCDSERVERPB__COMPARE__COMPARE_TARGET__VALUE &&
                   (int)ETCD_CMP_NOT_EQUAL == (int)ETCDSERVERPB__COMPARE__COMPARE_RESULT__NOT_EQUAL,
               "etcd_cmp_* must be numbered as etcd's Compare enums");

/* Where a compare's operand goes, by target. */
static const Etcdserverpb__Compare__TargetUnionCase CMP_CASE[] = {
    [ETCD_CMP_VERSION] = ETCDSERVERPB__COMPARE__TARGET_UNION_VERSION,
    [ETCD_CMP_CREATE] = ETCDSERVERPB__COMPARE__TARGET_UNION_CREATE_REVISION,
    [ETCD_CMP_MOD] = ETCDSERVERPB__COMPARE__TARGET_UNION_MOD_REVISION,
    [ETCD_CMP_VALUE] = ETCDSERVERPB__COMPARE__TARGET_UNION_VALUE,
};

static ProtobufCBinaryData bytes(hg_str_t s) {
  /* protobuf-c's pack only reads through data; the cast drops const for its struct. */
  return (ProtobufCBinaryData){s.n, (uint8_t *)(uintptr_t)s.p};
}

static hg_str_t str(ProtobufCBinaryData b) { return (hg_str_t){(const char *)b.data, b.len}; }

static int64_t header_revision(const Etcdserverpb__ResponseHeader *h) {
  return h ? h->revision : 0;
}

/* ---- requests ---------------------------------------------------------------------------- */

static void *range_request(const etcd_op_t *op, hg_arena_t *a) {
  Etcdserverpb__RangeRequest *r = hg_arena_alloc(a, sizeof *r);
  if (!r) return NULL;
  etcdserverpb__range_request__init(r);
  r->key = bytes(op->key);
  r->range_end = bytes(op->range_end);
  r->limit = op->limit;
  r->revision = op->revision;
  r->keys_only = (op->flags & ETCD_RANGE_KEYS_ONLY) != 0;
  r->count_only = (op->flags & ETCD_RANGE_COUNT_ONLY) != 0;
  if (op->flags & ETCD_RANGE_DESCEND) {
    r->sort_order = ETCDSERVERPB__RANGE_REQUEST__SORT_ORDER__DESCEND;
    r->sort_target = ETCDSERVERPB__RANGE_REQUEST__SORT_TARGET__KEY;
  }
  return r;
}

static void *put_request(const etcd_op_t *op, hg_arena_t *a) {
  Etcdserverpb__PutRequest *r = hg_arena_alloc(a, sizeof *r);
  if (!r) return NULL;
  etcdserverpb__put_request__init(r);
  r->key = bytes(op->key);
  r->value = bytes(op->value);
  r->lease = op->lease;
  return r;
}

static void *delete_request(const etcd_op_t *op, hg_arena_t *a) {
  Etcdserverpb__DeleteRangeRequest *r = hg_arena_alloc(a, sizeof *r);
  if (!r) return NULL;
  etcdserverpb__delete_range_request__init(r);
  r->key = bytes(op->key);
  r->range_end = bytes(op->range_end);
  return r;
}

/* Each op kind: how its request is built, its method and message types, whether it may be
 * repeated on another member, and where it sits in a txn's RequestOp. */
static const struct {
  void *(*build)(const etcd_op_t *op, hg_arena_t *a);
  const char *path;
  const ProtobufCMessageDescriptor *in, *out;
  etcd__repeat_t repeat;
  Etcdserverpb__RequestOp__RequestCase txn_case;
} OPS[] = {
    [ETCD_OP_RANGE] = {range_request, KV_RANGE, &etcdserverpb__range_request__descriptor,
                       &etcdserverpb__range_response__descriptor, ETCD__REPEATABLE,
                       ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_RANGE},
    [ETCD_OP_PUT] = {put_request, KV_PUT, &etcdserverpb__put_request__descriptor,
                     &etcdserverpb__put_response__descriptor, ETCD__ONCE,
                     ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_PUT},
    [ETCD_OP_DELETE] = {delete_request, KV_DELETE, &etcdserverpb__delete_range_request__descriptor,
                        &etcdserverpb__delete_range_response__descriptor, ETCD__ONCE,
                        ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_DELETE_RANGE},
};

static int op_valid(const etcd_op_t *op) {
  return op && (unsigned)op->kind < sizeof OPS / sizeof OPS[0] && op->key.n > 0 && op->key.p &&
         (op->range_end.p || op->range_end.n == 0) && (op->value.p || op->value.n == 0) &&
         op->limit >= 0 && op->revision >= 0;
}

/* ---- answers ----------------------------------------------------------------------------- */

static int range_result(const Etcdserverpb__RangeResponse *r, hg_arena_t *a, etcd_result_t *out) {
  etcd_kv_t *kvs = r->n_kvs ? hg_arena_alloc(a, r->n_kvs * sizeof *kvs) : NULL;
  if (r->n_kvs && !kvs) return ETCD_ENOMEM;
  for (size_t i = 0; i < r->n_kvs; i++) {
    const Mvccpb__KeyValue *kv = r->kvs[i];
    kvs[i] = (etcd_kv_t){str(kv->key),     str(kv->value), kv->create_revision,
                         kv->mod_revision, kv->version,    kv->lease};
  }
  *out = (etcd_result_t){.kind = ETCD_OP_RANGE,
                         .revision = header_revision(r->header),
                         .kvs = kvs,
                         .n_kvs = r->n_kvs,
                         .more = r->more,
                         .count = r->count};
  return 0;
}

/* The result of one answered op of kind k (resp: its *Response message). */
static int op_result(etcd_op_kind_t k, const void *resp, hg_arena_t *a, etcd_result_t *out) {
  if (k == ETCD_OP_RANGE) return range_result(resp, a, out);
  if (k == ETCD_OP_PUT) {
    const Etcdserverpb__PutResponse *r = resp;
    *out = (etcd_result_t){.kind = ETCD_OP_PUT, .revision = header_revision(r->header)};
    return 0;
  }
  const Etcdserverpb__DeleteRangeResponse *r = resp;
  *out = (etcd_result_t){
      .kind = ETCD_OP_DELETE, .revision = header_revision(r->header), .count = r->deleted};
  return 0;
}

int etcd_do(etcd_client_t *c, const etcd_op_t *op, hg_arena_t *arena, etcd_result_t *out,
            etcd_err_t *err) {
  if (!c || !arena || !out || !op_valid(op)) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  void *req = OPS[op->kind].build(op, arena);
  if (!req) return etcd__fail(err, ETCD_ENOMEM, HG_OK, NULL);
  void *resp = NULL;
  int rc = etcd__call(c, OPS[op->kind].path, OPS[op->kind].in, req, OPS[op->kind].out,
                      OPS[op->kind].repeat, arena, &resp, err);
  if (rc != 0) return rc;
  etcd_result_t res;
  if ((rc = op_result(op->kind, resp, arena, &res)) != 0) return etcd__fail(err, rc, HG_OK, NULL);
  *out = res;
  return 0;
}

int etcd_get(etcd_client_t *c, hg_str_t key, hg_arena_t *arena, etcd_kv_t *kv, int *found,
             int64_t *revision, etcd_err_t *err) {
  if (!kv || !found) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = key};
  etcd_result_t res;
  int rc = etcd_do(c, &op, arena, &res, err);
  if (rc != 0) return rc;
  *found = res.n_kvs > 0;
  if (res.n_kvs > 0) *kv = res.kvs[0];
  if (revision) *revision = res.revision;
  return 0;
}

int etcd_put(etcd_client_t *c, hg_str_t key, hg_str_t value, int64_t lease, int64_t *revision,
             etcd_err_t *err) {
  hg_arena_t *a = hg_arena_new();
  if (!a) return etcd__fail(err, ETCD_ENOMEM, HG_OK, NULL);
  etcd_op_t op = {.kind = ETCD_OP_PUT, .key = key, .value = value, .lease = lease};
  etcd_result_t res;
  int rc = etcd_do(c, &op, a, &res, err);
  if (rc == 0 && revision) *revision = res.revision;
  hg_arena_free(a);
  return rc;
}

int etcd_prefix_end(hg_str_t prefix, hg_arena_t *arena, hg_str_t *out) {
  size_t n = prefix.n;
  while (n > 0 && (unsigned char)prefix.p[n - 1] == 0xff) n--;
  char *end = hg_arena_alloc(arena, n > 0 ? n : 1);
  if (!end) return ETCD_ENOMEM;
  if (n == 0) {
    *out = (hg_str_t){end, 1}; /* "\0": every key */
    return 0;
  }
  memcpy(end, prefix.p, n);
  end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
  *out = (hg_str_t){end, n};
  return 0;
}

/* ---- transactions ------------------------------------------------------------------------ */

static Etcdserverpb__Compare *compare(const etcd_cmp_t *c, hg_arena_t *a) {
  if ((unsigned)c->target > ETCD_CMP_VALUE || (unsigned)c->op > ETCD_CMP_NOT_EQUAL || c->key.n == 0)
    return NULL;
  Etcdserverpb__Compare *m = hg_arena_alloc(a, sizeof *m);
  if (!m) return NULL;
  etcdserverpb__compare__init(m);
  m->key = bytes(c->key);
  m->target = (Etcdserverpb__Compare__CompareTarget)c->target;
  m->result = (Etcdserverpb__Compare__CompareResult)c->op;
  m->target_union_case = CMP_CASE[c->target];
  switch (c->target) {
    case ETCD_CMP_VERSION: m->version = c->number; break;
    case ETCD_CMP_CREATE: m->create_revision = c->number; break;
    case ETCD_CMP_MOD: m->mod_revision = c->number; break;
    case ETCD_CMP_VALUE: m->value = bytes(c->value); break;
  }
  return m;
}

/* ops[0..n) as RequestOps in *out. 0, ETCD_EINVAL or ETCD_ENOMEM. */
static int request_ops(const etcd_op_t *ops, size_t n, hg_arena_t *a,
                       Etcdserverpb__RequestOp ***out) {
  Etcdserverpb__RequestOp **v = n ? hg_arena_alloc(a, n * sizeof *v) : NULL;
  if (n && !v) return ETCD_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if (!op_valid(&ops[i])) return ETCD_EINVAL;
    Etcdserverpb__RequestOp *r = hg_arena_alloc(a, sizeof *r);
    void *inner = r ? OPS[ops[i].kind].build(&ops[i], a) : NULL;
    if (!inner) return ETCD_ENOMEM;
    etcdserverpb__request_op__init(r);
    r->request_case = OPS[ops[i].kind].txn_case;
    /* The union's members are all message pointers: one store sets whichever is active. */
    r->request_range = inner;
    v[i] = r;
  }
  *out = v;
  return 0;
}

static int txn_request(const etcd_txn_t *t, hg_arena_t *a, Etcdserverpb__TxnRequest *r) {
  etcdserverpb__txn_request__init(r);
  if ((t->n_cmps && !t->cmps) || (t->n_success && !t->success) || (t->n_failure && !t->failure))
    return ETCD_EINVAL;
  r->compare = t->n_cmps ? hg_arena_alloc(a, t->n_cmps * sizeof *r->compare) : NULL;
  if (t->n_cmps && !r->compare) return ETCD_ENOMEM;
  for (size_t i = 0; i < t->n_cmps; i++)
    if (!(r->compare[i] = compare(&t->cmps[i], a))) return ETCD_EINVAL;
  r->n_compare = t->n_cmps;
  int rc = request_ops(t->success, t->n_success, a, &r->success);
  if (rc == 0) rc = request_ops(t->failure, t->n_failure, a, &r->failure);
  r->n_success = t->n_success;
  r->n_failure = t->n_failure;
  return rc;
}

/* The op kind a ResponseOp answers, or -1 for one this client never sends (a nested txn). */
static int response_kind(const Etcdserverpb__ResponseOp *r) {
  switch (r->response_case) {
    case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_RANGE: return ETCD_OP_RANGE;
    case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_PUT: return ETCD_OP_PUT;
    case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_DELETE_RANGE: return ETCD_OP_DELETE;
    default: return -1;
  }
}

static int txn_result(const Etcdserverpb__TxnResponse *r, hg_arena_t *a, etcd_txn_result_t *out) {
  etcd_result_t *res = r->n_responses ? hg_arena_alloc(a, r->n_responses * sizeof *res) : NULL;
  if (r->n_responses && !res) return ETCD_ENOMEM;
  int64_t rev = header_revision(r->header);
  for (size_t i = 0; i < r->n_responses; i++) {
    int k = response_kind(r->responses[i]);
    if (k < 0) return ETCD_ESERVER;
    int rc = op_result((etcd_op_kind_t)k, r->responses[i]->response_range, a, &res[i]);
    if (rc != 0) return rc;
    res[i].revision = rev;
  }
  *out = (etcd_txn_result_t){r->succeeded, rev, res, r->n_responses};
  return 0;
}

int etcd_txn(etcd_client_t *c, const etcd_txn_t *txn, hg_arena_t *arena, etcd_txn_result_t *out,
             etcd_err_t *err) {
  if (!c || !txn || !arena || !out) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  Etcdserverpb__TxnRequest req;
  int rc = txn_request(txn, arena, &req);
  if (rc != 0) return etcd__fail(err, rc, HG_OK, NULL);
  void *resp = NULL;
  rc = etcd__call(c, KV_TXN, &etcdserverpb__txn_request__descriptor, &req,
                  &etcdserverpb__txn_response__descriptor, ETCD__ONCE, arena, &resp, err);
  if (rc != 0) return rc;
  etcd_txn_result_t res;
  if ((rc = txn_result(resp, arena, &res)) != 0) return etcd__fail(err, rc, HG_OK, NULL);
  *out = res;
  return 0;
}

int etcd_compact(etcd_client_t *c, int64_t revision, etcd_compact_mode_t mode, etcd_err_t *err) {
  if (!c || revision <= 0) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  hg_arena_t *a = hg_arena_new();
  if (!a) return etcd__fail(err, ETCD_ENOMEM, HG_OK, NULL);
  Etcdserverpb__CompactionRequest req = ETCDSERVERPB__COMPACTION_REQUEST__INIT;
  req.revision = revision;
  req.physical = mode == ETCD_COMPACT_PHYSICAL;
  void *resp = NULL;
  int rc = etcd__call(c, KV_COMPACT, &etcdserverpb__compaction_request__descriptor, &req,
                      &etcdserverpb__compaction_response__descriptor, ETCD__ONCE, a, &resp, err);
  hg_arena_free(a);
  return rc;
}
