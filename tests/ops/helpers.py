"""Helpers for the operations tests: the real `mitwirken` CLI as subprocesses, a running
`mitwirken serve`, and loud skips when a system tool (nginx, caddy, …) is not installed."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CITY = "musterstadt"
NAME = "Engagierte Stadt Musterstadt"


def cli_command() -> list[str]:
    """`mitwirken` is `mitwirken.server.cli:main`, run by this interpreter: the project's venv,
    whose editable install is this checkout (`test_layers` checks that)."""
    return [sys.executable, "-m", "mitwirken.server.cli"]


def base_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any MITWIRKEN_* leaking in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITWIRKEN_")}
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*cli_command(), *args], capture_output=True, text=True,
                          env=env or base_env(), timeout=timeout, cwd=REPO)
    if check and proc.returncode != 0:
        raise AssertionError(f"mitwirken {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def init_instance(data: Path, url: str) -> None:
    run_cli("init", "--data", str(data), "--url", url, "--name", NAME,
            "--city-username", CITY)


def require_tool(name: str, *candidates: str) -> str:
    """Path of a system tool, or a loud skip naming how CI installs it."""
    for cand in (name, *candidates):
        found = shutil.which(cand) or (cand if os.path.isabs(cand) and os.access(cand, os.X_OK)
                                       else None)
        if found:
            return found
    pytest.skip(f"!!! {name} is not installed here – run .ci/system-deps.sh "
                f"(installs nginx, caddy, docker-compose, shellcheck, hadolint) !!!")


def wait_http(url: str, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def wait_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited early with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


class Server:
    """`mitwirken serve` as a subprocess, logging into a file that tests may read."""

    def __init__(self, data: Path, port: int, log: Path, **env: str) -> None:
        self.data, self.port, self.log_path = data, port, log
        self.env = base_env(**{"MITWIRKEN_ALLOW_PRIVATE_NETWORK": "1", **env})
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [*cli_command(), "serve", "--data", str(self.data), "--port", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO)
        try:
            wait_http(f"{self.url}/healthz", proc=self.proc)
        except AssertionError:
            self.__exit__()
            raise AssertionError(f"serve did not start:\n{self.log()}") from None
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Server]:
    """An initialised instance with two organisations, served on a free loopback port."""
    port = free_port()
    data = tmp_path / "data"
    init_instance(data, f"http://127.0.0.1:{port}")
    for user, name in (("tafel", "Musterstädter Tafel e.V."), ("fwv", "Freiwilligenagentur")):
        run_cli("org", "add", "--data", str(data), "--username", user, "--name", name,
                "--sector", "civil-society")
    with Server(data, port, tmp_path / "serve.log") as server:
        yield server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An initialised data folder, not served (for tests that need no running server)."""
    data = tmp_path / "data"
    init_instance(data, f"http://127.0.0.1:{free_port()}")
    return data


def table_rows(db: Path) -> dict[str, set[tuple]]:
    """Every row of every table, for before/after comparisons."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: set(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
    finally:
        conn.close()


def make_tls(folder: Path, hostname: str = "localhost") -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for `hostname` and 127.0.0.1, as PEM files:
    (ca.pem, cert.pem, key.pem). Stands in for Let's Encrypt in the proxy tests."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mitwirken Test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "ca.pem", folder / "fullchain.pem", folder / "privkey.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def nginx_site(tmp: Path, *, https_port: int, http_port: int, app_port: int,
               certs: Path) -> Path:
    """deploy/nginx-mitwirken.conf with only host, ports and certificate folder substituted,
    wrapped in a minimal nginx.conf that keeps pid, logs and temp files in `tmp`."""
    site = (DEPLOY / "nginx-mitwirken.conf").read_text()
    replacements = {
        "/etc/letsencrypt/live/mitwirken.example.de": str(certs),
        "mitwirken.example.de": "localhost",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "server 127.0.0.1:8080;": f"server 127.0.0.1:{app_port};",
        "root /var/www/letsencrypt;": f"root {tmp};",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx-mitwirken.conf no longer contains {old!r}"
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site)
    conf = tmp / "nginx.conf"
    # As root, nginx would run its workers as `nobody`, who cannot enter pytest's 0700 tmp dirs.
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(f"""
{user}
worker_processes 1;
error_log {tmp}/error.log info;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
""")
    return conf


def future_migration(conn: sqlite3.Connection) -> None:
    """Make a database look as if a newer Mitwirken had migrated it."""
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('mitwirken', 'm999_from_the_future', '2030-01-01 00:00:00')")
