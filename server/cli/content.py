"""CLI: ``mitwirken import`` — opportunities from another system's CSV/JSON export.

The command only writes to the database (through the same :class:`ContentService` the API
uses), so it may run while ``serve`` is running: the server's delivery worker polls the queue
and sends the Create/Update activities to followers. Exit status: 0 all rows imported, 2 some
rows skipped (reported on stderr with their line), 1 nothing imported (unreadable file, unknown
column, unknown organisation). Column reference: ``docs/IMPORT.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitwirken.models import actors as actor_repo
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store
from mitwirken.server.dependencies import content_service
from mitwirken.server.usecases.importing import ImportFileError, import_rows, read_file

IMPORT_DESCRIPTION = (
    "Legt Angebote aus einer CSV- oder JSON-Datei an oder aktualisiert sie "
    "(Abgleich über original_id). Exit-Status: 0 alles importiert, 2 einzelne Zeilen "
    "fehlerhaft (übersprungen), 1 nichts importiert. Spalten: docs/IMPORT.md.")


def cmd_import(args: argparse.Namespace) -> int:
    settings = open_settings(args)
    store = open_store(settings)
    try:
        actor = actor_repo.get_actor(store, args.org)
        if actor is None or actor.kind == "instance":
            raise CliError(f"Keine Organisation '{args.org}' (siehe `mitwirken org list`).")
        try:
            label, rows = read_file(Path(args.file))
        except ImportFileError as exc:
            raise CliError(f"{args.file}: {exc} Es wurde nichts importiert.") from exc
        service = content_service(settings, store)
        report = import_rows(service, actor.username, rows, label=label, dry_run=args.dry_run)
    finally:
        store.close()
    for line in report.error_lines():
        print(line, file=sys.stderr)
    prefix = "Probelauf (nichts gespeichert): " if args.dry_run else ""
    print(prefix + report.summary())
    return report.exit_code


def import_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--org", required=True, help="username of the publishing organisation")
    p.add_argument("--dry-run", action="store_true",
                   help="check the file and report what would happen; write nothing")
    p.add_argument("file", help="CSV (`,` or `;`, UTF-8) or JSON array")
