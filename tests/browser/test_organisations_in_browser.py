"""Staff of the Anlaufstelle manage organisations in the browser: the list and the form pass
axe-core, a wrong website is explained beside its field with the input kept, the new
organisation gets an editor and a new profile text. Screenshots of the list and the form at
1280 and 390 px (no horizontal overflow) are kept in tests/browser/artefacts/."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import no_serious_violations, screenshot
from tests.web_helpers import PASSWORD, add_account


async def _narrow(page: Page, name: str) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, f"{name}-390")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide at 390 px"
    await page.set_viewport_size({"width": 1280, "height": 900})
    await screenshot(page, f"{name}-1280")


async def test_staff_add_an_organisation_assign_an_editor_and_edit_it(
        page: Page, site, axe_script):
    add_account(site.settings, "staff@musterstadt.example", "staff")
    add_account(site.settings, "ben@tafel.example", "editor", ["tafel"])
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_label("E-Mail", exact=True).fill("staff@musterstadt.example")
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.get_by_role("link", name="Organisationen verwalten").click()
    await expect(page.get_by_role("heading", name="Organisationen", exact=True)).to_be_visible()
    await expect(page.locator("body")).to_contain_text("anna@tafel.example")
    await no_serious_violations(page, axe_script, "organisations")

    await page.get_by_role("link", name="Neue Organisation").click()
    await no_serious_violations(page, axe_script, "organisation-form")
    await page.get_by_label("Benutzername", exact=True).fill("lesewelt")
    await page.get_by_label("Name", exact=True).fill("Lesewelt Musterstadt e. V.")
    await page.get_by_label("Sektor", exact=True).select_option("civil-society")
    await page.get_by_label("Beschreibung", exact=True).fill(
        "Wir lesen in Kitas und Schulen vor und suchen Lesepatinnen und Lesepaten.")
    await page.get_by_label("Website", exact=True).fill("javascript:alert(1)")
    await page.get_by_label("Sprechzeiten", exact=True).fill("Mo 9–11 Uhr")
    await page.get_by_role("button", name="Anlegen").click()
    await expect(page.locator("#error-website")).to_be_visible()
    await expect(page.get_by_label("Sprechzeiten", exact=True)).to_have_value("Mo 9–11 Uhr")
    await expect(page.get_by_label("Website", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    await no_serious_violations(page, axe_script, "organisation-form-error")
    await _narrow(page, "organisation-form-error")
    await page.get_by_label("Website", exact=True).fill("https://lesewelt.example")
    await page.get_by_role("button", name="Anlegen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Organisation ist angelegt.")

    await page.get_by_label("Person zur Redaktion hinzufügen").nth(0).select_option(
        "anna@tafel.example")
    await page.get_by_role("button", name="Hinzufügen", exact=True).nth(0).click()
    await expect(page.get_by_role("status")).to_have_text(
        "Die Person gehört jetzt zur Redaktion.")
    await expect(page.get_by_role("button", name=(
        "Aus der Redaktion nehmen: anna@tafel.example bei Lesewelt Musterstadt e. V."))
    ).to_be_visible()
    await expect(page.get_by_label("Person zur Redaktion hinzufügen")).to_have_value(
        "ben@tafel.example")  # the one editor not yet in Lesewelt's team
    await no_serious_violations(page, axe_script, "organisations-with-editors")
    await _narrow(page, "organisations")

    await page.get_by_role("link", name="Profil bearbeiten").nth(0).click()
    await expect(page.get_by_role("heading", name="Profil von Lesewelt Musterstadt e. V.")
                 ).to_be_visible()
    await no_serious_violations(page, axe_script, "organisation-profile")
    await _narrow(page, "organisation-profile")
    await page.get_by_label("Sprechzeiten", exact=True).fill("Mi 14–16 Uhr")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("Das Profil ist gespeichert")
    await page.goto(f"{site.url}/@lesewelt")
    await expect(page.locator("body")).to_contain_text("Mi 14–16 Uhr")
