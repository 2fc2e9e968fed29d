/* test_rpc_reflection.c - grpc.reflection on an rpc_server_t (common/rpc/rpc_reflection.c,
 * rpc_descriptors.c), over auth-svc's embedded descriptor set (hangar_descriptors, linked
 * in by tests/CMakeLists.txt): which sets are refused, symbols scoped as protobuf scopes
 * them, a file shared by concatenated sets sent once, the service list taken from what is
 * bound, and v1alpha answering as v1. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/service.h"
#include "google/protobuf/descriptor.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "rpc/rpc.h"
#include "test_rpc_stream_client.h"
#include "test_run.h"

#define V1 "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
#define V1ALPHA "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"

typedef Grpc__Reflection__V1__ServerReflectionRequest request_t;
typedef Grpc__Reflection__V1__ServerReflectionResponse response_t;

typedef struct fx {
  rpc_server_t *srv;
  char target[64];
  hg_arena_t *a;
  sc_t c;
} fx_t;

static void extra(rpc_ctx_t *ctx, const void *msg) {
  (void)msg;
  rpc_stream_finish(ctx, NULL);
}

/* A server serving reflection from set (plus one stream not described by it), and a
 * reflection stream of version path open to it. */
static void fx_start(fx_t *f, const rpc_descriptor_set_t *set, const char *path) {
  static const rpc_stream_handler_t extra_h = {extra, NULL, NULL, RPC_SERVER_STREAM};
  const rpc_codec_t *sv = RPC_PBC(&google__protobuf__string_value__descriptor);
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &f->srv), 0);
  ck_assert_int_eq(rpc_server_add_reflection(f->srv, set), 0);
  ck_assert_int_eq(
      rpc_server_add_stream(f->srv, "/hangar.test.Extra/Go", &extra_h, rpc_admit_public, sv, sv),
      0);
  ck_assert_int_eq(rpc_server_start(f->srv), 0);
  snprintf(f->target, sizeof f->target, "127.0.0.1:%d", rpc_server_port(f->srv));
  ck_assert_ptr_nonnull(f->a = hg_arena_new());
  sc_open(&f->c, f->target, path, NULL, 0);
}

static void fx_stop(fx_t *f) {
  sc_half_close(&f->c);
  ck_assert_ptr_null(
      sc_recv(&f->c, &grpc__reflection__v1__server_reflection_response__descriptor, f->a));
  ck_assert_int_eq(sc_finish(&f->c), GRPC_STATUS_OK);
  sc_close(&f->c);
  rpc_server_destroy(f->srv, 5000);
  hg_arena_free(f->a);
}

static const response_t *ask(fx_t *f, request_t *req) {
  const response_t *r;
  ck_assert(sc_send(&f->c, &req->base));
  r = sc_recv(&f->c, &grpc__reflection__v1__server_reflection_response__descriptor, f->a);
  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_nonnull(r->original_request);
  ck_assert_int_eq(r->original_request->message_request_case, req->message_request_case);
  return r;
}

static const response_t *ask_symbol(fx_t *f, const char *symbol) {
  request_t req = GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT;
  req.message_request_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL;
  req.file_containing_symbol = (char *)symbol;
  return ask(f, &req);
}

/* The name of the i-th file of a file_descriptor_response. */
static const char *file_name(fx_t *f, const response_t *r, size_t i) {
  ProtobufCAllocator al = hg_arena_pbc_allocator(f->a);
  const ProtobufCBinaryData *b;
  Google__Protobuf__FileDescriptorProto *fd;
  ck_assert_int_eq(
      r->message_response_case,
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE);
  ck_assert_uint_lt(i, r->file_descriptor_response->n_file_descriptor_proto);
  b = &r->file_descriptor_response->file_descriptor_proto[i];
  fd = google__protobuf__file_descriptor_proto__unpack(&al, b->len, b->data);
  ck_assert_ptr_nonnull(fd);
  return fd->name;
}

static void expect_error(const response_t *r, int code) {
  ck_assert_int_eq(
      r->message_response_case,
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE);
  ck_assert_int_eq(r->error_response->error_code, code);
  ck_assert_ptr_nonnull(r->error_response->error_message);
  ck_assert_int_gt(strlen(r->error_response->error_message), 0);
}

START_TEST(test_add_reflection_refuses_what_is_no_set) {
  static const uint8_t garbage[] = {0x12, 0x03, 'a', 'b', 'c'}; /* field 2: no file */
  static const uint8_t truncated[] = {0x0a, 0x7f, 0x00};
  const rpc_descriptor_set_t bad[] = {
      {garbage, sizeof garbage}, {truncated, sizeof truncated}, {garbage, 0}, {NULL, 4}};
  rpc_server_t *srv;
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_int_eq(rpc_server_add_reflection(srv, &bad[i]), -1);
  ck_assert_int_eq(rpc_server_add_reflection(srv, NULL), -1);
  ck_assert_int_eq(rpc_server_add_reflection(srv, &hangar_descriptors), 0);
  ck_assert_int_eq(rpc_server_add_reflection(srv, &hangar_descriptors), -1); /* twice */
  rpc_server_destroy(srv, 0);
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  ck_assert_int_eq(rpc_server_add_reflection(srv, &hangar_descriptors), -1); /* after start */
  rpc_server_destroy(srv, 0);
}
END_TEST

