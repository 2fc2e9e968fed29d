/* rpc_cq.c - the one polling loop shared by server and client queues.
 *
 * Every tag we hand to gRPC is an rpc__tag_t, so polling is the same everywhere: wait for an
 * event, call its tag. A queue is done when gRPC says GRPC_QUEUE_SHUTDOWN, which it only
 * does after every operation started on it has completed. */
#include "rpc/rpc_internal.h"

void rpc__cq_poll(grpc_completion_queue *cq) {
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) return;
    if (ev.type == GRPC_OP_COMPLETE) {
      rpc__tag_t *tag = ev.tag;
      tag->on_event(tag, ev.success);
    }
  }
}

gpr_timespec rpc__deadline_in(int64_t ms, gpr_clock_type clock) {
  return gpr_time_add(gpr_now(clock), gpr_time_from_millis(ms, GPR_TIMESPAN));
}
