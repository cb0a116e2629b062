"""Follow-ups in a conversation: "…and the women?", "what about 2023?", "only the top 10".

The previous question's *query* is the context (never the model's earlier
text): a follow-up's filters replace the previous ones on the same dimension
(a year replaces a year or a date range; an event replaces the event and the
distance it implied), its measures, limit and order replace the previous ones
when it says any, and its groupings are added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..compiler import QueryError, validate
from ..model import MODEL
from ..query import Filter, Op, SemanticQuery, Sort
from .resolve import Unanswerable
from .scan import Scan

_CUE = re.compile(
    r"^\s*(?:and|but|also|plus|then|now|ok(?:ay)?|so|what\s+about|how\s+about|what\s+if|same"
    r"(?:\s+(?:for|but|with|thing))?|only|just|instead|except|and\s+what\s+about|again)\b"
)
# "how many have signed up for each?", "how many finishers did each have": each row the
# previous answer listed ("each race" names its own grouping)
_EACH = (
    r"\beach\b(?=\s*(?:[?.!]*$|one\b|of\s+them\b"
    r"|(?:have|had|got|get|drew|draw|attract(?:ed)?|see|saw|bring|brought)\b))"
)
_FOR_EACH = re.compile(_EACH)
_EACH_UNSAID = "say what to count each of (e.g. for each race)"
# "list them", "only the ones over 50", "how many have registered for it": the previous answer.
# "it" may point at nothing: "was it raining at Boston?", "is it a BQ?"
_WEAK_REFERENCE = re.compile(r"\bit\b")
_BACK_REFERENCE = re.compile(
    r"\b(?:them|those|they|these|their|ones)\b|\b(?:for|of|at|in|from|about|on)\s+it\b"
    # "how much money is that so far?", "for that event": that is the previous answer
    r"|\b(?:is|was)\s+that\b|\bthat\s+(?:so\s+far|altogether|in\s+total|total)\b"
    r"|\b(?:for|of|from|at|in)\s+that\s+(?:event|race|one|year|edition|list)\b|" + _EACH
)
_REPLACES: dict[str, frozenset[str]] = {
    "year": frozenset({"year", "event_date", "month"}),
    "event_date": frozenset({"year", "event_date", "month"}),
    "month": frozenset({"month", "event_date"}),
    "event": frozenset({"event", "distance_km"}),
    "first_name": frozenset({"first_name", "last_name"}),
    "last_name": frozenset({"first_name", "last_name"}),
    # "from Massachusetts" then "and from outside the US?": a place replaces a place
    **dict.fromkeys(("city", "state", "country"), frozenset({"city", "state", "country"})),
}
_ALTOGETHER = re.compile(r"\b(?:altogether|all\s+together|in\s+total|combined|in\s+all)\b")
_EACH_ROW = frozenset({"race", "event", "year", "state", "city", "division", "sex", "provider"})
_SUBJECT_FLAGS = frozenset(
    {"results", "entrants", "events", "fee", "weather", "standards", "revenue", "registrations",
     "splits", "live", "races_of", "races_listed", "when", "where"}
)  # fmt: skip


# What one row of a listing is, when its order does not say: "what events did we time last
# year" then "how many finishers did each have?" counts per event (and per year, when the
# list spans several).
_ENTITY_ROW: dict[str, tuple[str, ...]] = {
    "events": ("event", "year"),
    "races": ("event", "year", "race"),
}


def _row_key(previous: SemanticQuery, dims: Mapping[str, object]) -> tuple[str, ...]:
    ordered = tuple(s.field for s in previous.order_by if s.field in _EACH_ROW)
    if ordered and not previous.measures:
        key = ordered
    else:
        fixed = {f.field for f in previous.filters if f.op is Op.EQ}
        key = tuple(f for f in _ENTITY_ROW.get(previous.entity, ()) if f not in fixed)
    return tuple(f for f in key if f in dims)


# "and the year before?", "a year later": a year counted from the previous question's
_YEAR_SHIFT = re.compile(
    r"\b(?:(?P<back>the\s+year\s+(?:before|prior)|a\s+year\s+(?:earlier|before)|the\s+prior\s+year)"
    r"|(?P<on>the\s+year\s+after|a\s+year\s+later|the\s+following\s+year))\b"
)


def extract_year_shift(scan: Scan) -> None:
    for match in scan.takeall(_YEAR_SHIFT):
        scan.set("year_shift", -1 if match["back"] else 1)


def _shifted_year(previous: SemanticQuery, shift: int) -> Filter:
    years = [f for f in previous.filters if f.field == "year" and f.op is Op.EQ]
    if len(years) != 1 or not isinstance(years[0].value, int):
        raise Unanswerable("say which year (the question before names no single year)")
    return Filter(field="year", value=years[0].value + shift)


def refuse_each_alone(query: SemanticQuery, scan: Scan) -> None:
    """ "how many did each have?" with no list before it: each of what is not said."""
    if query.measures and not query.group_by and _FOR_EACH.search(scan.low):
        raise Unanswerable(_EACH_UNSAID)
    if scan.slots.get("year_shift"):
        raise Unanswerable("say which year ('the year before' needs a question before it)")


def leans_back(scan: Scan) -> bool:
    """A cue word first ("and the women?") or a word for the previous answer ("list them")."""
    if _CUE.match(scan.low) or _BACK_REFERENCE.search(scan.low):
        return True
    return bool(_WEAK_REFERENCE.search(scan.low)) and not _has_subject(scan)


def _has_subject(scan: Scan) -> bool:
    return bool(scan.flags & _SUBJECT_FLAGS or scan.slots.get("person") or scan.events)


def is_follow_up(scan: Scan) -> bool:
    """A cue word first, a word for the previous answer, or nothing of its own to count or
    list (only filters or a limit)."""
    return leans_back(scan) or bool(_WEAK_REFERENCE.search(scan.low)) or not _has_subject(scan)


def merge(previous: SemanticQuery, new: SemanticQuery, scan: Scan) -> SemanticQuery:
    if new.entity != previous.entity and (previous.limit or previous.per_group_limit):
        # "their splits" after "the top 3 women": other rows of the runners ranked there,
        # which a filter cannot say; refused rather than the top 3 split rows.
        raise Unanswerable(
            f"cannot show the {MODEL[new.entity].label} of the runners in a ranked list; ask"
            " for them by name or bib"
        )
    dims = MODEL[new.entity].dimensions
    shift = scan.slots.get("year_shift")
    if shift:
        new = new.replacing(filters=(*new.filters, _shifted_year(previous, shift)))
    said = {f.field for f in new.filters}
    replaced = set(said).union(*(_REPLACES.get(f, frozenset()) for f in said))
    if "sex" in new.group_by:
        replaced.add("sex")
    kept = [f for f in previous.filters if f.field not in replaced and f.field in dims]
    measures = new.measures or (previous.measures if new.entity == previous.entity else ())
    # "only the top 10", "list them", "export them": the rows now, not the previous count.
    asks_rows = bool(scan.slots.get("rank")) or bool(scan.flags & {"list", "export", "contact"})
    listing_now = asks_rows and not new.measures and not previous.group_by
    if listing_now:
        measures = ()
    group_by = tuple(
        dict.fromkeys(g for g in (*previous.group_by, *new.group_by) if g in dims and g not in said)
    )
    if _ALTOGETHER.search(scan.low):
        group_by = new.group_by  # "and how much is that altogether?": one total, not per group
    if not measures:
        group_by = new.group_by if new.per_group_limit else ()
    elif not group_by and _FOR_EACH.search(scan.low):
        group_by = _row_key(previous, dims)
        if not group_by:
            raise Unanswerable(_EACH_UNSAID)
    merged = SemanticQuery(
        entity=new.entity,
        measures=measures,
        group_by=group_by,
        filters=(*kept, *new.filters),
        order_by=new.order_by or previous.order_by,
        limit=new.limit or previous.limit,
        per_group_limit=new.per_group_limit or (previous.per_group_limit if group_by else None),
        show=tuple(dict.fromkeys((*previous.show, *new.show))),
        export=new.export or previous.export,
    )
    if merged.order_by and merged.measures:
        names = {m.name for m in merged.measures} | set(merged.group_by)
        merged = merged.replacing(order_by=tuple(s for s in merged.order_by if s.field in names))
    if new.limit and merged.measures and merged.group_by and not merged.order_by:
        # "just the top 5" after a count by state: the five largest groups
        first = merged.measures[0].name
        slowest = scan.slots.get("rank", ("", False))[1]
        descending = (
            slowest
            if first.endswith(("_time", "_pace_per_mile", "_pace_per_km"))
            else (not slowest)
        )
        merged = merged.replacing(order_by=(Sort(field=first, descending=descending),))
    try:
        validate(merged)
    except QueryError as exc:
        raise Unanswerable(str(exc)) from None
    return merged
