"""`mitwirken import`: the documented examples, idempotent re-imports, and row-level errors.

The first test runs the commands shown in docs/IMPORT.md on the example files and compares the
output line by line, so the guide cannot drift from the program.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import pytest

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, follows
from mitwirken.models.store import Store, utcnow
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import STORE
from mitwirken.server.cli import main
from mitwirken.server.usecases.importing import CSV_COLUMNS
from mitwirken.server.usecases.publishing import ContentService

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "IMPORT.md"
HEADER = "original_id;title;description;kind;contact.email"


def documented_runs() -> list[tuple[list[str], list[str], int]]:
    """(argv, expected output lines, expected exit status) of each ```console block."""
    runs = []
    for block in re.findall(r"```console\n(.*?)```", GUIDE.read_text("utf-8"), re.S):
        lines = block.strip().splitlines()
        assert lines[0].startswith("$ mitwirken import ") and lines[-2] == "$ echo $?"
        runs.append((lines[0][len("$ mitwirken "):].split(), lines[1:-2], int(lines[-1])))
    return runs


def run(capsys, data: Path, *argv: str) -> tuple[int, list[str], list[str]]:
    code = main([argv[0], "--data", str(data), *argv[1:]])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out.splitlines()


def outbox(settings) -> list[tuple[str, str]]:
    store = Store.open(settings.db_path)
    try:
        return [(r["type"], r["object_id"]) for r in store.all(
            "SELECT type, object_id FROM outbox ORDER BY seq")]
    finally:
        store.close()


def stored(settings, original_id: str, username: str = "tafel"):
    store = Store.open(settings.db_path)
    try:
        return content_store.by_original_id(store, username, original_id)
    finally:
        store.close()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(text, encoding, newline="")
    return str(path)


# ---------------------------------------------------------------------------- the guide


def test_documented_example_imports(settings, capsys):
    runs = documented_runs()
    assert len(runs) == 3
    for argv, expected, status in runs:
        argv = [a for a in argv if a not in ("--data", "/var/lib/mitwirken")]
        argv[-1] = str(ROOT / argv[-1])
        code, err, out = run(capsys, settings.data_dir, *argv)
        assert err + out == expected
        assert code == status
    types = [t for t, _ in outbox(settings)]
    assert types.count("Create") == 5 and types.count("Update") == 1  # as the guide says
    tf2 = stored(settings, "TF-002")
    assert tf2.schedule == "Di, Do und Sa 10–13 Uhr"
    lp1 = stored(settings, "LP-001")
    assert lp1.description.count("\n") == 3
    assert [c.value for c in lp1.cause_areas] == ["bildung", "kinder-jugend"]
    assert lp1.time_budget.hours == 1.5 and lp1.places[0].street == "Schulstraße 5"
    tf5 = stored(settings, "TF-005")
    assert tf5.image.alt_text.startswith("Eine Frau") and tf5.apply_url
    assert stored(settings, "TF-004") is None


def test_every_column_is_documented():
    table = GUIDE.read_text("utf-8").split("### Columns", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_.]+)`(?:, `([a-z_.]+)`)*", table, re.M))
    names = {n for pair in documented for n in pair if n}
    names |= set(re.findall(r"`([a-z_]+\.[a-z_]+|[a-z_]+)`", table))
    assert set(CSV_COLUMNS) <= names
    header = (ROOT / "docs/examples/angebote.csv").read_text("utf-8").splitlines()[0]
    assert set(header.split(";")) <= set(CSV_COLUMNS)


# ---------------------------------------------------------------------------- formats


def test_bom_comma_delimiter_and_german_decimals(settings, capsys, tmp_path):
    text = ("\ufefforiginal_id,title,description,kind,contact.phone,time_budget.hours,"
            "time_budget.unit,place.locality,place.latitude,place.longitude,mediated_by_city\r\n"
            'A1,Vorlesen,Text,regular,0123 456,"1,5",per-week,Musterstadt,"51,2277",6.7735,ja\r\n')
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel",
                         write(tmp_path, "a.csv", text))
    assert (code, err, out) == (0, [], ["1 neu, 0 aktualisiert, 0 unverändert, 0 fehlerhaft"])
    opp = stored(settings, "A1")
    assert opp.time_budget.hours == 1.5 and opp.places[0].latitude == 51.2277
    assert opp.mediated_by_city is True and opp.contact.phone == "0123 456"


