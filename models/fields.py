"""Validated field types for editor input, each with a German message.

Models meant for editor input forbid unknown keys (``extra="forbid"``, :class:`EditorModel`):
a typo in an API field is an error, not silently dropped data.

The factories give the *rules* of a field, and the field's type is written beside them, so that
readers and mypy see it: ``Annotated[str, *text("Der Titel", 100)]``,
``Annotated[list[Sector], vocab_list(5, "…")]``. (A type built by a function call is opaque to
a type checker.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)
from pydantic.fields import FieldInfo

from mitwirken.models.german_errors import german_error, raise_errors
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import Bundesland, parse_bundesland
from mitwirken.models.web_names import WebNameError, check_web_url

__all__ = [
    "YEARS",
    "in_year_range",
    "validate_input",
    "unencodable_paths",
    "AwareDatetime",
    "EditorModel",
    "Email",
    "LanguageList",
    "MediaType",
    "Phone",
    "Region",
    "Username",
    "WebUrl",
    "bounded_list",
    "format_number",
    "number_range",
    "text",
    "vocab_list",
]

E = TypeVar("E")

class EditorModel(BaseModel):
    """Base of every content model: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


def unencodable_paths(data: Any) -> list[tuple[str | int, ...]]:
    """The paths of every string (or key) in ``data`` that UTF-8 cannot encode; no recursion."""
    found: list[tuple[str | int, ...]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                found.append(path)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str) and not _encodable(key):
                    found.append(path)
                else:
                    stack.append(((*path, key), inner))
        elif isinstance(item, list | tuple):
            stack.extend(((*path, i), inner) for i, inner in enumerate(item))
    return sorted(found, key=str)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


M = TypeVar("M", bound=BaseModel)


def validate_input(model: type[M], data: dict[str, Any], *, strict: bool = False) -> M:
    """Validate editor input into ``model``. Text that UTF-8 cannot encode (a lone surrogate)
    is a German error at its field. ``strict`` (the JSON API) takes the data as JSON with
    pydantic's strict mode: a number must be a JSON number, a boolean a JSON boolean (no
    ``"16"`` → 16, no ``true`` → 1), while dates and vocabulary values stay JSON strings."""
    raise_errors(model.__name__, [
        (path, german_error("text_not_encodable",
                            N_("Der Text enthält ungültige Zeichen (kein gültiges Unicode).")))
        for path in unencodable_paths(data)])
    if strict:
        return model.model_validate_json(json.dumps(data), strict=True)
    return model.model_validate(data)


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
) -> tuple[AfterValidator, FieldInfo]:
    """The rules of a text field: stripped and length-checked with German messages.

    Unpack them after the type: ``Annotated[str, *text("Der Titel", 100)]``, and
    ``Annotated[str | None, *text(…, required=False)]`` for optional text, which turns blank
    input into ``None``. ``subject`` is the German noun phrase used in messages ("Der Titel").
    Single-line text has runs of whitespace collapsed to one space; multi-line text keeps its
    line breaks. Control characters are removed.
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
                raise german_error("text_empty", N_("{subject} darf nicht leer sein."),
                                   subject=subject)
            return None
        if len(value) > max_length:
            raise german_error(
                "text_too_long",
                N_("{subject} darf höchstens {limit} Zeichen lang sein."),
                subject=subject,
                limit=format_number(max_length),
                max_length=max_length,
                actual_length=len(value),
            )
        return value

    schema: FieldInfo = Field(json_schema_extra={"maxLength": max_length})
    return AfterValidator(check), schema


def _unique(items: Iterable[E]) -> list[E]:
    return list(dict.fromkeys(items))


def vocab_list(max_items: int, message: str) -> AfterValidator:
    """The rule of a list of vocabulary values: duplicates are dropped, more than ``max_items``
    rejected. ``Annotated[list[Sector], vocab_list(len(Sector), "…")]``."""

    def check(values: list[E]) -> list[E]:
        values = _unique(values)
        if len(values) > max_items:
            raise german_error("too_many_items", message, max_items=max_items)
        return values

    return AfterValidator(check)


def bounded_list(max_items: int, message: str) -> AfterValidator:
    """The rule of a list of at most ``max_items`` entries (order and duplicates kept).
    ``Annotated[list[Place], bounded_list(20, "…")]``."""

    def check(values: list[Any]) -> list[Any]:
        if len(values) > max_items:
            raise german_error("too_many_items", message, max_items=max_items)
        return values

    return AfterValidator(check)


_USERNAME_FORBIDDEN = re.compile(r"[\s/\x00-\x1f\x7f]")


def _check_username(value: str) -> str:
    value = value.strip()
    if not value:
        raise german_error("username_missing", N_("Die veröffentlichende Organisation fehlt."))
    if len(value) > 255 or _USERNAME_FORBIDDEN.search(value):
        raise german_error("invalid_username",
                           N_("Der Benutzername der Organisation ist ungültig."))
    return value


Username = Annotated[str, AfterValidator(_check_username)]
"""The username of the publishing actor (``foerderverein-gs-nord``); lenient on purpose."""


YEARS = (1900, 2200)
"""Every date we store lies in these years (local time and UTC), far from datetime's limits."""


