"""What a Mastodon server sees when it discovers a city instance (interop.md §1–2)."""

from __future__ import annotations

import pytest

AP = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


async def test_webfinger_acct_returns_jrd_with_self_and_profile(client):
    resp = await client.get("/.well-known/webfinger",
                            params={"resource": "acct:musterstadt@musterstadt.test"})
    assert resp.status == 200
    assert resp.content_type == "application/jrd+json"
    jrd = await resp.json(content_type=None)
    assert jrd["subject"] == "acct:musterstadt@musterstadt.test"
    assert "http://musterstadt.test/actors/musterstadt" in jrd["aliases"]
    links = {link["rel"]: link for link in jrd["links"]}
    assert links["self"] == {"rel": "self", "type": AP,
                             "href": "http://musterstadt.test/actors/musterstadt"}
    assert links["http://webfinger.net/rel/profile-page"]["href"] == \
        "http://musterstadt.test/@musterstadt"
    # no remote-interaction template: nobody here follows or answers with a personal account
    assert "http://ostatus.org/schema/1.0/subscribe" not in links
    resp = await client.get("/authorize_interaction", params={"uri": "https://x.example/1"})
    assert resp.status == 404


@pytest.mark.parametrize("resource", [
    "http://musterstadt.test/actors/tafel", "acct:TAFEL@musterstadt.test",
    "tafel@musterstadt.test", "http://musterstadt.test/@tafel"])
async def test_webfinger_resolves_actor_url_and_variants(client, resource):
    resp = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert resp.status == 200
    assert (await resp.json(content_type=None))["subject"] == "acct:tafel@musterstadt.test"


@pytest.mark.parametrize("resource", [
    "acct:nobody@musterstadt.test", "acct:tafel@elsewhere.example",
    "https://elsewhere.example/actors/tafel", "acct:instance@musterstadt.test"])
async def test_webfinger_unknown_account_is_404_json(client, resource):
    resp = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert resp.status == 404
    assert (await resp.json())["error"] == "not_found"


async def test_webfinger_without_resource_is_400(client):
    resp = await client.get("/.well-known/webfinger")
    assert resp.status == 400
    assert (await resp.json())["error"] == "missing_resource"


async def test_webfinger_instance_actor_by_host_url(client):
    """FEP-d556: the server itself resolves to the instance actor."""
    resp = await client.get("/.well-known/webfinger",
                            params={"resource": "http://musterstadt.test/"})
    jrd = await resp.json(content_type=None)
    assert jrd["links"][0]["href"] == "http://musterstadt.test/actor"


async def test_host_meta_points_to_webfinger(client):
    resp = await client.get("/.well-known/host-meta")
    assert resp.status == 200
    assert resp.content_type == "application/xrd+xml"
    body = await resp.text()
    assert 'template="http://musterstadt.test/.well-known/webfinger?resource={uri}"' in body


async def test_nodeinfo_links_and_documents(client):
    links = (await (await client.get("/.well-known/nodeinfo")).json())["links"]
    rels = {link["rel"]: link["href"] for link in links}
    assert rels["http://nodeinfo.diaspora.software/ns/schema/2.0"].endswith("/nodeinfo/2.0")
    assert rels["http://nodeinfo.diaspora.software/ns/schema/2.1"].endswith("/nodeinfo/2.1")
    # FEP-2677: the application actor is linked.
    assert rels["https://www.w3.org/ns/activitystreams#Application"] == \
        "http://musterstadt.test/actor"
    for version in ("2.0", "2.1"):
        resp = await client.get(f"/nodeinfo/{version}")
        assert resp.status == 200
        doc = await resp.json(content_type=None)
        assert doc["version"] == version
        assert doc["software"]["name"] == "mitwirken"
        assert doc["software"]["version"]
        assert doc["protocols"] == ["activitypub"]
        assert doc["openRegistrations"] is False
        assert doc["usage"]["users"]["total"] == 2  # city + tafel, not the instance actor
        assert doc["usage"]["localPosts"] == 0
        assert doc["metadata"]["nodeName"] == "Engagierte Stadt Musterstadt"
    assert (await client.get("/nodeinfo/9.9")).status == 404


