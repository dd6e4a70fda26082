"""`/verwaltung` over real HTTP: the dashboard, the opportunity form (preview, publish, edit,
validation errors next to their fields), the actions, roles, CSRF — and that the form goes
through the same use case as the API (what it publishes reaches a follower instance)."""

from __future__ import annotations

import re

import pytest

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.publishing import ContentService
from tests.web_helpers import Clock, add_account, login, page_csrf

HTML = {"Accept": "text/html"}
FORM = {
    "org": "tafel", "title": "Lesepat:in gesucht", "kind": "regular",
    "description": "Sie lesen mit Kindern.\n\nEinmal pro Woche.",
    "schedule": "Dienstags 15–17 Uhr", "time_budget.hours": "2", "time_budget.unit": "per-week",
    "places.0.name": "Bibliothek", "places.0.postal_code": "12345",
    "places.0.locality": "Musterstadt", "remote": "no", "min_age": "16",
    "contact.name": "Leseförderung", "contact.email": "lesen@tafel.example",
    "volunteers_needed": "4", "places_left": "3", "reply_time_days": "3",
    "activity_types": "lernhilfe-lesen", "apply_url": "https://tafel.example/mitmachen",
    "image.url": "https://tafel.example/lesen.png", "image.alt_text": "Ein Kind liest.",
}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def second_org(settings):
    store = Store.open(settings.db_path)
    actor_repo.create_actor(store, make_actor("bibliothek", "org", "Stadtbibliothek",
                                              sector="administration"))
    store.close()


@pytest.fixture
async def web(aiohttp_client, settings, clock, second_org):
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    add_account(settings, "staff@stadt.example", "staff")
    return await aiohttp_client(create_app(settings, start_workers=False, clock=clock))


def stored(settings):
    store = Store.open(settings.db_path)
    try:
        return content_store.list_objects(store, "opportunities")
    finally:
        store.close()


async def post_form(web, path: str, data: dict, action: str):
    token = await page_csrf(web, path)
    return await web.post(path, data=[*data.items(), ("aktion", action), ("csrf", token),
                                      ("cause_areas", "bildung"),
                                      ("suitable_for", "wheelchair-accessible")],
                          allow_redirects=False)


