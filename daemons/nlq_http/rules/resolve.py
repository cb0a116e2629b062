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
from ..model import MODEL, Kind
from ..query import Filter, MeasureRef, Op, SemanticQuery, Sort
from .audit import check_flags_used
from .filters import Unanswerable, filters_for
from .measures import measures_for
from .scan import Scan
from .shown import shown_fields
from .subjects import COUNTED, entity_for, terse_headcount
from .winners import latest_edition, runners_wins, winners_groups, winners_wanted

_WEATHER_FIELDS = ("temperature_c", "wind_kph", "humidity_pct")
_EDITION_DIMS = frozenset({"year", "event", "event_date"})


_STARTERS = re.compile(r"\bstarters?\b")
_WHICH_YEARS = re.compile(r"\b(?:which|what|list\s+the|in\s+which)\s+years\b")
_HOW_MANY_FINISHED = re.compile(r"\bhow\s+many\s+(?:people\s+|runners\s+)?finished\b")


def _one_value_each(
    scan: Scan, entity: str, filters: list[Filter], group_by: list[str]
) -> list[Filter]:
    """Two values said for one field ("how many dropped out, and how many never started")
    are never both required (no row has both): counted side by side, or refused."""
    said: dict[str, list[Filter]] = {}
    conditions = {n for n, d in MODEL[entity].dimensions.items() if d.kind is Kind.CONDITION}
    for f in filters:
        if f.op is Op.EQ and f.field not in conditions:  # "both a marathon and a half": both
            said.setdefault(f.field, []).append(f)
    for name, several in said.items():
        values = list(dict.fromkeys(f.value for f in several))
        if len(values) < 2:
            continue
        side_by_side = len(_COUNTED_AGAIN.findall(scan.low)) >= 2  # "how many ..., how many"
        if side_by_side and name == "outcome" and _HOW_MANY_FINISHED.search(scan.low):
            values.insert(0, "finished")  # "how many finished, how many dropped out"
        filters = [f for f in filters if f not in several]
        filters.append(Filter(field=name, op=Op.IN, value=tuple(values)))  # "DNFs and DNSs"
        if side_by_side and name not in group_by:
            group_by.append(name)
            scan.flags.add("count")
    return filters


_COUNTED_AGAIN = re.compile(r"\bhow\s+many\b")


