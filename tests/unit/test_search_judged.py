"""The judged query set at a small size: recall@10 ≥ 0.95 (the target of bench/search.py)."""

from __future__ import annotations

from mitwirken.models.search_analysis import load_synonyms
from mitwirken.models.store import Store
from tests.search_judged import build, corpus, evaluate


def test_the_judged_set_is_big_enough_and_found():
    judged = corpus(filler=300)
    assert len(judged.relevant) >= 150
    store = Store.memory()
    build(store, judged)
    recall, mrr, missed = evaluate(store, judged, load_synonyms())
    store.close()
    assert recall >= 0.95, missed
    assert mrr >= 0.9, missed
