"""JSON from outside (inbox bodies, API bodies, fetched documents, import files), parsed safely.

The nesting depth is measured by a flat scan *before* the recursive parser runs, so a body of
100 000 brackets costs one regex pass, not a RecursionError. The parsed value is refused when it
holds NaN/Infinity, a duplicate key in one object, or text that cannot be encoded as UTF-8
(a lone surrogate such as ``"\\ud800"``, which SQLite and every peer would choke on).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "JsonRefused", "parse_json"]

MAX_DEPTH = 32
"""Deeper than any activity or API body we expect (a Create of a Note is 3–4 levels)."""

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# A `\uD800`–`\uDFFF` escape: the only way a UTF-8 text can carry a (lone) surrogate into
# the parsed value. Pairs are fine (json joins them); the walk below tells them apart.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonRefused(ValueError):
    """The input is not JSON we accept; ``reason`` says why (English, for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_depth(text: str, max_depth: int) -> None:
    if text.count("[") + text.count("{") <= max_depth:
        return  # not enough brackets to nest too deep, inside strings or not
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonRefused(f"JSON nested deeper than {max_depth} levels")
        elif token in "]}":
            depth -= 1


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise JsonRefused("duplicate key in a JSON object")
    return result


def _encodable(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonRefused("text that cannot be encoded as UTF-8 (lone surrogate)") from exc


def _check_text(value: Any) -> None:
    """Every string and key is encodable (iterative: the depth is already bounded, but no
    recursion is needed at all)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _encodable(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                _encodable(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def parse_json(data: bytes | str, *, max_depth: int = MAX_DEPTH,
               unencodable_text: bool = False) -> Any:
    """Parse ``data`` (UTF-8 bytes or text) or raise :class:`JsonRefused` (a ``ValueError``).

    ``unencodable_text=True`` keeps lone surrogates, for a caller that reports them itself
    at their field (the editor API validates into a model, which does)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise JsonRefused("body is not UTF-8") from exc
    _check_depth(text, max_depth)
    try:
        value = json.loads(text, parse_constant=_refuse_constant,
                           object_pairs_hook=_unique_keys)
    except JsonRefused:
        raise
    except (ValueError, RecursionError) as exc:  # RecursionError: belt and braces
        raise JsonRefused(f"malformed JSON: {str(exc)[:100]}") from exc
    if not unencodable_text and (_SURROGATE_ESCAPE.search(text) or not _encodes(data)):
        _check_text(value)
    return value


def _encodes(data: bytes | str) -> bool:
    """Text decoded from UTF-8 bytes always encodes again; a given `str` may not."""
    if isinstance(data, bytes):
        return True
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
