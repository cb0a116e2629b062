"""A semantic query in one English sentence: every filter the SQL applies, nothing else.

Written from the query the compiler compiles, so the explanation cannot drop a
filter ("under 3 hours") that the SQL applies, nor mention one it does not.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .model import MODEL, Kind
from .query import Filter, Op, SemanticQuery

_OP_WORDS = {
    Op.EQ: "is",
    Op.NE: "is not",
    Op.LT: "under",
    Op.LE: "at most",
    Op.GT: "over",
    Op.GE: "at least",
    Op.BETWEEN: "between",
    Op.OUTSIDE: "outside",
    Op.IN: "one of",
}
_MONTHS = tuple(calendar.month_name)[1:]
_SEXES = {"M": "men", "F": "women", "X": "non-binary"}
_STATUS = {
    "finished": "finished",
    "dnf": "did not finish",
    "dns": "did not start",
    "dq": "disqualified",
}


def value_words(field: str, value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.timedelta):
        whole = round(value.total_seconds())
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if isinstance(value, dt.date):
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    if field == "month" and isinstance(value, int) and 1 <= value <= 12:
        return _MONTHS[value - 1]
    if field in ("sex",) and isinstance(value, str):
        return _SEXES.get(value, value)
    if field in ("status", "outcome") and isinstance(value, str):
        return _STATUS.get(value, value)
    if field in ("fee", "amount_paid") and isinstance(value, int | float):
        return f"${value:,.2f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def filter_words(entity_name: str, f: Filter) -> str:
    dim = MODEL[entity_name].dimensions[f.field]
    values = f.value if isinstance(f.value, tuple) else (f.value,)
    shown = [value_words(f.field, v) for v in values]
    if dim.kind is Kind.CONDITION:
        said = (
            dim.label.replace("{value}", shown[0])
            if "{value}" in dim.label
            else f"{dim.label} {shown[0]}"
        )
        return said if f.op is Op.EQ else f"not {said}"
    if dim.kind is Kind.BOOL:
        if values[0] or not dim.label.startswith("with "):
            return dim.label if values[0] else f"not {dim.label}"
        lacking = re.sub(r"^with\s+(?:an?\s+)?", "", dim.label)
        return f"with no {lacking}"  # "with no phone number", not "not with a phone number"
    if f.op is Op.BETWEEN:
        return f"{dim.label} between {shown[0]} and {shown[1]} (inclusive)"
    if f.op is Op.OUTSIDE:
        return f"{dim.label} not between {shown[0]} and {shown[1]}"
    if f.op is Op.IN:
        return f"{dim.label} {' or '.join(shown)}"
    if f.field == "distance_km" and f.op is Op.EQ:
        return f"distance about {shown[0]} km"
    return f"{dim.label} {_OP_WORDS[f.op]} {shown[0]}"


def explain(query: SemanticQuery) -> str:
    entity = MODEL[query.entity]
    if query.measures:
        labels = [
            f"{m.percentile:g}th {entity.measures[m.name].label}"
            if m.percentile is not None
            else "number"
            if m.name == "count"
            else entity.measures[m.name].label
            for m in query.measures
        ]
        head = f"{', '.join(labels)} of {entity.label}"
        head = ("Counts " + entity.label) if labels == ["number"] else head[0].upper() + head[1:]
    else:
        verb = "Exports" if query.export else "Lists"
        head = f"{verb} {entity.label}"
    kept = [f for f in query.filters if f.field not in entity.dimensions]  # on a measure
    said = [filter_words(query.entity, f) for f in query.filters if f not in kept]
    sentence = head + (" where " + "; ".join(said) if said else " (no filter)")
    if query.group_by:
        groups = [entity.dimensions[g].label for g in query.group_by]
        sentence += ", by " + " and ".join(groups)
    for f in kept:
        label = "number" if f.field == "count" else entity.measures[f.field].label
        values = f.value if isinstance(f.value, tuple) else (f.value,)
        shown = " and ".join(value_words(f.field, v) for v in values)
        sentence += f", only those whose {label} is {_OP_WORDS[f.op]} {shown}"
    if query.per_group_limit is not None:
        sentence += f", the top {query.per_group_limit} in each"
    if query.order_by:
        terms = []
        for s in query.order_by:
            label = (
                entity.dimensions[s.field].label
                if s.field in entity.dimensions
                else s.field.replace("_", " ")
            )
            terms.append(f"{label}{' descending' if s.descending else ''}")
        sentence += ", ordered by " + ", ".join(terms)
    if query.offset:
        sentence += f", after the first {query.offset}"
    if query.limit is not None:
        sentence += f", at most {query.limit} rows"
    return sentence + "."
