"""Who is in each race and how it ends: field sizes, DNS, DNF and DQ, timing points and
result rows fitted to the exact total, and the finishers that cover every age and sex."""

from __future__ import annotations

import math
import random

from project88.demodata import reference as ref
from project88.demodata.plan.counts import GENERIC_MIN_FIELD, PlanError, half_up
from project88.demodata.plan.entities import RacePlan

DQ_RATE = 0.002


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of ``total`` proportional to ``weights``."""
    wsum = sum(weights)
    shares = [total * w / wsum for w in weights]
    out = [math.floor(s) for s in shares]
    left = total - sum(out)
    by_remainder = sorted(range(len(out)), key=lambda i: (out[i] - shares[i], i))
    for i in by_remainder[:left]:
        out[i] += 1
    return out


def size_generic(rng: random.Random, races: list[RacePlan], participants: int) -> None:
    """Generic fields: log-normal weights by distance, at least GENERIC_MIN_FIELD each."""
    took_place = [r for r in races if r.event.status in ("completed", "active")]
    weights = {id(r): math.exp(r.distance.size_mu + rng.gauss(0.0, 0.85)) for r in races}
    if not took_place:
        raise PlanError("no generic race took place; nowhere to put the participants")
    spare = participants - GENERIC_MIN_FIELD * len(took_place)
    if spare < 0:
        raise PlanError("fewer participants than the generic races' minimum fields")
    extra = _allocate(spare, [weights[id(r)] for r in took_place])
    for race, more in zip(took_place, extra, strict=True):
        race.participants = race.field_size = GENERIC_MIN_FIELD + more
    per_weight = participants / sum(weights[id(r)] for r in took_place)
    for race in races:
        if race.field_size == 0:  # upcoming or cancelled: a field for registrations
            race.field_size = max(20, half_up(weights[id(race)] * per_weight))


def set_outcomes(rng: random.Random, race: RacePlan) -> None:
    n = race.participants
    d = race.distance
    race.dns = half_up(n * d.dns_rate)
    race.dnf = half_up(n * d.dnf_rate)
    race.dq = half_up(n * DQ_RATE)
    most = 1 + len(d.splits)
    if race.event.featured in ref.FEATURED_NAMES_CASED:
        race.min_points = min(most, 5 if d.name == "Marathon" else 3)
    else:
        race.min_points = 2 if d.km > 20 and most >= 2 else 1
    race.points = max(race.min_points, min(most, rng.choice(d.typical_points)))


def fit_results(rng: random.Random, races: list[RacePlan], target: int) -> None:
    """Choose timing points per race and DNF/DNS rows so that the rows total ``target``.

    A finisher (or DQ) has one row per timing point; a DNF between 1 and all
    (splits crossed, perhaps a 'dnf' Finish row); a DNS none or one ('dns'
    Finish row). First the timing points move (a race at a time, in a shuffled
    order, only while that brings the total closer), then the DNF/DNS rows
    take up the rest in proportion to what each race can hold.
    """
    live = [r for r in races if r.participants > 0]

    def middle(r: RacePlan) -> float:
        return r.finishers_and_dq * r.points + (r.dnf * (1 + r.points) + r.dns) / 2

    total = sum(middle(r) for r in live)
    order = list(range(len(live)))
    rng.shuffle(order)
    changed = True
    while changed:
        changed = False
        for i in order:
            race = live[i]
            step = race.finishers_and_dq + race.dnf / 2
            gap = target - total
            most = 1 + len(race.distance.splits)
            if step > 0 and gap > step / 2 and race.points < most:
                race.points += 1
                total += step
                changed = True
            elif step > 0 and gap < -step / 2 and race.points > race.min_points:
                race.points -= 1
                total -= step
                changed = True
    low = sum(r.finishers_and_dq * r.points + r.dnf for r in live)
    room = [r.dnf * (r.points - 1) + r.dns for r in live]
    if not low <= target <= low + sum(room):
        raise PlanError(f"cannot fit {target} results over {len(live)} races")
    extra = target - low
    shares = _allocate_capped(extra, room, rng) if extra else [0] * len(live)
    for race, more in zip(live, shares, strict=True):
        race.extra = more
        race.results = race.finishers_and_dq * race.points + race.dnf + more


def _allocate_capped(total: int, caps: list[int], rng: random.Random) -> list[int]:
    capacity = sum(caps)
    out = [c * total // capacity for c in caps]
    left = total - sum(out)
    order = [i for i in range(len(caps)) if out[i] < caps[i]]
    rng.shuffle(order)
    for i in order[:left]:
        out[i] += 1
    return out


def coverage_pairs() -> list[tuple[str, int]]:
    """(sex, age) that must exist among finishers: M and F at every age 14-85, some X."""
    pairs = [(sex, age) for age in range(14, 86) for sex in ("M", "F")]
    return pairs + [("X", age) for age in (16, 19, 23, 27, 31, 36, 42, 48, 55, 63, 71, 80)]


def force_coverage(rng: random.Random, races: list[RacePlan]) -> None:
    candidates = [
        r
        for r in races
        if r.participants >= 20
        and r.distance.km <= 21.1
        and r.event.featured not in ref.FEATURED_NAMES_CASED
    ]
    rng.shuffle(candidates)
    pairs = coverage_pairs()
    for divisor in (8, 4, 2):
        caps = [min(r.participants // divisor, r.finishers_and_dq - r.dq - 1) for r in candidates]
        if sum(max(c, 0) for c in caps) >= len(pairs):
            break
    else:
        raise PlanError("too few runners to cover every age and sex")
    start = 0
    for race, cap in zip(candidates, caps, strict=True):
        if start >= len(pairs):
            break
        if cap > 0:
            race.forced = tuple(pairs[start : start + cap])
            start += cap
