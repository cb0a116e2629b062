"""Amounts: distances, chip-time thresholds and fees, each with its comparison said exactly.

One rule for every amount: "over", "more than", "above" are strict (gt); "at least",
"or more" inclusive (ge); "under", "less than", "below", "sub" strict (lt); "at most",
"up to", "or less", "within" inclusive (le); "between A and B" inclusive at both ends.
"""

from __future__ import annotations

import datetime as dt
import re

from ..query import HALF_MARATHON_KM, MARATHON_KM, Op
from .durations import AMOUNT_OF_TIME, seconds_of
from .scan import Scan
from .words import lower, normalise

ULTRA_KM = 50.0
KM_PER_MILE = 1.609344
P_BARE_HOURS = 0.85  # "under 4" read as hours
P_DROPPED = 0.5

# Comparison words, strongest phrase first (alternation order matters: "no more than" before
# "more than"). Shared by times, fees and ages.
LE_WORDS = r"at\s+most|no\s+more\s+than|no\s+slower\s+than|not\s+more\s+than|up\s+to|within|<="
LT_WORDS = (
    r"under|sub|below|less\s+than|fewer\s+than|faster\s+than|quicker\s+than|better\s+than"
    r"|broken|broke|break(?:s|ing)?|cracked|crack(?:s|ing)?|beat(?:s|ing|en)?"
    r"|cheaper\s+than|lower\s+than|younger\s+than|<"
)
GE_WORDS = r"at\s+least|no\s+less\s+than|no\s+faster\s+than|not\s+less\s+than|minimum\s+of|>="
GT_WORDS = (
    r"over|above|more\s+than|greater\s+than|slower\s+than|longer\s+than|higher\s+than"
    r"|beyond|exceeding|more\s+expensive\s+than|older\s+than|>"
)
CMP = rf"(?P<le>{LE_WORDS})|(?P<lt>{LT_WORDS})|(?P<ge>{GE_WORDS})|(?P<gt>{GT_WORDS})"
# "3 hours or less", "$50 or more", "60 and over"
OR_AFTER = (
    r"(?:or|and)\s+(?:(?P<ole>less|under|faster|quicker|better|below|fewer|younger|cheaper)"
    r"|(?P<oge>more|over|slower|longer|above|older|up|higher))\b"
)


def op_of(match: re.Match[str]) -> Op:
    for group, op in (("le", Op.LE), ("lt", Op.LT), ("ge", Op.GE), ("gt", Op.GT)):
        if match.groupdict().get(group):
            return op
    if match.groupdict().get("ole"):
        return Op.LE
    return Op.GE


# -- distance ---------------------------------------------------------------------------------
DISTANCES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "half",
        re.compile(
            r"\bhalf[\s-]*marathon(?:s|ers?)?\b|(?<!\ba )\bhalf\b(?![\s-]+(?:an?\s+)?hours?\b)"
        ),
    ),
    ("ultra", re.compile(r"\bultra(?:[\s-]?marathon)?s?\b")),
    ("marathon", re.compile(r"\b(?:full[\s-]+)?marathon(?:s|ers?)?\b")),
    (
        "km",
        re.compile(r"\b(?P<n>\d{1,3}(?:\.\d{1,3})?)\s?-?\s?(?:ks?|km|kms|kilomet(?:er|re)s?)\b"),
    ),
    ("mile", re.compile(r"\b(?P<n>\d{1,3}(?:\.\d{1,2})?)\s?-?\s?(?:miles?|milers?|mi)\b")),
)
_FIXED_KM = {"half": HALF_MARATHON_KM, "ultra": ULTRA_KM, "marathon": MARATHON_KM}


def _km(kind: str, match: re.Match[str]) -> float:
    if kind in _FIXED_KM:
        return _FIXED_KM[kind]
    value = float(match["n"])
    return value if kind == "km" else round(value * KM_PER_MILE, 3)


def distance_in(text: str) -> float | None:
    """The distance a name implies ("Shamrock Half Marathon" -> 21.0975), if any."""
    low = lower(normalise(text)[0])
    for kind, pattern in DISTANCES:
        match = pattern.search(low)
        if match is not None:
            return _km(kind, match)
    return None


