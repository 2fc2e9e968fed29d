"""Keboola Provisioning API: the async docker backend (rstudio, jupyter) and the job queue
(GET /queue/job/{id}), black box through the gateway: job references, the job lifecycle and
the seed's job shape, async deletes, the 400 rules, isolation, and a credentials-svc SIGKILLed
mid-job. Uses its own Stack (no MariaDB: docker provisions nothing real)."""

import os
import secrets
import signal
import time

import harness
from test_keboola import KeboolaTest, RUN_HDR, CANNOT_EXTEND, DIGITS_RE

JOB_DELAY_MS = 400
TRANSFORMATION = {"config_id": "12345", "config_version": "4", "row_id": "6789"}


def setUpModule():
    harness.module_stack(job_delay_ms=JOB_DELAY_MS)


def tearDownModule():
    harness.module_teardown()


class JobsBase(KeboolaTest):
    def expect_create_job(self, job, jid, type_):
        """The seed's finished create job."""
        self.assertEqual(jid, job.get("id"), "job id: %r" % job)
        self.assertEqual("keboola-provisioning-bundle", job.get("component"), "%r" % job)
        self.assertEqual("create", job.get("command"), "%r" % job)
        self.assertEqual("success", job.get("status"), "%r" % job)
        params = job.get("params")
        self.assertIsInstance(params, dict, "params: %r" % job)
        self.assertEqual("docker", params.get("backend"), "params.backend: %r" % job)
        self.assertEqual(type_, params.get("type"), "params.type: %r" % job)
        res = job.get("result")
        self.assertIsInstance(res, dict, "result: %r" % job)
        self.assertEqual("ok", res.get("status"), "result.status: %r" % job)
        creds = res.get("credentials")
        self.assertIsInstance(creds, dict, "result.credentials: %r" % job)
        for k in ("port", "id", "hostname", "password", "user"):
            self.assertIn(k, creds, "result.credentials.%s: %r" % (k, job))
        self.assertIs(type(creds["port"]), int, "result.credentials.port must be an int: %r"
                      % job)
        self.assertTrue(str(creds["id"]).isdigit(), "result.credentials.id: %r" % job)
        self.assertEqual("docker/%s" % creds["id"], res.get("url"), "result.url: %r" % job)
        self.expect_job_common(job)
        return str(creds["id"]), creds

    def expect_job_common(self, job):
        self.assertIn("runId", job, "runId (seed): %r" % job)
        self.assertIsInstance(job["runId"], str, "runId is a string in the seed: %r" % job)
        self.assertRegex(job["runId"], DIGITS_RE, "%r" % job)
        # timestamps are set (the Syrup queue's names)
        for k in ("createdTime", "startTime", "endTime"):
            self.assertIsInstance(job.get(k), str, "%s must be set on a finished job: %r"
                                  % (k, job))
            self.assertTrue(job[k], "%r" % job)

    def async_create(self, tok, type_="rstudio"):
        r = self.k("POST", "/provisioning/async/docker", {"type": type_}, tok=tok)
        return self.job_ref(r, 202)

    def docker_creds(self, tok, type_="rstudio"):
        jid = self.async_create(tok, type_)
        job, _ = self.wait_job(jid, tok)
        cid, creds = self.expect_create_job(job, jid, type_)
        return cid, creds


