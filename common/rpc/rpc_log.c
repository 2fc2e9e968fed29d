/* rpc_log.c - gRPC core's own log lines (gpr_log) written as Hangar log lines. */
#include <string.h>
#include <grpc/support/log.h>

#include "rpc/rpc_internal.h"

/* Runs on whichever thread gRPC logs from; hg_log is safe on any. */
static void forward(gpr_log_func_args *a) {
  hg_log_level_t level = a->severity == GPR_LOG_SEVERITY_ERROR  ? HG_LOG_ERROR
                         : a->severity == GPR_LOG_SEVERITY_INFO ? HG_LOG_INFO
                                                                : HG_LOG_DEBUG;
  const char *file = a->file ? strrchr(a->file, '/') : NULL;
  hg_log(level, "grpc", NULL, "%s:%d: %s", file ? file + 1 : (a->file ? a->file : "?"), a->line,
         a->message ? a->message : "");
}

void rpc_log_through_hangar(void) { gpr_set_log_function(forward); }
