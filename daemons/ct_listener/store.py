"""The batched, idempotent writer (shared/ctp01.md §4).

``Writer`` runs in one thread of its own and owns the database connection and
the spool; everything reaches it through a FIFO queue, so a mark lookup sees
every read submitted before it, and spooled reads drain before newer ones.

This module is the thread, the connection and marks; its jobs live in
mixins: ``sessions.py`` (which session a connection's reads belong to),
``batches.py`` (store, spool or hold a batch; drain the spool),
``transactions.py`` (one batch, one transaction: COPY, conflicts, NOTIFY),
``streams.py`` (one location, one stream) and ``connection_log.py``.

* A batch is one transaction on (session, seq, location, stream), with
  ``pg_notify('timing_reads')``: subscribers hear of a read once it is committed.
* ``heartbeat`` and ``running`` let the reactor withhold the systemd watchdog
  from a writer that has died or stopped making progress.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras

from daemons.common import db
from daemons.common.logs import kv

from . import ctp01, times
from .batches import BatchJobs
from .connection_log import ConnectionLogJobs, ConnectionRecord
from .sequence import Contiguity
from .sessions import SessionInfo, SessionJobs
from .spool import Spool, SpoolUnwritable
from .streams import StreamJobs, StreamRow
from .transactions import BatchTransactions, Key, copy_row_tail
from .writer_base import DatabaseUnavailable, sql

log = logging.getLogger("ct_listener.store")

Deliver = Callable[[Callable[[Any], None], Any], None]


_sql = sql
__all__ = ["ConnectionRecord", "DatabaseUnavailable", "Key", "SessionInfo", "Writer",
           "copy_row_tail", "start_writer_thread"]  # fmt: skip


@dataclass
class WriterStats:
    inserted: int = 0
    gun_times: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected_stored: int = 0
    spooled_reads: int = 0
    drained_reads: int = 0
    failed_batches: int = 0
    dead_letters: int = 0
    unrouted_logins: int = 0  # logins no active session is routed to (sessions.py)
    streams_opened: int = 0  # second buffers under one location name (streams.py)
    held_batches: int = 0  # batches neither the database nor the spool could take
    unstored_at_stop: int = 0  # reads still held when the listener stopped (not received)
    last_read_at: float | None = None
    database_up: bool = False
    stalled: str = ""  # why reads are held, while they are


_STOP = object()


class Writer(SessionJobs, BatchJobs, BatchTransactions, ConnectionLogJobs, StreamJobs):
    """Owns the database connection and the spool; run ``serve`` in its own thread."""

    def __init__(
        self,
        dsn: str,
        spool: Spool,
        zone: ZoneInfo,
        deliver: Deliver,
        session_name_format: str = "Session_%Y%m%d_%H%M%S",
        event_name: str | None = None,
        retry_interval: float = 1.0,
    ) -> None:
        self.dsn = dsn
        self.spool = spool
        self.zone = zone
        self._offset_caches: dict[str, times.OffsetCache] = {}  # per session zone
        self._bad_zones: set[str] = set()
        self.deliver = deliver
        self.session_name_format = session_name_format
        self.event_name = event_name
        self.retry_interval = retry_interval
        self.jobs: queue.Queue[Any] = queue.Queue()
        self.stats = WriterStats()
        self._conn: psycopg2.extensions.connection | None = None
        self._last_attempt = 0.0
        self._reported_down = False
        self._sessions: dict[int, SessionInfo] = {}
        self._location_ids: dict[tuple[int, str], int] = {}
        self._location_has_reader: set[tuple[int, str]] = set()
        self._trackers: dict[tuple[int, str, int], Contiguity] = {}  # (session, location, stream)
        self._streams: dict[tuple[int, str], list[StreamRow]] = {}
        self._unresolved_session: int | None = None  # where session-less spool goes
        self._pending_logs: list[dict[str, Any]] = []
        self._state_file = spool.directory / "session.json"
        self._on_stopped: Callable[[None], None] | None = None
        self._stopping = threading.Event()
        self._stalled_since = 0.0
        self.heartbeat = time.monotonic()  # last sign of progress, read by the reactor
        self.running = False

    # -- the thread ------------------------------------------------------------------------
    def serve(self) -> None:
        self.running = True
        try:
            while self._step():
                pass
        finally:
            self.running = False  # whatever ended the thread, the watchdog must hear of it

    def _step(self) -> bool:
        self.heartbeat = time.monotonic()
        try:
            job = self.jobs.get(timeout=self.retry_interval)
        except queue.Empty:
            job = None
        if job is _STOP:
            self._finish()
            return False
        try:
            if job is not None:
                self._run(job)
            if self.spool.pending():
                self._drain()
            if self._pending_logs:
                self._flush_connection_logs()
        except Exception:  # the thread must outlive any one failure (a full disk, a bug)
            log.exception("writer step failed, carrying on")
            self._stopping.wait(self.retry_interval)  # a lasting fault must not spin
        return True

    @staticmethod
    def _run(job: tuple[Any, ...]) -> None:
        try:
            job[0](*job[1:])
        except SpoolUnwritable:
            raise
        except Exception:
            name = getattr(job[0], "__name__", repr(job[0]))
            log.exception("writer job failed %s", kv(job=name))

    def _finish(self) -> None:
        try:
            self._drain()
            self._flush_connection_logs()
        except Exception:
            log.exception("final drain failed; the spool is replayed at the next start")
        self._disconnect()
        self.spool.close()
        if self._on_stopped is not None:
            self.deliver(self._on_stopped, None)

    def put(self, fn: Callable[..., None], *args: Any) -> None:
        self.jobs.put((fn, *args))

    def stop(self, done: Callable[[None], None] | None = None) -> None:
        """Finish every queued job, drain what can be drained, then close.

        Batches that neither the database nor the spool can take are then given
        up at once instead of retried: they were never counted as received.
        """
        self._on_stopped = done
        self._stopping.set()
        self.jobs.put(_STOP)

    def problem(self, stuck_after: float) -> str | None:
        """Why the watchdog should be withheld (dead or stuck thread), or None."""
        if not self.running:
            return "writer thread has stopped"
        idle = time.monotonic() - self.heartbeat
        if idle > stuck_after:
            return f"writer has made no progress for {idle:.0f} s"
        return None

    # -- connection management -------------------------------------------------------------
    def _db(self) -> psycopg2.extensions.connection:
        """The connection, reconnecting at most once per retry interval."""
        if self._conn is not None and not self._conn.closed:
            return self._conn
        now = time.monotonic()
        if now - self._last_attempt < self.retry_interval:
            raise DatabaseUnavailable("waiting before the next reconnect attempt")
        self._last_attempt = now
        try:
            conn = db.connect(self.dsn, "ct_listener")
            with conn, conn.cursor() as cur:
                cur.execute(_sql("create_incoming"))
            self._conn = conn
        except psycopg2.Error as exc:
            if self.stats.database_up or not self._reported_down:
                log.error("database unreachable %s", kv(error=str(exc).strip()))
                self._reported_down = True
            self.stats.database_up = False
            raise DatabaseUnavailable(str(exc)) from None
        if not self.stats.database_up:
            log.info("database connected")
            self._reported_down = False
        self.stats.database_up = True
        return self._conn

    def _lost(self, exc: Exception) -> None:
        log.error("database connection lost %s", kv(error=str(exc).strip().splitlines()[0]))
        self.stats.database_up = False
        self._disconnect()
        self._last_attempt = time.monotonic()

    def _disconnect(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
        self._conn = None

    def database_reachable(self) -> bool:
        try:
            self._db()
        except DatabaseUnavailable:
            return False
        return True

    # -- marks -----------------------------------------------------------------------------
    def _mark(self, session_id: int | None, location: str, stream: int, reader_id: str) -> int:
        """The highest gap-free sequence durably stored for a location's stream."""
        try:
            resolved = self._resolve(session_id)
            tracker = self._tracker(resolved, location, stream, reader_id)
        except DatabaseUnavailable:
            # Only the spool is known: a low answer costs resent duplicates, never data.
            tracker = Contiguity(self._spooled_sequences(session_id, location, stream))
            return tracker.mark
        return tracker.mark

    def _tracker(
        self, session_id: int, location: str, stream: int, reader_id: str = ""
    ) -> Contiguity:
        key = (session_id, location, stream)
        tracker = self._trackers.get(key)
        if tracker is not None:
            return tracker
        conn = self._db()
        try:
            with conn, conn.cursor() as cur:
                self._location_id(cur, session_id, location, reader_id)
                keys = {"session": session_id, "location": location, "stream": stream}
                cur.execute(_sql("stored_sequences"), keys)
                seqs = [row[0] for row in cur]
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)
            raise DatabaseUnavailable(str(exc)) from None
        seqs.extend(self._spooled_sequences(session_id, location, stream))
        tracker = self._trackers[key] = Contiguity(seqs)
        return tracker

    def _spooled_sequences(self, session_id: int | None, location: str, stream: int) -> list[int]:
        seqs = []
        for record in self.spool.scan():
            if record.session_id != session_id or record.stream != stream:
                continue
            for line in record.lines:
                parsed = ctp01.parse_read_line(line)
                keyed = isinstance(parsed, ctp01.TagRead | ctp01.RejectedRead)
                if keyed and parsed.location == location:
                    seqs.append(parsed.seq)
        return seqs

    def _note_durable(
        self, session_id: int | None, stream: int, items: Iterable[ctp01.Keyed]
    ) -> None:
        if session_id is None:
            return
        for item in items:
            tracker = self._trackers.get((session_id, item.location, stream))
            if tracker is not None:
                tracker.add(item.seq)

    def _location_id(
        self, cur: psycopg2.extensions.cursor, session_id: int, location: str, reader_id: str
    ) -> int:
        key = (session_id, location)
        location_id = self._location_ids.get(key)
        if location_id is None or (reader_id and key not in self._location_has_reader):
            # First sight, or first sight of its reader id (a location announced
            # before any read is created without one).
            cur.execute(
                _sql("upsert_location"),
                {"session": session_id, "location": location, "reader": reader_id},
            )
            location_id = self._location_ids[key] = int(cur.fetchone()[0])
            if reader_id:
                self._location_has_reader.add(key)
        return location_id


def start_writer_thread(writer: Writer) -> threading.Thread:
    thread = threading.Thread(target=writer.serve, name="ct-writer", daemon=True)
    thread.start()
    return thread
