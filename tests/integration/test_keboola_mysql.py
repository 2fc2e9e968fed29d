"""Keboola Provisioning API, mysql backend against a real MariaDB server started by this test
in a temp dir (scripts/mariadb-local): the returned credentials log in and see only their own
database; inUse follows a live connection; kill drops it; DELETE drops the user and the
database; a crash mid-create leaves nothing half-created; MariaDB down is a 503 in the Keboola
error body; a statement that fails is logged without the password it carried. Uses its own
Stack."""

import os
import re
import subprocess
import secrets
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import harness
from test_keboola import (KeboolaTest, MariaDB, RUN_HDR, setup_module_with_mariadb,
                          teardown_module_with_mariadb)

SYSTEM_DBS = {"information_schema", "mysql", "performance_schema", "sys", "test"}
SYSTEM_USERS = ("root", "hangar", "mariadb.sys", "", "PUBLIC")


def setUpModule():
    setup_module_with_mariadb()


def tearDownModule():
    teardown_module_with_mariadb()


class MySQLBase(KeboolaTest):
    def user_dbs(self):
        out = self.db.admin("SHOW DATABASES")
        return {ln.strip() for ln in out.splitlines() if ln.strip()} - SYSTEM_DBS

    def user_accounts(self):
        out = self.db.admin("SELECT User FROM mysql.user WHERE User NOT IN (%s)"
                            % ",".join("'%s'" % u for u in SYSTEM_USERS))
        return {ln.strip() for ln in out.splitlines() if ln.strip()}

    def detail(self, cid, tok):
        return self.expect_detail(self.k("GET", "/provisioning/mysql/%s" % cid, tok=tok),
                                  "mysql", cid, None)

    def expect_detail(self, r, backend, cid, can_extend):
        if can_extend is None:  # not checked here
            self.expect(r, 200)
            return r.body
        return super().expect_detail(r, backend, cid, can_extend)

    def sleeper(self, creds, seconds=30):
        argv = MariaDB.client_argv(creds["hostname"], creds["port"], creds["user"],
                                   creds["password"], creds["db"], "SELECT SLEEP(%d)" % seconds)
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def cleanup():
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stderr.close()
        self.addCleanup(cleanup)
        return p

    def wait_in_use(self, cid, tok, want, timeout=8.0):
        def check():
            r = self.k("GET", "/provisioning/mysql/%s" % cid, tok=tok)
            self.expect(r, 200)
            return r.body.get("inUse") is want
        self.poll(check, timeout=timeout, interval=0.1,
                  what="inUse to become %s for credentials %s" % (want, cid))


