/* rpc_internal.h - what the files of common/rpc share with each other and nobody else.
 *
 * Every operation put on a completion queue carries, as its tag, a pointer to an rpc__tag_t
 * embedded first in the object that started it; the polling loop calls its on_event, so a
 * queue needs no switch over object kinds. The server counts every object that may still
 * produce an event ("live": armed slots, held calls, the shutdown tag) and shuts its queue
 * down only when that count reaches zero, which is what keeps a late rpc_reply from starting
 * a batch on a dead queue. Threads: as documented per function. */
#ifndef HANGAR_RPC_INTERNAL_H
#define HANGAR_RPC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>

#include "common/prom.h"
#include "rpc/rpc.h"

#define RPC__DEFAULT_DEADLINE_MS 30000
#define RPC__DEFAULT_IN_FLIGHT_PER_KEY 32
#define RPC__DETAILS_KEY "grpc-status-details-bin"

typedef struct rpc__tag rpc__tag_t;
struct rpc__tag {
  void (*on_event)(rpc__tag_t *tag, int ok);
};

/* ---- completion queues (rpc_cq.c) ------------------------------------------------------ */

/* Runs every event of cq through its tag until the queue reports GRPC_QUEUE_SHUTDOWN. */
void rpc__cq_poll(grpc_completion_queue *cq);
/* Absolute time ms from now on clock. */
gpr_timespec rpc__deadline_in(int64_t ms, gpr_clock_type clock);

/* ---- codecs (rpc_codec.c) -------------------------------------------------------------- */

/* 0 when c names a usable codec (known kind, descriptor present), else -1. */
int rpc__codec_check(const rpc_codec_t *c);
/* Encodes msg into a new slice (*out, unref it). 0 or -1. */
int rpc__codec_encode_slice(const rpc_codec_t *c, const void *msg, grpc_slice *out);
/* A received byte buffer's bytes (any compression) as an rpc_encoded_t in a. 0 or -1. */
int rpc__encoded_bb(grpc_byte_buffer *bb, hg_arena_t *a, void **out);
/* Decodes a received byte buffer (any compression) into a message in a. 0 or -1. */
int rpc__codec_decode_bb(const rpc_codec_t *c, grpc_byte_buffer *bb, hg_arena_t *a, void **out);
/* 0 when the wire bytes p[0..n) of a message of type d can be walked and no message in
 * them nests deeper than max_depth (the top level is 1) and every string field is UTF-8;
 * RPC_DECODE_TOO_DEEP, RPC_DECODE_BAD_UTF8 or RPC_DECODE_MALFORMED otherwise (rpc_wire.c). */
/* The INVALID_ARGUMENT message for a request that did not decode with rc. */
const char *rpc__decode_failure(int rc);
int rpc__wire_check(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, int max_depth);

/* ---- status details (rpc_status.c) ----------------------------------------------------- */

/* Packs google.rpc.Status{code, message, details} for st into a new slice (*out); scratch
 * space comes from a. 0 or -1. */
int rpc__status_pack(const hg_status_t *st, hg_arena_t *a, grpc_slice *out);
/* Fills st's reason, detail, violations (and message when st has none) from a packed
 * google.rpc.Status; strings are allocated in a. 0 or -1 (st untouched). */
int rpc__status_unpack(const uint8_t *p, size_t n, hg_arena_t *a, hg_status_t *st);

/* ---- metrics (rpc_metrics.c) ----------------------------------------------------------- */

/* One method's series, under go-grpc-prometheus's names and labels. Counted by relaxed
 * atomics from any thread; read by the metrics collector. */
typedef struct rpc__stats {
  const char *service, *method; /* label values: borrowed from label, or static */
  char *label;                  /* heap: "service\0method\0path"; NULL for static labels */
  const char *key;              /* the path as received (in label); unknown methods only */
  const char *type;             /* grpc_type: "unary", "server_stream", "bidi_stream" ... */
  atomic_uint_fast64_t started;
  atomic_uint_fast64_t handled[HG_UNAUTHENTICATED + 1]; /* by gRPC code */
  prom_histogram_t seconds;                             /* in microseconds */
} rpc__stats_t;

/* Distinct unknown method paths counted under their own labels; the rest share one series,
 * so a client cannot grow the exposition without bound. */
