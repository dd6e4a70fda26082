"""The opportunity form of `/verwaltung`: its fields (German labels and plain-German help),
form values → the editor input of `ContentService` (the same dict the JSON API sends, so
both go through one validation), an opportunity → form values, and German errors → the field
they belong to. Nothing here validates: that is the model's job."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from multidict import MultiDictProxy

from mitwirken.models.content import Opportunity
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import (
    ActivityType,
    ApplyChannel,
    Bundesland,
    CauseArea,
    Offer,
    OpportunityKind,
    Remote,
    RequiredDocument,
    SuitableFor,
    TimeBudgetUnit,
)
from mitwirken.server.web import forms
from mitwirken.server.web.forms import FormState, text_value

LOCAL = ZoneInfo("Europe/Berlin")  # what a German editor means by "10:00"
TEXT = ("title", "description", "schedule")
NUMBERS = ("min_age", "volunteers_needed", "places_left", "reply_time_days")
CHOICES = ("cause_areas", "activity_types", "suitable_for", "offers", "required_documents",
           "apply_channels")
OPTIONAL = ("apply_url", "apply_email", "apply_phone", "title_en")  # empty: none
PLACE = ("name", "street", "postal_code", "locality", "region", "latitude", "longitude")
COORDINATES = ("latitude", "longitude")  # a German "52,52" is read as 52.52
PLACE_ROWS = 3  # places in the form; more from the API are kept
CONTACT = ("name", "email", "phone", "hours", "url")
VOCABULARIES = {"kind": OpportunityKind, "remote": Remote, "time_budget.unit": TimeBudgetUnit,
                "region": Bundesland,
                "cause_areas": CauseArea, "activity_types": ActivityType,
                "suitable_for": SuitableFor, "offers": Offer,
                "required_documents": RequiredDocument, "apply_channels": ApplyChannel}

HELP = {
    "title": N_("Kurz und konkret: Was ist zu tun? Zum Beispiel „Lesepat:in für "
             "Grundschulkinder“. Höchstens 100 Zeichen."),
    "description": N_("Was erwartet die Freiwilligen, was sollten sie mitbringen, wie läuft der "
                   "Einstieg? Absätze trennen Sie mit einer Leerzeile; **fett** und Listen mit "
                   "„- “ am Zeilenanfang sind möglich."),
    "kind": N_("Einmalig: ein fester Termin. Schichten: Termine zum Aussuchen. Regelmäßig: zum "
            "Beispiel jede Woche. Flexibel: ganz nach Absprache."),
    "start": N_("Bei einem einmaligen Einsatz nötig, sonst freiwillig. Deutsche Zeit."),
    "end": N_("Wann der Einsatz endet. Bei einmaligen Einsätzen nötig."),
    "schedule": N_("In eigenen Worten, zum Beispiel „Dienstags 15–17 Uhr“."),
    "time_budget.hours": N_("Ungefähr, z. B. 2 (Stunden) – und dazu, worauf sich das bezieht."),
    "remote": N_("Kann man sich auch von zu Hause aus engagieren?"),
    "places": N_("Wo findet das Engagement statt? Leer lassen, wenn es nur online stattfindet."),
    "min_age": N_("Leer lassen, wenn es kein Mindestalter gibt."),
    "cause_areas": N_("Wofür setzen sich die Freiwilligen ein? Höchstens vier."),
    "activity_types": N_("Was tun die Freiwilligen? Höchstens vier."),
    "suitable_for": N_("Für wen ist der Einstieg besonders leicht? Auch Barrierefreiheit."),
    "apply_url": N_("Falls man sich auf Ihrer Website anmeldet: deren Adresse (beginnt mit "
                 "https://). Sonst leer lassen."),
    "image": N_("Freiwillig: die Adresse eines Bildes (https://…) und, damit auch blinde "
             "Menschen wissen, was es zeigt, eine kurze Beschreibung."),
    "offers": N_("Was bieten Sie den Freiwilligen?"),
    "apply_channels": N_("Wie sich Interessierte melden können. Bei einem neuen Angebot ohne "
                      "Häkchen: eine Antwort im Fediverse und alles, was Ihre Kontaktangaben "
                      "hergeben."),
    "apply_email": N_("Nur wenn Bewerbungen an eine andere Adresse gehen sollen als der Kontakt."),
    "apply_phone": N_("Nur wenn Anmeldungen unter einer anderen Nummer laufen als der Kontakt."),
    "mediated_by_city": N_("Die Anlaufstelle der Stadt vermittelt den ersten Kontakt."),
    "languages": N_("In welchen Sprachen kann man sich verständigen? Kürzel mit Komma, z. B. "
                 "„de, en, ar“."),
    "title_en": N_("Freiwillig: der Titel auf Englisch, für Menschen, die (noch) kein Deutsch "
                "sprechen."),
    "description_en": N_("Freiwillig: die Beschreibung auf Englisch."),
    "required_documents": N_("Was müssen Freiwillige vorher vorlegen?"),
    "contact": N_("Eine Funktionsadresse, keine private. E-Mail-Adresse oder Telefonnummer ist "
               "nötig. Wird öffentlich angezeigt."),
    "volunteers_needed": N_("Wie viele Freiwillige suchen Sie insgesamt? Leer lassen, wenn es "
                         "keine feste Zahl gibt."),
    "places_left": N_("Wie viele Plätze sind noch frei?"),
    "reply_time_days": N_("Innerhalb wie vieler Werktage antworten Sie auf eine Meldung? "
                       "Freiwillige springen ab, wenn niemand antwortet."),
}
# A group's errors stand next to it; a list item's error ("cause_areas.2") next to its list.
GROUPS = ("contact", "time_budget", *(f"places.{i}" for i in range(PLACE_ROWS)), "places",
          "image", *CHOICES)
IMAGE = ("url", "alt_text")


def _local_to_iso(value: str) -> str:
    """`2026-12-12T09:00` (an `<input type="datetime-local">`) in German time → ISO with
    offset; anything else is passed on unchanged for the model to refuse."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed.isoformat()


