"""Live read statistics kept in memory, pure.

``count(DISTINCT tag_code)`` per location over a month of reads (a million
rows) takes PostgreSQL most of a second — far too slow for an endpoint that
scoreboards poll. The hub already fetches every new read once for the live
stream, so it also feeds this book; the book is loaded once from the database
(``stats_seed.sql``, one grouped scan) and rebuilt the same way periodically
and after the archiver moves rows, so deletions cannot drift it for long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .params import ReadFilter


@dataclass
class LocationTally:
    reads: int = 0
    tags: set[str] = field(default_factory=set)
    first_read: dt.datetime | None = None
    last_read: dt.datetime | None = None

    def add(
        self, tag: str, count: int, first: dt.datetime | None, last: dt.datetime | None
    ) -> None:
        self.reads += count
        self.tags.add(tag)
        self.widen(first, last)

    def widen(self, first: dt.datetime | None, last: dt.datetime | None) -> None:
        if first is not None and (self.first_read is None or first < self.first_read):
            self.first_read = first
        if last is not None and (self.last_read is None or last > self.last_read):
            self.last_read = last


SeedRow = tuple[int, str, str, int, dt.datetime | None, dt.datetime | None]
"""(session_id, location_name, tag_code, reads, first_read, last_read)"""


class StatsBook:
    def __init__(self) -> None:
        self._tallies: dict[tuple[int, str], LocationTally] = {}
        self.version = 0  # bumps on every change; answers are cached per version
        self._cache: dict[ReadFilter, dict[str, object]] = {}
        self._cache_version = -1

    def seed(self, rows: Iterable[SeedRow]) -> None:
        for session_id, location_name, tag, count, first, last in rows:
            self._tally(session_id, location_name).add(tag, count, first, last)
        self.version += 1

    def add(self, session_id: int, location_name: str, tag: str, when: dt.datetime | None) -> None:
        self._tally(session_id, location_name).add(tag, 1, when, when)
        self.version += 1

    def _tally(self, session_id: int, location_name: str) -> LocationTally:
        key = (session_id, location_name)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = LocationTally()
        return tally

    def session_totals(self) -> dict[int, int]:
        totals: dict[int, int] = {}
        for (session_id, _location), tally in self._tallies.items():
            totals[session_id] = totals.get(session_id, 0) + tally.reads
        return totals

    def stats(self, wanted: ReadFilter) -> dict[str, object]:
        """``overall`` and ``by_location`` in the documented shape, for one filter."""
        if self._cache_version != self.version:
            self._cache.clear()
            self._cache_version = self.version
        cached = self._cache.get(wanted)
        if cached is None:
            cached = self._cache[wanted] = self._compute(wanted)
        return cached

    def _compute(self, wanted: ReadFilter) -> dict[str, object]:
        by_name: dict[str, LocationTally] = {}
        for (session_id, location_name), tally in self._tallies.items():
            if not wanted.matches(session_id, location_name) or not tally.reads:
                continue
            merged = by_name.get(location_name)
            if merged is None:
                merged = by_name[location_name] = LocationTally()
            merged.reads += tally.reads
            merged.tags |= tally.tags
            merged.widen(tally.first_read, tally.last_read)
        every_tag: set[str] = set()
        overall = LocationTally()
        for merged in by_name.values():
            every_tag |= merged.tags
            overall.reads += merged.reads
            overall.widen(merged.first_read, merged.last_read)
        return {
            "overall": {
                "total_reads": overall.reads,
                "unique_tags": len(every_tag),
                "total_locations": len(by_name),
                "first_read": overall.first_read,
                "last_read": overall.last_read,
            },
            "by_location": [
                {
                    "location_name": name,
                    "read_count": merged.reads,
                    "unique_tags": len(merged.tags),
                    "last_read": merged.last_read,
                }
                for name, merged in sorted(by_name.items())
            ],
        }
