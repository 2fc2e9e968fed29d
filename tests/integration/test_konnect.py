"""Konnect API Products v2 through the gateway (seed 004, specs/kong-konnect-api-products-v2,
CONTRACTS.md): every endpoint, every error class with whole problem+json bodies, org
isolation, cascade delete, document tree moves, lists, and the spec's own examples replayed.

Each test that counts things works in an org of its own (tokens minted per org), so tests
never see each other's objects.
"""

import base64
import json
import secrets
import unittest

import harness
from harness import HangarTest

P = "/v2/api-products"
PR = P + "/%s"
DOCS = PR + "/documents"
DOC = DOCS + "/%s"
VERS = PR + "/product-versions"
VER = VERS + "/%s"
SPECS = VER + "/specifications"
SPEC = SPECS + "/%s"
TREE = "application/vnd.konnect.document-tree+json"
NO_ID = "7b0f8a52-5bd6-4c4a-9d55-0f4f8f5bd1a0"  # a UUID nothing has

TITLES = {400: "Invalid Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
          415: "Unsupported Media Type"}
MEDIA_DETAIL = "This API only supports requests with `Content-Type: application/json`"
FORBIDDEN = "You do not have permission to perform this action"

# The spec's examples (components/examples), verbatim.
SPEC_PRODUCT_CREATE = {"name": "API Product", "description": "Text describing the API product",
                       "labels": {"env": "test"}}
SPEC_PRODUCT_PORTALS = {"name": "API Product", "description": "Text describing the API product",
                        "labels": {"env": "test"},
                        "portal_ids": ["07087c41-495a-4599-bc98-4904f1b46654"]}
SPEC_PRODUCT_UPDATE = {"name": "API Product with Update Name",
                       "description": "Updated text describing the API product"}
SPEC_DOC_CONTENT = ("IyBBUEkgUHJvZHVjdCBEb2N1bWVudCBIZWFkZXIKQVBJIHByb2R1Y3QgZG9jdW1lbnQg"
                    "Y29udGVudA==")
SPEC_DOC_CONTENT_UPDATED = ("IyBBUEkgUHJvZHVjdCBEb2N1bWVudCBIZWFkZXIKQVBJIHByb2R1Y3QgZG9jdW1l"
                            "bnQgY29udGVudCB1cGRhdGVk")
SPEC_DOC_CREATE = {"slug": "api-product-document", "status": "published",
                   "title": "API Product Document", "content": SPEC_DOC_CONTENT}
SPEC_SPEC_CONTENT = "TXkgWUFNTCBvciBKU09OIGZvcm1hdHRlZCBPQVMgY29udGVudA=="
SPEC_LINKED_VERSION = {"name": "v1", "publish_status": "unpublished", "deprecated": False,
                       "gateway_service": {"control_plane_id":
                                           "e4d9ebb1-26b4-426a-b00e-cb67044f3baf",
                                           "id": "09b4786a-3e48-4631-8f6b-62d1d8e1a7f3"}}
SPEC_GATEWAY_SERVICE = {"id": "09b4786a-3e48-4631-8f6b-62d1d8e1a7f3",
                        "control_plane_id": "e4d9ebb1-26b4-426a-b00e-cb67044f3baf",
                        "runtime_group_id": "e4d9ebb1-26b4-426a-b00e-cb67044f3baf"}
# APIProductDocumentExample's ast for "# API Product Document Header\nAPI product ...".
SPEC_AST = [{"type": "heading", "level": 1,
             "children": [{"type": "text", "text": "API Product Document Header"}]},
            {"type": "paragraph",
             "children": [{"type": "text", "text": "API product document content"}]}]

TOKENS = {}


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def trace_of(request_id):
    """The gateway's kong:trace number: FNV-1a 64 of the request id, top bit cleared."""
    h = 0xcbf29ce484222325
    for b in request_id.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h & 0x7FFFFFFFFFFFFFFF


def b64(text):
    return base64.b64encode(text.encode()).decode()


def uniq(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(4))


class KonnectTest(HangarTest):
    def setUp(self):
        super().setUp()
        self.org = uniq("org")

    # -- credentials ----------------------------------------------------------------------
    def token(self, org=None, role="editor", kind="kpat"):
        """A kpat_/spat_ token bound to orgs/<org> with role (minted once per triple)."""
        key = (org or self.org, role, kind)
        if key not in TOKENS:
            made = self.s.mint_token(kind, uniq("user"), [("orgs/" + key[0], role)])
            self.assertTrue(made["token"].startswith(kind + "_"), made)
            TOKENS[key] = made["token"]
        return TOKENS[key]

    def k(self, method, path, body=None, token=..., **kw):
        return self.req(method, path, body, token=self.token() if token is ... else token, **kw)

    # -- assertions -----------------------------------------------------------------------
    def ok(self, r, status, body=...):
        self.expect(r, status, body)
        if status != 204:
            self.expect_json_ct(r)
        else:
            self.assertEqual(b"", r.raw, "204 has no body: %r" % (r,))
        return r.body

    def problem(self, r, status, detail, invalid=None):
        """The whole problem+json body; instance is the trace of the answer's request id."""
        want = {"status": status, "title": TITLES[status],
                "instance": "kong:trace:%d" % trace_of(r.headers.get("x-request-id", "")),
                "detail": detail}
        if status == 400:
            want["invalid_parameters"] = invalid
        self.expect(r, status, want)
        ct = r.headers.get("content-type", "")
        self.assertEqual("application/problem+json", ct, "problem content type: %r" % (r,))

    def invalid(self, r, *entries):
        self.problem(r, 400, "Invalid Parameters", list(entries))

    def not_found(self, r):
        self.problem(r, 404, "Not Found")

    # -- fixtures -------------------------------------------------------------------------
    def product(self, name="P", token=..., **extra):
        body = dict(extra, name=name)
        return self.ok(self.k("POST", P, body, token=token), 201)

    def document(self, pid, slug, parent=None, **extra):
        body = dict({"slug": slug, "title": slug.upper(), "status": "published"}, **extra)
        if parent is not None:
            body["parent_document_id"] = parent
        return self.ok(self.k("POST", DOCS % pid, body), 201)

    def version(self, pid, name="v1", **extra):
        return self.ok(self.k("POST", VERS % pid, dict(extra, name=name)), 201)

    def spec(self, pid, vid, name="oas.yaml", text="openapi: 3.0.0\n"):
        return self.ok(self.k("POST", SPECS % (pid, vid), {"name": name, "content": b64(text)}),
                       201)

    def listing(self, path, token=...):
        return self.ok(self.k("GET", path, token=token), 200)

    def names(self, path):
        return [x["name"] for x in self.listing(path)["data"]]


