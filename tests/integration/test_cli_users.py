"""`mitwirken user …`: accounts for the web UI, their rules and their German refusals."""

from __future__ import annotations

import io
import json
import re

import pytest

from mitwirken.models.store import Store, utcnow
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation, response_promise


@pytest.fixture
def data(tmp_path, capsys):
    folder = tmp_path / "d"
    assert main(["init", "--data", str(folder), "--url", "http://musterstadt.test",
                 "--name", "Engagierte Stadt Musterstadt", "--city-username", "musterstadt"]) == 0
    assert main(["org", "add", "--data", str(folder), "--username", "tafel", "--name", "Tafel",
                 "--sector", "civil-society"]) == 0
    capsys.readouterr()
    return str(folder)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def add_with_password(capsys, monkeypatch, data: str, password: str, *extra: str):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return run(capsys, "user", "add", "--data", data, "--password-stdin", *extra)


def test_password_rules_are_enforced_in_german(data, capsys, monkeypatch):
    code, _, err = add_with_password(capsys, monkeypatch, data, "kurz", "--email",
                                     "a@b.example", "--role", "admin")
    assert code == 1 and "mindestens 10 Zeichen" in err
    code, _, err = add_with_password(capsys, monkeypatch, data, "Passwort123", "--email",
                                     "a@b.example", "--role", "admin")
    assert code == 1 and "häufigsten" in err
    code, out, _ = run(capsys, "user", "list", "--data", data)
    assert out == ""  # nothing was stored


def test_argon2id_hash_is_stored_never_the_password(data, capsys, monkeypatch):
    code, out, _ = add_with_password(capsys, monkeypatch, data, "Lange Wörter sind gut",
                                     "--email", " Chef@Stadt.Example ", "--role", "admin")
    assert code == 0 and "chef@stadt.example (admin)" in out
    store = Store.open(f"{data}/mitwirken.db")
    row = store.one("SELECT email, password_hash FROM accounts")
    assert row and row["email"] == "chef@stadt.example"
    assert row["password_hash"].startswith("$argon2id$")
    assert "Lange" not in row["password_hash"]


def test_editor_needs_an_existing_organisation(data, capsys):
    code, _, err = run(capsys, "user", "add", "--data", data, "--email", "e@x.example",
                       "--role", "editor")
    assert code == 1 and "mindestens eine Organisation" in err
    code, _, err = run(capsys, "user", "add", "--data", data, "--email", "e@x.example",
                       "--role", "editor", "--org", "gibtsnicht")
    assert code == 1 and "Keine Organisation" in err
    code, _, err = run(capsys, "user", "add", "--data", data, "--email", "kein-at",
                       "--role", "staff")
    assert code == 1 and "Keine gültige E-Mail-Adresse" in err


def test_duplicate_remove_and_reset(data, capsys):
    code, out, _ = run(capsys, "user", "add", "--data", data, "--email", "e@x.example",
                       "--role", "editor", "--org", "tafel", "--org", "musterstadt")
    assert code == 0
    first = re.search(r"/passwort/(\S+)", out)
    assert first
    code, _, err = run(capsys, "user", "add", "--data", data, "--email", "E@x.example",
                       "--role", "staff")
    assert code == 1 and "bereits ein Konto" in err
    code, out, _ = run(capsys, "user", "list", "--data", data)
    assert out == "e@x.example\teditor\tmusterstadt,tafel\tPasswort offen\n"
    code, out, _ = run(capsys, "user", "reset", "--data", data, "--email", "e@x.example")
    second = re.search(r"/passwort/(\S+)", out)
    assert code == 0 and second and second.group(1) != first.group(1)
    store = Store.open(f"{data}/mitwirken.db")
    assert store.scalar("SELECT count(*) FROM password_links") == 1  # the old link is gone
    code, _, _ = run(capsys, "user", "remove", "--data", data, "--email", "e@x.example")
    assert code == 0
    assert store.scalar("SELECT count(*) FROM account_orgs") == 0
    code, _, err = run(capsys, "user", "remove", "--data", data, "--email", "e@x.example")
    assert code == 1 and "Kein Konto" in err
    # every change is in the audit log, with who ran the command
    entries = [(e["actor"].startswith("cli"), e["action"], e["target"])
               for e in moderation.audit_entries(store) if e["action"].startswith("account.")]
    assert entries == [(True, "account.add", "e@x.example"),
                       (True, "account.reset", "e@x.example"),
                       (True, "account.remove", "e@x.example")]
    assert moderation.audit_entries(store)[1]["details"] == {"role": "editor",
                                                   "orgs": ["musterstadt", "tafel"]}


def test_token_create_and_org_add_are_audited(data, capsys):
    code, out, _ = run(capsys, "token", "create", "--data", data, "--org", "tafel",
                       "--label", "Website")
    assert code == 0 and out.startswith("mw_")
    store = Store.open(f"{data}/mitwirken.db")
    entries = [(e["actor"].startswith("cli"), e["action"], e["target"])
               for e in moderation.audit_entries(store)]
    assert entries == [(True, "organisation.add", "tafel"), (True, "token.create", "tafel")]
    assert moderation.audit_entries(store)[1]["details"] == {"label": "Website"}
    assert out.strip() not in json.dumps(moderation.audit_entries(store))  # never the token itself


def test_demo_city_has_one_user_of_each_role(data, capsys):
    code, out, _ = run(capsys, "demo", "--data", data)
    assert code == 0 and "3 Konten angelegt" in out and "6 Rückmeldungen" in out
    assert "http://musterstadt.test/anmelden" in out
    assert "Passwort: Demo-Tafel-2026" in out
    code, out, _ = run(capsys, "demo", "--data", data)  # again: nothing new, logins printed
    assert "0 Konten angelegt" in out and "Demo-Admin-2026" in out
    assert "0 Rückmeldungen" in out
    store = Store.open(f"{data}/mitwirken.db")  # the demo Tafel has its answer statistics
    figures = response_promise.stats(store, "tafel", utcnow())
    assert (figures["responses"], figures["answered_in_time"]) == (6, 4)
    assert figures["median_first_answer_days"] is not None
    assert response_promise.reply_rate(store, "tafel", utcnow()) == (
        "Antwortet", "4 von 6 in 5 Werktagen")
    code, out, _ = run(capsys, "user", "list", "--data", data)
    assert sorted(line.split("\t")[1] for line in out.splitlines()) == [
        "admin", "editor", "staff"]
