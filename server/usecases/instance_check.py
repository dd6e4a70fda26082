"""`mitwirken check`: the questions an admin asks before (and after) telling the neighbours.

Local checks first (settings, data folder, disk, database), then – unless `--offline` – the
instance is asked *through its public URL*, the way a Mastodon server would ask it: WebFinger,
the city actor as ActivityPub JSON, TLS (with normal certificate verification) and the clock,
because HTTP signatures older than a few minutes are rejected by peers. Every finding carries a
German and an English sentence; any FAIL makes the exit status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import shutil
import sqlite3
import ssl
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import deliveries, domain_policy
from mitwirken.models.store import DatabaseTooNew, Store
from mitwirken.server.config import CONFIG_NAME, ConfigError, Settings, load_settings
from mitwirken.server.http_client import client_session
from mitwirken.server.mail_client import probe, smtp_config

OK, WARN, FAIL = "OK", "WARN", "FAIL"
MIN_FREE_BYTES = 1 << 30
SKEW_WARN_SECONDS = 30.0
SKEW_FAIL_SECONDS = 300.0
CERT_WARN_DAYS = 14
AP_TYPES = ("application/activity+json", "application/ld+json")
USER_AGENT = "Mitwirken-check (+https://github.com/mitwirken/mitwirken)"


@dataclass(frozen=True)
class Finding:
    level: str
    de: str
    en: str

    def render(self) -> str:
        return f"{self.level:<5} {self.de}\n      {self.en}"


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.level == FAIL for f in findings) else 0


def check(data_dir: Path, *, offline: bool = False, env: dict[str, str] | None = None,
          timeout: float = 10.0) -> list[Finding]:
    """Run all checks in order; a check that makes the later ones meaningless stops the run."""
    if not (data_dir / CONFIG_NAME).exists():
        return [Finding(FAIL, f"{data_dir} ist nicht eingerichtet (keine {CONFIG_NAME}).",
                        f"{data_dir} is not initialised (no {CONFIG_NAME}).")]
    try:
        settings = load_settings(data_dir, env)
    except ConfigError as exc:
        return [Finding(FAIL, f"Einstellungen fehlerhaft: {exc}", f"settings invalid: {exc}")]
    findings = [Finding(OK, f"Einstellungen geladen: {data_dir / CONFIG_NAME}",
                        f"settings loaded for {settings.base_url}")]
    findings += check_local(settings)
    findings.append(check_mail(settings, connect=not offline))
    if not offline and not any(f.level == FAIL for f in findings):
        findings += asyncio.run(check_public(settings, seconds=timeout))
    return findings


# --- local --------------------------------------------------------------------------------

def check_local(settings: Settings) -> list[Finding]:
    return [check_writable(settings.data_dir), check_disk(settings.data_dir),
            *check_database(settings), check_base_url(settings), check_imprint(settings)]


def check_mail(settings: Settings, *, connect: bool = True) -> Finding:
    """Reminders and form mails need SMTP; without it they wait in the mail queue."""
    cfg = smtp_config(settings)
    if cfg is None:
        return Finding(WARN, "Kein E-Mail-Versand eingerichtet (smtp_host): Erinnerungen und "
                       "Formular-Rückmeldungen warten in der Warteschlange.",
                       "no mail server configured (smtp_host): mails wait in the queue")
    if not connect:
        return Finding(OK, f"E-Mail-Versand über {cfg.host}:{cfg.port} eingerichtet "
                       "(nicht geprüft).", f"mail via {cfg.host}:{cfg.port} (not checked)")
    error = probe(replace(cfg, timeout=5.0))
    if error:
        return Finding(FAIL, f"E-Mail-Server {cfg.host}:{cfg.port} nicht nutzbar: {error}",
                       f"mail server {cfg.host}:{cfg.port} unusable: {error}")
    return Finding(OK, f"E-Mail-Server {cfg.host}:{cfg.port} nimmt Mails an.",
                   f"mail server {cfg.host}:{cfg.port} accepts mail")


def check_writable(data_dir: Path) -> Finding:
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".check-"):
            pass
    except OSError as exc:
        return Finding(FAIL, f"Datenordner {data_dir} ist nicht beschreibbar ({exc.strerror}).",
                       f"data folder {data_dir} is not writable.")
    return Finding(OK, f"Datenordner {data_dir} ist beschreibbar.",
                   f"data folder {data_dir} is writable.")


def check_disk(data_dir: Path, minimum: int = MIN_FREE_BYTES) -> Finding:
    free = shutil.disk_usage(data_dir).free
    gib = f"{free / (1 << 30):.1f} GiB"
    if free < minimum:
        return Finding(WARN, f"Nur {gib} frei: Datenbank und Sicherungen brauchen Platz.",
                       f"only {gib} free disk space: database and backups need room.")
    return Finding(OK, f"{gib} Speicherplatz frei.", f"{gib} free disk space.")


def check_database(settings: Settings) -> list[Finding]:
    path = settings.db_path
    if not path.exists():
        return [Finding(FAIL, f"Keine Datenbank unter {path}: zuerst `mitwirken init`.",
                        f"no database at {path}: run `mitwirken init` first.")]
    findings = []
    if path.stat().st_mode & 0o077:
        findings.append(Finding(
            WARN, f"{path} ist für andere Benutzer lesbar; sie enthält die privaten Schlüssel "
            f"(chmod 600 {path}).",
            f"{path} is readable by other users; it holds the private keys."))
    try:
        # Read-only: a check run as another user must not create files the service can't use.
        store = Store.open_read_only(path)
        store.check_not_newer()
    except DatabaseTooNew as exc:
        return [*findings, Finding(FAIL, str(exc).split(" / ")[0], str(exc).split(" / ")[-1])]
    except sqlite3.Error as exc:
        return [*findings, Finding(FAIL, f"Datenbank lässt sich nicht öffnen: {exc}",
                                   f"database cannot be opened: {exc}")]
    try:
        pending = store.pending_migrations()
        city_kind = actor_repo.kind_of(store, settings.city_username)
        federation = [] if pending else check_federation(store)
    except sqlite3.Error as exc:
        return [*findings, Finding(FAIL, f"Datenbank lässt sich nicht lesen: {exc}",
                                   f"database cannot be read: {exc}")]
    finally:
        store.close()
    if pending:
        findings.append(Finding(
            WARN, f"{len(pending)} Migration(en) stehen aus ({', '.join(pending)}); sie laufen "
            "beim nächsten Start automatisch.",
            f"{len(pending)} migration(s) pending; they run automatically at the next start."))
    else:
        findings.append(Finding(OK, "Datenbank geöffnet, Migrationen aktuell.",
                                "database opens, migrations are current."))
    if city_kind != "city":
        findings.append(Finding(
            FAIL, f"Das Stadt-Konto @{settings.city_username} fehlt in der Datenbank.",
            f"the city actor @{settings.city_username} is missing from the database."))
    return findings + federation


def check_federation(store: Store) -> list[Finding]:
    """The federation mode, and what it keeps back (docs/ADMIN.md)."""
    if domain_policy.mode(store) != domain_policy.Mode.ALLOWLIST:
        return [Finding(OK, "Föderation offen (außer für blockierte Domains).",
                        "federation is open (except for blocked domains).")]
    listed = [r for r in domain_policy.list_rules(store)
              if r["policy"] != domain_policy.Policy.BLOCK]
    held = deliveries.delivery_summary(store)["held"]
    if not listed:
        return [Finding(WARN, "Erlaubnisliste ist leer: die Instanz föderiert mit niemandem "
                        "(`mitwirken allow DOMAIN` oder `mitwirken federation mode open`).",
                        "the allow-list is empty: the instance federates with nobody.")]
    return [Finding(OK, f"Föderation nur mit {len(listed)} erlaubten Domains; {held} "
                    "Zustellungen an andere zurückgehalten.",
                    f"federation with {len(listed)} listed domains only; {held} deliveries "
                    "to others held.")]


def check_base_url(settings: Settings) -> Finding:
    if settings.base_url.startswith("https://"):
        return Finding(OK, f"Öffentliche Adresse {settings.base_url} nutzt HTTPS.",
                       f"public URL {settings.base_url} uses HTTPS.")
    if settings.allow_private_network:
        return Finding(OK, f"{settings.base_url} ohne HTTPS – erlaubt, weil "
                       "allow_private_network gesetzt ist (nur Tests/Demo).",
                       "plain http allowed by allow_private_network (tests and demos only).")
    return Finding(WARN, f"{settings.base_url} ist kein HTTPS: Mastodon folgt nur "
                   "HTTPS-Instanzen.", "base_url is not https: Mastodon only follows https.")


def check_imprint(settings: Settings) -> Finding:
    """A German public site needs an Impressum (DDG § 5): the operator's name and address."""
    missing = [n for n in ("operator_name", "operator_address", "operator_email")
               if not getattr(settings, n).strip()]
    if missing:
        names = ", ".join(missing)
        return Finding(WARN, f"Impressum unvollständig: {names} fehlt in den Einstellungen "
                       "(/impressum zeigt sonst einen Hinweis).",
                       f"imprint incomplete: set {names} (shown at /impressum).")
    return Finding(OK, "Impressum: Betreiberangaben eingetragen.", "imprint details are set.")


