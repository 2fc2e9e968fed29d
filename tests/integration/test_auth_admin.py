"""Auth admin REST (/auth/v1/...) and authentication/authorization on KtrlPlane."""

import hashlib
import json
import secrets
import time
import unittest

import harness
from harness import HangarTest, parse_ts

TOKENS = "/auth/v1/tokens"
BINDINGS = "/auth/v1/role-bindings"
KP = "/api/v1/projects/%s/resources"
KPR = KP + "/%s"

CREATED_KEYS = {"id", "token", "kind", "subject", "bindings", "created_at", "expires_at"}
LISTED_KEYS = CREATED_KEYS - {"token"}
RB_KEYS = {"id", "subject", "scope", "role", "created_at"}
KINDS = ("apikey", "kpat", "spat", "apitoken", "storage")


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def uniq(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(3))


# ============================================================================================
class Tokens(HangarTest):
    def test_create_each_kind(self):
        subj = uniq("tk")
        seen = set()
        for kind in KINDS:
            binds = [{"scope": "projects/proj-abc123", "role": "editor"}]
            before = time.time()
            r = self.req("POST", TOKENS, {"kind": kind, "subject": subj, "bindings": binds,
                                          "ttl_seconds": 3600}, token=self.admin)
            self.expect(r, 201)
            self.expect_json_ct(r)
            b = r.body
            self.assertEqual(CREATED_KEYS, set(b), r)
            self.assertEqual((kind, subj, binds), (b["kind"], b["subject"], b["bindings"]), r)
            self.assertIsInstance(b["id"], str)
            self.assertTrue(b["id"], r)
            self.assertIsInstance(b["token"], str)
            self.assertGreaterEqual(len(b["token"]), 20, "token too short to be a secret: %r" % r)
            if kind == "kpat":
                self.assertTrue(b["token"].startswith("kpat_"), r)
            if kind == "spat":
                self.assertTrue(b["token"].startswith("spat_"), r)
            c = self.expect_ts(b["created_at"], "created_at")
            e = self.expect_ts(b["expires_at"], "expires_at")
            self.assertLess(abs(c.timestamp() - before), 5, r)
            self.assertLess(abs((e - c).total_seconds() - 3600), 2, r)
            self.assertNotIn(b["token"], seen)
            self.assertNotIn(b["id"], {x for x in seen})
            seen.add(b["token"])
            seen.add(b["id"])

    def test_no_ttl_means_no_expiry_and_empty_bindings(self):
        r = self.req("POST", TOKENS, {"kind": "apikey", "subject": uniq("nottl")},
                     token=self.admin)
        self.expect(r, 201)
        self.assertIsNone(r.body["expires_at"], r)
        self.assertIn("expires_at", json.loads(r.raw), "expires_at must be present (null)")
        self.assertEqual([], r.body["bindings"], r)

    def test_list_never_shows_secrets(self):
        subj = uniq("lst")
        made = [self.s.mint_token(k, subj, [("projects/p-" + subj, "viewer")], ttl=600)
                for k in KINDS]
        other = self.s.mint_token("apikey", uniq("other"))
        r = self.req("GET", TOKENS, token=self.admin)
        self.expect(r, 200)
        self.assertEqual({"tokens"}, set(r.body), r)
        ids = {t["id"] for t in r.body["tokens"]}
        self.assertTrue({m["id"] for m in made} | {other["id"]} <= ids, r)
        for t in r.body["tokens"]:
            self.assertEqual(LISTED_KEYS, set(t), "listed token keys: %s" % t)
        self.assert_no_secret(r.raw, made + [other])

        r = self.req("GET", TOKENS + "?subject=" + subj, token=self.admin)
        self.expect(r, 200)
        self.assertEqual(sorted(m["id"] for m in made),
                         sorted(t["id"] for t in r.body["tokens"]), r)
        by_id = {t["id"]: t for t in r.body["tokens"]}
        for m in made:
            self.assertEqual({k: v for k, v in m.items() if k != "token"}, by_id[m["id"]])
        self.assert_no_secret(r.raw, made + [other])

        r = self.req("GET", TOKENS + "?subject=" + uniq("nobody"), token=self.admin)
        self.expect(r, 200, {"tokens": []})

    def assert_no_secret(self, raw, made):
        text = raw.decode("utf-8", "replace")
        for m in made:
            tok = m["token"]
            self.assertNotIn(tok, text)
            secret = tok[5:] if tok[:5] in ("kpat_", "spat_") else tok
            for i in range(0, max(1, len(secret) - 11)):
                piece = secret[i:i + 12]
                self.assertNotIn(piece, text, "a piece of a token secret (%r of %r) is listed"
                                 % (piece, tok))
            self.assertNotIn(hashlib.sha256(tok.encode()).hexdigest(), text,
                             "the token hash must not be listed either")

    def test_delete_token(self):
        m = self.s.mint_token("apikey", uniq("del"))
        r = self.req("DELETE", TOKENS + "/" + m["id"], token=self.admin)
        self.expect(r, 204)
        self.assertEqual(b"", r.raw, r)
        r = self.req("DELETE", TOKENS + "/" + m["id"], token=self.admin)
        self.expect_error(r, 404)
        r = self.req("DELETE", TOKENS + "/does-not-exist", token=self.admin)
        self.expect_error(r, 404)
        r = self.req("GET", TOKENS, token=self.admin)
        self.assertNotIn(m["id"], [t["id"] for t in r.body["tokens"]], r)

    def test_get_token_by_id(self):
        subj = uniq("get")
        m = self.s.mint_token("kpat", subj, [("projects/p-" + subj, "viewer")], ttl=600)
        r = self.req("GET", TOKENS + "/" + m["id"], token=self.admin)
        self.expect(r, 200)
        self.expect_json_ct(r)
        self.assertEqual({k: v for k, v in m.items() if k != "token"}, r.body, r)
        self.assert_no_secret(r.raw, [m])
        listed = self.req("GET", TOKENS + "?subject=" + subj, token=self.admin)
        self.assertEqual(listed.body["tokens"], [r.body], "GET one is shaped like a list item")

        for unknown in ("does-not-exist", "0" * 32, "x" * 300):
            r = self.req("GET", TOKENS + "/" + unknown, token=self.admin)
            self.expect(r, 404, {"error": "Token not found"})
        self.expect(self.req("DELETE", TOKENS + "/" + m["id"], token=self.admin), 204)
        r = self.req("GET", TOKENS + "/" + m["id"], token=self.admin)
        self.expect(r, 404, {"error": "Token not found"})

    def test_bad_requests(self):
        subj = uniq("bad")
        cases = [
            ({"kind": "bogus", "subject": subj}, "kind"),
            ({"kind": "", "subject": subj}, "kind"),
            ({"subject": subj}, "kind"),
            ({"kind": "apikey"}, "subject"),
            ({"kind": "apikey", "subject": ""}, "subject"),
            ({"kind": "apikey", "subject": subj,
              "bindings": [{"scope": "projects/x", "role": "superuser"}]}, "role"),
            ({"kind": "apikey", "subject": subj,
              "bindings": [{"scope": "", "role": "viewer"}]}, "scope"),
            ({"kind": "apikey", "subject": subj, "ttl_seconds": -5}, "ttl_seconds"),
            ({"kind": "apikey", "subject": subj, "ttl_seconds": 1.5}, "ttl_seconds"),
            ({"kind": "apikey", "subject": subj, "ttl_seconds": "60"}, "ttl_seconds"),
            ({"kind": "apikey", "subject": subj, "extra": 1}, "extra"),
            ({"kind": 3, "subject": subj}, "kind"),
        ]
        for body, field in cases:
            r = self.req("POST", TOKENS, body, token=self.admin)
            self.expect_error(r, 400, field=field)
        for raw in (b"{", b"not json", b"[]", b""):
            r = self.req("POST", TOKENS, raw=raw, token=self.admin)
            self.expect_error(r, 400, details=True)
        r = self.req("GET", TOKENS + "?subject=" + subj, token=self.admin)
        self.expect(r, 200, {"tokens": []})