/* Scoped as protobuf's DescriptorPool scopes names: an enum value beside its enum. */
START_TEST(test_symbols_are_scoped_like_a_descriptor_pool) {
  static const struct {
    const char *symbol, *file;
  } cases[] = {
      {"hangar.auth.v1.AuthAdmin", "hangar/auth/v1/admin.proto"},
      {"hangar.auth.v1.AuthAdmin.CreateToken", "hangar/auth/v1/admin.proto"},
      {"hangar.auth.v1.TokenVerifier.Verify", "hangar/auth/v1/verify.proto"},
      {"grpc.health.v1.HealthCheckRequest.service", "grpc/health/v1/health.proto"},
      {"grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"},
      {"grpc.health.v1.HealthCheckResponse.SERVING", "grpc/health/v1/health.proto"},
      {"grpc.reflection.v1.ServerReflectionRequest.message_request",
       "grpc/reflection/v1/reflection.proto"},
      {"grpc.reflection.v1alpha.ServerReflection", "grpc/reflection/v1alpha/reflection.proto"},
      {"google.protobuf.FieldDescriptorProto.Type.TYPE_STRING", NULL}, /* value is not in Type */
      {"google.protobuf.FieldDescriptorProto.TYPE_STRING", "google/protobuf/descriptor.proto"},
      {"NanoPBOptions.max_size", "nanopb.proto"}, /* no package */
      {"nanopb", "nanopb.proto"},                 /* an extension */
      {"hangar.auth.v1", NULL},                   /* a package is no symbol */
      {"hangar.auth.v1.AuthAdmin.", NULL},
      {"", NULL},
  };
  fx_t f;
  fx_start(&f, &hangar_descriptors, V1);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const response_t *r = ask_symbol(&f, cases[i].symbol);
    if (cases[i].file)
      ck_assert_str_eq(file_name(&f, r, 0), cases[i].file);
    else
      expect_error(r, HG_NOT_FOUND);
  }
  fx_stop(&f);
}
END_TEST

/* A service's set is several protoc sets end to end, so imports come more than once; each
 * file is sent once, the one asked for first, and the same set twice over changes nothing. */
START_TEST(test_concatenated_sets_send_each_file_once) {
  size_t n = hangar_descriptors.len;
  uint8_t *twice = malloc(2 * n);
  rpc_descriptor_set_t set = {twice, 2 * n};
  const response_t *r;
  fx_t f;
  memcpy(twice, hangar_descriptors.bytes, n);
  memcpy(twice + n, hangar_descriptors.bytes, n);
  fx_start(&f, &set, V1);
  r = ask_symbol(&f, "hangar.auth.v1.AuthAdmin.ListTokens");
  size_t files = r->file_descriptor_response->n_file_descriptor_proto;
  ck_assert_str_eq(file_name(&f, r, 0), "hangar/auth/v1/admin.proto");
  ck_assert_uint_eq(files, 3); /* admin.proto, empty.proto, wrappers.proto */
  for (size_t i = 1; i < files; i++)
    ck_assert(strcmp(file_name(&f, r, i), "google/protobuf/empty.proto") == 0 ||
              strcmp(file_name(&f, r, i), "google/protobuf/wrappers.proto") == 0);
  ck_assert_str_ne(file_name(&f, r, 1), file_name(&f, r, 2));
  fx_stop(&f);
  free(twice);
}
END_TEST

/* The list is what the server has bound, described or not, each service once, sorted;
 * v1alpha answers the same. */
START_TEST(test_list_services_names_what_is_bound) {
  static const char *const want[] = {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                     "grpc.reflection.v1alpha.ServerReflection",
                                     "hangar.rpc.v1.Admission", "hangar.test.Extra"};
  static const char *const paths[] = {V1, V1ALPHA};
  for (size_t p = 0; p < 2; p++) {
    request_t req = GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT;
    fx_t f;
    fx_start(&f, &hangar_descriptors, paths[p]);
    req.message_request_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES;
    req.list_services = "*";
    req.host = "example";
    const response_t *r = ask(&f, &req);
    ck_assert_str_eq(r->valid_host, "example");
    ck_assert_int_eq(
        r->message_response_case,
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE);
    ck_assert_uint_eq(r->list_services_response->n_service, 5);
    for (size_t i = 0; i < 5; i++)
      ck_assert_str_eq(r->list_services_response->service[i]->name, want[i]);
    fx_stop(&f);
  }
}
END_TEST

START_TEST(test_extension_questions) {
  request_t req = GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT;
  Grpc__Reflection__V1__ExtensionRequest ext = GRPC__REFLECTION__V1__EXTENSION_REQUEST__INIT;
  const response_t *r;
  fx_t f;
  fx_start(&f, &hangar_descriptors, V1);
  req.message_request_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE;
  req.all_extension_numbers_of_type = "google.protobuf.MessageOptions";
  r = ask(&f, &req);
  ck_assert_str_eq(r->all_extension_numbers_response->base_type_name,
                   "google.protobuf.MessageOptions");
  ck_assert_uint_eq(r->all_extension_numbers_response->n_extension_number, 1);
  ck_assert_int_eq(r->all_extension_numbers_response->extension_number[0], 1010);
  req.all_extension_numbers_of_type = "google.protobuf.FieldDescriptorProto.Type"; /* an enum */
  expect_error(ask(&f, &req), HG_NOT_FOUND);
  req.message_request_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION;
  req.file_containing_extension = &ext;
  ext.containing_type = "google.protobuf.EnumOptions";
  ext.extension_number = 1010;
  ck_assert_str_eq(file_name(&f, ask(&f, &req), 0), "nanopb.proto");
  ext.extension_number = 1011;
  expect_error(ask(&f, &req), HG_NOT_FOUND);
  req.message_request_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST__NOT_SET;
  expect_error(ask(&f, &req), HG_INVALID_ARGUMENT);
  fx_stop(&f);
}
END_TEST

int main(void) {
  TEST_RUN("rpc_reflection", 30, test_add_reflection_refuses_what_is_no_set,
           test_symbols_are_scoped_like_a_descriptor_pool,
           test_concatenated_sets_send_each_file_once, test_list_services_names_what_is_bound,
           test_extension_questions);
}
