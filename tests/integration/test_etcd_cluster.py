"""Hangar replicated on etcd, through a failover (issue 15): scripts/run-replicated, the
supervisor `HANGAR_STORE=etcd make run` uses, starts three etcd members (scripts/etcd-local)
and two replicas of every service on free loopback ports in a temp dir. Under write load on
every surface (KtrlPlane resources, Konnect products, Keboola snowflake credentials, Ververica
deployment targets, auth tokens) and reads of what was written, the test SIGKILLs the
resources-svc replica that leads the KtrlPlane reconciler, and the etcd leader. Then:

- no wrong answer: every write was answered its surface's success or a clean 503 in that
  surface's dialect, every read of an acknowledged object 200 with that object or a clean
  503 (never a 404: a lost write), every answer held to its public spec. A write answered
  503 may still have been made (its commit was in doubt: etcd's leader changed under it),
  so afterwards its object must read back whole or not at all (where the surface can look
  it up without its id);
- the reconciler resumed on another replica within the lease's TTL (plus one check): a
  new leader holds its election key, and every resource acknowledged before or after the
  kill reaches `running`;
- the stack kept serving: each surface acknowledged writes after the kill;
- 0 acknowledged writes lost: every 2xx-acknowledged object reads back, the same object;
- the supervisor started the killed replica and member again (new pids, its log says so),
  and both serve: the member is healthy in the cluster, the replica answers calls the
  gateway sends it (its own grpc_server_handled_total moves).

Plain build only (ctest label etcd), like tests/etcd/: Debian's etcd-server.
"""

import os
import re
import secrets
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import spec_check  # noqa: E402
from replicated import Cluster  # noqa: E402

WARMUP = 2.0          # seconds of load before the kill
FAILOVER_LOAD = 8.0   # seconds of load after it
RESTART_TIMEOUT = 40.0
WRITE_PAUSE = 0.01
LEASE_TTL = 5.0       # the elections' lease (storage/etcd_election.h), checked every TTL/3
RECONCILER_KEY = "resources-svc/leader/ktrlplane-reconciler"
KTRL = "/api/v1/projects/%s/resources"
VVP = "/api/v1/namespaces/%s/deployment-targets"
KEBOOLA_ERROR_KEYS = {"status", "error", "code", "message", "exceptionId", "runId"}


# --------------------------------------------------------------------------------------------
# Clean errors (503, and the 500 of a write in doubt), in each surface's dialect

def clean_error_details(r, status):
    b = r.body
    return (r.status == status and r.is_json and isinstance(b, dict) and
            isinstance(b.get("error"), str) and b["error"] and set(b) <= {"error", "details"})


def clean_problem(r, status):
    b = r.body
    return (r.status == status and
            r.headers.get("content-type", "").startswith("application/problem+json") and
            r.is_json and isinstance(b, dict) and b.get("status") == status and
            isinstance(b.get("title"), str))


def clean_keboola(r, status):
    b = r.body
    return (r.status == status and r.is_json and isinstance(b, dict) and
            set(b) == KEBOOLA_ERROR_KEYS and b["status"] == "error" and
            b["error"] == "Application error" and b["code"] == status)


def clean_ververica(r, status):
    b = r.body
    return (r.status == status and r.is_json and isinstance(b, dict) and
            b.get("kind") == "ApiException" and b.get("statusCode") == status and
            isinstance(b.get("message"), str))


# --------------------------------------------------------------------------------------------
# The surfaces: how to write one object, what its acknowledgement is, how to read it back

class Surface:
    """One surface under load. write(c) makes one object and returns (answer, key) where key
    identifies the acknowledged object (None unless 2xx); read(c, key) answers whether the
    object reads back as acknowledged."""
    name = ""
    clean = None  # clean(answer, status): an error of that status in the surface's dialect

    def __init__(self, cluster):
        self.c = cluster
        self.acked = {}  # key -> what the read-back must match
        self.acked_after_kill = 0

    def settled(self, key, want):
        """After a write answered 503: True when its object reads back whole or not at all,
        False when neither, None when this surface cannot look it up."""
        return None

    def whole_or_absent(self, r, want):
        return (r.status == 200 and matches(r.body, want)) or r.status == 404


