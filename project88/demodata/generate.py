"""Rows for every table of the dataset, from a ``Plan``: pure, deterministic.

Each table's rows are tuples in ``COLUMNS[table]`` order holding ``None``,
``int``, ``str``, ``bool``, ``date``, ``datetime`` or ``dict`` (JSON) values.
Every race draws from a ``random.Random`` of its own, seeded from the run's
seed and the race id, so any race can be produced alone and the same seed
always gives the same rows, ids included.

API key hashes are an input (the loader draws the keys); credentials'
plaintext values here are fake and are encrypted by the database on load.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from project88.demodata import reference as ref
from project88.demodata import times
from project88.demodata.plan import EventPlan, Plan, RacePlan, half_up

COLUMNS: dict[str, tuple[str, ...]] = {
    "timing_partners": (
        "id",
        "name",
        "slug",
        "contact_email",
        "phone",
        "website",
        "city",
        "state",
        "country",
        "is_active",
        "created_at",
        "updated_at",
    ),
    "providers": ("id", "name", "slug", "api_base_url", "created_at"),
    "users": (
        "id",
        "timing_partner_id",
        "email",
        "full_name",
        "role",
        "api_key_sha256",
        "is_active",
        "last_login_at",
        "created_at",
    ),
    "timing_partner_haku_orgs": (
        "id",
        "timing_partner_id",
        "haku_org_id",
        "org_name",
        "created_at",
    ),
    # Staged in a temporary table; the database encrypts api_key and secret.
    "partner_provider_credentials": (
        "id",
        "timing_partner_id",
        "provider_id",
        "account_name",
        "api_key",
        "secret",
        "created_at",
        "updated_at",
    ),
    "ct_events": (
        "id",
        "timing_partner_id",
        "name",
        "event_date",
        "end_date",
        "city",
        "state",
        "country",
        "time_zone",
        "status",
        "website",
        "created_at",
        "updated_at",
    ),
    "ct_races": (
        "id",
        "event_id",
        "timing_partner_id",
        "name",
        "distance_km",
        "start_time",
        "created_at",
    ),
    "ct_participants": (
        "id",
        "race_id",
        "event_id",
        "timing_partner_id",
        "bib",
        "first_name",
        "last_name",
        "sex",
        "age",
        "city",
        "state",
        "country",
        "email",
        "phone",
        "registered_at",
    ),
    "ct_results": (
        "id",
        "participant_id",
        "race_id",
        "event_id",
        "timing_partner_id",
        "timing_point",
        "split_km",
        "status",
        "chip_time",
        "gun_time",
        "pace_per_mile",
        "overall_place",
        "sex_place",
        "division",
        "division_place",
        "created_at",
    ),
    "event_weather": (
        "id",
        "ct_event_id",
        "timing_partner_id",
        "observed_at",
        "temperature_c",
        "humidity_pct",
        "wind_kph",
        "conditions",
    ),
    "events": (
        "id",
        "timing_partner_id",
        "provider_id",
        "provider_event_id",
        "name",
        "event_date",
        "city",
        "state",
        "is_active",
        "created_at",
    ),
    "runsignup_events": (
        "id",
        "timing_partner_id",
        "name",
        "event_date",
        "city",
        "state",
        "registration_opens",
        "registration_closes",
        "created_at",
    ),
    "runsignup_races": (
        "id",
        "runsignup_event_id",
        "timing_partner_id",
        "name",
        "distance_km",
        "start_time",
        "registration_fee",
        "participant_cap",
    ),
    "runsignup_participants": (
        "id",
        "runsignup_race_id",
        "timing_partner_id",
        "bib",
        "first_name",
        "last_name",
        "sex",
        "age",
        "city",
        "state",
        "email",
        "phone",
        "registered_at",
        "amount_paid",
    ),
    "raceroster_events": (
        "id",
        "timing_partner_id",
        "name",
        "event_date",
        "city",
        "state",
        "registration_fee",
        "created_at",
    ),
    "sync_history": (
        "id",
        "timing_partner_id",
        "provider_id",
        "started_at",
        "finished_at",
        "status",
        "records_synced",
        "error",
    ),
    "sync_queue": (
        "id",
        "timing_partner_id",
        "provider_id",
        "job_type",
        "payload",
        "status",
        "priority",
        "attempts",
        "scheduled_at",
        "created_at",
        "updated_at",
    ),
}
# The three tables written race by race; the others are written whole, first.
RACE_TABLES = ("ct_participants", "ct_results", "runsignup_participants")

Row = tuple[object, ...]
UTC = dt.UTC
REFERENCE_NOON = dt.datetime.combine(ref.REFERENCE_DATE, dt.time(12), UTC)


def race_rng(seed: int, kind: str, key: int) -> random.Random:
    """An independent, reproducible stream per race (str seeds hash with SHA-512)."""
    return random.Random(f"{seed}:{kind}:{key}")


def _stamp(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def race_start(race: RacePlan) -> dt.datetime:
    """Local start: long races on a short festival's last day, else on the first."""
    event = race.event
    day = event.date
    if race.distance.km > 20 and (event.end - event.date).days in (1, 2):
        day = event.end
    return dt.datetime.combine(day, race.distance.start, _zone(event.time_zone))


