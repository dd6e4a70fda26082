"""Key pairs for local actors (through bovine/cryptography, never hand-rolled)."""

from __future__ import annotations

from bovine.crypto import generate_rsa_public_private_key


def new_rsa_keypair() -> tuple[str, str]:
    """Return (public PEM, private PEM) of a fresh RSA-2048 key pair."""
    return generate_rsa_public_private_key()