async def test_organisation_actor_document_as_mastodon_expects(client):
    resp = await client.get("/actors/tafel", headers={"Accept": AP})
    assert resp.status == 200
    assert resp.content_type == AP
    actor = await resp.json(content_type=None)
    ctx = actor["@context"]
    assert ctx[0] == "https://www.w3.org/ns/activitystreams"
    assert "https://w3id.org/security/v1" in ctx
    terms = ctx[-1]
    for term in ("manuallyApprovesFollowers", "discoverable", "indexable", "PropertyValue",
                 "toot", "schema"):
        assert term in terms
    base = "http://musterstadt.test/actors/tafel"
    assert actor["id"] == base
    assert actor["type"] == "Organization"
    assert actor["preferredUsername"] == "tafel"
    assert actor["name"] == "Tafel Musterstadt e.V."
    assert actor["url"] == "http://musterstadt.test/@tafel"
    assert actor["inbox"] == base + "/inbox"
    assert actor["outbox"] == base + "/outbox"
    assert actor["followers"] == base + "/followers"
    assert actor["following"] == base + "/following"
    assert actor["endpoints"] == {"sharedInbox": "http://musterstadt.test/inbox"}
    assert actor["publicKey"]["id"] == base + "#main-key"
    assert actor["publicKey"]["owner"] == base
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["icon"]["type"] == "Image" and actor["icon"]["url"].startswith("http")
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True and actor["indexable"] is True
    assert actor["published"].endswith("Z")
    fields = {f["name"]: f for f in actor["attachment"]}
    assert all(f["type"] == "PropertyValue" for f in fields.values())
    assert fields["Sprechzeiten"]["value"] == "Di 10–12 Uhr"
    assert fields["Telefon"]["value"] == "0123 456"
    assert 'href="https://tafel.example"' in fields["Website"]["value"]


async def test_city_actor_is_organization_too(client):
    actor = await (await client.get("/actors/musterstadt", headers={"Accept": AP})).json(
        content_type=None)
    assert actor["type"] == "Organization"
    assert {"type": "PropertyValue", "name": "Netzwerk", "value": "Engagierte Stadt"} in \
        actor["attachment"]


async def test_instance_actor_is_application(client):
    resp = await client.get("/actor", headers={"Accept": AP})
    actor = await resp.json(content_type=None)
    assert actor["type"] == "Application"
    assert actor["id"] == "http://musterstadt.test/actor"
    assert actor["preferredUsername"] == "musterstadt.test"
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["inbox"].startswith("http://musterstadt.test/")


@pytest.mark.parametrize("accept", [AP, LD, "application/ld+json"])
async def test_content_negotiation_json(client, accept):
    resp = await client.get("/@tafel", headers={"Accept": accept})
    assert resp.status == 200
    assert resp.content_type == AP
    assert (await resp.json(content_type=None))["id"] == "http://musterstadt.test/actors/tafel"


async def test_browser_gets_german_profile_page_with_alternate_link(client):
    resp = await client.get("/@tafel", headers={"Accept": "text/html,application/xhtml+xml"})
    assert resp.status == 200
    assert resp.content_type == "text/html"
    page = await resp.text()
    assert '<html lang="de">' in page
    assert "Tafel Musterstadt e.V." in page
    assert "@tafel@musterstadt.test" in page
    assert ('<link rel="alternate" type="application/activity+json" '
            'href="http://musterstadt.test/actors/tafel">') in page
    assert "Folgen" in page


