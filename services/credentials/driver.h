/* driver.h - where credentials become real: the interface every backend driver implements.
 *
 * credentials-svc stores a record before a driver creates anything and removes it only after
 * the driver has dropped everything (credentials.h), so a driver's create and drop must be
 * safe to repeat: drop of something half-made or already gone succeeds.
 *
 * Two drivers exist:
 *  - driver_mysql.c: real databases and users on a MySQL-compatible server (libmariadb);
 *  - driver_record.c: records credentials and provisions NOTHING, for snowflake,
 *    redshift-workspace and docker, which have no target reachable here. A real Snowflake,
 *    Redshift or container driver implements this interface and replaces it in main.c.
 * Threads: every function from any worker thread at once; a driver guards its own state. */
#ifndef HANGAR_CREDS_DRIVER_H
#define HANGAR_CREDS_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "hangar/credentials/v1/provisioning.pb-c.h"

typedef Hangar__Credentials__V1__Credentials kb_creds_t;

/* Driver results besides 0. */
#define KB_DRIVER_UNAVAILABLE (-1) /* the backend cannot be reached or refused: retry later */
#define KB_DRIVER_FAILED (-2)      /* the backend answered with an error */

typedef struct kb_driver kb_driver_t;
struct kb_driver {
  const char *name; /* for logs: "mysql", "record-only" */
  /* 1: create/drop/kill touch nothing outside the record, so a create needs no two-step
   * record (credentials.h) and a records-only backend never answers 503. */
  int records_only;
  /* Fills c (id already set) with what the new credentials will be: host, port, names, a
   * fresh password. No side effects. Strings in a. 0 or -1 (no memory / no randomness). */
  int (*plan)(kb_driver_t *d, const char *backend, const char *type, kb_creds_t *c, hg_arena_t *a);
  /* Makes c real. 0 or KB_DRIVER_*; on failure part of c may exist, or appear later (a
   * statement a stalled server still runs): the service drops it. */
  int (*create)(kb_driver_t *d, const kb_creds_t *c);
  /* Removes whatever of c exists (its connections too). 0 or KB_DRIVER_*. */
  int (*drop)(kb_driver_t *d, const kb_creds_t *c);
  /* Ends c's connections and running work. 0 or KB_DRIVER_*. */
  int (*kill)(kb_driver_t *d, const kb_creds_t *c);
  /* *in_use = 1 while c has a connection. 0 or KB_DRIVER_*. */
  int (*in_use)(kb_driver_t *d, const kb_creds_t *c, int *in_use);
  void (*free)(kb_driver_t *d);
};

/* A MySQL/MariaDB driver for the server at dsn, "mysql://user:password@host:port" (an account
 * allowed to create databases and users); connections are opened lazily, so the server may
 * be down at start. Credentials name public ("host:port"), or the DSN's host and port when
 * public is empty: the address clients reach the server at (a container's name is not).
 * NULL with why[] filled for a DSN or an address that does not parse. */
kb_driver_t *kb_driver_mysql(const char *dsn, const char *public, char *why, size_t why_len);

/* The records-only driver: credentials whose hostname ends in ".invalid" (RFC 2606), which
 * nothing answers. */
kb_driver_t *kb_driver_record(void);

#endif
