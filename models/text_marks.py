"""`N_`: marks a German text a person reads on a page for the translation catalogue.

German is the source language of the pages (server/web/i18n.py): a marked text stays German
here and is translated where a page shows it. Babel's extraction (`babel.cfg`) finds the
marks in `models/` and `server/`."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 — the gettext convention
    return text
