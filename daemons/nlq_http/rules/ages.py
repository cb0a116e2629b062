"""Ages and sex: "over 60" (61+), "60 and over", "40-49", "in their 40s", "masters", "F40-44".

Ages are whole years, so strict bounds become inclusive ones ("over 60" -> at least 61).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..query import Op
from .amounts import CMP
from .scan import Scan
from .words import UNSEEN

P_DROPPED = 0.5

_AGE_CODE = re.compile(
    r"\b(?P<sex>[mfx])\s?(?P<a>\d{2})\s?-\s?(?P<b>\d{2,3})\b"
    r"(?:\s+(?:division|age[\s-]?group|category|bracket|class)\b)?"  # "the M 45-49 division"
)
_YEARS_OLD = r"(?:\s?-?\s?(?:years?|yrs?)(?:\s?-?\s?olds?)?|\s?yo|\s?y/o)?"
_AGE_RANGE = re.compile(
    r"\b(?:aged?|ages|age\s+(?:group|range|bracket)|between\s+(?:the\s+)?ages?(?:\s+of)?"
    r"|between)\s+(?P<a>\d{1,3})\s?(?:-|to|through|thru|and)\s?(?P<b>\d{1,3})"
    rf"{_YEARS_OLD}\b"
)
_AGE_EXACT = re.compile(r"\b(?:aged?\s+(?P<a>\d{1,3})|(?P<b>\d{1,3})\s?-?\s?years?\s?-?\s?olds?)\b")
_AGE_BARE_RANGE = re.compile(
    r"\b(?P<a>\d{1,3})\s?(?:-|to)\s?(?P<b>\d{1,3})\b"
    rf"{_YEARS_OLD}(?:\s?age\s+group)?"
)
_TEENS = re.compile(r"\bteen(?:ager)?s\b|\bteenaged?\b|\bin\s+(?:their|his|her)\s+teens\b")
_AGE_DECADE = re.compile(r"\b(?:in\s+(?:their|his|her|the)\s+)?(?P<d>[1-9])0'?s\b")
_AGE_PLUS = re.compile(
    r"\b(?:aged?\s+)?(?P<n>\d{1,3})\s?(?:years?\s+old\s+)?(?:\+|(?:and|or)\s+(?:over|older|up|above)\b"
    r"|plus\b)"
)
_AGE_MINUS = re.compile(
    r"\b(?:aged?\s+)?(?P<n>\d{1,3})\s?(?:years?\s+old\s+)?(?:and|or)\s+(?:under|younger|below)\b"
)
_THE_AGE_OF = r"\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?"
_AGE_OVER = re.compile(
    rf"\b(?:aged?\s+)?(?:over|above|older\s+than){_THE_AGE_OF}(?P<n>\d{{1,3}})\b{_YEARS_OLD}"
)
_AGE_UNDER = re.compile(
    rf"\b(?:aged?\s+)?(?:under|below|younger\s+than){_THE_AGE_OF}(?P<n>\d{{1,3}})\b{_YEARS_OLD}"
)
_AGE_AFTER_SEX = re.compile(
    r"\b(?:women|men|woman|man|males?|females?)\s+(?P<n>[1-9]\d)\b"
    r"(?![\s-]*(?:k\b|km|kilomet|mi\b|miles?|minutes?|mins?|hours?|hrs?|%|:|\.\d|-\s?\d|to\s+\d))"
)
_MASTERS = re.compile(r"\b(?:(?P<senior>senior\s+)?(?P<grand>grand\s?-?\s?))?masters?\b")


def _widen(scan: Scan, bounds: tuple[int | None, int | None]) -> None:
    """A second range said with "or" right after the first: ages are one range per query,
    so two that meet are joined (30-39 or 40-49 is 30-49), and two apart are refused
    rather than read as both at once, which no one can be."""
    low, high = bounds
    previous = next((f for f in reversed(scan.filters) if f.field == "age"), None)
    if previous is None or previous.op is not Op.BETWEEN or low is None or high is None:
        scan.refuse(422, "ask for one age range at a time", "unsupported")
        return
    first, last = previous.value  # type: ignore[misc]
    if low == last + 1 or high + 1 == first:
        scan.filters.remove(previous)
        scan.add("age", Op.BETWEEN, (min(first, low), max(last, high)))
    else:
        scan.refuse(422, "ask for one age range at a time (or two that meet)", "unsupported")


def _set_ages(scan: Scan, low: int | None, high: int | None) -> None:
    for value in (low, high):
        if value is not None and not 1 <= value <= 120:
            scan.note("ignored an age outside 1-120", P_DROPPED)
            return
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is not None and high is not None:
        scan.add("age", Op.EQ, low) if low == high else scan.add("age", Op.BETWEEN, (low, high))
    elif low is not None:
        scan.add("age", Op.GE, low)
    elif high is not None:
        scan.add("age", Op.LE, high)


def _bare_range(match: re.Match[str]) -> tuple[int | None, int | None] | None:
    low, high = int(match["a"]), int(match["b"])
    return (low, high) if 10 <= low < high <= 120 and high - low <= 60 else None


_AgeRule = Callable[[re.Match[str]], tuple[int | None, int | None] | None]
_AGE_CMP = re.compile(
    rf"\b(?:aged?|ages?)\s+(?:{CMP})\s+(?P<n>\d{{1,3}})\b{_YEARS_OLD}"
    rf"|\b(?:{CMP.replace('?P<', '?P<x')})\s+(?:the\s+)?age\s+(?:of\s+)?(?P<m>\d{{1,3}})\b"
    rf"|\b(?:{CMP.replace('?P<', '?P<y')})\s+(?P<o>\d{{1,3}})\s?-?\s?(?:years?|yrs?)\s?-?\s?old\b"
)


def _age_cmp(match: re.Match[str]) -> tuple[int | None, int | None]:
    groups = {k.lstrip("xy"): v for k, v in match.groupdict().items() if v and k not in "nmo"}
    n = int(match["n"] or match["m"] or match["o"])
    if "ge" in groups:
        return (n, None)
    if "gt" in groups:
        return (n + 1, None)
    if "le" in groups:
        return (None, n)
    return (None, n - 1)


# Most specific first: "over 40 years old" is a lower bound, not "40 years old".
_AGE_RULES: tuple[tuple[re.Pattern[str], _AgeRule], ...] = (
    (_AGE_RANGE, lambda m: (int(m["a"]), int(m["b"]))),
    (_AGE_CMP, _age_cmp),
    (_AGE_OVER, lambda m: (int(m["n"]) + 1, None)),
    (_AGE_UNDER, lambda m: (None, int(m["n"]) - 1)),
    (_AGE_PLUS, lambda m: (int(m["n"]), None)),
    (_AGE_MINUS, lambda m: (None, int(m["n"]))),
    (_AGE_EXACT, lambda m: (int(m["a"] or m["b"]), int(m["a"] or m["b"]))),
    (_AGE_BARE_RANGE, _bare_range),
    (_AGE_DECADE, lambda m: (int(m["d"]) * 10, int(m["d"]) * 10 + 9)),
    (_TEENS, lambda m: (13, 19)),  # "teenagers": thirteen to nineteen
    (_MASTERS, lambda m: (60 if m["senior"] else 50 if m["grand"] else 40, None)),
)


# "masters (40+) and open (under 40)", "over 40s vs under 40s": the two classes side by side
_MASTERS_SIDE = (
    r"(?:masters?|over[\s-]40s?|40\s*\+|40\s+and\s+(?:over|older|up))(?:\s*\(40\s*\+\))?"
)
_OPEN_SIDE = (
    r"(?:(?:the\s+)?open(?:\s+(?:runners|division|category))?|non[\s-]?masters|under[\s-]40s?"
    r"|younger\s+runners)(?:\s*\(under\s+40\)|\s*\(<\s*40\))?"
)
_VERSUS = (
    r"\s+(?:and|vs\.?|versus|against|or|(?P<verb>compared?|compares|did)?\s*(?:to|with))"
    r"\s+(?:the\s+)?"
)
_MASTERS_VS_OPEN = re.compile(
    rf"\b(?:{_MASTERS_SIDE}{_VERSUS}{_OPEN_SIDE}"
    rf"|{_OPEN_SIDE}{_VERSUS.replace('P<verb>', 'P<verb2>')}{_MASTERS_SIDE})(?!\w)"
)


def extract_ages(scan: Scan) -> None:
    """Ages after times and fees, so "over 60" left here can only be an age."""
    for match in scan.takeall(_MASTERS_VS_OPEN):
        scan.group_by.append("age_class")
        if match["verb"] or match["verb2"]:  # "how did the over 40s compare to the under 40s"
            scan.flags.add("compare")
    for match in scan.finditer(_AGE_CODE):  # "F40-44": a sex and an age group
        low, high = int(match["a"]), int(match["b"])
        if low < high:
            scan.take(match.start(), match.end())
            scan.sexes.append(match["sex"].upper())
            _set_ages(scan, low, high)
    for match in scan.finditer(_AGE_AFTER_SEX):  # "men 45", "a woman 50": that age
        scan.take(match.start("n"), match.end("n"))
        _set_ages(scan, int(match["n"]), int(match["n"]))
    for pattern, rule in _AGE_RULES:
        negated_until = said_until = -1
        for match in scan.finditer(pattern):
            bounds = rule(match)
            if bounds is None:
                continue
            negated = _AGE_NOT.search(scan.work, max(0, match.start() - 30), match.start())
            listed = negated_until >= 0 and _LISTED.fullmatch(
                scan.low, negated_until, match.start()
            )  # "not in their 20s or 30s": the negation goes on along the list
            if negated is not None or listed:  # "weren't in their 40s", "not over 60": the rest
                scan.take(negated.start() if negated else match.start(), match.end())
                _set_ages_outside(scan, *bounds)
                negated_until = match.end()
                continue
            scan.take(match.start(), match.end())
            if said_until >= 0 and _LISTED.fullmatch(scan.low, said_until, match.start()):
                _widen(scan, bounds)  # "in their 30s or 40s": one range, or no answer
            else:
                _set_ages(scan, *bounds)
            said_until = match.end()


_LISTED = re.compile(r"\s*(?:,\s*)?(?:or|and|nor|,)\s+(?:(?:in\s+)?their\s+)?")
_AGE_NOT = re.compile(
    r"\b(?:not|never|excluding|except(?:\s+for)?|other\s+than|outside(?:\s+of)?)\s+"
    r"(?:(?:those|anyone|runners|people)\s+)?(?:(?:who\s+(?:are|were|is|was)\s+)?(?:aged?\s+)?)$"
)


def _set_ages_outside(scan: Scan, low: int | None, high: int | None) -> None:
    if low is not None and high is not None:
        scan.add("age", Op.OUTSIDE, (low, high)) if low < high else scan.add("age", Op.NE, low)
    elif low is not None:
        scan.add("age", Op.LT, low)
    elif high is not None:
        scan.add("age", Op.GT, high)


# ---------------------------------------------------------------------------------------------
# 13. Sex
# ---------------------------------------------------------------------------------------------

_SEXES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("X", re.compile(r"\bnon[\s-]?binary\b|\benby\b")),
    (
        "F",
        re.compile(r"\b(?:women|woman|womens|females?|ladies|lady|girls?|gals?)\b"),
    ),
    ("M", re.compile(r"\b(?:men|man|mens|males?|guys?|boys?|gentlemen|gents)\b")),
)


_NOT_BEFORE = re.compile(r"(?:\b(?:not|non|except|excluding|other\s+than)[\s-]+(?:the\s+)?)$")


# "number of F finishers": the results' own letters, in capitals, before people.
_SEX_LETTER = re.compile(
    r"\b(?P<s>[FMX])\s+(?=(?:finishers?|runners?|entrants?|participants?|athletes?|registrants?"
    r"|starters?|winners?|dnfs?|dns|dqs?)\b)"
)


def extract_sex(scan: Scan) -> None:
    for match in _SEX_LETTER.finditer(scan.cased):
        if scan.state[match.start()] == UNSEEN:
            scan.take(match.start(), match.end("s"))
            scan.sexes.append(match["s"])
    for sex, pattern in _SEXES:
        for match in scan.finditer(pattern):
            negated = _NOT_BEFORE.search(scan.work, max(0, match.start() - 20), match.start())
            if negated is not None:  # "finishers who are not men"
                scan.take(negated.start(), match.end())
                scan.add("sex", Op.NE, sex)
                continue
            scan.take(match.start(), match.end())
            scan.sexes.append(sex)
