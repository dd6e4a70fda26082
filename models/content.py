"""The content models in one import: ``from models.content import Opportunity, Practice, …``.

The definitions live in :mod:`models.common` (value types, German errors),
:mod:`models.opportunity` and :mod:`models.practice`; this module only re-exports them.
"""

from mitwirken.models.common import (
    Attachment,
    AwareDatetime,
    ContactPoint,
    EditorModel,
    Image,
    Place,
    TimeBudget,
    german_errors,
)
from mitwirken.models.opportunity import (
    AUTO_PAUSE_DAYS,
    MAX_ACTIVITY_TYPES,
    MAX_CAUSE_AREAS,
    Opportunity,
    is_expired,
    needs_auto_pause,
)
from mitwirken.models.practice import DEFAULT_LICENCE, Partner, Practice, Resources, licence_url

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
