"""The Scoreboard: scoring kept up to date as reads, gun times and roster entries arrive.

A daemon feeds it what it learns (new reads from a NOTIFY, a gun time fired
or corrected, a roster sync) and gets back exactly the results that changed,
to upsert and announce. After any sequence of updates the board holds what
``score`` gives for the same inputs, whatever order they came in: the board
only keeps inputs and re-derives each affected runner with the same functions.

Who is affected by what:

- a new read: the runner its tag belongs to (a read seen before changes nothing);
- a gun time: every runner whose gun (``Guns.for_runner``) is now a different one;
- a roster entry: that runner, and anyone whose tag it takes or releases;
- and through places: everyone whose place moved because of those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from project88.scoring.attach import Claims
from project88.scoring.crossings import ReadAt
from project88.scoring.model import Course, Guns, Read, Runner
from project88.scoring.places import Entry, Standings, groups_of, rank_key
from project88.scoring.results import Changes, Result, ScoreSheet, Timing, make_result
from project88.scoring.score import NO_GUNS
from project88.scoring.timing import time_runner


def _bump(counts: dict[str, int], name: str, by: int) -> None:
    count = counts.get(name, 0) + by
    if count:
        counts[name] = count
    else:
        counts.pop(name, None)


class Scoreboard:
    """Incremental scoring of one race (one course). Not thread-safe: one owner feeds it.

    ``rebuild_above``: above this many runners changed by one update, places
    are re-sorted wholesale instead of shifted one runner at a time (a tuning
    knob only; the results are the same either way).
    """

    def __init__(self, course: Course, guns: Guns = NO_GUNS, *, rebuild_above: int = 64) -> None:
        self._course = course
        self._guns = guns
        self._runners: dict[str, Runner] = {}
        self._claims = Claims()
        self._reads: dict[str, set[ReadAt]] = {}  # by tag, attached or not
        self._unknown_tags: dict[str, int] = {}
        self._unknown_locations: dict[str, int] = {}
        self._timings: dict[str, Timing] = {}  # runners with at least one attached read
        self._results: dict[str, Result] = {}
        self._standings = Standings(rebuild_above)

    # -- what the board holds -----------------------------------------------------------
    @property
    def course(self) -> Course:
        return self._course

    @property
    def guns(self) -> Guns:
        return self._guns

    @property
    def results(self) -> Mapping[str, Result]:
        return MappingProxyType(self._results)

    def sheet(self) -> ScoreSheet:
        """A snapshot, equal to ``score`` of the same inputs."""
        return ScoreSheet(
            results=dict(self._results),
            unknown_tags=dict(self._unknown_tags),
            shared_tags=self._claims.shared(),
            unknown_locations=dict(self._unknown_locations),
        )

    # -- updates --------------------------------------------------------------------------
    def add_reads(self, reads: Iterable[Read]) -> Changes:
        roles = self._course.roles
        dirty: set[str] = set()
        for read in reads:
            entry = (read.at, read.location)
            known = self._reads.setdefault(read.tag, set())
            if entry in known:
                continue  # replayed: reads are a set
            known.add(entry)
            if read.location not in roles:
                _bump(self._unknown_locations, read.location, 1)
            owner = self._claims.owner(read.tag)
            if owner is None:
                _bump(self._unknown_tags, read.tag, 1)
            else:
                dirty.add(owner)
        return self._rescore(dirty)

    def set_guns(self, guns: Guns) -> Changes:
        """Replace every gun time with what is known now (late, fired again, corrected)."""
        self._guns = guns
        course = self._course
        dirty = {
            bib
            for bib, timing in self._timings.items()
            if guns.for_runner(self._runners[bib], course) != timing.gun
        }
        return self._rescore(dirty)

    def set_location_gun(self, location: str, at: datetime | None) -> Changes:
        """Set (None: clear) one location's gun time."""
        locations = dict(self._guns.locations)
        if at is None:
            locations.pop(location, None)
        else:
            locations[location] = at
        return self.set_guns(Guns(locations, self._guns.waves))

    def set_wave_gun(self, wave: str, at: datetime | None) -> Changes:
        """Set (None: clear) one wave's gun time."""
        waves = dict(self._guns.waves)
        if at is None:
            waves.pop(wave, None)
        else:
            waves[wave] = at
        return self.set_guns(Guns(self._guns.locations, waves))

    def upsert_runners(self, runners: Iterable[Runner]) -> Changes:
        """Add roster entries or replace them by bib; reads already in attach to them now."""
        dirty: set[str] = set()
        for runner in runners:
            old = self._runners.get(runner.bib)
            if old == runner:
                continue
            self._reclaim(old, runner, dirty)
            self._runners[runner.bib] = runner
        return self._rescore(dirty)

    def remove_runners(self, bibs: Iterable[str]) -> Changes:
        """Take entries off the roster; their reads become unknown (or another's)."""
        dirty: set[str] = set()
        for bib in bibs:
            old = self._runners.pop(bib, None)
            if old is not None:
                self._reclaim(old, None, dirty)
        return self._rescore(dirty)

    def set_course(self, course: Course) -> Changes:
        """A corrected course (mats, distances, min lap): everyone is scored again."""
        self._course = course
        self._unknown_locations = {}
        for tag_reads in self._reads.values():
            for _, location in tag_reads:
                if location not in course.roles:
                    _bump(self._unknown_locations, location, 1)
        return self._rescore(set(self._timings))

    # -- the work -------------------------------------------------------------------------
    def _reclaim(self, old: Runner | None, new: Runner | None, dirty: set[str]) -> None:
        """Swap a roster entry's claims, keeping unknown-tag counts and noting who is affected."""
        tags = set(old.read_as if old else ()) | set(new.read_as if new else ())
        before = {tag: self._claims.owner(tag) for tag in tags}
        if old is not None:
            self._claims.remove(old)
            dirty.add(old.bib)
        if new is not None:
            self._claims.add(new)
            dirty.add(new.bib)
        for tag, was in before.items():
            now = self._claims.owner(tag)
            if now == was:
                continue
            count = len(self._reads.get(tag, ()))
            if was is None:
                _bump(self._unknown_tags, tag, -count)
            else:
                dirty.add(was)
            if now is None:
                _bump(self._unknown_tags, tag, count)
            else:
                dirty.add(now)

    def _time(self, bib: str) -> Timing | None:
        runner = self._runners.get(bib)
        if runner is None:
            return None
        reads: list[ReadAt] = []
        for tag in self._claims.attached(runner):
            reads.extend(self._reads.get(tag, ()))
        if not reads:
            return None
        return time_runner(reads, self._course, self._guns.for_runner(runner, self._course))

    def _rescore(self, dirty: set[str]) -> Changes:
        entries: dict[str, Entry | None] = {}
        for bib in dirty:
            timing = self._time(bib)
            if timing is None:
                self._timings.pop(bib, None)
                entries[bib] = None
                continue
            self._timings[bib] = timing
            runner = self._runners[bib]
            key = rank_key(runner, timing)
            entries[bib] = None if key is None else (key, groups_of(runner))
        moved = self._standings.update(entries)

        updated: dict[str, Result] = {}
        removed: set[str] = set()
        for bib in dirty | moved:
            timing = self._timings.get(bib)
            if timing is None:
                if self._results.pop(bib, None) is not None:
                    removed.add(bib)
                continue
            result = make_result(self._runners[bib], timing, self._standings.places(bib))
            if self._results.get(bib) != result:
                self._results[bib] = result
                updated[bib] = result
        return Changes(updated=updated, removed=frozenset(removed))
