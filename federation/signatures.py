"""HTTP signatures for server-to-server requests (design: interop.md §3, security.md group A).

Crypto goes through bovine (``HttpSignature``, ``CryptographicSecret/Identifier``,
``validate_digest``), but not its ``SignatureChecker``: that accepts cross-instance replays
(``host`` unsigned), ignores the query, allows only ±5 min and crashes on RFC 9421 input with
http-sf 1.5 (security.md Appendix A). Here every failure is a :class:`SignatureError`, so the
inbox answers 401 — which also makes Fedify fall back from RFC 9421 to draft-cavage.
"""

from __future__ import annotations

import email.utils
import logging
import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

import http_sf
from bovine.crypto.digest import validate_digest
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.signature import RFC9421Signature, Signature
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
from cryptography.hazmat.primitives.asymmetric import rsa

logger = logging.getLogger(__name__)

ACTIVITY_JSON = "application/activity+json"
MIN_RSA_BITS = 2048  # security.md A-15: project key-size floor
_BODYLESS = frozenset({"GET", "HEAD"})


class SignatureError(Exception):
    """Any reason to reject a signature; ``reason`` is short English, safe to log and to
    return as the 401 ``{"error": …}`` body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PublicKey:
    """What a key lookup returns: the key and the actor that (verifiably) owns it."""

    key_id: str
    owner: str
    pem: str


KeyLookup = Callable[[str, bool], Awaitable[PublicKey | None]]
"""``(key_id, refresh) -> key``; ``refresh=True`` bypasses caches (key rotation, A-13)."""


@dataclass(frozen=True)
class Verified:
    """A request whose signature checked out; ``owner`` still has to match the actor."""

    key_id: str
    owner: str
    scheme: Literal["draft-cavage", "rfc9421"]


@lru_cache(maxsize=1024)
def _secret(key_id: str, private_key_pem: str) -> CryptographicSecret:
    """Loading an RSA private key validates it (30–50 ms, blocking the event loop), so every
    local actor's key stays loaded: a city has one actor per organisation, and deliveries of
    many organisations interleave in the queue (a miss per delivery would stall everything)."""
    return CryptographicSecret.from_pem(key_id, private_key_pem)


def _http_date(now: datetime | None) -> str:
    """IMF-fixdate, locale independent (``strftime`` %a/%b are not)."""
    now = _aware(now or datetime.now(UTC)).astimezone(UTC)
    return email.utils.format_datetime(now, usegmt=True)


def sign_headers(
    method: str, url: str, *, key_id: str, private_key_pem: str, body: bytes | None = None,
    now: datetime | None = None, accept: str | None = None, content_type: str = ACTIVITY_JSON,
) -> dict[str, str]:
    """Headers for a draft-cavage rsa-sha256 request, the way Mastodon signs (interop §3.2).

    Call it for every attempt: Mastodon rejects a ``Date`` older than ~1 h, so queued
    retries need a fresh signature. ``(request-target)`` includes the query; callers doing
    paged GETs may retry without it on 401 (GoToSocial does the same).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port is not None and (parts.scheme, parts.port) not in (("https", 443), ("http", 80)):
        host = f"{host}:{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": host, "Date": _http_date(now)}
    sig = HttpSignature().with_field("(request-target)", f"{method.lower()} {target}")
    sig.with_field("host", host).with_field("date", headers["Date"])
    if method.upper() in _BODYLESS:
        headers["Accept"] = accept or ACTIVITY_JSON
        sig.with_field("accept", headers["Accept"])
    else:
        headers["Digest"] = content_digest_sha256(body or b"", prefix="SHA-256")
        headers["Content-Type"] = content_type
        sig.with_field("digest", headers["Digest"]).with_field("content-type", content_type)
    headers["Signature"] = sig.sign_for_http_draft(_secret(key_id, private_key_pem))
    return headers


