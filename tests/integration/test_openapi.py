"""GET /openapi/<surface>.json and Swagger UI's spec selector, over HTTP from a real gateway.

The committed gateway/openapi/<surface>.json are what scripts/openapi-specs derives from the
real public files (its verbatim copies in tests/integration/specs) and the hand-written
sources, byte for byte, so no document drifts from its source by a hand edit. Each served
document is the committed one byte for byte, is a
valid OpenAPI 3.0 document (the structure the specification requires, every $ref resolves,
every path parameter declared), and every operation it lists is routed: without a token each
is 401, never the router's 404 or 405. tests/unit/test_gateway_openapi.c holds the same
documents to the route tables, both ways.

Every document is also held to what the services answer: a round of real calls on each
surface, every answer checked against the schema its document gives for that operation and
status. Strictly (a key the schema does not list is an error) for the documents written here
(KtrlPlane, wrappers, auth-admin, and Keboola's, inferred from the blueprint's examples) and
for Konnect's; Ververica's object schemas are the real swagger's, which do not list every
key an object carries (`status` of deployment-defaults), so there only the listed ones.
"""

import base64
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import HangarTest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SURFACES = ("ktrlplane", "wrappers", "konnect", "keboola", "ververica-appmanager",
            "ververica-platform", "auth-admin")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAM_IN = ("query", "header", "path", "cookie")
COMPONENT_KINDS = ("schemas", "responses", "parameters", "examples", "requestBodies",
                   "headers", "securitySchemes", "links", "callbacks")