#define RPC__UNKNOWN_SERIES 32

/* ---- server (rpc_server.c, rpc_ctx.c) -------------------------------------------------- */

typedef struct rpc__method {
  struct rpc__method *next;
  char *path;                  /* "/pkg.Service/Method", heap */
  void *handle;                /* from grpc_server_register_method */
  rpc_handler_fn fn;           /* unary methods */
  rpc_stream_handler_t stream; /* streaming methods (a copy) */
  int is_stream;
  rpc_admit_fn admit;  /* never NULL; rpc_admit_public for a public method */
  rpc_codec_t in, out; /* copies: RPC_PBC() literals die with the caller's block */
  int lane;            /* RPC__LANE_*: the queue its calls arrive on */
  rpc__stats_t *stats; /* its metrics */
} rpc__method_t;

/* One caller's in-flight calls (rpc_limit.c); count 0: free. */
#define RPC__LIMIT_SLOTS 4096
typedef struct rpc__limit_slot {
  uint64_t hash;
  int count;
} rpc__limit_slot_t;

/* Where a method's calls are served: the handlers' queue (cq_threads threads), or a side
 * queue with one thread of its own, so that health checks and admission questions never
 * wait behind handlers that hold every call thread (a token-cache miss blocks one for up to
 * 2 s). Health and admission each get their own, since an admission may itself block on a
 * token verification. */
enum { RPC__LANE_CALLS = 0, RPC__LANE_HEALTH, RPC__LANE_ADMISSION, RPC__LANES };

typedef struct rpc__stream rpc__stream_t;
typedef struct rpc__descriptors rpc__descriptors_t;

struct rpc_server {
  grpc_server *server;
  grpc_completion_queue *cq;                  /* RPC__LANE_CALLS */
  grpc_completion_queue *side_cq[RPC__LANES]; /* the other lanes; [0] unused */
  pthread_t side_thread[RPC__LANES];
  int side_started[RPC__LANES];
  rpc__method_t *methods;
  rpc_server_opts_t opts;
  void *data;           /* rpc_server_set_data(); borrowed */
  rpc_health_fn health; /* rpc_server_set_health(); NULL: always serving */
  void *health_arg;
  int port;
  int started;
  pthread_t *threads;
  int n_threads;
  pthread_mutex_t mu;
  pthread_cond_t idle; /* signalled when live drops to 0 */
  size_t live;
  int closing;
  rpc__tag_t shutdown_tag;
  rpc__limit_slot_t limits[RPC__LIMIT_SLOTS]; /* guarded by mu */
  rpc__stream_t *streams;                     /* open streams, guarded by mu */
  rpc__descriptors_t *reflection;             /* rpc_server_add_reflection()'s index */
  uint64_t rid_seed;
  atomic_uint_fast64_t rid_next;
  /* metrics of calls to unknown methods (rpc_metrics.c): [0, n_unknown) published with
   * release order, added under mu; other_stats counts the rest */
  rpc__stats_t *unknown[RPC__UNKNOWN_SERIES];
  atomic_size_t n_unknown;
  rpc__stats_t *other_stats;
};

/* Counts one more live object unless the server is closing (then -1: do not arm). */
int rpc__server_hold(rpc_server_t *s);
/* Ends one live object; wakes rpc_server_destroy at zero. Do not touch s afterwards. */
void rpc__server_release(rpc_server_t *s);

/* The method bound at path, or NULL. The list is fixed once the server has started, so
 * queue threads may read it without the lock. */
const rpc__method_t *rpc__server_method(const rpc_server_t *s, const char *path);

/* Binds path to a unary handler fn or, with stream non-NULL, a streaming one (copied).
 * Before start. 0 or -1 with nothing changed. */
int rpc__server_add_method(rpc_server_t *s, const char *path, rpc_handler_fn fn,
                           const rpc_stream_handler_t *stream, rpc_admit_fn admit,
                           const rpc_codec_t *in, const rpc_codec_t *out);

/* The queue m's calls arrive on (m NULL: the catch-all's, the calls queue). */
grpc_completion_queue *rpc__server_cq(const rpc_server_t *s, const rpc__method_t *m);
/* Serves every method of svc (already added) on lane instead of the calls queue. Before
 * start. 0 or -1. */
