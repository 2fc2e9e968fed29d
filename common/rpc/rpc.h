/* rpc.h - the one bridge between Hangar and the gRPC core C API.
 *
 * Server: a service is registered whole from its protobuf-c ServiceDescriptor; each method is
 * bound by name to a plain handler `void fn(rpc_ctx_t *ctx, const void *req)` that answers
 * through the context with rpc_reply() or rpc_fail(), now or later, from any thread.
 * Every server also serves grpc.health.v1.Health/Check and answers UNIMPLEMENTED to unknown
 * methods (a catch-all slot; registered methods alone would let such calls hang). A method
 * may instead be streaming (rpc_server_add_stream: messages in and out one by one), which
 * is how a server serves grpc.reflection (rpc_server_add_reflection).
 *
 * Admission: every binding names an admit function, the method's one rule for who may call
 * it (authentication, role, the scope a path names). The server runs it on the decoded
 * request before the handler, and runs the handler only when it admits, so a handler never
 * checks its caller itself. Every server also serves hangar.rpc.v1.Admission/Admit
 * (proto/hangar/rpc/v1/admission.proto), which runs only a method's admit function on a
 * request, never its handler, so the gateway can ask "may this caller make this call?"
 * about a request it cannot transcode. A binding without an admit function is refused at
 * registration; the few methods any caller may call name rpc_admit_public instead.
 *
 * Client: rpc_call() is asynchronous; its callback runs exactly once on the client's
 * completion-queue thread (if rpc_call returns nonzero, it never runs). rpc_call_sync()
 * blocks the calling thread and is meant for short calls off the hot path and tests.
 *
 * Codecs: protobuf-c by default; a method binding may name another codec (nanopb for
 * hangar.auth.v1.TokenVerifier/Verify), so both runtimes pass through this one bridge.
 *
 * Errors travel as hg_status_t: code + message + google.rpc.Status details
 * (ErrorInfo.reason/metadata["details"], BadRequest.field_violations) in
 * grpc-status-details-bin.
 *
 * Threads: rpc_server_* setup calls from one thread before rpc_server_start(); rpc_reply and
 * rpc_fail from any thread, exactly once per context; rpc_call from any thread. */
#ifndef HANGAR_RPC_H
#define HANGAR_RPC_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/status.h"

/* ---- codecs ---------------------------------------------------------------------------- */

typedef enum { RPC_CODEC_PROTOBUF_C = 0, RPC_CODEC_NANOPB = 1 } rpc_codec_kind_t;

typedef struct rpc_codec {
  rpc_codec_kind_t kind;
  const void *desc;   /* ProtobufCMessageDescriptor*, or pb_msgdesc_t* for nanopb */
  size_t struct_size; /* nanopb only: sizeof the generated struct */
} rpc_codec_t;

#define RPC_PBC(d) (&(const rpc_codec_t){RPC_CODEC_PROTOBUF_C, (d), 0})
/* nanopb: RPC_NANOPB(hangar_auth_v1_VerifyRequest) */
#define RPC_NANOPB(T) (&(const rpc_codec_t){RPC_CODEC_NANOPB, T##_fields, sizeof(T)})

/* Decoding fails with one of these. */
#define RPC_DECODE_MALFORMED (-1)
#define RPC_DECODE_TOO_DEEP (-2)
#define RPC_DECODE_BAD_UTF8 (-3)
/* The deepest nesting of messages a decode accepts, on every path that decodes (a server's
 * requests, Admission/Admit's inner request, a client's replies): above the 3 x 64 + 8
 * levels a 64-deep JSON body transcodes to (each JSON object level is a Struct, a map entry
 * and a Value), far below what would exhaust a thread's stack. */
#define RPC_MAX_DEPTH 200
/* The largest request a server receives: the gateway's body limit. A bigger one is
 * answered RESOURCE_EXHAUSTED by gRPC itself. A unix-socket server's socket is mode 0660. */
#define RPC_MAX_REQUEST_BYTES (1024 * 1024)

/* Decode p[0..n) into a message allocated in `a`. 0, RPC_DECODE_TOO_DEEP (a protobuf-c
 * message nesting deeper than RPC_MAX_DEPTH, refused before unpacking),
 * RPC_DECODE_BAD_UTF8 (a string field, map key or Struct key that is not UTF-8) or
 * RPC_DECODE_MALFORMED.
 * nanopb messages must be fully bounded (max_size/max_count on every string, bytes and
 * repeated field): a message type with pointer (malloc'd) fields is refused with -1, since
 * an arena cannot release them. */