class Ktrl(Surface):
    name, clean = "ktrlplane", staticmethod(clean_error_details)
    project = "proj-cluster"

    def write(self):
        rid = "r-" + secrets.token_hex(6)
        r = self.c.request("POST", KTRL % self.project,
                           {"id": rid, "name": "Resource " + rid, "type": "Konnektr.Graph"})
        ok = r.status == 201 and r.body.get("resource_id") == rid and \
            r.body.get("name") == "Resource " + rid
        return r, ok, rid, {"resource_id": rid, "name": "Resource " + rid}

    def read(self, key):
        return self.c.request("GET", (KTRL % self.project) + "/" + key)

    def settled(self, key, want):
        return self.whole_or_absent(self.read(key), want)


class Konnect(Surface):
    name, clean = "konnect", staticmethod(clean_problem)

    def write(self):
        name = "cluster-" + secrets.token_hex(6)
        r = self.c.request("POST", "/v2/api-products", {"name": name})
        ok = r.status == 201 and r.body.get("name") == name and isinstance(r.body.get("id"), str)
        return r, ok, ok and r.body["id"], {"name": name}

    def read(self, key):
        return self.c.request("GET", "/v2/api-products/" + key)


class Ververica(Surface):
    name, clean = "ververica", staticmethod(clean_ververica)
    namespace = "cluster-ns"

    def write(self):
        name = "dt-" + secrets.token_hex(6)
        spec = {"kubernetes": {"namespace": "flink-" + name}}
        r = self.c.request("POST", VVP % self.namespace, {"metadata": {"name": name},
                                                          "spec": spec})
        ok = r.status == 201 and r.body.get("metadata", {}).get("name") == name and \
            r.body.get("spec") == spec
        return r, ok, name, {"spec": spec, "kind": "DeploymentTarget"}

    def read(self, key):
        return self.c.request("GET", (VVP % self.namespace) + "/" + key)

    def settled(self, key, want):
        return self.whole_or_absent(self.read(key), want)


class AuthTokens(Surface):
    name, clean = "auth", staticmethod(clean_error_details)

    def write(self):
        subject = "u-" + secrets.token_hex(6)
        r = self.c.request("POST", "/auth/v1/tokens", {
            "kind": "storage", "subject": subject,
            "bindings": [{"scope": "storage-projects/p-" + subject, "role": "editor"}]})
        ok = r.status == 201 and r.body.get("subject") == subject and \
            isinstance(r.body.get("token"), str) and isinstance(r.body.get("id"), str)
        return r, ok, ok and r.body["id"], {"subject": subject}

    def read(self, key):
        return self.c.request("GET", "/auth/v1/tokens/" + key)

    def settled(self, key, want):
        r = self.c.request("GET", "/auth/v1/tokens?subject=" + want["subject"])
        tokens = r.body.get("tokens") if r.status == 200 and r.is_json else None
        return isinstance(tokens, list) and len(tokens) <= 1 and \
            all(matches(t, want) for t in tokens)


class Keboola(Surface):
    """Snowflake credentials: recorded only, so no MariaDB is needed. Each write mints a
    storage token for a fresh project first (an auth write of its own, also kept)."""
    name, clean = "keboola", staticmethod(clean_keboola)

    def __init__(self, cluster, auth):
        super().__init__(cluster)
        self.auth = auth

    def write(self):
        r, ok, key, want = self.auth.write()
        self.c.judge(self.auth, r, ok, key, want)
        if not ok:
            return None, False, None, None
        tok = r.body["token"]
        r = self.c.request("POST", "/provisioning/snowflake", {"type": "writer"},
                           headers={"X-StorageApi-Token": tok})
        ok = r.status == 201 and isinstance(r.body.get("id"), (str, int)) and \
            r.body.get("status") == "ok" and isinstance(r.body.get("credentials"), dict)
        cid = str(r.body["id"]) if ok else None
        return r, ok, (cid, tok), {"id": r.body.get("id") if ok else None,
                                   "credentials": ok and r.body["credentials"]}

    def read(self, key):
        cid, tok = key
        return self.c.request("GET", "/provisioning/snowflake/" + cid,
                              headers={"X-StorageApi-Token": tok})

    def settled(self, key, want):
        r = self.c.request("GET", "/provisioning/snowflake?type=writer",
                           headers={"X-StorageApi-Token": key[1]})
        return r.status == 404 or (r.status == 200 and r.is_json and
                                   isinstance(r.body.get("credentials"), dict))


