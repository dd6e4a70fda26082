"""What a volunteer reads on Mastodon: the fact lines, dates, contact and hashtags of a Note,
and the Article's authors and summary (federation/convert_facts.py, convert_*.py)."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from mitwirken.federation.convert import (
    article_to_practice,
    note_to_opportunity,
    opportunity_to_note,
    practice_to_article,
)
from mitwirken.federation.convert_common import shorten_html
from mitwirken.federation.convert_facts import when_dated
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.markdown import render_markdown
from tests.golden.examples import ACTORS, CITY_USERNAME, ONE_OFF, PRACTICE, URLS

CET = timezone(timedelta(hours=1))
BASE = {"id": "x1", "org_username": "tafel", "title": "Hilfe gesucht", "description": "Text",
        "kind": "regular", "contact": {"email": "info@tafel.de"}}


def make(**changes: object) -> Opportunity:
    return Opportunity.model_validate({**BASE, **changes})


def content(opp: Opportunity, **kw: object) -> str:
    kw = {"city_username": CITY_USERNAME, **kw}
    doc = opportunity_to_note(opp, URLS, org=ACTORS[opp.org_username], **kw)
    return html.unescape(doc["content"])


# ----------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("start", "end", "lang", "expected"), [
    (datetime(2026, 12, 5, 10, tzinfo=CET), datetime(2026, 12, 5, 14, tzinfo=CET), "de",
     "Sa., 5. Dezember 2026, 10:00–14:00 Uhr"),
    (datetime(2026, 12, 5, 22, tzinfo=CET), datetime(2026, 12, 6, 2, tzinfo=CET), "de",
     "Sa., 5. Dezember, 22:00 Uhr – So., 6. Dezember 2026, 02:00 Uhr"),
    (datetime(2026, 12, 31, 20, tzinfo=CET), datetime(2027, 1, 1, 1, tzinfo=CET), "de",
     "Do., 31. Dezember 2026, 20:00 Uhr – Fr., 1. Januar 2027, 01:00 Uhr"),
    # stored in UTC, shown in German summer time
    (datetime(2026, 7, 4, 8, tzinfo=UTC), datetime(2026, 7, 4, 10, 30, tzinfo=UTC), "de",
     "Sa., 4. Juli 2026, 10:00–12:30 Uhr"),
    (datetime(2026, 12, 5, 10, tzinfo=CET), datetime(2026, 12, 5, 14, tzinfo=CET), "en",
     "Sat 5 December 2026, 10:00–14:00"),
])
def test_dates_in_german_local_time(start, end, lang, expected) -> None:
    assert when_dated(start, end, lang) == expected


def test_period_and_time_budget_of_ongoing_roles() -> None:
    text = content(make(time_budget={"hours": 2, "unit": "per-week"}, schedule="Di\nDo",
                        start=datetime(2027, 3, 1, tzinfo=CET)))
    assert "⏱ Regelmäßig · ca. 2 Std. pro Woche · Di; Do · ab 1. März 2027" in text
    assert "bis 30. Juni 2027" in content(make(end=datetime(2027, 6, 30, 12, tzinfo=UTC)))
    shifts = make(kind="shifts", start=datetime(2026, 11, 28, 9, tzinfo=CET),
                  end=datetime(2026, 12, 14, 17, tzinfo=CET))
    assert "📅 Schichten: 28. November – 14. Dezember 2026" in content(shifts)


# ------------------------------------------------------------------------------ fact lines


@pytest.mark.parametrize(("status", "line"), [
    ("paused", "⏸ Pausiert"), ("filled", "✅ Besetzt"), ("closed", "⏹ Beendet")])
def test_status_is_shown_right_under_the_title(status: str, line: str) -> None:
    title = "<p><strong>Hilfe gesucht</strong></p>"
    assert content(make(status=status)).startswith(f"{title}<p>{line}")
    assert "Pausiert" not in content(make())


def test_where_who_and_how_many() -> None:
    places = [{"name": f"Ort {i}", "locality": "Musterstadt"} for i in range(5)]
    text = content(make(places=places, remote="possible", min_age=14, volunteers_needed=1,
                        places_left=0, suitable_for=["groups"], languages=["de", "xx"]))
    assert "📍 Ort 0, Ort 1, Ort 2 und 2 weitere Orte · auch von zu Hause möglich" in text
    assert "🙋 Ab 14 Jahren · Gruppen · Sprachen: Deutsch, xx" in text
    assert "👥 1 Person gesucht, alle Plätze vergeben" in text
    assert "💻 Online, von zu Hause aus" in content(make(remote="full"))


def test_contact_as_text_and_channels_shown_once() -> None:
    opp = make(contact={"name": "Büro", "email": "a@b.de", "phone": "0221 1234"},
               apply_channels=["email", "url"], apply_email="a@b.de", apply_phone="0221 9",
               apply_url="https://b.de/anmelden", reply_time_days=1)
    doc = opportunity_to_note(opp, URLS, org=ACTORS["tafel"])
    assert "mailto:" not in doc["content"] and "tel:" not in doc["content"]
    text = html.unescape(doc["content"])
    assert "✉️ Kontakt: Büro · a@b.de · Tel. 0221 1234" in text
    assert text.count("a@b.de") == 1, "apply e-mail equal to the contact is not repeated"
    assert "0221 9" not in text, "phone is not a chosen channel"
    assert "Antworten Sie einfach" not in text, "fediverse reply not offered"
    assert '🔗 Anmeldung: <a href="https://b.de/anmelden">b.de/anmelden</a>' in text
    assert "Antwort innerhalb eines Werktags" in text


def test_description_is_shortened_and_made_mastodon_safe() -> None:
    long = "Wort " * 400
    short = shorten_html(render_markdown(long))
    assert short.endswith(" …</p>") and len(short) < 520
    fragment = render_markdown("## Aufgaben\n\n[Mail](mailto:a@b.de) <script>x</script>")
    assert shorten_html(fragment) == (
        "<p><strong>Aufgaben</strong></p><p>Mail &lt;script&gt;x&lt;/script&gt;</p>")


TRICKY_MARKDOWN = [
    "# H1\n\n## H2\n\n#### H4", "- a\n  - nested\n- b\n\n1. x\n2. y",
    "```\ncode\n\nmore\n```", "> quote\n> > deep", "[t](tel:+49123) [r](/relativ)",
    "<div>raw</div><img src=x>\n\n---", "| a | b |\n|---|---|\n| 1 | 2 |",
    "![alt](https://x.example/y.png) ~~s~~ `c`",
]


@pytest.mark.parametrize("markdown", TRICKY_MARKDOWN)
def test_any_markdown_becomes_mastodon_safe_html(markdown: str) -> None:
    doc = opportunity_to_note(make(description=markdown), URLS, org=ACTORS["tafel"])
    found = Tags()
    found.feed(doc["content"])
    assert found.tags <= {"p", "br", "a", "strong", "em", "s", "del", "code", "pre", "ul", "ol",
                          "li", "blockquote", "span"}
    assert all(href.startswith("https://") for href in found.hrefs)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def test_title_and_text_are_escaped() -> None:
    doc = opportunity_to_note(make(title="<b>Tom & Jerry</b>"), URLS, org=ACTORS["tafel"])
    assert doc["content"].startswith("<p><strong>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</strong>")


# -------------------------------------------------------------------------------- hashtags


def tags(opp: Opportunity, **kw: object) -> list[str]:
    doc = opportunity_to_note(opp, URLS, org=ACTORS["tafel"], **kw)
    return [t["name"] for t in doc["tag"]]


def test_hashtags() -> None:
    opp = make(cause_areas=["senioren", "bildung"], places=[{"locality": "Köln"}])
    assert tags(opp) == ["#Ehrenamt", "#Koeln", "#Senioren", "#Bildung"]
    assert tags(opp, city_name="Musterstadt")[1] == "#Musterstadt"
    assert tags(make(), city_name="ehrenamt") == ["#Ehrenamt"], "case-insensitive duplicates"
    assert tags(make(remote="full")) == ["#Ehrenamt"]


# ------------------------------------------------------------------ languages, timestamps


def test_content_map_languages() -> None:
    assert list(opportunity_to_note(make(), URLS, org=ACTORS["tafel"])["contentMap"]) == ["de"]
    opp = make(title_en="Help wanted")
    doc = opportunity_to_note(opp, URLS, org=ACTORS["tafel"], lang="en")
    assert list(doc["contentMap"]) == ["en", "de"], "Mastodon takes the first key as language"
    assert doc["content"].startswith("<p><strong>Help wanted</strong></p>")
    assert "Learn more" in doc["content"] and "Text" in doc["content"]


def test_updated_only_when_it_differs() -> None:
    t = datetime(2026, 1, 1, 12, tzinfo=UTC)
    doc = opportunity_to_note(make(published=t, updated=t), URLS, org=ACTORS["tafel"])
    assert doc["published"] == "2026-01-01T12:00:00Z" and "updated" not in doc
    assert note_to_opportunity(doc, org_username="tafel").updated is None
    assert "published" not in opportunity_to_note(make(), URLS, org=ACTORS["tafel"])


@pytest.mark.parametrize(("opp", "kw"), [
    (make(id=None), {}),
    (make(org_username="andere"), {}),
    (make(mediated_by_city=True), {}),
])
def test_programming_errors_are_loud(opp: Opportunity, kw: dict) -> None:
    with pytest.raises(ValueError):
        opportunity_to_note(opp, URLS, org=ACTORS["tafel"], **kw)


def test_a_large_opportunity_stays_under_misskeys_limit() -> None:
    places = [{"name": "Sporthalle am Stadtpark " + str(i), "street": "Parkallee 100",
               "postal_code": "12345", "locality": "Musterstadt", "latitude": 51.5,
               "longitude": 7.4} for i in range(20)]
    opp = ONE_OFF.model_copy(update={
        "description": "Ein langer Absatz über das Engagement. " * 250,
        "description_en": "A long paragraph about volunteering. " * 250,
    })
    opp = Opportunity.model_validate({**opp.model_dump(), "places": places})
    doc = opportunity_to_note(opp, URLS, org=ACTORS["tafel"], city_username=CITY_USERNAME)
    assert len(json.dumps(doc, ensure_ascii=False).encode()) < 64 * 1024


# --------------------------------------------------------------------------------- Article


def test_article_authors_are_local_and_unique() -> None:
    doc = practice_to_article(PRACTICE, URLS, actor=ACTORS["musterstadt"], partner_actor_ids=[
        URLS.actor("musterstadt"), URLS.actor("tafel"), "https://other.example/users/x"])
    assert doc["attributedTo"] == [URLS.actor("musterstadt"), URLS.actor("tafel")]


def test_summary_paragraphs_and_custom_licence_round_trip() -> None:
    p = Practice.model_validate({
        "id": "p2", "org_username": "tafel", "title": "T", "summary": "Eins\nzwei\n\nDrei & <vier>",
        "licence": "https://example.org/lizenz"})
    doc = practice_to_article(p, URLS, actor=ACTORS["tafel"])
    assert doc["summary"] == "<p>Eins<br>zwei</p><p>Drei &amp; &lt;vier&gt;</p>"
    assert doc["licence"] == "https://example.org/lizenz"
    assert 'Lizenz: <a href="https://example.org/lizenz">' in doc["content"]
    assert article_to_practice(doc, org_username="tafel") == p
