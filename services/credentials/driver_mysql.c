/* driver_mysql.c - real credentials on a MySQL-compatible server, through libmariadb.
 *
 * A create makes a database and a user of the same name (hg<id>_<6 random characters>, so a
 * fresh data directory pointed at an old server never collides) with a random password and
 * every privilege on that database only. kill ends the user's connections, in_use counts
 * them, drop kills, then drops the user and the database (IF EXISTS: drop is safe to repeat,
 * which the service's crash recovery relies on).
 *
 * Connections come from a small pool opened on demand, with short timeouts, so a server that
 * is down costs a caller at most the connect timeout. After a failed connect every call
 * answers KB_DRIVER_UNAVAILABLE at once for a second, rather than each waiting out its own
 * timeout. Every name and password that goes into SQL is checked against [a-z0-9_] /
 * [A-Za-z0-9] first, so no quoting problem can arise. A failed statement is logged with its
 * password replaced (script_t), so no log line holds one. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/secret.h"
#include "credentials/driver.h"

#define POOL 8
#define CONNECT_TIMEOUT_S 2
#define IO_TIMEOUT_S 5
#define DOWN_MS 1000
#define SALT_LEN 6
#define PASSWORD_LEN 20

typedef struct mysql_driver {
  kb_driver_t base; /* first: a kb_driver_t * is a mysql_driver_t * */
  char user[128], password[256], host[256];
  unsigned port;
  char public_host[256]; /* what credentials say */
  unsigned public_port;
  pthread_mutex_t mu;
  MYSQL *idle[POOL]; /* connected handles nobody uses */
  size_t n_idle;
  int64_t down_until_ms;
} mysql_driver_t;

/* %XX escapes decoded into out (n bytes, NUL-terminated); -1 when it does not fit or is bad. */
static int url_decode(const char *s, size_t len, char *out, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    int c = (unsigned char)s[i];
    if (c == '%') {
      if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
        return -1;
      char hex[3] = {s[i + 1], s[i + 2], '\0'};
      c = (int)strtol(hex, NULL, 16);
      i += 2;
    }
    if (o + 1 >= n || c == 0) return -1;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  return 0;
}

/* host[:port] into host (n bytes) and *port (3306 when absent). 0 or -1. */
static int parse_address(const char *s, char *host, size_t n, unsigned *port) {
  const char *colon = strrchr(s, ':');
  size_t hlen = colon ? (size_t)(colon - s) : strlen(s);
  if (hlen == 0 || hlen >= n || memchr(s, '/', hlen) || memchr(s, '@', hlen)) return -1;
  memcpy(host, s, hlen);
  host[hlen] = '\0';
  *port = 3306;
  if (colon) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || v == 0 || v > 65535) return -1;
    *port = (unsigned)v;
  }
  return 0;
}

/* mysql://user:password@host:port (port optional, default 3306). */
static int parse_dsn(mysql_driver_t *m, const char *dsn) {
  static const char scheme[] = "mysql://";
  if (strncmp(dsn, scheme, sizeof(scheme) - 1) != 0) return -1;
  const char *p = dsn + sizeof(scheme) - 1;
  const char *at = strrchr(p, '@');
  if (!at) return -1;
  const char *colon = memchr(p, ':', (size_t)(at - p));
  size_t ulen = colon ? (size_t)(colon - p) : (size_t)(at - p);
  if (ulen == 0 || url_decode(p, ulen, m->user, sizeof(m->user)) != 0) return -1;
  m->password[0] = '\0';
  if (colon &&
      url_decode(colon + 1, (size_t)(at - colon - 1), m->password, sizeof(m->password)) != 0)
    return -1;
  return parse_address(at + 1, m->host, sizeof(m->host), &m->port);
}

/* A client error (2000-2999: cannot connect, connection lost) or a server refusing us:
 * retrying later may work. */
static int failure(MYSQL *c) {
  unsigned e = mysql_errno(c);
  if ((e >= 2000 && e < 3000) || e == ER_CON_COUNT_ERROR || e == ER_ACCESS_DENIED_ERROR ||
      e == ER_DBACCESS_DENIED_ERROR || e == ER_SPECIFIC_ACCESS_DENIED_ERROR ||
      e == ER_SERVER_SHUTDOWN)
    return KB_DRIVER_UNAVAILABLE;
  return KB_DRIVER_FAILED;
}

static int is_lost(MYSQL *c) {
  unsigned e = mysql_errno(c);
  return e >= 2000 && e < 3000;
}

