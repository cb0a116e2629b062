"""Rows for every table of the dataset, from a ``Plan``: pure, deterministic.

Each table's rows are tuples in ``COLUMNS[table]`` order holding ``None``,
``int``, ``str``, ``bool``, ``date``, ``datetime`` or ``dict`` (JSON) values.
Every race draws from a ``random.Random`` of its own, seeded from the run's
seed and the race id, so any race can be produced alone and the same seed
always gives the same rows, ids included.

API key hashes are an input (the loader draws the keys); credentials'
plaintext values here are fake and are encrypted by the database on load.

The work is split by entity, a module each: ``columns`` (the tables and
their columns), ``stamps`` (timestamps, race starts), ``people`` (participants),
``race`` (one race's participants, results and registrations, and races in
chunks), ``registrations`` (a RunSignUp registration), ``accounts`` (partners,
providers, users, Haku organisations, credentials), ``events`` (the event and
race tables), ``weather`` and ``syncs``; ``small_tables`` here puts the tables
written whole in foreign-key order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from project88.demodata.generate.accounts import (
    api_key_owners,
    credential_rows,
    haku_org_rows,
    partner_rows,
    provider_rows,
    user_rows,
)
from project88.demodata.generate.columns import COLUMNS, RACE_TABLES, Row
from project88.demodata.generate.events import (
    catalogue_rows,
    ct_event_rows,
    ct_race_rows,
    raceroster_rows,
    rsu_event_rows,
    rsu_race_rows,
)
from project88.demodata.generate.race import RaceRows, race_chunks, race_rows
from project88.demodata.generate.syncs import sync_history_rows, sync_queue_rows
from project88.demodata.generate.weather import weather_rows
from project88.demodata.plan import Plan

__all__ = [
    "COLUMNS",
    "RACE_TABLES",
    "RaceRows",
    "Row",
    "api_key_owners",
    "race_chunks",
    "race_rows",
    "small_tables",
    "user_rows",
]


def small_tables(
    plan: Plan, key_hashes: Mapping[str, str | None]
) -> Iterator[tuple[str, Iterator[Row] | list[Row]]]:
    """(table, rows) in an order that satisfies every foreign key."""
    yield "timing_partners", partner_rows()
    yield "providers", provider_rows()
    yield "users", user_rows(plan.seed, key_hashes)
    yield "timing_partner_haku_orgs", haku_org_rows(plan.seed)
    yield "partner_provider_credentials", credential_rows(plan.seed)
    yield "ct_events", ct_event_rows(plan)
    yield "ct_races", ct_race_rows(plan)
    yield "event_weather", weather_rows(plan)
    yield "events", catalogue_rows(plan)
    yield "runsignup_events", rsu_event_rows(plan)
    yield "runsignup_races", rsu_race_rows(plan)
    yield "raceroster_events", raceroster_rows(plan)
    yield "sync_history", sync_history_rows(plan)
    yield "sync_queue", sync_queue_rows(plan)
