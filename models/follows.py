"""Followers of local actors and the remote actors local actors follow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal, TypedDict, cast

from mitwirken.models.store import Store, iso

FollowerState = Literal["pending", "accepted"]
FollowingState = Literal["requested", "accepted", "rejected"]


class Follower(TypedDict):
    """A row of `followers`: a remote actor following a local one."""

    username: str
    actor: str
    follow_id: str
    state: FollowerState
    inbox: str
    shared_inbox: str | None
    created_at: str


class Following(TypedDict):
    """A row of `following`: a remote actor a local one follows (or asked to)."""

    username: str
    actor: str
    follow_id: str
    state: FollowingState
    created_at: str


def add_follower(
    store: Store,
    *,
    username: str,
    actor: str,
    follow_id: str,
    state: FollowerState,
    inbox: str,
    shared_inbox: str | None,
    now: datetime,
) -> None:
    store.execute(
        "INSERT INTO followers (username, actor, follow_id, state, inbox, shared_inbox, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(username, actor) DO UPDATE SET "
        "follow_id = excluded.follow_id, state = CASE WHEN followers.state = 'accepted' THEN "
        "'accepted' ELSE excluded.state END, inbox = excluded.inbox, "
        "shared_inbox = excluded.shared_inbox",
        [username, actor, follow_id, state, inbox, shared_inbox, iso(now)],
    )


def get_follower(store: Store, username: str, actor: str) -> Follower | None:
    return cast("Follower | None", store.one(
        "SELECT * FROM followers WHERE username = ? AND actor = ?", [username, actor]))


def set_follower_state(store: Store, username: str, actor: str, state: FollowerState) -> None:
    store.execute(
        "UPDATE followers SET state = ? WHERE username = ? AND actor = ?", [state, username, actor]
    )


def remove_follower(store: Store, username: str, actor: str) -> bool:
    cur = store.execute("DELETE FROM followers WHERE username = ? AND actor = ?", [username, actor])
    return cur.rowcount > 0


def remove_follow_by_id(store: Store, follow_id: str, actor: str) -> bool:
    cur = store.execute(
        "DELETE FROM followers WHERE follow_id = ? AND actor = ?", [follow_id, actor]
    )
    return cur.rowcount > 0


def remove_actor(store: Store, actor: str) -> int:
    """A remote actor was deleted: every follow from and to them goes. Returns how many."""
    n = store.execute("DELETE FROM followers WHERE actor = ?", [actor]).rowcount
    n += store.execute("DELETE FROM following WHERE actor = ?", [actor]).rowcount
    return int(n)


def followed_by(store: Store, actor: str) -> list[str]:
    """Our usernames a remote actor follows (or asked to follow)."""
    return [r["username"] for r in store.all(
        "SELECT username FROM followers WHERE actor = ? ORDER BY username", [actor])]


def follower_inboxes(store: Store, username: str) -> list[str]:
    """Distinct delivery targets for an actor's accepted followers, shared inbox preferred."""
    rows = store.all(
        "SELECT DISTINCT COALESCE(shared_inbox, inbox) AS target FROM followers "
        "WHERE username = ? AND state = 'accepted' ORDER BY target",
        [username],
    )
    return [r["target"] for r in rows]


def list_followers(store: Store, username: str, state: FollowerState | None = None,
                   batch: int = 500) -> Iterator[Follower]:
    """An actor's followers in the order they followed, read `batch` rows at a time."""
    after = ("", "")
    while True:
        rows = cast(list[Follower], store.all(
            "SELECT * FROM followers WHERE username = ? AND (? IS NULL OR state = ?) "
            "AND (created_at, actor) > (?, ?) ORDER BY created_at, actor LIMIT ?",
            [username, state, state, *after, batch]))
        yield from rows
        if len(rows) < batch:
            return
        after = (rows[-1]["created_at"], rows[-1]["actor"])


def add_following(
    store: Store, *, username: str, actor: str, follow_id: str, now: datetime
) -> None:
    store.execute(
        "INSERT INTO following (username, actor, follow_id, state, created_at) "
        "VALUES (?, ?, ?, 'requested', ?) ON CONFLICT(username, actor) DO UPDATE SET "
        "follow_id = excluded.follow_id, state = 'requested'",
        [username, actor, follow_id, iso(now)],
    )


def get_following(store: Store, username: str, actor: str) -> Following | None:
    return cast("Following | None", store.one(
        "SELECT * FROM following WHERE username = ? AND actor = ?", [username, actor]))


def following_by_follow_id(store: Store, follow_id: str) -> Following | None:
    return cast("Following | None",
                store.one("SELECT * FROM following WHERE follow_id = ?", [follow_id]))


def set_following_state(store: Store, follow_id: str, state: FollowingState) -> None:
    store.execute("UPDATE following SET state = ? WHERE follow_id = ?", [state, follow_id])


def remove_following(store: Store, username: str, actor: str) -> Following | None:
    row = get_following(store, username, actor)
    if row:
        store.execute("DELETE FROM following WHERE username = ? AND actor = ?", [username, actor])
    return row


def is_following(store: Store, actor: str) -> bool:
    """Does any local actor follow this remote actor (accepted)?"""
    return (
        store.one("SELECT 1 FROM following WHERE actor = ? AND state = 'accepted' LIMIT 1", [actor])
        is not None
    )


def list_following(store: Store, username: str) -> list[Following]:
    return cast(list[Following], store.all(
        "SELECT * FROM following WHERE username = ? ORDER BY created_at", [username]))


def count_accepted_followers(store: Store, username: str) -> int:
    return int(store.scalar(
        "SELECT count(*) FROM followers WHERE username = ? AND state = 'accepted'",
        [username]) or 0)


def accepted_followers_page(store: Store, username: str, limit: int, offset: int) -> list[str]:
    """Actor ids of accepted followers, in the order they followed."""
    return [r["actor"] for r in store.all(
        "SELECT actor FROM followers WHERE username = ? AND state = 'accepted' "
        "ORDER BY created_at, actor LIMIT ? OFFSET ?", [username, limit, offset])]


def count_accepted_following(store: Store, username: str) -> int:
    return int(store.scalar(
        "SELECT count(*) FROM following WHERE username = ? AND state = 'accepted'",
        [username]) or 0)


def accepted_following_page(store: Store, username: str, limit: int, offset: int) -> list[str]:
    return [r["actor"] for r in store.all(
        "SELECT actor FROM following WHERE username = ? AND state = 'accepted' "
        "ORDER BY created_at, actor LIMIT ? OFFSET ?", [username, limit, offset])]


def remove_domain(store: Store, domain: str) -> tuple[int, int]:
    """A blocked domain: every follow from and to its actors goes. (followers, following)."""
    like = f"%://{domain}/%"
    followers = store.execute("DELETE FROM followers WHERE actor LIKE ?", [like]).rowcount
    following = store.execute("DELETE FROM following WHERE actor LIKE ?", [like]).rowcount
    return followers, following


def rows_of_actor(store: Store, actor: str) -> dict[str, list[dict[str, object]]]:
    """Every follow from and to one remote actor (for a privacy export)."""
    return {"followers": store.all("SELECT * FROM followers WHERE actor = ?", [actor]),
            "following": store.all("SELECT * FROM following WHERE actor = ?", [actor])}
