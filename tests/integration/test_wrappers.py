"""Wrapper/resource API (seed 003 + CONTRACTS.md), black box over HTTP, in FastAPI's
dialect: every success body and every documented error body is asserted whole."""

import json
import re
import secrets
import signal
import unittest

import harness
from harness import HangarTest

OID_RE = re.compile(r"^[0-9a-f]{24}$")
ABSENT = "507f1f77bcf86cd799439011"  # a well-formed ObjectId no one created
RESOURCE_KEYS = ["id", "wrapper_id", "name", "type", "startPeriod", "endPeriod"]


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def detail(text):
    return {"detail": text}


def entry(loc, msg, type_, ctx=None):
    e = {"loc": loc, "msg": msg, "type": type_}
    if ctx is not None:
        e["ctx"] = ctx
    return e


def invalid(*entries):
    return {"detail": list(entries)}


def missing(*fields):
    return invalid(*[entry(["body", f], "field required", "value_error.missing")
                     for f in fields])


NO_BODY = invalid(entry(["body"], "field required", "value_error.missing"))
NOT_A_DICT = invalid(entry(["body"], "value is not a valid dict", "type_error.dict"))


def ours(loc, msg):
    """Text Python reads but our parser refuses, in our words."""
    return invalid(entry(["body"] + loc, msg, "value_error.jsondecode"))


def bad_objectid():
    return invalid(entry(["path", "id"], "Invalid objectid", "value_error"))


def jsondecode(raw):
    """What FastAPI (pydantic v1) answers for a body Python's json module cannot read."""
    try:
        json.loads(raw)
    except json.JSONDecodeError as e:
        return invalid(entry(["body", e.pos], str(e), "value_error.jsondecode",
                             {"msg": e.msg, "doc": e.doc, "pos": e.pos, "lineno": e.lineno,
                              "colno": e.colno}))
    raise AssertionError("Python reads %r" % (raw,))


class WrapperBase(HangarTest):
    def setUp(self):
        super().setUp()
        self.editor = self.token("editor")
        self.viewer = self.token("viewer")

    def token(self, role, scope="wrappers"):
        """A fresh apikey token with `role` on `scope`."""
        subject = "svc-%s-%s" % (role, secrets.token_hex(3))
        return self.s.mint_token("apikey", subject, [(scope, role)])["token"]

    def call(self, method, path, body=None, raw=None, token=..., headers=None):
        return self.req(method, path, body=body, raw=raw, headers=headers,
                        token=self.editor if token is ... else token)

    def every(self, path):
        """Every item of a list endpoint, page by page (limit 50)."""
        items = []
        while True:
            r = self.call("GET", "%s?skip=%d&limit=50" % (path, len(items)))
            self.expect(r, 200)
            items += r.body
            if len(r.body) < 50:
                return items

    def wrapper(self, name=None, description=None):
        body = {"name": name or ("w-" + secrets.token_hex(3))}
        if description is not None:
            body["description"] = description
        r = self.call("POST", "/wrappers", body)
        self.expect(r, 200)
        return r.body

    def resource(self, wrapper_id, name=None, type_="database"):
        r = self.call("POST", "/resources", {"wrapper_id": wrapper_id,
                                             "name": name or ("r-" + secrets.token_hex(3)),
                                             "type": type_})
        self.expect(r, 200)
        return r.body