_DISTANCE_CMP = re.compile(
    r"\b(?:(?P<gt>longer\s+than|more\s+than|over|above|greater\s+than|further\s+than)"
    r"|(?P<ge>at\s+least)|(?P<lt>shorter\s+than|less\s+than|under|below)|(?P<le>up\s+to"
    r"|at\s+most))\s+(?:(?P<n>\d{1,3}(?:\.\d{1,3})?)\s?(?P<unit>km|k|kilomet(?:er|re)s?|miles?|mi)"
    r"|(?:a\s+)?(?P<fixed>half[\s-]marathon|marathon))\b"
)


def _distance_thresholds(scan: Scan) -> None:
    """ "races longer than 20 km", "under 10 miles": a distance compared, not one distance."""
    for match in scan.finditer(_DISTANCE_CMP):
        if match["fixed"]:
            km = HALF_MARATHON_KM if match["fixed"].startswith("half") else MARATHON_KM
        else:
            value = float(match["n"])
            km = value if match["unit"].startswith("k") else round(value * KM_PER_MILE, 3)
        scan.take(match.start(), match.end())
        if 0 < km <= 500:
            scan.add("distance_km", op_of(match), km)
            scan.flags.add("distance_compared")
        else:
            scan.note("ignored a distance outside 0-500 km", P_DROPPED)


def extract_distance(scan: Scan) -> None:
    _distance_thresholds(scan)
    found: list[tuple[int, float]] = []
    for kind, pattern in DISTANCES:
        for match in scan.finditer(pattern):
            km = _km(kind, match)
            scan.take(match.start(), match.end())
            scan.distance_spans.append((match.start(), match.end()))
            if 0 < km <= 500:
                found.append((match.start(), km))
            else:
                scan.note("ignored a distance outside 0-500 km", P_DROPPED)
            if kind == "ultra":
                scan.note("read 'ultra' as 50 km")
    scan.distance_kms = sorted(found)
    kms = list(dict.fromkeys(km for _, km in sorted(found)))
    if kms:
        scan.slots["distances"] = kms


# -- chip-time thresholds ---------------------------------------------------------------------
_UNIT = r"(?:hours?|hrs?|h|minutes?|mins?)"
_CLOCK = r"\d{1,2}:[0-5]\d(?::[0-5]\d)?"
_TIME = re.compile(
    rf"(?<![\w$])(?:{CMP})\s?-?\s?"
    rf"(?:(?P<clock>{_CLOCK})"
    r"|(?P<n>\d{1,3}(?:\.\d{1,2})?)(?P<half>\s+and\s+a\s+half)?"
    rf"(?:\s?(?P<unit>{_UNIT})(?:\s+(?:and\s+)?(?P<extra>\d{{1,2}})\s?(?:minutes?|mins?))?)?)"
    r"(?![\w:])"
)
_TIME_BETWEEN = re.compile(
    rf"\bbetween\s+(?P<a>{_CLOCK}|\d{{1,2}}(?:\.\d{{1,2}})?)\s?(?P<ua>{_UNIT})?\s+and\s+"
    rf"(?P<b>{_CLOCK}|\d{{1,2}}(?:\.\d{{1,2}})?)\s?(?P<ub>{_UNIT})?(?![\w:])"
)
# "3:00-3:30", "from 3:00 to 3:30": two clock times make a range without "between"
_TIME_SPAN = re.compile(
    rf"(?<![\w:$.])(?:from\s+)?(?P<a>{_CLOCK})\s*(?:-|\u2013|to)\s*(?P<b>{_CLOCK})(?![\w:])"
)
_TIME_OR = re.compile(
    rf"\b(?:(?P<clock>{_CLOCK})|(?P<n>\d{{1,3}}(?:\.\d{{1,2}})?)\s?(?P<unit>{_UNIT}))\s+{OR_AFTER}"
)


