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
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from project88.demodata import reference as ref
from project88.demodata.reference import Distance

SCALE_ONE_EVENTS = 12_882
SCALE_ONE_RACES = 16_931
SCALE_ONE_PARTICIPANTS = 1_765_021
SCALE_ONE_RESULTS = 8_151_553
GENERIC_MIN_FIELD = 30  # every generic race that took place has at least this many runners
MAX_SCALE = 10.0

EVENT_ID_BASE = 100_000  # ChronoTrack event ids 100001…
RACE_ID_BASE = 500_000
RSU_EVENT_ID_BASE = 40_000  # RunSignUp race ids (RunSignUp calls an event a "race")
RSU_RACE_ID_BASE = 900_000
RR_EVENT_ID_BASE = 300_000
COVID_CANCELLED = ((dt.date(2020, 3, 14), dt.date(2020, 12, 31), 0.6),
                   (dt.date(2021, 1, 1), dt.date(2021, 5, 31), 0.3))  # fmt: skip
CANCELLED_OTHERWISE = 0.004
DQ_RATE = 0.002


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


def event_date(year: int, month: int, rule: str, day: int = 0) -> dt.date:
    """``sun3`` third Sunday, ``mon-1`` last Monday, ``thanksgiving``, ``fixed`` (``day``)."""
    if rule == "fixed":
        return dt.date(year, month, day)
    if rule == "thanksgiving":
        rule = "thu4"
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(rule[:3])
    nth = int(rule[3:])
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def status_for(start: dt.date, end: dt.date, cancelled: bool = False) -> str:
    if cancelled:
        return "cancelled"
    if start > ref.REFERENCE_DATE:
        return "upcoming"
    if end >= ref.REFERENCE_DATE:
        return "active"
    return "completed"


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


@dataclass(slots=True, eq=False)
class EventPlan:
    id: int
    partner_id: int  # 1-based, PARTNERS order
    name: str
    date: dt.date
    end: dt.date
    city: str
    state: str
    time_zone: str
    status: str
    website: str | None
    featured: str | None = None  # the featured series or Big River, else None
    speed: float = 1.0
    races: list[RacePlan] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class RacePlan:
    id: int
    event: EventPlan
    distance: Distance
    index: int  # position in its event (bibs of the n-th race start at n*10000+1)
    field_size: int  # expected field: the ct field, or the registrations of a future race
    participants: int = 0
    dns: int = 0
    dnf: int = 0
    dq: int = 0
    points: int = 1  # timing points including Finish
    min_points: int = 1
    extra: int = 0  # rows of DNS/DNF participants beyond one per DNF
    results: int = 0
    first_participant_id: int = 0
    first_result_id: int = 0
    forced: tuple[tuple[str, int], ...] = ()  # (sex, age) of some finishers
    wardian: int | None = None  # Michael Wardian's chip seconds in this race
    rsu_race_id: int | None = None
    rsu_fee: str | None = None
    rsu_registrants: int = 0
    first_rsu_participant_id: int = 0

    @property
    def finishers_and_dq(self) -> int:
        return self.participants - self.dns - self.dnf

    @property
    def timing_points(self) -> list[tuple[str, str, float]]:
        """(label, km as stored, km) of the splits in distance order, then the Finish."""
        chosen = sorted(self.distance.splits[: self.points - 1], key=lambda s: s[1])
        return [(label, ref.format_km(km), km) for label, km in chosen] + [
            ("Finish", self.distance.km_text, self.distance.km)
        ]


@dataclass(frozen=True, slots=True)
class RsuEvent:
    id: int
    event: EventPlan
    opens: dt.date
    closes: dt.date


@dataclass(frozen=True, slots=True)
class RsuRace:
    id: int
    rsu_event_id: int
    race: RacePlan
    fee: str
    cap: int | None


@dataclass(frozen=True, slots=True)
class RrEvent:
    id: int
    event: EventPlan
    fee: str


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    id: int
    event: EventPlan
    provider_id: int
    provider_event_id: str


@dataclass
class Plan:
    scale: float
    seed: int
    counts: Counts
    events: list[EventPlan]
    races: list[RacePlan]
    rsu_events: list[RsuEvent]
    rsu_races: list[RsuRace]
    rr_events: list[RrEvent]
    catalogue: list[CatalogueEntry]

    @property
    def rsu_participants(self) -> int:
        return sum(r.rsu_registrants for r in self.races)

    def realised(self) -> Counts:
        return Counts(
            len(ref.PARTNERS),
            len(self.events),
            len(self.races),
            sum(r.participants for r in self.races),
            sum(r.results for r in self.races),
        )


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


