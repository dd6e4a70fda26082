"""What an editor changed or deleted stops being public (issue 17 §4, security.md H-05).

Objects carry a canary in their contact fields; one opportunity is edited to remove it, another
and a practice are deleted. Then a crawler fetches every GET route of the routes table (as
ActivityStreams JSON and as HTML), every page of every collection, every activity we ever
recorded and every same-origin link it finds, on the publishing city and on a city that
follows it. Before the changes it finds the canary (so it can); afterwards nowhere — neither
in a served document nor in a stored outbox activity or delivery body."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import aiohttp
import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.models.store import utcnow
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.web.routes import ROUTES
from tests.fediverse import Fediverse, Instance, drain
from tests.integration.test_network import add_org, follow, opportunity_data, practice_data
from tests.web_helpers import PASSWORD, csrf_of

CANARY = "kanarienvogel"
CONTACT = {"email": f"{CANARY}@example.invalid", "url": f"https://{CANARY}.example/kontakt"}
ACCEPTS = ("application/activity+json", "text/html", "application/json")
PUBLIC_API = ("/api/v1/search", "/api/v1/openapi.json", "/api/v1/organisations/")
LINK = re.compile(r"""(?:href|src)="(/[^"#]*)"|"(https?://[^"\s]+)\"""")


def _route_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for route in ROUTES:
        if route.method != "GET":
            continue
        regex = re.sub(r"\{\w+:([^}]+)\}", r"(?:\1)", route.path)
        patterns.append(re.compile("^" + re.sub(r"\{\w+\}", r"[^/]+", regex) + "$"))
    return patterns


