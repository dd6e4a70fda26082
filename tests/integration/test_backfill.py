"""Sharing the past (issue 16): following a city brings what it published before.

Two real instances on loopback (tests/fediverse.py): `nachbar` publishes first, then `stadt`
follows it; the backfill worker is ticked by hand, one outbox page per tick (pacing 0)."""

from __future__ import annotations

import asyncio
import json
import shlex
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import tests.fediverse
from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import backfills
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.cli import main
from mitwirken.server.config import load_settings
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases.instance import init_instance
from tests.fediverse import drain, free_port
from tests.integration.test_network import (
    add_org,
    follow,
    publish_opportunity,
    publish_practice,
    remote_row,
)

CITY_OBJECTS, ORG_OBJECTS = 450, 50
NO_PACING = {"backfill_page_interval_seconds": 0}


@pytest.fixture
def requests(monkeypatch) -> dict[str, list[str]]:
    """Every app made by the fediverse fixture records the path and query it served."""
    log: dict[str, list[str]] = defaultdict(list)
    real_create_app = tests.fediverse.create_app

    def create_app_logged(settings, **kw):
        app = real_create_app(settings, **kw)

        @web.middleware
        async def record(request: web.Request, handler):
            log[settings.domain].append(request.path_qs)
            return await handler(request)

        app.middlewares.insert(0, record)
        return app

    monkeypatch.setattr(tests.fediverse, "create_app", create_app_logged)
    return log


def outbox_pages(requests, inst, city: str = "nachbar") -> list[str]:
    return [p for p in requests[inst.settings.domain] if p.startswith(
        f"/actors/{city}/outbox")]


async def run_backfill(inst, max_ticks: int = 200) -> int:
    """Tick the backfill worker until no backfill is due; returns the pages read."""
    pages = 0
    for _ in range(max_ticks):
        moved = await inst.app[SERVICES].workers.backfill.tick()
        if not moved:
            return pages
        pages += moved
    raise AssertionError("backfill still busy")


def stored(inst, origin: str = "nachbar.test") -> list[dict]:
    return inst.app[STORE].all("SELECT id, actor, shared_by FROM remote_objects "
                               "WHERE origin = ?", [origin])


def row(inst, actor: str) -> dict:
    found = backfills.get(inst.app[STORE], inst.settings.city_username, actor)
    assert found is not None
    return found


@pytest.fixture
async def nachbar(fediverse, requests):
    """A city with 500 objects published before anyone follows it: 450 of its own, 50 of its
    organisation `tafel` (which the city passes on by boosting them)."""
    city = await fediverse.add("nachbar")
    add_org(city, "tafel", "Tafel Nachbarstadt e.V.")
    for i in range(CITY_OBJECTS):
        publish_opportunity(city, "nachbar", title=f"Lesepatenschaft Nummer {i}")
    for i in range(ORG_OBJECTS):
        publish_practice(city, "tafel", title=f"Lebensmittel retten, Teil {i}")
    return city


async def test_all_500_objects_arrive_once_with_their_origin(fediverse, nachbar, requests):
    stadt = await fediverse.add("stadt", **NO_PACING)
    actor = await follow(stadt, nachbar)
    assert row(stadt, actor)["state"] == "running"

    pages = await run_backfill(stadt)

    objects = stored(stadt)
    assert len(objects) == len({o["id"] for o in objects}) == CITY_OBJECTS + ORG_OBJECTS
    org = [o for o in objects if o["actor"].endswith("/actors/tafel")]
    assert len(org) == ORG_OBJECTS
    assert {o["shared_by"] for o in org} == {actor}  # passed on by the city, as when live
    assert {o["shared_by"] for o in objects if o not in org} == {None}
    indexed = stadt.app[STORE].scalar("SELECT count(*) FROM search_items WHERE origin = ?",
                                      ["nachbar.test"])
    assert indexed == CITY_OBJECTS + ORG_OBJECTS
    done = row(stadt, actor)
    assert (done["state"], done["stored"], done["seen"]) == ("done", 500, 500)
    # The city's outbox: 450 Creates and 50 Announces (the organisation's Creates are in the
    # organisation's outbox), 20 a page: 25 pages, each read once
    assert pages == 25
    assert outbox_pages(requests, nachbar) == ["/actors/nachbar/outbox"] + [
        f"/actors/nachbar/outbox?page={n}" for n in range(1, 26)]

    # A second backfill of the same actor finds everything there already: nothing twice
    backfills.start(stadt.app[STORE], "stadt", actor, stadt.app[CLOCK]())
    await run_backfill(stadt)
    again = row(stadt, actor)
    assert (again["state"], again["stored"], again["seen"]) == ("done", 0, 500)
    assert len(stored(stadt)) == CITY_OBJECTS + ORG_OBJECTS


