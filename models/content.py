"""The content models in one import (`from mitwirken.models.content import Opportunity, …`).

The definitions live in :mod:`models.fields`, :mod:`models.values`, :mod:`models.german_errors`,
:mod:`models.opportunity` and :mod:`models.practice`; this module only re-exports them.
"""

from mitwirken.models.fields import AwareDatetime, EditorModel
from mitwirken.models.german_errors import german_errors
from mitwirken.models.opportunity import (
    AUTO_PAUSE_DAYS,
    MAX_ACTIVITY_TYPES,
    MAX_CAUSE_AREAS,
    Opportunity,
    is_expired,
    needs_auto_pause,
)
from mitwirken.models.practice import DEFAULT_LICENCE, Partner, Practice, Resources, licence_url
from mitwirken.models.values import Attachment, ContactPoint, Image, Place, TimeBudget

__all__ = [
    "AUTO_PAUSE_DAYS",
    "Attachment",
    "AwareDatetime",
    "ContactPoint",
    "DEFAULT_LICENCE",
    "EditorModel",
    "Image",
    "MAX_ACTIVITY_TYPES",
    "MAX_CAUSE_AREAS",
    "Opportunity",
    "Partner",
    "Place",
    "Practice",
    "Resources",
    "TimeBudget",
    "german_errors",
    "is_expired",
    "licence_url",
    "needs_auto_pause",
]
