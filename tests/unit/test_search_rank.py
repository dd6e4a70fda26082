"""Ranking of word queries on the hits (`models.search_rank`, `search.phrase_counts`): BM25 as
FTS5 computes it, without FTS5 counting every phrase of the query in the whole index."""

from __future__ import annotations

import math
from datetime import timedelta

from mitwirken.models import responses, search, search_rank
from mitwirken.models.search_analysis import load_synonyms
from mitwirken.models.search_rank import Hit, Word
from mitwirken.models.store import Store, utcnow


def test_column_lengths_decode_sqlite_varints():
    assert search_rank.column_lengths(bytes([5, 120, 9])) == [5, 120, 9]
    # 300 = 0b10_0101100: two bytes, the most significant seven bits first
    assert search_rank.column_lengths(bytes([5, 0x82, 0x2C, 9])) == [5, 300, 9]
    assert search_rank.column_lengths(bytes([0x81, 0x80, 0x00])) == [16384]


def test_idf_is_fts5s_and_never_zero():
    assert math.isclose(search_rank.idf(10, 1000), math.log(990.5 / 10.5))
    assert search_rank.idf(900, 1000) == 1e-6  # in most rows: as good as no signal


def test_phrases_of_an_expression():
    assert search_rank.phrases('("les"* OR "vorles" OR "lesepat")') == [
        '"les"*', '"vorles"', '"lesepat"']


def test_title_weighs_more_rare_phrases_more_and_short_texts_more():
    word = Word({'"kind"': 3.0, '"kid"*': 1e-6}, {'"kind"': frozenset({2})})
    hits = [Hit(1, ["kind", "garten"], 40), Hit(2, ["mebo"], 40),  # "kind" in the body
            Hit(3, ["kidelo"], 40),  # only the frequent expansion, in the title
            Hit(4, ["kind"], 400)]  # title again, but a long text
    score = search_rank.scores(hits, [word])
    assert score[1] > score[2] > score[3]
    assert score[1] > score[4]
    assert word.title_counts(["kidelo", "kid", "kind", "kind"]) == {'"kid"*': 2, '"kind"': 2}


def _item(n: int, title: str, body: str) -> search.SearchItem:
    return search.SearchItem(ap_id=f"https://a.test/{n}", kind="practice", local=True,
                             origin="a.test", origin_name=None, actor="https://a.test/x",
                             url=f"https://a.test/{n}", title=title, summary="", body=body,
                             columns={"published": f"2026-01-{n:02d}T00:00:00Z"})


def test_phrase_counts_are_kept_until_the_index_changes():
    store = Store.memory()
    for n in range(1, 4):
        search.index(store, _item(n, "Garten", "Beete"))
    assert search.phrase_counts(store, ['"gart"', '"beet"'])[1] == {'"gart"': 3, '"beet"': 3}
    assert search.phrase_counts(store, ['"gart"']) == (3, {'"gart"': 3})
    search.index(store, _item(4, "Garten", "Obst"))  # a small index recounts after a change
    assert search.phrase_counts(store, ['"gart"', '"beet"']) == (
        4, {'"gart"': 4, '"beet"': 3})
    store.close()


def test_a_title_hit_ranks_above_body_hits_and_ties_go_to_the_freshest():
    store = Store.memory()
    search.index(store, _item(1, "Gartenpflege im Park", "Wir suchen Hilfe."))
    search.index(store, _item(2, "Hilfe gesucht", "Im Garten und im Park."))
    search.index(store, _item(3, "Hilfe gesucht", "Im Garten und im Park."))
    _, hits = search.search(store, search.Query(q="garten"))
    assert [h["ap_id"][-1] for h in hits] == ["1", "3", "2"]
    store.close()


def test_only_the_newest_window_is_ranked_older_hits_follow_newest_first(monkeypatch):
    store = Store.memory()
    search.index(store, _item(1, "Garten alt", "Beete."))  # the best match, but oldest
    search.index(store, _item(2, "Hilfe", "Im Garten."))
    search.index(store, _item(3, "Hilfe", "Im Garten, lange Texte, viele Worte hier."))
    search.index(store, _item(4, "Garten neu", "Beete."))
    search.index(store, _item(5, "Hilfe", "Garten."))
    for n in range(6, 16):  # items without the word: "garten" is rare enough to weigh
        search.index(store, _item(n, "Sport", "Training."))
    ids = lambda: [h["ap_id"][-1] for h in search.search(store, search.Query(q="garten"))[1]]  # noqa: E731
    assert ids() == ["4", "1", "5", "3", "2"]  # all ranked: the two title hits first
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    assert ids() == ["4", "5", "3", "2", "1"]  # the newest three ranked, then 2 and 1
    store.close()


