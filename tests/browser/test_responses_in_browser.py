"""An editor in a real browser (issue 13): from the dashboard to the responses, sees what is
overdue, opens the thread, answers, marks it handled. axe-core checks the list and the thread;
a screenshot of the thread is kept in tests/browser/artefacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from mitwirken.models import responses as repo
from mitwirken.models.store import Store
from tests.browser.conftest import no_serious_violations, screenshot
from tests.web_helpers import PASSWORD


def seed(settings) -> None:
    """Alice wrote to tafel eight days ago (overdue), Bert today."""
    store = Store.open(settings.db_path)
    now = datetime.now(UTC)
    for name, days in (("alice", 8), ("bert", 0)):
        actor = f"https://mastodon.example/users/{name}"
        received = now - timedelta(days=days)
        rid = repo.create(store, organisation="tafel", object_id=None, visibility="direct",
                          sender_id=actor, sender_name=name.title(),
                          sender_handle=f"@{name}@mastodon.example",
                          sender_inbox=f"{actor}/inbox", promise_days=5, received=received,
                          due=received + timedelta(days=7))
        repo.add_message(store, rid, direction="in", at=received, note_id=f"{actor}/s/1",
                         author=actor, content=f"<p>{name.title()} möchte helfen.</p>")
    store.close()


async def test_answer_and_handle_a_response(page: Page, site, axe_script):
    seed(site.settings)
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_label("E-Mail", exact=True).fill("anna@tafel.example")
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page).to_have_url(f"{site.url}/verwaltung")

    await page.get_by_role("link", name="Rückmeldungen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Rückmeldungen")
    await expect(page.locator("main")).to_contain_text("1 ist überfällig.")
    first = page.locator("ul.cards li").first
    await expect(first).to_contain_text("überfällig")
    await expect(first).to_contain_text("Alice")
    await no_serious_violations(page, axe_script, "responses")

    await first.get_by_role("link", name="Alice").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Rückmeldung von Alice")
    await expect(page.locator(".thread")).to_contain_text("Alice möchte helfen.")
    await no_serious_violations(page, axe_script, "response-thread")
    await page.get_by_role("button", name="Antwort senden").click()  # empty: the browser stops
    await expect(page.get_by_role("heading", level=1)).to_have_text("Rückmeldung von Alice")
    await page.get_by_label("Antwort", exact=True).fill("Danke! Kommen Sie am **Dienstag**.")
    await page.get_by_role("button", name="Antwort senden").click()
    await expect(page.get_by_role("status")).to_have_text("Die Antwort ist unterwegs.")
    await expect(page.locator(".thread article.out")).to_contain_text("Dienstag")
    await screenshot(page, "response-thread-1280")

    await page.get_by_role("button", name="Als erledigt markieren").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Die Rückmeldung ist als erledigt markiert.")
    await expect(page.get_by_role("button", name="Wieder öffnen")).to_be_visible()
    await page.get_by_role("link", name="Alle Rückmeldungen").click()
    await page.get_by_role("link", name="Offen").click()
    await expect(page.locator("ul.cards li")).to_have_count(1)
    await expect(page.locator("ul.cards li")).to_contain_text("Bert")
