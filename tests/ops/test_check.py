"""`mitwirken check` against a real running instance: a healthy one passes, a misconfigured or
unreachable one fails with a clear message and exit status 1."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web

from mitwirken.server.config import load_settings
from mitwirken.server.usecases import instance_check as doctor
from tests.ops.helpers import Server, base_env, free_port, init_instance, run_cli


@pytest.mark.slow
def test_check_passes_against_running_instance(instance: Server) -> None:
    proc = run_cli("check", "--data", str(instance.data), env=instance.env)
    out = proc.stdout
    assert proc.returncode == 0, out
    for line in ("OK    WebFinger für musterstadt@", "answers as an ActivityPub actor",
                 "OK    Uhrzeit stimmt", "Datenordner", "/healthz answers",
                 "Migrationen aktuell"):
        assert line in out, out
    assert "FAIL" not in out.replace("0 FAIL", "")


@pytest.mark.slow
def test_check_fails_when_public_url_does_not_match(instance: Server) -> None:
    """The admin configured another host than the one the server knows itself by: remote
    servers would find no account. (Same port, so the request does reach the instance.)"""
    env = {**instance.env, "MITWIRKEN_BASE_URL": f"http://localhost:{instance.port}"}
    proc = run_cli("check", "--data", str(instance.data), env=env, check=False)
    assert proc.returncode == 1
    assert "FAIL  WebFinger für musterstadt@localhost" in proc.stdout
    assert "answers HTTP 404" in proc.stdout


@pytest.mark.slow
def test_check_fails_when_unreachable(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    init_instance(tmp_path / "d", f"http://127.0.0.1:{port}")
    proc = run_cli("check", "--data", str(tmp_path / "d"), check=False)
    assert proc.returncode == 1
    assert "nicht erreichbar" in proc.stdout and "is not reachable" in proc.stdout
    offline = run_cli("check", "--data", str(tmp_path / "d"), "--offline", check=False)
    assert offline.returncode == 0, offline.stdout
    assert "WARN  http://127.0.0.1" in offline.stdout  # plain http on a public instance


def test_check_uninitialised_folder(tmp_path: Path) -> None:
    findings = doctor.check(tmp_path / "nothing", offline=True, env={})
    assert [f.level for f in findings] == ["FAIL"]
    assert "nicht eingerichtet" in findings[0].de and "not initialised" in findings[0].en
    assert doctor.exit_code(findings) == 1


def test_local_findings(tmp_path: Path) -> None:
    assert doctor.check_writable(tmp_path).level == "OK"
    assert doctor.check_writable(tmp_path / "missing").level == "FAIL"
    assert doctor.check_disk(tmp_path).level == "OK"
    assert doctor.check_disk(tmp_path, minimum=1 << 62).level == "WARN"


@pytest.mark.parametrize(("seconds", "level"), [
    (0, "OK"), (29, "OK"), (-31, "WARN"), (299, "WARN"), (301, "FAIL"), (-3600, "FAIL")])
def test_clock_skew_thresholds(seconds: float, level: str) -> None:
    assert doctor.classify_skew(seconds).level == level


async def test_clock_skew_read_from_the_servers_date_header(aiohttp_server, tmp_path: Path
                                                            ) -> None:
    """A peer-like server whose clock is 10 minutes behind: the check reads its Date header."""
    async def webfinger(request: web.Request) -> web.Response:
        stale = format_datetime(datetime.now(UTC) - timedelta(minutes=10), usegmt=True)
        return web.json_response({}, status=404, headers={"Date": stale})

    app = web.Application()
    app.router.add_get("/.well-known/webfinger", webfinger)
    server = await aiohttp_server(app)
    init_instance(tmp_path / "d", f"http://127.0.0.1:{server.port}")
    settings = load_settings(tmp_path / "d", env=base_env())
    findings = await doctor.check_public(settings, seconds=5)
    skew = [f for f in findings if "clock" in f.en]
    assert skew and skew[0].level == "FAIL" and re.search(r"60[01] s", skew[0].en)
    assert any(f.level == "FAIL" and "WebFinger" in f.en for f in findings)


def test_render_has_both_languages() -> None:
    text = doctor.render([doctor.Finding("OK", "geht", "works"),
                          doctor.Finding("FAIL", "kaputt", "broken")])
    assert "OK    geht\n      works" in text and "1 FAIL" in text and "1 failed" in text


def test_database_findings(tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "d"
    init_instance(data, "https://engagiert.musterstadt.de")
    db = data / "mitwirken.db"
    db.chmod(0o600)
    levels = {f.en: f.level for f in doctor.check(data, offline=True, env={})}
    assert levels["database opens, migrations are current."] == "OK"
    assert not any("readable by other users" in en for en in levels)
    conn = sqlite3.connect(db, isolation_level=None)
    last = conn.execute("SELECT max(rowid) FROM _sqlite_migrations").fetchone()[0]
    conn.execute("DELETE FROM _sqlite_migrations WHERE rowid = ?", [last])
    conn.close()
    findings = doctor.check(data, offline=True, env={})
    assert any(f.level == "WARN" and "pending" in f.en for f in findings)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('mitwirken', 'm999_future', '2030-01-01')")
    conn.close()
    findings = doctor.check(data, offline=True, env={})
    assert any(f.level == "FAIL" and "neueren Mitwirken-Version" in f.de for f in findings)
    assert doctor.exit_code(findings) == 1