# ============================================================================================
class Resources(WrapperBase):
    def test_seed_create_example(self):
        w = self.wrapper()
        r = self.call("POST", "/resources", {"wrapper_id": w["id"], "name": "Production Database",
                                             "type": "database"})
        self.expect(r, 200)
        self.expect_json_ct(r)
        self.assertEqual(RESOURCE_KEYS, list(r.body), "the seed's keys, in its order")
        self.assertRegex(r.body["id"], OID_RE)
        self.assertEqual({"id": r.body["id"], "wrapper_id": w["id"], "name": "Production Database",
                          "type": "database", "startPeriod": None, "endPeriod": None}, r.body)
        g = self.call("GET", "/resources/" + r.body["id"])
        self.expect(g, 200, r.body)

    def test_trailing_slash_served_directly(self):
        w = self.wrapper()
        r = self.call("POST", "/resources/", {"wrapper_id": w["id"], "name": "slash",
                                              "type": "t"})
        self.expect(r, 200)
        self.assertNotIn("location", r.headers)
        self.expect(self.call("GET", "/resources/?wrapper_id=" + w["id"]), 200, [r.body])
        self.expect(self.call("GET", "/wrappers/%s/" % w["id"]), 200, w)

    def test_unknown_wrapper_is_400(self):
        r = self.call("POST", "/resources", {"wrapper_id": "wrapper_123", "name": "x",
                                             "type": "y"})
        self.expect(r, 400, detail("Wrapper with ID 'wrapper_123' does not exist"))
        r = self.call("POST", "/resources", {"wrapper_id": ABSENT, "name": "x", "type": "y"})
        self.expect(r, 400, detail("Wrapper with ID '%s' does not exist" % ABSENT))

    def test_duplicate_is_400(self):
        w, other = self.wrapper(), self.wrapper()
        self.resource(w["id"], "db")
        r = self.call("POST", "/resources", {"wrapper_id": w["id"], "name": "db", "type": "x"})
        self.expect(r, 400, detail("Resource with this identifier already exists"))
        self.resource(other["id"], "db")  # unique within a wrapper only

    def test_get_unknown_and_malformed(self):
        self.expect(self.call("GET", "/resources/" + ABSENT), 404, detail("Resource not found"))
        for path in ("/resources/abc", "/resources/" + ABSENT + "0", "/resources/zz" + ABSENT[2:]):
            for method in ("GET", "PATCH", "DELETE"):
                body = {} if method == "PATCH" else None
                self.expect(self.call(method, path, body), 422, bad_objectid(), msg=method)
        self.expect(self.call("GET", "/resources/a%2Fb"), 422,
                    invalid(entry(["path", "id"], "must not contain '/'", "value_error")))

    def test_uppercase_objectid_is_the_same_id(self):
        r = self.resource(self.wrapper()["id"])
        self.expect(self.call("GET", "/resources/" + r["id"].upper()), 200, r)

    def test_delete(self):
        r = self.resource(self.wrapper()["id"])
        path = "/resources/" + r["id"]
        self.expect(self.call("DELETE", path), 200, {"id": r["id"], "deleted": True})
        self.expect(self.call("GET", path), 404, detail("Resource not found"))
        self.expect(self.call("DELETE", path), 404, detail("Resource not found"))

    def test_patch_periods(self):
        r = self.resource(self.wrapper()["id"])
        path = "/resources/" + r["id"]
        p = self.call("PATCH", path, {"startPeriod": "2025-01-15T16:20:00+02:00"})
        self.expect(p, 200, dict(r, startPeriod="2025-01-15T14:20:00.000Z"))
        p = self.call("PATCH", path, {"endPeriod": "2025-01-16T00:00:00Z"})
        want = dict(r, startPeriod="2025-01-15T14:20:00.000Z", endPeriod="2025-01-16T00:00:00.000Z")
        self.expect(p, 200, want)
        self.expect(self.call("GET", path), 200, want)
        self.expect(self.call("PATCH", path, {"endPeriod": "2025-01-15T14:19:59Z"}), 422,
                    invalid(entry(["body", "endPeriod"], "endPeriod must not be before startPeriod",
                                  "value_error")))
        self.expect(self.call("PATCH", path, {"startPeriod": "2025-01-16T00:00:01Z"}), 422,
                    invalid(entry(["body", "endPeriod"], "endPeriod must not be before startPeriod",
                                  "value_error")))
        self.expect(self.call("PATCH", path, {"startPeriod": "yesterday", "endPeriod": "soon"}),
                    422, invalid(entry(["body", "startPeriod"], "invalid datetime format",
                                       "value_error.datetime"),
                                 entry(["body", "endPeriod"], "invalid datetime format",
                                       "value_error.datetime")))
        self.expect(self.call("GET", path), 200, want)  # nothing changed
        self.expect(self.call("PATCH", path, {"startPeriod": None}), 200,
                    dict(want, startPeriod=None))
        self.expect(self.call("PATCH", "/resources/" + ABSENT, {"endPeriod": None}), 404,
                    detail("Resource not found"))

    def test_patch_periods_must_be_real_rfc3339_times(self):
        r = self.resource(self.wrapper()["id"])
        path = "/resources/" + r["id"]
        for text in ["2025-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2025-04-31T10:00:00Z",
                     " 2025-01-15T10:00:00Z", "2025-01-15T1:2:3Z", "2025-1-5T10:00:00Z"]:
            self.expect(self.call("PATCH", path, {"startPeriod": text}), 422,
                        invalid(entry(["body", "startPeriod"], "invalid datetime format",
                                      "value_error.datetime")))
        self.expect(self.call("GET", path), 200, r)  # nothing changed
        self.expect(self.call("PATCH", path, {"startPeriod": "2024-02-29T00:00:00Z"}), 200,
                    dict(r, startPeriod="2024-02-29T00:00:00.000Z"))

    def test_patch_lists_path_and_body_problems_together(self):
        self.expect(self.call("PATCH", "/resources/abc",
                              {"name": None, "endPeriod": "2025-02-30T00:00:00Z"}), 422,
                    invalid(entry(["path", "id"], "Invalid objectid", "value_error"),
                            entry(["body", "name"], "none is not an allowed value",
                                  "type_error.none.not_allowed"),
                            entry(["body", "endPeriod"], "invalid datetime format",
                                  "value_error.datetime")))

    def test_patch_body_cannot_name_the_path_id(self):
        w = self.wrapper()
        other = self.resource(w["id"], "other")
        r = self.resource(w["id"], "mine")
        path = "/resources/" + r["id"]
        for value in [other["id"], "zz", None]:
            self.expect(self.call("PATCH", path, {"id": value, "name": "renamed"}), 422,
                        invalid(entry(["body", "id"], "extra fields not permitted",
                                      "value_error.extra")))
        self.expect(self.call("GET", path), 200, r)
        self.expect(self.call("GET", "/resources/" + other["id"]), 200, other)

    def test_patch_name_and_type(self):
        w = self.wrapper()
        self.resource(w["id"], "taken")
        r = self.resource(w["id"], "mine")
        path = "/resources/" + r["id"]
        self.expect(self.call("PATCH", path, {"name": "renamed", "type": "cache"}), 200,
                    dict(r, name="renamed", type="cache"))
        self.expect(self.call("PATCH", path, {"name": "taken"}), 400,
                    detail("Resource with this identifier already exists"))
        self.expect(self.call("PATCH", path, {"name": None}), 422,
                    invalid(entry(["body", "name"], "none is not an allowed value",
                                  "type_error.none.not_allowed")))
        self.expect(self.call("PATCH", path, {"colour": "red"}), 422,
                    invalid(entry(["body", "colour"], "extra fields not permitted",
                                  "value_error.extra")))


