"""Opportunity, Practice and their value types: validation, defaults, German errors, lifecycle."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from mitwirken.models.content import (
    ContactPoint,
    Image,
    Opportunity,
    Place,
    Practice,
    TimeBudget,
    german_errors,
    is_expired,
    licence_url,
    needs_auto_pause,
)
from mitwirken.models.vocab import (
    ApplyChannel,
    Bundesland,
    CauseArea,
    OpportunityKind,
    OpportunityStatus,
    PracticeSection,
    PracticeStatus,
    Remote,
    Sector,
    TimeBudgetUnit,
)

BERLIN_SUMMER = timezone(timedelta(hours=2))
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

MINIMAL = {
    "title": "Lesepat:in gesucht",
    "description": "Markdown …",
    "kind": "regular",
    "contact": {"email": "info@example.org"},
}


def opportunity(**overrides) -> Opportunity:
    return Opportunity.model_validate({"org_username": "foerderverein", **MINIMAL, **overrides})


def errors_of(data: dict, model: type[BaseModel] = Opportunity) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return german_errors(info.value)


def opportunity_errors(**overrides) -> list[dict[str, str]]:
    return errors_of({"org_username": "foerderverein", **MINIMAL, **overrides})


def messages_for(errors: list[dict[str, str]], field: str) -> list[str]:
    return [e["message"] for e in errors if e["field"] == field]


# ------------------------------------------------------------------------------ minimal


def test_minimal_opportunity_and_its_defaults() -> None:
    opp = opportunity()
    assert opp.org_username == "foerderverein"
    assert opp.title == "Lesepat:in gesucht"
    assert opp.kind is OpportunityKind.REGULAR
    assert opp.contact.email == "info@example.org"
    assert opp.id is None
    assert opp.mediated_by_city is False
    assert opp.cause_areas == [] and opp.activity_types == []
    assert opp.time_budget is None and opp.schedule is None
    assert opp.start is None and opp.end is None
    assert opp.places == [] and opp.remote is Remote.NO
    assert opp.min_age is None
    assert opp.suitable_for == [] and opp.required_documents == [] and opp.offers == []
    assert opp.apply_channels == [ApplyChannel.FEDIVERSE_REPLY, ApplyChannel.EMAIL]
    assert opp.apply_url is None and opp.apply_email is None and opp.apply_phone is None
    assert opp.reply_time_days == 5
    assert opp.volunteers_needed is None and opp.places_left is None
    assert opp.image is None
    assert opp.languages == ["de"]
    assert opp.title_en is None and opp.description_en is None
    assert opp.status is OpportunityStatus.OPEN
    assert opp.last_confirmed is None and opp.published is None and opp.updated is None
    assert opp.original_id is None
    assert opp.is_dated is False and opp.is_ongoing is True
    assert opp.application_email == "info@example.org"


def test_org_username_is_required() -> None:
    errors = errors_of(MINIMAL)
    assert errors == [{"field": "org_username", "message": "Pflichtfeld fehlt."}]


def test_defaults_are_not_shared_between_instances() -> None:
    first, second = opportunity(), opportunity()
    first.languages.append("en")
    first.apply_channels.append(ApplyChannel.PHONE)
    assert second.languages == ["de"]
    assert second.apply_channels == [ApplyChannel.FEDIVERSE_REPLY, ApplyChannel.EMAIL]


def test_round_trip_through_python_and_json() -> None:
    opp = opportunity(
        kind="one-off",
        start="2025-07-05T10:00:00+02:00",
        end="2025-07-05T14:00:00+02:00",
        cause_areas=["umwelt", "nachbarschaft"],
        places=[{"name": "Stadtpark", "postal_code": "50667", "locality": "Köln"}],
        time_budget={"hours": 4, "unit": "total"},
        image={"url": "https://x.example/a.jpg", "alt_text": "Menschen sammeln Müll"},
    )
    assert Opportunity.model_validate(opp.model_dump()) == opp
    assert Opportunity.model_validate_json(opp.model_dump_json()) == opp
    dumped = opp.model_dump(mode="json")
    assert dumped["kind"] == "one-off"
    assert dumped["cause_areas"] == ["umwelt", "nachbarschaft"]
    assert "is_dated" not in dumped  # derived helpers are not fields


# ------------------------------------------------------------------------------ texts


def test_title_of_100_characters_is_fine_101_is_rejected_in_german() -> None:
    assert opportunity(title="x" * 100).title == "x" * 100
    errors = opportunity_errors(title="x" * 101)
    assert errors == [
        {"field": "title", "message": "Der Titel darf höchstens 100 Zeichen lang sein."}
    ]


def test_blank_title_is_rejected_and_whitespace_is_tidied() -> None:
    assert messages_for(opportunity_errors(title="   \n "), "title") == [
        "Der Titel darf nicht leer sein."
    ]
    assert opportunity(title="  Lesepat:in \n gesucht ").title == "Lesepat:in gesucht"


def test_description_keeps_line_breaks_and_has_a_limit() -> None:
    assert opportunity(description=" Zeile 1\r\nZeile 2 \n").description == "Zeile 1\nZeile 2"
    assert len(opportunity(description="a" * 10_000).description) == 10_000
    assert messages_for(opportunity_errors(description="a" * 10_001), "description") == [
        "Die Beschreibung darf höchstens 10.000 Zeichen lang sein."
    ]


def test_control_characters_are_removed() -> None:
    assert opportunity(title="Lese\x00pat\x07:in").title == "Lesepat:in"


def test_optional_text_turns_blank_into_none() -> None:
    assert opportunity(schedule="   ").schedule is None
    assert opportunity(schedule="Di vormittags").schedule == "Di vormittags"
    assert messages_for(opportunity_errors(schedule="x" * 301), "schedule") == [
        "Die Zeitangabe darf höchstens 300 Zeichen lang sein."
    ]


# ------------------------------------------------------------------------------ dates


def test_naive_datetime_is_rejected_with_a_german_message() -> None:
    errors = opportunity_errors(
        kind="one-off", start="2025-07-05T10:00:00", end="2025-07-05T12:00:00+02:00"
    )
    assert errors == [
        {
            "field": "start",
            "message": "Datum und Uhrzeit brauchen eine Zeitzone, z. B. 2025-05-01T10:00:00+02:00.",
        }
    ]


def test_naive_python_datetime_is_rejected_too() -> None:
    errors = opportunity_errors(last_confirmed=datetime(2025, 5, 1, 10, 0))
    assert messages_for(errors, "last_confirmed") == [
        "Datum und Uhrzeit brauchen eine Zeitzone, z. B. 2025-05-01T10:00:00+02:00."
    ]


def test_unparseable_datetime_gets_a_german_hint() -> None:
    errors = opportunity_errors(published="nächsten Dienstag")
    assert messages_for(errors, "published") == [
        "Bitte Datum und Uhrzeit mit Zeitzone angeben, z. B. 2025-05-01T10:00:00+02:00."
    ]


def test_one_off_needs_start_and_end() -> None:
    errors = opportunity_errors(kind="one-off")
    assert {e["field"] for e in errors} == {"start", "end"}
    assert messages_for(errors, "start") == [
        "Für einen einmaligen Einsatz bitte Datum und Uhrzeit des Beginns angeben."
    ]


def test_end_before_start_is_rejected_equal_is_fine() -> None:
    start = datetime(2025, 7, 5, 10, tzinfo=BERLIN_SUMMER)
    errors = opportunity_errors(kind="one-off", start=start, end=start - timedelta(minutes=1))
    assert errors == [{"field": "end", "message": "Das Ende darf nicht vor dem Beginn liegen."}]
    assert opportunity(kind="one-off", start=start, end=start).end == start


def test_end_before_start_is_compared_across_timezones() -> None:
    # 10:00+02:00 is 08:00 UTC, so 09:00 UTC is after it
    opp = opportunity(
        kind="one-off", start="2025-07-05T10:00:00+02:00", end="2025-07-05T09:00:00+00:00"
    )
    assert opp.end > opp.start


def test_shifts_take_both_dates_or_none() -> None:
    rota = opportunity(kind="shifts")
    assert rota.is_dated is False
    dated = opportunity(
        kind="shifts", start="2025-12-01T16:00:00+01:00", end="2025-12-23T21:00:00+01:00"
    )
    assert dated.is_dated is True
    errors = opportunity_errors(kind="shifts", start="2025-12-01T16:00:00+01:00")
    assert [e["field"] for e in errors] == ["end"]


def test_regular_roles_may_have_a_period() -> None:
    opp = opportunity(start="2025-09-01T00:00:00+02:00")
    assert opp.is_dated is False and opp.end is None


# ------------------------------------------------------------------------------ lists, enums


def test_at_most_four_cause_areas() -> None:
    four = ["bildung", "sport", "kultur", "tiere"]
    assert opportunity(cause_areas=four).cause_areas == [CauseArea(v) for v in four]
    errors = opportunity_errors(cause_areas=[*four, "umwelt"])
    assert errors == [
        {"field": "cause_areas", "message": "Bitte höchstens 4 Engagementbereiche auswählen."}
    ]


def test_duplicate_cause_areas_are_collapsed_before_counting() -> None:
    opp = opportunity(cause_areas=["bildung", "bildung", "sport", "kultur", "tiere", "sport"])
    assert opp.cause_areas == [
        CauseArea.BILDUNG,
        CauseArea.SPORT,
        CauseArea.KULTUR,
        CauseArea.TIERE,
    ]


def test_at_most_four_activity_types() -> None:
    too_many = [
        "fahrdienst",
        "digitales",
        "veranstaltungen",
        "handwerk-garten",
        "lernhilfe-lesen",
    ]
    assert messages_for(opportunity_errors(activity_types=too_many), "activity_types") == [
        "Bitte höchstens 4 Tätigkeiten auswählen."
    ]


def test_unknown_enum_value_is_explained_in_german() -> None:
    errors = opportunity_errors(kind="often")
    assert errors == [
        {
            "field": "kind",
            "message": "Unbekannter Wert „often“. Erlaubt sind: "
            "'one-off', 'shifts', 'regular' oder 'flexible'.",
        }
    ]


def test_unknown_value_inside_a_list_points_at_its_position() -> None:
    errors = opportunity_errors(cause_areas=["bildung", "fussball"])
    assert [e["field"] for e in errors] == ["cause_areas.1"]
    assert errors[0]["message"].startswith("Unbekannter Wert „fussball“.")


def test_extra_fields_are_rejected_top_level_and_nested() -> None:
    errors = opportunity_errors(titel="Tippfehler", contact={"email": "a@b.de", "mail": "x"})
    hint = "– bitte die Schreibweise prüfen."
    assert sorted(errors, key=lambda e: e["field"]) == [
        {"field": "contact.mail", "message": f"Unbekanntes Feld „mail“ {hint}"},
        {"field": "titel", "message": f"Unbekanntes Feld „titel“ {hint}"},
    ]


def test_languages_are_normalised_and_checked() -> None:
    assert opportunity(languages=["DE", "en", "pt_BR", "de"]).languages == ["de", "en", "pt-br"]
    assert messages_for(opportunity_errors(languages=["deutsch"]), "languages") == [
        "„deutsch“ ist kein gültiger Sprachcode. Bitte Codes wie de, en oder tr angeben."
    ]
    assert messages_for(opportunity_errors(languages=[]), "languages") == [
        "Bitte mindestens eine Sprache angeben."
    ]


# ------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(("value", "ok"), [(0, True), (99, True), (-1, False), (100, False)])
def test_min_age_range(value: int, ok: bool) -> None:
    if ok:
        assert opportunity(min_age=value).min_age == value
    else:
        assert messages_for(opportunity_errors(min_age=value), "min_age") == [
            "Das Mindestalter muss zwischen 0 und 99 Jahren liegen."
        ]


@pytest.mark.parametrize(("value", "ok"), [(1, True), (60, True), (0, False), (61, False)])
def test_reply_time_days_range(value: int, ok: bool) -> None:
    if ok:
        assert opportunity(reply_time_days=value).reply_time_days == value
    else:
        assert messages_for(opportunity_errors(reply_time_days=value), "reply_time_days") == [
            "Die Antwortzeit muss zwischen 1 und 60 Tagen liegen."
        ]


def test_places_left_cannot_exceed_volunteers_needed() -> None:
    assert opportunity(volunteers_needed=4, places_left=4).places_left == 4
    assert opportunity(places_left=3).places_left == 3  # nothing to compare with
    errors = opportunity_errors(volunteers_needed=4, places_left=5)
    assert errors == [
        {
            "field": "places_left",
            "message": "Es können nicht mehr Plätze frei sein als Freiwillige gesucht werden "
            "(gesucht: 4).",
        }
    ]


def test_negative_counts_are_rejected() -> None:
    assert messages_for(opportunity_errors(volunteers_needed=-1), "volunteers_needed") == [
        "Die Zahl der gesuchten Freiwilligen darf nicht negativ sein."
    ]


def test_wrong_number_types_are_reported_in_german() -> None:
    errors = opportunity_errors(
        min_age="achtzehn", time_budget={"hours": "viel", "unit": "per-week"}
    )
    assert messages_for(errors, "min_age") == ["Bitte eine ganze Zahl angeben."]
    assert messages_for(errors, "time_budget.hours") == ["Bitte eine Zahl angeben."]


# ------------------------------------------------------------------------------ contact, apply


def test_contact_is_required() -> None:
    data = {"org_username": "x", **MINIMAL}
    del data["contact"]
    assert errors_of(data) == [{"field": "contact", "message": "Pflichtfeld fehlt."}]


def test_contact_needs_email_phone_or_url() -> None:
    errors = opportunity_errors(contact={"name": "Ehrenamtskoordination"})
    assert errors == [
        {
            "field": "contact.email",
            "message": "Bitte mindestens eine E-Mail-Adresse, Telefonnummer oder Web-Adresse "
            "für den Kontakt angeben.",
        }
    ]


@pytest.mark.parametrize(
    ("contact", "field", "message"),
    [
        (
            {"email": "info(at)verein.de"},
            "contact.email",
            "Bitte eine gültige E-Mail-Adresse angeben, z. B. info@verein.de.",
        ),
        (
            {"phone": "ruf an"},
            "contact.phone",
            "Bitte eine gültige Telefonnummer angeben, z. B. 0221 123456 oder +49 221 123456.",
        ),
        (
            {"url": "javascript:alert(1)"},
            "contact.url",
            "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
        ),
        (
            {"url": "www.verein.de"},
            "contact.url",
            "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
        ),
    ],
)
def test_contact_fields_are_checked(contact: dict, field: str, message: str) -> None:
    assert messages_for(opportunity_errors(contact=contact), field) == [message]


def test_contact_accepts_role_data() -> None:
    contact = ContactPoint(
        name="Ehrenamtskoordination",
        phone="+49 (0)221 / 123-456",
        hours="Mo–Do 9–12 Uhr",
        url="https://verein.example/kontakt",
    )
    assert contact.phone == "+49 (0)221 / 123-456"
    assert contact.email is None


def test_default_channels_follow_the_available_contact_data() -> None:
    phone_only = opportunity(contact={"phone": "0221 123456"})
    assert phone_only.apply_channels == [ApplyChannel.FEDIVERSE_REPLY, ApplyChannel.PHONE]
    with_url = opportunity(apply_url="https://verein.example/mitmachen")
    assert with_url.apply_channels == [
        ApplyChannel.FEDIVERSE_REPLY,
        ApplyChannel.EMAIL,
        ApplyChannel.URL,
    ]


def test_chosen_channels_need_their_data() -> None:
    errors = opportunity_errors(apply_channels=["url", "phone", "email"])
    assert {e["field"] for e in errors} == {"apply_url", "apply_phone"}
    assert messages_for(errors, "apply_url") == [
        "Für die Anmeldung über eine Website bitte deren Adresse angeben."
    ]
    ok = opportunity(apply_channels=["phone"], apply_phone="0221 99")
    assert ok.apply_channels == [ApplyChannel.PHONE]
    assert ok.application_phone == "0221 99"
    assert messages_for(opportunity_errors(apply_channels=[]), "apply_channels") == [
        "Bitte mindestens einen Weg angeben, wie Interessierte sich melden können."
    ]


# ------------------------------------------------------------------------------ value types


def test_place_checks() -> None:
    place = Place(locality="Köln", postal_code="50667", region="NRW", latitude=50.9, longitude=6.9)
    assert place.region is Bundesland.NW and place.country == "DE"
    assert Place(name="Online-Treffpunkt", country="at").country == "AT"
    assert Place(locality="Wien", postal_code="1010", country="AT").postal_code == "1010"
    assert messages_for(errors_of({}, Place), "name") == [
        "Bitte mindestens einen Namen, eine Adresse oder einen Ort angeben."
    ]
    assert messages_for(
        errors_of({"locality": "Köln", "postal_code": "5066"}, Place), "postal_code"
    ) == ["Eine deutsche Postleitzahl hat genau fünf Ziffern."]
    assert messages_for(
        errors_of({"locality": "K", "latitude": 90.5, "longitude": 0}, Place), "latitude"
    ) == ["Der Breitengrad muss zwischen -90 und 90 liegen."]
    assert messages_for(
        errors_of({"locality": "K", "longitude": -181, "latitude": 0}, Place), "longitude"
    ) == ["Der Längengrad muss zwischen -180 und 180 liegen."]
    assert [e["field"] for e in errors_of({"locality": "K", "latitude": 50.0}, Place)] == [
        "longitude"
    ]
    assert messages_for(errors_of({"locality": "K", "region": "Preußen"}, Place), "region") == [
        "„Preußen“ ist kein deutsches Bundesland. Bitte z. B. „Nordrhein-Westfalen“ oder "
        "„DE-NW“ angeben."
    ]
    assert messages_for(
        errors_of({"locality": "K", "latitude": "nan", "longitude": 0}, Place), "latitude"
    )


def test_error_paths_into_lists_of_objects() -> None:
    errors = opportunity_errors(
        places=[{"locality": "Köln"}, {"locality": "Bonn", "postal_code": "123"}]
    )
    assert errors == [
        {
            "field": "places.1.postal_code",
            "message": "Eine deutsche Postleitzahl hat genau fünf Ziffern.",
        }
    ]


def test_image_needs_alt_text_when_it_has_a_url() -> None:
    assert Image(url="https://x.example/a.jpg", alt_text="Kinder lesen").alt_text == "Kinder lesen"
    assert Image().url is None
    errors = errors_of({"url": "https://x.example/a.jpg", "alt_text": "  "}, Image)
    assert [e["field"] for e in errors] == ["alt_text"]
    assert "Alternativtext" in errors[0]["message"]
    errors = errors_of(
        {"url": "https://x.example/a.pdf", "alt_text": "x", "media_type": "application/pdf"}, Image
    )
    assert [e["field"] for e in errors] == ["media_type"]


@pytest.mark.parametrize(
    ("hours", "unit", "ok"),
    [
        (0.5, "per-week", True),
        (168, "per-week", True),
        (169, "per-week", False),
        (0, "per-month", False),
        (-2, "total", False),
        (400, "total", True),
    ],
)
def test_time_budget(hours: float, unit: str, ok: bool) -> None:
    if ok:
        assert TimeBudget(hours=hours, unit=unit).unit is TimeBudgetUnit(unit)
    else:
        errors = errors_of({"hours": hours, "unit": unit}, TimeBudget)
        assert [e["field"] for e in errors] == ["hours"]
        assert errors[0]["message"].startswith("Die Stundenzahl muss größer als 0")


# ------------------------------------------------------------------------------ german_errors


class _Builtins(BaseModel):
    """A model using pydantic's own constraints, to check the translation table."""

    model_config = ConfigDict(extra="forbid")
    short: str = Field(default="", max_length=3)
    long: str = Field(default="long enough", min_length=5)
    small: int = Field(default=1, ge=1, le=5)
    choice: Literal["a", "b"] = "a"
    url: HttpUrl | None = None
    items: list[int] = Field(default_factory=list, max_length=2)
    when: datetime | None = None
    flag: bool = False
    ratio: float = 0.0
    count: int = 0
    needed: str

    @field_validator("count")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError("Die Zahl muss gerade sein.")
        return value


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "needed", "Pflichtfeld fehlt."),
        ({"short": "abcd"}, "short", "Höchstens 3 Zeichen erlaubt."),
        ({"long": "ab"}, "long", "Mindestens 5 Zeichen erforderlich."),
        ({"small": 0}, "small", "Der Wert muss mindestens 1 sein."),
        ({"small": 6}, "small", "Der Wert darf höchstens 5 sein."),
        ({"choice": "c"}, "choice", "Unbekannter Wert „c“. Erlaubt sind: 'a' oder 'b'."),
        (
            {"url": "kein link"},
            "url",
            "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
        ),
        ({"items": [1, 2, 3]}, "items", "Höchstens 2 Einträge erlaubt."),
        ({"items": ["x"]}, "items.0", "Bitte eine ganze Zahl angeben."),
        (
            {"when": "gestern"},
            "when",
            "Bitte Datum und Uhrzeit mit Zeitzone angeben, z. B. 2025-05-01T10:00:00+02:00.",
        ),
        ({"flag": "vielleicht"}, "flag", "Bitte ja oder nein angeben (true oder false)."),
        ({"ratio": "halb"}, "ratio", "Bitte eine Zahl angeben."),
        ({"count": "zwei"}, "count", "Bitte eine ganze Zahl angeben."),
        ({"count": 3}, "count", "Die Zahl muss gerade sein."),
        ({"typo": 1}, "typo", "Unbekanntes Feld „typo“ – bitte die Schreibweise prüfen."),
    ],
)
def test_german_errors_translates_builtin_errors(data: dict, field: str, message: str) -> None:
    errors = errors_of({"needed": "x", **data} if field != "needed" else data, _Builtins)
    assert {"field": field, "message": message} in errors
    assert not any("Input should" in e["message"] or "Value error" in e["message"] for e in errors)


