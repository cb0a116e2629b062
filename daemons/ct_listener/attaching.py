"""Per connection: which stream each location's reads belong to (see streams.py).

A location's reads wait here until the writer has said which stream they are:
a stream this owner already sends (resume from its mark), or, when the location
is another owner's, the verdict of a probe: the client is asked from sequence 1
and its first read is compared with what is stored. A client that refuses a
resume point (``err~start~…``) is probed the same way: its buffer is shorter
than our mark, so it is not the buffer the mark counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from daemons.common.logs import kv

from . import ctp01
from .streams import Attachment, StreamOwner

log = logging.getLogger("ct_listener")

# Seconds to wait for ack~getconnectionid (or ack~getlocations, which follows it) before
# going on without: a real client answers within a round trip.
IDENTITY_WAIT = 2.0
MAX_HELD_READS = 20_000  # per location, while its stream is being decided
# A probe compares this many resent reads with what is stored, or fewer when the client
# has gone quiet for PROBE_QUIET seconds (a short buffer). One matching read could be a
# coincidence (two buffers that both start with the same gun time); twenty cannot.
PROBE_WINDOW = 20
PROBE_QUIET = 1.0


class StreamAttaching:
    """Mixed into ``server.Ctp01Protocol``."""

    factory: Any
    transport: Any
    conn: ctp01.ServerConnection | None
    peer: str
    session_id: int | None
    _session_known: bool
    _early: list[ctp01.Event]
    _readers: dict[str, str]
    _handle: Callable[[list[ctp01.Event]], None]

    def _init_streams(self) -> None:
        self._streams: dict[str, int] = {}
        self._held: dict[str, list[ctp01.Keyed]] = {}
        self._probing: dict[str, list[float]] = {}  # location -> [last read at, sent (0/1)]
        self._unstarted: set[str] = set()  # resumed past 1, nothing received since
        self._reprobed: set[str] = set()
        self._probe_count: dict[str, int] = {}  # reads received since the probe's start~1
        self._connection_id = ""
        self._identity_settled = False
        self._identity_deadline: float | None = None
        self._waiting: list[ctp01.NeedStart] = []

    def _owner(self) -> StreamOwner:
        user = (self.conn.user if self.conn is not None else None) or ""
        return StreamOwner(user, self._connection_id, self.peer)

    # -- who is sending ---------------------------------------------------------------------
    def _identity_known(self, connection_id: str | None) -> None:
        if connection_id is not None and not self._identity_settled:
            self._connection_id = connection_id
        if self._identity_settled:
            return
        self._identity_settled = True
        waiting, self._waiting = self._waiting, []
        for event in waiting:
            self._need_start(event)

    def _streams_tick(self, now: float) -> None:
        deadline = self._identity_deadline
        if not self._identity_settled and deadline is not None and now >= deadline:
            self._identity_known(None)  # a client that does not answer getconnectionid
        for location, (last_read, sent) in list(self._probing.items()):
            if not sent and self._held.get(location) and now - last_read >= PROBE_QUIET:
                self._send_probe(location)

    # -- which stream -----------------------------------------------------------------------
    def _need_start(self, event: ctp01.NeedStart) -> None:
        if not self._session_known:
            self._early.append(event)
            return
        if not self._identity_settled:
            if self._identity_deadline is None:
                self._identity_deadline = time.monotonic() + IDENTITY_WAIT
            self._waiting.append(event)
            return
        location = event.location
        reader = self._readers.get(location, "")
        d = self.factory.store.attach(self.session_id, location, self._owner(), reader)
        d.addCallback(self._attached, location)

    def _live(self) -> bool:
        return self.conn is not None and bool(self.transport.connected)

    def _attached(self, attachment: Attachment, location: str) -> None:
        if attachment.probe:
            if self._live():
                self._probe(location, attachment.stream, "another owner's stream")
            elif self._held.get(location):  # gone: what it sent is decided on, and kept
                self._probing[location] = [0.0, 0]
                self._send_probe(location)
            return
        self._assign(location, attachment)
        if not self._live():
            return
        assert self.conn is not None
        if attachment.mark > 0:
            self._unstarted.add(location)
        log.info("resume location %s", kv(peer=self.peer, location=location,
                                          stream=attachment.stream,
                                          from_seq=attachment.mark + 1))  # fmt: skip
        self._handle(self.conn.start_location(location, attachment.mark + 1))

    def _probe(self, location: str, stream: int, why: str) -> None:
        assert self.conn is not None
        self._streams.pop(location, None)
        self._unstarted.discard(location)
        self._probing[location] = [time.monotonic(), 0]
        self._probe_count[location] = 0
        self.factory.counters["stream_probes"] += 1
        log.info("comparing buffers from sequence 1 %s",
                 kv(peer=self.peer, location=location, stream=stream, why=why))  # fmt: skip
        # Reads held from before are kept (they are stored once the stream is known) but
        # not compared: the comparison is of what the client resends from sequence 1.
        self._handle(self.conn.start_location(location, 1))

    def _send_probe(self, location: str) -> None:
        self._probing[location][1] = 1
        window = self._held[location][-PROBE_WINDOW:]
        d = self.factory.store.probe(self.session_id, location, self._owner(), window)
        d.addCallback(self._probed, location)

    def _probed(self, attachment: Attachment, location: str) -> None:
        self._probing.pop(location, None)
        held = self._held.get(location, [])
        highest = max((item.seq for item in held), default=0)
        self._assign(location, attachment)
        different = attachment.verdict == "different buffer"
        if different:
            self.factory.counters["streams_opened"] += 1
        (log.warning if different else log.info)(
            "location stream decided %s",
            kv(peer=self.peer, location=location, stream=attachment.stream,
               verdict=attachment.verdict, user=self._owner().user),
        )  # fmt: skip
        if attachment.mark > highest + 1 and self._live():  # the same buffer: skip ahead
            assert self.conn is not None
            self._handle(self.conn.start_location(location, attachment.mark + 1))

    def _assign(self, location: str, attachment: Attachment) -> None:
        self._streams[location] = attachment.stream
        record = getattr(self, "record", None)
        if record is not None:
            record.info.setdefault("streams", {})[location] = attachment.stream
        for item in self._held.pop(location, []):
            self._submit(attachment.stream, item)

    def _streams_connection_lost(self) -> None:
        """A client that leaves does not resend what it sent (it may never come back):
        reads still waiting for their stream are decided on and stored all the same."""
        self._identity_known(None)
        for location, (_last_read, sent) in list(self._probing.items()):
            if not sent and self._held.get(location):
                self._send_probe(location)

    def _buffer_restarted(self, location: str) -> None:
        """Sequence 1 again on a running location: compare before storing anything more."""
        if location in self._probing or location not in self._streams:
            return
        stream = self._streams[location]
        log.warning("sequence 1 again on a running location %s",
                    kv(peer=self.peer, location=location, stream=stream))  # fmt: skip
        self.factory.counters["buffer_restarts"] += 1
        self._streams.pop(location)
        self._unstarted.discard(location)
        self._probing[location] = [time.monotonic(), 0]  # the client already sends from 1
        self._probe_count[location] = 0

    def _refused_start(self) -> None:
        """err~start: a resume point the client does not have. Probe those locations."""
        for location in sorted(self._unstarted - self._reprobed):
            self._reprobed.add(location)
            self._probe(location, self._streams.get(location, 1), "client refused the resume point")

    # -- reads -------------------------------------------------------------------------------
    def _store(self, item: ctp01.Keyed) -> None:
        if isinstance(item, ctp01.TagRead) and item.reader_id:
            self._readers.setdefault(item.location, item.reader_id)
        if not self._session_known:
            self._early.append(ctp01.Store(item))
            return
        location = item.location
        if self._unstarted:  # the hot path: one read after another, nothing pending
            self._unstarted.discard(location)
        stream = self._streams.get(location)
        if stream is not None:
            if self.factory.store.submit(self.session_id, stream, item):
                self.factory.check_backlog()  # once per batch handed over, not per read
            self.factory.reads_in += 1
            return
        held = self._held.setdefault(location, [])
        if len(held) >= MAX_HELD_READS:
            # Bounded memory; what is held is still decided on and stored at the close.
            why = "too many reads before the location's stream was known"
            log.warning("closing connection %s", kv(peer=self.peer, location=location, reason=why))
            self.transport.loseConnection()
            return
        held.append(item)
        probing = self._probing.get(location)
        if probing is not None and not probing[1]:
            probing[0] = time.monotonic()
            self._probe_count[location] = self._probe_count.get(location, 0) + 1
            if self._probe_count[location] >= PROBE_WINDOW:
                self._send_probe(location)

    def _submit(self, stream: int, item: ctp01.Keyed) -> None:
        if self.factory.store.submit(self.session_id, stream, item):
            self.factory.check_backlog()  # once per batch handed over, not per read
        self.factory.reads_in += 1
