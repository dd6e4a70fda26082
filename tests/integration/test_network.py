"""The knowledge network: cities follow cities, and each can search what the network shares.

Real instances on loopback under `*.test` names (tests/fediverse.py); every worker is ticked by
hand (`drain`), nothing sleeps. Each app also records the requests it served, so a test can
assert that an announced object was fetched from its origin."""

from __future__ import annotations

import json
import shlex
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.types import CryptographicSecret

import tests.fediverse
from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows, search
from mitwirken.models.search import Query
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases import moderation
from mitwirken.server.usecases.instance import make_actor
from tests.fediverse import drain
from tests.golden.examples import ONE_OFF, PRACTICE

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
AP_JSON = "application/activity+json"
READ_ONLY = ("id", "org_username", "published", "updated", "last_confirmed")


# --- helpers shared by the network test modules ----------------------------------------------


@pytest.fixture
def served(monkeypatch) -> dict[str, list[tuple[str, str, str]]]:
    """Every app made by the fediverse fixture records (method, path, signer host) per domain."""
    log: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    real_create_app = tests.fediverse.create_app

    def create_app(settings, **kw):
        app = real_create_app(settings, **kw)
        domain = settings.domain

        @web.middleware
        async def record(request: web.Request, handler):
            sig = request.headers.get("Signature", "")
            signer = sig.split('keyId="', 1)[1].split("/")[2] if 'keyId="' in sig else ""
            log[domain].append((request.method, request.path, signer))
            return await handler(request)

        app.middlewares.insert(0, record)
        return app

    monkeypatch.setattr(tests.fediverse, "create_app", create_app)
    return log


def add_org(inst, username: str, name: str | None = None) -> None:
    actor_repo.create_actor(inst.app[STORE], make_actor(
        username, "org", name or f"Verein {username}", sector="civil-society"))


async def follow(follower, target, handle: str | None = None, *others) -> str:
    """`follower`'s city follows `target`'s city (or `handle`) by handle; returns the followed
    actor id."""
    svc = follower.app[SERVICES]
    handle = handle or f"@{target.settings.city_username}@{target.settings.domain}"
    remote = await social.lookup(svc.fetcher, svc.remote_actors, handle)
    social.follow(follower.app[STORE], follower.app[URLS], follower.settings.city_username,
                  remote, follower.app[CLOCK]())
    await drain(follower, *(i for i in (target, *others) if hasattr(i, "app")))
    return remote.id


def opportunity_data(example=ONE_OFF, **changes) -> dict:
    data = {k: v for k, v in example.model_dump(mode="json", exclude_none=True).items()
            if k not in READ_ONLY}
    data.pop("original_id", None)
    return {**data, **changes}


def practice_data(**changes) -> dict:
    data = {k: v for k, v in PRACTICE.model_dump(mode="json", exclude_none=True).items()
            if k not in READ_ONLY}
    data.pop("adapted_from", None)
    data["partners"] = [p for p in data["partners"] if "actor_iri" not in p]
    return {**data, **changes}


def publish_opportunity(inst, username: str, **changes):
    return inst.app[SERVICES].content.create("opportunities", username,
                                                opportunity_data(**changes))


def publish_practice(inst, username: str, **changes):
    return inst.app[SERVICES].content.create("practices", username, practice_data(**changes))


def remote_row(inst, object_id: str) -> dict | None:
    return inst.app[STORE].one("SELECT * FROM remote_objects WHERE id = ?", [object_id])


def found(inst, q: str = "", **filters) -> dict[str, str]:
    """Search at `inst`: ap_id → origin."""
    _, rows = search.search(inst.app[STORE], Query(q=q, limit=100, **filters))
    return {r["ap_id"]: r["origin"] for r in rows}