# ============================================================================================
class Wrappers(WrapperBase):
    def test_crud(self):
        w = self.wrapper("first", "about it")
        self.assertEqual(["id", "name", "description", "created_at"], list(w))
        self.assertRegex(w["id"], OID_RE)
        self.assertEqual({"id": w["id"], "name": "first", "description": "about it",
                          "created_at": w["created_at"]}, w)
        self.expect_ts(w["created_at"])
        bare = self.wrapper("second")
        self.assertIsNone(bare["description"])
        self.expect(self.call("GET", "/wrappers/" + w["id"]), 200, w)
        self.expect(self.call("DELETE", "/wrappers/" + w["id"]), 200,
                    {"id": w["id"], "deleted": True})
        self.expect(self.call("GET", "/wrappers/" + w["id"]), 404, detail("Wrapper not found"))
        self.expect(self.call("DELETE", "/wrappers/" + w["id"]), 404, detail("Wrapper not found"))
        self.expect(self.call("GET", "/wrappers/nope"), 422, bad_objectid())
        self.expect(self.call("DELETE", "/wrappers/nope"), 422, bad_objectid())

    def test_wrapper_with_resources_cannot_be_deleted(self):
        w = self.wrapper()
        r = self.resource(w["id"])
        self.expect(self.call("DELETE", "/wrappers/" + w["id"]), 400,
                    detail("Wrapper with ID '%s' has resources and cannot be deleted" % w["id"]))
        self.expect(self.call("GET", "/resources/" + r["id"]), 200, r)
        self.expect(self.call("DELETE", "/resources/" + r["id"]), 200)
        self.expect(self.call("DELETE", "/wrappers/" + w["id"]), 200,
                    {"id": w["id"], "deleted": True})

    def test_list_is_a_bare_array(self):
        created = [self.wrapper("list-%d" % i) for i in range(3)]
        r = self.call("GET", "/wrappers")
        self.expect(r, 200)
        self.assertIsInstance(r.body, list)
        every = self.every("/wrappers")
        mine = [w for w in every if w in created]
        self.assertEqual(created, mine, "creation order")
        pos = every.index(created[1])
        self.expect(self.call("GET", "/wrappers?skip=%d&limit=1" % pos), 200, [created[1]])

    def test_unknown_paths_are_fastapi_404(self):
        for path in ("/wrappers/%s/resources" % ABSENT, "/resources/a/b"):
            self.expect(self.call("GET", path), 404, detail("Not Found"), msg=path)

    def test_405_names_allowed_methods(self):
        w = self.wrapper()
        r = self.call("PUT", "/wrappers/" + w["id"], {"name": "x"})
        self.expect(r, 405, detail("Method Not Allowed"))
        self.assertEqual("GET, HEAD, DELETE", r.headers.get("allow"))


