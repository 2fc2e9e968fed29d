"""Checks every answer the integration tests receive against the surface's real public spec
(not a test itself; harness.http_request calls check() on every response).

Which document judges an answer is chosen by the request's method and path:

- Konnect (`/v2/...`): Kong's OpenAPI 3.0 file. The schema is the operation's response for
  the status and the answer's Content-Type (the document tree has its own media type and
  schema); a status the operation does not document is held to the problem+json shape
  (BaseError). OpenAPI 3.0's `nullable` is turned into JSON Schema; `additionalProperties`
  is kept as written.
- Ververica (`/api/v1/namespaces/...`, `/namespaces/v1`, `/apitokens/v1`, `/sql/v1beta1`,
  `/catalog/v1beta2`): the 2.6.1 AppManager and Platform swagger 2.0 files.
- Keboola (`/provisioning/...`): the 2018 blueprint's response examples, repaired where they
  are not valid JSON; every key of the example must be present with the example's type,
  and no other key but those CONTRACTS.md takes from the 2020 blueprint.

Other paths (KtrlPlane, the wrapper API, auth admin, the gateway's own) have no public spec
and are skipped. A violation raises SpecViolation (an AssertionError) naming the operation,
the status and the JSON path. Every place where CONTRACTS.md overrides a spec is a named
entry below that cites its section; nothing else is relaxed.

Specs are read from $HANGAR_SPECS_DIR, else from tests/integration/specs (verbatim copies of
../shared/specs, so a clone alone runs the tests); a missing spec fails the check rather than
skipping it.
Python 3 with Debian's python3-jsonschema and python3-yaml. Not thread-safe to load, so
load() runs under a lock; checking afterwards only reads.
"""

import json
import os
import re
import threading
from collections import Counter

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# The repository's verbatim copies (tests/integration/specs/README.md): a fresh machine has
# only the clone. test_spec_check.py holds them equal to ../shared/specs when that is there.
SPEC_DIRS = [os.path.join(HERE, "specs")]
SHARED_SPECS = os.path.join(ROOT, "..", "shared", "specs")

KONNECT_FILE = "kong-konnect-api-products-v2.openapi.yaml"
APPMANAGER_FILE = "ververica-appmanager-api-2.6.1.slim.swagger.json"
PLATFORM_FILE = "ververica-platform-api-2.6.1.swagger.yaml"
KEBOOLA_2018_FILE = "keboola-provisioning-apiary-2018-03-12-c63e2f7.apib"
KEBOOLA_2020_FILE = "keboola-provisioning-apiary-2020-01-23-32d3a5d.apib"

# How many answers each surface had checked (and how many were skipped, by reason), for the
# count test and the summary harness prints.
COUNTS = Counter()
# Every violation raised, also kept here: a test thread that swallows the exception still
# fails its test (HangarTest.tearDown reads this list).
VIOLATIONS = []


class SpecViolation(AssertionError):
    pass


def _violation(text):
    e = SpecViolation(text)
    VIOLATIONS.append(e)
    return e


def specs_dir():
    d = os.environ.get("HANGAR_SPECS_DIR")
    if d:
        return d
    for c in SPEC_DIRS:
        if os.path.exists(os.path.join(c, KONNECT_FILE)):
            return os.path.normpath(c)
    return os.path.normpath(SPEC_DIRS[0])


# --------------------------------------------------------------------------------------------
# Schema conversion

def _openapi30_to_jsonschema(node):
    """OpenAPI 3.0 Schema Objects -> JSON Schema draft 4: `nullable: true` admits null (as
    an added type, an added enum member, or an anyOf for a schema with no type). Everything
    else, additionalProperties included, stays as written."""
    if isinstance(node, list):
        return [_openapi30_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi30_to_jsonschema(v) for k, v in node.items()}
    if out.pop("nullable", None) is True:
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _swagger20_to_jsonschema(node):
    """Swagger 2.0 Schema Objects are draft 4 already; `x-nullable: true` admits null."""
    if isinstance(node, list):
        return [_swagger20_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _swagger20_to_jsonschema(v) for k, v in node.items()}
    if out.pop("x-nullable", None) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}$")
DATE_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uuid")
def _is_uuid(v):
    return not isinstance(v, str) or bool(UUID_RE.match(v))


@FORMATS.checks("date-time")
def _is_date_time(v):
    return not isinstance(v, str) or bool(DATE_TIME_RE.match(v))


