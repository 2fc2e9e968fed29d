"""Durability and recovery: SIGKILL/SIGTERM of the services, restart, nothing acknowledged
lost, lifecycles resume. Uses its own Stack."""

import json
import secrets
import signal
import threading
import time
import unittest

import harness
from harness import HangarTest

KP = "/api/v1/projects/%s/resources"
KPR = KP + "/%s"
MOVING = ("status", "updated_at", "access_url")


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def uniq(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(3))


def without(d, keys=MOVING):
    return {k: v for k, v in d.items() if k not in keys}


class RestartBase(HangarTest):
    def get(self, proj, rid, conn=None):
        return self.s.request("GET", KPR % (proj, rid), token=self.admin, conn=conn)

    def list_all(self, proj):
        """Every resource in the project through limit/offset pages; checks the pages agree."""
        out, offset, total = [], 0, None
        conn = self.s.connection()
        try:
            while True:
                r = self.s.request("GET", KP % proj + "?limit=100&offset=%d" % offset,
                                   token=self.admin, conn=conn)
                self.expect(r, 200)
                if total is None:
                    total = r.body["total"]
                self.assertEqual(total, r.body["total"], "total changed between pages: %r" % r)
                self.assertEqual((100, offset), (r.body["limit"], r.body["offset"]), r)
                out += r.body["resources"]
                if len(r.body["resources"]) < 100:
                    break
                offset += 100
        finally:
            conn.close()
        ids = [x["resource_id"] for x in out]
        self.assertEqual(len(ids), len(set(ids)), "duplicate ids in listing")
        self.assertEqual(total, len(out), "total %s but %d listed" % (total, len(out)))
        return out

    def wait_ready_for_requests(self, proj="proj-probe"):
        self.poll(lambda: self.s.request("GET", KP % proj, token=self.admin).status == 200,
                  15.0, lambda: "KtrlPlane to serve again: %r"
                  % (self.s.request("GET", KP % proj, token=self.admin),))

    def wait_all(self, proj, ids, status="running", timeout=15.0):
        conn = self.s.connection()
        try:
            pending = set(ids)

            def check():
                for rid in list(pending):
                    r = self.get(proj, rid, conn)
                    if r.status == 200 and r.body.get("status") == status:
                        pending.discard(rid)
                return not pending
            self.poll(check, timeout, lambda: "%d resources to reach %r, e.g. %r"
                      % (len(pending), status,
                         self.get(proj, sorted(pending)[0]) if pending else None),
                      interval=0.1)
        finally:
            conn.close()


class A_FiftySurviveSigkill(RestartBase):
    def test_fifty_resources_survive_sigkill(self):
        proj = uniq("proj-fifty")
        ids = ["r%02d-%s" % (i, secrets.token_hex(2)) for i in range(50)]
        conn = self.s.connection()
        created = {}
        try:
            for i, rid in enumerate(ids):
                body = {"id": rid, "name": "Resource %d" % i,
                        "type": ("Konnektr.Graph", "Konnektr.Flow", "Konnektr.Assembler",
                                 "Konnektr.Compass")[i % 4],
                        "sku": ("free", "pro", "enterprise")[i % 3],
                        "settings_json": {"i": i, "ratio": i / 8, "tags": ["a", str(i)],
                                          "big": 9007199254740991 - i}}
                r = self.s.request("POST", KP % proj, body, token=self.admin, conn=conn)
                self.expect(r, 201)
                created[rid] = r.body
        finally:
            conn.close()
        self.wait_all(proj, ids)
        before = {rid: self.get(proj, rid).body for rid in ids}
        listed_before = self.list_all(proj)

        self.s.kill("resources-svc", signal.SIGKILL)
        self.s.restart("resources-svc")
        self.wait_ready_for_requests()

        conn = self.s.connection()
        try:
            for rid in ids:
                r = self.get(proj, rid, conn)
                self.expect(r, 200, msg="after restart")
                self.assertEqual(without(before[rid]), without(r.body), rid)
                self.assertEqual(without(created[rid]), without(r.body), rid)
                self.assertIs(int, type(json.loads(r.raw)["settings_json"]["big"]))
        finally:
            conn.close()
        listed = self.list_all(proj)
        self.assertEqual(ids, [x["resource_id"] for x in listed], "creation order after restart")
        self.assertEqual([without(x) for x in listed_before], [without(x) for x in listed])
        self.wait_all(proj, ids)
        after = {rid: self.get(proj, rid).body for rid in ids}
        for rid in ids:
            self.assertEqual(before[rid]["access_url"] is not None, bool(after[rid]["access_url"]))
            self.assertEqual(without(before[rid]), without(after[rid]))

        # deletes, counters and creation order across another SIGKILL
        for rid in ids[:10]:
            self.expect(self.s.request("DELETE", KPR % (proj, rid), token=self.admin), 202)
        self.poll(lambda: all(self.get(proj, rid).status == 404 for rid in ids[:10]), 10.0,
                  "10 deletions to finish")
        r = self.s.request("POST", KP % proj, {"id": "late", "name": "L",
                                               "type": "Konnektr.Flow"}, token=self.admin)
        self.expect(r, 201)
        self.s.kill("resources-svc", signal.SIGKILL)
        self.s.restart("resources-svc")
        self.wait_ready_for_requests()
        listed = self.list_all(proj)
        self.assertEqual(ids[10:] + ["late"], [x["resource_id"] for x in listed])
        r = self.s.request("POST", KP % proj, {"id": ids[20], "name": "dup",
                                               "type": "Konnektr.Flow"}, token=self.admin)
        self.expect_error(r, 409, error="Resource already exists")
        for rid in (ids[0], "later"):  # a deleted id and a new one go to the end
            r = self.s.request("POST", KP % proj, {"id": rid, "name": "again",
                                                   "type": "Konnektr.Flow"}, token=self.admin)
            self.expect(r, 201)
        listed = self.list_all(proj)
        self.assertEqual(ids[10:] + ["late", ids[0], "later"],
                         [x["resource_id"] for x in listed])
        self.assertEqual("Resource 20", self.get(proj, ids[20]).body["name"])


