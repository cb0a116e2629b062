"""The semantic query: what both engines (rules, LLM) produce and the one compiler consumes.

A query names things of the semantic model (``model.MODEL``) and nothing else:
which entity's rows, which measures over them, grouped by which dimensions,
filtered how, ordered and limited. It holds no SQL and no partner scope: the
compiler adds the tenant predicate and the row limit itself, so nothing a
question or a model says can change whose rows are read or how many.

``validate_query`` checks every name against the model (a dimension the entity
cannot reach, an operator its type does not support, a value of the wrong
type): a model's answer that does not fit is refused before any SQL exists.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_ROWS = 1000
MARATHON_KM = 42.195  # a marathon, said or implied (a Boston qualifier)
HALF_MARATHON_KM = 21.0975
DISTANCE_TOLERANCE = 0.02  # "marathon" matches 41.35-43.04 km: courses are not all certified

Scalar = str | int | float | bool | dt.date | dt.timedelta


class Op(enum.StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"  # "under", "less than", "below": strict
    LE = "le"  # "at most", "or less", "up to": inclusive
    GT = "gt"  # "over", "more than", "above": strict
    GE = "ge"  # "at least", "or more": inclusive
    BETWEEN = "between"  # inclusive at both ends
    OUTSIDE = "outside"  # "not in their 40s": below the first value or above the second
    IN = "in"


class Filter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(..., max_length=40)
    op: Op = Op.EQ
    # One value, or two for BETWEEN, or several for IN.
    value: Scalar | tuple[Scalar, ...]


class MeasureRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(..., max_length=40)
    percentile: Annotated[float, Field(gt=0, lt=100)] | None = None  # percentile measures


class Sort(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(..., max_length=40)  # a dimension, or a measure of the query
    descending: bool = False


class SemanticQuery(BaseModel):
    """One question, as the model's names. Every part but the entity is optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str = Field(..., max_length=40)
    measures: tuple[MeasureRef, ...] = Field((), max_length=8)
    group_by: tuple[str, ...] = Field((), max_length=3)
    filters: tuple[Filter, ...] = Field((), max_length=24)
    order_by: tuple[Sort, ...] = Field((), max_length=4)
    limit: int | None = Field(None, ge=1, le=MAX_ROWS)
    offset: int | None = Field(None, ge=1, le=MAX_ROWS)  # "the second fastest": skip one
    # Top N within each group ("the top 3 in each age group"): needs group_by and order_by.
    per_group_limit: int | None = Field(None, ge=1, le=100)
    # Extra columns to show on listed rows (contact details for an export).
    show: tuple[str, ...] = Field((), max_length=8)
    export: bool = False  # meant for a CSV download

    def filters_on(self, field: str) -> tuple[Filter, ...]:
        return tuple(f for f in self.filters if f.field == field)

    def replacing(self, **changes: object) -> SemanticQuery:
        return self.model_copy(update=changes)


class Understanding(BaseModel):
    """An engine's answer: the query, how sure it is, and what it recognised."""

    model_config = ConfigDict(frozen=True)

    query: SemanticQuery
    # 1.0 when every content word was accounted for by the query (the rules answer only
    # then); a model's answer scores lower for each correction it needed.
    confidence: float = Field(..., ge=0.0, le=1.0)
    entities: dict[str, object] = Field(default_factory=dict)
    engine: str = "rules"
    notes: tuple[str, ...] = ()
