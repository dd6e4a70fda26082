"""API tokens from the web UI: a logged-in person lists, creates and revokes the bearer
tokens of the organisations they edit (the JSON API keeps working with tokens)."""

from __future__ import annotations

import logging
from datetime import datetime

from mitwirken.models import actors as actor_repo
from mitwirken.models import audit
from mitwirken.models.accounts import Account
from mitwirken.models.actors import TokenRow
from mitwirken.models.store import Store, utcnow
from mitwirken.models.text_marks import N_
from mitwirken.server.usecases.dashboard import editable_orgs

log = logging.getLogger("mitwirken.accounts")
MAX_LABEL = 100


class NotAllowed(Exception):
    """The message is German."""


def tokens_of(store: Store, account: Account) -> list[TokenRow]:
    return actor_repo.list_tokens(store, [a.username for a in editable_orgs(store, account)])


def create(store: Store, account: Account, username: str, label: str, *,
           now: datetime | None = None) -> str:
    """The new token, shown once; only its hash is stored. In the audit log as
    `web:<e-mail>`."""
    if not account.may_edit(username) or actor_repo.kind_of(store, username) not in (
            "org", "city"):
        raise NotAllowed(N_("Für diese Organisation dürfen Sie keine Schlüssel anlegen."))
    token = create_for(store, username, label, by=f"web:{account.email}", now=now)
    log.info("token_created account=%d org=%s", account.id, username)
    return token


def create_for(store: Store, username: str, label: str, *, by: str,
               now: datetime | None = None) -> str:
    """A token for one local actor (the CLI's `token create`), with its audit entry. Raises
    `ActorError` for an unknown actor (nothing written)."""
    with store.tx():
        token = actor_repo.create_token(store, username, label.strip()[:MAX_LABEL])
        audit.record(store, actor=by, action="token.create", target=username,
                     details={"label": label.strip()[:MAX_LABEL]}, now=now or utcnow())
    return token


def revoke(store: Store, account: Account, token_id: int, *,
           now: datetime | None = None) -> None:
    owner = actor_repo.token_owner(store, token_id)
    if owner is None or not account.may_edit(owner):
        raise NotAllowed(N_("Diesen Schlüssel gibt es nicht, oder er gehört einer Organisation, "
                         "die Sie nicht bearbeiten dürfen."))
    with store.tx():
        actor_repo.revoke_token(store, token_id)
        audit.record(store, actor=f"web:{account.email}", action="token.revoke", target=owner,
                     details={"token": token_id}, now=now or utcnow())
    log.info("token_revoked account=%d org=%s id=%d", account.id, owner, token_id)