def _order(scan: Scan, entity: str, listing: bool) -> list[Sort]:
    rank = scan.slots.get("rank")
    dims = MODEL[entity].dimensions
    if rank is not None:
        field, descending = rank
        if field == "chip_time" and "rank_by_gun" in scan.flags and "gun_time" in dims:
            field = "gun_time"
        if field == "chip_time" and "to_finish" in scan.flags and "time_to_finish" in dims:
            field = "time_to_finish"  # "the fastest second halves": ranked on that stretch
        if field == "age" and entity in ("events", "races"):
            return [Sort(field="event_date", descending=not descending)]
        if field == "chip_time" and entity == "standards":
            return [Sort(field="qualifying_time", descending=descending)]
        if field == "age" and entity == "standards":
            # "the oldest women's age group": the bands by their ages
            if "limit" not in scan.slots and _ONE_BAND.search(scan.low):
                scan.slots["limit"] = 1
            return [Sort(field="age_min", descending=descending)]
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
    if (
        (entity == "events" and "distance_km" in scan.group_by)
        or scan.slots.get("distances")
        or "distance_compared" in scan.flags
    ):
        entity = "races" if entity == "events" else entity  # distances are the races' own
    counted = COUNTED.search(scan.low)
    per_event = scan.slots.get("provider") == "raceroster" and "fee" in scan.flags
    if entity == "fees" and counted is not None and counted["noun"] == "events" and not per_event:
        # Race Roster's fees are per event, so its events with a fee said can be counted
        raise Unanswerable(
            "the registration platforms' event lists are not in the data; ask for their"
            " registrations, revenue or fees"
        )
    person = scan.slots.get("person") is not None
    if "latest_results" in scan.flags and not person:
        raise Unanswerable("say which event's results (e.g. Boston Marathon 2025)")
    if "latest_edition" in scan.flags and person:
        scan.flags.discard("latest_edition")  # "wardian's latest marathon": his, newest first
    elif "latest_edition" in scan.flags and entity != "events":
        latest_edition(scan)
    elif entity == "races" and _offers_now(scan):
        latest_edition(scan)  # "which distances does the Shamrock Marathon offer": today's
    if person and entity in ("finishers", "splits") and scan.flags & {"compare", "faster"}:
        # "wardian boston vs chicago 2024": one runner's results side by side are his rows
        scan.flags -= {"compare", "faster"}
    model = MODEL[entity]
    measures = measures_for(scan, entity)
    if entity == "standards" and "age_band" in scan.flags and measures == [COUNT]:
        measures = [MeasureRef(name="age_groups")]  # "how many age groups": the bands
    filters = filters_for(scan, entity)
    for f in filters:
        if f.field not in model.dimensions:
            raise Unanswerable(f"{model.label} cannot be filtered by {f.field.replace('_', ' ')}")
    group_by = [_group_dim(entity, g) for g in dict.fromkeys(scan.group_by)]
    filters = _one_value_each(scan, entity, filters, group_by)
    _refuse_people_across_events(filters)
    if "winner" in scan.flags and not filters and not scan.group_by and previous is None:
        # "who won?" of nothing: every race's fastest ever is no one's win
        raise Unanswerable("say which race (e.g. 'who won the Boston Marathon 2024?')")
    if "free_entry" in scan.flags:
        filters.append(Filter(field="amount_paid", value=0))
    if "paid_entry" in scan.flags:  # "paid something": more than nothing
        filters.append(Filter(field="amount_paid", op=Op.GT, value=0))
    fields = {f.field for f in filters}
    per_group = scan.slots.get("per_group")
    if per_group is not None:
        if not group_by:
            raise Unanswerable("say which groups to take the top of (e.g. each division)")
        measures = []
    if entity == "live_reads" and "tags" in scan.flags:  # "how many unique chips": tags
        measures = [m for m in measures if m.name != "count"] or [MeasureRef(name="unique_tags")]
    if entity == "live_reads" and not measures:
        measures = [MeasureRef(name=m) for m in ("count", "unique_tags", "first_read", "last_read")]
        if "location" not in fields or "mats_compared" in scan.flags:  # "halfway vs finish"
            group_by = group_by or ["location"]
    if "faster" in scan.flags:
        scan.flags.add("compare")
        measures = measures or [MeasureRef(name="average_time")]
    if _STARTERS.search(scan.low) and not scan.slots.get("rates"):
        scan.flags.add("started")  # "starters": everyone who crossed a mat, not the no-shows
    if "started" in scan.flags and entity == "entrants":
        filters.append(Filter(field="outcome", op=Op.NE, value="dns"))
    if "compare_count" in scan.flags and not group_by:
        group_by = _compared(scan, filters)  # "more women than men": each side counted
        if not group_by:
            raise Unanswerable("say what to count against what: two years, events, or sexes")
    if "compare" in scan.flags and not group_by and "gun_and_chip" not in scan.flags:
        group_by = _compared(scan, filters)
        if not group_by:
            raise Unanswerable("say what to compare: two years, two events, or men and women")
    if entity == "finishers" and not group_by and runners_wins(scan, measures):
        filters.append(Filter(field="overall_place", value=1))
    if winners_wanted(scan, entity, measures, group_by, per_group, filters):
        group_by = winners_groups(scan, filters)
    listed_by: list[str] = []
    weather_rank = entity == "weather" and (scan.slots.get("rank") or ("",))[0] in _WEATHER_FIELDS
    if weather_rank and group_by and set(group_by) <= _EDITION_DIMS and not measures:
        # "which year was the coldest at Boston": the coldest reading, its year shown
        listed_by, group_by = group_by, []
        scan.slots.setdefault("limit", 1)
    elif weather_rank and not group_by and scan.slots.get("limit") == 1 and "year" not in fields:
        listed_by = ["year"]  # "the warmest Boston Marathon on record": which edition it was
    ranked = scan.slots.get("rank") and (scan.slots.get("limit") or "winner" in scan.flags)
    if group_by and not measures and per_group is None and ranked:
        # "the fastest man and woman", "who won each race": the top of each group
        per_group = scan.slots.pop("limit", None) or 1
    if scan.slots.get("having"):
        # "states with more than 10 finishers": a count of each group, and the groups kept
        if not group_by:
            raise Unanswerable("say which groups the count is of (e.g. states with more than 10)")
        op, n = scan.slots["having"]
        if not any(m.name == "count" for m in measures):
            measures = [MeasureRef(name="count"), *measures]
        filters.append(Filter(field="count", op=op, value=n))
        repeated = "repeated" in scan.flags  # "run more than once": across the editions
        edition = "event_date" in model.dimensions and "year" not in fields and not repeated
        if group_by == ["event"] and edition:
            group_by.append("event_date")  # each edition's races, not every year's together
    person = scan.slots.get("person") is not None and "count" not in scan.flags
    by_edition = set(group_by) <= {"race", "event", "year"}
    if person and group_by and by_edition and not measures and per_group is None:
        # "wardian's age at each race": his results listed, one row each, not a count of them
        listed_by, group_by = group_by, []
    if group_by and measures and "event" not in group_by and _several_events(filters):
        group_by.insert(0, "event")  # "Boston and Chicago DNFs each year": each event's own
    elif (
        not group_by
        and _several_events(filters)
        and measures
        and all(m.name != "count" for m in measures)
        and not _POOLED.search(scan.low)
    ):
        group_by = ["event"]  # "the average temperature at Boston, Chicago and Hartford": each
    listing = entity in ("fees", "standards") or (entity == "races" and "start_time" in scan.flags)
    if listing and group_by and not measures and per_group is None:
        # "the fee for each race", "boston fees by year", "the 2025 and 2026 standards
        # compared": each fee or qualifying time is a row, not a count
        listed_by, group_by = group_by, []
    if group_by and not measures and per_group is None and previous is None:
        measures = [MeasureRef(name="count")]
    if not measures and per_group is None and previous is None and terse_headcount(scan, entity):
        # "women marathon finishers last year": a noun phrase with nothing to list by is a count
        measures = [MeasureRef(name="count")]
        scan.note("read as a count; ask to list them for the names")
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
        if not scan.slots.get("rank_all"):
            scan.slots.setdefault("limit", 1)
    rank = scan.slots.get("rank")
    if rank and measures and rank[0] not in group_by and rank[0] not in {m.name for m in measures}:
        # "which year was the coldest, by average temperature": the groups by their measure
        if not group_by:
            raise Unanswerable("say which groups to rank (e.g. which year was the coldest)")
        scan.slots.setdefault("rank_measure", rank[1])
    if "rank_measure" in scan.slots and group_by and measures:
        order = [Sort(field=measures[0].name, descending=scan.slots["rank_measure"])]
        if not scan.slots.get("rank_all"):
            scan.slots.setdefault("limit", 1)
    elif "rank_measure" in scan.slots and not ("sort_first" in scan.flags and not measures):
        raise Unanswerable("say which groups to rank (e.g. which year had the fastest average)")
    if per_group is not None and not order:
        order = [Sort(field="chip_time")] if "chip_time" in model.dimensions else []
    show: list[str] = list(listed_by)
    try:
        asked = shown_fields(scan, entity)
    except LookupError as exc:
        raise Unanswerable(str(exc)) from None
    if asked and measures and not set(asked) <= set(group_by):
        raise Unanswerable("columns asked for by name come with lists, not counts or totals")
    show += [name for name in asked if name not in group_by and name not in model.columns]
    if listed_by and not order:
        order = [Sort(field=name) for name in listed_by]
    if "contact" in scan.flags:
        if measures:
            raise Unanswerable("contact details come only with lists and exports")
        show += [d for d in ("email", "phone") if d in model.dimensions]
    if "pace" in scan.flags and not measures:
        show += [d for d in ("pace_per_mile", "pace_per_km") if d in model.dimensions]
    if "at_start" in scan.flags:
        if entity != "weather":
            raise Unanswerable("'at the start' is read of the weather only (its first reading)")
        order = [Sort(field="observed_at")]
        scan.slots.setdefault("limit", 1)
    if "fahrenheit" in scan.flags:
        if "temperature_f" not in model.dimensions or measures:
            raise Unanswerable("temperatures in Fahrenheit come with the listed weather readings")
        show.append("temperature_f")
    if "gun_time" in scan.flags and not measures and "gun_time" in model.dimensions:
        show.append("gun_time")
    if "to_finish" in scan.flags and not measures and "time_to_finish" in model.dimensions:
        show.append("time_to_finish")
    age = model.dimensions.get("age")
    if "age_word" in scan.flags and not measures and age is not None and age.shown:
        show.append("age")
    if _WHICH_YEARS.search(scan.low) and not measures and "year" in model.dimensions:
        show.append("year")  # "which years did it rain": the years, not only the dates
    if measures and not group_by and (order or scan.slots.get("limit")):
        # One total has no order or top N: "the average at our most recent event" or "of the
        # top 10" would otherwise be the average of every row.
        raise Unanswerable(
            "a total of every row cannot be ordered or cut; say which event and year"
        )
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
    check_flags_used(scan, query)
    return query


