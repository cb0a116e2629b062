"""LISTEN → Server-Sent Events: one listening connection per process, fanned out.

The hub holds one PostgreSQL connection that LISTENs on ``timing_reads`` (the
listener's NOTIFY, sent in the same transaction as the rows) and
``timing_archive`` (the archiver's). On a notification it fetches every read
after the last one it has seen — one query, whatever the number of clients —
encodes each read's SSE frame once, appends it to an in-memory ring and wakes
the stream greenlets, which copy from the ring what their filter wants.

* Fetches are coalesced (at most one per ``fanout_interval``), so a burst of
  single-read NOTIFYs costs tens of wake-ups a second, not hundreds per client.
* Nothing depends on a NOTIFY arriving: every fetch asks for ``id > last seen``
  and the hub also looks every ``poll_interval`` seconds; after a database
  outage it catches up the same way.
* A reconnecting client (``Last-Event-ID``) replays from the ring, or from the
  database in pages when it missed more than the ring holds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.event
import gevent.select
import psycopg2

from daemons.common import db
from daemons.common.greendb import DatabaseDown, GreenPool
from daemons.common.logs import kv

from . import jsonout, queries, sse, zones
from .params import ReadFilter
from .statsbook import StatsBook

log = logging.getLogger("display_http.events")

PAGE = 1000
SEED_PAGE = 20_000  # statistics seed rows per fetch, between two yields to the event loop
RUNNER_FIELDS = (
    "first_name",
    "last_name",
    "city",
    "state",
    "country",
    "age",
    "gender",
    "division",
    "message",
)


@dataclass(frozen=True, slots=True)
class LiveRead:
    id: int
    session_id: int
    location_name: str
    tag_code: str
    read_timestamp: dt.datetime | None
    frame: bytes  # the encoded SSE event, shared by every client


def read_payload(row: dict[str, Any]) -> dict[str, Any]:
    """A stream event's data: the read and, when the roster knows the bib, the runner."""
    known = row.get("bib") is not None
    return {
        "id": row["id"],
        "session_id": row["session_id"],
        "location_name": row["location_name"],
        "tag_code": row["tag_code"],
        "bib": row["bib"] if known else row["tag_code"],
        "read_time": row["read_time"],
        "read_date": row["read_date"],
        # The instant in the race's own zone (zones.py), as its clock reads.
        "read_timestamp": zones.local(row["read_timestamp"], row.get("time_zone")),
        "lap_count": row["lap_count"],
        "reader_id": row["reader_id"],
        "runner": {name: row[name] for name in RUNNER_FIELDS} if known else None,
    }


def live_read(row: dict[str, Any]) -> LiveRead:
    frame = sse.event(row["id"], "read", jsonout.dumps(read_payload(row)))
    return LiveRead(
        row["id"],
        row["session_id"],
        row["location_name"],
        row["tag_code"],
        row["read_timestamp"],
        frame,
    )


class Ring:
    """The newest reads in id order; ``floor``: every read above it is here."""

    def __init__(self, size: int, floor: int) -> None:
        self.size = size
        self.floor = floor
        self._ids: list[int] = []
        self._reads: list[LiveRead] = []

    def extend(self, reads: list[LiveRead]) -> None:
        self._ids.extend(r.id for r in reads)
        self._reads.extend(reads)
        if len(self._reads) > 2 * self.size:  # trim in chunks: amortised O(1)
            cut = len(self._reads) - self.size
            self.floor = self._ids[cut - 1]
            del self._ids[:cut], self._reads[:cut]

    @property
    def head(self) -> int:
        return self._ids[-1] if self._ids else self.floor

    def covers(self, after: int) -> bool:
        return after >= self.floor

    def after(self, after: int, wanted: ReadFilter) -> tuple[list[LiveRead], int]:
        """Reads with id > ``after`` that ``wanted`` matches, and the id to continue from."""
        start = bisect.bisect_right(self._ids, after)
        if start == len(self._ids):
            return [], after
        chosen = self._reads[start:]
        if wanted.session_id is not None or wanted.location is not None:
            chosen = [r for r in chosen if wanted.matches(r.session_id, r.location_name)]
        return chosen, self._ids[-1]

    def __len__(self) -> int:
        return len(self._reads)


