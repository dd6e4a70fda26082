"""WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.0/2.1 (interop.md §1): ours,
and reading a remote instance's software from its NodeInfo."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from mitwirken.federation.as_types import Jrd, Link, NodeInfo, NodeInfoLinks, NodeInfoSoftware
from mitwirken.federation.fetch import Fetcher, FetchError, is_local_test_host
from mitwirken.federation.urls import Urls

# The remote-follow template of a visitor's own server (read by the "Folgen" form). We do not
# advertise one: nobody on a city instance follows or answers from here with a personal account.
SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
NODEINFO_VERSIONS = ("2.0", "2.1")


def parse_resource(resource: str, urls: Urls) -> str | None:
    """Map a WebFinger `resource` to a local username, '@instance' for the instance actor, or
    None when it is not ours. Accepts `acct:user@domain`, `user@domain`, actor and profile URLs."""
    resource = unquote(resource.strip())
    if resource.startswith("acct:"):
        resource = resource[5:]
    if "://" not in resource:
        user, sep, domain = resource.lstrip("@").rpartition("@")
        if not sep or domain.lower() != urls.domain.lower() or not user:
            return None
        if user.lower() == urls.hostname.lower():
            return "@instance"
        return user.lower()
    if resource.rstrip("/") == urls.base or resource == urls.instance_actor:
        return "@instance"
    for prefix in (urls.base + "/actors/", urls.base + "/@"):
        if resource.startswith(prefix):
            rest = resource[len(prefix):]
            if rest and "/" not in rest:
                return rest
    return None


def jrd(username: str, urls: Urls, *, instance: bool = False) -> Jrd:
    """The JRD document Mastodon needs: subject, aliases, self link (AP), profile page, and the
    remote-follow template."""
    if instance:
        actor_id = urls.instance_actor
        subject = f"acct:{urls.hostname}@{urls.domain}"
        profile = f"{urls.base}/about"
    else:
        actor_id = urls.actor(username)
        subject = f"acct:{username}@{urls.domain}"
        profile = urls.profile(username)
    return {
        "subject": subject,
        "aliases": [actor_id, profile],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor_id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile},
        ],
    }


def host_meta(urls: Urls) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{urls.base}/.well-known/webfinger?resource={{uri}}"/>\n'
        "</XRD>\n"
    )


def nodeinfo_links(urls: Urls) -> NodeInfoLinks:
    links: list[Link] = [
        {
            "rel": f"http://nodeinfo.diaspora.software/ns/schema/{v}",
            "href": f"{urls.base}/nodeinfo/{v}",
        }
        for v in NODEINFO_VERSIONS
    ]
    # FEP-2677: the application actor is discoverable from the NodeInfo links.
    links.append({"rel": "https://www.w3.org/ns/activitystreams#Application",
                  "href": urls.instance_actor})
    return {"links": links}


def nodeinfo(version: str, *, software_version: str, name: str, city_username: str,
             users: int, local_posts: int, urls: Urls, active_month: int, active_halfyear: int
             ) -> NodeInfo:
    software: NodeInfoSoftware = {"name": "mitwirken", "version": software_version}
    if version == "2.1":
        software["repository"] = "https://github.com/mitwirken/mitwirken"
        software["homepage"] = urls.base
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {
            "users": {"total": users, "activeMonth": active_month,
                      "activeHalfyear": active_halfyear},
            "localPosts": local_posts,
        },
        "metadata": {
            "nodeName": name,
            "nodeDescription": f"{name}: Engagement-Angebote und Praxisbeispiele, föderiert.",
            "cityActor": urls.actor(city_username),
            "staffAccounts": [urls.actor(city_username)],
        },
    }


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


NODEINFO_REL = "http://nodeinfo.diaspora.software/ns/schema/"
JSON_TYPES = ("application/json", "application/jrd+json")


async def remote_software(fetcher: Fetcher, domain: str) -> tuple[str | None, str | None]:
    """(software name, version) from a remote instance's NodeInfo (the newest 2.x schema it
    links). Raises `FetchError`; unsigned GETs through the fetcher's guards."""
    scheme = "http" if fetcher.allow_private and is_local_test_host(domain) else "https"
    _, links = await fetcher.get_json(f"{scheme}://{domain}/.well-known/nodeinfo",
                                      accept="application/json", signed=False,
                                      media_types=JSON_TYPES)
    found = [(str(link.get("rel"))[len(NODEINFO_REL):], link["href"])
             for link in links.get("links", []) if isinstance(link, dict)
             and str(link.get("rel", "")).startswith(NODEINFO_REL + "2.")
             and isinstance(link.get("href"), str)]
    if not found:
        raise FetchError("no NodeInfo 2.x link")
    _, doc = await fetcher.get_json(max(found)[1], accept="application/json", signed=False,
                                    media_types=JSON_TYPES)
    software = doc.get("software")
    if not isinstance(software, dict):
        raise FetchError("NodeInfo without software")
    name, version = software.get("name"), software.get("version")
    return (str(name)[:100] if isinstance(name, str) else None,
            str(version)[:100] if isinstance(version, str) else None)
