"""What a logged-in person sees at `/verwaltung`: the organisations they may edit (an editor
their own, staff and admins all, the city included), with each one's opportunities and
practice posts and the state a person acts on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.models.accounts import Account
from mitwirken.models.actors import LocalActor
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.opportunity import needs_auto_pause
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import OpportunityStatus

SHOWN = 200  # per organisation and kind, the newest
DUE_AHEAD = timedelta(days=14)  # "due for confirmation" two weeks before the auto-pause


@dataclass(frozen=True)
class Row:
    obj: Opportunity | Practice
    state: str  # German
    due: bool = False


@dataclass(frozen=True)
class OrgOverview:
    actor: LocalActor
    opportunities: list[Row]
    practices: list[Row]


def editable_orgs(store: Store, account: Account) -> list[LocalActor]:
    """The city first, then the organisations, by name; an editor's own only."""
    actors = [actor_repo.city_actor(store), *actor_repo.list_actors(store, "org")]
    return [a for a in actors if account.may_edit(a.username)]


def opportunity_state(opp: Opportunity, now: datetime, auto_pause_days: int) -> Row:
    if opp.status is OpportunityStatus.OPEN and needs_auto_pause(opp, now + DUE_AHEAD,
                                                                 auto_pause_days):
        return Row(opp, N_("Bestätigung fällig"), due=True)
    names = {OpportunityStatus.OPEN: N_("Aktiv"), OpportunityStatus.PAUSED: N_("Pausiert"),
             OpportunityStatus.FILLED: N_("Besetzt"), OpportunityStatus.CLOSED: N_("Beendet")}
    return Row(opp, names[opp.status])


def overview(store: Store, account: Account, now: datetime, auto_pause_days: int
             ) -> list[OrgOverview]:
    result = []
    for actor in editable_orgs(store, account):
        opps = content_store.list_objects(store, "opportunities", username=actor.username,
                                          limit=SHOWN)
        practices = content_store.list_objects(store, "practices", username=actor.username,
                                               limit=SHOWN)
        result.append(OrgOverview(
            actor,
            [opportunity_state(o, now, auto_pause_days) for o in opps
             if isinstance(o, Opportunity)],
            [Row(p, N_("Veröffentlicht")) for p in practices]))
    return result
