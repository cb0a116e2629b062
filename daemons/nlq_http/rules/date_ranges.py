"""Calendar days and ranges with two ends, each end a day, a month or a holiday.

"between March 1 and June 30, 2024", "from Christmas 2026 to the end of January 2027",
"from November to February 2025", "the weekend of Oct 12 2024", "on March 3rd, 2024".

Read before holidays and the other date phrases, so that each end is one reading and not
a holiday filter, a month and a year that contradict each other. A year said at one end
holds for the other ("March 1 to June 30 2024"), and an end that would come before the
start is in the year next to it ("from December 2024 to February": February 2025). A
range whose start is after its end, or an impossible day, is noted as unsure, not read.
"""

from __future__ import annotations

import datetime as dt
import re

from ..query import Op
from .dates import P_DROPPED, set_range
from .holidays import HOLIDAY_WORDS, holiday_day
from .scan import Scan
from .words import MONTH_NUMBERS

_YEAR = r"(?:19[5-9]\d|20\d\d)"
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_ORDINAL = r"(?:st|nd|rd|th)?"


def _end(p: str) -> str:
    """One end of a range; the group names start with ``p``."""
    return (
        rf"(?:(?P<{p}iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})|(?P<{p}us>\d{{1,2}}/\d{{1,2}}/\d{{4}})"
        rf"|(?P<{p}hol>{HOLIDAY_WORDS})(?:\s*,?\s*(?P<{p}hy>{_YEAR}))?"
        rf"|(?:the\s+)?(?:(?P<{p}edge>start|beginning|end|middle)\s+of\s+|(?P<{p}mid>mid)[\s-]?)?"
        rf"(?:(?P<{p}d1>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?)?(?P<{p}mon>{_MONTHS})\.?"
        rf"(?:\s+(?:the\s+)?(?P<{p}d2>\d{{1,2}}){_ORDINAL}\b)?(?:\s*,?\s*(?P<{p}y>{_YEAR}))?)"
    )


_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?:the\s+)?{_end('a')}\s+"
    rf"(?:and|to|through|thru|until|till|-)\s+(?:the\s+)?{_end('b')}\b"
)
_WEEKEND = re.compile(
    rf"\b(?:(?:on|over|during)\s+)?(?:the\s+)?weekend\s+of\s+(?:the\s+)?{_end('w')}\b"
)
# One day said in full ("on March 3rd, 2024", "12 October 2024"): a month alone is dates.py's
_ONE_DAY = re.compile(
    rf"\b(?:(?:on|of)\s+)?(?:(?P<od1>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<omon>{_MONTHS})\.?"
    rf"|(?P<omon2>{_MONTHS})\.?\s+(?:the\s+)?(?P<od2>\d{{1,2}}){_ORDINAL})"
    rf"\s*,?\s*(?P<oy>{_YEAR})\b"
)
_OTHER_YEAR = re.compile(rf"\b{_YEAR}\b")
_HOLIDAY = re.compile(rf"\b(?:{HOLIDAY_WORDS})\b")


class _Impossible(ValueError):
    pass


def _said_year(match: re.Match[str], p: str) -> int | None:
    year = match[f"{p}y"] or match[f"{p}hy"]
    if year:
        return int(year)
    if match[f"{p}iso"]:
        return int(match[f"{p}iso"][:4])
    if match[f"{p}us"]:
        return int(match[f"{p}us"][-4:])
    return None


def _span(match: re.Match[str], p: str, year: int) -> tuple[dt.date, dt.date]:
    """The first and last day one end names, in ``year`` when it says none."""
    try:
        if match[f"{p}iso"]:
            day = dt.date(*(int(x) for x in match[f"{p}iso"].split("-")))
            return day, day
        if match[f"{p}us"]:
            month, mday, y = (int(x) for x in match[f"{p}us"].split("/"))
            day = dt.date(y, month, mday)
            return day, day
        if match[f"{p}hol"]:
            day = holiday_day(match[f"{p}hol"], year)
            if day is None:
                raise _Impossible(match[f"{p}hol"])
            return day, day
        month = MONTH_NUMBERS[match[f"{p}mon"]]
        mday = match[f"{p}d1"] or match[f"{p}d2"]
        if mday:
            day = dt.date(year, month, int(mday))
            return day, day
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        edge = match[f"{p}edge"] or match[f"{p}mid"]
        if edge in ("start", "beginning"):
            return first, first
        if edge == "end":
            return last, last
        if edge in ("middle", "mid"):
            middle = first.replace(day=15)
            return middle, middle
        return first, last
    except ValueError as exc:  # day 31 of a 30-day month, a holiday with no date
        raise _Impossible(str(exc)) from None


