"""Raw wire bytes straight to every service's socket (issue 11, item 1): requests nesting
10,000 levels deep, with and without a token, to a method of each service and to its
Admission/Admit, are refused with INVALID_ARGUMENT before anything unpacks them, and the
service keeps serving. A 64-deep JSON body (its metadata 63 deep) through the gateway is still
accepted.

The bytes are encoded by hand here and sent by tests/tools/grpc_raw.c (grpc-raw), since a
well-behaved client cannot encode them."""

import os
import subprocess

import harness
from harness import HangarTest

DEEP = 10000
INVALID_ARGUMENT, OK = 3, 0


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    """A length-delimited field."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def deep_struct(depth):
    """google.protobuf.Struct {"a": {"a": ... null}} nesting depth objects: each level is a
    Struct, its fields entry and a Value (three wire messages)."""
    value = varint(1 << 3 | 0) + varint(0)  # Value{null_value: NULL_VALUE}
    for _ in range(depth):
        struct = field(1, field(1, b"a") + field(2, value))  # Struct{fields: {"a": value}}
        value = field(5, struct)  # Value{struct_value}
    return struct


def deep_groups(depth):
    """An unknown field 99 opened as a group depth times (wire type 3), then closed."""
    return varint(99 << 3 | 3) * depth + varint(99 << 3 | 4) * depth


def update_product(depth):
    return field(1, b"00000000-0000-4000-8000-000000000000") + field(4, deep_struct(depth))


CASES = (  # service, method, deep request
    ("products-svc", "/hangar.products.v1.ApiProducts/UpdateApiProduct", update_product(DEEP)),
    ("products-svc", "/hangar.products.v1.ApiProducts/UpdateApiProduct", deep_groups(DEEP)),
    ("resources-svc", "/hangar.resources.v1.KtrlPlane/CreateResource", deep_groups(DEEP)),
    ("auth-svc", "/hangar.auth.v1.AuthAdmin/CreateToken", deep_groups(DEEP)),
)
SOCKETS = {"products-svc": "products.sock", "resources-svc": "resources.sock",
           "auth-svc": "auth.sock"}


class RawWireTest(HangarTest):
    def call(self, service, method, payload, auth=None):
        """(code, message) of one raw call to service's socket."""
        argv = [os.path.join(self.s.bin_dir, "grpc-raw"),
                "unix:" + self.s._p(SOCKETS[service]), method]
        if auth is not None:
            argv.append(auth)
        p = subprocess.run(argv, input=payload, capture_output=True, timeout=30)
        self.assertEqual(0, p.returncode, p.stderr)
        code, _, message = p.stdout.decode().strip().partition(" ")
        return int(code), message

    def serving(self, service):
        code, _ = self.call(service, "/grpc.health.v1.Health/Check", b"")
        self.assertEqual(OK, code, "%s stopped serving" % service)

    def test_deep_requests_are_invalid_argument_and_services_keep_serving(self):
        for service, method, payload in CASES:
            for auth in (None, "Bearer " + self.admin):
                code, message = self.call(service, method, payload, auth)
                self.assertEqual(INVALID_ARGUMENT, code, "%s %s: %s" % (service, method, message))
                admit = field(1, method.encode()) + field(2, payload)
                code, message = self.call(service, "/hangar.rpc.v1.Admission/Admit", admit, auth)
                self.assertEqual(INVALID_ARGUMENT, code, "%s Admit: %s" % (service, message))
                self.serving(service)
        self.assertEqual([], self.s.dead_unexpectedly())
        self.expect(self.req("GET", "/v2/api-products", token=self.admin), 200)

    def test_shallow_request_passes_the_guard(self):
        # The same request 60 levels deep reaches the handler (an unknown product: 404).
        code, message = self.call("products-svc",
                                  "/hangar.products.v1.ApiProducts/UpdateApiProduct",
                                  update_product(60), "Bearer " + self.admin)
        self.assertEqual(5, code, message)

    def test_64_deep_json_metadata_is_accepted(self):
        product = self.expect(self.req("POST", "/v2/api-products", {"name": "deep"},
                                       token=self.admin), 201)
        # The deepest body the gateway takes (64 levels: the body's own object and 63 of
        # metadata), which transcodes to ~3 x 63 wire levels plus the envelope: under 200.
        metadata = {}
        for _ in range(62):
            metadata = {"a": metadata}
        doc = self.expect(self.req("POST", "/v2/api-products/%s/documents" % product["id"],
                                   {"title": "t", "slug": "deep", "content": "# x",
                                    "status": "published", "metadata": metadata},
                                   token=self.admin), 201)
        self.assertEqual(metadata, doc["metadata"])


if __name__ == "__main__":
    harness.main()