STATUS_KEY = re.compile(r"^(default|[1-5](\d\d|XX))$")
# The Schema Object's keywords in OpenAPI 3.0 (a JSON Schema subset plus its own); any other
# key, but an x- extension, is an error, as is a type outside the six.
SCHEMA_KEYS = set("""
    title multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength
    pattern maxItems minItems uniqueItems maxProperties minProperties required enum type not
    allOf oneOf anyOf items properties additionalProperties description format default
    nullable discriminator readOnly writeOnly example externalDocs deprecated xml $ref
""".split())
SCHEMA_TYPES = ("array", "boolean", "integer", "number", "object", "string")


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def pointer(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def refs(node, where, out):
    """(where, ref) of every $ref inside node."""
    if isinstance(node, dict):
        if "$ref" in node:
            out.append((where, node["$ref"]))
        for k, v in node.items():
            refs(v, where + "/" + str(k), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            refs(v, "%s/%d" % (where, i), out)


def schema_problems(node, where, bad):
    """The keys of a Schema Object (and of those inside it) that OpenAPI 3.0 does not know."""
    if not isinstance(node, dict):
        bad.append("%s: a schema must be an object" % where)
        return
    for k in node:
        if k not in SCHEMA_KEYS and not k.startswith("x-"):
            bad.append("%s: %s is no schema keyword" % (where, k))
    if "type" in node and node["type"] not in SCHEMA_TYPES:
        bad.append("%s: type %r" % (where, node["type"]))
    for k in ("not", "items"):
        if k in node:
            schema_problems(node[k], where + "/" + k, bad)
    if isinstance(node.get("additionalProperties"), dict):
        schema_problems(node["additionalProperties"], where + "/additionalProperties", bad)
    for k in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(node.get(k, [])):
            schema_problems(sub, "%s/%s/%d" % (where, k, i), bad)
    for name, sub in (node.get("properties") or {}).items():
        schema_problems(sub, where + "/properties/" + name, bad)


def schemas_of(node, where, out):
    """(where, schema) of every schema a parameter, header or media type holds."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "schema":
                out.append((where + "/schema", v))
            else:
                schemas_of(v, where + "/" + str(k), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            schemas_of(v, "%s/%d" % (where, i), out)


def problems(doc):
    """What makes doc no valid OpenAPI 3.0 document: a list of sentences, empty when none."""
    bad = []

    def deref(node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            node, seen = pointer(doc, node["$ref"]), seen + 1
        return node

    if not re.match(r"^3\.0\.\d+$", str(doc.get("openapi"))):
        bad.append("openapi is %r, not 3.0.x" % (doc.get("openapi"),))
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or \
            not isinstance(info.get("version"), str):
        bad.append("info needs a title and a version (strings)")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        return bad + ["paths is missing or empty"]
    comps = doc.get("components", {})
    for kind in comps:
        if kind not in COMPONENT_KINDS:
            bad.append("components/%s is no component kind" % kind)
    found = []
    refs(doc, "#", found)
    for where, ref in found:
        if not isinstance(ref, str) or not ref.startswith("#/") or pointer(doc, ref) is None:
            bad.append("%s: $ref %r does not resolve" % (where, ref))
    found = [("#/components/schemas/" + k, v) for k, v in comps.get("schemas", {}).items()]
    schemas_of({k: v for k, v in doc.items() if k != "components"}, "#", found)
    schemas_of({k: v for k, v in comps.items() if k != "schemas"}, "#/components", found)
    for where, schema in found:
        schema_problems(schema, where, bad)
    schemes = comps.get("securitySchemes", {})
    for req in doc.get("security", []):
        for name in req:
            if name not in schemes:
                bad.append("security names the undefined scheme %s" % name)
    op_ids, templates = set(), {}
    for path, item in doc["paths"].items():
        if not path.startswith("/"):
            bad.append("path %s does not start with /" % path)
        shape = re.sub(r"\{[^}]*\}", "{}", path)
        if shape in templates:
            bad.append("paths %s and %s are the same template" % (templates[shape], path))
        templates[shape] = path
        in_path = set(re.findall(r"\{([^}]+)\}", path))
        shared = [deref(p) for p in item.get("parameters", [])]
        for m, op in item.items():
            if m in ("parameters", "summary", "description", "servers") or m.startswith("x-"):
                continue
            what = "%s %s" % (m.upper(), path)
            if m not in METHODS:
                bad.append("%s: %s is no operation" % (path, m))
                continue
            if op.get("operationId") in op_ids:
                bad.append("%s: operationId %s twice" % (what, op["operationId"]))
            op_ids.add(op.get("operationId"))
            params = [deref(p) for p in op.get("parameters", [])]
            declared = set()
            for p in params + shared:
                if not isinstance(p, dict) or not isinstance(p.get("name"), str) or \
                        p.get("in") not in PARAM_IN:
                    bad.append("%s: parameter %r needs a name and an in" % (what, p))
                    continue
                if ("schema" in p) == ("content" in p):
                    bad.append("%s: parameter %s needs a schema or a content" % (what, p["name"]))
                if p["in"] == "path":
                    declared.add(p["name"])
                    if p.get("required") is not True:
                        bad.append("%s: path parameter %s must be required" % (what, p["name"]))
            if declared != in_path:
                bad.append("%s declares path parameters %s" % (what, sorted(declared)))
            body = deref(op.get("requestBody"))
            if body is not None and not (isinstance(body, dict) and body.get("content")):
                bad.append("%s: requestBody without content" % what)
            responses = op.get("responses")
            if not isinstance(responses, dict) or not responses:
                bad.append("%s: no responses" % what)
                continue
            for code, r in responses.items():
                if not STATUS_KEY.match(str(code)):
                    bad.append("%s: response key %s" % (what, code))
                if not isinstance(deref(r), dict) or not isinstance(deref(r).get("description"),
                                                                    str):
                    bad.append("%s: response %s needs a description" % (what, code))
            for req in op.get("security", []):
                for name in req:
                    if name not in schemes:
                        bad.append("%s: security names the undefined scheme %s" % (what, name))
    return bad


def conform(doc, schema, value, where, bad, strict=True):
    """Appends to bad where value breaks schema (the OpenAPI 3.0 subset these documents use:
    $ref, type, nullable, enum, required, properties, items, allOf, oneOf). Strict: an object
    whose schema lists properties may have no other key unless additionalProperties says so
    (for allOf, the properties of all its members together)."""
    while "$ref" in schema:
        schema = pointer(doc, schema["$ref"])
    if value is None:
        if not schema.get("nullable") and ("type" in schema or "$ref" in schema):
            bad.append("%s: null" % where)
        return bad
    for sub in schema.get("allOf", []):
        conform(doc, sub, value, where, bad, strict=False)
    if "oneOf" in schema:
        if not any(not conform(doc, sub, value, where, []) for sub in schema["oneOf"]):
            bad.append("%s: %r matches no oneOf" % (where, value))
    kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
             "object": dict, "array": list}
    t = schema.get("type")
    if t and (not isinstance(value, kinds[t]) or
              isinstance(value, bool) and t in ("integer", "number")):
        bad.append("%s: %r is no %s" % (where, value, t))
        return bad
    if "enum" in schema and value not in schema["enum"]:
        bad.append("%s: %r not in %s" % (where, value, schema["enum"]))
    if isinstance(value, dict):
        props = {}
        for sub in [schema] + schema.get("allOf", []):
            while "$ref" in sub:
                sub = pointer(doc, sub["$ref"])
            props.update(sub.get("properties", {}))
            for k in sub.get("required", []):
                if k not in value:
                    bad.append("%s: %s missing" % (where, k))
        for k, v in value.items():
            if k in props:
                conform(doc, props[k], v, where + "." + k, bad)
            elif strict and props and schema.get("additionalProperties") in (None, False):
                bad.append("%s: %s is not documented" % (where, k))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            conform(doc, schema["items"], v, "%s[%d]" % (where, i), bad)
    return bad


class Generated(unittest.TestCase):
    """No processes: the generator, run over the spec copies into a temp dir."""

    def test_committed_documents_are_what_the_generator_writes(self):
        out = tempfile.mkdtemp(prefix="hgit-openapi-", dir="/tmp")
        try:
            run = subprocess.run(
                ["/usr/bin/python3", os.path.join(ROOT, "scripts", "openapi-specs"), "--out",
                 out, os.path.join(ROOT, "tests", "integration", "specs")],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
            self.assertEqual(0, run.returncode, run.stdout)
            self.assertEqual(sorted(s + ".json" for s in SURFACES), sorted(os.listdir(out)))
            for s in SURFACES:
                with open(os.path.join(out, s + ".json"), "rb") as a, \
                        open(os.path.join(ROOT, "gateway", "openapi", s + ".json"), "rb") as b:
                    self.assertEqual(b.read(), a.read(),
                                     "%s.json differs from scripts/openapi-specs' output: "
                                     "run it and commit the result" % s)
        finally:
            shutil.rmtree(out, ignore_errors=True)


class OpenApiTest(HangarTest):
    def doc(self, surface):
        r = self.req("GET", "/openapi/%s.json" % surface)
        self.expect(r, 200, msg=surface)
        self.expect_json_ct(r)
        return r

    def test_each_document_is_the_committed_one(self):
        for s in SURFACES:
            with open(os.path.join(ROOT, "gateway", "openapi", s + ".json"), "rb") as f:
                self.assertEqual(f.read(), self.doc(s).raw, s)

    def test_each_document_is_valid_openapi_3_0(self):
        for s in SURFACES:
            self.assertEqual([], problems(self.doc(s).body), s)

    def test_the_validity_check_can_fail(self):
        doc = self.doc("konnect").body
        doc["paths"]["/v2/api-products/{id}"]["get"]["responses"]["200"] = {
            "$ref": "#/components/responses/Nope"}
        doc["paths"]["/v2/api-products/{id}/x"] = {"get": {"responses": {"200": {
            "description": "x", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"a": {"type": "string", "name": "a"}}}}}}}}}
        found = problems(doc)
        self.assertIn("#/paths//v2/api-products/{id}/get/responses/200: $ref "
                      "'#/components/responses/Nope' does not resolve", found)
        self.assertIn("GET /v2/api-products/{id}/x declares path parameters []", found)
        self.assertIn("#/paths//v2/api-products/{id}/x/get/responses/200/content/"
                      "application/json/schema/properties/a: name is no schema keyword", found)
        wrappers = self.doc("wrappers").body
        resource = {"$ref": "#/components/schemas/Resource"}
        self.assertEqual(["body: endPeriod missing", "body.startPeriod: 1 is no string",
                          "body: extra is not documented"],
                         conform(wrappers, resource, {"id": "a", "wrapper_id": "b", "name": "c",
                                                      "type": "d", "startPeriod": 1,
                                                      "extra": True}, "body", []))

    def test_each_security_scheme_is_what_the_surface_takes(self):
        for s in SURFACES:
            doc = self.doc(s).body
            schemes = doc["components"]["securitySchemes"]
            self.assertEqual(1, len(doc["security"]), s)
            (name,) = doc["security"][0]
            if s == "keboola":
                self.assertEqual({"type": "apiKey", "in": "header",
                                  "name": "X-StorageApi-Token"},
                                 {k: schemes[name][k] for k in ("type", "in", "name")})
            else:
                self.assertEqual(("http", "bearer"), (schemes[name]["type"],
                                                      schemes[name]["scheme"]), s)

    def test_every_documented_operation_is_routed(self):
        for s in SURFACES:
            for path, item in self.doc(s).body["paths"].items():
                concrete = re.sub(r"\{[^}]+\}", "x", path)
                for m in item:
                    if m not in METHODS:
                        continue
                    body = {} if m in ("post", "put", "patch") else None
                    r = self.req(m.upper(), concrete, body)
                    self.expect(r, 401, msg="%s: %s %s" % (s, m.upper(), path))

    def call(self, surface, method, template, params=None, body=None, token=None,
             headers=None, status=None, query=None, strict=True):
        """Calls one documented operation and checks the answer against its document: the
        status is one the operation lists (or its default), the body fits that answer's
        schema. Returns the answer."""
        doc = self.docs.setdefault(surface, self.doc(surface).body)
        op = doc["paths"][template][method]
        path = template
        for k, v in (params or {}).items():
            path = path.replace("{%s}" % k, str(v))
        if query:
            path += "?" + query
        r = self.req(method.upper(), path, body, token=token, headers=headers)
        what = "%s %s -> %d" % (method.upper(), path, r.status)
        if status is not None:
            self.expect(r, status, msg=what)
        answer = op["responses"].get(str(r.status)) or op["responses"].get("default")
        self.assertIsNotNone(answer, "%s: status not documented" % what)
        while "$ref" in answer:
            answer = pointer(doc, answer["$ref"])
        if "content" not in answer:
            self.assertEqual(b"", r.raw, "%s: documented without a body" % what)
            return r
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        self.assertIn(ctype, answer["content"], what)
        self.assertEqual([], conform(doc, answer["content"][ctype]["schema"], r.body, "body", [],
                                     strict), "%s: %r" % (what, r))
        return r

    def setUp(self):
        super().setUp()
        self.docs = {}

    def test_ktrlplane_answers_fit_the_document(self):
        t, col, item = self.admin, "/api/v1/projects/{project_id}/resources", \
            "/api/v1/projects/{project_id}/resources/{resource_id}"
        pid, rid = "proj-oas", "oas-" + os.urandom(3).hex()
        ids = {"project_id": pid, "resource_id": rid}
        self.call("ktrlplane", "post", col, ids, {"id": rid, "name": "n", "type": "Konnektr.Graph",
                                                  "settings_json": {"a": [1, 2.5]}}, t, status=201)
        self.call("ktrlplane", "post", col, ids, {"id": rid, "name": "n", "type": "Konnektr.Graph"},
                  t, status=409)
        self.call("ktrlplane", "post", col, ids, {"id": "Bad!", "name": "n", "type": "x"}, t,
                  status=400)
        self.call("ktrlplane", "get", col, ids, token=t, status=200)
        self.call("ktrlplane", "get", item, ids, token=t, status=200)
        self.call("ktrlplane", "put", item, ids, {"name": "m", "sku": "pro"}, t, status=200)
        self.call("ktrlplane", "get", item, ids, status=401)
        self.call("ktrlplane", "delete", item, ids, token=t, status=202)
        self.call("ktrlplane", "get", item, dict(ids, resource_id="nope"), token=t, status=404)

    def test_wrappers_answers_fit_the_document(self):
        t = self.admin
        w = self.call("wrappers", "post", "/wrappers", body={"name": "w-" + os.urandom(3).hex()},
                      token=t, status=200).body
        self.call("wrappers", "post", "/wrappers", body={}, token=t, status=422)
        self.call("wrappers", "get", "/wrappers", token=t, status=200)
        self.call("wrappers", "get", "/wrappers/{id}", {"id": w["id"]}, token=t, status=200)
        res = self.call("wrappers", "post", "/resources", body={
            "wrapper_id": w["id"], "name": "r", "type": "database"}, token=t, status=200).body
        self.call("wrappers", "get", "/resources", token=t, status=200)
        self.call("wrappers", "get", "/resources/{id}", {"id": res["id"]}, token=t, status=200)
        self.call("wrappers", "patch", "/resources/{id}", {"id": res["id"]},
                  {"startPeriod": "2025-01-15T16:20:00+02:00"}, t, status=200)
        self.call("wrappers", "delete", "/wrappers/{id}", {"id": w["id"]}, token=t, status=400)
        self.call("wrappers", "delete", "/resources/{id}", {"id": res["id"]}, token=t,
                  status=200)
        self.call("wrappers", "get", "/resources/{id}", {"id": res["id"]}, token=t, status=404)
        self.call("wrappers", "get", "/resources/{id}", {"id": "nope"}, token=t, status=422)
        self.call("wrappers", "delete", "/wrappers/{id}", {"id": w["id"]}, token=t, status=200)
        self.call("wrappers", "get", "/wrappers", status=401)

    def test_auth_admin_answers_fit_the_document(self):
        t = self.admin
        tok = self.call("auth-admin", "post", "/auth/v1/tokens", body={
            "kind": "apikey", "subject": "oas", "ttl_seconds": 60,
            "bindings": [{"scope": "projects/p", "role": "viewer"}]}, token=t, status=201).body
        self.call("auth-admin", "post", "/auth/v1/tokens", body={"kind": "nope"}, token=t,
                  status=400)
        self.call("auth-admin", "get", "/auth/v1/tokens", token=t, status=200)
        self.call("auth-admin", "get", "/auth/v1/tokens/{id}", {"id": tok["id"]}, token=t,
                  status=200)
        self.call("auth-admin", "get", "/auth/v1/tokens", token=tok["token"], status=403)
        self.call("auth-admin", "delete", "/auth/v1/tokens/{id}", {"id": tok["id"]}, token=t,
                  status=204)
        self.call("auth-admin", "delete", "/auth/v1/tokens/{id}", {"id": tok["id"]}, token=t,
                  status=404)
        rb = self.call("auth-admin", "post", "/auth/v1/role-bindings", body={
            "subject": "oas", "scope": "wrappers", "role": "viewer"}, token=t, status=201).body
        self.call("auth-admin", "get", "/auth/v1/role-bindings", token=t, status=200)
        self.call("auth-admin", "delete", "/auth/v1/role-bindings/{id}", {"id": rb["id"]},
                  token=t, status=204)
        self.call("auth-admin", "get", "/auth/v1/role-bindings", status=401)

    def test_keboola_answers_fit_the_document(self):
        tok = self.s.mint_token("storage", "oas-etl", [("storage-projects/7", "editor")])
        h = {"X-StorageApi-Token": tok["token"]}
        pv = "/provisioning/{backend}"
        sf = {"backend": "snowflake"}
        made = self.call("keboola", "post", pv, sf, {"type": "sandbox"}, headers=h,
                         status=201).body
        ids = dict(sf, id=made["id"])
        self.call("keboola", "get", pv, sf, headers=h, query="type=sandbox", status=200)
        self.call("keboola", "get", pv + "/{id}", ids, headers=h, status=200)
        self.call("keboola", "post", pv + "/{id}/extend", ids, headers=h, status=200)
        self.call("keboola", "post", pv + "/{id}/kill", ids, headers=h, status=200)
        self.call("keboola", "delete", pv + "/{id}", ids, headers=h, status=200)
        self.call("keboola", "get", pv + "/{id}", ids, headers=h, status=404)
        plain = self.call("keboola", "post", pv, sf, headers=h, status=201).body
        self.call("keboola", "post", pv + "/{id}/extend", dict(sf, id=plain["id"]), headers=h,
                  status=400)
        docker = {"backend": "docker"}
        job = self.call("keboola", "post", "/provisioning/async/{backend}", docker,
                        {"type": "rstudio"}, headers=h, status=202).body
        self.call("keboola", "post", "/provisioning/async/{backend}/transformation", docker,
                  {"transformation": {"config_id": "1", "config_version": "2", "row_id": "3"}},
                  headers=h, status=202)
        done = self.poll(lambda: self.call("keboola", "get", "/queue/job/{id}", {"id": job["id"]},
                                           headers=h, status=200).body["isFinished"] and True,
                         what="the docker job to finish")
        self.assertTrue(done)
        self.call("keboola", "post", pv, {"backend": "oracle"}, headers=h, status=400)
        self.call("keboola", "get", pv + "/{id}", ids, status=401)

    def test_konnect_answers_fit_the_document(self):
        t, p = self.admin, "/v2/api-products"
        prod = self.call("konnect", "post", p, body={"name": "oas-" + os.urandom(3).hex(),
                                                     "labels": {"env": "t"}}, token=t,
                         status=201).body
        ids = {"id": prod["id"]}
        self.call("konnect", "post", p, body={}, token=t, status=400)
        self.call("konnect", "get", p, token=t, status=200)
        self.call("konnect", "get", p + "/{id}", ids, token=t, status=200)
        self.call("konnect", "patch", p + "/{id}", ids, {"description": "d"}, token=t, status=200)
        docs = p + "/{api_product_id}/documents"
        pid = {"api_product_id": prod["id"]}
        d = self.call("konnect", "post", docs, pid, {"slug": "s", "title": "T", "content": "# hi",
                                                     "status": "published"}, token=t,
                      status=201).body
        self.call("konnect", "get", docs, pid, token=t, status=200)
        self.call("konnect", "get", docs + "/{id}", dict(pid, id=d["id"]), token=t, status=200)
        versions = p + "/{api_product_id}/product-versions"
        v = self.call("konnect", "post", versions, pid, {"name": "v1"}, token=t, status=201).body
        self.call("konnect", "get", versions, pid, token=t, status=200)
        specs = versions + "/{api_product_version_id}/specifications"
        vid = dict(pid, api_product_version_id=v["id"])
        content = base64.b64encode(b'{"openapi": "3.0.0"}').decode()
        spec = self.call("konnect", "post", specs, vid, {"name": "a.json", "content": content},
                         token=t, status=201).body
        self.call("konnect", "get", specs + "/{id}", dict(vid, id=spec["id"]), token=t,
                  status=200)
        self.call("konnect", "delete", p + "/{id}", ids, token=t, status=204)
        self.call("konnect", "get", p + "/{id}", ids, token=t, status=404)
        self.call("konnect", "get", p, status=401)

    def test_ververica_answers_fit_the_documents(self):
        self.allow_5xx = True  # the custom verb's 501
        t, ns = self.admin, "oas-" + os.urandom(3).hex()
        n = {"namespace": ns}
        self.call("ververica-platform", "post", "/namespaces/v1/namespaces",
                  body={"name": "namespaces/" + ns}, token=t, status=200, strict=False)
        self.call("ververica-platform", "get", "/namespaces/v1/namespaces", token=t, status=200,
                  strict=False)
        objects = "/api/v1/namespaces/{namespace}/"
        for method, path, params, body, status in (
                ("post", "deployments", n, {"metadata": {"name": "d1"},
                                            "spec": {"state": "RUNNING"}}, 201),
                ("get", "deployments", n, None, 200),
                ("get", "deployments/{name}", dict(n, name="d1"), None, 200),
                ("put", "deployments/{name}", dict(n, name="d2"),
                 {"metadata": {"name": "d2"}, "spec": {}}, 201),
                ("get", "deployment-defaults", n, None, 200),
                ("get", "deployments/{name}", dict(n, name="nope"), None, 404),
                ("delete", "deployments/{name}", dict(n, name="d2"), None, 200)):
            self.call("ververica-appmanager", method, objects + path, params, body, t,
                      status=status, strict=False)
        # A running deployment's status names its job: wait for it, then hold it to the document.
        d1 = "/api/v1/namespaces/%s/deployments/d1" % ns
        self.poll(lambda: self.req("GET", d1, token=t).body["status"]["state"] == "RUNNING",
                  what="d1 to be RUNNING")
        running = self.call("ververica-appmanager", "get", objects + "deployments/{name}",
                            dict(n, name="d1"), None, t, status=200, strict=False).body
        self.assertEqual({"jobId", "transitionTime"}, set(running["status"]["running"]))
        sql = "/sql/v1beta1/namespaces/{namespace}/"
        catalogs = "/catalog/v1beta2/namespaces/{namespace}/catalogs"
        for method, path, params, body, status in (
                ("post", sql + "sqlscripts", n, {"name": "namespaces/%s/sqlscripts/s" % ns,
                                                 "script": "x"}, 200),
                ("get", sql + "sqlscripts", n, None, 200),
                ("post", sql + "sqlscripts:execute", n, {"statement": "x"}, 501),
                ("post", catalogs, n, {"name": "namespaces/%s/catalogs/c" % ns}, 200),
                ("get", catalogs + "/{name}", dict(n, name="c"), None, 200),
                ("delete", catalogs + "/{name}", dict(n, name="c"), None, 200),
                ("get", "/namespaces/v1/namespaces/{ns}", {"ns": ns}, None, 200)):
            self.call("ververica-platform", method, path, params, body, t, status=status,
                      strict=False)

    def test_unknown_document_is_404(self):
        for path in ("/openapi/nope.json", "/openapi/konnect", "/openapi/konnect.yaml",
                     "/openapi/.json", "/openapi/..%2Fswagger.json"):
            r = self.req("GET", path)
            self.assertIn(r.status, (400, 404), r)
        self.expect(self.req("GET", "/openapi/nope.json"), 404)

    def test_swagger_ui_offers_every_document(self):
        r = self.req("GET", "/swagger")
        self.expect(r, 200)
        page = r.raw.decode()
        urls = re.findall(r'\{url: "([^"]+)", name: "[^"]+"\}', page)
        self.assertEqual(["/api/swagger.json", "/swagger.json"] +
                         ["/openapi/%s.json" % s for s in SURFACES], urls)
        for url in urls:
            self.expect(self.req("GET", url), 200, msg=url)


if __name__ == "__main__":
    harness.main()
