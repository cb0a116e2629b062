"""A race's course written on one line: ``start@0,5k@5000,finish@10000`` (pure).

The mats in course order as ``name@metres``, comma-separated: a first mat at 0 m
is the start (optional), the last one is the finish, every other one a split.
The checks are the scoring core's own (``project88.scoring.Course`` and
``Location``), plus what only a written spec can get wrong: a name twice,
distances out of order, a split at the start line.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from datetime import timedelta

from project88.scoring import Course, Location, Role

MAX_NAME = 100  # timing_reads.location_name is VARCHAR(100)
MAX_MIN_LAP = 24 * 3600.0
ROLE_NAMES = {Role.START: "start", Role.SPLIT: "split", Role.FINISH: "finish"}
ROLES_BY_NAME = {name: role for role, name in ROLE_NAMES.items()}
EXAMPLE = "start@0,5k@5000,finish@10000"


class CourseError(ValueError):
    """A course that cannot be used; the message says what to write instead."""


def parse_min_lap(text: str | float | None) -> timedelta:
    """Seconds (``90``, ``1.5``) as the minimum lap time; None is no minimum."""
    if text is None:
        return timedelta(0)
    try:
        seconds = float(text)
    except ValueError:
        raise CourseError(f"--min-lap {text!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_MIN_LAP:
        raise CourseError(f"--min-lap must be between 0 and {MAX_MIN_LAP:.0f} seconds, got {text}")
    return timedelta(seconds=seconds)


def _metres(name: str, text: str) -> float:
    try:
        metres = float(text)
    except ValueError:
        raise CourseError(f"mat {name!r}: {text!r} is not a distance in metres") from None
    if not math.isfinite(metres) or metres < 0:
        raise CourseError(f"mat {name!r}: the distance must be 0 or more metres, got {text}")
    return metres


def _mat(item: str) -> tuple[str, float]:
    name, at, metres = item.strip().rpartition("@")
    name = name.strip()
    if not at or not name:
        raise CourseError(f"{item.strip()!r} is not name@metres (e.g. {EXAMPLE})")
    if len(name) > MAX_NAME or not name.isprintable():
        raise CourseError(f"mat name {name[:40]!r} must be 1-{MAX_NAME} printable characters")
    return name, _metres(name, metres.strip())


def parse(spec: str, min_lap: timedelta = timedelta(0)) -> Course:
    """The course a spec describes; CourseError says what is wrong with it."""
    items = [item for item in spec.split(",") if item.strip()]
    if not items:
        raise CourseError(f"the course is empty: list its mats as name@metres, e.g. {EXAMPLE}")
    mats = [_mat(item) for item in items]
    for (before, before_m), (name, metres) in itertools.pairwise(mats):
        if metres <= before_m:
            raise CourseError(
                f"mat {name!r} at {metres:g} m is not after {before!r} at {before_m:g} m: "
                "list the mats in course order, each further than the one before"
            )
    if len(mats) == 1 and mats[0][1] == 0:
        raise CourseError("a course needs a finish after the start (e.g. finish@5000)")
    locations = []
    for number, (name, metres) in enumerate(mats):
        if number == len(mats) - 1:
            role = Role.FINISH
        elif number == 0 and metres == 0:
            role = Role.START
        else:
            role = Role.SPLIT
        locations.append((name, role, metres))
    return build(locations, min_lap)


def build(locations: Iterable[tuple[str, Role, float | None]], min_lap: timedelta) -> Course:
    """A Course from (name, role, metres) in course order, checked by the scoring core."""
    try:
        return Course(
            tuple(Location(name, role, metres) for name, role, metres in locations),
            min_lap=min_lap,
        )
    except ValueError as exc:
        raise CourseError(str(exc)) from None


def describe(course: Course) -> str:
    """The spec of a course, as ``parse`` reads it back."""
    return ",".join(f"{loc.name}@{loc.distance_m or 0:g}" for loc in course.locations)