def http(fediverse) -> aiohttp.ClientSession:
    """A client that reaches the instances by their `.test` names."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=fediverse.resolver))


async def get_json(fediverse, url: str, **headers) -> tuple[int, dict]:
    async with http(fediverse) as session, session.get(url, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def get_text(fediverse, url: str, **headers) -> tuple[int, str]:
    async with http(fediverse) as session, session.get(url, headers=headers) as resp:
        return resp.status, await resp.text()


def items(inst, type_: str | None = None) -> list[dict]:
    rows = inst.app[STORE].all("SELECT type, actor, state, error, body FROM inbox_items "
                               "ORDER BY id")
    return [r for r in rows if type_ is None or r["type"] == type_]


# --- the network: A, B, C (and D, who follows only B) ----------------------------------------

@pytest.fixture
async def net(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    c = await fediverse.add("city-c")
    add_org(a, "tafel", "Tafel Stadt A e.V.")
    city_a = await follow(b, a, None, c)
    city_c = await follow(b, c, None, a)
    for follower, target in ((b, city_a), (b, city_c)):
        assert follows.get_following(follower.app[STORE], "city_b", target)["state"] == \
            "accepted"
    return a, b, c


async def test_b_finds_what_a_and_c_publish_with_their_origin(net, fediverse, served):
    a, b, c = net
    # When an organisation of A publishes (A's city boosts it) and C's city publishes
    opp_a = publish_opportunity(a, "tafel", title="Müll sammeln an der Hauptstraße")
    prac_c = publish_practice(c, "city_c", title="Straßenfest der Vereine",
                              summary="Einmal im Jahr stellen sich alle Vereine auf der "
                                      "Hauptstraße vor.")
    served.clear()
    await drain(a, b, c)
    id_a, id_c = a.app[URLS].opportunity(opp_a.id), c.app[URLS].practice(prac_c.id)

    # Then B stored both, A's fetched from A after the city's Announce
    row_a, row_c = remote_row(b, id_a), remote_row(b, id_c)
    assert row_a["actor"] == a.app[URLS].actor("tafel")
    assert row_a["shared_by"] == a.app[URLS].actor("city_a")
    assert row_a["origin"] == "city-a.test" and row_a["kind"] == "opportunity"
    assert ("GET", f"/angebote/{opp_a.id}", "city-b.test") in served["city-a.test"]
    assert row_c["actor"] == c.app[URLS].actor("city_c") and row_c["shared_by"] is None
    assert row_c["kind"] == "practice" and row_c["origin_name"] == "Engagierte Stadt city-c"
    creates = [json.loads(i["body"])["actor"] for i in items(b, "Create")]
    assert a.app[URLS].actor("tafel") in creates  # the org's own Create: ignored, not followed
    assert {i["state"] for i in items(b, "Announce")} == {"processed"}

    # And B's search finds both, with origin, in German spellings
    assert found(b, "Hauptstrasse") == {id_a: "city-a.test", id_c: "city-c.test"}
    assert found(b, "muell") == {id_a: "city-a.test"}
    assert found(b, "STRASSENFEST") == {id_c: "city-c.test"}
    assert found(b, "hauptstr", origin="city-c.test") == {id_c: "city-c.test"}
    status, body = await get_json(fediverse, "http://city-b.test/api/v1/search?q=Hauptstraße")
    assert status == 200 and body["total"] == 2
    by_id = {i["ap_id"]: i for i in body["items"]}
    assert by_id[id_a]["origin"] == "city-a.test" and by_id[id_a]["local"] is False
    assert by_id[id_a]["origin_name"] == "Tafel Stadt A e.V."  # the author's name
    assert by_id[id_a]["url"] == id_a and by_id[id_a]["kind"] == "opportunity"
    assert by_id[id_c]["kind"] == "practice"
    status, page = await get_text(fediverse, "http://city-b.test/suche?q=M%C3%BCll")
    assert status == 200 and "Müll sammeln an der Hauptstraße" in page and "city-a.test" in page

    # When C deletes its practice
    c.app[SERVICES].content.delete("practices", prac_c.id)
    await drain(a, b, c)
    # Then it is gone at B, and a tombstone keeps it from coming back
    assert remote_row(b, id_c) is None
    assert found(b, "Straßenfest") == {}
    assert b.app[STORE].one("SELECT 1 FROM tombstones WHERE id = ?", [id_c])

    # When A updates its opportunity
    a.app[SERVICES].content.update("opportunities", opp_a.id,
                                      {"title": "Müll sammeln am Rheinufer"})
    await drain(a, b, c)
    # Then B has the new version, in storage and search
    assert json.loads(remote_row(b, id_a)["data"])["title"] == "Müll sammeln am Rheinufer"
    assert found(b, "Rheinufer") == {id_a: "city-a.test"}
    assert found(b, "Hauptstraße") == {}
    assert [i["state"] for i in items(b, "Update")] == ["processed"]


async def test_b_shares_a_practice_to_d_who_fetches_it_from_a(net, fediverse, served):
    a, b, c = net
    d = await fediverse.add("city-d")
    await follow(d, b)
    practice = publish_practice(a, "city_a", title="Ehrenamtsbörse im Rathausfoyer")
    await drain(a, b, c, d)
    iri = a.app[URLS].practice(practice.id)
    assert remote_row(b, iri) is not None
    assert remote_row(d, iri) is None  # D follows only B

    # When B's city shares A's practice
    served.clear()
    announce_id = b.app[SERVICES].content.share("city_b", iri)
    await drain(a, b, c, d)

    # Then D received B's Announce and fetched the practice from A, its origin
    got = [json.loads(i["body"]) for i in items(d, "Announce")]
    assert [(g["id"], g["object"]) for g in got] == [(announce_id, iri)]
    assert ("GET", f"/praxis/{practice.id}", "city-d.test") in served["city-a.test"]
    row = remote_row(d, iri)
    assert row["actor"] == a.app[URLS].actor("city_a")
    assert row["shared_by"] == b.app[URLS].actor("city_b")
    assert row["origin"] == "city-a.test"
    assert row["origin_name"] == "Engagierte Stadt city-a"
    assert json.loads(row["data"])["org_username"] == "city_a@city-a.test"
    assert found(d, "Rathausfoyer") == {iri: "city-a.test"}
    # And A was told about the boost (its origin's inbox is addressed)
    assert a.app[STORE].one("SELECT actor FROM interactions WHERE kind = 'announce' AND "
                            "object_id = ?", [iri])["actor"] == b.app[URLS].actor("city_b")


async def test_adaptation_in_c_shows_up_in_a_adoption_trail(net, fediverse):
    a, b, c = net
    await follow(c, a, None, b)
    original = publish_practice(a, "city_a", title="Ehrenamtsbörse im Rathausfoyer")
    await drain(a, b, c)
    original_iri = a.app[URLS].practice(original.id)
    assert remote_row(c, original_iri) is not None

    # When C publishes a practice adapted from A's
    copy = publish_practice(c, "city_c", title="Ehrenamtsmarkt in der Stadtbibliothek",
                            adapted_from=original_iri)
    await drain(a, b, c)
    copy_iri = c.app[URLS].practice(copy.id)

    # Then A's adoptedBy collection lists it, and A's page links it
    status, coll = await get_json(fediverse, f"{original_iri}/adoptedBy", Accept=AP_JSON)
    assert status == 200 and coll["totalItems"] == 1
    status, page1 = await get_json(fediverse, f"{original_iri}/adoptedBy?page=1",
                                   Accept=AP_JSON)
    assert status == 200 and page1["orderedItems" if "orderedItems" in page1 else "items"] == \
        [copy_iri]
    status, bad = await get_json(fediverse, f"{original_iri}/adoptedBy?page=0", Accept=AP_JSON)
    assert status == 400 and bad["error"] == "bad_page"
    status, doc = await get_json(fediverse, original_iri, Accept=AP_JSON)
    assert doc["adoptedBy"] == f"{original_iri}/adoptedBy"
    status, html = await get_text(fediverse, original_iri, Accept="text/html")
    assert status == 200 and "Aufgegriffen in anderen Städten" in html and copy_iri in html
    # And B, which follows C, stored the copy with its link to the original
    assert json.loads(remote_row(b, copy_iri)["data"])["adapted_from"] == original_iri


async def test_delete_before_create_leaves_a_tombstone(net):
    a, b, c = net
    urls_c, store_c, now = c.app[URLS], c.app[STORE], c.app[CLOCK]()
    iri = urls_c.practice("fruehgeloescht")
    doc = {"id": iri, "type": "Article", "attributedTo": urls_c.actor("city_c"),
           "name": "Frühjahrsputz im Stadtpark", "summary": "Alle packen mit an.",
           "content": "<p>Alle packen mit an.</p>", "to": [PUBLIC]}
    # When the Delete overtakes the Create (both from C's city, in that order)
    publish(store_c, "city_c", activities.delete(urls_c, "city_c", iri, "Article", now), now)
    await drain(a, b, c)
    publish(store_c, "city_c", activities.create(urls_c, "city_c", doc, now), now)
    publish(store_c, "city_c", activities.update(urls_c, "city_c", doc, now), now)
    await drain(a, b, c)
    # Then B keeps the tombstone and the object never appears
    assert b.app[STORE].one("SELECT former_type FROM tombstones WHERE id = ?", [iri])
    assert remote_row(b, iri) is None
    assert found(b, "Frühjahrsputz") == {}
    assert [i["state"] for i in items(b) if i["type"] in ("Delete", "Create", "Update")] == \
        ["processed", "ignored", "ignored"]


async def test_manual_approval_holds_city_follow_until_accepted(fediverse):
    a = await fediverse.add("city-a", approve_followers_manually=True)
    b = await fediverse.add("city-b")
    city_a = await follow(b, a)
    b_actor = b.app[URLS].actor("city_b")
    assert follows.get_follower(a.app[STORE], "city_a", b_actor)["state"] == "pending"
    assert follows.get_following(b.app[STORE], "city_b", city_a)["state"] == "requested"

    # While the request is pending, nothing flows
    first = publish_practice(a, "city_a", title="Vorlesepaten im Seniorenheim")
    await drain(a, b)
    assert found(b, "Vorlesepaten") == {}

    # When A's admin accepts it
    assert social.decide_follow_request(a.app[STORE], a.app[URLS], "city_a", b_actor,
                                        accept=True, now=a.app[CLOCK]())
    assert not social.decide_follow_request(a.app[STORE], a.app[URLS], "city_a", b_actor,
                                            accept=True, now=a.app[CLOCK]())
    await drain(a, b)
    assert follows.get_following(b.app[STORE], "city_b", city_a)["state"] == "accepted"

    # Then content flows from then on
    second = publish_practice(a, "city_a", title="Vorlesepaten in der Kita")
    await drain(a, b)
    assert found(b, "Vorlesepaten") == {a.app[URLS].practice(second.id): "city-a.test"}
    assert remote_row(b, a.app[URLS].practice(first.id)) is None


async def test_rejected_city_follow_gets_nothing(fediverse):
    a = await fediverse.add("city-a", approve_followers_manually=True)
    b = await fediverse.add("city-b")
    city_a = await follow(b, a)
    b_actor = b.app[URLS].actor("city_b")
    assert social.decide_follow_request(a.app[STORE], a.app[URLS], "city_a", b_actor,
                                        accept=False, now=a.app[CLOCK]())
    await drain(a, b)
    assert follows.get_follower(a.app[STORE], "city_a", b_actor) is None
    assert follows.get_following(b.app[STORE], "city_b", city_a)["state"] == "rejected"
    publish_practice(a, "city_a", title="Vorlesepaten im Seniorenheim")
    await drain(a, b)
    assert found(b, "Vorlesepaten") == {}


async def test_unfollow_removes_that_city_from_search(net):
    a, b, c = net
    opp_a = publish_opportunity(a, "tafel", title="Lebensmittel retten am Wochenmarkt")
    prac_a = publish_practice(a, "city_a", title="Lebensmittelretter-Netzwerk")
    prac_c = publish_practice(c, "city_c", title="Lebensmittel teilen im Quartier")
    await drain(a, b, c)
    assert set(found(b, "Lebensmittel").values()) == {"city-a.test", "city-c.test"}
    assert len(found(b, "Lebensmittel")) == 3

    # When B unfollows A's city
    assert social.unfollow(b.app[STORE], b.app[URLS], "city_b", a.app[URLS].actor("city_a"),
                           b.app[CLOCK]())
    await drain(a, b, c)
    # Then A's content (its own and its organisation's, boosted) is gone; C's stays
    assert found(b, "Lebensmittel") == {c.app[URLS].practice(prac_c.id): "city-c.test"}
    assert remote_row(b, a.app[URLS].opportunity(opp_a.id)) is None
    assert remote_row(b, a.app[URLS].practice(prac_a.id)) is None
    assert follows.get_follower(a.app[STORE], "city_a", b.app[URLS].actor("city_b")) is None
    # And A's next post does not reach B
    publish_practice(a, "city_a", title="Lebensmittel-Fairteiler")
    await drain(a, b, c)
    assert "city-a.test" not in found(b, "Lebensmittel").values()


async def test_block_domain_purges_and_refuses_its_inbox_posts(net):
    a, b, c = net
    prac_c = publish_practice(c, "city_c", title="Repair-Café im Jugendzentrum")
    prac_a = publish_practice(a, "city_a", title="Repair-Café in der Bibliothek")
    await drain(a, b, c)
    assert len(found(b, "Repair")) == 2

    # When B blocks C's domain
    result = moderation.block_domain(b.app[STORE], "City-C.test", "Spam", b.app[CLOCK]())
    assert result == {"domain": "city-c.test", "followers": 0, "following": 1, "deliveries": 0,
                      "content": 1, "interactions": 0, "responses": 0}
    # Then C's content is purged, A's stays
    assert found(b, "Repair") == {a.app[URLS].practice(prac_a.id): "city-a.test"}
    assert remote_row(b, c.app[URLS].practice(prac_c.id)) is None

    # And C's further deliveries are refused with 403 (C still lists B as a follower)
    publish_practice(c, "city_c", title="Repair-Café auf dem Marktplatz")
    before = len(items(b))
    await drain(a, b, c)
    failed = c.app[STORE].all("SELECT state, last_status FROM deliveries WHERE inbox = ?",
                              ["http://city-b.test/inbox"])
    assert failed[-1] == {"state": "failed", "last_status": 403}
    assert len(items(b)) == before
    assert found(b, "Marktplatz") == {}

    # When the block is lifted, nothing comes back by itself
    assert moderation.unblock_domain(b.app[STORE], "city-c.test")
    assert found(b, "Repair") == {a.app[URLS].practice(prac_a.id): "city-a.test"}


# --- other software: plain Note, Article and Event -------------------------------------------

class OtherSoftware:
    """A small non-Mitwirken server (`other.test`): one Person who signs with bovine and serves
    its objects, like a Mastodon/WordPress/Mobilizon peer would."""

    def __init__(self, resolver, domain: str = "other.test", user: str = "bob") -> None:
        self.resolver = resolver
        self.domain = domain
        self.base = f"http://{domain}"
        self.user = user
        self.public_pem, self.private_pem = generate_rsa_public_private_key()
        self.objects: dict[str, dict] = {}
        self.inbox: list[dict] = []
        self.runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None

    @property
    def actor(self) -> str:
        return f"{self.base}/users/{self.user}"

    def actor_document(self) -> dict:
        return {"@context": [AS, "https://w3id.org/security/v1"], "id": self.actor,
                "type": "Person", "preferredUsername": self.user, "name": "Bob vom Verein",
                "inbox": f"{self.actor}/inbox", "outbox": f"{self.actor}/outbox",
                "followers": f"{self.actor}/followers",
                "endpoints": {"sharedInbox": f"{self.base}/inbox"},
                "publicKey": {"id": f"{self.actor}#main-key", "owner": self.actor,
                              "publicKeyPem": self.public_pem}}

    def sign(self, method: str, url: str, body: bytes = b"") -> dict[str, str]:
        from email.utils import format_datetime
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        headers = {"Host": parts.netloc, "Date": format_datetime(datetime.now(UTC), usegmt=True)}
        sig = HttpSignature().with_field("(request-target)", f"{method.lower()} {parts.path}")
        sig.with_field("host", headers["Host"]).with_field("date", headers["Date"])
        if method == "POST":
            headers["Digest"] = content_digest_sha256(body, prefix="SHA-256")
            headers["Content-Type"] = AP_JSON
            sig.with_field("digest", headers["Digest"]).with_field("content-type", AP_JSON)
        secret = CryptographicSecret.from_pem(f"{self.actor}#main-key", self.private_pem)
        headers["Signature"] = sig.sign_for_http_draft(secret)
        return headers

    async def post(self, url: str, activity: dict) -> int:
        body = json.dumps(activity).encode()
        assert self.session is not None
        async with self.session.post(url, data=body, headers=self.sign("POST", url, body)) as r:
            return r.status

    def create(self, obj: dict) -> dict:
        self.objects[obj["id"]] = obj
        return {"@context": AS, "id": f"{obj['id']}/activity", "type": "Create",
                "actor": self.actor, "to": [PUBLIC], "object": obj}

    async def start(self) -> OtherSoftware:
        app = web.Application()
        app.router.add_get("/.well-known/webfinger", self._webfinger)
        app.router.add_get("/users/{user}", self._actor)
        app.router.add_get("/actor", self._actor)  # where relays keep theirs
        app.router.add_get("/objects/{id}", self._object)
        app.router.add_post("/inbox", self._inbox)
        app.router.add_post("/users/{user}/inbox", self._inbox)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.resolver.ports[self.domain] = site._server.sockets[0].getsockname()[1]
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=self.resolver))
        return self

    async def close(self) -> None:
        if self.session:
            await self.session.close()
        if self.runner:
            await self.runner.cleanup()

    async def _webfinger(self, request: web.Request) -> web.Response:
        if request.query.get("resource") != f"acct:{self.user}@{self.domain}":
            return web.json_response({}, status=404)
        return web.json_response({"subject": f"acct:{self.user}@{self.domain}", "links": [
            {"rel": "self", "type": AP_JSON, "href": self.actor}]},
            content_type="application/jrd+json")

    async def _actor(self, request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(self.actor_document()), content_type=AP_JSON)

    async def _object(self, request: web.Request) -> web.Response:
        obj = self.objects.get(f"{self.base}{request.path}")
        if obj is None:
            return web.json_response({}, status=404)
        return web.Response(text=json.dumps({"@context": AS, **obj}), content_type=AP_JSON)

    async def _inbox(self, request: web.Request) -> web.Response:
        self.inbox.append(await request.json())
        return web.json_response({}, status=202)


@pytest.fixture
async def other(fediverse):
    peer = await OtherSoftware(fediverse.resolver).start()
    yield peer
    await peer.close()


async def test_plain_note_article_and_event_from_other_software_are_kept(fediverse, other):
    b = await fediverse.add("city-b")
    actor = await follow(b, other, "@bob@other.test")
    assert actor == other.actor
    # bob's server accepts the Follow it received
    follow_activity = next(a for a in other.inbox if a["type"] == "Follow")
    accept = {"@context": AS, "id": f"{other.base}/accepts/1", "type": "Accept",
              "actor": other.actor, "object": follow_activity}
    assert await other.post("http://city-b.test/inbox", accept) == 202
    await drain(b)
    assert follows.get_following(b.app[STORE], "city_b", other.actor)["state"] == "accepted"

    base = f"{other.base}/objects"
    note = {"id": f"{base}/1", "type": "Note", "attributedTo": other.actor, "to": [PUBLIC],
            "content": "<p>Wer hilft beim <b>Laubrechen</b>? <script>x()</script></p>",
            "published": "2026-10-01T10:00:00Z"}
    article = {"id": f"{base}/2", "type": "Article", "attributedTo": other.actor,
               "to": [PUBLIC], "name": "Wie unser Dorf einen Bürgerbus betreibt",
               "summary": "Zwölf Fahrerinnen und Fahrer, ein Kleinbus, ein Fahrplan.",
               "content": "<p>Seit 2019 fährt der <em>Bürgerbus</em> dreimal die Woche.</p>",
               "url": f"{other.base}/blog/buergerbus", "published": "2026-09-01T08:00:00Z"}
    event = {"id": f"{base}/3", "type": "Event", "attributedTo": other.actor, "to": [PUBLIC],
             "name": "Pflanzaktion im Gemeindepark",
             "content": "<p>Wir pflanzen 40 Obstbäume. Bitte Spaten mitbringen.</p>",
             "startTime": "2026-11-07T09:00:00+01:00", "endTime": "2026-11-07T13:00:00+01:00",
             "url": f"{other.base}/events/pflanzaktion"}
    for obj in (note, article, event):
        assert await other.post("http://city-b.test/inbox", other.create(obj)) == 202
    await drain(b)

    # Then all three are stored with their origin, HTML sanitised
    kinds = {r["id"]: r["kind"] for r in b.app[STORE].all("SELECT id, kind FROM remote_objects")}
    assert kinds == {note["id"]: "other", article["id"]: "practice", event["id"]: "opportunity"}
    raw = json.loads(remote_row(b, note["id"])["raw"])
    assert "<script>" not in raw["content"] and "Laubrechen" in raw["content"]
    assert remote_row(b, note["id"])["origin"] == "other.test"
    # And the Article and the Event are searchable (the plain Note is not)
    assert found(b, "Bürgerbus") == {article["id"]: "other.test"}
    assert found(b, "Pflanzaktion") == {event["id"]: "other.test"}
    assert found(b, "Laubrechen") == {}
    _, rows = search.search(b.app[STORE], Query(q="Obstbäume"))
    assert rows[0]["url"] == event["url"] and rows[0]["kind"] == "opportunity"
    assert rows[0]["start"] == "2026-11-07T08:00:00Z"
    _, rows = search.search(b.app[STORE], Query(q="buergerbus", kind="practice"))
    assert rows[0]["url"] == article["url"] and rows[0]["title"] == article["name"]
    assert found(b, kind="opportunity", date_from=datetime(2026, 11, 7, tzinfo=UTC)) == {
        event["id"]: "other.test"}

    # And an Announce of a Mastodon-style Note by id is fetched from its origin and kept too
    other.objects[f"{base}/4"] = {**note, "id": f"{base}/4", "content": "<p>Danke!</p>"}
    boost = {"@context": AS, "id": f"{other.base}/boosts/1", "type": "Announce",
             "actor": other.actor, "to": [PUBLIC], "object": f"{base}/4"}
    assert await other.post("http://city-b.test/inbox", boost) == 202
    await drain(b)
    assert remote_row(b, f"{base}/4")["kind"] == "other"


# --- docs/NETWORK.md: every documented command parses, runs or is exercised above -------------

NETWORK_MD = Path(__file__).resolve().parents[2] / "docs" / "NETWORK.md"

# documented subcommand → the tests that exercise its use case end to end
EXERCISED = {
    "follow": [test_b_finds_what_a_and_c_publish_with_their_origin],
    "following": ["cli"],
    "unfollow": [test_unfollow_removes_that_city_from_search, "cli"],
    "followers": ["cli"],
    "approve": [test_manual_approval_holds_city_follow_until_accepted, "cli"],
    "reject": [test_rejected_city_follow_gets_nothing, "cli"],
    "share": [test_b_shares_a_practice_to_d_who_fetches_it_from_a, "cli"],
    "relay add": ["tests/integration/test_relay.py"],
    "relay list": ["cli"],
    "block": [test_block_domain_purges_and_refuses_its_inbox_posts, "cli"],
    "unblock": [test_block_domain_purges_and_refuses_its_inbox_posts, "cli"],
}


def documented_commands() -> list[list[str]]:
    commands, in_block = [], False
    for line in NETWORK_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_block = not in_block
        elif in_block and line.strip().startswith("mitwirken "):
            commands.append(shlex.split(line.strip())[1:])
    return commands


def subcommand(argv: list[str]) -> str:
    return " ".join(argv[:2]) if argv[0] == "relay" else argv[0]


def test_documented_commands_parse_and_each_is_exercised():
    from mitwirken.server.cli import build_parser

    commands = documented_commands()
    assert len(commands) >= 12
    for argv in commands:
        args = build_parser().parse_args(argv)  # SystemExit on anything it would not take
        assert args.data == "/var/lib/mitwirken", argv
        assert callable(args.func)
    assert {subcommand(a) for a in commands} == set(EXERCISED)
    relay_test = Path(__file__).with_name("test_relay.py").read_text()
    assert "social.subscribe_relay" in relay_test


def test_documented_offline_commands_run(tmp_path, capsys):
    """The commands that need no other server, run as documented against a real data folder
    (state they act on is put in place first; network ones are covered by the tests above)."""
    from mitwirken.federation.remote import RemoteActors, parse_actor
    from mitwirken.models.store import Store, utcnow
    from mitwirken.server import cli
    from mitwirken.server.config import load_settings
    from mitwirken.server.usecases.instance import init_instance

    data = tmp_path / "data"
    init_instance(data, "https://engagiert.musterstadt.de", "Engagierte Stadt Musterstadt",
                  "musterstadt")
    store = Store.open(load_settings(data, env={}).db_path)
    now = utcnow()
    neighbour = "https://engagiert.nachbarstadt.de/actors/nachbarstadt"
    RemoteActors(store, None, utcnow).save(parse_actor({
        "id": neighbour, "type": "Organization", "preferredUsername": "nachbarstadt",
        "inbox": f"{neighbour}/inbox",
        "endpoints": {"sharedInbox": "https://engagiert.nachbarstadt.de/inbox"}}))
    follows.add_following(store, username="musterstadt", actor=neighbour,
                          follow_id="https://engagiert.musterstadt.de/activities/f1", now=now)
    follows.set_following_state(store, "https://engagiert.musterstadt.de/activities/f1",
                                "accepted")
    for actor in (neighbour, "https://spam.example/users/bot"):
        follows.add_follower(store, username="musterstadt", actor=actor,
                             follow_id=f"{actor}#follow", state="pending",
                             inbox=f"{actor}/inbox", shared_inbox=None, now=now)
    store.db["remote_objects"].insert({
        "id": "https://engagiert.nachbarstadt.de/praxis/k3x9m2p4q7rt", "kind": "practice",
        "actor": neighbour, "origin": "engagiert.nachbarstadt.de", "raw": "{}",
        "received_at": "2026-01-01T00:00:00Z"})

    outputs = {}
    order = ["following", "followers", "approve", "reject", "share", "relay list", "block",
             "unblock", "unfollow"]
    commands = {subcommand(a): a for a in documented_commands()
                if subcommand(a) in order and "--mastodon" not in a}
    for name in order:
        argv = [x if x != "/var/lib/mitwirken" else str(data) for x in commands[name]]
        assert cli.main(argv) == 0, (name, capsys.readouterr().err)
        outputs[name] = capsys.readouterr().out
    assert neighbour in outputs["following"] and "accepted" in outputs["following"]
    assert "(pending)" in outputs["followers"]
    assert outputs["approve"].startswith("Angenommen")
    assert outputs["reject"].startswith("Abgelehnt")
    assert outputs["share"].startswith("Geteilt: https://engagiert.musterstadt.de/activities/")
    assert "spam.example blockiert" in outputs["block"]
    assert "nicht mehr blockiert" in outputs["unblock"]
    assert "folgt" in outputs["unfollow"] and "nicht mehr" in outputs["unfollow"]
    # what they queued: Accept, Reject, the Announce (to the new follower and to the origin)
    # and the Undo of the follow
    queued = store.all("SELECT o.type, d.inbox FROM deliveries d JOIN outbox o "
                       "ON o.id = d.activity_id ORDER BY d.id")
    assert [(q["type"], q["inbox"]) for q in queued] == [
        ("Accept", f"{neighbour}/inbox"), ("Reject", "https://spam.example/users/bot/inbox"),
        ("Announce", "https://engagiert.nachbarstadt.de/inbox"),
        ("Announce", f"{neighbour}/inbox"),
        ("Undo", f"{neighbour}/inbox")]
    assert follows.get_follower(store, "musterstadt", neighbour)["state"] == "accepted"
    assert follows.get_following(store, "musterstadt", neighbour) is None