def test_german_errors_has_a_fallback_for_unknown_error_types() -> None:
    class Strict(BaseModel):
        value: int = Field(strict=True, multiple_of=5)

    errors = errors_of({"value": 7}, Strict)
    assert errors == [{"field": "value", "message": "Ungültige Eingabe."}]


# ------------------------------------------------------------------------------ lifecycle


def confirmed_days_ago(days: float, **overrides) -> Opportunity:
    return opportunity(last_confirmed=NOW - timedelta(days=days), **overrides)


@pytest.mark.parametrize(
    ("days", "expected"), [(89, False), (90, False), (90.001, True), (91, True)]
)
def test_needs_auto_pause_after_90_days(days: float, expected: bool) -> None:
    assert needs_auto_pause(confirmed_days_ago(days), NOW) is expected


def test_needs_auto_pause_custom_max_age() -> None:
    assert needs_auto_pause(confirmed_days_ago(31), NOW, max_age_days=30) is True
    assert needs_auto_pause(confirmed_days_ago(29), NOW, max_age_days=30) is False


def test_needs_auto_pause_falls_back_to_published_and_uses_the_later_date() -> None:
    assert needs_auto_pause(opportunity(published=NOW - timedelta(days=91)), NOW) is True
    assert needs_auto_pause(opportunity(published=NOW - timedelta(days=89)), NOW) is False
    both = opportunity(published=NOW - timedelta(days=10), last_confirmed=NOW - timedelta(days=200))
    assert needs_auto_pause(both, NOW) is False
    assert needs_auto_pause(opportunity(), NOW) is False  # never published


