"""The people side of the model: finishers, their split times, and entrants.

A finisher is a finish row with status finished; a split is any other timing
point's row; an entrant is a participant, whatever the outcome.
"""

from __future__ import annotations

from .model_types import Dimension, Entity, Kind, Measure
from .model_types import dim as _d
from .model_types import dims as _dims
from .result_conditions import (
    BEAT_BQ_BY,
    BOSTON_QUALIFIER,
    BOSTON_QUALIFIER_OF,
    FINISHER_SHARES,
    HOMES_COUNTED,
    MISSED_BQ_BY,
    NEGATIVE_SPLIT,
    RACE_WINNER,
    TIME_TO_FINISH,
    TO_FINISH_MEASURES,
    WITHIN_OF_WINNER,
    share,
)

SEXES = ("M", "F", "X")
RESULT_STATUSES = ("finished", "dnf", "dns", "dq")
EVENT_STATUSES = ("upcoming", "active", "completed", "cancelled")

# -- shared dimension groups -------------------------------------------------------------------


def event_dimensions(alias: str = "e", *, country: bool = True) -> tuple[Dimension, ...]:
    """An event's name, date and place; the registration platforms' events have no country."""
    a = alias
    return (
        _d("event", f"{a}.name", Kind.TEXT, "event", a),
        _d("event_date", f"{a}.event_date", Kind.DATE, "event date", a),
        _d("year", f"date_part('year', {a}.event_date)::integer", Kind.INT, "year", a),
        _d("month", f"date_part('month', {a}.event_date)::integer", Kind.INT, "month", a),
        _d("weekday", f"to_char({a}.event_date, 'FMDay')", Kind.TEXT, "day of the week", a),
        _d("event_city", f"{a}.city", Kind.TEXT, "event city", a),
        _d("event_state", f"{a}.state", Kind.TEXT, "event state", a),
        *((_d("event_country", f"{a}.country", Kind.TEXT, "event country", a),) if country else ()),
    )


CT_EVENT_DIMENSIONS = (
    *event_dimensions("e"),
    _d("event_status", "e.status", Kind.ENUM, "event status", "e", values=EVENT_STATUSES),
    _d("partner", "tp.name", Kind.TEXT, "timing partner", "tp"),
)
RACE_DIMENSIONS = (
    _d("race", "ra.name", Kind.TEXT, "race", "ra"),
    _d("distance_km", "ra.distance_km", Kind.NUMBER, "distance (km)", "ra"),
)
PERSON_DIMENSIONS = (
    _d("bib", "p.bib", Kind.TEXT, "bib", "p"),
    _d("first_name", "p.first_name", Kind.TEXT, "first name", "p"),
    _d("last_name", "p.last_name", Kind.TEXT, "last name", "p"),
    _d("sex", "p.sex", Kind.ENUM, "sex", "p", values=SEXES),
    _d("age", "p.age", Kind.INT, "age", "p"),
    _d("age_group", "(p.age / 10) * 10", Kind.INT, "age group (10 years from)", "p"),
    # "masters against open": 40 and over, or under 40 (no age: neither)
    _d(
        "age_class",
        "CASE WHEN p.age >= 40 THEN 'masters (40+)' WHEN p.age < 40 THEN 'open (under 40)' END",
        Kind.TEXT,
        "masters or open",
        "p",
    ),
    _d("city", "p.city", Kind.TEXT, "city", "p"),
    _d("state", "p.state", Kind.TEXT, "state", "p"),
    _d("country", "p.country", Kind.TEXT, "country", "p"),
)
CONTACT_DIMENSIONS = (
    _d("email", "p.email", Kind.TEXT, "e-mail", "p"),
    _d("phone", "p.phone", Kind.TEXT, "phone", "p"),
    # "with no phone number": a blank one is none either
    Dimension("has_email", "(p.email IS NOT NULL AND p.email <> '')", Kind.BOOL,
              "with an e-mail address", ("p",), shown=False),
    Dimension("has_phone", "(p.phone IS NOT NULL AND p.phone <> '')", Kind.BOOL,
              "with a phone number", ("p",), shown=False),
)  # fmt: skip
RESULT_DIMENSIONS = (
    _d("chip_time", "r.chip_time", Kind.TIME, "chip time", "r"),
    _d("gun_time", "r.gun_time", Kind.TIME, "gun time", "r"),
    _d("pace_per_mile", "r.pace_per_mile", Kind.TIME, "pace per mile", "r"),
    _d("pace_per_km", "r.chip_time / ra.distance_km::float8", Kind.TIME, "pace per km", "r", "ra"),
    _d("overall_place", "r.overall_place", Kind.INT, "overall place", "r"),
    _d("sex_place", "r.sex_place", Kind.INT, "place by sex", "r"),
    _d("division", "r.division", Kind.TEXT, "division", "r"),
    _d("division_place", "r.division_place", Kind.INT, "division place", "r"),
    _d("status", "r.status", Kind.ENUM, "result status", "r", values=RESULT_STATUSES),
)
# Finishers per 30 minutes of chip time: a distribution is a count grouped by this.
TIME_BAND = _d(
    "time_band",
    "floor(extract(epoch FROM r.chip_time) / 1800) * interval '30 minutes'",
    Kind.TIME,
    "finish time (30-minute band from)",
    "r",
)


