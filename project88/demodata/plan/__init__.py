"""The allocation: how many of everything, which events and races, how big.

Pure and cheap (about a second at scale 1, no participant or result is drawn
here): the plan fixes every count, id range and per-race size, so that the
generator can then produce each race independently and the totals are exact.

At scale 1 the counts are the documented ones (``SCALE_ONE``); at other
scales they are linear (rounded half up) with floors that keep the featured
content (``reference.FEATURED``, Big River's events, Michael Wardian) intact.
ct_results has one row per participant per timing point: the plan chooses
each race's number of timing points (and how far its DNFs got) so that the
total is exact.

The work is split by step: ``counts`` (the formula), ``dates`` (event dates and
statuses), ``entities`` (what a plan holds), ``events`` (the lineup of events and
races), ``fields`` (race sizes and outcomes, the exact results total) and
``listings`` (registration and catalogue listings); ``build_plan`` here runs
them in order on one random stream.
"""

from __future__ import annotations

import random

from project88.demodata import reference as ref
from project88.demodata.plan.counts import (
    SCALE_ONE,
    Counts,
    PlanError,
    check_scale,
    half_up,
    target_counts,
)
from project88.demodata.plan.entities import (
    CatalogueEntry,
    EventPlan,
    Plan,
    RacePlan,
    RrEvent,
    RsuEvent,
    RsuRace,
)
from project88.demodata.plan.events import featured_events, fit_race_count, generic_events
from project88.demodata.plan.fields import fit_results, force_coverage, set_outcomes, size_generic
from project88.demodata.plan.listings import registrations

__all__ = [
    "SCALE_ONE",
    "CatalogueEntry",
    "Counts",
    "EventPlan",
    "Plan",
    "PlanError",
    "RacePlan",
    "RrEvent",
    "RsuEvent",
    "RsuRace",
    "build_plan",
    "check_scale",
    "half_up",
    "target_counts",
]

EVENT_ID_BASE = 100_000  # ChronoTrack event ids 100001…
RACE_ID_BASE = 500_000


def build_plan(scale: float = 0.02, seed: int = 88) -> Plan:
    """Every event and race with its size, ids and row counts; exact ``target_counts``."""
    counts = target_counts(scale)
    rng = random.Random(seed)
    featured = featured_events(scale)
    generic = generic_events(rng, counts.events - len(featured))
    featured_races = sum(len(e.races) for e in featured)
    fit_race_count(rng, generic, counts.races - featured_races)

    events = sorted(featured + generic, key=lambda e: (e.date, e.name, e.partner_id))
    races: list[RacePlan] = []
    for number, event in enumerate(events, start=1):
        event.id = EVENT_ID_BASE + number
        for race in event.races:
            race.id = RACE_ID_BASE + len(races) + 1
            races.append(race)
            if event.featured and event.status in ("completed", "active"):
                race.participants = race.field_size

    fixed = sum(r.participants for r in races)
    size_generic(rng, [r for r in races if not r.event.featured], counts.participants - fixed)
    wardian = {(a.event, a.year): a.chip_seconds for a in ref.WARDIAN}
    for race in races:
        key = (race.event.name, race.event.date.year)
        if race.event.featured and race.distance.name == "Marathon" and key in wardian:
            race.wardian = wardian[key]
        if race.participants:
            set_outcomes(rng, race)
    fit_results(rng, races, counts.results)
    force_coverage(rng, races)
    rsu_events, rsu_races, rr_events, catalogue = registrations(rng, events)

    next_participant = next_result = next_registration = 1
    for race in races:
        race.first_participant_id, race.first_result_id = next_participant, next_result
        race.first_rsu_participant_id = next_registration
        next_participant += race.participants
        next_result += race.results
        next_registration += race.rsu_registrants

    plan = Plan(scale, seed, counts, events, races, rsu_events, rsu_races, rr_events, catalogue)
    if plan.realised() != counts:  # pragma: no cover - the construction guarantees it
        raise PlanError(f"plan realised {plan.realised()} instead of {counts}")
    return plan
