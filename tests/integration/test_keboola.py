"""Keboola Provisioning API (seed 001, specs/keboola-provisioning-*.apib, CONTRACTS.md
"Keboola provisioning"), black box through the gateway: the sync actions for mysql, snowflake
and redshift-workspace, the type rules, the error dialect, and isolation between tokens and
projects. Uses its own Stack and its own private MariaDB (scripts/mariadb-local).

The helpers here (KeboolaTest, MariaDB) are imported by test_keboola_mysql.py and
test_keboola_jobs.py; importing this module does not run its tests there.
"""

import atexit
import os
import random
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timedelta

import harness
from harness import HangarTest

HERE = os.path.dirname(os.path.abspath(__file__))
MARIADB_LOCAL = os.path.join(HERE, "..", "..", "scripts", "mariadb-local")

SYNC_BACKENDS = ("mysql", "snowflake", "redshift-workspace")
TYPES = {
    "mysql": ("transformations", "sandbox"),
    "snowflake": ("transformations", "sandbox", "writer", "luckyguess"),
    "redshift-workspace": ("transformations", "sandbox", "writer", "luckyguess"),
}
CRED_KEYS = {
    "mysql": {"id", "hostname", "port", "db", "user", "password"},
    "snowflake": {"id", "hostname", "port", "db", "schema", "warehouse", "user", "password",
                  "workspaceId"},
    "redshift-workspace": {"id", "hostname", "port", "db", "user", "password"},
}
ERROR_KEYS = {"status", "error", "code", "message", "exceptionId", "runId"}
EXCEPTION_ID_RE = re.compile(r"^provisioning-[0-9a-f]+$")
RFC3339_OFFSET_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")
DIGITS_RE = re.compile(r"^[0-9]+$")
CANNOT_EXTEND = {"status": "warning", "message": "The sandbox cannot be extended."}
JOB_STATUSES = ("waiting", "processing", "success", "error", "cancelled")
DAY = 24 * 3600


# --------------------------------------------------------------------------------------------
# A private MariaDB server per test module

_LIVE_DBS = []


class MariaDB:
    """scripts/mariadb-local in a temp dir; always stopped (tearDownModule, atexit)."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="hgkdb-", dir="/tmp")
        self.data = os.path.join(self.tmp, "data")
        self.run = os.path.join(self.tmp, "run")
        self.dsn = None
        self.running = False

    def start(self):
        if self not in _LIVE_DBS:
            _LIVE_DBS.append(self)
        fresh = not os.path.isdir(os.path.join(self.data, "mysql"))
        # its own TMPDIR: parallel mariadb-install-db runs sharing /tmp collide on their
        # temporary tables ("Could not remove temporary table '/tmp/#sql-temptable-...'")
        tmpdir = os.path.join(self.tmp, "tmp")
        os.makedirs(tmpdir, exist_ok=True)
        env = dict(os.environ, TMPDIR=tmpdir)
        for attempt in range(3):
            out = subprocess.run([MARIADB_LOCAL, "start", self.data, self.run], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
            if out.returncode == 0:
                break
            subprocess.run([MARIADB_LOCAL, "stop", self.run], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
            if fresh:  # a first start failed half-way (a busy machine): start over
                shutil.rmtree(self.data, ignore_errors=True)
                shutil.rmtree(self.run, ignore_errors=True)
            time.sleep(0.5 + random.random() * 2)
        if out.returncode != 0:
            raise RuntimeError("mariadb-local start failed (%s): %s %s" % (
                out.returncode, out.stdout.decode(errors="replace"),
                out.stderr.decode(errors="replace")[-3000:]))
        lines = [ln for ln in out.stdout.decode().splitlines() if ln.startswith("mysql://")]
        if not lines:
            raise RuntimeError("mariadb-local printed no DSN: %r" % out.stdout)
        self.dsn = lines[-1].strip()
        m = re.match(r"^mysql://([^:]+):([^@]+)@([^:]+):(\d+)$", self.dsn)
        self.user, self.password, self.host, self.port = (m.group(1), m.group(2), m.group(3),
                                                          int(m.group(4)))
        self.running = True
        return self.dsn

    def stop(self):
        if self.running:
            subprocess.run([MARIADB_LOCAL, "stop", self.run], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
            self.running = False
        if getattr(self, "proc", None) is not None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def pid(self):
        with open(os.path.join(self.run, "mariadb.pid")) as f:
            return int(f.read().strip())

    def restart_same_port(self, down_seconds=0.0):
        """Stops the server and starts it again on the same port (as mariadb-local does)."""
        self.stop()
        time.sleep(down_seconds)
        import getpass
        sock = os.path.join(self.run, "mariadb.sock")
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", "--tmpdir=" + os.path.join(self.tmp, "tmp"),
             "--datadir=" + self.data, "--socket=" + sock,
             "--port=%d" % self.port, "--bind-address=127.0.0.1",
             "--pid-file=" + os.path.join(self.run, "mariadb.pid"),
             "--log-error=" + os.path.join(self.run, "mariadb.log"),
             "--user=" + getpass.getuser(), "--skip-name-resolve", "--skip-log-bin",
             "--innodb-buffer-pool-size=32M", "--max-connections=200"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.running = True
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if subprocess.run(["mariadb-admin", "--no-defaults", "--socket=" + sock, "-uroot",
                               "ping"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("mariadbd did not come back on port %d" % self.port)

    def cleanup(self):
        try:
            self.stop()
        finally:
            if self in _LIVE_DBS:
                _LIVE_DBS.remove(self)
            if os.environ.get("HANGAR_KEEP_TMP"):
                print("kept", self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    @staticmethod
    def client_argv(host, port, user, password, db=None, sql="SELECT 1"):
        argv = ["mariadb", "--no-defaults", "-h", str(host), "-P", str(port), "-u", user,
                "-p" + password, "--batch", "--skip-column-names", "--connect-timeout=5"]
        if db:
            argv.append(db)
        return argv + ["-e", sql]

    def login(self, creds, sql="SELECT 1", db=..., timeout=20):
        """Runs sql as the returned credentials; CompletedProcess (stdout/stderr text)."""
        argv = self.client_argv(creds["hostname"], creds["port"], creds["user"],
                                creds["password"], creds["db"] if db is ... else db, sql)
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, text=True)

    def admin(self, sql, timeout=20):
        """Runs sql as the DSN's account (the one credentials-svc uses)."""
        argv = self.client_argv(self.host, self.port, self.user, self.password, None, sql)
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=timeout, text=True)
        if out.returncode != 0:
            raise AssertionError("admin query %r failed: %s" % (sql, out.stderr))
        return out.stdout


