"""Plan -> parameterised SQL: the one deterministic compiler both engines share.

Nothing from a question reaches the SQL text: every fragment below is a
constant of this module, chosen by the plan's enumerations; every value (names,
years, times, ages, fees) travels as a parameter. The compiler adds the tenant
predicate and the row limit itself — a plan has no slot that could change
either. The result is then checked by ``guard`` (defence in depth) and run
read-only under row-level security.

(SQL lives here rather than in ``sql/*.sql``: this module *is* the query
builder, and its fragments only make sense together.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .plan import MARATHON_KM, MAX_ROWS, CompareBy, Intent, Measure, Order, Plan, Provider, Subject

DISTANCE_TOLERANCE = 0.02  # "marathon" matches 41.35-43.04 km: courses are not all certified


@dataclass(frozen=True)
class Tenant:
    """Whose rows a caller may read: one partner, or every partner (a platform admin)."""

    partner_id: int | None
    admin: bool = False
    partner_name: str = ""

    def __post_init__(self) -> None:
        if not self.admin and self.partner_id is None:
            raise ValueError("a caller that is not an admin needs a partner")


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: dict[str, Any]
    database: str  # "production" or "raw"
    limit: int  # rows the caller gets at most; the SQL asks for one more to see truncation
    explanation: str
    time_columns: tuple[str, ...] = ()  # intervals to show as H:MM:SS


@dataclass
class _Query:
    select: list[str]
    from_: str
    where: list[str] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    order_by: list[str] = field(default_factory=list)
    limit: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        parts = ["SELECT " + ", ".join(self.select), "FROM " + self.from_]
        if self.where:
            parts.append("WHERE " + "\n  AND ".join(self.where))
        if self.group_by:
            parts.append("GROUP BY " + ", ".join(self.group_by))
        if self.order_by:
            parts.append("ORDER BY " + ", ".join(self.order_by))
        if self.limit is not None:
            parts.append("LIMIT %(row_limit)s")
            self.params["row_limit"] = self.limit
        return "\n".join(parts)


FINISHERS_FROM = (
    "ct_results AS r\n"
    "JOIN ct_participants AS p ON p.id = r.participant_id\n"
    "JOIN ct_races AS ra ON ra.id = r.race_id\n"
    "JOIN ct_events AS e ON e.id = r.event_id"
)
ENTRANTS_FROM = (
    "ct_participants AS p\n"
    "JOIN ct_races AS ra ON ra.id = p.race_id\n"
    "JOIN ct_events AS e ON e.id = p.event_id"
)
ENTRANT_COLUMNS = [
    "e.name AS event",
    "e.event_date",
    "ra.name AS race",
    "p.bib",
    "p.first_name",
    "p.last_name",
    "p.sex",
    "p.age",
    "p.city",
    "p.state",
]
RESULT_COLUMNS = [
    *ENTRANT_COLUMNS,
    "r.chip_time",
    "r.overall_place",
    "r.sex_place",
    "r.division",
    "r.division_place",
]
CONTACT_COLUMNS = ["p.email", "p.phone"]
TIME_STATS = {
    Measure.COUNT: "count(*) AS finishers",
    Measure.AVERAGE_TIME: "avg(r.chip_time) AS average_time",
    Measure.MEDIAN_TIME: "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.chip_time) AS median_time",
    Measure.FASTEST_TIME: "min(r.chip_time) AS fastest_time",
    Measure.SLOWEST_TIME: "max(r.chip_time) AS slowest_time",
}
COMPARE_KEYS = {
    CompareBy.YEAR: "date_part('year', e.event_date)::integer AS year",
    CompareBy.SEX: "p.sex",
    CompareBy.EVENT: "e.name AS event",
    CompareBy.AGE_GROUP: "(p.age / 10) * 10 AS age_group",
}
# The latest standards' judgement, stored on each finish row (migration 0005): it covers
# marathons only, with the tolerance below (so it replaces the distance condition too);
# any other distance, or a named edition, is judged at query time by BQ_CONDITION.
BQ_STORED_CONDITION = "r.boston_qualifier"
HALF_HOUR_BAND = (
    "floor(extract(epoch FROM r.chip_time) / 1800) * interval '30 minutes' AS from_time"
)
BQ_CONDITION = (
    "EXISTS (SELECT 1 FROM boston_qualifying_standards AS bq"
    " WHERE bq.edition_year = coalesce(%(bq_edition)s,"
    " (SELECT max(s.edition_year) FROM boston_qualifying_standards AS s))"
    " AND bq.sex = p.sex AND p.age BETWEEN bq.age_min AND bq.age_max"
    " AND r.chip_time <= bq.qualifying_time)"
)
RESULT_ORDER = {
    Order.FASTEST: ["r.chip_time", "e.event_date DESC"],
    Order.SLOWEST: ["r.chip_time DESC", "e.event_date DESC"],
    Order.NEWEST: ["e.event_date DESC", "r.chip_time"],
    Order.OLDEST: ["e.event_date", "r.chip_time"],
    Order.NAME: ["p.last_name", "p.first_name", "e.event_date DESC"],
}
EVENT_ORDER = {
    Order.NEWEST: ["e.event_date DESC", "e.name"],
    Order.OLDEST: ["e.event_date", "e.name"],
    Order.NAME: ["e.name", "e.event_date DESC"],
}


def compile_plan(plan: Plan, tenant: Tenant, max_rows: int = MAX_ROWS) -> Compiled:
    limit = min(plan.limit or max_rows, max_rows)
    if plan.subject is Subject.LIVE_TIMING:
        return _live_timing(plan)
    if plan.subject is Subject.EVENTS:
        query, explanation, times = _events(plan, tenant, limit)
    elif plan.subject is Subject.REGISTRATIONS:
        query, explanation, times = _registrations(plan, tenant, limit)
    else:
        query, explanation, times = _people(plan, tenant, limit)
    return Compiled(query.render(), query.params, "production", limit, explanation, times)


# -- results and participants --------------------------------------------------------------
def _people(plan: Plan, tenant: Tenant, limit: int) -> tuple[_Query, str, tuple[str, ...]]:
    finishers = plan.subject is Subject.RESULTS
    query = _Query(select=[], from_=FINISHERS_FROM if finishers else ENTRANTS_FROM)
    if finishers:
        query.where += ["r.timing_point = 'Finish'", "r.status = 'finished'"]
    _tenant(query, tenant, ["e", "r"] if finishers else ["e", "p"])
    described = _event_filters(query, plan)
    _person_filters(query, plan)
    if finishers:
        _time_filters(query, plan)
    noun = "finishers" if finishers else "entrants"
    times: tuple[str, ...] = ()
    if plan.intent is Intent.COUNT:
        query.select = [f"count(*) AS {noun}"]
        return query, f"Counts {noun}{described}.", times
    if plan.intent is Intent.COMPARE and finishers:
        key = COMPARE_KEYS[
            plan.compare_by or (CompareBy.YEAR if len(plan.years) > 1 else CompareBy.SEX)
        ]
        query.select = [
            key,
            *(
                TIME_STATS[m]
                for m in (
                    Measure.COUNT,
                    Measure.AVERAGE_TIME,
                    Measure.MEDIAN_TIME,
                    Measure.FASTEST_TIME,
                )
            ),
        ]
        query.group_by, query.order_by = ["1"], ["1"]
        query.limit = limit
        by = key.rsplit(" ", 1)[-1].split(".")[-1]
        return (
            query,
            f"Compares {noun}{described} by {by}.",
            ("average_time", "median_time", "fastest_time"),
        )
    if plan.intent is Intent.ANALYZE and finishers:
        if plan.measure is Measure.TIME_DISTRIBUTION:
            query.select = [HALF_HOUR_BAND, "count(*) AS finishers"]
            query.group_by, query.order_by = ["1"], ["1"]
            return query, f"Shows {noun}{described} per 30 minutes of finish time.", ("from_time",)
        measures = (
            [Measure.COUNT, plan.measure]
            if plan.measure and plan.measure in TIME_STATS
            else [
                Measure.COUNT,
                Measure.AVERAGE_TIME,
                Measure.MEDIAN_TIME,
                Measure.FASTEST_TIME,
                Measure.SLOWEST_TIME,
            ]
        )
        query.select = [TIME_STATS[m] for m in dict.fromkeys(measures)]
        times = tuple(TIME_STATS[m].rsplit(" ", 1)[-1] for m in measures if m is not Measure.COUNT)
        return query, f"Summarises the finish times of {noun}{described}.", times
    # list, find, export (and analyze/compare of entrants, which have no times)
    query.select = list(RESULT_COLUMNS if finishers else ENTRANT_COLUMNS)
    if plan.include_contact:
        query.select += CONTACT_COLUMNS
    order = plan.order or (Order.FASTEST if finishers else Order.NAME)
    if not finishers and order in (Order.FASTEST, Order.SLOWEST):
        order = Order.NAME
    query.order_by = (
        RESULT_ORDER[order] if finishers else ["e.event_date DESC", "p.last_name", "p.first_name"]
    )
    query.limit = limit + 1
    what = {Intent.FIND: "Finds", Intent.EXPORT: "Exports"}.get(plan.intent, "Lists")
    return query, f"{what} {noun}{described}.", ("chip_time",) if finishers else ()


def _event_filters(query: _Query, plan: Plan) -> str:
    said = []
    if plan.event_names:
        query.where.append("lower(e.name) = ANY(%(event_names)s)")
        query.params["event_names"] = [name.lower() for name in plan.event_names]
        said.append(" at the " + " / ".join(plan.event_names))
    _dates(query, plan, said)
    if plan.distance_km is not None:
        # The stored Boston judgement already means "a marathon" (these very bounds);
        # repeated, the planner would count the two as independent and misjudge the rows.
        if not _stored_bq(plan):
            query.where.append("ra.distance_km BETWEEN %(distance_min)s AND %(distance_max)s")
            query.params["distance_min"], query.params["distance_max"] = distance_bounds(
                plan.distance_km
            )
        said.append(f" over {_distance_words(plan.distance_km)}")
    return "".join(said)


def _dates(query: _Query, plan: Plan, said: list[str], column: str = "e.event_date") -> None:
    if plan.years:
        query.where.append(f"date_part('year', {column})::integer = ANY(%(years)s)")
        query.params["years"] = list(plan.years)
        said.append(" in " + " and ".join(str(y) for y in plan.years))
    if plan.date_from:
        query.where.append(f"{column} >= %(date_from)s")
        query.params["date_from"] = plan.date_from
        said.append(f" from {plan.date_from:%d %B %Y}")
    if plan.date_to:
        query.where.append(f"{column} <= %(date_to)s")
        query.params["date_to"] = plan.date_to
        said.append(f" until {plan.date_to:%d %B %Y}")


def _person_filters(query: _Query, plan: Plan) -> None:
    if plan.sex is not None:
        query.where.append("p.sex = %(sex)s")
        query.params["sex"] = plan.sex.value
    if plan.age_min is not None:
        query.where.append("p.age >= %(age_min)s")
        query.params["age_min"] = plan.age_min
    if plan.age_max is not None:
        query.where.append("p.age <= %(age_max)s")
        query.params["age_max"] = plan.age_max
    if plan.person is not None:
        query.where.append("lower(p.last_name) = %(last_name)s")
        query.params["last_name"] = plan.person.last_name.lower()
        if plan.person.first_name:
            query.where.append("lower(p.first_name) = %(first_name)s")
            query.params["first_name"] = plan.person.first_name.lower()


def _time_filters(query: _Query, plan: Plan) -> None:
    if plan.max_time is not None:
        query.where.append("r.chip_time < %(max_time)s")
        query.params["max_time"] = plan.max_time
    if plan.min_time is not None:
        query.where.append("r.chip_time > %(min_time)s")
        query.params["min_time"] = plan.min_time
    if _stored_bq(plan):
        query.where.append(BQ_STORED_CONDITION)
    elif plan.boston_qualifiers:
        query.where.append(BQ_CONDITION)
        query.params["bq_edition"] = plan.bq_edition


def _stored_bq(plan: Plan) -> bool:
    """Whether ct_results.boston_qualifier answers the plan's Boston condition."""
    return (
        plan.boston_qualifiers
        and plan.subject is Subject.RESULTS
        and plan.bq_edition is None
        and plan.distance_km == MARATHON_KM
    )


