"""The reactor's side of the writer: reads batched per (session, stream), replies as Deferreds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from twisted.internet import defer

from . import ctp01, times
from .sessions import SessionAnswer
from .store import ConnectionRecord, Key, Writer, copy_row_tail
from .streams import Attachment, StreamOwner


class BatchingStore:
    """The reactor's side of the writer: batches reads, turns replies into Deferreds."""

    def __init__(self, writer: Writer, reactor: Any, batch_size: int, batch_delay: float) -> None:
        self.writer = writer
        self.reactor = reactor
        self.batch_size = batch_size
        self.batch_delay = batch_delay
        self._pending: dict[tuple[int | None, int], list[ctp01.Keyed]] = defaultdict(list)
        self._pending_count = 0
        self._timer: Any = None
        # Each session's start and zone's offsets; the reactor's own caches: no sharing.
        self._session_starts: dict[int, tuple[dt.datetime, times.OffsetCache]] = {}
        self._offsets: dict[str, times.OffsetCache] = {}

    def _reply(self) -> tuple[defer.Deferred[Any], Callable[[Any], None]]:
        d: defer.Deferred[Any] = defer.Deferred()
        return d, d.callback

    def submit(self, session_id: int | None, stream: int, item: ctp01.Keyed) -> bool:
        """Queue a read; True when this closed a batch (handed to the writer)."""
        self._pending[(session_id, stream)].append(item)
        self._pending_count += 1
        if self._pending_count >= self.batch_size:
            self.flush()
            return True
        if self._timer is None:
            self._timer = self.reactor.callLater(self.batch_delay, self.flush)
        return False

    def flush(self) -> None:
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        for (session_id, stream), items in self._pending.items():
            if items:
                tails = self._render(session_id, items)
                self.writer.put(self.writer.job_batch, session_id, stream, items, tails)
        self._pending = defaultdict(list)
        self._pending_count = 0

    def _render(self, session_id: int | None, items: list[ctp01.Keyed]) -> dict[Key, str] | None:
        """Render COPY rows here, on the reactor, while the writer waits for PostgreSQL.

        The two threads share one interpreter lock, but this work overlaps the
        database's, which is what limits a single ordered writer.
        """
        known = self._session_starts.get(session_id) if session_id is not None else None
        if known is None:
            return None
        start, offsets = known
        tails: dict[Key, str] = {}
        for item in items:
            if isinstance(item, ctp01.TagRead) and not item.is_gun:
                key = (item.seq, item.location)
                if key not in tails:  # the first offer of a key is the one stored
                    tails[key] = copy_row_tail(item, start, offsets)
        return tails

    def session(self, login: str | None) -> defer.Deferred[int | None]:
        """The session of a connection logged in as ``login`` (sessions.py)."""
        d, reply = self._reply()
        self.writer.put(self.writer.job_session, login, reply)
        d.addCallback(self._session_known)
        return d

    def _session_known(self, answer: SessionAnswer) -> int | None:
        session_id, start, zone = answer
        if session_id is not None and start is not None and zone is not None:
            offsets = self._offsets.get(str(zone))
            if offsets is None:
                offsets = self._offsets[str(zone)] = times.OffsetCache(zone)
            self._session_starts[session_id] = (start, offsets)
        return session_id

    def attach(
        self, session_id: int | None, location: str, owner: StreamOwner, reader_id: str
    ) -> defer.Deferred[Attachment]:
        """Which stream of the location this client sends, and its mark (streams.py)."""
        self.flush()  # the mark must account for every read received before it
        d, reply = self._reply()
        self.writer.put(self.writer.job_attach, session_id, location, owner, reader_id, reply)
        return d

    def probe(
        self, session_id: int | None, location: str, owner: StreamOwner, reads: list[ctp01.Keyed]
    ) -> defer.Deferred[Attachment]:
        """The same buffer as a stream already stored, or a new one? ``reads`` decide."""
        self.flush()
        d, reply = self._reply()
        self.writer.put(self.writer.job_probe, session_id, location, owner, reads, reply)
        return d

    def connection_opened(self, record: ConnectionRecord) -> None:
        self.writer.put(self.writer.job_connection_opened, record, lambda _row_id: None)

    def connection_closed(self, record: ConnectionRecord, messages: int) -> None:
        now = dt.datetime.now(dt.UTC)
        self.writer.put(self.writer.job_connection_closed, record, now, messages)

    def connection_counts(self, counts: list[tuple[ConnectionRecord, int]]) -> None:
        self.writer.put(self.writer.job_connection_counts, counts)

    def backlog(self) -> int:
        return self.writer.jobs.qsize()

    def stop(self) -> defer.Deferred[None]:
        self.flush()
        d, reply = self._reply()
        self.writer.stop(reply)
        return d