async def test_browser_on_actor_url_is_redirected_to_profile(client):
    resp = await client.get("/actors/tafel", headers={"Accept": "text/html"},
                            allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "http://musterstadt.test/@tafel"


async def test_unknown_actor_404_json_and_german_html(client):
    resp = await client.get("/actors/nobody", headers={"Accept": AP})
    assert resp.status == 404
    assert (await resp.json())["error"] == "not_found"
    resp = await client.get("/@nobody", headers={"Accept": "text/html"})
    assert resp.status == 404
    assert "Diese Seite gibt es nicht." in await resp.text()


@pytest.mark.parametrize("path", ["outbox", "followers", "following"])
async def test_collections_are_paged_ordered_collections(client, path):
    coll_id = f"http://musterstadt.test/actors/tafel/{path}"
    resp = await client.get(f"/actors/tafel/{path}", headers={"Accept": AP})
    assert resp.status == 200
    doc = await resp.json(content_type=None)
    assert doc["type"] == "OrderedCollection"
    assert doc["id"] == coll_id
    assert doc["totalItems"] == 0
    assert doc["first"] == coll_id + "?page=1"
    page = await (await client.get(f"/actors/tafel/{path}?page=1")).json(content_type=None)
    assert page["type"] == "OrderedCollectionPage"
    assert page["partOf"] == coll_id
    assert page["orderedItems"] == []
    assert (await client.get(f"/actors/tafel/{path}?page=abc")).status == 400


async def test_namespace_context_served(client):
    resp = await client.get("/ns")
    assert resp.status == 200
    ctx = (await resp.json(content_type=None))["@context"]
    assert ctx["mw"] == "https://w3id.org/mitwirken/ns#"
    assert ctx["timeBudget"] == "mw:timeBudget"


async def test_unknown_route_json_error_not_traceback(client):
    resp = await client.get("/does/not/exist")
    assert resp.status == 404
    assert (await resp.json())["error"]


async def test_home_page_lists_organisations_in_german(client):
    resp = await client.get("/", headers={"Accept": "text/html"})
    assert resp.status == 200
    page = await resp.text()
    assert "Tafel Musterstadt e.V." in page and "Organisationen" in page


async def test_hashtag_links_lead_to_a_tag_page(client):
    """The hashtag links inside our Notes point at /tags/{name}; they must not 404."""
    from mitwirken.server.app_keys import SERVICES

    client.server.app[SERVICES].content.create("opportunities", "tafel", {
        "title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}, "cause_areas": ["bildung"]})
    resp = await client.get("/tags/bildung", headers={"Accept": "text/html"})
    assert resp.status == 200
    page = await resp.text()
    assert "<h1>#Bildung</h1>" in page and "Lesepat:in gesucht" in page
    assert "Lesepat:in gesucht" not in await (await client.get("/tags/umwelt")).text()
    resp = await client.get("/tags/musterstadt", headers={"Accept": "text/html"})
    assert resp.status == 200


async def test_pages_forbid_scripts_by_content_security_policy(client):
    resp = await client.get("/@tafel", headers={"Accept": "text/html"})
    assert "script-src 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_absurd_numbers_are_400_not_500(client):
    huge = "99999999999999999999"
    for url in (f"/angebote?seite={huge}", f"/praxis?seite={huge}",
                f"/api/v1/search?offset={huge}", f"/api/v1/search?q=x&age={huge}"):
        resp = await client.get(url)
        assert resp.status == 400, url


async def test_inbox_body_that_is_not_utf8_is_400(client):
    body = '{"id": "https://m.example/1", "type": "Like", "actor": "https://m.example/a"}'
    resp = await client.post("/inbox", data=body.encode("utf-16"),
                             headers={"Content-Type": "application/activity+json"})
    assert resp.status == 400
    assert (await resp.json())["error"] == "malformed_json"


async def test_opportunity_page_shows_facts_in_the_posts_wording(client):
    from mitwirken.server.app_keys import SERVICES

    opp = client.server.app[SERVICES].content.create("opportunities", "tafel", {
        "title": "Pflanzaktion", "description": "Bäume pflanzen", "kind": "one-off",
        "contact": {"email": "info@example.org"}, "start": "2026-12-05T09:00:00+00:00",
        "end": "2026-12-05T14:00:00+00:00", "time_budget": {"hours": 2.5, "unit": "total"}})
    page = await (await client.get(f"/angebote/{opp.id}",
                                   headers={"Accept": "text/html"})).text()
    assert "Sa., 5. Dezember 2026, 10:00–15:00 Uhr" in page  # Europe/Berlin, as in the Note
    assert "ca. 2,5 Std. insgesamt" in page
    assert '<p class="status">Offen</p>' in page
    listing = await (await client.get("/angebote", headers={"Accept": "text/html"})).text()
    assert "5. Dezember 2026" in listing
