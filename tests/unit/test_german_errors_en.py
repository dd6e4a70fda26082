"""The models' German validation messages in English for the web forms' English pages: each
found through the template it was raised with, its values kept; without a translation
function they stay exactly German (the JSON API, the CLI)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mitwirken.models.content import Opportunity, german_errors
from mitwirken.server.web import i18n

BAD = {"org_username": "tafel", "title": " ", "description": "x" * 10_001, "kind": "regular",
       "contact": {"email": "kaputt"}, "volunteers_needed": 2, "places_left": 3,
       "cause_areas": ["bildung", "kultur", "sport", "umwelt", "tiere"],
       "min_age": 120}


def errors(tr=None) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        Opportunity.model_validate(BAD)
    found = german_errors(info.value) if tr is None else german_errors(info.value, tr)
    return {e["field"]: e["message"] for e in found}


def test_german_by_default():
    de = errors()
    assert de["title"] == "Der Titel darf nicht leer sein."
    assert de["description"] == "Die Beschreibung darf höchstens 10.000 Zeichen lang sein."
    assert de["contact.email"].startswith("Bitte eine gültige E-Mail-Adresse angeben")
    assert de["cause_areas"] == "Bitte höchstens 4 Engagementbereiche auswählen."
    assert de["min_age"] == "Das Mindestalter muss zwischen 0 und 99 Jahren liegen."


def test_english_with_the_pages_catalogue():
    en = errors(i18n.translations("en").gettext)
    assert en["title"] == "The title must not be empty."
    assert en["description"] == "The description may be at most 10.000 characters long."
    assert en["contact.email"] == "Please give a valid e-mail address, e.g. info@verein.de."
    assert en["cause_areas"] == "Please choose at most 4 causes."
    assert en["min_age"] == "The minimum age must be between 0 and 99 years."
    assert set(en) == set(errors())
