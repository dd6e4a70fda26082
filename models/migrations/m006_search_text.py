"""m006_search_text: network search answered by FTS5 alone (`search_text` with tags,
`search_terms`, rowids that encode the published time); the old `search_fts` is carried over.

Frozen: databases in the field have run this; never edit it (a change is a new migration).
It carries a private copy of what it needs from `models/search.py` (folding and words, the
tags of a row, the rowid band of a published time, writing one full-text row), as that code
was when the migrations were frozen, so later changes to search cannot change this step."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import sqlite_utils

from mitwirken.models.migrations.sql_script import run_script

# --- frozen copy of models/search.py (words, tags, sort_key_band, index_words); do not edit -

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    text = text.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _words(text: str) -> list[str]:
    return _split_folded(_fold(text))


def _split_folded(folded: str) -> list[str]:
    return _WORD.findall(folded)


_TAG_PREFIX = "mwx"
_KEYED_TAGS = {"kind": "k", "opp_kind": "t", "remote": "r", "region": "g", "origin": "o",
               "local": "l", "cause_areas": "c", "activity_types": "a", "themes": "h",
               "sectors": "s", "suitable_for": "u"}
_ANY = f"{_TAG_PREFIX}any"
_INACTIVE = f"{_TAG_PREFIX}inactive"
_HOURS = f"{_TAG_PREFIX}qw"
_MIN_AGE = f"{_TAG_PREFIX}qm"
_NO_MIN_AGE = f"{_TAG_PREFIX}qn"
_START_MONTH, _START_DAY = f"{_TAG_PREFIX}qs", f"{_TAG_PREFIX}qt"
_END_MONTH, _END_DAY = f"{_TAG_PREFIX}qe", f"{_TAG_PREFIX}qf"


def _tag(field_name: str, value: object) -> str:
    if isinstance(value, bool):
        value = int(value)
    return f"{_TAG_PREFIX}{_KEYED_TAGS[field_name]}{str(value).encode().hex()}"


def _milli_hours(hours: float) -> int:
    return round(hours * 1000)


def _item_tags(row: dict) -> list[str]:
    tags = [_ANY]
    for name in _KEYED_TAGS:
        value = row.get(name)
        if value is None or value == "":
            continue
        values = [v for v in str(value).split("|") if v] if str(value).startswith("|") \
            else [value]
        tags += [_tag(name, v) for v in values]
    if row.get("kind") == "opportunity" and row.get("status") in ("closed", "paused"):
        tags.append(_INACTIVE)
    if row.get("hours_per_week") is not None:
        tags.append(f"{_HOURS}{_milli_hours(row['hours_per_week'])}")
    tags.append(_NO_MIN_AGE if row.get("min_age") is None
                else f"{_MIN_AGE}{int(row['min_age'])}")
    for column, month, day in (("start", _START_MONTH, _START_DAY),
                               ("end", _END_MONTH, _END_DAY)):
        if row.get(column):
            digits = row[column][:10].replace("-", "")
            tags += [f"{month}{digits[:6]}", f"{day}{digits}"]
    return tags


_SEQ_BITS = 20
_EPOCH_SHIFT = 2**34


def _sort_key_band(published: str | None) -> int:
    if not published:
        return 0
    seconds = int(datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp())
    return min(max(seconds + _EPOCH_SHIFT, 1), 2**36) << _SEQ_BITS


def _index_words(db: sqlite_utils.Database, rowid: int, title_words: list[str],
                 body_words: list[str], tags: list[str]) -> None:
    db.execute("INSERT INTO search_text (rowid, title, body, tags) VALUES (?, ?, ?, ?)",
               [rowid, " ".join(title_words), " ".join(body_words), " ".join(tags)])
    db.conn.executemany("INSERT OR IGNORE INTO search_terms (term) VALUES (?)",
                        [(t,) for t in {*title_words, *body_words, *tags}])


# --- the migration ------------------------------------------------------------------------


def migrate(db: sqlite_utils.Database) -> None:
    """Network search answered by FTS5 alone (models/search.py, docs/PERFORMANCE.md "Search",
    third round): a new full-text table `search_text` with every filter as a tag in its own
    column, `search_terms` (the indexed words, for prefix queries), and rowids that encode the
    published time. Existing items are renumbered and re-indexed from the old `search_fts`,
    which is then dropped: it is a derived index, and everything in it is carried over."""
    run_script(
        db,
        """
        CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE VIRTUAL TABLE search_text USING fts5(title, body, tags, tokenize = 'ascii',
                                                    prefix = '3')
        """,
    )
    # Hours are compared to a thousandth now (their tags); round the stored values alike.
    db.execute("UPDATE search_items SET hours_per_week = round(hours_per_week, 3) "
               "WHERE hours_per_week IS NOT NULL")
    cur = db.execute("SELECT i.rowid AS old_rowid, i.*, f.title AS folded_title, "
                     "f.body AS folded_body FROM search_items i "
                     "LEFT JOIN search_fts f ON f.rowid = i.rowid "
                     "ORDER BY i.published IS NOT NULL, i.published, i.rowid")
    cols = [c[0] for c in cur.description]
    rows = [dict(zip(cols, values, strict=True)) for values in cur.fetchall()]
    db.execute("UPDATE search_items SET rowid = -rowid")  # out of the way of the new keys
    last = -1
    for row in rows:
        key = max(_sort_key_band(row["published"]), last + 1)
        last = key
        db.execute("UPDATE search_items SET rowid = ? WHERE rowid = ?", [key, -row["old_rowid"]])
        # The old index holds folded text: split it without folding again ("quer" would
        # become "qur"). Its body ends with the first scheme's filter words ("mwx…").
        title = (_split_folded(row["folded_title"]) if row["folded_title"] is not None
                 else _words(row["title"]))
        body = [w for w in _split_folded(row["folded_body"] or "")
                if not w.startswith(_TAG_PREFIX)]
        _index_words(db, key, title, body, _item_tags(row))
    db.execute("DROP TABLE search_fts")
