/* etcd_member.h - one real etcd member (Debian's etcd-server, /usr/bin/etcd) for a test:
 * a single-member cluster on two free loopback ports, its data in a fresh temp dir.
 *
 * The member is a child of the calling process, started with PR_SET_PDEATHSIG so that it
 * dies with the test process even when that is killed (a ctest timeout); etcd_member_stop()
 * kills it and removes its directory. Start and stop it from the Check runner's process (an
 * unchecked fixture), so that a failing test, which ends only its own forked process, never
 * skips the stop. Threads: the test's main thread. */
#ifndef HANGAR_TEST_ETCD_MEMBER_H
#define HANGAR_TEST_ETCD_MEMBER_H

#include <sys/types.h>

/* The member's limits on one request, as scripts/etcd-local's: a store on it is told them
 * (a store spec's ?ETCD_MEMBER_LIMITS, or store_opts_t) to fill a Txn up to them. */
#define ETCD_MEMBER_MAX_TXN_OPS "4096"
#define ETCD_MEMBER_MAX_REQUEST_BYTES "10485760"
#define ETCD_MEMBER_LIMITS                                                                         \
  "max-txn-ops=" ETCD_MEMBER_MAX_TXN_OPS "&max-request-bytes=" ETCD_MEMBER_MAX_REQUEST_BYTES

typedef struct etcd_member {
  pid_t pid;
  char dir[64];    /* temp dir: data/ and etcd.log */
  char client[64]; /* "127.0.0.1:PORT": the address a client is given */
  char peer[64];   /* "127.0.0.1:PORT" */
} etcd_member_t;

/* Starts the member and waits until it serves a linearizable read (a bounded wait: 30 s, or
 * until etcd exits, when its log is printed). 0, or -1 with nothing left running. */
int etcd_member_start(etcd_member_t *m);
/* SIGKILL, reap, remove the directory. Safe on a member that never started. */
void etcd_member_stop(etcd_member_t *m);
/* "127.0.0.1:PORT" of a loopback port nothing listens on (bound, then closed). */
int etcd_member_free_port(char *out, size_t n);

#endif
