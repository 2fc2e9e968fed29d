"""scripts/run-replicated's supervisor (the one `HANGAR_STORE=etcd make run` uses), run with
--store lmdb: the same steps and supervision without etcd (each replica on its own LMDB), so
this runs in every build; test_etcd_cluster.py runs it on etcd.

- Two replicas of every service and a gateway listing them all start and serve.
- SIGKILL of a replica of resources-svc, products-svc and auth-svc under reads: every read
  is answered 200 throughout (by the other replicas); the supervisor logs each death and
  start, each comes back under a new pid, serves again (its log says so) and answers calls
  the gateway sends it (its own grpc_server_handled_total moves).
- SIGKILL of the gateway: started again, and it serves.
- SIGINT (Ctrl-C) stops everything: exit 0, no process left, no pid file left, and no
  process was started again while stopping.
- A process that cannot start (the gateway's port is taken) stops the whole start: exit 1,
  the processes already started are stopped, nothing is left running.
"""

import os
import re
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from replicated import Cluster  # noqa: E402

PRODUCTS = "/v2/api-products"
KTRL = "/api/v1/projects/proj-sup/resources"
KILLED = ("resources-svc-2", "products-svc-1", "auth-svc-1")
STOP_TIMEOUT = 60.0


def running_in(tmp):
    """Pids of the processes whose command line names tmp (the test's temp dir)."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if tmp.encode() in f.read():
                    out.append(int(pid))
        except OSError:
            pass
    return out


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class Supervisor(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        self.c = Cluster("lmdb")
        self.addCleanup(self.c.stop)

    def names(self):
        return sorted(n[:-4] for n in os.listdir(self.c.run) if n.endswith(".pid"))

    def restarted(self, name, old_pid):
        """name's new pid once the supervisor logged its death and its serving again."""
        log = self.c.supervisor_log()
        try:
            pid = self.c.pid(name)
        except (OSError, ValueError):
            return None
        dead = "%s (pid %d) was killed by SIGKILL; starting it again in 1 s" % (name, old_pid)
        if pid == old_pid or dead not in log or \
                "%s (pid %d) serves again" % (name, pid) not in log:
            return None
        return pid

    def test_restarts_what_dies_and_stops_cleanly_on_sigint(self):
        c = self.c
        c.start()
        want = ["gateway"] + ["%s-%d" % (s, n) for s in ("auth-svc", "resources-svc",
                                                        "products-svc", "credentials-svc")
                              for n in (1, 2)]
        self.assertEqual(sorted(want), self.names())
        r = c.request("GET", "/readyz")
        self.assertEqual(200, r.status, r)

        # Reads go on while replicas die; each must be answered 200.
        stop, answers, errors = threading.Event(), [], []

        def reader():
            try:
                while not stop.is_set():
                    for path in (PRODUCTS, KTRL):
                        answers.append(c.request("GET", path))
                    time.sleep(0.01)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))
        t = threading.Thread(target=reader)
        t.start()
        try:
            old = {n: c.pid(n) for n in KILLED}
            for n, pid in old.items():
                os.kill(pid, signal.SIGKILL)
            new = {}
            for n, pid in old.items():
                new[n] = harness.wait_for(lambda: self.restarted(n, pid), 30.0, 0.1,
                                          lambda: "%s to be started again\n%s"
                                          % (n, c.describe()))
                self.assertTrue(alive(new[n]))
            for n in KILLED:
                if n.startswith("auth-svc"):
                    continue  # its calls come from the services, not the gateway
                harness.wait_for(lambda: c.handled(n) is not None, 10.0,
                                 what="%s's metrics after its restart" % n)
                before = c.handled(n)
                harness.wait_for(lambda: (c.handled(n) or 0) > before, 20.0, 0.1,
                                 "%s to answer calls again" % n)
        finally:
            stop.set()
            t.join(30)
        self.assertEqual([], errors)
        bad = [r for r in answers if r.status != 200]
        self.assertEqual([], bad[:3], "%d of %d reads not 200 while replicas died"
                         % (len(bad), len(answers)))
        self.assertTrue(answers)

        # The gateway too.
        gw = c.pid("gateway")
        os.kill(gw, signal.SIGKILL)
        harness.wait_for(lambda: self.restarted("gateway", gw), 30.0, 0.1,
                         lambda: "the gateway to be started again\n%s" % c.describe())
        c.gateway_port()
        r = c.request("GET", PRODUCTS)
        self.assertEqual(200, r.status, r)

        # Ctrl-C: everything stops, nothing is started again.
        pids = {n: c.pid(n) for n in self.names()}
        log_before = c.supervisor_log()
        c.popen.send_signal(signal.SIGINT)
        self.assertEqual(0, c.popen.wait(STOP_TIMEOUT), c.describe())
        self.assertEqual([], [n for n, pid in pids.items() if alive(pid)])
        self.assertEqual([], running_in(c.tmp))
        self.assertEqual([], self.names())
        stopping = c.supervisor_log()[len(log_before):]
        self.assertNotRegex(stopping, r"starting it again|started again|SIGKILL", stopping)

    def test_a_process_that_cannot_start_stops_the_start(self):
        taken = socket.socket()
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        self.addCleanup(taken.close)
        c = self.c
        c.launch(http_port=taken.getsockname()[1])
        self.assertEqual(1, c.popen.wait(STOP_TIMEOUT), c.describe())
        log = c.supervisor_log()
        self.assertRegex(log, r"gateway exited with \d+ during start", log)
        self.assertEqual([], self.names(), "every started process was stopped")
        self.assertEqual([], running_in(c.tmp))
        left = [n for n in os.listdir(c.logs)
                if re.search(r"serving on", c.log(n[:-4])) and n.endswith(".log")]
        self.assertEqual(8, len(left), "the replicas had started: %s" % left)
        self.assertFalse(os.path.exists(c.ready), "no ready file for a failed start")


if __name__ == "__main__":
    unittest.main(verbosity=2)
