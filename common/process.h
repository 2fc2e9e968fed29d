/* process.h - what every Hangar executable does around its real work: block SIGINT/SIGTERM
 * and wait for them, and announce readiness.
 *
 * Threads: hg_process_block_signals() in main() before creating any thread (so only the
 * waiting thread ever receives them); hg_process_wait_signal() from main(). */
#ifndef HANGAR_PROCESS_H
#define HANGAR_PROCESS_H

/* Blocks SIGINT, SIGTERM and SIGPIPE for this thread and every thread created after. */
void hg_process_block_signals(void);
/* Waits for SIGINT or SIGTERM; returns the signal number. */
int hg_process_wait_signal(void);
/* Atomically writes "text\n" to path (temp file + rename) so a supervisor or test harness
 * can wait for it. path NULL or "": nothing. 0 or -1. */
int hg_process_write_ready(const char *path, const char *text);

#endif
