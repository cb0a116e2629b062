"""Who runs: a participant drawn for a race (sex, age, name, home, e-mail, phone), and
Michael Wardian as he appears in the featured marathons."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import unicodedata
from dataclasses import dataclass
from functools import cache

from project88.demodata import reference as ref
from project88.demodata.generate.stamps import UTC
from project88.demodata.plan import RacePlan


@cache
def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


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
class RaceContext:
    race: RacePlan
    state: ref.State
    ages: tuple[list[int], list[float]]
    abroad: float
    male: float


def race_context(race: RacePlan) -> RaceContext:
    event = race.event
    big = event.featured in ("Boston Marathon", "Chicago Marathon")
    adult = race.distance.km > 30
    return RaceContext(
        race,
        ref.STATE_BY_CODE[event.state],
        AGES_ADULT if adult else AGES_ALL,
        0.14 if big else 0.03,
        race.distance.male_share,
    )


def draw_person(
    rng: random.Random,
    ctx: RaceContext,
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


def wardian(race: RacePlan) -> Person:
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