class AsyncCreate(JobsBase):
    def test_plain_create_lifecycle_and_seed_shape(self):
        tok = self.new_token()
        for t in ("rstudio", "jupyter"):
            with self.subTest(type=t):
                r = self.k("POST", "/provisioning/async/docker", {"type": t}, tok=tok)
                jid = self.job_ref(r, 202)
                job, seen = self.wait_job(jid, tok)
                self.assertIn("processing", seen, "the worker's processing state should be "
                              "visible with a %d ms job delay: %s" % (JOB_DELAY_MS, seen))
                self.assertEqual("success", seen[-1], "%s %r" % (seen, job))
                cid, creds = self.expect_create_job(job, jid, t)
                # the seed's job, exactly where it is fixed
                self.assertEqual({"backend": "docker", "type": t, "input": []}, job["params"],
                                 "params as in the seed: %r" % job)
                self.assertEqual({"port", "id", "hostname", "password", "user"}, set(creds),
                                 "result.credentials as in the seed: %r" % job)
                self.assertIs(type(creds["id"]), int, "result.credentials.id: %r" % job)
                # the credentials can be read through the sync API
                p = "/provisioning/docker/%s" % cid
                d = self.expect_detail(self.k("GET", p, tok=tok), "docker", cid, True)
                self.assertEqual(creds["password"], d["credentials"].get("password"))
                self.assertEqual(creds["port"], d["credentials"].get("port"))
                d2 = self.expect_detail(self.k("GET", "/provisioning/docker?type=%s" % t,
                                               tok=tok), "docker", cid, True)
                self.assertEqual(d["credentials"], d2["credentials"])
                # the job URL stays readable and the same once finished
                r2 = self.k("GET", "/queue/job/%d" % jid, tok=tok)
                self.expect(r2, 200, job)
                self.expect_ct(r2)

    def test_job_polled_at_the_url_given(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/async/docker", {"type": "rstudio"}, tok=tok)
        jid = self.job_ref(r, 202)
        path = r.body["url"][len(self.s.base_url):]
        job, _ = self.wait_job(jid, tok, path=path)
        self.expect_create_job(job, jid, "rstudio")

    def test_url_base_follows_host_header(self):
        tok = self.new_token()
        r = self.k("POST", "/provisioning/async/docker", {"type": "jupyter"}, tok=tok,
                   headers={"Host": "provisioning.example.test:8443"})
        self.expect(r, 202)
        self.assertEqual("http://provisioning.example.test:8443/queue/job/%s" % r.body.get("id"),
                         r.body.get("url"), "%r" % r)
        self.wait_job(r.body["id"], tok)

    def test_transformation_create(self):
        tok = self.new_token()
        for body, t in (({"transformation": TRANSFORMATION}, "rstudio"),
                        ({"transformation": TRANSFORMATION, "type": "jupyter"}, "jupyter"),
                        ({"transformation": TRANSFORMATION, "type": "rstudio"}, "rstudio")):
            with self.subTest(body=body):
                r = self.k("POST", "/provisioning/async/docker/transformation", body, tok=tok)
                jid = self.job_ref(r, 202)
                job, _ = self.wait_job(jid, tok)
                cid, _ = self.expect_create_job(job, jid, t)
                self.expect_detail(self.k("GET", "/provisioning/docker/%s" % cid, tok=tok),
                                   "docker", cid, True)

    def test_plain_create_400s(self):
        tok = self.new_token()
        cases = [({}, None), (None, None), ({"type": "sandbox"}, None),
                 ({"type": "transformations"}, None), ({"type": "bogus"}, None),
                 ({"type": ""}, None), ({"type": 5}, None), ({"type": ["rstudio"]}, None),
                 ({"type": None}, None), ({"type": "RSTUDIO"}, None),
                 ({"type": "rstudio", "input": "x"}, "input must be an array"),
                 ({"type": "rstudio", "script": 5}, "script must be a string")]
        for body, why in cases:
            with self.subTest(body=body):
                r = self.k("POST", "/provisioning/async/docker", body, tok=tok)
                self.expect_kerror(r, 400, why or "")
        r = self.k("GET", "/provisioning/docker?type=rstudio", tok=tok)
        self.expect_kerror(r, 404, "a refused create must not create credentials")

    def test_other_backends_have_no_async_actions(self):
        tok = self.new_token()
        for backend in ("mysql", "snowflake", "redshift-workspace", "oracle", "redshift"):
            with self.subTest(backend=backend):
                r = self.k("POST", "/provisioning/async/%s" % backend, {"type": "rstudio"},
                           tok=tok)
                self.expect_kerror(r, 400)
                r = self.k("POST", "/provisioning/async/%s" % backend, {"type": "sandbox"},
                           tok=tok)
                self.expect_kerror(r, 400)
                r = self.k("POST", "/provisioning/async/%s/transformation" % backend,
                           {"transformation": TRANSFORMATION}, tok=tok)
                self.expect_kerror(r, 400)

    def test_transformation_400s(self):
        tok = self.new_token()
        cases = [{}, {"type": "rstudio"}, {"transformation": 5}, {"transformation": "x"},
                 {"transformation": []}, {"transformation": None},
                 {"transformation": [TRANSFORMATION]},
                 {"transformation": dict(TRANSFORMATION, config_id=12345)},
                 {"transformation": dict(TRANSFORMATION, config_version=4)},
                 {"transformation": dict(TRANSFORMATION, row_id=None)},
                 {"transformation": TRANSFORMATION, "type": 5}]
        for k in TRANSFORMATION:
            t = dict(TRANSFORMATION)
            del t[k]
            cases.append({"transformation": t})
        for body in cases:
            with self.subTest(body=body):
                r = self.k("POST", "/provisioning/async/docker/transformation", body, tok=tok)
                self.expect_kerror(r, 400)
                # README: a field of the wrong type is 400 naming the field
                t = body.get("transformation")
                if isinstance(t, dict) and "type" not in body:
                    bad = [k for k in TRANSFORMATION if not isinstance(t.get(k), str)]
                    self.assertIn(bad[0], r.body["message"], "the message names the field")
                elif "transformation" not in body or not isinstance(t, dict):
                    self.assertIn("transformation", r.body["message"], "names the field")
        r = self.k("POST", "/provisioning/async/docker/transformation", tok=tok)
        self.expect_kerror(r, 400, "no body: transformation is required")

    def test_ids_do_not_cross_backends(self):
        tok = self.new_token()
        cid, _ = self.docker_creds(tok)
        snow = self.create("snowflake", tok, "sandbox", status=201)
        for path in ("/provisioning/snowflake/%s" % cid, "/provisioning/redshift-workspace/%s"
                     % cid, "/provisioning/docker/%s" % snow["id"]):
            with self.subTest(path=path):
                self.expect_kerror(self.k("GET", path, tok=tok), 404)
        self.expect_kerror(self.k("POST", "/provisioning/snowflake/%s/extend" % cid, tok=tok,
                                  headers=RUN_HDR), 404)
        self.expect_kerror(self.k("DELETE", "/provisioning/snowflake/%s" % cid, tok=tok), 404)
        self.expect_detail(self.k("GET", "/provisioning/docker/%s" % cid, tok=tok), "docker",
                           cid, True)

    def test_job_ids_and_credentials_ids_are_separate(self):
        tok = self.new_token()
        jid = self.async_create(tok)
        snow = self.create("snowflake", tok, "sandbox", status=201)
        self.expect_kerror(self.k("GET", "/queue/job/%s" % snow["id"], tok=tok), 404)
        self.expect_kerror(self.k("GET", "/provisioning/docker/%d" % jid, tok=tok), 404)
        self.expect_kerror(self.k("GET", "/provisioning/snowflake/%d" % jid, tok=tok), 404)
        self.wait_job(jid, tok)

    def test_sync_docker_actions_400(self):
        tok = self.new_token()
        cid, _ = self.docker_creds(tok)
        p = "/provisioning/docker/%s" % cid
        self.expect_kerror(self.k("DELETE", p, tok=tok), 400)
        self.expect_kerror(self.k("POST", p + "/kill", tok=tok, headers=RUN_HDR), 400)
        self.expect_kerror(self.k("POST", "/provisioning/docker", {"type": "rstudio"}, tok=tok),
                           400)
        self.expect_detail(self.k("GET", p, tok=tok), "docker", cid, True)

    def test_extend_docker(self):
        tok = self.new_token()
        cid, _ = self.docker_creds(tok, "jupyter")
        p = "/provisioning/docker/%s" % cid
        before = self.expect_detail(self.k("GET", p, tok=tok), "docker", cid, True)
        time.sleep(1.1)
        r = self.k("POST", p + "/extend", tok=tok, headers=RUN_HDR)
        self.expect(r, 200)
        self.assertNotEqual(CANNOT_EXTEND, r.body)
        self.assertEqual(cid, str(r.body.get("id")), "%r" % r)
        self.assertGreater(self.expect_touch(r.body.get("touch"), r), int(before["touch"]))
        after = self.expect_detail(self.k("GET", p, tok=tok), "docker", cid, True)
        self.assertEqual(r.body["touch"], after["touch"])
        self.assertNotEqual(before["expiration"], after["expiration"])


class HostAndBase(JobsBase):
    """<base> in a job reference is HANGAR_PUBLIC_URL when set, else http:// + Host. A request
    without a valid Host cannot yield a URL a client can poll: RFC 9112 section 3.2 says a
    server MUST answer 400 to an HTTP/1.1 request without Host, with several Host lines, or
    with an invalid Host value."""

    def raw_create(self, host_lines, version="HTTP/1.1"):
        tok = self.new_token()
        body = b'{"type":"rstudio"}'
        head = "POST /provisioning/async/docker %s\r\n" % version
        for h in host_lines:
            head += "Host: %s\r\n" % h
        head += ("X-StorageApi-Token: %s\r\nContent-Type: application/json\r\n"
                 "Content-Length: %d\r\nConnection: close\r\n\r\n" % (tok, len(body)))
        st, h, b, _ = self.s.raw(head.encode("latin-1") + body)
        self.assertIsNotNone(st, "no HTTP answer")
        r = harness.Resp(st, h, b, "POST", "/provisioning/async/docker (Host %r, %s)"
                         % (host_lines, version), head.encode("latin-1") + body)
        if st >= 500:
            self._seen_5xx.append(r)
        return r

    def test_http11_without_valid_host_is_400(self):
        for lines in ([], [""], ["evil.test/x?y="], ["a b"], ["one.test", "two.test"]):
            with self.subTest(host=lines):
                r = self.raw_create(lines)
                self.expect_kerror(r, 400, "an HTTP/1.1 request with Host lines %r" % (lines,))

    def test_http10_without_host_gets_an_absolute_url(self):
        r = self.raw_create([], version="HTTP/1.0")
        self.expect(r, 202)
        self.assertRegex(r.body.get("url", ""), r"^https?://[^/]+/queue/job/%s$"
                         % r.body.get("id"), "a client polls the url it is given: %r" % r)

    def test_hangar_public_url(self):
        base = "https://provisioning.example.test:8443"
        old = os.environ.get("HANGAR_PUBLIC_URL")
        os.environ["HANGAR_PUBLIC_URL"] = base
        try:
            for n in ("credentials-svc", "gateway"):
                self.restart(n)
            tok = self.new_token()
            r = self.k("POST", "/provisioning/async/docker", {"type": "rstudio"}, tok=tok)
            self.expect(r, 202)
            jid = r.body.get("id")
            self.assertEqual({"id": jid, "url": "%s/queue/job/%s" % (base, jid),
                              "status": "waiting"}, r.body, "%r" % r)
            job, _ = self.wait_job(jid, tok)
            cid, _ = self.expect_create_job(job, jid, "rstudio")
            r = self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok)
            self.expect(r, 200)
            self.assertEqual("%s/queue/job/%s" % (base, r.body.get("id")), r.body.get("url"),
                             "%r" % r)
            self.wait_job(r.body["id"], tok)
        finally:
            if old is None:
                os.environ.pop("HANGAR_PUBLIC_URL", None)
            else:
                os.environ["HANGAR_PUBLIC_URL"] = old
            for n in ("credentials-svc", "gateway"):
                self.restart(n)