_KEYID_RE = re.compile(r'(?:^|[\s,])keyId="([^"]+)"')
_BARE_INT_RE = re.compile(r"\b(created|expires)=(\d+)")
_COMMA_WS_RE = re.compile(r",\s+(?=[A-Za-z]+=)")
_COMMA_WS = re.compile(r",\s")


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case names; repeated fields (multidicts) are joined with ", " as both specs say."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = str(name).lower()
        value = str(value).strip()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _cavage_header(value: str) -> str:
    """Tolerate what bovine's naive parser does not: Mastodon's buggy ``Signature `` prefix,
    blanks after commas, and unquoted ``created``/``expires`` integers (draft-cavage §2.1)."""
    value = value.strip()
    if value.startswith("Signature "):
        value = value[len("Signature ") :]
    if "created=" in value or "expires=" in value:
        value = _BARE_INT_RE.sub(r'\1="\2"', value)
    return _COMMA_WS_RE.sub(",", value) if _COMMA_WS.search(value) else value


def _sf_dict(value: str) -> Any:
    """An RFC 8941 Dictionary field parsed by http-sf. Typed `Any`: http-sf's result is the
    union of every structured-field type, and each caller checks the shape it reads."""
    return http_sf.parse(value.encode(), tltype="dict")


def key_id_of(headers: Mapping[str, str]) -> str | None:
    """The key id a request claims (for logging, domain blocks before any fetch); no crypto."""
    try:
        h = _lower_headers(headers)
        if "signature-input" in h:
            members = list(_sf_dict(h["signature-input"]).values())
            keyid = members[0][1].get("keyid") if members else None
            return keyid if isinstance(keyid, str) and keyid else None
        match = _KEYID_RE.search(_cavage_header(h.get("signature", "")))
        return match.group(1) if match else None
    except Exception:
        return None


def check_actor(verified: Verified, actor_id: str) -> None:
    """A-09: the key's owner must be the activity's actor, exact string equality."""
    if verified.owner != actor_id:
        raise SignatureError("key owner is not the actor")


def _check_time(label: str, when: datetime, now: datetime, max_skew: timedelta) -> None:
    if when > now + max_skew:
        raise SignatureError(f"{label} is in the future")
    if when < now - max_skew:
        raise SignatureError(f"{label} is too old")


def _from_ts(value: Any, label: str) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SignatureError(f"invalid {label}")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise SignatureError(f"invalid {label}") from exc


def _aware(when: datetime) -> datetime:
    """Naive datetimes are taken as UTC, so comparisons never raise TypeError."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@lru_cache(maxsize=256)  # a burst of requests shares a handful of Date values
def _parse_date(value: str) -> datetime:
    """Locale independent, unlike bovine's ``parse_gmt`` (``strptime`` %a/%b follow LC_TIME)."""
    try:
        return _aware(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError) as exc:
        raise SignatureError("invalid Date header") from exc


def _check_host(h: Mapping[str, str], our_hosts: Collection[str]) -> str:
    """A-05: all our cities run the same paths, so an unsigned or foreign Host is a replay."""
    host = h.get("host", "").lower()
    if not host or host not in {x.lower() for x in our_hosts}:
        raise SignatureError("request is not addressed to this host")
    return host


@lru_cache(maxsize=4096)  # keyed by (key_id, owner, pem): a rotated key is a new entry
def _identifier(key: PublicKey) -> CryptographicIdentifier:
    """RSA only, ≥ 2048 bits (A-15); rsa-sha256/hs2019/rsa-v1_5-sha256 all mean PKCS#1 v1.5."""
    try:
        ident = CryptographicIdentifier.from_pem(key.pem, key.owner)
    except Exception as exc:
        raise SignatureError("invalid public key") from exc
    if ident is None or not isinstance(ident.public_key, rsa.RSAPublicKey):
        raise SignatureError("unsupported key type")
    if ident.public_key.key_size < MIN_RSA_BITS:
        raise SignatureError("key too small")
    return ident


async def _lookup(key_lookup: KeyLookup, key_id: str, refresh: bool) -> PublicKey | None:
    try:
        return await key_lookup(key_id, refresh)
    except SignatureError:
        raise
    except Exception as exc:
        logger.info("key lookup for %s failed: %r", key_id, exc)
        raise SignatureError("key lookup failed") from exc


async def _verify_with_rotation(
    key_id: str, key_lookup: KeyLookup, messages: list[str], signature: str | bytes
) -> str:
    """Try the cached key, then (A-13) refetch once and retry if the key changed."""
    key = await _lookup(key_lookup, key_id, False)
    if key is None:
        raise SignatureError("unknown key")
    for attempt in (0, 1):
        ident = _identifier(key)
        for message in messages:
            try:
                owner = ident.verify(message, signature)
            except Exception as exc:  # bad base64, wrong length …
                raise SignatureError("malformed signature value") from exc
            if owner is not None:
                return owner
        if attempt == 0:
            fresh = await _lookup(key_lookup, key_id, True)
            if fresh is None or fresh.pem == key.pem:
                break
            key = fresh
    raise SignatureError("signature does not verify")