int rpc_codec_decode(const rpc_codec_t *c, const uint8_t *p, size_t n, hg_arena_t *a, void **out);
/* Append the encoding of msg to out. 0 or -1 (out unchanged; a protobuf-c msg whose
 * descriptor is not c->desc is refused). */
int rpc_codec_encode(const rpc_codec_t *c, const void *msg, hg_buf_t *out);

/* ---- server ---------------------------------------------------------------------------- */

typedef struct rpc_server rpc_server_t;
typedef struct rpc_ctx rpc_ctx_t;
typedef void (*rpc_handler_fn)(rpc_ctx_t *ctx, const void *req);
/* Admission of one call, run on a CQ thread just before the handler with the same ctx and
 * req: 0 = admitted, and ctx must not have been answered; nonzero = ctx has been answered
 * (rpc_fail: UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND ...) and the handler does not
 * run. It may read (a store, the token verifier) but never writes, and it must not depend
 * on rpc_ctx_method(): under Admission/Admit that names Admit. It may leave what it learnt
 * (the principal, the org) in rpc_ctx_set_user() for its handler. */
typedef int (*rpc_admit_fn)(rpc_ctx_t *ctx, const void *req);

/* The admit function of a public method: admits every caller. Naming it is the explicit
 * mark that a method needs no credentials; only grpc.health.v1.Health/Check,
 * hangar.rpc.v1.Admission/Admit (both built in), grpc.reflection's ServerReflectionInfo
 * (rpc_server_add_reflection) and hangar.auth.v1.TokenVerifier/Verify (the services' own
 * token check) carry it. Admission/Admit answers OK for such a method
 * without decoding the request. */
int rpc_admit_public(rpc_ctx_t *ctx, const void *req);

typedef struct rpc_binding {
  const char *method; /* method name as in the .proto, e.g. "CreateResource" */
  rpc_handler_fn fn;
  rpc_admit_fn admit; /* required: the method's admission, or rpc_admit_public */
} rpc_binding_t;

typedef struct rpc_server_opts {
  int cq_threads;              /* completion-queue threads running handlers; default 1 */
  int64_t default_deadline_ms; /* applied when the client sent none; default 30000 */
  int max_in_flight_per_key;   /* rpc_ctx_in_flight_or_fail's bound; default 32 */
} rpc_server_opts_t;

/* New server listening on `addr` ("127.0.0.1:0", "host:port" or "unix:/abs/path").
 * opts may be NULL. On success *out owns the server; free with rpc_server_destroy().
 * If addr's port is 0 the bound port is available from rpc_server_port() (0 for unix:).
 * Like every int-returning setup call here: 0, or -1 with nothing changed. */
int rpc_server_new(const char *addr, const rpc_server_opts_t *opts, rpc_server_t **out);
int rpc_server_port(const rpc_server_t *s);

/* Bind every method of a protobuf-c service. Each service method must have a binding;
 * bindings are matched by name. Before rpc_server_start() only. Strict: a missing or
 * unknown binding name, a binding without an admit function, or a method path already
 * bound, is -1 and registers nothing. */
int rpc_server_add_service(rpc_server_t *s, const ProtobufCServiceDescriptor *svc,
                           const rpc_binding_t *bindings, size_t n_bindings);
/* Bind one method by full path ("/pkg.Service/Method") with explicit codecs. admit is
 * required as in a binding (rpc_admit_public for a public method); NULL is -1. */
int rpc_server_add_method(rpc_server_t *s, const char *path, rpc_handler_fn fn, rpc_admit_fn admit,
                          const rpc_codec_t *in, const rpc_codec_t *out);

/* Service state handed to every handler via rpc_ctx_server_data(); borrowed. Before start. */
void rpc_server_set_data(rpc_server_t *s, void *data);

/* Whether the service can do its work: 1 serving, 0 not (e.g. its store is full). Called
 * on a completion-queue thread for every health check, so it must be quick. */
typedef int (*rpc_health_fn)(void *arg);
/* grpc.health.v1.Health/Check answers NOT_SERVING while fn(arg) returns 0; without it, a
 * server that answers is SERVING. arg borrowed. Before start (or before any check). */