TIME_MEASURES = (
    Measure("count", "count(*)", "count", "finishers"),
    Measure("average_time", "avg(r.chip_time)", "time", "average time"),
    Measure(
        "median_time", "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.chip_time)", "time", "median"
    ),
    Measure(
        "interquartile_range",
        "percentile_cont(0.75) WITHIN GROUP (ORDER BY r.chip_time)"
        " - percentile_cont(0.25) WITHIN GROUP (ORDER BY r.chip_time)",
        "time",
        "interquartile range",
    ),
    Measure(
        "percentile_time",
        "percentile_cont(%(percentile)s) WITHIN GROUP (ORDER BY r.chip_time)",
        "time",
        "percentile time",
    ),
    Measure(
        "percentile_pace_per_mile",
        "percentile_cont(%(percentile)s) WITHIN GROUP (ORDER BY r.pace_per_mile)",
        "time",
        "percentile pace per mile",
    ),
    Measure(
        "percentile_pace_per_km",
        "percentile_cont(%(percentile)s)"
        " WITHIN GROUP (ORDER BY r.chip_time / ra.distance_km::float8)",
        "time",
        "percentile pace per km",
        ("ra",),
    ),
    Measure("fastest_time", "min(r.chip_time)", "time", "fastest time"),
    Measure("slowest_time", "max(r.chip_time)", "time", "slowest time"),
    Measure("average_pace_per_mile", "avg(r.pace_per_mile)", "time", "average pace per mile"),
    Measure(
        "average_pace_per_km",
        "avg(r.chip_time / ra.distance_km::float8)",
        "time",
        "average pace per km",
        ("ra",),
    ),
    Measure("fastest_pace_per_mile", "min(r.pace_per_mile)", "time", "fastest pace per mile"),
    Measure("slowest_pace_per_mile", "max(r.pace_per_mile)", "time", "slowest pace per mile"),
    Measure(
        "median_pace_per_mile",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.pace_per_mile)",
        "time",
        "median pace per mile",
    ),
    Measure(
        "fastest_pace_per_km",
        "min(r.chip_time / ra.distance_km::float8)",
        "time",
        "fastest pace per km",
        ("ra",),
    ),
    Measure(
        "slowest_pace_per_km",
        "max(r.chip_time / ra.distance_km::float8)",
        "time",
        "slowest pace per km",
        ("ra",),
    ),
    Measure(
        "median_pace_per_km",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.chip_time / ra.distance_km::float8)",
        "time",
        "median pace per km",
        ("ra",),
    ),
    # Gun (clock) time: from the start signal, not from crossing the start mat.
    Measure("average_gun_time", "avg(r.gun_time)", "time", "average gun time"),
    Measure(
        "median_gun_time",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.gun_time)",
        "time",
        "median gun time",
    ),
    # Gun minus chip: the time a runner took from the gun to the start mat.
    Measure(
        "average_gun_chip_gap", "avg(r.gun_time - r.chip_time)", "time", "average gun - chip time"
    ),
    Measure(
        "largest_gun_chip_gap", "max(r.gun_time - r.chip_time)", "time", "largest gun - chip time"
    ),
    Measure("fastest_gun_time", "min(r.gun_time)", "time", "fastest gun time"),
    Measure("slowest_gun_time", "max(r.gun_time)", "time", "slowest gun time"),
    Measure("average_age", "round(avg(p.age), 1)", "years", "average age", ("p",)),
    Measure(
        "median_age",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY p.age)",
        "years",
        "median age",
        ("p",),
    ),
    Measure(
        "percentile_age",
        "percentile_cont(%(percentile)s) WITHIN GROUP (ORDER BY p.age)",
        "years",
        "percentile age",
        ("p",),
    ),
    Measure("youngest_age", "min(p.age)", "years", "youngest age", ("p",)),
    Measure("oldest_age", "max(p.age)", "years", "oldest age", ("p",)),
)