def distance_bounds(km: float) -> tuple[float, float]:
    """The race distances (km) a stated distance matches."""
    return round(km * (1 - DISTANCE_TOLERANCE), 3), round(km * (1 + DISTANCE_TOLERANCE), 3)


def _tenant(query: _Query, tenant: Tenant, aliases: list[str]) -> None:
    """The caller's partner, on every partner-owned table the query reads (RLS agrees)."""
    if tenant.admin:
        return
    for alias in aliases:
        query.where.insert(0, f"{alias}.timing_partner_id = %(partner_id)s")
    query.params["partner_id"] = tenant.partner_id


# -- events ----------------------------------------------------------------------------------
def _events(plan: Plan, tenant: Tenant, limit: int) -> tuple[_Query, str, tuple[str, ...]]:
    query = _Query(
        select=[], from_="ct_events AS e\nJOIN timing_partners AS tp ON tp.id = e.timing_partner_id"
    )
    _tenant(query, tenant, ["e"])
    said = []
    if tenant.admin and plan.partner_name:
        query.where.append("lower(tp.name) = %(partner_name)s")
        query.params["partner_name"] = plan.partner_name.lower()
        said.append(f" of {plan.partner_name}")
    if plan.event_status is not None:
        query.where.append("e.status = %(event_status)s")
        query.params["event_status"] = plan.event_status.value
        said.insert(0, f" ({plan.event_status.value})")
    if plan.event_names:
        query.where.append("lower(e.name) = ANY(%(event_names)s)")
        query.params["event_names"] = [name.lower() for name in plan.event_names]
        said.append(" named " + " / ".join(plan.event_names))
    _dates(query, plan, said)
    described = "".join(said)
    if plan.intent is Intent.COUNT:
        query.select = ["count(*) AS events"]
        return query, f"Counts events{described}.", ()
    query.select = [
        "e.id",
        "e.name",
        "e.event_date",
        "e.city",
        "e.state",
        "e.status",
        "tp.name AS partner",
    ]
    query.order_by = EVENT_ORDER.get(plan.order or Order.NEWEST, EVENT_ORDER[Order.NEWEST])
    query.limit = limit + 1
    return query, f"Lists events{described}.", ()


