/* process.c - signals are blocked in every thread and taken synchronously by main, so no
 * handler ever runs in the middle of library code; the allocator keeps what requests free. */
#include "common/process.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigset_t stop_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void hg_process_block_signals(void) {
  sigset_t set = stop_signals();
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Memory a request frees stays for the next one up to these sizes: at most 64 MiB free at the
 * top of an arena, and blocks under 4 MiB (a large list page's buffers) come from the heap. */
#define TRIM_THRESHOLD (64 << 20)
#define MMAP_THRESHOLD (4 << 20)

void hg_process_tune_malloc(void) {
  mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
  mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
}

int hg_process_wait_signal(void) {
  sigset_t set = stop_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

int hg_process_write_ready(const char *path, const char *text) {
  if (!path || !*path) return 0;
  char tmp[4096];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) return -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  size_t n = strlen(text);
  int rc = (write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1) ? 0 : -1;
  if (close(fd) != 0) rc = -1;
  if (rc == 0 && rename(tmp, path) != 0) rc = -1;
  if (rc != 0) unlink(tmp);
  return rc;
}
