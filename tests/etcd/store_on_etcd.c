/* store_on_etcd.c - runs a storage unit test (argv[1] and its arguments) on the etcd engine:
 * starts one etcd member (etcd_member.h), hands its address to the test in
 * HANGAR_TEST_STORE_ETCD (tests/unit/test_store_engine.h), waits for the test and stops the
 * member, even when the test fails. Exits with the test's status. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "etcd_member.h"

int main(int argc, char **argv) {
  etcd_member_t m;
  int status = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: store_on_etcd TEST [ARGS...]\n");
    return 2;
  }
  if (etcd_member_start(&m) != 0) return 1;
  setenv("HANGAR_TEST_STORE_ETCD", m.client, 1);
  pid_t pid = fork();
  if (pid == 0) {
    execv(argv[1], argv + 1);
    perror(argv[1]);
    _exit(127);
  }
  if (pid < 0 || waitpid(pid, &status, 0) != pid) status = -1;
  etcd_member_stop(&m);
  return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
