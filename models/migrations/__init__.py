"""Schema migrations, applied in the order listed here.

Migrations only ever add. Each one is frozen when written: it lives in its own module and
carries whatever it needs (a private copy, never an import of live code such as
`models/search.py` or `models/store.py`), so changing the application later cannot change what
an old migration does to a database that has not run it yet. To add one, write the next
`mNNN_<what>.py` with a `migrate(db)` function and append it to `ORDER`; never edit, reorder
or remove a listed one."""

from __future__ import annotations

from types import ModuleType

from sqlite_utils import Migrations

from mitwirken.models.migrations import (
    m001_core,
    m002_network,
    m003_search_filter_index,
    m004_search_filter_tokens,
    m005_owners_and_retry_times,
    m006_search_text,
    m007_inbox_lease,
    m008_search_stems,
    m009_backfills,
    m010_due_dates,
    m011_outbox_by_object,
    m015_change_counters,
    m016_accounts,
    m017_responses,
    m018_federation_policy,
    m019_search_counter,
    m020_response_mail,
    m021_actor_blocks,
    m022_search_newest_first,
    m024_policy_counters,
)

ORDER: tuple[ModuleType, ...] = (
    m001_core,
    m002_network,
    m003_search_filter_index,
    m004_search_filter_tokens,
    m005_owners_and_retry_times,
    m006_search_text,
    m007_inbox_lease,
    m008_search_stems,
    m009_backfills,
    m010_due_dates,
    m011_outbox_by_object,
    m015_change_counters,
    m016_accounts,
    m017_responses,
    m018_federation_policy,
    m019_search_counter,
    m020_response_mail,
    m021_actor_blocks,
    m022_search_newest_first,
    m024_policy_counters,
)

MIGRATIONS = Migrations("mitwirken")
for _step in ORDER:
    MIGRATIONS(name=_step.__name__.rsplit(".", 1)[1])(_step.migrate)
