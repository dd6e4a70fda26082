"""The wire format of our content (federation/convert*.py): golden files, Mastodon's rendering
rules checked on every golden file, and lossless round trips domain → JSON → domain.

Regenerate the golden files only on purpose (see tests/golden/README.md):
    MITWIRKEN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_convert.py
"""

from __future__ import annotations

import copy
import html
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bovine.jsonld import activitystreams_context
from pydantic import ValidationError
from pyld import jsonld

from mitwirken.federation.context import AS, MW_NS, MW_TERMS, PUBLIC
from mitwirken.federation.convert import (
    article_to_practice,
    note_to_opportunity,
    opportunity_to_note,
    practice_to_article,
)
from mitwirken.federation.convert_common import MASTODON_TAGS
from mitwirken.models.content import Opportunity, Practice, german_errors
from tests.golden.examples import (
    ACTORS,
    CITY_USERNAME,
    OPPORTUNITIES,
    PRACTICE,
    URLS,
    golden_documents,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("MITWIRKEN_UPDATE_GOLDEN") == "1"
MISSKEY_LIMIT = 64 * 1024
MASTODON_CLASSES = {"mention", "hashtag", "invisible", "ellipsis"}


def text(value: str) -> str:
    """How our converters escape text (quotes stay as they are)."""
    return html.escape(value, quote=False)


def dump(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def note(opp: Opportunity, **kw: object) -> dict:
    kw = {"city_username": CITY_USERNAME, **kw}
    return opportunity_to_note(opp, URLS, org=ACTORS[opp.org_username], **kw)


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------------------ golden files


@pytest.mark.parametrize("stem", sorted(golden_documents()))
def test_golden_file(stem: str) -> None:
    path = GOLDEN / f"{stem}.json"
    expected = dump(golden_documents()[stem])
    if UPDATE:
        path.write_text(expected, "utf-8")
    assert path.exists(), f"{path.name} missing: MITWIRKEN_UPDATE_GOLDEN=1 pytest {__file__}"
    assert path.read_text("utf-8") == expected, (
        "wire format changed; if intended, review and regenerate (tests/golden/README.md)"
    )


def test_no_stale_golden_files() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(golden_documents())


# ------------------------------------------------- Mastodon's rules, on every golden file

GOLDEN_DOCS = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(GOLDEN.glob("*.json"))}
NOTES = sorted(stem for stem, doc in GOLDEN_DOCS.items() if doc.get("type") == "Note")
ARTICLES = sorted(stem for stem, doc in GOLDEN_DOCS.items() if doc.get("type") == "Article")


class Elements(HTMLParser):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(fragment)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def check_mastodon_html(fragment: str) -> None:
    for tag, attrs in Elements(fragment).found:
        assert tag in MASTODON_TAGS, f"<{tag}> is dropped by Mastodon's sanitizer"
        if tag == "a":
            assert urlsplit(attrs["href"]).scheme in ("http", "https"), attrs  # no mailto:/tel:
        assert set(attrs.get("class", "").split()) <= MASTODON_CLASSES, attrs
        assert set(attrs) <= {"href", "rel", "class", "start"}, attrs


def test_golden_files_cover_each_kind() -> None:
    assert sorted(f"opportunity-{k}" for k in OPPORTUNITIES) == NOTES
    assert ARTICLES == ["practice"]


@pytest.mark.parametrize("stem", sorted(GOLDEN_DOCS))
def test_rules_for_every_object(stem: str) -> None:
    doc = GOLDEN_DOCS[stem]
    assert doc["@context"][0] == AS
    host = urlsplit(doc["id"]).hostname
    for url in [doc["url"], *as_list(doc["attributedTo"]), *as_list(doc["cc"])]:
        assert urlsplit(url).hostname == host, url
    assert PUBLIC in doc["to"]
    create = {"@context": doc["@context"], "type": "Create", "object": doc}
    assert len(json.dumps(create, ensure_ascii=False).encode()) < MISSKEY_LIMIT
    assert doc["content"] == next(iter(doc["contentMap"].values()))
    for fragment in [doc["content"], *doc["contentMap"].values(), doc.get("summary", "")]:
        check_mastodon_html(fragment)
    hashtags = [t for t in doc["tag"] if t["type"] == "Hashtag"]
    assert hashtags and all(t["name"].startswith("#") for t in hashtags)
    elements = Elements(doc["content"]).found
    linked = [a["href"] for _, a in elements if "hashtag" in a.get("class", "")]
    assert linked == [t["href"] for t in hashtags], "every Hashtag linked in content, same order"
    for t in hashtags:
        assert urlsplit(t["href"]).hostname == host
        assert f'rel="tag">#<span>{text(t["name"][1:])}</span></a>' in doc["content"]
    for item in doc.get("attachment", []):
        assert item["name"] and urlsplit(item["url"]).scheme == "https", item
        if item["type"] == "Image":
            assert item["mediaType"].startswith("image/")


@pytest.mark.parametrize("stem", NOTES)
def test_rules_for_notes(stem: str) -> None:
    doc = GOLDEN_DOCS[stem]
    assert doc["type"] == "Note", "one type, as a string (an array makes Mastodon drop content)"
    assert "summary" not in doc, "a Note's summary is a content warning"
    assert "name" not in doc, "Misskey/Pleroma read a Note's name as a poll option"
    assert doc["sensitive"] is False
    assert doc["url"] == doc["id"]
    assert doc["content"].startswith(f"<p><strong>{text(doc['title'])}</strong></p>")
    assert any(i["type"] == "Image" for i in doc["attachment"])
    dated = doc["kind"] == "one-off" or (doc["kind"] == "shifts" and "startTime" in doc)
    assert ("startTime" in doc) == ("endTime" in doc) == dated
    assert doc.get("updated") != doc["published"]
    shown = html.unescape(doc["content"])
    assert "Mehr erfahren" in shown and "Antwort innerhalb" in shown
    assert doc["contactPoint"]["email"] in shown, "e-mail as text"


@pytest.mark.parametrize("stem", ARTICLES)
def test_rules_for_articles(stem: str) -> None:
    doc = GOLDEN_DOCS[stem]
    assert doc["type"] == "Article" and doc["name"]
    summary_tags = {tag for tag, _ in Elements(doc["summary"]).found}
    assert summary_tags <= {"p", "br"} and len(html.unescape(doc["summary"])) <= 520
    assert doc["content"].startswith(f"<p><strong>{text(doc['name'])}</strong></p>")


# ------------------------------------------------------------ the JSON-LD is meaningful

AS_TERMS = set(activitystreams_context) | {"@context"}
OUR_TERMS = set(golden_documents()["practice"]["@context"][1])


def keys(value: object, skip: tuple[str, ...] = ("sections", "contentMap")) -> set[str]:
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found = set(value)
    for key, item in value.items():
        if key not in skip and key != "@context":
            found |= keys(item)
    return found


@pytest.mark.parametrize("stem", sorted(GOLDEN_DOCS))
def test_every_key_is_a_declared_term(stem: str) -> None:
    assert keys(GOLDEN_DOCS[stem]) - AS_TERMS - OUR_TERMS == set()


def offline_loader(url: str, options: object = None) -> dict:
    assert url == AS, f"unexpected context fetch: {url}"
    context = {k: v for k, v in activitystreams_context.items() if k != "@vocab"}
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": context}}


@pytest.mark.parametrize("stem", sorted(GOLDEN_DOCS))
def test_json_ld_expansion_keeps_every_field(stem: str) -> None:
    doc = GOLDEN_DOCS[stem]
    for key, value in doc.items():
        if key in ("@context", "id", "type"):
            continue
        expanded = jsonld.expand({"@context": doc["@context"], key: value},
                                 {"documentLoader": offline_loader})
        assert expanded, f"{key} is dropped by JSON-LD processing"
        if key in MW_TERMS:
            assert any(p.startswith(MW_NS) for p in expanded[0]), key


# ------------------------------------------------------------------------ round trips

OPTIONAL_UNSET = {"flexible": {"places"}}  # fully remote: no place


@pytest.mark.parametrize("kind", sorted(OPPORTUNITIES))
def test_opportunity_round_trip_loses_nothing(kind: str) -> None:
    opp = OPPORTUNITIES[kind]
    unset = {f for f in Opportunity.model_fields if getattr(opp, f) in (None, [], {})}
    assert unset == OPTIONAL_UNSET.get(kind, set()), "examples set every optional field"
    wire = json.loads(json.dumps(GOLDEN_DOCS[f"opportunity-{kind}"]))
    back = note_to_opportunity(wire, org_username=opp.org_username)
    assert back.model_dump() == opp.model_dump()
    assert back.model_dump_json() == opp.model_dump_json(), "offsets of start/end kept too"


def test_practice_round_trip_loses_nothing() -> None:
    unset = {f for f in Practice.model_fields if getattr(PRACTICE, f) in (None, [], {})}
    assert unset == set()
    back = article_to_practice(GOLDEN_DOCS["practice"], org_username="musterstadt")
    assert back.model_dump() == PRACTICE.model_dump()


def test_minimal_objects_round_trip() -> None:
    opp = Opportunity.model_validate({"id": "m1", "org_username": "tafel", "title": "Hilfe",
                                      "description": "Text", "kind": "regular",
                                      "contact": {"phone": "0221 12345"}})
    assert note_to_opportunity(note(opp), org_username="tafel") == opp
    p = Practice.model_validate({"id": "p1", "org_username": "tafel", "title": "T",
                                 "summary": "S"})
    article = practice_to_article(p, URLS, actor=ACTORS["tafel"])
    assert article["sections"] == {} and article["attributedTo"] == URLS.actor("tafel")
    assert article_to_practice(article, org_username="tafel") == p


FOREIGN = {
    "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofValue": "z"},
    "assertionMethod": [{"id": "https://x.example/a#k", "type": "Multikey"}],
    "foo:bar": 1,
    "https://example.org/ns#x": [{"@value": "y"}],
    "replies": {"type": "Collection", "totalItems": 3},
    "likes": {"totalItems": 7},
}


