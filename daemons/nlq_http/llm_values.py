"""One filter's values as the model wrote them -> typed values, or a refusal saying why.

Values arrive as text (the schema asks for strings) or, from a model that takes no
grammar, as JSON numbers and booleans; each converts by its field's ``Kind``:
``H:MM:SS`` to a duration, ``YYYY-MM-DD`` to a date, digits to numbers,
``true``/``false``, enum values among the field's declared values (a case slip is
respelled, as a correction). Event and partner values must be names of the
vocabulary, respelled to the canonical spelling when only case or punctuation
differ; person names must look like names, carry no SQL words and be copied from
the question (or the previous question's query, for a follow-up); any other text
that looks like SQL is refused. Values reach SQL only as parameters, so a refused
value would have been harmless, but it shows the model was talked into something,
and no answer beats that answer.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from rapidfuzz import fuzz, process, utils

from .llm_errors import ModelAnswerRejected
from .llm_schema import EVENT_FIELD, ORDERED_KINDS, PARTNER_FIELD, PERSON_FIELDS
from .llm_vocab import Vocabulary, name_key
from .model import Dimension, Kind
from .query import Filter, Op, Scalar

H = TypeVar("H", bound=Hashable)

# --------------------------------------------------------------------------- names and SQL

_NAME_RE = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '\u2019.\-])*$")
_SQL_WORDS = frozenset(
    (
        "select", "insert", "update", "delete", "drop", "truncate", "alter", "grant",
        "revoke", "union", "table", "from", "where", "create", "exec", "execute",
        "set_config", "pg_sleep", "copy", "into", "values",
    )
)  # fmt: skip
# In free text (a city, a division) SQL words alone are fine ("Union", "Drop Zone 5K");
# statement punctuation, a statement's shape or a known dangerous call is not.
_SQL_SHAPE = re.compile(
    r";|--|/\*|\*/"
    r"|\b(?:pg_sleep|set_config|current_setting|pg_read_file|dblink|lo_import)\s*\("
    r"|\bunion\b.*\bselect\b"
    r"|\b(?:select|insert|update|delete|drop|truncate|alter|grant|revoke|create|copy)\b"
    r".*\b(?:from|into|table|set|values|where)\b"
    r"|'\s*(?:or|and)\b|\b(?:or|and)\s+\w+\s*=",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_sql(text: str) -> bool:
    return bool(_SQL_SHAPE.search(text))


def text_key(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").casefold().split())


# --------------------------------------------------------------------------- one answer's context


@dataclass
class Context:
    question: str
    vocab: Vocabulary
    answer: str  # the raw text, for the log
    known_people: frozenset[str] = frozenset()  # names in the previous query (follow-ups)
    corrections: list[str] = field(default_factory=list)

    def reject(self, reason: str) -> ModelAnswerRejected:
        return ModelAnswerRejected(reason, self.answer)


def _canonical(said: str, names: tuple[str, ...], what: str, ctx: Context) -> str:
    if said in names:
        return said
    matches = [name for name in names if name_key(name) == name_key(said)]
    if len(matches) == 1:
        ctx.corrections.append(f"{what} {said!r} read as {matches[0]!r}")
        return matches[0]
    if len(matches) > 1:
        raise ctx.reject(f"{what} {said!r} is ambiguous")
    near = process.extractOne(said, names, scorer=fuzz.WRatio, processor=utils.default_process)
    hint = f" (closest: {near[0]!r})" if near and near[1] >= 80 else ""
    raise ctx.reject(f"{what} {said!r} is not a known {what}{hint}")


def _person(value: str, what: str, ctx: Context) -> str:
    if set(re.findall(r"[a-z_]+", value.casefold())) & _SQL_WORDS:
        raise ctx.reject(f"{what} {value[:60]!r} looks like SQL, not a name")
    if not _NAME_RE.match(value) or len(value.split()) > 4:
        raise ctx.reject(f"{what} {value[:60]!r} does not look like a name")
    key = text_key(value)
    if key not in text_key(ctx.question) and key not in ctx.known_people:
        raise ctx.reject(f"{what} {value!r} is not in the question")
    return value


# --------------------------------------------------------------------------- values by kind

_TIME_RE = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_RE = re.compile(r"^[+-]?\d{1,10}$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
MAX_INT = 2**31 - 1  # the database's integer columns


def _time(dim: Dimension, v: object, ctx: Context) -> dt.timedelta:
    found = _TIME_RE.match(v) if isinstance(v, str) else None
    if not found:
        raise ctx.reject(f"{dim.label} {str(v)[:20]!r} is not H:MM:SS")
    hours, minutes, seconds = (int(p) for p in found.groups())
    return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _date(dim: Dimension, v: object, ctx: Context) -> dt.date:
    try:
        day = dt.date.fromisoformat(v) if isinstance(v, str) and _DATE_RE.match(v) else None
    except ValueError:
        day = None
    if day is None:
        raise ctx.reject(f"{dim.label} {str(v)[:20]!r} is not a date (YYYY-MM-DD)")
    if not 1900 <= day.year <= 2100:
        raise ctx.reject(f"{dim.label} {day} is out of range (1900-2100)")
    return day


def _int(dim: Dimension, v: object, ctx: Context) -> int:
    number: int | None = None
    if isinstance(v, bool):
        pass  # a yes/no is not a number, though Python says True == 1
    elif isinstance(v, int):
        number = v
    elif (isinstance(v, float) and v.is_integer()) or (isinstance(v, str) and _INT_RE.match(v)):
        number = int(v)
    if number is None:
        raise ctx.reject(f"{dim.label} {str(v)[:20]!r} is not a whole number")
    if abs(number) > MAX_INT:
        raise ctx.reject(f"{dim.label} {number} is out of range")
    return number


def _number(dim: Dimension, v: object, ctx: Context) -> int | float:
    number: int | float | None = None
    if isinstance(v, int | float) and not isinstance(v, bool):
        number = v
    elif isinstance(v, str) and _NUMBER_RE.match(v):
        number = float(v)
    if number is None or not math.isfinite(number):
        raise ctx.reject(f"{dim.label} {str(v)[:20]!r} is not a number")
    if abs(number) > 1e9:
        raise ctx.reject(f"{dim.label} {number:g} is out of range")
    return number


def _bool(dim: Dimension, v: object, ctx: Context) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.casefold() in ("true", "false"):
        return v.casefold() == "true"
    raise ctx.reject(f"{dim.label} {str(v)[:20]!r} is not true or false")


def _enum(dim: Dimension, v: object, ctx: Context) -> str:
    if isinstance(v, str):
        if v in dim.values:
            return v
        matches = [known for known in dim.values if known.casefold() == v.casefold()]
        if len(matches) == 1:
            ctx.corrections.append(f"{dim.label} {v!r} read as {matches[0]!r}")
            return matches[0]
    raise ctx.reject(f"{dim.label} {str(v)[:20]!r} is not one of {', '.join(dim.values)}")


def _range(dim: Dimension, v: object, ctx: Context) -> int | float:
    number = _number(dim, v, ctx)
    return int(number) if float(number).is_integer() else number


def _text(dim: Dimension, v: object, ctx: Context) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        v = str(v)  # a bib or a postcode the model wrote as a number
    if not isinstance(v, str):
        raise ctx.reject(f"{dim.label} needs text, not {json.dumps(v)}")
    if dim.name == EVENT_FIELD:
        return _canonical(v, ctx.vocab.event_names, "event", ctx)
    if dim.name == PARTNER_FIELD:
        return _canonical(v, ctx.vocab.partner_names, "partner", ctx)
    if dim.name in PERSON_FIELDS:
        return _person(v, dim.label, ctx)
    if looks_like_sql(v):
        raise ctx.reject(f"{dim.label} {v[:60]!r} looks like SQL, not a value")
    return v


_CONVERT: dict[Kind, Callable[[Dimension, object, Context], Scalar]] = {
    Kind.TEXT: _text,
    Kind.ENUM: _enum,
    Kind.INT: _int,
    Kind.NUMBER: _number,
    Kind.DATE: _date,
    Kind.TIME: _time,
    Kind.BOOL: _bool,
    Kind.RANGE: _range,
    Kind.CONDITION: _number,  # a year or a distance, completing the condition
}


def dedupe(values: Iterable[H], what: str, corrections: list[str]) -> tuple[H, ...]:
    values = list(values)
    unique = tuple(dict.fromkeys(values))
    if len(unique) != len(values):
        corrections.append(f"repeated {what} dropped")
    return unique


def convert_filter(dim: Dimension, op: Op, said: Sequence[object], ctx: Context) -> Filter:
    """A filter of ``dim`` with the model's values converted (one, or a tuple for between/in)."""
    values = [
        _CONVERT[dim.kind](dim, " ".join(v.split()) if isinstance(v, str) else v, ctx) for v in said
    ]
    if op is Op.IN:
        values = list(dedupe(values, f"{dim.label} values", ctx.corrections))
    if op in (Op.BETWEEN, Op.OUTSIDE) and dim.kind in ORDERED_KINDS and len(values) == 2:
        low, high = values
        if low > high:  # one kind each: numbers, dates or durations
            # Nothing lies between them: an empty answer that looks like a real one.
            raise ctx.reject(f"between on {dim.label} runs from {said[0]} down to {said[1]}")
    if op in (Op.IN, Op.BETWEEN, Op.OUTSIDE):
        return Filter(field=dim.name, op=op, value=tuple(values))
    if len(values) != 1:
        raise ctx.reject(f"{op.value} on {dim.label} takes one value, not {len(values)}")
    return Filter(field=dim.name, op=op, value=values[0])
