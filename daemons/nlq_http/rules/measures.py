"""Which measures a question asks for: counts, averages, medians, percentiles, paces."""

from __future__ import annotations

import re

from ..model import MODEL
from ..query import MeasureRef
from .filters import Unanswerable
from .scan import Scan

_TIME_MEASURES = ("average_time", "median_time", "fastest_time", "slowest_time")
_WEATHER_READINGS = (
    ("temperature", re.compile(r"\btemp")),
    ("humidity", re.compile(r"\bhumid")),
    ("wind", re.compile(r"\bwind")),
)


def _weather_readings(scan: Scan) -> list[str]:
    """ "average humidity", "average temperature and wind": what was measured; temperature
    unless another is said."""
    return [name for name, said in _WEATHER_READINGS if said.search(scan.low)] or ["temperature"]


def measures_for(scan: Scan, entity: str) -> list[MeasureRef]:
    """The aggregates asked for, each the entity's own: one it lacks is refused, not dropped."""
    flags, available = scan.flags, MODEL[entity].measures
    wanted: list[MeasureRef] = []

    def add(name: str, percentile: float | None = None, *, optional: bool = False) -> None:
        ref = MeasureRef(name=name, percentile=percentile)
        if name not in available:
            if optional:
                return
            label = name.replace("_", " ")
            raise Unanswerable(f"{MODEL[entity].label} have no {label}")  # never dropped
        if ref not in wanted:
            wanted.append(ref)

    if "largest_gun_chip_gap" in flags:  # gun minus chip: how long it took to reach the start
        add("largest_gun_chip_gap")
    elif "gun_chip_gap" in flags:
        if "average" not in flags:
            raise Unanswerable(
                "say which gap between gun and chip time: the average or the largest"
            )
        add("average_gun_chip_gap")
        flags.discard("average")  # the average asked for is the gap's, not the time's
    if "iqr" in flags:
        add("interquartile_range")
    for name in scan.slots.get("homes_counted", ()):
        add(name)
    for value in scan.slots.get("percentiles", ()):
        if "age_word" in flags:
            add("percentile_age", value)
        elif "pace" in flags:
            add("percentile_pace_per_km" if "per_km" in flags else "percentile_pace_per_mile",
                value)  # fmt: skip
        else:
            add("percentile_time", value)
    if "average" in flags:
        if "age_word" in flags:
            add("average_age")
        elif "pace" in flags:
            add("average_pace_per_km" if "per_km" in flags else "average_pace_per_mile")
        elif entity == "fees":
            add("average_fee")
        elif entity == "registrations":
            add("average_paid")
        elif entity == "weather":
            for reading in _weather_readings(scan):
                add(f"average_{reading}")
        else:
            add("average_time")
    if entity == "weather":
        for flag, name in (("lowest_temp", "lowest_temperature"), ("highest_temp",
                           "highest_temperature")):  # fmt: skip
            if flag in flags:
                add(name)
    pace = "pace" in flags and not flags & {"average"}
    unit = "per_km" if "per_km" in flags else "per_mile"
    if "median" in flags and "age_word" in flags:
        add("median_age")
    elif "median" in flags and entity == "registrations":
        add("median_paid")  # a registration's median is what was paid
    elif "median" in flags:
        add(f"median_pace_{unit}" if pace else "median_time")
    if "fastest_time" in flags:
        add(f"fastest_pace_{unit}" if pace else "fastest_time")
    if "slowest_time" in flags:
        add(f"slowest_pace_{unit}" if pace else "slowest_time")
    for flag in ("highest_paid", "lowest_paid"):  # one registration's payment, not a sum
        if flag in flags:
            add(flag)
    paid_extreme = flags & {"highest_paid", "lowest_paid"}
    if (
        entity == "registrations"
        and "revenue" in flags
        and not flags & {"average", "median"} | (paid_extreme)
    ):
        add("revenue")
    if flags & {"stats", "compare"} and entity in ("finishers", "splits"):
        for name in (
            ("count", *_TIME_MEASURES[:3]) if "compare" in flags else ("count", *_TIME_MEASURES)
        ):
            add(name)
    summed = flags & {"revenue", "fee", "weather"}
    if "count" in flags or scan.slots.get("rank_groups") or ("total" in flags and not summed):
        add("count")
    if "distribution" in flags and entity == "finishers":
        add("count")
        scan.group_by.insert(0, "time_band")
    for rate in scan.slots.get("rates", ()):
        add(rate)
    for extreme in ("youngest_age", "oldest_age"):
        if extreme in flags:
            add(extreme)
    if "to_finish" in flags:  # from a split to the line: the same measures over that stretch
        if any(m.name not in _TIME_MEASURES for m in wanted if m.name != "count"):
            raise Unanswerable("from a split to the finish, ask for the average, median,"
                               " fastest or slowest time")  # fmt: skip
        wanted = [MeasureRef(name=f"{m.name}_to_finish") if m.name in _TIME_MEASURES else m
                  for m in wanted]  # fmt: skip
    if "gun_and_chip" in flags:  # "avg gun time vs avg chip time": each measure over both
        for ref in list(wanted):
            gun = ref.name.replace("_time", "_gun_time")
            if ref.name in _TIME_MEASURES and gun in available:
                add(gun)
        flags.discard("gun_time")
    if "gun_time" in flags:  # the same measures over the gun time, or none at all
        gun = [MeasureRef(name=m.name.replace("_time", "_gun_time")) if m.name in _TIME_MEASURES
               else m for m in wanted]  # fmt: skip
        if any(m.name.endswith("_gun_time") and m.name not in available for m in gun) or any(
            m.name.startswith("percentile") for m in gun
        ):
            raise Unanswerable("gun times can be averaged, or their median, fastest or slowest")
        wanted = gun
    return wanted
