"""Shared value types and validation helpers for the content models.

Every error our own validators raise is a :class:`PydanticCustomError` with a German message that
a non-technical editor can act on; :func:`german_errors` turns a whole ``ValidationError``
(including pydantic's built-in errors such as ``missing``) into ``[{"field", "message"}]``.

Models meant for editor input forbid unknown keys (``extra="forbid"``): a typo in an API field is
an error, not silently dropped data.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from mitwirken.models.vocab import Bundesland, TimeBudgetUnit, parse_bundesland

__all__ = [
    "Attachment",
    "AwareDatetime",
    "ContactPoint",
    "EditorModel",
    "Email",
    "Image",
    "LanguageList",
    "MediaType",
    "Phone",
    "Place",
    "Problem",
    "Region",
    "TimeBudget",
    "Username",
    "WebUrl",
    "bounded_list",
    "format_number",
    "german_error",
    "german_errors",
    "number_range",
    "problem",
    "raise_errors",
    "text",
    "vocab_list",
]

E = TypeVar("E")

# Error types raised by our own validators: their messages are already German.
_OWN_ERROR_TYPES: set[str] = set()


def german_error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    """A validation error of type ``kind`` whose (German) message may use ``{ctx}`` fields."""
    _OWN_ERROR_TYPES.add(kind)
    return PydanticCustomError(kind, message, ctx or None)


Problem = tuple[tuple[str | int, ...], PydanticCustomError]
"""A cross-field validation problem: the field path it belongs to and its error."""


def problem(field: str, kind: str, message: str, **ctx: Any) -> Problem:
    """A problem attached to ``field`` (use with :func:`raise_errors` in model validators)."""
    return (field,), german_error(kind, message, **ctx)


def raise_errors(model: str, problems: list[Problem]) -> None:
    """Raise all cross-field problems at once, each attached to its own field path.

    Raising one ``ValidationError`` with several located errors (rather than one ``ValueError``)
    lets the editor see every problem at the right field, e.g. ``end`` and ``places_left``.
    """
    if problems:
        details = [InitErrorDetails(type=err, loc=loc, input=None) for loc, err in problems]
        raise ValidationError.from_exception_data(model, details)


class EditorModel(BaseModel):
    """Base of every content model: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


# --------------------------------------------------------------------------------------------
# Scalar field types
# --------------------------------------------------------------------------------------------

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(
    subject: str,
    max_length: int,
    *,
    required: bool = True,
    multiline: bool = False,
) -> Any:
    """A text field that is stripped and length-checked with German messages.

    ``subject`` is the German noun phrase used in messages ("Der Titel"). Single-line text has
    runs of whitespace collapsed to one space; multi-line text keeps its line breaks. Control
    characters are removed. Optional text (``required=False``) turns blank input into ``None``.
    """

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = _CONTROL_CHARS.sub("", value)
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        else:
            value = " ".join(value.split())
        if not value:
            if required:
                raise german_error("text_empty", f"{subject} darf nicht leer sein.")
            return None
        if len(value) > max_length:
            raise german_error(
                "text_too_long",
                f"{subject} darf höchstens {format_number(max_length)} Zeichen lang sein.",
                max_length=max_length,
                actual_length=len(value),
            )
        return value

    schema = Field(json_schema_extra={"maxLength": max_length})
    if required:
        return Annotated[str, AfterValidator(check), schema]
    return Annotated[str | None, AfterValidator(check), schema]


def _unique(items: Iterable[E]) -> list[E]:
    return list(dict.fromkeys(items))


def vocab_list(enum: type[E], max_items: int, message: str) -> Any:
    """A list of vocabulary values: duplicates are dropped, more than ``max_items`` rejected."""

    def check(values: list[E]) -> list[E]:
        values = _unique(values)
        if len(values) > max_items:
            raise german_error("too_many_items", message, max_items=max_items)
        return values

    return Annotated[list[enum], AfterValidator(check)]  # type: ignore[valid-type]


def bounded_list(item: Any, max_items: int, message: str) -> Any:
    """A list of at most ``max_items`` entries (order and duplicates kept)."""

    def check(values: list[Any]) -> list[Any]:
        if len(values) > max_items:
            raise german_error("too_many_items", message, max_items=max_items)
        return values

    return Annotated[list[item], AfterValidator(check)]


_USERNAME_FORBIDDEN = re.compile(r"[\s/\x00-\x1f\x7f]")