class AsyncDelete(JobsBase):
    def test_async_delete_lifecycle(self):
        tok = self.new_token()
        cid, _ = self.docker_creds(tok)
        r = self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok)
        jid = self.job_ref(r, 200)
        job, seen = self.wait_job(jid, tok)
        self.assertEqual("success", job.get("status"), "%s %r" % (seen, job))
        self.assertEqual(jid, job.get("id"))
        self.assertEqual("keboola-provisioning-bundle", job.get("component"), "%r" % job)
        self.assertEqual("delete", job.get("command"), "%r" % job)
        params = job.get("params")
        self.assertIsInstance(params, dict, "%r" % job)
        self.assertEqual("docker", params.get("backend"), "%r" % job)
        self.assertEqual({"backend": "docker", "id": cid}, params, "params as in the seed: %r"
                         % job)
        self.assertEqual({"status": "ok"}, job.get("result"), "result: %r" % job)
        self.expect_job_common(job)
        p = "/provisioning/docker/%s" % cid
        self.expect_kerror(self.k("GET", p, tok=tok), 404)
        self.expect_kerror(self.k("GET", "/provisioning/docker?type=rstudio", tok=tok), 404)
        self.expect_kerror(self.k("POST", p + "/extend", tok=tok, headers=RUN_HDR), 404)
        self.expect_kerror(self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok), 404)

    def test_async_delete_unknown_404_at_once(self):
        tok = self.new_token()
        snow = self.create("snowflake", tok, "sandbox", status=201)
        for cid in ("987654321", "abc", snow["id"]):
            with self.subTest(id=cid):
                r = self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok)
                self.expect_kerror(r, 404)
        self.expect_detail(self.k("GET", "/provisioning/snowflake/%s" % snow["id"], tok=tok),
                           "snowflake", snow["id"], True)

    def test_async_delete_isolation(self):
        project = "p" + secrets.token_hex(4)
        owner = self.new_token(project)
        same_project = self.new_token(project)
        other_project = self.new_token()
        cid, _ = self.docker_creds(owner)
        for tok in (same_project, other_project):
            r = self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok)
            self.expect_kerror(r, 404)
            self.expect_kerror(self.k("GET", "/provisioning/docker/%s" % cid, tok=tok), 404)
            self.expect_kerror(self.k("POST", "/provisioning/docker/%s/extend" % cid, tok=tok,
                                      headers=RUN_HDR), 404)
        time.sleep(JOB_DELAY_MS / 1000.0 * 3)
        self.expect_detail(self.k("GET", "/provisioning/docker/%s" % cid, tok=owner), "docker",
                           cid, True)


