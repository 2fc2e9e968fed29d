/* rpc_admission.c - hangar.rpc.v1.Admission/Admit on every server: a method's admission
 * step, run alone.
 *
 * The gateway refuses some requests before any service sees them (a body that does not
 * transcode, a bad query or path parameter). A caller who may not make the call at all
 * must hear that first, and only the service knows its admission rule, so the gateway asks
 * here with what it could bind. This handler looks the method up, decodes the request as
 * that method's input and runs the binding's admit function, which answers the call itself
 * when it refuses. The method's handler is never reached from here: nothing but admit runs,
 * and admit functions only read. On the gRPC path the server runs the same admit function
 * before the handler (rpc_ctx.c), so both paths admit exactly the same callers. */
#include "rpc/rpc_internal.h"
#include "google/protobuf/empty.pb-c.h"
#include "hangar/rpc/v1/admission.pb-c.h"

static void admit(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Rpc__V1__AdmitRequest *req = msg;
  const rpc__method_t *m = rpc__server_method(rpc__ctx_server(ctx), req->method);
  Google__Protobuf__Empty ok = GOOGLE__PROTOBUF__EMPTY__INIT;
  void *target = NULL;
  if (!m) {
    const char *text = hg_arena_sprintf(rpc_ctx_arena(ctx), "unknown method %s", req->method);
    rpc_fail_code(ctx, HG_UNIMPLEMENTED, text ? text : "unknown method");
    return;
  }
  if (m->admit == rpc_admit_public) {
    rpc_reply(ctx, &ok);
    return;
  }
  int rc =
      rpc_codec_decode(&m->in, req->request.data, req->request.len, rpc_ctx_arena(ctx), &target);
  if (rc != 0) {
    rpc_fail_code(ctx, HG_INVALID_ARGUMENT, rpc__decode_failure(rc));
    return;
  }
  if (m->admit(ctx, target) == 0) rpc_reply(ctx, &ok);
}

int rpc_admit_public(rpc_ctx_t *ctx, const void *req) {
  (void)ctx;
  (void)req;
  return 0;
}

int rpc__admission_register(rpc_server_t *s) {
  static const rpc_binding_t bindings[] = {{"Admit", admit, rpc_admit_public}};
  if (rpc_server_add_service(s, &hangar__rpc__v1__admission__descriptor, bindings, 1) != 0)
    return -1;
  return rpc__server_set_lane(s, &hangar__rpc__v1__admission__descriptor, RPC__LANE_ADMISSION);
}
