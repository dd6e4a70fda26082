"""Opportunity (Engagement-Gelegenheit): a way to volunteer, published by an organisation.

Pure domain: no database, no HTTP, no ActivityStreams. Rendering of the Markdown description is
in :mod:`models.markdown`; the AS2 shape (a ``Note``) is built by the federation layer.

A minimal valid opportunity (``org_username`` supplied by the caller)::

    Opportunity.model_validate({
        "org_username": "foerderverein",
        "title": "Lesepat:in gesucht",
        "description": "Markdown …",
        "kind": "regular",
        "contact": {"email": "info@example.org"},
    })

Time rules: one-off opportunities need ``start`` and ``end``; shifts either both or neither (a
dated shift plan vs. a standing rota); regular and flexible ones may carry either as the period
of the role. All datetimes must carry a timezone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field, model_validator

from mitwirken.models.fields import (
    AwareDatetime,
    EditorModel,
    Email,
    LanguageList,
    Phone,
    Username,
    WebUrl,
    bounded_list,
    number_range,
    text,
    vocab_list,
)
from mitwirken.models.german_errors import Problem, problem, raise_errors
from mitwirken.models.text_marks import N_
from mitwirken.models.values import ContactPoint, Image, Place, TimeBudget
from mitwirken.models.vocab import (
    ActivityType,
    ApplyChannel,
    CauseArea,
    Offer,
    OpportunityKind,
    OpportunityStatus,
    Remote,
    RequiredDocument,
    SuitableFor,
)

__all__ = [
    "AUTO_PAUSE_DAYS",
    "MAX_ACTIVITY_TYPES",
    "MAX_CAUSE_AREAS",
    "Opportunity",
    "is_expired",
    "needs_auto_pause",
]

MAX_CAUSE_AREAS = 4
MAX_ACTIVITY_TYPES = 4
AUTO_PAUSE_DAYS = 90
"""Ongoing opportunities not confirmed for this long get paused (bagfa: every three months)."""

DEFAULT_APPLY_CHANNELS = (ApplyChannel.FEDIVERSE_REPLY, ApplyChannel.EMAIL)

_Title = Annotated[str, *text(N_("Der Titel"), 100)]
_Description = Annotated[str, *text(N_("Die Beschreibung"), 10_000, multiline=True)]
_TitleEn = Annotated[str | None, *text(N_("Der englische Titel"), 100, required=False)]
_DescriptionEn = Annotated[
    str | None, *text(N_("Die englische Beschreibung"), 10_000, required=False, multiline=True)
]
_Schedule = Annotated[str | None, *text(N_("Die Zeitangabe"), 300, required=False, multiline=True)]
_OriginalId = Annotated[
    str | None, *text(N_("Die Kennung aus dem Ursprungssystem"), 500, required=False)
]
_CauseAreas = Annotated[list[CauseArea], vocab_list(
    MAX_CAUSE_AREAS, N_("Bitte höchstens {max_items} Engagementbereiche auswählen.")
)]
_ActivityTypes = Annotated[list[ActivityType], vocab_list(
    MAX_ACTIVITY_TYPES, N_("Bitte höchstens {max_items} Tätigkeiten auswählen.")
)]
_SuitableFor = Annotated[list[SuitableFor], vocab_list(len(SuitableFor), N_("Zu viele Angaben."))]
_RequiredDocuments = Annotated[
    list[RequiredDocument], vocab_list(len(RequiredDocument), N_("Zu viele Angaben."))
]
_Offers = Annotated[list[Offer], vocab_list(len(Offer), N_("Zu viele Angaben."))]
_ApplyChannels = Annotated[list[ApplyChannel],
                           vocab_list(len(ApplyChannel), N_("Zu viele Angaben."))]
_Places = Annotated[list[Place], bounded_list(20, N_("Bitte höchstens 20 Orte angeben."))]
_MinAge = Annotated[int | None, number_range(N_("Das Mindestalter"), 0, 99, N_("Jahren"))]
_ReplyDays = Annotated[int, number_range(N_("Die Antwortzeit"), 1, 60, N_("Tagen"))]
_VolunteersNeeded = Annotated[
    int | None, number_range(N_("Die Zahl der gesuchten Freiwilligen"), 0, 100_000)
]
_PlacesLeft = Annotated[int | None, number_range(N_("Die Zahl der freien Plätze"), 0, 100_000)]


class Opportunity(EditorModel):
    """A volunteering opportunity as the editor enters it (see domain.md §6.1)."""

    id: str | None = None
    org_username: Username
    mediated_by_city: bool = False
    """True when the city's Anlaufstelle handles first contact for the organisation."""

    title: _Title
    description: _Description
    """Markdown source; render with :func:`models.markdown.render_markdown`."""
    kind: OpportunityKind
    cause_areas: _CauseAreas = Field(default_factory=list)
    activity_types: _ActivityTypes = Field(default_factory=list)

    time_budget: TimeBudget | None = None
    schedule: _Schedule = None
    """Free text such as "Di oder Do vormittags, ca. 2 Stunden"."""
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None

    places: _Places = Field(default_factory=list)
    remote: Remote = Remote.NO

    min_age: _MinAge = None
    suitable_for: _SuitableFor = Field(default_factory=list)
    required_documents: _RequiredDocuments = Field(default_factory=list)
    offers: _Offers = Field(default_factory=list)

    contact: ContactPoint
    apply_channels: _ApplyChannels = Field(default_factory=lambda: list(DEFAULT_APPLY_CHANNELS))
    apply_url: WebUrl | None = None
    apply_email: Email | None = None
    apply_phone: Phone | None = None
    reply_time_days: _ReplyDays = 5
    """Promise to answer within this many days (the #1 complaint is "nobody answered")."""

    volunteers_needed: _VolunteersNeeded = None
    places_left: _PlacesLeft = None

    image: Image | None = None
    languages: LanguageList = Field(default_factory=lambda: ["de"])
    """Languages volunteers can work in (BCP 47 codes)."""
    title_en: _TitleEn = None
    description_en: _DescriptionEn = None

    status: OpportunityStatus = OpportunityStatus.OPEN
    last_confirmed: AwareDatetime | None = None
    published: AwareDatetime | None = None
    updated: AwareDatetime | None = None
    original_id: _OriginalId = None
    """Identifier in the system this listing was imported from (dedup of imports)."""

    # ---------------------------------------------------------------- derived, not stored

    @property
    def is_dated(self) -> bool:
        """Happens at fixed dates (one-off, or shifts with a date range) rather than ongoing."""
        if self.kind is OpportunityKind.ONE_OFF:
            return True
        return self.kind is OpportunityKind.SHIFTS and self.start is not None

    @property
    def is_ongoing(self) -> bool:
        return not self.is_dated

    @property
    def application_email(self) -> str | None:
        """Where e-mail applications go: ``apply_email``, else the contact's address."""
        return self.apply_email or self.contact.email

    @property
    def application_phone(self) -> str | None:
        return self.apply_phone or self.contact.phone

    # ---------------------------------------------------------------- cross-field rules

    @model_validator(mode="after")
    def _check_consistency(self) -> Opportunity:
        problems: list[Problem] = []
        self._check_dates(problems)
        if (
            self.places_left is not None
            and self.volunteers_needed is not None
            and self.places_left > self.volunteers_needed
        ):
            problems.append(
                problem(
                    "places_left",
                    "places_left_too_high",
                    N_("Es können nicht mehr Plätze frei sein als Freiwillige gesucht werden "
                       "(gesucht: {needed})."),
                    needed=self.volunteers_needed,
                )
            )
        self._check_apply_channels(problems)
        raise_errors("Opportunity", problems)
        return self

    def _check_dates(self, problems: list[Problem]) -> None:
        if self.kind is OpportunityKind.ONE_OFF:
            if self.start is None:
                problems.append(
                    problem(
                        "start",
                        "start_missing",
                        N_("Für einen einmaligen Einsatz bitte Datum und Uhrzeit des Beginns "
                           "angeben."),
                    )
                )
            if self.end is None:
                problems.append(
                    problem(
                        "end",
                        "end_missing",
                        N_("Für einen einmaligen Einsatz bitte auch angeben, wann er endet."),
                    )
                )
        elif self.kind is OpportunityKind.SHIFTS and (self.start is None) != (self.end is None):
            problems.append(
                problem(
                    "start" if self.start is None else "end",
                    "shift_dates_incomplete",
                    N_("Bei Schichten mit Datum bitte Beginn und Ende angeben "
                    "(oder beides leer lassen)."),
                )
            )
        if self.start is not None and self.end is not None and self.end < self.start:
            problems.append(
                problem("end", "end_before_start", N_("Das Ende darf nicht vor dem Beginn liegen."))
            )

    def _check_apply_channels(self, problems: list[Problem]) -> None:
        if "apply_channels" not in self.model_fields_set:
            # Not chosen by the editor: fediverse reply plus what the contact data allows.
            channels = [ApplyChannel.FEDIVERSE_REPLY]
            if self.application_email:
                channels.append(ApplyChannel.EMAIL)
            elif self.application_phone:
                channels.append(ApplyChannel.PHONE)
            if self.apply_url:
                channels.append(ApplyChannel.URL)
            self.apply_channels = channels
            return
        if not self.apply_channels:
            problems.append(
                problem(
                    "apply_channels",
                    "apply_channels_empty",
                    N_("Bitte mindestens einen Weg angeben, wie Interessierte sich melden können."),
                )
            )
        if ApplyChannel.URL in self.apply_channels and not self.apply_url:
            problems.append(
                problem(
                    "apply_url",
                    "apply_url_missing",
                    N_("Für die Anmeldung über eine Website bitte deren Adresse angeben."),
                )
            )
        if ApplyChannel.EMAIL in self.apply_channels and not self.application_email:
            problems.append(
                problem(
                    "apply_email",
                    "apply_email_missing",
                    N_("Für Anmeldungen per E-Mail bitte eine E-Mail-Adresse angeben."),
                )
            )
        if ApplyChannel.PHONE in self.apply_channels and not self.application_phone:
            problems.append(
                problem(
                    "apply_phone",
                    "apply_phone_missing",
                    N_("Für Anmeldungen per Telefon bitte eine Telefonnummer angeben."),
                )
            )


# -------------------------------------------------------------------------------- lifecycle


def _require_aware_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def is_expired(opp: Opportunity, now: datetime) -> bool:
    """The opportunity has ended (``end`` before ``now``) but is not marked closed yet.

    Dated opportunities always have an ``end``; an ongoing role with an ``end`` (the period of a
    role) expires the same way.
    """
    _require_aware_now(now)
    if opp.status is OpportunityStatus.CLOSED:
        return False
    return opp.end is not None and opp.end < now


def needs_auto_pause(opp: Opportunity, now: datetime, max_age_days: int = AUTO_PAUSE_DAYS) -> bool:
    """An open, ongoing opportunity whose last confirmation is more than ``max_age_days`` old.

    The reference is the later of ``last_confirmed`` and ``published``; an opportunity with
    neither (never published) is not paused. Exactly ``max_age_days`` old is still fresh.
    Expired opportunities are left to :func:`is_expired`.
    """
    _require_aware_now(now)
    if opp.status is not OpportunityStatus.OPEN or opp.is_dated or is_expired(opp, now):
        return False
    references = [d for d in (opp.last_confirmed, opp.published) if d is not None]
    if not references:
        return False
    return now - max(references) > timedelta(days=max_age_days)