def test_line_numbers_count_file_lines_and_naive_times_are_refused(settings, capsys, tmp_path):
    text = (f"{HEADER};start;end\n"
            'B1;Eins;"Zeile eins\nZeile zwei\nZeile drei";regular;a@b.de;;\n'
            "\n"
            "B2;Zwei;Text;one-off;a@b.de;2027-05-01T10:00:00;2027-05-01T12:00:00+02:00\n"
            ";;;;;;\n"
            "B3;Drei;Text;one-off;a@b.de;2027-05-01T10:00+02:00;2027-05-01T09:00+02:00\n")
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel",
                         write(tmp_path, "b.csv", text))
    assert code == 2
    assert err == [
        "Zeile 6: start: Datum und Uhrzeit brauchen eine Zeitzone, z. B. "
        "2025-05-01T10:00:00+02:00.",
        "Zeile 8: end: Das Ende darf nicht vor dem Beginn liegen.",
    ]
    assert out == ["1 neu, 0 aktualisiert, 0 unverändert, 2 fehlerhaft"]


def test_error_fields_are_csv_column_names(settings, capsys, tmp_path):
    text = (f"{HEADER};place.postal_code;cause_areas\n"
            "C1;Titel;Text;regular;a@b.de;1234;\"bildung;fliegen\"\n")
    code, err, _ = run(capsys, settings.data_dir, "import", "--org", "tafel",
                       write(tmp_path, "c.csv", text))
    assert code == 2
    assert len(err) == 2
    assert ("Zeile 2: place.postal_code: Eine deutsche Postleitzahl hat genau fünf Ziffern."
            in err)
    assert any(e.startswith("Zeile 2: cause_areas: Unbekannter Wert „fliegen“.") for e in err)


# ---------------------------------------------------------------------------- re-imports


def test_changed_row_replaces_and_unchanged_row_sends_nothing(settings, capsys, tmp_path):
    first = (f"{HEADER};contact.phone;status\n"
             "D1;Alt;Text;regular;a@b.de;0123 456;\n"
             "D2;Bleibt;Text;regular;a@b.de;;\n")
    path = write(tmp_path, "d.csv", first)
    assert run(capsys, settings.data_dir, "import", "--org", "tafel", path)[0] == 0
    d1, d2 = stored(settings, "D1"), stored(settings, "D2")
    store = Store.open(settings.db_path)
    try:  # the city paused D2 in the meantime
        service = ContentService(store, Urls(settings.base_url), utcnow)
        service.set_status(d2.id, OpportunityStatus.PAUSED)
    finally:
        store.close()
    before = outbox(settings)
    second = (f"{HEADER};contact.phone;status\n"
              "D1;Neu;Text;regular;a@b.de;;\n"
              "D2;Bleibt;Text;regular;a@b.de;;\n")
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel",
                         write(tmp_path, "d.csv", second))
    assert (code, err, out) == (0, [], ["0 neu, 1 aktualisiert, 1 unverändert, 0 fehlerhaft"])
    assert outbox(settings) == [*before, ("Update", f"{settings.base_url}/angebote/{d1.id}")]
    changed = stored(settings, "D1")
    assert changed.id == d1.id and changed.title == "Neu" and changed.contact.phone is None
    assert changed.published == d1.published and changed.last_confirmed == d1.last_confirmed
    assert stored(settings, "D2").status.value == "paused"
    third = f"{HEADER};status\nD2;Bleibt;Text;regular;a@b.de;open\n"
    code, _, out = run(capsys, settings.data_dir, "import", "--org", "tafel",
                       write(tmp_path, "d.csv", third))
    assert out == ["0 neu, 1 aktualisiert, 0 unverändert, 0 fehlerhaft"]
    assert stored(settings, "D2").status.value == "open"


def test_row_problems_are_reported_and_skipped(settings, capsys, tmp_path):
    path = write(tmp_path, "e.csv", f"{HEADER}\nE1;Eins;Text;regular;a@b.de\n")
    run(capsys, settings.data_dir, "import", "--org", "tafel", path)
    store = Store.open(settings.db_path)
    try:
        ContentService(store, Urls(settings.base_url), utcnow).delete(
            "opportunities", stored(settings, "E1").id)
    finally:
        store.close()
    text = (f"{HEADER}\n"
            "E1;Wieder da?;Text;regular;a@b.de\n"
            ";Ohne Kennung;Text;regular;a@b.de\n"
            "E2;Zwei;Text;regular;a@b.de\n"
            "E2;Zwei doppelt;Text;regular;a@b.de\n"
            "E3;Drei;Text;regular;a@b.de;zu viel\n")
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel",
                         write(tmp_path, "e.csv", text))
    assert code == 2
    assert [line.split(":")[0] for line in err] == ["Zeile 2", "Zeile 3", "Zeile 5", "Zeile 6"]
    assert "gelöscht" in err[0] and "original_id" in err[1] and "schon in Zeile 4" in err[2]
    assert err[3] == "Zeile 6: Die Zeile hat mehr Spalten als die Kopfzeile."
    assert out == ["1 neu, 0 aktualisiert, 0 unverändert, 4 fehlerhaft"]