def _check_username(value: str) -> str:
    value = value.strip()
    if not value:
        raise german_error("username_missing", "Die veröffentlichende Organisation fehlt.")
    if len(value) > 255 or _USERNAME_FORBIDDEN.search(value):
        raise german_error("invalid_username", "Der Benutzername der Organisation ist ungültig.")
    return value


Username = Annotated[str, AfterValidator(_check_username)]
"""The username of the publishing actor (``foerderverein-gs-nord``); lenient on purpose."""


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise german_error(
            "datetime_without_timezone",
            "Datum und Uhrzeit brauchen eine Zeitzone, z. B. 2025-05-01T10:00:00+02:00.",
        )
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]
"""A datetime that must carry a timezone; naive input is rejected with a German message."""


def _check_http_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value) if len(value) <= 2000 and not re.search(r"\s", value) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise german_error(
            "invalid_url",
            "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
        )
    return value


WebUrl = Annotated[str, AfterValidator(_check_http_url)]
"""An absolute ``http(s)://`` URL, kept as the string the editor typed (no normalisation)."""

_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}$")


def _check_email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise german_error(
            "invalid_email",
            "Bitte eine gültige E-Mail-Adresse angeben, z. B. info@verein.de.",
        )
    return value


Email = Annotated[str, AfterValidator(_check_email)]

_PHONE = re.compile(r"^\+?[0-9 ()/.\-]+$")


def _check_phone(value: str) -> str:
    value = " ".join(value.split())
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.match(value) or not 5 <= digits <= 20:
        raise german_error(
            "invalid_phone",
            "Bitte eine gültige Telefonnummer angeben, z. B. 0221 123456 oder +49 221 123456.",
        )
    return value