def matches(body, want):
    return isinstance(body, dict) and all(body.get(k) == v for k, v in want.items())


# --------------------------------------------------------------------------------------------

class LoadedCluster(Cluster):
    """The cluster, and the answers of the load on it."""

    def __init__(self):
        super().__init__("etcd")
        self.lock = threading.Lock()
        self.wrong = []      # answers that were neither right nor a clean 503
        self.unsure = []     # writes answered 503: made whole, or not at all
        self.counts = {}     # (surface, outcome) -> n

    # -- judging answers ------------------------------------------------------------------
    def judge(self, surface, r, ok, key, want, after_kill=False):
        """Records a write's answer: acknowledged (kept for the read-back), a clean 503, or
        wrong."""
        with self.lock:
            if ok:
                surface.acked[key] = want
                surface.acked_after_kill += after_kill
                outcome = "acked"
            elif surface.clean(r, 503):
                outcome = "503"
                self.unsure.append((surface, key, want, r))
            else:
                outcome = "wrong"
                self.wrong.append(("write", surface.name, r))
            self.counts[(surface.name, outcome)] = self.counts.get((surface.name, outcome), 0) + 1

    def judge_read(self, surface, r, want):
        with self.lock:
            if r.status == 200 and matches(r.body, want):
                outcome = "read ok"
            elif surface.clean(r, 503):
                outcome = "read 503"
            else:
                outcome = "read wrong"
                self.wrong.append(("read", surface.name, r, want))
            self.counts[(surface.name, outcome)] = self.counts.get((surface.name, outcome), 0) + 1


