"""No process logs a token or a secret (issue 11, item 6; issue 14, item 5): a stack at log
level debug (the lowest: every line any level writes) gets every kind of credential - the
admin token, the JWT secret, minted opaque tokens of each kind, JWTs good and bad, unknown,
revoked and malformed tokens - on every surface (KtrlPlane, wrappers, Konnect, auth admin,
Ververica AppManager and Platform as Bearer tokens, Keboola in X-StorageApi-Token), and makes
the secrets the services themselves hand out (Keboola credentials' passwords, a Ververica API
token's secret, which is then used, and a Ververica secret value), and then no log line of
any process contains any of them. Once with text logs and once with JSON logs
(HANGAR_LOG_FORMAT=json), whose per-request lines name each caller's subject instead."""

import json
import os
import secrets

import harness
from harness import HangarTest

KINDS = (("apikey", "wrappers"), ("kpat", "orgs/acme"), ("spat", "orgs/acme"),
         ("apitoken", "namespaces/ns1"), ("storage", "storage-projects/1"))
NS = "/api/v1/namespaces/ns1/"


def deployment():
    return {"kind": "Deployment", "apiVersion": "v1",
            "metadata": {"name": "d-" + secrets.token_hex(3)}, "spec": {"state": "CANCELLED"}}


class NoSecretsLogged:
    """The check, run by one class per log format below."""
    allow_5xx = True  # only the logs matter here
    log_format = None

    @classmethod
    def setUpClass(cls):
        harness.module_stack(log_level="debug", env={"HANGAR_LOG_FORMAT": cls.log_format,
                                                     "GRPC_VERBOSITY": "debug"})

    @classmethod
    def tearDownClass(cls):
        harness.module_teardown()

    def calls(self, token):
        """A read and a write on every surface, as this token."""
        for method, path, body in (
                ("GET", "/api/v1/projects/proj-1/resources", None),
                ("POST", "/api/v1/projects/proj-1/resources",
                 {"id": "r-" + secrets.token_hex(3), "name": "n", "type": "Konnektr.Graph"}),
                ("GET", "/wrappers", None),
                ("POST", "/wrappers", {"name": "w"}),
                ("GET", "/v2/api-products", None),
                ("POST", "/v2/api-products", {"name": "p"}),
                ("GET", "/auth/v1/tokens", None),
                ("GET", NS + "deployments", None),
                ("POST", NS + "deployments", deployment()),
                ("GET", "/namespaces/v1/namespaces/ns1", None)):
            self.req(method, path, body, token=token)
            self.req(method, path, body, headers={"Authorization": "Basic " + token})
            self.req(method, path, body, headers={"Authorization": "Bearer " + token + "x"})
        for method, path, body in (
                ("GET", "/provisioning/snowflake?type=sandbox", None),
                ("POST", "/provisioning/redshift-workspace", {"type": "sandbox"}),
                ("GET", "/queue/job/1", None)):
            self.req(method, path, body, headers={"X-StorageApi-Token": token})
            self.req(method, path, body, headers={"X-StorageApi-Token": token + "x"})
            self.req(method, path, body, token=token)

    def handed_out(self, storage_token):
        """The secrets services hand out: Keboola passwords, a Ververica API token's secret
        and a secret value; each one is in an answer, so the stack had it in hand."""
        made = []
        for backend in ("snowflake", "redshift-workspace"):
            r = self.req("POST", "/provisioning/" + backend, {"type": "sandbox"},
                         headers={"X-StorageApi-Token": storage_token})
            made.append(self.expect(r, 201)["credentials"]["password"])
        r = self.req("POST", "/apitokens/v1/namespaces/ns1/apitokens",
                     {"name": "namespaces/ns1/apitokens/ci-" + secrets.token_hex(3),
                      "role": "editor"}, token=self.admin)
        made.append(self.expect(r, 200)["apiToken"]["secret"])
        value = "sv-" + secrets.token_hex(16)
        r = self.req("POST", NS + "secret-values",
                     {"metadata": {"name": "s-" + secrets.token_hex(3)},
                      "spec": {"kind": "PLAIN", "value": value}}, token=self.admin)
        self.expect(r, 201)
        made.append(value)
        self.assertTrue(all(made), made)
        return made

    def test_no_log_line_holds_a_credential(self):
        s = self.s
        secret_values = [s.admin_token, s.jwt_secret]
        minted = []
        for kind, scope in KINDS:
            body = s.mint_token(kind, "sub-" + kind, [(scope, "editor")])
            minted.append(body)
            secret_values.append(body["token"])
        jwts = [s.jwt(sub="alice"), s.jwt(sub="alice", exp=1), s.jwt(secret="wrong-" * 6),
                s.jwt(alg="none")]
        secret_values += jwts
        unknown = ["kpat_" + secrets.token_hex(16), "spat_" + secrets.token_hex(16),
                   secrets.token_hex(24)]
        secret_values += unknown
        s.bind("alice", "projects/proj-1", "editor")
        self.expect(self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/ns1"},
                             token=self.admin), 200)
        handed = self.handed_out(minted[KINDS.index(("storage", "storage-projects/1"))]["token"])
        secret_values += handed
        api_token_secret = handed[2]
        for token in [s.admin_token] + [m["token"] for m in minted] + jwts + unknown + [
                api_token_secret]:
            self.calls(token)
        self.expect(self.req("DELETE", "/auth/v1/tokens/" + minted[0]["id"], token=self.admin),
                    204)
        self.calls(minted[0]["token"])
        offenders, lines = [], []
        for name in harness.PROCESS_ORDER:
            for stream in ("stderr", "stdout"):
                path = s._p(name + "." + stream)
                if not os.path.exists(path):
                    continue
                with open(path, errors="replace") as f:
                    for line in f:
                        if line.startswith("=== start #"):  # the harness's own argv line
                            continue
                        if stream == "stderr" and line.strip():
                            lines.append(line)
                        offenders += ["%s %s: %s" % (name, stream, line.strip()[:200])
                                      for v in secret_values if v in line]
        self.assertEqual([], offenders)
        # The stack did log at debug level: the check above read real lines, among them
        # per-request lines of callers whose tokens were checked.
        with open(s._p("gateway.stderr")) as f:
            self.assertGreater(sum(1 for _ in f), 20)
        self.check_format(lines, ["sub-" + kind for kind, _ in KINDS] + ["alice", "admin"])

    def check_format(self, lines, subjects):
        raise NotImplementedError


class TextLogsTest(NoSecretsLogged, HangarTest):
    log_format = "text"

    def check_format(self, lines, subjects):
        self.assertFalse([ln for ln in lines if ln.startswith("{")])
        self.assertTrue([ln for ln in lines if " trace_id=" in ln])


class JsonLogsTest(NoSecretsLogged, HangarTest):
    log_format = "json"

    def check_format(self, lines, subjects):
        records = [json.loads(ln) for ln in lines]  # every line is JSON
        named = {r["subject"] for r in records if r.get("subject")}
        self.assertEqual(set(), set(subjects) - named, "subjects with no per-request line")


if __name__ == "__main__":
    harness.main()
