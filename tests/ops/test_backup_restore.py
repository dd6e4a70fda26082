"""Backups are taken while the server and another writer are busy, and restore everything:
every object, every key, every pending delivery. Restores never overwrite, never downgrade."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
import tarfile
import threading
import time
from pathlib import Path

import pytest

from mitwirken.server.usecases import backup as ops
from tests.ops.helpers import CITY, Server, future_migration, run_cli, table_rows

pytestmark = pytest.mark.slow

PENDING = ("https://peer.example/activities/1", CITY, "http://127.0.0.1:9/inbox", "127.0.0.1:9",
           '{"type": "Create"}', "pending", 0, "2999-01-01T00:00:00Z", "2025-01-01T00:00:00Z")


def insert_delivery(conn: sqlite3.Connection, row: tuple = PENDING) -> None:
    conn.execute(
        "INSERT INTO deliveries (activity_id, username, inbox, domain, body, state, attempts,"
        " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


class Writer(threading.Thread):
    """A second connection that keeps committing transactions of two rows each (an outbox
    activity and its delivery), the shape of a real publish: a consistent snapshot holds both
    rows of every transaction or neither."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.stop, self.commits, self.error = db, threading.Event(), 0, None

    def run(self) -> None:
        conn = sqlite3.connect(self.db, isolation_level=None, timeout=10)
        try:
            while not self.stop.is_set():
                n = self.commits
                aid = f"https://musterstadt.example/activities/w{n}"
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO outbox (id, username, type, activity, published)"
                    " VALUES (?, ?, 'Create', ?, '2025-01-01T00:00:00Z')",
                    [aid, CITY, json.dumps({"id": aid, "pad": "x" * 400})])
                insert_delivery(conn, (aid, CITY, "http://127.0.0.1:9/inbox", "127.0.0.1:9",
                                       "{}", "pending", 0, "2999-01-01T00:00:00Z",
                                       "2025-01-01T00:00:00Z"))
                conn.execute("COMMIT")
                self.commits += 1
                # A server commits in bursts, not back to back: without a pause this loop
                # re-takes the lock at once and starves other writers past their busy timeout.
                time.sleep(0.001)
        except Exception as exc:  # surfaced by the test
            self.error = exc
        finally:
            conn.close()