class B_LifecycleResumes(RestartBase):
    def test_lifecycle_resumes_after_sigkill(self):
        proj = uniq("proj-resume")
        for rid in ("keep-upd", "keep-del"):
            r = self.s.request("POST", KP % proj, {"id": rid, "name": rid,
                                                   "type": "Konnektr.Graph",
                                                   "settings_json": {"v": 1}}, token=self.admin)
            self.expect(r, 201)
        self.wait_all(proj, ["keep-upd", "keep-del"])

        # slow provisioning, then work in flight, then SIGKILL
        self.s.restart("resources-svc", provision_delay_ms=3000)
        self.wait_ready_for_requests()
        new = ["slow-%d" % i for i in range(5)]
        for rid in new:
            r = self.s.request("POST", KP % proj, {"id": rid, "name": rid,
                                                   "type": "Konnektr.Flow"}, token=self.admin)
            self.expect(r, 201)
            self.assertEqual("creating", r.body["status"], r)
        r = self.s.request("PUT", KPR % (proj, "keep-upd"), {"settings_json": {"v": 2}},
                           token=self.admin)
        self.expect(r, 200)
        self.assertEqual("updating", r.body["status"], r)
        r = self.s.request("DELETE", KPR % (proj, "keep-del"), token=self.admin)
        self.expect(r, 202, {"message": "Resource deletion initiated", "resource_id": "keep-del",
                             "status": "deleting"})
        for rid in new:
            self.assertEqual("creating", self.get(proj, rid).body["status"],
                             "provisioning must still be in flight (3 s delay)")
        self.s.kill("resources-svc", signal.SIGKILL)

        self.s.restart("resources-svc")  # default 200 ms delay again
        self.wait_ready_for_requests()
        self.wait_all(proj, new)
        self.wait_all(proj, ["keep-upd"])
        for rid in new:
            b = self.get(proj, rid).body
            self.assertTrue(b.get("access_url"), b)
        self.assertEqual({"v": 2}, self.get(proj, "keep-upd").body["settings_json"])
        self.poll(lambda: self.get(proj, "keep-del").status == 404, 15.0,
                  lambda: "deletion to finish after restart: %r" % (self.get(proj, "keep-del"),))
        listed = self.list_all(proj)
        self.assertEqual(["keep-upd"] + new, [x["resource_id"] for x in listed])


