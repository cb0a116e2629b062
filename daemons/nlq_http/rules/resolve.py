"""From what the extractors found to one semantic query: entity, measures, groups, filters.

The decisions, in order: which entity the question counts or lists (the most
specific subject word wins: standards, weather, revenue, fees, splits, outcomes,
races of an event, entrants, events, finishers); which measures (count, averages,
percentiles, fastest...); which groupings; then every filter found, renamed to
the entity's own dimension and checked against it. A filter the entity cannot
apply ("the weather of runners aged 40") is refused, never dropped.
"""

from __future__ import annotations

import re

from ..compiler import QueryError, validate
from ..model import MODEL
from ..query import MARATHON_KM, Filter, MeasureRef, Op, SemanticQuery, Sort
from .amounts import distance_in
from .names import prefer_sibling_for_distance
from .scan import Scan

PEOPLE = ("finishers", "entrants", "splits")
_TIME_MEASURES = ("average_time", "median_time", "fastest_time", "slowest_time")
_COMPARE_MEASURES = ("count", "average_time", "median_time", "fastest_time")


class Unanswerable(Exception):
    """The question asks for something the model cannot express; the message says what."""


_COUNTED = re.compile(
    r"\b(?:how\s+many|number\s+of|count\s+of|total\s+number\s+of)\s+(?:\W*\w+\W+){0,3}?"
    r"(?P<noun>events|races\b(?!\s+(?:does|did|do|at|in)\b)|finishers|runners|entrants|participants"
    r"|registrations|registrants|sign\W?ups|people|starters)\b"
)
_NOUN_ENTITY = {
    "events": "events", "races": "events", "finishers": "finishers", "runners": "finishers",
    "entrants": "entrants", "participants": "entrants",
    "starters": "entrants", "registrants": "entrants", "registrations": "registrations",
}  # fmt: skip


def entity_for(scan: Scan, previous: str | None = None) -> str:
    flags = scan.flags
    counted = _COUNTED.search(scan.low)
    quiet = {"standards", "weather", "splits", "revenue", "live", "fee", "boston_qualifier"}
    if counted is not None and not flags & quiet and not scan.slots.get("provider"):
        noun = _NOUN_ENTITY.get(counted["noun"], "registrations")
        if counted["noun"] == "people":  # "how many people …" says nothing of its own
            noun = "entrants" if flags & {"entrants", "registrations"} else "finishers"
        fields = {f.field for f in scan.filters}
        if noun != "events" or not (fields & {"outcome", "chip_time", "age", "sex"}):
            if noun == "finishers" and "outcome" in fields:
                return "entrants"
            return noun
    fields = {f.field for f in scan.filters}
    if "session_id" in fields or "live" in flags:
        return "live_reads"
    people = (
        flags & {"boston_qualifier", "results", "entrants"}
        or scan.slots.get("person")
        or scan.events
    )
    if "standards" in flags and not people:
        return "standards"
    if "standards" in flags:
        flags.add("boston_qualifier")  # "runners who met the 2025 standards"
    if "weather" in flags:
        return "weather"
    runsignup = scan.slots.get("provider") == "runsignup"
    if runsignup and flags & {"entrants", "registrations"} and "fee" not in flags:
        return "registrations"  # "registered on RunSignUp"
    if "revenue" in flags or ("registrations" in flags and "fee" not in flags):
        return "registrations"
    if "fee" in flags or "fee" in fields:
        return "fees"
    if "splits" in flags or "timing_point" in fields:
        return "splits"
    if "outcome" in fields or "started" in flags:
        return "entrants"
    if "races_of" in flags and scan.events:
        return "races"
    if scan.slots.get("person") is not None or "boston_qualifier" in flags:
        return "finishers"
    if "entrants" in flags:
        return "entrants"
    if "results" in flags or "pace" in flags or "gun_time" in flags:
        return "finishers"
    if scan.slots.get("provider") == "runsignup" and "entrants" in flags:
        return "registrations"  # "registered on RunSignUp"
    if scan.slots.get("provider") in ("runsignup", "raceroster"):
        return "fees"  # the registration platforms' events are known by their fees
    if flags & {"events", "when", "where", "races_of"} or "event_status" in fields:
        return "events"
    return previous or "finishers"


