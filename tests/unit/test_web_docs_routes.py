"""docs/WEB.md names every route of the web UI, and every web UI path it names is a route."""

from __future__ import annotations

import re
from pathlib import Path

from mitwirken.server.web.routes import ROUTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "WEB.md"
PREFIXES = ("/anmelden", "/abmelden", "/passwort", "/verwaltung", "/sprache")


def _plain(path: str) -> str:
    """`/verwaltung/angebote/{id}/{action:a|b}` → `/verwaltung/angebote/{id}/{action}`."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def routes() -> set[str]:
    return {_plain(r.path) for r in ROUTES if r.path.startswith(PREFIXES)}


def documented() -> set[str]:
    text = re.sub(r"^```.*?^```", "", DOC.read_text("utf-8"), flags=re.M | re.S)
    paths = set()
    for span in re.findall(r"`([^`]+)`", text):
        for word in span.split():
            word = word.rstrip(",")
            if word.startswith(PREFIXES):
                paths.add(word.split("?")[0])
    return paths


def test_every_web_route_is_documented():
    doc = documented()
    actions = {"/verwaltung/angebote/{id}/" + a for a in (
        "bestaetigen", "pausieren", "oeffnen", "schliessen")}
    missing = set()
    for route in routes():
        if route == "/verwaltung/angebote/{id}/{action}":
            missing |= actions - doc
        elif route not in doc:
            missing.add(route)
    assert not missing, f"docs/WEB.md does not name {sorted(missing)}"


def test_every_documented_path_is_a_route():
    patterns = [re.compile("^" + re.sub(r"\{\w+(?::([^}]+))?\}",
                                        lambda m: f"(?:{m.group(1)}|{{\\w+}})" if m.group(1)
                                        else r"[^/]+", r.path) + "$")
                for r in ROUTES if r.path.startswith(PREFIXES)]
    unknown = [p for p in documented() if not any(pattern.match(p) for pattern in patterns)]
    assert not unknown, f"docs/WEB.md names paths that are no route: {unknown}"