class C_WriteLoadSigkill(RestartBase):
    def test_acknowledged_creates_survive_sigkill_under_load(self):
        proj = uniq("proj-load")
        acked = []
        acked_lock = threading.Lock()
        stop = threading.Event()
        errors = {}
        unexpected = []

        def worker(n):
            conn = self.s.connection(timeout=10)
            i = 0
            while not stop.is_set():
                rid = "w%d-%d" % (n, i)
                i += 1
                try:
                    r = self.s.request("POST", KP % proj, {"id": rid, "name": rid,
                                                           "type": "Konnektr.Graph",
                                                           "settings_json": {"n": n, "i": i}},
                                       token=self.admin, conn=conn)
                    if r.status == 201:
                        with acked_lock:
                            acked.append(rid)
                        continue
                    key = "HTTP %d" % r.status
                    if r.status < 500:  # never expected: a 4xx for a fresh valid id
                        unexpected.append(repr(r))
                except Exception as e:  # connection trouble while the service restarts
                    key = type(e).__name__
                    conn.close()
                    conn = self.s.connection(timeout=10)
                with acked_lock:
                    errors[key] = errors.get(key, 0) + 1
                time.sleep(0.005)
            conn.close()

        def n_acked():
            with acked_lock:
                return len(acked)

        def n_failed():
            with acked_lock:
                return sum(errors.values())

        # Each phase ends on what it is for, not after a fixed time, so a loaded machine
        # only makes it longer: the kill comes under load (creates are being acknowledged),
        # while the service is down the clients hit it (their requests fail), and the load
        # goes on until the restarted service acknowledges creates again.
        threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(8)]
        for t in threads:
            t.start()
        self.poll(lambda: n_acked() >= 40, 30.0, lambda: "40 creates acknowledged before "
                  "the kill (errors: %s)" % errors)
        before_kill = n_acked()
        failed_before = n_failed()
        self.s.kill("resources-svc", signal.SIGKILL)
        self.poll(lambda: n_failed() > failed_before, 30.0,
                  "a create to fail while resources-svc is down")
        self.s.restart("resources-svc")
        after_restart = n_acked()
        self.poll(lambda: n_acked() >= after_restart + 40, 30.0, lambda: "40 creates "
                  "acknowledged after the restart (errors: %s)" % errors)
        stop.set()
        for t in threads:
            t.join(20)
        self.assertFalse(any(t.is_alive() for t in threads), "client threads hung")
        self.assertEqual([], unexpected[:3], "4xx answers to valid creates")

        self.wait_ready_for_requests()
        listed = self.list_all(proj)
        listed_ids = {x["resource_id"] for x in listed}
        missing = [rid for rid in acked if rid not in listed_ids]
        self.assertEqual([], missing[:20], "%d acknowledged creates missing from the list "
                                           "(of %d acked)" % (len(missing), len(acked)))
        conn = self.s.connection()
        try:
            lost = []
            for rid in acked:
                r = self.get(proj, rid, conn)
                if r.status != 200:
                    lost.append(r)
            for rid in listed_ids - set(acked):
                r = self.get(proj, rid, conn)
                if r.status != 200:
                    lost.append(r)
        finally:
            conn.close()
        self.assertEqual([], lost[:5], "%d listed/acked resources not readable" % len(lost))
        self.assertLessEqual(len(listed) - len(acked), 8 * 2,
                             "more unacknowledged creates present than were in flight")
        sys_msg = "acked %d (%d before kill), listed %d, errors %s" % (
            len(acked), before_kill, len(listed), errors)
        print("\n    load: " + sys_msg)


class D_AuthRestart(RestartBase):
    def test_tokens_and_bindings_survive_auth_sigkill(self):
        proj = uniq("proj-authrs")
        subj = uniq("persist")
        tok = self.s.mint_token("apikey", uniq("tok"), [("projects/" + proj, "editor")])
        self.s.bind(subj, "projects/" + proj, "editor")
        jwt = self.s.jwt(subj)
        r = self.s.request("POST", KP % proj, {"id": "x1", "name": "X", "type": "Konnektr.Graph"},
                           token=tok["token"])
        self.expect(r, 201)
        listed_tokens = self.s.request("GET", "/auth/v1/tokens", token=self.admin).body

        self.s.kill("auth-svc", signal.SIGKILL)
        self.s.restart("auth-svc")
        self.poll(lambda: self.s.request("GET", "/auth/v1/tokens", token=self.admin).status
                  == 200, 15.0, "auth admin API back after restart")
        r = self.s.request("GET", "/auth/v1/tokens", token=self.admin)
        self.expect(r, 200, listed_tokens)
        self.poll(lambda: self.s.request("GET", KPR % (proj, "x1"),
                                         token=tok["token"]).status == 200,
                  15.0, "opaque token accepted again after auth-svc restart")
        r = self.s.request("POST", KP % proj, {"id": "x2", "name": "X", "type": "Konnektr.Graph"},
                           token=jwt)
        self.expect(r, 201)
        r = self.s.request("GET", KPR % (proj, "x1"), token=self.s.jwt(uniq("stranger")))
        self.expect(r, 404, {"error": "Resource not found"})

        # a revocation survives a restart too
        self.expect(self.s.request("DELETE", "/auth/v1/tokens/" + tok["id"],
                                   token=self.admin), 204)
        self.s.kill("auth-svc", signal.SIGKILL)
        self.s.restart("auth-svc")
        self.poll(lambda: self.s.request("GET", KPR % (proj, "x1"),
                                         token=tok["token"]).status == 401, 15.0,
                  "revoked token to stay revoked after auth-svc restart")
        r = self.s.request("GET", "/auth/v1/tokens", token=self.admin)
        self.assertNotIn(tok["id"], [t["id"] for t in r.body["tokens"]], r)


class E_GracefulStop(RestartBase):
    def test_sigterm_exits_cleanly_and_data_persists(self):
        proj = uniq("proj-term")
        r = self.s.request("POST", KP % proj, {"id": "t1", "name": "T", "type": "Konnektr.Graph",
                                               "settings_json": {"k": [1, 2.5, "x"]}},
                           token=self.admin)
        self.expect(r, 201)
        self.wait_all(proj, ["t1"])
        before = self.get(proj, "t1").body
        # The event is the exit with code 0; the wait's timeout only stops a hang.
        for name in ("gateway", "resources-svc", "auth-svc"):
            rc = self.s.kill(name, signal.SIGTERM, timeout=60.0)
            self.assertEqual(0, rc, "%s exit code after SIGTERM\n%s" % (name, self.s.describe(name)))
        for name in ("auth-svc", "resources-svc", "gateway"):
            self.s.restart(name)
        self.wait_ready_for_requests()
        self.expect(self.get(proj, "t1"), 200, before)


if __name__ == "__main__":
    harness.main()
