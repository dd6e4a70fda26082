"""The languages of the HTML pages: German, the source language, and English.

The German strings of the templates and of the Python modules are the msgids, so German
pages need no catalogue. English comes from `locale/en/LC_MESSAGES/messages.po`, read once
(Babel's `read_po`) and turned into gettext `Translations` in memory — no compiled `.mo` file,
no build step. A page's language: the `lang` cookie (set by the switch in every header,
`/sprache`), else `Accept-Language`, else the `default_language` setting (German).
ActivityPub documents, feeds and e-mails stay German."""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from aiohttp import web
from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from mitwirken.federation.convert_facts import date_span
from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import SETTINGS
from mitwirken.server.web.negotiation import weighted

LOCALES = ("de", "en")
SOURCE = "de"
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
NAMES = {"de": "Deutsch", "en": "English"}  # each in its own language: the switch's labels

_LOCALE = web.RequestKey("locale", str)
__all__ = ["N_", "LOCALES", "COOKIE", "locale_of", "translations"]


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The gettext translations of `locale` (German: the msgids themselves)."""
    if locale == SOURCE or locale not in LOCALES:
        return gettext.NullTranslations()
    with catalogue_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def load_all() -> None:
    """Read every catalogue now (at startup), so a broken one stops the server at once."""
    for locale in LOCALES:
        translations(locale)


def parse_accept_language(header: str) -> list[str]:
    """The language ranges of an `Accept-Language` header, most wanted first (q=0 dropped)."""
    ranked = [(-q, index, tag) for index, (tag, q) in enumerate(weighted(header))
              if tag and q > 0]
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(cookie: str | None, accept_language: str, default: str = SOURCE) -> str:
    """The cookie's language if it is one of ours, else the best of `Accept-Language`
    (Babel's negotiation: `en-GB` finds `en`), else `default`."""
    if cookie in LOCALES:
        return cookie  # type: ignore[return-value]
    wanted = [("de" if t == "*" else t.lower()) for t in parse_accept_language(accept_language)]
    found = negotiate_locale(wanted, LOCALES, sep="-") if wanted else None
    if found and found.lower() in LOCALES:
        return found.lower()
    return default if default in LOCALES else SOURCE


def locale_of(request: web.Request) -> str:
    """The language of the page answering `request` (chosen once per request)."""
    if _LOCALE not in request:
        request[_LOCALE] = negotiate(request.cookies.get(COOKIE),
                                     request.headers.get("Accept-Language", ""),
                                     request.app[SETTINGS].default_language)
    return request[_LOCALE]


def gettext_of(request: web.Request) -> Callable[[str], str]:
    """The gettext function of the page answering `request`."""
    return translations(locale_of(request)).gettext


def message_of(request: web.Request, exc: Exception) -> str:
    """An exception's message in the page's language: translated through its marked
    `template` and `values` where it has them (`AccountError`), else as it is."""
    template = getattr(exc, "template", None)
    if not isinstance(template, str):
        return str(exc)
    values = getattr(exc, "values", None) or {}
    text = gettext_of(request)(template)
    return text % values if values else text


def date_text(dt: datetime, locale: str) -> str:
    """"6. Dezember 2026" / "6 December 2026" — the wording of the federated posts."""
    return date_span(dt, dt, locale)


def number_text(value: float, locale: str) -> str:
    """A number as the locale writes it ("1.234,5" / "1,234.5")."""
    return format_decimal(value, locale=locale)