class Crawl:
    """Every public document of one instance, fetched over real HTTP by its `.test` name."""

    def __init__(self, fed: Fediverse, inst: Instance) -> None:
        self.fed, self.inst = fed, inst
        self.base = inst.base
        self.bodies: dict[tuple[str, str], str] = {}
        store = inst.app[STORE]
        self.tokens = [actor_repo.create_token(store, a.username)
                       for a in actor_repo.list_actors(store) if a.kind != "instance"]
        # The web UI (/verwaltung) is crawled as an admin, who sees every organisation.
        accounts = Accounts(store, utcnow)
        if not any(a.email == "crawler@example.invalid" for a in accounts.list()):
            accounts.add("crawler@example.invalid", "admin", [], PASSWORD)
            accounts.add("neu@example.invalid", "staff", [])
        self.link = accounts.reset("neu@example.invalid")  # a valid set-password link
        self.cookie = ""

    def seeds(self) -> list[str]:
        store, host = self.inst.app[STORE], self.inst.settings.domain
        names = [a.username for a in actor_repo.list_actors(store) if a.kind != "instance"]
        paths = ["/", "/about", "/angebote", "/praxis", "/suche", "/suche?q=Lesepatenschaft",
                 "/suche?q=Sommerfest",
                 "/api/v1/search", "/api/v1/search?q=Lesepatenschaft",
                 "/api/v1/search?q=Sommerfest", "/api/v1/openapi.json",
                 "/.well-known/nodeinfo", "/nodeinfo/2.1", "/.well-known/host-meta", "/ns",
                 "/actor", "/actor/followers", "/actor/outbox", "/healthz", "/tags/ehrenamt",
                 "/feed.atom", "/suche/feed.atom", "/suche/feed.atom?q=Sommerfest",
                 "/sitemap.xml", "/robots.txt", "/impressum", "/datenschutz", "/folgen"]
        for name in names:
            paths += [f"/@{name}/feed.atom", f"/@{name}/kalender.ics"]
            paths += [f"/.well-known/webfinger?resource=acct:{name}@{host}", f"/@{name}",
                      f"/actors/{name}", f"/api/v1/organisations/{name}/stats"]
            for coll in ("outbox", "followers", "following"):
                paths += [f"/actors/{name}/{coll}"] + [
                    f"/actors/{name}/{coll}?page={n}" for n in (1, 2, 3)]
        paths += ["/api/v1/opportunities", "/api/v1/practices", "/api/v1/admin/inbox",
                  "/api/v1/responses", "/api/v1/responses/none"]
        paths += [f"/api/v1/responses/{r['id']}" for r in store.all("SELECT id FROM responses")]
        paths += ["/anmelden", "/passwort-vergessen", self.link, "/verwaltung",
                  "/verwaltung/angebote/neu",
                  "/verwaltung/praxis/neu", "/verwaltung/antworten",
                  "/verwaltung/antworten?status=alle", "/verwaltung/antworten/none",
                  "/verwaltung/meldungen/none"]
        paths += [f"/api/v1/admin/{p}" for p in (
            "federation", "domains", "domains/example.org", "audit", "reports", "instances",
            "deliveries", "delivery-health", "actors", "actors/1")] + [
            "/api/v1/instance/domain_blocks", "/metrics"]
        for row in store.all("SELECT id, object_id FROM outbox"):
            paths += [urlsplit(row["id"]).path]
            if row["object_id"] and row["object_id"].startswith(self.base):
                path = urlsplit(row["object_id"]).path
                paths += [path, f"{path}/adoptedBy", f"{path}/adoptedBy?page=1",
                          f"{path}/replies", f"{path}/replies?page=1", f"{path}/likes",
                          f"{path}/shares", f"{path}/kalender.ics"]
                kind, object_id = path.strip("/").split("/")
                api = "/api/v1/" + ("opportunities" if kind == "angebote" else "practices")
                paths += [f"{api}/{object_id}", f"{api}/{object_id}/interactions"]
        return paths

    def _headers(self, path: str, accept: str) -> list[dict[str, str]]:
        """The editor API is asked with the token of each local actor (it is not public,
        but a withdrawn detail must not stay there either)."""
        if path.startswith("/verwaltung"):
            return [{"Accept": accept, "Cookie": self.cookie}]
        if not path.startswith("/api/v1/") or path.startswith(PUBLIC_API):
            return [{"Accept": accept}]
        return [{"Accept": accept, "Authorization": f"Bearer {token}"}
                for token in self.tokens]

    async def run(self, limit: int = 600) -> dict[tuple[str, str], str]:
        todo, seen = self.seeds(), set()
        connector = aiohttp.TCPConnector(resolver=self.fed.resolver)
        async with aiohttp.ClientSession(connector=connector,
                                         cookie_jar=aiohttp.DummyCookieJar()) as session:
            await self._log_in(session)
            while todo and len(seen) < limit:
                path = todo.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                for accept in ACCEPTS:
                    for n, headers in enumerate(self._headers(path, accept)):
                        async with session.get(self.base + path, headers=headers,
                                               allow_redirects=False) as resp:
                            text = await resp.text()
                        self.bodies[(path, f"{accept} #{n}")] = text
                        todo += [p for p in self._links(text) if p not in seen]
        assert len(seen) < limit, "crawl did not finish"
        return self.bodies

    async def _log_in(self, session: aiohttp.ClientSession) -> None:
        async with session.get(f"{self.base}/anmelden", headers={"Accept": "text/html"}) as page:
            token = csrf_of(await page.text())
            form_cookie = page.cookies["mw_csrf"].value
        async with session.post(f"{self.base}/anmelden", data={
                "email": "crawler@example.invalid", "password": PASSWORD, "csrf": token},
                headers={"Cookie": f"mw_csrf={form_cookie}"}, allow_redirects=False) as resp:
            assert resp.status == 303
            self.cookie = f"mw_session={resp.cookies['mw_session'].value}"

    def _links(self, text: str) -> list[str]:
        found = []
        for relative, absolute in LINK.findall(text):
            url = relative or absolute.replace("\\/", "/")
            if absolute and not url.startswith(self.base + "/"):
                continue
            parts = urlsplit(url)
            if not parts.path.startswith("/static/"):
                found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found

    def uncovered_routes(self) -> list[str]:
        paths = {p.split("?", 1)[0] for p, _ in self.bodies}
        return [pattern.pattern for pattern in _route_patterns()
                if not any(pattern.match(p) for p in paths)]

    def with_canary(self) -> list[tuple[str, str]]:
        return sorted(key for key, text in self.bodies.items() if CANARY in text)


def stored_canaries(inst: Instance) -> list[str]:
    """Stored places that would serve or send the canary later."""
    store = inst.app[STORE]
    hits = [f"outbox {r['id']}" for r in store.all(
        "SELECT id FROM outbox WHERE activity LIKE ?", [f"%{CANARY}%"])]
    hits += [f"delivery {r['id']}" for r in store.all(
        "SELECT id FROM deliveries WHERE body LIKE ?", [f"%{CANARY}%"])]
    hits += [f"remote {r['id']}" for r in store.all(
        "SELECT id FROM remote_objects WHERE raw LIKE ?", [f"%{CANARY}%"])]
    return hits


@pytest.fixture
async def cities(fediverse):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    add_org(a, "verein")
    await follow(b, a)
    return a, b