def test_unknown_fields_are_ignored() -> None:
    wire = copy.deepcopy(GOLDEN_DOCS["opportunity-one-off"]) | FOREIGN
    wire["@context"] = [*wire["@context"], "https://w3id.org/fep/8b32"]
    wire["contactPoint"]["foo"] = "bar"
    wire["location"]["geo"] = {"x": 1}
    wire["location"]["address"]["foo"] = "bar"
    wire["timeBudget"]["foo"] = "bar"
    wire["attachment"][0]["blurhash"] = "UBL_:rOpGG-o"
    wire["attachment"].insert(0, {"type": "Link", "href": "https://x.example"})
    back = note_to_opportunity(wire, org_username="tafel")
    assert back.model_dump() == OPPORTUNITIES["one-off"].model_dump()
    article = copy.deepcopy(GOLDEN_DOCS["practice"]) | FOREIGN
    article["sections"]["kapitel-99"] = "from a newer Mitwirken"
    article["partners"][0]["foo"] = "bar"
    assert article_to_practice(article, org_username="musterstadt") == PRACTICE


def expand_mw_keys(value: object) -> object:
    """Our compacted keys as full IRIs, values as arrays of JSON-LD value objects (the shape
    of expanded JSON-LD)."""
    if not isinstance(value, dict):
        return {"@value": value}
    out = {}
    for key, item in value.items():
        term = MW_TERMS.get(key)
        iri = term if isinstance(term, str) else (term or {}).get("@id")
        new_key = MW_NS + iri[3:] if iri and iri.startswith("mw:") else key
        if key in ("@context", "sections"):
            out[new_key] = item
        else:
            out[new_key] = [expand_mw_keys(v) for v in (item if isinstance(item, list) else [item])]
    return out