@cache
def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _area(state: str) -> str:
    return ref.STATE_BY_CODE[state].area_codes[0]


# -- people ------------------------------------------------------------------------------
def _age_weights(minimum: int) -> tuple[list[int], list[float]]:
    ages = list(range(minimum, 86))
    bands = (
        (17, 1.0),
        (22, 2.2),
        (29, 4.5),
        (39, 5.6),
        (49, 5.0),
        (59, 3.4),
        (69, 1.5),
        (74, 0.55),
        (79, 0.22),
        (85, 0.08),
    )
    weights = [next(w for top, w in bands if age <= top) for age in ages]
    return ages, list(itertools.accumulate(weights))


FIRST_NAMES = {"M": ref.FIRST_NAMES_M, "F": ref.FIRST_NAMES_F, "X": ref.FIRST_NAMES_X}
AGES_ALL = _age_weights(14)
AGES_ADULT = _age_weights(18)  # marathons and ultras: 18 and over


def wardian_age(day: dt.date) -> int:
    born = ref.WARDIAN_BIRTHDAY
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(slots=True)
class Person:
    sex: str
    age: int
    first: str
    last: str
    city: str
    state: str | None
    country: str
    email: str
    phone: str | None
    registered_at: dt.datetime


@dataclass
class _RaceContext:
    race: RacePlan
    state: ref.State
    ages: tuple[list[int], list[float]]
    abroad: float
    male: float


def _context(race: RacePlan) -> _RaceContext:
    event = race.event
    big = event.featured in ("Boston Marathon", "Chicago Marathon")
    adult = race.distance.km > 30
    return _RaceContext(
        race,
        ref.STATE_BY_CODE[event.state],
        AGES_ADULT if adult else AGES_ALL,
        0.14 if big else 0.03,
        race.distance.male_share,
    )