async def test_nothing_edited_away_or_deleted_stays_public(fediverse, cities):
    a, b = cities
    content = a.app[SERVICES].content
    edited = content.create("opportunities", "verein", opportunity_data(
        title="Lesepatenschaft", contact=CONTACT, apply_url=f"https://{CANARY}.example/mit"))
    deleted = content.create("opportunities", "city_a", opportunity_data(
        title="Sommerfest", contact=CONTACT))
    practice = content.create("practices", "verein", practice_data(
        title="Repair-Café", contact=CONTACT))
    await drain(a, b)

    before = Crawl(fediverse, a)
    await before.run()
    assert len(before.with_canary()) >= 6  # the crawl does see contact details
    assert any(p.startswith("/activities/") for p, _ in before.with_canary())
    assert stored_canaries(b)  # and the follower received them

    content.update("opportunities", edited.id, {"contact": {"email": "info@verein.example"},
                                                "apply_url": "https://verein.example/mit"})
    content.delete("opportunities", deleted.id)
    content.delete("practices", practice.id)
    await drain(a, b)

    for inst in (a, b):
        crawl = Crawl(fediverse, inst)
        await crawl.run()
        if inst is a:  # the publisher has a document behind every route (before or after:
            # the deleted practice was the only one with a /verwaltung/praxis/{id}/loeschen)
            assert set(crawl.uncovered_routes()) & set(before.uncovered_routes()) == set()
        assert crawl.with_canary() == [], inst.name
        assert stored_canaries(inst) == [], inst.name


async def test_activities_of_a_deleted_object_answer_410_and_leave_the_outbox(fediverse,
                                                                             cities):
    a, b = cities
    content = a.app[SERVICES].content
    kept = content.create("opportunities", "verein", opportunity_data(title="Bleibt"))
    gone = content.create("opportunities", "verein", opportunity_data(title="Geht"))
    content.update("opportunities", gone.id, {"title": "Geht gleich"})
    store = a.app[STORE]
    ids = [r["id"] for r in store.all("SELECT id FROM outbox WHERE object_id = ? "
                                      "ORDER BY seq", [content.ap_id(gone)])]
    assert len(ids) == 3  # Create by verein, Announce by the city, Update
    content.delete("opportunities", gone.id)
    await drain(a, b)
    ids += [r["id"] for r in store.all("SELECT id FROM outbox WHERE type = 'Delete'")]

    connector = aiohttp.TCPConnector(resolver=fediverse.resolver)
    async with aiohttp.ClientSession(connector=connector) as session:
        for activity_id in ids:
            async with session.get(activity_id, headers={"Accept": ACCEPTS[0]}) as resp:
                assert resp.status == 410, activity_id
                doc = await resp.json(content_type=None)
                assert doc["type"] == "Tombstone" and doc["id"] == activity_id
                assert doc["formerType"] in ("Create", "Announce", "Update", "Delete")
        listed = []
        for name in ("verein", "city_a"):
            outbox = f"{a.base}/actors/{name}/outbox"
            async with session.get(outbox, headers={"Accept": ACCEPTS[0]}) as resp:
                total = (await resp.json(content_type=None))["totalItems"]
            async with session.get(f"{outbox}?page=1", headers={"Accept": ACCEPTS[0]}) as resp:
                page = await resp.json(content_type=None)
            assert total == len(page["orderedItems"])
            listed += page["orderedItems"]
    objects = [i["object"] if isinstance(i["object"], str) else i["object"]["id"]
               for i in listed]
    assert content.ap_id(gone) not in objects
    assert objects.count(content.ap_id(kept)) == 2  # its Create (embedded) and the boost
    assert any(isinstance(i["object"], dict) and "<strong>Bleibt</strong>" in
               i["object"]["content"] for i in listed if i["type"] == "Create")


async def test_an_edit_restates_the_earlier_activities_and_their_deliveries(fediverse, cities):
    a, b = cities
    content = a.app[SERVICES].content
    opp = content.create("opportunities", "verein", opportunity_data(title="Alt"))
    content.update("opportunities", opp.id, {"title": "Neu"})
    store = a.app[STORE]
    rows = store.all("SELECT type, activity FROM outbox WHERE object_id = ? "
                     "AND type IN ('Create', 'Update') ORDER BY seq", [content.ap_id(opp)])
    assert [r["type"] for r in rows] == ["Create", "Update"]
    assert all("<strong>Neu</strong>" in r["activity"] and "<strong>Alt</strong>" not in
               r["activity"] for r in rows)
    bodies = [r["body"] for r in store.all("SELECT body FROM deliveries")]
    assert bodies and not any("<strong>Alt</strong>" in body for body in bodies)
    await drain(a, b)
    # the follower still gets a Create it can store, then the Update: one current copy
    remote = b.app[STORE].one("SELECT raw FROM remote_objects WHERE id = ?",
                              [content.ap_id(opp)])
    assert remote is not None and '"Neu"' in remote["raw"]
