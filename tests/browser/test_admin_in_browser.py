"""The instance admin in the browser: from the dashboard to `Föderation` (switch to allow-list
mode, add a rule, upload Mastodon's CSV, block one remote actor), `Meldungen` (a report from
a Mastodon server is dismissed with a reason) and `Zustellung` (a failing domain with its
status and error, retried now; the list of deliveries filtered by domain, one retried).
axe-core passes on the pages; screenshots at 1280 and 390 px (no horizontal overflow) are
kept in tests/browser/artefacts/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Page, expect

from mitwirken.models import deliveries
from mitwirken.models import reports as report_repo
from mitwirken.models.store import Store
from tests.browser.conftest import no_serious_violations, screenshot
from tests.web_helpers import PASSWORD, add_account

CSV = Path(__file__).resolve().parents[1] / "data" / "mastodon_domain_blocks.csv"


async def _both_widths(page: Page, name: str) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, f"{name}-390")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide at 390 px"
    await page.set_viewport_size({"width": 1280, "height": 900})
    await screenshot(page, f"{name}-1280")


def _scenario(site) -> int:
    """A report as Mastodon's Flag leaves it, and two deliveries that were given up."""
    now = datetime.now(UTC)
    store = Store.open(site.settings.db_path)
    try:
        report_id = report_repo.add_incoming(
            store, activity_id="https://mastodon.example/0f1e", reporter=(
                "https://mastodon.example/actor"), origin="mastodon.example",
            comment="Spam-Angebot, bitte prüfen", objects=[f"{site.url}/actors/tafel"],
            now=now)
        with store.tx():
            deliveries.enqueue_deliveries(store, f"{site.url}/activities/1", "musterstadt",
                                          "{}", ["https://kaputt.example/inbox"], now)
            row = store.scalar("SELECT max(id) FROM deliveries")
            deliveries.fail_delivery(store, row, 503, "Service Unavailable", now)
            deliveries.enqueue_deliveries(store, f"{site.url}/activities/2", "musterstadt",
                                          "{}", ["https://weg.example/inbox"], now)
            row = store.scalar("SELECT max(id) FROM deliveries")
            deliveries.fail_delivery(store, row, 410, "Gone", now)
    finally:
        store.close()
    assert report_id is not None
    return report_id