def draw_person(
    rng: random.Random,
    ctx: _RaceContext,
    sex: str | None = None,
    age: int | None = None,
    registered_by: dt.datetime | None = None,
) -> Person:
    if sex is None:
        u = rng.random()
        sex = "X" if u < 0.006 else "M" if u < 0.006 + ctx.male * 0.994 else "F"
    if age is None:
        ages, cumulative = ctx.ages
        age = ages[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
    names = FIRST_NAMES[sex]
    first = names[int(rng.random() * len(names))]
    last = ref.LAST_NAMES[int(rng.random() * len(ref.LAST_NAMES))]
    u = rng.random()
    phone: str | None
    if u < ctx.abroad:
        abroad = ref.ABROAD[int(rng.random() * len(ref.ABROAD))]
        city, state, country, phone = rng.choice(abroad.cities), abroad.region, abroad.country, None
    else:
        home = (
            ctx.state if u > ctx.abroad + 0.24 else ref.STATES[int(rng.random() * len(ref.STATES))]
        )
        if home is ctx.state and rng.random() < 0.4:
            city = ctx.race.event.city
        else:
            city = home.cities[int(rng.random() * len(home.cities))]
        state, country = home.code, "US"
        area = home.area_codes[int(rng.random() * len(home.area_codes))]
        phone = f"({area}) 555-01{int(rng.random() * 100):02d}" if rng.random() < 0.92 else None
    f, la = _ascii(first), _ascii(last)
    style = int(rng.random() * 4)
    number = int(rng.random() * 990) + 10
    local = (f"{f}.{la}", f"{f}{la}{number}", f"{f[0]}{la}{number}", f"{la}.{f}{number % 100}")
    domain = "example.com" if rng.random() < 0.7 else "example.org"
    if registered_by is None:
        start = dt.datetime.combine(ctx.race.event.date, dt.time(12), UTC)
        registered = start - dt.timedelta(seconds=int(rng.uniform(86_400, 200 * 86_400)))
    else:
        registered = registered_by - dt.timedelta(seconds=int(rng.uniform(0, 150 * 86_400)))
    return Person(
        sex, age, first, last, city, state, country, f"{local[style]}@{domain}", phone, registered
    )


def _wardian(race: RacePlan) -> Person:
    city, state = ref.WARDIAN_HOME
    registered = dt.datetime.combine(race.event.date, dt.time(15), UTC) - dt.timedelta(days=97)
    return Person(
        "M",
        wardian_age(race.event.date),
        ref.WARDIAN_FIRST,
        ref.WARDIAN_LAST,
        city,
        state,
        "US",
        "michael.wardian@example.com",
        "(703) 555-0142",
        registered,
    )


# -- one race -----------------------------------------------------------------------------
@dataclass
class RaceRows:
    participants: list[Row] = field(default_factory=list)
    results: list[Row] = field(default_factory=list)
    registrations: list[Row] = field(default_factory=list)


def _amount_paid(rng: random.Random, fee: str) -> str:
    u = rng.random()
    factor = 1.0 if u < 0.7 else 0.9 if u < 0.85 else 0.8 if u < 0.96 else 0.0
    return f"{float(fee) * factor:.2f}"


def _registration_row(
    rng: random.Random,
    row_id: int,
    race: RacePlan,
    rsu_race_id: int,
    bib: str | None,
    person: Person,
) -> Row:
    """A runsignup_participants row: who registered, and what they paid."""
    return (
        row_id,
        rsu_race_id,
        race.event.partner_id,
        bib,
        person.first,
        person.last,
        person.sex,
        person.age,
        person.city,
        person.state,
        person.email,
        person.phone,
        person.registered_at,
        _amount_paid(rng, race.rsu_fee or "0"),
    )


def race_rows(plan: Plan, race: RacePlan) -> RaceRows:
    """The participants, results and RunSignUp registrations of one race."""
    out = RaceRows()
    if race.participants == 0:
        if race.rsu_registrants:
            out.registrations = _future_registrations(plan, race)
        return out
    rng = race_rng(plan.seed, "race", race.id)
    ctx = _context(race)
    event = race.event
    n = race.participants
    points = race.timing_points
    split_kms = [km for _label, _text, km in points[:-1]]
    k = len(points)

    # Who does not finish: never Michael Wardian (position 0 when he runs).
    first_free = 1 if race.wardian is not None else 0
    picked = rng.sample(range(first_free, n), race.dns + race.dnf + race.dq)
    status = ["finished"] * n
    for i in picked[: race.dns]:
        status[i] = "dns"
    for i in picked[race.dns : race.dns + race.dnf]:
        status[i] = "dnf"
    for i in picked[race.dns + race.dnf :]:
        status[i] = "dq"
    # Rows of each DNF (1..k) and DNS (0..1): one per DNF, plus race.extra spread at random.
    dnf_at, dns_at = picked[race.dns : race.dns + race.dnf], picked[: race.dns]
    rows_of = dict.fromkeys(dnf_at, 1) | dict.fromkeys(dns_at, 0)
    slots = [i for i in dnf_at for _ in range(k - 1)] + list(dns_at)
    for i in rng.sample(slots, race.extra):
        rows_of[i] += 1

    forced: dict[int, tuple[str, int]] = {}
    if race.forced:
        finishers = [i for i in range(first_free, n) if status[i] == "finished"]
        forced = dict(zip(rng.sample(finishers, len(race.forced)), race.forced, strict=True))

    people: list[Person] = []
    finish: list[int] = []
    for i in range(n):
        if i == 0 and race.wardian is not None:
            people.append(_wardian(race))
            finish.append(race.wardian)
            continue
        sex, age = forced.get(i, (None, None))
        person = draw_person(rng, ctx, sex, age)
        people.append(person)
        ability = times.marathon_ability(rng, person.sex, person.age, event.speed)
        finish.append(times.distance_time(ability, race.distance))

    # Start delays by expected position (corrals), places among finishers.
    by_time = sorted(range(n), key=lambda i: (finish[i], i))
    share = [0.0] * n
    for rank, i in enumerate(by_time):
        share[i] = rank / n
    overall: dict[int, tuple[int, int, int]] = {}
    sex_count: dict[str, int] = {}
    div_count: dict[str, int] = {}
    divisions = [times.division(p.sex, p.age) for p in people]
    place = 0
    for i in by_time:
        if status[i] != "finished":
            continue
        place += 1
        sex = people[i].sex
        sex_count[sex] = sex_count.get(sex, 0) + 1
        div_count[divisions[i]] = div_count.get(divisions[i], 0) + 1
        overall[i] = (place, sex_count[sex], div_count[divisions[i]])

    # Imported the evening after the race; formatted once (ct_results' COPY text takes it as is).
    created = (race_start(race) + dt.timedelta(hours=8)).isoformat(sep=" ")
    partner, race_id, event_id = event.partner_id, race.id, event.id
    km_finish = race.distance.km
    bib_base = race.index * 10_000
    pid = race.first_participant_id
    rid = race.first_result_id
    registration_id = race.first_rsu_participant_id
    hms = times.hms
    for i, person in enumerate(people):
        state = status[i]
        bib = str(bib_base + i + 1)
        out.participants.append(
            (
                pid,
                race_id,
                event_id,
                partner,
                bib,
                person.first,
                person.last,
                person.sex,
                person.age,
                person.city,
                person.state,
                person.country,
                person.email,
                person.phone,
                person.registered_at,
            )
        )
        if race.rsu_race_id is not None:
            out.registrations.append(
                _registration_row(rng, registration_id, race, race.rsu_race_id, bib, person)
            )
            registration_id += 1
        division = divisions[i]
        if state == "dns":
            if rows_of[i]:
                out.results.append(
                    (
                        rid,
                        pid,
                        race_id,
                        event_id,
                        partner,
                        "Finish",
                        race.distance.km_text,
                        "dns",
                        None,
                        None,
                        None,
                        None,
                        None,
                        division,
                        None,
                        created,
                    )
                )
                rid += 1
            pid += 1
            continue
        total = finish[i]
        delay = (
            rng.randrange(0, 4)
            if race.wardian is not None and i == 0
            else (times.start_delay(rng, n, share[i]))
        )
        split_times = times.splits(rng, total, km_finish, split_kms) if k > 1 else []
        crossed, finish_row = k - 1, True
        if state == "dnf":
            rows = rows_of[i]
            finish_row = rows == k or rng.random() < 0.5
            crossed = rows - finish_row
        for j in range(crossed):
            label, km_text, km = points[j]
            chip = split_times[j]
            out.results.append(
                (
                    rid,
                    pid,
                    race_id,
                    event_id,
                    partner,
                    label,
                    km_text,
                    state,
                    hms(chip),
                    hms(chip + delay),
                    hms(times.pace_per_mile(chip, km)),
                    None,
                    None,
                    division,
                    None,
                    created,
                )
            )
            rid += 1
        if finish_row:
            if state == "dnf":
                row: Row = (
                    rid,
                    pid,
                    race_id,
                    event_id,
                    partner,
                    "Finish",
                    race.distance.km_text,
                    "dnf",
                    None,
                    None,
                    None,
                    None,
                    None,
                    division,
                    None,
                    created,
                )
            else:
                places = overall.get(i, (None, None, None))
                row = (
                    rid,
                    pid,
                    race_id,
                    event_id,
                    partner,
                    "Finish",
                    race.distance.km_text,
                    state,
                    hms(total),
                    hms(total + delay),
                    hms(times.pace_per_mile(total, km_finish)),
                    places[0],
                    places[1],
                    division,
                    places[2],
                    created,
                )
            out.results.append(row)
            rid += 1
        pid += 1
    if rid - race.first_result_id != race.results:  # pragma: no cover - plan guarantees it
        raise AssertionError(f"race {race.id}: {rid - race.first_result_id} != {race.results}")
    return out


def _future_registrations(plan: Plan, race: RacePlan) -> list[Row]:
    """Registrations for a race that has not been run yet (no ct rows, no bibs)."""
    rng = race_rng(plan.seed, "registrations", race.id)
    ctx = _context(race)
    by = dt.datetime.combine(ref.REFERENCE_DATE, dt.time(9), UTC)
    rows: list[Row] = []
    for number in range(race.rsu_registrants):
        person = draw_person(rng, ctx, registered_by=by)
        rows.append(
            _registration_row(
                rng, race.first_rsu_participant_id + number, race, race.rsu_race_id, None, person
            )
        )
    return rows


def race_chunks(plan: Plan, max_results: int = 100_000) -> Iterator[RaceRows]:
    """The race tables in chunks of whole races (about ``max_results`` result rows each)."""
    chunk = RaceRows()
    for race in plan.races:
        rows = race_rows(plan, race)
        chunk.participants += rows.participants
        chunk.results += rows.results
        chunk.registrations += rows.registrations
        if len(chunk.results) + len(chunk.registrations) >= max_results:
            yield chunk
            chunk = RaceRows()
    if chunk.participants or chunk.registrations:
        yield chunk


# -- the small tables -----------------------------------------------------------------------
def partner_rows() -> list[Row]:
    rows: list[Row] = []
    for number, p in enumerate(ref.PARTNERS, start=1):
        created = _stamp(dt.date(2018, 1 + number % 12, 1 + 2 * number), 15)
        rows.append(
            (
                number,
                p.name,
                p.slug,
                f"info@{p.slug}.example.com",
                f"({_area(p.state)}) 555-01{10 + number:02d}",
                f"https://www.{p.slug}.example.com",
                p.city,
                p.state,
                "US",
                True,
                created,
                _stamp(dt.date(2026, 11, 1), 8),
            )
        )
    return rows


def provider_rows() -> list[Row]:
    created = _stamp(dt.date(2018, 1, 2), 10)
    return [
        (number, name, slug, url, created)
        for number, (name, slug, url) in enumerate(ref.PROVIDERS, start=1)
    ]


def api_key_owners() -> list[str]:
    """Who gets an API key, in users id order: each partner's staff user, then the admin."""
    return [p.slug for p in ref.PARTNERS] + ["admin"]


def user_rows(seed: int, key_hashes: Mapping[str, str | None]) -> list[Row]:
    rng = random.Random(f"{seed}:users")
    rows: list[Row] = []
    for number, owner in enumerate(api_key_owners(), start=1):
        names = ref.FIRST_NAMES_F if number % 2 else ref.FIRST_NAMES_M
        full_name = f"{rng.choice(names)} {rng.choice(ref.LAST_NAMES)}"
        last_login = REFERENCE_NOON - dt.timedelta(minutes=rng.randint(30, 60 * 24 * 20))
        created = _stamp(dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 900)), 14)
        if owner == "admin":
            rows.append(
                (
                    number,
                    None,
                    "platform.admin@example.org",
                    full_name,
                    "admin",
                    key_hashes.get(owner),
                    True,
                    last_login,
                    created,
                )
            )
        else:
            rows.append(
                (
                    number,
                    number,
                    f"{owner}.staff@example.com",
                    full_name,
                    "staff",
                    key_hashes.get(owner),
                    True,
                    last_login,
                    created,
                )
            )
    return rows