# ============================================================================================
class Paging(WrapperBase):
    def test_skip_and_limit(self):
        w = self.wrapper()
        made = [self.resource(w["id"], "p%02d" % i) for i in range(13)]
        base = "/resources?wrapper_id=" + w["id"]
        self.expect(self.call("GET", base), 200, made[:10])  # default limit 10
        self.expect(self.call("GET", base + "&skip=10"), 200, made[10:])
        self.expect(self.call("GET", base + "&skip=3&limit=2"), 200, made[3:5])
        self.expect(self.call("GET", base + "&skip=13"), 200, [])
        self.expect(self.call("GET", base + "&limit=50"), 200, made)
        self.expect(self.call("GET", "/resources?wrapper_id=wrapper_123"), 200, [])
        every = self.every("/resources")
        self.assertEqual(made, [r for r in every if r["wrapper_id"] == w["id"]])

    def test_bounds_are_422(self):
        ge = "value_error.number.not_ge"
        cases = [
            ("skip=-1", [entry(["query", "skip"], "ensure this value is greater than or equal "
                               "to 0", ge, {"limit_value": 0})]),
            ("limit=0", [entry(["query", "limit"], "ensure this value is greater than or equal "
                               "to 1", ge, {"limit_value": 1})]),
            ("limit=51", [entry(["query", "limit"], "ensure this value is less than or equal to "
                                "50", "value_error.number.not_le", {"limit_value": 50})]),
            ("skip=-5&limit=100",
             [entry(["query", "skip"], "ensure this value is greater than or equal to 0", ge,
                    {"limit_value": 0}),
              entry(["query", "limit"], "ensure this value is less than or equal to 50",
                    "value_error.number.not_le", {"limit_value": 50})]),
            ("limit=abc", [entry(["query", "limit"], "value is not a valid integer",
                                 "type_error.integer")]),
            ("skip=1.5", [entry(["query", "skip"], "value is not a valid integer",
                                "type_error.integer")]),
        ]
        for path in ("/resources", "/wrappers"):
            for query, entries in cases:
                self.expect(self.call("GET", "%s?%s" % (path, query)), 422,
                            invalid(*entries), msg=query)