@pytest.mark.parametrize("status", ["paused", "filled", "closed"])
def test_needs_auto_pause_only_for_open_ones(status: str) -> None:
    assert needs_auto_pause(confirmed_days_ago(200, status=status), NOW) is False


def test_dated_opportunities_are_not_auto_paused() -> None:
    dated = confirmed_days_ago(
        200,
        kind="one-off",
        start=NOW + timedelta(days=3),
        end=NOW + timedelta(days=3, hours=4),
    )
    assert needs_auto_pause(dated, NOW) is False


def test_lifecycle_functions_require_aware_now() -> None:
    with pytest.raises(ValueError):
        needs_auto_pause(opportunity(), datetime(2025, 6, 1))
    with pytest.raises(ValueError):
        is_expired(opportunity(), datetime(2025, 6, 1))


def one_off_ending(end: datetime, **overrides) -> Opportunity:
    return opportunity(kind="one-off", start=end - timedelta(hours=3), end=end, **overrides)


def test_is_expired() -> None:
    assert is_expired(one_off_ending(NOW - timedelta(seconds=1)), NOW) is True
    assert is_expired(one_off_ending(NOW), NOW) is False
    assert is_expired(one_off_ending(NOW + timedelta(hours=1)), NOW) is False
    assert is_expired(one_off_ending(NOW - timedelta(days=1), status="closed"), NOW) is False
    assert is_expired(one_off_ending(NOW - timedelta(days=1), status="filled"), NOW) is True
    assert is_expired(opportunity(), NOW) is False


