"""The search page's count of hits, in German: exact, or "mehr als …" past the counting bound."""

from __future__ import annotations

from mitwirken.server.web.page_text import hits_de, number_de


def test_exact_and_bounded_counts_in_german():
    assert hits_de(1, True) == "1 Treffer"
    assert hits_de(23, True) == "23 Treffer"
    assert hits_de(1000, True) == "1\u00a0000 Treffer"
    assert hits_de(1001, False) == "mehr als 1\u00a0000 Treffer"  # one more than counted
    assert hits_de(2021, False) == "mehr als 2\u00a0020 Treffer"
    assert number_de(1234567) == "1\u00a0234\u00a0567"
