"""The moderation commands of the `mitwirken` CLI on a real data folder: Mastodon's
domain-block CSV in and out, domain rules, and the audit log as JSON lines.

`tests/data/mastodon_domain_blocks.csv` is written the way Mastodon's admin export
(Moderation → Federation → Export) writes it: Ruby's CSV with the header row
`#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`, booleans as
`true`/`false`, comments quoted only when they hold a comma or a quote, rows in the order the
blocks were created (a `noop` row only when it rejects media)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mitwirken.models import domain_policy
from mitwirken.models.store import Store
from mitwirken.server.cli import main

MASTODON_CSV = Path(__file__).resolve().parents[1] / "data" / "mastodon_domain_blocks.csv"


def run(settings, *argv: str) -> int:
    return main([*argv, "--data", str(settings.data_dir)])


def rules(settings) -> dict[str, dict]:
    store = Store.open(settings.db_path)
    try:
        return {r["domain"]: r for r in domain_policy.list_rules(store)}
    finally:
        store.close()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_mastodon_csv_imports_and_exports_round_trip(settings, tmp_path, capsys):
    assert run(settings, "block", "import", str(MASTODON_CSV)) == 0
    assert capsys.readouterr().out.strip() == (
        "5 Domains übernommen: 2 blockiert, 2 eingeschränkt, 1 erlaubt.")
    got = rules(settings)
    assert {d: r["policy"] for d, r in got.items()} == {
        "spam.example": "block", "hetze.example": "block", "werbung.example": "limit",
        "media.laut.example": "limit", "bilder.example": "allow"}
    assert got["werbung.example"]["reason"] == 'Viel "Werbung" ohne Kennzeichnung'
    assert got["bilder.example"]["reason"] == "Nur Medien abgelehnt"  # noop keeps its note
    assert (got["hetze.example"]["reject_media"], got["hetze.example"]["reject_reports"],
            got["hetze.example"]["obfuscate"]) == (1, 1, 1)

    # The export holds exactly what Mastodon's file held (sorted by domain)
    assert run(settings, "block", "export") == 0
    exported = capsys.readouterr().out
    original = MASTODON_CSV.read_text("utf-8")
    header, *body = original.splitlines()
    assert exported.splitlines() == [header, *sorted(body)]
    assert sorted(rows(exported)[1:]) == sorted(rows(original)[1:])

    # And importing the export elsewhere gives the same export again
    other = tmp_path / "other"
    assert main(["init", "--data", str(other), "--url", "http://other.test", "--name", "O",
                 "--city-username", "other"]) == 0
    (tmp_path / "export.csv").write_text(exported, "utf-8")
    assert main(["block", "import", str(tmp_path / "export.csv"), "--data", str(other)]) == 0
    capsys.readouterr()
    assert main(["block", "export", "--data", str(other)]) == 0
    assert capsys.readouterr().out == exported


@pytest.mark.parametrize("content, message", [
    ("domain;severity\nspam.example;suspend\n", "keine Mastodon-Sperrliste"),
    ("#domain,#severity\nok.example,suspend\nbad.example,ban\n", "Zeile 3: unbekannte Stufe"),
    ("#domain,#severity\nok.example,suspend\nhttps://x.example/,suspend\n",
     "Zeile 3: »https://x.example/« ist kein Domainname"),
    ("", "keine Mastodon-Sperrliste"),
])
def test_a_bad_block_list_changes_nothing(settings, tmp_path, capsys, content, message):
    path = tmp_path / "list.csv"
    path.write_text(content, "utf-8")
    assert run(settings, "block", "import", str(path)) == 1
    assert message in capsys.readouterr().err
    assert rules(settings) == {}


def test_block_import_needs_a_readable_file(settings, tmp_path, capsys):
    assert run(settings, "block", "import") == 1
    assert "Welche Datei?" in capsys.readouterr().err
    assert run(settings, "block", "import", str(tmp_path / "fehlt.csv")) == 1
    assert "kann nicht gelesen werden" in capsys.readouterr().err
    assert run(settings, "block", "spam.example", "extra") == 1
    assert "Unerwartetes Argument" in capsys.readouterr().err


def test_domain_commands_and_their_audit_lines(settings, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "admin")
    assert run(settings, "limit", "Laut.Example", "--reason", "Werbung") == 0
    assert run(settings, "allow", "partner.example", "--reason", "Partnerstadt") == 0
    assert run(settings, "federation", "mode", "allowlist", "--reason", "Nur Partner") == 0
    assert run(settings, "block", "spam.example", "--reason", "Spam") == 0
    assert run(settings, "unblock", "spam.example", "--reason", "Irrtum") == 0
    assert run(settings, "domain", "remove", "laut.example") == 0
    assert run(settings, "domain", "remove", "laut.example") == 1
    assert "keine Regel" in capsys.readouterr().err
    assert run(settings, "limit", "nicht eine domain") == 1
    assert "Nichts wurde verändert" in capsys.readouterr().err
    assert run(settings, "domain", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)["items"]
    assert [(r["domain"], r["policy"], r["reason"]) for r in listed] == [
        ("partner.example", "allow", "Partnerstadt")]
    assert run(settings, "federation", "show") == 0
    assert json.loads(capsys.readouterr().out)["mode"] == "allowlist"

    assert run(settings, "audit", "--since", "2000-01-01") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["actor"], e["action"], e["target"], e["reason"]) for e in lines] == [
        ("cli:admin", "domain.limit", "laut.example", "Werbung"),
        ("cli:admin", "domain.allow", "partner.example", "Partnerstadt"),
        ("cli:admin", "federation.mode", "allowlist", "Nur Partner"),
        ("cli:admin", "domain.block", "spam.example", "Spam"),
        ("cli:admin", "domain.remove", "spam.example", "Irrtum"),
        ("cli:admin", "domain.remove", "laut.example", ""),
    ]
    assert lines[2]["details"] == {"previous": "open", "released": 0, "held": 0}
    assert all(datetime.fromisoformat(e["at"].replace("Z", "+00:00")) <= datetime.now(UTC)
               for e in lines)
    # --since filters, and a date that is no date is refused
    assert run(settings, "audit", "--since", "2999-01-01") == 0
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit):
        run(settings, "audit", "--since", "gestern")
    assert "kein Datum" in capsys.readouterr().err


def test_check_reports_the_federation_mode(settings, capsys):
    assert run(settings, "check", "--offline") == 0
    assert "Föderation offen" in capsys.readouterr().out
    assert run(settings, "federation", "mode", "allowlist") == 0
    capsys.readouterr()
    assert run(settings, "check", "--offline") == 0  # a warning, not a failure
    assert "WARN  Erlaubnisliste ist leer" in capsys.readouterr().out
    assert run(settings, "allow", "partner.example") == 0
    capsys.readouterr()
    assert run(settings, "check", "--offline") == 0
    assert "Föderation nur mit 1 erlaubten Domains; 0 Zustellungen" in capsys.readouterr().out


MASTODON4_CSV = Path(__file__).resolve().parents[1] / "data" / "mastodon4_domain_blocks.csv"


def test_the_newer_mastodon_export_with_reject_follows_imports(settings, capsys):
    """Newer Mastodon versions add a seventh column, `#reject_follows` (the shape of Mastodon's
    own import fixture, spec/fixtures/files/domain_blocks.csv). It is accepted; a limit rule
    already makes every follow from that domain wait for approval."""
    assert MASTODON4_CSV.read_text("utf-8").splitlines()[0].endswith(",#reject_follows")
    assert run(settings, "block", "import", str(MASTODON4_CSV)) == 0
    assert capsys.readouterr().out.strip() == (
        "4 Domains übernommen: 1 blockiert, 2 eingeschränkt, 1 erlaubt.")
    got = rules(settings)
    assert {d: r["policy"] for d, r in got.items()} == {
        "laut.example": "limit", "hetze.example": "block", "bilder.example": "allow",
        "folgespam.example": "limit"}
    assert got["hetze.example"]["reason"] == "Hassrede, Belästigung"
    assert (got["hetze.example"]["reject_media"], got["hetze.example"]["obfuscate"]) == (1, 1)
    # exported in the six columns every Mastodon version imports
    assert run(settings, "block", "export") == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header == "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"
    assert "folgespam.example,silence,false,false,Follow-Spam,false" in lines