def test_role_with_an_end_date_expires_and_is_not_paused() -> None:
    role = confirmed_days_ago(200, end=NOW - timedelta(days=1))
    assert is_expired(role, NOW) is True
    assert needs_auto_pause(role, NOW) is False


# ------------------------------------------------------------------------------ Practice

PRACTICE = {
    "org_username": "stadt-musterstadt",
    "title": "Ehrenamtsmesse im Rathaus",
    "summary": "Musterstadt bringt Vereine und Interessierte einmal im Jahr zusammen.",
}


def practice(**overrides) -> Practice:
    return Practice.model_validate({**PRACTICE, **overrides})


def practice_errors(**overrides) -> list[dict[str, str]]:
    return errors_of({**PRACTICE, **overrides}, Practice)


def test_minimal_practice_and_defaults() -> None:
    p = practice()
    assert p.sections == {} and p.partners == [] and p.sectors_involved == []
    assert p.themes == [] and p.attachments == []
    assert p.status is PracticeStatus.RUNNING
    assert p.licence == "CC-BY-SA-4.0"
    assert p.licence_url == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert p.resources.budget_range is None and p.resources.volunteers is None
    assert p.contact is None and p.adapted_from is None
    assert p.languages == ["de"]
    assert Practice.model_validate(p.model_dump()) == p


