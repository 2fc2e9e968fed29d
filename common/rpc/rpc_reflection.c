/* rpc_reflection.c - grpc.reflection.v1 and v1alpha ServerReflection/ServerReflectionInfo:
 * what grpcurl, Postman and evans ask before they can call a service with no .proto files
 * at hand.
 *
 * A bidirectional stream: each request gets one response, in order, on the same stream,
 * and an answer the server cannot give is an error_response on the open stream, not the
 * end of it (the protocol's choice). The files come from the FileDescriptorSet embedded in
 * the executable (rpc_descriptors.c); the list of services comes from what the server has
 * bound, so it names exactly what can be called. Both versions share one handler: their
 * messages are the same on the wire, so v1alpha's are encoded with v1's descriptors. The
 * method is public, like health: describing the API reveals nothing a caller could not
 * read in proto/, and tools ask before they have credentials. */
#include <stdlib.h>
#include <string.h>

#include "grpc/reflection/v1/reflection.pb-c.h"
#include "rpc/rpc_internal.h"

typedef Grpc__Reflection__V1__ServerReflectionRequest request_t;
typedef Grpc__Reflection__V1__ServerReflectionResponse response_t;

#define V1_PATH "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
#define V1ALPHA_PATH "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"

static void set_error(response_t *r, hg_arena_t *a, hg_code_t code, const char *message) {
  Grpc__Reflection__V1__ErrorResponse *e = hg_arena_alloc(a, sizeof *e);
  if (!e) return; /* answered as an empty response; the caller sees the oneof unset */
  grpc__reflection__v1__error_response__init(e);
  e->error_code = (int32_t)code;
  e->error_message = (char *)message;
  r->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
  r->error_response = e;
}

/* file and its imports, or NOT_FOUND naming what was asked. */
static void set_files(response_t *r, hg_arena_t *a, const rpc__descriptors_t *d, int file,
                      const char *what, const char *name) {
  Grpc__Reflection__V1__FileDescriptorResponse *f;
  ProtobufCBinaryData *files;
  int n;
  if (file < 0) {
    const char *msg = hg_arena_sprintf(a, "%s not found: %s", what, name ? name : "");
    set_error(r, a, HG_NOT_FOUND, msg ? msg : "not found");
    return;
  }
  if ((n = rpc__descriptors_closure(d, file, a, &files)) < 0 ||
      !(f = hg_arena_alloc(a, sizeof *f))) {
    set_error(r, a, HG_INTERNAL, "out of memory");
    return;
  }
  grpc__reflection__v1__file_descriptor_response__init(f);
  f->n_file_descriptor_proto = (size_t)n;
  f->file_descriptor_proto = files;
  r->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
  r->file_descriptor_response = f;
}

static void set_extension_numbers(response_t *r, hg_arena_t *a, const rpc__descriptors_t *d,
                                  const char *type) {
  Grpc__Reflection__V1__ExtensionNumberResponse *e = hg_arena_alloc(a, sizeof *e);
  int32_t *nums = NULL;
  int n = rpc__descriptors_extension_numbers(d, type, a, &nums);
  if (n < 0 || !e) {
    const char *msg = hg_arena_sprintf(a, "message type not found: %s", type);
    set_error(r, a, HG_NOT_FOUND, msg ? msg : "message type not found");
    return;
  }
  grpc__reflection__v1__extension_number_response__init(e);
  e->base_type_name = (char *)type;
  e->n_extension_number = (size_t)n;
  e->extension_number = nums;
  r->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
  r->all_extension_numbers_response = e;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp((*(Grpc__Reflection__V1__ServiceResponse *const *)a)->name,
                (*(Grpc__Reflection__V1__ServiceResponse *const *)b)->name);
}

/* The service of path "/pkg.Service/Method" as an arena string, or NULL. */
static char *service_of(hg_arena_t *a, const char *path) {
  const char *slash = strchr(path + 1, '/');
  return slash ? hg_arena_strndup(a, path + 1, (size_t)(slash - path - 1)) : NULL;
}

