"""One batch, one transaction: the writer's COPY, conflict judging and gun times.

Mixed into ``store.Writer`` (its thread runs them). The common case, a batch of
reads never seen before, is one COPY straight into ``timing_reads``; a batch
holding a stored key (a resend) goes through the staging table and
``INSERT … ON CONFLICT DO NOTHING``, and every key the insert skipped is judged:
a harmless resend (counted) or the same key with new content (kept first,
recorded in ``timing_read_conflicts``, never overwritten).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras

from daemons.common.logs import kv

from . import ctp01, times
from .sessions import SessionInfo
from .streams import content_key, stored_key
from .writer_base import sql as _sql

log = logging.getLogger("ct_listener.store")

Key = tuple[int, str]  # (sequence_number, location_name) within one session and stream


class BatchTransactions:
    """Uses the writer's ``stats``, ``_sessions`` and helpers; times in the session's zone."""

    stats: Any
    _offsets_for: Callable[[dt.tzinfo], times.OffsetCache]
    _sessions: dict[int, SessionInfo]
    _session: Callable[[Any, int], SessionInfo]
    _active_session: Callable[[], SessionInfo]
    _location_id: Callable[[Any, int, str, str], int]

    def _write_transaction(
        self,
        conn: psycopg2.extensions.connection,
        session_id: int,
        stream: int,
        items: list[ctp01.Keyed],
        tails: Mapping[Key, str] | None = None,
    ) -> None:
        reads: dict[Key, ctp01.TagRead] = {}
        guns: dict[Key, ctp01.TagRead] = {}
        rejected: dict[Key, ctp01.RejectedRead] = {}
        # Later offers of a key already in this batch: judged, like any resend,
        # against what ends up stored.
        extra_reads: list[ctp01.TagRead] = []
        extra_guns: list[ctp01.TagRead] = []
        for item in items:
            key = (item.seq, item.location)
            if isinstance(item, ctp01.RejectedRead):
                rejected.setdefault(key, item)
            elif item.is_gun:
                if guns.setdefault(key, item) is not item:
                    extra_guns.append(item)
            elif reads.setdefault(key, item) is not item:
                extra_reads.append(item)
        with conn, conn.cursor() as cur:
            try:
                session = self._session(cur, session_id)
            except LookupError:
                # A session remembered from before an outage that no longer exists.
                session = self._active_session()
                log.error("session gone, reads go to the active one %s",
                          kv(missing=session_id, active=session.id))  # fmt: skip
            if session.id != session_id:
                tails = None  # rendered for another session's start
            session_id = session.id
            notified: list[int] = []
            if reads:
                returned = self._insert_reads(
                    cur, session, stream, list(reads.values()), tails or {}
                )
                notified = [row[0] for row in returned]
                self.stats.inserted += len(returned)
                self._judge_skipped(
                    cur, session_id, stream, "existing_reads", reads, returned, extra_reads
                )
            if guns:
                rows = [self._gun_row(cur, session, stream, g) for g in guns.values()]
                returned = psycopg2.extras.execute_values(
                    cur, _sql("insert_gun_times"), rows, page_size=len(rows), fetch=True
                )
                self.stats.gun_times += len(returned)
                self._judge_skipped(
                    cur, session_id, stream, "existing_gun_times", guns, returned, extra_guns
                )
            if rejected:
                rows = [(session_id, stream, r.seq, r.location, r.reason, r.raw)
                        for r in rejected.values()]  # fmt: skip
                psycopg2.extras.execute_values(cur, _sql("insert_rejected"), rows)
                self.stats.rejected_stored += cur.rowcount
            if notified:
                payload = {
                    "session_id": session_id,
                    "count": len(notified),
                    "first_id": min(notified),
                    "last_id": max(notified),
                }
                cur.execute(_sql("notify_reads"), {"payload": json.dumps(payload)})
        if notified:
            self.stats.last_read_at = time.time()

    def _insert_reads(
        self,
        cur: psycopg2.extensions.cursor,
        session: SessionInfo,
        stream: int,
        reads: list[ctp01.TagRead],
        tails: Mapping[Key, str],
    ) -> list[tuple[int, int, str]]:
        """Insert new reads; returns (id, seq, location) of those actually inserted.

        The common case, a batch of reads never seen before, is one COPY straight
        into timing_reads, about the cost of a bulk load. A batch holding a key
        already stored (a resend after a reconnect or a gap) makes that COPY fail
        on the unique key; it is rolled back to a savepoint and goes through the
        staging table and ``INSERT … ON CONFLICT DO NOTHING`` instead.
        """
        cur.execute(_sql("allocate_read_ids"), {"n": len(reads)})
        ids = [row[0] for row in cur.fetchall()]
        location_id = self._location_id
        offsets = self._offsets_for(session.zone)
        lines = []
        for read_id, read in zip(ids, reads, strict=True):
            tail = tails.get((read.seq, read.location)) or copy_row_tail(
                read, session.start, offsets
            )
            loc = location_id(cur, session.id, read.location, read.reader_id)
            lines.append(f"{read_id}\t{session.id}\t{loc}\t{stream}\t{tail}")
        copy_text = "".join(lines)
        try:
            cur.copy_expert(_sql("copy_reads"), io.StringIO(copy_text))
        except psycopg2.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT direct_copy")
            cur.copy_expert(_sql("copy_incoming"), io.StringIO(copy_text))
            cur.execute(_sql("insert_reads"))
            return cur.fetchall()
        return [(i, read.seq, read.location) for i, read in zip(ids, reads, strict=True)]

    def _gun_row(
        self,
        cur: psycopg2.extensions.cursor,
        session: SessionInfo,
        stream: int,
        gun: ctp01.TagRead,
    ) -> tuple[Any, ...]:
        when = times.resolve(gun.time, session.start, session.zone)
        return (
            session.id,
            self._location_id(cur, session.id, gun.location, gun.reader_id),
            stream,
            gun.seq,
            gun.location,
            when.local_time,
            when.local_date,
            when.instant,
            gun.reader_id or None,
            gun.raw,
        )

    def _judge_skipped(
        self,
        cur: psycopg2.extensions.cursor,
        session_id: int,
        stream: int,
        query: str,
        batch: dict[Key, ctp01.TagRead],
        returned: list[tuple[int, int, str]],
        extras: list[ctp01.TagRead],
    ) -> None:
        """Keys the insert did not take, plus later offers in the batch: resend or conflict?"""
        skipped = set(batch) - {(row[1], row[2]) for row in returned}
        offered = [batch[k] for k in skipped] + extras
        if offered:
            self._conflicts(cur, session_id, stream, query, offered)

    def _conflicts(
        self,
        cur: psycopg2.extensions.cursor,
        session_id: int,
        stream: int,
        query: str,
        offered: list[ctp01.TagRead],
    ) -> None:
        """Keys the insert skipped: plain resends, or the same key with new content."""
        session = self._sessions[session_id]
        by_location: dict[str, dict[int, list[ctp01.TagRead]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for item in offered:
            by_location[item.location][item.seq].append(item)
        pairs: list[tuple[str | None, ctp01.Keyed]] = []
        for location, by_seq in by_location.items():
            cur.execute(
                _sql(query),
                {"session": session_id, "location": location, "stream": stream,
                 "seqs": list(by_seq)},
            )  # fmt: skip
            for row in cur.fetchall():
                stored, raw = stored_key(row), row[6]
                for item in by_seq[row[0]]:
                    if stored == content_key(item, session.start, session.zone):
                        self.stats.duplicates += 1
                    else:
                        pairs.append((raw, item))
        if pairs:
            rows = [(session_id, stream, item.seq, item.location, kept, item.raw)
                    for kept, item in pairs]  # fmt: skip
            psycopg2.extras.execute_values(cur, _sql("insert_conflicts"), rows)
            self._log_conflicts(pairs)

    def _log_conflicts(self, pairs: list[tuple[str | None, ctp01.Keyed]]) -> None:
        self.stats.conflicts += len(pairs)
        for kept, item in pairs[:10]:
            log.warning(
                "conflicting duplicate kept first %s",
                kv(location=item.location, seq=item.seq, kept=kept or "", offered=item.raw),
            )


def copy_row_tail(
    read: ctp01.TagRead, session_start: dt.datetime, offsets: times.OffsetCache
) -> str:
    """A read's COPY text row from sequence_number on (id, session and location id first).

    Pure, so the reactor can render rows while this thread waits for PostgreSQL.
    """
    local_date, local_time, instant = times.copy_fields(read.time, session_start, offsets)
    reader = _copy_text(read.reader_id) if read.reader_id else "\\N"
    return (
        f"{read.seq}\t{_copy_text(read.location)}\t{_copy_text(read.tag)}\t"
        f"{local_time}\t{local_date}\t{instant}\t"
        f"{read.lap}\t{reader}\t{read.gator}\t{_copy_text(read.raw)}\n"
    )


def _copy_text(value: str) -> str:
    # Parsed fields are printable (no tab or newline), so a backslash is the
    # only character COPY's text format needs escaped.
    return value.replace("\\", "\\\\") if "\\" in value else value