async def test_a_crash_in_the_middle_resumes_where_it_stopped(fediverse, nachbar, requests):
    stadt = await fediverse.add("stadt", **NO_PACING)
    actor = await follow(stadt, nachbar)
    for _ in range(3):
        assert await stadt.app[SERVICES].workers.backfill.tick() == 1
    assert len(stored(stadt)) == 60

    # The process dies in the middle of page 4, after five of its objects were ingested
    network = stadt.app[SERVICES].network
    real_ingest, calls = network.ingest, []

    def dying_ingest(*args, **kw):
        if len(calls) == 5:
            raise SystemExit("killed")
        calls.append(1)
        return real_ingest(*args, **kw)

    network.ingest = dying_ingest
    with pytest.raises(SystemExit):
        await stadt.app[SERVICES].workers.backfill.tick()
    assert len(stored(stadt)) == 60  # the page's objects and cursor commit together
    assert row(stadt, actor)["cursor"].endswith("?page=4")
    await stadt.server.close()

    # A new process on the same data folder goes on from page 4
    app = create_app(stadt.settings, resolver=fediverse.resolver, start_workers=False)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    fediverse.resolver.ports["stadt.test"] = server.port
    stadt.app, stadt.server = app, server
    await run_backfill(stadt)

    objects = stored(stadt)
    assert len(objects) == len({o["id"] for o in objects}) == CITY_OBJECTS + ORG_OBJECTS
    pages = outbox_pages(requests, nachbar)
    assert pages.count("/actors/nachbar/outbox?page=1") == 1
    assert pages.count("/actors/nachbar/outbox?page=4") == 2  # read again after the crash
    assert pages.count("/actors/nachbar/outbox?page=5") == 1
    assert row(stadt, actor)["state"] == "done"


async def test_an_unfollow_stops_the_backfill(fediverse, nachbar, requests):
    stadt = await fediverse.add("stadt", **NO_PACING)
    actor = await follow(stadt, nachbar)
    for _ in range(2):
        await stadt.app[SERVICES].workers.backfill.tick()
    assert social.unfollow(stadt.app[STORE], stadt.app[URLS], "stadt", actor,
                           stadt.app[CLOCK]())
    await drain(stadt, nachbar)
    read_so_far = len(outbox_pages(requests, nachbar))

    assert await run_backfill(stadt) == 0
    assert row(stadt, actor)["state"] == "stopped"
    assert len(outbox_pages(requests, nachbar)) == read_so_far
    assert stored(stadt) == []  # what the backfill brought went with the unfollow


async def test_the_object_limit_is_honoured_newest_first(fediverse, nachbar):
    stadt = await fediverse.add("stadt", backfill_max_objects=30, **NO_PACING)
    actor = await follow(stadt, nachbar)
    await run_backfill(stadt)

    objects = stored(stadt)
    assert len(objects) == 30
    done = row(stadt, actor)
    assert (done["state"], done["seen"]) == ("done", 30)
    newest = nachbar.app[STORE].all(
        "SELECT object_id FROM outbox WHERE username = 'nachbar' AND public = 1 "
        "ORDER BY seq DESC LIMIT 30")
    assert {o["id"] for o in objects} == {r["object_id"] for r in newest}


async def test_the_time_window_is_honoured(fediverse, requests):
    now = datetime.now(UTC)
    clock = {"now": now - timedelta(days=400)}
    old_city = await fediverse.add("nachbar", clock=lambda: clock["now"])
    old = [publish_opportunity(old_city, "nachbar", title=f"Alt {i}") for i in range(25)]
    clock["now"] = now - timedelta(days=30)
    recent = [publish_opportunity(old_city, "nachbar", title=f"Neu {i}") for i in range(5)]
    clock["now"] = now  # signatures are checked against the clock
    stadt = await fediverse.add("stadt", backfill_months=12, **NO_PACING)
    actor = await follow(stadt, old_city)
    await run_backfill(stadt)

    urls = old_city.app[URLS]
    assert {o["id"] for o in stored(stadt)} == {urls.opportunity(o.id) for o in recent}
    assert not {urls.opportunity(o.id) for o in old} & {o["id"] for o in stored(stadt)}
    assert row(stadt, actor)["state"] == "done"
    assert outbox_pages(requests, old_city) == ["/actors/nachbar/outbox",
                                                "/actors/nachbar/outbox?page=1"]


