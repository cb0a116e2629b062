"""CTP01 read times -> instants (shared/ctp01.md §3): pure, no I/O.

Times on the wire carry no zone: they are the event's local wall clock in the
listener's configured zone. Four formats exist; they have disjoint shapes, so a
value is recognised by its shape whatever was negotiated (a client that ignores
``time-format`` still gets stored correctly):

* ``iso``    ``2025-10-11T10:24:37.12``  local date and time
* ``normal`` ``10:24:37.12``             time of day on the session's date;
             hours may exceed 23 and a leading ``-`` is allowed
* ``unix``   ``1620460701.95``           the local wall clock counted as if it
             were UTC: seconds from 1970-01-01 00:00 *wall time*, two decimals
             (SimpleClient sends 07:58:21.95 local as this, whatever its zone)
* ``msecs``  ``28701950``                milliseconds since local midnight
             (07:58:21.950); no date, like ``normal``

``unix`` is therefore a local date-time, not an instant: reading it as one
would shift every read by the zone's UTC offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$")
_NORMAL = re.compile(r"^(-?)(\d{1,5}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$")
_UNIX = re.compile(r"^\d{1,11}\.\d{1,6}$")
_MSECS = re.compile(r"^\d{1,14}$")
_WALL_EPOCH = datetime(1970, 1, 1)  # naive: the wall clock's own zero
# ``msecs`` counts from local midnight; like ``normal`` hours it may run past a
# day (a race through midnight), but not by weeks: a 13-digit value is epoch
# milliseconds from a client that misread the protocol, and must not be stored
# as a clock offset of fifty years.
MSECS_LIMIT = 7 * 86_400_000

# A wrapped ``normal`` clock (00:30 after a 22:00 start) is read as the next
# day when taking it literally would put it this long before the session began.
ROLLOVER = timedelta(hours=6)


class TimeFormatError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class LocalDateTime:
    """``iso``: a complete local wall-clock reading."""

    value: datetime  # naive


@dataclass(frozen=True, slots=True)
class ClockOffset:
    """``normal``: an offset from midnight of the session's date."""

    offset: timedelta


ReadTime = LocalDateTime | ClockOffset


def _fraction_us(text: str | None) -> int:
    return int((text or "0").ljust(6, "0")[:6])


def parse(text: str) -> ReadTime:
    # Fast path for the default format: the C parser, once the shape is known
    # to be a plain local date-time (fromisoformat also takes zones and weeks).
    if len(text) >= 19 and text[10] == "T" and text[4] == "-" and _ISO.match(text):
        try:
            return LocalDateTime(datetime.fromisoformat(text))
        except ValueError as exc:
            raise TimeFormatError(f"invalid date/time {text!r}: {exc}") from None
    m = _ISO.match(text)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        try:
            return LocalDateTime(datetime(y, mo, d, h, mi, s, _fraction_us(m.group(7))))
        except ValueError as exc:
            raise TimeFormatError(f"invalid date/time {text!r}: {exc}") from None
    m = _NORMAL.match(text)
    if m:
        sign, h, mi, s, frac = m.groups()
        if int(mi) > 59 or int(s) > 59:
            raise TimeFormatError(f"invalid clock time {text!r}")
        offset = timedelta(
            hours=int(h), minutes=int(mi), seconds=int(s), microseconds=_fraction_us(frac)
        )
        return ClockOffset(-offset if sign else offset)
    if _UNIX.match(text):
        whole, _, frac = text.partition(".")
        try:
            wall = _WALL_EPOCH + timedelta(seconds=int(whole), microseconds=_fraction_us(frac))
        except OverflowError:
            raise TimeFormatError(f"time out of range {text!r}") from None
        return LocalDateTime(wall)
    if _MSECS.match(text):
        millis = int(text)
        if millis >= MSECS_LIMIT:
            raise TimeFormatError(
                f"msecs time {text!r} is more than 7 days after local midnight"
                " (epoch milliseconds are not CTP01's msecs)"
            )
        return ClockOffset(timedelta(milliseconds=millis))
    raise TimeFormatError(f"unrecognised time {text!r}")


@dataclass(frozen=True, slots=True)
class Resolved:
    instant: datetime  # aware
    local_date: date
    local_time: time


def resolve(value: ReadTime, session_start: datetime, zone: tzinfo) -> Resolved:
    """Place a read time on the timeline of a session that began at ``session_start``."""
    if isinstance(value, LocalDateTime):
        naive = value.value
    else:
        start_local = session_start.astimezone(zone).replace(tzinfo=None)
        midnight = datetime.combine(start_local.date(), time())
        naive = midnight + value.offset
        if naive < start_local - ROLLOVER:
            naive += timedelta(days=1)
    # fold=0: an ambiguous wall-clock time in the autumn DST change takes its first
    # occurrence; the raw line is kept alongside for anyone who needs to re-judge.
    aware = naive.replace(tzinfo=zone)
    return Resolved(aware, naive.date(), naive.time())


class OffsetCache:
    """UTC offsets of a zone by local minute, as ``+HH:MM`` text.

    Rendering an aware datetime asks the zone for its offset every time; a
    race's reads share a few minutes of wall clock, so caching per minute makes
    the hot path a dict lookup. ``fold=0`` as in :func:`resolve`.
    """

    __slots__ = ("_cache", "zone")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._cache: dict[str, str] = {}

    def text(self, local_minute: str, naive: datetime) -> str:
        offset = self._cache.get(local_minute)
        if offset is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            aware = naive.replace(tzinfo=self.zone)
            offset = self._cache[local_minute] = aware.isoformat()[-6:]
        return offset


def copy_fields(
    value: ReadTime, session_start: datetime, offsets: OffsetCache
) -> tuple[str, str, str]:
    """(local date, local time, instant) as PostgreSQL input text."""
    if isinstance(value, LocalDateTime):
        naive = value.value
        local = naive.isoformat(" ")
        return local[:10], local[11:], local + offsets.text(local[:16], naive)
    resolved = resolve(value, session_start, offsets.zone)
    return str(resolved.local_date), str(resolved.local_time), resolved.instant.isoformat()