def _measures(scan: Scan, entity: str) -> list[MeasureRef]:
    flags, available = scan.flags, MODEL[entity].measures
    wanted: list[MeasureRef] = []

    def add(name: str, percentile: float | None = None) -> None:
        ref = MeasureRef(name=name, percentile=percentile)
        if name in available and ref not in wanted:
            wanted.append(ref)

    for value in scan.slots.get("percentiles", ()):
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
            add("average_temperature")
        else:
            add("average_time")
    pace = "pace" in flags and not flags & {"average"}
    unit = "per_km" if "per_km" in flags else "per_mile"
    if "median" in flags:
        add(f"median_pace_{unit}" if pace and unit == "per_mile" else "median_time")
    if "fastest_time" in flags:
        add(f"fastest_pace_{unit}" if pace else "fastest_time")
    if "slowest_time" in flags:
        add("slowest_pace_per_mile" if pace else "slowest_time")
    if entity == "registrations" and "revenue" in flags and "average" not in flags:
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
    return wanted


def _rename(entity: str, f: Filter) -> Filter:
    """Generic words onto the entity's own dimensions ("fee" is "amount paid" for a
    registration; a runner's state is the event's state when counting events)."""
    dims = MODEL[entity].dimensions
    field = f.field
    if entity == "standards" and field == "age" and f.op is not Op.EQ:
        return _standard_band(f)
    if entity == "standards" and field == "year":
        field = "edition"
    if field == "fee" and entity == "registrations":
        field = "amount_paid"
    if field in ("state", "city", "country") and field not in dims and f"event_{field}" in dims:
        field = f"event_{field}"
    if field.startswith("event_") and field not in dims and field[6:] in dims:
        field = field[6:]
    return f if field == f.field else f.model_copy(update={"field": field})


def _standard_band(f: Filter) -> Filter:
    """Ages said as a range select the standards' bands that overlap it."""
    if f.op is Op.BETWEEN:
        return f
    if f.op in (Op.GE, Op.GT):
        return Filter(field="age_max", op=f.op, value=f.value)
    return Filter(field="age_min", op=f.op, value=f.value)


def _filters(scan: Scan, entity: str) -> list[Filter]:
    prefer_sibling_for_distance(scan)
    out: list[Filter] = []
    if scan.events:
        names = tuple(scan.events)
        out.append(Filter(field="event", op=Op.IN if len(names) > 1 else Op.EQ,
                          value=names if len(names) > 1 else names[0]))  # fmt: skip
    years = sorted(scan.years)
    if years:
        out.append(
            Filter(field="year", op=Op.IN, value=tuple(years))
            if len(years) > 1
            else Filter(field="year", value=years[0])
        )
    start, end = scan.slots.get("date_from"), scan.slots.get("date_to")
    field = "event_date"
    if start and end:
        out.append(Filter(field=field, op=Op.BETWEEN, value=(start, end)))
    elif start:
        out.append(Filter(field=field, op=Op.GE, value=start))
    elif end:
        out.append(Filter(field=field, op=Op.LE, value=end))
    sexes = list(dict.fromkeys(scan.sexes))
    if len(sexes) == 1:
        out.append(Filter(field="sex", value=sexes[0]))
    elif len(sexes) > 1:
        out.append(Filter(field="sex", op=Op.IN, value=tuple(sexes)))
        if "sex" not in scan.group_by:
            scan.group_by.append("sex")
    person = scan.slots.get("person")
    if person is not None:
        first, last = person
        if first:
            out.append(Filter(field="first_name", value=first))
        out.append(Filter(field="last_name", value=last))
    if scan.slots.get("partner"):
        out.append(Filter(field="partner", value=scan.slots["partner"]))
    provider = scan.slots.get("provider")
    if provider and entity == "fees":
        out.append(
            Filter(field="provider", value={"runsignup": "RunSignUp"}.get(provider, "Race Roster"))
        )
    elif provider == "raceroster" and entity == "registrations":
        raise Unanswerable("the data holds RunSignUp registrations only; Race Roster has fees")
    _distance(scan, entity, out)
    if "boston_qualifier" in scan.flags:
        edition = scan.slots.get("bq_edition")
        if entity == "standards":
            if edition:
                out.append(Filter(field="edition", value=edition))
        elif edition:
            out.append(Filter(field="boston_qualifier_of", value=edition))
        else:
            out.append(Filter(field="boston_qualifier", value=True))
    renamed = [_rename(entity, f) for f in scan.filters]
    if entity == "standards":  # the standards' year is their edition
        out = [f.model_copy(update={"field": "edition"}) if f.field == "year" else f for f in out]
    if entity == "standards" and not any(f.field == "edition" for f in [*out, *renamed]):
        # "the qualifying time for a 45-year-old man" is today's standard, not every edition's
        renamed.append(Filter(field="latest_edition", value=True))
    out.extend(renamed)
    return out