# ============================================================================================
class Products(KonnectTest):
    def test_create_get_list_roundtrip(self):
        made = self.ok(self.k("POST", P, SPEC_PRODUCT_CREATE), 201)
        self.expect_ts(made["created_at"])
        self.assertEqual(made["created_at"], made["updated_at"])
        self.assertRegex(made["id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                     r"[0-9a-f]{12}$")
        self.assertEqual({"id": made["id"], "name": "API Product",
                          "description": "Text describing the API product", "portal_ids": [],
                          "portals": [], "created_at": made["created_at"],
                          "updated_at": made["created_at"], "version_count": 0,
                          "labels": {"env": "test"}, "public_labels": {}}, made)
        self.ok(self.k("GET", PR % made["id"]), 200, made)
        self.ok(self.k("GET", PR % made["id"].upper()), 200, made)
        self.ok(self.k("GET", P), 200, {"data": [made],
                                        "meta": {"page": {"number": 1, "size": 10, "total": 1}}})

    def test_minimal_and_portals_examples(self):
        minimal = self.product("API Product")
        self.assertEqual(None, minimal["description"])
        self.assertEqual(({}, {}, [], []), (minimal["labels"], minimal["public_labels"],
                                            minimal["portal_ids"], minimal["portals"]))
        published = self.ok(self.k("POST", P, SPEC_PRODUCT_PORTALS), 201)
        self.assertEqual(SPEC_PRODUCT_PORTALS["portal_ids"], published["portal_ids"])
        self.assertEqual([], published["portals"])  # Hangar has no portal service

    def test_patch_examples_and_get_matches(self):
        made = self.product("API Product", labels={"a": "1", "b": "2"},
                            public_labels={"category": "finance"})
        upd = self.ok(self.k("PATCH", PR % made["id"], SPEC_PRODUCT_UPDATE), 200)
        self.assertEqual(dict(made, name=SPEC_PRODUCT_UPDATE["name"],
                              description=SPEC_PRODUCT_UPDATE["description"],
                              updated_at=upd["updated_at"]), upd)
        self.assertGreater(self.expect_ts(upd["updated_at"]), self.expect_ts(made["created_at"]))
        self.ok(self.k("GET", PR % made["id"]), 200, upd)
        portals = {"portal_ids": ["07087c41-495a-4599-bc98-4904f1b46654"]}
        upd = self.ok(self.k("PATCH", PR % made["id"], portals), 200)
        self.assertEqual(portals["portal_ids"], upd["portal_ids"])
        # A label set to null goes, other labels stay, new ones are added.
        upd = self.ok(self.k("PATCH", PR % made["id"], {"labels": {"a": None, "c": "3"}}), 200)
        self.assertEqual({"b": "2", "c": "3"}, upd["labels"])
        self.assertEqual({"category": "finance"}, upd["public_labels"])
        upd = self.ok(self.k("PATCH", PR % made["id"], {"description": None, "labels": None}),
                      200)
        self.assertEqual((None, {}), (upd["description"], upd["labels"]))
        self.ok(self.k("GET", PR % made["id"]), 200, upd)

    def test_delete(self):
        made = self.product()
        self.ok(self.k("DELETE", PR % made["id"]), 204)
        self.not_found(self.k("GET", PR % made["id"]))
        self.not_found(self.k("DELETE", PR % made["id"]))
        self.not_found(self.k("PATCH", PR % made["id"], {"name": "x"}))

    def test_missing_and_malformed_ids_are_404(self):
        for pid in (NO_ID, "not-a-uuid", "7b0f8a52-5bd6-4c4a-9d55-0f4f8f5bd1a"):
            self.not_found(self.k("GET", PR % pid))
            self.not_found(self.k("GET", DOCS % pid))
            self.not_found(self.k("GET", VERS % pid))

    def test_name_rules(self):
        # The spec's APIProductNameBadRequestExample.
        self.invalid(self.k("POST", P, {"name": ""}),
                     {"field": "name", "rule": "min_length", "minimum": 1,
                      "reason": "name must be longer than or equal to 1 characters"})
        self.invalid(self.k("POST", P, {"name": "x" * 101}),
                     {"field": "name", "rule": "max_length", "maximum": 100,
                      "reason": "name must be shorter than or equal to 100 characters"})
        self.assertEqual("é" * 100, self.product("é" * 100)["name"])  # characters, not bytes
        self.invalid(self.k("POST", P, {}),
                     {"field": "name", "rule": "required", "reason": "is a required field"})
        self.invalid(self.k("PATCH", PR % self.product()["id"], {"name": ""}),
                     {"field": "name", "rule": "min_length", "minimum": 1,
                      "reason": "name must be longer than or equal to 1 characters"})

    def test_types_and_unknown_properties(self):
        pid = self.product()["id"]
        cases = [
            ({"name": 5}, "name", "is_string", "name must be a string"),
            ({"name": "x", "description": []}, "description", "is_string",
             "description must be a string"),
            ({"name": "x", "labels": "env"}, "labels", "is_object", "labels must be an object"),
            ({"name": "x", "labels": {"env": 1}}, "labels.env", "is_string",
             "labels.env must be a string"),
            ({"name": "x", "portal_ids": "a"}, "portal_ids", "is_array",
             "portal_ids must be an array"),
            # An item is named by its index, whether its JSON type or its format is wrong.
            ({"name": "x", "portal_ids": [5]}, "portal_ids[0]", "is_string",
             "portal_ids[0] must be a string"),
            ({"name": "x", "portal_ids": ["07087c41-495a-4599-bc98-4904f1b46654", "nope"]},
             "portal_ids[1]", "is_uuid", "portal_ids[1] must be a UUID"),
            ({"name": "x", "colour": "red"}, "colour", "unknown_property",
             "colour is an unknown property"),
            ({"name": "x", "id": NO_ID}, "id", "unknown_property", "id is an unknown property"),
        ]
        for body, field, rule, reason in cases:
            self.invalid(self.k("POST", P, body), {"field": field, "rule": rule, "reason": reason})
        # The path's own field may not come in the body either (it would retarget the write).
        self.invalid(self.k("PATCH", PR % pid, {"id": NO_ID, "name": "y"}),
                     {"field": "id", "rule": "unknown_property", "reason": "id is an unknown property"})
        self.invalid(self.k("PATCH", PR % pid, {"version_count": 3}),
                     {"field": "version_count", "rule": "unknown_property",
                      "reason": "version_count is an unknown property"})
        self.invalid(self.k("POST", P, raw=b'{"name": '), {
            "field": "body", "rule": "invalid", "reason": "unexpected end of the body"})
        self.invalid(self.k("POST", P, raw=b'["name"]'), {
            "field": "body", "rule": "is_object", "reason": "body must be an object"})
        self.assertEqual("P", self.ok(self.k("GET", PR % pid), 200)["name"])

    def test_every_body_problem_listed(self):
        self.invalid(self.k("POST", P, {"name": 5, "labels": "env", "colour": "red",
                                        "portal_ids": [5]}),
                     {"field": "name", "rule": "is_string", "reason": "name must be a string"},
                     {"field": "labels", "rule": "is_object", "reason": "labels must be an object"},
                     {"field": "colour", "rule": "unknown_property",
                      "reason": "colour is an unknown property"},
                     {"field": "portal_ids[0]", "rule": "is_string",
                      "reason": "portal_ids[0] must be a string"})
        pid = self.product()["id"]
        self.invalid(self.k("PATCH", PR % pid, {"id": NO_ID, "name": 5, "labels": [],
                                                "portal_ids": ["x", 7]}),
                     {"field": "id", "rule": "unknown_property",
                      "reason": "id is an unknown property"},
                     {"field": "name", "rule": "is_string", "reason": "name must be a string"},
                     {"field": "labels", "rule": "is_object", "reason": "labels must be an object"},
                     {"field": "portal_ids[1]", "rule": "is_string",
                      "reason": "portal_ids[1] must be a string"})
        self.assertEqual("P", self.ok(self.k("GET", PR % pid), 200)["name"])

    def test_parser_refusals_in_our_words(self):
        """Text our JSON parser refuses is explained in our words, never the library's, and
        names the key or value it is about."""
        cases = [
            (b'{"name": NaN}', "name", "NaN and Infinity are not JSON numbers"),
            (b'{"name": "x", "labels": {"env": -Infinity}}', "labels.env",
             "NaN and Infinity are not JSON numbers"),
            (b'{"name": "a", "name": "b"}', "name", "duplicate key"),
            (b'{"name": "x\ud800"}', "name", "unpaired UTF-16 surrogate escape"),
            (b'\xef\xbb\xbf{"name": "x"}', "body", "a byte order mark is not allowed"),
            (b'{"name": "x", "labels": {"n": 99999999999999999999}}', "labels.n",
             "integer beyond the 64-bit range"),
            (b'{"name": 1e400}', "name", "number too large"),
            (b'{"name": "a\u0000b"}', "name", "strings must not contain \\u0000"),
            (b'{"name": "x"} x', "body", "unexpected text after the JSON value"),
        ]
        for raw, field, reason in cases:
            self.invalid(self.k("POST", P, raw=raw),
                         {"field": field, "rule": "invalid", "reason": reason})
        self.assertEqual([], self.listing(P)["data"])

    def test_label_rules(self):
        bad = [
            ({"kong-x": "a"}, "labels.kong-x", "keys must be 1-63 characters and must not start "
             "with \"kong\", \"konnect\", \"mesh\", \"kic\" or \"_\""),
            ({"_x": "a"}, "labels._x", "keys must be 1-63 characters and must not start "
             "with \"kong\", \"konnect\", \"mesh\", \"kic\" or \"_\""),
            ({"k" * 64: "a"}, "labels." + "k" * 64, "keys must be 1-63 characters and must not "
             "start with \"kong\", \"konnect\", \"mesh\", \"kic\" or \"_\""),
            ({"env": "-bad-"}, "labels.env", "values must be 1-63 characters matching "
             "^[a-z0-9A-Z]{1}([a-z0-9A-Z-._]*[a-z0-9A-Z]+)?$"),
            ({"env": ""}, "labels.env", "values must be 1-63 characters matching "
             "^[a-z0-9A-Z]{1}([a-z0-9A-Z-._]*[a-z0-9A-Z]+)?$"),
        ]
        for labels, field, reason in bad:
            self.invalid(self.k("POST", P, {"name": "x", "labels": labels}),
                         {"field": field, "rule": "is_label", "reason": reason})
        self.invalid(self.k("POST", P, {"name": "x", "public_labels": {"mesh1": "a"}}),
                     {"field": "public_labels.mesh1", "rule": "is_label", "reason": bad[0][2]})
        fifty = {"k%02d" % i: "v" for i in range(50)}
        made = self.product(labels=fifty)
        self.assertEqual(fifty, made["labels"])
        self.invalid(self.k("POST", P, {"name": "x", "labels": dict(fifty, extra="v")}),
                     {"field": "labels", "rule": "max_items", "maximum": 50,
                      "reason": "labels must not have more than 50 entries"})
        self.invalid(self.k("PATCH", PR % made["id"], {"labels": {"extra": "v"}}),
                     {"field": "labels", "rule": "max_items", "maximum": 50,
                      "reason": "labels must not have more than 50 entries"})
        self.ok(self.k("PATCH", PR % made["id"], {"labels": {"k00": None, "extra": "v"}}), 200)

    def test_list_caps(self):
        """Labels 50, portal_ids 100, filter values per term 50: over a cap is a 400 naming
        the parameter, decided by the count before any item is read (issue 11)."""
        made = self.product("capped", labels={"env": "prod"})
        many = {"k%06d" % i: "v" for i in range(60000)}  # 0.9 MB
        too_many_labels = {"field": "labels", "rule": "max_items", "maximum": 50,
                           "reason": "labels must not have more than 50 entries"}
        self.invalid(self.k("PATCH", PR % made["id"], {"labels": many}), too_many_labels)
        self.invalid(self.k("POST", P, {"name": "x", "labels": many}), too_many_labels)
        self.assertEqual({"env": "prod"}, self.ok(self.k("GET", PR % made["id"]), 200)["labels"])
        ids = ["07087c41-495a-4599-bc98-%012d" % i for i in range(101)]
        over = {"field": "portal_ids", "rule": "max_items", "maximum": 100,
                "reason": "portal_ids must not have more than 100 items"}
        self.invalid(self.k("POST", P, {"name": "x", "portal_ids": ids}), over)
        self.invalid(self.k("PATCH", PR % made["id"], {"portal_ids": ids}), over)
        self.assertEqual(ids[:100], self.ok(self.k("PATCH", PR % made["id"],
                                                   {"portal_ids": ids[:100]}), 200)["portal_ids"])
        self.invalid(self.k("PATCH", PR % made["id"], {"portal_ids": ids[:99] + ids[:1]}),
                     {"field": "portal_ids", "rule": "invalid",
                      "reason": "portal_ids must contain unique items"})
        for op in ("ocontains", "oeq"):
            self.invalid(self.k("GET", P + "?filter[name][%s]=%s" % (op, ",".join(["a"] * 51))),
                         {"field": "filter[name][%s]" % op, "rule": "max_items", "maximum": 50,
                          "reason": "filter[name][%s] must not have more than 50 values" % op})
            self.assertEqual(["capped"], self.names(P + "?filter[name][%s]=%s"
                                                    % (op, ",".join(["capped"] * 50))))
        for param in ("labels", "public_labels"):
            self.invalid(self.k("GET", P + "?%s=%s" % (param, ",".join(["env"] * 51))),
                         {"field": param, "rule": "max_items", "maximum": 50,
                          "reason": "%s must not have more than 50 terms" % param})
        self.assertEqual(["capped"], self.names(P + "?labels=" + ",".join(["env:prod"] * 50)))

    def test_version_count_is_exact(self):
        pid = self.product()["id"]
        vids = [self.version(pid, "v%d" % i)["id"] for i in range(3)]
        self.assertEqual(3, self.ok(self.k("GET", PR % pid), 200)["version_count"])
        self.ok(self.k("DELETE", VER % (pid, vids[0])), 204)
        self.assertEqual(2, self.ok(self.k("GET", PR % pid), 200)["version_count"])
        self.assertEqual(2, self.listing(P)["data"][0]["version_count"])
        upd = self.ok(self.k("PATCH", PR % pid, {"name": "Q"}), 200)
        self.assertEqual(2, upd["version_count"])


# ============================================================================================
class Access(KonnectTest):
    def test_missing_or_bad_credentials_are_401(self):
        for headers in ({}, {"Authorization": "Basic YTpi"}, {"Authorization": "Bearer"}):
            for method, path in (("GET", P), ("POST", P), ("DELETE", PR % NO_ID)):
                r = self.req(method, path, {"name": "x"} if method == "POST" else None,
                             headers=headers)
                self.problem(r, 401, "Unauthorized")
        self.problem(self.k("GET", P, token="kpat_" + "x" * 48), 401, "Invalid credentials")
        jwt = self.s.jwt(sub="nobody", exp=1)
        self.problem(self.k("GET", P, token=jwt), 401, "Invalid credentials")

    def test_roles(self):
        pid = self.product()["id"]
        viewer = self.token(role="viewer", kind="spat")
        self.assertEqual(pid, self.listing(P, token=viewer)["data"][0]["id"])
        self.ok(self.k("GET", PR % pid, token=viewer), 200)
        for method, path, body in (("POST", P, {"name": "x"}), ("PATCH", PR % pid, {"name": "x"}),
                                   ("DELETE", PR % pid, None),
                                   ("POST", DOCS % pid, {"slug": "s"}),
                                   ("POST", VERS % pid, {"name": "v"})):
            self.problem(self.k(method, path, body, token=viewer), 403, FORBIDDEN)
        owner = self.token(role="owner")
        self.ok(self.k("PATCH", PR % pid, {"name": "by owner"}, token=owner), 200)
        stranger = self.s.mint_token("kpat", uniq("x"), [("projects/p", "owner")])["token"]
        self.problem(self.k("GET", P, token=stranger), 403, FORBIDDEN)

    def test_access_is_decided_before_the_body(self):
        # The gateway cannot transcode these bodies, yet a caller who may not make the call
        # hears why not first, as behind Konnect's auth layer.
        pid = self.product()["id"]
        for raw in (b'{"zzz": 1}', b'{"name": ', b'{"name": 5}'):
            self.problem(self.req("POST", P, raw=raw), 401, "Unauthorized")
        self.problem(self.req("PATCH", PR % pid, {"zzz": 1}), 401, "Unauthorized")
        self.problem(self.req("GET", P + "?page[size]=x"), 401, "Unauthorized")
        self.problem(self.k("POST", P, {"zzz": 1}, token="kpat_" + "x" * 48), 401,
                     "Invalid credentials")
        viewer = self.token(role="viewer")
        self.problem(self.k("POST", P, {"zzz": 1}, token=viewer), 403, FORBIDDEN)
        self.problem(self.k("POST", DOCS % pid, {"slug": 5}, token=viewer), 403, FORBIDDEN)
        other = self.token(uniq("other"))
        self.not_found(self.k("POST", DOCS % pid, {"zzz": 1}, token=other))
        self.not_found(self.k("POST", VERS % pid, {"name": 5}, token=other))
        self.not_found(self.k("PATCH", PR % pid, {"zzz": 1}, token=other))
        self.not_found(self.k("GET", DOCS % pid + "?page[size]=x", token=other))
        # A caller who may make the call hears what is wrong with the body.
        self.invalid(self.k("POST", DOCS % pid, {"zzz": 1}),
                     {"field": "zzz", "rule": "unknown_property",
                      "reason": "zzz is an unknown property"})
        self.invalid(self.k("POST", P, {"zzz": 1}, token=self.admin),
                     {"field": "zzz", "rule": "unknown_property",
                      "reason": "zzz is an unknown property"})
        self.assertEqual(0, self.listing(DOCS % pid)["meta"]["page"]["total"])

    def test_jwt_with_org_binding(self):
        subject = uniq("jwt")
        self.s.bind(subject, "orgs/" + self.org, "viewer")
        pid = self.product()["id"]
        jwt = self.s.jwt(sub=subject)
        self.assertEqual([pid], [p["id"] for p in self.listing(P, token=jwt)["data"]])

    def test_org_choice_is_smallest_binding(self):
        # A token bound to two orgs acts in the lexicographically smallest one.
        low, high = "a-" + self.org, "z-" + self.org
        both = self.s.mint_token("kpat", uniq("two"), [("orgs/" + high, "editor"),
                                                       ("orgs/" + low, "editor")])["token"]
        made = self.product(token=both)
        self.ok(self.k("GET", PR % made["id"], token=self.token(low)), 200, made)
        self.not_found(self.k("GET", PR % made["id"], token=self.token(high)))

    def test_admin_acts_in_default_org(self):
        made = self.product("admin's", token=self.admin)
        self.ok(self.k("GET", PR % made["id"], token=self.token("default", "viewer")), 200, made)
        self.not_found(self.k("GET", PR % made["id"]))
        self.ok(self.k("DELETE", PR % made["id"], token=self.admin), 204)

    def test_orgs_are_isolated(self):
        mine = self.product("mine")
        pid = mine["id"]
        doc = self.document(pid, "d")["id"]
        vid = self.version(pid)["id"]
        sid = self.spec(pid, vid)["id"]
        other = self.token(uniq("other"))
        self.assertEqual({"data": [], "meta": {"page": {"number": 1, "size": 10, "total": 0}}},
                         self.listing(P, token=other))
        for method, path, body in (
                ("GET", PR % pid, None), ("PATCH", PR % pid, {"name": "x"}),
                ("DELETE", PR % pid, None), ("GET", DOCS % pid, None),
                ("POST", DOCS % pid, {"slug": "e", "title": "E", "status": "published"}),
                ("GET", DOC % (pid, doc), None), ("PATCH", DOC % (pid, doc), {"title": "x"}),
                ("DELETE", DOC % (pid, doc), None), ("GET", VERS % pid, None),
                ("POST", VERS % pid, {"name": "v9"}), ("GET", VER % (pid, vid), None),
                ("PATCH", VER % (pid, vid), {"name": "x"}), ("DELETE", VER % (pid, vid), None),
                ("GET", SPECS % (pid, vid), None), ("GET", SPEC % (pid, vid, sid), None),
                ("POST", SPECS % (pid, vid), {"name": "b.json", "content": b64("{}")}),
                ("PATCH", SPEC % (pid, vid, sid), {"name": "x.json"}),
                ("DELETE", SPEC % (pid, vid, sid), None)):
            self.not_found(self.k(method, path, body, token=other))
        self.ok(self.k("GET", PR % pid), 200, dict(mine, version_count=1))
        self.assertEqual(1, self.listing(DOCS % pid)["meta"]["page"]["total"])


# ============================================================================================
class Lists(KonnectTest):
    def make(self, n, **labels_of):
        return [self.product("p%03d" % i, **labels_of.get(str(i), {}))["id"] for i in range(n)]

    def test_pages_and_meta(self):
        ids = self.make(23)
        body = self.listing(P)
        self.assertEqual([{"number": 1, "size": 10, "total": 23}, ids[:10]],
                         [body["meta"]["page"], [p["id"] for p in body["data"]]])
        body = self.listing(P + "?page[size]=5&page[number]=5")
        self.assertEqual([{"number": 5, "size": 5, "total": 23}, ids[20:]],
                         [body["meta"]["page"], [p["id"] for p in body["data"]]])
        body = self.listing(P + "?page%5Bsize%5D=4&page%5Bnumber%5D=2")
        self.assertEqual([{"number": 2, "size": 4, "total": 23}, ids[4:8]],
                         [body["meta"]["page"], [p["id"] for p in body["data"]]])
        self.assertEqual({"data": [], "meta": {"page": {"number": 9, "size": 10, "total": 23}}},
                         self.listing(P + "?page[number]=9"))
        body = self.listing(P + "?page[size]=1000")  # capped, and the meta says so
        self.assertEqual(({"number": 1, "size": 100, "total": 23}, 23),
                         (body["meta"]["page"], len(body["data"])))

    def test_page_errors(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        for q, field, rule, reason in (
                ("page[size]=0", "page[size]", "min", "page size must be greater than or equal to 1"),
                ("page%5Bsize%5D=-3", "page[size]", "min",
                 "page size must be greater than or equal to 1"),
                ("page[number]=0", "page[number]", "min",
                 "page number must be greater than or equal to 1"),
                ("page[size]=ten", "page[size]", "is_integer", "page[size] must be an integer"),
                ("page%5Bnumber%5D=1.5", "page[number]", "is_integer",
                 "page[number] must be an integer")):
            r = self.k("GET", P + "?" + q)
            entry = {"field": field, "rule": rule, "reason": reason}
            if rule == "min":
                entry = {"field": field, "rule": rule, "minimum": 1, "reason": reason}
            self.invalid(r, entry)
            for path in (DOCS % pid, VERS % pid, SPECS % (pid, vid)):
                self.invalid(self.k("GET", path + "?" + q), entry)
            # A product the caller's org does not have is not found, before its parameters
            # are looked at: another org's product must answer exactly as a missing one.
            for path in (DOCS % NO_ID, VERS % NO_ID, SPECS % (NO_ID, NO_ID)):
                self.not_found(self.k("GET", path + "?" + q))

    def test_sort(self):
        for name in ("b", "c", "a", "B"):
            self.product(name)
        self.assertEqual(["b", "c", "a", "B"], self.names(P))
        self.assertEqual(["B", "a", "b", "c"], self.names(P + "?sort=name"))
        self.assertEqual(["c", "b", "a", "B"], self.names(P + "?sort=name%20desc"))
        self.assertEqual(["c", "b", "a", "B"], self.names(P + "?sort=name+desc,name"))
        self.assertEqual(["B", "a"], self.names(P + "?sort=name&page[size]=2"))
        # "-name" is descending too; later pages come from the name index's other end.
        self.assertEqual(["c", "b", "a", "B"], self.names(P + "?sort=-name"))
        self.assertEqual(["c"], self.names(P + "?sort=name&page[size]=3&page[number]=2"))
        self.assertEqual(["a", "B"], self.names(P + "?sort=-name&page[size]=2&page[number]=2"))
        self.assertEqual([], self.names(P + "?sort=-name&page[size]=2&page[number]=3"))
        body = self.listing(P + "?sort=-name&page[size]=3&page[number]=2")
        self.assertEqual((["B"], 4), ([p["name"] for p in body["data"]],
                                      body["meta"]["page"]["total"]))
        # A rename moves the product in name order.
        pid = [p["id"] for p in self.listing(P + "?filter[name][eq]=b")["data"]][0]
        self.expect(self.k("PATCH", P + "/" + pid, {"name": "zz"}), 200)
        self.assertEqual(["B", "a", "c", "zz"], self.names(P + "?sort=name"))
        self.assertEqual([], self.names(P + "?filter[name][eq]=b"))
        self.assertEqual(["zz"], self.names(P + "?filter[name][eq]=zz&sort=-name"))
        # The spec's InvalidSortQueryNameBadRequestExample.
        example = {"field": "sort", "rule": "enum", "choices": ["name"],
                   "reason": "\"sort\" field must contain any of: [name]"}
        for q in ("sort=created_at", "sort=name,bogus", "sort=version_count%20desc"):
            self.invalid(self.k("GET", P + "?" + q), example)
        self.invalid(self.k("GET", VERS % self.product()["id"] + "?sort=publish_status"), example)

    def test_filters(self):
        for name in ("Alpha", "alphabet", "Beta", "gamma"):
            self.product(name)
        cases = [("filter[name]=Beta", ["Beta"]), ("filter[name][eq]=Beta", ["Beta"]),
                 ("filter%5Bname%5D%5Beq%5D=Beta", ["Beta"]),
                 ("filter[name][oeq]=Beta,gamma", ["Beta", "gamma"]),
                 ("filter[name][neq]=Beta", ["Alpha", "alphabet", "gamma"]),
                 ("filter[name][contains]=ALPHA", ["Alpha", "alphabet"]),
                 ("filter[name][ocontains]=bet,mm", ["alphabet", "Beta", "gamma"]),
                 ("filter[name][contains]=a&filter[name][neq]=Alpha", ["alphabet", "Beta", "gamma"]),
                 ("filter[name]=nothing", [])]
        for q, want in cases:
            body = self.listing(P + "?" + q)
            self.assertEqual((want, len(want)), ([p["name"] for p in body["data"]],
                                                 body["meta"]["page"]["total"]), q)
        self.assertEqual(["gamma", "alphabet"],
                         self.names(P + "?filter[name][contains]=a&sort=name%20desc&page[size]=2"))

    def test_label_filters(self):
        self.product("one", labels={"env": "prod", "team": "a"}, public_labels={"tier": "gold"})
        self.product("two", labels={"env": "prod"}, public_labels={"tier": "free"})
        self.product("three", labels={"env": "dev", "team": "b"})
        for q, want in (("labels=env:prod", ["one", "two"]), ("labels=team", ["one", "three"]),
                        ("labels=env:prod,team", ["one"]), ("labels=env:prod,team:b", []),
                        ("labels=missing", []), ("public_labels=tier:free", ["two"]),
                        ("public_labels=tier&labels=team:a", ["one"]),
                        ("labels=env%3Adev", ["three"])):
            body = self.listing(P + "?" + q)
            self.assertEqual((want, len(want)), ([p["name"] for p in body["data"]],
                                                 body["meta"]["page"]["total"]), q)

    def test_version_filters(self):
        pid = self.product()["id"]
        gs = {"id": "09b4786a-3e48-4631-8f6b-62d1d8e1a7f3",
              "control_plane_id": "e4d9ebb1-26b4-426a-b00e-cb67044f3baf"}
        self.version(pid, "v1", publish_status="published", gateway_service=gs)
        self.version(pid, "v2")
        self.version(pid, "v10", publish_status="published")
        for q, want in (("", ["v1", "v2", "v10"]), ("?sort=name", ["v1", "v10", "v2"]),
                        ("?sort=name%20desc", ["v2", "v10", "v1"]),
                        ("?filter[publish_status]=published", ["v1", "v10"]),
                        ("?filter[publish_status][neq]=published", ["v2"]),
                        ("?filter[name][contains]=1", ["v1", "v10"]),
                        ("?filter[gateway_service_id]=" + gs["id"], ["v1"]),
                        ("?filter[gateway_service_id][eq]=" + gs["id"].upper(), []),
                        ("?filter[gateway_service_id][neq]=" + gs["id"], ["v2", "v10"]),
                        ("?filter[gateway_service_id][oeq]=%s,%s" % (NO_ID, gs["id"]), ["v1"]),
                        ("?page[size]=2&page[number]=2", ["v10"])):
            self.assertEqual(want, self.names(VERS % pid + q), q)
        body = self.listing(VERS % pid + "?page[size]=2")
        self.assertEqual({"number": 1, "size": 2, "total": 3}, body["meta"]["page"])


# ============================================================================================
class Documents(KonnectTest):
    def test_spec_example_create_get_list(self):
        pid = self.product()["id"]
        made = self.ok(self.k("POST", DOCS % pid, SPEC_DOC_CREATE), 201)
        self.assertEqual({"id": made["id"], "parent_document_id": None,
                          "title": "API Product Document", "slug": "api-product-document",
                          "status": "published",
                          "content": "# API Product Document Header\nAPI product document content",
                          "ast": SPEC_AST, "metadata": {}, "created_at": made["created_at"],
                          "updated_at": made["created_at"]}, made)
        self.ok(self.k("GET", DOC % (pid, made["id"])), 200, made)
        summary = {k: made[k] for k in ("id", "parent_document_id", "slug", "status", "title",
                                        "created_at", "updated_at")}
        self.ok(self.k("GET", DOCS % pid), 200,
                {"data": [summary], "meta": {"page": {"number": 1, "size": 10, "total": 1}}})
        full = dict(SPEC_DOC_CREATE, slug="with-parent", parent_document_id=made["id"],
                    metadata={"author": "John Doe"})
        child = self.ok(self.k("POST", DOCS % pid, full), 201)
        self.assertEqual((made["id"], {"author": "John Doe"}),
                         (child["parent_document_id"], child["metadata"]))

    def test_markdown_content_and_ast(self):
        pid = self.product()["id"]
        text = "# Title\n\nSome *em* and `code`.\n\n- one\n- two\n"
        made = self.document(pid, "md", content=text)
        self.assertEqual(text, made["content"])
        self.assertEqual(["heading", "paragraph", "list"], [n["type"] for n in made["ast"]])
        self.assertEqual({"type": "heading", "level": 1,
                          "children": [{"type": "text", "text": "Title"}]}, made["ast"][0])
        self.ok(self.k("GET", DOC % (pid, made["id"])), 200, made)
        upd = self.ok(self.k("PATCH", DOC % (pid, made["id"]),
                             {"content": SPEC_DOC_CONTENT_UPDATED}), 200)
        self.assertEqual(("# API Product Document Header\nAPI product document content updated",
                          "API product document content updated"),
                         (upd["content"], upd["ast"][1]["children"][0]["text"]))
        self.ok(self.k("GET", DOC % (pid, made["id"])), 200, upd)

    def test_patch_examples(self):
        pid = self.product()["id"]
        parent = self.document(pid, "parent")
        made = self.ok(self.k("POST", DOCS % pid, SPEC_DOC_CREATE), 201)
        attrs = {"parent_document_id": parent["id"], "slug": "api-product-document",
                 "status": "published", "title": "API Product Document",
                 "metadata": {"author": "Jane Doe"}}
        upd = self.ok(self.k("PATCH", DOC % (pid, made["id"]), attrs), 200)
        self.assertEqual(dict(made, parent_document_id=parent["id"],
                              metadata={"author": "Jane Doe"}, updated_at=upd["updated_at"]), upd)
        both = dict(attrs, content=SPEC_DOC_CONTENT_UPDATED, status="unpublished", title="T2")
        upd = self.ok(self.k("PATCH", DOC % (pid, made["id"]), both), 200)
        self.assertEqual(("unpublished", "T2"), (upd["status"], upd["title"]))
        self.ok(self.k("GET", DOC % (pid, made["id"])), 200, upd)

    def test_slug_and_field_rules(self):
        pid = self.product()["id"]
        # The spec's APIProductDocumentBadRequestExample.
        regex = {"field": "slug", "rule": "matches_regex",
                 "reason": "slug must match /^[\\w-]+$/ regular expression"}
        self.invalid(self.k("POST", DOCS % pid, {"slug": "a b", "title": "t",
                                                 "status": "published"}), regex)
        self.invalid(self.k("POST", DOCS % pid, {"slug": "x" * 81, "title": "t",
                                                 "status": "published"}),
                     {"field": "slug", "rule": "max_length", "maximum": 80,
                      "reason": "slug must be shorter than or equal to 80 characters"})
        self.assertEqual("x_-9" * 20, self.document(pid, "x_-9" * 20)["slug"])
        self.invalid(self.k("POST", DOCS % pid, {}),
                     {"field": "slug", "rule": "required", "reason": "is a required field"},
                     {"field": "status", "rule": "required", "reason": "is a required field"},
                     {"field": "title", "rule": "required", "reason": "is a required field"})
        self.invalid(self.k("POST", DOCS % pid, {"slug": "s", "title": "", "status": "draft"}),
                     {"field": "status", "rule": "enum", "choices": ["published", "unpublished"],
                      "reason": "status must be one of the following values: published, "
                                "unpublished"},
                     {"field": "title", "rule": "min_length", "minimum": 1,
                      "reason": "title must be longer than or equal to 1 characters"})
        for body, field, rule, reason in (
                ({"metadata": 3}, "metadata", "is_object", "metadata must be an object"),
                ({"content": 3}, "content", "is_string", "content must be a string"),
                ({"api_product_id": NO_ID}, "api_product_id", "unknown_property",
                 "api_product_id is an unknown property"),
                ({"ast": []}, "ast", "unknown_property", "ast is an unknown property")):
            self.invalid(self.k("POST", DOCS % pid, dict({"slug": "s", "title": "t",
                                                          "status": "published"}, **body)),
                         {"field": field, "rule": rule, "reason": reason})
        doc = self.document(pid, "ok")["id"]
        self.invalid(self.k("PATCH", DOC % (pid, doc), {"slug": "no/slash"}), regex)
        self.invalid(self.k("PATCH", DOC % (pid, doc), {"id": doc}),
                     {"field": "id", "rule": "unknown_property", "reason": "id is an unknown property"})
        self.invalid(self.k("PATCH", DOC % (pid, doc), {"parent_document_id": "nope"}),
                     {"field": "parent_document_id", "rule": "is_uuid",
                      "reason": "parent_document_id must be a UUID"})

    def test_slug_unique_per_product(self):
        pid, other = self.product()["id"], self.product()["id"]
        first = self.document(pid, "same")
        conflict = "Document slug 'same' already exists for this API product"
        self.problem(self.k("POST", DOCS % pid, {"slug": "same", "title": "t",
                                                 "status": "published"}), 409, conflict)
        self.document(other, "same")  # another product may use it
        second = self.document(pid, "second")
        self.problem(self.k("PATCH", DOC % (pid, second["id"]), {"slug": "same"}), 409, conflict)
        self.ok(self.k("GET", DOC % (pid, first["id"])), 200, first)
        self.ok(self.k("GET", DOC % (pid, second["id"])), 200, second)
        self.ok(self.k("DELETE", DOC % (pid, first["id"])), 204)
        self.document(pid, "same")  # free again once deleted

    def tree(self, pid, query=""):
        r = self.k("GET", DOCS % pid + query, headers={"Accept": TREE})
        self.expect(r, 200)
        self.assertEqual(TREE, r.headers.get("content-type"), "the tree answers in its own type")
        return r.body

    @staticmethod
    def shape(nodes):
        return [(n["slug"], Documents.shape(n["children"])) for n in nodes]

    def test_tree_and_moves(self):
        pid = self.product()["id"]
        a = self.document(pid, "a")
        b = self.document(pid, "b")
        a1 = self.document(pid, "a1", parent=a["id"])
        a2 = self.document(pid, "a2", parent=a["id"])
        a1x = self.document(pid, "a1x", parent=a1["id"])
        self.assertEqual([("a", [("a1", [("a1x", [])]), ("a2", [])]), ("b", [])],
                         self.shape(self.tree(pid)["data"]))
        node = self.tree(pid)["data"][0]["children"][0]["children"][0]
        self.assertEqual({"id": a1x["id"], "parent_document_id": a1["id"], "title": "A1X",
                          "slug": "a1x", "metadata": {}, "status": "published", "children": [],
                          "created_at": a1x["created_at"], "updated_at": a1x["updated_at"]}, node)
        # Moving under a new parent puts the document last among its new siblings.
        self.ok(self.k("PATCH", DOC % (pid, a1["id"]), {"parent_document_id": b["id"]}), 200)
        self.assertEqual([("a", [("a2", [])]), ("b", [("a1", [("a1x", [])])])],
                         self.shape(self.tree(pid)["data"]))
        # parent_document_id null: top level, at the bottom.
        upd = self.ok(self.k("PATCH", DOC % (pid, a["id"]), {"parent_document_id": None}), 200)
        self.assertEqual(None, upd["parent_document_id"])
        self.assertEqual([("b", [("a1", [("a1x", [])])]), ("a", [("a2", [])])],
                         self.shape(self.tree(pid)["data"]))
        self.ok(self.k("PATCH", DOC % (pid, a2["id"]), {"parent_document_id": None}), 200)
        body = self.tree(pid, "?page[size]=2&page[number]=2")
        self.assertEqual(([("a2", [])], {"number": 2, "size": 2, "total": 3}),
                         (self.shape(body["data"]), body["meta"]["page"]))
        flat = self.listing(DOCS % pid)
        self.assertEqual((5, {a1["id"]: b["id"], a1x["id"]: a1["id"]}),
                         (flat["meta"]["page"]["total"],
                          {d["id"]: d["parent_document_id"] for d in flat["data"]
                           if d["id"] in (a1["id"], a1x["id"])}))

    def test_parent_must_exist_and_no_cycles(self):
        pid, other = self.product()["id"], self.product()["id"]
        a = self.document(pid, "a")
        b = self.document(pid, "b", parent=a["id"])
        elsewhere = self.document(other, "x")
        missing = {"field": "parent_document_id", "rule": "missing_reference",
                   "reason": "parent_document_id must reference a document of this API product"}
        for parent in (NO_ID, elsewhere["id"]):
            self.invalid(self.k("POST", DOCS % pid, {"slug": "c", "title": "C",
                                                     "status": "published",
                                                     "parent_document_id": parent}), missing)
            self.invalid(self.k("PATCH", DOC % (pid, b["id"]), {"parent_document_id": parent}),
                         missing)
        cycle = {"field": "parent_document_id", "rule": "invalid",
                 "reason": "a document cannot be placed under itself or its own descendants"}
        self.invalid(self.k("PATCH", DOC % (pid, a["id"]), {"parent_document_id": b["id"]}), cycle)
        self.invalid(self.k("PATCH", DOC % (pid, a["id"]), {"parent_document_id": a["id"]}), cycle)
        self.assertEqual([("a", [("b", [])])], self.shape(self.tree(pid)["data"]))

    def test_delete_takes_the_subtree(self):
        pid = self.product()["id"]
        a = self.document(pid, "a")
        a1 = self.document(pid, "a1", parent=a["id"])
        a1x = self.document(pid, "a1x", parent=a1["id"])
        keep = self.document(pid, "keep")
        self.ok(self.k("DELETE", DOC % (pid, a["id"])), 204)
        for d in (a, a1, a1x):
            self.not_found(self.k("GET", DOC % (pid, d["id"])))
            self.not_found(self.k("DELETE", DOC % (pid, d["id"])))
        self.assertEqual([keep["id"]], [d["id"] for d in self.listing(DOCS % pid)["data"]])
        self.assertEqual([("keep", [])], self.shape(self.tree(pid)["data"]))
        self.document(pid, "a1")  # the slugs went with them

    def test_accept_header_variants(self):
        pid = self.product()["id"]
        self.document(pid, "a")
        for accept in (TREE, "application/json, " + TREE, TREE.upper() + "; q=0.9"):
            r = self.k("GET", DOCS % pid, headers={"Accept": accept})
            self.expect(r, 200)
            self.assertEqual(TREE, r.headers.get("content-type"), accept)
            self.assertIn("children", r.body["data"][0], accept)
        for accept in ("application/json", "*/*", TREE + ";q=0", "application/vnd.konnect.x+json"):
            r = self.k("GET", DOCS % pid, headers={"Accept": accept})
            self.assertNotIn("children", self.ok(r, 200)["data"][0], accept)


# ============================================================================================
class Versions(KonnectTest):
    def test_examples_create_get_patch(self):
        pid = self.product()["id"]
        minimal = self.ok(self.k("POST", VERS % pid, {"name": "v1"}), 201)
        self.assertEqual({"id": minimal["id"], "name": "v1", "gateway_service": None,
                          "publish_status": "unpublished", "deprecated": False, "labels": {},
                          "portals": [], "created_at": minimal["created_at"],
                          "updated_at": minimal["created_at"]}, minimal)
        linked = self.ok(self.k("POST", VERS % pid, dict(SPEC_LINKED_VERSION, name="v2")), 201)
        self.assertEqual(SPEC_GATEWAY_SERVICE, linked["gateway_service"])
        self.ok(self.k("GET", VER % (pid, linked["id"])), 200, linked)
        legacy = {"id": SPEC_GATEWAY_SERVICE["id"],
                  "runtime_group_id": SPEC_GATEWAY_SERVICE["control_plane_id"]}
        made = self.version(pid, "v3", gateway_service=legacy, labels={"env": "test"},
                            deprecated=True, publish_status="published")
        self.assertEqual((SPEC_GATEWAY_SERVICE, {"env": "test"}, True, "published"),
                         (made["gateway_service"], made["labels"], made["deprecated"],
                          made["publish_status"]))
        vid = minimal["id"]
        # LinkAPIProductVersionRequestExample, UnlinkAPIProductVersionRequestExample,
        # DeprecateAPIProductVersionRequestExample.
        link = {"gateway_service": {"control_plane_id": SPEC_GATEWAY_SERVICE["control_plane_id"],
                                    "id": SPEC_GATEWAY_SERVICE["id"]}}
        upd = self.ok(self.k("PATCH", VER % (pid, vid), link), 200)
        self.assertEqual(SPEC_GATEWAY_SERVICE, upd["gateway_service"])
        upd = self.ok(self.k("PATCH", VER % (pid, vid), {"gateway_service": None}), 200)
        self.assertEqual(None, upd["gateway_service"])
        upd = self.ok(self.k("PATCH", VER % (pid, vid), {"deprecated": True, "notify": True}), 200)
        self.assertEqual(dict(minimal, deprecated=True, updated_at=upd["updated_at"]), upd)
        self.ok(self.k("GET", VER % (pid, vid)), 200, upd)
        upd = self.ok(self.k("PATCH", VER % (pid, vid), {"labels": {"a": "b"}, "name": "v1.1",
                                                          "publish_status": "published"}), 200)
        upd = self.ok(self.k("PATCH", VER % (pid, vid), {"labels": {"a": None, "c": "d"}}), 200)
        self.assertEqual(({"c": "d"}, "v1.1", "published"),
                         (upd["labels"], upd["name"], upd["publish_status"]))
        self.ok(self.k("GET", VER % (pid, vid)), 200, upd)

    def test_rules(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        enum = {"field": "publish_status", "rule": "enum", "choices": ["unpublished", "published"],
                "reason": "publish_status must be one of the following values: unpublished, "
                          "published"}
        self.invalid(self.k("POST", VERS % pid, {"name": "v", "publish_status": "live"}), enum)
        self.invalid(self.k("PATCH", VER % (pid, vid), {"publish_status": "live"}), enum)
        self.invalid(self.k("POST", VERS % pid, {"name": ""}),
                     {"field": "name", "rule": "min_length", "minimum": 1,
                      "reason": "name must be longer than or equal to 1 characters"})
        self.invalid(self.k("POST", VERS % pid, {}),
                     {"field": "name", "rule": "required", "reason": "is a required field"})
        self.invalid(self.k("POST", VERS % pid, {"name": "v", "deprecated": "yes"}),
                     {"field": "deprecated", "rule": "is_boolean",
                      "reason": "deprecated must be a boolean"})
        self.invalid(self.k("PATCH", VER % (pid, vid), {"notify": "yes"}),
                     {"field": "notify", "rule": "is_boolean", "reason": "notify must be a boolean"})
        self.invalid(self.k("POST", VERS % pid, {"name": "v", "notify": True}),
                     {"field": "notify", "rule": "unknown_property",
                      "reason": "notify is an unknown property"})
        self.invalid(self.k("POST", VERS % pid, {"name": "v", "gateway_service": {"id": "x"}}),
                     {"field": "gateway_service.id", "rule": "is_uuid",
                      "reason": "gateway_service.id must be a UUID"},
                     {"field": "gateway_service.control_plane_id", "rule": "required",
                      "reason": "is a required field"})
        self.invalid(self.k("PATCH", VER % (pid, vid), {"api_product_id": NO_ID}),
                     {"field": "api_product_id", "rule": "unknown_property",
                      "reason": "api_product_id is an unknown property"})
        self.invalid(self.k("POST", VERS % pid, {"name": "v", "labels": {"kic": "x"}}),
                     {"field": "labels.kic", "rule": "is_label",
                      "reason": "keys must be 1-63 characters and must not start with \"kong\", "
                                "\"konnect\", \"mesh\", \"kic\" or \"_\""})
        self.assertEqual(["v1"], self.names(VERS % pid))

    def test_delete_takes_the_specification(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        sid = self.spec(pid, vid)["id"]
        self.ok(self.k("DELETE", VER % (pid, vid)), 204)
        self.not_found(self.k("GET", VER % (pid, vid)))
        self.not_found(self.k("GET", SPEC % (pid, vid, sid)))
        self.not_found(self.k("GET", SPECS % (pid, vid)))
        self.not_found(self.k("DELETE", VER % (pid, vid)))


# ============================================================================================
class Specifications(KonnectTest):
    def test_examples(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        made = self.ok(self.k("POST", SPECS % (pid, vid),
                              {"name": "oas.yaml", "content": SPEC_SPEC_CONTENT}), 201)
        self.assertEqual({"id": made["id"], "name": "oas.yaml",
                          "content": "My YAML or JSON formatted OAS content",
                          "created_at": made["created_at"], "updated_at": made["created_at"]},
                         made)
        self.ok(self.k("GET", SPEC % (pid, vid, made["id"])), 200, made)
        self.ok(self.k("GET", SPECS % (pid, vid)), 200,
                {"data": [made], "meta": {"page": {"number": 1, "size": 10, "total": 1}}})
        # UpdateAPIProductVersionSpec{Name,Content,}RequestExample.
        doc = json.dumps({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}})
        upd = self.ok(self.k("PATCH", SPEC % (pid, vid, made["id"]), {"name": "oas.json"}), 200)
        self.assertEqual(dict(made, name="oas.json", updated_at=upd["updated_at"]), upd)
        upd = self.ok(self.k("PATCH", SPEC % (pid, vid, made["id"]), {"content": b64(doc)}), 200)
        self.assertEqual((doc, "oas.json"), (upd["content"], upd["name"]))
        upd = self.ok(self.k("PATCH", SPEC % (pid, vid, made["id"]),
                             {"name": "oas.yaml", "content": SPEC_SPEC_CONTENT}), 200)
        self.assertEqual(dict(made, updated_at=upd["updated_at"]), upd)
        self.ok(self.k("GET", SPEC % (pid, vid, made["id"])), 200, upd)
        self.ok(self.k("DELETE", SPEC % (pid, vid, made["id"])), 204)
        self.not_found(self.k("GET", SPEC % (pid, vid, made["id"])))
        self.assertEqual([], self.listing(SPECS % (pid, vid))["data"])

    def test_one_per_version(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        first = self.spec(pid, vid)
        r = self.k("POST", SPECS % (pid, vid), {"name": "b.json", "content": b64("{}")})
        self.problem(r, 409, "Specification for API product version '%s' already exists" % vid)
        self.ok(self.k("GET", SPECS % (pid, vid)), 200,
                {"data": [first], "meta": {"page": {"number": 1, "size": 10, "total": 1}}})
        self.spec(pid, self.version(pid, "v2")["id"])  # other versions are free
        self.ok(self.k("DELETE", SPEC % (pid, vid, first["id"])), 204)
        self.spec(pid, vid, "again.yml")

    def test_content_and_name_rules(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        base64_rule = {"field": "content", "rule": "is_base64",
                       "reason": "content must be base64 encoded"}
        for content in ("not base64!", "YWJj=", "YW Jj"):
            self.invalid(self.k("POST", SPECS % (pid, vid), {"name": "a.yaml",
                                                             "content": content}), base64_rule)
        # The spec's APIProductVersionSpecContentBadRequestExample.
        self.invalid(self.k("POST", SPECS % (pid, vid), {"name": "a.yaml", "content": ""}),
                     {"field": "content", "rule": "min_length", "minimum": 1,
                      "reason": "content must be longer than or equal to 1 characters"})
        self.invalid(self.k("POST", SPECS % (pid, vid), {"name": "a.yaml",
                                                         "content": b64("{: [")}),
                     {"field": "content", "rule": "invalid",
                      "reason": "content must be a JSON or YAML document"})
        regex = {"field": "name", "rule": "matches_regex",
                 "reason": "name must match /^.+(?:\\.yaml|\\.yml|\\.json)$/ regular expression"}
        for name in ("oas.txt", ".yaml", "a.yaml\nb"):
            self.invalid(self.k("POST", SPECS % (pid, vid), {"name": name, "content": b64("{}")}),
                         regex)
        self.invalid(self.k("POST", SPECS % (pid, vid),
                            {"name": "x" * 252 + ".yaml", "content": b64("{}")}),
                     {"field": "name", "rule": "max_length", "maximum": 255,
                      "reason": "name must be shorter than or equal to 255 characters"})
        self.invalid(self.k("POST", SPECS % (pid, vid), {}),
                     {"field": "name", "rule": "required", "reason": "is a required field"},
                     {"field": "content", "rule": "required", "reason": "is a required field"})
        made = self.spec(pid, vid)
        self.invalid(self.k("PATCH", SPEC % (pid, vid, made["id"]), {"content": "%%%"}),
                     base64_rule)
        self.invalid(self.k("PATCH", SPEC % (pid, vid, made["id"]),
                            {"api_product_version_id": vid}),
                     {"field": "api_product_version_id", "rule": "unknown_property",
                      "reason": "api_product_version_id is an unknown property"})
        self.ok(self.k("GET", SPEC % (pid, vid, made["id"])), 200, made)

    def test_wrong_version_or_product(self):
        pid = self.product()["id"]
        vid = self.version(pid)["id"]
        sid = self.spec(pid, vid)["id"]
        other_vid = self.version(pid, "v2")["id"]
        other_pid = self.product()["id"]
        self.not_found(self.k("GET", SPEC % (pid, other_vid, sid)))
        self.not_found(self.k("GET", SPEC % (other_pid, vid, sid)))
        self.not_found(self.k("POST", SPECS % (other_pid, vid),
                              {"name": "a.yaml", "content": b64("{}")}))
        self.not_found(self.k("GET", VER % (other_pid, vid)))


# ============================================================================================
class Cascade(KonnectTest):
    def test_product_delete_takes_everything(self):
        pid = self.product("doomed")["id"]
        keep = self.product("kept")
        docs = [self.document(pid, "d%d" % i)["id"] for i in range(3)]
        child = self.document(pid, "child", parent=docs[0])["id"]
        vids = [self.version(pid, "v%d" % i)["id"] for i in range(2)]
        sids = [self.spec(pid, v)["id"] for v in vids]
        self.ok(self.k("DELETE", PR % pid), 204)
        self.not_found(self.k("GET", DOCS % pid))
        self.not_found(self.k("GET", VERS % pid))
        for d in docs + [child]:
            self.not_found(self.k("GET", DOC % (pid, d)))
        for v, s in zip(vids, sids):
            self.not_found(self.k("GET", VER % (pid, v)))
            self.not_found(self.k("GET", SPECS % (pid, v)))
            self.not_found(self.k("GET", SPEC % (pid, v, s)))
        self.not_found(self.k("POST", DOCS % pid, {"slug": "x", "title": "x",
                                                   "status": "published"}))
        self.not_found(self.k("POST", VERS % pid, {"name": "v"}))
        self.ok(self.k("GET", P), 200, {"data": [keep],
                                        "meta": {"page": {"number": 1, "size": 10, "total": 1}}})


# ============================================================================================
class Http(KonnectTest):
    def test_unsupported_media_type(self):
        pid = self.product()["id"]
        for method, path in (("POST", P), ("PATCH", PR % pid), ("POST", DOCS % pid)):
            for headers in ({"Content-Type": "text/plain"},
                            {"Content-Type": "application/x-www-form-urlencoded"},
                            {"Content-Type": "application/jsonx"}):
                r = self.k(method, path, raw=b'{"name":"x"}', headers=headers)
                self.problem(r, 415, MEDIA_DETAIL)
        for ct in ("application/json; charset=utf-8", "Application/JSON",
                   "application/merge-patch+json"):
            r = self.k("PATCH", PR % pid, raw=b'{"name":"ct"}', headers={"Content-Type": ct})
            self.assertEqual("ct", self.ok(r, 200)["name"], ct)
        # A body without any Content-Type is not JSON either; no body at all is "{}".
        conn = self.s.connection()
        conn.putrequest("POST", P)
        conn.putheader("Authorization", "Bearer " + self.token())
        conn.putheader("Content-Length", "12")
        conn.endheaders(b'{"name":"x"}')
        r = conn.getresponse()
        self.assertEqual((415, MEDIA_DETAIL), (r.status, json.loads(r.read())["detail"]))
        conn.close()
        self.invalid(self.k("POST", P, raw=b""),
                     {"field": "name", "rule": "required", "reason": "is a required field"})
        self.assertEqual(["ct"], [p["name"] for p in self.listing(P)["data"]])

    def test_ktrlplane_still_takes_any_content_type(self):
        r = self.req("POST", "/api/v1/projects/%s/resources" % uniq("p"),
                     raw=json.dumps({"id": "r1", "name": "n", "type": "Konnektr.Graph"}).encode(),
                     headers={"Content-Type": "text/plain"}, token=self.admin)
        self.expect(r, 201)

    def test_trace_follows_request_id(self):
        r = self.k("GET", PR % NO_ID, headers={"X-Request-Id": "support-case-42"})
        self.assertEqual("support-case-42", r.headers["x-request-id"])
        self.assertEqual("kong:trace:%d" % trace_of("support-case-42"), r.body["instance"])
        self.not_found(r)
        again = self.k("GET", PR % NO_ID, headers={"X-Request-Id": "support-case-42"})
        self.assertEqual(r.body, again.body)

    def test_methods(self):
        pid = self.product()["id"]
        r = self.k("PUT", PR % pid, {"name": "x"})
        self.problem(r, 405, "Method Not Allowed")
        self.assertEqual("GET, HEAD, PATCH, DELETE", r.headers.get("allow"))
        r = self.k("DELETE", P)
        self.problem(r, 405, "Method Not Allowed")
        self.assertEqual("GET, HEAD, POST", r.headers.get("allow"))
        r = self.k("HEAD", PR % pid)
        self.assertEqual((200, b""), (r.status, r.raw))

    def test_unknown_paths_under_the_surface(self):
        pid = self.product()["id"]
        for path in (PR % pid + "/bogus", DOC % (pid, NO_ID) + "/x", P + "/", P + "/a/b/c/d/e"):
            r = self.k("GET", path)
            if path == P + "/":
                self.ok(r, 200)  # a trailing slash is insignificant
                continue
            self.not_found(r)
        r = self.k("GET", "/v2/api-productsX")
        self.expect(r, 404)
        self.assertEqual("application/json", r.headers.get("content-type"))

    def test_bad_path_parameters(self):
        pid = self.product()["id"]
        r = self.k("GET", "/v2/api-products/a%2Fb")
        self.invalid(r, {"field": "id", "rule": "invalid", "reason": "must not contain '/'"})
        r = self.k("GET", "/v2/api-products/%s/documents/%%00" % pid)
        self.invalid(r, {"field": "id", "rule": "invalid", "reason": "must not contain NUL"})
        self.not_found(self.k("GET", "/v2/api-products/" + "a" * 10000))

    def test_body_limit(self):
        r = self.k("POST", P, raw=b'{"name":"' + b"x" * (1024 * 1024) + b'"}')
        self.problem(r, 413, "Request body too large")


if __name__ == "__main__":
    harness.main()