def haku_org_rows(seed: int) -> list[Row]:
    rng = random.Random(f"{seed}:haku")
    rows: list[Row] = []
    for number, p in enumerate(ref.PARTNERS, start=1):
        if "haku" not in p.providers:
            continue
        names = [p.name] + (["Big River Trail Series"] if p.slug == "big-river" else [])
        for name in names:
            rows.append(
                (
                    len(rows) + 1,
                    number,
                    f"org_{rng.getrandbits(40):010x}",
                    name,
                    _stamp(dt.date(2021, 3, 1) + dt.timedelta(days=rng.randint(0, 700))),
                )
            )
    return rows


def credential_rows(seed: int) -> list[Row]:
    """Fake provider API credentials (plaintext here; encrypted by the loader)."""
    rng = random.Random(f"{seed}:credentials")
    rows: list[Row] = []
    for number, p in enumerate(ref.PARTNERS, start=1):
        for provider in p.providers:
            created = _stamp(dt.date(2020, 6, 1) + dt.timedelta(days=rng.randint(0, 1500)), 16)
            rows.append(
                (
                    len(rows) + 1,
                    number,
                    ref.PROVIDER_ID[provider],
                    f"{p.slug}-{provider}",
                    f"{provider[:3]}_live_{rng.getrandbits(128):032x}",
                    f"{rng.getrandbits(160):040x}",
                    created,
                    created + dt.timedelta(days=rng.randint(0, 200)),
                )
            )
    return rows