class Login(MySQLBase):
    def test_credentials_log_in_and_see_only_their_database(self):
        ta, tb = self.new_token(), self.new_token()
        a = self.create("mysql", ta, "transformations", status=201)["credentials"]
        b = self.create("mysql", tb, "transformations", status=201)["credentials"]
        self.assertNotEqual(a["db"], b["db"])
        self.assertNotEqual(a["user"], b["user"])
        out = self.db.login(a, "SHOW DATABASES")
        self.assertEqual(0, out.returncode, "login with the returned credentials: %s"
                         % out.stderr)
        self.assertEqual({a["db"]}, set(out.stdout.split()) - {"information_schema"},
                         "the user must see only its own database: %r" % out.stdout)
        out = self.db.login(a, "CREATE TABLE t (x INT); INSERT INTO t VALUES (42); "
                               "SELECT x FROM t")
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual("42", out.stdout.strip())
        for sql in ("SELECT 1 FROM `%s`.t" % b["db"], "USE `%s`" % b["db"],
                    "CREATE TABLE `%s`.x (y INT)" % b["db"], "SELECT User FROM mysql.user",
                    "CREATE DATABASE hg_intruder_%s" % secrets.token_hex(3),
                    "CREATE USER 'hg_intruder'@'%' IDENTIFIED BY 'x1234567'",
                    "GRANT SELECT ON `%s`.* TO '%s'@'%%'" % (a["db"], b["user"]),
                    "SELECT COUNT(*) FROM `%s`.t" % b["db"]):
            with self.subTest(sql=sql):
                out = self.db.login(a, sql)
                self.assertNotEqual(0, out.returncode, "%r must be refused: %s" % (sql,
                                                                                  out.stdout))
        out = self.db.login(a, "SELECT 1", db=b["db"])
        self.assertNotEqual(0, out.returncode, "logging into another's database must fail")
        out = self.db.login(b, "SHOW TABLES")
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual("", out.stdout.strip(), "b's database is its own: %r" % out.stdout)

    def test_sandbox_and_transformations_are_separate_databases(self):
        tok = self.new_token()
        s = self.create("mysql", tok, "sandbox", status=201)["credentials"]
        t = self.create("mysql", tok, "transformations", status=201)["credentials"]
        self.assertNotEqual(s["db"], t["db"])
        self.assertEqual(0, self.db.login(s, "SELECT 1").returncode)
        self.assertEqual(0, self.db.login(t, "SELECT 1").returncode)
        self.assertNotEqual(0, self.db.login(s, "SELECT 1", db=t["db"]).returncode)

    def test_create_again_returns_working_credentials(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        before = self.user_dbs()
        b = self.create("mysql", tok, "sandbox")
        self.assertEqual(a["credentials"], b["credentials"])
        self.assertEqual(before, self.user_dbs(), "a repeated create makes no database")
        out = self.db.login(b["credentials"])
        self.assertEqual(0, out.returncode, out.stderr)

    def test_concurrent_creates_one_database(self):
        tok = self.new_token()
        before_dbs, before_users = self.user_dbs(), self.user_accounts()

        retried = []

        def one(_):
            # a Keboola client retries 5xx; the service may answer a create that races
            # another for the same token and type with 503 + Retry-After
            deadline = time.monotonic() + 20
            while True:
                r = self.s.request("POST", "/provisioning/mysql", {"type": "sandbox"},
                                   headers={"X-StorageApi-Token": tok})
                if r.status != 503 or time.monotonic() > deadline:
                    return r
                self.expect_kerror(r, 503)
                self.assertIn("retry-after", r.headers, "a 503 to retry: %r" % r)
                retried.append(r)
                time.sleep(min(float(r.headers["retry-after"]), 2.0) / 4)

        with ThreadPoolExecutor(8) as ex:
            answers = list(ex.map(one, range(8)))
        if retried:
            print("\nnote: %d of 8 concurrent creates for one token were answered 503 "
                  "first: %r" % (len(retried), retried[0]))
        bodies = [self.expect_created(r, "mysql", True) for r in answers]
        self.assertEqual(1, len({b["id"] for b in bodies}),
                         "concurrent creates for one token and type: %s"
                         % [b["id"] for b in bodies])
        self.assertEqual(1, len({b["credentials"]["password"] for b in bodies}))
        self.assertEqual(1, len(self.user_dbs() - before_dbs), "exactly one database")
        self.assertEqual(1, len(self.user_accounts() - before_users), "exactly one user")
        self.assertEqual(0, self.db.login(bodies[0]["credentials"]).returncode)


class InUseKill(MySQLBase):
    def test_in_use_while_connected_and_kill_drops_it(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        cid, creds = a["id"], a["credentials"]
        self.assertIs(False, self.detail(cid, tok)["inUse"])
        p = self.sleeper(creds)
        self.wait_in_use(cid, tok, True)
        r = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok)
        self.assertIs(True, self.expect_detail(r, "mysql", cid, True)["inUse"], "%r" % r)
        t0 = time.monotonic()
        r = self.k("POST", "/provisioning/mysql/%s/kill" % cid, tok=tok, headers=RUN_HDR)
        self.expect(r, 200, {"status": "ok"})
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("kill did not drop the live connection within 10 s")
        self.assertNotEqual(0, rc, "the killed client must see an error: %s" % p.stderr.read())
        self.assertLess(time.monotonic() - t0, 10)
        self.wait_in_use(cid, tok, False)
        out = self.db.login(creds)
        self.assertEqual(0, out.returncode, "kill keeps the credentials: %s" % out.stderr)

    def test_kill_by_another_token_is_404_and_keeps_the_connection(self):
        project = "p" + secrets.token_hex(4)
        owner, other = self.new_token(project), self.new_token(project)
        a = self.create("mysql", owner, "transformations", status=201)
        p = self.sleeper(a["credentials"], 6)
        self.wait_in_use(a["id"], owner, True)
        for tok in (other, self.new_token()):
            r = self.k("POST", "/provisioning/mysql/%s/kill" % a["id"], tok=tok, headers=RUN_HDR)
            self.expect_kerror(r, 404)
        time.sleep(0.5)
        self.assertIsNone(p.poll(), "another token's kill must not touch the connection")
        self.assertIs(True, self.detail(a["id"], owner)["inUse"])
        p.wait(15)
        self.assertEqual(0, p.returncode, p.stderr.read())

    def test_kill_touches_only_its_own_users_connections(self):
        ta, tb = self.new_token(), self.new_token()
        a = self.create("mysql", ta, "sandbox", status=201)
        b = self.create("mysql", tb, "sandbox", status=201)
        pa = self.sleeper(a["credentials"], 30)
        pb = self.sleeper(b["credentials"], 4)
        self.wait_in_use(a["id"], ta, True)
        self.wait_in_use(b["id"], tb, True)
        r = self.k("POST", "/provisioning/mysql/%s/kill" % a["id"], tok=ta, headers=RUN_HDR)
        self.expect(r, 200, {"status": "ok"})
        pa.wait(10)
        self.assertIsNone(pb.poll(), "kill of a's credentials must not touch b's connection")
        self.assertIs(True, self.detail(b["id"], tb)["inUse"])
        self.assertEqual(0, pb.wait(15), "b's query must complete")

    def test_kill_without_connections(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "transformations", status=201)
        r = self.k("POST", "/provisioning/mysql/%s/kill" % a["id"], tok=tok, headers=RUN_HDR)
        self.expect(r, 200, {"status": "ok"})


class CrashMidDelete(MySQLBase):
    allow_5xx = True

    def test_create_after_a_crash_mid_delete_returns_lasting_credentials(self):
        """credentials-svc SIGKILLed while a DELETE waits on a stalled MariaDB; after the
        restart, the credentials a create answers with must stay valid: they must not be
        the ones whose drop is still pending."""
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        pid = self.db.pid()
        answers = []
        os.kill(pid, signal.SIGSTOP)
        try:
            th = threading.Thread(target=lambda: answers.append(self._delete(a["id"], tok)))
            th.start()
            time.sleep(0.8)
            self.s.kill("credentials-svc", signal.SIGKILL)
            th.join(20)
            self.s.restart("credentials-svc")
            self.wait_served()
            # MariaDB is still stalled: the interrupted drop cannot have finished yet
            during = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok, timeout=30)
            r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok, timeout=30)
        finally:
            os.kill(pid, signal.SIGCONT)
        t0 = time.monotonic()
        while r.status == 503 and time.monotonic() - t0 < 20:
            time.sleep(0.25)
            r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok)
        print("\nnote: after a crash mid-DELETE (answered %r), with MariaDB stalled: GET by "
              "type %s, create %s %s" % (answers, during.status, r.status, r.body.get("id")))
        b = self.expect_created(r, "mysql", True)
        time.sleep(3)   # let the restarted service finish what the crash interrupted
        g = self.k("GET", "/provisioning/mysql/%s" % b["id"], tok=tok)
        self.assertEqual(200, g.status, "the credentials %s that create answered (after a "
                         "crash mid-DELETE of %s, answered %r) are gone: %r"
                         % (b["id"], a["id"], answers, g))
        self.assertEqual(0, self.db.login(b["credentials"]).returncode,
                         "the credentials create answered must log in")
        r = self.k("DELETE", "/provisioning/mysql/%s" % b["id"], tok=tok)
        self.expect(r, 200, {"status": "ok"})

    def test_create_after_a_crash_mid_create_returns_lasting_credentials(self):
        """credentials-svc SIGKILLed while a create waits on a stalled MariaDB; after the
        restart the same token creates again: what it is answered must stay valid."""
        warm = self.new_token()
        self.create("mysql", warm, "transformations", status=201)
        tok = self.new_token()
        pid = self.db.pid()
        answers = []

        def create():
            try:
                answers.append(self.s.request("POST", "/provisioning/mysql", {"type": "sandbox"},
                                              headers={"X-StorageApi-Token": tok},
                                              timeout=30).status)
            except Exception as e:
                answers.append(repr(e))

        os.kill(pid, signal.SIGSTOP)
        try:
            th = threading.Thread(target=create)
            th.start()
            time.sleep(0.8)
            self.s.kill("credentials-svc", signal.SIGKILL)
            th.join(20)
            self.s.restart("credentials-svc")
            self.wait_served()
            during = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok, timeout=30)
            r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok, timeout=30)
        finally:
            os.kill(pid, signal.SIGCONT)
        t0 = time.monotonic()
        while r.status == 503 and time.monotonic() - t0 < 20:
            time.sleep(0.25)
            r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok)
        print("\nnote: after a crash mid-create (answered %r), with MariaDB stalled: GET by "
              "type %s %s, create %s %s" % (answers, during.status, during.body.get("id"),
                                             r.status, r.body.get("id")))
        b = self.expect_created(r, "mysql", True)
        time.sleep(3)   # let the restarted service finish what the crash interrupted
        g = self.k("GET", "/provisioning/mysql/%s" % b["id"], tok=tok)
        self.assertEqual(200, g.status, "the credentials %s that create answered after a "
                         "crash mid-create are gone: %r" % (b["id"], g))
        self.assertEqual(0, self.db.login(b["credentials"]).returncode,
                         "the credentials create answered must log in")
        r = self.k("DELETE", "/provisioning/mysql/%s" % b["id"], tok=tok)
        self.expect(r, 200, {"status": "ok"})

    def _delete(self, cid, tok):
        try:
            r = self.s.request("DELETE", "/provisioning/mysql/%s" % cid,
                               headers={"X-StorageApi-Token": tok}, timeout=30)
            return r.status
        except Exception as e:
            return repr(e)