async def _verify_cavage(
    method: str, path_qs: str, h: dict[str, str], body: bytes, our_hosts: Collection[str],
    key_lookup: KeyLookup, now: datetime, max_skew: timedelta,
) -> Verified:
    try:
        sig = Signature.from_signature_header(_cavage_header(h["signature"]))
    except Exception as exc:  # bovine raises ValueError/KeyError/IndexError on junk
        bad_alg = isinstance(exc, ValueError) and exc.args[:1] == ("Unsupported algorithm",)
        raise SignatureError(
            "unsupported signature algorithm" if bad_alg else "malformed Signature header"
        ) from exc
    if not sig.key_id or not sig.signature:
        raise SignatureError("malformed Signature header")
    fields = [f for f in sig.headers.lower().split(" ") if f]
    if len(set(fields)) != len(fields):
        raise SignatureError("duplicate signed header")
    if "(request-target)" not in fields:
        raise SignatureError("(request-target) is not signed")
    if "host" not in fields:
        raise SignatureError("Host is not signed")
    if sig.algorithm != "hs2019" and ({"(created)", "(expires)"} & set(fields)):
        raise SignatureError("(created)/(expires) are only valid with hs2019")
    _check_host(h, our_hosts)

    if "date" in fields:
        _check_time("Date", _parse_date(h.get("date", "")), now, max_skew)
    elif "(created)" not in fields:
        raise SignatureError("Date is not signed")
    if "(created)" in fields:
        _check_time("created", _from_ts(sig.created, "created"), now, max_skew)
    if "(expires)" in fields and now > _from_ts(sig.expires, "expires") + max_skew:
        raise SignatureError("signature expired")

    if method.upper() not in _BODYLESS and "digest" not in fields:
        raise SignatureError("Digest is not signed")
    if "digest" in fields and not validate_digest({"digest": h.get("digest", "")}, body):
        raise SignatureError("Digest does not match body")

    # Mastodon signs the path only, GoToSocial path+query: try both (interop §3.1).
    targets = [path_qs] + ([path_qs.split("?", 1)[0]] if "?" in path_qs else [])
    messages = []
    for target in targets:
        hs = HttpSignature()
        for name in fields:
            if name == "(request-target)":
                hs.with_field(name, f"{method.lower()} {target}")
            elif name in ("(created)", "(expires)"):
                hs.with_field(name, getattr(sig, name[1:-1]))
            elif name in h:
                hs.with_field(name, h[name])
            else:
                raise SignatureError(f"signed header {name[:40]!r} is missing")
        messages.append(hs.build_message())
    owner = await _verify_with_rotation(sig.key_id, key_lookup, messages, sig.signature)
    return Verified(key_id=sig.key_id, owner=owner, scheme="draft-cavage")


def _parse_rfc9421(h: Mapping[str, str]) -> RFC9421Signature:
    """Parse with http-sf ourselves: bovine's ``RFC9421Signature.from_headers`` raises
    ``AttributeError`` with http-sf 1.5. Only a single, plain signature is accepted."""
    try:
        inputs = _sf_dict(h["signature-input"])
        values = _sf_dict(h.get("signature", ""))
    except Exception as exc:
        raise SignatureError("malformed Signature-Input/Signature") from exc
    if not isinstance(inputs, dict) or len(inputs) != 1 or not isinstance(values, dict):
        raise SignatureError("exactly one RFC 9421 signature is supported")
    label, member = next(iter(inputs.items()))
    components, params = member
    value = values.get(label, (None, None))[0]
    if not isinstance(components, list) or not isinstance(value, bytes) or not value:
        raise SignatureError("malformed Signature-Input/Signature")
    names = []
    for comp in components:
        if not isinstance(comp[0], str) or comp[1]:
            raise SignatureError("unsupported RFC 9421 component")
        names.append(comp[0])
    if len(set(names)) != len(names):
        raise SignatureError("duplicate RFC 9421 component")
    if not isinstance(params.get("keyid"), str) or not params["keyid"]:
        raise SignatureError("keyid missing")
    if params.get("alg", "rsa-v1_5-sha256") != "rsa-v1_5-sha256":
        raise SignatureError("unsupported signature algorithm")
    serialized = http_sf.ser({label: member})  # "@signature-params" is this, minus the label
    return RFC9421Signature(names, value, serialized[len(label) + 1 :], dict(params))


