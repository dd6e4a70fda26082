"""CLI: `backup` (consistent online backup) and `restore` (into a new, empty data folder).
The work happens in `server/usecases/backup.py`; this module only parses arguments and prints
for a human."""

from __future__ import annotations

import argparse
from pathlib import Path

from mitwirken.server.cli._common import CliError, add_data
from mitwirken.server.usecases.backup import OpsError, backup, restore


def cmd_backup(args: argparse.Namespace) -> int:
    data = Path(args.data)
    if not (data / "mitwirken.db").exists():
        raise CliError(f"{data} enthält keine Datenbank. / {data} holds no database.")
    try:
        result = backup(data, args.to, keep=args.keep)  # str: a trailing / means folder
    except OpsError as exc:
        raise CliError(str(exc)) from exc
    rows = sum(result.manifest["tables"].values())
    print(f"Sicherung geschrieben / backup written: {result.path} "
          f"({result.size} Bytes, {rows} Zeilen/rows, {result.seconds:.2f} s)")
    for path in result.removed:
        print(f"Alte Sicherung entfernt / old backup removed: {path}")
    return 0


def backup_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--to", required=True,
                   help="archive file, or a folder (then named mitwirken-<UTC time>.tar.gz)")
    p.add_argument("--keep", type=int,
                   help="with a folder: keep only the newest N backups written there")


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        result = restore(Path(args.from_), Path(args.data))
    except OpsError as exc:
        raise CliError(str(exc)) from exc
    manifest = result.manifest
    print(f"Wiederhergestellt / restored: {result.data_dir} "
          f"(Sicherung vom / backup of {manifest['created_at']}, "
          f"Version {manifest['version']}, {sum(result.tables.values())} Zeilen/rows)")
    print(f"Start: mitwirken serve --data {result.data_dir}")
    return 0


def restore_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="from_", required=True, help="backup archive (.tar.gz)")
    add_data(p)