class Delete(MySQLBase):
    def test_delete_drops_user_and_database(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        creds = a["credentials"]
        self.assertEqual(0, self.db.login(creds).returncode)
        self.assertIn(creds["db"], self.user_dbs())
        r = self.k("DELETE", "/provisioning/mysql/%s" % a["id"], tok=tok)
        self.expect(r, 200, {"status": "ok"})
        out = self.db.login(creds)
        self.assertNotEqual(0, out.returncode, "login must fail after DELETE: %s" % out.stdout)
        out = self.db.login(creds, db=None)
        self.assertNotEqual(0, out.returncode, "login (no database) must fail after DELETE")
        self.assertNotIn(creds["db"], self.user_dbs(), "the database must be dropped")
        self.assertNotIn(creds["user"], self.user_accounts(), "the user must be dropped")
        self.expect_kerror(self.k("GET", "/provisioning/mysql/%s" % a["id"], tok=tok), 404)
        b = self.create("mysql", tok, "sandbox", status=201)
        self.assertNotEqual(a["id"], b["id"])
        self.assertEqual(0, self.db.login(b["credentials"]).returncode)

    def test_delete_while_connected(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "transformations", status=201)
        p = self.sleeper(a["credentials"], 20)
        self.wait_in_use(a["id"], tok, True)
        r = self.k("DELETE", "/provisioning/mysql/%s" % a["id"], tok=tok)
        self.expect(r, 200, {"status": "ok"})
        self.assertNotEqual(0, self.db.login(a["credentials"]).returncode)
        self.poll(lambda: a["credentials"]["db"] not in self.user_dbs(), timeout=10,
                  what="the database to be dropped")
        self.assertNotIn(a["credentials"]["user"], self.user_accounts())
        # README: DELETE kills the user's connections
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            self.fail("the live connection survived DELETE of its credentials")
        self.assertNotEqual(0, rc)

    def test_other_token_delete_404_keeps_database(self):
        project = "p" + secrets.token_hex(4)
        owner, other = self.new_token(project), self.new_token(project)
        a = self.create("mysql", owner, "sandbox", status=201)
        for tok in (other, self.new_token()):
            self.expect_kerror(self.k("DELETE", "/provisioning/mysql/%s" % a["id"], tok=tok),
                               404)
        self.assertEqual(0, self.db.login(a["credentials"]).returncode)


class Crash(MySQLBase):
    def test_sigkill_during_creates_and_deletes_leaves_nothing_half_created(self):
        """Threads create and drop mysql credentials in a loop; credentials-svc is SIGKILLed
        in the middle. After the restart every acknowledged create (not followed by a
        delete) is there and logs in, every acknowledged delete stays deleted, and the
        server holds exactly the databases and users of the stored credentials."""
        before_dbs, before_users = self.user_dbs(), self.user_accounts()
        toks = [self.new_token() for _ in range(8)]
        state = {}     # i -> (last acknowledged op, its body), the op that did not answer
        ops = [0]

        def worker(i):
            h = {"X-StorageApi-Token": toks[i]}
            last, cid = ("none", None), None
            while True:
                op = "create" if cid is None else "delete"
                try:
                    if op == "create":
                        r = self.s.request("POST", "/provisioning/mysql", {"type": "sandbox"},
                                           headers=h, timeout=10)
                    else:
                        r = self.s.request("DELETE", "/provisioning/mysql/%s" % cid, headers=h,
                                           timeout=10)
                except Exception:
                    state[i] = (last, op)
                    return
                if r.status == 503 and r.is_json and "retry" in str(r.body.get("message")):
                    # the service is down (or busy): the op may or may not have happened
                    state[i] = (last, op)
                    return
                if op == "create" and r.status in (200, 201):
                    last, cid = ("create", r.body), r.body["id"]
                elif op == "delete" and r.status == 200:
                    last, cid = ("delete", cid), None
                else:
                    state[i] = (last, op + " answered %r" % (r,))
                    return
                ops[0] += 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(toks))]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 5
        while ops[0] < 40 and time.monotonic() < deadline:   # mid-stream, whatever the load
            time.sleep(0.01)
        self.s.kill("credentials-svc", signal.SIGKILL)
        for t in threads:
            t.join(20)
        self.restart("credentials-svc")
        print("\nnote: SIGKILL after %d acknowledged creates/deletes; unanswered ops: %s"
              % (ops[0], sorted(v[1] for v in state.values())))
        for i, (last, op) in state.items():
            self.assertIn(op, ("create", "delete"), "thread %d stopped on %s" % (i, op))
        stored = {}
        for i, tok in enumerate(toks):
            r = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok)
            self.assertIn(r.status, (200, 404), "%r" % r)
            last, op = state[i]
            if r.status == 200:
                stored[i] = r.body
                out = self.db.login(r.body["credentials"])
                self.assertEqual(0, out.returncode, "stored credentials %s must log in: %s"
                                 % (r.body["id"], out.stderr))
                if last[0] == "create":
                    self.assertEqual(last[1]["credentials"], r.body["credentials"],
                                     "acknowledged create must be kept as answered")
                if last[0] == "delete":
                    self.assertNotEqual(last[1], r.body["id"],
                                        "acknowledged delete of %s must stay deleted" % last[1])
            elif last[0] == "create" and op != "delete":
                self.fail("acknowledged create %s lost" % last[1]["id"])
        want = {b["credentials"]["db"] for b in stored.values()}
        want_users = {b["credentials"]["user"] for b in stored.values()}
        self.poll(lambda: self.user_dbs() - before_dbs == want, timeout=15, interval=0.2,
                  what=lambda: "databases %s to equal the stored credentials' %s"
                  % (sorted(self.user_dbs() - before_dbs), sorted(want)))
        self.poll(lambda: self.user_accounts() - before_users == want_users, timeout=15,
                  interval=0.2, what=lambda: "users %s to equal the stored credentials' %s"
                  % (sorted(self.user_accounts() - before_users), sorted(want_users)))
        # every token can carry on: create (again) and drop
        for i, tok in enumerate(toks):
            b = self.create("mysql", tok, "sandbox")
            why = ("token %d: before the crash %r; after the restart GET by type said %s; "
                   "create now answered %s" % (i, state[i], stored.get(i, {}).get("id", 404),
                                                b["id"]))
            self.assertEqual(0, self.db.login(b["credentials"]).returncode, why)
            r = self.k("DELETE", "/provisioning/mysql/%s" % b["id"], tok=tok)
            if r.status != 200:
                g = self.k("GET", "/provisioning/mysql/%s" % b["id"], tok=tok)
                gt = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok)
                why += ("; then GET by id %s, GET by type %s %s; its database %s on the "
                        "server, its login %s" % (
                            g.status, gt.status, gt.body.get("id"),
                            "still" if b["credentials"]["db"] in self.user_dbs() else "not",
                            "works" if self.db.login(b["credentials"]).returncode == 0
                            else "fails"))
            self.expect(r, 200, {"status": "ok"}, why)
        self.poll(lambda: self.user_dbs() == before_dbs, timeout=10,
                  what="every database to be dropped")


