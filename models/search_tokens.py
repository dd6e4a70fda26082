"""How search text and filters become FTS5 tokens: German folding, words, and filter tags.

German text is folded the same way on both sides (lower case, diacritics removed, ß → ss,
ae/oe/ue → a/o/u), so "Müll", "Muell" and "MULL" find each other. Every filter is a synthetic
tag in the FTS5 `tags` column (see :mod:`models.search` for how queries use them)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

def fold(text: str) -> str:
    text = text.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def words(text: str) -> list[str]:
    """The indexed words of a text: runs of letters and digits of the folded text."""
    return split_folded(fold(text))


def split_folded(folded: str) -> list[str]:
    """The words of text that is folded already (`fold` must not run twice: "quer" → "qur")."""
    return _WORD.findall(folded)


# Tags: "mwx" + a letter per keyed filter + the value's UTF-8 in hex (exact: no two values
# share a tag); range tags carry the value itself. They sit in their own column, which query
# words never search, so no text can pose as a tag.
TAG_PREFIX = "mwx"
KEYED_TAGS = {"kind": "k", "opp_kind": "t", "remote": "r", "region": "g", "origin": "o",
              "local": "l", "cause_areas": "c", "activity_types": "a", "themes": "h",
              "sectors": "s", "suitable_for": "u"}
QUERY_TAGS = {"kind": "kind", "opp_kind": "opp_kind", "remote": "remote", "region": "region",
              "origin": "origin", "local": "local", "cause_area": "cause_areas",
              "activity_type": "activity_types", "theme": "themes", "sector": "sectors",
              "suitable_for": "suitable_for"}
ANY = f"{TAG_PREFIX}any"  # every item: the expression of a query without words or filters
INACTIVE = f"{TAG_PREFIX}inactive"  # closed and paused opportunities
HOURS = f"{TAG_PREFIX}qw"  # + weekly hours in thousandths
MIN_AGE = f"{TAG_PREFIX}qm"  # + years
NO_MIN_AGE = f"{TAG_PREFIX}qn"
START_MONTH, START_DAY = f"{TAG_PREFIX}qs", f"{TAG_PREFIX}qt"  # + YYYYMM, + YYYYMMDD
END_MONTH, END_DAY = f"{TAG_PREFIX}qe", f"{TAG_PREFIX}qf"


def tag(field_name: str, value: object) -> str:
    if isinstance(value, bool):
        value = int(value)
    return f"{TAG_PREFIX}{KEYED_TAGS[field_name]}{str(value).encode().hex()}"


def milli_hours(hours: float) -> int:
    return round(hours * 1000)


def item_tags(row: Mapping[str, Any]) -> list[str]:
    """The tags of one search_items row (list columns are `|a|b|`, timestamps ISO UTC)."""
    tags = [ANY]
    for name in KEYED_TAGS:
        value = row.get(name)
        if value is None or value == "":
            continue
        values = [v for v in str(value).split("|") if v] if str(value).startswith("|") \
            else [value]
        tags += [tag(name, v) for v in values]
    if row.get("kind") == "opportunity" and row.get("status") in ("closed", "paused"):
        tags.append(INACTIVE)
    if row.get("hours_per_week") is not None:
        tags.append(f"{HOURS}{milli_hours(row['hours_per_week'])}")
    tags.append(NO_MIN_AGE if row.get("min_age") is None else f"{MIN_AGE}{int(row['min_age'])}")
    for column, month, day in (("start", START_MONTH, START_DAY), ("end", END_MONTH, END_DAY)):
        if row.get(column):
            digits = row[column][:10].replace("-", "")
            tags += [f"{month}{digits[:6]}", f"{day}{digits}"]
    return tags