/* A connected handle from the pool or a new one; NULL (and *rc) when the server cannot be
 * reached. */
static MYSQL *acquire(mysql_driver_t *m, int *rc) {
  pthread_mutex_lock(&m->mu);
  MYSQL *c = m->n_idle ? m->idle[--m->n_idle] : NULL;
  int down = !c && hg_monotonic_us() / 1000 < m->down_until_ms;
  pthread_mutex_unlock(&m->mu);
  *rc = KB_DRIVER_UNAVAILABLE;
  if (c || down) return c;
  if (!(c = mysql_init(NULL))) return NULL;
  unsigned connect_timeout = CONNECT_TIMEOUT_S, io_timeout = IO_TIMEOUT_S;
  mysql_options(c, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(c, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_options(c, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  if (mysql_real_connect(c, m->host, m->user, m->password, NULL, m->port, NULL, 0)) return c;
  *rc = failure(c);
  HG_WARN("mysql", NULL, "cannot connect to %s:%u: %s", m->host, m->port, mysql_error(c));
  mysql_close(c);
  pthread_mutex_lock(&m->mu);
  m->down_until_ms = hg_monotonic_us() / 1000 + DOWN_MS;
  pthread_mutex_unlock(&m->mu);
  return NULL;
}

/* Back to the pool, or closed when it broke or the pool is full. */
static void release(mysql_driver_t *m, MYSQL *c, int broken) {
  pthread_mutex_lock(&m->mu);
  if (!broken && m->n_idle < POOL) {
    m->idle[m->n_idle++] = c;
    c = NULL;
  }
  pthread_mutex_unlock(&m->mu);
  if (c) mysql_close(c);
}

/* The statements of one operation on c, in a fixed-size buffer each, and each as a log line
 * may show it: a password goes to the server, never into a log. */
typedef struct script {
  char text[4][256], shown[4][256];
  const char *sql[4], *show[4];
  size_t n;
} script_t;

/* A statement whose second argument b is shown in logs as b_shown. */
static void add_as(script_t *s, const char *fmt, const char *a, const char *b,
                   const char *b_shown) {
  snprintf(s->text[s->n], sizeof(s->text[0]), fmt, a, b);
  snprintf(s->shown[s->n], sizeof(s->shown[0]), fmt, a, b_shown);
  s->sql[s->n] = s->text[s->n];
  s->show[s->n] = s->shown[s->n];
  s->n++;
}

static void add(script_t *s, const char *fmt, const char *a, const char *b) {
  add_as(s, fmt, a, b, b);
}

/* Runs the script's statements in order on one connection, stopping at the first failure,
 * except those whose error is in ignore (0-terminated); a failure is logged with the
 * statement as shown (script_t). When count is non-NULL the last statement is a SELECT
 * COUNT(*) whose value goes there. A connection lost before anything ran is retried once on
 * a fresh one (the server restarted since the pool was filled). */
static int run(mysql_driver_t *m, const script_t *s, const unsigned *ignore, long long *count) {
  const char *const *sql = s->sql;
  size_t n = s->n;
  for (int attempt = 0; attempt < 2; attempt++) {
    int rc;
    MYSQL *c = acquire(m, &rc);
    if (!c) return rc;
    size_t i = 0;
    for (; i < n; i++) {
      if (mysql_query(c, sql[i]) == 0) continue;
      unsigned e = mysql_errno(c);
      int ignored = 0;
      for (const unsigned *g = ignore; g && *g; g++) ignored |= (e == *g);
      if (!ignored) break;
    }
    if (i == n && count) {
      MYSQL_RES *res = mysql_store_result(c);
      MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
      if (row && row[0])
        *count = strtoll(row[0], NULL, 10);
      else
        i = n - 1;
      if (res) mysql_free_result(res);
    }
    if (i == n) {
      release(m, c, 0);
      return 0;
    }
    int lost = is_lost(c);
    rc = failure(c);
    HG_WARN("mysql", NULL, "%s: %s", s->show[i], mysql_error(c));
    release(m, c, lost);
    if (!(lost && i == 0)) return rc;
  }
  return KB_DRIVER_UNAVAILABLE;
}

static int safe_name(const char *s) {
  if (!s || !*s || strlen(s) > 64) return 0;
  return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

static int plan(kb_driver_t *d, const char *backend, const char *type, kb_creds_t *c,
                hg_arena_t *a) {
  (void)backend;
  (void)type;
  mysql_driver_t *m = (mysql_driver_t *)d;
  char salt[SALT_LEN + 1], *password = hg_arena_alloc(a, PASSWORD_LEN + 1);
  if (!password || hg_secret_text(hg_secret_lower_alnum, salt, SALT_LEN) != 0 ||
      hg_secret_text(hg_secret_alnum, password, PASSWORD_LEN) != 0)
    return -1;
  salt[SALT_LEN] = password[PASSWORD_LEN] = '\0';
  char *name = hg_arena_sprintf(a, "hg%s_%s", c->id, salt);
  c->hostname = hg_arena_strdup(a, m->public_host);
  if (!name || !c->hostname) return -1;
  c->_port_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___PORT_PORT;
  c->port = (int32_t)m->public_port;
  c->_db_case = HANGAR__CREDENTIALS__V1__CREDENTIALS___DB_DB;
  c->db = c->user = name;
  c->password = password;
  return 0;
}

static int drop(kb_driver_t *d, const kb_creds_t *c) {
  if (!safe_name(c->user) || !safe_name(c->db)) return KB_DRIVER_FAILED;
  script_t s = {.n = 0};
  add(&s, "KILL CONNECTION USER '%s'%s", c->user, "");
  add(&s, "DROP USER IF EXISTS '%s'@'%%'%s", c->user, "");
  add(&s, "DROP DATABASE IF EXISTS `%s`%s", c->db, "");
  /* KILL of a user that does not exist (any more) is not a failure of a drop. */
  static const unsigned ignore[] = {ER_NO_SUCH_THREAD, ER_CANNOT_USER, 0};
  return run((mysql_driver_t *)d, &s, ignore, NULL);
}

static int create(kb_driver_t *d, const kb_creds_t *c) {
  if (!safe_name(c->user) || !safe_name(c->db) ||
      strspn(c->password, hg_secret_alnum) != strlen(c->password))
    return KB_DRIVER_FAILED;
  script_t s = {.n = 0};
  add(&s, "CREATE DATABASE `%s`%s", c->db, "");
  add_as(&s, "CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", c->user, c->password, "<password>");
  add(&s, "GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'%%'", c->db, c->user);
  return run((mysql_driver_t *)d, &s, NULL, NULL);
}

static int kill_user(kb_driver_t *d, const kb_creds_t *c) {
  if (!safe_name(c->user)) return KB_DRIVER_FAILED;
  script_t s = {.n = 0};
  add(&s, "KILL CONNECTION USER '%s'%s", c->user, "");
  static const unsigned ignore[] = {ER_NO_SUCH_THREAD, 0};
  return run((mysql_driver_t *)d, &s, ignore, NULL);
}

static int in_use(kb_driver_t *d, const kb_creds_t *c, int *out) {
  if (!safe_name(c->user)) return KB_DRIVER_FAILED;
  script_t s = {.n = 0};
  add(&s, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '%s'%s", c->user, "");
  long long n = 0;
  int rc = run((mysql_driver_t *)d, &s, NULL, &n);
  *out = rc == 0 && n > 0;
  return rc;
}

static void free_driver(kb_driver_t *d) {
  mysql_driver_t *m = (mysql_driver_t *)d;
  for (size_t i = 0; i < m->n_idle; i++) mysql_close(m->idle[i]);
  pthread_mutex_destroy(&m->mu);
  free(m);
  mysql_library_end();
}

kb_driver_t *kb_driver_mysql(const char *dsn, const char *public, char *why, size_t why_len) {
  mysql_driver_t *m = calloc(1, sizeof(*m));
  if (!m) {
    snprintf(why, why_len, "out of memory");
    return NULL;
  }
  if (parse_dsn(m, dsn) != 0) {
    snprintf(why, why_len, "expected mysql://user:password@host:port");
    free(m);
    return NULL;
  }
  if (!public[0]) {
    snprintf(m->public_host, sizeof(m->public_host), "%s", m->host);
    m->public_port = m->port;
  } else if (parse_address(public, m->public_host, sizeof(m->public_host), &m->public_port)) {
    snprintf(why, why_len, "expected a public address host:port");
    free(m);
    return NULL;
  }
  if (mysql_library_init(0, NULL, NULL) != 0) {
    snprintf(why, why_len, "cannot initialise libmariadb");
    free(m);
    return NULL;
  }
  pthread_mutex_init(&m->mu, NULL);
  m->base = (kb_driver_t){
      .name = "mysql",
      .records_only = 0,
      .plan = plan,
      .create = create,
      .drop = drop,
      .kill = kill_user,
      .in_use = in_use,
      .free = free_driver,
  };
  return &m->base;
}
