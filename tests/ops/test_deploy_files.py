"""The files in deploy/ are checked by the tools that will read them in production, where
those tools install here (.ci/system-deps.sh); no Docker engine runs on CI machines, so the
image and compose file are linted and validated, not built or started."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from mitwirken.server.config import env_name, load_settings, setting_names
from tests.ops.helpers import DEPLOY, REPO, base_env, free_port, make_tls, nginx_site, require_tool


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = require_tool("nginx", "/usr/sbin/nginx")
    certs = tmp_path / "certs"
    make_tls(certs)
    conf = nginx_site(tmp_path, https_port=free_port(), http_port=free_port(),
                      app_port=8080, certs=certs)
    proc = run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")])
    assert proc.returncode == 0, proc.stderr
    assert "test is successful" in proc.stderr


def test_nginx_site_matches_the_other_deploy_files() -> None:
    site = (DEPLOY / "nginx-mitwirken.conf").read_text()
    unit = (DEPLOY / "mitwirken.service").read_text()
    assert "server 127.0.0.1:8080;" in site and "MITWIRKEN_PORT=8080" in unit
    assert "MITWIRKEN_TRUSTED_PROXIES=127.0.0.1" in unit
    assert "client_max_body_size 1m;" in site
    assert "max_size 1MiB" in (DEPLOY / "Caddyfile").read_text()
    for header in ("X-Forwarded-For $remote_addr", "X-Forwarded-Proto $scheme",
                   "X-Forwarded-Host", "Host $http_host"):
        assert header in site


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    exe = shutil.which("mitwirken") or str(Path(__import__("sys").executable))
    units = []
    for name in ("mitwirken.service", "mitwirken-backup.service", "mitwirken-backup.timer"):
        text = (DEPLOY / name).read_text().replace("/opt/mitwirken/venv/bin/mitwirken", exe)
        (tmp_path / name).write_text(text)
        units.append(str(tmp_path / name))
    proc = run([analyze, "verify", "--man=no", *units])
    problems = [line for line in (proc.stdout + proc.stderr).splitlines()
                if "mitwirken" in line and "Cannot add dependency job" not in line]
    assert proc.returncode == 0 and not problems, proc.stdout + proc.stderr
    # A broken unit is reported, so the check above can fail.
    (tmp_path / "broken.service").write_text("[Service]\nExecStart=relative/path\n")
    assert run([analyze, "verify", "--man=no", str(tmp_path / "broken.service")]).returncode


def test_caddyfile_validates(tmp_path: Path) -> None:
    caddy = require_tool("caddy")
    env = base_env(MITWIRKEN_DOMAIN="engagiert.musterstadt.de", ACME_EMAIL="it@musterstadt.de",
                   HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
                   XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = run([caddy, "validate", "--config", str(DEPLOY / "Caddyfile"),
                "--adapter", "caddyfile"], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Valid configuration" in proc.stdout + proc.stderr


def test_compose_file_validates(tmp_path: Path) -> None:
    compose = require_tool("docker-compose")
    for name in ("compose.yaml", "Caddyfile"):
        shutil.copy(DEPLOY / name, tmp_path / name)
    shutil.copy(DEPLOY / "mitwirken.env.example", tmp_path / "mitwirken.env")
    env = base_env(MITWIRKEN_DOMAIN="engagiert.musterstadt.de", ACME_EMAIL="it@musterstadt.de")
    proc = run([compose, "-f", str(tmp_path / "compose.yaml"), "config"], env=env)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "MITWIRKEN_DOMAIN: engagiert.musterstadt.de" in out
    assert "- mitwirken-data:/data:rw" in out and "condition: service_healthy" in out
    # Without the domain, compose refuses with the message from compose.yaml.
    env.pop("MITWIRKEN_DOMAIN")
    proc = run([compose, "-f", str(tmp_path / "compose.yaml"), "config"], env=env)
    assert proc.returncode != 0 and "set MITWIRKEN_DOMAIN" in proc.stderr


def test_compose_trusts_exactly_caddy() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    trusted = re.search(r"MITWIRKEN_TRUSTED_PROXIES: (\S+)", text).group(1)
    caddy_block = text.split("\n  caddy:\n")[1]
    assert f"ipv4_address: {trusted}" in caddy_block
    assert "/healthz" in (DEPLOY / "Caddyfile").read_text()


def test_dockerfile_lints_and_follows_the_rules() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms and all("slim" in f and ":latest" not in f for f in froms)
    assert re.search(r"^USER 10001:10001$", text, re.M), "runs as a numeric non-root user"
    assert 'VOLUME ["/data"]' in text and "HEALTHCHECK" in text and "/healthz" in text
    for src in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for part in src.split():
            assert (REPO / part).exists(), f"Dockerfile copies {part}, which does not exist"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert "!server/" in ignore and "!models/" in ignore and "!federation/" in ignore
    hadolint = require_tool("hadolint", "/opt/mitwirken-ci-tools/bin/hadolint")
    proc = run([hadolint, str(DEPLOY / "Dockerfile")])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_script_passes_shellcheck() -> None:
    shellcheck = require_tool("shellcheck")
    proc = run([shellcheck, str(REPO / ".ci" / "system-deps.sh")])
    assert proc.returncode == 0, proc.stdout


def test_env_example_explains_every_setting(tmp_path: Path) -> None:
    text = (DEPLOY / "mitwirken.env.example").read_text()
    for name in setting_names():
        line = re.search(rf"^#?{env_name(name)}=(.*)$", text, re.M)
        assert line, f"{env_name(name)} is missing from deploy/mitwirken.env.example"
        before = text[:line.start()].rstrip().splitlines()[-1]
        assert before.startswith("#") and len(before) > 10, f"{name} needs an explanation"
    # The example values are valid settings.
    env = dict(re.findall(r"^#?(MITWIRKEN_[A-Z_]+)=(.*)$", text, re.M))
    settings = load_settings(tmp_path, env=env)
    assert settings.base_url.startswith("https://") and settings.trusted_proxies == ["127.0.0.1"]


def test_system_deps_script_is_fast_when_installed() -> None:
    """`.ci/run` calls it on every run: with everything present it must not touch apt."""
    for tool in ("nginx", "caddy", "docker-compose", "shellcheck", "systemd-analyze", "hadolint"):
        require_tool(tool, f"/usr/sbin/{tool}")
    started = time.monotonic()
    proc = run(["bash", str(REPO / ".ci" / "system-deps.sh")])
    assert proc.returncode == 0 and "already installed" in proc.stdout, proc.stdout + proc.stderr
    assert time.monotonic() - started < 5
