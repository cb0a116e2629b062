"""When things happen: UTC timestamps, the reference noon and each race's local start."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from project88.demodata import reference as ref
from project88.demodata.plan import RacePlan

UTC = dt.UTC
REFERENCE_NOON = dt.datetime.combine(ref.REFERENCE_DATE, dt.time(12), UTC)


def stamp(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def race_start(race: RacePlan) -> dt.datetime:
    """Local start: long races on a short festival's last day, else on the first."""
    event = race.event
    day = event.date
    if race.distance.km > 20 and (event.end - event.date).days in (1, 2):
        day = event.end
    return dt.datetime.combine(day, race.distance.start, _zone(event.time_zone))
