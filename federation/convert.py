"""Domain ⇄ ActivityStreams: the one place that knows the wire format of our content.

Design rule (README "Layers"): ``models/`` never sees camelCase, ``to``/``cc`` or HTML for
Mastodon; everything about the JSON shape lives here, in both directions, so a change of shape
is made — and tested against the golden files in ``tests/golden/`` — in one place.

* :func:`opportunity_to_note` / :func:`note_to_opportunity` — an Opportunity is a ``Note``
  (:mod:`federation.convert_opportunity`; wording of the fact lines in
  :mod:`federation.convert_facts`);
* :func:`practice_to_article` / :func:`article_to_practice` — a Practice is an ``Article``
  (:mod:`federation.convert_practice`).

schema.org JSON-LD for the HTML pages is in :mod:`federation.schemaorg`.
"""

from mitwirken.federation.convert_opportunity import note_to_opportunity, opportunity_to_note
from mitwirken.federation.convert_practice import article_to_practice, practice_to_article

__all__ = [
    "article_to_practice",
    "note_to_opportunity",
    "opportunity_to_note",
    "practice_to_article",
]
