"""The URL scheme of an instance. Identity URLs derive from the configured base URL only,
never from the request's Host header (that keeps proxies and tests honest)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Urls:
    base: str

    @property
    def domain(self) -> str:
        return urlsplit(self.base).netloc

    @property
    def hostname(self) -> str:
        return urlsplit(self.base).hostname or ""

    def actor(self, username: str) -> str:
        return f"{self.base}/actors/{username}"

    def key_id(self, username: str) -> str:
        return f"{self.actor(username)}#main-key"

    def inbox(self, username: str) -> str:
        return f"{self.actor(username)}/inbox"

    def outbox(self, username: str) -> str:
        return f"{self.actor(username)}/outbox"

    def followers(self, username: str) -> str:
        return f"{self.actor(username)}/followers"

    def following(self, username: str) -> str:
        return f"{self.actor(username)}/following"

    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    @property
    def instance_actor(self) -> str:
        return f"{self.base}/actor"

    @property
    def instance_key_id(self) -> str:
        return f"{self.instance_actor}#main-key"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    @property
    def ns(self) -> str:
        return f"{self.base}/ns"

    def opportunity(self, object_id: str) -> str:
        return f"{self.base}/angebote/{object_id}"

    def practice(self, object_id: str) -> str:
        return f"{self.base}/praxis/{object_id}"

    def activity(self, activity_id: str) -> str:
        return f"{self.base}/activities/{activity_id}"

    def answer(self, message_id: str) -> str:
        """The id of an answer Note sent to a volunteer (never served: it is not public)."""
        return f"{self.base}/antworten/{message_id}"

    def tag(self, name: str) -> str:
        return f"{self.base}/tags/{name}"

    def is_local(self, url: str) -> bool:
        return url == self.base or url.startswith(self.base + "/")
