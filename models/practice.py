"""Practice (Praxisbeispiel): a good-practice write-up one city shares with the others.

Pure domain (see domain.md §6.2). The federation layer publishes it as an ``Article`` whose
``summary`` is :attr:`Practice.summary` and whose ``content`` is the rendered sections in the
order of :class:`~models.vocab.PracticeSection`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from mitwirken.models.fields import (
    AwareDatetime,
    EditorModel,
    LanguageList,
    Region,
    Username,
    WebUrl,
    bounded_list,
    number_range,
    text,
    vocab_list,
)
from mitwirken.models.german_errors import german_error
from mitwirken.models.text_marks import N_
from mitwirken.models.values import Attachment, ContactPoint
from mitwirken.models.vocab import (
    BudgetRange,
    Licence,
    PartnerRole,
    PracticeSection,
    PracticeStatus,
    PracticeTheme,
    Sector,
)

__all__ = [
    "DEFAULT_LICENCE",
    "Partner",
    "Practice",
    "Resources",
    "licence_url",
]

DEFAULT_LICENCE = Licence.CC_BY_SA_4_0.value
MAX_THEMES = 5


class Partner(EditorModel):
    """An organisation taking part in the practice, with its sector and role."""

    name: Annotated[str, *text(N_("Der Name des Partners"), 200)]
    sector: Sector
    role: PartnerRole = PartnerRole.PARTNER
    actor_iri: WebUrl | None = None
    """The partner's fediverse actor, when it has one."""


class Resources(EditorModel):
    """What it took, so other towns can judge whether they can copy it."""

    budget_range: BudgetRange | None = None
    staff_hours_per_month: Annotated[
        float | None, number_range(N_("Die Zahl der Personalstunden pro Monat"), 0, 744)
    ] = None
    volunteers: Annotated[
        int | None, number_range(N_("Die Zahl der Freiwilligen"), 0, 1_000_000)
    ] = None
    time_to_implement_months: Annotated[
        float | None, number_range(N_("Die Umsetzungsdauer"), 0, 240, N_("Monaten"))
    ] = None


_LICENCE_BY_KEY: dict[str, Licence] = {}
for _licence in Licence:
    _LICENCE_BY_KEY[_licence.value.lower()] = _licence
    _LICENCE_BY_KEY[re.sub(r"^https?://", "", _licence.url).rstrip("/")] = _licence


def _check_licence(value: str) -> str:
    """A known SPDX id (any case) or its URL → the SPDX id; any other http(s) IRI is kept."""
    value = value.strip()
    key = re.sub(r"^https?://", "", value.lower()).rstrip("/")
    if key in _LICENCE_BY_KEY:
        return _LICENCE_BY_KEY[key].value
    if re.match(r"^https?://[^\s/]+\.[^\s]*$", value, re.IGNORECASE) and len(value) <= 500:
        return value
    choices = ", ".join(licence.value for licence in Licence)
    raise german_error(
        "unknown_licence", N_("Unbekannte Lizenz. Bitte eine dieser Lizenzen wählen: {choices}."),
        choices=choices,
    )


def licence_url(licence: str) -> str | None:
    """The web address of a licence given as SPDX id (or already as URL)."""
    key = licence.strip().lower()
    if key in _LICENCE_BY_KEY:
        return _LICENCE_BY_KEY[key].url
    return licence if key.startswith(("https://", "http://")) else None


_Title = Annotated[str, *text(N_("Der Titel"), 150)]
_Summary = Annotated[str, *text(N_("Die Zusammenfassung"), 500, multiline=True)]
_SectionText = Annotated[
    str | None, *text(N_("Ein Abschnitt"), 10_000, required=False, multiline=True)
]
_City = Annotated[str | None, *text(N_("Der Ortsname"), 100, required=False)]
_LicenceId = Annotated[str, AfterValidator(_check_licence)]
_Partners = Annotated[list[Partner], bounded_list(30, N_("Bitte höchstens 30 Partner angeben."))]
_Sectors = Annotated[list[Sector], vocab_list(len(Sector), N_("Zu viele Angaben."))]
_Themes = Annotated[
    list[PracticeTheme], vocab_list(MAX_THEMES, N_("Bitte höchstens {max_items} Themen auswählen."))
]
_Attachments = Annotated[
    list[Attachment], bounded_list(20, N_("Bitte höchstens 20 Dokumente anhängen."))
]


class Practice(EditorModel):
    """A good-practice post (Praxisbeispiel)."""

    id: str | None = None
    org_username: Username
    title: _Title
    summary: _Summary
    """Plain text, self-contained: problem → approach → result, town, sectors."""
    sections: dict[PracticeSection, _SectionText] = Field(default_factory=dict)
    """Markdown per section; empty sections are dropped, order follows PracticeSection."""
    partners: _Partners = Field(default_factory=list)
    sectors_involved: _Sectors = Field(default_factory=list)
    """Always includes the sectors of all partners."""
    themes: _Themes = Field(default_factory=list)
    status: PracticeStatus = PracticeStatus.RUNNING
    resources: Resources = Field(default_factory=Resources)
    licence: _LicenceId = DEFAULT_LICENCE
    """SPDX id of a known licence (see :class:`~models.vocab.Licence`) or a licence URL."""
    contact: ContactPoint | None = None
    adapted_from: WebUrl | None = None
    """IRI of the practice this one was adapted from (makes scaling visible)."""
    attachments: _Attachments = Field(default_factory=list)
    city: _City = None
    region: Region = None
    languages: LanguageList = Field(default_factory=lambda: ["de"])
    published: AwareDatetime | None = None
    updated: AwareDatetime | None = None

    @property
    def licence_url(self) -> str | None:
        return licence_url(self.licence)

    @model_validator(mode="after")
    def _normalise(self) -> Practice:
        sections: dict[PracticeSection, Any] = self.sections
        self.sections = {
            section: sections[section] for section in PracticeSection if sections.get(section)
        }
        partner_sectors = [partner.sector for partner in self.partners]
        self.sectors_involved = list(dict.fromkeys([*self.sectors_involved, *partner_sectors]))
        return self
