/* runner.h - credentials-svc's background thread: it runs the jobs (docker containers are
 * created and dropped by jobs, waiting -> processing -> success | error) and settles
 * credentials whose backend call did not finish by dropping them: those a crash left
 * PROVISIONING or DROPPING, and those a failed create or drop left DROPPING.
 *
 * A job survives a restart: one found `processing` runs again from the start (its steps are
 * safe to repeat), so no job stays `processing`. A driver that fails to settle a record is
 * tried again with a growing pause (1 s doubling to 30 s).
 * Owns: its thread. Threads: kb_runner_wake from any thread; start/stop from main. */
#ifndef HANGAR_CREDS_RUNNER_H
#define HANGAR_CREDS_RUNNER_H

#include "common/background.h"
#include "credentials/credentials.h"

/* Starts the thread over svc; svc and gate are borrowed and must outlive the runner. gate
 * (NULL: none) says when this replica may run jobs and recovery (common/background.h). 0 or
 * -1. */
int kb_runner_start(kb_svc_t *svc, const hg_gate_t *gate, kb_runner_t **out);
/* A job was queued or a record left DROPPING: look now rather than at the next pass. */
void kb_runner_wake(kb_runner_t *r);
/* Stops after the step in progress and joins the thread. NULL is a no-op. */
void kb_runner_stop(kb_runner_t *r);

#endif
