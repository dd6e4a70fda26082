"""Upgrades: a database of an older version is migrated at start without losing anything; a
database of a newer version is refused with a clear message; migrations only ever add."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from mitwirken.models.migrations import MIGRATIONS
from mitwirken.server.config import write_settings_file
from tests.ops.helpers import CITY, NAME, Server, free_port, future_migration, run_cli

pytestmark = pytest.mark.slow


def old_database(data: Path, port: int) -> list[str]:
    """A data folder as the first release left it: only the first migration applied, the
    city written with that release's columns. Returns the migrations it lacks."""
    names = [m.name for m in MIGRATIONS._migrations]
    if len(names) < 2:
        pytest.skip("only one migration exists yet; nothing to upgrade from")
    data.mkdir()
    db = sqlite_utils.Database(sqlite3.connect(data / "mitwirken.db", isolation_level=None))
    MIGRATIONS.apply(db, stop_before=names[1])
    from mitwirken.federation.keys import new_rsa_keypair

    for username, kind in (("instance", "instance"), (CITY, "city")):
        public, private = new_rsa_keypair()
        db.execute(
            "INSERT INTO actors (username, kind, name, public_key_pem, private_key_pem,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, '2025-01-01T00:00:00Z',"
            " '2025-01-01T00:00:00Z')", [username, kind, NAME, public, private])
    db.conn.close()
    write_settings_file(data, {"base_url": f"http://127.0.0.1:{port}", "instance_name": NAME,
                               "city_username": CITY})
    return names[1:]


def test_old_database_is_migrated_at_start_and_keeps_its_keys(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    missing = old_database(data, port)
    before = sqlite3.connect(data / "mitwirken.db").execute(
        "SELECT username, public_key_pem, private_key_pem FROM actors ORDER BY 1").fetchall()
    offline = run_cli("check", "--data", str(data), "--offline", check=False)
    assert "WARN" in offline.stdout and "pending" in offline.stdout, offline.stdout
    with Server(data, port, tmp_path / "serve.log") as server:
        req = urllib.request.Request(f"{server.url}/actors/{CITY}",
                                     headers={"Accept": "application/activity+json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            actor = json.loads(r.read())
    conn = sqlite3.connect(data / "mitwirken.db")
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    after = conn.execute(
        "SELECT username, public_key_pem, private_key_pem FROM actors ORDER BY 1").fetchall()
    assert set(missing) <= set(applied)
    assert after == before
    assert actor["publicKey"]["publicKeyPem"] == dict((u, p) for u, p, _ in before)[CITY]
    assert "Migrationen aktuell" in run_cli("check", "--data", str(data), "--offline").stdout


def test_serve_refuses_database_of_newer_version(instance: Server) -> None:
    """An older version never opens a database that a newer one has migrated."""
    instance.__exit__()
    conn = sqlite3.connect(instance.data / "mitwirken.db", isolation_level=None)
    future_migration(conn)
    conn.close()
    proc = run_cli("serve", "--data", str(instance.data), "--port", str(free_port()),
                   check=False, timeout=30)
    assert proc.returncode == 1
    assert "neueren Mitwirken-Version" in proc.stderr and "newer Mitwirken" in proc.stderr
    assert "m999_from_the_future" in proc.stderr


def test_migrations_are_never_destructive() -> None:
    """Upgrades only add: a migration that drops or deletes must be reviewed by a human (and
    documented in the upgrade notes), so this test fails until someone looks."""
    folder = Path(__file__).resolve().parents[2] / "models" / "migrations"
    source = "".join(p.read_text() for p in sorted(folder.glob("*.py")))
    # Reviewed: m006 drops the old full-text index `search_fts` after carrying every row over
    # into `search_text` — a derived index, no data (docs/OPERATIONS.md, upgrade notes).
    # Reviewed: m018 rebuilds `deliveries` to widen its state CHECK (adds `held`): every row
    # is copied into the new table before the old one is dropped and the new one renamed,
    # in one transaction (docs/OPERATIONS.md, upgrade notes; tests/unit/test_migration_m018.py).
    # Reviewed: m022 drops the full-text index `search_text` after every row of it has been
    # written into `search_text_flipped` under its new rowid, which then takes the name — a
    # derived index, no data (docs/OPERATIONS.md, upgrade notes; tests/unit/test_migration_m022.py).
    assert source.count("DROP TABLE") == 3
    source = source.replace('db.execute("DROP TABLE search_fts")', "")
    source = source.replace('db.execute("DROP TABLE deliveries")', "")
    source = source.replace('db.execute("DROP TABLE search_text")', "")
    # Reviewed: m008 empties `search_terms`, the vocabulary derived from `search_text`, and
    # rebuilds it from the rewritten (stemmed) rows in the same migration (docs/OPERATIONS.md).
    assert source.count("DELETE FROM search_terms") == 1
    source = source.replace("DELETE FROM search_terms", "")
    for word in ("DROP TABLE", "DROP COLUMN", "DELETE FROM", "drop(", ".transform("):
        assert word.lower() not in source.lower(), f"destructive migration step: {word}"