void rpc_server_set_health(rpc_server_t *s, rpc_health_fn fn, void *arg);

/* The server's Prometheus families, as a prom_collect_fn (common/prom.h) whose arg is the
 * rpc_server_t: grpc_server_started_total, grpc_server_handled_total (by grpc_code) and
 * grpc_server_handling_seconds, labelled as go-grpc-prometheus labels them, for every call
 * the server answered (refusals by admission and UNIMPLEMENTED included). Any thread
 * while the server exists; it reads relaxed counters and never blocks a call. */
int rpc_server_metrics(void *server, hg_buf_t *out);

/* Starts the completion-queue threads. */
int rpc_server_start(rpc_server_t *s);
/* Graceful: stops accepting, waits for in-flight handlers to reply (up to grace_ms, then
 * cancels them), joins threads, frees everything. Safe after a failed start.
 * Even after cancelling it waits until every context it handed out has been answered
 * (rpc_reply/rpc_fail on a cancelled call returns at once), so threads that hold contexts
 * (e.g. a storage writer) must keep running until this returns. Not from a CQ thread. */
void rpc_server_destroy(rpc_server_t *s, int64_t grace_ms);

/* ---- streaming calls (server side) ----------------------------------------------------- *
 *
 * A streaming method (client-, server- or bidirectional streaming: the layer is the same)
 * gets the same rpc_ctx_t as a unary one, and its handler is told about the call's events:
 *   on_message     one request message, decoded with the same limits as a unary request
 *                  (RPC_MAX_REQUEST_BYTES, RPC_MAX_DEPTH, UTF-8) and admitted by the
 *                  method's admit function, which runs on every message (a refusal ends
 *                  the stream with its status). Messages arrive one at a time, in order;
 *                  the next is read only after on_message returns. A message that does not
 *                  decode ends the stream INVALID_ARGUMENT.
 *   on_half_close  the client will send nothing more. NULL: finish OK at once (what a
 *                  request/response dialogue wants); a server-streaming method that keeps
 *                  sending after its one request sets a function that does nothing.
 *   on_done        exactly once, last: the stream is over, finished by the handler or
 *                  cancelled (cancelled = 1: the client went away, its deadline passed, or
 *                  the server cancelled it). No other callback runs at the same time or
 *                  after it, and ctx is freed when it returns, so a thread that sends on
 *                  the stream must have stopped by then (on_done is where it learns). NULL:
 *                  nothing to release.
 * Callbacks run on a completion-queue thread, like unary handlers, and must not block.
 * rpc_stream_send and rpc_stream_finish may be called from any thread until on_done.
 * Within on_message (and the admit function before it) rpc_ctx_arena is that message's own
 * arena, released when on_message returns, and rpc_ctx_user is what admit left for it; a
 * stream's own state lives in rpc_stream_set_state(). rpc_fail() on a stream is
 * rpc_stream_finish() with that status, and rpc_reply() sends its message and finishes OK.
 * An open stream counts as one call in flight (rpc_ctx_in_flight_or_fail) until it ends.
 * rpc_server_destroy() finishes every open stream UNAVAILABLE at once (a stream has no
 * natural end to wait for), then waits as for unary calls. */
/* What a streaming method streams, for its grpc_type label in the metrics (go-grpc-prometheus's
 * names). protobuf-c's descriptors do not say, so the handler does; zero is server-streaming,
 * as every Watch is. */
typedef enum { RPC_SERVER_STREAM = 0, RPC_CLIENT_STREAM, RPC_BIDI_STREAM } rpc_stream_kind_t;

typedef struct rpc_stream_handler {
  void (*on_message)(rpc_ctx_t *ctx, const void *req); /* required */
  void (*on_half_close)(rpc_ctx_t *ctx);
  void (*on_done)(rpc_ctx_t *ctx, int cancelled);
  rpc_stream_kind_t kind;
} rpc_stream_handler_t;

/* Bind a streaming method by full path, as rpc_server_add_method (h is copied; admit is
 * required). Before rpc_server_start(). 0 or -1 with nothing changed. */
int rpc_server_add_stream(rpc_server_t *s, const char *path, const rpc_stream_handler_t *h,
                          rpc_admit_fn admit, const rpc_codec_t *in, const rpc_codec_t *out);

