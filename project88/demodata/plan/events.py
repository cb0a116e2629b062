"""The event lineup: the featured events at every scale, invented yearly series for the
rest (some cancelled), each with its races, and races added or dropped to an exact count."""

from __future__ import annotations

import datetime as dt
import random

from project88.demodata import reference as ref
from project88.demodata.plan.counts import PlanError, featured_field
from project88.demodata.plan.dates import event_date, status_for
from project88.demodata.plan.entities import EventPlan, RacePlan

COVID_CANCELLED = ((dt.date(2020, 3, 14), dt.date(2020, 12, 31), 0.6),
                   (dt.date(2021, 1, 1), dt.date(2021, 5, 31), 0.3))  # fmt: skip
CANCELLED_OTHERWISE = 0.004


def _website(name: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower().replace("'", ""))
    return "https://" + "-".join(part for part in slug.split("-") if part) + ".example.org"


_PARTNER_ID = {p.slug: i for i, p in enumerate(ref.PARTNERS, start=1)}


def _new_event(
    partner: str,
    name: str,
    start: dt.date,
    end: dt.date,
    city: str,
    state: str,
    cancelled: bool = False,
    website: str | None = None,
    featured: str | None = None,
    speed: float = 1.0,
) -> EventPlan:
    return EventPlan(
        0,
        _PARTNER_ID[partner],
        name,
        start,
        end,
        city,
        state,
        ref.STATE_BY_CODE[state].time_zone,
        status_for(start, end, cancelled),
        website,
        featured,
        speed,
    )


def _add_races(event: EventPlan, lineup: list[tuple[str, int]]) -> None:
    for index, (distance, size) in enumerate(lineup):
        event.races.append(RacePlan(0, event, ref.DISTANCES[distance], index, size))


def featured_events(scale: float) -> list[EventPlan]:
    events: list[EventPlan] = []
    for featured in ref.FEATURED:
        for year in ref.FEATURED_YEARS:
            day = event_date(year, featured.month, featured.rule)
            event = _new_event(
                featured.partner,
                featured.name,
                day,
                day,
                featured.city,
                featured.state,
                website=featured.website,
                featured=featured.name,
                speed=featured.speed,
            )
            _add_races(
                event,
                [
                    (name, featured_field(base, minimum, scale, ref.YEAR_FIELD[year]))
                    for name, base, minimum in featured.races
                ],
            )
            events.append(event)
    for br in ref.BIG_RIVER_EVENTS:
        event = _new_event(
            "big-river",
            br.name,
            br.start,
            br.end,
            br.city,
            br.state,
            website=_website(br.name),
            featured=ref.BIG_RIVER,
        )
        _add_races(event, [(n, featured_field(b, m, scale)) for n, b, m in br.races])
        events.append(event)
    return events


def _cancelled(rng: random.Random, day: dt.date) -> bool:
    for first, last, share in COVID_CANCELLED:
        if first <= day <= last:
            return rng.random() < share
    return rng.random() < CANCELLED_OTHERWISE


def generic_events(rng: random.Random, count: int) -> list[EventPlan]:
    """``count`` editions of invented yearly series, spread over the partners' regions."""
    used = set(ref.FEATURED_NAMES) | {e.name.lower() for e in ref.BIG_RIVER_EVENTS}
    weights = [p.weight for p in ref.PARTNERS]
    events: list[EventPlan] = []
    series = 0
    while len(events) < count:
        # The first series of each partner starts in 2019, so every partner has history.
        if series < len(ref.PARTNERS):
            partner, first_year = ref.PARTNERS[series], ref.FIRST_YEAR
        else:
            partner = rng.choices(ref.PARTNERS, weights)[0]
            first_year = rng.choices(range(2019, 2027), (30, 8, 9, 9, 8, 7, 6, 5))[0]
        series += 1
        for attempt in range(500):
            state = partner.region[0] if rng.random() < 0.45 else rng.choice(partner.region)
            city = rng.choice(ref.STATE_BY_CODE[state].cities)
            template = rng.choice(ref.TEMPLATES)
            place = f"{rng.choice(ref.NAME_PREFIXES)} {city}" if attempt >= 20 else city
            name = template.pattern.format(city=place)
            if name.lower() not in used:
                break
        else:  # pragma: no cover - templates x cities x prefixes are plenty
            raise PlanError(f"ran out of event names for {partner.name}")
        used.add(name.lower())
        website = _website(name) if rng.random() < 0.7 else None
        last_year = min(ref.LAST_YEAR, first_year + rng.randint(1, 8))
        for year in range(first_year, last_year + 1):
            day = event_date(year, template.month, template.rule, template.day)
            start = day - dt.timedelta(days=template.days - 1)
            if start > ref.HORIZON or len(events) == count:
                break
            event = _new_event(
                partner.slug,
                name,
                start,
                day,
                city,
                state,
                cancelled=_cancelled(rng, start),
                website=website,
            )
            _add_races(event, [(distance, 0) for distance in template.lineup])
            events.append(event)
    return events


def fit_race_count(rng: random.Random, generic: list[EventPlan], wanted: int) -> None:
    """Add or drop generic races (never an event's last) until there are ``wanted``."""
    have = sum(len(e.races) for e in generic)
    order = list(range(len(generic)))
    while have != wanted:
        rng.shuffle(order)
        before = have
        for i in order:
            event = generic[i]
            if have > wanted and len(event.races) > 1:
                event.races.pop()
                have -= 1
            elif have < wanted and len(event.races) < 5:
                offered = {r.distance.name for r in event.races}
                choices = [d for d in ref.EXTRA_DISTANCES if d not in offered]
                if choices:
                    _add_races_at(event, rng.choice(choices))
                    have += 1
            if have == wanted:
                break
        if have == before:
            raise PlanError(f"cannot arrange {wanted} races over {len(generic)} events")


def _add_races_at(event: EventPlan, distance: str) -> None:
    event.races.append(RacePlan(0, event, ref.DISTANCES[distance], len(event.races), 0))
