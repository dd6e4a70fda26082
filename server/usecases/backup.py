"""Backup and restore of one instance: everything a city needs to survive a lost server.

A backup is one `.tar.gz` with three members: `mitwirken.db` (a consistent snapshot, taken while
the server keeps writing), `mitwirken.toml` (the settings) and `manifest.json` (what made it, when,
and which migrations the database has). The actors' private keys live in the database, so the
database *is* the key store: whoever holds a backup can speak as the city. Files are written 0600.

The doctor (`mitwirken check`) lives in `server/usecases/instance_check.py`; the CLI in
`server/cli/backup.py` stays thin.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from mitwirken.models import database_file
from mitwirken.models.store import Store
from mitwirken.server.config import CONFIG_NAME

log = logging.getLogger("mitwirken.ops")

BACKUP_FORMAT = 1
DB_NAME = "mitwirken.db"
MANIFEST_NAME = "manifest.json"
MEMBERS = (DB_NAME, CONFIG_NAME, MANIFEST_NAME)
BACKUP_GLOB = "mitwirken-*.tar.gz"


class OpsError(Exception):
    """A backup or restore was refused or failed; the message (German / English) is for the
    admin, and nothing was changed."""


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    manifest: dict[str, Any]
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    data_dir: Path
    manifest: dict[str, Any]
    tables: dict[str, int]


def software_version() -> str:
    try:
        return version("mitwirken")
    except PackageNotFoundError:
        return "unknown"


# --- snapshot -----------------------------------------------------------------------------

def snapshot_database(source: Path, dest: Path) -> None:
    """Copy the live database with SQLite's online backup API in a single step.

    One step means one read transaction: in WAL mode the server's writer carries on meanwhile and
    the copy is exactly the state at the step's start (a multi-step copy would restart whenever
    the writer commits and might never finish on a busy server). The copy is switched out of WAL
    so that it is one self-contained file, then checked."""
    if not source.exists():
        raise OpsError(f"Keine Datenbank unter {source}. / No database at {source}.")
    result = database_file.copy(source, dest)
    if result != "ok":
        raise OpsError(f"Die Kopie der Datenbank ist beschädigt ({result}). "
                       "/ The database copy failed its integrity check.")


def database_facts(path: Path) -> dict[str, Any]:
    """Migration names and row counts, read without writing (no WAL switch, no migration)."""
    return dict(database_file.facts(path))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- backup -------------------------------------------------------------------------------

def backup_target(raw: Path | str, now: datetime) -> tuple[Path, bool]:
    """`--to` may be a file or a folder (existing, or written with a trailing slash); in a folder
    the file is named by time so that names sort by age, which rotation relies on."""
    to = Path(raw)
    if to.is_dir() or str(raw).endswith(("/", os.sep)):
        to.mkdir(mode=0o700, parents=True, exist_ok=True)
        return to / f"mitwirken-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz", True
    if to.exists():
        raise OpsError(f"{to} existiert bereits; nichts überschrieben. "
                       f"/ {to} exists; nothing was overwritten.")
    to.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return to, False


def _add_file(tar: tarfile.TarFile, name: str, data: bytes | Path, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime, info.uname, info.gname = 0o600, int(mtime), "", ""
    if isinstance(data, Path):
        info.size = data.stat().st_size
        with data.open("rb") as fh:
            tar.addfile(info, fh)
    else:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def backup(data_dir: Path, to: Path | str, *, keep: int | None = None,
           now: datetime | None = None) -> BackupResult:
    """Write one backup archive atomically (temp file + rename), then apply `keep` rotation."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    if keep is not None and keep < 1:
        raise OpsError("--keep muss mindestens 1 sein. / --keep must be at least 1.")
    target, in_folder = backup_target(to, now)
    if keep is not None and not in_folder:
        raise OpsError("--keep braucht einen Ordner als --to. / --keep needs a folder as --to.")
    with tempfile.TemporaryDirectory(prefix=".mitwirken-backup-", dir=target.parent) as tmp:
        snap = Path(tmp) / DB_NAME
        snapshot_database(data_dir / DB_NAME, snap)
        facts = database_facts(snap)
        manifest = {
            "format": BACKUP_FORMAT,
            "version": software_version(),
            "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "migrations": facts["migrations"],
            "tables": facts["tables"],
            "database_sha256": sha256(snap),
            "settings_included": (data_dir / CONFIG_NAME).exists(),
        }
        partial = Path(tmp) / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz",
                                                    compresslevel=6) as tar:
            stamp = now.timestamp()
            _add_file(tar, MANIFEST_NAME,
                      json.dumps(manifest, indent=2).encode("utf-8"), stamp)
            _add_file(tar, DB_NAME, snap, stamp)
            if manifest["settings_included"]:
                _add_file(tar, CONFIG_NAME, data_dir / CONFIG_NAME, stamp)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        target = _publish(partial, target, in_folder)
    removed = rotate(target.parent, keep) if keep is not None else []
    result = BackupResult(target, target.stat().st_size, time.monotonic() - started, manifest,
                          removed)
    log.info("backup_written path=%s bytes=%d seconds=%.2f rows=%d removed=%d", target,
             result.size, result.seconds, sum(manifest["tables"].values()), len(removed))
    return result


