"""An editor answers a volunteer in a real browser: the dashboard says one response is open,
the inbox lists it, the thread shows the message, the answer is sent and the response is
marked handled. axe-core checks the inbox and the thread. (How a response arrives over
ActivityPub, and that the answer reaches the volunteer, is tested over real HTTP in
tests/integration/test_web_responses.py; here it is stored the way the inbox stores it.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from mitwirken.models import responses as response_repo
from mitwirken.models.store import Store
from tests.browser.conftest import no_serious_violations, screenshot
from tests.web_helpers import PASSWORD


def _volunteer_writes(settings) -> None:
    store = Store.open(settings.db_path)
    try:
        now = datetime.now(UTC)
        rid = response_repo.create(
            store, organisation="tafel", object_id=None, visibility="direct",
            sender_id="https://mastodon.example/users/rosa", sender_name="Rosa Beispiel",
            sender_handle="@rosa@mastodon.example",
            sender_inbox="https://mastodon.example/users/rosa/inbox", promise_days=5,
            received=now - timedelta(days=1), due=now + timedelta(days=4))
        response_repo.add_message(store, rid, direction="in", at=now - timedelta(days=1),
                                  content="<p>Ich möchte bei der Tafel helfen.</p>",
                                  note_id="https://mastodon.example/users/rosa/statuses/1",
                                  author="https://mastodon.example/users/rosa")
    finally:
        store.close()


async def test_editor_answers_and_closes_a_response(page: Page, site, axe_script):
    _volunteer_writes(site.settings)
    await page.goto(f"{site.url}/anmelden")
    await page.get_by_label("E-Mail", exact=True).fill("anna@tafel.example")
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.get_by_text("1 offen")).to_be_visible()

    await page.get_by_role("link", name="Rückmeldungen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Rückmeldungen")
    await no_serious_violations(page, axe_script, "responses-list")
    await page.get_by_role("link", name="Rosa Beispiel").click()

    await expect(page.get_by_text("Ich möchte bei der Tafel helfen.")).to_be_visible()
    await no_serious_violations(page, axe_script, "response-thread")
    await page.get_by_label("Ihre Antwort").fill("Danke, Rosa! Kommen Sie am **Dienstag**.")
    await page.get_by_role("button", name="Antwort senden").click()
    await expect(page.get_by_role("status")).to_have_text("Die Antwort ist unterwegs zur Person.")
    await expect(page.locator(".message.out strong")).to_have_text("Dienstag")
    await screenshot(page, "response-thread-1280")
    await page.get_by_role("button", name="Als erledigt markieren").click()
    await expect(page.get_by_role("status")).to_have_text("Als erledigt markiert.")
    await expect(page.get_by_role("button", name="Wieder öffnen")).to_be_visible()
