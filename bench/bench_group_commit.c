/* bench_group_commit.c - what group commit buys for durable writes.
 *
 * Usage: bench_group_commit [seconds] [clients]   (defaults: 5 s, 64 clients)
 *
 * Each client thread loops on store_write() of a create like a service does one: a ~200 byte
 * record in one of 8 groups with a unique name and a fresh resourceVersion, committed
 * durably. The run is repeated with no_group_commit (one fsync per write), the baseline,
 * and the two rates and their ratio are printed. Stores live in fresh directories under
 * $TMPDIR (default /tmp), which should be on a real disk for the fsyncs to mean anything. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/store.h"

#define N_GROUPS 8
#define RECORD_BYTES 200

static const store_index_def_t indexes[] = {{"name", STORE_INDEX_UNIQUE}};
static const store_table_def_t tables[] = {
    {.name = "resources", .grouped = 1, .indexes = indexes, .n_indexes = 1}};
static const store_schema_t schema = {tables, 1};

typedef struct run {
  store_t *s;
  atomic_int stop;
  atomic_ulong creates;
  atomic_ulong failures;
} run_t;

typedef struct client {
  run_t *run;
  int id;
} client_t;

typedef struct create {
  char key[32], group[16], value[RECORD_BYTES];
} create_t;

static int do_create(store_txn_t *txn, void *arg) {
  create_t *c = arg;
  uint64_t version;
  int rc = store_next_version(txn, &version);
  if (rc != 0) return rc;
  memcpy(c->value, &version, sizeof(version));
  store_keys_t keys = {.group = {c->group, strlen(c->group)}, .index = {{c->key, strlen(c->key)}}};
  return store_put(txn, 0, (store_val_t){c->key, strlen(c->key)},
                   (store_val_t){c->value, sizeof(c->value)}, &keys, STORE_PUT_NOOVERWRITE);
}

static void *client_main(void *arg) {
  client_t *cl = arg;
  create_t c;
  memset(c.value, 'x', sizeof(c.value));
  snprintf(c.group, sizeof(c.group), "project-%d", cl->id % N_GROUPS);
  for (unsigned long i = 0; !atomic_load(&cl->run->stop); i++) {
    snprintf(c.key, sizeof(c.key), "res-%03d-%09lu", cl->id, i);
    if (store_write(cl->run->s, do_create, &c) == 0)
      atomic_fetch_add(&cl->run->creates, 1);
    else
      atomic_fetch_add(&cl->run->failures, 1);
  }
  return NULL;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* Runs clients for seconds against a fresh store; returns creates per second, or -1. */
static double measure(int no_group_commit, int seconds, int clients) {
  const char *tmp = getenv("TMPDIR");
  char dir[4096];
  store_opts_t opts = {.no_group_commit = no_group_commit};
  run_t run = {0};
  pthread_t *th = calloc((size_t)clients, sizeof(*th));
  client_t *cl = calloc((size_t)clients, sizeof(*cl));
  double rate = -1, t0;
  int started = 0, rc;
  snprintf(dir, sizeof(dir), "%s/hangar-bench-XXXXXX", tmp ? tmp : "/tmp");
  if (!th || !cl || !mkdtemp(dir)) goto out;
  if ((rc = store_open(dir, &schema, &opts, &run.s)) != 0) {
    fprintf(stderr, "store_open %s: %s\n", dir, store_strerror(rc));
    goto out;
  }
  t0 = now();
  for (; started < clients; started++) {
    cl[started] = (client_t){&run, started};
    if (pthread_create(&th[started], NULL, client_main, &cl[started]) != 0) break;
  }
  nanosleep(&(struct timespec){.tv_sec = seconds}, NULL);
  atomic_store(&run.stop, 1);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  rate = (double)atomic_load(&run.creates) / (now() - t0);
  unsigned long failed = atomic_load(&run.failures);
  if (failed) fprintf(stderr, "%lu writes failed\n", failed);
out:
  if (run.s) store_close(run.s);
  nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
  free(cl);
  free(th);
  return rate;
}

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 5, clients = argc > 2 ? atoi(argv[2]) : 64;
  if (seconds <= 0 || clients <= 0) {
    fprintf(stderr, "usage: %s [seconds] [clients]\n", argv[0]);
    return 2;
  }
  printf("durable creates, %d clients, %d s each\n", clients, seconds);
  double grouped = measure(0, seconds, clients);
  printf("group commit:    %10.0f creates/s\n", grouped);
  double single = measure(1, seconds, clients);
  printf("no group commit: %10.0f creates/s\n", single);
  if (grouped <= 0 || single <= 0) return 1;
  printf("ratio:           %10.1fx\n", grouped / single);
  return 0;
}
