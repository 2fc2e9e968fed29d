/* etcd_member.c - a real etcd member for tests (etcd_member.h). */
#include "etcd_member.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ETCD_BIN "/usr/bin/etcd"
#define READY_TRIES 600 /* x 50 ms */

int etcd_member_free_port(char *out, size_t n) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  int rc = fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
                   getsockname(fd, (struct sockaddr *)&sa, &len) != 0
               ? -1
               : 0;
  if (fd >= 0) close(fd);
  if (rc == 0) snprintf(out, n, "127.0.0.1:%d", ntohs(sa.sin_port));
  return rc;
}

static void exec_etcd(const etcd_member_t *m, pid_t parent) {
  char data[128], log[128], client_url[96], peer_url[96], cluster[128];
  snprintf(data, sizeof data, "%s/data", m->dir);
  snprintf(log, sizeof log, "%s/etcd.log", m->dir);
  snprintf(client_url, sizeof client_url, "http://%s", m->client);
  snprintf(peer_url, sizeof peer_url, "http://%s", m->peer);
  snprintf(cluster, sizeof cluster, "test=%s", peer_url);
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  /* Dies with the test process; if that already died, the parent is someone else now. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(126);
  execl(ETCD_BIN, ETCD_BIN, "--name", "test", "--data-dir", data, "--listen-client-urls",
        client_url, "--advertise-client-urls", client_url, "--listen-peer-urls", peer_url,
        "--initial-advertise-peer-urls", peer_url, "--initial-cluster", cluster,
        "--initial-cluster-state", "new", "--max-txn-ops", ETCD_MEMBER_MAX_TXN_OPS,
        "--max-request-bytes", ETCD_MEMBER_MAX_REQUEST_BYTES, (char *)NULL);
  _exit(127);
}

static void print_log(const etcd_member_t *m) {
  char path[128], line[512];
  snprintf(path, sizeof path, "%s/etcd.log", m->dir);
  FILE *f = fopen(path, "r");
  if (!f) return;
  while (fgets(line, sizeof line, f)) fprintf(stderr, "etcd: %s", line);
  fclose(f);
}

/* etcd's /health over plain HTTP on the client port: {"health":"true"} once the member
 * has a leader and serves. Raw HTTP, not the gRPC client: the runner's process forks every
 * test, and gRPC must not have started in a process that forks. 1 healthy, 0 not yet. */
static int healthy(const etcd_member_t *m) {
  const char *colon = strrchr(m->client, ':');
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)atoi(colon + 1)),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  static const char req[] = "GET /health HTTP/1.0\r\n\r\n";
  char buf[1024];
  size_t got = 0;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
      write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)) {
    ssize_t r;
    while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
      got += (size_t)r;
  }
  close(fd);
  buf[got] = '\0';
  return strstr(buf, "\"health\":\"true\"") != NULL;
}

static int wait_ready(etcd_member_t *m) {
  for (int i = 0; i < READY_TRIES; i++) {
    if (healthy(m)) return 0;
    if (waitpid(m->pid, NULL, WNOHANG) == m->pid) {
      m->pid = 0;
      return -1;
    }
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
  }
  return -1;
}

int etcd_member_start(etcd_member_t *m) {
  memset(m, 0, sizeof *m);
  snprintf(m->dir, sizeof m->dir, "/tmp/hangar-etcd-XXXXXX");
  if (!mkdtemp(m->dir)) return -1;
  if (etcd_member_free_port(m->client, sizeof m->client) != 0 ||
      etcd_member_free_port(m->peer, sizeof m->peer) != 0) {
    etcd_member_stop(m);
    return -1;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) exec_etcd(m, parent);
  m->pid = pid > 0 ? pid : 0;
  if (pid < 0 || wait_ready(m) != 0) {
    print_log(m);
    etcd_member_stop(m);
    return -1;
  }
  return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

void etcd_member_stop(etcd_member_t *m) {
  if (m->pid > 0) {
    kill(m->pid, SIGKILL);
    while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    m->pid = 0;
  }
  if (m->dir[0]) nftw(m->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
  m->dir[0] = '\0';
}
