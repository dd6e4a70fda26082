"""German validation errors that a non-technical editor can act on.

Every error our own validators raise is a :class:`PydanticCustomError` with a German message
(:func:`german_error`); :func:`german_errors` turns a whole ``ValidationError`` (including
pydantic's built-in errors such as ``missing``) into ``[{"field", "message"}]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, ValidationError

from mitwirken.models.text_marks import N_

__all__ = ["Problem", "german_error", "german_errors", "problem", "raise_errors"]

# Error types raised by our own validators: their messages are already German. Each with the
# message templates it was raised with, so a page in another language can translate them.
_OWN_ERROR_TYPES: dict[str, set[str]] = {}


def german_error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    """A validation error of type ``kind`` whose (German) message may use ``{ctx}`` fields."""
    _OWN_ERROR_TYPES.setdefault(kind, set()).add(message)
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


_DATETIME_HINT = N_("Bitte Datum und Uhrzeit mit Zeitzone angeben, "
                    "z. B. 2025-05-01T10:00:00+02:00.")

_BUILTIN_MESSAGES: dict[str, str] = {  # msgids of the pages' catalogue (N_)
    "missing": N_("Pflichtfeld fehlt."),
    "string_too_long": N_("Höchstens {max_length} Zeichen erlaubt."),
    "string_too_short": N_("Mindestens {min_length} Zeichen erforderlich."),
    "too_long": N_("Höchstens {max_length} Einträge erlaubt."),
    "list_too_long": N_("Höchstens {max_length} Einträge erlaubt."),
    "too_short": N_("Mindestens {min_length} Einträge erforderlich."),
    "greater_than_equal": N_("Der Wert muss mindestens {ge} sein."),
    "greater_than": N_("Der Wert muss größer als {gt} sein."),
    "less_than_equal": N_("Der Wert darf höchstens {le} sein."),
    "less_than": N_("Der Wert muss kleiner als {lt} sein."),
    "enum": N_("Unbekannter Wert „{input}“. Erlaubt sind: {expected}."),
    "literal_error": N_("Unbekannter Wert „{input}“. Erlaubt sind: {expected}."),
    "datetime_parsing": _DATETIME_HINT,
    "datetime_from_date_parsing": _DATETIME_HINT,
    "datetime_type": _DATETIME_HINT,
    "timezone_aware": _DATETIME_HINT,
    "date_parsing": N_("Bitte ein Datum im Format JJJJ-MM-TT angeben, z. B. 2025-05-01."),
    "date_from_datetime_parsing": N_("Bitte ein Datum im Format JJJJ-MM-TT angeben."),
    "date_type": N_("Bitte ein Datum im Format JJJJ-MM-TT angeben."),
    "url_parsing": N_("Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt."),
    "url_scheme": N_("Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt."),
    "url_type": N_("Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt."),
    "float_parsing": N_("Bitte eine Zahl angeben."),
    "float_type": N_("Bitte eine Zahl angeben."),
    "finite_number": N_("Bitte eine Zahl angeben."),
    "int_parsing": N_("Bitte eine ganze Zahl angeben."),
    "int_type": N_("Bitte eine ganze Zahl angeben."),
    "int_from_float": N_("Bitte eine ganze Zahl ohne Nachkommastellen angeben."),
    "bool_parsing": N_("Bitte ja oder nein angeben (true oder false)."),
    "bool_type": N_("Bitte ja oder nein angeben (true oder false)."),
    "string_type": N_("Hier wird ein Text erwartet."),
    "string_pattern_mismatch": N_("Die Eingabe hat nicht das erwartete Format."),
    "list_type": N_("Hier wird eine Liste erwartet."),
    "dict_type": N_("Hier wird ein Objekt mit einzelnen Feldern erwartet."),
    "model_type": N_("Hier wird ein Objekt mit einzelnen Feldern erwartet."),
    "model_attributes_type": N_("Hier wird ein Objekt mit einzelnen Feldern erwartet."),
    "extra_forbidden": N_("Unbekanntes Feld „{field}“ – bitte die Schreibweise prüfen."),
    "json_invalid": N_("Die Daten sind kein gültiges JSON."),
    "json_type": "Die Daten sind kein gültiges JSON.",
}


def _field_path(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "[key]")


def _short(value: Any) -> str:
    shown = value if isinstance(value, str) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _own_message(error: ErrorDetails, ctx: dict[str, Any], tr: Callable[[str], str]) -> str:
    """The message of one of our own errors in the language of `tr`: the template it was
    raised with (the one that gives its German text), translated, with its values."""
    for template in _OWN_ERROR_TYPES.get(error["type"], ()):
        try:
            if template.format(**ctx) == error["msg"]:
                # the values may be marked texts too ("Der Titel" in "{subject} darf …")
                return tr(template).format(**{k: tr(v) if isinstance(v, str) else v
                                              for k, v in ctx.items()})
        except (KeyError, IndexError, ValueError):
            continue
    return error["msg"]


def _message(error: ErrorDetails, tr: Callable[[str], str]) -> str:
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    if kind in _OWN_ERROR_TYPES:
        return _own_message(error, ctx, tr)
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or error["msg"])
    template = _BUILTIN_MESSAGES.get(kind)
    if template is None:
        return tr(N_("Ungültige Eingabe."))
    template = tr(template)
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", " oder ")
    ctx["input"] = _short(error.get("input"))
    ctx["field"] = str(error["loc"][-1]) if error["loc"] else ""
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].strip() or tr("Ungültige Eingabe.")


def _german(text: str) -> str:
    return text


def german_errors(exc: ValidationError, tr: Callable[[str], str] = _german
                  ) -> list[dict[str, str]]:
    """``[{"field": "contact.email", "message": "…"}]`` in German for every error of ``exc``
    (or in the language of ``tr``, a gettext function: the web forms' English pages).

    Field paths are the dotted ``loc`` of pydantic (list positions as numbers:
    ``"places.0.postal_code"``); errors about the whole object have ``field == ""``.
    """
    return [
        {"field": _field_path(error["loc"]), "message": _message(error, tr)}
        for error in exc.errors()
    ]
