"""Operator commands: `backup`, `restore` and `check`. The work happens in `server.ops` and
`server.doctor`; this module only parses arguments and prints for a human."""

from __future__ import annotations

import argparse
from pathlib import Path

from mitwirken.server.cli import CliError, add_data
from mitwirken.server.usecases.backup import OpsError


def cmd_backup(args: argparse.Namespace) -> int:
    from mitwirken.server.usecases.backup import backup

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


def cmd_restore(args: argparse.Namespace) -> int:
    from mitwirken.server.usecases.backup import restore

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


def cmd_check(args: argparse.Namespace) -> int:
    from mitwirken.server.usecases.instance_check import check, exit_code, render

    findings = check(Path(args.data), offline=args.offline, timeout=args.timeout)
    print(render(findings), end="")
    return exit_code(findings)


def register(sub: argparse._SubParsersAction) -> None:
    """Called by `server.cli.build_parser`."""
    p = sub.add_parser("backup", help="consistent online backup (database with keys, settings)")
    add_data(p)
    p.add_argument("--to", required=True,
                   help="archive file, or a folder (then named mitwirken-<UTC time>.tar.gz)")
    p.add_argument("--keep", type=int,
                   help="with a folder: keep only the newest N backups written there")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="unpack a backup into a new, empty data folder")
    p.add_argument("--from", dest="from_", required=True, help="backup archive (.tar.gz)")
    add_data(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("check", help="doctor: settings, disk, database, public URL, TLS, clock")
    add_data(p)
    p.add_argument("--offline", action="store_true",
                   help="only local checks; do not contact the public URL")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    p.set_defaults(func=cmd_check)
