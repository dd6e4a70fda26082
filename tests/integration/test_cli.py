"""The `mitwirken` command as an admin uses it."""

from __future__ import annotations

import sqlite3

from mitwirken.server.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_twice_destroys_nothing(tmp_path, capsys):
    data = str(tmp_path / "d")
    args = ["init", "--data", data, "--url", "https://engagiert.musterstadt.de",
            "--name", "Engagierte Stadt Musterstadt", "--city-username", "musterstadt"]
    code, out, _ = run(capsys, *args)
    assert code == 0 and "@musterstadt@engagiert.musterstadt.de" in out
    conn = sqlite3.connect(tmp_path / "d" / "mitwirken.db")
    key_before = conn.execute(
        "SELECT private_key_pem FROM actors WHERE username='musterstadt'").fetchone()[0]
    conn.close()
    toml_before = (tmp_path / "d" / "mitwirken.toml").read_text()
    code, _, err = run(capsys, *args[:-1], "other")
    assert code == 1
    assert "bereits eingerichtet" in err
    conn = sqlite3.connect(tmp_path / "d" / "mitwirken.db")
    rows = conn.execute("SELECT username, kind, private_key_pem FROM actors ORDER BY kind"
                        ).fetchall()
    conn.close()
    assert [(r[0], r[1]) for r in rows] == [("musterstadt", "city"), ("instance", "instance")]
    assert rows[0][2] == key_before and "BEGIN PRIVATE KEY" in key_before
    assert (tmp_path / "d" / "mitwirken.toml").read_text() == toml_before


def test_init_rejects_bad_input_and_leaves_nothing(tmp_path, capsys):
    code, _, err = run(capsys, "init", "--data", str(tmp_path / "d"), "--url", "not a url",
                       "--name", "X", "--city-username", "x")
    assert code == 1 and "Ungültige Angabe" in err
    code, _, err = run(capsys, "init", "--data", str(tmp_path / "e"), "--url",
                       "https://x.example", "--name", "X", "--city-username", "Bad Name!")
    assert code == 1
    assert not (tmp_path / "e" / "mitwirken.db").exists()


def test_org_add_and_list(tmp_path, capsys):
    data = str(tmp_path / "d")
    run(capsys, "init", "--data", data, "--url", "https://x.example", "--name", "X",
        "--city-username", "x")
    code, out, _ = run(capsys, "org", "add", "--data", data, "--username", "tafel", "--name",
                       "Tafel Musterstadt e.V.", "--sector", "civil-society")
    assert code == 0 and "@tafel@x.example" in out
    code, _, err = run(capsys, "org", "add", "--data", data, "--username", "tafel", "--name",
                       "Nochmal", "--sector", "business")
    assert code == 1 and "bereits" in err
    code, _, err = run(capsys, "org", "add", "--data", data, "--username", "api", "--name",
                       "Reserviert", "--sector", "business")
    assert code == 1 and "reserviert" in err
    code, out, _ = run(capsys, "org", "list", "--data", data)
    assert out.splitlines() == ["tafel\tcivil-society\tTafel Musterstadt e.V."]


def test_commands_need_an_initialised_folder(tmp_path, capsys):
    code, _, err = run(capsys, "org", "list", "--data", str(tmp_path / "none"))
    assert code == 1 and "nicht eingerichtet" in err


def test_token_create_prints_token_only_and_stores_hash(tmp_path, capsys):
    data = str(tmp_path / "d")
    run(capsys, "init", "--data", data, "--url", "https://x.example", "--name", "X",
        "--city-username", "x")
    code, out, _ = run(capsys, "token", "create", "--data", data, "--org", "x")
    token = out.strip()
    assert code == 0 and out == token + "\n" and len(token) > 30
    conn = sqlite3.connect(tmp_path / "d" / "mitwirken.db")
    stored = [r[0] for r in conn.execute("SELECT token_hash FROM api_tokens")]
    conn.close()
    assert len(stored) == 1 and token not in stored[0]


def test_init_keeps_keys_private(tmp_path, capsys):
    data = tmp_path / "d"
    run(capsys, "init", "--data", str(data), "--url", "https://x.example", "--name", "X",
        "--city-username", "x")
    assert (data / "mitwirken.db").stat().st_mode & 0o777 == 0o600
    assert (data / "mitwirken.toml").stat().st_mode & 0o777 == 0o600
    assert data.stat().st_mode & 0o777 == 0o700
