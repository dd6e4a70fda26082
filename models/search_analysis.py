"""German text analysis for search, alike for documents and queries: folded words
(:func:`models.search_tokens.words`) reduced to their Snowball stems (PyStemmer, "german"),
the German labels and hashtags of an item's vocabulary values, synonyms read from one data
file, and the one-edit variants of a word for typo tolerance.

    >>> terms("Die Kinder lesen vor")
    ['die', 'kind', 'les', 'vor']
    >>> terms("Lesepatinnen") == terms("lesepatinnen")
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import Stemmer

from mitwirken.models.search_tokens import split_folded, words
from mitwirken.models.vocab_base import VocabEnum

SYNONYMS_FILE = Path(__file__).with_name("data") / "synonyme.txt"
TYPO_MIN_LETTERS = 5  # words from five letters on may carry one typo
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

# A stemmer is a pure function of its word; PyStemmer caches recent words inside the object.
_STEMMER = Stemmer.Stemmer("german")

Synonyms = dict[str, tuple[str, ...]]
"""Stem → the stems of the other words of its group."""


def stem_folded(folded_words: Iterable[str]) -> list[str]:
    """The stems of words that are folded already (see `search_tokens.fold`)."""
    return [str(s) for s in _STEMMER.stemWords(list(folded_words))]


def terms(text: str) -> list[str]:
    """The indexed terms of a text: the stems of its folded words."""
    return stem_folded(words(text))


def label_text(values: Iterable[object]) -> str:
    """The German labels and hashtag names of vocabulary values, as searchable text
    ("Handwerk & Garten HandwerkUndGarten"); other values contribute nothing."""
    out: list[str] = []
    for value in values:
        if isinstance(value, VocabEnum):
            out += [value.label_de, value.tag]
    return " ".join(out)


def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    """The synonym groups of the file (one group per line, comma-separated, # comments)."""
    result: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        group = {t for part in line.split(",") for t in terms(part)}
        for term in group:
            result.setdefault(term, set()).update(group - {term})
    return {k: tuple(sorted(v)) for k, v in result.items()}


def one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away (a–z)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    out.discard(word)
    return out


__all__ = ["SYNONYMS_FILE", "TYPO_MIN_LETTERS", "Synonyms", "label_text", "load_synonyms",
           "one_edit", "split_folded", "stem_folded", "terms"]
