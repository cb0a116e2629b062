"""The writer's batches: stored, spooled, or held, and the spool drained (ctp01.md §4).

Mixed into ``store.Writer``, whose thread runs them. A batch goes to the
database (one transaction, ``transactions.py``) when the spool is empty and the
database answers; otherwise to the spool, fsync'ed. When neither can take it
(database down, spool full or unwritable) the batch is held and retried:
nothing of it counts as received, so marks do not move, and ``stats.stalled``
tells the reactor to stop reading from clients until it can be stored.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import psycopg2
import psycopg2.extensions

from daemons.common.logs import kv

from . import ctp01
from .spool import Spool, SpoolUnwritable
from .transactions import Key
from .writer_base import DatabaseUnavailable

log = logging.getLogger("ct_listener.store")

DRAIN_BATCH = 2000  # reads per transaction when replaying the spool


class BatchJobs:
    """Uses the writer's spool, stats, connection and session helpers."""

    spool: Spool
    stats: Any
    retry_interval: float
    heartbeat: float
    _stopping: threading.Event
    _stalled_since: float
    _unresolved_session: int | None
    _resolve: Callable[[int | None], int]
    _db: Callable[[], psycopg2.extensions.connection]
    _lost: Callable[[Exception], None]
    _note_durable: Callable[[int | None, int, Iterable[ctp01.Keyed]], None]
    _write_transaction: Callable[..., None]
    database_reachable: Callable[[], bool]

    # -- batches ---------------------------------------------------------------------------
    def job_batch(
        self,
        session_id: int | None,
        stream: int,
        items: list[ctp01.Keyed],
        tails: Mapping[Key, str] | None = None,
    ) -> None:
        """Store a batch of one stream number (each item's location has its own stream of
        that number); ``tails`` are COPY rows the reactor rendered ahead (BatchingStore)."""
        try:
            while True:  # held, not dropped, while neither database nor spool can take it
                try:
                    self._store_batch(session_id, stream, items, tails)
                    break
                except SpoolUnwritable as exc:
                    if not self._hold(exc, len(items)):
                        return  # stopping: never counted as received, the clients resend
        except Exception as exc:  # a bug must not cost reads: keep them for replay
            log.exception("batch could not be handled")
            for item in items:
                self._dead_letter(session_id or 0, stream, item, repr(exc))
            return
        if self.stats.stalled:
            held_for = time.monotonic() - self._stalled_since
            log.info("storing reads again %s", kv(after_seconds=f"{held_for:.1f}"))
            self.stats.stalled = ""

    def _hold(self, exc: SpoolUnwritable, reads: int) -> bool:
        """Wait for room (database or spool) for a held batch; False when stopping."""
        if not self.stats.stalled:
            self._stalled_since = time.monotonic()
            self.stats.stalled = f"database unreachable and spool unwritable ({exc.strerror})"
            self.stats.held_batches += 1
            log.error("cannot store reads, holding them and pausing clients %s",
                      kv(reason=self.stats.stalled, reads=reads,
                         spool=self.spool.directory))  # fmt: skip
        if self._stopping.wait(self.retry_interval):
            self.stats.unstored_at_stop += reads
            log.error("stopping with reads not stored; the clients keep them and resend %s",
                      kv(reads=reads))  # fmt: skip
            return False
        self.heartbeat = time.monotonic()  # waiting on purpose is progress, not a hang
        with contextlib.suppress(SpoolUnwritable):
            self._drain()  # the database may be back: the spool goes first, freeing it
        return True

    def _store_batch(
        self,
        session_id: int | None,
        stream: int,
        items: list[ctp01.Keyed],
        tails: Mapping[Key, str] | None,
    ) -> None:
        if not self.spool.pending():
            try:
                resolved = self._resolve(session_id)
                self._write(resolved, stream, items, tails if resolved == session_id else None)
                self._note_durable(resolved, stream, items)
                return
            except DatabaseUnavailable:
                pass
        self.spool.append(session_id, [item.raw for item in items], stream)
        self.stats.spooled_reads += len(items)
        self._note_durable(session_id, stream, items)
        if session_id is None and self._unresolved_session is not None:
            self._note_durable(self._unresolved_session, stream, items)

    def _write(
        self,
        session_id: int,
        stream: int,
        items: list[ctp01.Keyed],
        tails: Mapping[Key, str] | None = None,
    ) -> None:
        """One batch, one transaction; falls back to one item at a time on bad data."""
        conn = self._db()
        try:
            self._write_transaction(conn, session_id, stream, items, tails)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)
            raise DatabaseUnavailable(str(exc)) from None
        except psycopg2.Error as exc:
            conn.rollback()
            self.stats.failed_batches += 1
            log.error("batch failed, writing items one by one %s", kv(error=str(exc).strip()))
            self._write_one_by_one(conn, session_id, stream, items)

    def _write_one_by_one(
        self,
        conn: psycopg2.extensions.connection,
        session_id: int,
        stream: int,
        items: list[ctp01.Keyed],
    ) -> None:
        for item in items:
            try:
                self._write_transaction(conn, session_id, stream, [item])
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                self._lost(exc)
                raise DatabaseUnavailable(str(exc)) from None
            except psycopg2.Error as exc:
                conn.rollback()
                self._dead_letter(session_id, stream, item, str(exc))

    def _dead_letter(self, session_id: int, stream: int, item: ctp01.Keyed, error: str) -> None:
        # Never silently dropped: the line goes to a file an operator can replay.
        # fsync'ed like the spool: from here on the mark counts this read as kept,
        # so a failure to keep it is raised like a full spool (the batch is held).
        try:
            with open(self.spool.directory / "dead-letters.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"session_id": session_id, "stream": stream, "raw": item.raw,
                                     "error": error}) + "\n")  # fmt: skip
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise SpoolUnwritable(exc.errno, f"dead letter not kept: {exc.strerror}") from exc
        self.stats.dead_letters += 1
        log.error("read could not be stored %s", kv(raw=item.raw[:80], error=error.strip()))

    # -- the spool -------------------------------------------------------------------------
    def _drain(self) -> None:
        if not self.spool.pending() or not self.database_reachable():
            return
        drained = 0
        started = time.monotonic()
        try:
            # Consecutive records of one session and stream share a transaction
            # (a spool holds many small batches); progress is saved after each commit.
            group: list[ctp01.Keyed] = []
            group_key: tuple[int | None, int] = (None, 1)
            group_end = 0
            for record in self.spool.records():
                self.heartbeat = time.monotonic()  # a long drain is progress
                key = (self._resolve(record.session_id), record.stream)
                if group and (key != group_key or len(group) >= DRAIN_BATCH):
                    drained += self._drain_group(*group_key, group, group_end)
                    group = []
                group_key, group_end = key, record.end_offset
                group.extend(
                    parsed
                    for parsed in map(ctp01.parse_read_line, record.lines)
                    if isinstance(parsed, ctp01.TagRead | ctp01.RejectedRead)
                )
            if group_end:
                drained += self._drain_group(*group_key, group, group_end)
        except DatabaseUnavailable:
            pass
        finally:
            if drained:
                self.stats.drained_reads += drained
                log.info(
                    "spool drained %s",
                    kv(reads=drained, seconds=f"{time.monotonic() - started:.2f}",
                       remaining=self.spool.pending()),
                )  # fmt: skip

    def _drain_group(
        self, session_id: int | None, stream: int, items: list[ctp01.Keyed], end: int
    ) -> int:
        if items and session_id is not None:
            self._write(session_id, stream, items)
            self._note_durable(session_id, stream, items)
        self.spool.consumed(end)
        return len(items)
