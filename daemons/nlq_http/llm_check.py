"""The model's raw answer -> a validated ``SemanticQuery``, or ``ModelAnswerRejected`` saying why.

Nothing the model says is used before all of this holds:

* it is one JSON object (Markdown fences are tolerated, at a cost) of the
  schema's shape (``QueryAnswer``: no key the query does not have, so no
  ``"sql"`` either);
* every filter value converts by its field's kind and passes the name checks
  (``llm_values``);
* the result validates as a ``SemanticQuery`` and then ``compiler.validate``
  accepts it (every name one of the entity's, operators its types support...).

There is no "best guess". Each correction (fences, a respelling, a repeat
dropped) costs confidence: ``confidence_after``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .compiler import QueryError, dimension, validate
from .llm_errors import ModelAnswerRejected
from .llm_schema import MAX_VALUE_CHARS, MAX_VALUES, PERSON_FIELDS
from .llm_values import Context, convert_filter, dedupe, text_key
from .llm_vocab import Vocabulary
from .model import MODEL, Dimension, Entity, Kind
from .query import Op, SemanticQuery

MAX_ANSWER_CHARS = 20_000

# A query from the model starts above the rules' threshold (0.6), so a clean one wins
# over a reading the rules themselves doubted, but below a confident rules reading.
BASE_CONFIDENCE = 0.7
CORRECTION_PENALTY = 0.1
MIN_CONFIDENCE = 0.4

# --------------------------------------------------------------------------- the answer's shape

AnswerScalar = Annotated[str, Field(max_length=MAX_VALUE_CHARS)] | int | float | bool


class FilterAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = Field(..., max_length=40)
    op: Op = Op.EQ
    value: AnswerScalar | Annotated[list[AnswerScalar], Field(max_length=MAX_VALUES)]


class MeasureAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=40)
    percentile: float | None = None


class SortAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = Field(..., max_length=40)
    descending: bool = False


class QueryAnswer(BaseModel):
    """What the model fills: ``SemanticQuery`` with values as written text.

    A missing key means "not said", like ``null`` or ``[]``; lengths are left to
    ``SemanticQuery`` (the answer's own length is bounded first).
    """

    model_config = ConfigDict(extra="forbid")
    entity: str = Field(..., max_length=40)
    measures: list[MeasureAnswer] = []
    group_by: list[str] = []
    filters: list[FilterAnswer] = []
    order_by: list[SortAnswer] = []
    limit: int | None = None
    per_group_limit: int | None = None
    show: list[str] = []
    export: bool = False


_LISTS = ("measures", "group_by", "filters", "order_by", "show")

# --------------------------------------------------------------------------- reading the JSON

_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def _parse_json(text: str, corrections: list[str]) -> dict[str, Any]:
    if len(text) > MAX_ANSWER_CHARS:
        raise ModelAnswerRejected(f"the answer is longer than {MAX_ANSWER_CHARS} characters")
    stripped = text.strip()
    fenced = _FENCE_RE.match(stripped)
    if fenced:
        stripped = fenced.group(1)
        corrections.append("the JSON came wrapped in Markdown fences")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ModelAnswerRejected(f"the answer is not valid JSON ({exc.msg})", text) from None
    if not isinstance(data, dict):
        raise ModelAnswerRejected("the answer is not a JSON object", text)
    return data


def _blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(_blank(v) for v in value)
    return value is None


def _tidy(data: dict[str, Any]) -> dict[str, Any]:
    """Empty strings, nulls and empty lists mean "not said": they cost nothing."""
    out = {}
    for key, value in data.items():
        if isinstance(value, str) and not value.strip():
            value = None
        if key in _LISTS and isinstance(value, list):
            value = [v for v in value if not (isinstance(v, str) and not v.strip())]
        if key == "filters" and isinstance(value, list):
            value = [f for f in value if not (isinstance(f, dict) and _blank(f.get("value")))]
        if value is None and (key in _LISTS or key == "export"):
            continue  # the default
        out[key] = value
    return out


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "query"
        parts.append(f"{where}: {error['msg']}")
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return "; ".join(parts) + more


# --------------------------------------------------------------------------- the whole answer


@dataclass
class Checked:
    query: SemanticQuery
    corrections: list[str]
    entities: dict[str, object]


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


# The count of each group is filtered like a number ("states with more than 10"): HAVING.
_COUNT = Dimension("count", "count(*)", Kind.INT, "number", ())


def _filtered(entity: Entity, name: str) -> Dimension:
    if name == "count" and name not in entity.dimensions:
        return _COUNT
    return dimension(entity, name)


def people_in(query: SemanticQuery | None) -> frozenset[str]:
    if query is None:
        return frozenset()
    return frozenset(
        text_key(str(v))
        for f in query.filters
        if f.field in PERSON_FIELDS
        for v in (f.value if isinstance(f.value, tuple) else (f.value,))
    )


def check_answer(
    text: str, question: str, vocab: Vocabulary, previous: SemanticQuery | None = None
) -> Checked:
    """The model's raw answer -> a validated ``SemanticQuery``, or ``ModelAnswerRejected``."""
    ctx = Context(question, vocab, text, people_in(previous))
    data = _tidy(_parse_json(text, ctx.corrections))
    try:
        answer = QueryAnswer.model_validate(data)
    except ValidationError as exc:
        raise ctx.reject(_validation_reason(exc)) from None
    fixes = ctx.corrections
    try:
        entity = MODEL.get(answer.entity)
        if entity is None:
            raise QueryError(f"unknown entity {answer.entity!r}")
        filters = [
            convert_filter(_filtered(entity, f.field), f.op, _listed(f.value), ctx)
            for f in answer.filters
        ]
        measures = dedupe(((m.name, m.percentile) for m in answer.measures), "measures", fixes)
        sorts: dict[str, bool] = {}
        for sort in answer.order_by:
            sorts.setdefault(sort.field, sort.descending)  # the first of a repeated field wins
        if len(sorts) != len(answer.order_by):
            fixes.append("repeated order fields dropped")
        fields = {
            "entity": entity.name,
            "measures": [{"name": name, "percentile": p} for name, p in measures],
            "group_by": dedupe(answer.group_by, "groupings", fixes),
            "filters": dedupe(filters, "filters", fixes),
            "order_by": [{"field": f, "descending": d} for f, d in sorts.items()],
            "limit": answer.limit,
            "per_group_limit": answer.per_group_limit,
            "show": dedupe(answer.show, "shown fields", fixes),
            "export": answer.export,
        }
        query = SemanticQuery.model_validate(fields)
        validate(query)
    except ValidationError as exc:
        raise ctx.reject(_validation_reason(exc)) from None
    except QueryError as exc:
        raise ctx.reject(str(exc)) from None
    return Checked(query, ctx.corrections, entities_of(query))


def entities_of(query: SemanticQuery) -> dict[str, object]:
    """What was recognised, JSON-friendly, for the answer (and the UI's highlighting).

    The same shape as the rules' reading gives (``rules._entities``), so a caller
    cannot tell the engines apart by it; one shared helper in ``query`` would do.
    """
    out: dict[str, object] = {"entity": query.entity}
    filters = [
        {
            "field": f.field,
            "op": f.op.value,
            "value": [str(v) for v in f.value] if isinstance(f.value, tuple) else str(f.value),
        }
        for f in query.filters
    ]
    if filters:
        out["filters"] = filters
    if query.group_by:
        out["group_by"] = list(query.group_by)
    if query.measures:
        out["measures"] = [m.name for m in query.measures]
    return out


def confidence_after(corrections: int) -> float:
    return round(max(MIN_CONFIDENCE, BASE_CONFIDENCE - CORRECTION_PENALTY * corrections), 2)
