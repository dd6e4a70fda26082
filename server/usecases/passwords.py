"""Passwords of web accounts: the rules (at least 10 characters, not one of the commonest
passwords) and argon2id hashing (`argon2-cffi`, its default parameters, RFC 9106's second
recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mitwirken.models.text_marks import N_

MIN_LENGTH = 10
MAX_LENGTH = 1000  # argon2 takes any length; a bound keeps a login POST cheap
# The commonest passwords of at least ten characters (HPI and NordPass lists for Germany,
# plus the obvious local ones). Compared case-insensitively.
COMMON = frozenset({
    "1234567890", "12345678910", "123456789a", "0123456789", "0987654321", "1111111111",
    "1234512345", "123123123123", "qwertzuiop", "qwertyuiop", "passwort123", "passwort1234",
    "password123", "password1234", "hallo12345", "hallohallo", "iloveyou12", "ichliebedich",
    "schalke04!", "borussia09", "fussball123", "sommer2024", "sommer2025", "sommer2026",
    "winter2025", "winter2026", "musterstadt", "mitwirken123", "ehrenamt123",
    "engagiertestadt", "abcdefghij", "aaaaaaaaaa", "asdfghjkl1", "willkommen1",
    "willkommen123", "geheim12345", "lieblingsmensch", "1q2w3e4r5t", "1qay2wsx3edc",
})

_hasher = PasswordHasher()  # argon2id


class WeakPassword(ValueError):
    """The message is German and says what to change; `template` and `values` are the same
    message as a marked text (`N_`) with its numbers, for pages in another language."""

    def __init__(self, template: str, **values: int) -> None:
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values


def check_rules(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(N_("Das Passwort muss mindestens %(n)s Zeichen lang sein."),
                           n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(N_("Das Passwort darf höchstens %(n)s Zeichen lang sein."),
                           n=MAX_LENGTH)
    if password.strip().lower() in COMMON:
        raise WeakPassword(N_("Dieses Passwort gehört zu den häufigsten und ist leicht zu erraten. "
                           "Bitte wählen Sie ein anderes."))


def hash_password(password: str) -> str:
    check_rules(password)
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    if not password_hash or len(password) > MAX_LENGTH:
        _hasher.hash("timing-equaliser")  # no account: as slow as a real check
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
