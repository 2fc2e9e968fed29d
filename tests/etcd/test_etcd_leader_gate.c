/* test_etcd_leader_gate.c - storage/etcd_leader_gate.c: background threads gated on one
 * election key, on a real etcd member: passes run on one campaigner at a time; a stopped
 * leader hands over at once, a killed one (another process, SIGKILL) once its lease ends. */
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "etcd_fixture.h"
#include "storage/etcd_leader_gate.h"

#define TTL_S 2 /* etcd's smallest lease TTL with its default heartbeat and election ticks */

typedef struct worker {
  etcd_leader_gate_t *gate;
  hg_background_t *bg;
  atomic_int passes;
  atomic_int *running; /* shared by the workers of a test: passes running right now */
  atomic_int *overlaps;
  int fd; /* >= 0: each pass writes a byte here (the child process's worker) */
} worker_t;

static int64_t pass(hg_background_t *bg, void *arg) {
  worker_t *w = arg;
  (void)bg;
  if (w->running && atomic_fetch_add(w->running, 1) != 0) atomic_fetch_add(w->overlaps, 1);
  atomic_fetch_add(&w->passes, 1);
  if (w->fd >= 0 && write(w->fd, "p", 1) != 1) _exit(3);
  nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
  if (w->running) atomic_fetch_sub(w->running, 1);
  return 50;
}

static void worker_start(worker_t *w, const char *key) {
  ck_assert_msg(member_started, "the etcd member did not start (its log is above)");
  ck_assert_int_eq(etcd_leader_gate_new(member.client, key, TTL_S, &w->gate), 0);
  ck_assert_int_eq(hg_background_start_gated(pass, w, 0, etcd_leader_gate(w->gate), &w->bg), 0);
}

static void worker_stop(worker_t *w) {
  hg_background_stop(w->bg);
  etcd_leader_gate_destroy(w->gate);
  w->bg = NULL;
  w->gate = NULL;
}

/* Waits (bounded) until w has run n passes; its count. */
static int wait_passes(worker_t *w, int n, int64_t max_ms) {
  int64_t until = hg_monotonic_ms() + max_ms;
  while (atomic_load(&w->passes) < n && hg_monotonic_ms() < until)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  return atomic_load(&w->passes);
}

START_TEST(test_one_of_two_runs_the_passes_and_a_stop_hands_over) {
  atomic_int running = 0, overlaps = 0;
  worker_t x = {.running = &running, .overlaps = &overlaps, .fd = -1};
  worker_t y = {.running = &running, .overlaps = &overlaps, .fd = -1};
  worker_start(&x, "leader/handover");
  ck_assert_int_ge(wait_passes(&x, 3, 10000), 3);
  worker_start(&y, "leader/handover");
  /* y campaigns every TTL/3 while x renews: over several of its checks it never runs */
  int x_then = atomic_load(&x.passes);
  ck_assert_int_ge(wait_passes(&x, x_then + 60, 20000), x_then + 60);
  ck_assert_int_eq(atomic_load(&y.passes), 0);
  ck_assert_int_eq(hg_background_holding(y.bg), 0);
  worker_stop(&x); /* resigns: y takes over at its next check, not a TTL later */
  ck_assert_int_ge(wait_passes(&y, 3, 10000), 3);
  ck_assert_int_eq(hg_background_holding(y.bg), 1);
  worker_stop(&y);
  ck_assert_int_eq(atomic_load(&overlaps), 0);
}
END_TEST

START_TEST(test_a_killed_leader_is_replaced_once_its_lease_ends) {
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) { /* the leader replica: runs until killed */
    close(fds[0]);
    worker_t w = {.fd = fds[1]};
    worker_start(&w, "leader/killed");
    for (;;) pause();
  }
  close(fds[1]);
  char b;
  ck_assert_int_eq(read(fds[0], &b, 1), 1); /* the child leads and runs */
  worker_t y = {.fd = -1};
  worker_start(&y, "leader/killed");
  for (int i = 0; i < 20; i++) ck_assert_int_eq(read(fds[0], &b, 1), 1); /* 20 passes more */
  ck_assert_int_eq(atomic_load(&y.passes), 0);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  int64_t killed = hg_monotonic_ms();
  ck_assert_int_ge(wait_passes(&y, 1, 20000), 1);
  int64_t took = hg_monotonic_ms() - killed;
  /* No resign came: the key lived until the child's lease expired. */
  ck_assert_msg(took <= (TTL_S + 2) * 1000, "took over after %lld ms", (long long)took);
  worker_stop(&y);
  close(fds[0]);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("etcd_leader_gate", test_one_of_two_runs_the_passes_and_a_stop_hands_over,
                 test_a_killed_leader_is_replaced_once_its_lease_ends);
}
