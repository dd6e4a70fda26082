"""Direct messages we send: an organisation's answer to a volunteer (issue 13).

Shaped as Mastodon sends a direct message (visibility "direct"): a `Note` addressed only to the
volunteer (`to` their actor, `cc` empty), replying to their Note (`inReplyTo`), with a
`Mention` tag naming them and the mention at the start of the text, so Mastodon shows it in the
volunteer's conversation. It is wrapped in a `Create` with the same audience; neither is ever
public (the outbox keeps it unlisted and does not serve it)."""

from __future__ import annotations

import html
from datetime import datetime

from mitwirken.federation.as_types import JsonObject, OutgoingActivity
from mitwirken.federation.context import activity_context
from mitwirken.federation.urls import Urls
from mitwirken.models.ids import new_id
from mitwirken.models.store import iso


def mention_html(recipient: str, handle: str | None) -> str:
    """The mention a Mastodon client renders as a link to the person."""
    user = (handle or recipient).lstrip("@").split("@", 1)[0] or "?"
    return (f'<span class="h-card"><a href="{html.escape(recipient)}" class="u-url mention">'
            f"@<span>{html.escape(user)}</span></a></span>")


def answer_note(urls: Urls, username: str, *, note_id: str, recipient: str,
                handle: str | None, in_reply_to: str | None, content_html: str,
                published: datetime) -> JsonObject:
    """The answer: `content_html` is sanitised HTML, the mention is put in front of it."""
    mention = mention_html(recipient, handle)
    body = content_html.strip()
    if body.startswith("<p>"):
        content = f"<p>{mention} {body[3:]}"
    else:
        content = f"<p>{mention}</p>{body}"
    note: JsonObject = {
        "id": note_id, "type": "Note", "attributedTo": urls.actor(username),
        "inReplyTo": in_reply_to, "published": iso(published), "to": [recipient], "cc": [],
        "content": content,
        "tag": [{"type": "Mention", "href": recipient, "name": handle or recipient}],
    }
    return note


def direct_create(urls: Urls, username: str, note: JsonObject, published: datetime
                  ) -> OutgoingActivity:
    """The Create of a direct Note, addressed exactly as the Note."""
    return {"@context": activity_context(), "id": urls.activity(new_id()), "type": "Create",
            "actor": urls.actor(username), "published": iso(published),
            "to": list(note["to"]), "cc": [], "object": note}
