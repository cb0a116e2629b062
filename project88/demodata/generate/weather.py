"""The weather observed at each event that took place, hour by hour from its first start."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from project88.demodata import reference as ref
from project88.demodata.generate.columns import Row
from project88.demodata.generate.stamps import race_start
from project88.demodata.plan import Plan


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
