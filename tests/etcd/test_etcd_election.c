/* test_etcd_election.c - storage/etcd_election.c with two campaigners on a real etcd member:
 * exactly one leads; when the leader's lease is revoked (a killed leader's lease, ended
 * early), resigns, or simply stops renewing, the other takes over, and never while the old
 * leader's lease still lives. */
#include <time.h>

#include "etcd_fixture.h"
#include "storage/etcd_election.h"

#define TTL_S 2 /* etcd's smallest lease TTL with its default heartbeat and election ticks */

static etcd_election_t *campaigner(etcd_client_t *c, const char *key, const char *id) {
  etcd_election_t *e = NULL;
  ck_assert_int_eq(etcd_election_new(c, key, id, TTL_S, &e), 0);
  return e;
}

static int step(etcd_election_t *e) {
  int leading = -1;
  etcd_err_t err = {0};
  int rc = etcd_election_step(e, &leading, &err);
  ck_assert_msg(rc == 0, "step: %s (%s)", etcd_err_name(rc), err.message);
  return leading;
}

/* The leader etcd shows for key, or "" when none; its term in *term. */
static const char *leader_of(etcd_client_t *c, const char *key, hg_arena_t *a, int64_t *term) {
  hg_str_t who;
  int found = 0;
  ck_assert_int_eq(etcd_election_leader(c, key, a, &who, term, &found, NULL), 0);
  return found ? hg_arena_strndup(a, who.p, who.n) : "";
}

START_TEST(test_one_of_two_campaigners_leads) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  etcd_election_t *x = campaigner(c, "elect/one", "x"), *y = campaigner(c, "elect/one", "y");
  int64_t term;
  ck_assert_str_eq(leader_of(c, "elect/one", a, &term), "");
  ck_assert_int_eq(step(x), 1);
  ck_assert_int_eq(step(y), 0);
  ck_assert_int_eq(step(x), 1); /* a leader stays leader across steps */
  ck_assert_int_eq(etcd_election_leading(x), 1);
  ck_assert_int_eq(etcd_election_leading(y), 0);
  ck_assert_str_eq(leader_of(c, "elect/one", a, &term), "x");
  ck_assert_int_eq(etcd_election_resign(x, NULL), 0);
  etcd_election_destroy(x);
  etcd_election_resign(y, NULL);
  etcd_election_destroy(y);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_revoked_leader_lease_hands_over) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  etcd_election_t *x = campaigner(c, "elect/revoke", "x"), *y = campaigner(c, "elect/revoke", "y");
  int64_t term_x, term_y;
  ck_assert_int_eq(step(x), 1);
  ck_assert_int_eq(step(y), 0);
  ck_assert_str_eq(leader_of(c, "elect/revoke", a, &term_x), "x");
  /* x's lease ends now, as it would TTL seconds after x was killed. */
  ck_assert_int_eq(etcd_lease_revoke(c, etcd_election_lease(x), NULL), 0);
  ck_assert_int_eq(step(y), 1);
  ck_assert_str_eq(leader_of(c, "elect/revoke", a, &term_y), "y");
  ck_assert_int_gt(term_y, term_x);
  /* x comes back: its lease is gone, it gets a new one, and it follows. */
  ck_assert_int_eq(step(x), 0);
  ck_assert_int_eq(etcd_election_leading(x), 0);
  etcd_election_resign(x, NULL);
  etcd_election_resign(y, NULL);
  etcd_election_destroy(x);
  etcd_election_destroy(y);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_resign_hands_over_at_once) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  etcd_election_t *x = campaigner(c, "elect/resign", "x"), *y = campaigner(c, "elect/resign", "y");
  int64_t term;
  ck_assert_int_eq(step(x), 1);
  ck_assert_int_eq(step(y), 0);
  ck_assert_int_eq(etcd_election_resign(x, NULL), 0);
  ck_assert_int_eq(etcd_election_leading(x), 0);
  ck_assert_str_eq(leader_of(c, "elect/resign", a, &term), "");
  ck_assert_int_eq(step(y), 1);
  ck_assert_str_eq(leader_of(c, "elect/resign", a, &term), "y");
  etcd_election_resign(y, NULL);
  etcd_election_destroy(x);
  etcd_election_destroy(y);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_abandoned_leader_is_replaced_after_its_lease_expires) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  etcd_election_t *x = campaigner(c, "elect/abandon", "x"),
                  *y = campaigner(c, "elect/abandon", "y");
  ck_assert_int_eq(step(x), 1);
  int64_t x_lease = etcd_election_lease(x);
  etcd_election_destroy(x); /* killed: no resign, no more renewals */
  /* y steps as a worker would, every TTL/3, for at most 10 TTLs. */
  int leading = 0;
  for (int i = 0; i < 30 && !leading; i++) {
    leading = step(y);
    if (!leading) nanosleep(&(struct timespec){0, TTL_S * 1000L * 1000 * 1000 / 3}, NULL);
  }
  ck_assert_int_eq(leading, 1);
  /* Never two leaders: by the time y leads, x's lease is gone. */
  int64_t ttl = 0;
  ck_assert_int_eq(etcd_lease_keepalive_once(c, x_lease, &ttl, NULL), ETCD_ELEASE_NOTFOUND);
  int64_t term;
  ck_assert_str_eq(leader_of(c, "elect/abandon", a, &term), "y");
  etcd_election_resign(y, NULL);
  etcd_election_destroy(y);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("etcd_election", test_one_of_two_campaigners_leads,
                 test_revoked_leader_lease_hands_over, test_resign_hands_over_at_once,
                 test_abandoned_leader_is_replaced_after_its_lease_expires);
}
