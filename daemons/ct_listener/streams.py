"""One location, one stream: which controller buffer a location's sequence numbers belong to.

Within a session a location's sequence numbers are positions in one client's
buffer. Two buffers can claim the same location name: a controller restarted
with a fresh buffer (its sequences start again from 1), or a second login that
uses the name. Each buffer gets a stream of its own (``stream_number``, part of
every read's key since migration 0009), so one buffer's sequence 1 can never
pass for, or shadow, another's.

How a connection's location finds its stream (the writer's ``job_attach``):

* a stream this owner (login and connection id) opened or claimed: resume it
  from its mark, as always (a client without a connection id owns nothing);
* no stream yet: open stream 1;
* only other owners' streams: *probe*. The client is asked from sequence 1 and
  its first read decides (``job_probe``): the same content as a stream's read
  at that sequence means the same buffer (a restarted program that kept its
  buffer, a reconnect without a connection id), which the owner then claims;
  different content everywhere means a different buffer, and a new stream.

A client that refuses a resume point (``err~start~…``: its buffer is shorter
than our mark, so it was restarted) is probed the same way. Content decides,
the connection id is only a hint: it can be copied, content cannot be made to
match a buffer the squatter does not have.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from daemons.common.logs import kv

from . import ctp01, times
from .writer_base import DatabaseUnavailable, Transaction, sql

log = logging.getLogger("ct_listener.streams")


@dataclass(frozen=True)
class StreamOwner:
    """Who sends a location: the login and the client program's connection id."""

    user: str
    connection_id: str
    client_ip: str

    def row_keys(self, session_id: int, location: str, stream: int) -> dict[str, Any]:
        """The parameters of open_stream.sql and claim_stream.sql."""
        return {"session": session_id, "location": location, "stream": stream,
                "user": self.user, "connection_id": self.connection_id,
                "ip": self.client_ip or None}  # fmt: skip

    def owns(self, row: StreamRow) -> bool:
        # Without a connection id (a client that does not answer getconnectionid) a
        # login is no proof of the buffer: two such clients under one login, or one
        # restarted, would otherwise resume each other's marks. Such a client is
        # compared on every connection, at the cost of a short resend from 1.
        return (
            bool(self.connection_id)
            and self.user == row.user
            and self.connection_id == row.connection_id
        )


@dataclass(frozen=True)
class StreamRow:
    number: int
    user: str
    connection_id: str


@dataclass(frozen=True)
class Attachment:
    """The writer's answer for one (connection, location)."""

    stream: int
    mark: int
    probe: bool  # ask from 1 and send the first read to job_probe
    verdict: str  # 'resume', 'first', 'same buffer', 'different buffer', 'unknown'


def owned_stream(rows: list[StreamRow], owner: StreamOwner) -> StreamRow | None:
    """The newest stream this owner opened or claimed, if any."""
    for row in reversed(rows):
        if owner.owns(row):
            return row
    return None


