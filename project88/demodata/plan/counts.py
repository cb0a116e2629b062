"""How many of everything a scale gives: the documented counts at scale 1, linear
elsewhere with floors that keep the featured content (a formula, no drawing)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from project88.demodata import reference as ref
from project88.demodata.plan.dates import status_for

SCALE_ONE_EVENTS = 12_882
SCALE_ONE_RACES = 16_931
SCALE_ONE_PARTICIPANTS = 1_765_021
SCALE_ONE_RESULTS = 8_151_553
GENERIC_MIN_FIELD = 30  # every generic race that took place has at least this many runners
MAX_SCALE = 10.0


class PlanError(ValueError):
    """The requested scale cannot be realised (e.g. out of range)."""


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class Counts:
    partners: int
    events: int
    races: int
    participants: int
    results: int


SCALE_ONE = Counts(
    len(ref.PARTNERS),
    SCALE_ONE_EVENTS,
    SCALE_ONE_RACES,
    SCALE_ONE_PARTICIPANTS,
    SCALE_ONE_RESULTS,
)


def check_scale(scale: float) -> None:
    if not (0 < scale <= MAX_SCALE) or math.isnan(scale):
        raise PlanError(f"scale must be above 0 and at most {MAX_SCALE:g} (got {scale!r})")


def featured_field(base: int, minimum: int, scale: float, year_factor: float = 1.0) -> int:
    return max(minimum, half_up(base * year_factor * scale))


def _featured_totals(scale: float) -> tuple[int, int, int]:
    """Events, races and ct participants of the featured content at ``scale``."""
    events = len(ref.FEATURED) * len(ref.FEATURED_YEARS) + len(ref.BIG_RIVER_EVENTS)
    races = len(ref.FEATURED_YEARS) * sum(len(f.races) for f in ref.FEATURED)
    participants = 0
    for year in ref.FEATURED_YEARS:
        for featured in ref.FEATURED:
            for _name, base, minimum in featured.races:
                participants += featured_field(base, minimum, scale, ref.YEAR_FIELD[year])
    for event in ref.BIG_RIVER_EVENTS:
        races += len(event.races)
        if status_for(event.start, event.end) in ("completed", "active"):
            participants += sum(featured_field(b, m, scale) for _n, b, m in event.races)
    return events, races, participants


def target_counts(scale: float) -> Counts:
    """The counts the plan realises exactly; a formula, no drawing."""
    check_scale(scale)
    featured_events, featured_races, featured_participants = _featured_totals(scale)
    events = max(half_up(SCALE_ONE_EVENTS * scale), featured_events + len(ref.PARTNERS))
    generic_events = events - featured_events
    races = max(half_up(SCALE_ONE_RACES * scale), featured_races + generic_events)
    generic_races = races - featured_races
    linear = half_up(SCALE_ONE_PARTICIPANTS * scale)
    participants = max(linear, featured_participants + GENERIC_MIN_FIELD * generic_races)
    results = half_up(SCALE_ONE_RESULTS * scale)
    if participants > linear:  # floored: keep the documented results per participant
        results = max(results, half_up(participants * SCALE_ONE_RESULTS / SCALE_ONE_PARTICIPANTS))
    return Counts(len(ref.PARTNERS), events, races, participants, results)
