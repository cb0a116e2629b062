"""The writer's connection_log jobs: one row per client connection, kept through outages.

Mixed into ``store.Writer``. A row is opened when a client connects (if the
database answers) and closed when it leaves; rows that cannot be written wait,
bounded, and are written when the database is back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import psycopg2.extensions

from .writer_base import DatabaseUnavailable
from .writer_base import sql as _sql


@dataclass
class ConnectionRecord:
    """What connection_log keeps about one client connection."""

    client_ip: str
    connected_at: dt.datetime
    row_id: int | None = None
    info: dict[str, Any] = field(default_factory=dict)


class ConnectionLogJobs:
    """Uses the writer's ``_db``, ``_lost``, ``deliver`` and ``_pending_logs``."""

    _pending_logs: list[dict[str, Any]]
    deliver: Callable[[Callable[[Any], None], Any], None]
    _db: Callable[[], psycopg2.extensions.connection]
    _lost: Callable[[Exception], None]

    def job_connection_opened(
        self, record: ConnectionRecord, reply: Callable[[int | None], None]
    ) -> None:
        try:
            conn = self._db()
            with conn, conn.cursor() as cur:
                cur.execute(
                    _sql("connection_opened"),
                    {
                        "ip": record.client_ip,
                        "connected_at": record.connected_at,
                        "info": json.dumps(record.info),
                    },
                )
                record.row_id = int(cur.fetchone()[0])
        except DatabaseUnavailable:
            pass
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)
        self.deliver(reply, record.row_id)

    def job_connection_closed(
        self, record: ConnectionRecord, disconnected_at: dt.datetime, messages: int
    ) -> None:
        entry = {
            "id": record.row_id,
            "ip": record.client_ip,
            "connected_at": record.connected_at,
            "disconnected_at": disconnected_at,
            "info": json.dumps(record.info),
            "messages": messages,
        }
        self._pending_logs.append(entry)
        self._flush_connection_logs()

    def job_connection_counts(self, counts: list[tuple[ConnectionRecord, int]]) -> None:
        """Live line counts of open connections: best effort, the close writes the last."""
        known = [(record.row_id, lines) for record, lines in counts if record.row_id is not None]
        if not known:
            return
        try:
            conn = self._db()
            with conn, conn.cursor() as cur:
                cur.execute(
                    _sql("connection_counts"),
                    {"ids": [i for i, _ in known], "lines": [n for _, n in known]},
                )
        except DatabaseUnavailable:
            pass
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)

    def _flush_connection_logs(self) -> None:
        if not self._pending_logs:
            return
        try:
            conn = self._db()
            with conn, conn.cursor() as cur:
                for entry in self._pending_logs:
                    if entry["id"] is None:
                        cur.execute(_sql("connection_logged"), entry)
                    else:
                        cur.execute(_sql("connection_closed"), entry)
            self._pending_logs.clear()
        except DatabaseUnavailable:
            pass
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)
        del self._pending_logs[:-10_000]  # bounded while the database is away
