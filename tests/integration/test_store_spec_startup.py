#!/usr/bin/python3
"""Every service refuses a malformed --store at start, saying so and giving the syntax,
instead of a bare "invalid argument" (storage/store_service.c), and writes no ready file."""

import os
import subprocess
import tempfile
import unittest

BIN = os.environ.get("HANGAR_BIN_DIR", "build/bin")
SERVICES = ["auth-svc", "resources-svc", "products-svc", "credentials-svc"]
BAD = [
    "etcd:127.0.0.1:2379?max-txn-ops=1",             # under etcd's floor of 2
    "etcd:127.0.0.1:2379?max-request-bytes=1024",    # under 64 KiB
    "etcd:127.0.0.1:2379?max-txn-ops=8&max-txn-ops=9",
    "etcd:127.0.0.1:2379?limit=5",                   # no such parameter
    "mysql:somewhere",                               # no such engine
]
SYNTAX = ("lmdb:DIR or etcd:HOST:PORT[,HOST:PORT...][/PREFIX]"
          "[?max-txn-ops=N&max-request-bytes=N] (at least 2 ops and 65536 bytes)")


class BadStoreSpec(unittest.TestCase):
    def test_each_service_names_the_bad_spec(self):
        env = dict(os.environ, HANGAR_ADMIN_TOKEN="a" * 32, HANGAR_JWT_SECRET="j" * 32)
        for name in SERVICES:
            for spec in BAD:
                with self.subTest(service=name, spec=spec), tempfile.TemporaryDirectory() as d:
                    ready = os.path.join(d, "ready")
                    p = subprocess.run(
                        [os.path.join(BIN, name), "--listen", "unix:" + os.path.join(d, "s.sock"),
                         "--data-dir", d, "--ready-file", ready, "--store", spec],
                        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                        timeout=30)
                    self.assertNotEqual(0, p.returncode, p.stderr)
                    self.assertFalse(os.path.exists(ready), "ready despite a bad --store")
                    err = p.stderr
                    if spec.startswith("mysql:"):  # the engine is checked with the settings
                        self.assertIn("bad --store 'mysql:somewhere'", err)
                        continue
                    self.assertIn("bad --store 'etcd:127.0.0.1:2379/%s?%s': %s"
                                  % (name, spec.split("?", 1)[1], SYNTAX), err)


if __name__ == "__main__":
    unittest.main()