async def test_dashboard_needs_a_login(web):
    resp = await web.get("/verwaltung", headers=HTML, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/anmelden?weiter=/verwaltung"
    page = await web.get("/anmelden?weiter=/verwaltung/angebote/neu", headers=HTML)
    assert 'name="next" value="/verwaltung/angebote/neu"' in await page.text()
    page = await web.get("/anmelden?weiter=//evil.example/", headers=HTML)
    assert 'name="next" value="/verwaltung"' in await page.text()  # no open redirect


async def test_editor_sees_own_organisation_staff_sees_all(web):
    await login(web, "anna@tafel.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert "Tafel Musterstadt e.V." in html and "Stadtbibliothek" not in html
    assert ">Neues Angebot</a>" in html and ">Neues Praxisbeispiel</a>" in html
    assert "Überall abmelden" in html


async def test_staff_sees_every_organisation(web):
    await login(web, "staff@stadt.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert "Tafel Musterstadt e.V." in html and "Stadtbibliothek" in html
    assert "Engagierte Stadt Musterstadt" in html  # the city's own posts too


async def test_form_has_labelled_fields_and_help(web):
    await login(web, "anna@tafel.example")
    html = await (await web.get("/verwaltung/angebote/neu", headers=HTML)).text()
    for label in ("Titel", "Beschreibung", "E-Mail"):
        assert re.search(rf'<label for="[^"]+">{label}</label>', html), label
    assert '<button type="submit" name="aktion" value="vorschau" class="secondary">Vorschau' \
        in html
    assert ">Veröffentlichen</button>" in html and ">Speichern</button>" not in html
    assert "Kurz und konkret" in html  # plain-German help
    assert 'name="org"' in html and "Stadtbibliothek" not in html


async def test_preview_stores_nothing_and_shows_the_mastodon_card(web, settings):
    await login(web, "anna@tafel.example")
    resp = await post_form(web, "/verwaltung/angebote/neu", FORM, "vorschau")
    html = await resp.text()
    assert resp.status == 200
    assert "So erscheint es in Mastodon" in html and "Lesepat:in gesucht" in html
    card = html.split('class="toot-content"')[1].split("</div>")[0]
    assert "<strong>Lesepat:in gesucht</strong>" in card and "#<span>Bildung</span>" in card
    assert 'rel="nofollow noopener"' in card  # as Mastodon rewrites links
    assert 'value="Lesepat:in gesucht"' in html  # the form is still filled
    assert stored(settings) == []


async def test_publish_goes_through_the_publishing_use_case(web, settings):
    await login(web, "anna@tafel.example")
    resp = await post_form(web, "/verwaltung/angebote/neu", FORM, "veroeffentlichen")
    assert resp.status == 303
    [opp] = stored(settings)
    assert resp.headers["Location"] == f"/verwaltung/angebote/{opp.id}?hinweis=veroeffentlicht"
    assert opp.org_username == "tafel" and opp.min_age == 16 and opp.places_left == 3
    assert opp.time_budget and opp.time_budget.hours == 2
    assert opp.contact.email == "lesen@tafel.example"
    assert [c.value for c in opp.cause_areas] == ["bildung"]
    assert [s.value for s in opp.suitable_for] == ["wheelchair-accessible"]
    assert [a.value for a in opp.activity_types] == ["lernhilfe-lesen"]
    assert opp.apply_url == "https://tafel.example/mitmachen"
    assert opp.image and opp.image.alt_text == "Ein Kind liest."
    store = Store.open(settings.db_path)
    kinds = [r["type"] for r in store.all("SELECT type FROM outbox")]
    assert "Create" in kinds and "Announce" in kinds  # published and boosted by the city
    public = await web.get(f"/angebote/{opp.id}", headers=HTML)
    assert "Lesepat:in gesucht" in await public.text()
    page = await web.get(resp.headers["Location"], headers=HTML)
    html = await page.text()
    assert "Das Angebot ist veröffentlicht." in html and ">Speichern</button>" in html


async def test_validation_errors_are_shown_next_to_their_field(web, settings):
    await login(web, "anna@tafel.example")
    bad = {**FORM, "title": "", "contact.email": "kein-at", "places.0.postal_code": "1",
           "image.alt_text": ""}
    resp = await post_form(web, "/verwaltung/angebote/neu", bad, "veroeffentlichen")
    html = await resp.text()
    assert resp.status == 422
    assert re.search(r'id="error-title">Der Titel darf nicht leer sein', html)
    assert re.search(r'id="error-contact-email">Bitte eine gültige E-Mail-Adresse', html)
    assert re.search(r'id="error-places-0-postal_code">Eine deutsche Postleitzahl', html)
    assert re.search(r'id="error-image-alt_text">Bitte das Bild kurz beschreiben', html)
    assert 'value="kein-at"' in html and "Sie lesen mit Kindern." in html  # input kept
    assert 'aria-invalid="true"' in html
    resp = await post_form(web, "/verwaltung/angebote/neu", {**FORM, "places_left": "9"},
                           "veroeffentlichen")  # a rule across fields
    assert resp.status == 422
    assert re.search(r'id="error-places_left">Es können nicht mehr Plätze frei sein',
                     await resp.text())
    assert stored(settings) == []


async def test_one_off_needs_dates_and_takes_german_time(web, settings):
    await login(web, "anna@tafel.example")
    one_off = {**FORM, "kind": "one-off"}
    resp = await post_form(web, "/verwaltung/angebote/neu", one_off, "veroeffentlichen")
    assert resp.status == 422
    assert "Für einen einmaligen Einsatz bitte Datum und Uhrzeit" in await resp.text()
    one_off.update({"start": "2026-12-12T09:00", "end": "2026-12-12T14:00"})
    resp = await post_form(web, "/verwaltung/angebote/neu", one_off, "veroeffentlichen")
    assert resp.status == 303
    [opp] = stored(settings)
    assert opp.start and opp.start.isoformat() == "2026-12-12T09:00:00+01:00"
    edit = await (await web.get(f"/verwaltung/angebote/{opp.id}", headers=HTML)).text()
    assert 'value="2026-12-12T09:00"' in edit


async def test_edit_keeps_what_the_form_does_not_show(web, settings):
    svc_store = Store.open(settings.db_path)
    svc = ContentService(svc_store, Urls(settings.base_url), Clock())
    opp = svc.create("opportunities", "tafel", {
        "title": "Alt", "description": "Text", "kind": "flexible",
        "contact": {"email": "a@tafel.example", "hours": "Mo 9–12"},
        "places": [{"name": "Eins", "country": "AT"}, {"name": "Zwei"}, {"name": "Drei"},
                   {"name": "Vier"}]})
    svc_store.close()
    await login(web, "anna@tafel.example")
    path = f"/verwaltung/angebote/{opp.id}"
    html = await (await web.get(path, headers=HTML)).text()
    assert 'value="Alt"' in html and 'value="Eins"' in html
    assert 'value="Zwei"' in html and 'value="Drei"' in html and 'value="Mo 9–12"' in html
    assert 'value="Vier"' not in html  # the form has three place rows
    changed = {**FORM, "title": "Neu", "places.0.name": "Eins neu", "places.1.name": "Zwei",
               "places.2.name": "Drei", "contact.hours": "Mo 9–12", "min_age": ""}
    resp = await post_form(web, path, changed, "speichern")
    assert resp.status == 303 and resp.headers["Location"] == f"{path}?hinweis=gespeichert"
    [saved] = stored(settings)
    assert saved.title == "Neu"
    assert [p.name for p in saved.places] == ["Eins neu", "Zwei", "Drei", "Vier"]
    assert saved.places[0].country == "AT"  # not in the form: kept
    assert saved.contact.hours == "Mo 9–12" and saved.min_age is None
    resp = await post_form(web, path, {**changed, "title": "Nur Vorschau"}, "vorschau")
    assert "Nur Vorschau" in await resp.text()
    [still] = stored(settings)
    assert still.title == "Neu"


async def test_second_place_with_region_and_coordinates_and_contact_hours_and_url(
        web, settings):
    await login(web, "anna@tafel.example")
    fields = {**FORM, "places.1.name": "Stadtteilhaus", "places.1.street": "Am Markt 2",
              "places.1.postal_code": "28195", "places.1.locality": "Bremen",
              "places.1.region": "DE-HB", "places.1.latitude": "53,0758",
              "places.1.longitude": "8.8072", "contact.hours": "Di und Do 10–12 Uhr",
              "contact.url": "https://tafel.example/kontakt"}
    resp = await post_form(web, "/verwaltung/angebote/neu", fields, "veroeffentlichen")
    assert resp.status == 303, await resp.text()
    [opp] = stored(settings)
    assert [p.name for p in opp.places] == ["Bibliothek", "Stadtteilhaus"]
    second = opp.places[1]
    assert (second.street, second.postal_code, second.locality, second.region.value) == (
        "Am Markt 2", "28195", "Bremen", "DE-HB")
    assert (second.latitude, second.longitude) == (53.0758, 8.8072)
    assert (opp.contact.hours, opp.contact.url) == ("Di und Do 10–12 Uhr",
                                                    "https://tafel.example/kontakt")
    path = f"/verwaltung/angebote/{opp.id}"
    edit = await (await web.get(path, headers=HTML)).text()
    assert 'name="places.1.name" type="text" value="Stadtteilhaus"' in edit
    assert '<option value="DE-HB" selected>' in edit
    assert 'value="53,0758"' in edit and 'value="8,8072"' in edit
    assert 'value="Di und Do 10–12 Uhr"' in edit
    assert 'value="https://tafel.example/kontakt"' in edit
    page = await (await web.get(f"/angebote/{opp.id}", headers=HTML)).text()
    assert "Stadtteilhaus, Am Markt 2, 28195 Bremen" in page
    # Saved again unchanged from what the form shows, nothing is lost
    resp = await post_form(web, path, fields, "speichern")
    assert resp.status == 303
    [again] = stored(settings)
    assert again.places == opp.places and again.contact == opp.contact
    # A latitude out of range: 422, the message under that field, nothing changes
    resp = await post_form(web, path, {**fields, "places.1.latitude": "95"}, "speichern")
    html = await resp.text()
    assert resp.status == 422 and 'id="error-places-1-latitude"' in html
    assert 'value="95"' in html  # the input is kept
    [unchanged] = stored(settings)
    assert unchanged.places[1].latitude == 53.0758


async def test_actions_confirm_pause_close_delete(web, settings, clock):
    await login(web, "anna@tafel.example")
    resp = await post_form(web, "/verwaltung/angebote/neu", FORM, "veroeffentlichen")
    [opp] = stored(settings)
    clock.advance(days=80)  # due for confirmation two weeks before the auto-pause at 90
    await login(web, "anna@tafel.example")  # (the session of 80 days ago has expired)
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert "Bestätigung fällig" in html
    token = await page_csrf(web, "/verwaltung")
    base = f"/verwaltung/angebote/{opp.id}"
    resp = await web.post(f"{base}/bestaetigen", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    [confirmed] = stored(settings)
    assert confirmed.last_confirmed == clock.now
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert "Bestätigung fällig" not in html and "noch aktuell" in html.lower()
    for action, status in (("pausieren", "paused"), ("oeffnen", "open"),
                           ("schliessen", "closed")):
        resp = await web.post(f"{base}/{action}", data={"csrf": token}, allow_redirects=False)
        assert resp.status == 303
        [now] = stored(settings)
        assert now.status.value == status
    resp = await web.post(f"{base}/schliessen", data={}, allow_redirects=False)
    assert resp.status == 403  # no CSRF token
    confirm_page = await web.get(f"{base}/loeschen", headers=HTML)
    assert "Endgültig löschen" in await confirm_page.text()
    resp = await web.post(f"{base}/loeschen", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303 and stored(settings) == []
    assert (await web.get(f"/angebote/{opp.id}", headers=HTML)).status == 410


async def test_an_editor_gets_403_on_another_organisations_post(web, settings):
    store = Store.open(settings.db_path)
    svc = ContentService(store, Urls(settings.base_url), Clock())
    theirs = svc.create("opportunities", "bibliothek", {
        "title": "Fremd", "description": "Text", "kind": "flexible",
        "contact": {"email": "b@bib.example"}})
    store.close()
    await login(web, "anna@tafel.example")
    token = await page_csrf(web, "/verwaltung")
    base = f"/verwaltung/angebote/{theirs.id}"
    resp = await web.get(base, headers=HTML)
    assert resp.status == 403 and "nicht bearbeiten dürfen" in await resp.text()
    for path in (f"{base}/schliessen", f"{base}/loeschen", base):
        resp = await web.post(path, data={"csrf": token, **FORM, "aktion": "speichern"},
                              allow_redirects=False)
        assert resp.status == 403, path
    resp = await web.post("/verwaltung/angebote/neu", data={
        "csrf": token, **FORM, "org": "bibliothek", "aktion": "veroeffentlichen"},
        allow_redirects=False)
    assert resp.status == 403
    [still] = stored(settings)
    assert still.title == "Fremd" and still.status.value == "open"


async def test_staff_may_edit_every_organisation(web, settings):
    await login(web, "staff@stadt.example")
    resp = await post_form(web, "/verwaltung/angebote/neu", {**FORM, "org": "bibliothek"},
                           "veroeffentlichen")
    assert resp.status == 303
    [opp] = stored(settings)
    assert opp.org_username == "bibliothek"


async def test_hostile_input_is_escaped_in_form_and_preview(web):
    await login(web, "anna@tafel.example")
    hostile = {**FORM, "title": '<script>alert(1)</script>"><b>x',
               "description": "[klick](javascript:alert(1)) <img src=x onerror=alert(1)>"}
    resp = await post_form(web, "/verwaltung/angebote/neu", hostile, "vorschau")
    html = await resp.text()
    assert "<script>alert(1)</script>" not in html
    preview = html.split('class="preview"')[1].split("</section>")[0]
    assert "Lesepat" not in preview and "&lt;script&gt;" in preview
    assert 'href="javascript' not in html and "<img src=x" not in html
    assert "<img src=\"x\"" not in html


async def test_unknown_or_malformed_requests_get_german_4xx(web, settings):
    await login(web, "anna@tafel.example")
    resp = await web.get("/verwaltung/angebote/gibtesnicht", headers=HTML)
    assert resp.status == 404 and "gibt es nicht" in await resp.text()
    token = await page_csrf(web, "/verwaltung")
    resp = await web.post("/verwaltung/angebote/gibtesnicht/schliessen", data={"csrf": token})
    assert resp.status == 404
    resp = await web.post("/verwaltung/angebote/neu", json={"title": "JSON statt Formular"},
                          allow_redirects=False)
    assert resp.status == 403  # no form, no CSRF token
    resp = await post_form(web, "/verwaltung/angebote/neu", {**FORM, "title": "x" * 101},
                           "veroeffentlichen")
    assert resp.status == 422 and 'id="error-title"' in await resp.text()
    resp = await post_form(web, "/verwaltung/angebote/neu", {**FORM, "kind": "quatsch",
                                                             "remote": "<b>"},
                           "veroeffentlichen")
    assert resp.status == 422 and 'id="error-kind"' in await resp.text()
    assert stored(settings) == []


async def test_application_channels_languages_and_english_texts_are_editable(web, settings):
    await login(web, "anna@tafel.example")
    fields = {**FORM, "apply_email": "bewerbung@tafel.example", "apply_phone": "0123 999",
              "mediated_by_city": "1", "languages": "de, EN, ar", "title_en": "Reading mentor",
              "description_en": "Read with children."}
    token = await page_csrf(web, "/verwaltung/angebote/neu")
    resp = await web.post("/verwaltung/angebote/neu", data=[
        *fields.items(), ("apply_channels", "email"), ("apply_channels", "phone"),
        ("aktion", "veroeffentlichen"), ("csrf", token)], allow_redirects=False)
    assert resp.status == 303, await resp.text()
    [opp] = stored(settings)
    assert [c.value for c in opp.apply_channels] == ["email", "phone"]
    assert (opp.apply_email, opp.apply_phone, opp.mediated_by_city) == (
        "bewerbung@tafel.example", "0123 999", True)
    assert opp.languages == ["de", "en", "ar"]
    assert (opp.title_en, opp.description_en) == ("Reading mentor", "Read with children.")
    edit = await (await web.get(f"/verwaltung/angebote/{opp.id}", headers=HTML)).text()
    assert 'name="apply_channels" value="email" checked' in edit
    assert 'name="apply_channels" value="url">' in edit  # not ticked
    assert 'value="de, en, ar"' in edit and 'name="mediated_by_city" value="1" checked' in edit
    # The public page follows the channels: e-mail and phone, no fediverse invitation
    page = await (await web.get(f"/angebote/{opp.id}", headers=HTML)).text()
    assert "mailto:bewerbung@tafel.example" in page and "Im Fediverse" not in page
    # A bad channel is refused next to its field, nothing changes
    resp = await web.post(f"/verwaltung/angebote/{opp.id}", data=[
        *fields.items(), ("apply_channels", "brieftaube"), ("aktion", "speichern"),
        ("csrf", await page_csrf(web, f"/verwaltung/angebote/{opp.id}"))],
        allow_redirects=False)
    assert resp.status == 422 and 'id="error-apply_channels"' in await resp.text()
    [unchanged] = stored(settings)
    assert [c.value for c in unchanged.apply_channels] == ["email", "phone"]
