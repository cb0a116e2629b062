"""First places and latest editions: "who won", "Boston 2024 winners", "wardian's wins",
"the most recent Boston Marathon"."""

from __future__ import annotations

import re

from ..query import Filter, MeasureRef
from .filters import Unanswerable
from .scan import Scan

_YES_NO = re.compile(r"\s*(?:did|does|do|has|have|had|is|was|were)\b")


def latest_edition(scan: Scan) -> None:
    """ "how many finished the most recent Boston Marathon": that event's latest year held."""
    latest = dict(scan.vocab.latest_editions)
    years = {latest.get(name) for name in scan.events}
    if len(scan.events) != 1 or None in years or scan.years:
        raise Unanswerable("say which event and year (e.g. Boston Marathon 2025)")
    year = years.pop()
    assert year is not None
    for slot in ("order", "limit", "past"):
        scan.slots.pop(slot, None)
    scan.years.add(year)
    scan.note(f"the latest {scan.events[0]} held: {year}")


def winners_wanted(
    scan: Scan,
    entity: str,
    measures: list[MeasureRef],
    group_by: list[str],
    per_group: int | None,
    filters: list[Filter],
) -> bool:
    """ "who won the Turkey Trot", "Boston 2024 winners": first places, not one fastest row."""
    if "winner" not in scan.flags or entity != "finishers" or measures or group_by:
        return False
    if per_group is not None or scan.slots.get("person") is not None:
        return False
    if scan.slots.get("rank") != ("chip_time", False) or scan.slots.get("offset"):
        return False
    plural = scan.slots.get("limit") is None
    return plural or _event_without_distance(filters)


def _event_without_distance(filters: list[Filter]) -> bool:
    fields = {f.field for f in filters}
    return "event" in fields and "distance_km" not in fields


def winners_groups(scan: Scan, filters: list[Filter]) -> list[str]:
    """Winners are per race of a named event (a 5K's winner never 'beats' the 10K's) and,
    when several are asked for, the men's and the women's."""
    plural = scan.slots.pop("limit", None) is None
    groups = ["race"] if _event_without_distance(filters) else []
    if plural:
        groups.append("sex")
    return groups


def runners_wins(scan: Scan, measures: list[MeasureRef]) -> bool:
    """ "how many times has Wardian won", "wardian wins", "which races has he won": a runner's
    first places (counted, or listed). "did wardian win boston 2024" is answered by his
    result, place and all."""
    if "winner" not in scan.flags:
        return False
    counted = any(m.name == "count" for m in measures)
    listed = not measures and scan.slots.get("person") is not None and not _YES_NO.match(scan.low)
    if not (counted or listed):
        return False
    scan.slots.pop("limit", None)
    scan.slots.pop("rank", None)
    return True
