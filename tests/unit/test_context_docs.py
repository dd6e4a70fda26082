"""FEDERATION.md and docs/INTEROP.md list exactly the `mw:` terms of our JSON-LD context.

Each document has the terms in Markdown table rows between ``<!-- mw-terms: start -->`` and
``<!-- mw-terms: end -->``; every row starts with ``| `term` | `IRI` |``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mitwirken.federation.context import MW_TERMS

ROOT = Path(__file__).resolve().parents[2]
DOCS = {"FEDERATION.md": ROOT / "FEDERATION.md", "docs/INTEROP.md": ROOT / "docs" / "INTEROP.md"}
START, END = "<!-- mw-terms: start -->", "<!-- mw-terms: end -->"
ROW = re.compile(r"^\| `(\w+)` \| `([^`|]+)` \|")
SEPARATOR = re.compile(r"^\|[\s:|-]+\|$")


def iri(definition: object) -> str:
    """The IRI of a context entry: the string itself or a term definition's ``@id``."""
    if isinstance(definition, dict):
        return str(definition.get("@id", ""))
    return str(definition)


def mw_terms(context: dict[str, object]) -> dict[str, str]:
    """Term → compact IRI for the entries that are our vocabulary (IRI starts with ``mw:``)."""
    return {term: iri(d) for term, d in context.items() if iri(d).startswith("mw:")}


def documented_terms(text: str) -> dict[str, str]:
    """Term → IRI from the table rows between the markers. Header and separator rows are
    skipped; any other table row that does not read ``| `term` | `IRI` |``, and a term listed
    twice, is an error (so a typo cannot silently drop a row)."""
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"expected exactly one {START} … {END} block")
    block = text.split(START, 1)[1].split(END, 1)[0]
    terms: dict[str, str] = {}
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("|") or SEPARATOR.match(line) or line.startswith("| Term |"):
            continue
        match = ROW.match(line)
        if match is None:
            raise ValueError(f"unreadable term row: {line!r}")
        term, written = match.groups()
        if term in terms:
            raise ValueError(f"term listed twice: {term}")
        terms[term] = written
    return terms


def mismatches(documented: dict[str, str], expected: dict[str, str]) -> list[str]:
    """Human-readable differences between a document's terms and the context's."""
    problems = [f"missing in the docs: {t}" for t in sorted(expected.keys() - documented.keys())]
    problems += [f"not an mw: term of the context: {t}"
                 for t in sorted(documented.keys() - expected.keys())]
    problems += [f"{t}: docs say {documented[t]}, context says {expected[t]}"
                 for t in sorted(documented.keys() & expected.keys())
                 if documented[t] != expected[t]]
    return problems


def test_context_has_mw_terms_and_leaves_out_the_others():
    terms = mw_terms(MW_TERMS)
    assert terms["kind"] == "mw:kind"
    assert terms["mediatedBy"] == "mw:mediatedBy"  # a dict definition
    assert terms["mwData"] == "mw:data"  # the term name is not the IRI's local name
    assert not {"mw", "xsd", "PostalAddress", "address"} & terms.keys()


@pytest.mark.parametrize("name", sorted(DOCS))
def test_document_lists_every_mw_term_with_its_iri(name):
    documented = documented_terms(DOCS[name].read_text("utf-8"))
    assert mismatches(documented, mw_terms(MW_TERMS)) == []


def test_both_documents_group_terms_alike():
    """INTEROP.md's "Used on" column agrees with FEDERATION.md's Opportunity/Practice/Shared
    tables."""
    fed = DOCS["FEDERATION.md"].read_text("utf-8").split(START, 1)[1].split(END, 1)[0]
    groups: dict[str, str] = {}
    group = ""
    for line in fed.splitlines():
        if line.startswith("#### "):
            group = {"Opportunity": "Opportunity", "Practice": "Practice"}.get(
                line[5:].split()[0], "both")
        elif match := ROW.match(line):
            groups[match[1]] = group
    interop = DOCS["docs/INTEROP.md"].read_text("utf-8").split(START, 1)[1].split(END, 1)[0]
    for line in interop.splitlines():
        if match := ROW.match(line):
            used_on = line.split("|")[3].strip()
            expected = groups[match[1]]
            assert used_on.startswith(expected) or (used_on.startswith("—")
                                                    and expected == "both"), line


CONTEXT = {
    "mw": "https://w3id.org/mitwirken/ns#",
    "kind": "mw:kind",
    "mediatedBy": {"@id": "mw:mediatedBy", "@type": "@id"},
    "PostalAddress": "schema:PostalAddress",
}
DOC = f"""Intro, `mw:ignored` outside the markers.

{START}
| Term | IRI | Meaning |
| --- | --- | --- |
| `kind` | `mw:kind` | how |
{{rows}}{END}
"""


def test_checker_fails_on_a_document_missing_a_term():
    documented = documented_terms(DOC.format(rows=""))
    assert documented == {"kind": "mw:kind"}
    assert mismatches(documented, mw_terms(CONTEXT)) == ["missing in the docs: mediatedBy"]


def test_checker_fails_on_an_extra_term_or_a_wrong_iri():
    extra = documented_terms(DOC.format(rows="| `mediatedBy` | `mw:mediatedBy` | who |\n"
                                              "| `PostalAddress` | `schema:PostalAddress` | x |\n"))
    assert mismatches(extra, mw_terms(CONTEXT)) == ["not an mw: term of the context: PostalAddress"]
    wrong = documented_terms(DOC.format(rows="| `mediatedBy` | `mw:mediator` | who |\n"))
    assert mismatches(wrong, mw_terms(CONTEXT)) == [
        "mediatedBy: docs say mw:mediator, context says mw:mediatedBy"]
    assert mismatches(documented_terms(DOC.format(rows="| `mediatedBy` | `mw:mediatedBy` | |\n")),
                      mw_terms(CONTEXT)) == []


@pytest.mark.parametrize("rows", ["| mediatedBy | mw:mediatedBy | no backticks |\n",
                                  "| `kind` | `mw:kind` | twice |\n"])
def test_checker_rejects_unreadable_or_duplicate_rows(rows):
    with pytest.raises(ValueError):
        documented_terms(DOC.format(rows=rows))
