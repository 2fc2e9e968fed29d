/* store_metrics.c - what an operator watches of a store: how full it is, how long the
 * durable commits take, how well group commit batches, and how many writes are waiting.
 *
 * The histograms are counted by the writer thread (store_writer.c); the gauges are read at
 * scrape time, so a scrape costs one read transaction (the free list) and a moment under
 * the queue's lock. */
#include "storage/store_internal.h"

/* Commit time in microseconds: an fsync on a local disk takes from a few hundred
 * microseconds to tens of milliseconds. */
static const uint64_t commit_us[] = {250,   500,    1000,   2500,   5000,    10000,  25000,
                                     50000, 100000, 250000, 500000, 1000000, 2500000};
static const prom_buckets_t commit_buckets = {commit_us, sizeof(commit_us) / sizeof(commit_us[0]),
                                              6};
/* Writes per batch, up to the default batch_max (256). */
static const uint64_t batch_n[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
static const prom_buckets_t batch_buckets = {batch_n, sizeof(batch_n) / sizeof(batch_n[0]), 0};

#define USED "hangar_store_used_bytes"
#define MAP "hangar_store_map_size_bytes"
#define QUEUE "hangar_store_write_queue_depth"
#define COMMIT "hangar_store_commit_duration_seconds"
#define BATCH "hangar_store_commit_batch_writes"

void store__metrics_init(store_t *s) {
  prom_histogram_init(&s->commit_us, &commit_buckets);
  prom_histogram_init(&s->batch_writes, &batch_buckets);
}

static uint64_t queue_depth(store_t *s) {
  pthread_mutex_lock(&s->mu);
  int n = s->queued_n;
  pthread_mutex_unlock(&s->mu);
  return n > 0 ? (uint64_t)n : 0;
}

int store_metrics(void *store, hg_buf_t *out) {
  store_t *s = store;
  size_t used, map;
  int rc = s->eng->space_used(s, &used, &map);
  /* An engine that cannot tell its size (etcd) has no such gauges: none beats a made-up 0. */
  if (rc != 0 && rc != STORE_EINVAL) return -1;
  if (rc == 0) {
    rc = prom_family(out, USED, "gauge",
                     "Bytes of the store in use: pages below the high-water mark less the "
                     "free list.");
    rc |= prom_sample(out, USED, NULL, 0, used);
    rc |= prom_family(out, MAP, "gauge", "Largest size of the store (--map-size), in bytes.");
    rc |= prom_sample(out, MAP, NULL, 0, map);
  } else {
    rc = 0;
  }
  rc |= prom_family(out, QUEUE, "gauge", "Writes queued for the store's writer thread.");
  rc |= prom_sample(out, QUEUE, NULL, 0, queue_depth(s));
  rc |= prom_family(out, COMMIT, "histogram",
                    "Time to commit one group-commit batch durably (fsync included), seconds.");
  rc |= prom_histogram_render(out, COMMIT, NULL, 0, &s->commit_us);
  rc |= prom_family(out, BATCH, "histogram", "Writes committed together in one batch.");
  rc |= prom_histogram_render(out, BATCH, NULL, 0, &s->batch_writes);
  return rc ? -1 : 0;
}
