"""Relevance of the hits of a word query, computed on the hits alone (no SQL here).

FTS5's own `bm25()` first counts, for every phrase of the query, its rows in the whole index
(its IDF), and a query phrase is every expansion of a word ("lese" → 19 terms) and every filter
tag ("kind=opportunity" is in 180 000 rows): at 240 000 objects that count alone took 10–40 ms
per query. This score is BM25 (k1 = 1.2, b = 0.75, FTS5's IDF) computed on at most RANK_LIMIT
hits from what the index stores per row — the title's terms and the length of each column —
and from document counts of the word phrases that `models.search` keeps between queries:

* every phrase of a query word adds IDF × the saturated weighted frequency, the title counting
  five times (a title word weighs five times a body word), as FTS5 sums it;
* in the title the frequencies are counted; in the body only the presence of rare phrases is
  known (their rows are looked up, `Word.present`); a word found nowhere else counts as one
  occurrence of its commonest phrase — so a hit that only matches a word through a frequent
  expansion ("kid*" for "Kinder") scores low, as with FTS5;
* lengths (all columns, as FTS5 counts them) are normalised by their mean over the hits.

Ties within RELEVANCE_STEP are decided by freshness (see `models.search.search`)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 5.0  # a title word weighs five times a body word
_TERM = re.compile(r'"([^"]+)"(\*?)')


def phrases(expression: str) -> list[str]:
    """The phrases of one word's FTS5 expression (`models.search.word_expression`), as FTS5
    writes them: `"term"` or `"prefix"*`."""
    return [f'"{t}"{star}' for t, star in _TERM.findall(expression)]


def idf(docs: int, total: int) -> float:
    """FTS5's IDF of a phrase in `docs` of `total` rows (never below a millionth)."""
    return max(1e-6, math.log((total - docs + 0.5) / (docs + 0.5)))


class Word:
    """One query word for ranking: the IDF of each of its phrases, and for its rare phrases
    the hits known to contain them."""

    def __init__(self, idfs: Mapping[str, float],
                 present: Mapping[str, frozenset[int]] | None = None) -> None:
        self.idfs = dict(idfs)
        self.present = dict(present or {})
        self._exact = {p[1:-1]: p for p in self.idfs if not p.endswith("*")}
        self._prefixes = tuple((p[1:-2], p) for p in self.idfs if p.endswith("*"))
        self._fallback = min(self.idfs.values(), default=0.0)

    def title_counts(self, terms: list[str]) -> dict[str, int]:
        """phrase → how often it occurs among a title's terms."""
        counts: dict[str, int] = {}
        for term in terms:
            phrase = self._exact.get(term)
            if phrase is not None:
                counts[phrase] = counts.get(phrase, 0) + 1
            for prefix, phrase in self._prefixes:
                if term.startswith(prefix):
                    counts[phrase] = counts.get(phrase, 0) + 1
        return counts

    def score(self, hit: Hit, norm: float) -> float:
        """BM25 of the word's phrases in one hit, as FTS5 sums it: per phrase IDF × saturation
        of (TITLE_WEIGHT × its count in the title + its count in the body); a body count is
        known only for rare phrases (1 where present), else it is one occurrence of the
        commonest phrase."""
        weighted = {p: TITLE_WEIGHT * n for p, n in self.title_counts(hit.title_terms).items()}
        for phrase, rows in self.present.items():
            if phrase not in weighted and hit.rowid in rows:
                weighted[phrase] = 1.0
        if not weighted:
            return self._fallback * _saturated(1.0, norm)
        return sum(self.idfs[p] * _saturated(tf, norm) for p, tf in weighted.items())


def _saturated(weighted_tf: float, norm: float) -> float:
    return weighted_tf * (K1 + 1) / (weighted_tf + K1 * norm)


@dataclass(frozen=True)
class Hit:
    """What the index stores about one hit: its rowid, title terms, and length (all columns,
    as FTS5 counts it)."""

    rowid: int
    title_terms: list[str]
    length: int


def scores(hits: Iterable[Hit], words: list[Word]) -> dict[int, float]:
    """rowid → relevance (higher is better) of each hit for the query words."""
    rows = list(hits)
    if not rows:
        return {}
    mean = sum(h.length for h in rows) / len(rows)
    out: dict[int, float] = {}
    for hit in rows:
        norm = 1 - B + B * (hit.length / mean if mean > 0 else 1.0)
        out[hit.rowid] = sum(word.score(hit, norm) for word in words)
    return out


def column_lengths(blob: bytes) -> list[int]:
    """The token count of each column, as FTS5 keeps it (`search_text_docsize.sz`: SQLite
    varints, seven bits a byte, the most significant first)."""
    if max(blob, default=0) < 0x80:  # every column below 128 tokens: one byte each
        return list(blob)
    out: list[int] = []
    value = 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            out.append(value)
            value = 0
    return out


__all__ = ["B", "K1", "TITLE_WEIGHT", "Hit", "Word", "column_lengths", "idf", "phrases",
           "scores"]