/* Every service the server has bound, each once, sorted. */
static void set_services(response_t *r, hg_arena_t *a, const rpc_server_t *s) {
  Grpc__Reflection__V1__ListServiceResponse *l = hg_arena_alloc(a, sizeof *l);
  size_t n_methods = 0, n = 0;
  for (const rpc__method_t *m = s->methods; m; m = m->next) n_methods++;
  Grpc__Reflection__V1__ServiceResponse **list = hg_arena_alloc(a, (n_methods + 1) * sizeof *list);
  if (!l || !list) {
    set_error(r, a, HG_INTERNAL, "out of memory");
    return;
  }
  for (const rpc__method_t *m = s->methods; m; m = m->next) {
    char *name = service_of(a, m->path);
    size_t k = 0;
    while (name && k < n && strcmp(list[k]->name, name) != 0) k++;
    if (!name || k < n) continue;
    if (!(list[n] = hg_arena_alloc(a, sizeof *list[n]))) {
      set_error(r, a, HG_INTERNAL, "out of memory");
      return;
    }
    grpc__reflection__v1__service_response__init(list[n]);
    list[n++]->name = name;
  }
  qsort(list, n, sizeof *list, name_cmp);
  grpc__reflection__v1__list_service_response__init(l);
  l->n_service = n;
  l->service = list;
  r->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
  r->list_services_response = l;
}

static void answer(rpc_ctx_t *ctx, const request_t *req, response_t *r) {
  const rpc_server_t *s = rpc__ctx_server(ctx);
  const rpc__descriptors_t *d = s->reflection;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const Grpc__Reflection__V1__ExtensionRequest *ext;
  switch (req->message_request_case) {
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES:
      set_services(r, a, s);
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
      set_files(r, a, d, rpc__descriptors_file(d, req->file_by_filename), "file",
                req->file_by_filename);
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
      set_files(r, a, d, rpc__descriptors_symbol(d, req->file_containing_symbol), "symbol",
                req->file_containing_symbol);
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION:
      ext = req->file_containing_extension;
      set_files(
          r, a, d,
          ext ? rpc__descriptors_extension(d, ext->containing_type, ext->extension_number) : -1,
          "extension",
          ext ? hg_arena_sprintf(a, "%s(%d)", ext->containing_type, (int)ext->extension_number)
              : "");
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
      set_extension_numbers(r, a, d, req->all_extension_numbers_of_type);
      break;
    default:
      set_error(r, a, HG_INVALID_ARGUMENT,
                "the request names no question (file_by_filename, file_containing_symbol, "
                "file_containing_extension, all_extension_numbers_of_type, list_services)");
  }
}

static void on_request(rpc_ctx_t *ctx, const void *msg) {
  const request_t *req = msg;
  response_t r = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
  r.valid_host = req->host;
  r.original_request = (request_t *)req;
  answer(ctx, req, &r);
  /* A client that asks without reading its answers fills the queue: end its stream rather
   * than buffer for it. */
  if (rpc_stream_send(ctx, &r) == RPC_STREAM_FULL)
    rpc_fail_code(ctx, HG_RESOURCE_EXHAUSTED, "reflection answers are not being read");
}

int rpc_server_add_reflection(rpc_server_t *s, const rpc_descriptor_set_t *set) {
  static const rpc_stream_handler_t handler = {on_request, NULL, NULL, RPC_BIDI_STREAM};
  const rpc_codec_t *in = RPC_PBC(&grpc__reflection__v1__server_reflection_request__descriptor);
  const rpc_codec_t *out = RPC_PBC(&grpc__reflection__v1__server_reflection_response__descriptor);
  if (!s || s->started || s->reflection || rpc__server_method(s, V1_PATH) ||
      rpc__server_method(s, V1ALPHA_PATH) || rpc__descriptors_new(set, &s->reflection) != 0)
    return -1;
  /* Only running out of memory fails from here; the index stays, for a path bound. */
  if (rpc_server_add_stream(s, V1_PATH, &handler, rpc_admit_public, in, out) != 0 ||
      rpc_server_add_stream(s, V1ALPHA_PATH, &handler, rpc_admit_public, in, out) != 0)
    return -1;
  return 0;
}
