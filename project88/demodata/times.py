"""Finish and split times: pure functions of a ``random.Random`` and a runner.

A runner's ability is a marathon-equivalent time drawn log-normally around a
median for their sex, slowed by age, clipped to 2:05-7:00. Other distances
follow Riegel's formula (``t2 = t1 * (d2 / d1) ** 1.06``: a half is about 0.48
of a marathon), times a field factor (short races draw a more casual field).
Splits are the finish time's share of the distance raised to a per-runner
fade exponent (most runners slow down), with a little noise, kept strictly
increasing and below the finish.
"""

from __future__ import annotations

import math
import random

from project88.demodata.reference import MARATHON_KM, MILE, Distance

MARATHON_MIN = 2 * 3600 + 5 * 60  # 2:05:00
MARATHON_MAX = 7 * 3600  # 7:00:00
# Median marathon of a 25-35-year-old in a typical US field.
MEDIAN = {"M": 4 * 3600 + 8 * 60, "F": 4 * 3600 + 35 * 60, "X": 4 * 3600 + 22 * 60}
SIGMA = 0.155
RIEGEL = 1.06


def age_factor(age: int) -> float:
    """How much slower than at 25-35 (1.0): teenagers a little, then ~0.8 %/year from 36."""
    if age < 20:
        return 1.0 + 0.015 * (20 - age)
    if age <= 35:
        return 1.0
    if age <= 60:
        return 1.0 + 0.008 * (age - 35)
    return 1.2 + 0.016 * (age - 60)


def marathon_ability(rng: random.Random, sex: str, age: int, speed: float = 1.0) -> float:
    """A marathon-equivalent time in seconds, within 2:05-7:00 (redrawn, then clipped)."""
    median = MEDIAN[sex] * age_factor(age) * speed
    for _ in range(3):
        value = median * math.exp(rng.gauss(0.0, SIGMA))
        if MARATHON_MIN <= value <= MARATHON_MAX:
            return value
    return min(max(value, MARATHON_MIN), MARATHON_MAX - rng.uniform(0, 1800))


def distance_time(ability: float, distance: Distance) -> int:
    """Finish seconds over ``distance`` for a runner of marathon-equivalent ``ability``."""
    ratio = (distance.km / MARATHON_KM) ** RIEGEL
    return round(ability * ratio * distance.field_factor)


def splits(rng: random.Random, finish: int, race_km: float, split_kms: list[float]) -> list[int]:
    """Elapsed seconds at each split (ascending km), strictly increasing and below ``finish``."""
    fade = 1.0 + min(max(rng.gauss(0.045, 0.035), -0.01), 0.15)
    out: list[int] = []
    previous = 0
    remaining = len(split_kms)
    for km in split_kms:
        remaining -= 1
        share = (km / race_km) ** fade
        value = round(finish * share * (1.0 + rng.gauss(0.0, 0.006)))
        value = min(max(value, previous + 1), finish - 1 - remaining)
        out.append(value)
        previous = value
    return out


def start_delay(rng: random.Random, field: int, share: float) -> int:
    """Seconds between the gun and a runner crossing the start mat (0-600).

    ``share`` is the runner's expected position in the field (0 = front): big
    fields start in corrals, so the slow end waits minutes.
    """
    if field < 300:
        return rng.randrange(0, 30)
    spread = min(600.0, field / 10.0)
    return min(600, max(0, round(share * spread + rng.uniform(-20, 20))))


def pace_per_mile(seconds: int, km: float) -> int:
    return round(seconds * MILE / km)


def division(sex: str, age: int) -> str:
    """The age-group label: "M 40-44" (youngest band 14-19, then five-year bands)."""
    if age < 20:
        return f"{sex} 14-19"
    low = age - age % 5
    return f"{sex} {low}-{low + 4}"


def _hms(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


_HMS_TABLE = [_hms(s) for s in range(9 * 3600)]  # every time a 7-hour marathon can show


def hms(seconds: int) -> str:
    """``H:MM:SS`` as PostgreSQL reads an interval."""
    return _HMS_TABLE[seconds] if 0 <= seconds < len(_HMS_TABLE) else _hms(seconds)