class Jobs(JobsBase):
    def test_many_jobs_finish_within_a_few_seconds(self):
        """Locally, jobs finish within a few seconds. README: jobs are run by the service's
        own thread (one at a time), so 16 creates at once take about 16 job delays."""
        toks = [self.new_token() for _ in range(16)]
        t0 = time.monotonic()
        jids = [self.async_create(t, "jupyter") for t in toks]
        for jid, t in zip(jids, toks):
            job, _ = self.wait_job(jid, t, timeout=30)
            self.assertEqual("success", job["status"], "%r" % job)
        took = time.monotonic() - t0
        print("\nnote: 16 concurrent docker creates (job delay %d ms) took %.1fs"
              % (JOB_DELAY_MS, took))
        bound = 16 * JOB_DELAY_MS / 1000.0 + 4.0
        self.assertLess(took, bound, "16 jobs of %d ms each took %.1fs" % (JOB_DELAY_MS, took))

    def test_job_404s_and_401s(self):
        tok = self.new_token()
        jid = self.async_create(tok)
        other = self.new_token()
        self.expect_kerror(self.k("GET", "/queue/job/%d" % jid, tok=other), 404)
        self.expect_kerror(self.k("GET", "/queue/job/%d" % jid), 401)
        self.expect_kerror(self.k("GET", "/queue/job/%d" % jid, tok="nope" + secrets.token_hex(6)),
                           401)
        for path in ("/queue/job/987654321", "/queue/job/abc", "/queue/job/0",
                     "/queue/job/%dx" % jid):
            with self.subTest(path=path):
                self.expect_kerror(self.k("GET", path, tok=tok), 404)
        job, _ = self.wait_job(jid, tok)
        self.expect_kerror(self.k("GET", "/queue/job/%d" % jid, tok=other), 404)

    def test_jobs_belong_to_the_project(self):
        """README: "Jobs belong to the project": another token of the project reads them."""
        project = "p" + secrets.token_hex(4)
        tok, mate = self.new_token(project), self.new_token(project)
        jid = self.async_create(tok)
        job, _ = self.wait_job(jid, tok)
        self.expect(self.k("GET", "/queue/job/%d" % jid, tok=mate), 200, job)

    def test_job_needs_a_storage_token(self):
        project = "p" + secrets.token_hex(4)
        tok = self.new_token(project)
        jid = self.async_create(tok)
        kpat = self.s.mint_token("kpat", "u-" + secrets.token_hex(4),
                                 [("storage-projects/%s" % project, "editor")])["token"]
        r = self.k("GET", "/queue/job/%d" % jid, tok=kpat)
        self.expect_kerror(r, (401, 403, 404), "a kpat token is not a Storage API token")
        r = self.k("GET", "/queue/job/%d" % jid, token=tok)  # Authorization: Bearer
        self.expect_kerror(r, 401)
        self.wait_job(jid, tok)

    def test_jobs_and_credentials_survive_a_restart(self):
        tok = self.new_token()
        cid, creds = self.docker_creds(tok)
        jid = self.async_create(tok, "jupyter")
        job, _ = self.wait_job(jid, tok)
        self.restart("credentials-svc")
        r = self.k("GET", "/queue/job/%d" % jid, tok=tok)
        self.expect(r, 200, job)
        d = self.expect_detail(self.k("GET", "/provisioning/docker/%s" % cid, tok=tok),
                               "docker", cid, True)
        self.assertEqual(creds["password"], d["credentials"].get("password"))
        nid = self.async_create(tok)
        self.assertGreater(nid, jid, "job ids are not reused after a restart")
        self.wait_job(nid, tok)


