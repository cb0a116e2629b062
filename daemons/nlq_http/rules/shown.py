"""Columns asked for by name: "what division was Michael Wardian in", "cancelled events with
their timing partner", "what day of the week was the Boston Marathon", "what bib did he wear".

A field said this way is shown beside the rows; it is not a filter and not a grouping. The
entity must have it, or the rules do not answer: dropping it would leave a word of the
question unused while the answer looks complete.
"""

from __future__ import annotations

import re

from ..model import MODEL
from .scan import Scan

_FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("weekday", r"day\s+of\s+(?:the\s+)?week|week\s?days?"),
    ("division", r"divisions?|age\s+(?:groups?|categor(?:y|ies)|brackets?)|categor(?:y|ies)"),
    ("partner", r"(?:timing\s+)?partners?|timing\s+compan(?:y|ies)|timers?"),
    ("bib", r"bibs?(?:\s+numbers?)?|race\s+numbers?"),
    ("age", r"ages?"),
    ("sex", r"sex|genders?"),
    ("city", r"(?:home\s*)?(?:city|cities|towns?)|hometowns?"),
    ("state", r"(?:home\s+)?states?"),
    ("country", r"countr(?:y|ies)"),
)
_ALTS = "|".join(f"(?P<{name}>{words})" for name, words in _FIELD_WORDS)
# "with their partner", "along with the city and state", "plus each one's division"
_WITH = re.compile(
    r"\b(?:with|and|plus|including|along\s+with|together\s+with|showing)\s+"
    rf"(?:(?:their|its|his|her|the|each\s+one'?s|each)\s+)?(?:{_ALTS})\b"
    r"(?!\s*(?:\d|[<>=]|over|under|above|below|of|between|from|at|in|more|less|greater|older"
    r"|younger|is|was|=))"  # "with age over 60" is a filter, read by the ages
)
_MORE = re.compile(rf"\s*(?:,|and|&|plus)\s+(?:(?:their|its|his|her|the)\s+)?(?:{_ALTS})\b")
# "what division was X in", "which day of the week was Y on", "what bib did X wear"
_WHAT = re.compile(
    rf"\b(?:what|which)\s+(?:{_ALTS})\s+(?=(?:was|were|is|are|did|does|do|will)\b)"
    r"(?!(?:was|were|is|are)\s+(?:the\s+)?(?:most|fewest|biggest|largest|smallest)\b)"
)
_ASKED_ONLY_WITH_WHAT = frozenset({"weekday", "division", "bib", "partner"})
_WEAR = re.compile(r"\b(?:wear|wore|worn|wearing|have|had|get|got|assigned)\b(?=[^?.!]*$)")
# Each field as each entity calls it; the events' own place is event_city.
_AS_NAMED = {
    "city": ("city", "event_city"),
    "state": ("state", "event_state"),
    "country": ("country", "event_country"),
    "division": ("division", "age_min"),
}


def extract_shown(scan: Scan) -> None:
    for match in scan.finditer(_WHAT):
        name = _field(match)
        if name in _ASKED_ONLY_WITH_WHAT:
            scan.take(match.start(), match.end())
            _want(scan, name)
            if name == "weekday":
                scan.flags.add("when")  # "what day of the week was X": the event's date
            if name == "bib" and (wear := _WEAR.search(scan.work, match.end())) is not None:
                scan.take(wear.start(), wear.end())
    for match in scan.finditer(_WITH):
        name = _field(match)
        if name is None or name in scan.group_by:
            continue
        scan.take(match.start(), match.end())
        _want(scan, name)
        end = match.end()
        while (more := _MORE.match(scan.work, end)) is not None and (other := _field(more)):
            scan.take(more.start(), more.end())
            _want(scan, other)
            end = more.end()


def _field(match: re.Match[str]) -> str | None:
    return next((name for name, _ in _FIELD_WORDS if match[name]), None)


def _want(scan: Scan, name: str) -> None:
    wanted = scan.slots.setdefault("shown", [])
    if name not in wanted:
        wanted.append(name)


def shown_fields(scan: Scan, entity: str) -> list[str]:
    """The entity's own names of the fields asked for; raises ``LookupError`` naming one it
    does not have."""
    dims = MODEL[entity].dimensions
    out: list[str] = []
    for name in scan.slots.get("shown", ()):
        found = next((d for d in _AS_NAMED.get(name, (name,)) if d in dims), None)
        if found is None or not dims[found].shown:
            raise LookupError(f"{MODEL[entity].label} have no {name.replace('_', ' ')} to show")
        out.append(found)
    return out
