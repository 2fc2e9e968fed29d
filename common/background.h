/* background.h - one thread that runs a pass of background work, then sleeps until the time
 * the pass asked for, a wake, or stop: the frame the KtrlPlane and Ververica reconcilers and
 * the Keboola job runner share, so their passes hold only what is theirs. It is also where
 * replicas sharing a store will take turns (issue 15: a pass runs only while its replica
 * holds the work's lease).
 *
 * Owns: its thread, lock and condition variable (CLOCK_MONOTONIC, so a wall-clock step
 * neither skips nor stretches a sleep).
 * Threads: hg_background_wake from any thread; hg_background_stopping and
 * hg_background_pause from the pass; start and stop from one thread (main). */
#ifndef HANGAR_BACKGROUND_H
#define HANGAR_BACKGROUND_H

#include <stdint.h>

typedef struct hg_background hg_background_t;

/* One pass over arg (borrowed). Returns how many milliseconds to sleep before the next
 * pass; <= 0 runs the next one at once. */
typedef int64_t (*hg_pass_fn)(hg_background_t *bg, void *arg);

/* Starts the thread, whose first pass runs at once; *out is set before it runs, so the
 * pass may reach bg through its arg. 0, or -1 (nothing started, *out NULL). */
int hg_background_start(hg_pass_fn pass, void *arg, hg_background_t **out);
/* Cuts the current sleep short, or the next one if a pass is running: new work may be due
 * before the pass planned. */
void hg_background_wake(hg_background_t *bg);
/* 1 once stop was asked: a long pass checks it between steps. */
int hg_background_stopping(hg_background_t *bg);
/* Sleeps ms within a pass, ended early by stop only (a wake is kept for the next sleep).
 * 1 when stopping. */
int hg_background_pause(hg_background_t *bg, int64_t ms);
/* Asks the pass to stop, wakes it, joins the thread and frees bg. NULL is a no-op. */
void hg_background_stop(hg_background_t *bg);

#endif