class StreamJobs:
    """The writer's stream jobs (mixed into ``store.Writer``, whose thread runs them).

    Uses the writer's ``_resolve``, ``_mark``, ``_session``, ``_db`` and ``_lost``.
    """

    _streams: dict[tuple[int, str], list[StreamRow]]
    stats: Any
    deliver: Callable[[Callable[[Any], None], Any], None]
    _resolve: Callable[[int | None], int]
    _mark: Callable[[int | None, str, int, str], int]
    _session: Callable[[Any, int], Any]

    def job_attach(
        self,
        session_id: int | None,
        location: str,
        owner: StreamOwner,
        reader_id: str,
        reply: Callable[[Attachment], None],
    ) -> None:
        self.deliver(reply, self._attach(session_id, location, owner, reader_id))

    def _attach(
        self, session_id: int | None, location: str, owner: StreamOwner, reader_id: str
    ) -> Attachment:
        try:
            resolved = self._resolve(session_id)
            rows = self._stream_rows(resolved, location)
            mine = owned_stream(rows, owner)
            if mine is not None:
                mark = self._mark(resolved, location, mine.number, reader_id)
                return Attachment(mine.number, mark, False, "resume")
            if not rows:
                self._open_stream(resolved, location, 1, owner, "first")
                mark = self._mark(resolved, location, 1, reader_id)
                return Attachment(1, mark, False, "first")
            latest = rows[-1].number
            return Attachment(latest, 0, True, "unknown")
        except DatabaseUnavailable:
            # Nothing to compare with: the newest stream known here, or stream 1, from
            # the spool's mark (low at worst: resent duplicates, never a lost read).
            known = self._streams.get((session_id, location)) if session_id is not None else None
            stream = known[-1].number if known else 1
            mark = self._mark(session_id, location, stream, reader_id)
            return Attachment(stream, mark, False, "resume")

    def job_probe(
        self,
        session_id: int | None,
        location: str,
        owner: StreamOwner,
        reads: list[ctp01.Keyed],
        reply: Callable[[Attachment], None],
    ) -> None:
        self.deliver(reply, self._probe(session_id, location, owner, reads))

    def _probe(
        self, session_id: int | None, location: str, owner: StreamOwner, reads: list[ctp01.Keyed]
    ) -> Attachment:
        """Which stored stream holds these reads (the first the client resent from 1)?"""
        try:
            resolved = self._resolve(session_id)
            rows = self._stream_rows(resolved, location)
            if not rows:
                self._open_stream(resolved, location, 1, owner, "first")
                return Attachment(1, 0, False, "first")
            for row in reversed(rows):
                if self._matches(resolved, location, row.number, reads):
                    self._claim_stream(resolved, location, row.number, owner)
                    mark = self._mark(resolved, location, row.number, "")
                    return Attachment(row.number, mark, False, "same buffer")
            number = rows[-1].number + 1
            self._open_stream(resolved, location, number, owner, "different buffer")
            self.stats.streams_opened += 1
            log.warning(
                "location has a second buffer, new stream %s",
                kv(location=location, stream=number, user=owner.user, peer=owner.client_ip,
                   connection_id=owner.connection_id[:12], first_read=reads[0].raw[:80]),
            )  # fmt: skip
            return Attachment(number, 0, False, "different buffer")
        except DatabaseUnavailable:
            known = self._streams.get((session_id, location)) if session_id is not None else None
            stream = known[-1].number if known else 1
            log.warning("cannot compare buffers without the database, newest stream kept %s",
                        kv(location=location, stream=stream))  # fmt: skip
            return Attachment(stream, 0, False, "unknown")

    # -- the table -------------------------------------------------------------------------
    def _stream_rows(self, session_id: int, location: str) -> list[StreamRow]:
        key = (session_id, location)
        rows = self._streams.get(key)
        if rows is None:
            with Transaction(self) as cur:  # type: ignore[arg-type]
                cur.execute(sql("location_streams"),
                            {"session": session_id, "location": location})  # fmt: skip
                rows = [StreamRow(int(n), user, cid) for n, user, cid in cur.fetchall()]
            self._streams[key] = rows
        return rows

    def _open_stream(
        self, session_id: int, location: str, number: int, owner: StreamOwner, reason: str
    ) -> None:
        keys = owner.row_keys(session_id, location, number)
        with Transaction(self) as cur:  # type: ignore[arg-type]
            cur.execute(sql("open_stream"), {**keys, "reason": reason})
        rows = self._streams.setdefault((session_id, location), [])
        rows.append(StreamRow(number, owner.user, owner.connection_id))

    def _claim_stream(
        self, session_id: int, location: str, number: int, owner: StreamOwner
    ) -> None:
        with Transaction(self) as cur:  # type: ignore[arg-type]
            cur.execute(sql("claim_stream"), owner.row_keys(session_id, location, number))
        rows = self._streams[(session_id, location)]
        rows[:] = [
            StreamRow(r.number, owner.user, owner.connection_id) if r.number == number else r
            for r in rows
        ]

    def _matches(
        self, session_id: int, location: str, stream: int, reads: list[ctp01.Keyed]
    ) -> bool:
        """Every read the stream holds at these sequences is the same read, and it holds
        at least one: the same buffer. (Nothing to compare proves nothing, and claiming
        the stream then could let a stranger's reads shadow the owner's later ones.)"""
        seqs = [item.seq for item in reads]
        stored: dict[int, tuple[Any, Any]] = {}
        with Transaction(self) as cur:  # type: ignore[arg-type]
            keys = {"session": session_id, "location": location, "stream": stream, "seqs": seqs}
            for query in ("existing_reads", "existing_gun_times"):
                cur.execute(sql(query), keys)
                for row in cur.fetchall():
                    stored[row[0]] = (stored_key(row), row[6])
            session = self._session(cur, session_id)
        compared = 0
        for item in reads:
            found = stored.get(item.seq)
            if found is None:
                continue
            compared += 1
            if isinstance(item, ctp01.TagRead):
                if found[0] != content_key(item, session.start, session.zone):
                    return False
            elif found[1] != item.raw:  # a rejected line: only its text to compare
                return False
        return compared > 0


def stored_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``content_key`` of a row from the ``existing_*`` queries (seq, tag, stamp, lap,
    reader, gator, raw)."""
    _seq, tag, stamp, lap, reader, gator, _raw = row
    return (tag, stamp, lap, reader or "", gator)


def content_key(item: ctp01.TagRead, session_start: dt.datetime, zone: Any) -> tuple[Any, ...]:
    """What two offers of one key must share to be the same read (tag, instant, lap,
    reader, gator), in the shape the ``existing_*`` queries return it."""
    when = times.resolve(item.time, session_start, zone).instant
    if item.is_gun:
        return ("GUNTIME", when, 0, item.reader_id, 0)
    return (item.tag, when, item.lap, item.reader_id, item.gator)