class Durability(JobsBase):
    def test_sigkill_mid_job_finishes_or_fails_never_stays_processing(self):
        tok = self.new_token()
        self.restart("credentials-svc", job_delay_ms=3000)
        try:
            first = self.async_create(tok, "rstudio")
            second = self.async_create(tok, "jupyter")

            def processing():
                r = self.k("GET", "/queue/job/%d" % first, tok=tok)
                self.expect(r, 200)
                return r.body.get("status") == "processing"

            self.poll(processing, timeout=10, what="job %d to be processing" % first)
            code = self.s.kill("credentials-svc", signal.SIGKILL)
            self.assertEqual(-signal.SIGKILL, code)
        finally:
            self.restart("credentials-svc", job_delay_ms=JOB_DELAY_MS)
        for jid, t in ((first, "rstudio"), (second, "jupyter")):
            job, seen = self.wait_job(jid, tok, timeout=30)
            self.assertIn(job["status"], ("success", "error"), "%r" % job)
            # README: "one caught processing by a crash runs again from its start and
            # finishes"
            self.assertEqual("success", job["status"], "README: the job finishes: %r" % job)
            if job["status"] == "success":
                cid, _ = self.expect_create_job(job, jid, t)
                self.expect_detail(self.k("GET", "/provisioning/docker/%s" % cid, tok=tok),
                                   "docker", cid, True)
            # settled for good
            time.sleep(0.3)
            self.expect(self.k("GET", "/queue/job/%d" % jid, tok=tok), 200, job)

    def test_sigkill_mid_delete_job(self):
        tok = self.new_token()
        cid, _ = self.docker_creds(tok)
        self.restart("credentials-svc", job_delay_ms=3000)
        try:
            r = self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok)
            jid = self.job_ref(r, 200)

            def processing():
                r = self.k("GET", "/queue/job/%d" % jid, tok=tok)
                self.expect(r, 200)
                return r.body.get("status") == "processing"

            self.poll(processing, timeout=10, what="delete job %d to be processing" % jid)
            self.s.kill("credentials-svc", signal.SIGKILL)
        finally:
            self.restart("credentials-svc", job_delay_ms=JOB_DELAY_MS)
        job, _ = self.wait_job(jid, tok, timeout=30)
        self.assertIn(job["status"], ("success", "error"), "%r" % job)
        self.assertEqual("success", job["status"], "README: the job finishes: %r" % job)
        r = self.k("GET", "/provisioning/docker/%s" % cid, tok=tok)
        if job["status"] == "success":
            self.assertEqual({"status": "ok"}, job.get("result"), "%r" % job)
            self.expect_kerror(r, 404)
        else:
            self.expect_detail(r, "docker", cid, True)
            r = self.k("DELETE", "/provisioning/async/docker/%s" % cid, tok=tok)
            job, _ = self.wait_job(self.job_ref(r, 200), tok)
            self.assertEqual("success", job["status"], "%r" % job)