def _featured_events(scale: float) -> list[EventPlan]:
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


def _generic_events(rng: random.Random, count: int) -> list[EventPlan]:
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


def _fit_race_count(rng: random.Random, generic: list[EventPlan], wanted: int) -> None:
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


def _size_generic(rng: random.Random, races: list[RacePlan], participants: int) -> None:
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


def _set_outcomes(rng: random.Random, race: RacePlan) -> None:
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


def _force_coverage(rng: random.Random, races: list[RacePlan]) -> None:
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


def _fee(rng: random.Random, distance: Distance) -> str:
    low, high = distance.fee
    return f"{rng.randint(int(low), int(high))}.00"


def _registrations(
    rng: random.Random, events: list[EventPlan]
) -> tuple[list[RsuEvent], list[RsuRace], list[RrEvent], list[CatalogueEntry]]:
    rsu_events: list[RsuEvent] = []
    rsu_races: list[RsuRace] = []
    rr_events: list[RrEvent] = []
    catalogue: list[tuple[dt.date, int, EventPlan, str]] = []
    for event in events:
        partner = ref.PARTNERS[event.partner_id - 1]
        if event.status == "cancelled":
            continue
        if "runsignup" in partner.providers and event.date >= dt.date(2024, 1, 1):
            rsu = RsuEvent(
                RSU_EVENT_ID_BASE + len(rsu_events) + 1,
                event,
                event.date - dt.timedelta(days=rng.randint(120, 300)),
                event.date - dt.timedelta(days=rng.choice((1, 2, 3))),
            )
            rsu_events.append(rsu)
            catalogue.append((event.date, ref.PROVIDER_ID["runsignup"], event, str(rsu.id)))
            for race in event.races:
                fee = _fee(rng, race.distance)
                cap = half_up(race.field_size * 1.25 / 25) * 25 if race.field_size >= 100 else None
                race.rsu_race_id = RSU_RACE_ID_BASE + len(rsu_races) + 1
                race.rsu_fee = fee
                if race.participants:
                    race.rsu_registrants = race.participants
                elif event.status == "upcoming":
                    days = (event.date - ref.REFERENCE_DATE).days
                    fill = min(0.95, max(0.15, 0.95 - days / 365))
                    race.rsu_registrants = half_up(race.field_size * fill)
                rsu_races.append(RsuRace(race.rsu_race_id, rsu.id, race, fee, cap))
        if "raceroster" in partner.providers and event.date >= dt.date(2023, 1, 1):
            rr = RrEvent(
                RR_EVENT_ID_BASE + len(rr_events) + 1, event, _fee(rng, event.races[0].distance)
            )
            rr_events.append(rr)
            catalogue.append((event.date, ref.PROVIDER_ID["raceroster"], event, str(rr.id)))
        if event.featured or rng.random() < 0.35:
            catalogue.append((event.date, ref.PROVIDER_ID["chronotrack"], event, str(event.id)))
        if "haku" in partner.providers and event.date >= dt.date(2025, 1, 1) and rng.random() < 0.4:
            haku_id = f"evt_{rng.getrandbits(48):012x}"
            catalogue.append((event.date, ref.PROVIDER_ID["haku"], event, haku_id))
    catalogue.sort(key=lambda c: (c[0], c[2].id, c[1]))
    entries = [
        CatalogueEntry(i, event, provider, external)
        for i, (_d, provider, event, external) in enumerate(catalogue, start=1)
    ]
    return rsu_events, rsu_races, rr_events, entries


def build_plan(scale: float = 0.02, seed: int = 88) -> Plan:
    """Every event and race with its size, ids and row counts; exact ``target_counts``."""
    counts = target_counts(scale)
    rng = random.Random(seed)
    featured = _featured_events(scale)
    generic = _generic_events(rng, counts.events - len(featured))
    featured_races = sum(len(e.races) for e in featured)
    _fit_race_count(rng, generic, counts.races - featured_races)

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
    _size_generic(rng, [r for r in races if not r.event.featured], counts.participants - fixed)
    wardian = {(a.event, a.year): a.chip_seconds for a in ref.WARDIAN}
    for race in races:
        key = (race.event.name, race.event.date.year)
        if race.event.featured and race.distance.name == "Marathon" and key in wardian:
            race.wardian = wardian[key]
        if race.participants:
            _set_outcomes(rng, race)
    fit_results(rng, races, counts.results)
    _force_coverage(rng, races)
    rsu_events, rsu_races, rr_events, catalogue = _registrations(rng, events)

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
