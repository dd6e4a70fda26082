"""Configuration: one place, `DIR/mitwirken.toml` overridden by `MITWIRKEN_*` variables.

Every field of `Settings` is a setting. The README's settings table is checked against this
model by `tests/unit/test_settings_doc.py`, so a new field needs a row there.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mitwirken.models.web_names import WebNameError, check_web_url

ENV_PREFIX = "MITWIRKEN_"
CONFIG_NAME = "mitwirken.toml"


class ConfigError(Exception):
    """A setting is missing or invalid; the message is meant for the admin."""


class Settings(BaseModel):
    """All settings of one instance. Field descriptions are the documentation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(description="Folder with the database and keys (set by --data).")
    base_url: str = Field(description="Public URL of the instance, e.g. https://engagiert.musterstadt.de")
    instance_name: str = Field(description="Display name of the city instance.")
    city_username: str = Field(description="Username of the city actor (the Anlaufstelle).")
    host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(8080, description="Port `serve` listens on.")
    tls_cert: Path | None = Field(None, description="PEM certificate for HTTPS without a proxy.")
    tls_key: Path | None = Field(None, description="PEM private key for HTTPS without a proxy.")
    allow_private_network: bool = Field(
        False,
        description="Allow fetching/delivering to loopback and private addresses and plain http "
        "(tests and local demos only).",
    )
    max_body_bytes: int = Field(
        1_000_000, description="Largest accepted request body in bytes (413 above)."
    )
    default_language: str = Field("de", description="Language of pages and posts (de or en).")
    auto_pause_days: int = Field(
        90, description="Ongoing opportunities not confirmed for this many days are paused."
    )
    approve_followers_manually: bool = Field(
        False, description="Hold follow requests to the city actor for approval."
    )
    delivery_concurrency_per_domain: int = Field(
        4, description="Parallel deliveries to one remote domain."
    )
    delivery_workers: int = Field(16, description="Parallel deliveries in total.")
    delivery_lease_seconds: int = Field(
        300, ge=1, description="How long a claimed delivery stays reserved; after a crash its "
        "rows are sent again once the lease is over."
    )
    fetch_timeout_seconds: float = Field(10.0, description="Timeout of one remote fetch.")
    backfill_max_objects: int = Field(
        2000, ge=0, description="After a follow is accepted, at most this many of the followed "
        "actor's past objects are fetched (0: none)."
    )
    backfill_months: int = Field(
        12, ge=0, description="A backfill goes back at most this many months before the follow."
    )
    backfill_page_interval_seconds: float = Field(
        0.5, ge=0, description="Pause between two outbox pages of one backfill (pacing)."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-* headers are honoured (comma-separated).",
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    public_replies: Literal["hold", "show"] = Field(
        "hold", description="Public comments on our objects: `hold` shows them only once an "
        "editor approved them, `show` shows them unless an editor hid them."
    )
    response_retention_days: int = Field(
        180, ge=1, description="Days after a response was marked handled until its messages "
        "and who wrote it are erased (the counts for the statistics stay)."
    )
    smtp_host: str = Field("", description="SMTP server for outgoing mail (reminders); "
                           "empty: no mail is sent and the queue waits.")
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_user: str = Field("", description="SMTP login (empty: none).")
    smtp_password: str = Field("", description="SMTP password.")
    smtp_starttls: bool = Field(True, description="Use STARTTLS (off only for a local relay).")
    mail_from: str = Field("", description="Sender address of outgoing mail (empty: "
                           "mitwirken@ the instance's host).")
    access_log: Literal["on", "errors", "off"] = Field(
        "errors", description="Access log: `on` a line per request, `errors` only answers >= 400 "
        "and requests slower than 1 s (the reverse proxy logs every request), `off` none."
    )
    publish_domain_blocks: bool = Field(
        False, description="Publish the blocked and limited domains, with their reasons, at "
        "/api/v1/instance/domain_blocks (as Mastodon does)."
    )
    metrics_token: str | None = Field(
        None, min_length=16, description="Bearer token for `/metrics` (Prometheus text); "
        "unset: `/metrics` answers 404."
    )

    operator_name: str = Field(
        "", description="Impressum: who runs this site (e.g. Stadt Musterstadt, "
        "Freiwilligenagentur); shown at /impressum."
    )
    operator_address: str = Field("", description="Impressum: postal address (several lines: a "
                                  "TOML multi-line string).")
    operator_email: str = Field("", description="Impressum: contact e-mail address.")
    operator_phone: str = Field("", description="Impressum: contact phone number.")
    operator_representative: str = Field(
        "", description="Impressum: who represents the operator (e.g. the mayor)."
    )
    privacy_officer: str = Field(
        "", description="Datenschutz: the data protection officer's name and contact."
    )
    session_hours: int = Field(
        12, ge=1, le=24 * 90, description="A web login lasts this many hours; then the person "
        "logs in again."
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        try:
            parts = urlsplit(check_web_url(value))
        except WebNameError:
            parts = None
        if parts is None or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("base_url must look like https://host (no path)")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @property
    def domain(self) -> str:
        """Host (with port if any) of the public URL — the domain in `acct:` handles."""
        return urlsplit(self.base_url).netloc

    @property
    def db_path(self) -> Path:
        return self.data_dir / "mitwirken.db"


def setting_names() -> list[str]:
    return [name for name in Settings.model_fields if name != "data_dir"]


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(data_dir: Path, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Read `DIR/mitwirken.toml`, then `MITWIRKEN_*` variables, then explicit overrides."""
    env = dict(os.environ) if env is None else env
    path = data_dir / CONFIG_NAME
    values: dict[str, Any] = {}
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text("utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    for name in setting_names():
        if env_name(name) in env:
            values[name] = env[env_name(name)]
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["data_dir"] = data_dir
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings in {path} or environment: {problems}") from exc


def write_settings_file(data_dir: Path, values: dict[str, Any]) -> Path:
    """Write the initial `mitwirken.toml`; only explicitly chosen values are stored."""
    path = data_dir / CONFIG_NAME
    path.write_text(tomli_w.dumps(values), "utf-8")
    path.chmod(0o600)
    return path