def seed(db: Path, rows: int) -> None:
    """Some weight, so the snapshot takes measurable time while the writer runs."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=10)
    with conn:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO outbox (id, username, type, activity, published)"
            " VALUES (?, ?, 'Create', ?, '2025-01-01T00:00:00Z')",
            [(f"https://musterstadt.example/activities/s{i}", CITY, "y" * 1000)
             for i in range(rows)])
        insert_delivery(conn)
        conn.execute("COMMIT")
    conn.close()


def test_backup_while_busy_then_restore_everything(instance: Server, tmp_path: Path) -> None:
    db = instance.data / "mitwirken.db"
    seed(db, 20_000)
    writer = Writer(db)
    writer.start()
    time.sleep(0.3)
    assert writer.commits > 0, "the writer should be committing before the backup starts"
    before = table_rows(db)
    # An organisation is added through the CLI while the backup runs, too.
    org_errors: list[BaseException] = []

    def add_org() -> None:
        try:
            run_cli("org", "add", "--data", str(instance.data), "--username", "sportverein",
                    "--name", "TSV Musterstadt", "--sector", "civil-society")
        except BaseException as exc:  # surfaced below, not as a thread warning
            org_errors.append(exc)

    org = threading.Thread(target=add_org)
    org.start()
    started, commits_at_start = time.monotonic(), writer.commits
    out = run_cli("backup", "--data", str(instance.data), "--to", str(tmp_path / "backups") + "/")
    seconds = time.monotonic() - started
    commits_during = writer.commits - commits_at_start
    org.join()
    assert org_errors == [], org_errors
    time.sleep(0.2)
    writer.stop.set()
    writer.join(10)
    assert writer.error is None
    after = table_rows(db)
    assert commits_during > 0

    archive = next((tmp_path / "backups").glob("mitwirken-*.tar.gz"))
    assert "backup written" in out.stdout
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    print(f"\nbackup: {archive.stat().st_size} bytes, {seconds:.2f} s (CLI incl. start-up), "
          f"{len(after['outbox'])} outbox rows, {commits_during} commits during the backup")

    restored = tmp_path / "restored"
    out = run_cli("restore", "--from", str(archive), "--data", str(restored))
    assert "restored" in out.stdout
    rdb = restored / "mitwirken.db"
    got = table_rows(rdb)
    assert stat.S_IMODE(rdb.stat().st_mode) == 0o600
    assert stat.S_IMODE(restored.stat().st_mode) == 0o700
    assert (restored / "mitwirken.toml").read_bytes() == (
        instance.data / "mitwirken.toml").read_bytes()
    for table, rows in before.items():
        if table == "change_counters":  # counters of writes, not rows: they only grow
            assert all(got_n >= dict(rows)[name] for name, got_n in got[table])
            continue
        assert rows <= got[table], f"{table}: rows committed before the backup are missing"
        assert got[table] <= after[table], f"{table}: restored rows that never existed"
    # All-or-nothing per transaction: each writer activity came with exactly one delivery.
    w_out = {r[1] for r in got["outbox"] if "/activities/w" in r[1]}
    w_del = {r[1] for r in got["deliveries"] if "/activities/w" in r[1]}
    assert w_out == w_del
    # Keys, pending delivery and the consistency of the copy.
    keys = {r[0]: r for r in sqlite3.connect(db).execute(
        "SELECT username, public_key_pem, private_key_pem FROM actors")}
    rkeys = {r[0]: r for r in sqlite3.connect(rdb).execute(
        "SELECT username, public_key_pem, private_key_pem FROM actors")}
    assert {CITY, "instance", "tafel", "fwv"} <= set(rkeys)
    assert all(rkeys[u] == keys[u] for u in rkeys)
    pending = sqlite3.connect(rdb).execute(
        "SELECT activity_id, state, next_attempt_at FROM deliveries WHERE activity_id = ?",
        [PENDING[0]]).fetchall()
    assert pending == [(PENDING[0], "pending", PENDING[7])]
    assert sqlite3.connect(rdb).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_restored_instance_serves_the_same_identity(instance: Server, tmp_path: Path) -> None:
    import urllib.request

    run_cli("backup", "--data", str(instance.data), "--to", str(tmp_path / "b.tar.gz"))
    run_cli("restore", "--from", str(tmp_path / "b.tar.gz"), "--data", str(tmp_path / "new"))
    accept = {"Accept": "application/activity+json"}

    def actor(url: str) -> dict:
        req = urllib.request.Request(f"{url}/actors/{CITY}", headers=accept)
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    original = actor(instance.url)
    instance.__exit__()  # the old server stops; the restored data takes over its port
    with Server(tmp_path / "new", instance.port, tmp_path / "new.log") as again:
        assert actor(again.url) == original


def test_rotation_keeps_newest(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rot"
    for _ in range(4):
        run_cli("backup", "--data", str(data_dir), "--to", str(folder) + "/", "--keep", "2")
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2, names
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_restore_refuses_non_empty_target(data_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    run_cli("backup", "--data", str(data_dir), "--to", str(archive))
    db = data_dir / "mitwirken.db"
    before = db.read_bytes()
    proc = run_cli("restore", "--from", str(archive), "--data", str(data_dir), check=False)
    assert proc.returncode == 1
    assert "enthält bereits eine Datenbank" in proc.stderr and "not empty" in proc.stderr
    assert db.read_bytes() == before
    proc = run_cli("backup", "--data", str(data_dir), "--to", str(archive), check=False)
    assert proc.returncode == 1 and "exists" in proc.stderr


def rebuild(archive: Path, out: Path, change_db=None, extra: dict[str, bytes] | None = None,
            fix_checksum: bool = True) -> None:
    """Write a modified copy of a backup archive (what a newer version or an attacker makes)."""
    work = out.parent / (out.name + ".d")
    work.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    if change_db:
        conn = sqlite3.connect(work / "mitwirken.db", isolation_level=None)
        change_db(conn)
        conn.close()
    manifest = json.loads((work / "manifest.json").read_text())
    if fix_checksum:
        manifest["database_sha256"] = ops.sha256(work / "mitwirken.db")
    (work / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(out, "w:gz") as tar:
        for name in ("manifest.json", "mitwirken.db", "mitwirken.toml"):
            tar.add(work / name, arcname=name)
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_restore_refuses_backup_of_newer_version(data_dir: Path, tmp_path: Path) -> None:
    archive, newer = tmp_path / "b.tar.gz", tmp_path / "newer.tar.gz"
    run_cli("backup", "--data", str(data_dir), "--to", str(archive))
    rebuild(archive, newer, change_db=future_migration)
    target = tmp_path / "target"
    proc = run_cli("restore", "--from", str(newer), "--data", str(target), check=False)
    assert proc.returncode == 1
    assert "neueren Mitwirken-Version" in proc.stderr and "m999_from_the_future" in proc.stderr
    assert not target.exists(), "a refused restore leaves nothing behind"
    empty = tmp_path / "empty"
    empty.mkdir()
    run_cli("restore", "--from", str(newer), "--data", str(empty), check=False)
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("case", ["traversal", "checksum", "not_a_backup"])
def test_restore_refuses_damaged_or_foreign_archives(data_dir: Path, tmp_path: Path,
                                                     case: str) -> None:
    archive, bad = tmp_path / "b.tar.gz", tmp_path / "bad.tar.gz"
    run_cli("backup", "--data", str(data_dir), "--to", str(archive))
    if case == "traversal":
        rebuild(archive, bad, extra={"../escaped": b"x"})
    elif case == "checksum":
        # The database changed after the manifest was written (bit rot, tampering).
        rebuild(archive, bad, change_db=lambda c: c.execute("UPDATE actors SET name = 'x'"),
                fix_checksum=False)
    else:
        bad.write_bytes(b"not a tarball")
    target = tmp_path / "target"
    proc = run_cli("restore", "--from", str(bad), "--data", str(target), check=False)
    assert proc.returncode == 1, proc.stdout
    assert not target.exists()
    assert not (tmp_path / "escaped").exists()


def test_same_second_backups_and_rotation_leave_other_files_alone(data_dir: Path,
                                                                 tmp_path: Path) -> None:
    from datetime import UTC, datetime

    folder = tmp_path / "same"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")
    (folder / "before-upgrade.tar.gz").write_text("kept by hand")
    now = datetime(2025, 3, 1, 3, 15, tzinfo=UTC)
    first = ops.backup(data_dir, folder, now=now)
    second = ops.backup(data_dir, folder, keep=1, now=now)
    assert first.path.name == "mitwirken-20250301T031500Z.tar.gz"
    assert second.path.name == "mitwirken-20250301T031500Z-2.tar.gz"
    assert second.removed == [first.path]
    assert sorted(p.name for p in folder.iterdir()) == [
        "before-upgrade.tar.gz", "mitwirken-20250301T031500Z-2.tar.gz", "notes.txt"]
    with pytest.raises(ops.OpsError, match="--keep"):
        ops.backup(data_dir, folder, keep=0)
    with pytest.raises(ops.OpsError, match="folder"):
        ops.backup(data_dir, tmp_path / "single.tar.gz", keep=3)
    assert not (tmp_path / "single.tar.gz").exists()
    assert not list(folder.glob(".mitwirken-backup-*")), "no temp files are left behind"