def in_year_range(value: datetime) -> bool:
    """``value`` (aware) lies within :data:`YEARS` in its own time and in UTC."""
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return all(YEARS[0] <= v.year <= YEARS[1] for v in (value, in_utc))


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise german_error(
            "datetime_without_timezone",
            N_("Datum und Uhrzeit brauchen eine Zeitzone, z. B. 2025-05-01T10:00:00+02:00."),
        )
    if not in_year_range(value):
        raise german_error(
            "datetime_out_of_range",
            N_("Das Datum muss zwischen den Jahren {low} und {high} liegen."),
            low=YEARS[0], high=YEARS[1],
        )
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]
"""A datetime that must carry a timezone; naive input is rejected with a German message."""


def _check_http_url(value: str) -> str:
    try:
        return check_web_url(value)
    except WebNameError as exc:
        raise german_error("invalid_url", str(exc)) from exc


WebUrl = Annotated[str, AfterValidator(_check_http_url)]
"""An absolute ``http(s)://`` URL, kept as the string the editor typed (no normalisation);
the rules are :func:`mitwirken.models.web_names.check_web_url`."""

_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}$")


def _check_email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise german_error(
            "invalid_email",
            N_("Bitte eine gültige E-Mail-Adresse angeben, z. B. info@verein.de."),
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
            N_("Bitte eine gültige Telefonnummer angeben, z. B. 0221 123456 oder +49 221 123456."),
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
                N_("„{code}“ ist kein gültiger Sprachcode. Bitte Codes wie de, en oder tr "
                   "angeben."),
                code=value[:20],
            )
        cleaned.append(code)
    cleaned = _unique(cleaned)
    if not cleaned:
        raise german_error("languages_empty", N_("Bitte mindestens eine Sprache angeben."))
    if len(cleaned) > 10:
        raise german_error("too_many_items", N_("Bitte höchstens 10 Sprachen angeben."),
                           max_items=10)
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
    # The messages are templates (marked for the pages' catalogue), with and without a unit.
    texts = {"subject": subject, "unit": unit, "low_text": format_number(low),
             "high_text": format_number(high) if high is not None else ""}

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if value >= low and (high is None or value <= high):
            return value
        if high is not None and high - low <= 1000:
            message = (N_("{subject} muss zwischen {low_text} und {high_text} {unit} liegen.")
                       if unit else
                       N_("{subject} muss zwischen {low_text} und {high_text} liegen."))
        elif value < low and low == 0:  # NaN ends up here as well
            message = N_("{subject} darf nicht negativ sein.")
        elif value < low:
            message = (N_("{subject} muss mindestens {low_text} {unit} betragen.") if unit
                       else N_("{subject} muss mindestens {low_text} betragen."))
        elif high is not None and value > high:
            message = (N_("{subject} darf höchstens {high_text} {unit} betragen.") if unit
                       else N_("{subject} darf höchstens {high_text} betragen."))
        else:
            message = N_("{subject} muss eine Zahl sein.")
        raise german_error("out_of_range", message, low=low, high=high, **texts)

    return AfterValidator(check)


def _region(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Bundesland):
        if not value.strip():
            return None
        land = parse_bundesland(value)
        if land is None:
            raise german_error(
                "unknown_bundesland",
                N_("„{region}“ ist kein deutsches Bundesland. Bitte z. B. „Nordrhein-Westfalen“ "
                "oder „DE-NW“ angeben."),
                region=value[:40],
            )
        return land
    return value


Region = Annotated[Bundesland | None, BeforeValidator(_region)]
"""A Bundesland; accepts ``"DE-NW"``, ``"NW"``, ``"Nordrhein-Westfalen"`` or ``"NRW"``."""

_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def _check_media_type(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if len(value) > 100 or not _MEDIA_TYPE.match(value):
        raise german_error(
            "invalid_media_type",
            N_("Der Dateityp ist ungültig; erwartet wird z. B. image/jpeg oder application/pdf."),
        )
    return value


MediaType = Annotated[str | None, AfterValidator(_check_media_type)]