# ============================================================================================
class Validation(WrapperBase):
    def test_seed_missing_wrapper_id(self):
        r = self.call("POST", "/resources", {"name": "x", "type": "y"})
        self.expect(r, 422, missing("wrapper_id"))
        self.expect_json_ct(r)

    def test_every_missing_field_listed(self):
        self.expect(self.call("POST", "/resources", {}), 422, missing("wrapper_id", "name", "type"))
        self.expect(self.call("POST", "/resources", raw=b""), 422, NO_BODY)
        self.expect(self.call("POST", "/wrappers", {"description": "d"}), 422, missing("name"))
        self.expect(self.call("POST", "/wrappers", {"name": None}), 422,
                    invalid(entry(["body", "name"], "none is not an allowed value",
                                  "type_error.none.not_allowed")))

    def test_wrong_types(self):
        w = self.wrapper()
        cases = [
            ({"wrapper_id": w["id"], "name": 5, "type": "t"}, "name", "str type expected",
             "type_error.str"),
            ({"wrapper_id": [w["id"]], "name": "n", "type": "t"}, "wrapper_id",
             "str type expected", "type_error.str"),
            ({"wrapper_id": w["id"], "name": "n", "type": {"a": 1}}, "type",
             "str type expected", "type_error.str"),
            ({"wrapper_id": w["id"], "name": "n", "type": "t", "extra": 1}, "extra",
             "extra fields not permitted", "value_error.extra"),
        ]
        for body, field, msg, type_ in cases:
            self.expect(self.call("POST", "/resources", body), 422,
                        invalid(entry(["body", field], msg, type_)), msg=str(body))
        self.expect(self.call("POST", "/wrappers", {"name": "n", "description": False}), 422,
                    invalid(entry(["body", "description"], "str type expected",
                                  "type_error.str")))
        self.expect(self.call("POST", "/resources", [1, 2]), 422,
                    invalid(entry(["body"], "value is not a valid dict", "type_error.dict")))
        self.expect(self.call("GET", "/resources?wrapper_id=" + w["id"]), 200, [])

    def test_every_body_problem_listed(self):
        self.expect(self.call("POST", "/wrappers", {"name": 5, "description": 3, "foo": 1}), 422,
                    invalid(entry(["body", "name"], "str type expected", "type_error.str"),
                            entry(["body", "description"], "str type expected",
                                  "type_error.str"),
                            entry(["body", "foo"], "extra fields not permitted",
                                  "value_error.extra")))
        w = self.wrapper()
        r = self.resource(w["id"])
        self.expect(self.call("PATCH", "/resources/" + r["id"],
                              {"id": "x", "name": [], "startPeriod": 5, "colour": "red"}), 422,
                    invalid(entry(["body", "id"], "extra fields not permitted",
                                  "value_error.extra"),
                            entry(["body", "name"], "str type expected", "type_error.str"),
                            entry(["body", "startPeriod"], "str type expected",
                                  "type_error.str"),
                            entry(["body", "colour"], "extra fields not permitted",
                                  "value_error.extra")))
        self.expect(self.call("GET", "/resources/" + r["id"]), 200, r)

    def test_parser_refusals_in_our_words(self):
        """Bodies Python's json module reads (so FastAPI would) but ours refuses: a 422 entry
        in our words at the key or value it is about, never the parser library's text."""
        cases = [
            (b'{"name": NaN}', ours(["name"], "NaN and Infinity are not JSON numbers")),
            (b'{"name": Infinity}', ours(["name"], "NaN and Infinity are not JSON numbers")),
            (b'{"name": -Infinity}', ours(["name"], "NaN and Infinity are not JSON numbers")),
            (b'{"name": "a", "name": "b"}', ours(["name"], "duplicate key")),
            (b'{"name": "x\ud800"}', ours(["name"], "unpaired UTF-16 surrogate escape")),
            (b'\xef\xbb\xbf{"name": "x"}', ours([], "a byte order mark is not allowed")),
            (b'{"name": "a\u0000b"}', ours(["name"], "strings must not contain \\u0000")),
            (b'{"name": 99999999999999999999}',
             invalid(entry(["body", "name"], "integer beyond the 64-bit range", "value_error"))),
            (b'{"name": 1e400}', invalid(entry(["body", "name"], "number too large",
                                               "value_error"))),
        ]
        for raw, want in cases:
            json.loads(raw)  # Python reads every one of them
            r = self.call("POST", "/wrappers", raw=raw)
            self.expect(r, 422, want, msg=repr(raw))
            for leak in (b"near", b"JSON_", b"jansson", b"invalid token"):
                self.assertNotIn(leak, r.raw, repr(raw))

    def test_empty_body_is_the_missing_body(self):
        for path in ("/wrappers", "/resources"):
            self.expect(self.call("POST", path, raw=b""), 422, NO_BODY, msg=path)
            self.expect(self.call("POST", path, raw=b"", headers={"Content-Type": "text/plain"}),
                        422, NO_BODY, msg=path)
        r = self.resource(self.wrapper()["id"])
        self.expect(self.call("PATCH", "/resources/" + r["id"], raw=b""), 422, NO_BODY)

    def test_only_json_bodies_are_read(self):
        """FastAPI parses application/json, application/*+json and untyped bodies; any other
        body reaches pydantic as bytes, which are not a dict."""
        raw = json.dumps({"name": "typed"}).encode()
        for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx"):
            self.expect(self.call("POST", "/wrappers", raw=raw, headers={"Content-Type": ct}),
                        422, NOT_A_DICT, msg=ct)
        for ct in ("application/json; charset=utf-8", "application/merge-patch+json"):
            r = self.call("POST", "/wrappers", raw=raw, headers={"Content-Type": ct})
            self.assertEqual("typed", self.expect(r, 200)["name"], ct)
        conn = self.s.connection()
        try:
            conn.putrequest("POST", "/wrappers")
            conn.putheader("Authorization", "Bearer " + self.editor)
            conn.putheader("Content-Length", str(len(raw)))
            conn.endheaders(raw)
            r = conn.getresponse()
            self.assertEqual((200, "typed"), (r.status, json.loads(r.read())["name"]))
        finally:
            conn.close()

    def test_malformed_json_as_fastapi_says_it(self):
        bodies = [b'{"wrapper_id": }', b'{"wrapper_id": "a",}', b'{"name" "x"}',
                  b'{"name": "x" "type": "y"}', b'{', b'   ', b'{"name": "x"} trailing',
                  b'{\n  "name": "caf\xc3\xa9",\n  "type": "unterminated\n}', b'{"a": tru}',
                  b'{"a": "\\q"}', b'[1,]']
        for raw in bodies:
            self.expect(self.call("POST", "/resources", raw=raw), 422, jsondecode(raw),
                        msg=repr(raw))
        raw = b'{"startPeriod": }'
        r = self.resource(self.wrapper()["id"])
        self.expect(self.call("PATCH", "/resources/" + r["id"], raw=raw), 422, jsondecode(raw))

    def test_unreadable_body_is_400(self):
        for raw in (b'{"name": "\xff\xfe"}', b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}"):
            self.expect(self.call("POST", "/wrappers", raw=raw), 400,
                        detail("There was an error parsing the body"), msg=repr(raw[:20]))

    def test_ktrlplane_keeps_its_own_dialect(self):
        r = self.req("POST", "/api/v1/projects/p1/resources", raw=b'{"id": }', token=self.admin)
        self.expect_error(r, 400, "Invalid request body", details=True,
                          exact_keys={"error", "details"})


