"""The `mitwirken user …` examples of docs/WEB.md are run, in order, on a fresh instance."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

from mitwirken.server.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "WEB.md"


def doc_commands() -> list[str]:
    text = DOC.read_text("utf-8")
    section = text.split("## Accounts (command line)", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block
    return [line for line in block.group(1).splitlines() if line.startswith("mitwirken ")]


def test_the_documented_user_commands_run(tmp_path, capsys, monkeypatch):
    data = tmp_path / "d"
    assert main(["init", "--data", str(data), "--url", "https://engagiert.example",
                 "--name", "Engagierte Stadt Musterstadt", "--city-username", "musterstadt"]) == 0
    assert main(["org", "add", "--data", str(data), "--username", "tafel", "--name", "Tafel",
                 "--sector", "civil-society"]) == 0
    capsys.readouterr()
    commands = doc_commands()
    assert len(commands) == 5
    outputs = []
    for line in commands:
        words = shlex.split(line.replace("DIR", str(data)))
        if "<" in words:
            at = words.index("<")
            monkeypatch.setattr("sys.stdin", io.StringIO("ein langes Passwort 42\n"))
            words = words[:at]
        assert main(words[1:]) == 0, line
        outputs.append(capsys.readouterr().out)
    assert re.search(r"https://engagiert\.example/passwort/mw_\S+", outputs[0])
    assert "passwort" not in outputs[1]  # the password came from stdin
    assert "anna@tafel.example\teditor\ttafel\tPasswort offen" in outputs[2]
    assert "info@musterstadt.example\tstaff\t-\tPasswort gesetzt" in outputs[2]
    assert "/passwort/" in outputs[3]
    assert main(["user", "list", "--data", str(data)]) == 0
    assert "anna@" not in capsys.readouterr().out
