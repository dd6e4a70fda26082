"""Opportunity ⇄ ActivityStreams ``Note`` — the wire format of a volunteering opportunity.

Why a ``Note``: it is the only non-poll type whose body Mastodon shows (interop.md §6.1), so the
post itself must say what a volunteer needs to decide: title first in ``<strong>``, then the
facts (:mod:`federation.convert_facts`), the opening of the description, how to get in touch and
hashtags. It has **no** ``summary`` (that would be a content warning) and no ``name`` (Misskey and
Pleroma read a ``name`` on a Note as a poll option or title).

Beside what Mastodon shows, every field of :class:`~models.opportunity.Opportunity` rides along
as data, so another Mitwirken instance rebuilds the object from the JSON alone:

* standard AS2 where it fits exactly: ``id`` (→ ``Opportunity.id``), ``published``, ``updated``,
  ``startTime``/``endTime`` (dated ones), ``location`` (``Place`` + ``PostalAddress``),
  ``attachment`` (the image, alt text in ``name``), ``source`` (the Markdown description);
* our namespace ``mw:`` (short keys declared inline in ``@context``, see ``MW_TERMS``) for the
  rest; vocabulary values travel as their stable keys (``"one-off"``, ``"per-week"``).

The reading direction is tolerant (unknown keys ignored, expanded ``mw:`` IRIs accepted) but
validates everything through the pydantic model.
"""

from __future__ import annotations

from typing import Any

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.context import PUBLIC, object_context
from mitwirken.federation.convert_common import (
    attr,
    contact_from_as,
    contact_to_as,
    esc,
    hashtag_objects,
    hashtags_html,
    iso_offset,
    iso_utc,
    many,
    normalise,
    object_fields,
    one,
    pick,
    place_from_as,
    place_to_as,
    reaction_collections,
    shorten_html,
    tag_names,
)
from mitwirken.federation.convert_facts import PHRASES, contact_lines, fact_lines, status_line
from mitwirken.federation.urls import Urls
from mitwirken.models.actors import LocalActor
from mitwirken.models.content import Opportunity
from mitwirken.models.markdown import html_to_text, render_markdown

__all__ = ["note_to_opportunity", "opportunity_to_note"]

_SCALARS = {  # wire key → model field, copied as they are
    "title": "title",
    "titleEn": "title_en",
    "descriptionEn": "description_en",
    "kind": "kind",
    "status": "status",
    "schedule": "schedule",
    "remote": "remote",
    "minAge": "min_age",
    "applyUrl": "apply_url",
    "applyEmail": "apply_email",
    "applyPhone": "apply_phone",
    "replyTimeDays": "reply_time_days",
    "volunteersNeeded": "volunteers_needed",
    "placesLeft": "places_left",
    "lastConfirmed": "last_confirmed",
    "originalId": "original_id",
    "published": "published",
    "updated": "updated",
}
_LISTS = {
    "causeAreas": "cause_areas",
    "activityTypes": "activity_types",
    "suitableFor": "suitable_for",
    "requiredDocuments": "required_documents",
    "offers": "offers",
    "languages": "languages",
    "applyVia": "apply_channels",
}


def _content(opp: Opportunity, page: str, tags: list[str], urls: Urls, lang: str) -> str:
    english = lang == "en"
    title = (opp.title_en or opp.title) if english else opp.title
    description = (opp.description_en or opp.description) if english else opp.description
    parts = [f"<p><strong>{esc(title)}</strong></p>"]
    status = status_line(opp, lang)
    if status:
        parts.append(f"<p>{esc(status)}</p>")
    parts.append("<p>" + "<br>".join(fact_lines(opp, lang)) + "</p>")
    parts.append(shorten_html(render_markdown(description)))
    parts.append(f'<p><a href="{attr(page)}">{esc(PHRASES[lang]["more"])}</a></p>')
    parts.append("<p>" + "<br>".join(contact_lines(opp, lang)) + "</p>")
    parts.append(hashtags_html(tags, urls))
    return "".join(parts)