def _distance(scan: Scan, entity: str, out: list[Filter]) -> None:
    """Said > Boston qualifying (a marathon; the stored flag means one) > implied by events."""
    kms = scan.slots.get("distances") or []
    if entity not in (*PEOPLE, "races", "registrations", "fees"):
        if kms:
            raise Unanswerable(f"{MODEL[entity].label} have no distance")
        return
    if kms:
        if len(kms) > 1:
            out.append(Filter(field="distance_km", op=Op.IN, value=tuple(kms)))
            return
        if (
            "boston_qualifier" in scan.flags
            and kms[0] == MARATHON_KM
            and not scan.slots.get("bq_edition")
        ):
            return  # the stored judgement already means "a marathon"
        out.append(Filter(field="distance_km", value=kms[0]))
        return
    if "boston_qualifier" in scan.flags:
        if scan.slots.get("bq_edition"):
            out.append(Filter(field="distance_km", value=MARATHON_KM))
        return
    if scan.events and entity in PEOPLE and not {"race", "distance_km"} & set(scan.group_by):
        # An event's name implies its main race, unless its races are grouped or compared.
        implied = {distance_in(name) for name in scan.events}
        if len(implied) == 1 and (km := implied.pop()) is not None:
            out.append(Filter(field="distance_km", value=km))
            scan.note(f"the {km:g} km race of the named event")


def _order(scan: Scan, entity: str, listing: bool) -> list[Sort]:
    rank = scan.slots.get("rank")
    dims = MODEL[entity].dimensions
    if rank is not None:
        field, descending = rank
        if field == "age" and entity in ("events", "races"):
            return [Sort(field="event_date", descending=not descending)]
        if field in dims:
            return [Sort(field=field, descending=descending)]
        if field == "chip_time" and entity == "fees":
            return [Sort(field="fee", descending=descending)]
    if entity == "fees" and scan.flags & {"cheapest", "priciest"}:
        scan.slots.setdefault("limit", 1)
        return [Sort(field="fee", descending="priciest" in scan.flags)]
    order = scan.slots.get("order")
    if order == "soonest" and "event_date" in dims:
        return [Sort(field="event_date")]
    if order in ("newest", "oldest") and "event_date" in dims:
        return [Sort(field="event_date", descending=order == "newest")]
    if order == "name":
        if "last_name" in dims:
            return [Sort(field="last_name"), Sort(field="first_name")]
        if "event" in dims:
            return [Sort(field="event")]
    if listing and scan.slots.get("person") is not None and "event_date" in dims:
        return [Sort(field="event_date", descending=True)]
    return []