class TokenEdges(HangarTest):
    def test_odd_but_valid_and_extreme_inputs(self):
        # a huge ttl: a valid timestamp or a 400 naming ttl_seconds, never a 5xx/garbage
        for ttl in (10 ** 12, 9223372036854775807):
            r = self.req("POST", TOKENS, {"kind": "apikey", "subject": uniq("ttl"),
                                          "ttl_seconds": ttl}, token=self.admin)
            if r.status == 201:
                self.expect_ts(r.body["expires_at"], "expires_at for ttl %d" % ttl)
                self.assertGreater(parse_ts(r.body["expires_at"]),
                                   parse_ts(r.body["created_at"]), r)
            else:
                self.expect_error(r, 400, field="ttl_seconds")
        for body, field in (({"kind": "apikey", "subject": "s", "bindings": "projects/p"},
                             "bindings"),
                            ({"kind": "apikey", "subject": "s", "bindings": [{"scope": "p"}]},
                             "role"),
                            ({"kind": "apikey", "subject": "s", "bindings": [["p", "viewer"]]},
                             "bindings")):
            r = self.req("POST", TOKENS, body, token=self.admin)
            self.expect_error(r, 400, field=field)
        subj = "\u00fcn\u00efc\u00f6d\u00e9-" + secrets.token_hex(2)
        r = self.req("POST", TOKENS, {"kind": "apikey", "subject": subj}, token=self.admin)
        if r.status == 201:  # non-ASCII subjects: kept verbatim, or refused clearly
            self.assertEqual(subj, r.body["subject"], r)
        else:
            self.expect_error(r, 400, field="subject")
        for path in (TOKENS + "/" + "x" * 10240, TOKENS + "/%00", TOKENS + "/..%2F..",
                     BINDINGS + "/" + "y" * 10240):
            r = self.req("DELETE", path, token=self.admin)
            self.assertTrue(400 <= r.status < 500, r)


