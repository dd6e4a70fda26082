"""Controlled vocabularies of the domain, in one import.

Every vocabulary is a :class:`StrEnum` whose *value* is the stable, language-neutral key that is
stored in the database and sent over the wire (kebab-case ASCII, never translated). Each member
also carries a German label, an English label and a hashtag form (CamelCase, ASCII-folded German)
for the ``Hashtag`` objects that make posts findable on Mastodon.

    >>> CauseArea.KINDER_JUGEND.value
    'kinder-jugend'
    >>> label(CauseArea.KINDER_JUGEND)
    'Kinder & Jugend'
    >>> hashtag(CauseArea.KINDER_JUGEND)
    'KinderUndJugend'
    >>> hashtag("Mönchengladbach")
    'Moenchengladbach'

Values are kebab-case (``"one-off"``, ``"no-german-needed"``) rather than the camelCase of the
research notes (domain.md §6); the federation layer maps them to IRIs of our namespace.

The definitions live in :mod:`models.vocab_base` (the enum base, labels, hashtags),
:mod:`models.vocab_opportunity`, :mod:`models.vocab_practice` and :mod:`models.regions`; this
module re-exports them and lists them all in :data:`VOCABULARIES`.
"""

from __future__ import annotations

from mitwirken.models.regions import Bundesland, parse_bundesland
from mitwirken.models.vocab_base import VocabEnum, fold_hashtag, hashtag, label
from mitwirken.models.vocab_opportunity import (
    ActivityType,
    ApplyChannel,
    CauseArea,
    Offer,
    OpportunityKind,
    OpportunityStatus,
    Remote,
    RequiredDocument,
    SuitableFor,
    TimeBudgetUnit,
)
from mitwirken.models.vocab_practice import (
    BudgetRange,
    Licence,
    PartnerRole,
    PracticeSection,
    PracticeStatus,
    PracticeTheme,
    Sector,
)

__all__ = [
    "ActivityType",
    "ApplyChannel",
    "BudgetRange",
    "Bundesland",
    "CauseArea",
    "Licence",
    "Offer",
    "OpportunityKind",
    "OpportunityStatus",
    "PartnerRole",
    "PracticeSection",
    "PracticeStatus",
    "PracticeTheme",
    "Remote",
    "RequiredDocument",
    "Sector",
    "SuitableFor",
    "TimeBudgetUnit",
    "VOCABULARIES",
    "VocabEnum",
    "fold_hashtag",
    "hashtag",
    "label",
    "parse_bundesland",
]

VOCABULARIES: tuple[type[VocabEnum], ...] = (
    OpportunityKind,
    CauseArea,
    ActivityType,
    Remote,
    SuitableFor,
    Offer,
    RequiredDocument,
    ApplyChannel,
    OpportunityStatus,
    TimeBudgetUnit,
    PracticeStatus,
    Sector,
    PartnerRole,
    PracticeTheme,
    PracticeSection,
    BudgetRange,
    Licence,
    Bundesland,
)

