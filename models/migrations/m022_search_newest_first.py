"""m022_search_newest_first: the rowids of the search index grow towards the past, so newest
first is ascending rowid order — the direction in which FTS5 seeks through a long doclist with
its doclist index (backwards it walks the doclist row by row: 30–45 % more CPU for selective
queries at 240 000 objects, docs/PERFORMANCE.md, seventh round).

Every item keeps its place in the order, reversed: a dated item's band (its published second
+ 2**34, above 20 bits of sequence) becomes 2**37 − band and its sequence 2**20 − 1 − sequence;
undated items (band 0, last in the order) get the band 2**37, after every dated one.
`search_items` is renumbered through negative rowids (the old and the new range may meet);
the full-text index is built again from its own content under the new rowids, and replaces
the old one. Nothing else refers to these rowids.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

_SEQ_BITS = 20
_SEQ_MASK = 2**_SEQ_BITS - 1
_TOP = 2**37


def _flipped(old: str) -> str:
    """SQL: the new rowid of the old rowid `old` (an expression)."""
    return (f"((CASE WHEN (({old}) >> {_SEQ_BITS}) = 0 THEN {_TOP} "
            f"ELSE {_TOP} - (({old}) >> {_SEQ_BITS}) END) << {_SEQ_BITS}) "
            f"| ({_SEQ_MASK} - (({old}) & {_SEQ_MASK}))")


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE search_items SET rowid = -1 - rowid")  # old rowids are ≥ 0
    db.execute(f"UPDATE search_items SET rowid = {_flipped('-1 - rowid')}")
    db.execute("CREATE VIRTUAL TABLE search_text_flipped USING fts5(title, body, tags, "
               "tokenize = 'ascii', prefix = '3')")
    # in ascending new rowids (FTS5 flushes its pending terms whenever a rowid is lower than
    # the last one: descending inserts would write a segment per row)
    db.execute("INSERT INTO search_text_flipped (rowid, title, body, tags) "
               f"SELECT {_flipped('id')}, c0, c1, c2 FROM search_text_content ORDER BY id DESC")
    db.execute("DROP TABLE search_text")
    db.execute("ALTER TABLE search_text_flipped RENAME TO search_text")
    db.execute("INSERT INTO search_text (search_text) VALUES ('optimize')")