def test_practice_length_limits() -> None:
    assert practice(title="t" * 150, summary="s" * 500).summary == "s" * 500
    assert practice_errors(title="t" * 151) == [
        {"field": "title", "message": "Der Titel darf höchstens 150 Zeichen lang sein."}
    ]
    assert practice_errors(summary="s" * 501) == [
        {"field": "summary", "message": "Die Zusammenfassung darf höchstens 500 Zeichen lang sein."}
    ]
    assert practice_errors(summary=" ") == [
        {"field": "summary", "message": "Die Zusammenfassung darf nicht leer sein."}
    ]


def test_sections_are_ordered_and_blank_ones_dropped() -> None:
    p = practice(
        sections={
            "ergebnisse": "Viele kamen.",
            "ausgangslage": "Keiner kannte sich.",
            "stolpersteine": " ",
        }
    )
    assert list(p.sections) == [PracticeSection.AUSGANGSLAGE, PracticeSection.ERGEBNISSE]
    assert p.sections[PracticeSection.ERGEBNISSE] == "Viele kamen."


def test_section_errors_point_at_the_section() -> None:
    errors = practice_errors(sections={"fazit": "x", "ansatz": "a" * 10_001})
    assert {e["field"] for e in errors} == {"sections.fazit", "sections.ansatz"}
    assert messages_for(errors, "sections.ansatz") == [
        "Ein Abschnitt darf höchstens 10.000 Zeichen lang sein."
    ]


