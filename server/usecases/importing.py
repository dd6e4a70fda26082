"""Importing opportunities from another system's CSV or JSON export (``mitwirken import``).

Cities and organisations already keep their listings somewhere (a Freiwilligenagentur database,
an Excel sheet). Re-typing them is where listings go stale, so the importer is meant to be run
again and again on fresh exports: rows are matched by ``original_id`` (the id in the source
system), a changed row becomes an Update, an unchanged one writes nothing (followers must not get
a flood of identical Updates), and a bad row is reported with its line number and the same German
messages the editor API gives, then skipped — one typo must not block the other 200 rows.

The importer only writes to the database through :class:`ContentService` (one transaction per
row, activity and delivery queued together), so it can run while ``serve`` is running: the
server's delivery worker picks up what was queued. File format: see ``docs/IMPORT.md``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mitwirken.models import content_store
from mitwirken.models.content import (
    ContactPoint,
    Image,
    Opportunity,
    Place,
    TimeBudget,
    german_errors,
)
from mitwirken.models.safe_json import JsonRefused, parse_json
from mitwirken.server.usecases.publishing import READ_ONLY, ContentService

log = logging.getLogger("mitwirken.import")

__all__ = [
    "CSV_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "SourceRow",
    "import_rows",
    "read_csv",
    "read_file",
    "read_json",
]

LIST_FIELDS = ("cause_areas", "activity_types", "suitable_for", "required_documents", "offers",
               "apply_channels", "languages")
"""CSV cells holding several vocabulary values, separated by ``;``."""

_NESTED: dict[str, type[BaseModel]] = {
    "contact": ContactPoint, "time_budget": TimeBudget, "image": Image, "place": Place}
_DECIMAL_COLUMNS = {"time_budget.hours", "place.latitude", "place.longitude"}
_BOOL_COLUMNS = {"mediated_by_city"}
_YES_NO = {"ja": True, "nein": False}


def _csv_columns() -> tuple[str, ...]:
    flat = [name for name in Opportunity.model_fields
            if name not in READ_ONLY and name not in ("contact", "time_budget", "image", "places")]
    nested = [f"{group}.{name}" for group, model in _NESTED.items() for name in model.model_fields]
    return (*flat, *nested)


CSV_COLUMNS = _csv_columns()
"""Every column a CSV may have (order = documentation order); all but ``original_id`` optional."""


_NO_ORIGINAL_ID = ("Die Spalte original_id fehlt. Sie ist nötig, damit ein erneuter Import "
                   "vorhandene Angebote aktualisiert statt sie doppelt anzulegen.")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, syntax, columns); nothing was written."""


@dataclass
class SourceRow:
    """One record of the file: its number for messages and the API-shaped data (or problems)."""

    number: int
    data: dict[str, Any]
    problems: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RowError:
    number: int
    problems: list[dict[str, str]]


@dataclass
class ImportReport:
    """What happened to each row; ``label`` names the row unit ("Zeile" or "Eintrag")."""

    label: str = "Zeile"
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} neu, {len(self.updated)} aktualisiert, "
                f"{len(self.unchanged)} unverändert, {len(self.errors)} fehlerhaft")

    def error_lines(self) -> list[str]:
        lines = []
        for error in self.errors:
            for item in error.problems:
                where = f"{item['field']}: " if item["field"] else ""
                lines.append(f"{self.label} {error.number}: {where}{item['message']}")
        return lines

    @property
    def exit_code(self) -> int:
        """0 when every row was fine, 2 when some rows were skipped (see docs/IMPORT.md)."""
        return 2 if self.errors else 0


# --------------------------------------------------------------------------------- reading