def _stop_dbs():
    for db in list(_LIVE_DBS):
        try:
            db.cleanup()
        except Exception:
            pass


atexit.register(_stop_dbs)

_DB = []


def setup_module_with_mariadb(**kw):
    db = MariaDB()
    _DB.append(db)
    try:
        dsn = db.start()
        harness.module_stack(mysql_dsn=dsn, **kw)
    except BaseException:
        teardown_module_with_mariadb()
        raise
    return db


def teardown_module_with_mariadb():
    try:
        harness.module_teardown()
    finally:
        while _DB:
            _DB.pop().cleanup()


def module_db():
    return _DB[-1] if _DB else None


# --------------------------------------------------------------------------------------------
# The client side

def parse_rfc3339(text):
    return datetime.fromisoformat(text)


class KeboolaTest(HangarTest):
    """Helpers for a client of the Keboola Provisioning API."""

    @property
    def db(self):
        return module_db()

    def new_token(self, project=None, subject=None):
        project = project or "p" + secrets.token_hex(4)
        subject = subject or "u-" + secrets.token_hex(4)
        tok = self.s.mint_token("storage", subject,
                                [("storage-projects/%s" % project, "editor")])["token"]
        return tok

    def restart(self, name, **overrides):
        """Restarts a process and waits until the gateway serves the Keboola surface again
        (its channel to a restarted service may answer 503 for a moment: clients retry)."""
        self.s.restart(name, **overrides)
        self.wait_served()

    def wait_served(self, timeout=20.0):
        def served():
            try:
                tok = self.s.mint_token("storage", "u-ready", [("storage-projects/ready",
                                                                "viewer")])["token"]
            except AssertionError:
                return None
            r = self.s.request("GET", "/queue/job/0", headers={"X-StorageApi-Token": tok})
            return r.status == 404
        self.poll(served, timeout=timeout, interval=0.1,
                  what="the Keboola surface to be served again")

    def k(self, method, path, body=None, tok=None, raw=None, headers=None, **kw):
        h = dict(headers or {})
        if tok is not None:
            h["X-StorageApi-Token"] = tok
        return self.req(method, path, body=body, raw=raw, headers=h, **kw)

    # -- answers ------------------------------------------------------------------------
    def expect_ct(self, r):
        ct = r.headers.get("content-type", "")
        self.assertEqual("application/json", ct.split(";")[0].strip().lower(),
                         "Content-Type should be application/json: %r" % (r,))

    def expect_kerror(self, r, status, msg=""):
        """The Keboola error body: {"status":"error","error":"User error"|"Application
        error","code":<status>,"message","exceptionId":"provisioning-<hex>","runId":<int>}."""
        ok = r.status in status if isinstance(status, tuple) else r.status == status
        if not ok:
            self.fail("expected HTTP %s, got %r %s" % (status, r, msg))
        self.expect_ct(r)
        b = r.body
        self.assertTrue(r.is_json and isinstance(b, dict), "error body must be an object: %r" % r)
        self.assertEqual(ERROR_KEYS, set(b), "error body keys: %r %s" % (r, msg))
        self.assertEqual("error", b["status"], "status: %r" % r)
        self.assertEqual("User error" if r.status < 500 else "Application error", b["error"],
                         "error: %r" % r)
        self.assertIs(type(b["code"]), int, "code must be an int: %r" % r)
        self.assertEqual(r.status, b["code"], "code must equal the HTTP status: %r" % r)
        self.assertIsInstance(b["message"], str, "message: %r" % r)
        self.assertTrue(b["message"].strip(), "message must be non-empty: %r" % r)
        self.assertIsInstance(b["exceptionId"], str, "exceptionId: %r" % r)
        self.assertRegex(b["exceptionId"], EXCEPTION_ID_RE, "exceptionId: %r" % r)
        self.assertIs(type(b["runId"]), int, "runId must be an int: %r" % r)
        return b

    def expect_touch(self, touch, r=None):
        self.assertIsInstance(touch, str, "touch must be a string of digits: %r" % (r,))
        self.assertRegex(touch, DIGITS_RE, "touch must be a string of digits: %r" % (r,))
        self.assertLess(abs(int(touch) - time.time()), 300,
                        "touch must be the Unix time of the last use: %r" % (r,))
        return int(touch)

    def expect_expiration(self, body, r=None):
        """expiration is touch + 24 h, RFC 3339 with offset, whether or not the credentials
        can be extended (the 2020 blueprint's type; its canExtend:false example has one)."""
        self.assertIn("expiration", body, "expiration missing: %r" % (r,))
        exp = body["expiration"]
        self.assertIsInstance(exp, str, "expiration must be a string: %r" % (r,))
        self.assertRegex(exp, RFC3339_OFFSET_RE, "expiration must be RFC 3339 with an offset: "
                         "%r" % (r,))
        dt = parse_rfc3339(exp)
        self.assertEqual(int(body["touch"]) + DAY, int(dt.timestamp()),
                         "expiration must be touch + 24 h: %r" % (r,))
        return dt

    def expect_creds(self, backend, creds, cid, r=None):
        self.assertIsInstance(creds, dict, "credentials must be an object: %r" % (r,))
        missing = CRED_KEYS[backend] - set(creds)
        self.assertFalse(missing, "credentials lack %s: %r" % (sorted(missing), r))
        self.assertEqual(cid, creds["id"], "credentials.id must equal id: %r" % (r,))
        for k in ("hostname", "db", "user", "password"):
            self.assertIsInstance(creds[k], str, "credentials.%s: %r" % (k, r))
            self.assertTrue(creds[k], "credentials.%s must be non-empty: %r" % (k, r))
        self.assertIs(type(creds["port"]), int, "credentials.port must be an int: %r" % (r,))

    def expect_created(self, r, backend, can_extend, status=(200, 201)):
        """The create answer: credentials, id (numeric string), status ok, touch, url."""
        self.expect(r, status)
        self.expect_ct(r)
        b = r.body
        self.assertIsInstance(b, dict, "%r" % r)
        required = {"credentials", "id", "status", "touch", "url"}
        self.assertFalse(required - set(b), "create answer lacks %s: %r"
                         % (sorted(required - set(b)), r))
        extra = set(b) - required - {"expiration", "canExtend", "inUse"}
        self.assertFalse(extra, "create answer has undocumented fields %s: %r" % (extra, r))
        self.assertIsInstance(b["id"], str, "id must be a string: %r" % r)
        self.assertRegex(b["id"], DIGITS_RE, "id must be a numeric string: %r" % r)
        self.assertEqual("ok", b["status"], "%r" % r)
        self.assertEqual("%s/%s" % (backend, b["id"]), b["url"], "url: %r" % r)
        self.expect_touch(b["touch"], r)
        self.expect_creds(backend, b["credentials"], b["id"], r)
        if "expiration" in b:
            self.expect_expiration(b, r)
        return b

    def expect_detail(self, r, backend, cid, can_extend):
        """GET by id or by type: id, credentials, inUse, touch, expiration, canExtend."""
        self.expect(r, 200)
        self.expect_ct(r)
        b = r.body
        self.assertIsInstance(b, dict, "%r" % r)
        required = {"id", "credentials", "inUse", "touch", "expiration", "canExtend"}
        self.assertFalse(required - set(b), "detail lacks %s: %r" % (sorted(required - set(b)),
                                                                      r))
        extra = set(b) - required - {"status"}
        self.assertFalse(extra, "detail has undocumented fields %s: %r" % (extra, r))
        if "status" in b:
            self.assertEqual("ok", b["status"], "%r" % r)
        self.assertEqual(cid, b["id"], "id: %r" % r)
        self.assertIs(type(b["inUse"]), bool, "inUse must be a boolean: %r" % r)
        self.assertIs(type(b["canExtend"]), bool, "canExtend must be a boolean: %r" % r)
        self.assertEqual(can_extend, b["canExtend"], "canExtend: %r" % r)
        self.expect_touch(b["touch"], r)
        if backend in CRED_KEYS:
            self.expect_creds(backend, b["credentials"], cid, r)
        else:
            self.assertIsInstance(b["credentials"], dict, "%r" % r)
            self.assertEqual(cid, str(b["credentials"].get("id")), "credentials.id: %r" % r)
        self.expect_expiration(b, r)
        return b

    def create(self, backend, tok, type_=None, status=(200, 201)):
        body = {} if type_ is None else {"type": type_}
        r = self.k("POST", "/provisioning/%s" % backend, body, tok=tok)
        return self.expect_created(r, backend, type_ == "sandbox", status=status)

    # -- jobs ---------------------------------------------------------------------------
    def job_ref(self, r, status):
        """202/200 {"id": <int>, "url": "<base>/queue/job/<id>", "status": "waiting"}."""
        self.expect(r, status)
        self.expect_ct(r)
        b = r.body
        self.assertIsInstance(b, dict, "%r" % r)
        self.assertEqual({"id", "url", "status"}, set(b), "job reference keys: %r" % r)
        self.assertIs(type(b["id"]), int, "job id must be an int: %r" % r)
        self.assertEqual({"id": b["id"], "url": "%s/queue/job/%d" % (self.s.base_url, b["id"]),
                          "status": "waiting"}, b, "job reference: %r" % r)
        return b["id"]

    def wait_job(self, job_id, tok, timeout=20.0, interval=0.05, path=None):
        """Polls GET /queue/job/{id} until finished; returns (final body, statuses seen)."""
        seen = []
        last = []

        def done():
            r = self.k("GET", path or "/queue/job/%d" % job_id, tok=tok)
            last[:] = [r]
            self.expect(r, 200)
            st = r.body.get("status")
            self.assertIn(st, JOB_STATUSES, "job status: %r" % r)
            if not seen or seen[-1] != st:
                seen.append(st)
            return st in ("success", "error", "cancelled") and r.body

        body = self.poll(done, timeout=timeout, interval=interval,
                         what=lambda: "job %s to finish (statuses %s, last %r)"
                         % (job_id, seen, last[0] if last else None))
        order = [s for s in ("waiting", "processing") if s in seen]
        self.assertEqual(order, [s for s in seen if s in ("waiting", "processing")],
                         "job statuses must go waiting -> processing -> done: %s" % seen)
        self.assertEqual(1, len([s for s in seen if s in ("success", "error", "cancelled")]),
                         "%s" % seen)
        return body, seen


