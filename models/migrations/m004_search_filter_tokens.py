"""m004_search_filter_tokens: keyed search filters become tokens in the full-text index.

Frozen: databases in the field have run this; never edit it (a change is a new migration).
It carries a private copy of the first tag scheme (`filter_tokens` and `fold` as they were in
`models/search.py` when the migrations were frozen), so later changes to search cannot change
what this step writes."""

from __future__ import annotations

import re
import unicodedata

import sqlite_utils

# --- frozen copy of models/search.py (fold, the keyed tags, filter_tokens); do not edit ----

_TAG_PREFIX = "mwx"
_KEYED_TAGS = {"kind": "k", "opp_kind": "t", "remote": "r", "region": "g", "origin": "o",
               "local": "l", "cause_areas": "c", "activity_types": "a", "themes": "h",
               "sectors": "s", "suitable_for": "u"}
_INACTIVE = f"{_TAG_PREFIX}inactive"


def _fold(text: str) -> str:
    text = text.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _filter_tokens(row: dict) -> str:
    tokens = []
    for name, letter in _KEYED_TAGS.items():
        value = row.get(name)
        if value is None or value == "":
            continue
        values = [v for v in str(value).split("|") if v] if str(value).startswith("|") \
            else [value]
        tokens += [f"{_TAG_PREFIX}{letter}{re.sub('[^a-z0-9]', '', _fold(str(v)))}"
                   for v in values]
    if row.get("kind") == "opportunity" and row.get("status") in ("closed", "paused"):
        tokens.append(_INACTIVE)
    return " ".join(tokens)


# --- the migration ------------------------------------------------------------------------


def migrate(db: sqlite_utils.Database) -> None:
    """Keyed search filters become tokens in the full-text index (models/search.py), so text
    queries with filters are answered by FTS5 alone. Existing rows get their tokens appended."""
    cur = db.execute("SELECT rowid, * FROM search_items")
    cols = [c[0] for c in cur.description]
    for values in cur.fetchall():
        row = dict(zip(cols, values, strict=True))
        db.execute("UPDATE search_fts SET body = body || ' ' || ? WHERE rowid = ?",
                   [_filter_tokens(row), row["rowid"]])
