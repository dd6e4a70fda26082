"""Hypothesis strategies for hostile variants of valid JSON bodies (issue 17 §2), shared by
the property tests of the editor API and the inbox and by ``bench/fuzz.py``.

A case starts from a valid body and changes one to three fields (or adds one) to a hostile
value: deep nesting, extreme numbers, dates at and beyond the representable range or with
extreme offsets, control characters, lone surrogates, wrong JSON types, huge strings; or it
changes the raw text (a duplicate key). Each case is ``(body bytes, what was done)``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

NEST = "\x00nest\x00"  # replaced in the serialised text by deep brackets

DATES = st.sampled_from([
    "9999-12-31T23:59:59+23:59", "0001-01-01T00:00:00-23:59", "1899-12-31T23:59:59Z",
    "2200-12-31T23:59:59-00:01", "2026-02-30T10:00:00+01:00", "2026-01-01T10:00:00+99:00",
    "2026-01-01T10:00:00", "+275760-09-13T00:00:00Z", "-000001-01-01T00:00:00Z",
    "2026-01-01T24:00:00Z", "1970-01-01T00:00:00+14:00", "2026-01-01T10:00:00.9999999999Z",
])
NUMBERS = st.one_of(
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 2**1000, 10**300]),
    st.floats(allow_nan=False, allow_infinity=False), st.integers())
TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Co", "Cn"]),
            min_size=1, max_size=20),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "\u202e", "\ufeff", " \t\n ", "%00",
                     "javascript:alert(1)", "x" * 200_000]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS, DATES)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXTS, inner, max_size=4)), max_leaves=8)
HOSTILE = st.one_of(SCALARS, VALUES, st.just(NEST))


@st.composite
def hostile_variant(draw: st.DrawFn, valid: dict[str, Any],
                    extra_keys: tuple[str, ...] = ()) -> tuple[bytes, str]:
    body = dict(valid)
    keys = sorted({*valid, *extra_keys})
    changed = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    for key in changed:
        body[key] = draw(HOSTILE)
    if draw(st.booleans()):
        body[draw(TEXTS)] = draw(SCALARS)
    text = json.dumps(body)  # ensure_ascii: surrogates travel as \ud800 escapes
    depth = draw(st.sampled_from([10, 33, 1000, 50_000]))
    text = text.replace(json.dumps(NEST), "[" * depth + "]" * depth)
    if draw(st.integers(0, 9)) == 0:  # a duplicate key, in the raw text
        text = '{"' + changed[0] + '": ' + json.dumps(draw(SCALARS)) + ", " + text[1:]
    return text.encode(), f"changed {changed}"


def api_bodies(valid: dict[str, Any]) -> st.SearchStrategy[tuple[bytes, str]]:
    return hostile_variant(valid, extra_keys=(
        "start", "end", "min_age", "mediated_by_city", "volunteers_needed", "places",
        "languages", "apply_url", "org_username", "status", "places_left"))


def activities(valid: dict[str, Any]) -> st.SearchStrategy[tuple[bytes, str]]:
    """Hostile variants of a valid activity; id and actor stay as they are (the signature and
    the id's host must still hold, so the case reaches processing)."""
    inner = {k: v for k, v in valid.items() if k not in ("id", "actor")}
    return hostile_variant(inner, extra_keys=("published", "to", "cc", "object")).map(
        lambda case: (_with_identity(case[0], valid), case[1]))


def _with_identity(body: bytes, valid: dict[str, Any]) -> bytes:
    head = json.dumps({"id": valid["id"], "actor": valid["actor"]})[:-1]
    rest = body.decode()[1:].lstrip()
    return (head + (", " + rest if rest != "}" else "}")).encode()
