"""Browser tests: Playwright for Python drives Debian's chromium (`/usr/bin/chromium`,
installed by `.ci/system-deps.sh`) against a real Mitwirken server on a loopback port.

- No chromium → every test here SKIPS, saying so loudly. Nothing else skips: a missing
  Playwright (a pinned test extra) or axe-core (pinned in tests/browser/package.json,
  installed here with `npm ci`) fails the test.
- axe-core is injected into the page (the context bypasses our CSP for that script only);
  `no_serious_violations` fails on any serious or critical violation.
- Screenshots go to tests/browser/artefacts/ (git-ignored)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, async_playwright

from mitwirken.models import actors as actor_repo
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.config import Settings, load_settings
from mitwirken.server.usecases.instance import init_instance, make_actor
from tests.fediverse import free_port
from tests.web_helpers import add_account

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = HERE / "artefacts"


def _axe_installed() -> bool:
    lock = json.loads((HERE / "package-lock.json").read_text())
    wanted = lock["packages"]["node_modules/axe-core"]["version"]
    package = HERE / "node_modules" / "axe-core" / "package.json"
    return AXE.is_file() and package.is_file() and json.loads(
        package.read_text())["version"] == wanted


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not _axe_installed():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core (tests/browser/package.json)")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                                cwd=HERE, capture_output=True, text=True, timeout=600,
                                check=False)
        if result.returncode != 0 or not _axe_installed():
            pytest.fail(f"`npm ci` in tests/browser failed: {result.stdout}{result.stderr}")
    return AXE


@dataclass
class Site:
    settings: Settings
    url: str


@pytest.fixture
async def site(tmp_path) -> AsyncIterator[Site]:
    """A real server at http://127.0.0.1:PORT (its public URL too, so every link works),
    with the organisation `tafel` and an editor of it."""
    port = free_port()
    data = tmp_path / "site"
    init_instance(data, f"http://127.0.0.1:{port}", "Engagierte Stadt Musterstadt",
                  "musterstadt")
    settings = load_settings(data, env={})
    store = Store.open(settings.db_path)
    actor_repo.create_actor(store, make_actor("tafel", "org", "Tafel Musterstadt e.V.",
                                              sector="civil-society"))
    store.close()
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    server = TestServer(create_app(settings), host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield Site(settings, f"http://127.0.0.1:{port}")
    finally:
        await server.close()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip("!!! /usr/bin/chromium is not installed – run .ci/system-deps.sh "
                    "(apt-get install chromium); the browser tests cannot run !!!")
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    # bypass_csp only lets the test inject axe-core; the pages' own CSP is checked elsewhere
    # (tests/integration/test_security_headers.py).
    context = await browser.new_context(viewport={"width": 1280, "height": 900},
                                        bypass_csp=True, locale="de-DE")
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


async def no_serious_violations(page: Page, axe: Path, what: str) -> list[dict]:
    """Run axe-core on the page; fail on serious or critical violations; return them all."""
    await page.add_script_tag(path=str(axe))
    result = await page.evaluate("async () => await axe.run(document)")
    violations = result["violations"]
    assert len(result["passes"]) > 10, "axe-core did not check the page"
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"axe-{what}.json").write_text(json.dumps(violations, indent=1,
                                                           ensure_ascii=False))
    assert not bad, f"axe on {what}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + ", ".join(n["target"][0] for n in v["nodes"][:3]) for v in bad)
    return violations


async def screenshot(page: Page, name: str) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


NARROW = 360  # the issue: "Responsive down to 360 px width"
WIDE = {"width": 1280, "height": 900}
WIDER_THAN = """(width) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
        + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


async def fits_narrow(page: Page, what: str, shot: str | None = None,
                      width: int = NARROW) -> None:
    """At `width` px the page scrolls only vertically (scrollWidth <= width); the elements
    sticking out are named when it does not. Back to 1280 px afterwards."""
    await page.set_viewport_size({"width": width, "height": 740})
    try:
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        if shot:
            await screenshot(page, shot)
        culprits = [] if scroll <= width else await page.evaluate(WIDER_THAN, width)
        assert scroll <= width, f"{what} is {scroll} px wide at {width} px: {culprits}"
    finally:
        await page.set_viewport_size(WIDE)