def _tags(opp: Opportunity, city_name: str | None) -> list[str]:
    city = city_name or next((p.locality for p in opp.places if p.locality), None)
    return tag_names(["Ehrenamt", *([city] if city else []), *opp.cause_areas,
                      *opp.activity_types])


def _values(items: list[Any]) -> list[str]:
    return [str(item.value) if hasattr(item, "value") else str(item) for item in items]


def opportunity_to_note(
    opp: Opportunity,
    urls: Urls,
    *,
    org: LocalActor,
    city_username: str | None = None,
    lang: str = "de",
    city_name: str | None = None,
) -> JsonObject:
    """The ``Note`` for ``opp``, published by ``org`` (see the module docstring for the shape).

    ``city_username`` is needed when the opportunity is mediated by the city (``mediatedBy``
    names the city actor). ``city_name`` gives the city hashtag; without it the first place's
    locality is used. ``lang`` (``"de"`` or ``"en"``) picks which text goes into ``content``;
    ``contentMap`` carries German and, when there are English texts, English.
    """
    if opp.id is None:
        raise ValueError("opportunity_to_note needs a stored opportunity (id is None)")
    if opp.org_username != org.username:
        raise ValueError(f"opportunity of {opp.org_username!r} attributed to {org.username!r}")
    if opp.mediated_by_city and not city_username:
        raise ValueError("mediated_by_city needs city_username for mw:mediatedBy")
    lang = "en" if lang == "en" else "de"
    object_id = urls.opportunity(opp.id)
    tags = _tags(opp, city_name)
    content_map = {"de": _content(opp, object_id, tags, urls, "de")}
    if opp.title_en or opp.description_en:
        content_map["en"] = _content(opp, object_id, tags, urls, "en")
    if lang in content_map:
        content_map = {lang: content_map[lang], **content_map}  # the first key is the language
    note: JsonObject = {
        "@context": object_context(),
        "id": object_id,
        "type": "Note",
        "attributedTo": urls.actor(org.username),
        "url": object_id,
        **reaction_collections(object_id),
    }
    if opp.published:
        note["published"] = iso_utc(opp.published)
    if opp.updated and opp.updated != opp.published:
        note["updated"] = iso_utc(opp.updated)
    note.update(
        to=[PUBLIC],
        cc=[urls.followers(org.username)],
        sensitive=False,
        content=next(iter(content_map.values())),
        contentMap=content_map,
        tag=hashtag_objects(tags, urls),
    )
    if opp.image and opp.image.url:
        image: dict[str, Any] = {"type": "Image"}
        if opp.image.media_type:
            image["mediaType"] = opp.image.media_type
        image["url"] = opp.image.url
        if opp.image.alt_text:
            image["name"] = opp.image.alt_text
        note["attachment"] = [image]
    if opp.is_dated and opp.start and opp.end:
        note["startTime"] = iso_offset(opp.start)
        note["endTime"] = iso_offset(opp.end)
    if opp.places:
        places = [place_to_as(place) for place in opp.places]
        note["location"] = places[0] if len(places) == 1 else places
    note["source"] = {"content": opp.description, "mediaType": "text/markdown"}
    note.update(_structured(opp, urls, city_username))
    return note


