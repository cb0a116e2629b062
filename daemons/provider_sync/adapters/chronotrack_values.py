"""ChronoTrack Live field values: text, numbers, moments and times (pure).

The API sends every field as text; these read it, and give None for what is
empty or unreadable, so one odd field never stops a listing. The assumptions
(epoch seconds, UTC dates, per-mile pace) are marked where they are made.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

KM_PER_MILE = Decimal("1.609344")


def text(value: Any) -> str | None:
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def integer(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def moment(value: Any) -> datetime | None:
    """Epoch seconds (what the API returns for *_time fields in practice) or ISO 8601."""
    found = text(value)
    if found is None or found == "0":
        return None
    try:
        return datetime.fromtimestamp(float(found), tz=UTC)
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(found)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def day(value: Any) -> date | None:
    # Assumption: the date is taken in UTC; a US race starting after 19:00 local
    # would land on the next day, which no morning road race does.
    stamp = moment(value)
    return stamp.date() if stamp else None


_DURATION = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")


def parse_duration(value: Any) -> timedelta | None:
    """'1:23:45.6' (h:mm:ss.f) or '23:45' (mm:ss) to a timedelta (an INTERVAL column).

    Two parts are minutes and seconds, never hours and minutes: a finish or pace
    time always has seconds. Fractions are kept to the tenth/hundredth given.
    Empty values and ones that are not times ('DNF', '--') are None.
    """
    found = text(value)
    if found is None:
        return None
    match = _DURATION.match(found)
    # A unit may follow ("7:32/mi", "7:32 min/mi"); more digits may not ("1:2:3:4").
    if not match or re.match(r"[\d:.]", found[match.end() :]):
        return None
    hours, minutes, seconds = match.groups()
    return timedelta(hours=int(hours or 0), minutes=int(minutes), seconds=float(seconds))


def parse_pace(value: Any) -> timedelta | None:
    """Pace to per mile. Assumption: the docs do not give the unit; a bare value is
    taken to be per mile (ChronoTrack's US default) and '/km' is converted."""
    pace = parse_duration(value)
    if pace is not None and "/km" in str(value).lower():
        pace = timedelta(seconds=round(pace.total_seconds() * float(KM_PER_MILE), 3))
    return pace
