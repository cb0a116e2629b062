"""Expected semantic queries, written briefly, for the rules and compiler unit tests.

``Q("finishers", EVENT("Boston Marathon"), MARATHON, count=True)`` reads like the
question it answers. Queries are compared with ``canonical``: exactly, except that
the order of the filters (a conjunction) does not matter.
"""

from __future__ import annotations

import datetime as dt

import pytest

from daemons.nlq_http.examples import DEMO_VOCABULARY, EXAMPLES_TODAY
from daemons.nlq_http.query import (
    HALF_MARATHON_KM,
    MARATHON_KM,
    Filter,
    MeasureRef,
    Op,
    Scalar,
    SemanticQuery,
    Sort,
)
from daemons.nlq_http.rules import Reading, Vocabulary, parse

TODAY = EXAMPLES_TODAY  # 2026-11-25, a Wednesday
THRESHOLD = 0.6  # the engine's default: below it the rules do not answer
UNKNOWN_CAP = 0.5  # a question with a word nobody explained scores at most this

BOSTON, CHICAGO, HARTFORD = "Boston Marathon", "Chicago Marathon", "Hartford Marathon"
SHAMROCK, SHAMROCK_HALF = "Shamrock Marathon", "Shamrock Half Marathon"
BIG_RIVER, SUMMIT = "Big River Race Management", "Summit Timing Co"


def understand(
    question: str,
    today: dt.date = TODAY,
    vocab: Vocabulary = DEMO_VOCABULARY,
    previous: SemanticQuery | None = None,
) -> Reading:
    return parse(question, vocab, today, previous)


def H(hours: int, minutes: int = 0, seconds: int = 0) -> dt.timedelta:
    return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def D(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def F(field: str, value: Scalar | tuple[Scalar, ...], op: str = "eq") -> Filter:
    return Filter(field=field, op=Op(op), value=value)


def EVENT(*names: str) -> Filter:
    return F("event", names, "in") if len(names) > 1 else F("event", names[0])


def YEAR(*years: int) -> Filter:
    return F("year", years, "in") if len(years) > 1 else F("year", years[0])


def KM(km: float) -> Filter:
    return F("distance_km", km)


def SEX(sex: str) -> Filter:
    return F("sex", sex)


def AGE(low: int, high: int | None = None) -> Filter:
    """One age, or an inclusive range; bounds are written ``F("age", 61, "ge")``."""
    return F("age", low) if high is None else F("age", (low, high), "between")


def DATES(start: str, end: str) -> Filter:
    return F("event_date", (D(start), D(end)), "between")


def PERSON(first: str | None, last: str) -> tuple[Filter, ...]:
    return (*((F("first_name", first),) if first else ()), F("last_name", last))


MARATHON, HALF = KM(MARATHON_KM), KM(HALF_MARATHON_KM)
BQ = F("boston_qualifier", True)
TIME_STATS = ("count", "average_time", "median_time", "fastest_time")  # what "compare" shows


def Q(
    entity: str,
    *filters: Filter | tuple[Filter, ...],
    measures: tuple[str | tuple[str, float], ...] = (),
    count: bool = False,
    group_by: tuple[str, ...] = (),
    order: tuple[str, ...] = (),
    limit: int | None = None,
    per_group: int | None = None,
    show: tuple[str, ...] = (),
    export: bool = False,
) -> SemanticQuery:
    """A query; ``order`` names fields, "-field" descending; ``count`` adds the count."""
    flat = [f for item in filters for f in (item if isinstance(item, tuple) else (item,))]
    refs = [
        MeasureRef(name=m) if isinstance(m, str) else MeasureRef(name=m[0], percentile=m[1])
        for m in (*measures, *(("count",) if count else ()))
    ]
    return SemanticQuery(
        entity=entity,
        measures=tuple(refs),
        group_by=group_by,
        filters=tuple(flat),
        order_by=tuple(Sort(field=o.lstrip("-"), descending=o.startswith("-")) for o in order),
        limit=limit,
        per_group_limit=per_group,
        show=show,
        export=export,
    )


def canonical(query: SemanticQuery | None) -> dict[str, object] | None:
    """The query as a dict, its filters in a fixed order (pytest shows a readable diff)."""
    if query is None:
        return None
    dumped = query.model_dump()
    dumped["filters"] = sorted(dumped["filters"], key=lambda f: (f["field"], f["op"], repr(f)))
    return dumped


def case(
    question: str | tuple[str, ...], expected: SemanticQuery | None, bug: str | None = None
) -> object:
    """One parametrized case (a question, or a conversation's turns); ``bug`` marks a parser
    bug: a strict xfail that holds the right answer."""
    marks = [pytest.mark.xfail(strict=True, reason=f"parser: {bug}")] if bug else []
    shown = question if isinstance(question, str) else " / ".join(question)
    return pytest.param(question, expected, id=shown[:80], marks=marks)


def assert_parses_to(
    question: str, expected: SemanticQuery, vocab: Vocabulary = DEMO_VOCABULARY
) -> None:
    """The question is answered by the rules, sure enough to answer, with exactly this query."""
    reading = understand(question, vocab=vocab)
    assert reading.refusal is None, reading.refusal
    assert canonical(reading.query) == canonical(expected), reading.notes
    assert reading.confidence >= THRESHOLD, (reading.unknown, reading.notes)


def questions(cases: list[object]) -> list[str]:
    """The questions of some cases, without their marks (for checks every question passes)."""
    return [c.values[0] for c in cases]  # type: ignore[attr-defined]


# "men and women": both, side by side (the non-binary finishers are not what was asked).
BOTH_SEXES = F("sex", ("F", "M"), "in")