class NoPasswordLogged(MySQLBase):
    """A statement that fails is logged (warn), but never with the password it carried: the
    service runs on an account that may create databases but not users, so every create
    fails at CREATE USER ... IDENTIFIED BY '<password>'."""
    allow_5xx = True

    def test_failed_create_user_is_logged_without_its_password(self):
        before = self.user_dbs()
        limited, pw = "lim" + secrets.token_hex(4), secrets.token_hex(12)
        self.db.admin("CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY '%s';"
                      "GRANT CREATE, DROP, SELECT, PROCESS ON *.* TO '%s'@'127.0.0.1'"
                      % (limited, pw, limited))

        def restore():
            self.restart("credentials-svc")
            self.db.admin("DROP USER IF EXISTS '%s'@'127.0.0.1'" % limited)
            for db in self.user_dbs() - before:  # what the failed creates left
                self.db.admin("DROP DATABASE IF EXISTS `%s`" % db)
        self.addCleanup(restore)
        self.restart("credentials-svc",
                     mysql_dsn="mysql://%s:%s@%s:%d" % (limited, pw, self.db.host, self.db.port))
        log = self.s._p("credentials-svc.stderr")
        with open(log, "rb") as f:
            start = len(f.read())
        for _ in range(2):
            r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=self.new_token())
            self.assertGreaterEqual(r.status, 500, r)
        with open(log, errors="replace") as f:
            f.seek(start)
            lines = f.read().splitlines()
        failed = [ln for ln in lines if "CREATE USER '" in ln]
        self.assertTrue(failed, "no log line for the failed CREATE USER:\n" + "\n".join(lines))
        for ln in failed:
            self.assertIn("IDENTIFIED BY '<password>'", ln)
        leaked = [ln for ln in lines if re.search(r"IDENTIFIED BY '(?!<password>')", ln)]
        self.assertEqual([], leaked)