class _NoTimestampLoader(yaml.SafeLoader):
    """YAML as JSON sees it: an unquoted date stays a string (YAML 1.2 has no timestamps)."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _template_regex(template):
    """'/a/{x}/b' -> a regex matching one path; a parameter is one segment without ':' so
    that '{cat}:getDatabase' and '{cat}' are told apart."""
    parts = re.split(r"(\{[^}]+\})", template)
    rx = "".join("[^/:]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile("^" + rx + "$")


def _literal_len(template):
    return len(re.sub(r"\{[^}]+\}", "", template))


# --------------------------------------------------------------------------------------------
# One surface = operations found by method and path template, each with a way to check.

class Surface:
    def __init__(self, name, doc, prefix=""):
        self.name = name
        self.doc = doc
        self.prefix = prefix
        self.ops = []  # (regex, literal length, template, {METHOD: operation})

    def resolve(self, ref):
        return jsonschema.RefResolver.from_schema(self.doc).resolve(ref)[1]

    def add_paths(self, paths):
        for template, item in paths.items():
            methods = {m.upper(): op for m, op in item.items()
                       if m in ("get", "put", "post", "delete", "patch", "head", "options")}
            self.ops.append((_template_regex(self.prefix + template), _literal_len(template),
                             self.prefix + template, methods))
        self.ops.sort(key=lambda o: -o[1])

    def find(self, method, path):
        """(template, operation) for the most literal path template that matches and has the
        method; else (template, None) for the most literal that matches; else None."""
        first = None
        for rx, _, template, methods in self.ops:
            if rx.match(path):
                if method in methods:
                    return template, methods[method]
                first = first or (template, None)
        return first

    def validate(self, schema, instance, where):
        # A resolver per call: it keeps a scope stack while it validates, and tests check
        # answers from several threads at once.
        v = jsonschema.Draft4Validator(schema, resolver=jsonschema.RefResolver.from_schema(
            self.doc), format_checker=FORMATS)
        err = jsonschema.exceptions.best_match(v.iter_errors(instance))
        if err is not None:
            raise _violation("%s: body violates %s at %s: %s"
                             % (where, self.name, _json_path(err.absolute_path),
                                _short(err.message)))


def _json_path(parts):
    out = "$"
    for p in parts:
        out += "[%d]" % p if isinstance(p, int) else "." + str(p)
    return out


def _short(text, n=400):
    return text if len(text) <= n else text[:n] + "..."


def _media(headers):
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _parse(raw, media, where):
    if not raw:
        return None
    try:
        if media.endswith("yaml"):
            return yaml.load(raw.decode("utf-8"), Loader=_NoTimestampLoader)
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise _violation("%s: body is not %s: %s" % (where, media or "JSON", e))


# --------------------------------------------------------------------------------------------
# Konnect: OpenAPI 3.0

PROBLEM_JSON = "application/problem+json"


def _load_konnect(d):
    with open(os.path.join(d, KONNECT_FILE)) as f:
        doc = _openapi30_to_jsonschema(yaml.safe_load(f))
    s = Surface("Konnect API Products v2 (%s)" % KONNECT_FILE, doc, prefix="/v2")
    s.add_paths(doc["paths"])
    return s


def _check_konnect(s, method, path, status, headers, raw):
    found = s.find(method, path)
    template, op = found if found else (path, None)
    name = op.get("operationId", "?") if op else "(no operation)"
    where = "Konnect %s %s (%s) -> %d" % (method, template, name, status)
    media = _media(headers)
    responses = op.get("responses", {}) if op else {}
    resp = responses.get(str(status))
    if resp is None:
        # A status the operation does not document (or a path it does not have): only the
        # problem+json shape.
        if media != PROBLEM_JSON:
            raise _violation("%s: undocumented status must answer %s, got Content-Type "
                             "%r" % (where, PROBLEM_JSON, media))
        s.validate({"$ref": "#/components/schemas/BaseError"}, _parse(raw, media, where),
                   where + " [problem+json shape]")
        return "konnect"
    while "$ref" in resp:
        resp = s.resolve(resp["$ref"])
    content = resp.get("content")
    if not content:
        if raw:
            raise _violation("%s: the spec documents no body, got %d bytes"
                             % (where, len(raw)))
        return "konnect"
    if media not in content:
        raise _violation("%s: Content-Type %r is not one the spec documents (%s)"
                         % (where, media, ", ".join(sorted(content))))
    s.validate(content[media]["schema"], _parse(raw, media, where), where + " [" + media + "]")
    return "konnect"


# --------------------------------------------------------------------------------------------
# Ververica: swagger 2.0

VVP_MEDIA = ("application/json", "application/yaml")

# CONTRACTS.md "Ververica (seed 002)" > "Errors": the swaggers document 401/403/404 with no
# schema; the contract's two error bodies are what those (and every other error) carry. The
# body's kind picks which one it is held to (an ApiException unless it says otherwise).
VVP_ERROR_SCHEMAS = {
    "ApiException": {"type": "object", "additionalProperties": False,
     "required": ["kind", "apiVersion", "message", "reason", "statusCode", "context"],
     "properties": {"kind": {"enum": ["ApiException"]}, "apiVersion": {"enum": ["v1"]},
                    "message": {"type": "string"}, "reason": {"type": "string"},
                    "statusCode": {"type": "integer"}, "context": {"type": "object"}}},
    "ApiValidationException": {"type": "object", "additionalProperties": False,
     "required": ["kind", "apiVersion", "message", "statusCode", "errors"],
     "properties": {"kind": {"enum": ["ApiValidationException"]},
                    "apiVersion": {"enum": ["v1"]}, "message": {"type": "string"},
                    "statusCode": {"enum": [400]},
                    "errors": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["attribute", "message"],
                        "properties": {"attribute": {"type": "string"},
                                       "message": {"type": "string"}}}}}},
}


def _load_swagger(d, name, filename):
    with open(os.path.join(d, filename)) as f:
        doc = _swagger20_to_jsonschema(yaml.load(f, Loader=_NoTimestampLoader))
    s = Surface("%s (%s)" % (name, filename), doc)
    s.add_paths(doc["paths"])
    return s


def _check_swagger(s, label, method, path, status, headers, raw):
    found = s.find(method, path)
    if found is None or found[1] is None:
        # A path or verb the swagger does not have (Hangar's extra catalog writes, the 405
        # of a verb the kind lacks): only its error shape can be held to anything.
        if status < 400:
            return None
        template = found[0] if found else path
        where = "%s %s %s (not in the swagger) -> %d" % (label, method, template, status)
        return _check_vvp_error(s, label, where, headers, raw)
    template, op = found
    where = "%s %s %s (%s) -> %d" % (label, method, template, op.get("operationId", "?"),
                                      status)
    media = _media(headers)
    if status >= 400:
        return _check_vvp_error(s, label, where, headers, raw)
    resp = op.get("responses", {}).get(str(status))
    if resp is None:
        raise _violation("%s: status %d is not one the swagger documents (%s)"
                         % (where, status, ", ".join(sorted(op.get("responses", {})))))
    schema = resp.get("schema")
    if schema is None and status != 204 and raw:
        # The 2.6.1 swaggers are springfox output: every create/upsert lists a 201 with no
        # schema beside the 200 that carries the object, and the real server answers 201 with
        # that object. A body on such a status is held to the operation's 200 schema, so it
        # is checked rather than waved through.
        schema = op.get("responses", {}).get("200", {}).get("schema")
    if schema is None:
        if raw:
            raise _violation("%s: the swagger documents no body, got %d bytes"
                             % (where, len(raw)))
        return label
    produces = op.get("produces") or s.doc.get("produces") or ["application/json"]
    if media not in produces:
        raise _violation("%s: Content-Type %r is not one the swagger produces (%s)"
                         % (where, media, ", ".join(produces)))
    s.validate(schema, _parse(raw, media, where), where + " [" + media + "]")
    return label


def _check_vvp_error(s, label, where, headers, raw):
    media = _media(headers)
    if media not in VVP_MEDIA:
        raise _violation("%s: error Content-Type %r is neither of %s" % (where, media,
                         VVP_MEDIA))
    doc = _parse(raw, media, where)
    kind = doc.get("kind") if isinstance(doc, dict) else None
    s.validate(VVP_ERROR_SCHEMAS.get(kind, VVP_ERROR_SCHEMAS["ApiException"]), doc,
               where + " [CONTRACTS.md Ververica errors]")
    return label


# --------------------------------------------------------------------------------------------
# Keboola: the blueprint's response examples

KEBOOLA_JSON = "application/json"

# CONTRACTS.md "Keboola provisioning (seed 001)": "take from the 2020 blueprint `expiration`,
# `canExtend`". Where an action's 2020 example has the key, it is allowed with the 2020
# example's type; the 2020 blueprint is parsed for them, not restated here.
KEBOOLA_FROM_2020 = ("expiration", "canExtend")

# CONTRACTS.md "Keboola provisioning": "Ids are strings in credentials, integers for jobs."
# The 2018 example of the async delete's job reference writes its id as a string
# ("206298086") where the async creates write integers; the contract makes it an integer.
# The docker credentials of the 2018 job example write "id": 43; the contract makes it a
# string like every other credentials id.
KEBOOLA_JOB_ID_INT = {("DELETE", "/provisioning/async/docker/{credentials_id}")}

# CONTRACTS.md "Keboola provisioning": the extend refusal is the 2020 blueprint's
# 400 {"status":"warning","message":"The sandbox cannot be extended."}, taken from there.
KEBOOLA_2020_STATUSES = {("POST", "/provisioning/{backend}/{credentials_id}/extend"): (400,)}

# CONTRACTS.md "Keboola provisioning": "Error body everywhere" for every status no example
# documents.
KEBOOLA_ERROR_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["status", "error", "code", "message", "exceptionId", "runId"],
    "properties": {"status": {"enum": ["error"]},
                   "error": {"enum": ["User error", "Application error"]},
                   "code": {"type": "integer"}, "message": {"type": "string"},
                   "exceptionId": {"type": "string", "pattern": "^provisioning-[0-9a-f]+$"},
                   "runId": {"type": "integer"}}}


def _repair_json(text):
    """The blueprint's examples miss commas between members ("touch": "123456" followed by
    "url" on the next line), and its job examples end in a "..." line; a line ending in a
    value followed by a line starting a member gets its comma, a "..." line and the comma it
    leaves before a closing brace go. Anything else that does not parse stays an error."""
    lines = [ln for ln in text.splitlines() if ln.strip() != "..."]
    for i in range(len(lines) - 1):
        cur, nxt = lines[i].rstrip(), lines[i + 1].lstrip()
        if nxt.startswith('"') and cur and cur[-1] not in ",{[" and not cur.endswith(":"):
            lines[i] = cur + ","
        elif nxt[:1] in ("}", "]") and cur.endswith(","):
            lines[i] = cur[:-1]
    return "\n".join(lines)


def parse_blueprint(text):
    """({(METHOD, path template): {status: example}} from an API Blueprint's `+ Response`
    sections (the indented block after each), [the examples of its ``` blocks]). Resource
    paths drop their `?query`."""
    out, fenced = {}, []
    resource = None
    action = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == "```":
            j = lines.index("```", i + 1)
            fenced.append(json.loads(_repair_json("\n".join(lines[i + 1:j]))))
            i = j + 1
            continue
        m = re.match(r"^##\s+[^#\[].*\[(/[^\]]*)\]\s*$", line)
        if m:
            resource = m.group(1).split("?")[0]
        m = re.match(r"^###\s+.*\[([A-Z]+)\]\s*$", line)
        if m:
            action = (m.group(1), resource)
        m = re.match(r"^\+ Response (\d{3})", line)
        if m and action:
            block = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            body = "\n".join(block).strip()
            if body:
                out.setdefault(action, {})[int(m.group(1))] = json.loads(_repair_json(body))
            continue
        i += 1
    return out, fenced


def _type_schema(example, extra=None):
    """The schema an example stands for: an object needs each of its keys with that key's
    type (recursively), and admits no other key but `extra` {key: schema}; an array's items
    follow its first item; a scalar has its JSON type."""
    if isinstance(example, dict):
        props = {k: _type_schema(v) for k, v in example.items()}
        props.update(extra or {})
        return {"type": "object", "required": sorted(example), "properties": props,
                "additionalProperties": False}
    if isinstance(example, list):
        return {"type": "array", "items": _type_schema(example[0])} if example else \
            {"type": "array"}
    if isinstance(example, bool):
        return {"type": "boolean"}
    if isinstance(example, int):
        return {"type": "integer"}
    if isinstance(example, float):
        return {"type": "number"}
    if isinstance(example, str):
        return {"type": "string"}
    return {"type": "null"}


def _open(schema):
    """schema with every object open to keys beyond those required."""
    if isinstance(schema, dict):
        return {k: _open(v) for k, v in schema.items() if k != "additionalProperties"}
    return schema


def _union(schemas):
    types = []
    for sc in schemas:
        if sc["type"] not in types:
            types.append(sc["type"])
    return {"type": types[0] if len(types) == 1 else types}


def _credentials_2020(ex2020):
    """{key: schema} for the credential keys the 2020 blueprint's examples show, with the
    union of their types there (port is 443 in one example and null in another)."""
    seen = {}
    for by_status in ex2020.values():
        for example in by_status.values():
            creds = example.get("credentials") if isinstance(example, dict) else None
            for k, v in (creds or {}).items():
                seen.setdefault(k, []).append(_type_schema(v))
    return {k: _union(v) for k, v in seen.items()}


class Keboola(Surface):
    """Schemas per (METHOD, template, status, backend family): "docker" answers carry the
    docker credentials of the blueprint's job example, the other backends those of the
    response examples."""

    def __init__(self, d):
        with open(os.path.join(d, KEBOOLA_2018_FILE)) as f:
            ex2018, fenced = parse_blueprint(f.read())
        with open(os.path.join(d, KEBOOLA_2020_FILE)) as f:
            ex2020, _ = parse_blueprint(f.read())
        super().__init__("Keboola Provisioning 2018 blueprint (%s)" % KEBOOLA_2018_FILE, {})
        # docs/architecture.md "Keboola credentials keys": where CONTRACTS.md is silent the
        # real system's public spec decides, and the 2020 blueprint is the one that shows
        # each backend's credential keys (port, schema, warehouse, workspaceId). They are
        # allowed with their 2020 types; every 2018 key stays required with its 2018 type.
        cred_extra = _credentials_2020(ex2020)
        cred_extra.pop("id", None)  # CONTRACTS.md: credentials ids are strings (2018's type)
        docker = [j["result"]["credentials"] for j in fenced if j.get("command") == "create"]
        if not docker:
            raise _violation("no docker credentials example in %s" % KEBOOLA_2018_FILE)
        docker_creds = _type_schema(docker[0])
        docker_creds["properties"]["id"] = {"type": "string"}  # CONTRACTS.md, as above
        # The blueprint shows a finished job once per command, ending in "..." (more keys
        # follow): each key it shows must be there with its type, at every level, and more
        # may follow. Only a successful job's result is held to the example's.
        self.jobs = {j["command"]: _open(_type_schema(j)) for j in fenced if "command" in j}
        self.schemas = {}
        paths = {}
        for (method, template), by_status in ex2018.items():
            full = "/provisioning" + template
            later = ex2020.get((method, template), {})
            for status, example in by_status.items():
                extra = {}
                new = later.get(status)
                if isinstance(new, dict):
                    extra = {k: _type_schema(new[k]) for k in KEBOOLA_FROM_2020 if k in new}
                schema = _type_schema(example, extra)
                if (method, full) in KEBOOLA_JOB_ID_INT:
                    schema["properties"]["id"] = {"type": "integer"}
                props = schema["properties"]
                if "credentials" in props:
                    props["credentials"]["properties"].update(cred_extra)
                    self.schemas[(method, full, status, "docker")] = dict(
                        schema, properties=dict(props, credentials=docker_creds))
                self.schemas.setdefault((method, full, status, "docker"), schema)
                self.schemas[(method, full, status, "other")] = schema
            for status in KEBOOLA_2020_STATUSES.get((method, full), ()):
                # The refusal, or the contract's error body for any other 400 there.
                for family in ("docker", "other"):
                    self.schemas[(method, full, status, family)] = {
                        "anyOf": [_type_schema(later[status]), KEBOOLA_ERROR_SCHEMA]}
            paths.setdefault(template, {})[method.lower()] = {"operationId": method + " " + full}
        if not self.schemas:
            raise _violation("no response examples found in %s" % KEBOOLA_2018_FILE)
        self.prefix = "/provisioning"
        self.add_paths(paths)


JOB_PATH = re.compile(r"^/queue/job/[^/]+$")


def _check_keboola_job(s, path, headers, raw):
    where = "Keboola GET /queue/job/{id} -> 200 [the blueprint's job example]"
    media = _media(headers)
    if media != KEBOOLA_JSON:
        raise _violation("%s: Content-Type %r, expected %s" % (where, media, KEBOOLA_JSON))
    job = _parse(raw, media, where)
    command = job.get("command") if isinstance(job, dict) else None
    if command not in s.jobs:
        raise _violation("%s: command %r is none the blueprint shows (%s)"
                         % (where, command, ", ".join(sorted(s.jobs))))
    schema = s.jobs[command]
    if job.get("status") != "success":
        # Not finished (or failed): its result is an object, without a success's keys.
        schema = dict(schema, properties=dict(schema["properties"], result={"type": "object"}))
    s.validate(schema, job, where + " command " + command)
    return "keboola"


def _check_keboola(s, method, path, status, headers, raw):
    if method == "GET" and status == 200 and JOB_PATH.match(path):
        return _check_keboola_job(s, path, headers, raw)
    found = s.find(method, path)
    if found is None or found[1] is None:
        if status < 400:
            return None
        template = found[0] if found else path
        where = "Keboola %s %s (not in the blueprint) -> %d" % (method, template, status)
        schema = KEBOOLA_ERROR_SCHEMA
    else:
        template = found[0]
        where = "Keboola %s %s -> %d" % (method, template, status)
        parts = path.split("/")
        family = "docker" if "docker" in parts[2:4] else "other"
        schema = s.schemas.get((method, template, status, family))
        if schema is None:
            if status < 400:
                documented = sorted(st for (m, t, st, f) in s.schemas
                                    if (m, t, f) == (method, template, family))
                raise _violation("%s: status %d is not one the blueprint documents (%s)"
                                 % (where, status, documented))
            where += " [CONTRACTS.md Keboola error body]"
            schema = KEBOOLA_ERROR_SCHEMA
    media = _media(headers)
    if media != KEBOOLA_JSON:
        raise _violation("%s: Content-Type %r, expected %s" % (where, media, KEBOOLA_JSON))
    s.validate(schema, _parse(raw, media, where), where)
    return "keboola"


# --------------------------------------------------------------------------------------------
# Dispatch

_LOCK = threading.Lock()
_SURFACES = {}


def load():
    """Loads every spec once; raises if one is missing or unreadable."""
    with _LOCK:
        if not _SURFACES:
            d = specs_dir()
            _SURFACES["konnect"] = _load_konnect(d)
            _SURFACES["appmanager"] = _load_swagger(d, "Ververica AppManager 2.6.1",
                                                    APPMANAGER_FILE)
            _SURFACES["platform"] = _load_swagger(d, "Ververica Platform 2.6.1", PLATFORM_FILE)
            _SURFACES["keboola"] = Keboola(d)
    return _SURFACES


# The gateway's route-table prefixes (gateway/routes/*.c) -> surface: every answer under one
# of them is in that surface's dialect. Everything else has no public spec.
PREFIXES = (
    ("/v2/api-products", "konnect"),
    ("/api/v1/namespaces", "appmanager"),
    ("/namespaces", "platform"),
    ("/apitokens", "platform"),
    ("/sql", "platform"),
    ("/catalog", "platform"),
    ("/provisioning", "keboola"),
    # The job queue has no `+ Response` in the blueprint, only the finished jobs it shows
    # (see Keboola.jobs); its errors are held to the contract's error body.
    ("/queue", "keboola"),
)

SURFACES = ("konnect", "ververica-appmanager", "ververica-platform", "keboola")


def surface_of(path):
    for prefix, name in PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return name
    return None


def check(method, path, status, headers, raw):
    """Checks one answer. Returns the surface name it was checked against, or None when the
    path has no public spec (or the swagger has no such operation and nothing failed).
    Raises SpecViolation. headers: lowercased names; raw: the body bytes."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]  # the router's rule: one trailing slash is insignificant
    name = surface_of(path)
    if name is None or method in ("HEAD", "OPTIONS") or status < 200:
        COUNTS["skipped: no public spec"] += 1
        return None
    s = load()[name]
    if name == "konnect":
        got = _check_konnect(s, method, path, status, headers, raw)
    elif name == "keboola":
        got = _check_keboola(s, method, path, status, headers, raw)
    else:
        got = _check_swagger(s, "ververica-" + name, method, path, status, headers, raw)
    COUNTS[got or "skipped: operation not in the spec"] += 1
    return got