class Hub:
    def __init__(
        self,
        dsn: str,
        pool: GreenPool,
        options: str,
        fanout_interval: float,
        poll_interval: float,
        stats_refresh: float,
        ring_size: int,
    ) -> None:
        self.dsn = dsn
        self.pool = pool
        self.options = options
        self.fanout_interval = fanout_interval
        self.poll_interval = poll_interval
        self.stats_refresh = stats_refresh
        self.ring_size = ring_size
        self.ring: Ring | None = None
        self.book = StatsBook()
        self.book_ready = gevent.event.Event()
        self.started = gevent.event.Event()  # the head id is known
        self.connected = False
        self.last_error = ""
        self.reads_seen = 0
        self.last_read_at: float | None = None
        self._wake = gevent.event.Event()
        self._rebuild_wanted = gevent.event.Event()
        self._greenlets: list[gevent.Greenlet] = []
        self._stopping = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._greenlets = [gevent.spawn(self._listen_forever), gevent.spawn(self._keep_stats)]

    def stop(self) -> None:
        self._stopping = True
        gevent.killall(self._greenlets, timeout=5)
        self._publish()  # wake the streams so they notice the end

    def _head_id(self) -> int:
        """The newest read id the hub has seen (0 before it first connects)."""
        return self.ring.head if self.ring is not None else 0

    # -- the listening connection ----------------------------------------------------------
    def _listen_forever(self) -> None:
        backoff = 0.5
        while not self._stopping:
            conn = None
            try:
                conn = db.connect(self.dsn, "display_http-listen", 3, options=self.options)
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("LISTEN timing_reads; LISTEN timing_archive")
                    if self.ring is None:
                        cur.execute(queries.sql("last_read_id"))
                        self.ring = Ring(self.ring_size, int(cur.fetchone()[0]))
                        self._rebuild_wanted.set()
                if not self.connected:
                    log.info("listening for reads %s", kv(after_id=self._head_id()))
                self.connected, backoff = True, 0.5
                self.started.set()
                self._listen(conn)
            except (psycopg2.Error, OSError) as exc:
                self.last_error = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                if self.connected or backoff == 0.5:
                    log.error("database unreachable, retrying %s", kv(error=self.last_error))
                self.connected = False
            finally:
                if conn is not None and not conn.closed:
                    conn.close()
            gevent.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    def _listen(self, conn: psycopg2.extensions.connection) -> None:
        self._catch_up(conn)  # whatever was committed while we were away
        while not self._stopping:
            gevent.select.select([conn], [], [], self.poll_interval)
            conn.poll()
            if any(n.channel == "timing_archive" for n in conn.notifies):
                self._rebuild_wanted.set()
            conn.notifies.clear()
            if self._catch_up(conn) and self.fanout_interval:
                gevent.sleep(self.fanout_interval)  # let a burst gather into one fetch

    def _catch_up(self, conn: psycopg2.extensions.connection) -> int:
        assert self.ring is not None
        fetched = 0
        while True:
            head = self._head_id()
            with conn.cursor() as cur:
                cur.execute(
                    queries.sql("stream_reads"),
                    {
                        "after": head,
                        "upto": 2**63 - 1,
                        "session_id": None,
                        "location": None,
                        "limit": PAGE,
                    },
                )
                columns = [c.name for c in cur.description]
                rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
            if not rows:
                break
            reads = [live_read(row) for row in rows]
            self.ring.extend(reads)
            for read in reads:
                self.book.add(
                    read.session_id, read.location_name, read.tag_code, read.read_timestamp
                )
            fetched += len(reads)
            self._publish()
            if len(rows) < PAGE:
                break
        if fetched:
            self.reads_seen += fetched
            self.last_read_at = time.time()
        return fetched

    def _publish(self) -> None:
        wake, self._wake = self._wake, gevent.event.Event()
        wake.set()

    # -- statistics ------------------------------------------------------------------------
    def _keep_stats(self) -> None:
        while not self._stopping:
            self._rebuild_wanted.wait(self.stats_refresh)
            if self.ring is None:
                gevent.sleep(0.5)
                continue
            self._rebuild_wanted.clear()
            try:
                self._rebuild_book()
            except DatabaseDown as exc:
                log.warning("statistics not rebuilt %s", kv(error=exc))
                self._rebuild_wanted.set()
                gevent.sleep(2)

    def _rebuild_book(self) -> None:
        """Load a new book beside the live one, then swap: answers never see a half book.

        The seed is read through a server-side cursor in pages, yielding to the
        event loop between them, so a million reads cost no stall to requests
        or streams, and memory holds one page of rows at a time.
        """
        assert self.ring is not None
        started = time.monotonic()
        upto = self._head_id()
        book = StatsBook()
        groups = 0
        with self.pool.connection() as conn:
            conn.autocommit = False  # a named cursor lives in a transaction
            try:
                with conn.cursor() as cur:
                    cur.execute(queries.sql("stats_seed_spans"), {"upto": upto})
                    book.seed_spans(cur.fetchall())
                with conn.cursor(name="stats_seed") as cur:
                    cur.itersize = SEED_PAGE
                    cur.execute(queries.sql("stats_seed_tags"), {"upto": upto})
                    while rows := cur.fetchmany(SEED_PAGE):
                        book.seed_tags(rows)
                        groups += len(rows)
                        gevent.sleep(0)
                conn.rollback()
            finally:
                conn.autocommit = True
        if not self.ring.covers(upto):  # the ring moved on past ``upto`` meanwhile
            self._rebuild_wanted.set()
            return
        for read in self.ring.after(upto, ReadFilter())[0]:
            book.add(read.session_id, read.location_name, read.tag_code, read.read_timestamp)
        self.book = book  # no yield between the catch-up above and the swap
        self.book_ready.set()
        log.info(
            "statistics rebuilt %s",
            kv(groups=groups, upto_id=upto, seconds=f"{time.monotonic() - started:.2f}"),
        )

    # -- for the stream greenlets ----------------------------------------------------------
    def wait(self, timeout: float) -> bool:
        """Block this greenlet until new reads are published (True) or ``timeout``."""
        return self._wake.wait(timeout)

    def fetch(self, after: int, upto: int, wanted: ReadFilter) -> list[LiveRead]:
        """A page of reads from the database, for clients the ring cannot serve."""
        params = {"after": after, "upto": upto, "limit": PAGE, **queries.filter_params(wanted)}
        return [live_read(row) for row in queries.rows(self.pool, "stream_reads", params)]

    def stream(
        self,
        wanted: ReadFilter,
        resume_after: int | None,
        heartbeat: float,
    ) -> Iterator[bytes]:
        """The frames one client receives, forever: replay first, then live reads."""
        yield sse.retry(2000) + sse.comment("connected")
        while not self.started.wait(heartbeat):
            yield sse.HEARTBEAT
        head = self._head_id()
        last = head if resume_after is None or resume_after > head else resume_after
        while not self._stopping:
            assert self.ring is not None
            if self.ring.covers(last):
                reads, last = self.ring.after(last, wanted)
            else:
                upto = self._head_id()
                reads = self.fetch(last, upto, wanted)
                last = reads[-1].id if len(reads) == PAGE else upto
            if reads:
                yield b"".join(r.frame for r in reads)
            elif self.ring.covers(last) and not self.wait(heartbeat):
                yield sse.HEARTBEAT