/* A streaming method of a service (protobuf-c's descriptors do not say which methods
 * stream: the binding does). */
typedef struct rpc_stream_binding {
  const char *method; /* as in the .proto, e.g. "WatchResources" */
  const rpc_stream_handler_t *handler;
  rpc_admit_fn admit; /* required, as in rpc_binding_t */
} rpc_stream_binding_t;

/* rpc_server_add_service for a service with streaming methods: each method has exactly one
 * binding, in bindings (unary) or in streams. Strict in the same ways; 0 or -1 with
 * nothing registered. */
int rpc_server_add_service_streams(rpc_server_t *s, const ProtobufCServiceDescriptor *svc,
                                   const rpc_binding_t *bindings, size_t n_bindings,
                                   const rpc_stream_binding_t *streams, size_t n_streams);

/* rpc_stream_send's failures. */
#define RPC_STREAM_CLOSED (-1)      /* finished or cancelled: nothing more goes out */
#define RPC_STREAM_FULL (-2)        /* RPC_STREAM_MAX_QUEUED_BYTES wait unsent (or no memory) */
#define RPC_STREAM_BAD_MESSAGE (-3) /* msg does not encode with the method's output codec */
/* What may wait unsent on one stream: a client that stops reading makes the sender see
 * RPC_STREAM_FULL (and decide: finish RESOURCE_EXHAUSTED, drop, or wait) instead of the
 * server buffering without bound. A single larger message is accepted on an empty queue. */
#define RPC_STREAM_MAX_QUEUED_BYTES (4 * 1024 * 1024)

/* Queues msg (encoded now: borrowed for the call only) to be sent after those before it.
 * 0, or one of RPC_STREAM_* with nothing queued. */
int rpc_stream_send(rpc_ctx_t *ctx, const void *msg);
/* Ends the stream once every queued message is sent: st NULL (or HG_OK) is OK, anything
 * else as rpc_fail. Later calls, and calls after a cancellation, do nothing. */
void rpc_stream_finish(rpc_ctx_t *ctx, const hg_status_t *st);
/* The handler's own per-stream pointer (NULL at first); release what it points to in
 * on_done. */
void rpc_stream_set_state(rpc_ctx_t *ctx, void *state);
void *rpc_stream_state(rpc_ctx_t *ctx);

/* ---- reflection ------------------------------------------------------------------------ */

/* A FileDescriptorSet's bytes (protoc --descriptor_set_out --include_imports; several sets
 * concatenated are one set), as proto/CMakeLists.txt embeds them in every service. */
typedef struct rpc_descriptor_set {
  const uint8_t *bytes;
  size_t len;
} rpc_descriptor_set_t;

/* Serves grpc.reflection.v1.ServerReflection and grpc.reflection.v1alpha.ServerReflection
 * (public, like health) from set, which must outlive the server: list_services names every
 * service the server has bound; file_by_filename, file_containing_symbol and
 * file_containing_extension answer the file with its transitive imports;
 * all_extension_numbers_of_type the extension numbers a message type has in the set; what
 * the set does not hold, or a request naming nothing, an error_response (NOT_FOUND,
 * INVALID_ARGUMENT) on the open stream. Before start. 0; -1 with nothing changed when the
 * set does not parse, reflection is already served, or the server has started; -1 after
 * running out of memory, when the server is to be destroyed. */
int rpc_server_add_reflection(rpc_server_t *s, const rpc_descriptor_set_t *set);

/* Context accessors; valid until rpc_reply/rpc_fail. */
hg_arena_t *rpc_ctx_arena(rpc_ctx_t *ctx);
/* Value of a request metadata key (lowercase), NUL-terminated arena copy; NULL if absent. */
const char *rpc_ctx_metadata(rpc_ctx_t *ctx, const char *key);
/* x-request-id from metadata, or one minted for this call. Never NULL. */
const char *rpc_ctx_request_id(rpc_ctx_t *ctx);
/* Milliseconds left until the call's deadline (default applied); <= 0 when expired. */
int64_t rpc_ctx_remaining_ms(rpc_ctx_t *ctx);
/* Full method path, e.g. "/hangar.resources.v1.KtrlPlane/GetResource". */
const char *rpc_ctx_method(rpc_ctx_t *ctx);
/* The pointer given to rpc_server_set_data(). */
void *rpc_ctx_server_data(rpc_ctx_t *ctx);
/* Counts the call against key (the authenticated caller) until it is answered. When key
 * already has the server's max_in_flight_per_key calls in flight, answers the call
 * RESOURCE_EXHAUSTED (reason TOO_MANY_IN_FLIGHT: the gateway's 429 with Retry-After) and
 * returns nonzero: the caller returns. Later calls for the same ctx count nothing. */