# ============================================================================================
class RoleBindings(HangarTest):
    def test_crud(self):
        subj = uniq("alice")
        r = self.req("POST", BINDINGS, {"subject": subj, "scope": "projects/proj-abc123",
                                        "role": "editor"}, token=self.admin)
        self.expect(r, 201)
        self.expect_json_ct(r)
        b = r.body
        self.assertEqual(RB_KEYS, set(b), r)
        self.assertEqual((subj, "projects/proj-abc123", "editor"),
                         (b["subject"], b["scope"], b["role"]), r)
        self.expect_ts(b["created_at"])
        self.assertTrue(isinstance(b["id"], str) and b["id"], r)
        b2 = self.s.bind(subj, "namespaces/ns1", "viewer")
        self.s.bind(uniq("bob"), "projects/proj-abc123", "viewer")
        for role in ("viewer", "editor", "owner", "admin"):
            self.s.bind(subj + "-r", "orgs/o1", role)

        r = self.req("GET", BINDINGS + "?subject=" + subj, token=self.admin)
        self.expect(r, 200)
        self.assertEqual({"role_bindings"}, set(r.body), r)
        self.assertEqual(sorted([b, b2], key=lambda x: x["id"]),
                         sorted(r.body["role_bindings"], key=lambda x: x["id"]), r)
        r = self.req("GET", BINDINGS, token=self.admin)
        self.expect(r, 200)
        self.assertTrue({b["id"], b2["id"]} <= {x["id"] for x in r.body["role_bindings"]}, r)

        r = self.req("DELETE", BINDINGS + "/" + b["id"], token=self.admin)
        self.expect(r, 204)
        self.assertEqual(b"", r.raw)
        r = self.req("DELETE", BINDINGS + "/" + b["id"], token=self.admin)
        self.expect_error(r, 404)
        r = self.req("GET", BINDINGS + "?subject=" + subj, token=self.admin)
        self.expect(r, 200, {"role_bindings": [b2]})

    def test_bad_requests(self):
        subj = uniq("rbbad")
        cases = [
            ({"subject": subj, "scope": "projects/p", "role": "superuser"}, "role"),
            ({"subject": subj, "scope": "projects/p"}, "role"),
            ({"subject": subj, "scope": "", "role": "viewer"}, "scope"),
            ({"subject": subj, "role": "viewer"}, "scope"),
            ({"scope": "projects/p", "role": "viewer"}, "subject"),
            ({"subject": "", "scope": "projects/p", "role": "viewer"}, "subject"),
            ({"subject": subj, "scope": "projects/p", "role": "viewer", "x": 1}, "x"),
        ]
        for body, field in cases:
            r = self.req("POST", BINDINGS, body, token=self.admin)
            self.expect_error(r, 400, field=field)
        r = self.req("POST", BINDINGS, raw=b"{bad", token=self.admin)
        self.expect_error(r, 400, details=True)
        r = self.req("GET", BINDINGS + "?subject=" + subj, token=self.admin)
        self.expect(r, 200, {"role_bindings": []})