RESULT_JOINS = {
    "p": ("JOIN ct_participants AS p ON p.id = r.participant_id", ()),
    "ra": ("JOIN ct_races AS ra ON ra.id = r.race_id", ()),
    "e": ("JOIN ct_events AS e ON e.id = r.event_id", ()),
    "tp": ("JOIN timing_partners AS tp ON tp.id = r.timing_partner_id", ()),
}
RESULT_COLUMNS = (
    "event",
    "event_date",
    "race",
    "bib",
    "first_name",
    "last_name",
    "sex",
    "age",
    "city",
    "state",
    "chip_time",
    "overall_place",
    "sex_place",
    "division",
    "division_place",
)

FINISHERS = Entity(
    name="finishers",
    label="finishers",
    root="ct_results AS r",
    alias="r",
    joins=RESULT_JOINS,
    base_filters=("r.timing_point = 'Finish'", "r.status = 'finished'"),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        *RACE_DIMENSIONS,
        *PERSON_DIMENSIONS,
        *CONTACT_DIMENSIONS,
        *RESULT_DIMENSIONS,
        BOSTON_QUALIFIER,
        BOSTON_QUALIFIER_OF,
        NEGATIVE_SPLIT,
        WITHIN_OF_WINNER,
        BEAT_BQ_BY,
        MISSED_BQ_BY,
        TIME_BAND,
    ),
    measures={m.name: m for m in TIME_MEASURES} | FINISHER_SHARES | HOMES_COUNTED,
    columns=RESULT_COLUMNS,
    default_order=(("chip_time", False), ("event_date", True)),
    partner_aliases=("r", "p", "ra", "e"),
    lifted_by={"status": ("r.status = 'finished'",)},
)

