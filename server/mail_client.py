"""Sending one mail through SMTP (the standard library's client, in a thread so the event loop
never waits for the server). The only place that talks SMTP; the mail worker calls it."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from mitwirken.server.config import Settings


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str
    timeout: float = 30.0


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """How to send mail, or None when no `smtp_host` is set (the mail queue then waits)."""
    if not settings.smtp_host:
        return None
    host = urlsplit(settings.base_url).hostname or "localhost"
    return SmtpConfig(host=settings.smtp_host, port=settings.smtp_port,
                      user=settings.smtp_user, password=settings.smtp_password,
                      starttls=settings.smtp_starttls,
                      sender=settings.mail_from or f"mitwirken@{host}")


class MailError(Exception):
    """The SMTP server could not be reached or refused the mail (tried again later)."""


def _message(cfg: SmtpConfig, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg.sender, to, subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2] or None)
    msg.set_content(body)
    return msg


def _send(cfg: SmtpConfig, msg: EmailMessage) -> None:
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                smtp.login(cfg.user, cfg.password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc


def _probe(cfg: SmtpConfig) -> None:
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                smtp.login(cfg.user, cfg.password)
            smtp.noop()
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc


def probe(cfg: SmtpConfig) -> str | None:
    """Connect and log in without sending anything (for `mitwirken check`): the error, or
    None when the server would take mail."""
    try:
        _probe(cfg)
    except MailError as exc:
        return str(exc)
    return None


async def send_mail(cfg: SmtpConfig, to: str, subject: str, body: str) -> None:
    await asyncio.to_thread(_send, cfg, _message(cfg, to, subject, body))
