"""Dates: years, ranges, months, seasons and relative periods, resolved against ``today``.

* "between 2020 and 2023" -> years 2020-2023 (editions, so grouping by year works); a range
  longer than 20 years -> a date range.
* "last year" / "this year" -> that year; "the last year", "the past 6 months" -> a rolling
  window ending today.
* "since May" -> 1 May of this year, or of last year when that is after today.
* "in May" -> the month of May, any year unless one is said.
* "this fall", "spring 2025", "last winter" -> that meteorological season.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from .scan import Scan
from .words import MONTH_NUMBERS

MAX_YEARS = 20
P_DROPPED = 0.5  # a value dropped as impossible: the rules are unsure what was meant

_YEAR = r"(?:19[5-9]\d|20\d\d)"
_MONTH = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})"
_FROM_OPS = r"since|after|from|starting(?:\s+(?:in|from))?"
_TO_OPS = r"before|until|till|through|thru|up\s+to|by"

_DATE_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?P<a>{_DATE})\s+(?:and|to|through|until|-)\s+(?P<b>{_DATE})\b"
)
_DATE_ONE = re.compile(rf"\b(?:(?P<op>{_FROM_OPS}|{_TO_OPS}|on)\s+)?(?P<d>{_DATE})\b")
_YEAR_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?:the\s+)?(?:years?\s+)?(?P<a>{_YEAR})\s+"
    rf"(?:and|to|through|thru|until|till|-)\s+(?P<b>{_YEAR})\b"
    rf"|\b(?P<c>{_YEAR})\s*(?:-|to|through|thru|until|till)\s*(?P<d>{_YEAR})\b"
)
_MONTH_BOUND = re.compile(
    rf"\b(?P<op>{_FROM_OPS}|{_TO_OPS})\s+(?:(?:the\s+)?(?:start|beginning|end)\s+of\s+)?"
    rf"{_MONTH}(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<y>{_YEAR}))?\b"
)
_YEAR_BOUND = re.compile(
    rf"\b(?P<op>{_FROM_OPS}|{_TO_OPS})\s+(?:(?:the\s+)?(?:start|beginning|end)\s+of\s+)?"
    rf"(?P<y>{_YEAR})\b"
)
_RELATIVE_BOUND = re.compile(
    rf"\b(?P<op>{_FROM_OPS}|{_TO_OPS})\s+(?P<rel>last|this|next)\s+(?P<unit>year|month)\b"
)
_ROLLING = re.compile(
    r"\b(?:(?:in|during|over|within|for)\s+)?(?:the\s+)?(?P<dir>last|past|previous|next|coming)"
    r"\s+(?P<n>\d{1,3})\s+(?P<unit>day|week|month|year)s?\b"
    r"|\b(?:(?:in|during|over|within|for)\s+)?(?:the\s+(?P<dir1>last|past|previous|next|coming)"
    r"|(?P<dir2>past))\s+(?P<unit1>day|week|month|year)\b"
)
_CALENDAR = re.compile(
    r"\b(?P<rel>last|this|next|previous|current)\s+(?P<unit>year|month|week|weekend)\b"
)
_AGO = re.compile(r"\b(?P<n>\d{1,2}|a)\s+(?P<unit>year|month)s?\s+ago\b")
_DAY_WORD = re.compile(r"\b(?P<w>today|tonight|yesterday|tomorrow)\b")
_YTD = re.compile(r"\b(?:year\s+to\s+date|ytd|so\s+far\s+this\s+year)\b")
_MONTH_IN = re.compile(
    rf"\b(?:(?P<pre>in|during|for|of)\s+)?(?:the\s+month\s+of\s+)?{_MONTH}"
    rf"(?:,?\s+(?P<y>{_YEAR}))?\b"
)
_PLAIN_YEAR = re.compile(rf"\b(?P<y>{_YEAR})\b")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _parse_date(text: str) -> dt.date | None:
    try:
        if "-" in text:
            year, month, day = (int(p) for p in text.split("-"))
        else:
            month, day, year = (int(p) for p in text.split("/"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def set_range(scan: Scan, start: dt.date | None, end: dt.date | None) -> None:
    if start is not None:
        scan.set("date_from", start, start.isoformat())
    if end is not None:
        scan.set("date_to", end, end.isoformat())


def _add_years(scan: Scan, years: list[int]) -> None:
    for year in years:
        if len(scan.years) >= MAX_YEARS and year not in scan.years:
            scan.note(f"kept the first {MAX_YEARS} years", P_DROPPED)
            return
        scan.years.add(year)


def _period(today: dt.date, unit: str, n: int, *, forward: bool) -> tuple[dt.date, dt.date]:
    if unit == "day":
        delta = dt.timedelta(days=n)
        return (today, today + delta) if forward else (today - delta, today)
    if unit == "week":
        delta = dt.timedelta(weeks=n)
        return (today, today + delta) if forward else (today - delta, today)
    months = n * (12 if unit == "year" else 1)
    return (today, _add_months(today, months)) if forward else (_add_months(today, -months), today)


def _calendar(today: dt.date, rel: str, unit: str) -> tuple[dt.date, dt.date]:
    shift = {"last": -1, "previous": -1, "this": 0, "current": 0, "next": 1}[rel]
    if unit == "month":
        first = _add_months(today.replace(day=1), shift)
        return first, _month_end(first.year, first.month)
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=shift)
    if unit == "week":
        return monday, monday + dt.timedelta(days=6)
    saturday = monday + dt.timedelta(days=5)  # weekend
    return saturday, saturday + dt.timedelta(days=1)


def _month_number(text: str) -> int:
    return MONTH_NUMBERS[text.rstrip(".")]


def _bound(scan: Scan, op: str, first: dt.date, last: dt.date) -> None:
    """One side of a range from a period [first, last] and the word before it."""
    op = op.split()[0]
    if op in ("since", "from", "starting"):
        set_range(scan, first, None)
    elif op == "after":
        set_range(scan, last + dt.timedelta(days=1), None)
    elif op == "before":
        set_range(scan, None, first - dt.timedelta(days=1))
    elif op == "on":
        set_range(scan, first, last)
    else:  # until, till, through, thru, up to, by
        set_range(scan, None, last)


def _date_range(scan: Scan, match: re.Match[str]) -> bool:
    set_range(scan, _parse_date(match["a"]), _parse_date(match["b"]))
    return True


def _one_date(scan: Scan, match: re.Match[str]) -> bool:
    day = _parse_date(match["d"])
    if day is None:
        scan.note("ignored an impossible date", P_DROPPED)
    else:
        _bound(scan, match["op"] or "on", day, day)
    return True


def _year_range(scan: Scan, match: re.Match[str]) -> bool:
    a, b = int(match["a"] or match["c"]), int(match["b"] or match["d"])
    a, b = min(a, b), max(a, b)
    if b - a < MAX_YEARS:
        _add_years(scan, list(range(a, b + 1)))
    else:
        set_range(scan, dt.date(a, 1, 1), dt.date(b, 12, 31))
    return True


def _month_bound(scan: Scan, match: re.Match[str]) -> bool:
    today = scan.today
    year = int(match["y"]) if match["y"] else today.year
    try:
        first = dt.date(year, _month_number(match["mon"]), int(match["day"] or 1))
    except ValueError:
        scan.note("ignored an impossible date", P_DROPPED)
        return True
    if not match["y"] and first > today:  # "since December" in November: last December
        first = first.replace(year=year - 1)
    last = first if match["day"] else _month_end(first.year, first.month)
    _bound(scan, match["op"], first, last)
    return True


_ONWARDS = re.compile(r"\s*(?:on(?:wards?)?|forwards?|and\s+(?:later|after|since)|\+)\b")


def _year_bound(scan: Scan, match: re.Match[str]) -> bool:
    year = int(match["y"])
    if match["op"] == "from" and not _ONWARDS.match(scan.low, match.end()):
        _add_years(scan, [year])  # "results from 2024": that year's, not since it
        return True
    _bound(scan, match["op"], dt.date(year, 1, 1), dt.date(year, 12, 31))
    return True


def _relative_bound(scan: Scan, match: re.Match[str]) -> bool:
    if match["unit"] == "year":
        year = scan.today.year + {"last": -1, "this": 0, "next": 1}[match["rel"]]
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:
        first, last = _calendar(scan.today, match["rel"], "month")
    _bound(scan, match["op"], first, last)
    return True


def _rolling(scan: Scan, match: re.Match[str]) -> bool:
    direction = match["dir"] or match["dir1"] or match["dir2"]
    unit = match["unit"] or match["unit1"]
    n = int(match["n"]) if match["n"] else 1
    forward = direction in ("next", "coming")
    set_range(scan, *_period(scan.today, unit, n, forward=forward))
    return True


def _calendar_period(scan: Scan, match: re.Match[str]) -> bool:
    rel, unit = match["rel"], match["unit"]
    if unit == "year":
        shift = {"last": -1, "previous": -1, "this": 0, "current": 0, "next": 1}[rel]
        _add_years(scan, [scan.today.year + shift])
    else:
        set_range(scan, *_calendar(scan.today, rel, unit))
    return True


def _ago(scan: Scan, match: re.Match[str]) -> bool:
    n = 1 if match["n"] == "a" else int(match["n"])
    if match["unit"] == "year":
        _add_years(scan, [scan.today.year - n])
    else:
        first = _add_months(scan.today.replace(day=1), -n)
        set_range(scan, first, _month_end(first.year, first.month))
    return True


def _day_word(scan: Scan, match: re.Match[str]) -> bool:
    shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[match["w"]]
    day = scan.today + dt.timedelta(days=shift)
    set_range(scan, day, day)
    return True


def _year_to_date(scan: Scan, match: re.Match[str]) -> bool:
    set_range(scan, dt.date(scan.today.year, 1, 1), scan.today)
    return True


def _month_in(scan: Scan, match: re.Match[str]) -> bool:
    if not (match["pre"] or match["y"]):
        return False  # "may" is mostly a verb: a month needs "in May" or "May 2024"
    year = int(match["y"]) if match["y"] else scan.today.year
    month = _month_number(match["mon"])
    set_range(scan, dt.date(year, month, 1), _month_end(year, month))
    return True


_SEASONS = {
    "spring": (3, 5),
    "summer": (6, 8),
    "fall": (9, 11),
    "autumn": (9, 11),
    "winter": (12, 2),
}
_SEASON = re.compile(
    r"\b(?:(?:in|during|for|over)\s+)?(?:the\s+)?(?:(?P<rel>last|this|next|coming|past|previous)\s+)?"
    r"(?P<season>spring|summer|fall|autumn|winter)(?:\s+(?:season|of))?(?:\s+(?P<y>(?:19|20)\d\d))?\b"
)


_PART_OF_YEAR = re.compile(
    rf"\b(?:(?:in|during|for|over)\s+)?(?:the\s+)?(?:q(?P<q>[1-4])|(?P<qw>first|second|third"
    rf"|fourth|1st|2nd|3rd|4th|last)\s+(?P<part>quarter|half))(?:\s+(?:of\s+)?(?P<y>{_YEAR})"
    # a half without its year is of a race ("the second half took them"), not of a year
    r"|(?<=quarter)|(?<=half)(?=\s+of\s+(?:the|this)\s+year))\b"
)
_PART_NUMBER = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
                "4th": 4}  # fmt: skip


def _part_of_year(scan: Scan, match: re.Match[str]) -> bool:
    """ "Q3 2025", "the first half of 2025", "the last quarter": months of a year."""
    size = 6 if match["part"] == "half" else 3
    if match["qw"] == "last" and not match["y"]:  # "last quarter": the one before this one
        this = (scan.today.month - 1) // size
        year = scan.today.year - (1 if this == 0 else 0)
        first_month = ((this - 1) % (12 // size)) * size + 1
        set_range(scan, dt.date(year, first_month, 1), _month_end(year, first_month + size - 1))
        return True
    if match["qw"] == "last":
        n = 12 // size
    else:
        n = int(match["q"]) if match["q"] else _PART_NUMBER[match["qw"]]
    if n * size > 12:
        return False  # "the third half"
    year = int(match["y"]) if match["y"] else scan.today.year
    first_month = (n - 1) * size + 1
    set_range(scan, dt.date(year, first_month, 1), _month_end(year, first_month + size - 1))
    return True


def _season(scan: Scan, match: re.Match[str]) -> bool:
    """Meteorological seasons; winter runs December to February and is named by its January."""
    first, last = _SEASONS[match["season"]]
    today, rel = scan.today, match["rel"]
    if match["y"]:
        year = int(match["y"])
    else:
        # The season's year as of today: this one, the next ("next"), the previous ("last").
        year = today.year + (1 if first == 12 and today.month == 12 else 0)
        if rel in ("next", "coming"):
            year += 1
        elif rel in ("last", "past", "previous"):
            year -= 1
    start = dt.date(year - 1 if first == 12 else year, first, 1)
    set_range(scan, start, _month_end(year, last))
    return True


def _plain_year(scan: Scan, match: re.Match[str]) -> bool:
    _add_years(scan, [int(match["y"])])
    return True


_DateRule = Callable[[Scan, re.Match[str]], bool]  # True: the phrase is taken
# From the most specific phrase to the least: "between 2020-01-01 and ..." before "2020".
_DATE_RULES: tuple[tuple[re.Pattern[str], _DateRule], ...] = (
    (_DATE_RANGE, _date_range),
    (_DATE_ONE, _one_date),
    (_YEAR_RANGE, _year_range),
    (_MONTH_BOUND, _month_bound),
    (_YEAR_BOUND, _year_bound),
    (_RELATIVE_BOUND, _relative_bound),
    (_ROLLING, _rolling),
    (_CALENDAR, _calendar_period),
    (_AGO, _ago),
    (_DAY_WORD, _day_word),
    (_YTD, _year_to_date),
    (_MONTH_IN, _month_in),
    (_SEASON, _season),
    (_PART_OF_YEAR, _part_of_year),
    (_PLAIN_YEAR, _plain_year),
)


def extract_dates(scan: Scan) -> None:
    for pattern, rule in _DATE_RULES:
        for match in scan.finditer(pattern):
            if rule(scan, match):
                scan.take(match.start(), match.end())