Phone = Annotated[str, AfterValidator(_check_phone)]

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def _check_languages(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        code = value.strip().replace("_", "-").lower()
        if not _LANGUAGE.match(code):
            raise german_error(
                "invalid_language",
                "„{code}“ ist kein gültiger Sprachcode. Bitte Codes wie de, en oder tr angeben.",
                code=value[:20],
            )
        cleaned.append(code)
    cleaned = _unique(cleaned)
    if not cleaned:
        raise german_error("languages_empty", "Bitte mindestens eine Sprache angeben.")
    if len(cleaned) > 10:
        raise german_error("too_many_items", "Bitte höchstens 10 Sprachen angeben.", max_items=10)
    return cleaned


LanguageList = Annotated[list[str], AfterValidator(_check_languages)]
"""BCP 47-ish language codes (``de``, ``en``, ``pt-br``), lower-cased, unique, 1..10."""


def format_number(value: float) -> str:
    """German number formatting for messages: 10000 → "10.000", 2.5 → "2,5"."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value}".replace(".", ",")


def number_range(subject: str, low: float, high: float | None, unit: str = "") -> AfterValidator:
    """An after-validator checking ``low <= value <= high`` with a German message.

    Small ranges are explained as "zwischen low und high"; for open or very wide ranges (where
    the upper bound is only a sanity cap) the message names the bound that was crossed.
    """
    suffix = f" {unit}" if unit else ""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if value >= low and (high is None or value <= high):
            return value
        if high is not None and high - low <= 1000:
            message = (
                f"{subject} muss zwischen {format_number(low)} und "
                f"{format_number(high)}{suffix} liegen."
            )
        elif value < low:  # NaN ends up here as well
            message = (
                f"{subject} darf nicht negativ sein."
                if low == 0
                else f"{subject} muss mindestens {format_number(low)}{suffix} betragen."
            )
        elif high is not None and value > high:
            message = f"{subject} darf höchstens {format_number(high)}{suffix} betragen."
        else:
            message = f"{subject} muss eine Zahl sein."
        raise german_error("out_of_range", message, low=low, high=high)

    return AfterValidator(check)


def _region(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Bundesland):
        if not value.strip():
            return None
        land = parse_bundesland(value)
        if land is None:
            raise german_error(
                "unknown_bundesland",
                "„{region}“ ist kein deutsches Bundesland. Bitte z. B. „Nordrhein-Westfalen“ "
                "oder „DE-NW“ angeben.",
                region=value[:40],
            )
        return land
    return value


Region = Annotated[Bundesland | None, BeforeValidator(_region)]
"""A Bundesland; accepts ``"DE-NW"``, ``"NW"``, ``"Nordrhein-Westfalen"`` or ``"NRW"``."""


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


_PlaceName = text("Der Name des Ortes", 200, required=False)
_Street = text("Die Straße", 200, required=False)
_PostalCode = text("Die Postleitzahl", 10, required=False)
_Locality = text("Der Ort", 100, required=False)
_Latitude = Annotated[float | None, number_range("Der Breitengrad", -90, 90)]
_Longitude = Annotated[float | None, number_range("Der Längengrad", -180, 180)]


class Place(EditorModel):
    """Where volunteering happens. At least a name, street, postcode or town is needed."""

    name: _PlaceName = None
    street: _Street = None
    postal_code: _PostalCode = None
    locality: _Locality = None
    region: Region = None
    country: str = "DE"
    latitude: _Latitude = None
    longitude: _Longitude = None

    @model_validator(mode="after")
    def _check(self) -> Place:
        problems: list[Problem] = []
        self.country = self.country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            problems.append(
                problem(
                    "country",
                    "invalid_country",
                    "Bitte das Land als zweistelligen Ländercode angeben, z. B. DE.",
                )
            )
        if not (self.name or self.street or self.postal_code or self.locality):
            problems.append(
                problem(
                    "name",
                    "place_empty",
                    "Bitte mindestens einen Namen, eine Adresse oder einen Ort angeben.",
                )
            )
        if (
            self.country == "DE"
            and self.postal_code
            and not re.fullmatch(r"\d{5}", self.postal_code)
        ):
            problems.append(
                problem(
                    "postal_code",
                    "invalid_postal_code",
                    "Eine deutsche Postleitzahl hat genau fünf Ziffern.",
                )
            )
        if (self.latitude is None) != (self.longitude is None):
            problems.append(
                problem(
                    "longitude" if self.longitude is None else "latitude",
                    "coordinates_incomplete",
                    "Bitte Breiten- und Längengrad immer gemeinsam angeben.",
                )
            )
        raise_errors("Place", problems)
        return self


_ContactName = text("Die Bezeichnung des Kontakts", 150, required=False)
_Hours = text("Die Angabe der Sprechzeiten", 200, required=False)


class ContactPoint(EditorModel):
    """A *role* contact (e.g. "Ehrenamtskoordination"), never a volunteer's personal data.

    At least one of e-mail, phone or web address is required.
    """

    name: _ContactName = None
    email: Email | None = None
    phone: Phone | None = None
    hours: _Hours = None
    url: WebUrl | None = None

    @model_validator(mode="after")
    def _check(self) -> ContactPoint:
        if not (self.email or self.phone or self.url):
            raise_errors(
                "ContactPoint",
                [
                    problem(
                        "email",
                        "contact_empty",
                        "Bitte mindestens eine E-Mail-Adresse, Telefonnummer oder "
                        "Web-Adresse für den Kontakt angeben.",
                    )
                ],
            )
        return self


_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def _check_media_type(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if len(value) > 100 or not _MEDIA_TYPE.match(value):
        raise german_error(
            "invalid_media_type",
            "Der Dateityp ist ungültig; erwartet wird z. B. image/jpeg oder application/pdf.",
        )
    return value


MediaType = Annotated[str | None, AfterValidator(_check_media_type)]


_AltText = text("Der Alternativtext", 1500, required=False, multiline=True)


class Image(EditorModel):
    """An image with alternative text (required whenever there is an image URL)."""

    url: WebUrl | None = None
    alt_text: _AltText = None
    media_type: MediaType = None

    @model_validator(mode="after")
    def _check(self) -> Image:
        problems: list[Problem] = []
        if self.url and not self.alt_text:
            problems.append(
                problem(
                    "alt_text",
                    "alt_text_missing",
                    "Bitte das Bild kurz beschreiben (Alternativtext), damit auch blinde "
                    "Menschen wissen, was es zeigt.",
                )
            )
        if self.media_type and not self.media_type.startswith("image/"):
            problems.append(
                problem(
                    "media_type",
                    "not_an_image",
                    "Hier ist nur eine Bilddatei erlaubt (z. B. image/jpeg).",
                )
            )
        raise_errors("Image", problems)
        if self.url and not self.media_type:
            # Mastodon and Fedify type attachments by mediaType; guess it from the file name.
            guessed = mimetypes.guess_type(urlsplit(self.url).path)[0]
            if guessed and guessed.startswith("image/"):
                self.media_type = guessed
        return self


_DocumentName = text("Der Name des Dokuments", 200)


class Attachment(EditorModel):
    """A downloadable document (template, Leitfaden, flyer)."""

    url: WebUrl
    name: _DocumentName
    media_type: MediaType = None


_MAX_HOURS = {
    TimeBudgetUnit.PER_WEEK: 168.0,
    TimeBudgetUnit.PER_MONTH: 744.0,
    TimeBudgetUnit.TOTAL: 10000.0,
}


class TimeBudget(EditorModel):
    """How much time volunteering takes, e.g. 2 hours per week."""

    hours: float
    unit: TimeBudgetUnit

    @model_validator(mode="after")
    def _check(self) -> TimeBudget:
        limit = _MAX_HOURS[self.unit]
        if not 0 < self.hours <= limit:
            message = (
                "Die Stundenzahl muss größer als 0 und höchstens "
                f"{format_number(limit)} ({self.unit.label_de}) sein."
            )
            raise_errors("TimeBudget", [problem("hours", "hours_out_of_range", message)])
        return self


# --------------------------------------------------------------------------------------------
# German error messages
# --------------------------------------------------------------------------------------------

_DATETIME_HINT = "Bitte Datum und Uhrzeit mit Zeitzone angeben, z. B. 2025-05-01T10:00:00+02:00."

_BUILTIN_MESSAGES: dict[str, str] = {
    "missing": "Pflichtfeld fehlt.",
    "string_too_long": "Höchstens {max_length} Zeichen erlaubt.",
    "string_too_short": "Mindestens {min_length} Zeichen erforderlich.",
    "too_long": "Höchstens {max_length} Einträge erlaubt.",
    "list_too_long": "Höchstens {max_length} Einträge erlaubt.",
    "too_short": "Mindestens {min_length} Einträge erforderlich.",
    "greater_than_equal": "Der Wert muss mindestens {ge} sein.",
    "greater_than": "Der Wert muss größer als {gt} sein.",
    "less_than_equal": "Der Wert darf höchstens {le} sein.",
    "less_than": "Der Wert muss kleiner als {lt} sein.",
    "enum": "Unbekannter Wert „{input}“. Erlaubt sind: {expected}.",
    "literal_error": "Unbekannter Wert „{input}“. Erlaubt sind: {expected}.",
    "datetime_parsing": _DATETIME_HINT,
    "datetime_from_date_parsing": _DATETIME_HINT,
    "datetime_type": _DATETIME_HINT,
    "timezone_aware": _DATETIME_HINT,
    "date_parsing": "Bitte ein Datum im Format JJJJ-MM-TT angeben, z. B. 2025-05-01.",
    "date_from_datetime_parsing": "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
    "date_type": "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
    "url_parsing": "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
    "url_scheme": "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
    "url_type": "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt.",
    "float_parsing": "Bitte eine Zahl angeben.",
    "float_type": "Bitte eine Zahl angeben.",
    "finite_number": "Bitte eine Zahl angeben.",
    "int_parsing": "Bitte eine ganze Zahl angeben.",
    "int_type": "Bitte eine ganze Zahl angeben.",
    "int_from_float": "Bitte eine ganze Zahl ohne Nachkommastellen angeben.",
    "bool_parsing": "Bitte ja oder nein angeben (true oder false).",
    "bool_type": "Bitte ja oder nein angeben (true oder false).",
    "string_type": "Hier wird ein Text erwartet.",
    "string_pattern_mismatch": "Die Eingabe hat nicht das erwartete Format.",
    "list_type": "Hier wird eine Liste erwartet.",
    "dict_type": "Hier wird ein Objekt mit einzelnen Feldern erwartet.",
    "model_type": "Hier wird ein Objekt mit einzelnen Feldern erwartet.",
    "model_attributes_type": "Hier wird ein Objekt mit einzelnen Feldern erwartet.",
    "extra_forbidden": "Unbekanntes Feld „{field}“ – bitte die Schreibweise prüfen.",
    "json_invalid": "Die Daten sind kein gültiges JSON.",
    "json_type": "Die Daten sind kein gültiges JSON.",
}


def _field_path(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "[key]")


def _short(value: Any) -> str:
    shown = value if isinstance(value, str) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    if kind in _OWN_ERROR_TYPES:
        return error["msg"]
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or error["msg"])
    template = _BUILTIN_MESSAGES.get(kind)
    if template is None:
        return "Ungültige Eingabe."
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", " oder ")
    ctx["input"] = _short(error.get("input"))
    ctx["field"] = str(error["loc"][-1]) if error["loc"] else ""
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].strip() or "Ungültige Eingabe."


def german_errors(exc: ValidationError) -> list[dict[str, str]]:
    """``[{"field": "contact.email", "message": "…"}]`` in German for every error of ``exc``.

    Field paths are the dotted ``loc`` of pydantic (list positions as numbers:
    ``"places.0.postal_code"``); errors about the whole object have ``field == ""``.
    """
    return [
        {"field": _field_path(error["loc"]), "message": _message(error)} for error in exc.errors()
    ]