def _publish(partial: Path, target: Path, in_folder: bool) -> Path:
    """Move the finished archive into place without ever replacing a file we did not write: the
    name is first claimed with O_EXCL, so two backups in the same second (cron plus a manual
    run) both survive. Works on any filesystem (a city's NAS may not do hard links)."""
    for n in range(1, 100):
        candidate = target if n == 1 else target.with_name(
            target.name.removesuffix(".tar.gz") + f"-{n}.tar.gz")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            if not in_folder:
                raise OpsError(f"{target} existiert bereits; nichts überschrieben. "
                               f"/ {target} exists; nothing was overwritten.") from None
            continue
        os.replace(partial, candidate)
        return candidate
    raise OpsError(f"Zu viele Sicherungen gleichzeitig in {target.parent}. "
                   "/ Too many backups at once.")


def rotate(folder: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` archives written by `backup` into `folder`; never touches others."""
    keep = max(keep, 1)
    archives = sorted(folder.glob(BACKUP_GLOB), key=lambda p: (p.stat().st_mtime, p.name))
    old = archives[:-keep]
    for path in old:
        path.unlink()
    return old


# --- restore ------------------------------------------------------------------------------

def read_archive(archive: Path, stack: contextlib.ExitStack
                 ) -> tuple[tarfile.TarFile, dict[str, Any]]:
    """Open an archive (closed with `stack`) and refuse anything we did not write ourselves:
    only the three known regular files, no links, no paths, so nothing can land outside the
    target folder."""
    if not archive.is_file():
        raise OpsError(f"Keine Sicherung unter {archive}. / No backup at {archive}.")
    try:
        tar = stack.enter_context(tarfile.open(archive, "r:gz"))  # noqa: SIM115 (closed by stack)
        members = tar.getmembers()
        names = [m.name for m in members]
        bad = [m.name for m in members if m.name not in MEMBERS or not m.isfile()]
        ok = not bad and len(set(names)) == len(names) and {DB_NAME, MANIFEST_NAME} <= set(names)
        manifest = json.loads(tar.extractfile(MANIFEST_NAME).read()) if ok else {}  # type: ignore[union-attr]
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise OpsError(f"{archive} ist keine lesbare Sicherung ({exc}). "
                       f"/ {archive} is not a readable backup.") from exc
    if not ok:
        raise OpsError(f"{archive} ist keine Mitwirken-Sicherung (Inhalt: {', '.join(names)}). "
                       f"/ {archive} is not a Mitwirken backup.")
    if manifest.get("format") != BACKUP_FORMAT:
        raise OpsError(f"Unbekanntes Sicherungsformat {manifest.get('format')!r}. "
                       "/ Unknown backup format.")
    return tar, manifest


def _check_target(data_dir: Path) -> bool:
    """Restore only into a new or empty folder: it must never mix with, or replace, a live (and
    possibly newer) database. Returns whether the folder has to be created."""
    if not data_dir.exists():
        return True
    if not data_dir.is_dir():
        raise OpsError(f"{data_dir} ist kein Ordner. / {data_dir} is not a folder.")
    if any(data_dir.iterdir()):
        what = ("enthält bereits eine Datenbank" if (data_dir / DB_NAME).exists()
                else "ist nicht leer")
        raise OpsError(f"{data_dir} {what}; Wiederherstellung nur in einen leeren Ordner. "
                       f"Nichts wurde verändert. / {data_dir} is not empty; restore only into "
                       "an empty folder. Nothing was changed.")
    return False


def restore(archive: Path, data_dir: Path) -> RestoreResult:
    """Unpack a backup into a new, empty data folder, exactly as it was: nothing is migrated or
    rewritten here (migrations run when `serve` starts), so the same backup restores the same."""
    create = _check_target(data_dir)
    with contextlib.ExitStack() as stack:
        tar, manifest = read_archive(archive, stack)
        facts = _unpack(tar, manifest, data_dir, create)
    log.info("backup_restored archive=%s data=%s created_at=%s rows=%d", archive, data_dir,
             manifest.get("created_at"), sum(facts["tables"].values()))
    return RestoreResult(data_dir, manifest, facts["tables"])


def _unpack(tar: tarfile.TarFile, manifest: dict[str, Any], data_dir: Path,
            create: bool) -> dict[str, Any]:
    """Stage each file under a dot-name, verify checksum, integrity and version, then rename
    into place; on any failure remove what was staged (and the folder, if we made it)."""
    staged: list[Path] = []
    try:
        if create:
            data_dir.mkdir(mode=0o700, parents=True)
        for name in (DB_NAME, CONFIG_NAME):
            if name not in tar.getnames():
                continue
            part = data_dir / f".{name}.restoring"
            staged.append(part)
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(tar.extractfile(name), out)  # type: ignore[misc]
                out.flush()
                os.fsync(out.fileno())
        db_part = data_dir / f".{DB_NAME}.restoring"
        if sha256(db_part) != manifest.get("database_sha256"):
            raise OpsError("Prüfsumme der Datenbank stimmt nicht: Sicherung beschädigt. "
                           "/ Database checksum mismatch: the backup is damaged.")
        _refuse_newer(db_part)
        facts = database_facts(db_part)
        for part in staged:
            os.replace(part, data_dir / part.name[1:].removesuffix(".restoring"))
    except BaseException:
        for part in staged:
            part.unlink(missing_ok=True)
        if create:
            shutil.rmtree(data_dir, ignore_errors=True)
        raise
    return facts


def _refuse_newer(path: Path) -> None:
    """The same rule as at start-up (`Store.check_not_newer`): a database that knows migrations
    this version does not was written by a newer Mitwirken and must not be run by this one."""
    if database_file.quick_check(path) != "ok":
        raise OpsError("Die Datenbank in der Sicherung ist beschädigt. "
                       "/ The database in the backup is damaged.")
    store = Store.open_read_only(path)
    try:
        store.check_not_newer()
    finally:
        store.close()