async def test_admin_runs_federation_reports_and_delivery(page: Page, site, axe_script):
    add_account(site.settings, "chef@musterstadt.example", "admin")
    report_id = _scenario(site)
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_label("E-Mail", exact=True).fill("chef@musterstadt.example")
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()

    # Föderation
    await page.get_by_role("link", name="Föderation", exact=True).first.click()
    await expect(page.get_by_role("heading", name="Föderation", exact=True)).to_be_visible()
    await page.get_by_label("Nur erlaubte Domains").check()
    await page.get_by_label("Begründung (für das Protokoll)").fill("Nur Engagierte Städte")
    await page.get_by_role("button", name="Modus umstellen").click()
    await expect(page.get_by_role("status")).to_contain_text("umgestellt")
    await expect(page.locator("main")).to_contain_text("Zurzeit: nur erlaubte Domains")
    await page.get_by_label("Domain", exact=True).fill("engagiert.example")
    await page.get_by_label("Regel", exact=True).select_option("allow")
    await page.locator("#new-reason").fill("Partnerstadt")
    await page.get_by_role("button", name="Regel speichern").click()
    await expect(page.get_by_role("heading", name="engagiert.example: Erlauben")).to_be_visible()
    await page.get_by_label("CSV-Datei").set_input_files(str(CSV))
    await page.get_by_role("button", name="Sperrliste einlesen").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Die Sperrliste ist eingelesen: 2 gesperrt, 2 eingeschränkt, 1 erlaubt.")
    await expect(page.get_by_role("heading", name="spam.example: Sperren")).to_be_visible()
    await no_serious_violations(page, axe_script, "admin-federation")
    await _both_widths(page, "admin-federation")
    await page.get_by_text("Regel für werbung.example ändern oder entfernen").click()
    await page.get_by_label("Regel für werbung.example", exact=True).select_option("block")
    await page.get_by_role("button", name="Regel ändern: werbung.example").click()
    await expect(page.get_by_role("heading", name="werbung.example: Sperren")).to_be_visible()
    # One remote actor blocked by its URL (its follows, content and replies go)
    await page.get_by_label("Adresse (URL) des Kontos").fill(
        "https://mastodon.example/users/werbebot")
    await page.locator("#block-reason").fill("Werbekonto")
    await page.get_by_role("button", name="Konto sperren").click()
    await expect(page.get_by_role("status")).to_contain_text("Das Konto ist gesperrt")
    await expect(page.get_by_role("heading", name="https://mastodon.example/users/werbebot")
                 ).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Begründung: Werbekonto")
    await page.locator("#konten").scroll_into_view_if_needed()
    await no_serious_violations(page, axe_script, "admin-actor-blocks")
    await _both_widths(page, "admin-actor-blocks")

    # Meldungen
    await page.get_by_role("link", name="Meldungen", exact=True).click()
    await page.get_by_role("link", name=f"Meldung {report_id} von mastodon.example").click()
    await expect(page.locator("main")).to_contain_text("Spam-Angebot, bitte prüfen")
    await no_serious_violations(page, axe_script, "admin-report")
    await _both_widths(page, "admin-report")
    await page.get_by_label("Verwerfen (kein Verstoß)").check()
    await page.get_by_label("Begründung (für das Protokoll)").fill("Kein Spam")
    await page.get_by_role("button", name="Meldung erledigen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Meldung ist erledigt.")
    await expect(page.locator("main")).to_contain_text("von web:chef@musterstadt.example")
    await page.get_by_role("link", name="Alle Meldungen").click()
    await no_serious_violations(page, axe_script, "admin-reports")
    await _both_widths(page, "admin-reports")

    # Zustellung
    await page.get_by_role("link", name="Zustellung", exact=True).click()
    await expect(page.get_by_role("heading", name="kaputt.example", exact=True)).to_be_visible()
    await expect(page.locator("main")).to_contain_text("HTTP 503 – Service Unavailable")
    await no_serious_violations(page, axe_script, "admin-delivery")
    await _both_widths(page, "admin-delivery")
    await page.get_by_role("button", name="Jetzt erneut versuchen: kaputt.example").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "1 Zustellung(en) an kaputt.example werden jetzt erneut versucht.")
    # The list of deliveries (issue 15): filtered, one delivery retried on its own
    await page.get_by_label("Zustand", exact=True).select_option("failed")
    await page.get_by_label("Domain (mit Subdomains)").fill("weg.example")
    await page.get_by_role("button", name="Anzeigen").click()
    await expect(page.locator("#delivery-list")).to_contain_text("https://weg.example/inbox")
    await expect(page.locator("#delivery-list")).to_contain_text("HTTP 410 – Gone")
    await expect(page.locator("#delivery-list")).not_to_contain_text("kaputt.example")
    await page.locator("#zustellungen").scroll_into_view_if_needed()
    await no_serious_violations(page, axe_script, "admin-delivery-list")
    await _both_widths(page, "admin-delivery-list")
    await page.get_by_role("button", name=re.compile(
        r"^Jetzt erneut versuchen: Zustellung \d+ an weg\.example$")).click()
    await expect(page.get_by_role("status")).to_contain_text("wird jetzt erneut versucht.")
    await expect(page.get_by_label("Domain (mit Subdomains)")).to_have_value("weg.example")

    # Protokoll: every decision above, with who and why
    await page.get_by_role("link", name="Protokoll", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Protokoll")
    await expect(page.locator("table.audit")).to_contain_text("web:chef@musterstadt.example")
    await no_serious_violations(page, axe_script, "admin-audit")
    await _both_widths(page, "admin-audit")

    # Inhalte prüfen (nothing waits in this test: the page and its form)
    await page.get_by_role("link", name="Inhalte", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inhalte prüfen")
    await no_serious_violations(page, axe_script, "admin-review")
    await _both_widths(page, "admin-review")

    # Netzwerk: whom the city follows, who follows it, known servers
    await page.get_by_role("link", name="Netzwerk", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Netzwerk")
    await expect(page.get_by_label("Einer anderen Stadt folgen")).to_be_visible()
    await no_serious_violations(page, axe_script, "admin-network")
    await _both_widths(page, "admin-network")


async def test_staff_open_the_report_form_from_the_dashboard(page: Page, site, axe_script):
    """Staff (the Anlaufstelle) report remote content on the form's own page; the rest of the
    admin screens stay closed to them."""
    add_account(site.settings, "anlauf@musterstadt.example", "staff")
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_label("E-Mail", exact=True).fill("anlauf@musterstadt.example")
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.get_by_role("link", name="Einen Inhalt oder ein Konto einer anderen Instanz "
                           "melden").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Einen Inhalt aus dem Netzwerk melden")
    await no_serious_violations(page, axe_script, "staff-report-form")
    await _both_widths(page, "staff-report-form")
    await page.get_by_label("Adresse des Inhalts oder Kontos").fill(
        "https://unbekannt.example/notes/1")
    await page.get_by_label("Kommentar für den anderen Server (freiwillig)").fill("Spam")
    await page.get_by_role("button", name="Melden", exact=True).click()
    await expect(page.get_by_role("alert")).to_have_text("Dieser Inhalt ist hier nicht bekannt.")
    await expect(page.get_by_label("Adresse des Inhalts oder Kontos")).to_have_value(
        "https://unbekannt.example/notes/1")
    await no_serious_violations(page, axe_script, "staff-report-form-error")
    response = await page.goto(f"{site.url}/verwaltung/meldungen")
    assert response is not None and response.status == 403
