/* vvp_reconciler.h - moves each Ververica-style deployment's status.state toward its
 * spec.state (RUNNING, SUSPENDED or CANCELLED; CANCELLED when unset) through TRANSITIONING.
 *
 * No Flink cluster runs: one step is taken per deployment per pass (a pass every step_ms).
 * A deployment whose status differs from its spec goes to TRANSITIONING, and on the next
 * pass to the desired state. Reaching RUNNING starts a Job (kind "jobs", status STARTED,
 * metadata.deploymentId) named in status.running.jobId; leaving RUNNING cancels it. Every
 * step records an Event. Each step is one write through group commit, conditional on the
 * version the pass read, so a step that raced a client's write is dropped and retried; the
 * state lives only in the store, so a restart resumes where it stopped.
 * Threads: start/stop from main(); the work runs on the reconciler's own thread. */
#ifndef HANGAR_VVP_RECONCILER_H
#define HANGAR_VVP_RECONCILER_H

#include <stdint.h>

#include "common/background.h"
#include "common/buf.h"
#include "resources/resources.h"

typedef struct vvp_reconciler vvp_reconciler_t;

/* Starts the thread; svc and gate are borrowed and must outlive it. gate (NULL: none) says
 * when this replica may run the passes (common/background.h). 0 or -1. */
int vvp_reconciler_start(resources_svc_t *svc, int64_t step_ms, const hg_gate_t *gate,
                         vvp_reconciler_t **out);
/* Stops and joins the thread (NULL: nothing). */
void vvp_reconciler_stop(vvp_reconciler_t *r);
/* prom_collect_fn (common/prom.h) whose arg is the vvp_reconciler_t:
 * hangar_ververica_deployments_transitioning. Any thread while the reconciler runs. */
int vvp_reconciler_metrics(void *reconciler, hg_buf_t *out);

#endif
