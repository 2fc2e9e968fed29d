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

#include "resources/provisioner.h"
#include "resources/resources.h"

/* Starts the thread. svc and driver are borrowed and must outlive the reconciler. */
int reconciler_start(resources_svc_t *svc, const provisioner_t *driver, reconciler_t **out);
/* Wakes the thread because new work may be due earlier than it planned. */
void reconciler_kick(reconciler_t *r);
/* Stops and joins the thread. */
void reconciler_stop(reconciler_t *r);

#endif
