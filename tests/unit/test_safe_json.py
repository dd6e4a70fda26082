"""The one JSON parser for untrusted input (models/safe_json.py), and a check that no other
module parses request bodies or fetched documents on its own."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from mitwirken.models.safe_json import MAX_DEPTH, JsonRefused, parse_json

ROOT = Path(__file__).resolve().parents[2]

# Where json.loads reads data we wrote ourselves (stored rows, our own outbox, our backups).
TRUSTED_LOADS = {
    "models/deliveries.py",  # failure_days, written by us
    "federation/remote.py",  # cached actor documents, parsed by parse_json when fetched
    "server/usecases/backup.py",  # the manifest of a backup we made
    "server/usecases/operations.py",  # stored inbox bodies (parsed by parse_json on arrival)
    "server/web/objects.py",  # our own activities
    "server/web/actors.py",  # our own outbox rows
    "server/usecases/privacy.py",  # cached actor documents, parsed by parse_json when fetched
    "server/workers/inbox.py",  # stored inbox bodies (parsed by parse_json on arrival)
    "models/safe_json.py",  # the helper itself
}


def test_nesting_at_the_limit_parses_and_one_deeper_is_refused():
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(JsonRefused, match="nested deeper"):
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"a": "[[[[{{{{" * 100, "b": '\\"[[[['})
    assert parse_json(text)["a"].startswith("[[[[")


def test_a_million_brackets_are_refused_without_recursion():
    with pytest.raises(JsonRefused):
        parse_json(b"[" * 1_000_000)


@pytest.mark.parametrize("body", [
    b'{"a": 1, "a": 2}', b'{"x": NaN}', b'[Infinity]', b'"\\ud800"', b'{"\\udfff": 1}',
    b'\xff\xfe', b'{"a": ' + b"1" * 5000 + b"}", b"", b"{",
])
def test_refused_inputs(body):
    with pytest.raises(JsonRefused):
        parse_json(body)


def test_valid_pairs_and_unicode_pass():
    assert parse_json('{"t": "\\ud83d\\ude00 Grüße"}') == {"t": "😀 Grüße"}


def _calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else ""
            if (name, node.func.attr) == ("json", "loads"):
                found.append("json.loads")
            elif node.func.attr == "json" and name in ("request", "resp", "response"):
                found.append(f"{name}.json()")
    return found


def test_no_other_module_parses_untrusted_json():
    offenders = []
    for folder in ("models", "federation", "server"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            calls = _calls(ast.parse(path.read_text(encoding="utf-8")))
            if any(c != "json.loads" for c in calls) or (calls and rel not in TRUSTED_LOADS):
                offenders.append(f"{rel}: {calls}")
    assert offenders == [], "parse untrusted JSON with models.safe_json.parse_json"