# --- public -------------------------------------------------------------------------------

def classify_skew(seconds: float) -> Finding:
    """Peers reject signatures whose Date is too far off; 30 s is noise, 5 min breaks."""
    skew = abs(seconds)
    text_de, text_en = f"Uhrzeit weicht {skew:.0f} s ab", f"clock differs by {skew:.0f} s"
    if skew > SKEW_FAIL_SECONDS:
        return Finding(FAIL, f"{text_de}: Signaturen werden abgelehnt. Zeitsynchronisation "
                       "(NTP, systemd-timesyncd) einschalten.",
                       f"{text_en}: signatures will be rejected; enable NTP time sync.")
    if skew > SKEW_WARN_SECONDS:
        return Finding(WARN, f"{text_de}; bitte Zeitsynchronisation (NTP) prüfen.",
                       f"{text_en}; please check NTP time sync.")
    return Finding(OK, f"Uhrzeit stimmt ({skew:.0f} s Abweichung).",
                   f"clock is in sync ({skew:.0f} s).")


def _skew(date_header: str | None, now: datetime) -> Finding:
    if not date_header:
        return Finding(WARN, "Die Antwort hat keinen Date-Header; Uhrzeit nicht prüfbar.",
                       "the response has no Date header; clock not checked.")
    try:
        remote = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return Finding(WARN, f"Date-Header unlesbar: {date_header!r}.",
                       f"unreadable Date header: {date_header!r}.")
    return classify_skew((now - remote.astimezone(UTC)).total_seconds())


