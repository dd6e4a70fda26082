"""Creating an instance: shared by `mitwirken init`, the demo and the tests."""

from __future__ import annotations

from pathlib import Path

from mitwirken.federation.keys import new_rsa_keypair
from mitwirken.models import actors as actor_repo
from mitwirken.models.actors import LocalActor
from mitwirken.models.store import Store, utcnow
from mitwirken.server.config import CONFIG_NAME, Settings, write_settings_file


class AlreadyInitialised(Exception):
    pass


def make_actor(username: str, kind: str, name: str, **extra: object) -> LocalActor:
    """A local actor with a fresh RSA-2048 key pair."""
    public, private = new_rsa_keypair()
    now = utcnow()
    return LocalActor(username=username, kind=kind, name=name, public_key_pem=public,
                      private_key_pem=private, created_at=now, updated_at=now, **extra)


def init_instance(data: Path, url: str, name: str, city_username: str,
                  **settings_values: object) -> Settings:
    """Create settings, database, instance actor and city actor. Refuses to touch an existing
    instance; a failure leaves nothing behind."""
    if (data / CONFIG_NAME).exists() or (data / "mitwirken.db").exists():
        raise AlreadyInitialised(
            f"{data} ist bereits eingerichtet; nichts wurde verändert. "
            "(already initialised; nothing was changed)")
    values: dict[str, object] = {"base_url": url, "instance_name": name,
                                 "city_username": city_username}
    settings = Settings(data_dir=data, **values, **settings_values)
    city = make_actor(city_username, "city", name,
                      summary=f"Anlaufstelle für Engagement – {name}.")
    data.mkdir(parents=True, exist_ok=True)
    try:
        store = Store.open(settings.db_path)
        with store.tx():
            actor_repo.create_actor(store, make_actor("instance", "instance", name))
            actor_repo.create_actor(store, city)
        store.close()
        # The database holds the private keys: readable by the service user only.
        data.chmod(0o700)
        for suffix in ("", "-wal", "-shm"):
            path = data / f"mitwirken.db{suffix}"
            if path.exists():
                path.chmod(0o600)
    except Exception:
        for suffix in ("", "-wal", "-shm"):
            (data / f"mitwirken.db{suffix}").unlink(missing_ok=True)
        raise
    write_settings_file(data, {**values, **settings_values})
    return settings
