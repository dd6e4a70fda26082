"""The base of every controlled vocabulary, and the label and hashtag helpers.

See :mod:`models.vocab` for what a vocabulary is; this module holds what all of them share.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any

__all__ = ["VocabEnum", "fold_hashtag", "hashtag", "label"]

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"}
_UPPER_UMLAUT_IN_CAPS = re.compile(r"([ÄÖÜ])(?=[A-ZÄÖÜẞ])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")


def fold_hashtag(text: str) -> str:
    """Turn any German text into a CamelCase ASCII hashtag name (without ``#``).

    ``&`` and ``+`` become "Und", umlauts become ae/oe/ue, ß becomes ss, other accents are
    dropped (é → e), and every word starts with a capital letter:
    ``"Kinder & Jugend"`` → ``"KinderUndJugend"``, ``"Straßenfest Görlitz"`` →
    ``"StrassenfestGoerlitz"``.
    """
    text = _UPPER_UMLAUT_IN_CAPS.sub(lambda m: _UMLAUTS[m.group(1)].upper(), text)
    text = "".join(_UMLAUTS.get(ch, ch) for ch in text)
    text = text.replace("&", " und ").replace("+", " und ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = [w for w in _WORD_SPLIT.split(text) if w]
    return "".join(w[0].upper() + w[1:] for w in words)


class VocabEnum(StrEnum):
    """Base of all vocabularies: ``MEMBER = value, German label, English label[, hashtag]``.

    When no hashtag is given it is derived from the German label with :func:`fold_hashtag`.
    """

    label_de: str
    label_en: str
    tag: str

    def __new__(cls, value: str, de: str, en: str, tag: str | None = None) -> VocabEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label_de = de
        obj.label_en = en
        obj.tag = tag or fold_hashtag(de)
        return obj

    def label(self, lang: str = "de") -> str:
        """The human label in ``lang`` (English for ``en*``, German otherwise)."""
        return self.label_en if lang.lower().startswith("en") else self.label_de


def label(value: Any, lang: str = "de") -> str:
    """The human label of a vocabulary member (German by default, English for ``"en"``).

    Plain strings that are not vocabulary members are returned unchanged, so templates can call
    ``label()`` on anything without guarding.
    """
    if isinstance(value, VocabEnum):
        return value.label(lang)
    return str(value)


def hashtag(value: Any) -> str:
    """The hashtag name (without ``#``) of a vocabulary member, or of any text (e.g. a city)."""
    if isinstance(value, VocabEnum):
        return value.tag
    return fold_hashtag(str(value))
