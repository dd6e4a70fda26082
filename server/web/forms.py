"""What the forms of `/verwaltung` share: the state a form page shows (values kept on an
error, German errors by field) and reading a text field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDictProxy

__all__ = ["FormState", "place_errors", "text_value"]


@dataclass
class FormState:
    """What the template shows: the values (kept on an error) and the errors by field."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def text_value(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def place_errors(errors: list[dict[str, str]], state: FormState, groups: tuple[str, ...]
                 ) -> FormState:
    """Each German error next to its field: the exact field, else its group (e.g. `contact`),
    else at the top of the form."""
    fields = set(state.values)
    for error in errors:
        name = error["field"]
        target = name if name in fields else next(
            (g for g in groups if name == g or name.startswith(g + ".")), None)
        if target is None:
            state.general.append(error["message"])
        else:
            state.errors.setdefault(target, error["message"])
    return state