def test_json_entries_are_numbered_from_one(settings, capsys, tmp_path):
    ok = {"title": "T", "description": "D", "kind": "regular", "contact": {"email": "a@b.de"}}
    entries = [{**ok, "original_id": "J1", "org_username": "tafel"},
               {**ok, "original_id": "J2", "org_username": "bibliothek"},
               {**ok, "original_id": "J3", "id": "x"},
               "kein Objekt",
               {**ok, "original_id": "J5", "places": [{"postal_code": "123"}]}]
    path = write(tmp_path, "f.json", json.dumps(entries))
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel", path)
    assert code == 2
    assert err == [
        "Eintrag 2: org_username: Der Eintrag gehört zu „bibliothek“, importiert wird aber "
        "für „tafel“ (--org).",
        "Eintrag 3: id: Dieses Feld setzt der Server; bitte weglassen.",
        "Eintrag 4: Der Eintrag ist kein JSON-Objekt.",
        "Eintrag 5: places.0.postal_code: Eine deutsche Postleitzahl hat genau fünf Ziffern.",
    ]
    assert out == ["1 neu, 0 aktualisiert, 0 unverändert, 4 fehlerhaft"]


def test_dry_run_writes_nothing(settings, capsys):
    code, _, out = run(capsys, settings.data_dir, "import", "--org", "tafel", "--dry-run",
                       str(ROOT / "docs/examples/angebote.csv"))
    assert code == 2
    assert out == ["Probelauf (nichts gespeichert): 4 neu, 0 aktualisiert, 0 unverändert, "
                   "1 fehlerhaft"]
    assert outbox(settings) == [] and stored(settings, "LP-001") is None


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.csv", f"{HEADER};titel\n", "Unbekannte Spalte(n): titel"),
    ("a.csv", f"{HEADER};id\n", "Die Spalte(n) id setzt der Server"),
    ("a.csv", "title;description;kind\n", "Die Spalte original_id fehlt"),
    ("a.csv", f"{HEADER};title\n", "Doppelte Spalte(n): title"),
    ("a.csv", f"{HEADER}\nQ1;\"offen;D;regular;a@b.de\n", "Zeile 2: kein gültiges CSV"),
    ("a.json", '{"title": "x"}', "Erwartet wird eine JSON-Liste"),
    ("a.json", "[{", "kein gültiges JSON"),
])
def test_file_level_problems_import_nothing(settings, capsys, tmp_path, name, content, message):
    path = write(tmp_path, name, content + "X1;T;D;regular;a@b.de\n" * name.endswith(".csv"))
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel", path)
    assert code == 1 and out == []
    assert message in err[0] and "Es wurde nichts importiert." in err[0]
    assert outbox(settings) == []


def test_not_utf8_and_unknown_organisation(settings, capsys, tmp_path):
    path = write(tmp_path, "w.csv", f"{HEADER}\nW1;Größe;Text;regular;a@b.de\n", "cp1252")
    code, err, _ = run(capsys, settings.data_dir, "import", "--org", "tafel", path)
    assert code == 1 and "nicht UTF-8" in err[0]
    path = write(tmp_path, "u.csv", f"{HEADER}\nU1;T;Text;regular;a@b.de\n")
    for org in ("gibtesnicht", "instance"):
        code, err, _ = run(capsys, settings.data_dir, "import", "--org", org, path)
        assert code == 1 and "Keine Organisation" in err[0]
    code, err, _ = run(capsys, settings.data_dir, "import", "--org", "tafel",
                       str(tmp_path / "fehlt.csv"))
    assert code == 1 and "kann nicht gelesen werden" in err[0]
    assert outbox(settings) == []


# ---------------------------------------------------------------------------- with serve


async def test_import_in_another_process_while_the_server_runs(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings, start_workers=False))
    app_store = client.app[STORE]
    follows.add_follower(app_store, username="tafel", actor="https://social.example/users/a",
                         follow_id="https://social.example/f/1", state="accepted",
                         inbox="https://social.example/users/a/inbox",
                         shared_inbox="https://social.example/inbox", now=utcnow())
    token = actor_repo.create_token(app_store, "tafel")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from mitwirken.server.cli import main; sys.exit(main())",
        "import", "--data", str(settings.data_dir), "--org", "tafel",
        str(ROOT / "docs/examples/angebote.csv"),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 2, err.decode()
    assert out.decode().splitlines()[-1] == "4 neu, 0 aktualisiert, 0 unverändert, 1 fehlerhaft"
    resp = await client.get("/api/v1/opportunities",
                            headers={"Authorization": f"Bearer {token}"})
    assert (await resp.json())["total"] == 4
    # Queued for the server's delivery worker: one delivery per Create to the shared inbox.
    rows = app_store.all("SELECT inbox, state FROM deliveries")
    assert rows == [{"inbox": "https://social.example/inbox", "state": "pending"}] * 4