def test_partner_sectors_are_added_to_sectors_involved() -> None:
    p = practice(
        sectors_involved=["administration"],
        partners=[
            {"name": "Sparkasse Musterstadt", "sector": "business", "role": "funder"},
            {"name": "Freiwilligenagentur", "sector": "civil-society", "role": "lead"},
            {"name": "Bürgerstiftung", "sector": "civil-society"},
        ],
    )
    assert p.sectors_involved == [Sector.ADMINISTRATION, Sector.BUSINESS, Sector.CIVIL_SOCIETY]
    assert p.partners[2].role == "partner"


def test_partner_needs_name_and_sector() -> None:
    errors = practice_errors(partners=[{"name": "Uni"}])
    assert errors == [{"field": "partners.0.sector", "message": "Pflichtfeld fehlt."}]


@pytest.mark.parametrize(
    ("given", "stored", "url"),
    [
        ("cc-by-4.0", "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
        (
            "https://creativecommons.org/licenses/by-sa/4.0",
            "CC-BY-SA-4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        ("CC0-1.0", "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        (
            "https://www.govdata.de/dl-de/by-2-0",
            "https://www.govdata.de/dl-de/by-2-0",
            "https://www.govdata.de/dl-de/by-2-0",
        ),
    ],
)
def test_licences(given: str, stored: str, url: str) -> None:
    p = practice(licence=given)
    assert p.licence == stored
    assert p.licence_url == url == licence_url(stored)


def test_unknown_licence_is_rejected() -> None:
    assert practice_errors(licence="MIT") == [
        {
            "field": "licence",
            "message": "Unbekannte Lizenz. Bitte eine dieser Lizenzen wählen: "
            "CC-BY-SA-4.0, CC-BY-4.0, CC0-1.0.",
        }
    ]


def test_practice_other_checks() -> None:
    assert practice(region="Sachsen", city="Görlitz").region is Bundesland.SN
    assert practice(adapted_from="https://andere-stadt.example/p/42").adapted_from
    assert [e["field"] for e in practice_errors(adapted_from="ftp://x.example/p")] == [
        "adapted_from"
    ]
    themes = [
        "engagementstrategie",
        "anlaufstelle",
        "digitalisierung",
        "integration",
        "krisenresilienz",
        "qualifizierung",
    ]
    assert practice_errors(themes=themes) == [
        {"field": "themes", "message": "Bitte höchstens 5 Themen auswählen."}
    ]
    assert practice_errors(resources={"volunteers": -3}) == [
        {
            "field": "resources.volunteers",
            "message": "Die Zahl der Freiwilligen darf nicht negativ sein.",
        }
    ]
    assert practice_errors(resources={"budget": "viel"})[0]["field"] == "resources.budget"
    assert practice_errors(status="geplant")[0]["field"] == "status"
    assert practice_errors(contact={})[0]["field"] == "contact.email"
    attachments = [{"url": f"https://x.example/{i}.pdf", "name": f"Dok {i}"} for i in range(21)]
    assert practice_errors(attachments=attachments) == [
        {"field": "attachments", "message": "Bitte höchstens 20 Dokumente anhängen."}
    ]


def test_practice_rejects_extra_fields() -> None:
    assert practice_errors(tags=["x"]) == [
        {"field": "tags", "message": "Unbekanntes Feld „tags“ – bitte die Schreibweise prüfen."}
    ]