async def test_pacing_makes_the_next_page_wait(fediverse, nachbar):
    stadt = await fediverse.add("stadt", backfill_page_interval_seconds=3600)
    actor = await follow(stadt, nachbar)
    assert await stadt.app[SERVICES].workers.backfill.tick() == 1
    assert await stadt.app[SERVICES].workers.backfill.tick() == 0  # next page not due yet
    assert len(stored(stadt)) == 20
    assert row(stadt, actor)["state"] == "running"


NETWORK_MD = Path(__file__).resolve().parents[2] / "docs" / "NETWORK.md"
OPERATIONS_MD = Path(__file__).resolve().parents[2] / "docs" / "OPERATIONS.md"


def doc_line(start: str, doc: Path = NETWORK_MD) -> str:
    return next(line for line in doc.read_text("utf-8").splitlines() if line.startswith(start))


async def test_following_shows_the_progress(fediverse, nachbar, capsys):
    stadt = await fediverse.add("stadt", **NO_PACING)
    actor = await follow(stadt, nachbar)
    await stadt.app[SERVICES].workers.backfill.tick()
    assert main(["following", "--data", str(stadt.settings.data_dir)]) == 0
    shown = capsys.readouterr().out
    assert shown == f"{actor}\taccepted\tVergangenes: 20 übernommen (läuft)\n"
    # docs/NETWORK.md shows the same line for another city, 120 objects in
    assert doc_line("https://engagiert.nachbarstadt.de/actors/") == \
        shown.strip().replace(actor, "https://engagiert.nachbarstadt.de/actors/nachbarstadt"
                              ).replace(" 20 ", " 120 ")
    await run_backfill(stadt)
    assert main(["following", "--data", str(stadt.settings.data_dir)]) == 0
    assert capsys.readouterr().out == \
        f"{actor}\taccepted\tVergangenes: 500 übernommen (fertig)\n"


# --- following by handle between two local demo cities ---------------------------------------

async def test_follow_by_handle_of_a_local_city_falls_back_to_http(fediverse, capsys):
    """`mitwirken follow @nachbarstadt@127.0.0.1:PORT` between two demo cities: WebFinger over
    https fails (the demo speaks plain http), and with `allow_private_network` http is tried."""
    port = free_port()
    data = fediverse.root / "demo"
    init_instance(data, f"http://127.0.0.1:{port}", "Engagierte Nachbarstadt", "nachbarstadt",
                  allow_private_network=True)
    app = create_app(load_settings(data, env={}), start_workers=False)
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        stadt = await fediverse.add("stadt")
        argv = shlex.split(doc_line("$ mitwirken follow @nachbarstadt@127.0.0.1:")[2:])[1:]
        assert argv == ["follow", "@nachbarstadt@127.0.0.1:8081", "--data", "./demo-a"]
        argv = ["follow", f"@nachbarstadt@127.0.0.1:{port}", "--data",
                str(stadt.settings.data_dir)]  # the documented command, on this test's port
        assert await asyncio.to_thread(main, argv) == 0
    finally:
        await server.close()
    actor = f"http://127.0.0.1:{port}/actors/nachbarstadt"
    assert f"an {actor} ist unterwegs" in capsys.readouterr().out
    following = stadt.app[STORE].one("SELECT state FROM following WHERE actor = ?", [actor])
    assert following == {"state": "requested"}
    audited = stadt.app[STORE].one("SELECT action, target FROM audit_log")  # an admin's act
    assert audited == {"action": "follow", "target": actor}


async def test_forged_outbox_items_get_the_checks_of_a_live_delivery(fediverse):
    """A peer's outbox cannot slip in what its inbox deliveries could not: an object on
    another host, or an activity of another actor, is refused; the rest arrives."""
    nachbar = await fediverse.add("nachbar")
    real = publish_opportunity(nachbar, "nachbar", title="Echtes Angebot")
    now = nachbar.app[CLOCK]()
    urls = nachbar.app[URLS]
    doc = nachbar.app[SERVICES].content.to_ap(real)
    forged = [
        activities.create(urls, "nachbar", {**doc, "id": "http://dritte.test/angebote/x"}, now),
        {**activities.create(urls, "nachbar", {**doc, "id": urls.opportunity("y")}, now),
         "actor": "http://dritte.test/actors/dritte"},
    ]
    for activity in forged:
        publish(nachbar.app[STORE], "nachbar", activity, now, to_followers=False)
    stadt = await fediverse.add("stadt", **NO_PACING)
    actor = await follow(stadt, nachbar)
    await run_backfill(stadt)

    assert [o["id"] for o in stored(stadt)] == [urls.opportunity(real.id)]
    assert stored(stadt, "dritte.test") == []
    assert row(stadt, actor)["state"] == "done"