class ServerRestart(MySQLBase):
    allow_5xx = True

    def retry(self, method, path, tok, body=None, timeout=15):
        """A client that retries 5xx (with the Retry-After the answer names)."""
        t0 = time.monotonic()
        while True:
            r = self.k(method, path, body, tok=tok, timeout=30)
            if r.status < 500 or time.monotonic() - t0 > timeout:
                return r, time.monotonic() - t0
            self.expect_kerror(r, 503, "only 503s are retried")
            time.sleep(0.2)

    def test_server_restart_same_port_service_reconnects(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)   # the service has connections
        self.db.restart_same_port()
        # the service's old connections are dead: it must notice and reconnect
        t2 = self.new_token()
        r, took = self.retry("POST", "/provisioning/mysql", t2, {"type": "sandbox"})
        b = self.expect_created(r, "mysql", True, status=201)
        self.assertLess(took, 5.0, "served again %.1fs after the server came back" % took)
        self.assertEqual(0, self.db.login(b["credentials"]).returncode)
        for method, path in (("GET", "/provisioning/mysql/%s" % a["id"]),
                             ("POST", "/provisioning/mysql/%s/kill" % a["id"])):
            with self.subTest(method=method, path=path):
                r, _ = self.retry(method, path, tok)
                self.expect(r, 200)
        self.assertEqual(0, self.db.login(a["credentials"]).returncode)
        r, _ = self.retry("DELETE", "/provisioning/mysql/%s" % a["id"], tok)
        self.expect(r, (200, 404))
        self.poll(lambda: a["credentials"]["db"] not in self.user_dbs(), timeout=10,
                  what="the database to be dropped")
        self.assertNotEqual(0, self.db.login(a["credentials"]).returncode)

    def test_stalled_delete_settles_all_or_nothing(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        creds = a["credentials"]
        pid = self.db.pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            r = self.k("DELETE", "/provisioning/mysql/%s" % a["id"], tok=tok, timeout=60)
            took = time.monotonic() - t0
        finally:
            os.kill(pid, signal.SIGCONT)
        self.assertLess(took, 15.0, "DELETE against a stalled server took %.1fs" % took)
        if r.status >= 500:
            self.expect_kerror(r, 503)
        else:
            self.expect(r, 200, {"status": "ok"})

        def settled():
            g = self.k("GET", "/provisioning/mysql/%s" % a["id"], tok=tok)
            if g.status == 503:
                return None
            gone = creds["db"] not in self.user_dbs()
            user_gone = creds["user"] not in self.user_accounts()
            if g.status == 404 and gone and user_gone:
                return "deleted"
            if g.status == 200 and not gone and not user_gone:
                return "kept"
            return None

        state = self.poll(settled, timeout=15, interval=0.25,
                          what="the credentials to be wholly kept or wholly dropped")
        print("\nnote: DELETE against a stalled server: HTTP %s after %.1fs; settled %s"
              % (r.status, took, state))
        if r.status == 200:
            self.assertEqual("deleted", state, "an acknowledged DELETE must stay done")
        if state == "kept":
            self.assertEqual(0, self.db.login(creds).returncode)
        else:
            self.assertNotEqual(0, self.db.login(creds).returncode)


class Stall(MySQLBase):
    """mariadbd stopped (SIGSTOP) mid-create: the client gets a 503 within the deadline and,
    once the server runs again, nothing is half-created."""
    allow_5xx = True

    def test_stalled_server_503_and_nothing_half_created(self):
        # a create first, so that the service has talked to the server before the stall
        warm = self.new_token()
        w = self.create("mysql", warm, "transformations", status=201)
        self.expect(self.k("DELETE", "/provisioning/mysql/%s" % w["id"], tok=warm), 200)
        before_dbs, before_users = self.user_dbs(), self.user_accounts()
        with open(os.path.join(self.db.run, "mariadb.pid")) as f:
            pid = int(f.read().strip())
        tok = self.new_token()
        os.kill(pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok, timeout=60)
            took = time.monotonic() - t0
        finally:
            os.kill(pid, signal.SIGCONT)
        self.expect_kerror(r, 503, "create while mariadbd is stopped")
        self.assertLess(took, 15.0, "the 503 must come within the deadline (%.1fs)" % took)
        r = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok)
        self.expect_kerror(r, 404, "no stored credentials for a create answered 503")
        # the server ran the queued statements when it woke up; nothing may be left over
        try:
            self.poll(lambda: (self.user_dbs() - before_dbs, self.user_accounts() - before_users)
                      == (set(), set()), timeout=10, interval=0.2,
                      what=lambda: "no database %s / user %s left by the failed create"
                      % (sorted(self.user_dbs() - before_dbs),
                         sorted(self.user_accounts() - before_users)))
        except AssertionError as e:
            left = (self.user_dbs() - before_dbs, self.user_accounts() - before_users)
            self.restart("credentials-svc")
            deadline = time.monotonic() + 10
            while True:
                after = (self.user_dbs() - before_dbs, self.user_accounts() - before_users)
                if after == (set(), set()) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.fail("%s; after a credentials-svc restart: databases %s users %s"
                      % (e, sorted(after[0]), sorted(after[1])))
        # a client retries 5xx: the service recovers once the server answers again
        t0 = time.monotonic()
        r = self.poll(lambda: (lambda r: r if r.status != 503 else None)(
            self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok)), timeout=20,
            interval=0.25, what="the mysql backend to recover after SIGCONT")
        print("\nnote: mysql creates answered 503 for %.1fs after mariadbd resumed"
              % (time.monotonic() - t0))
        b = self.expect_created(r, "mysql", True, status=201)
        self.assertEqual(0, self.db.login(b["credentials"]).returncode)


