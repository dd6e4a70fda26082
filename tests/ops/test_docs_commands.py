"""Every `mitwirken …` command in the operator guides exists: each one is parsed by the real
argument parser, so a renamed flag or subcommand breaks this test, not a city's upgrade night."""

from __future__ import annotations

import re
import shlex

import pytest

from mitwirken.server.cli import build_parser
from tests.ops.helpers import REPO

DOCS = [REPO / "docs" / "OPERATIONS.md", REPO / "docs" / "BETRIEB.md"]
ADMIN_GUIDE = REPO / "docs" / "ADMIN.md"  # its commands parse too (below)
SHELL_OPERATORS = {"&&", "||", ";", "|", ">", ">>", "2>&1"}
SUBCOMMAND = re.compile(r"^[a-z][a-z-]*$")


def shell_lines(text: str) -> list[str]:
    """Lines of fenced code blocks (continuations joined), plus inline `code` spans that look
    like a full command (they carry a --flag)."""
    lines: list[str] = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S):
        lines += block.replace("\\\n", " ").splitlines()
    lines += [span for span in re.findall(r"`([^`\n]+)`", text)
              if span.startswith("mitwirken ") and " --" in span]
    return lines


def mitwirken_invocations(line: str) -> list[list[str]]:
    """The argument lists given to the `mitwirken` program on one shell line: after a token
    `mitwirken` or `…/bin/mitwirken` that is followed by a word (not a path, not a flag) —
    so `systemctl stop mitwirken` or `sudo -u mitwirken …` are not mistaken for calls."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return []
    found = []
    for i, token in enumerate(tokens[:-1]):
        if token != "mitwirken" and not token.endswith("/bin/mitwirken"):
            continue
        nxt = tokens[i + 1]
        if nxt == "mitwirken" or not SUBCOMMAND.match(nxt):
            continue
        args = []
        for arg in tokens[i + 1:]:
            if arg in SHELL_OPERATORS:
                break
            args.append(arg)
        found.append(args)
    return found


def doc_commands() -> list[tuple[str, list[str]]]:
    out = []
    for doc in (*DOCS, ADMIN_GUIDE):
        for line in shell_lines(doc.read_text("utf-8")):
            out += [(f"{doc.name}: {line.strip()}", args) for args in mitwirken_invocations(line)]
    return out


def test_both_guides_exist_and_document_the_ops_commands() -> None:
    for doc in DOCS:
        assert doc.exists(), f"{doc} is missing"
        used = {args[0] for _, args in doc_commands() if _.startswith(doc.name)}
        flags = " ".join(" ".join(a) for n, a in doc_commands() if n.startswith(doc.name))
        wanted = {"init", "backup", "restore", "check", "org", "token", "follow", "queue"}
        assert wanted <= used, f"{doc.name} lacks examples of {wanted - used}"
        for flag in ("--keep", "--offline", "--from", "--to"):
            assert flag in flags, f"{doc.name} has no example with {flag}"


@pytest.mark.parametrize(("where", "args"), doc_commands(), ids=lambda v: str(v)[:80])
def test_documented_command_parses(where: str, args: list[str]) -> None:
    parser = build_parser()
    try:
        parsed = parser.parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"{where}\n  is not a valid mitwirken command (argparse exit {exc.code})")
    assert callable(parsed.func)


ADMIN_MADE = {".env", "mitwirken.env", "backups"}  # created by the admin from the examples


def test_referenced_deploy_files_exist() -> None:
    for doc in DOCS:
        for name in set(re.findall(r"deploy/([\w.-]+[\w])", doc.read_text("utf-8"))):
            if name not in ADMIN_MADE:
                assert (REPO / "deploy" / name).exists(), f"{doc.name} mentions deploy/{name}"


def test_extraction_is_not_fooled() -> None:
    assert mitwirken_invocations("systemctl stop mitwirken") == []
    assert mitwirken_invocations("journalctl -u mitwirken -f") == []
    assert mitwirken_invocations(
        "sudo -u mitwirken /opt/mitwirken/venv/bin/mitwirken check --data /d") == [
        ["check", "--data", "/d"]]
    assert mitwirken_invocations(
        "docker compose exec -T mitwirken mitwirken backup --data /data --to /b/ && echo ok") == [
        ["backup", "--data", "/data", "--to", "/b/"]]
