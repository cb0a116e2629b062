"""The content the documented example questions name, fixed at every scale: the four
featured marathons, Big River Race Management's events and Michael Wardian's marathons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Featured:
    """A series the documented example questions name: fixed at every scale."""

    name: str
    partner: str  # slug
    city: str
    state: str
    month: int
    rule: str
    races: tuple[tuple[str, int, int], ...]  # (distance, field at scale 1, minimum field)
    speed: float  # < 1: a faster field (Boston qualifiers)
    website: str


FEATURED_YEARS = tuple(range(2019, 2026))
# Field size by edition year, relative (2020 and 2021 ran small).
YEAR_FIELD = {2019: 1.0, 2020: 0.55, 2021: 0.75, 2022: 0.9, 2023: 1.0, 2024: 1.05, 2025: 1.1}
FEATURED: tuple[Featured, ...] = (
    Featured("Boston Marathon", "bay-state", "Boston", "MA", 4, "mon3",
             (("Marathon", 4800, 300),), 0.86, "https://boston-marathon.example.org"),
    Featured("Chicago Marathon", "windy-city", "Chicago", "IL", 10, "sun2",
             (("Marathon", 5200, 300),), 0.98, "https://chicago-marathon.example.org"),
    Featured("Shamrock Marathon", "tidewater", "Virginia Beach", "VA", 3, "sun3",
             (("Marathon", 2600, 300), ("Half Marathon", 3400, 150)), 1.0,
             "https://shamrock-marathon.example.org"),
    Featured("Hartford Marathon", "nutmeg", "Hartford", "CT", 10, "sat2",
             (("Marathon", 2400, 300), ("Half Marathon", 3000, 150)), 1.0,
             "https://hartford-marathon.example.org"),
)  # fmt: skip
FEATURED_NAMES = frozenset(f.name.lower() for f in FEATURED)
FEATURED_NAMES_CASED = frozenset(f.name for f in FEATURED)


@dataclass(frozen=True)
class BigRiverEvent:
    name: str
    city: str
    state: str
    start: dt.date
    end: dt.date
    races: tuple[tuple[str, int, int], ...]  # (distance, field at scale 1, minimum field)


BIG_RIVER = "Big River Race Management"
_D = dt.date
# Relative to REFERENCE_DATE (2026-11-25): two events in progress, five ahead, the rest done.
BIG_RIVER_EVENTS: tuple[BigRiverEvent, ...] = (
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2024, 4, 21), _D(2024, 4, 21),
                  (("Half Marathon", 2400, 60), ("10K", 1200, 40), ("5K", 1800, 40))),
    BigRiverEvent("Big River Turkey Trot", "St. Charles", "MO", _D(2024, 11, 28),
                  _D(2024, 11, 28), (("5K", 4000, 60), ("10K", 1500, 40))),
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2025, 4, 20), _D(2025, 4, 20),
                  (("Half Marathon", 2600, 60), ("10K", 1300, 40), ("5K", 1900, 40))),
    BigRiverEvent("Big River Marathon", "Hannibal", "MO", _D(2025, 10, 19), _D(2025, 10, 19),
                  (("Marathon", 900, 60), ("Half Marathon", 1600, 40))),
    BigRiverEvent("Big River Turkey Trot", "St. Charles", "MO", _D(2025, 11, 27),
                  _D(2025, 11, 27), (("5K", 4200, 60), ("10K", 1600, 40))),
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2026, 4, 19), _D(2026, 4, 19),
                  (("Half Marathon", 2700, 60), ("10K", 1300, 40), ("5K", 2000, 40))),
    BigRiverEvent("Big River Marathon", "Hannibal", "MO", _D(2026, 10, 18), _D(2026, 10, 18),
                  (("Marathon", 950, 60), ("Half Marathon", 1700, 40))),
    BigRiverEvent("Big River Fall Trail Series", "Alton", "IL", _D(2026, 9, 12), _D(2026, 12, 5),
                  (("10K", 400, 30), ("Half Marathon", 250, 30))),
    BigRiverEvent("Big River Virtual Turkey Trot", "St. Louis", "MO", _D(2026, 11, 16),
                  _D(2026, 11, 30), (("5K", 800, 30), ("10K", 300, 30))),
    BigRiverEvent("Big River Turkey Trot", "St. Charles", "MO", _D(2026, 11, 26),
                  _D(2026, 11, 26), (("5K", 4300, 60), ("10K", 1700, 40), ("1 Mile", 500, 30))),
    BigRiverEvent("Big River Jingle Bell 5K", "St. Louis", "MO", _D(2026, 12, 12),
                  _D(2026, 12, 12), (("5K", 1500, 40),)),
    BigRiverEvent("Big River New Year's Day 10K", "Chesterfield", "MO", _D(2027, 1, 1),
                  _D(2027, 1, 1), (("10K", 900, 40), ("5K", 700, 40))),
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2027, 4, 18), _D(2027, 4, 18),
                  (("Half Marathon", 2800, 60), ("10K", 1300, 40), ("5K", 2000, 40))),
    BigRiverEvent("Big River Marathon", "Hannibal", "MO", _D(2027, 10, 17), _D(2027, 10, 17),
                  (("Marathon", 1000, 60), ("Half Marathon", 1800, 40))),
)  # fmt: skip


@dataclass(frozen=True)
class Appearance:
    event: str
    year: int
    chip_seconds: int


# Michael Wardian (born 1974-04-12): his best marathon is 2:24:37 at Hartford 2023.
WARDIAN_FIRST, WARDIAN_LAST = "Michael", "Wardian"
WARDIAN_BIRTHDAY = dt.date(1974, 4, 12)
WARDIAN_HOME = ("Arlington", "VA")
WARDIAN_PR = 2 * 3600 + 24 * 60 + 37
WARDIAN_PR_EVENT, WARDIAN_PR_YEAR = "Hartford Marathon", 2023
WARDIAN: tuple[Appearance, ...] = (
    Appearance("Boston Marathon", 2019, 2 * 3600 + 38 * 60 + 21),
    Appearance("Shamrock Marathon", 2020, 2 * 3600 + 41 * 60 + 5),
    Appearance("Chicago Marathon", 2021, 2 * 3600 + 36 * 60 + 44),
    Appearance("Boston Marathon", 2022, 2 * 3600 + 43 * 60 + 10),
    Appearance(WARDIAN_PR_EVENT, WARDIAN_PR_YEAR, WARDIAN_PR),
    Appearance("Chicago Marathon", 2024, 2 * 3600 + 33 * 60 + 52),
    Appearance("Shamrock Marathon", 2025, 2 * 3600 + 46 * 60 + 30),
    Appearance("Hartford Marathon", 2025, 2 * 3600 + 29 * 60 + 58),
)