async def _cert_finding(base_url: str, now: datetime, limit: float) -> Finding:
    """The request already verified the chain (aiohttp's default); this looks at the expiry,
    because a renewal that silently stopped is the usual way a city's TLS breaks."""
    parts = urlsplit(base_url)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(
            parts.hostname, parts.port or 443, ssl=ssl.create_default_context()), limit)
    except (OSError, TimeoutError):
        cert = None
    else:
        cert = writer.get_extra_info("peercert")
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), limit)
    if not cert or "notAfter" not in cert:
        return Finding(OK, "TLS-Zertifikat gültig.", "TLS certificate is valid.")
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
    days = (expires - now).days
    if days < CERT_WARN_DAYS:
        return Finding(WARN, f"TLS-Zertifikat läuft in {days} Tagen ab; Erneuerung prüfen.",
                       f"TLS certificate expires in {days} days; check renewal.")
    return Finding(OK, f"TLS-Zertifikat gültig (noch {days} Tage).",
                   f"TLS certificate is valid ({days} days left).")


async def check_public(settings: Settings, *, seconds: float = 10.0) -> list[Finding]:
    """Ask the instance through its public URL, as a remote server would."""
    urls = Urls(settings.base_url)
    handle = f"{settings.city_username}@{settings.domain}"
    actor_url = urls.actor(settings.city_username)
    findings: list[Finding] = []
    # Unguarded, as a check of our own address: it may resolve inwards on the server itself.
    client = client_session(allow_private_network=settings.allow_private_network,
                            user_agent=USER_AGENT, timeout=seconds,
                            guard_private_addresses=False)
    async with client as session:
        webfinger = f"{settings.base_url}/.well-known/webfinger?resource=acct:{handle}"
        try:
            async with session.get(webfinger, headers={"Accept": "application/jrd+json"}) as r:
                now = datetime.now(UTC)
                skew = _skew(r.headers.get("Date"), now)
                status, ctype = r.status, r.content_type
                jrd: Any = await r.json(content_type=None) if r.status == 200 else None
        except aiohttp.ClientSSLError as exc:  # includes certificate verification errors
            reason = getattr(exc, "certificate_error", exc)
            return [Finding(
                FAIL, f"TLS-Zertifikat von {settings.domain} wird nicht akzeptiert: {reason}",
                f"TLS certificate of {settings.domain} is not trusted (expired, self-signed "
                "or wrong name).")]
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return [Finding(
                FAIL, f"{settings.base_url} ist nicht erreichbar ({type(exc).__name__}: {exc}). "
                "DNS, Firewall und Reverse-Proxy prüfen.",
                f"{settings.base_url} is not reachable; check DNS, firewall and proxy.")]
        if settings.base_url.startswith("https://"):
            findings.append(await _cert_finding(settings.base_url, now, seconds))
        findings.append(skew)
        findings.append(_webfinger_finding(handle, actor_url, status, ctype, jrd))
        findings.append(await _actor_finding(session, actor_url))
        findings.append(await _health_finding(session, settings.base_url))
    return findings