def _place_fields() -> list[str]:
    return [f"places.{i}.{p}" for i in range(PLACE_ROWS) for p in PLACE]


def _places_input(values: dict[str, Any], current: Opportunity | None) -> list[dict[str, Any]]:
    """The form's place rows (an empty row is no place) and, after them, the places beyond
    the form's rows as they were. A row keeps what the form does not show (the country)."""
    before = current.places if current else []
    places = []
    for i in range(PLACE_ROWS):
        place: dict[str, Any] = {p: values[f"places.{i}.{p}"] for p in PLACE
                                 if values[f"places.{i}.{p}"]}
        for p in COORDINATES:
            if p in place:
                place[p] = place[p].replace(",", ".")
        if not place:
            continue
        if i < len(before):
            kept = before[i].model_dump(mode="json", exclude_none=True)
            place = {**{k: v for k, v in kept.items() if k not in PLACE}, **place}
        places.append(place)
    return places + [p.model_dump(mode="json") for p in before[PLACE_ROWS:]]


def values_of_form(form: MultiDictProxy[Any]) -> dict[str, Any]:
    """The submitted values as the template shows them again."""
    values: dict[str, Any] = {name: text_value(form, name) for name in (
        *TEXT, *NUMBERS, "kind", "remote", "start", "end", "time_budget.hours",
        "time_budget.unit", "org", *OPTIONAL, "languages", "mediated_by_city",
        *_place_fields(), *(f"contact.{c}" for c in CONTACT), *(f"image.{i}" for i in IMAGE))}
    values["description"] = str(form.get("description", ""))  # keep the editor's line breaks
    values["description_en"] = str(form.get("description_en", ""))
    for name in CHOICES:
        values[name] = [str(v) for v in form.getall(name, [])]
    return values


