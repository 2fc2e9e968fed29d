#!/usr/bin/python3
"""auth-svc refuses to start with a guessable secret (an admin token or JWT secret shorter
than 32 bytes), saying which, and starts with long enough ones. Without an admin token it
keeps a generated one in <data-dir>/admin-token (mode 0600) across restarts and never logs
it."""

import os
import socket
import subprocess
import tempfile
import unittest

BIN = os.environ.get("HANGAR_BIN_DIR", "build/bin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ShortSecrets(unittest.TestCase):
    def start(self, env, data=None):
        if data is None:
            data = tempfile.TemporaryDirectory()
            self.addCleanup(data.cleanup)
        ready = os.path.join(data.name, "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        argv = [os.path.join(BIN, "auth-svc"), "--listen", "127.0.0.1:%d" % free_port(),
                "--data-dir", os.path.join(data.name, "auth"), "--ready-file", ready]
        full = {k: v for k, v in os.environ.items()
                if k not in ("HANGAR_ADMIN_TOKEN", "HANGAR_JWT_SECRET")}
        full.update(env)
        return subprocess.Popen(argv, env=full, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), ready

    def expect_refused(self, env, what):
        p, _ = self.start(env)
        try:
            out, err = p.communicate(timeout=30)
        finally:
            p.kill()
        self.assertEqual(2, p.returncode, err)
        self.assertIn("%s must be at least 32 bytes" % what, err)
        self.assertNotIn(env.get("HANGAR_ADMIN_TOKEN", "\0"), out + err, "a secret was logged")

    def test_short_admin_token_is_refused(self):
        self.expect_refused({"HANGAR_ADMIN_TOKEN": "short-admin-token",
                             "HANGAR_JWT_SECRET": "j" * 32},
                            "the admin token (HANGAR_ADMIN_TOKEN)")

    def test_short_jwt_secret_is_refused(self):
        self.expect_refused({"HANGAR_ADMIN_TOKEN": "a" * 32, "HANGAR_JWT_SECRET": "short"},
                            "the JWT secret (HANGAR_JWT_SECRET)")

    def test_secrets_of_32_bytes_start(self):
        self.run_until_ready({"HANGAR_ADMIN_TOKEN": "a" * 32, "HANGAR_JWT_SECRET": "j" * 32})

    def test_generated_admin_token_is_kept_0600_and_never_logged(self):
        data = tempfile.TemporaryDirectory()
        self.addCleanup(data.cleanup)
        env = {"HANGAR_JWT_SECRET": "j" * 32}
        logs = self.run_until_ready(env, data)
        path = os.path.join(data.name, "auth", "admin-token")
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        token = open(path).read().strip()
        self.assertTrue(token.startswith("hgadmin_") and len(token) >= 32, token)
        self.assertNotIn(token, logs)
        self.assertIn(path, logs)
        logs = self.run_until_ready(env, data)
        self.assertEqual(token, open(path).read().strip(), "a restart keeps the same token")
        self.assertNotIn(token, logs)

    def test_short_kept_admin_token_is_refused(self):
        data = tempfile.TemporaryDirectory()
        self.addCleanup(data.cleanup)
        os.makedirs(os.path.join(data.name, "auth"))
        with open(os.path.join(data.name, "auth", "admin-token"), "w") as f:
            f.write("short\n")
        p, _ = self.start({"HANGAR_JWT_SECRET": "j" * 32}, data)
        out, err = p.communicate(timeout=30)
        self.assertEqual(2, p.returncode, err)
        self.assertIn("the kept admin token (<data-dir>/admin-token) must be at least 32 bytes",
                      err)
        self.assertNotIn("short", out + err, "the kept token was logged")

    def run_until_ready(self, env, data=None):
        """Starts auth-svc, waits for its ready file, stops it; its output."""
        p, ready = self.start(env, data)
        try:
            for _ in range(300):  # up to 30 s: the ready file, or the process's exit
                if os.path.exists(ready) and os.path.getsize(ready) > 0:
                    break
                try:
                    p.wait(timeout=0.1)
                    self.fail("auth-svc exited: %s" % (p.stderr.read(),))
                except subprocess.TimeoutExpired:
                    pass
            self.assertTrue(os.path.getsize(ready) > 0, "auth-svc never became ready")
        finally:
            p.terminate()
            out, err = p.communicate(timeout=30)
        return out + err


if __name__ == "__main__":
    unittest.main()
