/* process.h - what every Hangar executable does around its real work: block SIGINT/SIGTERM
 * and wait for them, tune the allocator, and announce readiness.
 *
 * Threads: hg_process_block_signals() and hg_process_tune_malloc() in main() before creating
 * any thread (so only the
 * waiting thread ever receives them); hg_process_wait_signal() from main(). */
#ifndef HANGAR_PROCESS_H
#define HANGAR_PROCESS_H

/* Blocks SIGINT, SIGTERM and SIGPIPE for this thread and every thread created after. */
void hg_process_block_signals(void);
/* Keeps freed heap memory in the process instead of handing it back to the kernel after each
 * request (glibc trims a thread arena's top with madvise, and maps blocks over 128 KiB afresh):
 * each hand-back cost a TLB shoot-down across CPUs and the next request page faults on the
 * same memory. Call from main() before any thread starts. */
void hg_process_tune_malloc(void);
/* Waits for SIGINT or SIGTERM; returns the signal number. */
int hg_process_wait_signal(void);
/* Atomically writes "text\n" to path (temp file + rename) so a supervisor or test harness
 * can wait for it. path NULL or "": nothing. 0 or -1. */
int hg_process_write_ready(const char *path, const char *text);

#endif
