"""The city's organisations: adding one (`mitwirken org add` and the web form at
`/verwaltung/organisationen`), editing its profile (an `Update` of the actor goes to its
followers, so Mastodon shows the new profile), and which editors may publish for it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mitwirken.federation import activities
from mitwirken.federation.actors import actor_to_ap
from mitwirken.federation.outbox import publish
from mitwirken.federation.urls import Urls
from mitwirken.models import accounts as account_repo
from mitwirken.models import actors as actor_repo
from mitwirken.models import audit
from mitwirken.models.accounts import Account, AccountError
from mitwirken.models.actors import ActorError, LocalActor
from mitwirken.models.german_errors import problem, raise_errors
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.response_promise import reply_rate

log = logging.getLogger("mitwirken.organisations")

# The profile fields an organisation has besides its username (which never changes: it is
# part of the actor's id that every follower holds).
PROFILE_FIELDS = ("name", "sector", "summary", "website", "email", "phone", "office_hours",
                  "address")
__all__ = ["PROFILE_FIELDS", "ActorError", "AccountError", "OrgEntry", "Organisations"]


@dataclass(frozen=True)
class OrgEntry:
    """An organisation with the editors (role editor) assigned to it."""

    actor: LocalActor
    editors: tuple[Account, ...]


def _profile(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """Form or command-line values: surrounding blanks dropped, an empty optional field is
    no value (the summary is an empty text)."""
    cleaned: dict[str, str | None] = {}
    for name in PROFILE_FIELDS:
        if name not in values:
            continue
        value = (values[name] or "").strip()
        cleaned[name] = value if value or name in ("name", "summary") else None
    return cleaned


def _same(stored: object, new: str | None) -> bool:
    return (None if stored is None else str(stored)) == new


def _require_sector(sector: str | None) -> None:
    if not sector:
        raise_errors("Organisation", [problem("sector", "sector_missing",
                                              "Bitte wählen Sie einen Sektor.")])


class Organisations:
    def __init__(self, store: Store, urls: Urls, clock: Callable[[], datetime],
                 wake: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.urls = urls
        self.clock = clock
        self.wake = wake  # the delivery worker, when there is one

    def add(self, username: str, values: Mapping[str, str | None], *, by: str = "system"
            ) -> LocalActor:
        """A new organisation actor with its key pair (`by`: who acts, for the audit log).
        Raises pydantic's `ValidationError` (German messages by field) or `ActorError` (the
        username is taken or reserved)."""
        profile = _profile(values)
        _require_sector(profile.get("sector"))
        name = profile.pop("name", None) or ""
        extra = {k: v for k, v in profile.items() if v is not None}
        actor = make_actor(username.strip(), "org", name, **extra)
        with self.store.tx():
            actor_repo.create_actor(self.store, actor)
            audit.record(self.store, actor=by, action="organisation.add",
                         target=actor.username, details={"sector": actor.sector},
                         now=self.clock())
        log.info("org_added username=%s sector=%s by=%s", actor.username, actor.sector, by)
        return actor

    def get(self, username: str) -> LocalActor:
        actor = actor_repo.get_actor(self.store, username)
        if actor is None or actor.kind != "org":
            raise ActorError(f"Keine Organisation mit dem Benutzernamen {username!r}.")
        return actor

    def overview(self) -> list[OrgEntry]:
        editors: dict[str, list[Account]] = {}
        for account in account_repo.list_all(self.store):
            if account.role == "editor":
                for username in account.orgs:
                    editors.setdefault(username, []).append(account)
        return [OrgEntry(actor, tuple(editors.get(actor.username, ())))
                for actor in actor_repo.list_actors(self.store, "org")]

    def editor_accounts(self) -> list[Account]:
        """The accounts that may be assigned to an organisation (role editor)."""
        return [a for a in account_repo.list_all(self.store) if a.role == "editor"]

    def edit(self, username: str, values: Mapping[str, str | None]) -> LocalActor:
        """Change the profile and send an `Update` of the actor to its followers, in one
        transaction. Raises `ValidationError` (German, by field) or `ActorError`."""
        current = self.get(username)
        profile = _profile(values)
        if "sector" in profile:
            _require_sector(profile["sector"])
        if all(_same(getattr(current, k), v) for k, v in profile.items()):
            log.info("org_profile_unchanged username=%s", username)
            return current  # followers get no Update that changes nothing
        now = self.clock()
        with self.store.tx():
            actor = actor_repo.update_actor(self.store, username, **profile)
            rate = reply_rate(self.store, username, now)
            doc = actor_to_ap(actor, self.urls, extra_fields=(rate,) if rate else ())
            queued = publish(self.store, username,
                             activities.update(self.urls, username, doc, now), now)
        self.wake()
        log.info("org_profile_updated username=%s fields=%s deliveries=%d", username,
                 ",".join(sorted(profile)) or "-", queued)
        return actor

    def assign(self, username: str, email: str, *, by: str = "system") -> Account:
        """The editor with this e-mail address may publish for `username` too."""
        self.get(username)
        account = self._editor(email)
        with self.store.tx():
            if account_repo.assign_org(self.store, account.id, username):
                audit.record(self.store, actor=by, action="organisation.assign",
                             target=username, details={"account": account.email},
                             now=self.clock())
                log.info("org_editor_assigned username=%s account=%d by=%s", username,
                         account.id, by)
        return account

    def unassign(self, username: str, account_id: int, *, by: str = "system") -> Account:
        """The editor no longer publishes for `username`; an editor keeps at least one
        organisation (otherwise remove the account at /verwaltung/personen)."""
        self.get(username)
        account = account_repo.get(self.store, account_id)
        if account is None or account.role != "editor" or username not in account.orgs:
            raise AccountError(N_("Diese Person gehört nicht zur Redaktion dieser Organisation."))
        if len(account.orgs) == 1:
            raise AccountError(
                f"{account.email} hat keine andere Organisation. Eine Person der Redaktion "
                "braucht mindestens eine; entfernen Sie sonst das Konto unter „Personen“.")
        with self.store.tx():
            account_repo.unassign_org(self.store, account.id, username)
            audit.record(self.store, actor=by, action="organisation.unassign",
                         target=username, details={"account": account.email},
                         now=self.clock())
        log.info("org_editor_unassigned username=%s account=%d by=%s", username, account.id,
                 by)
        return account

    def _editor(self, email: str) -> Account:
        account = account_repo.by_email(self.store, email.strip().lower())
        if account is None:
            raise AccountError(N_("Kein Konto mit der E-Mail-Adresse %(email)s."),
                               email=email.strip().lower())
        if account.role != "editor":
            raise AccountError(N_("%(email)s sieht als Anlaufstelle oder Administration schon "
                                  "alle Organisationen."), email=account.email)
        return account
