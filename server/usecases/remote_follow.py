"""Follow from a visitor's own server: the "Folgen" form on our pages.

The visitor types their handle (`@name@mastodon.social`); we read their server's WebFinger
document and send them to the page where their server asks "follow @tafel@our.domain?" —
FEP-3b86's Follow intent where it is offered, else the OStatus subscribe template every
Mastodon serves. Nothing is stored and nothing is signed: the follow itself then arrives in
our inbox like any other.

The address we redirect to comes from a document a stranger controls, so it must be an
https (or, with `allow_private_network`, http) URL on the handle's host or on the host of the
actor it names — never a redirect to anywhere."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from mitwirken.federation.discovery import SUBSCRIBE_REL
from mitwirken.federation.fetch import Fetcher, FetchError, actor_link, webfinger_jrd
from mitwirken.models.text_marks import N_

log = logging.getLogger("mitwirken.remote_follow")

FOLLOW_INTENT_REL = "https://w3id.org/fep/3b86/Follow"


class CannotFollow(Exception):
    """The handle could not be turned into a follow page; `message` is German, for the form."""

    def __init__(self, message: str, reason: str, **values: str) -> None:
        super().__init__(reason)
        self.template = message  # marked (N_); `values` fill its %(name)s fields
        self.values = values
        self.message = message % values if values else message
        self.reason = reason


def _template(jrd: dict, rel: str) -> str | None:
    for link in jrd.get("links", []):
        if isinstance(link, dict) and link.get("rel") == rel \
                and isinstance(link.get("template"), str):
            return str(link["template"])
    return None


def _allowed(url: str, hosts: set[str], allow_http: bool) -> bool:
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    return parts.scheme in schemes and (parts.hostname or "").lower() in hosts


async def follow_page(fetcher: Fetcher, visitor: str, our_handle: str, our_actor: str) -> str:
    """The URL on the visitor's server that asks them to follow `our_handle`."""
    visitor = visitor.strip()
    if visitor.count("@") not in (1, 2) or len(visitor) > 300:
        raise CannotFollow(N_("Bitte geben Sie Ihre Adresse im Fediverse so ein: "
                              "@name@beispiel.social"), "not_a_handle")
    try:
        host, jrd = await webfinger_jrd(fetcher, visitor)
    except FetchError as exc:
        log.info("remote_follow_failed handle=%s reason=%s", visitor[:100], exc.reason)
        raise CannotFollow(N_("Diese Adresse konnten wir nicht finden. Stimmt die Schreibweise, "
                              "zum Beispiel @name@beispiel.social?"), exc.reason) from exc
    hosts = {host.split(":")[0].lower()}
    actor = actor_link(jrd)
    if actor:
        hosts.add((urlsplit(actor).hostname or "").lower())
    intent, subscribe = _template(jrd, FOLLOW_INTENT_REL), _template(jrd, SUBSCRIBE_REL)
    for template, field, value in ((intent, "{object}", our_actor),
                                   (subscribe, "{uri}", our_handle)):
        if template and field in template:
            url = template.replace(field, quote(value, safe="@:"))
            if _allowed(url, hosts, fetcher.allow_private):
                log.info("remote_follow handle=%s domain=%s", visitor[:100], host)
                return url
            log.info("remote_follow_refused handle=%s domain=%s reason=foreign_template",
                     visitor[:100], host)
    raise CannotFollow(N_("Ihr Server bietet keinen Weg an, von hier aus zu folgen. Suchen Sie "
                          "dort nach %(handle)s und klicken Sie auf „Folgen“."), "no_template",
                       handle=our_handle)
