"""The whole publish path with the keyboard alone (issue 14): from the start page an editor
reaches "Anmelden", logs in, opens "Neues Angebot", fills the main fields, asks for the
preview and publishes — pressing only Tab, Shift+Tab, typing, Space and Enter. Every step
moves by the tab order, so an unreachable control fails the test."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.web_helpers import PASSWORD

MAX_TABS = 200


async def tab_to(page: Page, description: str, check: str) -> None:
    """Press Tab until the focused element satisfies the JS predicate `check` (on `el`)."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"(() => {{ const el = document.activeElement; "
                               f"return !!el && ({check}); }})()"):
            return
    raise AssertionError(f"{description} cannot be reached with Tab")


def by_label(text: str) -> str:
    return (f"el.labels && [...el.labels].some(l => l.textContent.trim() === {text!r})")


def by_text(text: str) -> str:
    return f"el.textContent.trim() === {text!r}"


async def test_the_publish_path_works_with_the_keyboard_alone(page: Page, site):
    await page.goto(f"{site.url}/")
    await tab_to(page, "the Anmelden link", by_text("Anmelden"))
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{site.url}/anmelden")
    await tab_to(page, "E-Mail", by_label("E-Mail"))
    await page.keyboard.type("anna@tafel.example")
    await tab_to(page, "Passwort", by_label("Passwort"))
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")  # submits the form
    await expect(page).to_have_url(f"{site.url}/verwaltung")

    await tab_to(page, "Neues Angebot", by_text("Neues Angebot"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Neues Angebot")).to_be_visible()
    await tab_to(page, "Titel", by_label("Titel"))
    await page.keyboard.type("Gartenhilfe im Seniorenheim")
    await tab_to(page, "Beschreibung", by_label("Beschreibung"))
    await page.keyboard.type("Sie helfen im Garten.")
    await tab_to(page, "the cause Umwelt", "el.type === 'checkbox' && el.value === 'umwelt'")
    await page.keyboard.press("Space")
    await tab_to(page, "E-Mail of the contact", "el.name === 'contact.email'")
    await page.keyboard.type("garten@tafel.example")
    await tab_to(page, "Vorschau", by_text("Vorschau"))
    await page.keyboard.press("Enter")
    card = page.get_by_role("article", name="Beitrag in Mastodon")
    await expect(card).to_contain_text("Gartenhilfe im Seniorenheim")
    await tab_to(page, "Veröffentlichen", by_text("Veröffentlichen"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("veröffentlicht")

    await page.goto(f"{site.url}/angebote")
    await expect(page.get_by_role("link", name="Gartenhilfe im Seniorenheim")).to_be_visible()
