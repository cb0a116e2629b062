"""The race distances: each one's optional timing points, start time, fees, DNF/DNS rates
and field shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Distance:
    """A race distance: its timing points and the shape of its field."""

    name: str  # the race's name: "Marathon", "Half Marathon", "5K"
    km: float
    km_text: str  # as stored (NUMERIC(7,3) rounds 21.0975 to 21.098)
    # Optional split points in the order they are added as a race gets more mats.
    splits: tuple[tuple[str, float], ...]
    typical_points: tuple[int, ...]  # timing points incl. Finish, drawn for a new race
    field_factor: float  # short races draw a slower, more casual field
    start: dt.time  # local start time
    fee: tuple[float, float]  # RunSignUp / Race Roster fee range, dollars
    dnf_rate: float
    dns_rate: float
    size_mu: float  # log of the typical field size at scale 1
    male_share: float


def format_km(value: float) -> str:
    """A distance as stored in NUMERIC(7,3) columns' input: up to four decimals."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


MILE = 1.609344


def _d(
    name: str,
    km: float,
    splits: tuple[tuple[str, float], ...],
    typical: tuple[int, ...],
    field: float,
    start: str,
    fee: tuple[float, float],
    dnf: float,
    dns: float,
    size: float,
    male: float,
) -> Distance:
    return Distance(name, km, format_km(km), splits, typical, field, dt.time.fromisoformat(start),
                    fee, dnf, dns, size, male)  # fmt: skip


HALF_KM = 21.0975
MARATHON_KM = 42.195
DISTANCES: dict[str, Distance] = {
    d.name: d
    for d in (
        _d("1 Mile", MILE, (), (1,), 1.12, "09:30", (25, 30), 0.0, 0.02, 4.0, 0.45),
        _d("5K", 5.0, (("Mile 1", MILE), ("Mile 2", 2 * MILE), ("Mile 3", 3 * MILE)),
           (1, 1, 2, 2, 3), 1.12, "08:30", (25, 45), 0.004, 0.03, 4.5, 0.41),
        _d("4 Mile", 4 * MILE, (("Mile 2", 2 * MILE), ("Mile 1", MILE), ("Mile 3", 3 * MILE)),
           (1, 2, 2), 1.08, "08:00", (30, 45), 0.004, 0.03, 4.5, 0.45),
        _d("8K", 8.0, (("4K", 4.0), ("Mile 1", MILE), ("Mile 3", 3 * MILE)),
           (1, 2, 2), 1.07, "08:00", (35, 50), 0.005, 0.03, 4.4, 0.46),
        _d("10K", 10.0, (("5K", 5.0), ("Mile 2", 2 * MILE), ("8K", 8.0), ("Mile 4", 4 * MILE)),
           (2, 2, 3), 1.05, "08:00", (40, 60), 0.007, 0.03, 4.5, 0.47),
        _d("15K", 15.0, (("10K", 10.0), ("5K", 5.0), ("Mile 6", 6 * MILE)),
           (2, 3, 3), 1.02, "07:45", (50, 70), 0.01, 0.03, 4.3, 0.5),
        _d("10 Mile", 10 * MILE, (("10K", 10.0), ("5K", 5.0), ("15K", 15.0), ("Mile 5", 5 * MILE)),
           (3, 3, 4), 1.01, "07:30", (55, 85), 0.012, 0.03, 4.5, 0.5),
        _d("Half Marathon", HALF_KM,
           (("10K", 10.0), ("5K", 5.0), ("15K", 15.0), ("20K", 20.0), ("10 Mile", 10 * MILE)),
           (4, 4, 5, 5, 6), 1.0, "07:30", (85, 135), 0.015, 0.035, 5.6, 0.43),
        _d("Marathon", MARATHON_KM,
           (("Half", HALF_KM), ("10K", 10.0), ("30K", 30.0), ("5K", 5.0), ("20K", 20.0),
            ("35K", 35.0), ("15K", 15.0), ("25K", 25.0), ("40K", 40.0)),
           (6, 7, 8, 9, 10), 1.0, "07:00", (140, 225), 0.03, 0.04, 5.9, 0.57),
        _d("50K", 50.0,
           (("Marathon", MARATHON_KM), ("25K", 25.0), ("10K", 10.0), ("40K", 40.0), ("20K", 20.0),
            ("30K", 30.0)),
           (4, 5, 6), 1.08, "06:30", (100, 139), 0.06, 0.05, 4.2, 0.62),
    )
}  # fmt: skip
