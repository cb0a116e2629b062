"""Live read statistics kept in memory, pure.

``count(DISTINCT tag_code)`` per location over a month of reads (a million
rows) takes PostgreSQL about a second — far too slow for an endpoint that
scoreboards poll. The hub already fetches every new read once for the live
stream, so it also feeds this book; the book is loaded from the database
(``stats_seed*.sql``) and rebuilt the same way periodically and after the
archiver moves rows, so deletions cannot drift it for long.

Every answer the API can ask for is kept ready: tallies per (session,
location), per location name, per session and overall, each updated as a read
arrives. An answer therefore costs a few dictionary lookups, whatever the
number of reads — recomputing unions of tag sets per request would stall the
event loop (and every stream with it) for tens of milliseconds at a million
reads.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from .params import ReadFilter


@dataclass
class Tally:
    reads: int = 0
    tags: set[str] = field(default_factory=set)
    first_read: dt.datetime | None = None
    last_read: dt.datetime | None = None

    def count(self, tag: str, reads: int) -> None:
        self.reads += reads
        self.tags.add(tag)

    def widen(self, first: dt.datetime | None, last: dt.datetime | None) -> None:
        if first is not None and (self.first_read is None or first < self.first_read):
            self.first_read = first
        if last is not None and (self.last_read is None or last > self.last_read):
            self.last_read = last

    def location_row(self, name: str) -> dict[str, object]:
        return {"location_name": name, "read_count": self.reads, "unique_tags": len(self.tags),
                "last_read": self.last_read}  # fmt: skip


TagRow = tuple[int, str, str, int]
"""(session_id, location_name, tag_code, reads)"""
SpanRow = tuple[int, str, dt.datetime | None, dt.datetime | None]
"""(session_id, location_name, first_read, last_read)"""


class StatsBook:
    def __init__(self) -> None:
        self._cells: dict[tuple[int, str], Tally] = {}  # (session, location)
        self._by_name: dict[str, Tally] = {}
        self._by_session: dict[int, Tally] = {}
        self._overall = Tally()
        self._names: dict[int, list[str]] = {}  # session -> its location names, sorted

    def _tallies(self, session_id: int, location_name: str) -> tuple[Tally, ...]:
        cell = self._cells.get((session_id, location_name))
        if cell is None:
            cell = self._cells[(session_id, location_name)] = Tally()
            names = self._names.setdefault(session_id, [])
            names.append(location_name)
            names.sort()
        by_name = self._by_name.get(location_name)
        if by_name is None:
            by_name = self._by_name[location_name] = Tally()
        by_session = self._by_session.get(session_id)
        if by_session is None:
            by_session = self._by_session[session_id] = Tally()
        return cell, by_name, by_session, self._overall

    def seed_tags(self, rows: Iterable[TagRow]) -> None:
        """Counts per tag (one page of ``stats_seed_tags.sql``)."""
        intern = sys.intern  # a tag crossing four mats in thirty sessions is one string
        for session_id, location_name, tag, reads in rows:
            tag = intern(tag)
            for tally in self._tallies(session_id, intern(location_name)):
                tally.count(tag, reads)

    def seed_spans(self, rows: Iterable[SpanRow]) -> None:
        """First and last read per (session, location) (``stats_seed_spans.sql``)."""
        for session_id, location_name, first, last in rows:
            for tally in self._tallies(session_id, location_name):
                tally.widen(first, last)

    def add(self, session_id: int, location_name: str, tag: str, when: dt.datetime | None) -> None:
        tag = sys.intern(tag)
        for tally in self._tallies(session_id, location_name):
            tally.count(tag, 1)
            tally.widen(when, when)

    def session_totals(self) -> dict[int, int]:
        return {session_id: tally.reads for session_id, tally in self._by_session.items()}

    def stats(self, wanted: ReadFilter) -> dict[str, object]:
        """``overall`` and ``by_location`` in the documented shape, for one filter."""
        session_id, location = wanted.session_id, wanted.location
        rows: list[tuple[str, Tally]]
        if session_id is None and location is None:
            overall = self._overall
            rows = sorted(self._by_name.items())
        elif session_id is None:
            assert location is not None
            overall = self._by_name.get(location, Tally())
            rows = [(location, overall)] if overall.reads else []
        elif location is None:
            overall = self._by_session.get(session_id, Tally())
            rows = [(name, self._cells[(session_id, name)])
                    for name in self._names.get(session_id, [])]  # fmt: skip
        else:
            overall = self._cells.get((session_id, location), Tally())
            rows = [(location, overall)] if overall.reads else []
        return {
            "overall": {
                "total_reads": overall.reads,
                "unique_tags": len(overall.tags),
                "total_locations": len(rows),
                "first_read": overall.first_read,
                "last_read": overall.last_read,
            },
            "by_location": [tally.location_row(name) for name, tally in rows],
        }