# ============================================================================================
class AdminAuth(HangarTest):
    ENDPOINTS = [("GET", TOKENS, None), ("POST", TOKENS, {"kind": "apikey", "subject": "x"}),
                 ("DELETE", TOKENS + "/some-id", None), ("GET", TOKENS + "/some-id", None),
                 ("GET", BINDINGS, None),
                 ("POST", BINDINGS, {"subject": "x", "scope": "projects/p", "role": "viewer"}),
                 ("DELETE", BINDINGS + "/some-id", None)]

    def test_401_without_or_with_wrong_credentials(self):
        for method, path, body in self.ENDPOINTS:
            r = self.req(method, path, body)
            self.expect(r, 401, {"error": "Authorization header required"})
            r = self.req(method, path, body, headers={"Authorization": "Basic abc"})
            self.expect(r, 401, {"error": "Bearer token required"})
            r = self.req(method, path, body, token="definitely-not-a-token")
            self.expect_error(r, 401, error="Invalid token", details=True)

    def test_admin_check_comes_before_the_body(self):
        for path in (TOKENS, BINDINGS):
            r = self.req("POST", path, raw=b"{")
            self.expect(r, 401, {"error": "Authorization header required"})
            r = self.req("POST", path, {"zzz": 1}, token=self.s.jwt(uniq("plain")))
            self.expect_error(r, 403, error="Admin token required")
            r = self.req("POST", path, {"zzz": 1}, token=self.admin)
            self.expect(r, 400, {"error": "Invalid request body",
                                 "details": 'zzz: unknown field "zzz"'})

    def test_403_for_non_admin_tokens(self):
        subj = uniq("nonadmin")
        self.s.bind(subj, "projects/p1", "admin")
        creds = [self.s.jwt(subj), self.s.jwt(uniq("plain"))]
        for kind in KINDS:
            creds.append(self.s.mint_token(kind, subj, [("projects/p1", "owner")])["token"])
        for tok in creds:
            for method, path, body in self.ENDPOINTS:
                r = self.req(method, path, body, token=tok)
                self.expect_error(r, 403)
        # nothing was created by those calls
        r = self.req("GET", TOKENS + "?subject=x", token=self.admin)
        self.expect(r, 200, {"tokens": []})
        r = self.req("GET", BINDINGS + "?subject=x", token=self.admin)
        self.expect(r, 200, {"role_bindings": []})