@pytest.mark.parametrize("stem", sorted(GOLDEN_DOCS))
def test_expanded_keys_are_accepted(stem: str) -> None:
    doc = GOLDEN_DOCS[stem]
    expanded = expand_mw_keys(doc)
    assert any(k.startswith(MW_NS) for k in expanded)
    if doc["type"] == "Note":
        kind = stem.removeprefix("opportunity-")
        assert note_to_opportunity(expanded, org_username="x").model_dump() == (
            OPPORTUNITIES[kind].model_copy(update={"org_username": "x"}).model_dump())
    else:
        assert article_to_practice(expanded, org_username="musterstadt") == PRACTICE


@pytest.mark.parametrize("stem", sorted(GOLDEN_DOCS))
def test_fully_expanded_json_ld_reads_back_the_same(stem: str) -> None:
    """What a JSON-LD processor (PyLD) makes of our document still converts back losslessly."""
    (expanded,) = jsonld.expand(GOLDEN_DOCS[stem], {"documentLoader": offline_loader})
    if stem == "practice":
        assert article_to_practice(expanded, org_username="musterstadt") == PRACTICE
    else:
        opp = OPPORTUNITIES[stem.removeprefix("opportunity-")]
        back = note_to_opportunity(expanded, org_username=opp.org_username)
        assert back.model_dump() == opp.model_dump()


def test_compacted_single_values_are_accepted() -> None:
    """A JSON-LD compaction turns one-element arrays into plain values."""
    wire = copy.deepcopy(GOLDEN_DOCS["opportunity-regular"])
    for key in ("activityTypes", "attachment", "cc", "to"):
        (wire[key],) = wire[key]
    wire["languages"] = "de"
    back = note_to_opportunity(wire, org_username="gs_nord")
    assert back.model_dump() == OPPORTUNITIES["regular"].model_dump()


@pytest.mark.parametrize("change", [
    {"kind": "party"}, {"contactPoint": None}, {"location": 5}, {"timeBudget": "2 h"},
    {"minAge": "alt"}, {"startTime": "morgen"}, {"causeAreas": [{"x": 1}]},
    {"attachment": [{"type": "Image", "url": "javascript:alert(1)", "name": "x"}]},
    {"source": {"content": ""}}, {"title": None},
])
def test_invalid_data_raises_validation_error(change: dict) -> None:
    wire = {k: v for k, v in GOLDEN_DOCS["opportunity-one-off"].items() if v is not None}
    wire = {k: v for k, v in (wire | change).items() if v is not None}
    with pytest.raises(ValidationError) as exc:
        note_to_opportunity(wire, org_username="tafel")
    assert all(e["message"] for e in german_errors(exc.value))


def test_not_a_dict_raises_validation_error() -> None:
    with pytest.raises(ValidationError):
        note_to_opportunity("https://x.example/note/1", org_username="tafel")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        article_to_practice({"type": "Article", "partners": 3}, org_username="tafel")
