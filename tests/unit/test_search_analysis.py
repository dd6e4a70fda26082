"""German search: stems, compounds, labels, typos and synonyms, on an in-memory store."""

from __future__ import annotations

import pytest

from mitwirken.models import search
from mitwirken.models.search import SearchItem
from mitwirken.models.search_analysis import label_text, load_synonyms, one_edit, terms
from mitwirken.models.store import Store
from mitwirken.models.vocab import ActivityType, CauseArea

DOCS = {
    "vorlesen": ("Vorlesen in der Stadtbibliothek", "Kindern am Nachmittag vorlesen"),
    "lesepatin": ("Lesepat:in gesucht", "Einmal pro Woche an der Grundschule"),
    "begleitung": ("Seniorenbegleitung im Quartier", "Spaziergänge und Gespräche"),
    "sprachcafe": ("Sprachcafé am Dienstag", "Deutsch üben bei Kaffee"),
    "stunde": ("Vorlesestunde für Kleine", "Bilderbücher für Dreijährige"),
    "tierheim": ("Gassigehen mit dem Tierheim", "Hunde brauchen Auslauf"),
    "tafel": ("Lebensmittelausgabe der Tafel", "Lebensmittel sortieren und ausgeben"),
    "ehrenamt": ("Freiwilligenarbeit im Verein", "Wir freuen uns über Hilfe"),
    "fluechtlinge": ("Begleitung für Flüchtlinge", "Behördengänge gemeinsam"),
    "garten": ("Beete anlegen", "Draußen mit Schaufel und Harke"),
}


def item(name: str, title: str, body: str, **columns: object) -> SearchItem:
    ap_id = f"https://musterstadt.test/{name}"
    return SearchItem(ap_id=ap_id, kind="practice", local=True, origin="musterstadt.test",
                      origin_name=None, actor="https://musterstadt.test/actors/a", url=ap_id,
                      title=title, summary=body, body=body, columns=dict(columns))


@pytest.fixture
def store():
    s = Store.memory()
    for name, (title, body) in DOCS.items():
        if name == "garten":
            body += " " + label_text([ActivityType.HANDWERK_GARTEN])
        search.index(s, item(name, title, body))
    yield s
    s.close()


def names(store: Store, q: str, synonyms: dict | None = None) -> set[str]:
    _, hits = search.search(store, search.Query(q=q), synonyms)
    return {h["ap_id"].rsplit("/", 1)[1] for h in hits}


def test_stems_are_the_same_for_documents_and_queries():
    assert terms("Kindern") == terms("Kinder") == ["kind"]
    assert terms("Älteren") == terms("Aelteren") == terms("ältere")
    assert terms("Begleitung") == ["begleit"]
    assert terms("Straße") == terms("Strasse")  # ß folding kept


@pytest.mark.parametrize(("q", "expected"), [
    ("lesen", {"vorlesen", "lesepatin", "stunde"}),   # inside and at the start of compounds
    ("begleitung", {"begleitung", "fluechtlinge"}),   # "Seniorenbegleitung"
    ("Sprache", {"sprachcafe", "begleitung"}),        # "Sprachcafé", "Gespräche"
    ("vorlesen", {"vorlesen", "stunde"}),             # "Vorlesestunde"
    # "Tierheim"; and (the price of matching inside words) "sor|tiere|n", "Quar|tier"
    ("Tiere", {"tierheim", "tafel", "begleitung"}),
    ("Kinder", {"vorlesen"}),                         # "Kindern"
])
def test_word_forms_and_compounds(store, q, expected):
    assert names(store, q) == expected


def test_labels_and_hashtags_are_searchable(store):
    assert "Handwerk & Garten" in label_text([ActivityType.HANDWERK_GARTEN])
    assert names(store, "Garten") == {"garten"}
    assert names(store, "HandwerkUndGarten") == {"garten"}
    assert label_text(["kein-vokabular"]) == ""
    assert CauseArea.KINDER_JUGEND.label_de in label_text([CauseArea.KINDER_JUGEND])


def test_one_typo_from_five_letters_on_only_when_little_is_found(store):
    assert "lebensmittel" in one_edit("lebensmitel")
    assert "lebensmitel" not in one_edit("lebensmitel")
    assert names(store, "Lebensmitel") == {"tafel"}
    assert names(store, "Lebensmittl") == {"tafel"}
    assert names(store, "Tafle") == {"tafel"}  # a transposition
    assert names(store, "Tfel") == set()  # four letters: no typo tolerance
    # the exact word finds enough: no tolerance is tried (Garten ≠ "Karten")
    search.index(store, item("karten", "Karten spielen", "Skat und Doppelkopf"))
    for i in range(3):
        search.index(store, item(f"g{i}", "Gartenarbeit", "Rasen mähen"))
    assert "karten" not in names(store, "Garten")
    assert names(store, "Kartenn") == {"karten"}


def test_synonyms_come_from_the_data_file(store, tmp_path):
    synonyms = load_synonyms()
    assert "senior" in synonyms[terms("Ältere")[0]]
    assert names(store, "Ehrenamt") == set()
    assert names(store, "Ehrenamt", synonyms) == {"ehrenamt"}  # "Freiwilligenarbeit"
    assert names(store, "Geflüchtete", synonyms) == {"fluechtlinge"}
    own = tmp_path / "synonyme.txt"
    own.write_text("# eigene Liste\nGarten, Beete\n", encoding="utf-8")
    assert load_synonyms(own) == {"gart": ("beet",), "beet": ("gart",)}
    assert names(store, "Ehrenamt", load_synonyms(own)) == set()