def read_file(path: Path) -> tuple[str, list[SourceRow]]:
    """Read a CSV or JSON export; returns the row label and the rows.

    The format follows the file extension; without a known one a leading ``[`` means JSON.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            f"Die Datei {path} kann nicht gelesen werden: {exc.strerror}.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Die Datei ist nicht UTF-8-kodiert (Byte {exc.start}). In Excel bitte „Speichern "
            "unter“ → „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen.") from exc
    if not text.strip():
        raise ImportFileError("Die Datei ist leer.")
    suffix = path.suffix.lower()
    if suffix == ".json" or (suffix != ".csv" and text.lstrip().startswith("[")):
        label, rows = "Eintrag", read_json(text)
    else:
        label, rows = "Zeile", read_csv(text)
    if not rows:
        raise ImportFileError("Die Datei enthält keine Angebote (nur die Kopfzeile oder eine "
                              "leere Liste).")
    return label, rows


def read_json(text: str) -> list[SourceRow]:
    """An array of objects with the API's field names; rows are numbered index + 1."""
    try:
        data = parse_json(text, unencodable_text=True)  # reported per entry, at storing
    except JsonRefused as exc:
        raise ImportFileError(f"Die Datei ist kein gültiges JSON: {exc}.") from exc
    if not isinstance(data, list):
        raise ImportFileError("Erwartet wird eine JSON-Liste von Angeboten: [ {…}, {…} ].")
    rows = []
    for index, item in enumerate(data, start=1):
        if isinstance(item, dict):
            rows.append(SourceRow(index, item))
        else:
            rows.append(SourceRow(index, {}, [{"field": "", "message":
                                               "Der Eintrag ist kein JSON-Objekt."}]))
    if rows and not any("original_id" in row.data for row in rows):
        raise ImportFileError(_NO_ORIGINAL_ID.replace("Die Spalte", "Das Feld"))
    return rows


def _delimiter(header_line: str) -> str:
    """German Excel writes ``;``, everything else ``,``; column names contain neither."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _check_header(header: list[str]) -> None:
    unknown = [c for c in header if c and c not in CSV_COLUMNS]
    server = [c for c in unknown if c in READ_ONLY]
    if server:
        raise ImportFileError(f"Die Spalte(n) {', '.join(server)} setzt der Server; bitte "
                              "entfernen (die Organisation kommt aus --org).")
    if unknown:
        raise ImportFileError(f"Unbekannte Spalte(n): {', '.join(unknown)}. Erlaubt sind: "
                              f"{', '.join(CSV_COLUMNS)}.")
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    if duplicates:
        raise ImportFileError(f"Doppelte Spalte(n): {', '.join(duplicates)}.")
    if "original_id" not in header:
        raise ImportFileError(_NO_ORIGINAL_ID)


def read_csv(text: str) -> list[SourceRow]:
    """Rows keyed like the API; each numbered by the file line it starts on (header = 1)."""
    first_line = text.split("\n", 1)[0]
    # strict: an unbalanced quote would otherwise swallow the rest of the file into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line),
                        strict=True)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ImportFileError(f"Die Kopfzeile ist kein gültiges CSV: {exc}.") from exc
    _check_header(header)
    rows: list[SourceRow] = []
    line_before = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFileError(f"Zeile {line_before + 1}: kein gültiges CSV ({exc}); "
                                  "fehlt ein schließendes Anführungszeichen?") from exc
        number, line_before = line_before + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank line, or a row of empty cells (Excel likes to append those)
        rows.append(_csv_row(number, header, cells))
    return rows


def _csv_value(column: str, value: str) -> Any:
    if column in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    if column in _DECIMAL_COLUMNS and re.fullmatch(r"[+-]?\d+,\d+", value):
        return value.replace(",", ".")  # German decimal comma: 2,5 Stunden
    if column in _BOOL_COLUMNS:
        return _YES_NO.get(value.lower(), value)
    return value


def _csv_row(number: int, header: list[str], cells: list[str]) -> SourceRow:
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
        return SourceRow(number, {}, [{"field": "", "message":
                                       "Die Zeile hat mehr Spalten als die Kopfzeile."}])
    data: dict[str, Any] = {}
    for column, cell in zip(header, cells, strict=False):
        value = cell.strip()
        if not column or not value:
            continue  # empty cell = not set
        group, _, key = column.partition(".")
        if not key:
            data[column] = _csv_value(column, value)
        elif group == "place":
            if "places" not in data:
                data["places"] = [{}]
            data["places"][0][key] = _csv_value(column, value)
        else:
            data.setdefault(group, {})[key] = _csv_value(column, value)
    return SourceRow(number, data)


def _csv_field(path: str) -> str:
    """Model error path → CSV column: ``places.0.postal_code`` → ``place.postal_code``."""
    parts = path.split(".")
    if parts[0] == "places" and len(parts) > 2:
        return "place." + ".".join(parts[2:])
    if parts[0] in LIST_FIELDS:
        return parts[0]
    return path


# --------------------------------------------------------------------------------- writing


def _comparable(opp: Opportunity) -> dict[str, Any]:
    return opp.model_dump(mode="json", exclude=set(READ_ONLY))


def _replacement(existing: Opportunity, data: dict[str, Any]) -> Opportunity:
    """The row replaces the listing (a cleared cell clears the field) except what the server
    manages: ids and dates, and the status unless the row sets one (an auto-paused or closed
    listing is not silently reopened by the next export)."""
    kept = {name: getattr(existing, name) for name in READ_ONLY}
    if "status" not in data:
        kept["status"] = existing.status
    return Opportunity.model_validate({**data, **kept})


def _deleted_before(service: ContentService, username: str, original_id: str) -> bool:
    return content_store.original_id_deleted(service.store, username, original_id)


def _server_fields(data: dict[str, Any], username: str) -> list[dict[str, str]]:
    """JSON entries may name the organisation (if it is ``--org``) but no other server field."""
    named = data.pop("org_username", username)
    if named != username:
        return [{"field": "org_username", "message": f"Der Eintrag gehört zu „{named}“, "
                 f"importiert wird aber für „{username}“ (--org)."}]
    return [{"field": name, "message": "Dieses Feld setzt der Server; bitte weglassen."}
            for name in READ_ONLY if name in data]


class _DryRun(Exception):
    """Raised inside a dry run's transaction, so that everything the row wrote is undone."""


