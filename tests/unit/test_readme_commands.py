"""Every `mitwirken …` command shown in the README parses with the real CLI, and the README's
curl example is a valid minimal opportunity."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from mitwirken.models.content import Opportunity
from mitwirken.server.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[str]:
    text = README.read_text("utf-8").replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.strip().strip("`")
        if line.startswith("mitwirken "):
            commands.append(line.split("  #")[0].split("` —")[0].strip())
    return commands


def test_readme_shows_the_main_commands():
    names = {shlex.split(c)[1] for c in readme_commands()}
    assert {"init", "org", "token", "serve", "follow", "unfollow", "followers", "queue",
            "share", "block", "relay", "import", "approve"} <= names


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_parses(command):
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert callable(args.func)


def test_readme_curl_example_is_a_valid_minimal_opportunity():
    text = README.read_text("utf-8")
    body = re.search(r"-d '(\{.*?\})'", text, re.S).group(1)
    data = json.loads(body)
    opp = Opportunity.model_validate({**data, "org_username": "tafel"})
    assert opp.title == "Lesepat:in gesucht"
    assert opp.reply_time_days == 5