_POOLED = re.compile(
    r"\b(?:across|combined|together|altogether|in\s+total|all\s+told|as\s+a\s+whole|overall"
    r"|pooled)\b"
)


def _several_events(filters: list[Filter]) -> bool:
    return any(f.field == "event" and f.op is Op.IN for f in filters)


COUNT = MeasureRef(name="count")
_ONE_BAND = re.compile(r"\bage\s+(?:group|band|bracket|category)\b")
_PRESENT = re.compile(r"\b(?:does|do|is|are|has|have|offers?)\b")


def _offers_now(scan: Scan) -> bool:
    """An event's races asked in the present tense, with no year: its latest edition's."""
    dated = scan.years or any(f.field in ("event_date", "year", "month") for f in scan.filters)
    return (
        len(scan.events) == 1
        and not dated
        and not scan.group_by
        and dict(scan.vocab.latest_editions).get(scan.events[0]) is not None
        and bool(_PRESENT.search(scan.low))
    )


def _refuse_people_across_events(filters: list[Filter]) -> None:
    """ "finished Boston 2024 but not Chicago": the same people in one event and not in
    another. An event named and another excluded would only be the first event's rows."""
    named = any(f.field == "event" and f.op in (Op.EQ, Op.IN) for f in filters)
    if named and any(f.field == "event" and f.op is Op.NE for f in filters):
        raise Unanswerable("runners are not matched across events: ask about each event on its own")


def _compared(scan: Scan, filters: list[Filter]) -> list[str]:
    """What "compare" puts side by side: the dimension said with several values."""
    for name in ("sex", "event", "year", "edition", "distance_km", "outcome"):
        if any(f.field == name and f.op is Op.IN for f in filters):
            return [name]
    for name in ("sex", "age_class"):  # "men and women", "masters and open": grouped already
        if name in scan.group_by:
            return [name]
    return []


def _group_dim(entity: str, name: str) -> str:
    dims = MODEL[entity].dimensions
    if name == "age_decade":
        return "age_group"  # the ten-year groups, even where a race has divisions
    if name == "month" and "registered_month" in dims:
        return "registered_month"  # "registrations by month": when they came in
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
