"""A judged query set for network search: a generated corpus whose relevant items are known
by construction, German queries of every kind (word forms, compounds, labels and hashtags,
typos, synonyms), and recall@10 and MRR. Used by `tests/unit/test_search_judged.py` (a small
corpus) and `bench/search.py` (a large one).

Each hand-written case lists phrases that make an item relevant and the queries that must find
it. Each vocabulary value gets items that carry it only as a value (its German label and
hashtag reach the index as `item_for_*` put them there); its queries are its hashtag and the
words of its label, and an item is relevant to a label word if its value's label contains that
word. Filler items are made of pronounceable nonsense, so only judged items can be relevant."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mitwirken.models import search
from mitwirken.models.search import SearchItem
from mitwirken.models.search_analysis import Synonyms, label_text
from mitwirken.models.store import Store
from mitwirken.models.vocab import (
    ActivityType,
    CauseArea,
    Offer,
    PracticeTheme,
    Sector,
    SuitableFor,
)
from mitwirken.models.vocab_base import VocabEnum

# (phrases of relevant items, queries that must find every one of them; "query@0,2": only
# the items of those phrases, as a typo corrects to one word)
CASES: list[tuple[list[str], list[str]]] = [
    (["Vorlesen in der Kita", "Lesepat:in gesucht", "Lesestunde im Café"],
     ["lesen", "Lesen", "lese", "Lessen@1,2"]),
    (["Seniorenbegleitung", "Begleitung zum Arzt", "Krankenhausbegleitung"],
     ["begleitung", "Begleitung", "begleiten", "Begleitng@1"]),
    (["Sprachcafé am Dienstag", "Sprachkurs am Abend", "Sprachpatenschaft"],
     ["Sprache", "sprach", "Sprachen", "Sprachcaffe@0"]),
    (["Vorlesestunde", "Vorlesen im Seniorenheim", "Vorleseprojekt"],
     ["vorlesen", "Vorlesen", "vorlese", "Vorlessen"]),
    (["Tierheim sucht Hilfe", "Tierschutzverein", "Tierpflege am Wochenende"],
     ["Tiere", "Tier", "tieren", "Tierhiem@0"]),
    (["Freiwilligenarbeit im Verein", "Engagement für alle", "Ehrenamt im Sport"],
     ["Ehrenamt", "Engagement", "Freiwilligenarbeit", "ehrenamtlich"]),
    (["Senioren am Nachmittag", "Ältere Menschen besuchen", "Rentner im Quartier"],
     ["Senioren", "Ältere", "Älteren", "Rentner", "Aeltere"]),
    (["Geflüchtete willkommen", "Flüchtlinge begleiten", "Hilfe für Asylsuchende"],
     ["Geflüchtete", "Flüchtlinge", "Gefluechtete", "Fluchtlinge", "Flüchtling"]),
    (["Lebensmittelausgabe", "Lebensmittel retten", "Lebensmittelrettung"],
     ["Lebensmittel", "Lebensmitel@1", "Lebensmittl@1", "LEBENSMITTEL"]),
    (["Hausaufgabenhilfe", "Nachhilfe in Mathe", "Lernhilfe am Abend"],
     ["Nachhilfe", "Lernhilfe", "Hausaufgabenhilfe", "Nachilfe@1"]),
    (["Dolmetschen beim Amt", "Übersetzen von Briefen", "Sprachmittlung beim Arzt"],
     ["Dolmetschen", "Übersetzen", "uebersetzen", "Dolmetchen@0"]),
    (["Müllsammelaktion", "Müll trennen", "Müllpaten am Fluss"],
     ["Müll", "Muell", "MÜLL", "Müllsammelaktion@0"]),
    (["Stadtteilfest", "Straßenfest", "Sommerfest"],
     ["Fest", "fest", "Feste", "Festes"]),
    (["Fußballtraining", "Fußballverein", "Hallenfußball"],
     ["Fußball", "Fussball", "fussball", "Fußbal", "Fussbal"]),
    (["Computerhilfe", "Computerkurs", "Hilfe am Computer"],
     ["Computer", "computer", "Komputer@2", "Computern"]),
    (["Gartenpflege", "Gemeinschaftsgarten", "Schulgarten"],
     ["Garten", "Gärten", "garten", "Gaerten"]),
    (["Nachbarschaftshilfe", "Nachbarschaftstreff", "#Nachbarschaft"],
     ["Nachbarschaft", "nachbarschaft", "Nachbarschafft"]),
    (["Kleiderkammer", "Kleiderspende", "Kleidertausch"],
     ["Kleider", "kleider", "Kleiderkamer@0"]),
    (["Fahrradwerkstatt", "Fahrradtour", "Fahrräder reparieren"],
     ["Fahrrad", "Fahrräder", "fahrrad", "Farrad", "Rad"]),
    (["Demenzcafé", "Demenz begleiten", "Menschen mit Demenz"],
     ["Demenz", "demenz", "Demens@1,2"]),
    (["Hospizbegleitung", "Hospizverein", "Ambulanter Hospizdienst"],
     ["Hospiz", "hospiz", "Hospizverien@1"]),
    (["Umweltschutz", "Naturschutzgruppe", "Umweltbildung"],
     ["Umwelt", "Naturschutz", "umwelt"]),
]
VOCABULARIES: tuple[type[VocabEnum], ...] = (CauseArea, ActivityType, SuitableFor, Offer,
                                            PracticeTheme, Sector)
_SYLLABLES = [a + b for a in "bdklmn" for b in "aeio"]
_LABEL_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass
class Judged:
    items: list[SearchItem]
    relevant: dict[str, set[str]]  # query → ap_ids of the relevant items


def _filler(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(n))


def _item(ap_id: str, title: str, body: str) -> SearchItem:
    return SearchItem(ap_id=ap_id, kind="opportunity", local=False, origin="judged.example",
                      origin_name=None, actor="https://judged.example/actors/a", url=ap_id,
                      title=title, summary=body[:300], body=body)


def _label_id(member: VocabEnum, k: int) -> str:
    return f"https://judged.example/label/{type(member).__name__}/{member.value}/{k}"


def label_queries(member: VocabEnum) -> Iterator[str]:
    yield member.tag
    yield from _LABEL_WORD.findall(member.label_de)


def corpus(filler: int, seed: int = 16) -> Judged:
    """The judged items, and `filler` items that no query is about."""
    rng = random.Random(seed)
    items: list[SearchItem] = []
    relevant: dict[str, set[str]] = {}
    for number, (phrases, queries) in enumerate(CASES):
        for k, phrase in enumerate(phrases):
            ap_id = f"https://judged.example/case/{number}/{k}"
            title, body = (phrase, _filler(rng, 40)) if k % 2 == 0 else \
                (_filler(rng, 3), f"{_filler(rng, 20)} {phrase} {_filler(rng, 20)}")
            items.append(_item(ap_id, title, body))
            for entry in queries:
                q, _, only = entry.partition("@")
                if not only or str(k) in only.split(","):
                    relevant.setdefault(q, set()).add(ap_id)
    members = [m for vocabulary in VOCABULARIES for m in vocabulary]
    for member in members:
        for k in range(2):
            ap_id = _label_id(member, k)
            items.append(_item(ap_id, _filler(rng, 3),
                               f"{_filler(rng, 30)} {label_text([member])}"))
            for q in label_queries(member):
                holders = [m for m in members if q == m.tag or
                           q.lower() in (w.lower() for w in _LABEL_WORD.findall(m.label_de))]
                relevant.setdefault(q, set()).update(
                    _label_id(m, j) for m in holders for j in range(2))
    # a label that contains a word of a case is relevant to the case ("Ehrenamtskarte")
    for _phrases, queries in CASES:
        words = {e.partition("@")[0].lower() for e in queries if "@" not in e}
        holders = [m for m in members if any(w in m.label_de.lower() for w in words)]
        for entry in queries:
            if "@" not in entry:
                relevant[entry].update(_label_id(m, j) for m in holders for j in range(2))
    for i in range(filler):
        items.append(_item(f"https://judged.example/filler/{i}", _filler(rng, 3),
                           _filler(rng, rng.randint(30, 120))))
    rng.shuffle(items)
    return Judged(items, relevant)


def build(store: Store, judged: Judged) -> None:
    with store.tx():
        for item in judged.items:
            search.index(store, item)


def evaluate(store: Store, judged: Judged, synonyms: Synonyms) -> tuple[float, float,
                                                                         list[str]]:
    """(mean recall@10, MRR, the queries with recall below 1)."""
    recalls, reciprocal, missed = [], [], []
    for q, wanted in judged.relevant.items():
        _, hits = search.search(store, search.Query(q=q, limit=10), synonyms)
        ids = [h["ap_id"] for h in hits]
        recall = len(wanted.intersection(ids)) / min(10, len(wanted))
        recalls.append(recall)
        first = next((rank for rank, i in enumerate(ids, 1) if i in wanted), None)
        reciprocal.append(1 / first if first else 0.0)
        if recall < 1:
            missed.append(q)
    return sum(recalls) / len(recalls), sum(reciprocal) / len(reciprocal), missed
