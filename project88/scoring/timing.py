"""A runner's times from their crossings and gun: status, chip and gun time, splits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from project88.scoring.crossings import ReadAt, accept
from project88.scoring.model import Course
from project88.scoring.results import SplitTime, StartSource, Status, TimeBasis, Timing


def time_runner(reads: Iterable[ReadAt], course: Course, gun: datetime | None) -> Timing:
    """Work out one runner from all their reads and the gun they are timed from.

    Chip time counts from the accepted start read; without one it falls back to
    the gun (``StartSource`` says why). Since a start read before the gun never
    counts, chip time is never longer than gun time.
    """
    crossings = accept(reads, course, gun)
    if crossings.start is not None:
        start, source = crossings.start, StartSource.READ
    elif gun is None:
        start, source = None, StartSource.NONE
    elif crossings.early_start:
        start, source = gun, StartSource.GUN_EARLY_READ
    else:
        start, source = gun, StartSource.GUN_NO_READ

    finish = crossings.finish
    if finish is not None:
        status = Status.FINISHED
    elif crossings.any:
        # A start read or a split; or only pre-gun start reads, which means the
        # runner was lined up on the start mat when the gun went.
        status = Status.ON_COURSE
    else:
        status = Status.NOT_STARTED

    splits: tuple[SplitTime, ...] = ()
    if len(crossings.passed) > (finish is not None):  # any split crossed at all
        index = course.split_index
        crossed = [(index[name], at) for at, name in crossings.passed if name in index]
        if len(crossed) > 1:
            crossed.sort()  # course order, not crossing order: split columns as set up
        course_splits = course.splits
        splits = tuple(
            [
                SplitTime(
                    course_splits[number].name,
                    at,
                    None if start is None else at - start,
                    None if gun is None else at - gun,
                    course_splits[number].distance_m,
                )
                for number, at in crossed
            ]
        )

    distance = course.finish.distance_m
    assert distance is not None  # the course checks the finish has one
    gun_time = chip_time = rank_time = ranked_by = None
    if finish is not None:
        if gun is not None:
            gun_time = finish - gun
        if start is not None:
            chip_time = finish - start
        # Placed on gun time when there is one (official placings), else chip time.
        if gun_time is not None:
            rank_time, ranked_by = gun_time, TimeBasis.GUN
        elif chip_time is not None:
            rank_time, ranked_by = chip_time, TimeBasis.CHIP
    return Timing(
        status=status,
        gun=gun,
        start=start,
        start_source=source,
        finish=finish,
        gun_time=gun_time,
        chip_time=chip_time,
        splits=splits,
        distance_m=distance,
        rank_time=rank_time,
        ranked_by=ranked_by,
    )