def _write(service: ContentService, write: Callable[[], object], dry_run: bool) -> None:
    """Run one row's writes in one transaction. A dry run runs exactly the same writes
    (validation, storage, conversion, outbox, deliveries) and rolls them back, so it reports
    what the real run would do."""
    try:
        with service.store.tx():
            write()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


def _failure(exc: Exception) -> list[dict[str, str]]:
    """The problems of a row that failed while it was checked or stored."""
    if isinstance(exc, ValidationError):
        return german_errors(exc)
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OverflowError) or "out of range" in text:
        message = "Ein Datum liegt außerhalb des Bereichs, der gespeichert werden kann."
    elif isinstance(exc, UnicodeError) or "UnicodeEncodeError" in text:
        message = "Der Text enthält Zeichen, die nicht als UTF-8 gespeichert werden können."
    else:
        message = "Die Zeile konnte nicht gespeichert werden."
    return [{"field": "", "message": message}]


def _import_one(service: ContentService, username: str, data: dict[str, Any],
                seen: dict[str, int], number: int, report: ImportReport, dry_run: bool
                ) -> list[dict[str, str]] | None:
    """Import one row; returns its problems, or None when it was imported (or would be).
    Raises whatever its storage raised (the caller reports it)."""
    problems = _server_fields(data, username)
    if problems:
        return problems
    candidate = Opportunity.model_validate({**data, "org_username": username})
    original_id = candidate.original_id
    if not original_id:
        return [{"field": "original_id", "message": "Bitte die Kennung aus dem Ursprungssystem "
                 "angeben, damit ein erneuter Import aktualisiert statt doppelt anlegt."}]
    if original_id in seen:
        return [{"field": "original_id", "message": f"Die Kennung „{original_id}“ kommt doppelt "
                 f"vor (schon in {report.label} {seen[original_id]})."}]
    seen[original_id] = number
    existing = content_store.by_original_id(service.store, username, original_id)
    if existing is None:
        if _deleted_before(service, username, original_id):
            return [{"field": "original_id", "message": "Dieses Angebot wurde gelöscht und wird "
                     "nicht erneut angelegt. Für ein neues Angebot bitte eine neue Kennung "
                     "verwenden."}]
        _write(service, lambda: service.create("opportunities", username, data), dry_run)
        report.created.append(original_id)
        return None
    replacement = _replacement(existing, data)
    if _comparable(replacement) == _comparable(existing):
        report.unchanged.append(original_id)
        return None
    _write(service, lambda: service.update("opportunities", existing.id or "",
                                           _comparable(replacement)), dry_run)
    report.updated.append(original_id)
    return None


def import_rows(service: ContentService, username: str, rows: list[SourceRow], *,
                label: str = "Zeile", dry_run: bool = False) -> ImportReport:
    """Create or update one opportunity per row of ``username``; bad rows are collected.

    A row that fails at any stage (reading, validation, storage) is reported with its number
    and skipped; the others are imported. The dry run takes exactly the same path."""
    report = ImportReport(label=label)
    seen: dict[str, int] = {}
    for row in rows:
        try:
            problems = row.problems or _import_one(
                service, username, dict(row.data), seen, row.number, report, dry_run)
        except Exception as exc:  # any failure of one row: report it, go on with the next
            log.warning("import_row_failed row=%s error=%s", row.number, type(exc).__name__)
            problems = _failure(exc)
        if problems:
            if label == "Zeile":
                problems = [{**p, "field": _csv_field(p["field"])} for p in problems]
            report.errors.append(RowError(row.number, problems))
    return report
