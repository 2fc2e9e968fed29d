/* admission.c - before the gateway refuses a request it cannot transcode, the service says
 * whether the caller may make the call at all.
 *
 * A body that does not parse, a query or path parameter that does not bind: the gateway
 * finds these before any service sees the call. Behind every
 * framework these APIs copy (gin middleware, FastAPI security dependencies, Konnect's auth
 * layer) authentication and authorization run first, so a caller without a token hears
 * 401, a viewer 403 and another org 404, whatever the body says. Only the service knows
 * its admission rule, so the gateway asks it (hangar.rpc.v1.Admission/Admit) with the
 * route's request message holding what could be bound: the path parameters that decode.
 * A refusal (a 4xx) is answered in the route's dialect as the service's own answer would
 * be; when the service admits the caller, or cannot say (unavailable, too slow, a service
 * without Admission), the gateway's own refusal stands. */
#include <string.h>

#include "gateway/gateway_internal.h"
#include "hangar/rpc/v1/admission.pb-c.h"
#include "google/protobuf/empty.pb-c.h"
#include "json/transcode.h"
#include "gateway/uri.h"

#define ADMIT_PATH "/hangar.rpc.v1.Admission/Admit"

/* Runs on the exchange's loop once Admit has answered. CANCELLED is no refusal either: the
 * gateway's client cancels what is in flight when it stops (its HTTP code, 499, is a 4xx). */
static void decide(gw_exchange_t *ex) {
  const gw_dialect_t *d = ex->binding->dialect;
  if (ex->st.code == HG_OK || ex->st.code == HG_CANCELLED ||
      gw_dialect_http(d, ex->st.code) >= 500) {
    gw_reply_status(ex, d, ex->refusal);
    return;
  }
  gw_reply_upstream(ex, d, &ex->st);
}

/* rpc client thread: record the outcome, hand the exchange back; no more touching. */
static void on_admitted(void *arg, const hg_status_t *st, void *resp) {
  gw_exchange_t *ex = arg;
  (void)resp; /* google.protobuf.Empty */
  ex->st = *st;
  gw_exchange_wake(ex);
}

/* The route's request message with only the path parameters that decode and bind (those
 * that do not stay unset), packed into *out. 0, or -1 when the arena runs out. */
static int pack_path_only(gw_exchange_t *ex, ProtobufCBinaryData *out) {
  const gw_match_t *m = &ex->match;
  ProtobufCMessage *msg = tc_message_new(ex->binding->in.desc, ex->arena);
  if (!msg) return -1;
  for (size_t i = 0; i < m->n_params; i++) {
    const gw_param_t *p = &m->params[i];
    tc_error_t err;
    memset(&err, 0, sizeof(err));
    if (p->err == GW_URI_OK &&
        tc_set_field_text(msg, p->name, p->value, p->n, ex->arena, &err) == TC_ENOMEM)
      return -1;
  }
  out->len = protobuf_c_message_get_packed_size(msg);
  if (!(out->data = hg_arena_alloc(ex->arena, out->len ? out->len : 1))) return -1;
  protobuf_c_message_pack(msg, out->data);
  return 0;
}

/* Starts Admit for ex; 0 when decide() will run, -1 when it will not. */
static int ask(gw_exchange_t *ex, const rpc_md_t *md, size_t n_md) {
  const gw_binding_t *b = ex->binding;
  Hangar__Rpc__V1__AdmitRequest req = HANGAR__RPC__V1__ADMIT_REQUEST__INIT;
  req.method = (char *)b->rpc_path;
  int replica = b->replicas ? rpc_replicas_pick(b->replicas, 0) : -1;
  if (replica < 0 || pack_path_only(ex, &req.request) != 0 || gw_exchange_arm(ex, decide) != 0)
    return -1;
  rpc_call_opts_t o = gw_call_opts(ex, md, n_md);
  return rpc_call(rpc_replicas_channel(b->replicas, (size_t)replica), ADMIT_PATH,
                  RPC_PBC(&hangar__rpc__v1__admit_request__descriptor), &req,
                  RPC_PBC(&google__protobuf__empty__descriptor), &o, on_admitted, ex);
}

void gw_admit_or_refuse(gw_exchange_t *ex, gw_error_t *e, const rpc_md_t *md, size_t n_md) {
  const gw_dialect_t *d = ex->binding->dialect;
  /* Only a client error is the request's fault; an allocation failure is answered as is. */
  if (gw_dialect_error_http(d, e) >= 500 ||
      !(ex->refusal = hg_arena_alloc(ex->arena, sizeof(*ex->refusal)))) {
    gw_reply_status(ex, d, e);
    return;
  }
  *ex->refusal = *e; /* the call below answers after this frame is gone */
  if (ask(ex, md, n_md) != 0) gw_reply_status(ex, d, ex->refusal);
}
