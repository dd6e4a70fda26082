"""A city employee with no technical knowledge, in a real browser: logs in, creates an
opportunity with the form, sees how Mastodon will show it, publishes, finds it on the public
list and its page, confirms it ("noch aktuell") and closes it. axe-core checks the login
page, the dashboard and the editor form; login, dashboard and the editor form (with and
without the preview) fit a 360 px screen; screenshots of the form with its preview at 1280, 390
and 360 px wide are kept in tests/browser/artefacts/."""

from __future__ import annotations

import re

from icalendar import Calendar
from playwright.async_api import Page, expect

from tests.browser.conftest import fits_narrow, no_serious_violations, screenshot
from tests.web_helpers import PASSWORD


async def test_log_in_publish_find_confirm_close(page: Page, site, axe_script, tmp_path):
    await page.goto(f"{site.url}/")
    await page.get_by_role("link", name="Anmelden").click()
    await expect(page).to_have_url(f"{site.url}/anmelden")
    await no_serious_violations(page, axe_script, "login")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "login-390")
    await page.set_viewport_size({"width": 1280, "height": 900})
    await fits_narrow(page, "login")

    await page.get_by_label("E-Mail", exact=True).fill("anna@tafel.example")
    await page.get_by_label("Passwort", exact=True).fill("nicht das Passwort")
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "E-Mail-Adresse oder Passwort ist falsch.")
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page).to_have_url(f"{site.url}/verwaltung")
    await expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    await no_serious_violations(page, axe_script, "dashboard")
    await fits_narrow(page, "dashboard")

    await page.get_by_role("link", name="Neues Angebot").click()
    await expect(page.get_by_role("heading", name="Neues Angebot")).to_be_visible()
    await no_serious_violations(page, axe_script, "editor-form")
    await fits_narrow(page, "editor form")
    await page.get_by_label("Titel", exact=True).fill("Vorlesen im Stadtteilcafé")
    await page.get_by_label("Beschreibung", exact=True).fill(
        "Sie lesen **einmal pro Woche** Kindern vor.\n\nKeine Vorkenntnisse nötig.")
    await page.get_by_label("Art des Engagements", exact=True).select_option("regular")
    await page.get_by_label("Beginn", exact=True).fill("2027-03-03T16:00")
    await page.get_by_label("Ende", exact=True).fill("2027-03-03T17:30")
    await page.get_by_label("Zeitangabe", exact=True).fill("Mittwochs 16–17 Uhr")
    await page.get_by_label("Stunden", exact=True).fill("1")
    await page.get_by_label("Bildung", exact=True).check()
    await page.get_by_label("Rollstuhlgerecht", exact=True).check()
    await page.get_by_label("E-Mail", exact=True).fill("kein-at")
    await page.get_by_role("button", name="Vorschau").click()
    await expect(page.locator("#error-contact-email")).to_contain_text(
        "gültige E-Mail-Adresse")
    await expect(page.get_by_label("Titel", exact=True)).to_have_value("Vorlesen im Stadtteilcafé")

    await page.get_by_label("E-Mail", exact=True).fill("lesen@tafel.example")
    await page.get_by_role("button", name="Vorschau").click()
    card = page.get_by_role("article", name="Beitrag in Mastodon")
    await expect(card).to_contain_text("Vorlesen im Stadtteilcafé")
    await expect(card.locator(".toot-content strong").first).to_have_text(
        "Vorlesen im Stadtteilcafé")
    await expect(card).to_contain_text("#Bildung")
    await no_serious_violations(page, axe_script, "editor-preview")
    await screenshot(page, "editor-preview-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "editor-preview-390")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the editor form is {width} px wide at 390 px"
    await page.set_viewport_size({"width": 1280, "height": 900})
    await fits_narrow(page, "editor form with preview", shot="editor-preview-360")

    await page.get_by_role("button", name="Veröffentlichen").click()
    await expect(page.get_by_role("status")).to_have_text("Das Angebot ist veröffentlicht.")
    await expect(page.get_by_role("button", name="Speichern")).to_be_visible()
    await screenshot(page, "editor-form-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "editor-form-390")
    await page.set_viewport_size({"width": 1280, "height": 900})

    await page.goto(f"{site.url}/angebote")
    await expect(page.get_by_role("link", name="Vorlesen im Stadtteilcafé")).to_be_visible()
    # found in the search with a filter (its cause area), a wrong filter finds nothing
    await page.get_by_role("link", name="Suche im Netzwerk").click()
    await page.get_by_label("Suchbegriff").fill("Stadtteilcafé")
    await page.get_by_text("Weitere Filter").click()
    await page.get_by_label("Bereich").select_option(label="Kultur")
    await page.get_by_role("button", name="Suchen").click()
    await expect(page.get_by_role("status")).to_have_text("0 Treffer")
    await expect(page.get_by_role("link", name="Vorlesen im Stadtteilcafé")).to_have_count(0)
    await page.get_by_label("Bereich").select_option(label="Bildung")
    await page.get_by_role("button", name="Suchen").click()
    await expect(page.get_by_role("status")).to_have_text("1 Treffer")
    await page.get_by_role("link", name="Vorlesen im Stadtteilcafé").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Vorlesen im Stadtteilcafé")
    await expect(page.locator("body")).to_contain_text("lesen@tafel.example")
    detail = page.url
    assert re.search(r"/angebote/[a-z0-9]+$", detail)
    async with page.expect_download() as info:
        await page.get_by_role("link", name="In den Kalender").click()
    saved = tmp_path / "angebot.ics"
    await (await info.value).save_as(saved)
    (event,) = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "Vorlesen im Stadtteilcafé"
    assert event.decoded("dtstart").isoformat() == "2027-03-03T15:00:00+00:00"  # 16:00 Berlin
    assert str(event["url"]) == detail

    await page.goto(f"{site.url}/verwaltung")
    item = page.locator("li", has_text="Vorlesen im Stadtteilcafé")
    await item.get_by_role("button", name="Noch aktuell").click()
    await expect(page.get_by_role("status")).to_contain_text("noch aktuell")
    item = page.locator("li", has_text="Vorlesen im Stadtteilcafé")
    await item.get_by_role("button", name="Beenden").click()
    await expect(page.get_by_role("status")).to_have_text("Das Angebot ist beendet.")
    await expect(page.locator("li", has_text="Vorlesen im Stadtteilcafé")).to_contain_text(
        "Beendet")
    await screenshot(page, "dashboard-1280")

    await page.goto(f"{site.url}/angebote")
    await expect(page.get_by_role("link", name="Vorlesen im Stadtteilcafé")).to_have_count(0)

    await page.get_by_role("button", name="Abmelden", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Sie sind abgemeldet.")
    await expect(page.get_by_role("link", name="Anmelden")).to_be_visible()


async def test_an_editor_works_in_english(page: Page, site, axe_script):
    """The language switch before logging in holds through the login: the dashboard and the
    editor form in English, a validation error in English beside its field, the preview;
    axe on the English form; screenshots editor-form-en-1280/390."""
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    await page.get_by_label("E-mail", exact=True).fill("anna@tafel.example")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    await page.get_by_role("link", name="New opportunity").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New opportunity")
    await page.get_by_label("Title", exact=True).fill("Reading café")
    await page.get_by_label("Description", exact=True).fill("Reading aloud once a week.")
    await page.get_by_label("Education", exact=True).check()
    await page.get_by_label("E-mail", exact=True).fill("no-at")
    await page.get_by_role("button", name="Preview").click()
    await expect(page.locator("#error-contact-email")).to_have_text(
        "Please give a valid e-mail address, e.g. info@verein.de.")
    await page.get_by_label("E-mail", exact=True).fill("lesen@tafel.example")
    await page.get_by_role("button", name="Preview").click()
    await expect(page.get_by_role("article", name="Post in Mastodon")).to_contain_text(
        "Reading café")
    await no_serious_violations(page, axe_script, "editor-preview-en")
    await screenshot(page, "editor-form-en-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "editor-form-en-390")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the English editor form is {width} px wide at 390 px"
