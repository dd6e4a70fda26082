"""What an opportunity or a practice post contributes to the search index: its title, summary
and body text, and the filter columns of `search_items` (see :mod:`models.search`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.markdown import html_to_text, render_markdown
from mitwirken.models.search_analysis import label_text
from mitwirken.models.store import iso

WEEKS_PER_MONTH = 4.345


def _bar(values: list[Any]) -> str:
    return "|" + "".join(f"{getattr(v, 'value', v)}|" for v in values)


@dataclass
class SearchItem:
    ap_id: str
    kind: str  # 'opportunity' | 'practice'
    local: bool
    origin: str
    origin_name: str | None
    actor: str
    url: str
    title: str
    summary: str
    body: str
    columns: dict[str, Any] = field(default_factory=dict)
    """The filter columns of `search_items` for this kind (`opp_kind`, `themes`, …)."""


def item_for_opportunity(opp: Opportunity, *, ap_id: str, url: str, local: bool, origin: str,
                         origin_name: str | None, actor: str) -> SearchItem:
    text = html_to_text(render_markdown(opp.description))
    hours = None
    if opp.time_budget is not None:
        unit = opp.time_budget.unit.value
        hours = (opp.time_budget.hours if unit == "per-week"
                 else opp.time_budget.hours / WEEKS_PER_MONTH if unit == "per-month" else None)
        hours = None if hours is None else round(hours, 3)  # the precision of the hour tags
    places = " ".join(" ".join(filter(None, (p.name, p.locality))) for p in opp.places)
    regions = [p.region for p in opp.places if p.region]
    return SearchItem(
        ap_id=ap_id, kind="opportunity", local=local, origin=origin, origin_name=origin_name,
        actor=actor, url=url, title=opp.title, summary=text[:300],
        body=" ".join([text, opp.schedule or "", places, opp.title_en or "",
                       label_text([*opp.cause_areas, *opp.activity_types, *opp.offers,
                                   *opp.suitable_for])]),
        columns={
            "opp_kind": opp.kind.value, "cause_areas": _bar(opp.cause_areas),
            "activity_types": _bar(opp.activity_types), "suitable_for": _bar(opp.suitable_for),
            "remote": opp.remote.value, "hours_per_week": hours,
            "start": iso(opp.start) if opp.start else None,
            "end": iso(opp.end) if opp.end else None, "min_age": opp.min_age,
            "region": str(getattr(regions[0], "value", regions[0])) if regions else None,
            "status": opp.status.value,
            "published": iso(opp.published) if opp.published else None,
            "last_confirmed": iso(opp.last_confirmed) if opp.last_confirmed else None,
        })


def item_for_practice(p: Practice, *, ap_id: str, url: str, local: bool, origin: str,
                      origin_name: str | None, actor: str) -> SearchItem:
    sections = " ".join(html_to_text(render_markdown(t)) for t in p.sections.values())
    partners = " ".join(x.name for x in p.partners)
    return SearchItem(
        ap_id=ap_id, kind="practice", local=local, origin=origin, origin_name=origin_name,
        actor=actor, url=url, title=p.title, summary=p.summary,
        body=" ".join([p.summary, sections, partners, p.city or "",
                       label_text([*p.themes, *p.sectors_involved])]),
        columns={
            "themes": _bar(p.themes), "sectors": _bar(p.sectors_involved),
            "region": getattr(p.region, "value", p.region), "status": p.status.value,
            "published": iso(p.published) if p.published else None,
        })
