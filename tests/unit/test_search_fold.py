"""German folding and query building of the network search (models/search.py)."""

from __future__ import annotations

import pytest

from mitwirken.models import search
from mitwirken.models.search import (
    MAX_EXPANSION,
    SearchItem,
    fold,
    query_words,
    word_expression,
    word_expressions,
)
from mitwirken.models.store import Store


@pytest.mark.parametrize(("spellings", "folded"), [
    (("Müll", "Muell", "MULL", "müll", "MÜLL", "Mull"), "mull"),
    (("Straße", "Strasse", "STRASSE", "strasse", "STRAẞE"), "strasse"),
    (("Bürgerstiftung", "Buergerstiftung", "BÜRGERSTIFTUNG"), "burgerstiftung"),
    (("Ehrenamtsbörse", "Ehrenamtsboerse"), "ehrenamtsborse"),
    (("Infoblätter", "Infoblaetter"), "infoblatter"),
    (("Café", "Cafe", "CAFÉ"), "cafe"),
    (("Senior:innen",), "senior:innen"),
])
def test_spellings_fold_to_one_form(spellings, folded):
    assert {fold(s) for s in spellings} == {folded}


def test_decomposed_umlauts_fold_like_composed_ones():
    assert fold("Mu\u0308ll") == fold("Müll") == "mull"  # NFD input, as macOS sends it


def test_fold_is_idempotent_and_keeps_word_boundaries():
    text = "Müllsammelaktion an der Hauptstraße – 9:30 Uhr, Spaß für Groß & Klein!"
    assert fold(fold(text)) == fold(text)
    assert fold(text).split() == ["mullsammelaktion", "an", "der", "hauptstrasse", "–", "9:30",
                                  "uhr,", "spass", "fur", "gross", "&", "klein!"]


@pytest.mark.parametrize(("q", "expected"), [
    ("Müll", ["mull"]),
    ("Straße Fest", ["strasse", "fest"]),
    ("  Lese-Paten  ", ["lese", "paten"]),
    ('"Müll" OR lese*', ["mull", "or", "lese"]),
    ("NEAR(a b)", ["near", "a", "b"]),
    ("title:müll", ["title", "mull"]),
    ("müll^2 -x", ["mull", "2", "x"]),
    ("snake_case", ["snake", "case"]),
    ("Müll muell MULL", ["mull"]),
    ("", []),
    ("  -*() \"' ", []),
])
def test_query_words_are_plain_folded_words(q, expected):
    assert query_words(q) == expected


def test_a_prefix_becomes_the_indexed_stems_it_begins():
    s = Store.memory()
    search.index(s, item("https://a/1", "Lesepaten", "lesen Leserin Vorlesen Blumenbeet"))
    assert word_expression(s, "lese") == '("lesepat" OR "vorles")'  # "leserin" → "les"
    assert word_expression(s, "lesepat") == '("lesepat")'
    assert word_expression(s, "les") == '"les"*'  # prefix index; a 3-letter stem alone …
    assert word_expression(s, "les", folded="lesen") == '("les"* OR "vorles")'  # … "lesen"
    assert word_expression(s, "lesex") is None  # begins no word: nothing can match
    many = " ".join(f"wort{i:03d}" for i in range(MAX_EXPANSION + 1))
    search.index(s, item("https://a/2", "Viele", many))
    assert word_expression(s, "wort") == '"wort"*'  # too many words: FTS5's own prefix query
    assert [r["ap_id"] for r in search.search(s, search.Query(q="wort"))[1]] == ["https://a/2"]
    s.close()


def test_short_words_match_whole_words_and_three_letters_use_the_prefix_index():
    s = Store.memory()
    search.index(s, item("https://a/1", "Ab heute", "Kinder lesen vor"))
    assert word_expression(s, "ab") == '("ab")'
    assert word_expression(s, "ki") is None  # no word "ki": two letters are never a prefix
    assert word_expression(s, "kin") == '"kin"*'  # answered by FTS5's prefix index
    assert word_expression(s, "xyz") is None
    for q, hits in (("ab", 1), ("ki", 0), ("kin", 1), ("AB kin vor", 1), ("a b", 0)):
        assert search.search(s, search.Query(q=q))[0] == hits, q
    s.close()


def test_only_the_first_very_broad_prefix_is_merged_in_full():
    s = Store.memory()
    search.index(s, item("https://a/1", "Viele", " ".join(
        [f"wort{i:03d}" for i in range(MAX_EXPANSION + 1)]
        + [f"satz{i:03d}" for i in range(MAX_EXPANSION + 1)] + ["satz"])))
    assert word_expressions(s, "wort satz") == ['"wort"*', '("satz")']
    assert word_expressions(s, "satz wort") == ['"satz"*', None]  # no word "wort" itself
    assert search.search(s, search.Query(q="wort satz"))[0] == 1
    s.close()


def test_a_query_uses_at_most_eight_words():
    s = Store.memory()
    search.index(s, item("https://a/1", "Eins", "alpha beta gamma delta epsilon zeta eta theta"))
    eight = "alpha beta gamma delta epsilon zeta eta theta"
    assert query_words(eight + " nirgendwo") == eight.split()
    assert search.search(s, search.Query(q=eight + " nirgendwo"))[0] == 1  # 9th word ignored
    assert search.search(s, search.Query(q="nirgendwo " + eight))[0] == 0
    s.close()


def item(ap_id: str, title: str, body: str = "", **columns) -> SearchItem:
    return SearchItem(ap_id=ap_id, kind="practice", local=True, origin="musterstadt.test",
                      origin_name=None, actor="http://musterstadt.test/actors/musterstadt",
                      url=ap_id, title=title, summary=body[:300], body=body, columns=columns)


@pytest.fixture
def store():
    s = Store.memory()
    yield s
    s.close()


def test_index_search_and_remove_in_memory(store):
    search.index(store, item("https://a/1", "Müllsammelaktion", "an der Hauptstraße"))
    search.index(store, item("https://a/2", "Straßenfest", "mit Musik"))
    hits = lambda q: [r["ap_id"] for r in search.search(store, search.Query(q=q))[1]]  # noqa: E731
    assert hits("Muell") == ["https://a/1"]
    assert hits("MULL") == ["https://a/1"]
    # a prefix of "strassenfest" in the title first, then inside the compound "hauptstrasse"
    assert hits("Strasse") == ["https://a/2", "https://a/1"]
    assert hits("hauptstr") == ["https://a/1"]
    # re-indexing replaces, never duplicates
    search.index(store, item("https://a/1", "Laubsammelaktion", "im Park"))
    assert hits("Müll") == [] and hits("Laub") == ["https://a/1"]
    assert store.scalar("SELECT count(*) FROM search_text") == 2
    search.remove(store, "https://a/2")
    assert hits("") == ["https://a/1"]
    assert store.scalar("SELECT count(*) FROM search_text") == 1


def test_remove_origin_drops_only_remote_items_of_that_domain(store):
    local = item("https://x.test/1", "Lokal")
    remote = item("https://x.test/2", "Fern")
    remote.local, remote.origin = False, "x.test"
    local.origin = "x.test"
    other = item("https://y.test/3", "Anderswo")
    other.local, other.origin = False, "y.test"
    for i in (local, remote, other):
        search.index(store, i)
    assert search.remove_origin(store, "x.test") == 1
    assert {r["ap_id"] for r in search.search(store, search.Query())[1]} == {
        "https://x.test/1", "https://y.test/3"}