def clock(text: str, distance: float | None) -> dt.timedelta:
    """H:MM is hours:minutes below 10 (or over an ultra), otherwise MM:SS ("sub-20:00 5K")."""
    parts = [int(p) for p in text.split(":")]
    if len(parts) == 3:
        return dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
    first, second = parts
    if first < 10 or (distance is not None and distance > MARATHON_KM + 1):
        return dt.timedelta(hours=first, minutes=second)
    return dt.timedelta(minutes=first, seconds=second)


def _amount_of_time(number: str, unit: str | None) -> dt.timedelta:
    value = float(number)
    if unit and unit.startswith("m"):
        return dt.timedelta(minutes=value)
    return dt.timedelta(hours=value)


# "within 10 minutes of the winner", "less than an hour behind the winner's time": a gap to
# the race's fastest finish, not a finish time of ten minutes. Read before the times.
_GAP_TO_WINNER = re.compile(
    r"\b(?:within|less\s+than|under|no\s+more\s+than|at\s+most)\s+"
    rf"{AMOUNT_OF_TIME}\s+(?:of|behind|after|off)\s+(?:the\s+)?(?:(?:race|overall)\s+)?"
    r"(?:winner(?:'s)?(?:\s+time)?|winning\s+time|first\s+place|the\s+win)\b"
)


def extract_gap_to_winner(scan: Scan) -> None:
    for match in scan.takeall(_GAP_TO_WINNER):
        seconds = seconds_of(match)
        if 0 < seconds <= 86_400:
            scan.add("within_of_winner", Op.EQ, seconds)
        else:
            scan.note("ignored a gap to the winner outside a day", P_DROPPED)


def _time_ok(scan: Scan, value: dt.timedelta) -> bool:
    if dt.timedelta(0) < value < dt.timedelta(days=2):
        return True
    scan.note("ignored a time threshold outside 0-48 hours", P_DROPPED)
    return False


_PER = r"\s*(?:min(?:ute)?s?\s*)?(?:per|/|a)\s*(?P<unit>miles?|mi|km|kilomet(?:er|re)s?)\b"
_PACE = re.compile(
    rf"(?<![\w$])(?:{CMP})\s?-?\s?(?:(?P<clock>\d{{1,2}}:[0-5]\d)|(?P<n>\d{{1,2}}(?:\.\d{{1,2}})?))"
    rf"(?:{_PER}(?:\s+pace)?|\s*(?:min(?:ute)?s?\s*)?(?:(?:/|per)\s*mile\s+)?pace\b)"
)


def _extract_paces(scan: Scan) -> None:
    """ "faster than 8 minutes per mile", "sub-5:00/km", "under 9:00 pace" (a mile's)."""
    for match in scan.finditer(_PACE):
        if match["clock"]:
            minutes, seconds = (int(p) for p in match["clock"].split(":"))
            value = dt.timedelta(minutes=minutes, seconds=seconds)
        else:
            value = dt.timedelta(minutes=float(match["n"]))
        scan.take(match.start(), match.end())
        per_km = (match["unit"] or "mile").startswith("k")
        if dt.timedelta(minutes=1) <= value <= dt.timedelta(minutes=40):
            scan.add("pace_per_km" if per_km else "pace_per_mile", op_of(match), value)
            scan.flags.add("pace")
            if per_km:
                scan.flags.add("per_km")
        else:
            scan.note("ignored a pace outside 1-40 minutes", P_DROPPED)


