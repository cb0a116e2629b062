"""Is a semantic query one the model can answer? Every field, operator, value and
measure is checked against ``model.MODEL`` before any SQL is written, for both engines:
the rules' queries and the language model's alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import MODEL, Dimension, Entity, Kind, Measure
from .query import DISTANCE_TOLERANCE, Filter, Op, SemanticQuery


class QueryError(ValueError):
    """A query that does not fit the model; the message says which part."""


def entity_of(query: SemanticQuery) -> Entity:
    entity = MODEL.get(query.entity)
    if entity is None:
        raise QueryError(f"unknown entity {query.entity!r}")
    return entity


def dimension(entity: Entity, name: str) -> Dimension:
    found = entity.dimensions.get(name)
    if found is None:
        raise QueryError(f"{entity.label} have no {name.replace('_', ' ')}")
    return found


def measure(entity: Entity, name: str) -> Measure:
    found = entity.measures.get(name)
    if found is None:
        raise QueryError(f"{name.replace('_', ' ')} is not a measure of {entity.label}")
    return found


def distance_bounds(km: float) -> tuple[float, float]:
    """The race distances (km) a stated distance matches."""
    return round(km * (1 - DISTANCE_TOLERANCE), 3), round(km * (1 + DISTANCE_TOLERANCE), 3)


_ORDERED_KINDS = (Kind.INT, Kind.NUMBER, Kind.DATE, Kind.TIME)
_VALUE_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.TEXT: (str,),
    Kind.ENUM: (str,),
    Kind.INT: (int,),
    Kind.NUMBER: (int, float),
    Kind.DATE: (dt.date,),
    Kind.TIME: (dt.timedelta,),
    Kind.BOOL: (bool,),
    Kind.RANGE: (int, float),
    Kind.CONDITION: (int, float),
}


def filter_values(f: Filter) -> tuple[Any, ...]:
    return f.value if isinstance(f.value, tuple) else (f.value,)


def check_filter(entity: Entity, f: Filter) -> Dimension:
    dim = dimension(entity, f.field)
    values = filter_values(f)
    wanted = {Op.BETWEEN: 2, Op.OUTSIDE: 2}.get(f.op, None if f.op is Op.IN else 1)
    if (wanted is not None and len(values) != wanted) or not values:
        raise QueryError(f"{f.op.value} on {dim.label} needs {wanted or 'some'} value(s)")
    ordered = (*_ORDERED_KINDS, Kind.RANGE) if f.op is Op.BETWEEN else _ORDERED_KINDS
    if f.op in (Op.LT, Op.LE, Op.GT, Op.GE, Op.BETWEEN, Op.OUTSIDE) and dim.kind not in ordered:
        raise QueryError(f"{dim.label} cannot be compared with {f.op.value}")
    if dim.kind is Kind.BOOL and f.op is not Op.EQ:
        raise QueryError(f"{dim.label} takes only an equality")
    if dim.kind is Kind.CONDITION and f.op not in (Op.EQ, Op.NE):
        raise QueryError(f"{dim.label} holds (eq) or does not (ne)")
    if dim.kind is Kind.RANGE and f.op not in (Op.EQ, Op.BETWEEN):
        raise QueryError(f"{dim.label} takes a value or a range (between)")
    for value in values:
        types = _VALUE_TYPES[dim.kind]
        if isinstance(value, bool) and bool not in types:
            raise QueryError(f"{dim.label} needs a {dim.kind.value}, not a yes/no")
        if not isinstance(value, types):
            raise QueryError(f"{dim.label} needs a {dim.kind.value} value")
        if dim.kind is Kind.ENUM and value not in dim.values:
            raise QueryError(f"{dim.label} is one of {', '.join(dim.values)}")
    return dim


def is_group_filter(entity: Entity, query: SemanticQuery, f: Filter) -> bool:
    """A filter on one of the query's measures keeps the groups it holds for (HAVING):
    "states with more than 10 finishers"."""
    return f.field not in entity.dimensions and any(m.name == f.field for m in query.measures)


def check_group_filter(entity: Entity, query: SemanticQuery, f: Filter) -> Measure:
    m = measure(entity, f.field)
    if not query.group_by:
        raise QueryError(f"a condition on the {m.label} needs groups to keep or drop")
    if f.op not in (Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE, Op.BETWEEN):
        raise QueryError(f"the {m.label} cannot be compared with {f.op.value}")
    values = filter_values(f)
    if len(values) != (2 if f.op is Op.BETWEEN else 1):
        raise QueryError(f"{f.op.value} on the {m.label} needs {2 if f.op is Op.BETWEEN else 1}")
    wanted = (dt.timedelta,) if m.unit == "time" else (int, float)
    if any(isinstance(v, bool) or not isinstance(v, wanted) for v in values):
        raise QueryError(
            f"the {m.label} is compared with a {'time' if m.unit == 'time' else 'number'}"
        )
    return m


def validate(query: SemanticQuery) -> Entity:
    """Every name of the query is the entity's: raise ``QueryError`` otherwise."""
    entity = entity_of(query)
    for f in query.filters:
        if is_group_filter(entity, query, f):
            check_group_filter(entity, query, f)
        else:
            check_filter(entity, f)
    for name in (*query.group_by, *query.show):
        dim = dimension(entity, name)
        if not dim.shown or dim.kind in (Kind.RANGE, Kind.CONDITION):
            raise QueryError(f"{dim.label} can only filter")
    names = {m.name for m in query.measures}
    for ref in query.measures:
        m = measure(entity, ref.name)
        if ("%(percentile)s" in m.sql) != (ref.percentile is not None):
            needs = "needs" if ref.percentile is None else "takes no"
            raise QueryError(f"{m.label} {needs} percentile")
    for sort in query.order_by:
        if sort.field not in names and sort.field not in entity.dimensions:
            raise QueryError(f"cannot order by {sort.field.replace('_', ' ')}")
    if query.per_group_limit is not None and not (query.group_by and not query.measures):
        raise QueryError("a top N per group needs a grouping and no measures")
    sessions_said = query.filters_on("session_id") or query.filters_on("session_status")
    if entity.name == "live_reads" and not (sessions_said or "session_id" in query.group_by):
        # Every read of every race ever timed is not one answer: say which session(s)
        raise QueryError(
            "live timing needs a session: 'session 3', 'the active session' or 'per session'"
        )
    return entity