int rpc__server_set_lane(rpc_server_t *s, const ProtobufCServiceDescriptor *svc, int lane);
/* Arms one slot for m (NULL: the catch-all for unknown methods) on its queue. 0 or -1. */
int rpc__ctx_arm(rpc_server_t *s, const rpc__method_t *m);
/* The server a call arrived at. */
rpc_server_t *rpc__ctx_server(rpc_ctx_t *ctx);
/* The limit slot the call is counted in (rpc_limit.c), -1 when none; set once. */
int rpc__ctx_limit_slot(const rpc_ctx_t *ctx);
void rpc__ctx_set_limit_slot(rpc_ctx_t *ctx, int slot);
/* Ends one call's count in slot (from ctx_free). */
void rpc__limit_release(rpc_server_t *s, int slot);

/* For rpc_stream.c: the call, the method, the stream (NULL on a unary call). */
grpc_call *rpc__ctx_call(rpc_ctx_t *ctx);
const rpc__method_t *rpc__ctx_method(const rpc_ctx_t *ctx);
rpc__stream_t *rpc__ctx_stream(const rpc_ctx_t *ctx);
void rpc__ctx_set_stream(rpc_ctx_t *ctx, rpc__stream_t *st);
/* Makes a the arena rpc_ctx_arena() answers; returns the one it replaces. */
hg_arena_t *rpc__ctx_swap_arena(rpc_ctx_t *ctx, hg_arena_t *a);
/* Ends a call whose every batch has completed: frees ctx and gives back its live unit. */
void rpc__ctx_free(rpc_ctx_t *ctx);

/* ---- streams (rpc_stream.c) ------------------------------------------------------------ */

/* Takes over an accepted call of a streaming method: sends initial metadata, starts reading
 * and watching for the call's end. The stream frees ctx when it is over. */
void rpc__stream_start(rpc_ctx_t *ctx);
/* Finishes the stream with st (already checked by rpc_fail: an error code and a message),
 * or OK when st is NULL. */
void rpc__stream_finish(rpc__stream_t *st, const hg_status_t *status);
/* rpc_reply() on a stream: sends resp, then finishes OK (or fails as the send did). */
void rpc__stream_reply(rpc_ctx_t *ctx, const void *resp);
/* Finishes every open stream of s UNAVAILABLE (rpc_server_destroy). */
void rpc__streams_close_all(rpc_server_t *s);

/* ---- descriptor sets (rpc_descriptors.c) ----------------------------------------------- */

/* An index over a FileDescriptorSet's files (each name once: the first copy wins) and
 * the symbols they define. set's bytes are borrowed and must outlive the index. 0, or -1
 * when the set or a file in it does not parse or memory runs out. Threads: built before
 * start, then read by any thread. */
int rpc__descriptors_new(const rpc_descriptor_set_t *set, rpc__descriptors_t **out);
void rpc__descriptors_free(rpc__descriptors_t *d);
/* The file named name, or -1. */
int rpc__descriptors_file(const rpc__descriptors_t *d, const char *name);
/* The file defining the fully-qualified symbol (a message, field, oneof, enum, enum value,
 * service, method or extension; no leading dot), or -1. */
int rpc__descriptors_symbol(const rpc__descriptors_t *d, const char *symbol);
/* The file defining extension number of message type type, or -1. */
int rpc__descriptors_extension(const rpc__descriptors_t *d, const char *type, int32_t number);
/* The numbers of every extension of message type type, in an array in a (*out NULL when
 * none): their count, or -1 when type is no message of the set (or a runs out). */
int rpc__descriptors_extension_numbers(const rpc__descriptors_t *d, const char *type, hg_arena_t *a,
                                       int32_t **out);
/* Files file and every file it imports, transitively, each once, file first: their
 * serialized FileDescriptorProtos, in an array in a (borrowing the set's bytes). The
 * count, or -1 when a runs out. */
int rpc__descriptors_closure(const rpc__descriptors_t *d, int file, hg_arena_t *a,
                             ProtobufCBinaryData **out);