class ServiceDown(JobsBase):
    allow_5xx = True

    def test_credentials_svc_down_is_keboola_503_and_readyz(self):
        tok = self.new_token()
        snow = self.create("snowflake", tok, "sandbox", status=201)
        self.expect(self.req("GET", "/readyz"), 200)
        self.s.kill("credentials-svc", signal.SIGKILL)
        try:
            self.poll(lambda: self.req("GET", "/readyz").status == 503, 10.0,
                      "readyz to answer 503 with credentials-svc down")
            for method, path, body in (
                    ("POST", "/provisioning/snowflake", {"type": "sandbox"}),
                    ("GET", "/provisioning/snowflake/%s" % snow["id"], None),
                    ("POST", "/provisioning/async/docker", {"type": "rstudio"}),
                    ("GET", "/queue/job/1", None)):
                with self.subTest(method=method, path=path):
                    t0 = time.monotonic()
                    r = self.k(method, path, body, tok=tok)
                    self.expect_kerror(r, 503)
                    self.assertLess(time.monotonic() - t0, 10.0)
                    self.assertIn("retry-after", r.headers, "%r" % r)
            # other surfaces are unaffected
            self.expect(self.req("GET", "/healthz"), 200)
            self.expect(self.req("GET", "/auth/v1/tokens", token=self.admin), 200)
        finally:
            self.restart("credentials-svc", job_delay_ms=JOB_DELAY_MS)
        self.poll(lambda: self.req("GET", "/readyz").status == 200, 15.0,
                  "readyz back to 200 after restart")
        self.poll(lambda: self.k("GET", "/provisioning/snowflake/%s" % snow["id"],
                                 tok=tok).status == 200, 15.0, "served again after restart")

    def test_auth_down_is_keboola_503_not_401(self):
        fresh = self.new_token()   # never verified before auth-svc goes down
        self.s.kill("auth-svc", signal.SIGKILL)
        try:
            self.poll(lambda: self.req("GET", "/readyz").status == 503, 10.0,
                      "readyz to answer 503 with auth-svc down")
            for method, path, body in (
                    ("POST", "/provisioning/snowflake", {"type": "sandbox"}),
                    ("GET", "/queue/job/1", None)):
                with self.subTest(method=method, path=path):
                    r = self.k(method, path, body, tok=fresh)
                    self.expect_kerror(r, 503, "a token nobody can verify is not invalid")
        finally:
            self.restart("auth-svc")
        self.poll(lambda: self.k("POST", "/provisioning/snowflake", {"type": "sandbox"},
                                 tok=fresh).status in (200, 201), 15.0,
                  "the token verified again after auth-svc restarts")


if __name__ == "__main__":
    harness.main()
