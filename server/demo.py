"""The demo city Musterstadt, used by `make run` and `mitwirken demo`."""

from __future__ import annotations

from models import actors as actor_repo
from models.store import Store
from server.bootstrap import make_actor
from server.config import Settings

DEMO_ORGS = [
    dict(username="tafel", name="Tafel Musterstadt e.V.", sector="civil-society",
         summary="Wir retten Lebensmittel und geben sie an Menschen mit wenig Geld weiter.",
         website="https://tafel.musterstadt.example", phone="0123 45678-0",
         office_hours="Di und Do 10–13 Uhr"),
    dict(username="stadtbibliothek", name="Stadtbibliothek Musterstadt", sector="administration",
         summary="Lesen, Lernen, Treffen – die Bibliothek für alle.",
         website="https://bibliothek.musterstadt.example", email="lesen@musterstadt.example"),
    dict(username="hochschule", name="Hochschule Musterstadt – Service Learning",
         sector="science", summary="Studierende engagieren sich in Projekten der Stadt."),
    dict(username="stadtwerke", name="Stadtwerke Musterstadt", sector="business",
         summary="Corporate Volunteering: Teams der Stadtwerke packen mit an."),
]


def seed_demo(store: Store, settings: Settings) -> str:
    """Create the demo organisations and content; existing ones are left alone."""
    created = []
    for org in DEMO_ORGS:
        if actor_repo.get_actor(store, org["username"]) is None:
            fields = {k: v for k, v in org.items() if k not in ("username", "name")}
            actor_repo.create_actor(store, make_actor(org["username"], "org", org["name"],
                                                      **fields))
            created.append(org["username"])
    return f"Demo: {len(created)} Organisationen angelegt ({', '.join(created) or 'keine neuen'})."