def _event_stamps(event: EventPlan) -> tuple[dt.datetime, dt.datetime]:
    created = _stamp(event.date - dt.timedelta(days=150), 15)
    if event.status == "completed":
        updated = _stamp(event.end + dt.timedelta(days=2), 9)
    elif event.status == "cancelled":
        updated = _stamp(event.date - dt.timedelta(days=30), 9)
    else:
        updated = _stamp(ref.REFERENCE_DATE, 7)
    return created, updated


def ct_event_rows(plan: Plan) -> Iterator[Row]:
    for e in plan.events:
        created, updated = _event_stamps(e)
        yield (
            e.id,
            e.partner_id,
            e.name,
            e.date,
            e.end,
            e.city,
            e.state,
            "US",
            e.time_zone,
            e.status,
            e.website,
            created,
            updated,
        )


def ct_race_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.races:
        yield (
            r.id,
            r.event.id,
            r.event.partner_id,
            r.distance.name,
            r.distance.km_text,
            race_start(r),
            _event_stamps(r.event)[0],
        )


def weather_rows(plan: Plan) -> Iterator[Row]:
    rng = random.Random(f"{plan.seed}:weather")
    number = 0
    for e in plan.events:
        if e.status not in ("completed", "active") or not (e.featured or rng.random() < 0.7):
            continue
        state = ref.STATE_BY_CODE[e.state]
        start = min(race_start(r) for r in e.races)
        day_of_year = e.date.timetuple().tm_yday
        seasonal = state.mean_temp_c - state.temp_swing_c * math.cos(
            2 * math.pi * (day_of_year - 15) / 365.25
        )
        temp = seasonal - 4.0 + rng.gauss(0, 3.0)
        humidity = rng.randint(40, 95)
        wind = max(0.0, rng.gauss(12, 7))
        long_race = max(r.distance.km for r in e.races) > 20
        for hour in (0, 2, 4) if long_race else (0, 1):
            number += 1
            reading = temp + 1.4 * hour + rng.gauss(0, 0.5)
            pool = ref.CONDITIONS_COLD if reading < 8 else ref.CONDITIONS_WARM
            conditions = rng.choice(pool)
            if conditions == "Snow flurries" and reading > 1:
                conditions = "Overcast"
            yield (
                number,
                e.id,
                e.partner_id,
                start + dt.timedelta(hours=hour),
                f"{reading:.1f}",
                max(15, humidity - 4 * hour),
                f"{wind:.1f}",
                conditions,
            )


