"""German federal states (Bundesländer) and how editors may write them."""

from __future__ import annotations

from mitwirken.models.vocab_base import VocabEnum, fold_hashtag


class Bundesland(VocabEnum):
    """German federal states; values are ISO 3166-2:DE codes."""

    BW = "DE-BW", "Baden-Württemberg", "Baden-Württemberg"
    BY = "DE-BY", "Bayern", "Bavaria"
    BE = "DE-BE", "Berlin", "Berlin"
    BB = "DE-BB", "Brandenburg", "Brandenburg"
    HB = "DE-HB", "Bremen", "Bremen"
    HH = "DE-HH", "Hamburg", "Hamburg"
    HE = "DE-HE", "Hessen", "Hesse"
    MV = "DE-MV", "Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"
    NI = "DE-NI", "Niedersachsen", "Lower Saxony"
    NW = "DE-NW", "Nordrhein-Westfalen", "North Rhine-Westphalia"
    RP = "DE-RP", "Rheinland-Pfalz", "Rhineland-Palatinate"
    SL = "DE-SL", "Saarland", "Saarland"
    SN = "DE-SN", "Sachsen", "Saxony"
    ST = "DE-ST", "Sachsen-Anhalt", "Saxony-Anhalt"
    SH = "DE-SH", "Schleswig-Holstein", "Schleswig-Holstein"
    TH = "DE-TH", "Thüringen", "Thuringia"


def _norm_key(text: str) -> str:
    return fold_hashtag(text).lower()


_BUNDESLAND_LOOKUP: dict[str, Bundesland] = {}
for _land in Bundesland:
    for _key in (_land.value, _land.value[3:], _land.label_de, _land.label_en):
        _BUNDESLAND_LOOKUP[_norm_key(_key)] = _land
_BUNDESLAND_LOOKUP["nrw"] = Bundesland.NW


def parse_bundesland(text: str) -> Bundesland | None:
    """Accept ``"DE-BY"``, ``"BY"``, ``"Bayern"``, ``"bavaria"``, ``"NRW"``; ``None`` if unknown."""
    return _BUNDESLAND_LOOKUP.get(_norm_key(text)) if text else None