def _year_elsewhere(scan: Scan, match: re.Match[str]) -> int:
    """A range with no year of its own takes the one year said elsewhere, else this year."""
    said = set(_OTHER_YEAR.findall(scan.work[: match.start()] + scan.work[match.end() :]))
    return int(said.pop()) if len(said) == 1 else scan.today.year


def _read_range(scan: Scan, match: re.Match[str]) -> None:
    year_a, year_b = _said_year(match, "a"), _said_year(match, "b")
    if year_a is None and year_b is None:
        year_a = year_b = _year_elsewhere(scan, match)
    start, _ = _span(match, "a", year_a if year_a is not None else year_b)  # type: ignore[arg-type]
    _, end = _span(match, "b", year_b if year_b is not None else year_a)  # type: ignore[arg-type]
    if year_a is None and start > end:  # "from November to February 2025": November 2024
        start, _ = _span(match, "a", year_b - 1)  # type: ignore[operator]
    elif year_b is None and end < start:  # "from December 2024 to February": February 2025
        _, end = _span(match, "b", year_a + 1)  # type: ignore[operator]
    if start > end:
        scan.note("a date range that ends before it starts", P_DROPPED)
        return
    set_range(scan, start, end)


def _weekend_of(day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The Saturday and Sunday of a day said as a weekend's; a Friday's or Monday's
    weekend is the one next to it. Mid-week has no weekend of its own."""
    weekday = day.weekday()
    if weekday in (5, 6):
        saturday = day - dt.timedelta(days=weekday - 5)
    elif weekday == 4:
        saturday = day + dt.timedelta(days=1)
    elif weekday == 0:
        saturday = day - dt.timedelta(days=2)
    else:
        return None
    return saturday, saturday + dt.timedelta(days=1)


# "held on a Saturday", "Sunday races": the day of the week ("this Saturday" is a date, left)
_WEEKDAY = re.compile(
    r"\b(?<!this\s)(?<!next\s)(?<!last\s)(?:(?:on|held\s+on)\s+)?(?:an?\s+)?"
    r"(?P<d>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b"
)


def extract_date_ranges(scan: Scan) -> None:
    for match in scan.finditer(_RANGE):
        scan.take(match.start(), match.end())
        try:
            _read_range(scan, match)
        except _Impossible:
            scan.note("ignored an impossible date", P_DROPPED)
    for match in scan.finditer(_WEEKEND):
        scan.take(match.start(), match.end())
        year = _said_year(match, "w")
        try:
            first, last = _span(
                match, "w", year if year is not None else _year_elsewhere(scan, match)
            )
        except _Impossible:
            scan.note("ignored an impossible date", P_DROPPED)
            continue
        weekend = _weekend_of(first) if first == last else None
        if weekend is None:
            scan.note("a weekend of a day that is not next to one", P_DROPPED)
            continue
        set_range(scan, *weekend)
    for match in scan.takeall(_WEEKDAY):
        scan.add("weekday", Op.EQ, match["d"].capitalize())
    for match in scan.finditer(_ONE_DAY):
        if _HOLIDAY.search(match[0]):
            continue  # "the 4th of July 2023": the holiday's, read as holidays are
        month = MONTH_NUMBERS[match["omon"] or match["omon2"]]
        scan.take(match.start(), match.end())
        try:
            day = dt.date(int(match["oy"]), month, int(match["od1"] or match["od2"]))
        except ValueError:
            scan.note("ignored an impossible date", P_DROPPED)
            continue
        set_range(scan, day, day)