def catalogue_rows(plan: Plan) -> Iterator[Row]:
    for c in plan.catalogue:
        e = c.event
        yield (
            c.id,
            e.partner_id,
            c.provider_id,
            c.provider_event_id,
            e.name,
            e.date,
            e.city,
            e.state,
            e.status in ("upcoming", "active"),
            _event_stamps(e)[0],
        )


def rsu_event_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.rsu_events:
        e = r.event
        yield (
            r.id,
            e.partner_id,
            e.name,
            e.date,
            e.city,
            e.state,
            r.opens,
            r.closes,
            _stamp(r.opens - dt.timedelta(days=7), 16),
        )


def rsu_race_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.rsu_races:
        race = r.race
        yield (
            r.id,
            r.rsu_event_id,
            race.event.partner_id,
            race.distance.name,
            race.distance.km_text,
            race_start(race),
            r.fee,
            r.cap,
        )


def raceroster_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.rr_events:
        e = r.event
        yield (
            r.id,
            e.partner_id,
            e.name,
            e.date,
            e.city,
            e.state,
            r.fee,
            _stamp(e.date - dt.timedelta(days=200), 13),
        )


def _provider_pairs() -> list[tuple[int, int]]:
    return [
        (number, ref.PROVIDER_ID[provider])
        for number, p in enumerate(ref.PARTNERS, start=1)
        for provider in p.providers
    ]


