/* reconciler.h - drives resources through their lifecycle.
 *
 * One thread finds records whose transition is due (the store's "due" index, earliest
 * first), calls the provisioner outside any transaction, and writes the outcome through the
 * store's group commit as a conditional write on the version it read, so an outcome that
 * raced a client update is dropped and retried on a later pass.
 * State lives only in the store, so after a restart it resumes where it stopped.
 * Threads: reconciler_kick() from any thread; the rest from main(). */
#ifndef HANGAR_RECONCILER_H
#define HANGAR_RECONCILER_H

#include "common/background.h"
#include "common/buf.h"
#include "resources/provisioner.h"
#include "resources/resources.h"

/* Starts the thread. svc, driver and gate are borrowed and must outlive the reconciler. gate
 * (NULL: none) says when this replica may run the passes (common/background.h). */
int reconciler_start(resources_svc_t *svc, const provisioner_t *driver, const hg_gate_t *gate,
                     reconciler_t **out);
/* Wakes the thread because new work may be due earlier than it planned. */
void reconciler_kick(reconciler_t *r);
/* Stops and joins the thread. */
void reconciler_stop(reconciler_t *r);

/* prom_collect_fn (common/prom.h) whose arg is the resources_svc_t, read from its store
 * (reconciler_metrics.c): hangar_reconciler_queue_depth (transitions whose due time has
 * passed, not yet recorded), hangar_reconciler_queue_oldest_age_seconds (how long the
 * oldest of them has been due; 0 when none) and hangar_reconciler_pending_resources (every
 * resource in a transitional status, due or still in its provisioning delay). Any thread;
 * one read transaction, costing O(pending) index entries and O(depth) record decodes. */
int reconciler_metrics(void *svc, hg_buf_t *out);

#endif
