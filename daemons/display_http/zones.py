"""Each race's own time zone for the instants the display hands out (issue 15 §1).

The database connection answers in P88_TIMEZONE; a race timed in another zone
(``timing_sessions.time_zone``) gets its instants re-expressed in its own, the
same moment with the race's offset, as its spectators read the clock. Pure.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger("display_http")


@functools.lru_cache(maxsize=256)
def zone(name: str) -> dt.tzinfo | None:
    """The zone called ``name``; None (logged once) for a name no tz database knows."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.error("session has an unknown time zone, its times stay in P88_TIMEZONE "
                  "time_zone=%r", name)  # fmt: skip
        return None


def local(when: Any, name: str | None) -> Any:
    """``when`` (an aware datetime) in the zone ``name``; unchanged without one."""
    if not name or not isinstance(when, dt.datetime) or when.tzinfo is None:
        return when
    tz = zone(name)
    return when.astimezone(tz) if tz is not None else when


def localise_rows(rows: list[dict[str, Any]], column: str = "read_timestamp") -> None:
    """Rows carrying ``time_zone`` (their session's): ``column`` in that zone, in place.

    The helper column goes: the documented shapes of the APIs stay as they were.
    """
    for row in rows:
        row[column] = local(row.get(column), row.pop("time_zone", None))
