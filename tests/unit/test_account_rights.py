"""Who may touch which account is decided in the use case (`usecases.accounts`), not only in
the web route: staff manage staff and editors, admins everyone, editors nobody, nobody removes
themselves; the command line (no `by`) may do everything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mitwirken.models.store import Store
from mitwirken.server.usecases.accounts import AccountForbidden, Accounts, OwnAccount


@pytest.fixture
def accounts(settings):
    store = Store.open(settings.db_path)
    yield Accounts(store, lambda: datetime(2026, 12, 4, tzinfo=UTC))
    store.close()


def test_rights(accounts):
    admin = accounts.add("chef@stadt.example", "admin", []).account
    staff = accounts.add("staff@stadt.example", "staff", []).account
    editor = accounts.add("red@tafel.example", "editor", ["tafel"]).account

    with pytest.raises(AccountForbidden, match="nur die Administration"):
        accounts.add("chef2@stadt.example", "admin", [], acting=staff)
    with pytest.raises(AccountForbidden):
        accounts.reset("chef@stadt.example", acting=staff)
    with pytest.raises(AccountForbidden):
        accounts.remove("chef@stadt.example", acting=staff)
    for email, role, orgs in (("a@b.example", "editor", ["tafel"]), ("c@d.example", "staff", [])):
        with pytest.raises(AccountForbidden, match="Anlaufstelle"):
            accounts.add(email, role, orgs, acting=editor)
    with pytest.raises(AccountForbidden):
        accounts.reset("staff@stadt.example", acting=editor)
    with pytest.raises(OwnAccount):
        accounts.remove("staff@stadt.example", acting=staff)
    with pytest.raises(OwnAccount):
        accounts.remove("chef@stadt.example", acting=admin)
    assert len(accounts.list()) == 3

    accounts.add("neu@stadt.example", "staff", [], acting=staff)
    assert accounts.reset("red@tafel.example", acting=staff).startswith("/passwort/")
    accounts.remove("neu@stadt.example", acting=staff)
    accounts.add("chef2@stadt.example", "admin", [], acting=admin)
    accounts.remove("staff@stadt.example", acting=admin)
    accounts.remove("chef2@stadt.example")  # the command line
    assert sorted(a.email for a in accounts.list()) == ["chef@stadt.example",
                                                        "red@tafel.example"]
