#!/usr/bin/env python3
"""A throw-away OCI registry for tests: Debian's docker-registry (CNCF distribution v2.8)
on 127.0.0.1:<free port> with its storage in a temporary directory.

Authentication modes:
  none      anonymous push and pull;
  htpasswd  HTTP basic (bcrypt htpasswd file made with `htpasswd -B`);
  token     the distribution token flow: the registry answers 401 with
            `Bearer realm=...,service=...,scope=...`, and a small token server here
            (also on 127.0.0.1) checks basic credentials and issues RS256 JWTs signed with
            a key whose self-signed certificate the registry trusts. Anonymous token
            requests get a token with no access, so the registry refuses them.

Use as a context manager (the registry and token server stop in __exit__, also on
errors), or from the shell: `scripts/registry/start.sh [none|htpasswd|token]` runs one in
the foreground until interrupted. Install the registry first: scripts/registry/setup.sh.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

REGISTRY_BIN = "/usr/bin/docker-registry"
SERVICE = "helmpilot-test-registry"
ISSUER = "helmpilot-test-token-issuer"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """Issues registry tokens for users in `users`; counts requests by outcome."""

    def __init__(self, workdir: str, users: dict[str, str]):
        self.users = users
        self.key = os.path.join(workdir, "token.key")
        self.cert = os.path.join(workdir, "token.crt")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key,
             "-out", self.cert, "-days", "2", "-subj", "/CN=helmpilot-test-token"],
            check=True, capture_output=True,
        )
        der = subprocess.run(
            ["openssl", "x509", "-in", self.cert, "-outform", "DER"],
            check=True, capture_output=True,
        ).stdout
        self.x5c = base64.b64encode(der).decode()
        self.requests: list[dict] = []
        self.port = free_port()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server.handle(self)

            def do_POST(self):
                server.handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def sign(self, claims: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        payload = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.key],
            input=payload.encode(), check=True, capture_output=True,
        ).stdout
        return payload + "." + b64url(sig)

    def handle(self, req: http.server.BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlparse(req.path)
        query = urllib.parse.parse_qs(url.query)
        if req.command == "POST":
            length = int(req.headers.get("Content-Length") or 0)
            query.update(urllib.parse.parse_qs(req.rfile.read(length).decode()))
        user = None
        auth = req.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if self.users.get(name) != password:
                self.requests.append({"outcome": "rejected", "user": name})
                req.send_response(401)
                req.send_header("Content-Type", "application/json")
                req.end_headers()
                req.wfile.write(b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
                return
            user = name
        elif query.get("grant_type") == ["password"]:
            name, password = query.get("username", [""])[0], query.get("password", [""])[0]
            if self.users.get(name) != password:
                self.requests.append({"outcome": "rejected", "user": name})
                req.send_response(401)
                req.end_headers()
                return
            user = name
        scopes = []
        for s in query.get("scope", []):
            scopes.extend(s.split(" "))
        access = []
        if user is not None:
            for scope in scopes:
                kind, _, rest = scope.partition(":")
                name, _, actions = rest.rpartition(":")
                if kind == "repository" and name:
                    access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        token = self.sign({
            "iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 600,
            "nbf": now - 30, "iat": now, "jti": uuid.uuid4().hex, "access": access,
        })
        self.requests.append({"outcome": "issued", "user": user, "scopes": scopes, "method": req.command})
        body = json.dumps({"token": token, "expires_in": 600}).encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Registry:
    """A running registry: `host` is `127.0.0.1:<port>`; stops itself on exit."""

    def __init__(self, auth: str = "none", users: dict[str, str] | None = None):
        if auth not in ("none", "htpasswd", "token"):
            raise ValueError(f"unknown auth mode {auth!r}")
        self.auth = auth
        self.users = users or {"helmpilot": "s3cret-Pa55"}
        self.workdir = tempfile.mkdtemp(prefix="helmpilot-registry-")
        self.port = free_port()
        self.token: TokenServer | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path = os.path.join(self.workdir, "registry.log")

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _config(self) -> str:
        storage = os.path.join(self.workdir, "storage")
        os.makedirs(storage)
        lines = [
            "version: 0.1",
            "log:",
            "  level: warn",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {storage}",
            "  delete:",
            "    enabled: true",
            "http:",
            f"  addr: 127.0.0.1:{self.port}",
            f"  secret: {uuid.uuid4().hex}",
        ]
        if self.auth == "htpasswd":
            htpasswd = os.path.join(self.workdir, "htpasswd")
            with open(htpasswd, "w") as f:
                for user, password in self.users.items():
                    out = subprocess.run(["htpasswd", "-Bbn", user, password],
                                         check=True, capture_output=True, text=True).stdout
                    f.write(out.strip() + "\n")
            lines += ["auth:", "  htpasswd:", "    realm: helmpilot-test", f"    path: {htpasswd}"]
        elif self.auth == "token":
            self.token = TokenServer(self.workdir, self.users)
            lines += [
                "auth:", "  token:",
                f"    realm: {self.token.realm}",
                f"    service: {SERVICE}",
                f"    issuer: {ISSUER}",
                f"    rootcertbundle: {self.token.cert}",
            ]
        path = os.path.join(self.workdir, "config.yml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start(self) -> "Registry":
        config = self._config()
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", config], stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"registry exited: {self.log()}")
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return self
            except urllib.error.HTTPError as e:
                if e.code == 401:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("registry did not start within 30 s")

    def log(self) -> str:
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.token is not None:
            self.token.stop()
            self.token = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Registry":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    auth = sys.argv[1] if len(sys.argv) > 1 else "none"
    with Registry(auth) as reg:
        print(f"registry ({auth}) on {reg.host}; users: {', '.join(reg.users)}; Ctrl-C stops it",
              flush=True)
        try:
            while reg.proc is not None and reg.proc.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
