"""How often an event on the calendar is synced: the race-day cadence (pure).

As the registration platforms' own schedulers do: hourly; every 5 minutes within
24 h of the start; every minute within 4 h; and not at all from 1 h after the
start (the field is set; results come from the timing).
"""

from __future__ import annotations

import datetime as dt

HOURLY = dt.timedelta(hours=1)
RACE_DAY = dt.timedelta(hours=24)
RACE_MORNING = dt.timedelta(hours=4)
STOP_AFTER = dt.timedelta(hours=1)


def interval(start: dt.datetime | None, now: dt.datetime) -> dt.timedelta | None:
    """Time between two syncs of an event starting at ``start``; None: no more syncs."""
    if start is None:
        return HOURLY
    until = start - now
    if until < -STOP_AFTER:
        return None
    if until <= RACE_MORNING:
        return dt.timedelta(minutes=1)
    if until <= RACE_DAY:
        return dt.timedelta(minutes=5)
    return HOURLY


def due(start: dt.datetime | None, last: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a sync last run at ``last`` (None: never) should run again now."""
    every = interval(start, now)
    if every is None:
        return False
    return last is None or now - last >= every
