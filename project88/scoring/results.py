"""What scoring gives back: one Result per runner with a read, and the sheet of them all."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from project88.scoring.model import METRES_PER_KM, METRES_PER_MILE, Runner


class Status(enum.Enum):
    FINISHED = "finished"
    ON_COURSE = "on course"  # started (a start crossing, a split, or the gun), not finished
    # Reads, but none is a race crossing: only warm-up reads before the runner's
    # gun on a split or the finish, or only reads at mats the course does not have.
    NOT_STARTED = "not started"


class StartSource(enum.Enum):
    """Where the instant chip time counts from came from."""

    READ = "start read"
    GUN_NO_READ = "gun: no start read"  # missing start read: chip time falls back to the gun
    GUN_EARLY_READ = "gun: start read before the gun"  # only pre-gun start reads: the gun
    NONE = "none"  # no start read and no gun known: no chip time yet


class TimeBasis(enum.Enum):
    """Which elapsed time a finisher was ranked (or paced) on."""

    GUN = "gun"
    CHIP = "chip"


@dataclass(frozen=True, slots=True)
class SplitTime:
    """The runner's accepted crossing of one split mat."""

    location: str
    at: datetime
    chip_time: timedelta | None  # since the chip start
    gun_time: timedelta | None  # since the runner's gun
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class Timing:
    """A runner's times worked out from their own reads and gun, before any placing."""

    status: Status
    gun: datetime | None  # the gun the runner is timed from (see Guns.for_runner)
    start: datetime | None  # the instant chip time counts from
    start_source: StartSource
    finish: datetime | None  # the accepted finish read
    gun_time: timedelta | None  # finish - gun
    chip_time: timedelta | None  # finish - start
    splits: tuple[SplitTime, ...]  # the splits crossed, in course order
    distance_m: float  # the finish's distance from the start, for pace
    # What a finisher is placed on (places.py): gun time, else chip time; None: not placed.
    rank_time: timedelta | None
    ranked_by: TimeBasis | None

    @property
    def chip_from_gun(self) -> bool:
        """True when chip time counts from the gun, not from a start read."""
        return self.start_source in (StartSource.GUN_NO_READ, StartSource.GUN_EARLY_READ)

    @property
    def pace_basis(self) -> TimeBasis | None:
        """Pace is of chip time, or of gun time when there is no chip time."""
        if self.chip_time is not None:
            return TimeBasis.CHIP
        return None if self.gun_time is None else TimeBasis.GUN

    def _pace(self, metres: float) -> timedelta | None:
        # Worked out on demand: a timedelta times a float is slow enough to matter
        # when scoring 20,000 runners, and most results are never asked for pace.
        elapsed = self.chip_time if self.chip_time is not None else self.gun_time
        return None if elapsed is None else elapsed * (metres / self.distance_m)

    @property
    def pace_per_km(self) -> timedelta | None:
        return self._pace(METRES_PER_KM)

    @property
    def pace_per_mile(self) -> timedelta | None:
        return self._pace(METRES_PER_MILE)


@dataclass(frozen=True, slots=True)
class Result:
    """One runner's result: who (``runner``), their times (``timing``), their places.

    Places are None for a runner not placed: not finished, finished with no
    time yet (no gun and no start read), or, for the sex and division places,
    unknown sex or no division. The times are kept in one ``Timing`` rather
    than copied field by field: building results is the hot loop of scoring.
    """

    runner: Runner
    timing: Timing
    overall_place: int | None
    sex_place: int | None
    division_place: int | None

    @property
    def bib(self) -> str:
        return self.runner.bib

    @property
    def status(self) -> Status:
        return self.timing.status

    @property
    def gun_time(self) -> timedelta | None:
        return self.timing.gun_time

    @property
    def chip_time(self) -> timedelta | None:
        return self.timing.chip_time

    @property
    def chip_from_gun(self) -> bool:
        return self.timing.chip_from_gun


def make_result(runner: Runner, timing: Timing, places: tuple[int | None, ...]) -> Result:
    """The one place a Result is built, so both scoring paths build the same one."""
    return Result(runner, timing, places[0], places[1], places[2])


@dataclass(frozen=True, slots=True)
class ScoreSheet:
    """All results, and the reads that could not be given to a runner.

    ``unknown_tags``: tag -> number of distinct reads, for tags that attach to
    no runner (in no roster entry, or claimed by several: see ``shared_tags``).
    ``shared_tags``: tag -> the bibs that all claim it; its reads go to nobody,
    since a read cannot tell which of them crossed.
    ``unknown_locations``: location -> number of distinct reads at a mat the
    course does not have (misnamed controller, another race's mat).
    """

    results: Mapping[str, Result]
    unknown_tags: Mapping[str, int]
    shared_tags: Mapping[str, tuple[str, ...]]
    unknown_locations: Mapping[str, int]

    @property
    def unknown_tag_reads(self) -> int:
        return sum(self.unknown_tags.values())


@dataclass(frozen=True, slots=True)
class Changes:
    """What one Scoreboard update changed: results to upsert, bibs whose result is gone.

    A result is gone when its runner leaves the roster or no read attaches to
    them any more (their tag became shared). Only results that differ from
    before are listed, so a daemon can NOTIFY and upsert exactly these.
    """

    updated: Mapping[str, Result]
    removed: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.updated) or bool(self.removed)

    @property
    def bibs(self) -> frozenset[str]:
        return frozenset(self.updated) | self.removed
