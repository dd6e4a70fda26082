"""The one validation of web addresses and domain names, whatever the entry point.

Every URL we store or publish (editor API, CLI, import, documents of other servers) passes
:func:`check_web_url`; every domain an admin names (block, unblock) passes
:func:`normalise_domain`. Both raise :class:`WebNameError`, a ``ValueError`` with a German
message that changes nothing (security.md D-09: one canonical form for every comparison).
"""

from __future__ import annotations

import functools
import ipaddress
import unicodedata
from urllib.parse import urlsplit

import idna

__all__ = ["WebNameError", "check_host", "check_web_url", "normalise_domain"]

MAX_URL_LENGTH = 2000
# Control, format (bidi, zero-width), surrogate, private-use and unassigned code points, and
# every kind of whitespace: none of them belongs in an address.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}

URL_MESSAGE = "Bitte eine vollständige Web-Adresse angeben, die mit https:// beginnt."


class WebNameError(ValueError):
    """An address or domain name that we refuse; the message is German, for a person."""


def _has_refused_character(value: str) -> bool:
    if value.isascii():  # the common case, decided in C: controls and whitespace
        return not value.isprintable() or " " in value
    return any(ch.isspace() or unicodedata.category(ch) in _REFUSED_CATEGORIES
               for ch in value)


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.removeprefix("[").removesuffix("]")))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def check_host(host: str) -> str:
    """A host name as IDNA (punycode) in lower case, or an IP literal; raises otherwise.
    (A pure function of its argument: the answers for recent hosts are kept, since every
    activity from a server names the same few hosts again.)"""
    host = host.rstrip(".")
    if (literal := _ip_literal(host)) is not None:
        return literal
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise WebNameError(f"„{host[:100]}“ ist kein gültiger Rechnername.") from exc
    if len(ascii_host) > 253:
        raise WebNameError("Der Rechnername ist zu lang (höchstens 253 Zeichen).")
    return ascii_host


def check_web_url(value: str) -> str:
    """An absolute ``http(s)://`` URL with a valid host, returned as given (surrounding
    whitespace dropped). Refused: other schemes, control or whitespace characters inside,
    user names or passwords, a host that is not a valid (IDNA) name or IP literal, a bad
    port, more than 2000 characters."""
    value = value.strip()
    if len(value) > MAX_URL_LENGTH or _has_refused_character(value):
        raise WebNameError(URL_MESSAGE)
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        raise WebNameError(URL_MESSAGE) from exc
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok
            or parts.username is not None or "\\" in value):
        raise WebNameError(URL_MESSAGE)
    try:
        check_host(parts.hostname)
    except WebNameError as exc:
        raise WebNameError(URL_MESSAGE) from exc
    return value


def normalise_domain(value: str) -> str:
    """``Spam.Example.`` → ``spam.example``, ``bücher.example`` → ``xn--bcher-kva.example``.

    A domain is a host name with at least one dot, or an IP literal; no scheme, port or path.
    Anything else (``export``, ``https://spam.example``, ``spam.example:443``) is refused."""
    domain = value.strip().lower().rstrip(".")
    hint = " Bitte nur den Domainnamen angeben, z. B. spam.example."
    if (literal := _ip_literal(domain)) is not None:
        return literal
    if not domain or _has_refused_character(domain) or any(c in domain for c in "/:@?#[]\\"):
        raise WebNameError(f"„{value.strip()[:100]}“ ist kein Domainname.{hint}")
    if "." not in domain:
        raise WebNameError(f"„{domain[:100]}“ ist kein vollständiger Domainname (ohne Punkt)."
                           f"{hint}")
    try:
        return check_host(domain)
    except WebNameError as exc:
        raise WebNameError(f"{exc}{hint}") from exc


def in_domain(url: object, domain: str) -> bool:
    """Whether a URL's host is `domain` or one of its subdomains (a domain rule covers
    both); False for anything that is no http(s) URL."""
    if not isinstance(url, str):
        return False
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return host == domain or host.endswith("." + domain)