def setUpModule():
    setup_module_with_mariadb()


def tearDownModule():
    teardown_module_with_mariadb()


RUN_HDR = {"X-KBC-RunId": "myRunId"}


class SyncCreate(KeboolaTest):
    def test_create_mysql_sandbox_documented_body(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/mysql", {"type": "sandbox"}, tok=tok)
        self.expect(r, 201)
        b = self.expect_created(r, "mysql", True, status=201)
        self.assertEqual(self.db.port, b["credentials"]["port"], "mysql port: %r" % r)
        self.assertEqual(self.db.host, b["credentials"]["hostname"], "mysql hostname: %r" % r)

    def test_create_again_same_id_and_credentials(self):
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                tok = self.new_token()
                a = self.create(backend, tok, "sandbox", status=201)
                b = self.create(backend, tok, "sandbox")
                self.assertEqual(a["id"], b["id"])
                self.assertEqual(a["credentials"], b["credentials"])
                c = self.create(backend, tok, "transformations", status=201)
                self.assertNotEqual(a["id"], c["id"], "another type gets another id")
                self.assertNotEqual(a["credentials"]["password"], c["credentials"]["password"])

    def test_default_type_is_transformations(self):
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                tok = self.new_token()
                a = self.create(backend, tok, None, status=201)
                # no body at all is the default too
                r = self.k("POST", "/provisioning/%s" % backend, tok=tok)
                b = self.expect_created(r, backend, False)
                self.assertEqual(a["id"], b["id"], "no body: %r" % r)
                c = self.create(backend, tok, "transformations")
                self.assertEqual(a["id"], c["id"])
                r = self.k("GET", "/provisioning/%s" % backend, tok=tok)
                self.expect_detail(r, backend, a["id"], False)
                r = self.k("GET", "/provisioning/%s?type=transformations" % backend, tok=tok)
                self.expect_detail(r, backend, a["id"], False)

    def test_all_documented_types_per_backend(self):
        tok = self.new_token()
        ids = set()
        for backend, types in TYPES.items():
            for t in types:
                with self.subTest(backend=backend, type=t):
                    b = self.create(backend, tok, t, status=201)
                    self.assertNotIn(b["id"], ids, "ids must be unique")
                    ids.add(b["id"])
                    r = self.k("GET", "/provisioning/%s/%s" % (backend, b["id"]), tok=tok)
                    d = self.expect_detail(r, backend, b["id"], t == "sandbox")
                    self.assertEqual(b["credentials"], d["credentials"])
                    r = self.k("GET", "/provisioning/%s?type=%s" % (backend, t), tok=tok)
                    d2 = self.expect_detail(r, backend, b["id"], t == "sandbox")
                    self.assertEqual(b["credentials"], d2["credentials"])

    def test_create_again_after_restart_same_id(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        b = self.create("redshift-workspace", tok, "writer", status=201)
        self.restart("credentials-svc")
        a2 = self.create("mysql", tok, "sandbox")
        self.assertEqual((a["id"], a["credentials"], a["url"]),
                         (a2["id"], a2["credentials"], a2["url"]))
        self.assertEqual(0, self.db.login(a2["credentials"]).returncode)
        b2 = self.create("redshift-workspace", tok, "writer")
        self.assertEqual((b["id"], b["credentials"]), (b2["id"], b2["credentials"]))
        c = self.create("mysql", tok, "transformations", status=201)
        self.assertNotIn(c["id"], (a["id"], b["id"]), "ids are not reused after a restart")

    def test_snowflake_credentials_fields(self):
        tok = self.new_token()
        b = self.create("snowflake", tok, "writer", status=201)
        for k in ("schema", "warehouse", "workspaceId"):
            self.assertIsInstance(b["credentials"][k], str, "%s: %r" % (k, b))

    def test_type_in_query_on_post(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/snowflake?type=writer", tok=tok)
        b = self.expect_created(r, "snowflake", False, status=201)
        r = self.k("GET", "/provisioning/snowflake?type=writer", tok=tok)
        self.expect_detail(r, "snowflake", b["id"], False)


class TypeRules(KeboolaTest):
    def test_mysql_rejects_other_types(self):
        tok = self.new_token()
        for t in ("writer", "luckyguess", "read", "rstudio", "jupyter", "julipyter", "bogus", "",
                  "SANDBOX", "sandbox\u0000", "sandbox ", " sandbox", "sandbox\n"):
            with self.subTest(type=t):
                self.expect_kerror(self.k("POST", "/provisioning/mysql", {"type": t}, tok=tok),
                                   400)
        r = self.k("GET", "/provisioning/mysql", tok=tok)
        self.expect_kerror(r, 404, "nothing may have been created by a rejected create")

    def test_snowflake_redshift_reject_docker_types(self):
        tok = self.new_token()
        for backend in ("snowflake", "redshift-workspace"):
            for t in ("rstudio", "jupyter", "bogus"):
                with self.subTest(backend=backend, type=t):
                    r = self.k("POST", "/provisioning/%s" % backend, {"type": t}, tok=tok)
                    self.expect_kerror(r, 400)

    def test_writer_query_on_mysql_is_400_for_get_and_post(self):
        tok = self.new_token()
        self.create("mysql", tok, "transformations", status=201)
        self.expect_kerror(self.k("GET", "/provisioning/mysql?type=writer", tok=tok), 400)
        self.expect_kerror(self.k("POST", "/provisioning/mysql?type=writer", tok=tok), 400)
        self.expect_kerror(self.k("POST", "/provisioning/mysql?type=writer", {}, tok=tok), 400)
        self.expect_kerror(self.k("GET", "/provisioning/mysql?type=bogus", tok=tok), 400)

    def test_unknown_backends_400(self):
        tok = self.new_token()
        for backend in ("oracle", "redshift", "MYSQL", "postgres"):
            with self.subTest(backend=backend):
                r = self.k("POST", "/provisioning/%s" % backend, {"type": "transformations"},
                           tok=tok)
                self.expect_kerror(r, 400)
                r = self.k("GET", "/provisioning/%s?type=transformations" % backend, tok=tok)
                self.expect_kerror(r, 400)

    def test_type_not_a_string_400(self):
        tok = self.new_token()
        for v in (5, True, ["sandbox"], {"t": "sandbox"}, 1.5):
            for backend in SYNC_BACKENDS:
                with self.subTest(type=v, backend=backend):
                    r = self.k("POST", "/provisioning/%s" % backend, {"type": v}, tok=tok)
                    self.expect_kerror(r, 400)
                    self.assertRegex(r.body["message"], r"\btype\b",
                                     "README: 400 naming the field: %r" % r)

    def test_sync_docker_create_400(self):
        tok = self.new_token()
        for body in ({"type": "rstudio"}, {"type": "jupyter"}, {}):
            with self.subTest(body=body):
                self.expect_kerror(self.k("POST", "/provisioning/docker", body, tok=tok), 400)


class Reads(KeboolaTest):
    def test_get_by_type_404_when_none(self):
        tok = self.new_token()
        for backend in SYNC_BACKENDS:
            for t in TYPES[backend]:
                with self.subTest(backend=backend, type=t):
                    r = self.k("GET", "/provisioning/%s?type=%s" % (backend, t), tok=tok)
                    self.expect_kerror(r, 404)
        self.create("snowflake", tok, "sandbox", status=201)
        self.expect_kerror(self.k("GET", "/provisioning/snowflake?type=writer", tok=tok), 404)
        self.expect_kerror(self.k("GET", "/provisioning/mysql?type=sandbox", tok=tok), 404)

    def test_get_by_id_fields(self):
        tok = self.new_token()
        for backend, t in (("mysql", "sandbox"), ("mysql", "transformations"),
                           ("snowflake", "luckyguess"), ("redshift-workspace", "sandbox")):
            with self.subTest(backend=backend, type=t):
                b = self.create(backend, tok, t, status=201)
                r = self.k("GET", "/provisioning/%s/%s" % (backend, b["id"]), tok=tok)
                d = self.expect_detail(r, backend, b["id"], t == "sandbox")
                self.assertEqual(b["credentials"], d["credentials"])
                self.assertIs(False, d["inUse"], "nobody is connected: %r" % r)
                self.assertGreaterEqual(int(d["touch"]), int(b["touch"]))

    def test_get_by_id_404s(self):
        tok = self.new_token()
        m = self.create("mysql", tok, "sandbox", status=201)
        s = self.create("snowflake", tok, "sandbox", status=201)
        cases = [
            "/provisioning/snowflake/%s" % m["id"],            # another backend's id
            "/provisioning/redshift-workspace/%s" % m["id"],
            "/provisioning/mysql/%s" % s["id"],
            "/provisioning/mysql/987654321",                   # unknown
            "/provisioning/mysql/0",
            "/provisioning/mysql/abc",                         # non-numeric
            "/provisioning/mysql/%sx" % m["id"],
            "/provisioning/mysql/-%s" % m["id"],
            "/provisioning/mysql/99999999999999999999999999",
        ]
        for path in cases:
            with self.subTest(path=path):
                self.expect_kerror(self.k("GET", path, tok=tok), 404)
        # still there under its own backend
        self.expect_detail(self.k("GET", "/provisioning/mysql/%s" % m["id"], tok=tok), "mysql",
                           m["id"], True)


class DeleteKillExtend(KeboolaTest):
    def test_delete_then_404_everywhere_and_new_id(self):
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                tok = self.new_token()
                a = self.create(backend, tok, "sandbox", status=201)
                p = "/provisioning/%s/%s" % (backend, a["id"])
                r = self.k("DELETE", p, tok=tok)
                self.expect(r, 200, {"status": "ok"})
                self.expect_ct(r)
                self.expect_kerror(self.k("GET", p, tok=tok), 404)
                self.expect_kerror(self.k("GET", "/provisioning/%s?type=sandbox" % backend,
                                          tok=tok), 404)
                self.expect_kerror(self.k("POST", p + "/kill", tok=tok, headers=RUN_HDR), 404)
                self.expect_kerror(self.k("POST", p + "/extend", tok=tok, headers=RUN_HDR), 404)
                self.expect_kerror(self.k("DELETE", p, tok=tok), 404)
                b = self.create(backend, tok, "sandbox", status=201)
                self.assertNotEqual(a["id"], b["id"], "a new create gets a new id")
                self.assertNotEqual(a["credentials"]["password"], b["credentials"]["password"])

    def test_delete_unknown_404(self):
        tok = self.new_token()
        for path in ("/provisioning/mysql/987654321", "/provisioning/snowflake/abc"):
            with self.subTest(path=path):
                self.expect_kerror(self.k("DELETE", path, tok=tok), 404)

    def test_kill(self):
        tok = self.new_token()
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                a = self.create(backend, tok, "transformations", status=201)
                r = self.k("POST", "/provisioning/%s/%s/kill" % (backend, a["id"]), tok=tok,
                           headers=RUN_HDR)
                self.expect(r, 200, {"status": "ok"})
                self.expect_ct(r)
                # without the optional X-KBC-RunId header too
                r = self.k("POST", "/provisioning/%s/%s/kill" % (backend, a["id"]), tok=tok)
                self.expect(r, 200, {"status": "ok"})
                # credentials are still there
                self.expect_detail(self.k("GET", "/provisioning/%s/%s" % (backend, a["id"]),
                                          tok=tok), backend, a["id"], False)
        for path in ("/provisioning/mysql/987654321/kill", "/provisioning/mysql/abc/kill"):
            with self.subTest(path=path):
                self.expect_kerror(self.k("POST", path, tok=tok, headers=RUN_HDR), 404)

    def test_extend_sandbox(self):
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                tok = self.new_token()
                a = self.create(backend, tok, "sandbox", status=201)
                p = "/provisioning/%s/%s" % (backend, a["id"])
                before = self.expect_detail(self.k("GET", p, tok=tok), backend, a["id"], True)
                r = self.k("POST", p + "/extend", tok=tok, headers=RUN_HDR)
                self.expect(r, 200)
                self.expect_ct(r)
                b = r.body
                self.assertFalse({"id", "touch"} - set(b), "extend answer: %r" % r)
                self.assertFalse(set(b) - {"id", "touch", "expiration", "status"},
                                 "extend answer has undocumented fields: %r" % r)
                self.assertEqual(a["id"], b["id"], "%r" % r)
                self.assertGreaterEqual(self.expect_touch(b["touch"], r), int(before["touch"]))
                if "expiration" in b:
                    self.expect_expiration(b, r)
                after = self.expect_detail(self.k("GET", p, tok=tok), backend, a["id"], True)
                self.assertEqual(b["touch"], after["touch"], "GET after extend: %r" % after)

    def test_extend_moves_touch_and_expiration(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        p = "/provisioning/mysql/%s" % a["id"]
        before = self.expect_detail(self.k("GET", p, tok=tok), "mysql", a["id"], True)
        time.sleep(1.2)
        r = self.k("POST", p + "/extend", tok=tok, headers=RUN_HDR)
        self.expect(r, 200)
        self.assertGreater(int(r.body["touch"]), int(before["touch"]),
                           "extend marks the credentials as used now: %r" % r)
        after = self.expect_detail(self.k("GET", p, tok=tok), "mysql", a["id"], True)
        self.assertEqual(r.body["touch"], after["touch"])
        self.assertGreater(parse_rfc3339(after["expiration"]),
                           parse_rfc3339(before["expiration"]), "expiration must move")
        self.assertEqual(parse_rfc3339(after["expiration"]),
                         datetime.fromtimestamp(int(after["touch"]),
                                                parse_rfc3339(after["expiration"]).tzinfo)
                         + timedelta(hours=24))

    def test_extend_cannot_extend_exact_400(self):
        tok = self.new_token()
        for backend, t in (("mysql", "transformations"), ("snowflake", "writer"),
                           ("snowflake", "luckyguess"), ("redshift-workspace", "transformations"),
                           ("redshift-workspace", "writer")):
            with self.subTest(backend=backend, type=t):
                a = self.create(backend, tok, t, status=201)
                p = "/provisioning/%s/%s" % (backend, a["id"])
                r = self.k("POST", p + "/extend", tok=tok, headers=RUN_HDR)
                self.expect(r, 400, CANNOT_EXTEND)
                self.expect_ct(r)
                d = self.expect_detail(self.k("GET", p, tok=tok), backend, a["id"], False)
                self.assertEqual(a["expiration"], d["expiration"],
                                 "a refused extend must not move the expiration")

    def test_extend_unknown_404(self):
        tok = self.new_token()
        for path in ("/provisioning/mysql/987654321/extend", "/provisioning/mysql/x/extend"):
            with self.subTest(path=path):
                self.expect_kerror(self.k("POST", path, tok=tok, headers=RUN_HDR), 404)


class Auth(KeboolaTest):
    def test_no_token_or_unknown_token_401(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        p = "/provisioning/mysql/%s" % a["id"]
        calls = [("POST", "/provisioning/mysql", {"type": "sandbox"}),
                 ("GET", "/provisioning/mysql?type=sandbox", None),
                 ("GET", p, None), ("DELETE", p, None), ("POST", p + "/kill", None),
                 ("POST", p + "/extend", None),
                 ("POST", "/provisioning/async/docker", {"type": "rstudio"}),
                 ("GET", "/queue/job/1", None)]
        for bad in (None, "", "nope-" + secrets.token_hex(8)):
            for method, path, body in calls:
                with self.subTest(token=bad, method=method, path=path):
                    self.expect_kerror(self.k(method, path, body, tok=bad), 401)
        # a Bearer token is not how this surface authenticates
        r = self.req("GET", "/provisioning/mysql?type=sandbox", token=tok)
        self.expect_kerror(r, 401)
        # nothing was deleted by the refused calls
        self.expect_detail(self.k("GET", p, tok=tok), "mysql", a["id"], True)

    def test_other_token_same_project_gets_own_credentials(self):
        project = "p" + secrets.token_hex(4)
        t1 = self.new_token(project)
        t2 = self.new_token(project)
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                a = self.create(backend, t1, "sandbox", status=201)
                self.expect_kerror(self.k("GET", "/provisioning/%s?type=sandbox" % backend,
                                          tok=t2), 404)
                b = self.create(backend, t2, "sandbox", status=201)
                self.assertNotEqual(a["id"], b["id"])
                self.assertNotEqual(a["credentials"], b["credentials"])
                p = "/provisioning/%s/%s" % (backend, a["id"])
                self.expect_kerror(self.k("GET", p, tok=t2), 404)
                self.expect_kerror(self.k("POST", p + "/kill", tok=t2, headers=RUN_HDR), 404)
                self.expect_kerror(self.k("POST", p + "/extend", tok=t2, headers=RUN_HDR), 404)
                self.expect_kerror(self.k("DELETE", p, tok=t2), 404)
                self.expect_detail(self.k("GET", p, tok=t1), backend, a["id"], True)
                r = self.k("GET", "/provisioning/%s?type=sandbox" % backend, tok=t2)
                self.expect_detail(r, backend, b["id"], True)

    def test_other_project_404(self):
        t1 = self.new_token()
        t2 = self.new_token()
        for backend in SYNC_BACKENDS:
            with self.subTest(backend=backend):
                a = self.create(backend, t1, "sandbox", status=201)
                p = "/provisioning/%s/%s" % (backend, a["id"])
                self.expect_kerror(self.k("GET", p, tok=t2), 404)
                self.expect_kerror(self.k("POST", p + "/kill", tok=t2, headers=RUN_HDR), 404)
                self.expect_kerror(self.k("POST", p + "/extend", tok=t2, headers=RUN_HDR), 404)
                self.expect_kerror(self.k("DELETE", p, tok=t2), 404)
                self.expect_kerror(self.k("GET", "/provisioning/%s?type=sandbox" % backend,
                                          tok=t2), 404)
                self.expect_detail(self.k("GET", p, tok=t1), backend, a["id"], True)

    def test_same_subject_other_project_is_other_credentials(self):
        subject = "u-" + secrets.token_hex(4)
        t1 = self.new_token(subject=subject)
        t2 = self.new_token(subject=subject)
        a = self.create("snowflake", t1, "sandbox", status=201)
        self.expect_kerror(self.k("GET", "/provisioning/snowflake/%s" % a["id"], tok=t2), 404)


class TokenKinds(KeboolaTest):
    def test_any_role_on_storage_projects_works(self):
        for role in ("viewer", "editor", "owner", "admin"):
            with self.subTest(role=role):
                tok = self.s.mint_token("storage", "u-" + secrets.token_hex(4),
                                        [("storage-projects/p" + secrets.token_hex(4), role)])
                self.create("snowflake", tok["token"], "sandbox", status=201)

    def test_not_a_storage_token_or_no_storage_binding_401(self):
        project = "p" + secrets.token_hex(4)
        toks = {
            "kpat": self.s.mint_token("kpat", "u-" + secrets.token_hex(4),
                                      [("storage-projects/" + project, "editor")])["token"],
            "apikey": self.s.mint_token("apikey", "u-" + secrets.token_hex(4),
                                        [("storage-projects/" + project, "editor")])["token"],
            "storage without a storage-projects binding": self.s.mint_token(
                "storage", "u-" + secrets.token_hex(4), [("projects/" + project, "editor")]
            )["token"],
            "admin token": self.admin,
            "jwt": self.s.jwt("u-" + secrets.token_hex(4)),
        }
        for what, tok in toks.items():
            with self.subTest(token=what):
                r = self.k("POST", "/provisioning/snowflake", {"type": "sandbox"}, tok=tok)
                self.expect_kerror(r, 401)

    def test_revoked_and_expired_tokens_401(self):
        minted = self.s.mint_token("storage", "u-" + secrets.token_hex(4),
                                   [("storage-projects/p" + secrets.token_hex(4), "editor")])
        tok = minted["token"]
        a = self.create("snowflake", tok, "sandbox", status=201)
        r = self.req("DELETE", "/auth/v1/tokens/%s" % minted["id"], token=self.admin)
        self.expect(r, 204)
        # the stack's services cache verifications for 1 s
        self.poll(lambda: self.k("GET", "/provisioning/snowflake/%s" % a["id"],
                                 tok=tok).status == 401, timeout=5,
                  what="the revoked token to be refused")
        self.expect_kerror(self.k("GET", "/provisioning/snowflake/%s" % a["id"], tok=tok), 401)
        short = self.s.mint_token("storage", "u-" + secrets.token_hex(4),
                                  [("storage-projects/p" + secrets.token_hex(4), "editor")],
                                  ttl=1)["token"]
        time.sleep(2.2)
        self.expect_kerror(self.k("POST", "/provisioning/snowflake", {"type": "sandbox"},
                                  tok=short), 401)

    def test_header_name_is_case_insensitive(self):
        tok = self.new_token()
        a = self.create("snowflake", tok, "sandbox", status=201)
        for name in ("x-storageapi-token", "X-STORAGEAPI-TOKEN"):
            with self.subTest(header=name):
                r = self.req("GET", "/provisioning/snowflake/%s" % a["id"], headers={name: tok})
                self.expect_detail(r, "snowflake", a["id"], True)


class Errors(KeboolaTest):
    BODY_PATHS = ("/provisioning/mysql", "/provisioning/snowflake",
                  "/provisioning/redshift-workspace", "/provisioning/async/docker",
                  "/provisioning/async/docker/transformation")

    def test_malformed_and_non_object_bodies_400(self):
        tok = self.new_token()
        bodies = [b"{", b"{bad", b"{\"type\": }", b"{\"type\":\"sandbox\"", b"[]",
                  b"[{\"type\":\"sandbox\"}]", b"\"sandbox\"", b"5", b"true", b"null",
                  b"\xff\xfe", b"{\"type\":\"sandbox\"} x"]
        for path in self.BODY_PATHS:
            for raw in bodies:
                with self.subTest(path=path, raw=raw):
                    r = self.k("POST", path, raw=raw, tok=tok)
                    self.expect_kerror(r, 400)

    def test_error_shape_on_404_and_ids_differ(self):
        tok = self.new_token()
        a = self.expect_kerror(self.k("GET", "/provisioning/mysql/987654321", tok=tok), 404)
        b = self.expect_kerror(self.k("GET", "/provisioning/mysql/987654321", tok=tok), 404)
        self.assertNotEqual(a["exceptionId"], b["exceptionId"],
                            "each error gets its own exceptionId")

    def test_unknown_route_and_method_in_keboola_shape(self):
        tok = self.new_token()
        a = self.create("mysql", tok, "sandbox", status=201)
        for method, path in (("POST", "/provisioning/mysql/%s/bogus" % a["id"]),
                             ("PUT", "/provisioning/mysql/%s" % a["id"]),
                             ("PATCH", "/provisioning/mysql"),
                             ("GET", "/provisioning/mysql/%s/kill" % a["id"])):
            with self.subTest(method=method, path=path):
                r = self.k(method, path, {}, tok=tok)
                self.assertTrue(400 <= r.status < 500, "%r" % r)
                self.expect_kerror(r, r.status)
        self.expect_detail(self.k("GET", "/provisioning/mysql/%s" % a["id"], tok=tok), "mysql",
                           a["id"], True)

    def test_unknown_fields_ignored_or_400_never_5xx(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/snowflake", {"type": "sandbox", "extra": {"x": [1]}},
                   tok=tok)
        self.assertIn(r.status, (200, 201, 400), "%r" % r)
        if r.status == 400:
            self.expect_kerror(r, 400)

    def test_deep_json_never_5xx(self):
        tok = self.new_token()
        for raw in (b"[" * 100000, b"{\"type\":\"sandbox\",\"x\":" + b"[" * 5000 + b"]" * 5000
                    + b"}", b"{\"type\":" + b"{\"a\":" * 20000 + b"1" + b"}" * 20001):
            with self.subTest(raw=raw[:40]):
                r = self.k("POST", "/provisioning/snowflake", raw=raw, tok=tok)
                self.assertTrue(r.status < 500, "%r" % r)
                if r.status >= 400:
                    self.expect_kerror(r, r.status)

    def test_json_content_type_with_charset(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/snowflake", raw=b'{"type":"writer"}', tok=tok,
                   headers={"Content-Type": "application/json; charset=utf-8"})
        self.expect_created(r, "snowflake", False, status=201)

    def test_query_type_is_percent_decoded(self):
        tok = self.new_token()
        a = self.create("snowflake", tok, "sandbox", status=201)
        r = self.k("GET", "/provisioning/snowflake?type=sand%62ox", tok=tok)
        self.expect_detail(r, "snowflake", a["id"], True)
        r = self.k("GET", "/provisioning/redshift-workspace?type=luckyguess&x=1", tok=tok)
        self.expect_kerror(r, 404)

    def test_huge_body_never_5xx(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/snowflake", raw=b"{\"type\":\"" + b"a" * 300000 + b"\"}",
                   tok=tok)
        self.assertTrue(400 <= r.status < 500, "%r" % r)
        self.expect_kerror(r, r.status)


if __name__ == "__main__":
    harness.main()
