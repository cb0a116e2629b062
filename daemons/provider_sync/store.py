"""Writing adapters' pages to ``project88_myappdb``, as the partner they belong to.

Each page is one transaction, committed before the next request goes out: a job
killed half-way keeps what it wrote, and since every upsert is keyed by the
provider's own id and skips unchanged rows, running it again changes nothing.
Cursors are saved only after a listing's last page (``save_cursor``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg2.extensions

from daemons.common import db

from .adapters.base import Page

# Adapter table -> (upsert statement, statement removing by provider id).
WRITES: Mapping[str, tuple[str, str | None]] = {
    "ct_events": ("upsert_ct_events", None),
    "ct_races": ("upsert_ct_races", None),
    "ct_participants": ("upsert_ct_participants", "remove_ct_participants"),
    "ct_results": ("upsert_ct_results", None),
    "runsignup_events": ("upsert_runsignup_events", None),
    "runsignup_races": ("upsert_runsignup_races", None),
    "runsignup_participants": ("upsert_runsignup_participants", "remove_runsignup_participants"),
    "raceroster_events": ("upsert_raceroster_events", None),
    "raceroster_registrations": (
        "upsert_raceroster_registrations",
        "remove_raceroster_registrations",
    ),
}


def sql(name: str) -> str:
    return db.load_sql("daemons.provider_sync", name)


def _plain(value: Any) -> Any:
    # json_to_recordset reads intervals as text: "8862.3 seconds" is one.
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def as_json(rows: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows])


@dataclass
class Written:
    changed: int = 0
    removed: int = 0


class PartnerStore:
    """One connection, writing as one partner (row-level security checks every row)."""

    def __init__(
        self, conn: psycopg2.extensions.connection, partner_id: int, provider_id: int
    ) -> None:
        self.conn = conn
        self.partner_id = partner_id
        self.provider_id = provider_id

    def _begin(self, cur: psycopg2.extensions.cursor) -> None:
        cur.execute(sql("as_partner"), {"partner": self.partner_id})

    def write(self, page: Page, statement: str | None = None) -> Written:
        """Upsert a page's rows and apply its removals, in one committed transaction."""
        upsert, remove = WRITES.get(page.table, (None, None))
        statement = statement or upsert
        done = Written()
        with self.conn, self.conn.cursor() as cur:
            self._begin(cur)
            if page.rows:
                if statement is None:
                    raise ValueError(f"no statement writes {page.table!r}")
                cur.execute(
                    sql(statement), {"partner": self.partner_id, "rows": as_json(page.rows)}
                )
                done.changed = len(cur.fetchall())
            if page.removed:
                if remove is None:
                    raise ValueError(f"no statement removes from {page.table!r}")
                cur.execute(sql(remove), {"partner": self.partner_id, "ids": page.removed})
                done.removed = len(cur.fetchall())
        return done

    def catalogue(self, rows: list[dict[str, Any]]) -> int:
        """The provider-neutral ``events`` rows (provider_event_id, name, date, city, state)."""
        if not rows:
            return 0
        with self.conn, self.conn.cursor() as cur:
            self._begin(cur)
            cur.execute(
                sql("upsert_events"),
                {"partner": self.partner_id, "provider": self.provider_id, "rows": as_json(rows)},
            )
            return len(cur.fetchall())

    def deactivate_unlisted(self, listed: list[str]) -> int:
        """Upcoming catalogue events a full listing no longer has: no longer scheduled."""
        with self.conn, self.conn.cursor() as cur:
            self._begin(cur)
            cur.execute(
                sql("events_deactivate_unlisted"),
                {"partner": self.partner_id, "provider": self.provider_id, "listed": listed},
            )
            return len(cur.fetchall())

    def read(self, statement: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.conn, self.conn.cursor() as cur:
            self._begin(cur)
            cur.execute(sql(statement), {"partner": self.partner_id, **params})
            return cur.fetchall()

    def cursor(self, listing: str, scope: str) -> tuple[str | None, datetime | None]:
        found = self.read("cursor_get", provider=self.provider_id, listing=listing, scope=scope)
        return (found[0][0], found[0][1]) if found else (None, None)

    def save_cursor(self, listing: str, scope: str, cursor: str | None, full: bool) -> None:
        with self.conn, self.conn.cursor() as cur:
            self._begin(cur)
            cur.execute(
                sql("cursor_put"),
                {
                    "partner": self.partner_id,
                    "provider": self.provider_id,
                    "listing": listing,
                    "scope": scope,
                    "cursor": cursor,
                    "full": full,
                },
            )