def input_of(values: dict[str, Any], current: Opportunity | None = None) -> dict[str, Any]:
    """Form values → the editor input of `ContentService.create`/`update`. For an update every
    field of the form is given (an emptied field becomes `None`); what the form does not show
    (places beyond the form's rows, a place's country) is kept from `current`."""
    data: dict[str, Any] = {}
    for name in TEXT:
        data[name] = values[name] if values[name] or name in ("title", "description") else None
    data["kind"] = values["kind"]
    data["remote"] = values["remote"] or "no"
    for name in NUMBERS:
        data[name] = values[name] or None
    if data["reply_time_days"] is None:
        data["reply_time_days"] = 5
    for name in ("start", "end"):
        data[name] = _local_to_iso(values[name]) if values[name] else None
    hours = values["time_budget.hours"].replace(",", ".")
    data["time_budget"] = ({"hours": hours, "unit": values["time_budget.unit"] or "per-week"}
                           if hours else None)
    data["places"] = _places_input(values, current)
    contact = {c: values[f"contact.{c}"] for c in CONTACT if values[f"contact.{c}"]}
    if current is not None and current.contact is not None:
        kept = current.contact.model_dump(mode="json", exclude_none=True)
        contact = {**{k: v for k, v in kept.items() if k not in CONTACT}, **contact}
    data["contact"] = contact
    for name in CHOICES:
        data[name] = values[name]
    if not data["apply_channels"]:  # none ticked: the model's default (new), or as it was
        del data["apply_channels"]
    for name in OPTIONAL:
        data[name] = values[name] or None
    data["description_en"] = values["description_en"] or None
    data["mediated_by_city"] = values["mediated_by_city"] == "1"
    languages = [x.strip().lower() for x in values["languages"].split(",") if x.strip()]
    data["languages"] = languages or ["de"]
    image: dict[str, Any] = {i: values[f"image.{i}"] for i in IMAGE if values[f"image.{i}"]}
    if image and current is not None and current.image is not None and (
            current.image.url == image.get("url") and current.image.media_type):
        image["media_type"] = current.image.media_type
    data["image"] = image or None
    if current is None:
        data = {k: v for k, v in data.items() if v is not None and v != [] and v is not False}
    return data


def _local(value: datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M") if value else ""


def values_of(opp: Opportunity | None, org: str = "") -> dict[str, Any]:
    """An opportunity (or, for a new one, the defaults) as form values."""
    if opp is None:
        values: dict[str, Any] = {name: "" for name in (
            *TEXT, *NUMBERS, "start", "end", "time_budget.hours", *OPTIONAL,
            "description_en", "mediated_by_city",
            *_place_fields(), *(f"contact.{c}" for c in CONTACT),
            *(f"image.{i}" for i in IMAGE))}
        values.update({"kind": "regular", "remote": "no", "time_budget.unit": "per-week",
                       "reply_time_days": "5", "org": org, "languages": "de"})
        values.update({name: [] for name in CHOICES})
        return values
    contact = opp.contact
    values = {
        "title": opp.title, "description": opp.description, "schedule": opp.schedule or "",
        "kind": opp.kind.value, "remote": opp.remote.value, "org": opp.org_username,
        "start": _local(opp.start), "end": _local(opp.end),
        "time_budget.hours": _number(opp.time_budget.hours) if opp.time_budget else "",
        "time_budget.unit": opp.time_budget.unit.value if opp.time_budget else "per-week",
    }
    for name in NUMBERS:
        number = getattr(opp, name)
        values[name] = "" if number is None else str(number)
    for i in range(PLACE_ROWS):
        place = opp.places[i] if i < len(opp.places) else None
        for p in PLACE:
            value = getattr(place, p) if place else None
            values[f"places.{i}.{p}"] = _place_value(value)
    for c in CONTACT:
        values[f"contact.{c}"] = (getattr(contact, c) or "") if contact else ""
    for name in CHOICES:
        values[name] = [v.value for v in getattr(opp, name)]
    for name in OPTIONAL:
        values[name] = getattr(opp, name) or ""
    values["description_en"] = opp.description_en or ""
    values["mediated_by_city"] = "1" if opp.mediated_by_city else ""
    values["languages"] = ", ".join(opp.languages)
    for i in IMAGE:
        values[f"image.{i}"] = (getattr(opp.image, i) or "") if opp.image else ""
    return values


def _place_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(value).replace(".", ",")  # German decimal comma; read back as a point
    return str(getattr(value, "value", value))


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


def place_errors(errors: list[dict[str, str]], state: FormState) -> FormState:
    return forms.place_errors(errors, state, GROUPS)