/* grpc.health.v1.Health/Check answering SERVING (rpc_health.c). */
int rpc__health_register(rpc_server_t *s);
/* hangar.rpc.v1.Admission/Admit (rpc_admission.c). */
int rpc__admission_register(rpc_server_t *s);

/* ---- metrics of calls (rpc_metrics.c) -------------------------------------------------- */

/* A new series for the method at path ("/pkg.Service/Method"); NULL when out of memory. */
rpc__stats_t *rpc__stats_new(const char *path);
void rpc__stats_free(rpc__stats_t *st);
/* The series a call is counted in, its start counted: m's, or for an unknown method
 * (m NULL) the one for path. Never NULL once the server exists. Any CQ thread. */
rpc__stats_t *rpc__stats_begin(rpc_server_t *s, const rpc__method_t *m, const char *path);
/* Counts a call answered with code after usec microseconds. */
void rpc__stats_done(rpc__stats_t *st, hg_code_t code, int64_t usec);
/* Frees the unknown-method series (rpc_server_destroy). */
void rpc__stats_free_unknown(rpc_server_t *s);

/* ---- client (rpc_client.c, rpc_call.c) ------------------------------------------------- */

typedef struct rpc__ccall rpc__ccall_t;

struct rpc_channel {
  rpc_channel_t *next;
  rpc_client_t *client;
  grpc_channel *ch;
};

struct rpc_client {
  grpc_completion_queue *cq;
  pthread_t thread;
  int thread_started;
  pthread_mutex_t mu;
  pthread_cond_t idle; /* signalled when calls becomes empty while closing */
  int closing;
  rpc__ccall_t *calls; /* in flight, async and sync */
  rpc_channel_t *channels;
};

/* One unary client call: the six-op batch and everything it points into. */
struct rpc__ccall {
  rpc__tag_t tag;
  rpc__ccall_t *prev, *next;
  rpc_client_t *client;
  grpc_call *call;
  grpc_slice method;
  grpc_metadata *md;
  size_t n_md;
  grpc_byte_buffer *send;
  grpc_byte_buffer *recv;
  grpc_metadata_array init_md;
  grpc_metadata_array trail_md;
  grpc_status_code status;
  grpc_slice details;
  const char *error_string;
  rpc_codec_t out;
  hg_arena_t *arena;
  int encoded_reply;
  rpc_md_t *reply_md; /* rpc_call_opts_t's, filled by rpc__ccall_finish */
  size_t n_reply_md;
  rpc_done_fn done;
  void *arg;
};

/* Tracks cc in c's in-flight list. -1 when the client is closing. */
int rpc__client_track(rpc_client_t *c, rpc__ccall_t *cc);
void rpc__client_untrack(rpc_client_t *c, rpc__ccall_t *cc);

/* Starts cc (tag.on_event already set) on ch with its events on cq. 0: the tag will fire
 * exactly once. -1: nothing was started and cc holds nothing. */
int rpc__ccall_start(rpc__ccall_t *cc, rpc_channel_t *ch, grpc_completion_queue *cq,
                     const char *path, const rpc_codec_t *in, const void *req,
                     const rpc_codec_t *out, const rpc_call_opts_t *opts);
/* What rpc__ccall_start does before its batch: sets cc up and creates its call with the
 * absolute deadline (GPR_CLOCK_REALTIME; gpr_inf_future for none), tracked by the client.
 * 0, or -1 with cc holding nothing. Client streams start their own batches on it. */
int rpc__ccall_prepare(rpc__ccall_t *cc, rpc_channel_t *ch, grpc_completion_queue *cq,
                       const char *path, const rpc_codec_t *in, const void *req,
                       const rpc_codec_t *out, const rpc_call_opts_t *opts, gpr_timespec deadline);
/* A non-OK status of cc's call: code, grpc-message, and the google.rpc.Status details if
 * present (strings in cc->arena). */
void rpc__ccall_status(const rpc__ccall_t *cc, hg_status_t *st);
/* Everything cc may hold; safe on a partly set-up record (zeroed fields are skipped). */
void rpc__ccall_release(rpc__ccall_t *cc);
/* After the tag fired: fills st (and *resp on OK), releases every gRPC resource of cc. */
void rpc__ccall_finish(rpc__ccall_t *cc, int ok, hg_status_t *st, void **resp);

#endif
