"""Password rules and argon2id hashing of web accounts."""

from __future__ import annotations

import pytest

from mitwirken.server.usecases import passwords


def test_short_and_common_passwords_are_refused():
    with pytest.raises(passwords.WeakPassword, match="mindestens 10 Zeichen"):
        passwords.check_rules("123456789")
    for common in ("1234567890", "QWERTZUIOP", "Passwort123"):
        with pytest.raises(passwords.WeakPassword, match="häufigsten"):
            passwords.check_rules(common)
    passwords.check_rules("Drei Wörter hier")  # no exception


def test_hash_is_argon2id_and_verifies():
    hashed = passwords.hash_password("Drei Wörter hier")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "Drei Wörter hier")
    assert not passwords.verify(hashed, "Drei Wörter hie")
    assert not passwords.verify(None, "Drei Wörter hier")
    assert not passwords.verify("kaputt", "Drei Wörter hier")
