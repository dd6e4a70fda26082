"""Local actors as ActivityStreams documents (interop.md §2.3, §3.6)."""

from __future__ import annotations

import html

from mitwirken.federation.as_types import ActorDocument, PropertyValue
from mitwirken.federation.context import actor_context
from mitwirken.federation.urls import Urls
from mitwirken.models.actors import SECTOR_LABELS, LocalActor
from mitwirken.models.store import iso


def _property(name: str, value: str) -> PropertyValue:
    return {"type": "PropertyValue", "name": name, "value": value}


def _link(url: str) -> str:
    shown = url.split("://", 1)[-1].rstrip("/")
    return (
        f'<a href="{html.escape(url)}" rel="me nofollow noopener noreferrer" target="_blank">'
        f"{html.escape(shown)}</a>"
    )


def profile_fields(actor: LocalActor, extra: tuple[tuple[str, str], ...] = ()
                   ) -> list[PropertyValue]:
    """Mastodon profile fields (PropertyValue); e-mail and phone as text (Mastodon strips
    mailto:/tel: links). `extra` (name, text) pairs, such as the answer statistics, come last
    and are always kept."""
    fields = []
    if actor.website:
        fields.append(_property("Website", _link(actor.website)))
    if actor.office_hours:
        fields.append(_property("Sprechzeiten", html.escape(actor.office_hours)))
    if actor.phone:
        fields.append(_property("Telefon", html.escape(actor.phone)))
    if actor.email:
        fields.append(_property("E-Mail", html.escape(actor.email)))
    if actor.address:
        fields.append(_property("Adresse", html.escape(actor.address)))
    if actor.sector:
        fields.append(_property("Sektor", SECTOR_LABELS.get(actor.sector, actor.sector)))
    if actor.kind == "city":
        fields.append(_property("Netzwerk", "Engagierte Stadt"))
    return fields[:6 - len(extra)] + [_property(n, html.escape(v)) for n, v in extra]


def summary_html(actor: LocalActor) -> str:
    if not actor.summary:
        return ""
    paragraphs = [p.strip() for p in actor.summary.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def actor_to_ap(actor: LocalActor, urls: Urls, icon_url: str | None = None,
                extra_fields: tuple[tuple[str, str], ...] = ()) -> ActorDocument:
    """The actor document for the city or an organisation (`Organization`) or the instance
    actor (`Application` at /actor)."""
    if actor.kind == "instance":
        actor_id = urls.instance_actor
        doc: ActorDocument = {
            "@context": actor_context(),
            "id": actor_id,
            "type": "Application",
            # Like Mastodon's instance actor: the host name, resolvable by WebFinger.
            "preferredUsername": urls.hostname,
            "name": actor.name,
            "summary": "<p>Instanz-Akteur: signiert Abrufe dieses Mitwirken-Servers.</p>",
            "url": f"{urls.base}/about",
            "inbox": f"{actor_id}/inbox",
            "outbox": f"{actor_id}/outbox",
            "followers": f"{actor_id}/followers",
            "endpoints": {"sharedInbox": urls.shared_inbox},
            "manuallyApprovesFollowers": True,
            "discoverable": False,
            "indexable": False,
            "published": iso(actor.created_at),
            "publicKey": {
                "id": urls.instance_key_id,
                "owner": actor_id,
                "publicKeyPem": actor.public_key_pem,
            },
        }
        return doc
    u = actor.username
    actor_id = urls.actor(u)
    return {
        "@context": actor_context(),
        "id": actor_id,
        "type": "Organization",
        "preferredUsername": u,
        "webfinger": f"{u}@{urls.domain}",
        "name": actor.name,
        "summary": summary_html(actor),
        "url": urls.profile(u),
        "published": iso(actor.created_at),
        "inbox": urls.inbox(u),
        "outbox": urls.outbox(u),
        "followers": urls.followers(u),
        "following": urls.following(u),
        "endpoints": {"sharedInbox": urls.shared_inbox},
        "manuallyApprovesFollowers": actor.manually_approves,
        "discoverable": True,
        "indexable": True,
        "icon": {
            "type": "Image",
            "mediaType": "image/png",
            "url": icon_url or actor.icon_url or f"{urls.base}/static/avatar-{actor.kind}.png",
        },
        "attachment": profile_fields(actor, extra_fields),
        "publicKey": {
            "id": urls.key_id(u),
            "owner": actor_id,
            "publicKeyPem": actor.public_key_pem,
        },
    }