# -- registrations ---------------------------------------------------------------------------
REGISTRATION_SOURCES = {
    Provider.RUNSIGNUP: (
        "runsignup_events AS ev\nJOIN runsignup_races AS rr ON rr.runsignup_event_id = ev.id",
        "rr.registration_fee",
        [
            "'RunSignUp' AS provider",
            "ev.name",
            "ev.event_date",
            "ev.city",
            "ev.state",
            "rr.name AS race",
            "rr.distance_km",
            "rr.registration_fee",
        ],
        ["ev", "rr"],
    ),
    Provider.RACEROSTER: (
        "raceroster_events AS ev",
        "ev.registration_fee",
        [
            "'Race Roster' AS provider",
            "ev.name",
            "ev.event_date",
            "ev.city",
            "ev.state",
            "ev.registration_fee",
        ],
        ["ev"],
    ),
}


def _registrations(plan: Plan, tenant: Tenant, limit: int) -> tuple[_Query, str, tuple[str, ...]]:
    provider = plan.provider if plan.provider in REGISTRATION_SOURCES else Provider.RUNSIGNUP
    source, fee, columns, aliases = REGISTRATION_SOURCES[provider]
    query = _Query(select=[], from_=source)
    _tenant(query, tenant, aliases)
    said = []
    if plan.min_fee is not None:
        query.where.append(f"{fee} >= %(min_fee)s")
        query.params["min_fee"] = plan.min_fee
        said.append(f" with fees of at least ${plan.min_fee:,.2f}")
    if plan.max_fee is not None:
        query.where.append(f"{fee} <= %(max_fee)s")
        query.params["max_fee"] = plan.max_fee
        said.append(f" with fees of at most ${plan.max_fee:,.2f}")
    if plan.event_names:
        query.where.append("lower(ev.name) = ANY(%(event_names)s)")
        query.params["event_names"] = [name.lower() for name in plan.event_names]
    _dates(query, plan, said, "ev.event_date")
    name = "RunSignUp" if provider is Provider.RUNSIGNUP else "Race Roster"
    described = "".join(said)
    if plan.intent is Intent.COUNT:
        query.select = ["count(*) AS registrations_offered"]
        return query, f"Counts {name} events{described}.", ()
    if plan.measure is Measure.AVERAGE_FEE or plan.intent is Intent.ANALYZE:
        query.select = [
            "count(*) AS races",
            f"round(avg({fee}), 2) AS average_fee",
            f"min({fee}) AS lowest_fee",
            f"max({fee}) AS highest_fee",
        ]
        return query, f"Summarises {name} registration fees{described}.", ()
    query.select = list(columns)
    query.order_by = ["ev.event_date DESC", "ev.name"]
    query.limit = limit + 1
    return query, f"Lists {name} events{described}.", ()


# -- live timing (raw_tag_data) ----------------------------------------------------------------
LIVE_TIMING_SQL = (
    "SELECT r.location_name, count(*) AS reads, count(DISTINCT r.tag_code) AS unique_tags,"
    " min(r.read_timestamp) AS first_read, max(r.read_timestamp) AS last_read\n"
    "FROM timing_reads AS r\n"
    "WHERE r.session_id = %(session_id)s\n"
    "GROUP BY r.location_name\n"
    "ORDER BY r.location_name\n"
    "LIMIT %(row_limit)s"
)


def _live_timing(plan: Plan) -> Compiled:
    params = {"session_id": plan.session_id, "row_limit": 101}
    return Compiled(
        LIVE_TIMING_SQL,
        params,
        "raw",
        100,
        f"Summarises the reads of timing session {plan.session_id} by location.",
    )


def _distance_words(km: float) -> str:
    names = {42.195: "the marathon distance", 21.0975: "the half-marathon distance"}
    return names.get(round(km, 4), f"{km:g} km")


def format_time(value: dt.timedelta | float | None) -> str | None:
    """A duration as H:MM:SS (tenths dropped): how timers and runners say finish times."""
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
