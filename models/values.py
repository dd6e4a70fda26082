"""Value objects shared by opportunities and practice posts: places, contacts, images,
documents and time budgets."""

from __future__ import annotations

import mimetypes
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import model_validator

from mitwirken.models.fields import (
    EditorModel,
    Email,
    MediaType,
    Phone,
    Region,
    WebUrl,
    format_number,
    number_range,
    text,
)
from mitwirken.models.german_errors import Problem, problem, raise_errors
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import TimeBudgetUnit

__all__ = ["Attachment", "ContactPoint", "Image", "Place", "TimeBudget"]

_PlaceName = Annotated[str | None, *text(N_("Der Name des Ortes"), 200, required=False)]
_Street = Annotated[str | None, *text(N_("Die Straße"), 200, required=False)]
_PostalCode = Annotated[str | None, *text(N_("Die Postleitzahl"), 10, required=False)]
_Locality = Annotated[str | None, *text(N_("Der Ort"), 100, required=False)]
_Latitude = Annotated[float | None, number_range(N_("Der Breitengrad"), -90, 90)]
_Longitude = Annotated[float | None, number_range(N_("Der Längengrad"), -180, 180)]


class Place(EditorModel):
    """Where volunteering happens. At least a name, street, postcode or town is needed."""

    name: _PlaceName = None
    street: _Street = None
    postal_code: _PostalCode = None
    locality: _Locality = None
    region: Region = None
    country: str = "DE"
    latitude: _Latitude = None
    longitude: _Longitude = None

    @model_validator(mode="after")
    def _check(self) -> Place:
        problems: list[Problem] = []
        self.country = self.country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            problems.append(
                problem(
                    "country",
                    "invalid_country",
                    N_("Bitte das Land als zweistelligen Ländercode angeben, z. B. DE."),
                )
            )
        if not (self.name or self.street or self.postal_code or self.locality):
            problems.append(
                problem(
                    "name",
                    "place_empty",
                    N_("Bitte mindestens einen Namen, eine Adresse oder einen Ort angeben."),
                )
            )
        if (
            self.country == "DE"
            and self.postal_code
            and not re.fullmatch(r"\d{5}", self.postal_code)
        ):
            problems.append(
                problem(
                    "postal_code",
                    "invalid_postal_code",
                    N_("Eine deutsche Postleitzahl hat genau fünf Ziffern."),
                )
            )
        if (self.latitude is None) != (self.longitude is None):
            problems.append(
                problem(
                    "longitude" if self.longitude is None else "latitude",
                    "coordinates_incomplete",
                    N_("Bitte Breiten- und Längengrad immer gemeinsam angeben."),
                )
            )
        raise_errors("Place", problems)
        return self


_ContactName = Annotated[str | None, *text(N_("Die Bezeichnung des Kontakts"), 150, required=False)]
_Hours = Annotated[str | None, *text(N_("Die Angabe der Sprechzeiten"), 200, required=False)]


class ContactPoint(EditorModel):
    """A *role* contact (e.g. "Ehrenamtskoordination"), never a volunteer's personal data.

    At least one of e-mail, phone or web address is required.
    """

    name: _ContactName = None
    email: Email | None = None
    phone: Phone | None = None
    hours: _Hours = None
    url: WebUrl | None = None

    @model_validator(mode="after")
    def _check(self) -> ContactPoint:
        if not (self.email or self.phone or self.url):
            raise_errors(
                "ContactPoint",
                [
                    problem(
                        "email",
                        "contact_empty",
                        N_("Bitte mindestens eine E-Mail-Adresse, Telefonnummer oder "
                        "Web-Adresse für den Kontakt angeben."),
                    )
                ],
            )
        return self



_AltText = Annotated[
    str | None, *text(N_("Der Alternativtext"), 1500, required=False, multiline=True)
]


class Image(EditorModel):
    """An image with alternative text (required whenever there is an image URL)."""

    url: WebUrl | None = None
    alt_text: _AltText = None
    media_type: MediaType = None

    @model_validator(mode="after")
    def _check(self) -> Image:
        problems: list[Problem] = []
        if self.url and not self.alt_text:
            problems.append(
                problem(
                    "alt_text",
                    "alt_text_missing",
                    N_("Bitte das Bild kurz beschreiben (Alternativtext), damit auch blinde "
                    "Menschen wissen, was es zeigt."),
                )
            )
        if self.media_type and not self.media_type.startswith("image/"):
            problems.append(
                problem(
                    "media_type",
                    "not_an_image",
                    N_("Hier ist nur eine Bilddatei erlaubt (z. B. image/jpeg)."),
                )
            )
        raise_errors("Image", problems)
        if self.url and not self.media_type:
            # Mastodon and Fedify type attachments by mediaType; guess it from the file name.
            guessed = mimetypes.guess_type(urlsplit(self.url).path)[0]
            if guessed and guessed.startswith("image/"):
                self.media_type = guessed
        return self


_DocumentName = Annotated[str, *text(N_("Der Name des Dokuments"), 200)]


class Attachment(EditorModel):
    """A downloadable document (template, Leitfaden, flyer)."""

    url: WebUrl
    name: _DocumentName
    media_type: MediaType = None


_MAX_HOURS = {
    TimeBudgetUnit.PER_WEEK: 168.0,
    TimeBudgetUnit.PER_MONTH: 744.0,
    TimeBudgetUnit.TOTAL: 10000.0,
}


class TimeBudget(EditorModel):
    """How much time volunteering takes, e.g. 2 hours per week."""

    hours: float
    unit: TimeBudgetUnit

    @model_validator(mode="after")
    def _check(self) -> TimeBudget:
        limit = _MAX_HOURS[self.unit]
        if not 0 < self.hours <= limit:
            message = (
                "Die Stundenzahl muss größer als 0 und höchstens "
                f"{format_number(limit)} ({self.unit.label_de}) sein."
            )
            raise_errors("TimeBudget", [problem("hours", "hours_out_of_range", message)])
        return self