class ZMariaDBDown(MySQLBase):
    """Runs last in this module: it stops the server (and then starts it on a new port)."""
    allow_5xx = True

    def test_mariadb_down_is_503_in_keboola_body(self):
        tok_old = self.new_token()
        a = self.create("mysql", tok_old, "sandbox", status=201)
        tok = self.new_token()
        self.db.stop()
        t0 = time.monotonic()
        r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok, timeout=30)
        took = time.monotonic() - t0
        self.expect_kerror(r, 503, "create while MariaDB is down")
        self.assertEqual("Application error", r.body["error"])
        self.assertIn("retry-after", r.headers, "%r" % r)
        # README: "503 ... within about 2 seconds (the connect timeout)"
        self.assertLess(took, 3.0, "the 503 must come within about 2 s (%.1fs)" % took)
        # nothing half-created: the token has no credentials
        r = self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok, timeout=30)
        self.expect_kerror(r, (404, 503))
        self.assertEqual(404, r.status, "no stored credentials without a database: %r" % r)
        # other calls answer 2xx or the Keboola 503, never another 5xx, within the deadline
        p = "/provisioning/mysql/%s" % a["id"]
        for method, path in (("GET", p), ("POST", p + "/kill"), ("POST", p + "/extend"),
                             ("GET", "/provisioning/mysql?type=sandbox")):
            with self.subTest(method=method, path=path):
                t0 = time.monotonic()
                r = self.k(method, path, tok=tok_old, timeout=30)
                self.assertLess(time.monotonic() - t0, 10.0, "%r" % r)
                if r.status >= 500:
                    self.expect_kerror(r, 503)
                else:
                    self.expect(r, 200)
        # snowflake does not need the server
        self.create("snowflake", tok, "sandbox", status=201)
        # the server comes back (on a new port): the service pointed at it works again
        dsn = self.db.start()
        # a server that refuses the service's account: 503 as well, at once
        bad = dsn.replace("://%s:%s@" % (self.db.user, self.db.password),
                          "://%s:%s@" % (self.db.user, "wrong" + self.db.password))
        self.restart("credentials-svc", mysql_dsn=bad)
        t0 = time.monotonic()
        r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok, timeout=30)
        self.expect_kerror(r, 503, "create with a server refusing the login")
        self.assertLess(time.monotonic() - t0, 10.0)
        self.restart("credentials-svc", mysql_dsn=dsn)
        b = self.create("mysql", tok, "sandbox", status=201)
        self.assertEqual(self.db.port, b["credentials"]["port"])
        self.assertEqual(0, self.db.login(b["credentials"]).returncode)
        old = self.detail(a["id"], tok_old)
        self.assertEqual(a["credentials"]["password"], old["credentials"]["password"])


if __name__ == "__main__":
    harness.main()
