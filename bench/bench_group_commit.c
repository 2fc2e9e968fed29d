/* bench_group_commit.c - what group commit buys for durable writes.
 *
 * Usage: bench_group_commit [seconds] [clients]   (defaults: 5 s, 64 clients)
 *
 * Each client thread loops on store_write() of a create like a service does one: a ~200 byte
 * record in one of 8 groups with a unique name and a fresh resourceVersion, committed
 * durably. The run is repeated with no_group_commit (one fsync per write), the baseline,
 * and the two rates and their ratio are printed. Stores live in fresh directories under
 * $TMPDIR (default /tmp), which should be on a real disk for the fsyncs to mean anything.
 *
 * Because a closed-loop writer has one write in flight, a batch holds at most `clients`
 * writes and lasts at least one durable commit, so clients / commit time bounds the rate
 * whatever the CPU does. The run measures that bound too: the disk's own latency for a 4 KiB
 * write + fdatasync in the same directory (an LMDB commit syncs twice: data, then meta), its
 * durable bandwidth (4 MiB + fdatasync), and per mode the store's mean batch size and commit
 * time (its metrics) and the bytes written per create (/proc/self/io): a copy-on-write
 * B-tree writes every page a batch touched, so a commit is as slow as those bytes. */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/workload.h"
#include "common/buf.h"

/* What one mode measured: its rate and, from the store's metrics, its batches. */
typedef struct result {
  double rate;          /* creates per second, -1 when the run failed */
  double batch_writes;  /* mean writes per batch */
  double commit_ms;     /* mean durable commit per batch */
  double kib_per_write; /* bytes the process wrote to disk per create, KiB; 0: unknown */
} result_t;

/* Bytes this process has caused to be written to storage (Linux /proc/self/io), or -1. */
static double disk_written(void) {
  FILE *f = fopen("/proc/self/io", "r");
  char line[128];
  double bytes = -1;
  while (f && fgets(line, sizeof(line), f))
    if (strncmp(line, "write_bytes: ", 13) == 0) bytes = strtod(line + 13, NULL);
  if (f) fclose(f);
  return bytes;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* The value of the sample `name` (a whole line's first word) in Prometheus text, or 0. */
static double sample(const char *text, const char *name) {
  size_t n = strlen(name);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (strncmp(p, name, n) == 0 && p[n] == ' ') return strtod(p + n + 1, NULL);
  return 0;
}

/* Mean batch size and commit time of the store so far, read from its metrics. */
static void batch_stats(store_t *s, result_t *r) {
  hg_buf_t text = HG_BUF_INIT;
  if (store_metrics(s, &text) == 0 && hg_buf_putc(&text, '\0') == 0) {
    double batches = sample(text.p, "hangar_store_commit_batch_writes_count");
    if (batches > 0) {
      r->batch_writes = sample(text.p, "hangar_store_commit_batch_writes_sum") / batches;
      r->commit_ms = sample(text.p, "hangar_store_commit_duration_seconds_sum") * 1e3 / batches;
    }
  }
  hg_buf_free(&text);
}

/* The disk's durable write latency where the stores live: `samples` rewrites of `bytes` at
 * offset 0, each followed by fdatasync. *median and *p90 in ms; -1 when it could not
 * measure. */
static int disk_sync_ms(size_t bytes, int samples, double *median, double *p90) {
  const char *tmp = getenv("TMPDIR");
  char path[4096];
  char *block = malloc(bytes);
  double *ms = calloc((size_t)samples, sizeof(*ms));
  int fd = -1, done = 0;
  snprintf(path, sizeof(path), "%s/hangar-sync-XXXXXX", tmp ? tmp : "/tmp");
  if (block && ms && (fd = mkstemp(path)) >= 0) {
    memset(block, 'x', bytes);
    unlink(path);
    for (; done < samples; done++) {
      double t0 = bench_now();
      if (pwrite(fd, block, bytes, 0) != (ssize_t)bytes || fdatasync(fd) != 0) break;
      ms[done] = (bench_now() - t0) * 1e3;
    }
    close(fd);
  }
  if (done == samples) {
    qsort(ms, (size_t)samples, sizeof(*ms), bench_cmp_double);
    *median = ms[samples / 2];
    *p90 = ms[samples * 9 / 10];
  }
  free(ms);
  free(block);
  return done == samples ? 0 : -1;
}

/* Runs clients for seconds against a fresh store. */
static result_t measure(int no_group_commit, int seconds, int clients) {
  const char *tmp = getenv("TMPDIR");
  char dir[4096];
  store_opts_t opts = {.no_group_commit = no_group_commit};
  store_t *s = NULL;
  bench_writer_t *w = calloc((size_t)clients, sizeof(*w));
  bench_run_t run;
  result_t r = {-1, 0, 0, 0};
  double written;
  int rc;
  snprintf(dir, sizeof(dir), "%s/hangar-bench-XXXXXX", tmp ? tmp : "/tmp");
  if (!w || !mkdtemp(dir)) goto out;
  if ((rc = store_open(dir, &bench_schema, &opts, &s)) != 0) {
    fprintf(stderr, "store_open %s: %s\n", dir, store_strerror(rc));
    goto out;
  }
  written = disk_written();
  if (bench_run_writers(s, w, clients, seconds, &run) != 0) goto out;
  r.rate = (double)run.created / run.seconds;
  if (written >= 0 && run.created > 0)
    r.kib_per_write = (disk_written() - written) / 1024 / (double)run.created;
  batch_stats(s, &r);
  if (run.failed) fprintf(stderr, "%lu writes failed\n", run.failed);
out:
  if (s) store_close(s);
  nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
  free(w);
  return r;
}

static void report(const char *mode, const result_t *r) {
  printf("%-16s %10.0f creates/s  (%.1f writes/batch, commit %.2f ms, %.1f KiB written/create)\n",
         mode, r->rate, r->batch_writes, r->commit_ms, r->kib_per_write);
}

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 5, clients = argc > 2 ? atoi(argv[2]) : 64;
  if (seconds <= 0 || clients <= 0) {
    fprintf(stderr, "usage: %s [seconds] [clients]\n", argv[0]);
    return 2;
  }
  printf("durable creates, %d clients, %d s each\n", clients, seconds);
  double median, p90;
  if (disk_sync_ms(4096, 200, &median, &p90) == 0)
    printf("disk:            4 KiB write + fdatasync: median %.2f ms, p90 %.2f ms\n", median, p90);
  if (disk_sync_ms((size_t)4 << 20, 20, &median, &p90) == 0)
    printf("disk:            4 MiB write + fdatasync: median %.1f ms (%.0f MiB/s)\n", median,
           4 / median * 1e3);
  result_t grouped = measure(0, seconds, clients);
  report("group commit:", &grouped);
  result_t single = measure(1, seconds, clients);
  report("no group commit:", &single);
  if (grouped.rate <= 0 || single.rate <= 0) return 1;
  printf("ratio:           %10.1fx\n", grouped.rate / single.rate);
  /* One write per client per batch, each batch at least one commit long. */
  if (grouped.commit_ms > 0)
    printf("bound:           %10.0f creates/s  (%d clients / %.2f ms commit)\n",
           clients / grouped.commit_ms * 1e3, clients, grouped.commit_ms);
  return 0;
}
