"""Staff of the Anlaufstelle, keyboard only for the login, publish a practice post: the form
passes axe-core, the preview shows what Mastodon shows of an Article, the post is on the
public list afterwards."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import no_serious_violations, screenshot
from tests.web_helpers import PASSWORD, add_account


async def test_keyboard_login_and_practice_post(page: Page, site, axe_script):
    add_account(site.settings, "staff@musterstadt.example", "staff")
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_label("E-Mail", exact=True).focus()
    await page.keyboard.type("staff@musterstadt.example")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused == "Anmelden"  # the button comes next in the tab order
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{site.url}/verwaltung")
    await page.get_by_role("link", name="Schlüssel für die Schnittstelle (API-Token)").click()
    await page.get_by_label("Wofür?", exact=True).fill("Website")
    await page.get_by_role("button", name="Schlüssel anlegen").click()
    await expect(page.locator("code.token")).to_contain_text("mw_")
    await no_serious_violations(page, axe_script, "tokens")
    await page.goto(f"{site.url}/verwaltung")

    await page.get_by_role("link", name="Neues Praxisbeispiel").click()
    await expect(page.get_by_role("heading", name="Neues Praxisbeispiel")).to_be_visible()
    await no_serious_violations(page, axe_script, "practice-form")
    await page.get_by_label("Organisation", exact=True).select_option("tafel")
    await page.get_by_label("Titel", exact=True).fill("Lebensmittel retten mit Schulen")
    await page.get_by_label("Zusammenfassung", exact=True).fill(
        "Schulklassen holen einmal im Monat Lebensmittel ab und verteilen sie.")
    await page.get_by_label("Ausgangslage", exact=True).fill("Zu viele Reste.")
    await page.get_by_label("Name (Partner 1)", exact=True).fill("Gesamtschule Nord")
    await page.get_by_label("Sektor (Partner 1)", exact=True).select_option("administration")
    await page.get_by_role("button", name="Vorschau").click()
    card = page.get_by_role("article", name="Beitrag in Mastodon")
    await expect(card).to_contain_text("Lebensmittel retten mit Schulen")
    await expect(card).to_contain_text("Schulklassen holen")
    await expect(card).not_to_contain_text("Zu viele Reste.")
    await no_serious_violations(page, axe_script, "practice-preview")
    await screenshot(page, "practice-preview-1280")

    await page.get_by_role("button", name="Veröffentlichen").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Das Praxisbeispiel ist veröffentlicht.")
    await page.goto(f"{site.url}/praxis")
    await page.get_by_role("link", name="Lebensmittel retten mit Schulen").click()
    await expect(page.locator("body")).to_contain_text("Zu viele Reste.")
    await expect(page.locator("body")).to_contain_text("Gesamtschule Nord")