def test_the_commoner_value_of_a_binary_field_is_asked_as_not_the_other():
    store = Store.memory()
    for n in range(1, 8):  # five opportunities, two practices; three local items
        item = _item(n, "Garten", "Text")
        kind = "practice" if n > 5 else "opportunity"
        search.index(store, item.__class__(**{**item.__dict__, "kind": kind,
                                              "local": n % 2 == 0}))
    opp, practice = search.tag("kind", "opportunity"), search.tag("kind", "practice")
    p = search.plan(store, search.Query(q="garten", kind="opportunity"))
    assert practice in p.negated and opp not in p.expression
    p = search.plan(store, search.Query(q="garten", kind="practice"))
    assert practice in p.tags[0] and practice not in p.negated
    found = lambda **kw: sorted(int(h["ap_id"].rsplit("/", 1)[1])  # noqa: E731
                                for h in search.search(store, search.Query(**kw))[1])
    assert found(q="garten", kind="opportunity") == [1, 2, 3, 4, 5]
    assert found(kind="opportunity") == [1, 2, 3, 4, 5]
    assert found(kind="practice") == [6, 7]
    assert found(local=False) == [1, 3, 5, 7]  # four of seven: "not local"
    assert search.tag("local", True) in search.plan(store, search.Query(local=False)).negated
    assert found(local=True, kind="opportunity") == [2, 4]
    store.close()


def test_a_short_synonym_is_a_whole_word_not_a_prefix():
    store = Store.memory()
    search.index(store, _item(1, "Kids-Treff", "Für Kids."))
    search.index(store, _item(2, "Kidnapping im Krimi", "Lesung"))
    search.index(store, _item(3, "Kinder", "Spielen"))
    for n in range(4, 10):
        search.index(store, _item(n, "Sport", "Training"))
    synonyms = load_synonyms()
    assert "kid" in synonyms["kind"]
    hits = search.search(store, search.Query(q="Kinder"), synonyms)[1]
    assert sorted(h["ap_id"][-1] for h in hits) == ["1", "3"]
    store.close()


def _org_item(n: int, org: str, day: str, local: bool = True) -> search.SearchItem:
    host = "a.test" if local else "b.test"
    return search.SearchItem(
        ap_id=f"https://{host}/angebote/{n}", kind="opportunity", local=local, origin=host,
        origin_name=None, actor=f"https://{host}/actors/{org}", url=f"https://{host}/{n}",
        title="Lesepaten gesucht", summary="", body="Vorlesen in der Bibliothek.",
        columns={"published": f"{day}T{n:02d}:00:00Z"})


def _responses(store: Store, org: str, answered_in_time: int, total: int) -> None:
    now = utcnow()
    for i in range(total):
        received = now - timedelta(days=10 + i)
        rid = responses.create(
            store, organisation=org, object_id=None, visibility="direct",
            sender_id=f"https://m.test/users/{org}{i}", sender_name=None, sender_handle=None,
            sender_inbox=None, promise_days=5, received=received,
            due=received + timedelta(days=7))
        if i < answered_in_time:
            responses.mark_answered(store, rid, received + timedelta(days=1))


def test_among_equally_relevant_and_fresh_hits_reactive_organisations_come_first():
    store = Store.memory()
    day = utcnow().date().isoformat()
    search.index(store, _org_item(1, "flink", day))      # answers 5 of 5 in time
    search.index(store, _org_item(2, "unbekannt", day))  # fewer than 5: neutral
    search.index(store, _org_item(3, "fern", day, local=False))  # remote: neutral
    search.index(store, _org_item(4, "traege", day))     # answers 0 of 6 in time, newest
    _, plain = search.search(store, search.Query(q="lesepaten"))
    assert [h["ap_id"][-1] for h in plain] == ["4", "3", "2", "1"]  # newest first, no figures
    _responses(store, "flink", 5, 5)
    _responses(store, "traege", 0, 6)
    _responses(store, "unbekannt", 4, 4)
    assert responses.in_time_shares(store, utcnow() - timedelta(days=90), 5) == {
        "flink": 1.0, "traege": 0.0}
    _, ranked = search.search(store, search.Query(q="lesepaten"))
    assert [h["ap_id"][-1] for h in ranked] == ["1", "3", "2", "4"]
    # a fresher day still wins over the reply rate
    search.index(store, _org_item(5, "traege", "2099-01-01"))
    _, later = search.search(store, search.Query(q="lesepaten"))
    assert later[0]["ap_id"].endswith("/5")
    store.close()