int rpc_ctx_in_flight_or_fail(rpc_ctx_t *ctx, const char *key);
/* The call's request id and trace id, for hg_log_in() lines about it. The trace is the
 * caller's when its "traceparent" metadata is valid (common/trace.h), else one started for
 * this call. */
const hg_log_ctx_t *rpc_ctx_log(rpc_ctx_t *ctx);
/* "00-<trace id>-<this call's span id>-<flags>": the traceparent of calls made on behalf of
 * this one, so that the callee's lines join its trace. */
const char *rpc_ctx_traceparent(rpc_ctx_t *ctx);
/* The caller's tracestate, checked and in its plain form, when it came with a valid
 * traceparent; NULL otherwise. Calls made on behalf of this one pass it on. */
const char *rpc_ctx_tracestate(rpc_ctx_t *ctx);
/* Records who the caller is once admission has authenticated it (copied into the arena):
 * the per-call log line names it, and the reply carries it to the caller as RPC_SUBJECT_MD
 * metadata (the gateway's access line names it too). Never a token. */
void rpc_ctx_set_subject(rpc_ctx_t *ctx, const char *subject);
/* Opaque slot for the handler (e.g. the authenticated principal). */
void rpc_ctx_set_user(rpc_ctx_t *ctx, void *user);
void *rpc_ctx_user(rpc_ctx_t *ctx);

/* The initial metadata key of every answer to an authenticated call: the caller's subject
 * (binary metadata, so that any subject travels). */
#define RPC_SUBJECT_MD "hangar-subject-bin"
/* An answer's store version (a list's snapshot: where a watch of it starts); the gateway
 * answers it as the X-Resource-Version header. */
#define RPC_RESOURCE_VERSION_MD "x-resource-version"
/* One more initial metadata entry for ctx's answer (key lowercase; both copied); a later
 * call replaces it, NULL removes it. Before rpc_reply, from the thread answering. */
void rpc_ctx_set_answer_md(rpc_ctx_t *ctx, const char *key, const char *value);

/* Each answer is logged once, as the call's per-call line (hg_log_call: route = method path,
 * status = gRPC code, latency, subject): at debug, at warn for UNKNOWN, INTERNAL and
 * DATA_LOSS (faults of the server, not of the request). */
/* Answer OK with resp (encoded with the method's output codec; borrowed for the call).
 * Releases ctx. Any thread, exactly once per ctx (with rpc_fail). On a stream, see above. */
void rpc_reply(rpc_ctx_t *ctx, const void *resp);
/* Answer OK with p[0..n), the response already encoded as the method's output message: for
 * replies assembled from stored wire bytes, which need no unpacking and repacking. Takes p,
 * a malloc'd buffer (or NULL when n is 0), which is sent as it is and free()d once gRPC is
 * done with it. Releases ctx, like rpc_reply. */
void rpc_reply_encoded(rpc_ctx_t *ctx, void *p, size_t n);
/* Answer with st (code must not be HG_OK); strings borrowed for the call. Releases ctx. */
void rpc_fail(rpc_ctx_t *ctx, const hg_status_t *st);
/* Convenience: rpc_fail with just a code and message. */
void rpc_fail_code(rpc_ctx_t *ctx, hg_code_t code, const char *message);

/* ---- client ---------------------------------------------------------------------------- */

typedef struct rpc_client rpc_client_t;   /* a completion queue and its polling thread */
typedef struct rpc_channel rpc_channel_t; /* one target ("127.0.0.1:port" or "unix:/path") */

int rpc_client_new(rpc_client_t **out);
/* Cancels calls in flight (their callbacks run with CANCELLED; rpc_call_sync callers get
 * CANCELLED too), joins the thread, frees. Not from a callback. */
void rpc_client_destroy(rpc_client_t *c);

/* Channels belong to their client and are freed with it. */
int rpc_channel_new(rpc_client_t *c, const char *target, rpc_channel_t **out);