def build(scan: Scan, previous: SemanticQuery | None = None) -> SemanticQuery:
    """The query of this question alone; with ``previous``, its entity is the default."""
    entity = entity_for(scan, previous.entity if previous else None)
    if (entity == "events" and "distance_km" in scan.group_by) or scan.slots.get("distances"):
        entity = "races" if entity == "events" else entity  # distances are the races' own
    model = MODEL[entity]
    measures = _measures(scan, entity)
    filters = _filters(scan, entity)
    for f in filters:
        if f.field not in model.dimensions:
            raise Unanswerable(f"{model.label} cannot be filtered by {f.field.replace('_', ' ')}")
    group_by = [_group_dim(entity, g) for g in dict.fromkeys(scan.group_by)]
    per_group = scan.slots.get("per_group")
    if per_group is not None:
        if not group_by:
            raise Unanswerable("say which groups to take the top of (e.g. each division)")
        measures = []
    if entity == "live_reads" and "tags" in scan.flags and not measures:
        measures = [MeasureRef(name="unique_tags")]
    if entity == "live_reads" and not measures:
        measures = [MeasureRef(name=m) for m in ("count", "unique_tags", "first_read", "last_read")]
        group_by = group_by or ["location"]
    if "faster" in scan.flags:
        scan.flags.add("compare")
        measures = measures or [MeasureRef(name="average_time")]
    if "started" in scan.flags and entity == "entrants":
        filters.append(Filter(field="outcome", op=Op.NE, value="dns"))
    if "compare" in scan.flags and not group_by:
        group_by = _compared(scan, filters)
        if not group_by:
            raise Unanswerable("say what to compare: two years, two events, or men and women")
    if group_by and not measures and per_group is None and previous is None:
        measures = [MeasureRef(name="count")]
    if "pr" in scan.flags and entity == "finishers" and not measures:
        # A personal best is the fastest finish, per distance unless one is said.
        scan.slots.setdefault("rank", ("chip_time", False))
        if any(f.field == "distance_km" for f in filters):
            scan.slots.setdefault("limit", 1)
        elif per_group is None:
            group_by.append("race")
            per_group = 1
    order = _order(scan, entity, listing=not measures)
    if scan.slots.get("rank_groups"):
        order = [Sort(field="count", descending=scan.slots["rank_groups"] == "desc")]
        scan.slots.setdefault("limit", 1)
    if per_group is not None and not order:
        order = [Sort(field="chip_time")] if "chip_time" in model.dimensions else []
    show: list[str] = []
    if "contact" in scan.flags:
        if measures:
            raise Unanswerable("contact details come only with lists and exports")
        show += [d for d in ("email", "phone") if d in model.dimensions]
    if "pace" in scan.flags and not measures:
        show += [d for d in ("pace_per_mile", "pace_per_km") if d in model.dimensions]
    if "gun_time" in scan.flags and not measures and "gun_time" in model.dimensions:
        show.append("gun_time")
    if "age_word" in scan.flags and not measures and "age" in model.dimensions:
        show.append("age")
    query = SemanticQuery(
        entity=entity,
        measures=tuple(measures),
        group_by=tuple(group_by),
        filters=tuple(filters),
        order_by=tuple(order),
        limit=scan.slots.get("limit"),
        offset=scan.slots.get("offset"),
        per_group_limit=per_group,
        show=tuple(dict.fromkeys(show)),
        export="export" in scan.flags,
    )
    try:
        validate(query)
    except QueryError as exc:
        raise Unanswerable(str(exc)) from None
    return query


def _compared(scan: Scan, filters: list[Filter]) -> list[str]:
    """What "compare" puts side by side: the dimension said with several values."""
    for name in ("sex", "event", "year", "distance_km"):
        if any(f.field == name and f.op is Op.IN for f in filters):
            return [name]
    return ["sex"] if "sex" in scan.group_by else []


def _group_dim(entity: str, name: str) -> str:
    dims = MODEL[entity].dimensions
    if name == "age_group" and "division" in dims:
        return "division"  # a race's age groups are its divisions ("M 40-44")
    if name in dims:
        return name
    if f"event_{name}" in dims:
        return f"event_{name}"
    if name == "race" and "event" in dims:
        return "event"
    if name == "age_group" and "age_min" in dims:
        return "age_min"
    if name == "outcome" and "status" in dims:
        return "status"
    if name == "outcome" and "event_status" in dims:
        return "event_status"
    raise Unanswerable(f"{MODEL[entity].label} cannot be grouped by {name.replace('_', ' ')}")
