"""Which of a runner's reads are race crossings: repeats, bounces and warm-ups are not.

A mat reads a tag many times while the runner is on it (standing on the finish
mat gives dozens of reads), controllers deliver late and out of order, and
runners wander over mats before the race. The rules, applied to the runner's
reads in time order (arrival order never matters):

- only the first accepted read per mat counts; later reads there are repeats;
- a split or finish read earlier than the runner's gun is a warm-up, ignored;
- a start read earlier than the runner's gun is not a start crossing either:
  the start is the first start read at or after the gun; a runner with only
  pre-gun start reads (lined up on the mat) starts at the gun (see timing.py),
  so nobody's chip time exceeds their gun time;
- a start read after the runner has crossed a split or the finish is them
  walking back, ignored;
- a split or finish read sooner than ``course.min_lap`` after the previous
  accepted crossing (or after the gun, before any) is a bounce, ignored, and
  the runner's next read at that mat may still count;
- nothing after the accepted finish counts.

While no gun is known the gun rules simply do not apply; when the gun arrives
the runner is worked out again from all their reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from project88.scoring.model import Course, Role

_START, _FINISH = Role.START.value, Role.FINISH.value
ReadAt = tuple[datetime, str]  # (instant, location): a runner's read, its tag no longer needed


@dataclass(frozen=True, slots=True)
class Crossings:
    start: datetime | None  # the accepted start read
    early_start: bool  # start reads seen, every one before the gun
    passed: tuple[ReadAt, ...]  # accepted split and finish crossings, in time order
    finish: datetime | None

    @property
    def any(self) -> bool:
        return self.start is not None or self.early_start or bool(self.passed)


def accept(reads: Iterable[ReadAt], course: Course, gun: datetime | None) -> Crossings:
    """The runner's crossings among ``reads`` (any order; reads at unknown mats are skipped)."""
    roles = course.role_values
    # Time order; at one instant, start before split before finish, so that a tie
    # cannot make a start read look like "walking back", then by name for determinism.
    ordered = sorted((at, roles[location], location) for at, location in reads if location in roles)
    min_lap = course.min_lap
    start: datetime | None = None
    early_start = False
    passed: list[ReadAt] = []
    seen: set[str] = set()
    since = gun  # the min-lap reference: the last accepted crossing, else the gun
    for at, role, location in ordered:
        if role == _START:
            if start is not None or passed:
                continue  # a repeat, or walking back after a split
            if gun is not None and at < gun:
                early_start = True
                continue
            start = since = at
            continue
        if gun is not None and at < gun:
            continue  # a warm-up over a split or the finish
        if location in seen:
            continue
        if since is not None and at - since < min_lap:
            continue  # a bounce: too soon after the previous crossing to be a new one
        passed.append((at, location))
        seen.add(location)
        since = at
        if role == _FINISH:
            return Crossings(start, early_start, tuple(passed), at)
    return Crossings(start, early_start, tuple(passed), None)