typedef struct rpc_md {
  const char *key; /* lowercase */
  const char *value;
} rpc_md_t;

typedef struct rpc_call_opts {
  int64_t deadline_ms; /* relative; 0 = default 30000 */
  const rpc_md_t *md;  /* request metadata, borrowed for the duration of rpc_call() */
  size_t n_md;
  hg_arena_t *arena; /* where the response and status strings are allocated (required);
                          * used by the CQ thread until the callback has run */
  int encoded_reply; /* 1: the response is handed over as its bytes (an rpc_encoded_t),
                       * not decoded: for a caller that transcodes them itself and decodes
                       * (rpc_codec_decode, with its guards) only when it must */
  /* Optional answer metadata to read: the caller sets each key; the call sets each value to
   * an arena copy of the server's value for it (initial or trailing metadata, binary ones
   * decoded) before done runs, or to NULL (not sent, or the call failed or never started).
   * Borrowed until done has run (sync: returned). */
  rpc_md_t *reply_md;
  size_t n_reply_md;
} rpc_call_opts_t;

/* A response as it arrived: its protobuf bytes, in the call's arena. */
typedef struct rpc_encoded {
  const uint8_t *p;
  size_t n;
} rpc_encoded_t;

/* st->code == HG_OK: resp is the decoded response, or with encoded_reply an rpc_encoded_t
 * (in opts->arena). Otherwise resp is NULL and st describes the failure (strings in
 * opts->arena). Runs on the client's CQ thread. */
typedef void (*rpc_done_fn)(void *arg, const hg_status_t *st, void *resp);

/* Starts a unary call to method path "/pkg.Service/Method". 0: done runs exactly once.
 * Nonzero: done never runs. */
int rpc_call(rpc_channel_t *ch, const char *path, const rpc_codec_t *in, const void *req,
             const rpc_codec_t *out, const rpc_call_opts_t *opts, rpc_done_fn done, void *arg);

/* Blocking unary call on the calling thread (its own pluck queue). Returns st->code; on
 * HG_OK *resp is set (in opts->arena). A call that cannot start (bad arguments, client
 * closing) returns HG_INTERNAL (HG_INVALID_ARGUMENT without ch or st). */
int rpc_call_sync(rpc_channel_t *ch, const char *path, const rpc_codec_t *in, const void *req,
                  const rpc_codec_t *out, const rpc_call_opts_t *opts, hg_status_t *st,
                  void **resp);

/* ---- streaming calls (client side) ------------------------------------------------------ *
 *
 * A server-streaming call: one request, then the server's messages one at a time, then its
 * status. After each message the next is read only when the caller asks
 * (rpc_client_stream_next): a consumer slower than the server holds the server back through
 * HTTP/2 flow control instead of this layer buffering without bound.
 *   on_message  one message's bytes (borrowed for the call; decode with rpc_codec_decode),
 *               on the client's CQ thread.
 *   on_end      exactly once, last: the server's status (HG_OK when it finished), or
 *               HG_CANCELLED after rpc_client_stream_cancel, or HG_UNAVAILABLE when the
 *               transport failed; st's strings live until it returns. The stream is freed
 *               when it returns. It runs on the CQ thread, or within rpc_client_stream_next
 *               or _cancel when nothing was in flight. Messages the server sent before its
 *               status are all delivered first, unless the caller cancelled. */
typedef struct rpc_client_stream rpc_client_stream_t;
typedef struct rpc_client_stream_cbs {
  void (*on_message)(void *arg, const uint8_t *p, size_t n);
  void (*on_end)(void *arg, const hg_status_t *st);
} rpc_client_stream_cbs_t;

/* Opens a server-streaming call of method path with request req (encoded now). opts: md as
 * for rpc_call, deadline_ms 0 for none (a stream may live for hours), arena and reply_md
 * not used. cbs is copied. 0: the first message is being read and on_end will run exactly
 * once; *out is valid until on_end has run. Nonzero: nothing started, no callback. */
int rpc_client_stream_open(rpc_channel_t *ch, const char *path, const rpc_codec_t *in,
                           const void *req, const rpc_codec_t *out, const rpc_call_opts_t *opts,
                           const rpc_client_stream_cbs_t *cbs, void *arg,
                           rpc_client_stream_t **out_stream);
