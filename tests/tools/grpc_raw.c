/* grpc_raw.c - one unary gRPC call with a request given as raw bytes, for tests that must
 * send what no well-behaved client encodes (10,000-deep nesting, groups).
 *
 *   grpc-raw TARGET METHOD [AUTHORIZATION] < payload
 *
 * TARGET is "host:port" or "unix:/path", METHOD a full path ("/pkg.Service/Method"). Prints
 * the status code and message ("3 request nests too deeply") and exits 0 once a status
 * arrived, 1 otherwise (bad arguments, no status within 10 s). Test tool; not installed. */
#include <grpc/byte_buffer.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAYLOAD (8u << 20)
#define DEADLINE_S 10

/* stdin, whole; NULL when it is larger than MAX_PAYLOAD or unreadable. */
static char *read_stdin(size_t *n) {
  char *buf = malloc(MAX_PAYLOAD);
  if (!buf) return NULL;
  *n = fread(buf, 1, MAX_PAYLOAD, stdin);
  if (ferror(stdin) || !feof(stdin)) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* The call: one batch of the six unary ops. 0 once a status arrived. */
static int call(grpc_channel *ch, const char *method, const char *auth, grpc_byte_buffer *req) {
  grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
  gpr_timespec deadline =
      gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_seconds(DEADLINE_S, GPR_TIMESPAN));
  grpc_slice path = grpc_slice_from_copied_string(method);
  grpc_call *c =
      grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, path, NULL, deadline, NULL);
  grpc_metadata md = {.key = grpc_slice_from_static_string("authorization"),
                      .value = grpc_slice_from_copied_string(auth ? auth : "")};
  grpc_metadata_array initial, trailing;
  grpc_byte_buffer *resp = NULL;
  grpc_status_code code = GRPC_STATUS_UNKNOWN;
  grpc_slice details = grpc_empty_slice();
  grpc_metadata_array_init(&initial);
  grpc_metadata_array_init(&trailing);
  grpc_op ops[6];
  memset(ops, 0, sizeof(ops));
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[0].data.send_initial_metadata.count = auth ? 1 : 0;
  ops[0].data.send_initial_metadata.metadata = &md;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = req;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &resp;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
  ops[5].data.recv_status_on_client.status = &code;
  ops[5].data.recv_status_on_client.status_details = &details;
  int rc = 1;
  if (grpc_call_start_batch(c, ops, 6, c, NULL) == GRPC_CALL_OK) {
    grpc_event ev = grpc_completion_queue_pluck(cq, c, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_OP_COMPLETE && ev.success) {
      printf("%d %.*s\n", (int)code, (int)GRPC_SLICE_LENGTH(details),
             (const char *)GRPC_SLICE_START_PTR(details));
      rc = 0;
    }
  }
  if (resp) grpc_byte_buffer_destroy(resp);
  grpc_slice_unref(details);
  grpc_slice_unref(md.value);
  grpc_slice_unref(path);
  grpc_metadata_array_destroy(&initial);
  grpc_metadata_array_destroy(&trailing);
  grpc_call_unref(c);
  grpc_completion_queue_shutdown(cq);
  grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
  grpc_completion_queue_destroy(cq);
  return rc;
}

int main(int argc, char **argv) {
  size_t n = 0;
  char *buf;
  if (argc < 3 || argc > 4 || !(buf = read_stdin(&n))) {
    fprintf(stderr, "usage: grpc-raw TARGET METHOD [AUTHORIZATION] < payload\n");
    return 1;
  }
  grpc_init();
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  grpc_channel *ch = grpc_channel_create(argv[1], creds, NULL);
  grpc_channel_credentials_release(creds);
  grpc_slice s = grpc_slice_from_copied_buffer(buf, n);
  grpc_byte_buffer *req = grpc_raw_byte_buffer_create(&s, 1);
  grpc_slice_unref(s);
  free(buf);
  int rc = call(ch, argv[2], argc == 4 ? argv[3] : NULL, req);
  grpc_byte_buffer_destroy(req);
  grpc_channel_destroy(ch);
  grpc_shutdown();
  return rc;
}
