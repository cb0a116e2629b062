"""The semantic model of ``project88_myappdb``: the vocabulary every question is written in.

Entities are the things rows can be counted or listed of (finishers, entrants,
splits, events, races, weather readings, qualifying standards, registrations,
fees). Each entity has a root table and the joins it can reach; dimensions are
typed columns (or expressions over them) with the words people use for them;
measures are aggregates with a unit. The rules parser maps phrases onto these
names, the LLM may only pick among them, and ``compiler`` writes SQL from them
alone. Growing coverage means declaring a field and its synonyms here.

Every SQL fragment in this module is a constant; values travel as parameters.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.StrEnum):
    TEXT = "text"  # compared case-insensitively
    ENUM = "enum"  # one of ``values``
    INT = "int"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"  # a duration, shown H:MM:SS
    BOOL = "bool"
    RANGE = "range"  # a value compared to [low, high] columns (an age within a standard's band)
    CONDITION = "condition"  # a boolean SQL condition with "{value}" where the value goes


@dataclass(frozen=True)
class Dimension:
    name: str
    sql: str  # over the aliases in ``needs``; for RANGE, "low_sql|high_sql"
    kind: Kind
    label: str  # for explanations and column names
    needs: tuple[str, ...]  # the table aliases it reads
    values: tuple[str, ...] = ()  # ENUM: the stored values
    shown: bool = True  # may be grouped by and listed (RANGE and filter-only ones are not)


@dataclass(frozen=True)
class Measure:
    name: str
    sql: str  # an aggregate; "%(percentile)s" where the query's percentile goes
    unit: str  # "count", "time", "km", "years", "usd", "celsius", "percent", "kph"
    label: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    name: str
    label: str  # plural noun for explanations: "finishers"
    root: str  # "ct_results AS r"
    alias: str
    joins: dict[str, tuple[str, tuple[str, ...]]]  # alias -> (JOIN clause, aliases it needs)
    base_filters: tuple[str, ...]  # constant conditions that define the entity
    dimensions: dict[str, Dimension]
    measures: dict[str, Measure]
    columns: tuple[str, ...]  # dimensions listed by default
    default_order: tuple[tuple[str, bool], ...]  # (dimension, descending)
    partner_aliases: tuple[str, ...]  # aliases carrying timing_partner_id (tenant predicate)
    database: str = "production"
    # Base filters a filter on these dimensions replaces ("status = dnf" lifts "finished").
    lifted_by: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _dims(*dims: Dimension) -> dict[str, Dimension]:
    return {d.name: d for d in dims}


def _d(
    name: str, sql: str, kind: Kind, label: str, *needs: str, values: tuple[str, ...] = ()
) -> Dimension:
    return Dimension(name, sql, kind, label, needs, values)


SEXES = ("M", "F", "X")
RESULT_STATUSES = ("finished", "dnf", "dns", "dq")
EVENT_STATUSES = ("upcoming", "active", "completed", "cancelled")

# -- shared dimension groups -------------------------------------------------------------------


def event_dimensions(alias: str = "e") -> tuple[Dimension, ...]:
    a = alias
    return (
        _d("event", f"{a}.name", Kind.TEXT, "event", a),
        _d("event_date", f"{a}.event_date", Kind.DATE, "event date", a),
        _d("year", f"date_part('year', {a}.event_date)::integer", Kind.INT, "year", a),
        _d("month", f"date_part('month', {a}.event_date)::integer", Kind.INT, "month", a),
        _d("event_city", f"{a}.city", Kind.TEXT, "event city", a),
        _d("event_state", f"{a}.state", Kind.TEXT, "event state", a),
        _d("event_country", f"{a}.country", Kind.TEXT, "event country", a),
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
    _d("city", "p.city", Kind.TEXT, "city", "p"),
    _d("state", "p.state", Kind.TEXT, "state", "p"),
    _d("country", "p.country", Kind.TEXT, "country", "p"),
)
CONTACT_DIMENSIONS = (
    _d("email", "p.email", Kind.TEXT, "e-mail", "p"),
    _d("phone", "p.phone", Kind.TEXT, "phone", "p"),
)
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
BOSTON_QUALIFIER = _d(
    "boston_qualifier", "r.boston_qualifier", Kind.BOOL, "Boston qualifier (latest standards)", "r"
)
# Judged at query time against a named edition's standards (the stored flag is the latest's).
BOSTON_QUALIFIER_OF = _d(
    "boston_qualifier_of",
    "EXISTS (SELECT 1 FROM boston_qualifying_standards AS bq WHERE bq.edition_year = {value}"
    " AND bq.sex = p.sex AND p.age BETWEEN bq.age_min AND bq.age_max"
    " AND r.chip_time <= bq.qualifying_time)",
    Kind.CONDITION,
    "Boston qualifier under the standards of",
    "r",
    "p",
)

TIME_MEASURES = (
    Measure("count", "count(*)", "count", "finishers"),
    Measure("average_time", "avg(r.chip_time)", "time", "average time"),
    Measure(
        "median_time", "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.chip_time)", "time", "median"
    ),
    Measure(
        "percentile_time",
        "percentile_cont(%(percentile)s) WITHIN GROUP (ORDER BY r.chip_time)",
        "time",
        "percentile time",
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
    Measure("average_age", "round(avg(p.age), 1)", "years", "average age", ("p",)),
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
    ),
    measures={m.name: m for m in TIME_MEASURES},
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
    ),
    measures={
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
    " ORDER BY (x.timing_point = 'Finish') DESC, x.id LIMIT 1), 'dns')"
)
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
        "youngest_age": Measure("youngest_age", "min(p.age)", "years", "youngest age"),
        "oldest_age": Measure("oldest_age", "max(p.age)", "years", "oldest age"),
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

EVENTS = Entity(
    name="events",
    label="events",
    root="ct_events AS e",
    alias="e",
    joins={"tp": ("JOIN timing_partners AS tp ON tp.id = e.timing_partner_id", ())},
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        _d("end_date", "e.end_date", Kind.DATE, "end date", "e"),
        _d("time_zone", "e.time_zone", Kind.TEXT, "time zone", "e"),
    ),
    measures={"count": Measure("count", "count(*)", "count", "events")},
    columns=("event", "event_date", "event_city", "event_state", "event_status", "partner"),
    default_order=(("event_date", True), ("event", False)),
    partner_aliases=("e",),
)

RACES = Entity(
    name="races",
    label="races",
    root="ct_races AS ra",
    alias="ra",
    joins={
        "e": ("JOIN ct_events AS e ON e.id = ra.event_id", ()),
        "tp": ("JOIN timing_partners AS tp ON tp.id = ra.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        *RACE_DIMENSIONS,
        _d("start_time", "ra.start_time", Kind.DATE, "start time", "ra"),
    ),
    measures={"count": Measure("count", "count(*)", "count", "races")},
    columns=("event", "event_date", "race", "distance_km", "start_time"),
    default_order=(("event_date", True), ("distance_km", True)),
    partner_aliases=("ra", "e"),
)

WEATHER = Entity(
    name="weather",
    label="weather readings",
    root="event_weather AS w",
    alias="w",
    joins={
        "e": ("JOIN ct_events AS e ON e.id = w.ct_event_id", ()),
        "tp": ("JOIN timing_partners AS tp ON tp.id = w.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        _d("observed_at", "w.observed_at", Kind.DATE, "observed at", "w"),
        _d("temperature_c", "w.temperature_c", Kind.NUMBER, "temperature (°C)", "w"),
        _d("humidity_pct", "w.humidity_pct", Kind.NUMBER, "humidity (%)", "w"),
        _d("wind_kph", "w.wind_kph", Kind.NUMBER, "wind (km/h)", "w"),
        _d("conditions", "w.conditions", Kind.TEXT, "conditions", "w"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "readings"),
        "average_temperature": Measure(
            "average_temperature", "round(avg(w.temperature_c), 1)", "celsius", "average °C"
        ),
        "lowest_temperature": Measure(
            "lowest_temperature", "min(w.temperature_c)", "celsius", "lowest °C"
        ),
        "highest_temperature": Measure(
            "highest_temperature", "max(w.temperature_c)", "celsius", "highest °C"
        ),
        "average_humidity": Measure(
            "average_humidity", "round(avg(w.humidity_pct), 1)", "percent", "average humidity"
        ),
        "average_wind": Measure("average_wind", "round(avg(w.wind_kph), 1)", "kph", "average wind"),
    },
    columns=(
        "event",
        "event_date",
        "observed_at",
        "temperature_c",
        "humidity_pct",
        "wind_kph",
        "conditions",
    ),
    default_order=(("event_date", True), ("observed_at", False)),
    partner_aliases=("w", "e"),
)

STANDARDS = Entity(
    name="standards",
    label="Boston qualifying standards",
    root="boston_qualifying_standards AS bq",
    alias="bq",
    joins={},
    base_filters=(),
    dimensions=_dims(
        _d("edition", "bq.edition_year", Kind.INT, "edition", "bq"),
        _d("sex", "bq.sex", Kind.ENUM, "sex", "bq", values=SEXES),
        _d("age_min", "bq.age_min", Kind.INT, "from age", "bq"),
        _d("age_max", "bq.age_max", Kind.INT, "to age", "bq"),
        Dimension("age", "bq.age_min|bq.age_max", Kind.RANGE, "age", ("bq",), shown=False),
        _d("qualifying_time", "bq.qualifying_time", Kind.TIME, "qualifying time", "bq"),
    ),
    measures={"count": Measure("count", "count(*)", "count", "standards")},
    columns=("edition", "sex", "age_min", "age_max", "qualifying_time"),
    default_order=(("edition", True), ("sex", False), ("age_min", False)),
    partner_aliases=(),
)

REGISTRATIONS = Entity(
    name="registrations",
    label="RunSignUp registrations",
    root="runsignup_participants AS rp",
    alias="rp",
    joins={
        "rr": ("JOIN runsignup_races AS rr ON rr.id = rp.runsignup_race_id", ()),
        "rev": ("JOIN runsignup_events AS rev ON rev.id = rr.runsignup_event_id", ("rr",)),
        "tp": ("JOIN timing_partners AS tp ON tp.id = rp.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *event_dimensions("rev"),
        _d("race", "rr.name", Kind.TEXT, "race", "rr"),
        _d("distance_km", "rr.distance_km", Kind.NUMBER, "distance (km)", "rr"),
        _d("partner", "tp.name", Kind.TEXT, "timing partner", "tp"),
        _d("first_name", "rp.first_name", Kind.TEXT, "first name", "rp"),
        _d("last_name", "rp.last_name", Kind.TEXT, "last name", "rp"),
        _d("sex", "rp.sex", Kind.ENUM, "sex", "rp", values=SEXES),
        _d("age", "rp.age", Kind.INT, "age", "rp"),
        _d("city", "rp.city", Kind.TEXT, "city", "rp"),
        _d("state", "rp.state", Kind.TEXT, "state", "rp"),
        _d("amount_paid", "rp.amount_paid", Kind.NUMBER, "amount paid ($)", "rp"),
        _d("registered_at", "rp.registered_at::date", Kind.DATE, "registered on", "rp"),
        _d("email", "rp.email", Kind.TEXT, "e-mail", "rp"),
        _d("phone", "rp.phone", Kind.TEXT, "phone", "rp"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "registrations"),
        "revenue": Measure("revenue", "sum(rp.amount_paid)", "usd", "revenue ($)"),
        "average_paid": Measure(
            "average_paid", "round(avg(rp.amount_paid), 2)", "usd", "average paid ($)"
        ),
    },
    columns=("event", "event_date", "race", "first_name", "last_name", "registered_at"),
    default_order=(("registered_at", True), ("last_name", False)),
    partner_aliases=("rp", "rr", "rev"),
)

# Fees as offered: RunSignUp's per race and Race Roster's per event, one list (a derived
# table whose branches each get the tenant predicate: ``%(tenant)s`` below).
FEES_ROOT = (
    "(SELECT 'RunSignUp' AS provider, fe.timing_partner_id, fe.name, fe.event_date, fe.city,"
    " fe.state, fr.name AS race, fr.distance_km, fr.registration_fee"
    " FROM runsignup_races AS fr JOIN runsignup_events AS fe ON fe.id = fr.runsignup_event_id"
    " WHERE {fr_tenant}"
    " UNION ALL SELECT 'Race Roster', rre.timing_partner_id, rre.name, rre.event_date, rre.city,"
    " rre.state, NULL, NULL, rre.registration_fee FROM raceroster_events AS rre"
    " WHERE {rre_tenant}) AS f"
)
FEES = Entity(
    name="fees",
    label="registration fees",
    root=FEES_ROOT,
    alias="f",
    joins={"tp": ("JOIN timing_partners AS tp ON tp.id = f.timing_partner_id", ())},
    base_filters=("f.registration_fee IS NOT NULL",),
    dimensions=_dims(
        *event_dimensions("f"),
        _d(
            "provider",
            "f.provider",
            Kind.ENUM,
            "provider",
            "f",
            values=("RunSignUp", "Race Roster"),
        ),
        _d("race", "f.race", Kind.TEXT, "race", "f"),
        _d("distance_km", "f.distance_km", Kind.NUMBER, "distance (km)", "f"),
        _d("fee", "f.registration_fee", Kind.NUMBER, "fee ($)", "f"),
        _d("partner", "tp.name", Kind.TEXT, "timing partner", "tp"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "fees"),
        "average_fee": Measure(
            "average_fee", "round(avg(f.registration_fee), 2)", "usd", "average fee ($)"
        ),
        "lowest_fee": Measure("lowest_fee", "min(f.registration_fee)", "usd", "lowest fee ($)"),
        "highest_fee": Measure("highest_fee", "max(f.registration_fee)", "usd", "highest fee ($)"),
    },
    columns=("provider", "event", "event_date", "event_city", "event_state", "race", "fee"),
    default_order=(("event_date", True), ("event", False)),
    partner_aliases=(),  # applied inside the derived table
)

LIVE_READS = Entity(
    name="live_reads",
    label="tag reads",
    root="timing_reads AS tr",
    alias="tr",
    joins={},
    base_filters=(),
    dimensions=_dims(
        _d("session_id", "tr.session_id", Kind.INT, "timing session", "tr"),
        _d("location", "tr.location_name", Kind.TEXT, "location", "tr"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "reads"),
        "unique_tags": Measure(
            "unique_tags", "count(DISTINCT tr.tag_code)", "count", "unique tags"
        ),
        "first_read": Measure("first_read", "min(tr.read_timestamp)", "timestamp", "first read"),
        "last_read": Measure("last_read", "max(tr.read_timestamp)", "timestamp", "last read"),
    },
    columns=("location",),
    default_order=(("location", False),),
    partner_aliases=(),
    database="raw",
)

MODEL: dict[str, Entity] = {
    e.name: e
    for e in (
        FINISHERS,
        SPLITS,
        ENTRANTS,
        EVENTS,
        RACES,
        WEATHER,
        STANDARDS,
        REGISTRATIONS,
        FEES,
        LIVE_READS,
    )
}
