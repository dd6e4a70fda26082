"""Malformed URLs and domain names are refused at every entry point (issue 17 §3): the editor
API, the CLI (org add, block, unblock, relay add, follow); nothing is stored, the error is
German. (Import and remote documents go through the same models: tests/unit/test_web_names.py
and tests/integration/test_import.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE
from mitwirken.server.cli import main

OPP = {"title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
       "contact": {"email": "info@example.org"}}


def _count(store, table: str) -> int:
    return int(store.scalar(f"SELECT count(*) FROM {table}") or 0)


@pytest.mark.parametrize(("field", "value"), [
    ("apply_url", "https://tafel.example/\x00bewerben"),
    ("apply_url", "https://tafel.example/\x7f"),
    ("apply_url", "javascript:alert(1)"),
    ("apply_url", "https://tafel .example/"),
    ("contact", {"url": "https://tafel.example/\u202ekontakt"}),
    ("image", {"url": "https://bad_host.example/x.jpg", "alt_text": "Bild"}),
])
async def test_api_refuses_malformed_urls_and_stores_nothing(client, field, value):
    store = client.app[STORE]
    token = actor_repo.create_token(store, "tafel")
    before = (_count(store, "opportunities"), _count(store, "outbox"))
    resp = await client.post("/api/v1/opportunities", json={**OPP, field: value},
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 422, await resp.text()
    body = await resp.json()
    assert body["error"] == "validation_failed"
    assert any(d["field"].startswith(field) and "Web-Adresse" in d["message"]
               for d in body["detail"]), body
    assert (_count(store, "opportunities"), _count(store, "outbox")) == before


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path, capsys) -> str:
    folder = str(tmp_path / "d")
    assert _run(capsys, "init", "--data", folder, "--url", "https://x.example", "--name", "X",
                "--city-username", "x")[0] == 0
    return folder


def _rows(data: str, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"{data}/mitwirken.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("website", ["javascript:alert(1)", "https://verein.example/\x00",
                                     "verein.example"])
def test_org_add_refuses_a_website_the_api_would_refuse(data, capsys, website):
    code, _, err = _run(capsys, "org", "add", "--data", data, "--username", "verein",
                        "--name", "Verein", "--sector", "business", "--website", website)
    assert code == 1
    assert "--website" in err and "Web-Adresse" in err
    assert _rows(data, "SELECT username FROM actors WHERE username = 'verein'") == []


def test_block_refuses_what_is_not_a_domain_and_changes_nothing(data, capsys):
    for name in ("spamhaus", "https://spam.example/", "spam.example:443", "a b.example"):
        code, _, err = _run(capsys, "block", "--data", data, name)
        assert code == 1, name
        assert "Domainname" in err and "Nichts wurde verändert" in err
        code, _, err = _run(capsys, "unblock", "--data", data, name)
        assert code == 1 and "Domainname" in err
    code, _, err = _run(capsys, "unblock", "--data", data, "export")  # `block export` is a
    assert code == 1 and "Domainname" in err  # command (Mastodon's CSV); `unblock` has none
    assert _rows(data, "SELECT domain FROM domain_blocks") == []


def test_the_documented_refusal_is_what_block_prints(data, capsys):
    guide = (Path(__file__).resolve().parents[2] / "docs" / "NETWORK.md").read_text()
    example = guide.split("$ mitwirken block spamhaus --data /var/lib/mitwirken\n", 1)[1]
    assert _run(capsys, "block", "--data", data, "spamhaus")[2] == example.split("\n", 1)[0] + "\n"


def test_block_stores_the_canonical_form_and_unblock_finds_it(data, capsys):
    code, out, _ = _run(capsys, "block", "--data", data, "Bücher.Example.")
    assert code == 0 and out.startswith("xn--bcher-kva.example blockiert")
    assert _rows(data, "SELECT domain FROM domain_blocks") == [("xn--bcher-kva.example",)]
    code, out, _ = _run(capsys, "unblock", "--data", data, "xn--BCHER-kva.example")
    assert code == 0 and "nicht mehr blockiert" in out
    assert _rows(data, "SELECT domain FROM domain_blocks") == []


def test_a_legacy_block_of_a_non_domain_can_still_be_lifted(data, capsys):
    conn = sqlite3.connect(f"{data}/mitwirken.db")
    conn.execute("INSERT INTO domain_blocks (domain, reason, created_at) "
                 "VALUES ('export', '', '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    code, out, _ = _run(capsys, "unblock", "--data", data, "export")
    assert code == 0 and "nicht mehr blockiert" in out
    assert _rows(data, "SELECT domain FROM domain_blocks") == []


@pytest.mark.parametrize("argv", [["relay", "add", "javascript:alert(1)"],
                                  ["relay", "add", "https://relay.example/\x00actor"],
                                  ["follow", "https://a.example/users/\x7fx"],
                                  ["follow", "http://a b.example/users/x"]])
def test_network_commands_refuse_malformed_urls_before_any_request(data, capsys, argv):
    code, _, err = _run(capsys, *argv[:-1], "--data", data, argv[-1])
    assert code == 1
    assert "Web-Adresse" in err and "Nichts wurde verändert" in err
    assert _rows(data, "SELECT count(*) FROM following") == [(0,)]
    assert _rows(data, "SELECT count(*) FROM outbox") == [(0,)]
