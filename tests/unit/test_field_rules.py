"""Field rules are unpacked into `Annotated`, never passed as one tuple.

`models.fields.text()` returns the rules of a text field (validator and schema) to be written
after the type, `Annotated[str, *text("Der Titel", 100)]`, so that mypy sees the type. Without
the `*`, pydantic receives one tuple as metadata and silently ignores it: the field would lose
its validation. This test finds such a field in every content model."""

from __future__ import annotations

import typing
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ValidationError

from mitwirken.models.actors import LocalActor
from mitwirken.models.fields import EditorModel, text
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.practice import Practice


def _annotated_metadata(annotation: Any) -> list[Any]:
    """The metadata of every `Annotated[...]` inside a type (`dict[K, Annotated[V, …]]` too)."""
    found: list[Any] = []
    if typing.get_origin(annotation) is Annotated:
        found += annotation.__metadata__
    for arg in typing.get_args(annotation):
        found += _annotated_metadata(arg)
    return found


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    """A model and every model its fields refer to."""
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            todo += [t for t in _types(info.annotation)
                     if isinstance(t, type) and issubclass(t, BaseModel)]
    return seen


def _types(annotation: Any) -> list[Any]:
    return [annotation, *(t for arg in typing.get_args(annotation) for t in _types(arg))]


def packed_rules(model: type[BaseModel]) -> list[str]:
    """Fields of `model` with a tuple among their metadata (a rule tuple without `*`)."""
    bad = []
    for name, info in model.model_fields.items():
        metadata = [*info.metadata, *_annotated_metadata(info.annotation)]
        if any(isinstance(item, tuple) for item in metadata):
            bad.append(f"{model.__name__}.{name}")
    return bad


def test_no_content_field_has_packed_rules():
    models = _models(Opportunity) | _models(Practice) | {LocalActor}
    assert len(models) > 5
    assert [f for m in sorted(models, key=lambda m: m.__name__) for f in packed_rules(m)] == []


def test_a_packed_rule_is_found_and_would_not_validate():
    class Packed(EditorModel):
        title: Annotated[str, text("Der Titel", 5)]  # the `*` is missing

    class Unpacked(EditorModel):
        title: Annotated[str, *text("Der Titel", 5)]

    assert packed_rules(Packed) == ["Packed.title"]
    assert packed_rules(Unpacked) == []
    assert Packed(title="  far too long  ").title == "  far too long  "  # rules ignored
    with pytest.raises(ValidationError):
        Unpacked(title="far too long")