def test_the_documented_settings_examples_hold(tmp_path):
    """The `mitwirken.toml` example of docs/NETWORK.md and the environment example of
    docs/OPERATIONS.md set what they say."""
    text = NETWORK_MD.read_text("utf-8")
    toml_block = text.split("```toml\nbackfill_max_objects", 1)[1].split("```", 1)[0]
    data = tmp_path / "data"
    init_instance(data, "http://musterstadt.test", "Musterstadt", "musterstadt")
    with (data / "mitwirken.toml").open("a", encoding="utf-8") as f:
        f.write("backfill_max_objects" + toml_block)
    settings = load_settings(data, env={})
    assert (settings.backfill_max_objects, settings.backfill_months) == (500, 6)
    assert settings.backfill_page_interval_seconds == 0.5  # the documented default

    line = doc_line("MITWIRKEN_BACKFILL_MAX_OBJECTS=", OPERATIONS_MD)
    env = dict(word.split("=", 1) for word in shlex.split(line) if "=" in word)
    settings = load_settings(data, env=env)
    assert (settings.backfill_max_objects, settings.backfill_months) == (500, 6)


# --- what the outbox says of edits and deletions; live deliveries meanwhile; a dead peer ------

async def test_edits_deletions_and_live_deliveries_arrive_once_in_their_last_state(
        fediverse, requests):
    nachbar = await fediverse.add("nachbar")
    content = nachbar.app[SERVICES].content
    kept = [publish_opportunity(nachbar, "nachbar", title=f"Angebot {i}") for i in range(30)]
    content.update("opportunities", kept[3].id, {"title": "Angebot 3, neu gefasst"})
    content.delete("opportunities", kept[7].id)
    stadt = await fediverse.add("stadt", **NO_PACING)
    actor = await follow(stadt, nachbar)
    live = publish_opportunity(nachbar, "nachbar", title="Live zugestellt")
    await drain(stadt, nachbar)  # arrives live before the backfill's first page
    urls = nachbar.app[URLS]
    assert remote_row(stadt, urls.opportunity(live.id)) is not None

    await run_backfill(stadt)

    ids = [o["id"] for o in stored(stadt)]
    assert len(ids) == len(set(ids)) == 30  # 29 kept + the live one, each once
    assert urls.opportunity(kept[7].id) not in ids  # its Delete is newer than its Create
    edited = json.loads(remote_row(stadt, urls.opportunity(kept[3].id))["raw"])
    assert "Angebot 3, neu gefasst" in edited["content"]  # the Update is newer: it wins
    done = row(stadt, actor)
    assert (done["state"], done["stored"]) == ("done", 29)


async def test_an_unreachable_peer_is_retried_later_then_given_up(fediverse, capsys):
    nachbar = await fediverse.add("nachbar")
    publish_opportunity(nachbar, "nachbar", title="Angebot")
    clock = {"now": datetime.now(UTC)}
    stadt = await fediverse.add("stadt", clock=lambda: clock["now"], **NO_PACING)
    actor = await follow(stadt, nachbar)
    await nachbar.server.close()  # the peer is gone

    assert await stadt.app[SERVICES].workers.backfill.tick() == 1
    waiting = row(stadt, actor)
    assert (waiting["state"], waiting["attempts"]) == ("running", 1)
    assert "fetching" in waiting["error"]
    assert datetime.fromisoformat(waiting["next_at"]) > stadt.app[CLOCK]()
    assert await stadt.app[SERVICES].workers.backfill.tick() == 0  # not due before its time

    for _ in range(4):  # every later try fails as well, the last one for good
        clock["now"] += timedelta(hours=1)  # the wait is over
        assert await stadt.app[SERVICES].workers.backfill.tick() == 1
    failed = row(stadt, actor)
    assert (failed["state"], failed["attempts"]) == ("failed", 4)  # 4 retries, 5 tries
    assert failed["finished_at"] is not None
    assert main(["following", "--data", str(stadt.settings.data_dir)]) == 0
    assert capsys.readouterr().out.startswith(
        f"{actor}\taccepted\tVergangenes: 0 übernommen (fehlgeschlagen: ClientConnectorError")