class Failover(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        self.spec_mark = len(spec_check.VIOLATIONS)
        self.c = LoadedCluster()
        self.addCleanup(self.c.stop)
        self.c.start()

    def expect_up(self, method, path, body, status):
        r = self.c.request(method, path, body)
        self.assertEqual(status, r.status, r)

    def test_sigkill_a_resources_replica_and_the_etcd_leader_under_load(self):
        c = self.c
        self.expect_up("POST", "/namespaces/v1/namespaces",
                       {"name": "namespaces/" + Ververica.namespace}, 200)
        auth = AuthTokens(c)
        surfaces = [Ktrl(c), Konnect(c), Ververica(c), auth, Keboola(c, auth)]
        stop = threading.Event()
        killed = threading.Event()
        errors = []

        def writer(s):
            try:
                while not stop.is_set():
                    after = killed.is_set()
                    r, ok, key, want = s.write()
                    if r is not None:
                        c.judge(s, r, ok, key, want, after)
                    time.sleep(WRITE_PAUSE)
            except Exception as e:  # a spec violation or a dropped connection
                errors.append((s.name, repr(e)))

        def reader():
            """Reads back acknowledged objects while the failover happens."""
            try:
                while not stop.is_set():
                    for s in surfaces:
                        with c.lock:
                            items = list(s.acked.items())[-5:]
                        for key, want in items:
                            c.judge_read(s, s.read(key), want)
                    time.sleep(WRITE_PAUSE)
            except Exception as e:
                errors.append(("reader", repr(e)))

        threads = [threading.Thread(target=writer, args=(s,)) for s in surfaces]
        threads.append(threading.Thread(target=reader))
        for t in threads:
            t.start()
        try:
            time.sleep(WARMUP)
            for s in surfaces:
                self.assertTrue(s.acked, "no %s write acknowledged before the kill: %s\n%s"
                                % (s.name, c.counts, c.describe()))
            leader = harness.wait_for(c.etcd_leader, 10.0, what="an etcd leader")
            member = "etcd%d" % leader
            holder_id = harness.wait_for(lambda: c.etcd_get(RECONCILER_KEY), 10.0,
                                         what="the KtrlPlane reconciler's leader")
            holder = c.replica_of(holder_id, "resources-svc")
            self.assertIsNotNone(holder, "%s leads, which is no replica" % holder_id)
            old = {n: c.pid(n) for n in (holder, member)}
            killed.set()
            for n, pid in old.items():
                os.kill(pid, signal.SIGKILL)
            t_kill = time.monotonic()
            # Another process leads within the lease's TTL and one check (the killed one's
            # key lives until its lease expires; every replica campaigns every TTL/3): the
            # other replica, or the killed one started again, whichever asks first.
            successor = harness.wait_for(
                lambda: (lambda h: h if h and h != holder_id else None)(
                    c.etcd_get(RECONCILER_KEY)),
                LEASE_TTL * 3, 0.1, lambda: "another process to lead the reconciler")
            took = time.monotonic() - t_kill
            sys.stderr.write("test: reconciler leader %s (%s) -> %s (%s) in %.1f s\n"
                             % (holder_id, holder, successor,
                                c.replica_of(successor, "resources-svc"), took))
            # The bound: the TTL and one campaign interval, as the issue asks, plus what the
            # etcd leader's death adds: its successor's election, after which it renews
            # every lease for a full TTL and its election timeout (etcd's lessor Promote),
            # and a loaded machine's slack. Seen: 4.4 to 8.4 s.
            self.assertLessEqual(took, LEASE_TTL * 4 / 3 + 1.0 + 5.0,
                                 "the reconciler resumed only after %.1f s" % took)
            time.sleep(FAILOVER_LOAD)

            # The supervisor starts both again, and says so.
            def restarted():
                log = c.supervisor_log()
                for n, pid in old.items():
                    try:
                        if c.pid(n) == pid:
                            return False
                    except (OSError, ValueError):
                        return False
                    if not re.search(r"%s \(pid %d\) was killed by SIGKILL; starting it again"
                                     % (re.escape(n), pid), log):
                        return False
                    if not re.search(r"%s \(pid %d\) serves again" % (re.escape(n), c.pid(n)),
                                     log):
                        return False
                return True
            harness.wait_for(restarted, RESTART_TIMEOUT, 0.2,
                             lambda: "the supervisor to restart %s\n%s" % (old, c.describe()))
            self.assertTrue(c.etcd_healthy(leader), "%s restarted but unhealthy" % member)
            st = c.etcd_status(c.etcd_clients[leader - 1])
            self.assertTrue(st and st.get("leader"), "%s has no leader: %s" % (member, st))
            # The restarted replica answers calls the gateway sends it.
            harness.wait_for(lambda: c.handled(holder) is not None, 10.0,
                             what="%s's metrics after its restart" % holder)
            before = c.handled(holder)
            harness.wait_for(lambda: (c.handled(holder) or 0) > before, 20.0, 0.2,
                             "%s to serve calls again" % holder)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        sys.stderr.write("test: answers %s\n" % sorted(c.counts.items()))
        self.assertEqual([], errors, "load threads failed\n" + c.describe())
        self.assertEqual([], c.wrong[:5], "%d wrong answer(s) during the failover"
                         % len(c.wrong))
        for s in surfaces:
            self.assertGreater(s.acked_after_kill, 0, "%s acknowledged no write after the "
                               "kill: %s" % (s.name, c.counts))

        # 0 acknowledged writes lost: each reads back, the same object.
        lost = []
        for s in surfaces:
            for key, want in s.acked.items():
                r = s.read(key)
                if not (r.status == 200 and matches(r.body, want)):
                    lost.append((s.name, key, want, r))
        self.assertEqual([], lost[:5], "%d of %d acknowledged writes did not read back"
                         % (len(lost), sum(len(s.acked) for s in surfaces)))
        # A write answered 503 was made whole or not at all.
        torn = [(s.name, key, want, r) for s, key, want, r in c.unsure
                if s.settled(key, want) is False]
        self.assertEqual([], torn[:5], "writes answered 503 neither whole nor absent")
        # The reconciler went on where the killed leader stopped: every resource reaches
        # running (its provisioning delay is 300 ms; the bound is for a stuck reconciler).
        ktrl = surfaces[0]
        def all_running():
            for key in list(ktrl.acked):
                r = ktrl.read(key)
                if r.status != 200 or r.body.get("status") != "running":
                    return False
            return True
        harness.wait_for(all_running, 30.0, 0.5,
                         lambda: "every acknowledged resource to reach running")
        self.assertEqual([], spec_check.VIOLATIONS[self.spec_mark:][:3])


if __name__ == "__main__":
    unittest.main(verbosity=2)