def sync_days(scale: float) -> int:
    return max(3, half_up(90 * scale))


def sync_history_rows(plan: Plan) -> Iterator[Row]:
    """Four syncs a day per partner and provider over the last days; a few fail."""
    rng = random.Random(f"{plan.seed}:sync")
    pairs = _provider_pairs()
    days = sync_days(plan.scale)
    first = dt.datetime.combine(ref.REFERENCE_DATE - dt.timedelta(days=days), dt.time(0, 15), UTC)
    number = 0
    for slot in range(days * 4):
        started_slot = first + dt.timedelta(hours=6 * slot)
        if started_slot > REFERENCE_NOON:
            break
        for partner_id, provider_id in pairs:
            number += 1
            started = started_slot + dt.timedelta(seconds=rng.randint(0, 240))
            last = started_slot + dt.timedelta(hours=6) > REFERENCE_NOON
            if last and partner_id == 1 and provider_id == ref.PROVIDER_ID["runsignup"]:
                yield (number, partner_id, provider_id, started, None, "running", 0, None)
                continue
            failed = rng.random() < 0.03
            finished = started + dt.timedelta(seconds=rng.randint(3, 30 if failed else 400))
            records = 0 if failed else int(rng.expovariate(1 / 120))
            yield (
                number,
                partner_id,
                provider_id,
                started,
                finished,
                "failed" if failed else "succeeded",
                records,
                rng.choice(ref.SYNC_ERRORS) if failed else None,
            )


def sync_queue_rows(plan: Plan) -> Iterator[Row]:
    rng = random.Random(f"{plan.seed}:queue")
    latest: dict[int, EventPlan] = {}
    upcoming: dict[int, EventPlan] = {}
    for e in plan.events:
        if e.status in ("completed", "active"):
            latest[e.partner_id] = e
        elif e.status == "upcoming" and e.partner_id not in upcoming:
            upcoming[e.partner_id] = e
    number = 0
    for partner_id, provider_id in _provider_pairs():
        for job in range(5):
            number += 1
            queued = job == 4
            event = upcoming.get(partner_id) if queued else latest.get(partner_id)
            event = event or latest.get(partner_id) or plan.events[0]
            created = REFERENCE_NOON - dt.timedelta(hours=rng.randint(1, 24 * 14))
            if queued:
                status, attempts = "queued", 0
                scheduled = REFERENCE_NOON + dt.timedelta(minutes=rng.randint(5, 600))
            else:
                failed = rng.random() < 0.08
                status, attempts = ("failed", 3) if failed else ("done", 1)
                scheduled = created
            payload = {
                "ct_event_id": event.id,
                "event_name": event.name,
                "since": (event.date - dt.timedelta(days=1)).isoformat(),
            }
            yield (
                number,
                partner_id,
                provider_id,
                ref.SYNC_JOBS[job % len(ref.SYNC_JOBS)],
                payload,
                status,
                3 if queued else 5,
                attempts,
                scheduled,
                created,
                created,  # updated_at: nothing has touched the job since
            )


def small_tables(
    plan: Plan, key_hashes: Mapping[str, str | None]
) -> Iterator[tuple[str, Iterator[Row] | list[Row]]]:
    """(table, rows) in an order that satisfies every foreign key."""
    yield "timing_partners", partner_rows()
    yield "providers", provider_rows()
    yield "users", user_rows(plan.seed, key_hashes)
    yield "timing_partner_haku_orgs", haku_org_rows(plan.seed)
    yield "partner_provider_credentials", credential_rows(plan.seed)
    yield "ct_events", ct_event_rows(plan)
    yield "ct_races", ct_race_rows(plan)
    yield "event_weather", weather_rows(plan)
    yield "events", catalogue_rows(plan)
    yield "runsignup_events", rsu_event_rows(plan)
    yield "runsignup_races", rsu_race_rows(plan)
    yield "raceroster_events", raceroster_rows(plan)
    yield "sync_history", sync_history_rows(plan)
    yield "sync_queue", sync_queue_rows(plan)
