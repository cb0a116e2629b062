"""Follow-ups in a conversation: "…and the women?", "what about 2023?", "only the top 10".

The previous question's *query* is the context (never the model's earlier
text): a follow-up's filters replace the previous ones on the same dimension
(a year replaces a year or a date range; an event replaces the event and the
distance it implied), its measures, limit and order replace the previous ones
when it says any, and its groupings are added.
"""

from __future__ import annotations

import re

from ..compiler import QueryError, validate
from ..model import MODEL
from ..query import SemanticQuery, Sort
from .resolve import Unanswerable
from .scan import Scan

_CUE = re.compile(
    r"^\s*(?:and|but|also|plus|then|now|ok(?:ay)?|so|what\s+about|how\s+about|what\s+if|same"
    r"(?:\s+(?:for|but|with|thing))?|only|just|instead|except|and\s+what\s+about|again)\b"
)
# "list them", "only the ones over 50", "how many have registered for it": the previous answer.
_BACK_REFERENCE = re.compile(r"\b(?:them|those|they|these|their|it|ones)\b")
_REPLACES: dict[str, frozenset[str]] = {
    "year": frozenset({"year", "event_date", "month"}),
    "event_date": frozenset({"year", "event_date", "month"}),
    "month": frozenset({"month", "event_date"}),
    "event": frozenset({"event", "distance_km"}),
    "first_name": frozenset({"first_name", "last_name"}),
    "last_name": frozenset({"first_name", "last_name"}),
}
_SUBJECT_FLAGS = frozenset(
    {"results", "entrants", "events", "fee", "weather", "standards", "revenue", "registrations",
     "splits", "live", "races_of", "when", "where"}
)  # fmt: skip


def is_follow_up(scan: Scan) -> bool:
    """A cue word first, or nothing of its own to count or list (only filters or a limit)."""
    if _CUE.match(scan.low) or _BACK_REFERENCE.search(scan.low):
        return True
    return not (scan.flags & _SUBJECT_FLAGS or scan.slots.get("person") or scan.events)


def merge(previous: SemanticQuery, new: SemanticQuery, scan: Scan) -> SemanticQuery:
    if new.entity != previous.entity and (previous.limit or previous.per_group_limit):
        # "their splits" after "the top 3 women": other rows of the runners ranked there,
        # which a filter cannot say; refused rather than the top 3 split rows.
        raise Unanswerable(
            f"cannot show the {MODEL[new.entity].label} of the runners in a ranked list; ask"
            " for them by name or bib"
        )
    dims = MODEL[new.entity].dimensions
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
    if not measures:
        group_by = new.group_by if new.per_group_limit else ()
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
