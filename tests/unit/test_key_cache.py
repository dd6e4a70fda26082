"""The inbox's kept remote keys (issue 18) never outlive a change of `remote_actors`: a rotated
key, a forgotten actor, a write by another process's connection."""

from __future__ import annotations

from mitwirken.models import remote_actors
from mitwirken.models.store import Store

ACTOR = "https://m.test/users/a"
KEY = f"{ACTOR}#main-key"


def _row(pem: str) -> remote_actors.RemoteActorRow:
    return remote_actors.RemoteActorRow(
        id=ACTOR, type="Person", preferred_username="a", name=None, domain="m.test",
        inbox=f"{ACTOR}/inbox", shared_inbox=None, key_id=KEY, public_key_pem=pem,
        data="{}", fetched_at="2026-12-03T10:00:00Z")


def test_kept_key_is_replaced_when_the_actor_is_saved_again(tmp_path):
    store = Store.open(tmp_path / "db.sqlite")
    cache = remote_actors.KeyCache(store)
    assert cache.key(KEY) is None  # unknown: nothing kept
    remote_actors.save(store, _row("PEM-1"))
    assert cache.key(KEY)["public_key_pem"] == "PEM-1"
    assert cache.key(KEY)["public_key_pem"] == "PEM-1"
    remote_actors.save(store, _row("PEM-2"))  # the key rotated
    assert cache.key(KEY)["public_key_pem"] == "PEM-2"
    remote_actors.forget(store, ACTOR)
    assert cache.key(KEY) is None


def test_a_write_by_another_connection_empties_it(tmp_path):
    store = Store.open(tmp_path / "db.sqlite")
    remote_actors.save(store, _row("PEM-1"))
    cache = remote_actors.KeyCache(store)
    assert cache.key(KEY)["public_key_pem"] == "PEM-1"
    other = Store.open(tmp_path / "db.sqlite")
    remote_actors.save(other, _row("PEM-OTHER"))
    other.close()
    assert cache.key(KEY)["public_key_pem"] == "PEM-OTHER"


def test_it_is_bounded(tmp_path):
    store = Store.open(tmp_path / "db.sqlite")
    remote_actors.save(store, _row("PEM-1"))
    cache = remote_actors.KeyCache(store, size=1)
    for _ in range(3):
        assert cache.key(KEY) is not None
    assert len(cache._keys) == 1