async def _verify_rfc9421(
    method: str, path_qs: str, h: dict[str, str], body: bytes, our_hosts: Collection[str],
    key_lookup: KeyLookup, now: datetime, max_skew: timedelta, scheme: str,
) -> Verified:
    """What Fedify sends (``@method @target-uri @authority host date content-digest``,
    ``alg="rsa-v1_5-sha256"``); bovine's base builder has no ``@target-uri``, so we assemble
    the base with ``HttpSignature.build_message_quoted`` and verify with bovine."""
    sig = _parse_rfc9421(h)
    fields = set(sig.fields)
    if "@method" not in fields:
        raise SignatureError("@method is not signed")
    if not fields & {"@authority", "host"}:
        raise SignatureError("@authority is not signed")
    if not fields & {"@target-uri", "@path", "@request-target"}:
        raise SignatureError("@target-uri is not signed")
    host = _check_host(h, our_hosts)
    _check_time("created", _from_ts(sig.params.get("created"), "created"), now, max_skew)
    if "expires" in sig.params and now > _from_ts(sig.params["expires"], "expires") + max_skew:
        raise SignatureError("signature expired")
    if "date" in fields:
        _check_time("Date", _parse_date(h.get("date", "")), now, max_skew)
    if method.upper() not in _BODYLESS and "content-digest" not in fields:
        raise SignatureError("Content-Digest is not signed")
    if "content-digest" in fields and not validate_digest(
        {"content-digest": h.get("content-digest", "")}, body
    ):
        raise SignatureError("Content-Digest does not match body")

    path, _, query = path_qs.partition("?")
    derived = {"@method": method.upper(), "@target-uri": f"{scheme}://{host}{path_qs}",
               "@authority": host, "@scheme": scheme, "@request-target": path_qs,
               "@path": path or "/", "@query": f"?{query}"}
    hs = HttpSignature()
    for name in sig.fields:
        if name in derived:
            hs.with_field(name, derived[name])
        elif name.startswith("@") or name not in h:
            raise SignatureError(f"cannot verify component {name[:40]!r}")
        else:
            hs.with_field(name, h[name])
    hs.with_field("@signature-params", sig.signature_params)
    message = hs.build_message_quoted()
    owner = await _verify_with_rotation(sig.key_id, key_lookup, [message], sig.signature)
    return Verified(key_id=sig.key_id, owner=owner, scheme="rfc9421")


async def verify_request(
    method: str, path_qs: str, headers: Mapping[str, str], body: bytes, *,
    our_hosts: Collection[str], key_lookup: KeyLookup, now: datetime | None = None,
    max_skew: timedelta = timedelta(hours=1), scheme: str = "https",
) -> Verified:
    """Verify an inbound request (draft-cavage or RFC 9421) before anything else is done.

    ``path_qs`` and ``headers`` must be exactly as received (the reverse proxy must not
    rewrite Host or the path); ``body`` is the raw bytes. ``scheme`` is only used to
    rebuild RFC 9421 ``@target-uri``. Raises :class:`SignatureError` for every failure —
    never another exception — so the caller can answer 401. Cheap checks run before the
    key lookup so garbage never triggers a key fetch (A-12). The caller must still call
    :func:`check_actor`.
    """
    try:
        now = _aware(now or datetime.now(UTC))
        h = _lower_headers(headers)
        if "signature" not in h:
            raise SignatureError("request not signed")
        if "signature-input" in h:
            return await _verify_rfc9421(
                method, path_qs, h, body, our_hosts, key_lookup, now, max_skew, scheme
            )
        return await _verify_cavage(method, path_qs, h, body, our_hosts, key_lookup, now, max_skew)
    except SignatureError:
        raise
    except Exception as exc:
        logger.debug("signature verification crashed", exc_info=True)
        raise SignatureError("malformed signature") from exc
