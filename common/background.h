/* background.h - one thread that runs a pass of background work, then sleeps until the time
 * the pass asked for, a wake, or stop: the frame the KtrlPlane and Ververica reconcilers and
 * the Keboola job runner share, so their passes hold only what is theirs. It is also where
 * replicas sharing a store take turns: with a gate, a pass runs only while its process
 * holds the work (hg_gate_t).
 *
 * Owns: its thread, lock and condition variable (CLOCK_MONOTONIC, so a wall-clock step
 * neither skips nor stretches a sleep).
 * Threads: hg_background_wake from any thread; hg_background_stopping and
 * hg_background_pause from the pass; start and stop from one thread (main). */
#ifndef HANGAR_BACKGROUND_H
#define HANGAR_BACKGROUND_H

#include <stdint.h>

typedef struct hg_background hg_background_t;

/* Who may run the passes, when several processes share the work's state (replicas on one
 * store): at most one holder at a time, e.g. an etcd leader election (storage/leader_gate.h).
 * check may do I/O: it renews or campaigns, and answers 1 while this process holds the
 * right; the thread calls it before its first pass and then every recheck_ms, whether
 * passes run or not. holding does no I/O: it answers 1 while the right cannot have lapsed
 * since the last check (a lease's TTL measured from before its renewal), so a pass that
 * outlives its right stops between steps. Both run on the background thread only. */
typedef struct hg_gate {
  int (*check)(void *arg);
  int (*holding)(void *arg);
  int64_t recheck_ms;
  void *arg; /* borrowed: outlives the background thread */
} hg_gate_t;

/* One pass over arg (borrowed). Returns how many milliseconds to sleep before the next
 * pass; <= 0 runs the next one at once. */
typedef int64_t (*hg_pass_fn)(hg_background_t *bg, void *arg);

/* Starts the thread, whose first pass runs after first_ms (0: at once; a wake or stop ends
 * that wait too); *out is set before it runs, so the pass may reach bg through its arg. 0,
 * or -1 (nothing started, *out NULL). */
int hg_background_start(hg_pass_fn pass, void *arg, int64_t first_ms, hg_background_t **out);
/* hg_background_start whose passes run only while gate says this process holds the work
 * (gate copied; NULL: always, exactly hg_background_start). While it does not, the thread
 * only rechecks; a wake meanwhile makes the first pass after it gains the right run at
 * once. */
int hg_background_start_gated(hg_pass_fn pass, void *arg, int64_t first_ms, const hg_gate_t *gate,
                              hg_background_t **out);
/* Cuts the current sleep short, or the next one if a pass is running: new work may be due
 * before the pass planned. */
void hg_background_wake(hg_background_t *bg);
/* 1 once stop was asked, or the gate's right may have lapsed: a long pass checks it
 * between steps. */
int hg_background_stopping(hg_background_t *bg);
/* Sleeps ms within a pass, ended early by stop only (a wake is kept for the next sleep).
 * 1 when stopping (as hg_background_stopping answers after the sleep). */
int hg_background_pause(hg_background_t *bg, int64_t ms);
/* 1 while the gate says this process holds the work (always 1 without a gate). Any thread. */
int hg_background_holding(hg_background_t *bg);
/* Asks the pass to stop, wakes it, joins the thread and frees bg. NULL is a no-op. */
void hg_background_stop(hg_background_t *bg);

#endif
