"""Identifiers and secrets for local objects."""

from __future__ import annotations

import hashlib
import secrets


def new_id() -> str:
    """A short, URL-safe, unguessable id for objects (12 base32 characters, 60 bits)."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def new_token() -> str:
    return "mw_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """API tokens are random (256 bits), so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