/* Reads the next message (after on_message). Any thread; nothing once the stream is over. */
void rpc_client_stream_next(rpc_client_stream_t *s);
/* Cancels the call: no message is delivered after it returns (one being delivered may
 * still finish), and on_end follows with HG_CANCELLED. Any thread, at most once. */
void rpc_client_stream_cancel(rpc_client_stream_t *s);

/* grpc.health.v1.Health/Check, blocking: 0 when SERVING, else -1. */
int rpc_health_check_sync(rpc_channel_t *ch, int64_t deadline_ms);

/* ---- replicas (rpc_replicas.c) ---------------------------------------------------------- *
 *
 * One upstream served by several processes: a comma list of targets ("unix:/a,unix:/b"),
 * one channel per replica, round-robin over the replicas that are up. A replica is down
 * once its health check (grpc.health.v1 Check, from a thread of the set, off every request
 * path) fails or once a call to it failed before it ran (rpc_call_never_ran); it is up again
 * when a check answers SERVING or a call is answered. With one target there is nothing to
 * choose between, so no check runs and every call goes to it, as with a plain channel.
 * Threads: any thread may pick, mark and read; new, start_checks and free from one
 * controlling thread. */

#define RPC_REPLICAS_MAX 16

typedef struct rpc_replicas rpc_replicas_t;

/* A set of channels (created on client c, which owns them) from targets, a comma list of
 * "host:port" or "unix:/path" with optional spaces around each. name ("resources") names the
 * set in log lines; both strings are copied. Every replica starts up. 0, or -1 with nothing
 * made (an empty item, more than RPC_REPLICAS_MAX targets, no memory). Free with
 * rpc_replicas_free(), before rpc_client_destroy(c). */
int rpc_replicas_new(rpc_client_t *c, const char *name, const char *targets, rpc_replicas_t **out);
/* Stops the check thread, waiting for a check in flight (at most its deadline); later calls
 * do nothing. Before rpc_client_destroy(), since the thread calls on the client. */
void rpc_replicas_stop_checks(rpc_replicas_t *r);
/* Stops the checks and frees the set (its channels stay with the client). NULL is a no-op. */
void rpc_replicas_free(rpc_replicas_t *r);

/* With more than one replica: checks every replica every interval_ms, each check with
 * deadline_ms, on a thread of the set. Does nothing with one replica. 0 or -1. */
int rpc_replicas_start_checks(rpc_replicas_t *r, int64_t interval_ms, int64_t deadline_ms);

size_t rpc_replicas_count(const rpc_replicas_t *r);
/* The i-th replica's target (as given, trimmed) and channel; borrowed, live as the set. */
const char *rpc_replicas_target(const rpc_replicas_t *r, size_t i);
rpc_channel_t *rpc_replicas_channel(const rpc_replicas_t *r, size_t i);
int rpc_replicas_is_up(const rpc_replicas_t *r, size_t i);
typedef enum { RPC_REPLICA_DOWN = 0, RPC_REPLICA_UP = 1 } rpc_replica_state_t;

/* Records what a call or a check learnt about replica i (a change is logged once). */
void rpc_replicas_mark(rpc_replicas_t *r, size_t i, rpc_replica_state_t state);

/* The replica for the next call: round-robin over the replicas that are up and not in tried
 * (bit i = replica i already tried by this request); when none of those is up, the next
 * untried one all the same, since a check may not have seen it come back and failing
 * without asking would be a sure 503. -1 when every replica has been tried. */
int rpc_replicas_pick(rpc_replicas_t *r, uint32_t tried);

/* Whether a failed call st provably never reached a server: UNAVAILABLE because no
 * connection could be made (gRPC core failed the pick: connection refused, no such socket).
 * Such a call is safe to repeat on another replica even when it writes; any other failure
 * may have run. */
int rpc_call_never_ran(const hg_status_t *st);

/* ---- logs ------------------------------------------------------------------------------ */

/* Routes gRPC core's own log lines (gpr_log; GRPC_VERBOSITY still picks which) through
 * hg_log as module "grpc", so that in the JSON log format every line on stderr is JSON.
 * From main(), before any server or client exists. */
void rpc_log_through_hangar(void);

/* "/" + service full name + "/" + method name, arena-allocated. */
const char *rpc_method_path(hg_arena_t *a, const ProtobufCServiceDescriptor *svc,
                            const char *method);

#endif