def _webfinger_finding(handle: str, actor_url: str, status: int, ctype: str,
                       jrd: Any) -> Finding:
    if status != 200 or not isinstance(jrd, dict):
        return Finding(FAIL, f"WebFinger für {handle} antwortet mit HTTP {status}.",
                       f"WebFinger for {handle} answers HTTP {status}.")
    selves = [link.get("href") for link in jrd.get("links", []) if isinstance(link, dict)
              and link.get("rel") == "self" and link.get("type") in AP_TYPES]
    if actor_url not in selves:
        return Finding(FAIL, f"WebFinger für {handle} verweist nicht auf {actor_url} "
                       f"(sondern {selves or 'nichts'}): base_url prüfen.",
                       f"WebFinger for {handle} does not point to {actor_url}: check base_url.")
    if ctype not in ("application/jrd+json", "application/json"):
        return Finding(WARN, f"WebFinger antwortet mit Content-Type {ctype}.",
                       f"WebFinger answers with content type {ctype}.")
    return Finding(OK, f"WebFinger für {handle} antwortet von außen.",
                   f"WebFinger for {handle} answers from outside.")


async def _actor_finding(session: aiohttp.ClientSession, actor_url: str) -> Finding:
    try:
        async with session.get(actor_url, headers={"Accept": AP_TYPES[0]}) as r:
            status, ctype = r.status, r.content_type
            doc: Any = await r.json(content_type=None) if status == 200 else None
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return Finding(FAIL, f"Stadt-Konto {actor_url} nicht abrufbar ({exc}).",
                       f"city actor {actor_url} cannot be fetched.")
    if status != 200 or not isinstance(doc, dict):
        return Finding(FAIL, f"Stadt-Konto {actor_url} antwortet mit HTTP {status}.",
                       f"city actor {actor_url} answers HTTP {status}.")
    if ctype not in AP_TYPES:
        return Finding(FAIL, f"Stadt-Konto antwortet mit Content-Type {ctype} statt "
                       f"{AP_TYPES[0]}: Proxy-Einstellungen prüfen.",
                       f"city actor answers {ctype}, not {AP_TYPES[0]}: check the proxy.")
    if doc.get("id") != actor_url:
        return Finding(FAIL, f"Stadt-Konto hat die id {doc.get('id')!r} statt {actor_url!r}: "
                       "base_url passt nicht zur öffentlichen Adresse.",
                       "the actor id does not match the public URL: check base_url.")
    if not (doc.get("publicKey") or {}).get("publicKeyPem"):
        return Finding(FAIL, "Stadt-Konto hat keinen öffentlichen Schlüssel.",
                       "the city actor has no public key.")
    return Finding(OK, f"Stadt-Konto {actor_url} antwortet als ActivityPub-Actor.",
                   f"city actor {actor_url} answers as an ActivityPub actor.")


async def _health_finding(session: aiohttp.ClientSession, base_url: str) -> Finding:
    try:
        async with session.get(f"{base_url}/healthz") as r:
            status = r.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        status, detail = 0, str(exc)
    else:
        detail = f"HTTP {status}"
    if status == 200:
        return Finding(OK, "/healthz antwortet.", "/healthz answers.")
    return Finding(WARN, f"/healthz antwortet nicht wie erwartet ({detail}).",
                   f"/healthz does not answer as expected ({detail}).")


def render(findings: list[Finding]) -> str:
    fails = sum(f.level == FAIL for f in findings)
    warns = sum(f.level == WARN for f in findings)
    summary = (f"{len(findings)} Prüfungen, {fails} FAIL, {warns} WARN "
               f"/ {len(findings)} checks, {fails} failed, {warns} warnings")
    return "\n".join([*(f.render() for f in findings), summary]) + "\n"
