"""Semantic query -> parameterised SQL: the one deterministic compiler both engines share.

Only the model's constant fragments reach the SQL text; every value travels as
a parameter. The compiler adds the tenant predicate (on every partner-owned
table it reads; row-level security agrees) and the row limit itself. The
explanation is written from the same filters the SQL applies, so it cannot
leave one out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .explain import explain
from .model import Entity, Kind, Measure
from .query import MAX_ROWS, Filter, Op, SemanticQuery
from .validation import (  # noqa: F401 (re-exported: the compiler's public checks)
    QueryError,
    check_filter,
    check_group_filter,
    dimension,
    distance_bounds,
    entity_of,
    filter_values,
    is_group_filter,
    measure,
    validate,
)


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
    # The limit is the service's row cap, not a number the question asked for ("top 10"):
    # only then does a further row mean the answer was cut short.
    capped: bool = True


# "not from MA" includes the runners with no state on record (abroad, or never said): NULL
# is not MA, so NE is IS DISTINCT FROM, never <> (which drops NULLs).
_SQL_OPS = {Op.EQ: "=", Op.NE: "IS DISTINCT FROM", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}


@dataclass
class _Builder:
    entity: Entity
    tenant: Tenant
    params: dict[str, Any] = field(default_factory=dict)
    aliases: set[str] = field(default_factory=set)

    def param(self, value: Any, hint: str = "value") -> str:
        """A bound parameter named after what it is (``%(chip_time)s``), for readable SQL."""
        name, n = hint, 2
        while name in self.params:
            name, n = f"{hint}_{n}", n + 1
        self.params[name] = value
        return f"%({name})s"

    def use(self, *needs: str) -> None:
        for alias in needs:
            if alias == self.entity.alias or alias in self.aliases:
                continue
            join = self.entity.joins.get(alias)
            if join is None:
                raise QueryError(f"{self.entity.label} cannot reach table {alias}")
            self.use(*join[1])
            self.aliases.add(alias)

    def condition(self, f: Filter) -> str:
        dim = check_filter(self.entity, f)
        self.use(*dim.needs)
        values = filter_values(f)
        name = f.field
        if dim.kind is Kind.CONDITION:
            held = dim.sql.replace("{value}", self.param(values[0], name))
            return held if f.op is Op.EQ else f"NOT {held}"
        if dim.kind is Kind.BOOL:
            return dim.sql if values[0] else f"NOT {dim.sql}"
        if dim.kind is Kind.RANGE:
            low, high = dim.sql.split("|")
            if f.op is Op.BETWEEN:  # the bands that overlap the range said
                start, end = (
                    self.param(values[0], f"{name}_from"),
                    self.param(values[1], f"{name}_to"),
                )
                return f"{high} >= {start} AND {low} <= {end}"
            return f"{self.param(values[0], name)} BETWEEN {low} AND {high}"
        expr = f"lower({dim.sql})" if dim.kind is Kind.TEXT else dim.sql
        if dim.kind is Kind.TEXT:
            values = tuple(str(v).lower() for v in values)
        if f.op is Op.IN and f.field == "distance_km":  # each distance said, as nearly as one
            return (
                "("
                + " OR ".join(
                    f"{expr} BETWEEN {self.param(low, 'distance_min')} AND "
                    f"{self.param(high, 'distance_max')}"
                    for low, high in (distance_bounds(float(v)) for v in values)
                )
                + ")"
            )
        if f.op is Op.IN:
            return f"{expr} = ANY({self.param(list(values), name)})"
        if f.op in (Op.BETWEEN, Op.OUTSIDE):
            low_p, high_p = (
                self.param(values[0], f"{name}_from"),
                self.param(values[1], f"{name}_to"),
            )
            within = f"{expr} BETWEEN {low_p} AND {high_p}"
            return within if f.op is Op.BETWEEN else f"NOT ({within})"
        if f.field == "distance_km" and f.op in (Op.EQ, Op.NE):
            low, high = distance_bounds(float(values[0]))
            low_p, high_p = self.param(low, "distance_min"), self.param(high, "distance_max")
            within = f"{expr} BETWEEN {low_p} AND {high_p}"
            return within if f.op is Op.EQ else f"NOT ({within})"
        if f.field == "distance_km" and f.op in (Op.GT, Op.GE, Op.LT, Op.LE):
            # Against the distance as races store it: "longer than a half marathon" is past
            # every half (21.098 or 21.1 km), "at least a half" takes them all in.
            low, high = distance_bounds(float(values[0]))
            bound = high if f.op in (Op.GT, Op.LE) else low
            return f"{expr} {_SQL_OPS[f.op]} {self.param(bound, name)}"
        return f"{expr} {_SQL_OPS[f.op]} {self.param(values[0], name)}"

    def tenant_conditions(self) -> list[str]:
        if self.tenant.admin:
            return []
        self.params["partner_id"] = self.tenant.partner_id
        used = [self.entity.alias, *sorted(self.aliases)]
        return [
            f"{alias}.timing_partner_id = %(partner_id)s"
            for alias in used
            if alias in self.entity.partner_aliases
        ]

    def root(self) -> str:
        """A derived table's ``{alias_tenant}`` slots: each branch's own tenant predicate."""
        slots = _TENANT_SLOT.findall(self.entity.root)
        if not slots:
            return self.entity.root
        if self.tenant.admin:
            return self.entity.root.format(**{f"{a}_tenant": "true" for a in slots})
        self.params["partner_id"] = self.tenant.partner_id
        return self.entity.root.format(
            **{f"{a}_tenant": f"{a}.timing_partner_id = %(partner_id)s" for a in slots}
        )

    def from_clause(self) -> str:
        ordered = [a for a in self.entity.joins if a in self.aliases]
        return "\n".join([self.root(), *(self.entity.joins[a][0] for a in ordered)])


_TENANT_SLOT = re.compile(r"\{(\w+)_tenant\}")


def _base_filters(entity: Entity, query: SemanticQuery) -> list[str]:
    lifted = {
        cond
        for name, conds in entity.lifted_by.items()
        if query.filters_on(name) or name in query.group_by  # "by timing point": the finish too
        for cond in conds
    }
    return [c for c in entity.base_filters if c not in lifted]


def _measure_sql(b: _Builder, m: Measure, percentile: float | None) -> str:
    b.use(*m.needs)
    if percentile is None:
        return m.sql
    return m.sql.replace("%(percentile)s", b.param(round(percentile / 100, 4), "percentile"))


def _measure_name(entity: Entity, name: str, percentile: float | None) -> str:
    if name == "count":
        return entity.count_column
    if percentile is None:
        return name
    what = name.removeprefix("percentile_")  # p95_time, p90_pace_per_mile
    return f"p{percentile:g}_{what}".replace(".", "_")


def compile_query(query: SemanticQuery, tenant: Tenant, max_rows: int = MAX_ROWS) -> Compiled:
    entity = validate(query)
    b = _Builder(entity, tenant)
    limit = min(query.limit or max_rows, max_rows)
    where = [b.condition(f) for f in query.filters if not is_group_filter(entity, query, f)]
    having = [_having(b, query, f) for f in query.filters if is_group_filter(entity, query, f)]
    select: list[str] = []
    times: list[str] = []
    group: list[str] = []
    for name in query.group_by:
        dim = dimension(entity, name)
        b.use(*dim.needs)
        select.append(f"{dim.sql} AS {name}")
        group.append(dim.sql)
        if dim.kind is Kind.TIME:
            times.append(name)
    measured = {}
    for ref in query.measures:
        m = measure(entity, ref.name)
        out = _measure_name(entity, ref.name, ref.percentile)
        measured[ref.name] = out
        select.append(f"{_measure_sql(b, m, ref.percentile)} AS {out}")
        if m.unit == "time":
            times.append(out)
    listing = not query.measures
    if listing:
        shown = list(dict.fromkeys((*query.group_by, *entity.columns, *query.show)))
        select = []
        for name in shown:
            dim = dimension(entity, name)
            b.use(*dim.needs)
            select.append(f"{dim.sql} AS {name}")
            if dim.kind is Kind.TIME and name not in times:
                times.append(name)
    order = _order(b, query, measured, listing)
    conditions = [*b.tenant_conditions(), *_base_filters(entity, query), *where]
    parts = ["SELECT " + ",\n  ".join(select), "FROM " + b.from_clause()]
    if conditions:
        parts.append("WHERE " + "\n  AND ".join(conditions))
    if group and not listing:
        parts.append("GROUP BY " + ", ".join(group))
        if having:
            parts.append("HAVING " + " AND ".join(having))
    if query.per_group_limit is not None:
        partition = ", ".join(dimension(entity, n).sql for n in query.group_by)
        select.append(f"row_number() OVER (PARTITION BY {partition} ORDER BY {order}) AS rank")
        parts[0] = "SELECT " + ",\n  ".join(select)
        inner = "\n".join(parts)
        keys = ", ".join([*query.group_by, "rank"])
        outer = [
            "SELECT * FROM (",
            inner,
            ") AS ranked",
            "WHERE rank <= " + b.param(query.per_group_limit, "per_group"),
            "ORDER BY " + keys,
            "LIMIT " + b.param(limit + 1, "row_limit"),
        ]
        sql = "\n".join(outer)
    else:
        if order:
            parts.append("ORDER BY " + order)
        parts.append(f"LIMIT {b.param(limit + 1, 'row_limit')}")
        if query.offset:
            parts.append(f"OFFSET {b.param(query.offset, 'row_offset')}")
        sql = "\n".join(parts)
    capped = query.limit is None or query.limit > max_rows
    return Compiled(sql, b.params, entity.database, limit, explain(query), tuple(times), capped)


def _having(b: _Builder, query: SemanticQuery, f: Filter) -> str:
    m = check_group_filter(b.entity, query, f)
    ref = next(r for r in query.measures if r.name == f.field)
    expr = _measure_sql(b, m, ref.percentile)
    values = filter_values(f)
    if f.op is Op.BETWEEN:
        low, high = b.param(values[0], f"{f.field}_from"), b.param(values[1], f"{f.field}_to")
        return f"{expr} BETWEEN {low} AND {high}"
    return f"{expr} {_SQL_OPS[f.op]} {b.param(values[0], f.field)}"


def _order(b: _Builder, query: SemanticQuery, measured: dict[str, str], listing: bool) -> str:
    entity = b.entity
    sorts = [(s.field, s.descending) for s in query.order_by]
    if not sorts:
        sorts = list(entity.default_order) if listing else [(g, False) for g in query.group_by]
    terms = []
    for name, descending in sorts:
        if name in measured and not listing:
            expr = measured[name]
        elif name in entity.dimensions:
            dim = dimension(entity, name)
            if not listing and name not in query.group_by:
                continue  # an aggregate row has no such column
            b.use(*dim.needs)
            expr = name if not listing else dim.sql
        else:
            continue
        terms.append(f"{expr} {'DESC NULLS LAST' if descending else 'ASC NULLS LAST'}")
    return ", ".join(terms)


def format_time(value: dt.timedelta | float | None) -> str | None:
    """A duration as H:MM:SS (tenths dropped): how timers and runners say finish times."""
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
