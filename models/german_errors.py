"""German validation errors that a non-technical editor can act on.

Every error our own validators raise is a :class:`PydanticCustomError` with a German message
(:func:`german_error`); :func:`german_errors` turns a whole ``ValidationError`` (including
pydantic's built-in errors such as ``missing``) into ``[{"field", "message"}]``.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, ValidationError

__all__ = ["Problem", "german_error", "german_errors", "problem", "raise_errors"]

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


def _message(error: ErrorDetails) -> str:
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