# ------------------------------------------------------------- honest imports (issue 17 §5)

EDGE_CSV = (f"{HEADER};start;end\n"
            "E1;Vorher;Text;regular;a@b.de;;\n"
            # valid for the model, but 9999-12-31 at -23:00 is past year 9999 in UTC
            "E2;Am Rand;Text;one-off;a@b.de;9999-12-31T20:00:00-23:00;9999-12-31T23:00:00-23:00\n"
            "E3;Nachher;Text;regular;a@b.de;;\n"
            "E4;Kein Ort;Text;regular;kein-at;;\n")


def _edge_report(err: list[str]) -> list[str]:
    return [line for line in err if line.startswith("Zeile ")]


def test_a_row_that_fails_while_stored_is_reported_and_skipped(settings, capsys, tmp_path):
    path = write(tmp_path, "edge.csv", EDGE_CSV)
    dry_code, dry_err, dry_out = run(capsys, settings.data_dir, "import", "--org", "tafel",
                                     "--dry-run", path)
    assert outbox(settings) == [] and stored(settings, "E1") is None  # the dry run wrote nothing
    code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel", path)
    assert (dry_code, code) == (2, 2)
    assert _edge_report(err) == _edge_report(dry_err)
    # model validation bounds dates (1900–2200): line 3 fails there, one message per date field
    assert [line.split(":", 1)[0] for line in _edge_report(err)] == ["Zeile 3", "Zeile 3",
                                                                     "Zeile 5"]
    assert "Datum" in _edge_report(err)[0]
    assert dry_out == ["Probelauf (nichts gespeichert): 2 neu, 0 aktualisiert, 0 unverändert, "
                       "2 fehlerhaft"]
    assert out == ["2 neu, 0 aktualisiert, 0 unverändert, 2 fehlerhaft"]
    assert stored(settings, "E1") and stored(settings, "E3") and stored(settings, "E2") is None
    assert [t for t, _ in outbox(settings)].count("Create") == 2


def test_unencodable_text_in_json_is_reported_and_the_rest_imported(settings, capsys, tmp_path):
    entries = [{"original_id": "J1", "title": "Gut", "description": "Text", "kind": "regular",
                "contact": {"email": "a@b.de"}},
               {"original_id": "J2", "title": "Schlecht \ud800", "description": "Text",
                "kind": "regular", "contact": {"email": "a@b.de"}},
               {"original_id": "J3", "title": "Auch gut", "description": "Text",
                "kind": "regular", "contact": {"email": "a@b.de"}}]
    path = write(tmp_path, "s.json", json.dumps(entries))  # ASCII escapes: a valid file
    for argv in (("--dry-run", path), (path,)):
        code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel", *argv)
        assert code == 2
        assert len(err) == 1 and err[0].startswith("Eintrag 2: ")
        assert "UTF-8" in err[0] or "Zeichen" in err[0]
        assert out[-1].endswith("2 neu, 0 aktualisiert, 0 unverändert, 1 fehlerhaft")
    assert stored(settings, "J1") and stored(settings, "J3") and stored(settings, "J2") is None


def test_an_update_that_fails_while_stored_keeps_the_stored_listing(settings, capsys, tmp_path):
    first = write(tmp_path, "a.csv", f"{HEADER};start;end\nU1;Alt;Text;regular;a@b.de;;\n")
    assert run(capsys, settings.data_dir, "import", "--org", "tafel", first)[0] == 0
    before = outbox(settings)
    again = write(tmp_path, "b.csv", f"{HEADER};start;end\nU1;Neu;Text;one-off;a@b.de;"
                  "9999-12-31T20:00:00-23:00;9999-12-31T23:00:00-23:00\n")
    code, err, _ = run(capsys, settings.data_dir, "import", "--org", "tafel", again)
    assert code == 2 and err[0].startswith("Zeile 2: ") and "Datum" in err[0]
    assert stored(settings, "U1").title == "Alt" and outbox(settings) == before


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", "", "Die Datei ist leer."),
    ("blank.csv", " \n\n", "Die Datei ist leer."),
    ("header.csv", f"{HEADER}\n", "keine Angebote"),
    ("empty.json", "[]", "keine Angebote"),
    ("none.json", '[{"title": "x"}, {"title": "y"}]', "Das Feld original_id fehlt"),
])
def test_empty_files_and_files_without_original_id_are_exit_1(settings, capsys, tmp_path,
                                                                name, content, message):
    for extra in ((), ("--dry-run",)):
        code, err, out = run(capsys, settings.data_dir, "import", "--org", "tafel", *extra,
                             write(tmp_path, name, content))
        assert code == 1 and out == []
        assert message in err[0] and "Es wurde nichts importiert." in err[0]
    assert outbox(settings) == []
