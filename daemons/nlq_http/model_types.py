"""The semantic model's building blocks: kinds of value, dimensions, measures, entities."""

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

    @property
    def count_column(self) -> str:
        """What a count of this entity is called in an answer: "finishers", "events"."""
        return self.label.replace(" ", "_").replace("-", "_")


def dims(*dims: Dimension) -> dict[str, Dimension]:
    return {d.name: d for d in dims}


def dim(
    name: str, sql: str, kind: Kind, label: str, *needs: str, values: tuple[str, ...] = ()
) -> Dimension:
    return Dimension(name, sql, kind, label, needs, values)