# ============================================================================================
class Auth(WrapperBase):
    def test_401(self):
        self.expect(self.call("GET", "/wrappers", token=None), 401, detail("Not authenticated"))
        self.expect(self.call("GET", "/resources", token=None,
                              headers={"Authorization": "Basic dXNlcjpwdw=="}),
                    401, detail("Invalid authentication credentials"))
        self.expect(self.call("POST", "/resources", {}, token="not-a-token"), 401,
                    detail("Invalid or expired token"))

    def test_authentication_comes_before_the_body(self):
        # FastAPI runs the HTTPBearer dependency before it reports the body.
        for raw in (b"{", b"not json", b'{"name": 5}', b'{"zzz": 1}'):
            self.expect(self.call("POST", "/wrappers", raw=raw, token=None), 401,
                        detail("Not authenticated"))
        self.expect(self.call("PATCH", "/resources/" + ABSENT, raw=b"{", token=None), 401,
                    detail("Not authenticated"))
        self.expect(self.call("GET", "/resources/a%2Fb", token=None), 401,
                    detail("Not authenticated"))
        self.expect(self.call("GET", "/wrappers?limit=x", token=None), 401,
                    detail("Not authenticated"))
        self.expect(self.call("POST", "/resources", raw=b"{", token="not-a-token"), 401,
                    detail("Invalid or expired token"))
        self.expect(self.call("POST", "/wrappers", raw=b"{", token=self.viewer), 403,
                    detail("Not enough permissions"))
        # a caller who may write hears what is wrong with the body
        self.expect(self.call("POST", "/wrappers", raw=b"{"), 422, jsondecode("{"))

    def test_403_by_role(self):
        w = self.wrapper()
        self.expect(self.call("GET", "/wrappers/" + w["id"], token=self.viewer), 200, w)
        self.expect(self.call("GET", "/resources", token=self.viewer), 200)
        forbidden = detail("Not enough permissions")
        self.expect(self.call("POST", "/wrappers", {"name": "x"}, token=self.viewer), 403,
                    forbidden)
        self.expect(self.call("POST", "/resources", {"wrapper_id": w["id"], "name": "x",
                                                     "type": "y"}, token=self.viewer),
                    403, forbidden)
        self.expect(self.call("DELETE", "/wrappers/" + w["id"], token=self.viewer), 403,
                    forbidden)
        elsewhere = self.token("owner", scope="projects/p1")
        self.expect(self.call("GET", "/wrappers", token=elsewhere), 403, forbidden)

    def test_jwt_with_role_binding(self):
        subject = "jwt-" + secrets.token_hex(3)
        jwt = self.s.jwt(subject)
        self.expect(self.call("GET", "/wrappers", token=jwt), 403,
                    detail("Not enough permissions"))
        self.s.bind(subject, "wrappers", "editor")
        bound = self.s.jwt(subject)
        r = self.call("POST", "/wrappers", {"name": "by-jwt"}, token=bound)
        self.expect(r, 200)
        self.assertEqual("by-jwt", r.body["name"])


# ============================================================================================
class Outage(WrapperBase):
    allow_5xx = True

    def test_upstream_down_is_503_in_fastapi_words(self):
        w = self.wrapper()
        self.s.kill("resources-svc", signal.SIGKILL)
        r = self.call("GET", "/wrappers/" + w["id"])
        self.expect(r, 503, detail("Service Unavailable"))
        self.assertEqual("1", r.headers.get("retry-after"), r)
        self.s.restart("resources-svc")
        self.poll(lambda: self.call("GET", "/wrappers/" + w["id"]).status == 200, 15.0,
                  "wrapper served again after restart")
        self.expect(self.call("GET", "/wrappers/" + w["id"]), 200, w)


if __name__ == "__main__":
    harness.main()
