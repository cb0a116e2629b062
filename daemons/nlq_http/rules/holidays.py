"""Holidays as dates: "on Thanksgiving 2025", "Memorial Day weekend", "last Labor Day".

Races cluster on holidays (turkey trots, Memorial Day 5Ks, Boston on Patriots' Day), so a
holiday is a date of the event. The US federal holidays and Massachusetts' Patriots' Day
come from the ``holidays`` package, Easter and the Sunday holidays from ``dateutil``; the
fixed days are fixed. Read before the other dates, so the year said with the holiday is
its year ("Thanksgiving 2025"), and after event names, so "the New Year's Day 10K" stays
an event.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

import holidays as holiday_calendars
from dateutil.easter import easter
from dateutil.relativedelta import SU, relativedelta

from ..query import Op
from .scan import Scan


@functools.lru_cache(maxsize=64)
def _us_holiday(name: str, year: int) -> dt.date | None:
    calendar = holiday_calendars.country_holidays("US", subdiv="MA", years=year)
    return next((day for day, said in calendar.items() if said == name), None)


def _federal(name: str) -> Callable[[int], dt.date | None]:
    return lambda year: _us_holiday(name, year)


def _fixed(month: int, day: int) -> Callable[[int], dt.date | None]:
    return lambda year: dt.date(year, month, day)


def _nth_sunday(month: int, n: int) -> Callable[[int], dt.date | None]:
    return lambda year: dt.date(year, month, 1) + relativedelta(weekday=SU(n))


_HOLIDAYS: tuple[tuple[str, Callable[[int], dt.date | None]], ...] = (
    (r"thanksgiving(?:\s+day)?", _federal("Thanksgiving Day")),
    (r"memorial\s+day", _federal("Memorial Day")),
    (r"labou?r\s+day", _federal("Labor Day")),
    (r"independence\s+day|(?:the\s+)?(?:4th|fourth)\s+of\s+july|july\s+(?:4th|4|fourth)",
     _fixed(7, 4)),
    (r"new\s+year'?s?\s+day", _fixed(1, 1)),
    (r"new\s+year'?s?\s+eve", _fixed(12, 31)),
    (r"christmas\s+eve", _fixed(12, 24)),
    (r"christmas(?:\s+day)?|xmas", _fixed(12, 25)),
    (r"hallowe'?en", _fixed(10, 31)),
    (r"(?:st\.?|saint)\s+patrick'?s?\s+day", _fixed(3, 17)),
    (r"valentine'?s?\s+day", _fixed(2, 14)),
    (r"juneteenth", _fixed(6, 19)),
    (r"veterans'?\s+day", _fixed(11, 11)),
    (r"(?:mlk|martin\s+luther\s+king(?:\s+jr\.?)?)\s+day", _federal("Martin Luther King Jr. Day")),
    (r"presidents'?\s+day|washington'?s\s+birthday", _federal("Washington's Birthday")),
    (r"columbus\s+day|indigenous\s+peoples'?\s+day", _federal("Columbus Day")),
    (r"patriots'?\s+day", _federal("Patriots' Day")),
    (r"easter(?:\s+sunday)?", easter),
    (r"mother'?s'?\s+day", _nth_sunday(5, 2)),
    (r"father'?s'?\s+day", _nth_sunday(6, 3)),
)  # fmt: skip
_NAMES = "|".join(f"(?P<h{i}>{words})" for i, (words, _) in enumerate(_HOLIDAYS))
# The same names with no groups of their own, for patterns that hold several (date_ranges)
HOLIDAY_WORDS = "|".join(f"(?:{words})" for words, _ in _HOLIDAYS)
_EACH = tuple((re.compile(rf"(?:{words})$"), day_of) for words, day_of in _HOLIDAYS)


def holiday_day(name: str, year: int) -> dt.date | None:
    """The day a holiday name (as matched by HOLIDAY_WORDS) falls on in ``year``."""
    for pattern, day_of in _EACH:
        if pattern.match(name):
            return day_of(year) if 1900 <= year <= 2100 else None
    return None


_HOLIDAY = re.compile(
    r"\b(?:(?:on|over|during|for|at)\s+)?(?:the\s+)?(?:(?P<rel>last|this|next|coming|past)\s+)?"
    rf"(?:{_NAMES})(?P<weekend>\s+weekend)?(?:\s*,?\s*(?:of\s+|in\s+)?(?P<y>(?:19|20)\d\d))?\b"
)
_OTHER_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _year(scan: Scan, match: re.Match[str], day_of: Callable[[int], dt.date | None]) -> int:
    if match["y"]:
        return int(match["y"])
    said = set(_OTHER_YEAR.findall(scan.work[: match.start()] + scan.work[match.end() :]))
    if len(said) == 1:  # "events on thanksgiving in 2025": that year's
        return int(said.pop())
    today, rel = scan.today, match["rel"]
    this = day_of(today.year)
    if rel in ("last", "past"):
        return today.year - 1 if this is None or this >= today else today.year
    if rel in ("next", "coming"):
        return today.year + 1 if this is None or this <= today else today.year
    return today.year


def _weekend(day: dt.date) -> tuple[dt.date, dt.date]:
    """A Monday holiday's weekend is the Saturday to the Monday; Thanksgiving's, the Thursday
    to the Sunday; any other day's, the Saturday and Sunday around it."""
    if day.weekday() == 0:
        return day - dt.timedelta(days=2), day
    if day.weekday() == 3:
        return day, day + dt.timedelta(days=3)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7 - (7 if day.weekday() == 6 else 0))
    return saturday, saturday + dt.timedelta(days=1)


def extract_holidays(scan: Scan) -> None:
    for match in scan.finditer(_HOLIDAY):
        index = next(int(k[1:]) for k, v in match.groupdict().items() if k[0] == "h" and v)
        day_of = _HOLIDAYS[index][1]
        year = _year(scan, match, day_of)
        day = day_of(year) if 1900 <= year <= 2100 else None
        if day is None:
            continue
        scan.take(match.start(), match.end())
        if match["weekend"]:
            scan.add("event_date", Op.BETWEEN, _weekend(day))
        else:
            scan.add("event_date", Op.EQ, day)