SPLITS = Entity(
    name="splits",
    label="split times",
    root="ct_results AS r",
    alias="r",
    joins=RESULT_JOINS,
    base_filters=("r.timing_point <> 'Finish'",),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        *RACE_DIMENSIONS,
        *PERSON_DIMENSIONS,
        *RESULT_DIMENSIONS,
        _d("timing_point", "r.timing_point", Kind.TEXT, "timing point", "r"),
        _d("split_km", "r.split_km", Kind.NUMBER, "split (km)", "r"),
        _d("race_winner", RACE_WINNER, Kind.BOOL, "the race's winner", "r"),
        # A split's pace is over the distance run so far, not the race's.
        _d("pace_per_km", "r.chip_time / r.split_km::float8", Kind.TIME, "pace per km", "r"),
        _d("time_to_finish", TIME_TO_FINISH, Kind.TIME, "split to finish", "r"),
    ),
    measures=TO_FINISH_MEASURES
    | {
        m.name: m
        for m in TIME_MEASURES
        if m.name not in ("average_pace_per_km",)  # a split's pace is per its own distance
    }
    | {"count": Measure("count", "count(*)", "count", "split times")},
    columns=(
        "event",
        "event_date",
        "race",
        "bib",
        "first_name",
        "last_name",
        "timing_point",
        "split_km",
        "chip_time",
        "pace_per_mile",
    ),
    default_order=(("event_date", True), ("last_name", False), ("split_km", False)),
    partner_aliases=("r", "p", "ra", "e"),
    lifted_by={"timing_point": ("r.timing_point <> 'Finish'",)},
)

# A participant's outcome: the status on their result rows, the finish row first. Someone
# with no result row at all never crossed a mat: a DNS.
PARTICIPANT_STATUS = (
    "coalesce((SELECT x.status FROM ct_results AS x WHERE x.participant_id = p.id"
    " AND x.timing_partner_id = p.timing_partner_id"
    " ORDER BY (x.timing_point = 'Finish') DESC, x.id LIMIT 1), 'dns')"
)


# Rates over the entrants: a DNF among those who started, a DNS among everyone entered.
OUTCOME_RATES = {
    "dnf_rate": Measure(
        "dnf_rate",
        share(f"{PARTICIPANT_STATUS} = 'dnf'", f"{PARTICIPANT_STATUS} <> 'dns'"),
        "percent",
        "DNF rate (% of starters)",
    ),
    "finish_rate": Measure(
        "finish_rate",
        share(f"{PARTICIPANT_STATUS} = 'finished'", f"{PARTICIPANT_STATUS} <> 'dns'"),
        "percent",
        "finish rate (% of starters)",
    ),
    "dns_rate": Measure(
        "dns_rate", share(f"{PARTICIPANT_STATUS} = 'dns'"), "percent", "DNS rate (% of entrants)"
    ),
}
ENTRANTS = Entity(
    name="entrants",
    label="entrants",
    root="ct_participants AS p",
    alias="p",
    joins={
        "ra": ("JOIN ct_races AS ra ON ra.id = p.race_id", ()),
        "e": ("JOIN ct_events AS e ON e.id = p.event_id", ()),
        "tp": ("JOIN timing_partners AS tp ON tp.id = p.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        *RACE_DIMENSIONS,
        *PERSON_DIMENSIONS,
        *CONTACT_DIMENSIONS,
        _d("outcome", PARTICIPANT_STATUS, Kind.ENUM, "outcome", "p", values=RESULT_STATUSES),
        _d("registered_at", "p.registered_at::date", Kind.DATE, "registered on", "p"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "entrants"),
        "average_age": Measure("average_age", "round(avg(p.age), 1)", "years", "average age"),
        "median_age": Measure(
            "median_age",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY p.age)",
            "years",
            "median age",
        ),
        "percentile_age": Measure(
            "percentile_age",
            "percentile_cont(%(percentile)s) WITHIN GROUP (ORDER BY p.age)",
            "years",
            "percentile age",
        ),
        "youngest_age": Measure("youngest_age", "min(p.age)", "years", "youngest age"),
        "oldest_age": Measure("oldest_age", "max(p.age)", "years", "oldest age"),
        **OUTCOME_RATES,
        **HOMES_COUNTED,
    },
    columns=(
        "event",
        "event_date",
        "race",
        "bib",
        "first_name",
        "last_name",
        "sex",
        "age",
        "city",
        "state",
    ),
    default_order=(("event_date", True), ("last_name", False), ("first_name", False)),
    partner_aliases=("p", "ra", "e"),
)