def extract_times(scan: Scan) -> None:
    """Chip time: "under 3 hours", "sub-3:30", "between 3 and 4 hours", "4:00 or less"."""
    _extract_paces(scan)
    distances = scan.slots.get("distances") or [None]
    distance = distances[0]
    for match in scan.finditer(_TIME_BETWEEN):
        units = match["ua"] or match["ub"]
        if not units and ":" not in match["a"] + match["b"]:
            continue  # "between 40 and 49" is an age range
        low, high = sorted(
            clock(v, distance) if ":" in v else _amount_of_time(v, units)
            for v in (match["a"], match["b"])
        )
        scan.take(match.start(), match.end())
        if _time_ok(scan, low) and _time_ok(scan, high):
            scan.add("chip_time", Op.BETWEEN, (low, high))
    for match in scan.finditer(_TIME_SPAN):
        low, high = sorted(clock(v, distance) for v in (match["a"], match["b"]))
        scan.take(match.start(), match.end())
        if _time_ok(scan, low) and _time_ok(scan, high):
            scan.add("chip_time", Op.BETWEEN, (low, high))
    for match in scan.finditer(_TIME_OR):
        if match["clock"]:
            value = clock(match["clock"], distance)
        else:
            value = _amount_of_time(match["n"], match["unit"])
        scan.take(match.start(), match.end())
        if _time_ok(scan, value):
            scan.add("chip_time", op_of(match), value)
    for match in scan.finditer(_TIME):
        op = op_of(match)
        said = match[0].split()[0]
        if match["clock"]:
            value = clock(match["clock"], distance)
        elif match["unit"]:
            value = _amount_of_time(match["n"], match["unit"])
            if match["half"]:
                value += _amount_of_time("0.5", match["unit"])
            if match["extra"]:
                value += dt.timedelta(minutes=int(match["extra"]))
        else:
            number = float(match["n"])
            if said.startswith("sub"):
                value = dt.timedelta(hours=number) if number < 10 else dt.timedelta(minutes=number)
            elif number < 10 and said in ("under", "over", "below", "above"):
                value = dt.timedelta(hours=number)
                scan.note(f"read '{said} {match['n']}' as hours", P_BARE_HOURS)
            else:
                continue  # "under 30" is an age, "more than 100" is not a time
            if match["half"]:
                value += dt.timedelta(minutes=30)
        scan.take(match.start(), match.end())
        if _time_ok(scan, value):
            scan.add("chip_time", op, value)


# -- fees -------------------------------------------------------------------------------------
_AMOUNT = r"\d{1,6}(?:\.\d{1,2})?"
_MONEY = rf"(?:\$\s?(?P<a>{_AMOUNT})(?P<k>k\b)?|\b(?P<b>{_AMOUNT})\s*(?:dollars?|usd|bucks)\b)"
_PAID = r"(?P<paid>\b(?:amount\s+|who\s+)?paid\s+)?"  # "paid over $100": what registrants paid
_FEE = re.compile(rf"{_PAID}(?:(?<![\w<>])(?:{CMP})\s*)?{_MONEY}(?:\s+{OR_AFTER})?")
_FEE_BETWEEN = re.compile(
    rf"{_PAID}\b(?:between|from)\s+\$?\s?(?P<x>{_AMOUNT})(?:\s*(?:dollars?|usd))?\s*(?:and|to|-)\s*"
    rf"\$?\s?(?P<y>{_AMOUNT})(?:\s*(?:dollars?|usd|bucks))?"
)
_FEE_BARE = re.compile(
    r"\b(?:fees?|costs?|prices?|entry|paid)\s+(?:(?:of|is|are|was|were|that\s+are|which\s+are)\s+)?"
    rf"(?:{CMP})\s+(?P<n>{_AMOUNT})\b"
)


def extract_fees(scan: Scan) -> None:
    """Money is a fee (or an amount paid): "$100", "50 dollars", "fees over 100"."""
    for match in scan.finditer(_FEE_BETWEEN):
        if "$" not in match[0] and not re.search(r"dollars?|usd|bucks", match[0]):
            continue
        low, high = sorted((float(match["x"]), float(match["y"])))
        scan.take(match.start(), match.end())
        scan.add("fee", Op.BETWEEN, (low, high))
        scan.flags.add("paid" if match["paid"] else "fee")
    for match in scan.finditer(_FEE):
        amount = float(match["a"] or match["b"]) * (1000 if match["k"] else 1)
        scan.take(match.start(), match.end())
        if amount > 100_000:
            scan.note("ignored a fee above 100,000", P_DROPPED)
            continue
        has_cmp = any(match.groupdict().get(g) for g in ("le", "lt", "ge", "gt", "ole", "oge"))
        scan.add("fee", op_of(match) if has_cmp else Op.EQ, amount)
        scan.flags.add("paid" if match["paid"] else "fee")
    for match in scan.finditer(_FEE_BARE):
        scan.take(match.start(), match.end())
        scan.add("fee", op_of(match), float(match["n"]))
        scan.flags.add("fee")