def _structured(opp: Opportunity, urls: Urls, city_username: str | None) -> JsonObject:
    """The ``mw:`` fields, in a fixed order (the golden files depend on it)."""
    data: dict[str, Any] = {"title": opp.title}
    if opp.title_en:
        data["titleEn"] = opp.title_en
    if opp.description_en:
        data["descriptionEn"] = opp.description_en
    data.update(kind=opp.kind.value, status=opp.status.value)
    for key in ("causeAreas", "activityTypes"):
        items = getattr(opp, _LISTS[key])
        if items:
            data[key] = _values(items)
    if opp.time_budget:
        data["timeBudget"] = {"hours": opp.time_budget.hours, "unit": opp.time_budget.unit.value}
    if opp.schedule:
        data["schedule"] = opp.schedule
    if not opp.is_dated:
        if opp.start:
            data["periodStart"] = iso_offset(opp.start)
        if opp.end:
            data["periodEnd"] = iso_offset(opp.end)
    data["remote"] = opp.remote.value
    if opp.min_age is not None:
        data["minAge"] = opp.min_age
    for key in ("suitableFor", "requiredDocuments", "offers", "languages"):
        items = getattr(opp, _LISTS[key])
        if items:
            data[key] = _values(items)
    data["contactPoint"] = contact_to_as(opp.contact)
    data["applyVia"] = _values(opp.apply_channels)
    for key in ("applyUrl", "applyEmail", "applyPhone"):
        value = getattr(opp, _SCALARS[key])
        if value:
            data[key] = value
    data["replyTimeDays"] = opp.reply_time_days
    if opp.volunteers_needed is not None:
        data["volunteersNeeded"] = opp.volunteers_needed
    if opp.places_left is not None:
        data["placesLeft"] = opp.places_left
    if opp.mediated_by_city and city_username:
        data["mediatedBy"] = urls.actor(city_username)
    if opp.last_confirmed:
        data["lastConfirmed"] = iso_utc(opp.last_confirmed)
    if opp.original_id:
        data["originalId"] = opp.original_id
    return data


def _image(attachments: list[Any]) -> Any:
    for item in attachments:
        if not isinstance(item, dict):
            continue
        media_type = one(item.get("mediaType"))
        is_image = one(item.get("type")) == "Image" or (
            isinstance(media_type, str) and media_type.startswith("image/")
        )
        if not is_image:
            continue
        url = one(item.get("url"))
        if isinstance(url, dict):
            url = url.get("href")
        alt = one(item.get("name")) or one(item.get("summary"))
        data = {"url": url, "alt_text": alt, "media_type": media_type}
        return {k: v for k, v in data.items() if v is not None}
    return None


def note_to_opportunity(note: JsonObject, *, org_username: str) -> Opportunity:
    """Rebuild the Opportunity from a Note written by :func:`opportunity_to_note`.

    Unknown keys (Fedify's ``proof``, ``assertionMethod``, anything in other namespaces) are
    ignored; our keys are read compacted or as full ``https://w3id.org/mitwirken/ns#…`` IRIs.
    Invalid data raises pydantic's ``ValidationError`` (with German messages via
    ``german_errors``). ``updated`` equal to ``published`` is not sent, so it reads back as None.
    """
    if not isinstance(note, dict):
        return Opportunity.model_validate(note)  # raises the ValidationError
    doc = normalise(note)
    data = object_fields(doc, org_username, _SCALARS, _LISTS)
    source = one(doc.get("source"))
    if isinstance(source, dict) and source.get("content") is not None:
        data["description"] = one(source["content"])
    elif isinstance(doc.get("content"), str):
        data["description"] = html_to_text(doc["content"])
    start = doc.get("startTime") or doc.get("periodStart")
    end = doc.get("endTime") or doc.get("periodEnd")
    if start is not None:
        data["start"] = one(start)
    if end is not None:
        data["end"] = one(end)
    if doc.get("timeBudget") is not None:
        data["time_budget"] = pick(one(doc["timeBudget"]), {"hours": "hours", "unit": "unit"})
    if doc.get("location") is not None:
        data["places"] = [place_from_as(place) for place in many(doc["location"])]
    if doc.get("contactPoint") is not None:
        data["contact"] = contact_from_as(one(doc["contactPoint"]))
    data["mediated_by_city"] = bool(doc.get("mediatedBy"))
    image = _image(many(doc.get("attachment")))
    if image:
        data["image"] = image
    return Opportunity.model_validate(data)