# ============================================================================================
class KtrlPlaneAuth(HangarTest):
    """Authentication and permissions on the KtrlPlane surface."""

    def setUp(self):
        super().setUp()
        self.proj = uniq("proj-auth")
        r = self.req("POST", KP % self.proj, {"id": "target", "name": "Target",
                                              "type": "Konnektr.Graph"}, token=self.admin)
        self.expect(r, 201)
        self.target = r.body

    def unchanged(self):
        r = self.req("GET", KPR % (self.proj, "target"), token=self.admin)
        self.expect(r, 200)
        self.assertEqual("Target", r.body["name"], r)
        self.assertEqual(self.target["created_at"], r.body["created_at"], r)
        return r.body

    def calls(self):
        p = self.proj
        return [("GET", KP % p, None), ("GET", KPR % (p, "target"), None),
                ("POST", KP % p, {"id": "new-one", "name": "N", "type": "Konnektr.Flow"}),
                ("PUT", KPR % (p, "target"), {"name": "Hacked"}),
                ("DELETE", KPR % (p, "target"), None)]

    def test_missing_and_malformed_credentials(self):
        s = self.s
        now = int(time.time())
        bad_jwts = {
            "expired": s.jwt("alice", exp=now - 120),
            "bad signature": s.jwt("alice", secret="wrong-secret"),
            "alg none": s.jwt("alice", alg="none"),
            "alg RS256 (confusion)": s.jwt("alice", alg="RS256"),
            "no exp": s.jwt("alice", exp=None),
            "no sub": s.jwt(None),
            "not yet valid": s.jwt("alice", nbf=now + 3600),
            "garbage": "abc",
            "two parts": "abc.def",
            "bad base64": "@@@.###.$$$",
            "tampered": None,
        }
        good = s.jwt("alice")
        h, p, sig = good.split(".")
        payload = json.loads(harness.base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
        payload["sub"] = "admin"
        bad_jwts["tampered"] = h + "." + harness.b64url(json.dumps(payload).encode()) + "." + sig
        for method, path, body in self.calls():
            r = self.req(method, path, body)
            self.expect(r, 401, {"error": "Authorization header required"})
            r = self.req(method, path, body, headers={"Authorization": "Basic abc"})
            self.expect(r, 401, {"error": "Bearer token required"})
            for name, tok in bad_jwts.items():
                r = self.req(method, path, body, token=tok)
                self.assertEqual(401, r.status, "%s JWT: %r" % (name, r))
                self.assertTrue(r.is_json and r.body.get("error") == "Invalid token"
                                and isinstance(r.body.get("details"), str)
                                and r.body["details"], "%s JWT: %r" % (name, r))
                self.assertEqual({"error", "details"}, set(r.body), "%s JWT: %r" % (name, r))
        self.unchanged()
        r = self.req("GET", KPR % (self.proj, "new-one"), token=self.admin)
        self.expect(r, 404, {"error": "Resource not found"})

    def test_roles(self):
        p = self.proj
        s = self.s
        viewer, editor, owner, padmin, other, nobody = (uniq(n) for n in (
            "viewer", "editor", "owner", "padmin", "other", "nobody"))
        s.bind(viewer, "projects/" + p, "viewer")
        s.bind(editor, "projects/" + p, "editor")
        s.bind(owner, "projects/" + p, "owner")
        s.bind(padmin, "projects/" + p, "admin")
        s.bind(other, "projects/" + uniq("proj-elsewhere"), "owner")

        # viewer reads, may not write
        v = s.jwt(viewer)
        self.expect(self.req("GET", KPR % (p, "target"), token=v), 200)
        lst = self.req("GET", KP % p, token=v)
        self.expect(lst, 200)
        self.assertEqual(["target"], [x["resource_id"] for x in lst.body["resources"]], lst)
        r = self.req("POST", KP % p, {"id": "v1", "name": "V", "type": "Konnektr.Flow"}, token=v)
        self.expect(r, 403, {"error": "Insufficient permissions to create resource"})
        r = self.req("PUT", KPR % (p, "target"), {"name": "Hacked"}, token=v)
        self.expect(r, 403, {"error": "Insufficient permissions to update resource"})
        r = self.req("DELETE", KPR % (p, "target"), token=v)
        self.expect(r, 403, {"error": "Insufficient permissions to delete resource"})
        self.unchanged()
        self.expect(self.req("GET", KPR % (p, "v1"), token=self.admin), 404)

        # no binding on the project: reads are 404 (no existence leak), writes never succeed
        for subj in (other, nobody):
            t = s.jwt(subj)
            r = self.req("GET", KPR % (p, "target"), token=t)
            self.expect(r, 404, {"error": "Resource not found"})
            r = self.req("GET", KP % p, token=t)
            self.assertFalse(r.status == 200 and r.body.get("resources"),
                             "list must not leak resources to a stranger: %r" % r)
            r = self.req("POST", KP % p, {"id": "s1", "name": "S", "type": "Konnektr.Flow"},
                         token=t)
            self.expect(r, (403, 404))
            self.assertIn(r.body, ({"error": "Insufficient permissions to create resource"},
                                   {"error": "Resource not found"}), r)
            r = self.req("PUT", KPR % (p, "target"), {"name": "Hacked"}, token=t)
            self.expect(r, (403, 404))
            r = self.req("DELETE", KPR % (p, "target"), token=t)
            self.expect(r, (403, 404))
            self.unchanged()
            self.expect(self.req("GET", KPR % (p, "s1"), token=self.admin), 404)

        # editor, owner and admin (on the project) write
        for i, subj in enumerate((editor, owner, padmin)):
            t = s.jwt(subj)
            rid = "w%d" % i
            r = self.req("POST", KP % p, {"id": rid, "name": "W", "type": "Konnektr.Flow"},
                         token=t)
            self.expect(r, 201)
            r = self.req("PUT", KPR % (p, rid), {"name": "W2"}, token=t)
            self.expect(r, 200)
            self.assertEqual("W2", r.body["name"])
            self.expect(self.req("GET", KPR % (p, rid), token=t), 200)
            r = self.req("DELETE", KPR % (p, rid), token=t)
            self.expect(r, 202, {"message": "Resource deletion initiated", "resource_id": rid,
                                 "status": "deleting"})

        # an admin binding is admin of its own scope only; a binding on "*" holds everywhere
        elsewhere = uniq("proj-elsewhere")
        body = {"id": "x1", "name": "X", "type": "Konnektr.Flow"}
        r = self.req("POST", KP % elsewhere, body, token=s.jwt(padmin))
        self.expect(r, 403, {"error": "Insufficient permissions to create resource"})
        star = uniq("star")
        s.bind(star, "*", "admin")
        self.expect(self.req("POST", KP % elsewhere, body, token=s.jwt(star)), 201)

        # the admin token is admin everywhere
        q = uniq("proj-adm")
        r = self.req("POST", KP % q, {"id": "a1", "name": "A", "type": "Konnektr.Compass"},
                     token=self.admin)
        self.expect(r, 201)

    def test_opaque_tokens_as_bearer(self):
        p = self.proj
        for kind in KINDS:
            # own bindings
            tok = self.s.mint_token(kind, uniq("op-" + kind), [("projects/" + p, "editor")])
            t = tok["token"]
            self.expect(self.req("GET", KPR % (p, "target"), token=t), 200)
            rid = "op-" + kind
            r = self.req("POST", KP % p, {"id": rid, "name": kind, "type": "Konnektr.Flow"},
                         token=t)
            self.expect(r, 201)
            # the subject's bindings count too
            subj = uniq("subj-" + kind)
            self.s.bind(subj, "projects/" + p, "viewer")
            t2 = self.s.mint_token(kind, subj)["token"]
            self.expect(self.req("GET", KPR % (p, "target"), token=t2), 200)
            r = self.req("PUT", KPR % (p, "target"), {"name": "no"}, token=t2)
            self.expect(r, 403, {"error": "Insufficient permissions to update resource"})
            # a token without any binding reads nothing
            t3 = self.s.mint_token(kind, uniq("bare-" + kind))["token"]
            self.expect(self.req("GET", KPR % (p, "target"), token=t3), 404,
                        {"error": "Resource not found"})
        self.unchanged()

    def test_revocation_takes_effect(self):
        p = self.proj
        tok = self.s.mint_token("apikey", uniq("rev"), [("projects/" + p, "editor")])
        self.expect(self.req("GET", KPR % (p, "target"), token=tok["token"]), 200)
        self.expect(self.req("DELETE", TOKENS + "/" + tok["id"], token=self.admin), 204)

        def rejected():
            r = self.req("GET", KPR % (p, "target"), token=tok["token"])
            return r if r.status == 401 else None
        r = self.poll(rejected, 5.0, "revoked token to be rejected")
        self.expect_error(r, 401, error="Invalid token", details=True)

    def test_binding_removal_takes_effect(self):
        p = self.proj
        subj = uniq("unbind")
        b = self.s.bind(subj, "projects/" + p, "editor")
        jwt = self.s.jwt(subj)
        r = self.req("PUT", KPR % (p, "target"), {"settings_json": {"n": 1}}, token=jwt)
        self.expect(r, 200)
        self.expect(self.req("DELETE", BINDINGS + "/" + b["id"], token=self.admin), 204)

        def denied():
            r = self.req("GET", KPR % (p, "target"), token=jwt)
            return r if r.status == 404 else None
        self.poll(denied, 5.0, "removed binding to stop granting reads")
        before = self.req("GET", KPR % (p, "target"), token=self.admin)
        r = self.req("PUT", KPR % (p, "target"), {"settings_json": {"n": 2}}, token=jwt)
        self.expect(r, (403, 404))
        g = self.req("GET", KPR % (p, "target"), token=self.admin)
        self.assertEqual(before.body["settings_json"], g.body["settings_json"], g)

    def test_new_binding_takes_effect(self):
        p = self.proj
        subj = uniq("later")
        jwt = self.s.jwt(subj)
        self.expect(self.req("GET", KPR % (p, "target"), token=jwt), 404)
        self.s.bind(subj, "projects/" + p, "viewer")
        self.poll(lambda: self.req("GET", KPR % (p, "target"), token=jwt).status == 200, 5.0,
                  "new binding to grant reads")

    def test_expiring_token(self):
        p = self.proj
        tok = self.s.mint_token("apikey", uniq("ttl"), [("projects/" + p, "viewer")], ttl=1)
        e = parse_ts(tok["expires_at"])
        c = parse_ts(tok["created_at"])
        self.assertLessEqual(abs((e - c).total_seconds() - 1), 1, tok)

        def rejected():
            r = self.req("GET", KPR % (p, "target"), token=tok["token"])
            return r if r.status == 401 else None
        r = self.poll(rejected, 6.0, "expired token to be rejected")
        self.expect_error(r, 401, error="Invalid token", details=True)


if __name__ == "__main__":
    harness.main()
