"""What scoring is given: the course, the runners, the reads and the gun times.

Everything is a frozen value checked on construction, so that a bad input fails
where it is made (the adapter that read it) and not deep inside scoring. Gun
times are kept apart from the course because they arrive late and get corrected
during a race, while the course is set up once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

METRES_PER_KM = 1000.0
METRES_PER_MILE = 1609.344


class Role(enum.Enum):
    """What crossing a mat means. The value orders mats crossed at the same instant."""

    START = 0
    SPLIT = 1
    FINISH = 2


class Sex(enum.Enum):
    M = "M"
    F = "F"
    X = "X"
    UNKNOWN = "?"

    @classmethod
    def parse(cls, text: str | None) -> Sex:
        """The roster's free-text gender ("F", "female", "W", "nb"...) as a Sex.

        Anything not recognised is UNKNOWN rather than an error: a runner with a
        typo in the sign-up form still gets an overall place, just no sex place.
        """
        if text is None:
            return cls.UNKNOWN
        return _SEX_WORDS.get(text.strip().lower(), cls.UNKNOWN)


_SEX_WORDS: dict[str, Sex] = {
    **dict.fromkeys(("m", "male", "man", "men"), Sex.M),
    **dict.fromkeys(("f", "female", "w", "woman", "women"), Sex.F),
    **dict.fromkeys(("x", "nb", "non-binary", "nonbinary", "non binary"), Sex.X),
}


def require_aware(at: datetime, what: str) -> None:
    """Refuse naive datetimes: comparing one with an aware one raises mid-scoring."""
    if at.utcoffset() is None:
        raise ValueError(f"{what} {at!r} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Location:
    """A timing mat as the controllers name it (``timing_reads.location_name``).

    ``distance_m``: metres from the start; required for the finish (pace is
    worked out from it), optional for splits, meaningless for the start.
    """

    name: str
    role: Role
    distance_m: float | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a location needs a name")
        if self.distance_m is not None and self.distance_m < 0:
            raise ValueError(f"location {self.name!r}: distance {self.distance_m} is negative")
        if self.role is Role.FINISH and not self.distance_m:
            raise ValueError(f"finish {self.name!r} needs a distance from the start (metres)")


@dataclass(frozen=True, slots=True)
class Course:
    """One race's mats: at most one start, splits in course order, exactly one finish.

    ``min_lap``: the shortest believable time between two crossings. A read at
    another mat sooner than this after the runner's previous accepted crossing
    (or after the gun, before any) is a bounce, not a crossing. Set it below the
    fastest possible leg. Multi-lap courses are not supported: every mat is
    crossed once, so a second read on a mat is always a repeat.
    """

    locations: tuple[Location, ...]
    min_lap: timedelta = timedelta(0)
    # Derived once here: scoring looks these up for every runner.
    roles: Mapping[str, Role] = field(init=False, repr=False, compare=False)
    # name -> Role.value: Enum.value is a slow descriptor, and this is read per read.
    role_values: Mapping[str, int] = field(init=False, repr=False, compare=False)
    start: Location | None = field(init=False, repr=False, compare=False)
    finish: Location = field(init=False, repr=False, compare=False)
    splits: tuple[Location, ...] = field(init=False, repr=False, compare=False)
    split_index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locations", tuple(self.locations))
        names = [location.name for location in self.locations]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"locations named more than once: {', '.join(repeated)}")
        starts = [loc for loc in self.locations if loc.role is Role.START]
        finishes = [loc for loc in self.locations if loc.role is Role.FINISH]
        if len(starts) > 1:
            raise ValueError("a course has at most one start location")
        if len(finishes) != 1:
            raise ValueError("a course has exactly one finish location")
        if self.min_lap < timedelta(0):
            raise ValueError("min_lap cannot be negative")
        roles = {location.name: location.role for location in self.locations}
        object.__setattr__(self, "roles", MappingProxyType(roles))
        values = {name: role.value for name, role in roles.items()}
        object.__setattr__(self, "role_values", MappingProxyType(values))
        object.__setattr__(self, "start", starts[0] if starts else None)
        object.__setattr__(self, "finish", finishes[0])
        splits = tuple(loc for loc in self.locations if loc.role is Role.SPLIT)
        object.__setattr__(self, "splits", splits)
        index = {location.name: number for number, location in enumerate(splits)}
        object.__setattr__(self, "split_index", MappingProxyType(index))


@dataclass(frozen=True, slots=True)
class Runner:
    """One roster entry. ``tags``: the codes the mats report; empty means the bib itself.

    ``division`` is taken as given; none is derived from sex and age when it is
    absent (the roster import already does that where the event wants it).
    """

    bib: str
    tags: tuple[str, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    sex: Sex = Sex.UNKNOWN
    age: int | None = None
    division: str | None = None
    city: str | None = None
    wave: str | None = None

    def __post_init__(self) -> None:
        if not self.bib:
            raise ValueError("a runner needs a bib")
        object.__setattr__(self, "tags", tuple(self.tags))
        if any(not tag for tag in self.tags):
            raise ValueError(f"bib {self.bib!r}: empty tag code")

    @property
    def read_as(self) -> tuple[str, ...]:
        """The tag codes that name this runner on the mats, without repeats."""
        return tuple(dict.fromkeys(self.tags)) if self.tags else (self.bib,)


@dataclass(frozen=True, slots=True)
class Read:
    """One tag read: ``timing_reads.tag_code``, ``location_name``, ``read_timestamp``.

    Reads are a set: the same (tag, location, instant) given twice is one read,
    so a daemon may replay reads after a restart without counting them twice.
    """

    tag: str
    location: str
    at: datetime

    def __post_init__(self) -> None:
        require_aware(self.at, f"read of tag {self.tag!r} at {self.location!r}:")


def _frozen(mapping: Mapping[str, datetime], what: str) -> Mapping[str, datetime]:
    for name, at in mapping.items():
        require_aware(at, f"{what} gun {name!r}:")
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Guns:
    """The gun times known now: by location (``timing_gun_times``) and by wave.

    When a location has several gun rows (fired again, corrected), the adapter
    hands over the one that stands; scoring only ever sees the current picture.
    """

    locations: Mapping[str, datetime] = field(default_factory=dict)
    waves: Mapping[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locations", _frozen(self.locations, "location"))
        object.__setattr__(self, "waves", _frozen(self.waves, "wave"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Guns):
            return NotImplemented
        return dict(self.locations) == dict(other.locations) and dict(self.waves) == dict(
            other.waves
        )

    def __hash__(self) -> int:
        return hash((frozenset(self.locations.items()), frozenset(self.waves.items())))

    def for_runner(self, runner: Runner, course: Course) -> datetime | None:
        """The gun a runner is timed from.

        1. the runner's wave gun, when they have a wave and it has a gun;
        2. else the finish location's gun;
        3. else the start location's gun;
        4. else none (no gun time, no gun fallback for chip time).

        The wave comes first, before the finish location's gun, because in a
        wave race one location gun cannot be right for every wave: it would add
        the gap between waves to every later wave's gun time. In a race without
        waves, the order is finish gun then start gun.
        """
        if runner.wave is not None:
            gun = self.waves.get(runner.wave)
            if gun is not None:
                return gun
        gun = self.locations.get(course.finish.name)
        if gun is not None:
            return gun
        start = course.start
        return None if start is None else self.locations.get(start.name)
